"""The main job: corpus -> remarks -> embeddings -> topic model -> tables, saved as one run folder.

:func:`fit` runs every step and returns an :class:`Analysis`; :meth:`Analysis.save` writes the run
folder atomically (into a temporary folder first, then moved into place, so a failed or interrupted
run never leaves a half-written folder nor destroys the previous one). Layout of a run folder::

    model/                 the TopicModel (BERTopic safetensors, assignments, topics, config, manifest)
    corpus_summary.json    sessions, utterances, remarks per role and group
    drop_counts.csv        every utterance accounted for: client turns, drops by reason, remarks kept
    dropped.parquet        the dropped therapist utterances with their reason
    document_map.parquet   2-D coordinates of every remark (for the document map)
    assignments.csv        per-remark table: utterance_id, session_id, topic, label, probability, ...
    topics.csv             per-topic table: topic, label, size, share, keywords, representative remarks
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from topics.config import TopicConfig
from topics.corpus import corpus_summary, validate_corpus
from topics.embeddings import Embedder
from topics.errors import InputError
from topics.model import TopicModel
from topics.preprocess import drop_counts, select_remarks

if TYPE_CHECKING:
    from topics.curation import CuratedView
    from topics.ledger import Ledger

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Analysis:
    """A fitted topic analysis of one corpus: the model and the tables around it.

    Attributes
    ----------
    model : TopicModel
        The fitted model (``model.bertopic_`` is the BERTopic object).
    summary : dict
        Corpus counts (see :func:`topics.corpus.corpus_summary`) plus per-group session and remark counts.
    drop_counts : pandas.DataFrame
        Every utterance accounted for (see :func:`topics.preprocess.drop_counts`).
    dropped : pandas.DataFrame
        Therapist utterances left out, with their reason.
    document_map : pandas.DataFrame
        ``utterance_id``, ``x``, ``y``: a 2-D UMAP layout of the remarks.
    timings : dict
        Seconds spent per step.
    """

    model: TopicModel
    summary: dict[str, Any]
    drop_counts: pd.DataFrame
    dropped: pd.DataFrame
    document_map: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    curation: CuratedView | None = None

    @property
    def assignments(self) -> pd.DataFrame:
        """Per-remark table: curated when a ledger was applied (:meth:`curate`), else the raw model's."""
        return self.curation.assignments if self.curation is not None else self.model.assignments_

    @property
    def topics(self) -> pd.DataFrame:
        """Per-topic table: curated when a ledger was applied, else the raw model's."""
        return self.curation.topics if self.curation is not None else self.model.topics_

    @property
    def raw_assignments(self) -> pd.DataFrame:
        """The raw model's per-remark table, whatever the curation."""
        return self.model.assignments_

    @property
    def raw_topics(self) -> pd.DataFrame:
        """The raw model's per-topic table, whatever the curation."""
        return self.model.topics_

    @property
    def topic_ids(self) -> list[int]:
        """Topics (curated or raw) in the row order of :attr:`topic_embeddings`."""
        return self.curation.topic_ids if self.curation is not None else self.model.topic_ids_

    @property
    def topic_embeddings(self) -> np.ndarray:
        """Topic centroids (curated or raw)."""
        return self.curation.topic_embeddings if self.curation is not None else self.model.topic_embeddings_

    def word_scores(self) -> pd.DataFrame:
        """Top words per topic with weights (curated or raw): ``topic``, ``word``, ``score``, ``rank``."""
        return self.curation.word_scores if self.curation is not None else topic_word_scores(self.model)

    def curate(self, ledger: Ledger | str | Path | None, *, mode: str = "auto") -> Analysis:
        """A copy of this analysis with a curation ledger applied (``None``: back to the raw view).

        Parameters
        ----------
        ledger : Ledger, str, Path or None
            The ledger (see :mod:`topics.ledger`).
        mode : {"auto", "strict", "replay"}
            See :func:`topics.curation.apply_ledger`.

        Returns
        -------
        Analysis
            Same model; :attr:`assignments` and :attr:`topics` now give the curated view.
        """
        from topics.curation import apply_ledger

        view = None if ledger is None else apply_ledger(self, ledger, mode=mode)  # type: ignore[arg-type]
        return replace(self, curation=view)

    @property
    def config(self) -> TopicConfig:
        """The configuration the analysis was fitted with."""
        return self.model.config

    def save(self, folder: str | Path) -> Path:
        """Write the run folder atomically.

        Everything is written into a temporary folder beside ``folder`` and moved into place at the
        end; an existing run folder is replaced only once the new one is complete.

        Parameters
        ----------
        folder : str or Path
            The run folder.

        Returns
        -------
        Path
            The run folder.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
        try:
            self.model.save(tmp / "model")
            (tmp / "corpus_summary.json").write_text(json.dumps(self.summary, indent=2), encoding="utf-8")
            self.drop_counts.to_csv(tmp / "drop_counts.csv", index=False)
            self.dropped.to_parquet(tmp / "dropped.parquet", index=False)
            self.document_map.to_parquet(tmp / "document_map.parquet", index=False)
            (tmp / "timings.json").write_text(json.dumps(self.timings, indent=2), encoding="utf-8")
            export_csv(assignment_table(self.raw_assignments), tmp / "assignments.csv")
            export_csv(topic_table(self.raw_topics), tmp / "topics.csv")
            _carry_over_user_files(folder, tmp)
            replace_folder(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, embedder: Embedder | None = None) -> Analysis:
        """Read a run folder written by :meth:`save`.

        Parameters
        ----------
        folder : str or Path
            The run folder.
        embedder : Embedder, optional
            Embedding backend for ``model.transform``; built from the saved config if omitted.

        Returns
        -------
        Analysis

        Raises
        ------
        InputError
            The folder is missing or incomplete.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError("no such run folder", path=folder)
        for name in ("model", "corpus_summary.json", "drop_counts.csv", "dropped.parquet", "document_map.parquet"):
            if not (folder / name).exists():
                raise InputError(f"not a run folder written by `topics fit`: {name} is missing", path=folder)
        timings_path = folder / "timings.json"
        return cls(
            model=TopicModel.load(folder / "model", embedder=embedder),
            summary=json.loads((folder / "corpus_summary.json").read_text(encoding="utf-8")),
            drop_counts=pd.read_csv(folder / "drop_counts.csv"),
            dropped=pd.read_parquet(folder / "dropped.parquet"),
            document_map=pd.read_parquet(folder / "document_map.parquet"),
            timings=json.loads(timings_path.read_text(encoding="utf-8")) if timings_path.exists() else {},
        )


