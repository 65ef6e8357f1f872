"""The run folder: every file and folder a stage writes into it, the carry-over rule of a refit, and the
identity of the model that derived files were computed on.

This module is the one owner of the layout; the stages name their files through it. A run folder
(``topics fit CORPUS --out RUN``, :func:`topics.fit`, :meth:`topics.analysis.Analysis.save`)::

    model/                 the TopicModel (BERTopic safetensors, assignments, topics, config, manifest)
    corpus_summary.json    sessions, utterances, remarks per role and group
    drop_counts.csv        every utterance accounted for: client turns, drops by reason, remarks kept
    dropped.parquet        the dropped therapist utterances with their reason
    document_map.parquet   2-D coordinates of every remark (for the document map)
    timings.json           seconds per step of the fit
    assignments.csv        per-remark table: utterance_id, session_id, topic, label, probability, ...
    topics.csv             per-topic table: topic, label, size, share, keywords, representative remarks

What later stages derive from the model and write into the run (:data:`DERIVED_FOLDERS`, figures, reports)::

    distributed/           the Dask engine's whole-corpus tables (``summary.json`` records the model)
    evaluation/            ``topics evaluate``: summary, per_topic, stability_*, grid (+ manifest.json)
    compare-BY/            ``topics compare``: contrasts, divergence, ... (+ manifest.json)
    curated/               the workbench's curated tables (topics, assignments, ledger log)
    report.html            ``topics report`` / ``topics fit --report`` (also report-*.html)
    topic_sizes.png, ...   static figures beside the report (:data:`FIGURE_NAMES`, ``quality_*``, ``compare_*``)

What belongs to the user, and is kept (copied into the new folder) when a run is fitted again:
``ledger.yaml`` (and ``ledger.yaml.bak``), worksheets (``worksheet.csv`` / ``.html``, ``worksheet/``: an expert
fills them in), REFI-QDA and Taguette exchange files (``*.qdpx``, ``*.qdc``, ``codebook.csv``: an expert edits
them in another program and imports them back), and anything else, hidden files and folders (``.git/``,
``.env``) included. What the old model's stages wrote is not carried over: it describes topics that are gone.

Every derived folder records the fingerprint of the model it was computed on (:func:`model_fingerprint`, the
SHA-256 of the topic of every remark) in its ``manifest.json``; readers use :func:`stale_reason` and ignore a
folder computed on another model, or one that does not say, with a line telling what to re-run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from topics._files import atomic_folder, atomic_write_text, read_json_checked
from topics.errors import InputError
from topics.model import clustering_hash

MODEL_DIR = "model"
"""The saved :class:`~topics.model.TopicModel`."""
SUMMARY_FILE = "corpus_summary.json"
DROP_COUNTS_FILE = "drop_counts.csv"
DROPPED_FILE = "dropped.parquet"
DOCUMENT_MAP_FILE = "document_map.parquet"
TIMINGS_FILE = "timings.json"
ASSIGNMENTS_FILE = "assignments.csv"
TOPICS_FILE = "topics.csv"
REPORT_FILE = "report.html"
LEDGER_NAME = "ledger.yaml"
"""The ledger a run folder holds by default (a user file: kept across refits)."""

REQUIRED_FILES = (MODEL_DIR, SUMMARY_FILE, DROP_COUNTS_FILE, DROPPED_FILE, DOCUMENT_MAP_FILE)
"""What :meth:`topics.analysis.Analysis.load` needs."""
FIT_FILES = (*REQUIRED_FILES, TIMINGS_FILE, ASSIGNMENTS_FILE, TOPICS_FILE)
"""What :meth:`topics.analysis.Analysis.save` writes."""
GENERATED_FILES = frozenset({*FIT_FILES, REPORT_FILE})
"""Top-level files and folders written by the fit and the report."""

EVALUATION_DIR = "evaluation"
"""``topics evaluate``: summary.csv, per_topic.csv, stability_pairwise.csv, stability_topics.csv, grid.csv."""
DISTRIBUTED_DIR = "distributed"
"""The Dask engine's whole-corpus outputs."""
CURATED_DIR = "curated"
"""The workbench's curated tables."""
COMPARE_PREFIX = "compare-"
"""``topics compare`` writes ``compare-BY/`` (BY: the grouping column)."""
DERIVED_FOLDERS = frozenset({EVALUATION_DIR, DISTRIBUTED_DIR, CURATED_DIR})
"""Folders derived from the model by a later stage (besides ``compare-BY/``)."""
DERIVED_MANIFEST = "manifest.json"
"""The file in a derived folder that records the model it was computed on."""

