"""Expert curation: replay a ledger of decisions on a fitted model to get a curated view.

The raw model is never changed. :func:`apply_ledger` starts from the raw topic of every remark and
applies the ledger's entries in order (merge, rename, drop, split, note), giving a :class:`CuratedView`:
the same tables as the raw model (assignments, topics, word scores, topic centroids) plus the record of
what each entry did. Every later analysis takes the curated view by default.

Two modes:

``strict``
    The ledger was written on this very model (same data hash and seed). Topic numbers are
    authoritative; a reference to a topic that does not exist, or that an earlier entry dropped, and a
    label used twice are errors naming the entry's file and line; nothing is applied.
``replay``
    The model was refit (another seed, more transcripts). Each entry finds its topic again from its
    fingerprint: the topic now holding most of the entry's exemplar remarks (at least half of them, or
    30% with 30% shared top words). Entries that cannot be mapped are skipped and listed with the reason.

In both modes a later rename (or merge) of a topic that already has an expert's label replaces that
label, and the entry's log row says which label it replaced and which entry had given it.

The replay takes the :class:`~topics.model.TopicModel` alone (an :class:`~topics.analysis.Analysis`, or
anything holding the model as ``.model``, is accepted too); :mod:`topics.curate.view` turns its final
state into the curated tables.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from topics.clean.deid_words import NAME as NAME_PLACEHOLDER
from topics.curate.ledger import Entry, Fingerprint, Ledger, LedgerError
from topics.curate.state import OUTLIER_BUCKET, ReplayState
from topics.curate.view import LOG_COLUMNS, CuratedView, build_view
from topics.model import OUTLIER, TopicModel, clustering_hash


def as_model(source: Any) -> TopicModel:
    """The :class:`TopicModel` of ``source``: the model itself, or the ``.model`` of an analysis."""
    model = source if isinstance(source, TopicModel) else getattr(source, "model", None)
    if not isinstance(model, TopicModel):
        raise TypeError(f"expected a TopicModel (or an Analysis holding one), got {type(source).__name__}")
    return model


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """Jaccard similarity of a fingerprint's words ``a`` and a topic's words ``b``.

    A word of ``a`` with ``[NAME]`` in it (a name masked in the ledger) matches one word of ``b`` of that shape
    ("dr [NAME]" matches "dr fields") that no other word matched.
    """
    sa, sb = set(a), set(b)
    if not sa | sb:
        return 0.0
    common = sa & sb
    left = sb - common
    hits = 0
    for word in sorted(sa - common):
        if NAME_PLACEHOLDER not in word:
            continue
        shape = re.compile(re.escape(word).replace(re.escape(NAME_PLACEHOLDER), r"[^\s,]+"))
        match = next((w for w in sorted(left) if shape.fullmatch(w)), None)
        if match is not None:
            left.discard(match)
            hits += 1
    shared = len(common) + hits
    return shared / (len(sa) + len(sb) - shared)


def _resolve(state: ReplayState, number: int, fp: Fingerprint | None, mode: str) -> tuple[int | None, str]:
    """Find the current topic an entry refers to; return (topic, '') or (None, reason)."""
    if mode == "strict" or fp is None or not fp.exemplars:
        if number in state.current():
            return number, ""
        if mode == "replay":
            return None, "no fingerprint to find the topic after a refit"
        if number in state.dropped_by:
            return None, f"topic {number} was dropped by {state.dropped_by[number]}"
        existing = sorted(state.current())
        shown = ", ".join(map(str, existing[:12])) + (" ..." if len(existing) > 12 else "")
        return None, f"topic {number} does not exist at this point (topics: {shown})"
    idx = [state.pos[x] for x in fp.exemplars if x in state.pos]
    if not idx:
        return None, "none of its exemplar remarks are in this model's data"
    cur = state.topic[idx]
    in_topic = cur[cur != OUTLIER]
    if len(in_topic) == 0:
        return None, "its exemplar remarks are all outliers or set aside now"
    values, counts = np.unique(in_topic, return_counts=True)
    best = int(values[counts.argmax()])
    share = counts.max() / len(idx)
    words = _jaccard(fp.words[:10], state.words.get(best, [])[:10])
    if share >= 0.5 or (share >= 0.3 and words >= 0.3):
        return best, ""
    return None, (
        f"no topic holds enough of its exemplar remarks (best: topic {best} with {share:.0%}, "
        f"{words:.0%} shared top words)"
    )


def _check_label(state: ReplayState, label: str, topic: int, where: str, mode: str) -> str | None:
    for other, existing in state.labels.items():
        if other != topic and other in state.custom and existing.strip().lower() == label.strip().lower():
            message = f"label {label!r} is already used by topic {other}"
            if mode == "strict":
                raise LedgerError(f"{where}: {message}")
            return message
    return None


def _split(state: ReplayState, topic: int, k: int, seed: int) -> list[int]:
    from sklearn.cluster import KMeans

    members = state.members(topic)
    if len(members) < 2 * k:
        raise ValueError(f"topic {topic} has {len(members)} remarks, too few to split into {k}")
    parts = KMeans(n_clusters=k, random_state=seed, n_init=10).fit_predict(state.unit[members])
    order = pd.Series(parts).value_counts().index.tolist()  # largest part first
    new_ids = [topic] + [state.next_id + i for i in range(k - 1)]
    state.next_id += k - 1
    for part, new in zip(order, new_ids, strict=True):
        state.topic[members[parts == part]] = new
    return new_ids


def topics_hash(model: Any) -> str:
    """SHA-256 of the raw model's topic of every remark (with its id): the identity of one clustering."""
    raw = as_model(model).assignments_
    return clustering_hash(raw["utterance_id"], raw["topic"])


