"""The main job, one way through: corpus -> remarks -> embeddings -> topic model -> :class:`Analysis`.

>>> import topics
>>> analysis = topics.fit(topics.load_corpus("demo"), out="runs/demo")     # doctest: +SKIP

:func:`fit` calls each stage in turn (:mod:`topics.read`, :mod:`topics.clean`, :mod:`topics.embed`,
:mod:`topics.model`), times them, and writes the run folder (:meth:`topics.analysis.Analysis.save`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd

from topics.analysis import Analysis
from topics.clean import Deidentifier, drop_counts, select_remarks
from topics.config import TopicConfig
from topics.embed import Embedder
from topics.model import TopicModel, document_layout
from topics.read import corpus_summary, refuse_reserved, validate_corpus
from topics.runs import check_output_folder


def group_summary(corpus: pd.DataFrame, remarks: pd.DataFrame, by: str | None) -> list[dict[str, Any]]:
    """Sessions, utterances and modelled remarks per group of a metadata column (empty without one)."""
    if by is None or by not in corpus.columns:
        return []
    sessions = corpus.groupby(by, dropna=False)["session_id"].nunique()
    utts = corpus.groupby(by, dropna=False).size()
    rem = remarks.groupby(by, dropna=False).size()
    return [
        {"group": str(g), "sessions": int(sessions[g]), "utterances": int(utts[g]), "remarks": int(rem.get(g, 0))}
        for g in sessions.index
    ]


def _summary(corpus: pd.DataFrame, remarks: pd.DataFrame, by: str | None) -> dict[str, Any]:
    summary: dict[str, Any] = dict(corpus_summary(corpus))
    summary["remarks"] = len(remarks)
    summary["compare_by"] = by
    summary["groups"] = group_summary(corpus, remarks, by)
    summary["corpora"] = sorted(corpus["corpus"].dropna().astype(str).unique()) if "corpus" in corpus.columns else []
    return summary


def fit(
    corpus: pd.DataFrame,
    config: TopicConfig | None = None,
    *,
    out: str | Path | None = None,
    embedder: Embedder | None = None,
) -> Analysis:
    """Run the whole analysis on a corpus.

    Parameters
    ----------
    corpus : pandas.DataFrame
        An utterance table (from :func:`topics.load_corpus`); validated again here.
    config : TopicConfig, optional
        Settings; defaults if omitted.
    out : str or Path, optional
        Run folder to write (atomically); nothing is written if omitted. A new or empty folder, or a run
        folder (a refit keeps your files in it: :func:`topics.runs.carry_over_user_files`).
    embedder : Embedder, optional
        Embedding backend (shares its cache and loaded model between calls).

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        Bad corpus, no therapist remarks, too few remarks to model; ``out`` holds files and is not a run
        folder (checked first, :func:`topics.runs.check_output_folder`); a ``[compare]`` by, strata or cluster
        that names a column the toolkit writes (``topic``, ...). Raised before anything is written.
    """
    if out is not None:
        check_output_folder(out)
    config = config or TopicConfig()
    refuse_reserved(config.compare.by, config.compare.strata, config.compare.cluster)  # before minutes of fitting
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    corpus = validate_corpus(corpus)
    remarks, dropped = select_remarks(corpus, config.cleaning)
    if config.cleaning.deidentify:
        t0 = time.perf_counter()
        deid = Deidentifier(known_names=config.deidentify.known_names, use_ner=config.deidentify.ner)
        remarks["text"] = deid.scrub_many(remarks["text"].astype(str).tolist())
        dropped["text"] = deid.scrub_many(dropped["text"].astype(str).tolist())
        timings["deidentify_s"] = time.perf_counter() - t0
    embedder = embedder or Embedder(config.embedding)
    t0 = time.perf_counter()
    embeddings = embedder.embed(remarks["text"].tolist())
    timings["embed_s"] = time.perf_counter() - t0
    timings["embedded_new"] = float(embedder.n_computed_)
    t0 = time.perf_counter()
    model = TopicModel(config, embedder=embedder).fit(remarks, embeddings)
    timings["model_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    layout = document_layout(model, config.seed, embeddings)
    timings["layout_s"] = time.perf_counter() - t0
    summary = _summary(corpus, remarks, config.compare.by)
    timings["total_s"] = time.perf_counter() - t_all
    analysis = Analysis(
        model=model,
        summary=summary,
        drop_counts=drop_counts(corpus, remarks, dropped),
        dropped=dropped,
        document_map=layout,
        timings=timings,
    )
    if out is not None:
        analysis.save(out)
    return analysis