FIGURE_NAMES = frozenset(
    {"topic_sizes", "top_words", "intertopic_map", "hierarchy", "document_map", "group_shares", "curation"}
)
"""Static figures of a report (``NAME.png`` etc.); those of the quality and comparison sections start with
:data:`FIGURE_PREFIXES`."""
FIGURE_PREFIXES = ("quality_", "compare_")
FIGURE_SUFFIXES = frozenset({".png", ".svg", ".pdf", ".jpeg", ".webp"})
"""The static formats a report writes (``[report] static_formats``)."""

EXCHANGE_SUFFIXES = frozenset({".qdpx", ".qdc"})
"""REFI-QDA files: written by ``topics export``, edited by experts in other programs, so kept as user files."""
WORKSHEET_NAMES = frozenset({"worksheet.csv", "worksheet.html", "worksheet"})
"""Worksheets ``topics curate worksheet`` and the workbench write for an expert to fill in: kept as user files."""
_TEMPORARY = re.compile(r"^\..+\.(tmp|old)-\d+-")
"""A folder :func:`topics._files.atomic_folder` was building or replacing (``.evaluation.tmp-PID-...``)."""


def is_generated(item: Path) -> bool:
    """Whether a top-level entry of a run folder was written by the toolkit from the model (not carried over).

    Parameters
    ----------
    item : Path
        A file or folder directly inside a run folder.

    Returns
    -------
    bool
        True for the fit's files, reports, static figures and derived folders; False for everything else
        (the ledger, worksheets, exchange files, the user's own files and folders, hidden ones included).
    """
    name, suffix, stem = item.name, item.suffix.lower(), item.stem
    if item.is_symlink() or name in WORKSHEET_NAMES or suffix in EXCHANGE_SUFFIXES:
        return False
    if name in GENERATED_FILES:
        return True
    if item.is_dir():
        return name in DERIVED_FOLDERS or name.startswith(COMPARE_PREFIX)
    if suffix == ".html" and stem.startswith(("report-", "report_")):
        return True
    return suffix in FIGURE_SUFFIXES and (stem in FIGURE_NAMES or stem.startswith(FIGURE_PREFIXES))


def carry_over_user_files(old: Path, new: Path) -> list[Path]:
    """Copy what the user keeps in a run folder into its replacement; leave out what the old model produced.

    Everything that is not :func:`is_generated` is copied, hidden files and folders included (``.git/``,
    ``.env``), symbolic links as links; an entry the new folder already has is left as the new one, and so
    are the half-built folders of an interrupted write (``.evaluation.tmp-PID-...``).

    Parameters
    ----------
    old : Path
        The run folder being replaced (nothing happens when it does not exist).
    new : Path
        The new run folder, being built.

    Returns
    -------
    list of Path
        The entries copied (their paths in ``new``).
    """
    copied: list[Path] = []
    if not old.is_dir() or old.is_symlink():
        return copied
    for item in sorted(old.iterdir()):
        target = new / item.name
        temporary = item.is_dir() and _TEMPORARY.match(item.name) is not None
        if is_generated(item) or temporary or target.exists() or target.is_symlink():
            continue
        if item.is_symlink():
            os.symlink(os.readlink(item), target)
        elif item.is_dir():
            shutil.copytree(item, target, symlinks=True)
        else:
            shutil.copy2(item, target)
        copied.append(target)
    return copied


def is_run_folder(folder: str | Path) -> bool:
    """Whether ``folder`` holds a run (its ``model/`` folder and ``corpus_summary.json``)."""
    folder = Path(folder)
    return (folder / MODEL_DIR).is_dir() and (folder / SUMMARY_FILE).is_file()


def check_output_folder(folder: str | Path) -> Path:
    """Refuse a run folder target that holds something other than a run, before any work is done.

    A fit may write into a folder that does not exist, an empty folder, or a run folder (a refit, which
    keeps the user's files: :func:`carry_over_user_files`). Anything else would be replaced by the run.

    Parameters
    ----------
    folder : str or Path
        Where the run folder is to be written.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        ``folder`` is a file or a symbolic link, or a folder that is neither empty nor a run folder, or the
        current folder or one above it (``--out .``: writing the run replaces the folder as a whole).
    """
    folder = Path(folder)
    here = Path.cwd().resolve()
    if folder.name in ("", ".", "..") or folder.resolve() == here or folder.resolve() in here.parents:
        raise InputError(
            "refusing to write a run folder here: it is the current folder (or holds it), which writing "
            "the run would replace; give a new folder, e.g. --out runs/study",
            path=folder,
        )
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError(
            "refusing to write a run folder here: it exists and is not a folder (a file or a symbolic link)",
            path=folder,
        )
    if folder.is_dir() and not is_run_folder(folder) and any(folder.iterdir()):
        raise InputError(
            "refusing to write a run folder here: the folder holds other files and is not a run folder "
            f"(no {MODEL_DIR}/ and {SUMMARY_FILE}); choose a new or empty folder",
            path=folder,
        )
    return folder


