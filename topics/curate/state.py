"""The state of a ledger replay: topic, set-aside bucket, label and notes of every remark as entries apply."""

from __future__ import annotations

import numpy as np

from topics.model import OUTLIER, TopicModel

OUTLIER_BUCKET = "outliers"
"""The bucket of remarks without a topic that no entry set aside by name."""


class ReplayState:
    """Mutable state while a ledger is replayed: the topic, bucket, label and notes of every remark."""

    def __init__(self, model: TopicModel, embeddings: np.ndarray) -> None:
        raw = model.assignments_
        self.ids = raw["utterance_id"].astype(str).to_numpy()
        self.pos = {u: i for i, u in enumerate(self.ids)}
        self.texts = raw["text"].astype(str).to_numpy()
        self.raw_topic = raw["topic"].to_numpy().astype(np.int64)
        self.topic = self.raw_topic.copy()
        self.bucket = np.where(self.raw_topic == OUTLIER, OUTLIER_BUCKET, "").astype(object)
        raw_topics = model.topics_
        self.labels: dict[int, str] = {
            int(t): str(lab) for t, lab in zip(raw_topics["topic"], raw_topics["label"], strict=True) if t != OUTLIER
        }
        self.words: dict[int, list[str]] = {
            int(t): list(w) for t, w in zip(raw_topics["topic"], raw_topics["words"], strict=True)
        }
        self.custom: set[int] = set()
        self.dropped_by: dict[int, str] = {}
        self.labelled_by: dict[int, str] = {}
        self.notes: dict[int, list[str]] = {}
        self.next_id = max(self.labels, default=-1) + 1
        self.unit = embeddings / np.clip(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12, None)
        self.notice = ""
        self.geometry: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        """Centroid and remark cosines of a set of remarks, by the set: shared by copies, so that a view rebuilt
        after one action recomputes only the topics that action changed."""

    def copy(self) -> ReplayState:
        """A copy whose per-remark topics, buckets, labels and notes can change without touching this one.

        The remark ids, texts, raw topics and embeddings never change during a replay and are shared.
        """
        new = object.__new__(ReplayState)
        new.__dict__.update(self.__dict__)
        new.topic = self.topic.copy()
        new.bucket = self.bucket.copy()
        new.labels = dict(self.labels)
        new.words = {t: list(w) for t, w in self.words.items()}
        new.custom = set(self.custom)
        new.dropped_by = dict(self.dropped_by)
        new.labelled_by = dict(self.labelled_by)
        new.notes = {t: list(n) for t, n in self.notes.items()}
        return new

    def current(self) -> set[int]:
        """Topics that exist at this point of the replay."""
        return set(self.labels)

    def members(self, topic: int) -> np.ndarray:
        """Rows of the remarks now in ``topic``."""
        return np.flatnonzero(self.topic == topic)
