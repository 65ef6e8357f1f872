"""Round 8 of issue 23: what a name, place or organisation needs beyond its capital letters.

Written from the false positives of half A of the sixth blind set (``tests/fixtures/deid_blind6.jsonl``, styles
``consult_liaison_note``, ``dv_advocate``, ``hospice_chaplain`` and ``gambling_helpline``; a development set since
round 8) as **families** of form and context, each tested on fresh sentences in ``tests/clean/test_deid_support.py``.

:func:`unsupported_span` drops, from the heuristic detectors (NER, the fill-in rules and the name lexicon):

* the **title of a work** that a verb of performing or reading introduces ("hums Amazing Grace", "singing Amazing
  Grace and How Great Thou Art", "played The Rose", 'sang "Abide With Me"', "read Psalm 23"): the whole run of
  capitalised words after the verb (and "the"), whatever NER took of it;
* a **scripture or chapter reference**: a name directly followed by a chapter and verse ("John 3:16") or holding a
  number ("Psalm 23");
* a word that a **copula of time or place** follows ("Dawn is when she's most afraid") or that opens a sentence before
  a plural agent noun ("Bill collectors call"), and a capitalised word after "the" and before a name ("the Ave
  Maria", "the Good Samaritan"; not a title: "the Reverend Hale");
* an **acronym with a service branch** ("WWII Navy"; not a country code: "US Army") and a **participle of a life's
  history opening a name** ("Raised Southern Baptist", ``_LIFE_PARTICIPLES``), a **thing one owns** ("Blackjack was my thing": after "is/was my" a person
  word follows);
* a **medical eponym** that modifies a lower-case clinical noun ("Cheyne-Stokes breathing", "Moro reflex": the
  small list ``_EPONYM_HEADS``), unless it is a given name;

and, from NER alone:

* a span made only of **abbreviations** (all capitals, one to four characters, with "&" or a digit, or a number of
  one or two digits: "EKG NSR", "CIWA 4", "L&D", "MICU", "OFP"): clinical and legal shorthand. Longer acronyms
  ("UNHCR", "UNICEF"), codes with a longer number ("LZR 4820", a plate) and the end of a longer name after a
  capitalised word inside a sentence ("the Tuesday Women's DBT") are left to the older rules. A US state or country code is left to the older rules, and
  an abbreviation after "at/for/with/joined/join" stands ("volunteers with NAMI");
* a word of **clinical shorthand** in mixed case ("EtOH", "Cont", "Hx": ``_SHORTHAND``);
* one **CamelCase** word taken for an organisation ("DraftKings", "AirTag", "GoFundMe"): a product or an app,
  unless a preposition of place, means or employment or a naming phrase stands before it ("works at DoorDash", "thru
  CareFinder", "the company is TrackSure"); names like "DeShawn",
  "McKenzie" or "LaToya" (a capital after one or two letters, or after "Mac") are no CamelCase here.

:func:`service_unit_candidates` finds the units of fire, rescue and police services named by a head word and a
number ("Engine 12", "Ladder 7", "Station 4", "the 14th Precinct", "Medic 3"), which identify where a first
responder works.
"""

from __future__ import annotations

import re

from topics.clean.deid_evidence import _NOTE_ABBREVIATIONS, _STATE_CODES
from topics.clean.deid_lexicon import (
    AGE_PRIORITY,
    DATE_PRIORITY,
    NAME_PRIORITY,
    ORG_PRIORITY,
    PHONE_PRIORITY,
    english_words,
    first_names,
)
from topics.clean.deid_lexicon import word_set as _words
from topics.clean.deid_rules import NOT_AN_ORG, TITLES
from topics.clean.deid_styles import clinical_terms

