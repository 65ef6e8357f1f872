"""The result of a topic analysis, and its run folder.

:class:`Analysis` holds the fitted model, the tables around it (corpus summary, drop counts, document
map) and, once a ledger is applied, the curated view; :attr:`Analysis.topics` and
:attr:`Analysis.assignments` give the curated tables when there is one. :meth:`Analysis.save` writes the
run folder atomically (into a temporary folder first, then moved into place, so a failed or interrupted
run never leaves a half-written folder nor destroys the previous one); :func:`load_run` reads one with its
ledger applied. Layout of a run folder::

    model/                 the TopicModel (BERTopic safetensors, assignments, topics, config, manifest)
    corpus_summary.json    sessions, utterances, remarks per role and group
    drop_counts.csv        every utterance accounted for: client turns, drops by reason, remarks kept
    dropped.parquet        the dropped therapist utterances with their reason
    document_map.parquet   2-D coordinates of every remark (for the document map)
    assignments.csv        per-remark table: utterance_id, session_id, topic, label, probability, ...
    topics.csv             per-topic table: topic, label, size, share, keywords, representative remarks
    ledger.yaml            the curation ledger, when an expert made one (kept across refits)
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics._files import atomic_folder, export_csv
from topics.config import TopicConfig
from topics.curate import CuratedView, Ledger, apply_ledger
from topics.embed import Embedder
from topics.errors import InputError
from topics.model import TopicModel

LEDGER_NAME = "ledger.yaml"
"""The ledger a run folder holds by default."""


@dataclass
class Analysis:
    """A fitted topic analysis of one corpus: the model and the tables around it.

    Attributes
    ----------
    model : TopicModel
        The fitted model (``model.bertopic_`` is the BERTopic object).
    summary : dict
        Corpus counts (see :func:`topics.read.corpus_summary`) plus per-group session and remark counts.
    drop_counts : pandas.DataFrame
        Every utterance accounted for (see :func:`topics.clean.drop_counts`).
    dropped : pandas.DataFrame
        Therapist utterances left out, with their reason.
    document_map : pandas.DataFrame
        ``utterance_id``, ``x``, ``y``: a 2-D UMAP layout of the remarks.
    timings : dict
        Seconds spent per step.
    curation : CuratedView or None
        The curated view when a ledger was applied (:meth:`curate`).
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
        return self.curation.word_scores if self.curation is not None else self.model.word_scores()

    def topic_similarity(self) -> pd.DataFrame:
        """Cosine similarity between topic centroids (curated or raw; outliers left out), indexed by topic."""
        return self.curation.topic_similarity() if self.curation is not None else self.model.topic_similarity()

    def to_convokit(self, corpus: Any) -> Any:
        """Write this analysis's topics into a ConvoKit corpus as utterance metadata (``topic``,
        ``topic_label``, ``topic_bucket``; see :func:`topics.read.convokit_corpus.add_topics`)."""
        from topics.read.convokit_corpus import add_topics

        return add_topics(corpus, self.assignments)

    def curate(self, ledger: Ledger | str | Path | None, *, mode: str = "auto") -> Analysis:
        """A copy of this analysis with a curation ledger applied (``None``: back to the raw view).

        Parameters
        ----------
        ledger : Ledger, str, Path or None
            The ledger (see :mod:`topics.curate.ledger`).
        mode : {"auto", "strict", "replay"}
            See :func:`topics.curate.apply_ledger`.

        Returns
        -------
        Analysis
            Same model; :attr:`assignments` and :attr:`topics` now give the curated view.
        """
        view = None if ledger is None else apply_ledger(self.model, ledger, mode=mode)
        return replace(self, curation=view)

    @property
    def config(self) -> TopicConfig:
        """The configuration the analysis was fitted with."""
        return self.model.config

    def compared_by(self, by: str | None) -> Analysis:
        """A copy of this analysis whose ``[compare] by`` is ``by``: the report compares by it, no refit.

        Parameters
        ----------
        by : str or None
            A metadata column or preset (see :data:`topics.compare.sessions.PRESETS`); ``None``: no comparison.

        Returns
        -------
        Analysis
            Same model and tables; its config and its summary's per-group counts (sessions and modelled
            remarks; the utterance counts of the fit are not kept in a run folder) follow ``by``.
        """
        model = copy.copy(self.model)
        model.config = replace(self.config, compare=replace(self.config.compare, by=by, groups=[]))
        summary = dict(self.summary)
        summary["compare_by"] = by
        remarks = self.raw_assignments
        column = by if by in remarks.columns else None
        if column is None:
            summary["groups"] = []
        else:
            sessions = remarks.groupby(column)["session_id"].nunique()
            counts = remarks.groupby(column).size()
            summary["groups"] = [{"group": str(g), "sessions": int(sessions[g]), "utterances": None,
                                  "remarks": int(counts[g])} for g in sessions.index]
        return replace(self, model=model, summary=summary)

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
        with atomic_folder(folder) as tmp:
            self.model.save(tmp / "model")
            (tmp / "corpus_summary.json").write_text(json.dumps(self.summary, indent=2), encoding="utf-8")
            self.drop_counts.to_csv(tmp / "drop_counts.csv", index=False)
            self.dropped.to_parquet(tmp / "dropped.parquet", index=False)
            self.document_map.to_parquet(tmp / "document_map.parquet", index=False)
            (tmp / "timings.json").write_text(json.dumps(self.timings, indent=2), encoding="utf-8")
            export_csv(assignment_table(self.raw_assignments), tmp / "assignments.csv")
            export_csv(topic_table(self.raw_topics), tmp / "topics.csv")
            _carry_over_user_files(folder, tmp)
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
        linked = sorted(p.name for p in folder.iterdir() if p.is_symlink())
        if linked:
            raise InputError(f"refusing to read a run folder with symbolic links ({linked}): a run folder written by "
                             "`topics fit` holds plain files only", path=folder)
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


def run_ledger(run: str | Path, ledger: str | Path | None = None, *, existing: bool = True) -> Path | None:
    """The ledger of a run folder: ``ledger`` when given, else ``RUN/ledger.yaml``.

    Parameters
    ----------
    run : str or Path
        The run folder.
    ledger : str or Path, optional
        A ledger the user named; returned as it is.
    existing : bool, default True
        Return ``RUN/ledger.yaml`` only when that file exists (None otherwise); False: return the path
        anyway (where a new ledger is to be written).

    Returns
    -------
    Path or None
    """
    if ledger is not None:
        return Path(ledger)
    default = Path(run) / LEDGER_NAME
    return default if default.exists() or not existing else None


def load_run(run: str | Path, *, ledger: str | Path | None = None, raw: bool = False) -> Analysis:
    """Read a run folder with its curation applied: ``ledger``, else ``RUN/ledger.yaml`` when it exists.

    Parameters
    ----------
    run : str or Path
        A run folder written by :func:`topics.fit` / ``topics fit``.
    ledger : str or Path, optional
        The ledger to apply instead of the run's own.
    raw : bool, default False
        The raw model's topics, whatever ledger there is.

    Returns
    -------
    Analysis
    """
    analysis = Analysis.load(run)
    chosen = None if raw else run_ledger(run, ledger)
    return analysis.curate(chosen) if chosen is not None else analysis
