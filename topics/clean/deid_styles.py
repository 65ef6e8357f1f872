"""Rules for chat, text-message and forum styles, and the clinical allow list of the de-identifier.

Candidates found here (:func:`style_candidates`), as ``(start, end, kind, priority)``:

* **social handles** (kind ``HANDLE``): ``@sadgirl_99``, ``u/throwaway_dad_42``, ``ghostkid#4471``, a
  ``$cashtag``, and a user name after a platform word ("my insta is kayla.b2", "snap: lil.kev09") when it holds
  a digit, dot or underscore;
* **short phone numbers**: seven digits ``555-0199`` / ``555.0199``, or ``555 0199`` after a phone word;
* **short links**: a domain with any top-level domain followed by a path (``bit.ly/3xYzQ7``);
* **two-digit years**: ``'09``, ``’19``;
* **ages after a name**: "Keisha is 14", "Nacho is 22 and ...";
* **places of business on a road**: "Motel 6 on Route 9", "Days Inn on Highway 41", and roads by number
  ("Route 9", "Exit 14");
* **nicknames**: hyphenated ones (``T-Bone``, ``T-Dog``) and a capitalised word that is the subject of a verb
  of speech or action ("Mo said", "Mo drove").

:func:`allowed` removes, from what NER, the fill-in rules and the word lists found, names, places and
organisations that are clinical vocabulary (``data/clinical_terms.txt``: medicines, diagnoses, therapies,
kinship words), contain a diagnostic word ("[NAME] Affective Disorder"), or are a single capitalised common
word at the start of a sentence ("Grace is something...", "Mixes partner and parents").
"""

from __future__ import annotations

import re
from functools import cache

from topics.clean.deid_lexicon import DATA, HANDLE_PRIORITY, PLACE_PRIORITY, english_words, first_names, ordinary_words
from topics.clean.deid_rules import TITLES

"""Handles are as specific as URLs."""
STYLE_PRIORITY = 4
"""Short phones, two-digit years and ages after a name rank with the phone rules."""
NICKNAME_PRIORITY = 21
"""Nicknames rank with the fill-in rules: NER keeps a full name it found ("Jane Doe moved")."""

