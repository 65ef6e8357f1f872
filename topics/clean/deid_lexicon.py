"""Word lists of the de-identifier: first names, organisations, and which of them are ordinary words.

The lists live in ``topics/clean/data/`` (see its README): US Census 1990 first names plus names of many
origins the Census lacks, employers / services / institutions that clients name, and the names that are
also ordinary English words. :func:`lexicon_candidates` finds, in one text,

* a first name written with a capital (``"told Hailey"``, ``"Thandiwe's mum"``), with a capitalised
  surname after it; a name that is also an ordinary word (``Will``, ``Grace``, ``Hope``) only inside a
  sentence, never as its first word;
* a first name in lower case (``"i told jessica"``) unless it is an ordinary word;
* a listed organisation (``Wells Fargo``, ``Kroger``, ``Planet Fitness``), with its capitals, or in lower
  case where the name is not an ordinary word (``"robinhood"``).

Each candidate is ``(start, end, kind)``; :mod:`topics.clean.deidentify` gives them the lowest priority, so
rules and NER keep what they found.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Priorities of the rule modules' candidates by kind (a higher one wins an overlap; see topics.clean.deidentify),
# one scale for every module of topics.clean.
HANDLE_PRIORITY = 1
PHONE_PRIORITY = 2
URL_PRIORITY = 2
ID_PRIORITY = 3
ADDRESS_PRIORITY = 5
DATE_PRIORITY = 6
AGE_PRIORITY = 9
PLACE_PRIORITY = 12
ORG_PRIORITY = 12
NAME_PRIORITY = 13


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (the rule modules' word lists)."""
    return frozenset(text.split())


_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"(?<![\w@.'’-])({_LETTER}(?:{_LETTER}|['’-])*{_LETTER}|{_LETTER})(?![\w@]|[.'’-]\w)")
_CAPITALISED = re.compile(r"(?:Mc|Mac|O['’]|De|Di|La|Le)?[^\W\d_a-z][^\W\d_A-Z]+(?:[-'’][^\W\d_a-z][^\W\d_A-Z]+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(]\s*|\s[-–—]\s*)$")
_SURNAME = re.compile(r"[ \t]+((?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?!['’][a-z]{2,})")


def _fold(word: str) -> str:
    """Lower case without accents ("Siobhán" -> "siobhan"), for looking a word up in the lists."""
    if word.isascii():
        return word.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _read(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


@cache
def first_names() -> frozenset[str]:
    """First names in lower case (US Census 1990 and ``extra_first_names.txt``)."""
    return frozenset(n.lower() for n in _read("first_names.txt"))


@cache
def ordinary_words() -> frozenset[str]:
    """Names and organisation names that are also ordinary words (lower case)."""
    return frozenset(_read("common_words.txt"))


@cache
def english_words() -> frozenset[str]:
    """Lower-case words in general use in counselling conversations (``english_words.txt``)."""
    return frozenset(_read("english_words.txt"))


@cache
def _organisations() -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    names = sorted(set(_read("organisations.txt")), key=len, reverse=True)

    def alternation(items: list[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, n.split())) for n in items)

    exact = re.compile(r"(?<![\w@.-])(?:" + alternation(names) + r")(?![\w@]|[.-]\w)")
    ordinary = ordinary_words()
    lower = [n.lower() for n in names if n.lower() not in ordinary and len(n) >= 4 and n.lower() != n]
    lowered = (
        re.compile(r"(?<![\w@.-])(?:" + alternation(lower) + r")(?![\w@]|[.-]\w)", re.IGNORECASE) if lower else None
    )
    return exact, lowered


def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 4) : start]))


def lexicon_candidates(text: str, not_a_name: frozenset[str]) -> list[tuple[int, int, str]]:
    """Names and organisations found by the word lists in ``text``.

    Parameters
    ----------
    text : str
        One remark or transcript.
    not_a_name : frozenset of str
        Lower-case words never taken as a name (interjections, role words, kinship words, ...).

    Returns
    -------
    list of (int, int, str)
        ``(start, end, kind)`` with kind ``"NAME"`` or ``"ORG"``; may overlap each other.
    """
    out: list[tuple[int, int, str]] = []
    names = first_names()
    ordinary = ordinary_words()
    exact, lowered = _organisations()
    for match in exact.finditer(text):
        word = match.group()
        if word.lower() in ordinary and _sentence_initial(text, match.start()):
            continue
        out.append((match.start(), match.end(), "ORG"))
    if lowered is not None:
        out.extend((m.start(), m.end(), "ORG") for m in lowered.finditer(text) if m.group().islower())
    for match in _TOKEN.finditer(text):
        word = match.group(1)
        key = _fold(word) if word[:1].isupper() else word.lower()
        for suffix in ("'s", "’s"):
            if key.endswith(suffix):
                key, word = key[: -len(suffix)], word[: -len(suffix)]
        if key not in names or key in not_a_name or len(key) < 2:
            continue
        start, end = match.start(1), match.start(1) + len(word)
        if _CAPITALISED.fullmatch(word):
            if key in ordinary and (_sentence_initial(text, start) or len(key) <= 2):
                continue
            surname = _SURNAME.match(text, end)
            if surname and surname.group(1).lower() not in ordinary and surname.group(1).lower() not in not_a_name:
                end = surname.end(1)
            out.append((start, end, "NAME"))
        elif word.islower() and key not in ordinary and len(key) >= 3:
            out.append((start, end, "NAME"))
    return out