_PERFORM = re.compile(
    r"\b(?:hum|hums|hummed|humming|sing|sings|sang|sung|singing|play|plays|played|playing|read|reads|reading|"
    r"recite|recites|recited|reciting|chant|chants|chanted|chanting|quote|quotes|quoted|quoting)"
    r"[ \t]+(?:(?:the|a|from)[ \t]+)?[\"“']?$",
    re.IGNORECASE,
)
"""A verb of performing or reading and an optional article or opening quote, right before a title."""
_PERFORM_WORD = re.compile(r"\b(?:hum|sing|sang|sung|play|read|recit|chant|quot)", re.IGNORECASE)
"""A quick test for the verbs of ``_PERFORM`` before the title run is computed."""
_TITLE_WORD = r"(?:[A-Z][\w'’-]*|\d+(?::\d+)?|and|of|the|with|to|in|on|a|is|me|my|thou|thee|art|&)"
_TITLE_WORD_RE = re.compile(_TITLE_WORD)
_VERSE_AFTER = re.compile(r"[ \t]+\d{1,3}:\d{1,3}\b")
_EPONYM_HEADS = _words(
    """breathing respiration respirations syndrome disease disorder sign signs reflex reflexes test maneuver manoeuvre
    scale score criteria classification fracture palsy phenomenon effect procedure position stages curve"""
)
"""Lower-case clinical nouns that a medical eponym modifies ("Cheyne-Stokes breathing", "Moro reflex"): general
vocabulary of medicine, written by hand."""
_SHORTHAND = _words(
    """etoh cont hx sx tx dx rx fx px abx pmhx fhx shx meds hosp adm eval f/u d/c s/p c/o w/ w/o h/o r/o"""
)
"""Clinical shorthand in mixed case that NER takes for a name or place (alcohol "EtOH", "Cont" for continue,
history "Hx"): general vocabulary of clinical notes, written by hand."""
_ABBREVIATION = re.compile(r"(?:[A-Z](?:[A-Z&/+-]|\d(?!\d\d)){0,3}|\d{1,2})")
_LIFE_PARTICIPLES = _words(
    """raised born brought baptized baptised confirmed married divorced widowed adopted converted trained educated
    retired schooled"""
)
"""Participles of a life's history that open a sentence of notes ("Raised Southern Baptist", "Born Greek Orthodox"):
general vocabulary of social histories, written by hand; NER glues them to the name of a faith."""
_SPANISH_LEAD = frozenset(("al", "del", "de", "la", "el", "mi", "los", "las"))
"""Lower-case Spanish articles and prepositions: no name opens with one ("al Ángel de la Guarda")."""
_SPANISH_FUNCTION = re.compile(
    r"(?<![\w-])(?:el|la|los|las|del|al|que|por|para|con|una|mi|mis|su|sus|pero|porque|muy|está|estoy|tengo|"
    r"es|y|en|yo|usted|cómo|qué)(?![\w-])",
    re.IGNORECASE,
)
"""Spanish function words; two or more make a Spanish context."""
_SERVICE_ROLES = _words("sarge sergeant dispatch dispatcher cap captain chief lieutenant medic el-tee")
"""Ranks and roles of emergency services used as forms of address or as agents ("Sarge told us", "Dispatch kept
calling"): general vocabulary of first responders, written by hand."""
_ROLE_NOUN = (
    r"(?:worker|coordinator|manager|director|therapist|counsel+or|advocate|specialist|supervisor|assistant|officer|"
    r"nurse|navigator|liaison|clinician|psychologist|psychiatrist|chaplain|administrator|consultant|secretary)"
)
"""The last word of a job title ("School Social Worker", "Family Advocate")."""
_PERSON_NOUN = (
    r"(?:son|daughter|kid|child|boy|girl|baby|wife|husband|partner|spouse|fianc[eé]e?|boyfriend|girlfriend|ex|"
    r"brother|sister|mom|mum|mother|dad|father|grandma|grandpa|grandmother|grandfather|grandson|granddaughter|"
    r"aunt|uncle|niece|nephew|cousin|friend|bestie|roommate|flatmate|neighbou?r|boss|manager|supervisor|coworker|"
    r"colleague|sponsor|therapist|counselou?r|psychiatrist|doctor|teacher|coach|pastor|priest|rabbi|imam|"
    r"caseworker|lawyer|attorney|mentor|dog|cat|pet|best|first|favou?rite|old|older|younger|little|big|baby|"
    r"step\w+|half\w+|\w+mate|\w+man|\w+woman|\w+er|\w+or|\w+ist)"
)
"""After "is/was my": words for a person (and adjectives before one: "my best friend")."""
_ABBREVIATION_CUE = re.compile(r"\b(?:at|for|with|joined|join|works?|worked|employed)[ \t]+(?:the[ \t]+)?$", re.I)
"""Before an acronym that names an organisation: "volunteers with NAMI" ("via EMS" is a means, not a place)."""
_ORG_CUE_BEFORE = re.compile(
    r"\b(?:at|for|with|joined|join|works?|worked|employed|through|thru|via|from|by|"
    r"(?:company|firm|agency|employer|business|called|named)(?:[ \t]+(?:is|was))?)[ \t]+(?:the[ \t]+)?$",
    re.I,
)
_CAMEL = re.compile(r"^(?!Mac[A-Z]|Mc[A-Z])[A-Z][a-z]{2,}[A-Z][A-Za-z]*$")
_CAP = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ]?[a-zß-öø-ÿ]+)?"
_ROLE = r"(?:[Cc]lient|[Pp]atient|[Pp]t\.?|[Cc]aller|[Rr]esident|[Mm]ember|[Vv]eteran|[Yy]outh|[Ss]urvivor|[Tt]exter)"
_ROLE_NAME_AGE = re.compile(
    rf"\b{_ROLE}[ \t]+({_CAP}(?:[ \t]+{_CAP})?|[A-Z]\.(?:[A-Z]\.)?)[ \t]*(?:,[ \t]*|\([ \t]*)(\d{{1,3}})"
    r"(?=[ \t]*[,;)]|[ \t]+(?:y/?o|yo|years?)\b)"
)
"""A person named after a role word with an age: "client Farhia, 29,", "Client J. (24)", "Pt Virgil Pettibone (90,"."""
_SELF_NAME_AGE = re.compile(
    rf"\b(?:[Ii]['’]?m|[Ii][ \t]+am|[Nn]ame[ \t]+is|[Nn]ame['’]s|[Tt]his[ \t]+is)[ \t]+({_CAP})[ \t]*,[ \t]*(\d{{1,2}})\b"
    r"(?![ \t]*(?:%|percent|dollars|bucks|k\b|minutes|mins|hours|days|weeks|months|years|times|[/:.]\d))"
)
"""A self-introduction with an age: "i'm Dom, 19, freshman", "my name is Keisha, 18"."""
_KIN_AGE = re.compile(
    r"\b(?:son|daughter|baby|kid|child|grandson|granddaughter|grandbaby|boy|girl|brother|sister|nephew|niece|"
    r"stepson|stepdaughter)[ \t]+(?:is|was|turned|turns)[ \t]+(?:(?:only|just|almost|nearly|about)[ \t]+)?"
    r"(\d{1,2}[ \t]+(?:weeks?|months?|years?)(?:[ \t]+old)?)\b"
    r"(?![ \t]+(?:pregnant|along|sober|clean|postpartum|out|in|into|late|behind|ago|away|off|older|younger))",
    re.IGNORECASE,
)
"""A child's age after "son/daughter/baby is": "Her son is only 18 months"."""
_SPACED_PHONE = re.compile(
    r"\b(?:calling|called|call|calls|text|texting|texted|from|number|cell|phone|ph|tel)[ \t]*(?:is|was|:)?[ \t]*"
    r"([2-9]\d\d[ \t]\d{4})\b(?![ \t]*(?:dollars|bucks|miles|times|people|steps))",
    re.IGNORECASE,
)
"""A seven-digit phone number written with a space after a calling word: "keeps calling from 555 0192"."""
_EVENT_DATE = re.compile(
    r"\b(?:consult|consulted|seen|admitted|admit|discharged|appt|appointment|visit|f/u|intake|surgery|hearing|"
    r"court|starts?|started|ends?|ended|due|since|until|till|thru)[ \t]+((?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9]))"
    r"(?![/\d]|[ \t]*(?:of|cups?|tsp|tbsp|miles?|inch|inches|mg|ml|done|complete|left|correct|pts?|points)\b)",
    re.IGNORECASE,
)
"""A month and day after a word of an event in notes: "CL Psych consult 3/4.", "starts 12/2"."""
_WARD = re.compile(r"\b(?:on|to|from|at)[ \t]+(\d{1,2}[ \t]?(?:North|South|East|West)(?:[ \t]+[A-Z][a-z]+)?)\b")
"""A hospital ward by floor and wing: "52F on 4 North Oncology"."""
_UNIT = re.compile(
    r"\b(?:(?:Fire[ \t]+)?(?:Engine|Ladder|Truck|Rescue|Medic|Squad|Station|Firehouse|Tower|Quint)[ \t]+\d{1,3}"
    r"|Precinct[ \t]+\d{1,3}|\d{1,3}(?:st|nd|rd|th)[ \t]+(?:Precinct|Battalion|District|Division))\b"
)


