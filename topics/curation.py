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

For notebooks, :class:`Curator` wraps a ledger file: ``cur.merge([1, 5], "Alcohol use")`` appends the
entry (with fingerprints), saves the file and re-applies it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from topics.ledger import Entry, Fingerprint, Ledger, LedgerError, now
from topics.model import OUTLIER, keyword_label

if TYPE_CHECKING:
    from topics.pipeline import Analysis

N_EXEMPLARS = 20
OUTLIER_BUCKET = "outliers"


@dataclass
class CuratedView:
    """A model's topics after a ledger was applied.

    Attributes
    ----------
    assignments : pandas.DataFrame
        The raw assignment table with ``raw_topic`` and ``raw_label`` added and ``topic``/``label``
        curated; ``bucket`` names where a remark without a topic went (``outliers`` or a set-aside
        bucket) and is empty for remarks in a topic.
    topics : pandas.DataFrame
        One row per curated topic (and ``-1`` for all remarks without a topic): ``topic``, ``label``,
        ``size``, ``share``, ``keywords``, ``words``, ``representative_ids``, ``representative_texts``,
        ``exemplar_ids``, ``raw_topics``, ``custom_label``, ``notes``.
    word_scores : pandas.DataFrame
        ``topic``, ``word``, ``score``, ``rank``: the model's own words for topics the ledger left
        unchanged, c-TF-IDF words for merged and split topics.
    topic_ids : list of int
    topic_embeddings : numpy.ndarray
        Centroids of the curated topics (rows in ``topic_ids`` order).
    log : pandas.DataFrame
        One row per ledger entry: ``entry``, ``line``, ``op``, ``written``, ``applied_to``, ``status``
        (``applied``, ``remapped`` or ``unmapped``), ``reason``, ``author``, ``time``, ``rationale``.
    flows : pandas.DataFrame
        ``raw_topic``, ``raw_label``, ``topic``, ``label``, ``bucket``, ``remarks``: where the remarks of
        each raw topic ended up.
    mode : {"strict", "replay"}
    ledger_path : str or None
    """

    assignments: pd.DataFrame
    topics: pd.DataFrame
    word_scores: pd.DataFrame
    topic_ids: list[int]
    topic_embeddings: np.ndarray
    log: pd.DataFrame
    flows: pd.DataFrame
    mode: str
    ledger_path: str | None = None
    buckets: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def survival(self) -> float:
        """Share of ledger entries that were applied (including remapped ones)."""
        if self.log.empty:
            return 1.0
        return float(self.log["status"].isin(["applied", "remapped"]).mean())

    def fingerprint(self, topic: int) -> Fingerprint:
        """The fingerprint of a curated topic: its top words and exemplar remark ids."""
        row = self.topics.set_index("topic").loc[topic]
        return Fingerprint(topic=int(topic), words=list(row["words"])[:10], exemplars=list(row["exemplar_ids"]))


class _State:
    """Mutable state while a ledger is replayed."""

    def __init__(self, analysis: Analysis, embeddings: np.ndarray) -> None:
        raw = analysis.model.assignments_
        self.ids = raw["utterance_id"].astype(str).to_numpy()
        self.pos = {u: i for i, u in enumerate(self.ids)}
        self.texts = raw["text"].astype(str).to_numpy()
        self.raw_topic = raw["topic"].to_numpy().astype(np.int64)
        self.topic = self.raw_topic.copy()
        self.bucket = np.where(self.raw_topic == OUTLIER, OUTLIER_BUCKET, "").astype(object)
        raw_topics = analysis.model.topics_
        self.labels: dict[int, str] = {int(t): str(lab) for t, lab in zip(raw_topics["topic"], raw_topics["label"],
                                                                          strict=True) if t != OUTLIER}
        self.words: dict[int, list[str]] = {int(t): list(w) for t, w in zip(raw_topics["topic"], raw_topics["words"],
                                                                            strict=True)}
        self.custom: set[int] = set()
        self.dropped_by: dict[int, str] = {}
        self.labelled_by: dict[int, str] = {}
        self.notes: dict[int, list[str]] = {}
        self.next_id = max(self.labels, default=-1) + 1
        self.unit = embeddings / np.clip(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12, None)

    def current(self) -> set[int]:
        return set(self.labels)

    def members(self, topic: int) -> np.ndarray:
        return np.flatnonzero(self.topic == topic)


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _resolve(state: _State, number: int, fp: Fingerprint | None, mode: str) -> tuple[int | None, str]:
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
    return None, (f"no topic holds enough of its exemplar remarks (best: topic {best} with {share:.0%}, "
                  f"{words:.0%} shared top words)")


