"""What runs on the Dask workers: cleaning, assignment, word and drop counts of one partition.

Each worker process loads the saved model folder once (:meth:`topics.model.TopicModel.load`, the safe loader;
the model never travels pickled) and keeps it, with its embedder and scrubber, for every later partition.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics.clean import Deidentifier, drop_counts, select_remarks
from topics.config import EmbeddingConfig, TopicConfig
from topics.embed import Embedder
from topics.model import TopicModel
from topics.read.files import _apply_mapping

ASSIGNMENT_COLUMNS = ("utterance_id", "session_id", "turn", "speaker_id", "topic", "label", "similarity", "text")
"""Columns of the partitioned assignment table, before the metadata columns."""
SENTINEL_ID = "\x00topics-sentinel"
SENTINEL_TEXT = " ".join(["sentinel remark that keeps the drop account of a partition complete"] * 5)

NO_VALUE = "\U0010ffff" * 4
"""Stands for a missing metadata value in :func:`session_partition` (sorts after every real value)."""

_WORKER_STATE: dict[tuple[str, str], Any] = {}
_WORKER_LOCK = threading.Lock()


def preload() -> bool:
    """Import the model stack on a worker ahead of its first partition (run while the driver fits the sample)."""
    import bertopic  # noqa: F401
    import sentence_transformers  # noqa: F401

    from topics.model import backend  # noqa: F401

    return True


def clean_partition(
    raw: pd.DataFrame, config: TopicConfig, role_values: dict[str, str] | None, source: str, *, scrub: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Validated utterances, kept remarks and dropped rows of one partition (empty frames when none).

    Remarks are de-identified when ``[cleaning] deidentify`` is on and ``scrub`` (the drop account needs no
    scrubbing: it keeps counts only).
    """
    if raw.empty:
        return raw, pd.DataFrame(), pd.DataFrame(columns=["utterance_id", "session_id", "reason", "text"])
    corpus = _apply_mapping(
        raw.reset_index(drop=True), path=Path(source), lines=None, mapping=None, role_values=role_values
    )
    if not (corpus["role"] == "therapist").any():  # a partition of client turns only
        return corpus, pd.DataFrame(), pd.DataFrame(columns=["utterance_id", "session_id", "reason", "text"])
    # one sentinel remark that survives every rule, so that a partition whose remarks are all dropped still
    # gets its drop account (select_remarks refuses a corpus with nothing left); taken out again below
    sentinel = corpus.iloc[:1].copy()
    sentinel[["utterance_id", "session_id", "speaker_id"]] = SENTINEL_ID
    sentinel["role"] = "therapist"
    sentinel["text"] = SENTINEL_TEXT
    remarks, dropped = select_remarks(pd.concat([corpus, sentinel], ignore_index=True), config.cleaning)
    remarks = remarks[remarks["utterance_id"] != SENTINEL_ID].reset_index(drop=True)
    if scrub and config.cleaning.deidentify and len(remarks):
        remarks["text"] = _worker_deidentifier(config).scrub_many(remarks["text"].astype(str).tolist())
    return corpus, remarks, dropped


def _worker_deidentifier(config: TopicConfig) -> Deidentifier:
    key = ("deid", json.dumps([sorted(config.deidentify.known_names), config.deidentify.ner]))
    with _WORKER_LOCK:
        if key not in _WORKER_STATE:
            _WORKER_STATE[key] = Deidentifier(known_names=config.deidentify.known_names, use_ner=config.deidentify.ner)
        return _WORKER_STATE[key]


def _worker_model(model_dir: str, embedding: dict[str, Any]) -> TopicModel:
    """The saved model, loaded once per worker process (safe loader, no pickle) with its own embedder."""
    key = (model_dir, json.dumps(embedding, sort_keys=True))
    with _WORKER_LOCK:
        if key not in _WORKER_STATE:
            embedder = Embedder(EmbeddingConfig(**embedding), show_progress=False)
            _WORKER_STATE[key] = TopicModel.load(model_dir, embedder=embedder)
        return _WORKER_STATE[key]