def ledger_mode(model: Any, ledger: Ledger) -> Literal["strict", "replay"]:
    """``strict`` if the ledger was written on this very clustering (or says nothing), else ``replay``.

    The ledger's ``model`` records ``topics_sha256`` (the raw topic of every remark); older or
    hand-written ledgers may give only ``data_sha256`` and ``seed``, which are then compared.
    """
    model = as_model(model)
    stamp = ledger.model
    if stamp.get("topics_sha256"):
        return "strict" if stamp["topics_sha256"] == topics_hash(model) else "replay"
    man = model.manifest_
    data, seed = stamp.get("data_sha256"), stamp.get("seed")
    same = (data is None or data == man.get("data_sha256")) and (seed is None or seed == man.get("seed"))
    if same and ledger.entries and ledger.entries[0].fingerprints:
        # no clustering hash: the first entry's fingerprints (made on the raw topics) must still fit them
        raw = model.assignments_
        topic_of = dict(zip(raw["utterance_id"].astype(str), raw["topic"].astype(int), strict=True))
        for fp in ledger.entries[0].fingerprints:
            hits = [topic_of.get(x) == fp.topic for x in fp.exemplars if x in topic_of]
            if not hits or sum(hits) / len(hits) < 0.5:
                return "replay"
    return "strict" if same else "replay"


def _resolve_entry(state: ReplayState, entry: Entry, mode: str) -> tuple[list[int], Entry, str]:
    """The current topics an entry names, the entry to apply (a merge already made becomes a rename), or why not."""
    prints = {fp.topic: fp for fp in entry.fingerprints}
    resolved: list[int] = []
    for t in entry.topics:
        target, why = _resolve(state, t, prints.get(t), mode)
        if target is None:
            return resolved, entry, why if why.startswith(f"topic {t} ") else f"topic {t}: {why}"
        resolved.append(target)
    if len(set(resolved)) != len(resolved):
        if entry.op == "merge" and len(set(resolved)) == 1:
            # the refit model already joined these topics: the merge holds, only its label is applied
            return resolved[:1], dataclasses.replace(entry, op="rename", topics=resolved[:1]), ""
        return resolved, entry, f"its topics {entry.topics} map onto the same topic now ({resolved})"
    return resolved, entry, ""


def apply_ledger(
    model: Any, ledger: Ledger | str | Path | None = None, *, mode: Literal["auto", "strict", "replay"] = "auto"
) -> CuratedView:
    """Replay a ledger on a fitted model; the model is not changed.

    Parameters
    ----------
    model : TopicModel
        A fitted (or loaded) model; an :class:`~topics.analysis.Analysis` is accepted for its ``.model``.
    ledger : Ledger, str or Path, optional
        The decisions; ``None`` gives the raw topics as a view.
    mode : {"auto", "strict", "replay"}
        ``auto`` chooses with :func:`ledger_mode`.

    Returns
    -------
    CuratedView

    Raises
    ------
    LedgerError
        In strict mode: an entry names a topic that does not exist or was dropped, repeats a label, or
        cannot be applied. The message names the ledger file, line and entry; nothing is applied.
    """
    model = as_model(model)
    if ledger is None:
        ledger = Ledger()
    elif not isinstance(ledger, Ledger):
        ledger = Ledger.load(ledger)
    chosen = ledger_mode(model, ledger) if mode == "auto" else mode
    state = ReplayState(model, model_embeddings(model))
    log_rows = [
        replay_entry(state, ledger, entry, number, chosen, model.config.seed)
        for number, entry in enumerate(ledger.entries, start=1)
    ]
    return build_view(
        model, state, pd.DataFrame(log_rows, columns=LOG_COLUMNS), chosen, str(ledger.path) if ledger.path else None
    )


def model_embeddings(model: TopicModel) -> np.ndarray:
    """Embeddings of the model's remarks (through the embedding cache), as float64 rows in assignment order."""
    return model.embed(model.assignments_["text"].astype(str).tolist()).astype(np.float64)