def _check_label(state: _State, label: str, topic: int, where: str, mode: str) -> str | None:
    for other, existing in state.labels.items():
        if other != topic and other in state.custom and existing.strip().lower() == label.strip().lower():
            message = f"label {label!r} is already used by topic {other}"
            if mode == "strict":
                raise LedgerError(f"{where}: {message}")
            return message
    return None


def _split(state: _State, topic: int, k: int, seed: int) -> list[int]:
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


def topics_hash(analysis: Analysis) -> str:
    """SHA-256 of the raw model's topic of every remark (with its id): the identity of one clustering."""
    import hashlib

    raw = analysis.raw_assignments
    h = hashlib.sha256()
    for uid, topic in zip(raw["utterance_id"].astype(str), raw["topic"].astype(int), strict=True):
        h.update(f"{uid}\x1f{topic}\x1e".encode())
    return h.hexdigest()


def ledger_mode(analysis: Analysis, ledger: Ledger) -> Literal["strict", "replay"]:
    """``strict`` if the ledger was written on this very clustering (or says nothing), else ``replay``.

    The ledger's ``model`` records ``topics_sha256`` (the raw topic of every remark); older or
    hand-written ledgers may give only ``data_sha256`` and ``seed``, which are then compared.
    """
    stamp = ledger.model
    if stamp.get("topics_sha256"):
        return "strict" if stamp["topics_sha256"] == topics_hash(analysis) else "replay"
    man = analysis.model.manifest_
    data, seed = stamp.get("data_sha256"), stamp.get("seed")
    same = (data is None or data == man.get("data_sha256")) and (seed is None or seed == man.get("seed"))
    if same and ledger.entries and ledger.entries[0].fingerprints:
        # no clustering hash: the first entry's fingerprints (made on the raw topics) must still fit them
        raw = analysis.raw_assignments
        topic_of = dict(zip(raw["utterance_id"].astype(str), raw["topic"].astype(int), strict=True))
        for fp in ledger.entries[0].fingerprints:
            hits = [topic_of.get(x) == fp.topic for x in fp.exemplars if x in topic_of]
            if not hits or sum(hits) / len(hits) < 0.5:
                return "replay"
    return "strict" if same else "replay"


