"""What the de-identifier must leave alone, and names in lists (round 4 of issue 23).

Written from the false positives of the second blind set (``tests/fixtures/deid_blind2.jsonl``, a development set
since 2026-12-06) and the other development sets; tested on fresh sentences in ``tests/clean/test_deid_speech.py``.

:func:`not_identifier` drops what NER and the fill-in rules take for names, places or organisations in clinical
text: two virtue words joined by "and" or a virtue word before "in/of/for" ("Faith and Hope are ...", "Faith in
people"), a kinship word that is also a given name after a possessive ("My Lola and Lolo"), a language ("pray in
Igbo", ``data/languages.txt``), a platform or console ("Xbox"), an eponym used as a modifier of a method word
("the Gottman workbook") and a programme named by its topic ("Anger Management"). :func:`label_org` drops an
organisation that ends in a lower-case word or a field label ("Reply to", "Student ID"). :func:`listed_names` finds
the other names of a comma list in which two are names already ("Ngozi, Araceli, Hye-jin, Tamsin").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from topics.clean.deid_lexicon import DATA, english_words, first_names
from topics.clean.deid_lexicon import word_set as _words
from topics.clean.deid_rules import _PLACES
from topics.clean.deid_styles import clinical_terms

_L = "a-zß-öø-ÿāăąćčďđēėęěğīįıłńňōőœřśşšţťūůűųźżž"
_U = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_CAP = rf"[{_U}][{_L}]+(?:['’-][{_U}{_L}][{_L}]+)?"
_NOTE_VERB = (
    r"(?:disclosed|shared|agreed|reported|stated|denied|presented|arrived|attended|joined|described|talked|spoke|"
    r"expressed|identified|completed|practiced|practised|declined|missed|returned|relapsed|celebrated|brought|"
    r"received|left|asked|said|told|cried|laughed|called|texted|came|went)"
)

_VIRTUES = _words(
    """faith hope grace joy patience charity mercy honor honour trust love serenity harmony peace courage"""
)
_VIRTUE_AS_WORD = re.compile(r"[ \t]+(?:in|of|for|that|and[ \t]+(?:hope|faith|love|trust)\b)\b", re.IGNORECASE)
_HUMAN_NEXT = re.compile(
    rf",?[ \t]+(?:{_NOTE_VERB}|says|tells|wants|thinks|and[ \t]+(?:I|me)\b|were[ \t]+(?:both|there|here))\b"
)
_KIN_NAMES = _words(
    """lola lolo nana nanay tatay tata baba oma opa nonna nonno yaya bubbe bubbie bubby zayde tutu tūtū mimi mima
    papi mami ama amma appa achan amah kuya ate tita tito ninang ninong bibi didi dadi nani dada gigi mamaw
    papaw meemaw peepaw granny gran"""
)
"""Kinship words that are also given names ("My Lola and Lolo raised me"): no name after a possessive."""
_POSSESSIVE_BEFORE = re.compile(r"\b(?:my|our|his|her|their|your|ur)[ \t]+$", re.IGNORECASE)
_PLATFORMS = _words(
    """xbox playstation ps4 ps5 psn nintendo steam bluesky whatsapp telegram kik roblox minecraft fortnite spotify
    pinterest linkedin tinder bumble hinge grindr snapchat instagram tiktok discord twitch reddit tumblr youtube
    facebook twitter zoom facetime netflix imessage messenger uber lyft doordash grubhub instacart venmo paypal zelle
    cashapp ancestry 23andme myheritage gedmatch familysearch okcupid hily feeld"""
)
_METHOD_NEXT = re.compile(
    r"[ \t]+(?:[\"“]|(?:method|model|approach|technique|workbook|inventory|scale|questionnaire|protocol|"
    r"principles|framework|theory|hierarchy|stages|exercises?|worksheets?|curriculum|assessment|interventions?)\b)"
)
"""After an eponym used as a modifier: a lower-case method word or a quoted term ("the Gottman workbook", 'the
Gottman "Four Horsemen"'). A possessive or a capitalised compound ("Carr's approach", "The Gottman Method") is kept:
there the word is labelled a name in the older sets."""
_TOPIC_PROGRAMME = _words(
    """anger grief parenting domestic violence substance abuse sobriety relapse stress pain management skills
    coping batterer batterers intervention education awareness class course classes program programme prevention
    driver drivers safety impulse control"""
)
_ORG_LABEL_END = re.compile(r"(?:\bID|\bNo\.?|\bNumber|#)$")


def _platform_service(words: list[str]) -> bool:
    """A platform's service or product named after it ("Uber Eats", "Cash App", "Zoom call")."""
    words = words[1:] if words[:1] == ["the"] else words
    if words == ["cash", "app"]:
        return True  # the payment app (``cashapp`` in the list), written as two words
    return len(words) == 2 and words[0] in _PLATFORMS and words[1] in ("eats", "app", "pay", "music", "call", "tv")


@cache
def _countries() -> frozenset[str]:
    """Countries, states and provinces of the fill-in rules (a list holding one is a list of places)."""
    return frozenset(p.strip().lower() for p in _PLACES.replace("\n", " ").split(",") if p.strip())


@cache
def languages() -> frozenset[str]:
    """Languages and nationality words (lower case) that are no identifier (``data/languages.txt``)."""
    lines = (DATA / "languages.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.split("#", 1)[0].strip().lower() for line in lines if line.split("#", 1)[0].strip())


def not_identifier(text: str, start: int, end: int, kind: str) -> bool:
    """Whether a name, place or organisation found by NER, a fill-in rule or a word list is ordinary text.

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The span.
    kind : str
        Its kind; only ``NAME``, ``LOCATION`` and ``ORG`` are judged.

    Returns
    -------
    bool
        True for two virtue words joined by "and" or a virtue word before "in/of/for" ("Faith and Hope are",
        "Faith in people"), a kinship word that is also a given name after a possessive ("My Lola"), a language
        ("in Igbo"), a platform or console ("Xbox"), an eponym before a method word ("the Gottman workbook") and
        a programme named by its topic ("Anger Management").
    """
    if kind not in ("NAME", "LOCATION", "ORG"):
        return False
    piece = text[start:end]
    words = [w.strip(".,'’\"").lower() for w in piece.split()]
    key = " ".join(words)
    if key.endswith(("'s", "’s")):
        key = key[:-2]
    if not words:
        return False
    if (key in languages() or key in _PLATFORMS or _platform_service(words)) and not re.search(
        r"\b(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?\s+$", text[:start]
    ):
        return True
    if len(words) > 1 and words[-1] in languages() and not any(w in first_names() for w in words[:-1]):
        return True  # a variety of a language: "Levantine Arabic", "Haitian Creole"
    if len(words) == 1 and key in _KIN_NAMES and _POSSESSIVE_BEFORE.search(text[max(0, start - 12) : start]):
        return True
    if all(w in _VIRTUES or w in ("and", "&") for w in words):
        after = text[end:]
        if _HUMAN_NEXT.match(after):
            return False
        if _VIRTUE_AS_WORD.match(after) or len(words) > 1:
            return True
        pair = re.search(r"\b(\w+)[ \t]+(?:and|&)[ \t]+$", text[max(0, start - 16) : start])
        nxt = re.match(r"[ \t]+(?:and|&)[ \t]+(\w+)", after)
        other = (pair.group(1) if pair else "") or (nxt.group(1) if nxt else "")
        if other.lower() in _VIRTUES and not (nxt and _HUMAN_NEXT.match(after[nxt.end() :])):
            return True
    if kind in ("NAME", "ORG") and len(words) == 1 and key not in first_names() and _METHOD_NEXT.match(text, end):
        return True
    return kind == "ORG" and all(w in _TOPIC_PROGRAMME for w in words)


def label_org(text: str, start: int, end: int) -> bool:
    """Whether an organisation as finally chosen is a field label or a clause cut short: it starts with a capital
    and ends in a lower-case word ("Reply to", "El hablaba") or in a label word ("Student ID", "Member No.").

    Parameters
    ----------
    text : str
        The text.
    start, end : int
        The organisation's span.

    Returns
    -------
    bool
        True when the span is no organisation.
    """
    piece = text[start:end]
    return piece[:1].isupper() and bool(re.search(r"[ \t][a-z]+$", piece) or _ORG_LABEL_END.search(piece))


def listed_names(text: str, spans: Sequence[tuple[int, int, str]], not_a_name: frozenset[str]) -> list[tuple[int, int]]:
    """Capitalised words in a comma list of names ("Ngozi, Araceli, Hye-jin, Tamsin") not yet found.

    Parameters
    ----------
    text : str
        The text.
    spans : sequence of (int, int, str)
        The spans found so far, ``(start, end, kind)``.
    not_a_name : frozenset of str
        Lower-case words never taken as a name.

    Returns
    -------
    list of (int, int)
        New name spans: an item of a list of three or more single capitalised words separated by commas (the last
        one by "and" too) in which at least two items are already names, when the item is no English, clinical
        or listed non-name word.
    """
    names = [
        (s, e)
        for s, e, k in spans
        if k == "NAME" or (k == "LOCATION" and text[s:e].lower() in first_names() and " " not in text[s:e])
    ]  # NER takes some names of a list for places ("Ngozi, Araceli, ..." with Araceli a LOCATION)
    if len(names) < 2:
        return []
    item = rf"(?:{_CAP}|[{_U}]\.)"
    out: list[tuple[int, int]] = []
    for m in re.finditer(rf"{item}(?:[ \t]*,[ \t]*{item}){{1,}}(?:,?[ \t]+(?:and|&)[ \t]+{item})?", text):
        items = list(re.finditer(item, m.group()))
        if len(items) < 3:
            continue
        spans_of = [(m.start() + i.start(), m.start() + i.end()) for i in items]
        found = [any(s < e2 and s2 < e for s2, e2 in names) for s, e in spans_of]
        named = [any(s < e2 and s2 < e for s2, e2, k in spans if k == "NAME") for s, e in spans_of]
        if sum(found) < 2 or not any(named) or any(i.group().lower() in _countries() for i in items):
            continue
        taken = [(s, e) for s, e, _ in spans]
        for (s, e), hit in zip(spans_of, found, strict=True):
            word = text[s:e]
            key = word.lower()
            if hit or any(ts < e and s < te for ts, te in taken):
                continue
            if key in not_a_name or key in clinical_terms() or key in languages():
                continue
            if key in english_words() and key not in first_names():
                continue
            out.append((s, e))
    return out
