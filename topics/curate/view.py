"""The curated view: a model's topics after a ledger was applied, as the same tables as the raw model.

:func:`build_view` turns the final state of a ledger replay (the topic and set-aside bucket of every
remark, labels, notes) into a :class:`CuratedView`. Topics the ledger left unchanged keep the model's
own words and representative remarks; merged and split topics get c-TF-IDF words computed from the
model's cached document-term matrix (:meth:`topics.model.TopicModel.document_terms`).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from topics.clean import Deidentifier, mask_words, name_words
from topics.curate.ledger import Fingerprint
from topics.curate.state import ReplayState
from topics.model import OUTLIER, TopicModel, centroid_similarity, keyword_label
from topics.model.tables import central_order, normalise, representatives
from topics.model.words import class_tfidf_words

N_EXEMPLARS = 20
"""Exemplar remarks kept per curated topic (the fingerprint that finds it again after a refit)."""
LOG_COLUMNS = ["entry", "line", "op", "written", "applied_to", "status", "reason", "author", "time", "rationale"]


def decision_counts(log: pd.DataFrame) -> dict[str, int]:
    """How many ledger decisions were applied as written, remapped, or not applied.

    Parameters
    ----------
    log : pandas.DataFrame
        A replay log (:attr:`CuratedView.log`, :attr:`topics.curate.CurationSession.log`) with ``status``.

    Returns
    -------
    dict of str to int
        ``decisions`` (all entries), ``applied`` (on the topics they name), ``remapped`` (found again by
        fingerprint on other topic numbers: the ledger was written on another fit) and ``unmapped`` (not
        applied; the log's ``reason`` says why).
    """
    status = log["status"].astype(str) if "status" in log.columns else pd.Series(dtype=str)
    return {
        "decisions": len(log),
        "applied": int((status == "applied").sum()),
        "remapped": int((status == "remapped").sum()),
        "unmapped": int((status == "unmapped").sum()),
    }


def decision_summary(log: pd.DataFrame, mode: str | None = None, *, explain: bool = True) -> str:
    """What a ledger replay did, in one sentence, every status counted: never "N of N applied" for remapped ones.

    Parameters
    ----------
    log : pandas.DataFrame
        A replay log with ``status`` (see :func:`decision_counts`).
    mode : {"strict", "replay"}, optional
        How the ledger was replayed; ``replay`` (or any remapped decision) says that the ledger was written
        on another fit.
    explain : bool, default True
        Add that explanation (False where the caller says it already, as the workbench's mode line does).

    Returns
    -------
    str
        E.g. ``"31 decisions: 13 applied as written, 18 remapped to this model's topics (the ledger was written
        on another fit), 0 not applied"``; ``"no decisions"`` for an empty log.
    """
    n = decision_counts(log)
    if not n["decisions"]:
        return "no decisions"
    plural = "s" if n["decisions"] != 1 else ""
    remapped = f"{n['remapped']} remapped to this model's topics"
    if explain and (mode == "replay" or n["remapped"]):
        remapped += " (the ledger was written on another fit)"
    return (
        f"{n['decisions']} decision{plural}: {n['applied']} applied as written, {remapped}, {n['unmapped']} not applied"
    )


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
    buckets : pandas.DataFrame
        ``bucket``, ``remarks``: the set-aside buckets and the outliers.
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

    def decision_counts(self) -> dict[str, int]:
        """Decisions applied as written, remapped and not applied (see :func:`decision_counts`)."""
        return decision_counts(self.log)

    def decision_summary(self) -> str:
        """What the replay did, every status counted, in one sentence (see :func:`decision_summary`)."""
        return decision_summary(self.log, self.mode)

    def fingerprint(self, topic: int, *, mask_names: bool = True) -> Fingerprint:
        """The fingerprint of a curated topic: its top words and exemplar remark ids.

        Parameters
        ----------
        topic : int
        mask_names : bool, default True
            Replace the top words that are names in the topic's exemplar remarks by ``[NAME]``
            (:func:`masked_fingerprint_words`): the fingerprint goes into the ledger, a file experts share.
            False: the words as the model has them (the stable GUIDs of a REFI-QDA export hash them).

        Returns
        -------
        Fingerprint
        """
        row = self.topics.set_index("topic").loc[topic]
        words = [str(w) for w in list(row["words"])[:10]]
        exemplars = [str(x) for x in row["exemplar_ids"]]
        if mask_names and words:
            text_of = self._text_of()
            words = list(masked_fingerprint_words(tuple(words), tuple(text_of.get(x, "") for x in exemplars)))
        return Fingerprint(topic=int(topic), words=words, exemplars=exemplars)

    def _text_of(self) -> dict[str, str]:
        """Remark text by ``utterance_id`` of the topics' exemplar remarks (built once per view; only the
        exemplars: a dict of every remark cost 60 ms per action at 29k remarks)."""
        cached = self.__dict__.get("_text_by_id")
        if cached is None:
            a = self.assignments
            cached = {}
            if "text" in a:
                ids = a["utterance_id"].astype(str)
                wanted = {str(x) for exemplars in self.topics["exemplar_ids"] for x in exemplars}
                hit = ids.isin(wanted).to_numpy()
                cached = dict(zip(ids[hit].tolist(), a.loc[hit, "text"].astype(str).tolist(), strict=True))
            self.__dict__["_text_by_id"] = cached
        return cached

    def topic_similarity(self) -> pd.DataFrame:
        """Cosine similarity between curated topic centroids (outliers left out), indexed by topic."""
        return centroid_similarity(self.topic_ids, self.topic_embeddings)


@functools.lru_cache(maxsize=4096)
def masked_fingerprint_words(words: tuple[str, ...], exemplar_texts: tuple[str, ...]) -> tuple[str, ...]:
    """Top words with the names among them replaced by ``[NAME]``, judged on the topic's exemplar remarks.

    A word is a name when the rule-based de-identifier (:class:`topics.clean.Deidentifier` without NER, so the
    same on every machine) finds it in a name in those remarks and they write it capitalised more often than
    not, or when it follows a title ("dr fields" becomes "dr [NAME]"); see :func:`topics.clean.mask_words`.
    Replay matches a ``[NAME]`` word with any word (:func:`topics.curate.replay` ``_jaccard``).

    Parameters
    ----------
    words : tuple of str
    exemplar_texts : tuple of str

    Returns
    -------
    tuple of str
    """
    names = name_words(_rule_deidentifier(), [t for t in exemplar_texts if t])
    return tuple(mask_words(w, names) for w in words)


@functools.cache
def _rule_deidentifier() -> Deidentifier:
    return Deidentifier(use_ner=False)


def _members(labels: np.ndarray, ids: list[int]) -> dict[int, np.ndarray]:
    """Rows of each topic in ``ids`` (ascending), from one stable sort instead of a scan per topic."""
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    ids_arr = np.asarray(ids, dtype=labels.dtype)
    lo = np.searchsorted(ordered, ids_arr, side="left")
    hi = np.searchsorted(ordered, ids_arr, side="right")
    return {int(t): order[a:b] for t, a, b in zip(ids, lo, hi, strict=True)}


def _unchanged_topics(state: ReplayState, members: dict[int, np.ndarray], raw_ids: list[int]) -> dict[int, int]:
    """Curated topics whose remarks are exactly one raw topic's, mapped to that raw topic."""
    raw_members = _members(state.raw_topic, [int(t) for t in raw_ids if t != OUTLIER])
    by_size: dict[int, list[int]] = {}
    for r, rows in raw_members.items():
        by_size.setdefault(len(rows), []).append(r)
    unchanged: dict[int, int] = {}
    for t, rows in members.items():
        if t == OUTLIER:
            continue
        for r in by_size.get(len(rows), []):
            if np.array_equal(raw_members[r], rows):
                unchanged[t] = r
                break
    return unchanged