GENERATED_FILES = frozenset({"model", "corpus_summary.json", "drop_counts.csv", "dropped.parquet",
                             "document_map.parquet", "timings.json", "assignments.csv", "topics.csv", "report.html"})
FIGURE_NAMES = frozenset({"topic_sizes", "top_words", "intertopic_map", "hierarchy", "document_map", "group_shares",
                          "curation"})


def _carry_over_user_files(old: Path, new: Path) -> None:
    """Copy what the user keeps in a run folder (a curation ledger, worksheets, notes) into its replacement.

    A refit replaces the files the toolkit writes; everything else in the old run folder (the ledger
    above all) is copied into the new one, so no expert work is lost.
    """
    if not old.is_dir():
        return
    for item in old.iterdir():
        figure = item.stem in FIGURE_NAMES or item.stem.startswith("compare_")
        generated = item.name in GENERATED_FILES or (figure and item.is_file())
        if generated or item.name.startswith(".") or (new / item.name).exists():
            continue
        if item.is_dir():
            shutil.copytree(item, new / item.name)
        else:
            shutil.copy2(item, new / item.name)


def replace_folder(new: Path, target: Path) -> None:
    """Move a complete folder ``new`` to ``target``, replacing an existing ``target`` only at the end."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _guard_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def export_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV with spreadsheet formula injection guarded.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
    apostrophe, so a spreadsheet shows them as text instead of evaluating them.

    Parameters
    ----------
    table : pandas.DataFrame
    path : str or Path

    Returns
    -------
    Path
    """
    safe = table.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            try:
                risky = safe[col].str.startswith(CSV_FORMULA_PREFIXES, na=False).astype(bool)
            except AttributeError:  # no text in the column at all
                continue
            if risky.any():
                safe[col] = safe[col].where(~risky, safe[col].map(_guard_cell))
    safe.to_csv(path, index=False)
    return Path(path)


