"""A curation session: the action layer under the browser workbench, usable on its own.

:class:`CurationSession` holds a model, its ledger file and the expert's name (asked once). Each action
(merge, rename, drop, split, note) becomes a ledger :class:`~topics.curate.Entry` with the topics'
fingerprints, is tried on a copy of the current replay state, and only when it applies is it appended to
the ledger file (atomic write, the previous version kept as ``.bak``) and the curated view rebuilt. An
action that cannot apply (an unknown topic, a label another topic already has, a split of a topic too
small) raises :class:`CurationConflict` at once and nothing is written. Undo removes the last entry from
the file, redo puts it back.

Only the new entry is replayed: the state after every entry is kept, so an action costs one entry's
replay plus rebuilding the curated tables (words of merged or split topics come from the document-term
matrix cached at fit time, :meth:`topics.model.TopicModel.document_terms`).

>>> session = CurationSession(analysis, "runs/demo/ledger.yaml")   # doctest: +SKIP
>>> session.set_author("A. Expert")                                  # doctest: +SKIP
>>> session.merge([1, 5], "Alcohol use")                             # doctest: +SKIP
>>> session.undo()                                                   # doctest: +SKIP
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from topics.curate.curator import ledger_for
from topics.curate.ledger import Entry, Ledger, LedgerError, now
from topics.curate.replay import _split, as_model, ledger_mode, model_embeddings, replay_entry
from topics.curate.state import ReplayState
from topics.curate.view import LOG_COLUMNS, CuratedView, build_view
from topics.model import OUTLIER
from topics.model.tables import central_order, representatives
from topics.model.words import class_tfidf_words

MAX_TEXT = 300
"""Longest label, bucket name, author or note accepted from a form (characters)."""


class CurationConflict(LedgerError):  # noqa: N818 (a conflict, named as the user sees it)
    """An action that cannot be applied to the current curated view; nothing was written."""


@dataclass
class ActionResult:
    """What one action did.

    Attributes
    ----------
    entry : Entry
        The ledger entry written (or removed, for undo).
    message : str
        One line for the user, e.g. ``merge 3, 7 -> 'Alcohol use'`` plus any replaced label.
    seconds : float
        Time from the call to the rebuilt view.
    """

    entry: Entry
    message: str
    seconds: float


@overload
def _clean_text(value: Any, what: str, *, required: Literal[True] = ...) -> str: ...
@overload
def _clean_text(value: Any, what: str, *, required: bool) -> str | None: ...
def _clean_text(value: Any, what: str, *, required: bool = True) -> str | None:
    """``value`` as stripped one-line text; empty: an error if ``required``, else None."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise CurationConflict(f"{what} is empty")
        return None
    if len(text) > MAX_TEXT:
        raise CurationConflict(f"{what} is longer than {MAX_TEXT} characters")
    if any(ord(c) < 32 and c not in "\t" for c in text):
        raise CurationConflict(f"{what} contains a line break or a control character")
    return text