def _word_scores(
    model: TopicModel, unchanged: dict[int, int], fresh: dict[int, list[tuple[str, float]]], changed: list[int]
) -> pd.DataFrame:
    raw_scores = model.word_scores()
    curated_of = {r: t for t, r in unchanged.items()}
    position = {t: i for i, t in enumerate(unchanged)}
    kept = raw_scores[raw_scores["topic"].isin(curated_of)]
    kept = kept.assign(topic=kept["topic"].map(curated_of).astype(raw_scores["topic"].dtype))
    kept = kept.iloc[np.argsort(kept["topic"].map(position).to_numpy(), kind="stable")]
    rows = [kept] if unchanged else []
    for t in changed:
        rows.append(
            pd.DataFrame([{"topic": t, "word": w, "score": s, "rank": k} for k, (w, s) in enumerate(fresh.get(t, []))])
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["topic", "word", "score", "rank"])


GEOMETRY_CACHE = 20_000
"""Most topic geometries kept per session (each is a centroid and one cosine per remark of the topic)."""


def _geometry(state: ReplayState, members: dict[int, np.ndarray], ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Centroid of each topic (rows in ``ids`` order) and the cosine of every remark to its topic's centroid.

    A topic whose remarks are the same set as in an earlier view (most topics, after one action) is taken
    from ``state.geometry`` instead of being recomputed.
    """
    cache = state.geometry
    if len(cache) > GEOMETRY_CACHE:
        cache.clear()
    means = np.zeros((len(ids), state.unit.shape[1]), dtype=np.float64)
    sims = np.zeros(len(state.topic), dtype=np.float64)
    for i, t in enumerate(ids):
        rows = members[t]
        key = hashlib.blake2b(rows.tobytes(), digest_size=16).digest()
        hit = cache.get(key)
        if hit is None:
            vectors = state.unit[rows]
            mean = vectors.mean(axis=0)
            hit = (mean, vectors @ normalise(mean[None, :])[0])
            cache[key] = hit
        means[i] = hit[0]
        sims[rows] = hit[1]
    return means, sims


def _topic_rows(
    model: TopicModel,
    state: ReplayState,
    ids: list[int],
    members: dict[int, np.ndarray],
    sims: np.ndarray,
    unchanged: dict[int, int],
    fresh: dict[int, list[tuple[str, float]]],
) -> pd.DataFrame:
    raw = model.topics_
    raw_rows = dict(
        zip(
            raw["topic"].astype(int),
            zip(raw["words"], raw["representative_ids"], raw["representative_texts"], strict=True),
            strict=True,
        )
    )
    n = len(state.topic)
    n_rep = model.config.representation.n_representative
    rows = []
    for t in ids:
        rows_t = members[t]
        order = central_order(rows_t, sims[rows_t])
        if t in unchanged:
            raw_words, raw_ids, raw_texts = raw_rows[unchanged[t]]
            words = list(raw_words)
            rep_ids, rep_texts = list(raw_ids), list(raw_texts)
        else:
            words = [w for w, _ in fresh.get(t, [])] if t != OUTLIER else list(raw_rows.get(OUTLIER, ([],))[0])
            chosen = representatives(order, state.texts, n_rep)
            rep_ids, rep_texts = [str(state.ids[j]) for j in chosen], [str(state.texts[j]) for j in chosen]
        if t == OUTLIER:
            label = "outliers and set aside"
        elif t in state.custom:
            label = state.labels[t]
        else:
            label = state.labels.get(t) or keyword_label(words)
        rows.append(
            {
                "topic": t,
                "label": label,
                "size": len(rows_t),
                "share": len(rows_t) / n,
                "keywords": ", ".join(words),
                "words": words,
                "representative_ids": rep_ids,
                "representative_texts": rep_texts,
                "exemplar_ids": [str(state.ids[j]) for j in order[:N_EXEMPLARS]],
                "raw_topics": sorted({int(r) for r in np.unique(state.raw_topic[rows_t])}),
                "custom_label": t in state.custom,
                "notes": " | ".join(state.notes.get(t, [])),
            }
        )
    return pd.DataFrame(rows)


def _assignments(model: TopicModel, state: ReplayState, sims: np.ndarray, topics: pd.DataFrame) -> pd.DataFrame:
    label_of = pd.Series(topics["label"].to_numpy(dtype=object), index=topics["topic"].astype(np.int64).to_numpy())
    assignments = model.assignments_.copy(deep=False)  # copy-on-write: the model's table is never changed
    assignments["raw_topic"] = state.raw_topic
    assignments["raw_label"] = assignments["raw_topic"].map(model.topics_.set_index("topic")["label"])
    assignments["topic"] = state.topic
    topic_labels = label_of.reindex(state.topic).to_numpy(dtype=object)
    bucket = state.bucket.astype(str)
    assignments["label"] = np.where(bucket == "", topic_labels, bucket.astype(object))
    assignments["bucket"] = bucket
    assignments["similarity"] = sims
    return assignments


def build_view(model: TopicModel, state: ReplayState, log: pd.DataFrame, mode: str, path: str | None) -> CuratedView:
    """The curated view from the final state of a ledger replay.

    Parameters
    ----------
    model : TopicModel
        The fitted model the ledger was applied to.
    state : ReplayState
        Topic, bucket, labels and notes of every remark after the last entry.
    log : pandas.DataFrame
        What each entry did (columns :data:`LOG_COLUMNS`).
    mode : {"strict", "replay"}
    path : str or None
        The ledger file.

    Returns
    -------
    CuratedView
    """
    ids = sorted(int(t) for t in np.unique(state.topic))
    members = _members(state.topic, ids)
    unchanged = _unchanged_topics(state, members, model.topics_["topic"].astype(int).tolist())
    changed = [t for t in ids if t not in unchanged and t != OUTLIER]
    fresh: dict[int, list[tuple[str, float]]] = {}
    if changed:
        doc_terms, vocabulary = model.document_terms()
        fresh = class_tfidf_words(doc_terms, vocabulary, state.topic, model.config.representation.top_n_words)
    topic_centroids, sims = _geometry(state, members, ids)
    topics = _topic_rows(model, state, ids, members, sims, unchanged, fresh)
    assignments = _assignments(model, state, sims, topics)
    flows = (
        assignments.groupby(["raw_topic", "raw_label", "topic", "label", "bucket"], dropna=False)
        .size()
        .rename("remarks")
        .reset_index()
    )
    buckets = assignments[assignments["bucket"] != ""].groupby("bucket").size().rename("remarks").reset_index()
    return CuratedView(
        assignments=assignments,
        topics=topics,
        word_scores=_word_scores(model, unchanged, fresh, changed),
        topic_ids=ids,
        topic_embeddings=topic_centroids.astype(np.float32),
        log=log,
        flows=flows,
        mode=mode,
        ledger_path=path,
        buckets=buckets,
    )
