"""The whole-corpus tables of a Dask-engine run, computed on the cluster: counts, sessions, the drop account.

:func:`aggregate` reads the partitioned assignments back and writes, in ``RUN/distributed/``: remarks per
session x topic (``session_topic_counts.parquet``), one row per session with its session-level metadata
(``sessions.parquet``), word counts per topic (``topic_word_counts.parquet``) and the drop account of every
utterance (``drop_counts.csv``). The driver receives one row per session at most; partitioned outputs are joined
into one file part by part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from topics.clean import drop_counts
from topics.config import TopicConfig
from topics.distributed.workers import ASSIGNMENT_COLUMNS, NO_VALUE, drop_partition, session_partition, word_partition

SESSIONS_FILE = "sessions.parquet"
"""One row per session: remarks and the session-level metadata (``RUN/distributed/``)."""


def aggregate(
    ddf: Any,
    target: Path,
    model_dir: str,
    embedding: dict[str, Any],
    config: TopicConfig,
    config_dict: dict[str, Any],
    role_values: dict[str, str] | None,
    source: str,
) -> dict[str, Any]:
    """Session x topic counts, topic word counts and the drop account, computed on the cluster."""
    import dask.dataframe as dd

    assigned = dd.read_parquet(str(target / "assignments"))
    by = config.compare.by if config.compare.by in assigned.columns else None
    keys = ["session_id"] + ([by] if by else []) + ["topic"]
    counts = assigned[keys].groupby(keys, dropna=False).size().rename("n").reset_index()
    counts.to_parquet(str(target / ".session_topic_counts"), write_index=False)
    _single_file(target / ".session_topic_counts", target / "session_topic_counts.parquet")
    words = assigned[["topic", "text"]].map_partitions(
        word_partition,
        model_dir,
        embedding,
        meta=pd.DataFrame(
            {"topic": pd.Series(dtype="int64"), "word": pd.Series(dtype=str), "n": pd.Series(dtype="int64")}
        ),
    )
    word_counts = words.groupby(["topic", "word"]).n.sum().reset_index()
    word_counts.to_parquet(str(target / ".topic_word_counts"), write_index=False)
    _single_file(target / ".topic_word_counts", target / "topic_word_counts.parquet")
    drops = ddf.map_partitions(
        drop_partition,
        config_dict,
        role_values,
        source,
        meta=pd.DataFrame({"step": pd.Series(dtype=str), "count": pd.Series(dtype="int64")}),
    )
    account = drops.groupby("step", sort=False)["count"].sum().compute()
    # the steps in the order of the single-process table (drop_counts of an empty corpus lists them all)
    steps = drop_counts(
        pd.DataFrame({"role": pd.Series(dtype=str)}), pd.DataFrame(), pd.DataFrame({"reason": pd.Series(dtype=str)})
    )["step"]
    table = pd.DataFrame({"step": steps, "count": [int(account.get(step, 0)) for step in steps]})
    n = int(table["count"].sum())
    table["share"] = table["count"] / n if n else 0.0
    table.to_csv(target / "drop_counts.csv", index=False)
    session_columns, varying = _session_table(assigned, target / SESSIONS_FILE)
    totals = dd.read_parquet(str(target / "session_topic_counts.parquet")).groupby("topic")["n"].sum().compute()
    remarks = int(totals.sum())
    return {
        "session_columns": session_columns,
        "varying_columns": varying,
        "utterances": n,
        "remarks": remarks,
        "outlier_share": float(totals.get(-1, 0) / remarks) if remarks else 0.0,
        "topics_used": int((totals.index != -1).sum()),
        "compare_by": by,
    }


def _session_table(assigned: Any, target: Path) -> tuple[list[str], list[str]]:
    """Write one row per session (remarks, session-level metadata); the session-level and varying columns.

    Computed on the cluster from the smallest and largest value of each metadata column per session
    (:func:`~topics.distributed.workers.session_partition`); the driver receives one row per session.
    """
    columns = [str(c) for c in assigned.columns if c not in ASSIGNMENT_COLUMNS]
    meta = session_partition(pd.DataFrame(columns=["session_id", *columns]), columns)
    per_part = assigned[["session_id", *columns]].map_partitions(session_partition, columns, meta=meta)
    how = {"remarks": "sum", **{f"{kind}{i}": kind for i in range(len(columns)) for kind in ("min", "max")}}
    per_session = per_part.groupby("session_id").agg(how).compute().reset_index()
    table = per_session[["session_id", "remarks"]].copy()
    session_columns, varying = [], []
    for i, column in enumerate(columns):
        low, high = per_session[f"min{i}"].astype(str), per_session[f"max{i}"].astype(str)
        empty = low == NO_VALUE  # a session without a value of this column
        if ((low == high) | empty).all():
            table[column] = low.where(~empty, None).astype("string")
            session_columns.append(column)
        else:
            varying.append(column)
    table = table.sort_values("session_id", ignore_index=True)
    table.to_parquet(target, index=False)
    return session_columns, varying


def _single_file(folder: Path, target: Path) -> None:
    """Join a partitioned parquet output into one file, one part at a time (the driver holds one part at most)."""
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("*.parquet"))
    writer = None
    try:
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pd.DataFrame().to_parquet(target, index=False)
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    Linux: ``VmHWM`` of ``/proc/self/status``, the high-water mark of this process's own memory.
    ``getrusage``'s ``ru_maxrss`` is not used there: after ``fork`` + ``exec`` it keeps the parent's resident
    size at the fork (a driver started by a process that held a large table would report that table).
    Elsewhere ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    import sys

    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