def _title_run(text: str, start: int, end: int) -> tuple[int, int]:
    """The run of title words (capitalised words and the small words of titles) around the span, within a window."""
    left = max(0, start - 120)
    run_start = start
    for m in reversed(list(re.finditer(r"\S+", text[left:start]))):
        if not _TITLE_WORD_RE.fullmatch(m.group().lstrip("\"“'")) or left + m.end() < run_start - 2:
            break
        run_start = left + m.start()
    while run_start < start and not re.match(r"[\"“'A-Z\d]", text[run_start]):
        run_start = text.index(" ", run_start) + 1 if " " in text[run_start:start] else start  # "plays with Darnell"
    run_end = end
    for m in re.finditer(r"\S+", text[end : end + 80]):
        word = m.group().rstrip("\"”'")
        if not _TITLE_WORD_RE.fullmatch(word.rstrip(".,;:!?")) or end + m.start() > run_end + 2:
            break
        run_end = end + len(word)
        if word != word.rstrip(".,;:!?"):
            break
    return run_start, run_end


def unsupported_span(text: str, start: int, end: int, kind: str, ner_only: bool) -> bool:
    """Whether a heuristic name, place or organisation is a title, a reference, an eponym or shorthand.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; only ``NAME``, ``LOCATION`` and ``ORG`` are judged.
    ner_only : bool
        Whether NER alone proposed it (the abbreviation, shorthand and CamelCase rules apply only then).

    Returns
    -------
    bool
        True when the span is no identifier (see the module's description).
    """
    if kind not in ("NAME", "LOCATION", "ORG"):
        return False
    piece = text[start:end]
    if kind != "LOCATION" and _PERFORM_WORD.search(text, max(0, start - 160), start):
        run = _title_run(text, start, end)
        before = text[max(0, run[0] - 40) : run[0]]
        if _PERFORM.search(before) and not re.match(r"[ \t]*['’]s\b", text[run[1] :]):
            return True
    if kind == "NAME" and (re.search(r"\d", piece) or _VERSE_AFTER.match(text, end)):
        return True
    words = piece.split()
    if not words:
        return False
    nxt = re.match(r"[ \t]+([a-z]+)\b", text[end:])
    if (
        kind in ("NAME", "ORG")
        and nxt
        and nxt.group(1) in _EPONYM_HEADS
        and words[-1].strip(".,").split("-")[-1].lower() not in first_names()
        and words[0].lower() not in first_names()
    ):
        return True
    branch = [w.strip(".,;:()").lower() in NOT_AN_ORG and not w.isupper() for w in words]
    if (
        kind == "ORG"
        and len(words) > 1
        and any(branch)
        and all(
            b or (_ABBREVIATION.fullmatch(w.strip(".,;:()")) and w.strip(".,;:()").lower() not in _STATE_CODES)
            for w, b in zip(words, branch, strict=True)
        )
    ):
        return True  # "WWII Navy": an acronym and a service branch, never a named organisation here
    compound = re.search(r"\b[Tt]he[ \t]+([A-Z][a-z]+)[ \t]+$", text[max(0, start - 30) : start])
    if kind == "NAME" and len(words) == 1 and re.match(r"[ \t]+(?:is|was)[ \t]+(?:when|where|how|why)\b", text[end:]):
        return True  # "Dawn is when she's most afraid": a time or a thing is when or where, a person is not
    agent = re.match(r"[ \t]+([a-z]+(?:ers|ors))\b", text[end:])
    if kind == "NAME" and len(words) == 1 and piece.lower() in english_words() and agent:
        noun = agent.group(1)
        if (noun[:-1] in english_words() or noun[:-3] in english_words()) and _sentence_start(text, start):
            return True  # "Bill collectors call every day": a noun before a plural agent noun
    if kind == "NAME" and compound and len(words) == 1:
        modifier = compound.group(1).lower()
        if modifier in english_words() and modifier not in first_names() and modifier not in TITLES:
            return True  # "the Ave Maria", "the Good Samaritan": a capitalised word before a name after "the"
    if _spanish(text, start, end, words):
        return True
    if kind == "NAME" and len(words) == 1 and piece.strip(".,;:").lower() in _SERVICE_ROLES:
        return True
    if not ner_only:
        return False
    before = text[max(0, start - 30) : start]
    if all(_ABBREVIATION.fullmatch(w.strip(".,;:()")) for w in words) and any(w[:1].isalpha() for w in words):
        if len(words) == 1 and piece.strip(".,").lower() in _STATE_CODES:
            return False
        if re.match(r"[ \t-]?\d{3,}", text[end:]):
            return False  # a code with a longer number: the plate "LZR 4820"
        if re.search(r"[a-z]\b[ \t]*\b[A-Z][a-z]+(?:['’]s)?[ \t]+$", text[max(0, start - 30) : start]):
            return False  # the end of a longer name: "the Tuesday Women's DBT" (group)
        return not _ABBREVIATION_CUE.search(before)
    if len(words) > 1 and kind in ("NAME", "ORG") and words[0].lower() in _LIFE_PARTICIPLES:
        return True  # "Raised Southern Baptist": a participle of a life's history opens no name
    if kind == "NAME" and len(words) == 1 and piece.lower() not in first_names():
        thing = re.match(r"[ \t]+(?:is|was)[ \t]+my[ \t]+([a-z]+)\b", text[end:])
        if thing and thing.group(1) in english_words() and not re.fullmatch(_PERSON_NOUN, thing.group(1)):
            return True  # "Blackjack was my thing": a person is my friend, sister or boss
    if (
        len(words) > 1
        and all(w[:1].isupper() and w.lower() in english_words() for w in words)
        and re.fullmatch(_ROLE_NOUN, words[-1].lower())
    ):
        return True  # "School Social Worker": a job title
    if len(words) == 1:
        key = piece.strip(".,;:").lower()
        if kind == "ORG" and re.fullmatch(r"[ie][A-Z][a-z]+", piece.strip(".,;:")):
            return True  # "iPad", "eBay": a product or a shop, like the CamelCase words below
        if key in _SHORTHAND or (key in _NOTE_ABBREVIATIONS and not piece.isupper()):
            return True
        if kind == "ORG" and _CAMEL.match(piece.strip(".,;:")) and piece.lower() not in first_names():
            return not _ORG_CUE_BEFORE.search(before)
    return False


