"""Provenance of a merged ledger: which two ledgers a merge took entries from, who merged and when.

:func:`topics.curate.merged_ledger` writes one :class:`MergeRecord` into the ``merged:`` block of the ledger
file it makes; :mod:`topics.curate.ledger` reads and writes that block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MergeSource:
    """One of the two ledgers a merge took entries from.

    Attributes
    ----------
    ledger : str, optional
        The file it was read from (``None`` for a ledger that was never saved).
    authors : list of str
        The authors of its entries, in order of first appearance.
    entries : int
        How many entries it had.
    taken : list of int
        The 1-based numbers of its entries that the merged ledger keeps, in order.
    """

    ledger: str | None = None
    authors: list[str] = field(default_factory=list)
    entries: int = 0
    taken: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The source as ``merge_provenance`` in a ledger's YAML writes it."""
        return {
            "ledger": self.ledger,
            "authors": list(self.authors),
            "entries": int(self.entries),
            "taken": [int(n) for n in self.taken],
        }


@dataclass
class MergeRecord:
    """Provenance of a ledger made by merging two experts' ledgers (:func:`topics.curate.merged_ledger`).

    The merged ledger's entries are ``a.taken`` of ledger a, in order, then ``b.taken`` of ledger b.

    Attributes
    ----------
    author, time : str
        Who merged, and when (ISO 8601).
    a, b : MergeSource
        The two source ledgers.
    topics_a, topics_b : list of int
        The raw topics whose decisions were taken from a, and from b.
    """

    author: str
    time: str
    a: MergeSource
    b: MergeSource
    topics_a: list[int] = field(default_factory=list)
    topics_b: list[int] = field(default_factory=list)

    def side(self, raw_topic: int) -> str | None:
        """``"a"`` or ``"b"``: the side whose decisions a raw topic took (``None`` for a topic not listed)."""
        if raw_topic in self.topics_a:
            return "a"
        if raw_topic in self.topics_b:
            return "b"
        return None

    def to_dict(self) -> dict[str, Any]:
        """The record as ``merge_provenance`` in a ledger's YAML writes it (author, time, sources, choices)."""
        return {
            "author": self.author,
            "time": self.time,
            "topics_a": [int(t) for t in self.topics_a],
            "topics_b": [int(t) for t in self.topics_b],
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }


_SOURCE_KEYS = {"ledger", "authors", "entries", "taken"}


def _int_list(value: Any, name: str, bad: Any) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in value):
        raise bad(f"'{name}' must be a list of whole numbers")
    return [int(x) for x in value]


def _parse_source(value: Any, name: str, bad: Any) -> MergeSource:
    if not isinstance(value, dict):
        raise bad(f"'{name}' must be a mapping with {sorted(_SOURCE_KEYS)}")
    unknown = set(value) - _SOURCE_KEYS
    if unknown:
        raise bad(f"unknown field(s) {sorted(map(str, unknown))} in '{name}'; allowed: {sorted(_SOURCE_KEYS)}")
    authors = value.get("authors") or []
    if not isinstance(authors, list) or any(isinstance(x, (dict, list)) for x in authors):
        raise bad(f"'{name}.authors' must be a list of names")
    entries = value.get("entries", 0)
    if not isinstance(entries, int) or isinstance(entries, bool) or entries < 0:
        raise bad(f"'{name}.entries' must be a whole number, got {entries!r}")
    return MergeSource(
        ledger=_opt_str(value.get("ledger"), f"{name}.ledger", bad),
        authors=[str(x) for x in authors],
        entries=entries,
        taken=_int_list(value.get("taken"), f"{name}.taken", bad),
    )


def _opt_str(value: Any, name: str, bad: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise bad(f"{name} must be text")
    return str(value)