_PLATFORM = (
    r"(?:insta|instagram|ig|snap|snapchat|sc|tiktok|tik\s+tok|twitter|discord|twitch|venmo|cash\s*app|cashapp|kik|"
    r"telegram|threads|tumblr|reddit|xbox|psn|steam|gamertag|handle|user\s*name|username|screen\s*name|bluesky|"
    r"spotify|pinterest|youtube|yt|fb|facebook|soundcloud|roblox|minecraft|fortnite)"
)
_HANDLES = [
    re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"),  # @sadgirl_99
    re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,}"),  # u/throwaway_dad_42
    re.compile(r"(?<![\w.#])[A-Za-z0-9_.]{2,32}#\d{4}(?!\w)"),  # ghostkid#4471 (Discord)
    re.compile(r"(?<![\w$])\$[A-Za-z][A-Za-z0-9_-]{2,19}(?!\w)"),  # $cashtag
]
_AFTER_PLATFORM = re.compile(
    rf"(?i:\b{_PLATFORM}(?:\s+(?:name|handle|account|is|me|at|on|:|-)|\s*[:=-])*\s+)"
    r"(@?(?=[A-Za-z0-9_]*(?:[\d_]|\.[A-Za-z0-9_]))[A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_])(?![\w@])"
)  # my insta is kayla.b2, add me on snap lil.kev09
_PHONE_WORD = r"(?i:\b(?:call|text|phone|cell|number|num|reach|dial|ring|landline|mobile|line|txt)\b[^.!?\n]{0,25}?)"
_PHONES = [
    re.compile(r"(?<![\w+$#.,/-])[2-9]\d{2}[-.]\d{4}(?![\w-]|[.,/]\d|\s*(?:%|mg|ml|miles|people|dollars))"),
    re.compile(_PHONE_WORD + r"(?<![\w+$#.,/-])([2-9]\d{2} \d{4})(?![\w-]|[.,/]\d)"),
]
_SHORT_URL = re.compile(r"(?<![@\w.-])(?:[A-Za-z0-9-]+\.)+[a-z]{2,6}/(?=[A-Za-z0-9])[^\s<>\"'()\[\]{}]*[A-Za-z0-9/_=-]")
_YEAR2 = re.compile(r"(?<![\w'’])['’]\d{2}(?![\w'’%]|\s*(?:%|percent|mg|times))")
_ROAD_NUMBER = (
    r"(?:Route|Rte\.?|Highway|Hwy\.?|Interstate|I-|Exit|County\s+Road|State\s+Road|US|SR|CR|Loop)\s*-?\d{1,4}[A-Z]?"
)
_ROAD_NAME = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:Road|Rd|Street|St|Avenue|Ave|Boulevard|Blvd|Drive|Dr|Lane|Ln|Pike|Highway|Way)\b"
_BUSINESS_ON_ROAD = re.compile(
    rf"((?:[A-Z][\w'’&-]*|\d{{1,4}})(?:\s+(?:[A-Z][\w'’&-]*|\d{{1,4}})){{0,3}})\s+(?:on|off|by|near|at|off\s+of)\s+"
    rf"(?:the\s+)?({_ROAD_NUMBER}|{_ROAD_NAME})"
)
_ROAD = re.compile(rf"\b{_ROAD_NUMBER}\b")
_AGE_AFTER_NAME = re.compile(
    r"\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\s+(?:is|was|turned|turns|just\s+turned|'s|’s)\s+"
    r"(?:now\s+|only\s+|just\s+|almost\s+|about\s+|nearly\s+)?(\d{1,2})\b"
    r"(?=\s*(?:[,.;!?)]|$|and\b|but\b|now\b|so\b|years?\s+old\b|already\b|in\b|this\b))(?![.,]\d)"
)
_HYPHEN_NICKNAME = re.compile(r"(?<![\w-])[A-Z]-[A-Z][a-z]+(?![\w-])")
_NOT_NICKNAME = frozenset(
    [
        "shirt",
        "shirts",
        "ray",
        "rays",
        "turn",
        "pop",
        "section",
        "cell",
        "cells",
        "mail",
        "level",
        "levels",
        "men",
        "list",
        "rated",
        "bomb",
        "word",
        "zone",
        "rex",
        "wing",
        "scan",
        "scans",
        "series",
        "class",
        "sharp",
        "flat",
        "major",
        "minor",
        "team",
        "line",
        "tube",
        "bar",
        "box",
        "plus",
        "mobile",
        "store",
        "mart",
        "cards",
        "card",
        "swipe",
        "bus",
        "train",
        "neck",
        "sign",
    ]
)
_SUBJECT_VERB = re.compile(
    r"(?<![\w'’-])([A-Z][a-z]+)\s+(?:said|says|told|tells|texted|texts|asked|asks|yelled|called|drove|came|went|"
    r"wants|thinks|keeps|kept|gave|took|left|got|hit|punched|moved|promised|swore|showed|picked|dropped|bailed)\b"
)
_NOT_SUBJECT = frozenset(
    [
        "i",
        "he",
        "she",
        "it",
        "we",
        "they",
        "you",
        "who",
        "what",
        "which",
        "that",
        "this",
        "there",
        "here",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "nobody",
        "nothing",
        "something",
        "anything",
        "anyone",
        "one",
        "mom",
        "dad",
        "mum",
        "mama",
        "papa",
        "mother",
        "father",
        "sister",
        "brother",
        "grandma",
        "grandpa",
        "nana",
        "abuela",
        "abuelo",
        "he'd",
        "she'd",
        "god",
        "jesus",
        "lord",
        "doctor",
        "therapist",
        "counselor",
        "nurse",
        "teacher",
        "boss",
        "judge",
        "officer",
        "nobody",
        "people",
        "somebody",
        "pastor",
        "coach",
        "sir",
        "ma'am",
        "mine",
        "yours",
        "his",
        "hers",
        "ours",
        "theirs",
        "each",
        "both",
        "all",
        "some",
        "most",
        "many",
        "few",
        "none",
        "either",
        "neither",
        "another",
        "other",
        "others",
        "whoever",
        "where",
        "when",
        "why",
        "how",
        "whose",
        "whom",
        "everything",
        "things",
        "life",
        "work",
        "school",
        "time",
        "money",
        "stuff",
        "today",
        "tonight",
        "yesterday",
        "tomorrow",
        "then",
        "now",
        "so",
        "and",
        "but",
        "or",
        "well",
        "yeah",
        "okay",
        "ok",
        "also",
        "maybe",
        "insta",
        "instagram",
        "snap",
        "snapchat",
        "tiktok",
        "twitter",
        "discord",
        "twitch",
        "venmo",
        "reddit",
        "tumblr",
        "facebook",
        "youtube",
    ]
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(\]]\s*|\s[-–—]\s*)$")
_DIAGNOSTIC_WORDS = frozenset(
    [
        "disorder",
        "disorders",
        "syndrome",
        "disease",
        "depression",
        "anxiety",
        "psychosis",
        "mania",
        "phobia",
        "therapy",
        "therapies",
        "dysphoria",
        "dysthymia",
        "nervosa",
    ]
)
_VIRTUES = frozenset(
    [
        "faith",
        "hope",
        "grace",
        "joy",
        "patience",
        "charity",
        "mercy",
        "honor",
        "honour",
        "glory",
        "trust",
        "love",
        "serenity",
        "harmony",
        "destiny",
        "chance",
        "justice",
        "liberty",
        "unity",
        "prudence",
        "temperance",
        "felicity",
        "bliss",
        "peace",
        "courage",
        "promise",
    ]
)
"""Words that are given names but, first in a sentence, are nearly always the word ("Faith is a big part")."""
_FUNCTION_WORD_NEXT = re.compile(
    r"\s+(?:you|your|yours|i|me|my|he|him|his|she|her|it|its|we|us|our|they|them|their|this|that|these|those|"
    r"there|power|yourself|myself|of)\b",
    re.IGNORECASE,
)
_GENERIC_ORG_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "&",
        "for",
        "intake",
        "team",
        "clinical",
        "clinic",
        "services",
        "service",
        "peer",
        "review",
        "department",
        "dept",
        "psychiatry",
        "psychology",
        "admissions",
        "front",
        "desk",
        "office",
        "staff",
        "program",
        "programme",
        "unit",
        "care",
        "coordination",
        "billing",
        "records",
        "medical",
        "behavioral",
        "behavioural",
        "health",
        "mental",
        "outpatient",
        "inpatient",
        "family",
        "families",
        "support",
        "group",
        "groups",
        "committee",
        "board",
        "quality",
        "assurance",
        "social",
        "work",
        "counseling",
        "counselling",
        "center",
        "centre",
        "crisis",
        "line",
        "hotline",
        "emergency",
        "services",
        "youth",
        "adult",
        "child",
        "children",
        "adolescent",
        "school",
        "primary",
        "community",
        "recovery",
        "treatment",
        "intensive",
        "partial",
        "hospitalization",
        "residential",
        "case",
        "management",
        "wellness",
        "member",
        "patient",
        "client",
        "team's",
        "trust",
        "network",
        "hospital",
    ]
)
"""An organisation made only of these words is a kind of service, not a named one ("Clinical Services",
"the Intake Team", "Peer Review", "Behavioral Health")."""
_VERB_NEXT = re.compile(
    r",?\s+(?:said|says|told|tells|texted|texts|asked|asks|called|calls|came|comes|went|goes|wants|thinks|thought|"
    r"drove|left|moved|cried|laughed|yelled|showed|started|stopped|disclosed|shared|agreed|reported|stated|denied|"
    r"presented|arrived|attended|joined|described|talked|spoke|expressed|declined|missed|returned|relapsed|"
    r"celebrated|and\s+I|and\s+me)\b"
)
"""A virtue word that says or does something is a person: "Grace called me", "Hope and I went"."""
_SUFFIXES = ("ing", "ed", "ly", "es", "ness", "ment", "tion")