def apply_ledger(
    analysis: Analysis,
    ledger: Ledger | str | Path | None = None,
    *,
    mode: Literal["auto", "strict", "replay"] = "auto",
) -> CuratedView:
    """Replay a ledger on a fitted analysis; the raw model is not changed.

    Parameters
    ----------
    analysis : Analysis
        A fitted (or loaded) analysis.
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
    if ledger is None:
        ledger = Ledger()
    elif not isinstance(ledger, Ledger):
        ledger = Ledger.load(ledger)
    chosen = ledger_mode(analysis, ledger) if mode == "auto" else mode
    raw = analysis.model.assignments_
    embeddings = analysis.model.embed(raw["text"].astype(str).tolist()).astype(np.float64)
    state = _State(analysis, embeddings)
    seed = analysis.config.seed
    log_rows = []
    for number, entry in enumerate(ledger.entries, start=1):
        where = ledger.where(entry)
        prints = {fp.topic: fp for fp in entry.fingerprints}
        resolved: list[int] = []
        reason = ""
        for t in entry.topics:
            target, why = _resolve(state, t, prints.get(t), chosen)
            if target is None:
                reason = why if why.startswith(f"topic {t} ") else f"topic {t}: {why}"
                break
            resolved.append(target)
        apply_as = entry
        if not reason and len(set(resolved)) != len(resolved):
            if entry.op == "merge" and len(set(resolved)) == 1:
                # the refit model already joined these topics: the merge holds, only its label is applied
                resolved = resolved[:1]
                apply_as = dataclasses.replace(entry, op="rename", topics=resolved)
            else:
                reason = f"its topics {entry.topics} map onto the same topic now ({resolved})"
        if not reason:
            try:
                short = f"entry {number}" + (f" (line {entry.line})" if entry.line else "")
                reason = _apply_entry(state, apply_as, resolved, where, chosen, seed, short) or ""
            except ValueError as err:
                reason = str(err)
        if reason and chosen == "strict":
            raise LedgerError(f"{where}: {entry.describe()}: {reason}")
        status = "unmapped" if reason else ("remapped" if resolved != list(entry.topics) else "applied")
        log_rows.append({
            "entry": number, "line": entry.line, "op": entry.op, "written": entry.describe(),
            "applied_to": ", ".join(map(str, resolved)) if not reason else "", "status": status, "reason": reason,
            "author": entry.author, "time": entry.time, "rationale": entry.rationale or "",
        })
    return _build_view(analysis, state, pd.DataFrame(log_rows, columns=[
        "entry", "line", "op", "written", "applied_to", "status", "reason", "author", "time", "rationale"]),
        chosen, str(ledger.path) if ledger.path else None)


def _apply_entry(state: _State, entry: Entry, topics: list[int], where: str, mode: str, seed: int,
                 short: str) -> str | None:
    if entry.op in ("rename", "merge") and mode == "replay":
        for t in topics:
            if t in state.labelled_by:
                return (f"conflict: topic {t} already got the label {state.labels.get(t)!r} from "
                        f"{state.labelled_by[t]} (two earlier topics map onto one topic of this model)")
    if entry.op == "rename":
        (t,) = topics
        problem = _check_label(state, entry.label or "", t, where, mode)
        if problem:
            return problem
        state.labels[t] = str(entry.label)
        state.custom.add(t)
        state.labelled_by[t] = short
    elif entry.op == "merge":
        target = topics[0]
        problem = _check_label(state, entry.label or "", target, where, mode)
        if problem:
            return problem
        for t in topics[1:]:
            state.topic[state.topic == t] = target
            state.labels.pop(t, None)
            state.custom.discard(t)
            state.notes.setdefault(target, []).extend(state.notes.pop(t, []))
        state.labels[target] = str(entry.label)
        state.custom.add(target)
        state.labelled_by[target] = short
        state.words[target] = []
    elif entry.op == "drop":
        (t,) = topics
        members = state.members(t)
        state.topic[members] = OUTLIER
        state.bucket[members] = entry.bucket.strip() if entry.bucket else OUTLIER_BUCKET
        state.labels.pop(t, None)
        state.custom.discard(t)
        state.dropped_by[t] = short
    elif entry.op == "split":
        (t,) = topics
        new_ids = _split(state, t, int(entry.k or 2), seed)
        base = state.labels.get(t, str(t))
        for i, new in enumerate(new_ids):
            if entry.labels:
                problem = _check_label(state, entry.labels[i], new, where, mode)
                if problem:
                    return problem
                state.labels[new] = entry.labels[i]
                state.custom.add(new)
            else:
                state.labels[new] = f"{base} ({i + 1}/{len(new_ids)})"
                state.custom.discard(new)
            state.words[new] = []
    elif entry.op == "note":
        (t,) = topics
        state.notes.setdefault(t, []).append(f"{entry.text} ({entry.author})")
    return None


def _ctfidf(analysis: Analysis, texts: np.ndarray, topic: np.ndarray, top_n: int) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF top words of every topic in ``topic`` (outliers included as a class, as in BERTopic)."""
    from bertopic.vectorizers import ClassTfidfTransformer
    from scipy import sparse

    cache = analysis.__dict__.setdefault("_doc_term_cache", {})
    if "matrix" not in cache:
        vectorizer = analysis.model.make_vectorizer(len(texts))
        cache["matrix"] = vectorizer.fit_transform(list(texts))
        cache["vocab"] = np.asarray(vectorizer.get_feature_names_out())
    matrix, vocab = cache["matrix"], cache["vocab"]
    classes = np.unique(topic)
    index = {c: i for i, c in enumerate(classes)}
    rows = np.array([index[t] for t in topic])
    indicator = sparse.csr_matrix((np.ones(len(topic)), (rows, np.arange(len(topic)))), shape=(len(classes), len(topic)))
    weights = ClassTfidfTransformer().fit_transform(indicator @ matrix).toarray()
    out: dict[int, list[tuple[str, float]]] = {}
    for c, i in index.items():
        order = np.argsort(-weights[i])[:top_n]
        out[int(c)] = [(str(vocab[j]), float(weights[i, j])) for j in order if weights[i, j] > 0]
    return out


