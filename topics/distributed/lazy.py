"""Lazy reading and the session sample of the Dask engine (:func:`read_lazy`, :func:`draw_sessions`)."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics.errors import InputError
from topics.read import REQUIRED_COLUMNS
from topics.read.schema import reserved_renames

LAZY_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}
"""File suffixes the Dask engine reads lazily, and their formats."""


# ---------------------------------------------------------------------------------------------- reading


def _input_files(source: str | Path) -> list[Path]:
    text = str(source)
    path = Path(source)
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(text))
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in LAZY_FORMATS and not p.name.startswith("."))
    elif path.exists():
        files = [path]
    else:
        raise InputError("no such file or folder", path=path)
    if not files:
        raise InputError(f"no {'/'.join(sorted(set(LAZY_FORMATS.values())))} files found", path=path)
    for f in files:
        if f.is_symlink() or not f.is_file():
            raise InputError("not a regular file (links and special files are not read)", path=f)
        if f.stat().st_size == 0:
            raise InputError("empty file", path=f)
    return files


def read_lazy(
    source: str | Path,
    *,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    blocksize: str | int = "32MB",
    encoding: str = "utf-8",
) -> Any:
    """Open a corpus file (or a folder or glob of them) as a lazy ``dask.dataframe``.

    Parameters
    ----------
    source : str or Path
        A CSV / TSV / parquet file, a folder of them, or a glob such as ``"data/part-*.parquet"``.
    format : {"csv", "tsv", "parquet"}, optional
        Overrides the format implied by the suffix.
    mapping : dict, optional
        Toolkit column -> column in the files, as for :func:`topics.read.read_table`.
    blocksize : str or int, default "32MB"
        Size of a CSV / TSV block (one partition); parquet is split by file and row group, small row groups
        joined up to about this size.
    encoding : str, default "utf-8"
        Text encoding of CSV / TSV files.

    Returns
    -------
    dask.dataframe.DataFrame
        Raw rows with toolkit column names; ``session_id`` as text. Rows are checked partition by
        partition when computed (:func:`topics.read.validate_corpus`).

    Raises
    ------
    InputError
        No such file, an unsupported format, a required column that is missing after the mapping.
    """
    import dask.dataframe as dd

    files = _input_files(source)
    fmt = format or LAZY_FORMATS.get(files[0].suffix.lower())
    if fmt not in ("csv", "tsv", "parquet"):
        raise InputError(
            f"the Dask engine reads CSV, TSV and parquet (got {files[0].suffix or 'no suffix'}); convert "
            "JSON lines or text transcripts with `topics.load_corpus(...).to_parquet(...)` first",
            path=files[0],
        )
    names = [str(f) for f in files]
    if fmt == "parquet":
        ddf = dd.read_parquet(names, blocksize=blocksize)  # row groups joined up to about blocksize
    else:
        # every column as text (as the single-process reader's strings): a block's guessed types cannot
        # disagree with another's; "NA" or "None" in a remark stays text
        ddf = dd.read_csv(
            names,
            sep="," if fmt == "csv" else "\t",
            blocksize=blocksize,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
        )
    mapping = dict(mapping or {})
    unknown = [k for k in mapping if k not in REQUIRED_COLUMNS]
    if unknown:
        raise InputError(f"mapping names {unknown}, which are not toolkit columns; map only {list(REQUIRED_COLUMNS)}")
    absent = [theirs for theirs in mapping.values() if theirs not in ddf.columns]
    if absent:
        raise InputError(
            f"the mapping names column(s) {absent}, which the files do not have; their columns are {list(ddf.columns)}",
            path=files[0],
            column=absent[0],
        )
    ddf = ddf.rename(columns={theirs: ours for ours, theirs in mapping.items()})
    # a user's "topic" is kept as "meta_topic", as the single-process readers keep it (warned once, here)
    ddf = ddf.rename(columns=reserved_renames(ddf.columns, path=files[0]))
    for needed in ("session_id", "turn", "role", "text"):
        if needed not in ddf.columns:
            raise InputError(
                f"no column for {needed!r}: the Dask engine needs session_id, turn, role and text in the files "
                f"(turn too, since a session may span partitions; map one with --map {needed}=COLUMN); the "
                f"columns are {list(ddf.columns)}",
                path=files[0],
                column=needed,
            )
    ddf["session_id"] = ddf["session_id"].astype(str)
    return ddf


# ---------------------------------------------------------------------------------------------- sampling


def draw_sessions(sessions: pd.DataFrame, n: int, *, seed: int, stratify: str | None = None) -> list[str]:
    """Draw ``n`` whole sessions, in proportion to each stratum when ``stratify`` names a column.

    Parameters
    ----------
    sessions : pandas.DataFrame
        One row per session: ``session_id`` and, when stratifying, the stratum column.
    n : int
        Sessions to draw (all of them when there are fewer).
    seed : int
        Random seed.
    stratify : str, optional
        Stratum column. Each stratum gets ``n`` times its share of sessions (largest remainders), and at
        least one session while ``n`` allows.

    Returns
    -------
    list of str
        Session ids, sorted.
    """
    ids = sessions["session_id"].astype(str)
    if n >= len(ids):
        return sorted(ids)
    rng = np.random.default_rng(seed)
    if stratify is None:
        return sorted(rng.choice(np.asarray(sorted(ids), dtype=object), size=n, replace=False).tolist())
    strata = sessions.assign(session_id=ids, _s=sessions[stratify].astype(str).fillna("<missing>"))
    groups = {k: sorted(g["session_id"]) for k, g in strata.groupby("_s", sort=True)}
    quota = {k: n * len(v) / len(ids) for k, v in groups.items()}
    take = {k: min(len(groups[k]), max(1 if n >= len(groups) else 0, int(q))) for k, q in quota.items()}
    by_remainder = sorted(groups, key=lambda k: (-(quota[k] - int(quota[k])), k))
    while sum(take.values()) < n:
        grew = False
        for k in by_remainder:
            if sum(take.values()) < n and take[k] < len(groups[k]):
                take[k] += 1
                grew = True
        if not grew:
            break
    while sum(take.values()) > n:  # the at-least-one rule overshot: trim the largest strata
        k = max(take, key=lambda s: take[s])
        take[k] -= 1
    chosen: list[str] = []
    for k in sorted(groups):
        chosen += rng.choice(np.asarray(groups[k], dtype=object), size=take[k], replace=False).tolist()
    return sorted(chosen)