def assignment_table(assignments: pd.DataFrame) -> pd.DataFrame:
    """The per-remark table for export: ids and topic columns first, then metadata and text."""
    first = ["utterance_id", "session_id", "turn", "speaker_id", "topic", "label", "probability", "similarity",
             "outlier_reassigned"]
    rest = [c for c in assignments.columns if c not in first and c not in ("role", "text")]
    return assignments[[c for c in first if c in assignments.columns] + rest + ["text"]]


def topic_table(topics: pd.DataFrame) -> pd.DataFrame:
    """The per-topic table for export: list columns joined into text."""
    out = topics.drop(columns=[c for c in ("words", "scores", "exemplar_ids") if c in topics.columns]).copy()
    out["representative_ids"] = out["representative_ids"].map(" | ".join)
    out["representative_texts"] = out["representative_texts"].map(" | ".join)
    if "raw_topics" in out.columns:
        out["raw_topics"] = out["raw_topics"].map(lambda ts: ", ".join(str(t) for t in ts))
    return out


def group_summary(corpus: pd.DataFrame, remarks: pd.DataFrame, by: str | None) -> list[dict[str, Any]]:
    """Sessions, utterances and modelled remarks per group of a metadata column."""
    if by is None or by not in corpus.columns:
        return []
    sessions = corpus.groupby(by, dropna=False)["session_id"].nunique()
    utts = corpus.groupby(by, dropna=False).size()
    rem = remarks.groupby(by, dropna=False).size()
    return [
        {"group": str(g), "sessions": int(sessions[g]), "utterances": int(utts[g]), "remarks": int(rem.get(g, 0))}
        for g in sessions.index
    ]


LAYOUT_SETTINGS = {"n_neighbors": 15, "min_dist": 0.1, "n_epochs": 100}
"""UMAP settings of the 2-D document map (fewer epochs than the clustering reduction: it is only looked at)."""


