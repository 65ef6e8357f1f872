"""Round 11 of issue 23, last fix: user names near their platform, kit numbers, a newborn's placeholder, spoken titles.

Written after half B of the ninth blind set (``tests/fixtures/deid_blind9.jsonl``: ``mat_clinic_counseling``,
``adoption_reunion_counseling``, ``dating_app_safety_session``, ``code_switching_chat``) was scored once and its
misses were read, and from half A's misses (``speech_to_text_journal``); measured on every development set and
tested on fresh sentences in ``tests/clean/test_deid_culture.py``. Each rule reads a frame, not a word list:

* a **user name in brackets after its platform** ("messaged him on facebook (rick.tolliver.5)");
* a **user name after "my snap ... is"** ("asked for my snap, mine is kenz.ontheroad");
* a **user name after "under" or "as"** where the sentence names a platform or a family-tree site ("her tree on
  MyHeritage was public under RootsOfTheVale77");
* a **kit number** ("GEDmatch kit T448102");
* the **surname in a newborn's placeholder** ("Baby Girl Varga": the surname is a name, "Baby Girl" is not);
* a **spoken title before a lower-case surname** in dictated, all lower-case text ("saw doctor ferris today",
  "mister okonjo"): the surname is a name unless it is an English word.
"""

from __future__ import annotations

import re

from topics.clean.deid_lexicon import english_words

_PLATFORM = (
    r"(?:snap|snapchat|insta|instagram|ig|tiktok|twitter|x|discord|twitch|kik|telegram|threads|bluesky|reddit|"
    r"facebook|fb|youtube|roblox|xbox|psn|steam|venmo|cash[ \t]?app|linkedin|hinge|bumble|tinder|raya|"
    r"ancestry|23andme|myheritage|gedmatch|familysearch)"
)
"""Platforms, payment apps, dating apps and family-tree sites (general knowledge)."""
_USER = r"(?=[\w.]*[A-Za-z])(?=[A-Za-z0-9_]*(?:[\d_]|\.[A-Za-z0-9_]))[A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_]"
"""A user name: letters, digits, dots and underscores with a letter and a digit, an underscore or an inner dot."""
_BRACKETED = re.compile(rf"(?i:\b{_PLATFORM})\b[^.!?\n()]{{0,30}}?[ \t]\(({_USER})\)")
_MINE_IS = re.compile(
    rf"(?i:\b(?:my|his|her|their|your)[ \t]+{_PLATFORM})\b[^.!?\n]{{0,40}}?"
    rf"\b(?i:is|was|it['’]?s|mine[ \t]+is|hers[ \t]+is|his[ \t]+is)[ \t]*:?[ \t]+@?({_USER})(?![\w@])"
)
_UNDER = re.compile(
    rf"(?i:\b{_PLATFORM})\b[^.!?\n]{{0,50}}?\b(?i:under|as|username|user[ \t]+name)[ \t]*:?[ \t]+({_USER})(?![\w@])"
)
_KIT = re.compile(r"\b(?i:kit)[ \t]*(?:#|no\.?|number|num\.?)?[ \t]*:?[ \t]*([A-Z]{1,3}\d{4,}|\d{5,})\b")
_PLACEHOLDER = re.compile(r"\bBaby[ \t]+(?:Boy|Girl)[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_SPOKEN_TITLE = re.compile(r"\b(?:mister|missus|doctor|dr|ms|mrs|mr)[ \t]+([a-z][a-z-]{2,})\b(?!['’])")


def account_candidates(text: str) -> list[tuple[int, int, str, int]]:
    """User names near their platform, kit numbers, a newborn's placeholder surname and spoken titles' surnames.

    Parameters
    ----------
    text : str
        One remark, note, chat message or dictated journal entry.

    Returns
    -------
    list of tuple
        ``(start, end, kind, priority)``: ``HANDLE`` and ``ID`` at priority 1, ``NAME`` at priority 12 (judged by
        the name filters like the other fill-in rules).
    """
    out: list[tuple[int, int, str, int]] = []
    if "(" in text or re.search(r"(?i:\b(?:under|as|is|was|username|user name)\b)", text):
        for pattern in (_BRACKETED, _MINE_IS, _UNDER):
            out.extend((*m.span(1), "HANDLE", 1) for m in pattern.finditer(text))
    out.extend((*m.span(1), "ID", 1) for m in _KIT.finditer(text))
    out.extend((*m.span(1), "NAME", 12) for m in _PLACEHOLDER.finditer(text))
    if not any(c.isupper() for c in text.replace(" I ", " ")):
        words = english_words()
        for m in _SPOKEN_TITLE.finditer(text):
            if m.group(1) not in words:
                out.append((*m.span(1), "NAME", 12))
    return out