def _build_view(analysis: Analysis, state: _State, log: pd.DataFrame, mode: str, path: str | None) -> CuratedView:
    model = analysis.model
    raw_topics = model.topics_.set_index("topic")
    n = len(state.topic)
    ids = sorted(int(t) for t in set(state.topic.tolist()))
    raw_members = {int(t): frozenset(np.flatnonzero(state.raw_topic == t)) for t in raw_topics.index}
    unchanged: dict[int, int] = {}
    for t in ids:
        members = frozenset(np.flatnonzero(state.topic == t))
        for r, rm in raw_members.items():
            if rm == members and r != OUTLIER and t != OUTLIER:
                unchanged[t] = r
                break
    changed = [t for t in ids if t not in unchanged and t != OUTLIER]
    fresh = _ctfidf(analysis, state.texts, state.topic, model.config.representation.top_n_words) if changed else {}

    from topics.pipeline import topic_word_scores

    raw_scores = topic_word_scores(model)
    score_rows = [raw_scores[raw_scores["topic"] == r].assign(topic=t) for t, r in unchanged.items()]
    for t in changed:
        score_rows.append(pd.DataFrame([{"topic": t, "word": w, "score": s, "rank": k}
                                        for k, (w, s) in enumerate(fresh.get(t, []))]))
    word_scores = (pd.concat(score_rows, ignore_index=True) if score_rows
                   else pd.DataFrame(columns=["topic", "word", "score", "rank"]))

    centroids = np.vstack([state.unit[state.topic == t].mean(axis=0) for t in ids])
    unit_centroids = centroids / np.clip(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12, None)
    n_rep = model.config.representation.n_representative
    rows = []
    for i, t in enumerate(ids):
        members = np.flatnonzero(state.topic == t)
        sims = state.unit[members] @ unit_centroids[i]
        order = members[np.argsort(-sims, kind="stable")]
        exemplars = [str(state.ids[j]) for j in order[:N_EXEMPLARS]]
        if t in unchanged:
            raw_row = raw_topics.loc[unchanged[t]]
            words = list(raw_row["words"])
            rep_ids, rep_texts = list(raw_row["representative_ids"]), list(raw_row["representative_texts"])
        else:
            words = [w for w, _ in fresh.get(t, [])] if t != OUTLIER else list(raw_topics["words"].get(OUTLIER, []))
            seen: set[str] = set()
            rep_ids, rep_texts = [], []
            for j in order:
                key = " ".join(state.texts[j].lower().split())
                if key not in seen:
                    seen.add(key)
                    rep_ids.append(str(state.ids[j]))
                    rep_texts.append(str(state.texts[j]))
                if len(rep_ids) == n_rep:
                    break
        if t == OUTLIER:
            label = "outliers and set aside"
        elif t in state.custom:
            label = state.labels[t]
        elif t in unchanged:
            label = state.labels.get(t, keyword_label(words))
        else:
            label = state.labels.get(t) or keyword_label(words)
        origin = sorted({int(r) for r in np.unique(state.raw_topic[members])})
        rows.append({
            "topic": t, "label": label, "size": len(members), "share": len(members) / n,
            "keywords": ", ".join(words), "words": words, "representative_ids": rep_ids,
            "representative_texts": rep_texts, "exemplar_ids": exemplars, "raw_topics": origin,
            "custom_label": t in state.custom, "notes": " | ".join(state.notes.get(t, [])),
        })
    topics = pd.DataFrame(rows)
    label_of = dict(zip(topics["topic"], topics["label"], strict=True))

    assignments = model.assignments_.copy()
    assignments["raw_topic"] = state.raw_topic
    assignments["raw_label"] = assignments["raw_topic"].map(raw_topics["label"])
    assignments["topic"] = state.topic
    assignments["label"] = [label_of[int(t)] if b == "" else str(b) for t, b in zip(state.topic, state.bucket,
                                                                                      strict=True)]
    assignments["bucket"] = state.bucket.astype(str)
    assignments["similarity"] = np.einsum("ij,ij->i", state.unit,
                                          unit_centroids[[ids.index(int(t)) for t in state.topic]])

    flows = (assignments.groupby(["raw_topic", "raw_label", "topic", "label", "bucket"], dropna=False)
             .size().rename("remarks").reset_index())
    buckets = (assignments[assignments["bucket"] != ""].groupby("bucket").size().rename("remarks").reset_index())
    return CuratedView(
        assignments=assignments, topics=topics, word_scores=word_scores, topic_ids=ids,
        topic_embeddings=centroids.astype(np.float32), log=log, flows=flows, mode=mode, ledger_path=path,
        buckets=buckets,
    )