def replay_entry(state: ReplayState, ledger: Ledger, entry: Entry, number: int, mode: str, seed: int) -> dict[str, Any]:
    """Apply one ledger entry to a replay state and return its log row (see :data:`LOG_COLUMNS`).

    Parameters
    ----------
    state : ReplayState
        Changed in place.
    ledger : Ledger
        The ledger the entry belongs to (for the file and line in messages).
    entry : Entry
    number : int
        The entry's 1-based number in the ledger.
    mode : {"strict", "replay"}
    seed : int
        Seed of the k-means of a split.

    Returns
    -------
    dict
        The log row. ``status`` is ``unmapped`` when the entry could not be applied (``reason`` says why);
        an applied entry that replaced an earlier label says so in ``reason`` too.

    Raises
    ------
    LedgerError
        In strict mode, when the entry cannot be applied.
    """
    where = ledger.where(entry, number)
    state.notice = ""
    resolved, apply_as, reason = _resolve_entry(state, entry, mode)
    if not reason:
        try:
            short = f"entry {number}" + (f" (line {entry.line})" if entry.line else "")
            reason = _apply_entry(state, apply_as, resolved, where, mode, seed, short) or ""
        except ValueError as err:
            reason = str(err)
    if reason and mode == "strict":
        raise LedgerError(f"{where}: {entry.describe()}: {reason}")
    status = "unmapped" if reason else ("remapped" if resolved != list(entry.topics) else "applied")
    return {
        "entry": number,
        "line": entry.line,
        "op": entry.op,
        "written": entry.describe(),
        "applied_to": ", ".join(map(str, resolved)) if not reason else "",
        "status": status,
        "reason": reason or state.notice,
        "author": entry.author,
        "time": entry.time,
        "rationale": entry.rationale or "",
    }


def _replaces(state: ReplayState, topic: int, label: str) -> None:
    """Record, in the entry's log row, that a label replaces one an earlier entry gave the topic."""
    if topic in state.custom and topic in state.labelled_by and state.labels.get(topic) != label:
        state.notice = (
            f"replaced the earlier label {state.labels.get(topic)!r} of topic {topic} (from {state.labelled_by[topic]})"
        )


def _apply_rename(
    state: ReplayState, entry: Entry, topics: list[int], check: Callable[[str, int], str | None], short: str, seed: int
) -> str | None:
    (t,) = topics
    problem = check(entry.label or "", t)
    if problem:
        return problem
    _replaces(state, t, str(entry.label))
    state.labels[t] = str(entry.label)
    state.custom.add(t)
    state.labelled_by[t] = short
    return None


def _apply_merge(
    state: ReplayState, entry: Entry, topics: list[int], check: Callable[[str, int], str | None], short: str, seed: int
) -> str | None:
    target = topics[0]
    problem = check(entry.label or "", target)
    if problem:
        return problem
    _replaces(state, target, str(entry.label))
    for t in topics[1:]:
        state.topic[state.topic == t] = target
        state.labels.pop(t, None)
        state.custom.discard(t)
        state.notes.setdefault(target, []).extend(state.notes.pop(t, []))
    state.labels[target] = str(entry.label)
    state.custom.add(target)
    state.labelled_by[target] = short
    state.words[target] = []
    return None


def _apply_drop(
    state: ReplayState, entry: Entry, topics: list[int], check: Callable[[str, int], str | None], short: str, seed: int
) -> str | None:
    (t,) = topics
    members = state.members(t)
    state.topic[members] = OUTLIER
    state.bucket[members] = entry.bucket.strip() if entry.bucket else OUTLIER_BUCKET
    state.labels.pop(t, None)
    state.custom.discard(t)
    state.dropped_by[t] = short
    return None


def _apply_split(
    state: ReplayState, entry: Entry, topics: list[int], check: Callable[[str, int], str | None], short: str, seed: int
) -> str | None:
    (t,) = topics
    new_ids = _split(state, t, int(entry.k or 2), seed)
    base = state.labels.get(t, str(t))
    for i, new in enumerate(new_ids):
        if entry.labels:
            problem = check(entry.labels[i], new)
            if problem:
                return problem
            state.labels[new] = entry.labels[i]
            state.custom.add(new)
        else:
            state.labels[new] = f"{base} ({i + 1}/{len(new_ids)})"
            state.custom.discard(new)
        state.words[new] = []
    return None


def _apply_note(
    state: ReplayState, entry: Entry, topics: list[int], check: Callable[[str, int], str | None], short: str, seed: int
) -> str | None:
    (t,) = topics
    state.notes.setdefault(t, []).append(f"{entry.text} ({entry.author})")
    return None


_OPERATIONS = {
    "rename": _apply_rename,
    "merge": _apply_merge,
    "drop": _apply_drop,
    "split": _apply_split,
    "note": _apply_note,
}


def _apply_entry(
    state: ReplayState, entry: Entry, topics: list[int], where: str, mode: str, seed: int, short: str
) -> str | None:
    """Apply one entry to the state; return why it could not be applied (replay mode), or None.

    A rename or merge of a topic that an earlier entry labelled replaces that label, in both modes, and says
    so in the entry's log row (``state.notice``): the later decision wins, never silently.
    """

    def check(label: str, topic: int) -> str | None:
        return _check_label(state, label, topic, where, mode)

    return _OPERATIONS[entry.op](state, entry, topics, check, short, seed)