@cache
def clinical_terms() -> frozenset[str]:
    """Clinical vocabulary (lower case): medicines, diagnoses, therapies, kinship words (``clinical_terms.txt``)."""
    lines = (DATA / "clinical_terms.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("#", 1)[0].strip().lower() for line in lines if line.split("#", 1)[0].strip())


@cache
def _clinical_pattern() -> re.Pattern[str]:
    terms = sorted(clinical_terms(), key=len, reverse=True)
    alternation = "|".join(r"\s+".join(map(re.escape, t.split())) for t in terms)
    return re.compile(r"(?<![\w-])(?:" + alternation + r")(?:['’]s)?(?![\w-])", re.IGNORECASE)


def clinical_spans(text: str) -> list[tuple[int, int]]:
    """Where clinical vocabulary stands in ``text`` (whole words, any case)."""
    return [m.span() for m in _clinical_pattern().finditer(text)]


def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 4) : start]))


def _name_like(word: str, not_a_name: frozenset[str]) -> bool:
    key = word.lower()
    if key in not_a_name or key in _NOT_SUBJECT or key in clinical_terms():
        return False
    return key in first_names() or (key not in ordinary_words() and key not in english_words())


def style_candidates(text: str, not_a_name: frozenset[str]) -> list[tuple[int, int, str, int]]:
    """Handles, short phones, short links, two-digit years, ages after a name, places on roads, nicknames.

    Parameters
    ----------
    text : str
        One remark or transcript.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.

    Returns
    -------
    list of (int, int, str, int)
        ``(start, end, kind, priority)``; may overlap each other and other detectors' spans.
    """
    out: list[tuple[int, int, str, int]] = []
    for pattern in _HANDLES:
        out.extend((m.start(), m.end(), "HANDLE", HANDLE_PRIORITY) for m in pattern.finditer(text))
    out.extend((m.start(1), m.end(1), "HANDLE", HANDLE_PRIORITY) for m in _AFTER_PLATFORM.finditer(text))
    for pattern in _PHONES:
        group = 1 if pattern.groups else 0
        out.extend((m.start(group), m.end(group), "PHONE", STYLE_PRIORITY) for m in pattern.finditer(text))
    out.extend((m.start(), m.end(), "URL", HANDLE_PRIORITY + 1) for m in _SHORT_URL.finditer(text))
    out.extend((m.start(), m.end(), "DATE", STYLE_PRIORITY) for m in _YEAR2.finditer(text))
    for m in _AGE_AFTER_NAME.finditer(text):
        subject = m.group(1).split()[-1].split("-")[0]
        if _name_like(subject, not_a_name) and (
            subject.lower() in first_names()
            or not _sentence_initial(text, m.start(1))
            or subject.lower() not in ordinary_words()
        ):
            out.append((m.start(2), m.end(2), "AGE", STYLE_PRIORITY))
    for m in _BUSINESS_ON_ROAD.finditer(text):
        words = m.group(1).split()
        while words and (
            words[0].lower() in not_a_name
            or words[0].lower() in _NOT_SUBJECT
            or (words[0].lower() in ordinary_words() and _sentence_initial(text, m.start(1)))
        ):
            words = words[1:]
        start = m.end(1) - len(" ".join(words)) if words else m.start(2)
        out.append((start, m.end(2), "LOCATION", PLACE_PRIORITY))
    out.extend((m.start(), m.end(), "LOCATION", PLACE_PRIORITY + 1) for m in _ROAD.finditer(text))
    for m in _HYPHEN_NICKNAME.finditer(text):
        if m.group().split("-")[1].lower() not in _NOT_NICKNAME:
            out.append((m.start(), m.end(), "NAME", NICKNAME_PRIORITY))
    for m in _SUBJECT_VERB.finditer(text):
        if _name_like(m.group(1), not_a_name) and len(m.group(1)) >= 2:
            out.append((m.start(1), m.end(1), "NAME", NICKNAME_PRIORITY))
    return out