class CurationSession:
    """Curate one model's topics action by action, each written to the ledger file at once.

    Parameters
    ----------
    model : TopicModel
        The fitted model (an :class:`~topics.analysis.Analysis` is accepted for its ``.model``).
    ledger : str or Path
        The ledger file: read when it exists, created by the first action.
    author : str, optional
        The expert's name, recorded with every entry; else set once with :meth:`set_author` before the
        first action.

    Attributes
    ----------
    ledger : Ledger
    mode : {"strict", "replay"}
        ``strict`` when the ledger was written on this very model (see :func:`topics.curate.ledger_mode`).
    """

    def __init__(self, model: Any, ledger: str | Path, *, author: str | None = None) -> None:
        self.model = as_model(model)
        path = Path(ledger)
        self.ledger = Ledger.load(path) if path.exists() else ledger_for(self.model)
        self.ledger.path = path
        self.mode = ledger_mode(self.model, self.ledger)
        self.seed = int(self.model.config.seed)
        self._author: str | None = None
        if author is not None:
            self.set_author(author)
        self.model.document_terms()  # tokenise once now, so that no action pays for it
        base = ReplayState(self.model, model_embeddings(self.model))
        self._states: list[ReplayState] = [base]
        self._rows: list[dict[str, Any]] = []
        for number, entry in enumerate(self.ledger.entries, start=1):
            state = self._states[-1].copy()
            self._rows.append(replay_entry(state, self.ledger, entry, number, self.mode, self.seed))
            self._states.append(state)
        self._redo: list[Entry] = []
        self._view: CuratedView | None = None
        self.version = 0
        """Counts the changes to the ledger in this session (a display can cache by it)."""

    # ------------------------------------------------------------------ who and what
    @property
    def author(self) -> str | None:
        """The expert's name recorded with every entry (None until set)."""
        return self._author

    def set_author(self, name: str) -> str:
        """Set the expert's name once for the session (it goes into every entry)."""
        self._author = _clean_text(name, "the author's name")
        return self._author

    @property
    def view(self) -> CuratedView:
        """The curated view after the ledger's entries (rebuilt after each action)."""
        if self._view is None:
            self._view = build_view(
                self.model,
                self._states[-1],
                pd.DataFrame(self._rows, columns=LOG_COLUMNS),
                self.mode,
                str(self.ledger.path),
            )
        return self._view

    @property
    def log(self) -> pd.DataFrame:
        """One row per ledger entry: what it did (see :attr:`topics.curate.CuratedView.log`)."""
        return pd.DataFrame(self._rows, columns=LOG_COLUMNS)

    @property
    def conflicts(self) -> pd.DataFrame:
        """Log rows of entries that were not applied, or that replaced an earlier label."""
        log = self.log
        return log[(log["status"] == "unmapped") | (log["reason"].astype(str) != "")].reset_index(drop=True)

    @property
    def can_undo(self) -> bool:
        """Whether the ledger has an entry that :meth:`undo` would remove."""
        return bool(self.ledger.entries)

    @property
    def can_redo(self) -> bool:
        """Whether an undone entry is waiting for :meth:`redo` (any new action clears it)."""
        return bool(self._redo)

    def topic_ids(self) -> list[int]:
        """The curated topics (outliers excluded)."""
        return [t for t in self._states[-1].current() if t != OUTLIER]

    # ------------------------------------------------------------------ actions
    def _entry(self, op: str, topics: Sequence[int], rationale: str | None, **kw: Any) -> Entry:
        if self._author is None:
            raise CurationConflict("say who you are first: the author's name goes into every ledger entry")
        try:
            topics = [int(t) for t in topics]
        except (TypeError, ValueError):
            raise CurationConflict(f"{op}: topic numbers must be whole numbers, got {list(topics)!r}") from None
        known = set(self.topic_ids())
        missing = [t for t in topics if t not in known]
        if missing:
            raise CurationConflict(f"{op}: no topic {', '.join(map(str, missing))} in the current view")
        if len(set(topics)) != len(topics):
            raise CurationConflict(f"{op}: a topic is named twice ({topics})")
        view = self.view
        return Entry(
            op=op,
            topics=topics,
            author=self._author,
            time=now(),
            rationale=_clean_text(rationale, "the rationale", required=False),
            fingerprints=[view.fingerprint(t) for t in topics],
            **kw,
        )

    def _commit(self, entry: Entry, started: float) -> ActionResult:
        trial_ledger = copy.copy(self.ledger)
        trial_ledger.entries = [*self.ledger.entries, entry]
        number = len(trial_ledger.entries)
        state = self._states[-1].copy()
        try:
            row = replay_entry(state, trial_ledger, entry, number, self.mode, self.seed)
        except LedgerError as err:
            raise CurationConflict(f"{entry.describe()}: not applied: {_short(str(err))}") from None
        if row["status"] == "unmapped":
            raise CurationConflict(f"{entry.describe()}: not applied: {row['reason']}")
        try:
            self.ledger.append(entry)
        except LedgerError as err:
            raise CurationConflict(f"{entry.describe()}: {_short(str(err))}") from None
        try:
            self.ledger.save()
        except Exception:
            self.ledger.entries.pop()
            raise
        self._states.append(state)
        self._rows.append(row)
        self._view = None
        self.version += 1
        _ = self.view
        message = entry.describe() + (f"; {row['reason']}" if row["reason"] else "")
        return ActionResult(entry=entry, message=message, seconds=time.perf_counter() - started)

    def merge(self, topics: Sequence[int], label: str, *, rationale: str | None = None) -> ActionResult:
        """Merge two or more topics into the first one's number, with a label."""
        started = time.perf_counter()
        if len(list(topics)) < 2:
            raise CurationConflict("merge: choose two or more topics")
        entry = self._entry("merge", topics, rationale, label=_clean_text(label, "the label"))
        self._redo.clear()
        return self._commit(entry, started)

    def rename(self, topic: int, label: str, *, rationale: str | None = None) -> ActionResult:
        """Give a topic a label (a later rename replaces an earlier one, and the log says so)."""
        started = time.perf_counter()
        entry = self._entry("rename", [topic], rationale, label=_clean_text(label, "the label"))
        self._redo.clear()
        return self._commit(entry, started)

    def drop(self, topic: int, *, bucket: str | None = None, rationale: str | None = None) -> ActionResult:
        """Send a topic's remarks to the outliers (``bucket=None``) or to a named set-aside bucket."""
        started = time.perf_counter()
        entry = self._entry("drop", [topic], rationale, bucket=_clean_text(bucket, "the bucket", required=False))
        self._redo.clear()
        return self._commit(entry, started)

    def split(
        self, topic: int, k: int, *, labels: Sequence[str] | None = None, rationale: str | None = None
    ) -> ActionResult:
        """Re-cluster a topic into ``k`` sub-topics (seeded k-means on the embeddings); see :meth:`split_preview`."""
        started = time.perf_counter()
        k = int(k)
        if not 2 <= k <= 20:
            raise CurationConflict("split: k must be between 2 and 20")
        names = [_clean_text(x, "a sub-topic label") for x in labels] if labels else None
        if names is not None and len(names) != k:
            raise CurationConflict(f"split: give {k} labels, one per sub-topic (largest first), or none")
        entry = self._entry("split", [topic], rationale, k=k, labels=names)
        self._redo.clear()
        return self._commit(entry, started)

    def note(self, topic: int, text: str) -> ActionResult:
        """Attach a note to a topic."""
        started = time.perf_counter()
        entry = self._entry("note", [topic], None, text=_clean_text(text, "the note"))
        self._redo.clear()
        return self._commit(entry, started)

    def undo(self) -> ActionResult:
        """Remove the last ledger entry from the file (kept for :meth:`redo`)."""
        started = time.perf_counter()
        if not self.ledger.entries:
            raise CurationConflict("nothing to undo: the ledger is empty")
        entry = self.ledger.entries.pop()
        try:
            self.ledger.save()
        except Exception:
            self.ledger.entries.append(entry)
            raise
        self._states.pop()
        self._rows.pop()
        self._redo.append(entry)
        self._view = None
        self.version += 1
        _ = self.view
        return ActionResult(entry=entry, message=f"undone: {entry.describe()}", seconds=time.perf_counter() - started)

    def redo(self) -> ActionResult:
        """Put back the entry the last :meth:`undo` removed."""
        started = time.perf_counter()
        if not self._redo:
            raise CurationConflict("nothing to redo")
        entry = self._redo.pop()
        try:
            result = self._commit(entry, started)
        except CurationConflict:
            self._redo.append(entry)
            raise
        result.message = f"redone: {result.message}"
        return result

    # ------------------------------------------------------------------ looking before acting
    def split_preview(self, topic: int, k: int, *, n_remarks: int = 5) -> pd.DataFrame:
        """The sub-topics a split would make, without changing anything.

        Parameters
        ----------
        topic : int
        k : int
            Number of sub-topics.
        n_remarks : int
            Remarks shown per sub-topic (closest to its centre).

        Returns
        -------
        pandas.DataFrame
            ``part`` (1 = largest), ``size``, ``keywords``, ``remarks`` (list of str): the parts in the
            order a split entry's ``labels`` name them.
        """
        topic, k = int(topic), int(k)
        if topic not in set(self.topic_ids()):
            raise CurationConflict(f"split: no topic {topic} in the current view")
        state = self._states[-1].copy()
        try:
            new_ids = _split(state, topic, k, self.seed)
        except ValueError as err:
            raise CurationConflict(f"split: {err}") from None
        doc_terms, vocabulary = self.model.document_terms()
        # the same words the split will get: c-TF-IDF over all remarks, as the curated view computes them
        words = class_tfidf_words(doc_terms, vocabulary, state.topic, self.model.config.representation.top_n_words)
        out = []
        for part, t in enumerate(new_ids, start=1):
            members = state.members(t)
            centre = state.unit[members].mean(axis=0)
            order = central_order(members, state.unit[members] @ centre)
            chosen = representatives(order, state.texts, n_remarks)
            out.append(
                {
                    "part": part,
                    "size": len(members),
                    "keywords": ", ".join(w for w, _ in words.get(t, [])),
                    "remarks": [str(state.texts[j]) for j in chosen],
                }
            )
        return pd.DataFrame(out)

    def remarks(
        self, topic: int, *, search: str = "", sample: int | None = None, draw: int = 0, limit: int = 50
    ) -> pd.DataFrame:
        """Remarks of a curated topic: closest to its centre first, or a seeded random sample.

        Parameters
        ----------
        topic : int
        search : str
            Keep remarks containing this text (case-insensitive, plain text, not a pattern).
        sample : int, optional
            Draw this many at random (seeded by the session's seed, the topic and ``draw``).
        draw : int
            Which random sample: the same number gives the same sample, another number another one.
        limit : int
            At most this many rows.

        Returns
        -------
        pandas.DataFrame
            ``utterance_id``, ``text``, ``similarity``.
        """
        a = self.view.assignments
        part = a[(a["topic"] == int(topic)) & (a["bucket"] == "")]
        if search:
            part = part[part["text"].astype(str).str.contains(search, case=False, regex=False)]
        if sample is not None and len(part) > sample:
            part = part.sample(
                n=sample,
                random_state=int(np.random.default_rng([self.seed, int(topic) + 2, int(draw)]).integers(2**31)),
            )
        else:
            part = part.sort_values("similarity", ascending=False)
        return part[["utterance_id", "text", "similarity"]].head(limit).reset_index(drop=True)


def _short(message: str) -> str:
    """A ledger error without its file location prefix (the user knows which ledger is open)."""
    head, sep, rest = message.partition(": ")
    return rest if sep and ("ledger" in head or "entry" in head or head.endswith(".yaml")) else message