def ledger_for(analysis: Analysis) -> Ledger:
    """An empty ledger stamped with the analysis' data hash, seed and clustering hash."""
    man = analysis.model.manifest_
    return Ledger(model={"data_sha256": man.get("data_sha256"), "seed": man.get("seed"),
                         "topics_sha256": topics_hash(analysis)})


class Curator:
    """Curate topics from a notebook: each call appends an entry to the ledger file and re-applies it.

    Parameters
    ----------
    analysis : Analysis
        The fitted analysis.
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
    >>> cur = Curator(analysis, "runs/demo/ledger.yaml", author="A. Expert")
    >>> cur.rename(3, "Opening the session", rationale="greetings and agenda")
    >>> cur.merge([0, 4], "Smoking cessation")
    >>> cur.drop(2, bucket="small talk")
    >>> cur.view.topics
    """

    def __init__(self, analysis: Analysis, ledger: str | Path, *, author: str) -> None:
        self.analysis = analysis
        self.author = author
        path = Path(ledger)
        self.ledger = Ledger.load(path) if path.exists() else ledger_for(analysis)
        self.ledger.path = path
        self.view = apply_ledger(analysis, self.ledger)

    def _add(self, entry: Entry) -> CuratedView:
        entry.fingerprints = [self.view.fingerprint(t) for t in entry.topics]
        trial = copy.copy(self.ledger)
        trial.entries = [*self.ledger.entries, entry]
        view = apply_ledger(self.analysis, trial)  # raises before anything is saved
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

    def split(self, topic: int, k: int, *, labels: Sequence[str] | None = None,
              rationale: str | None = None) -> CuratedView:
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
        self.view = apply_ledger(self.analysis, self.ledger)
        return self.view