_COMPOUND_NEXT = re.compile(r"[-\u2011](?:[a-z]{5,}|like|free|ish|type|wise|born|made|fest|in-law)\b")
_COMPOUND_PREVIOUS = re.compile(r"\b[a-z]{3,}[-\u2011]$")


def _compound(text: str, start: int, end: int) -> bool:
    """Whether a span is the capitalised part of a compound word ("Hunter-gatherer", "self-Love"); a name with a
    short second syllable ("Hyun-woo", "Ji-yeon") is not one."""
    return bool(_COMPOUND_NEXT.match(text, end) or _COMPOUND_PREVIOUS.search(text[max(0, start - 20) : start]))


def _named_institution(
    text: str, start: int, end: int, kind: str, clinical: list[tuple[int, int]], heuristic: bool
) -> bool:
    """Whether a rule's organisation ends in a capitalised word outside the clinical terms ("Postpartum Support
    International"): a clinical word naming an institution, not the term itself (round 7)."""
    if heuristic or kind != "ORG":
        return False
    last = re.search(r"[A-Z][\w'’-]*$", text[start:end])
    if last is None or len(text[start:end].split()) < 2:
        return False
    return not any(s < end and start + last.start() < e for s, e in clinical)


def allowed(
    text: str, start: int, end: int, kind: str, clinical: list[tuple[int, int]], heuristic: bool = True
) -> bool:
    """Whether a name, place or organisation found by NER, a fill-in rule or a word list may stand.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; only ``NAME``, ``LOCATION`` and ``ORG`` are judged.
    clinical : list of (int, int)
        :func:`clinical_spans` of the text.
    heuristic : bool, default True
        A span from NER, a fill-in rule or a word list (judged also by its place in the sentence); rule spans
        are judged only against the clinical vocabulary.

    Returns
    -------
    bool
        False for clinical vocabulary, part of a compound word ("Hunter-gatherer"), a span holding a diagnostic
        word, or a single capitalised common word
        (or a word with a verb's or adverb's ending that is not a first name) at the start of a sentence.
    """
    if kind not in ("NAME", "LOCATION", "ORG"):
        return True
    if any(s < end and start < e for s, e in clinical) and not _named_institution(
        text, start, end, kind, clinical, heuristic
    ):
        return False
    if _compound(text, start, end):
        return False
    piece = text[start:end].strip(" \t\n.,;:!?\"'()[]")
    words = [w.strip(".,'’").lower() for w in piece.split()]
    if any(w in _DIAGNOSTIC_WORDS for w in words):
        return False
    if kind == "ORG" and all(w in _GENERIC_ORG_WORDS for w in words):
        return False
    if heuristic and len(piece) <= 4 and any(c.isdigit() for c in piece):
        return False  # "D3", "B12", "5HT" are vitamins and receptors, not organisations
    if kind == "NAME" and len(words) == 1 and (words[0] in TITLES or words[0] in _NOT_SUBJECT):
        return False  # "My PO, Officer Kowalski": the title is not the name; "Twitter" beside a handle
    if heuristic and len(words) == 1 and words[0].isalpha():
        offset = text.find(piece, start)
        if _sentence_initial(text, offset if offset >= 0 else start):
            word = words[0]
            after = offset + len(piece)
            if (word in _VIRTUES and not _VERB_NEXT.match(text, after)) or (
                word in ordinary_words() and _FUNCTION_WORD_NEXT.match(text, after)
            ):
                return False  # "Faith is a big part", "Hope you find", "Will power alone"
            if word not in first_names() and word.endswith(_SUFFIXES):
                return False
    return True
