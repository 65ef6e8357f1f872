"""Masking names in topic words: keywords, keyword labels and word lists shown beside de-identified remarks.

Topic keywords are lower-case words and phrases (``"dr fields"``, ``"donna"``) that the de-identifier cannot
judge on their own. As the HTML report does (:mod:`topics.reporting.redaction`), a keyword word is masked
when the de-identifier found it as (part of) a name in the remarks shown with it and the remarks write it
capitalised more often than not; known names are always masked, and so is a word after an abbreviated title
("dr fields" becomes ``"dr [NAME]"``). Every keyword also goes through the scrubber itself (e-mail addresses,
phone numbers, handles...).

>>> from topics.clean import Deidentifier
>>> deid = Deidentifier(use_ner=False)
>>> mask_keywords(deid, ["dr fields, panic", "donna, sleep"], ["Dr. Fields said so.", "My sister Donna called."])
['dr [NAME], panic', '[NAME], sleep']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from topics.clean.deidentify import Deidentifier

NAME = "[NAME]"
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_NEVER = frozenset({"i", "a", "the", "and", "mr", "mrs", "ms", "dr", "mx", "prof"})
_AFTER_TITLE = re.compile(r"(?i)\b((?:dr|mr|mrs|ms|mx|prof)\.?\s+)([a-z][a-z'’\-]*)")


def mask_words(text: str, names: Iterable[str], placeholder: str = NAME) -> str:
    """Replace the whole words of ``text`` found in ``names`` (lower case), and any word after "dr", "mr"...

    Parameters
    ----------
    text : str
        A keyword list, label or word.
    names : iterable of str
        Lower-case name words.
    placeholder : str, default "[NAME]"

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        return text
    names = set(names)
    text = _AFTER_TITLE.sub(lambda m: m.group(1) + placeholder, text)

    def masked(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        return placeholder if word in names or re.sub(r"['’]s$", "", word) in names else match.group(0)

    return WORD.sub(masked, text)


def name_words(deid: Deidentifier, texts: Sequence[str], known_names: Iterable[str] = ()) -> set[str]:
    """Lower-case words of the names found in ``texts`` that the texts write capitalised more often than not.

    Parameters
    ----------
    deid : Deidentifier
        The scrubber (its known names are included).
    texts : sequence of str
        The remarks shown with the words to mask.
    known_names : iterable of str, optional
        More names, always included.

    Returns
    -------
    set of str
    """
    texts = [t for t in texts if isinstance(t, str)]
    found = {
        w.lower() for spans in deid.find_many(texts) for s in spans if s.kind == "NAME" for w in WORD.findall(s.text)
    }
    found -= _NEVER
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    if found:
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(found)) + r")\b", re.IGNORECASE)
        for text in texts:
            for m in pattern.finditer(text):
                bucket = lower if m.group(0).islower() else upper
                bucket[m.group(0).lower()] = bucket.get(m.group(0).lower(), 0) + 1
    names = {n for n in found if upper.get(n, 0) >= lower.get(n, 0)}
    for name in (*deid.known_names, *known_names):
        names |= {w.lower() for w in WORD.findall(name)} - _NEVER
    return names


def mask_keywords(
    deid: Deidentifier, keywords: Sequence[str], texts: Sequence[str], names: set[str] | None = None
) -> list[str]:
    """Keywords (or labels) scrubbed, with the name words of ``texts`` masked.

    Parameters
    ----------
    deid : Deidentifier
    keywords : sequence of str
        Keyword lists, keyword labels or single words.
    texts : sequence of str
        The remarks shown with them (ignored when ``names`` is given).
    names : set of str, optional
        Name words already found (:func:`name_words`).

    Returns
    -------
    list of str
        One per keyword string, in order.
    """
    names = name_words(deid, texts) if names is None else names
    return [mask_words(k, names) for k in deid.scrub_many([str(k) for k in keywords])]
