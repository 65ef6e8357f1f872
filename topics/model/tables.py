"""Topic geometry and tables shared by the raw model and the curated view.

Both the fitted model (:mod:`topics.model.topic_model`) and a curated view (:mod:`topics.curate`) describe
topics the same way: a centroid per topic (the mean unit-length remark embedding), the cosine of every
remark to its topic's centroid, the most central distinct remarks as representatives, and the cosine
similarity between topic centroids (for the intertopic map and the hierarchy). Those rules live here,
written once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

OUTLIER = -1
"""Topic number of remarks that belong to no topic."""


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def centroids(unit: np.ndarray, labels: np.ndarray, ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """Mean of the (unit-length) embeddings of each topic in ``ids``, one row per topic."""
    return np.vstack([unit[labels == t].mean(axis=0) for t in ids])


def centroid_similarity(topic_ids: Sequence[int], topic_embeddings: np.ndarray) -> pd.DataFrame:
    """Cosine similarity between topic centroids, outliers left out.

    Parameters
    ----------
    topic_ids : sequence of int
        Topic of each row of ``topic_embeddings``.
    topic_embeddings : numpy.ndarray
        Topic centroids.

    Returns
    -------
    pandas.DataFrame
        Square table indexed and labelled by topic, in the order of ``topic_ids``.
    """
    keep = [i for i, t in enumerate(topic_ids) if t != OUTLIER]
    ids = [int(topic_ids[i]) for i in keep]
    emb = np.asarray(topic_embeddings, dtype=np.float64)[keep]
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return pd.DataFrame(emb @ emb.T, index=pd.Index(ids, name="topic"), columns=ids)


def nearest_centroid_labels(labels: np.ndarray, unit: np.ndarray, threshold: float) -> np.ndarray:
    """Outliers (-1) moved to the topic with the most similar centroid, when the cosine is at least ``threshold``.

    Parameters
    ----------
    labels : numpy.ndarray
        Topic per remark, ``-1`` for outliers.
    unit : numpy.ndarray
        Unit-length embeddings, one row per remark.
    threshold : float

    Returns
    -------
    numpy.ndarray
        The labels with the outliers that pass the threshold reassigned.
    """
    labels = np.asarray(labels).copy()
    ids = np.array(sorted(set(labels.tolist()) - {OUTLIER}))
    out = labels == OUTLIER
    if len(ids) == 0 or not out.any():
        return labels
    sim = unit[out] @ normalise(centroids(unit, labels, ids)).T
    best = sim.argmax(axis=1)
    take = sim[np.arange(len(best)), best] >= threshold
    rows = np.flatnonzero(out)[take]
    labels[rows] = ids[best[take]]
    return labels


def central_order(members: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """Row numbers of a topic's members, most similar to the centroid first (ties kept in row order)."""
    return members[np.argsort(-similarity, kind="stable")]


def text_key(text: object) -> str:
    """The form of a remark used to tell repeats: lower case, punctuation and spacing ignored.

    ``"Okay. So, tell me more."`` and ``"okay so tell me more"`` have the same key.
    """
    return " ".join(re.sub(r"[^\w\s]", " ", re.sub("['\u2019]", "", str(text).lower())).replace("_", " ").split())


def representatives(order: Sequence[int] | np.ndarray, texts: Sequence[str] | np.ndarray, n: int) -> list[int]:
    """The first ``n`` rows of ``order`` whose texts differ (case, punctuation and spacing ignored).

    Parameters
    ----------
    order : sequence or array of int
        Rows, most central first (see :func:`central_order`).
    texts : sequence or array of str
        Text of every row.
    n : int
        How many to keep.

    Returns
    -------
    list of int
    """
    seen: set[str] = set()
    chosen: list[int] = []
    for i in order:
        if len(chosen) == n:
            break
        key = text_key(texts[i])
        if key not in seen:
            seen.add(key)
            chosen.append(int(i))
    return chosen


def data_hash(texts: pd.Series, ids: pd.Series) -> str:
    """SHA-256 over remark ids and texts, in order: the identity of the data a model was fitted on."""
    h = hashlib.sha256()
    for uid, text in zip(ids.astype(str), texts.astype(str), strict=True):
        h.update(uid.encode("utf-8") + b"\x1f" + text.encode("utf-8") + b"\x1e")
    return h.hexdigest()


def clustering_hash(ids: pd.Series, topics: pd.Series) -> str:
    """SHA-256 of the topic of every remark (with its id): the identity of one clustering."""
    h = hashlib.sha256()
    for uid, topic in zip(ids.astype(str), topics.astype(int), strict=True):
        h.update(f"{uid}\x1f{topic}\x1e".encode())
    return h.hexdigest()
