"""The result of a topic analysis, and its run folder.

:class:`Analysis` holds the fitted model, the tables around it (corpus summary, drop counts, document
map) and, once a ledger is applied, the curated view; :attr:`Analysis.topics` and
:attr:`Analysis.assignments` give the curated tables when there is one. :meth:`Analysis.save` writes the
run folder atomically (into a temporary folder first, then moved into place, so a failed or interrupted
run never leaves a half-written folder nor destroys the previous one); :func:`load_run` reads one with its
ledger applied. The layout of a run folder, what a refit keeps of the old one (the ledger and every other file
of the user's, hidden ones included; not what the old model's stages wrote) and the fingerprint that ties a
derived file to its model are in :mod:`topics.runs`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from topics._files import atomic_folder, export_csv, read_json_checked
from topics.config import TopicConfig
from topics.curate import CuratedView, Ledger, apply_ledger
from topics.embed import Embedder
from topics.errors import InputError
from topics.model import TopicModel
from topics.runs import (
    ASSIGNMENTS_FILE,
    DOCUMENT_MAP_FILE,
    DROP_COUNTS_FILE,
    DROPPED_FILE,
    FIGURE_NAMES,
    GENERATED_FILES,
    LEDGER_NAME,
    MODEL_DIR,
    REQUIRED_FILES,
    SUMMARY_FILE,
    TIMINGS_FILE,
    TOPICS_FILE,
    carry_over_user_files,
    check_output_folder,
    model_fingerprint,
)

__all__ = [
    "FIGURE_NAMES",
    "GENERATED_FILES",
    "LEDGER_NAME",
    "Analysis",
    "assignment_table",
    "load_run",
    "run_ledger",
    "topic_table",
]

_carry_over_user_files = carry_over_user_files
"""The carry-over rule under its earlier name (:func:`topics.runs.carry_over_user_files`)."""


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
    def fingerprint(self) -> str:
        """The identity of the raw model (:func:`topics.runs.model_fingerprint`): derived files record it."""
        return model_fingerprint(self.model.assignments_)

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

    def to_convokit(self, corpus: Any, *, prefix: str = "topic") -> Any:
        """Write this analysis's topics into a ConvoKit corpus as utterance metadata (``topic``,
        ``topic_label``, ``topic_bucket``, or with another ``prefix``; metadata of the same name that the user
        wrote is never overwritten: see :func:`topics.read.convokit_corpus.add_topics`)."""
        from topics.read.convokit_corpus import add_topics

        return add_topics(corpus, self.assignments, prefix=prefix)

    def curate(
        self, ledger: Ledger | str | Path | None, *, mode: Literal["auto", "strict", "replay"] = "auto"
    ) -> Analysis:
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

    def compared_by(self, by: str | None, *, groups: list[str] | None = None) -> Analysis:
        """A copy of this analysis whose ``[compare] by`` is ``by``: the report compares by it, no refit.

        Parameters
        ----------
        by : str or None
            A metadata column or preset (see :data:`topics.compare.sessions.PRESETS`); ``None``: no comparison.
        groups : list of str, optional
            The groups to compare, in order (``[compare] groups``); default all groups of ``by``.

        Returns
        -------
        Analysis
            Same model and tables; its config and its summary's per-group counts (sessions and modelled
            remarks; the utterance counts of the fit are not kept in a run folder) follow ``by``.

        Raises
        ------
        InputError
            ``by`` is a column the toolkit writes (``topic``, ``label``, ...: :data:`topics.read.RESERVED_COLUMNS`);
            refused here, before a report spends minutes comparing the model's topics with one another.
        """
        from topics.read import refuse_reserved

        refuse_reserved(by)
        model = copy.copy(self.model)
        model.config = replace(self.config, compare=replace(self.config.compare, by=by, groups=list(groups or [])))
        summary = dict(self.summary)
        summary["compare_by"] = by
        remarks = self.raw_assignments
        column = by if by in remarks.columns else None
        if column is None:
            summary["groups"] = []
        else:
            sessions = remarks.groupby(column)["session_id"].nunique()
            counts = remarks.groupby(column).size()
            summary["groups"] = [
                {"group": str(g), "sessions": int(sessions[g]), "utterances": None, "remarks": int(counts[g])}
                for g in sessions.index
            ]
        return replace(self, model=model, summary=summary)

    def save(self, folder: str | Path) -> Path:
        """Write the run folder atomically.

        Everything is written into a temporary folder beside ``folder`` and moved into place at the
        end; an existing run folder is replaced only once the new one is complete. The user's files in it
        (the ledger, notes, ``.git/``, hidden files) are kept; what the old model's stages wrote (its
        evaluation, comparisons, reports, figures) is not (:func:`topics.runs.carry_over_user_files`).

        Parameters
        ----------
        folder : str or Path
            The run folder: a new or empty folder, or a run folder.

        Returns
        -------
        Path
            The run folder.

        Raises
        ------
        InputError
            ``folder`` holds files and is not a run folder (:func:`topics.runs.check_output_folder`).
        """
        folder = check_output_folder(folder)
        with atomic_folder(folder) as tmp:
            self.model.save(tmp / MODEL_DIR)
            (tmp / SUMMARY_FILE).write_text(json.dumps(self.summary, indent=2), encoding="utf-8")
            self.drop_counts.to_csv(tmp / DROP_COUNTS_FILE, index=False)
            self.dropped.to_parquet(tmp / DROPPED_FILE, index=False)
            self.document_map.to_parquet(tmp / DOCUMENT_MAP_FILE, index=False)
            (tmp / TIMINGS_FILE).write_text(json.dumps(self.timings, indent=2), encoding="utf-8")
            export_csv(assignment_table(self.raw_assignments), tmp / ASSIGNMENTS_FILE)
            export_csv(topic_table(self.raw_topics), tmp / TOPICS_FILE)
            carry_over_user_files(folder, tmp)
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
            The folder is missing or incomplete, or one of its JSON files is over 16 MiB, nested over 32 levels
            or not JSON (:func:`topics._files.read_json_checked`).
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError("no such run folder", path=folder)
        linked = sorted(p.name for p in folder.iterdir() if p.is_symlink())
        if linked:
            raise InputError(
                f"refusing to read a run folder with symbolic links ({linked}): a run folder written by "
                "`topics fit` holds plain files only",
                path=folder,
            )
        for name in REQUIRED_FILES:
            if not (folder / name).exists():
                raise InputError(f"not a run folder written by `topics fit`: {name} is missing", path=folder)
        timings_path = folder / TIMINGS_FILE
        return cls(
            model=TopicModel.load(folder / MODEL_DIR, embedder=embedder),
            summary=read_json_checked(folder / SUMMARY_FILE),
            drop_counts=pd.read_csv(folder / DROP_COUNTS_FILE),
            dropped=pd.read_parquet(folder / DROPPED_FILE),
            document_map=pd.read_parquet(folder / DOCUMENT_MAP_FILE),
            timings=read_json_checked(timings_path) if timings_path.exists() else {},
        )


def assignment_table(assignments: pd.DataFrame) -> pd.DataFrame:
    """The per-remark table for export: ids and topic columns first, then metadata and text."""
    first = [
        "utterance_id",
        "session_id",
        "turn",
        "speaker_id",
        "topic",
        "label",
        "probability",
        "similarity",
        "outlier_reassigned",
    ]
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


@overload
def run_ledger(run: str | Path, ledger: str | Path | None = None, *, existing: Literal[False]) -> Path: ...
@overload
def run_ledger(run: str | Path, ledger: str | Path | None = None, *, existing: bool = True) -> Path | None: ...
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