def _spanish(text: str, start: int, end: int, words: list[str]) -> bool:
    """Whether an NER span is Spanish text rather than a name: opened by a lower-case article or preposition ("al
    Ángel de la Guarda", "la cita"), or, in a text with Spanish function words, a possessive with a noun ("Mi
    WhatsApp"), a verb in "-amos/-emos/-imos" ("Cruzamos"), a field or speaker label ("Clínica:") or an interjection
    after "¡" ("¡Ay, ...")."""
    first = words[0].strip(".,;:")
    if len(_SPANISH_FUNCTION.findall(text)) < 2:
        return False  # "i moved to el paso": one article makes no Spanish text
    if first in _SPANISH_LEAD and len(words) > 1:
        return True
    if first.lower() in ("la", "el", "del") and any(w[:1].islower() for w in words[1:]):
        return True
    if first in ("Mi", "Tu", "Su", "Mis", "Sus") and len(words) > 1:
        return True
    if len(words) > 1 or first.lower() in first_names():
        return False
    key = first.lower()
    if key.endswith(("amos", "emos", "imos")) and len(key) > 6 and key not in english_words():
        return True
    if text[end : end + 1] == ":" and key not in english_words():
        return True
    return text[max(0, start - 1) : start] == "¡"


def _sentence_start(text: str, start: int) -> bool:
    """Whether a span opens the text, a line or a sentence."""
    return bool(re.search(r"(?:^|[.!?\n:;\"“])[ \t]*$", text[max(0, start - 8) : start]))