def assign_partition(
    raw: pd.DataFrame,
    model_dir: str,
    config_dict: dict[str, Any],
    embedding: dict[str, Any],
    role_values: dict[str, str] | None,
    source: str,
    meta: pd.DataFrame,
) -> pd.DataFrame:
    """Clean one partition and assign its remarks to the saved model's topics (``TopicModel.transform``).

    Parameters
    ----------
    raw : pandas.DataFrame
        Rows of the partition, toolkit column names.
    model_dir : str
        The saved model folder, loaded once per worker.
    config_dict : dict
        The run's config (:meth:`TopicConfig.to_dict`).
    embedding : dict
        The embedding settings, cache folder absolute.
    role_values : dict or None
        Extra role labels.
    source : str
        The input, named in error messages.
    meta : pandas.DataFrame
        Empty frame with the output columns and types.

    Returns
    -------
    pandas.DataFrame
        One row per kept remark: ids, ``topic``, ``label``, ``similarity``, ``text``, metadata as text.
    """
    config = TopicConfig.from_dict(config_dict)
    _, remarks, _ = clean_partition(raw, config, role_values, source)
    if remarks.empty:
        return meta.iloc[:0].copy()
    model = _worker_model(model_dir, embedding)
    assigned = model.transform(remarks["text"])
    out = pd.DataFrame({c: remarks[c].astype(str) for c in ("utterance_id", "session_id")})
    out["turn"] = remarks["turn"].astype("int64")
    out["speaker_id"] = remarks["speaker_id"].astype(str)
    out["topic"] = assigned["topic"].to_numpy()
    out["label"] = assigned["label"].astype(str).to_numpy()
    out["similarity"] = assigned["similarity"].to_numpy()
    out["text"] = remarks["text"].astype(str).to_numpy()
    for column in meta.columns[len(ASSIGNMENT_COLUMNS) :]:
        out[column] = remarks[column].astype("string") if column in remarks.columns else pd.NA
    return out[list(meta.columns)].astype(meta.dtypes.to_dict())


def drop_partition(
    raw: pd.DataFrame, config_dict: dict[str, Any], role_values: dict[str, str] | None, source: str
) -> pd.DataFrame:
    """The drop account (``step``, ``count``) of one partition, as :func:`topics.clean.drop_counts` counts it."""
    config = TopicConfig.from_dict(config_dict)
    corpus, remarks, dropped = clean_partition(raw, config, role_values, source, scrub=False)
    if corpus.empty:
        return pd.DataFrame({"step": pd.Series(dtype=str), "count": pd.Series(dtype="int64")})
    table = drop_counts(corpus, remarks, dropped)
    return table[["step", "count"]].astype({"count": "int64"})


def word_partition(part: pd.DataFrame, model_dir: str, embedding: dict[str, Any]) -> pd.DataFrame:
    """Word counts per topic of one partition, with the sample's vocabulary (as the curated view counts)."""
    empty = pd.DataFrame(
        {"topic": pd.Series(dtype="int64"), "word": pd.Series(dtype=str), "n": pd.Series(dtype="int64")}
    )
    if part.empty:
        return empty
    model = _worker_model(model_dir, embedding)
    with _WORKER_LOCK:
        if (model_dir, "vectorizer") not in _WORKER_STATE:
            texts = model.assignments_["text"].astype(str).tolist()
            vectorizer = model.make_vectorizer(len(texts)).fit(texts)
            _WORKER_STATE[(model_dir, "vectorizer")] = (vectorizer, np.asarray(vectorizer.get_feature_names_out()))
        vectorizer, vocabulary = _WORKER_STATE[(model_dir, "vectorizer")]
    matrix = vectorizer.transform(part["text"].astype(str).tolist())
    topics_ = part["topic"].to_numpy()
    frames = []
    for topic in np.unique(topics_):
        sums = np.asarray(matrix[topics_ == topic].sum(axis=0)).ravel()
        nz = sums.nonzero()[0]
        frames.append(pd.DataFrame({"topic": np.int64(topic), "word": vocabulary[nz], "n": sums[nz].astype("int64")}))
    return pd.concat(frames, ignore_index=True) if frames else empty


def session_partition(part: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per session of one partition: modelled remarks and the smallest and largest value of each column.

    A column is session-level when, over all partitions, its smallest and largest value agree in every session
    (missing values aside): the driver learns that from one row per session, whatever the corpus size.

    Parameters
    ----------
    part : pandas.DataFrame
        Rows of the partitioned assignment table.
    columns : list of str
        The metadata columns; output columns are ``min{i}`` and ``max{i}`` for the i-th (user column names
        never become output names).

    Returns
    -------
    pandas.DataFrame
        ``session_id``, ``remarks``, ``min0``, ``max0``, ...
    """
    out = {"session_id": pd.Series(dtype=str), "remarks": pd.Series(dtype="int64")}
    for i in range(len(columns)):
        out[f"min{i}"] = pd.Series(dtype=str)
        out[f"max{i}"] = pd.Series(dtype=str)
    if part.empty:
        return pd.DataFrame(out)
    # missing values never win: the largest string for the minimum, the smallest for the maximum (so a session
    # of missing values only has min = NO_VALUE)
    frame = pd.DataFrame({"session_id": part["session_id"].astype(str).to_numpy()})
    for i, column in enumerate(columns):
        text = part[column].astype(object).where(part[column].notna(), None)
        frame[f"lo{i}"] = text.fillna(NO_VALUE).astype(str).to_numpy()
        frame[f"hi{i}"] = text.fillna("").astype(str).to_numpy()
    grouped = frame.groupby("session_id", sort=False)
    table = pd.DataFrame({"remarks": grouped.size().astype("int64")})
    for i in range(len(columns)):
        table[f"min{i}"] = grouped[f"lo{i}"].min()
        table[f"max{i}"] = grouped[f"hi{i}"].max()
    return table.reset_index()[list(out)].astype({name: series.dtype for name, series in out.items()})
