"""Curating from a notebook: :class:`Curator` appends each decision to a ledger file and re-applies it.

>>> cur = Curator(analysis.model, "runs/demo/ledger.yaml", author="A. Expert")      # doctest: +SKIP
>>> cur.merge([1, 5], "Alcohol use")                                                  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from topics.curate.ledger import Entry, Ledger, LedgerError, now
from topics.curate.replay import apply_ledger, as_model, topics_hash
from topics.curate.view import CuratedView
from topics.model import OUTLIER


def ledger_for(model: Any) -> Ledger:
    """An empty ledger stamped with the model's data hash, seed and clustering hash."""
    model = as_model(model)
    man = model.manifest_
    return Ledger(
        model={"data_sha256": man.get("data_sha256"), "seed": man.get("seed"), "topics_sha256": topics_hash(model)}
    )


class Curator:
    """Curate topics from a notebook: each call appends an entry to the ledger file and re-applies it.

    Parameters
    ----------
    model : TopicModel
        The fitted model (an :class:`~topics.analysis.Analysis` is accepted for its ``.model``).
    ledger : str or Path
        Ledger file; read if it exists, created on the first decision.
    author : str
        Recorded with every entry.

    Attributes
    ----------
    ledger : Ledger
    view : CuratedView
        The curated view after the entries so far.

    Examples
    --------
    >>> cur = Curator(analysis.model, "runs/demo/ledger.yaml", author="A. Expert")
    >>> cur.rename(3, "Opening the session", rationale="greetings and agenda")
    >>> cur.merge([0, 4], "Smoking cessation")
    >>> cur.drop(2, bucket="small talk")
    >>> cur.view.topics
    """

    def __init__(self, model: Any, ledger: str | Path, *, author: str) -> None:
        self.model = as_model(model)
        self.author = author
        path = Path(ledger)
        self.ledger = Ledger.load(path) if path.exists() else ledger_for(self.model)
        self.ledger.path = path
        self.view = apply_ledger(self.model, self.ledger)

    def _add(self, entry: Entry) -> CuratedView:
        entry.fingerprints = [self.view.fingerprint(t) for t in entry.topics]
        trial = copy.copy(self.ledger)
        trial.entries = [*self.ledger.entries, entry]
        view = apply_ledger(self.model, trial)  # raises before anything is saved
        self.ledger.append(entry)
        self.ledger.save()
        self.view = view
        return view

    def _entry(self, op: str, topics: list[int], rationale: str | None, **kw: Any) -> Entry:
        known = set(self.view.topic_ids) - {OUTLIER}
        missing = [t for t in topics if t not in known]
        if missing:
            raise LedgerError(f"{op}: no topic {missing} in the current view (topics: {sorted(known)})")
        return Entry(op=op, topics=topics, author=self.author, time=now(), rationale=rationale, **kw)

    def rename(self, topic: int, label: str, *, rationale: str | None = None) -> CuratedView:
        """Give a topic a label."""
        return self._add(self._entry("rename", [topic], rationale, label=label))

    def merge(self, topics: Sequence[int], label: str, *, rationale: str | None = None) -> CuratedView:
        """Merge topics into one (it keeps the first topic's number) with a label."""
        return self._add(self._entry("merge", list(topics), rationale, label=label))

    def drop(self, topic: int, *, bucket: str | None = None, rationale: str | None = None) -> CuratedView:
        """Send a topic's remarks to the outliers, or to a named set-aside bucket."""
        return self._add(self._entry("drop", [topic], rationale, bucket=bucket))

    def split(
        self, topic: int, k: int, *, labels: Sequence[str] | None = None, rationale: str | None = None
    ) -> CuratedView:
        """Re-cluster a topic's remarks into ``k`` sub-topics (k-means on their embeddings, seeded)."""
        return self._add(self._entry("split", [topic], rationale, k=k, labels=list(labels) if labels else None))

    def note(self, topic: int, text: str) -> CuratedView:
        """Attach a note to a topic."""
        return self._add(self._entry("note", [topic], None, text=text))

    def undo(self) -> CuratedView:
        """Remove the last entry (the file keeps the previous version as ``.bak``)."""
        if self.ledger.entries:
            self.ledger.entries.pop()
            self.ledger.save()
        self.view = apply_ledger(self.model, self.ledger)
        return self.view