def document_layout(model: TopicModel, seed: int, embeddings: np.ndarray | None = None) -> pd.DataFrame:
    """2-D UMAP layout of the remarks for the document map.

    The layout reuses the model's neighbour graph (see :mod:`topics.reduction`) and starts from a PCA of
    its 5-D reduction, so it costs a fraction of a fresh UMAP; it is cached like the reduction.

    Parameters
    ----------
    model : TopicModel
        A freshly fitted model (its UMAP reduction is still in memory).
    seed : int
        UMAP random state.
    embeddings : numpy.ndarray, optional
        The remarks' embeddings, needed when the neighbour graph is not in memory (reduction read from
        the cache); without them the layout is computed from the 5-D reduction alone.

    Returns
    -------
    pandas.DataFrame
        ``utterance_id``, ``x``, ``y``.
    """
    from sklearn.decomposition import PCA
    from umap import UMAP

    from topics.reduction import ReductionCache, embeddings_digest, neighbour_graph, without_index_warning

    umap_model = getattr(model, "reduction_", None)
    reduced = getattr(umap_model, "embedding_", None)
    if reduced is None:
        raise RuntimeError("the model's UMAP reduction is not available (was the model loaded from disk?)")
    reduced = np.asarray(reduced, dtype=np.float32)
    n = len(reduced)
    k = min(LAYOUT_SETTINGS["n_neighbors"], n - 1)
    folder = model.reduction_cache_dir()
    cache = ReductionCache(folder) if folder is not None else None
    metric = model.config.umap.metric
    key = ReductionCache.key(reduced=embeddings_digest(reduced), seed=seed, k=k, metric=metric,
                             embeddings=embeddings is not None, **LAYOUT_SETTINGS)
    hit = cache.load("layout", key) if cache is not None else None
    if hit is not None and hit["coords"].shape == (n, 2):
        coords = hit["coords"]
    else:
        knn = getattr(umap_model, "knn_", None)
        if knn is None and embeddings is not None:
            knn = neighbour_graph(embeddings, k, metric, cache=cache)
        if knn is not None:
            knn = (knn[0][:, :k], knn[1][:, :k], None)
            init = PCA(n_components=2, svd_solver="full").fit_transform(reduced)
            layout = UMAP(n_neighbors=k, n_components=2, min_dist=LAYOUT_SETTINGS["min_dist"], metric=metric,
                          n_epochs=LAYOUT_SETTINGS["n_epochs"], init=init, random_state=seed, n_jobs=1,
                          low_memory=True, precomputed_knn=knn)
        else:  # large corpus (approximate neighbours): lay out the 5-D reduction itself
            layout = UMAP(n_neighbors=k, n_components=2, min_dist=LAYOUT_SETTINGS["min_dist"], metric="euclidean",
                          n_epochs=LAYOUT_SETTINGS["n_epochs"], random_state=seed, n_jobs=1, low_memory=True)
        with without_index_warning():
            coords = np.asarray(layout.fit_transform(reduced), dtype=np.float32)
        if cache is not None:
            cache.save("layout", key, coords=coords)
    return pd.DataFrame(
        {"utterance_id": model.assignments_["utterance_id"].to_numpy(), "x": coords[:, 0].astype(float),
         "y": coords[:, 1].astype(float)}
    )


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
        Run folder to write (atomically); nothing is written if omitted.
    embedder : Embedder, optional
        Embedding backend (shares its cache and loaded model between calls).

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        Bad corpus, no therapist remarks, too few remarks to model. Raised before anything is written.
    """
    config = config or TopicConfig()
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    corpus = validate_corpus(corpus)
    remarks, dropped = select_remarks(corpus, config.cleaning)
    if config.cleaning.deidentify:
        from topics.deidentify import Deidentifier

        t0 = time.perf_counter()
        deid = Deidentifier(known_names=config.report.known_names, use_ner=config.report.deidentify_ner)
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
    summary: dict[str, Any] = dict(corpus_summary(corpus))
    summary["remarks"] = len(remarks)
    summary["compare_by"] = config.report.compare_by
    summary["groups"] = group_summary(corpus, remarks, config.report.compare_by)
    summary["corpora"] = sorted(corpus["corpus"].dropna().astype(str).unique()) if "corpus" in corpus.columns else []
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


def topic_word_scores(model: TopicModel) -> pd.DataFrame:
    """Top words of every topic with their weights, as a long table (``topic``, ``word``, ``score``, ``rank``)."""
    rows = []
    for t in model.topic_ids_:
        if t == -1:
            continue
        for rank, (word, score) in enumerate(model.bertopic_.get_topic(t) or []):
            if word:
                rows.append({"topic": t, "word": word, "score": float(score), "rank": rank})
    return pd.DataFrame(rows, columns=["topic", "word", "score", "rank"])


def topic_similarity(model: TopicModel) -> tuple[list[int], np.ndarray]:
    """Cosine similarity between topic centroids (outliers excluded)."""
    keep = [i for i, t in enumerate(model.topic_ids_) if t != -1]
    emb = model.topic_embeddings_[keep].astype(np.float64)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return [model.topic_ids_[i] for i in keep], emb @ emb.T