def _name_word(name: str) -> bool:
    """A name written after a role word: an initial, or capitalised words that are no English or clinical word."""
    if re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)?", name):
        return True
    first = name.split()[0].lower()
    return first not in clinical_terms() and (first not in english_words() or first in first_names())


def service_unit_candidates(text: str) -> list[tuple[int, int, str, int]]:
    """Units of fire, rescue and police services, wards, and the names, ages, phones and dates of round 8.

    Parameters
    ----------
    text : str
        One remark, note or transcript.

    Returns
    -------
    list of tuple
        ``(start, end, kind, priority)``: ``ORG`` for "Engine 12", "Ladder 7", "Fire Station 4", "Medic 3",
        "Precinct 9", "the 14th Precinct", "3rd Battalion" and a ward ("on 4 North Oncology"); a ``NAME`` and an
        ``AGE`` after a role word ("client Farhia, 29", "Client J. (24)") or in a self-introduction ("i'm Dom,
        19"); a child's ``AGE`` ("her son is only 18 months"); a spaced seven-digit ``PHONE`` after a calling word
        ("calling from 555 0192"); a month/day ``DATE`` after a word of an event ("consult 3/4").
    """
    out = [(m.start(), m.end(), "ORG", ORG_PRIORITY) for m in _UNIT.finditer(text)]
    out.extend((*m.span(1), "ORG", ORG_PRIORITY) for m in _WARD.finditer(text))
    for pattern in (_ROLE_NAME_AGE, _SELF_NAME_AGE):
        for m in pattern.finditer(text):
            if not _name_word(m.group(1)) or int(m.group(2)) > 110:
                continue
            out.append((*m.span(1), "NAME", NAME_PRIORITY))
            out.append((*m.span(2), "AGE", AGE_PRIORITY))
    out.extend((*m.span(1), "AGE", AGE_PRIORITY) for m in _KIN_AGE.finditer(text))
    out.extend((*m.span(1), "PHONE", PHONE_PRIORITY) for m in _SPACED_PHONE.finditer(text))
    out.extend((*m.span(1), "DATE", DATE_PRIORITY) for m in _EVENT_DATE.finditer(text))
    return out