def model_fingerprint(assignments: pd.DataFrame) -> str:
    """The identity of a fitted model: SHA-256 of the raw topic of every remark (with its id).

    Parameters
    ----------
    assignments : pandas.DataFrame
        The raw model's per-remark table (``utterance_id``, ``topic``), e.g. ``model.assignments_``.

    Returns
    -------
    str
        64 hex digits; equal for two models exactly when they put every remark in the same topic.
    """
    return clustering_hash(assignments["utterance_id"], assignments["topic"])


def run_fingerprint(run: str | Path) -> str | None:
    """The :func:`model_fingerprint` of the model saved in a run folder (None when it has no model).

    Parameters
    ----------
    run : str or Path
        The run folder.

    Returns
    -------
    str or None
    """
    path = Path(run) / MODEL_DIR / "assignments.parquet"
    if not path.is_file():
        return None
    return model_fingerprint(pd.read_parquet(path, columns=["utterance_id", "topic"]))


def derived_fingerprint(folder: str | Path) -> str | None:
    """The model fingerprint a derived folder records in its ``manifest.json`` (None when it records none)."""
    path = Path(folder) / DERIVED_MANIFEST
    if not path.is_file():
        return None
    try:
        stamp = read_json_checked(path, max_bytes=1 << 16)
    except InputError:  # too big, too deep or not JSON: records no model
        return None
    value = stamp.get("model_fingerprint") if isinstance(stamp, dict) else None
    return value if isinstance(value, str) else None


def stamp_derived(folder: str | Path, fingerprint: str, *, written_by: str) -> Path:
    """Record in ``folder/manifest.json`` the model a derived folder was computed on.

    Parameters
    ----------
    folder : str or Path
        The derived folder (created if missing).
    fingerprint : str
        :func:`model_fingerprint` of the model.
    written_by : str
        The command or function that wrote the folder (said again in the message of a stale folder).

    Returns
    -------
    Path
        The manifest file.
    """
    stamp = {
        "model_fingerprint": fingerprint,
        "written_by": written_by,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return atomic_write_text(Path(folder) / DERIVED_MANIFEST, json.dumps(stamp, indent=2) + "\n")


def stale_reason(folder: str | Path, fingerprint: str | None, *, redo: str) -> str | None:
    """Why a derived folder must not be read with this model, or None when it was computed on it.

    Parameters
    ----------
    folder : str or Path
        The derived folder (e.g. ``RUN/evaluation``).
    fingerprint : str or None
        :func:`model_fingerprint` of the model being shown (None: unknown, so nothing matches).
    redo : str
        The command that writes the folder again (e.g. ``topics evaluate RUN``).

    Returns
    -------
    str or None
        One line to show the user, or None.
    """
    recorded = derived_fingerprint(folder)
    if recorded is not None and recorded == fingerprint:
        return None
    if recorded is None:
        why = "does not record the model it was computed on"
    else:
        why = f"was computed on another model (fingerprint {recorded[:12]}, this model {str(fingerprint)[:12]})"
    return f"{folder} {why}, so it is not shown: re-run `{redo}`"


@contextmanager
def derived_folder(folder: str | Path, fingerprint: str, *, written_by: str) -> Iterator[Path]:
    """Write a derived folder atomically, stamped with the model; earlier files of the same model are kept.

    The block writes into a temporary folder; at its end the files of the previous folder that the block did
    not write again are copied in when that folder was computed on the same model (a partial rerun, e.g.
    ``topics evaluate --no-stability``, keeps the earlier stability tables), and left out otherwise; then the
    manifest is written and the folder swapped into place.

    Parameters
    ----------
    folder : str or Path
        The derived folder (e.g. ``RUN/evaluation``).
    fingerprint : str
        :func:`model_fingerprint` of the model the files are computed on.
    written_by : str
        The command that writes it.

    Yields
    ------
    Path
        The temporary folder to write into.
    """
    folder = Path(folder)
    same = folder.is_dir() and derived_fingerprint(folder) == fingerprint
    with atomic_folder(folder) as tmp:
        yield tmp
        if same:
            for item in folder.iterdir():
                if not (tmp / item.name).exists() and item.is_file() and not item.is_symlink():
                    shutil.copy2(item, tmp / item.name)
        stamp_derived(tmp, fingerprint, written_by=written_by)
