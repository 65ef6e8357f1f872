"""The curated view: a model's topics after a ledger was applied, as the same tables as the raw model.

:func:`build_view` turns the final state of a ledger replay (the topic and set-aside bucket of every
remark, labels, notes) into a :class:`CuratedView`. Topics the ledger left unchanged keep the model's
own words and representative remarks; merged and split topics get c-TF-IDF words computed from the
model's cached document-term matrix (:meth:`topics.model.TopicModel.document_terms`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from topics.curate.ledger import Fingerprint
from topics.curate.state import ReplayState
from topics.model import OUTLIER, TopicModel, centroid_similarity, keyword_label
from topics.model.tables import central_order, centroids, normalise, representatives
from topics.model.words import class_tfidf_words

N_EXEMPLARS = 20
"""Exemplar remarks kept per curated topic (the fingerprint that finds it again after a refit)."""
LOG_COLUMNS = ["entry", "line", "op", "written", "applied_to", "status", "reason", "author", "time", "rationale"]


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

    def fingerprint(self, topic: int) -> Fingerprint:
        """The fingerprint of a curated topic: its top words and exemplar remark ids."""
        row = self.topics.set_index("topic").loc[topic]
        return Fingerprint(topic=int(topic), words=list(row["words"])[:10], exemplars=list(row["exemplar_ids"]))

    def topic_similarity(self) -> pd.DataFrame:
        """Cosine similarity between curated topic centroids (outliers left out), indexed by topic."""
        return centroid_similarity(self.topic_ids, self.topic_embeddings)


def _unchanged_topics(state: ReplayState, ids: list[int], raw_ids: list[int]) -> dict[int, int]:
    """Curated topics whose remarks are exactly one raw topic's, mapped to that raw topic."""
    raw_members = {int(t): frozenset(np.flatnonzero(state.raw_topic == t)) for t in raw_ids}
    unchanged: dict[int, int] = {}
    for t in ids:
        if t == OUTLIER:
            continue
        members = frozenset(np.flatnonzero(state.topic == t))
        for r, rm in raw_members.items():
            if rm == members and r != OUTLIER:
                unchanged[t] = r
                break
    return unchanged


def _word_scores(model: TopicModel, unchanged: dict[int, int], fresh: dict[int, list[tuple[str, float]]],
                 changed: list[int]) -> pd.DataFrame:
    raw_scores = model.word_scores()
    rows = [raw_scores[raw_scores["topic"] == r].assign(topic=t) for t, r in unchanged.items()]
    for t in changed:
        rows.append(pd.DataFrame([{"topic": t, "word": w, "score": s, "rank": k}
                                  for k, (w, s) in enumerate(fresh.get(t, []))]))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["topic", "word", "score", "rank"])


def _topic_rows(model: TopicModel, state: ReplayState, ids: list[int], unit_centroids: np.ndarray,
                unchanged: dict[int, int], fresh: dict[int, list[tuple[str, float]]]) -> pd.DataFrame:
    raw_topics = model.topics_.set_index("topic")
    n = len(state.topic)
    n_rep = model.config.representation.n_representative
    rows = []
    for i, t in enumerate(ids):
        members = np.flatnonzero(state.topic == t)
        order = central_order(members, state.unit[members] @ unit_centroids[i])
        if t in unchanged:
            raw_row = raw_topics.loc[unchanged[t]]
            words = list(raw_row["words"])
            rep_ids, rep_texts = list(raw_row["representative_ids"]), list(raw_row["representative_texts"])
        else:
            words = [w for w, _ in fresh.get(t, [])] if t != OUTLIER else list(raw_topics["words"].get(OUTLIER, []))
            chosen = representatives(order, state.texts, n_rep)
            rep_ids, rep_texts = [str(state.ids[j]) for j in chosen], [str(state.texts[j]) for j in chosen]
        if t == OUTLIER:
            label = "outliers and set aside"
        elif t in state.custom:
            label = state.labels[t]
        else:
            label = state.labels.get(t) or keyword_label(words)
        rows.append({
            "topic": t, "label": label, "size": len(members), "share": len(members) / n,
            "keywords": ", ".join(words), "words": words, "representative_ids": rep_ids,
            "representative_texts": rep_texts, "exemplar_ids": [str(state.ids[j]) for j in order[:N_EXEMPLARS]],
            "raw_topics": sorted({int(r) for r in np.unique(state.raw_topic[members])}),
            "custom_label": t in state.custom, "notes": " | ".join(state.notes.get(t, [])),
        })
    return pd.DataFrame(rows)


def _assignments(model: TopicModel, state: ReplayState, ids: list[int], unit_centroids: np.ndarray,
                 topics: pd.DataFrame) -> pd.DataFrame:
    label_of = dict(zip(topics["topic"], topics["label"], strict=True))
    assignments = model.assignments_.copy()
    assignments["raw_topic"] = state.raw_topic
    assignments["raw_label"] = assignments["raw_topic"].map(model.topics_.set_index("topic")["label"])
    assignments["topic"] = state.topic
    assignments["label"] = [label_of[int(t)] if b == "" else str(b)
                            for t, b in zip(state.topic, state.bucket, strict=True)]
    assignments["bucket"] = state.bucket.astype(str)
    column = {t: i for i, t in enumerate(ids)}
    assignments["similarity"] = np.einsum("ij,ij->i", state.unit,
                                          unit_centroids[[column[int(t)] for t in state.topic]])
    return assignments


def build_view(model: TopicModel, state: ReplayState, log: pd.DataFrame, mode: str,
               path: str | None) -> CuratedView:
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
    ids = sorted(int(t) for t in set(state.topic.tolist()))
    unchanged = _unchanged_topics(state, ids, model.topics_["topic"].astype(int).tolist())
    changed = [t for t in ids if t not in unchanged and t != OUTLIER]
    fresh: dict[int, list[tuple[str, float]]] = {}
    if changed:
        doc_terms, vocabulary = model.document_terms()
        fresh = class_tfidf_words(doc_terms, vocabulary, state.topic, model.config.representation.top_n_words)
    topic_centroids = centroids(state.unit, state.topic, ids)
    unit_centroids = normalise(topic_centroids)
    topics = _topic_rows(model, state, ids, unit_centroids, unchanged, fresh)
    assignments = _assignments(model, state, ids, unit_centroids, topics)
    flows = (assignments.groupby(["raw_topic", "raw_label", "topic", "label", "bucket"], dropna=False)
             .size().rename("remarks").reset_index())
    buckets = assignments[assignments["bucket"] != ""].groupby("bucket").size().rename("remarks").reset_index()
    return CuratedView(
        assignments=assignments, topics=topics, word_scores=_word_scores(model, unchanged, fresh, changed),
        topic_ids=ids, topic_embeddings=topic_centroids.astype(np.float32), log=log, flows=flows, mode=mode,
        ledger_path=path, buckets=buckets,
    )
