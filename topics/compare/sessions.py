"""The unit of every group comparison: topic counts per session, and the resampling of whole sessions.

Remarks are nested in sessions (and sessions, where the data say so, in therapists), so every resampling
works on whole sessions or clusters of sessions (:mod:`topics.compare.studentized`); :func:`session_table`
counts remarks per session and topic and records each session's group, stratum and cluster, and
:func:`benjamini_hochberg` turns p-values into q-values.

Presets name the usual grouping columns: ``school``, ``counselor_type``, ``quality`` (-> ``mi_quality``
where a corpus calls it that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from topics.errors import InputError
from topics.read import REQUIRED_COLUMNS, RESERVED_COLUMNS, refuse_reserved

PRESETS: dict[str, list[str]] = {
    "school": ["school", "therapy_school", "approach"],
    "counselor_type": ["counselor_type", "counsellor_type"],
    "quality": ["quality", "mi_quality", "session_quality"],
}
"""Preset names and the columns they look for, in order."""


def resolve_column(assignments: pd.DataFrame, by: str) -> str:
    """The grouping column for ``by`` (a column name or a preset of :data:`PRESETS`).

    Raises
    ------
    InputError
        No such column, or a column the toolkit writes (``topic``, ``label``, ...:
        :data:`topics.read.RESERVED_COLUMNS`), which is no session metadata.
    """
    refuse_reserved(by)
    if by in assignments.columns:
        return by
    for candidate in PRESETS.get(by, []):
        if candidate in assignments.columns:
            return candidate
    usable = groupable_columns(assignments)
    hint = (
        f"columns you can compare by: {', '.join(usable)}"
        if usable
        else "the data has no session-level column with 2 to 50 groups"
    )
    raise InputError(
        f"no grouping column {by!r} in the data; {hint} (command line: --by COLUMN for "
        "`topics compare`, --compare-by COLUMN for `topics report`; config: [compare] by)",
        column=by,
    )


TOOLKIT_COLUMNS: frozenset[str] = frozenset(REQUIRED_COLUMNS) | frozenset(RESERVED_COLUMNS)
"""The required columns and those the toolkit writes (:data:`topics.read.RESERVED_COLUMNS`): never offered as a
grouping."""


def groupable_columns(assignments: pd.DataFrame, *, max_groups: int = 50) -> list[str]:
    """Metadata columns that can group sessions: one value per session and 2 to ``max_groups`` groups.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with ``session_id`` and metadata columns.
    max_groups : int, default 50
        More distinct values than this is an identifier or a measurement, not a grouping.

    Returns
    -------
    list of str
        Column names in table order.
    """
    out = []
    for column in assignments.columns:
        if column in TOOLKIT_COLUMNS or "session_id" not in assignments.columns:
            continue
        values = assignments[column]
        if values.map(type).isin([list, dict]).any():
            continue
        n = values.nunique(dropna=True)
        if not 2 <= n <= max_groups:
            continue
        if (assignments.dropna(subset=[column]).groupby("session_id")[column].nunique() > 1).any():
            continue
        out.append(str(column))
    return out


@dataclass
class SessionTable:
    """Topic counts per session: the unit every comparison starts from.

    Attributes
    ----------
    sessions : pandas.DataFrame
        One row per session: ``session_id``, ``group``, ``stratum``, ``cluster`` (the unit of resampling:
        the session itself unless a cluster column such as the therapist is given), ``remarks`` (all
        modelled remarks) and ``topical`` (those in a topic).
    counts : numpy.ndarray
        Sessions x topics remark counts (remarks without a topic are ``remarks - topical``).
    topics : list of int
        Topic of each column of ``counts``.
    groups : list of str
        The groups, in order (the first is A in "A minus B").
    excluded : dict of str to int
        Sessions left out, by reason (no value of the grouping column, a group not compared).
    """

    sessions: pd.DataFrame
    counts: np.ndarray
    topics: list[int]
    groups: list[str]
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def no_topic(self) -> np.ndarray:
        """Remarks without a topic (outliers and set aside) per session."""
        return self.sessions["remarks"].to_numpy() - self.sessions["topical"].to_numpy()


def _session_values(a: pd.DataFrame, column: str, sessions: list[str], what: str) -> np.ndarray:
    """One value of ``column`` per session (missing -> "(missing)"); an error if a session has two."""
    refuse_reserved(column)
    if column not in a.columns:
        raise InputError(f"no {what} column {column!r}", column=column)
    values = a.groupby("session_id")[column].agg(lambda s: s.dropna().astype(str).unique().tolist())
    mixed = values[values.map(len) > 1]
    if len(mixed):
        raise InputError(
            f"session {mixed.index[0]!r} has more than one value of {column!r} "
            f"({mixed.iloc[0][:3]}); a {what} must be constant within a session",
            column=column,
        )
    return values.map(lambda v: v[0] if v else "(missing)").reindex(sessions).fillna("(missing)").to_numpy()


def session_table(
    assignments: pd.DataFrame,
    by: str,
    *,
    strata: str | None = None,
    groups: list[str] | None = None,
    min_sessions: int = 2,
    cluster: str | None = None,
    count_column: str | None = None,
) -> SessionTable:
    """Count remarks per session and topic, with each session's group, stratum and cluster.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (curated or raw) with ``session_id`` and ``topic``.
    by : str
        Grouping column or preset.
    strata : str, optional
        Column to stratify by.
    groups : list of str, optional
        Groups to keep, in order; default all, sorted.
    min_sessions : int
        Each group needs at least this many sessions.
    cluster : str, optional
        Column naming the unit of resampling above the session (e.g. ``therapist`` or ``speaker_id``;
        the prompt that several single-turn replies answer). Default: each session is its own cluster.
    count_column : str, optional
        The table holds counts, not remarks: each row is ``count_column`` remarks of one session and topic
        (the whole-corpus session x topic counts of the Dask engine). The result is the same as for the
        per-remark table those counts summarise.

    Returns
    -------
    SessionTable

    Raises
    ------
    InputError
        Missing column, a column the toolkit writes (``topic``, ...) as ``by``, ``strata`` or ``cluster``,
        fewer than two groups, a group with too few sessions, a session in two groups, or a cluster whose
        sessions are in different groups (then group and cluster cannot be separated by permuting clusters).
    """
    refuse_reserved(by, strata, cluster)  # before any counting: "topic" is no grouping, stratum or cluster
    col = resolve_column(assignments, by)
    a = assignments
    if count_column is not None:
        if count_column not in a.columns:
            raise InputError(f"no count column {count_column!r}", column=count_column)
        if (pd.to_numeric(a[count_column], errors="coerce").fillna(-1) < 0).any():
            raise InputError(f"column {count_column!r} must hold counts (whole numbers >= 0)", column=count_column)
    missing = a[col].isna()
    if missing.all():
        raise InputError(f"every value of {col!r} is missing", column=col)
    excluded = {}
    n_missing = int(a.loc[missing, "session_id"].nunique())
    if n_missing:
        excluded[f"no value of {col}"] = n_missing
    a = a[~missing]
    labels = a.groupby("session_id")[col].nunique()
    if (labels > 1).any():
        bad = labels[labels > 1].index[0]
        raise InputError(
            f"session {bad!r} has more than one value of {col!r}; groups must be session-level", column=col
        )
    per_session = a.groupby("session_id")[col].first().astype(str)
    present = sorted(per_session.unique())
    chosen = [str(g) for g in groups] if groups else present
    unknown = [g for g in chosen if g not in present]
    if unknown:
        raise InputError(f"group(s) {unknown} not found in {col!r}; groups are {present}", column=col)
    if len(chosen) < 2:
        raise InputError(f"{col!r} has only one group ({present}); a comparison needs two or more", column=col)
    others = int((~per_session.isin(chosen)).sum())
    if others:
        excluded["in a group not compared"] = others
    per_session = per_session[per_session.isin(chosen)]
    n_per = per_session.value_counts()
    small = [g for g in chosen if n_per.get(g, 0) < min_sessions]
    if small:
        raise InputError(
            f"group(s) {small} of {col!r} have fewer than {min_sessions} sessions "
            f"({n_per.to_dict()}); session-level statistics need more",
            column=col,
        )
    a = a[a["session_id"].isin(per_session.index)]
    topic_ids = sorted(int(t) for t in a["topic"].unique() if t != -1)
    sess = per_session.index.tolist()
    rows = pd.Index(sess).get_indexer(a["session_id"])
    counts = np.zeros((len(sess), len(topic_ids)), dtype=np.int64)
    t_index = {t: i for i, t in enumerate(topic_ids)}
    real = a["topic"].to_numpy() != -1
    n = a[count_column].to_numpy(dtype=np.int64) if count_column is not None else np.ones(len(a), dtype=np.int64)
    np.add.at(counts, (rows[real], [t_index[int(t)] for t in a["topic"].to_numpy()[real]]), n[real])
    remarks = np.bincount(rows, weights=n, minlength=len(sess)).astype(np.int64)
    stratum = _session_values(a, strata, sess, "stratification") if strata is not None else np.full(len(sess), "all")
    group = per_session.reindex(sess).to_numpy()
    if cluster is not None:
        clusters = _session_values(a, cluster, sess, "cluster")
        mixed = pd.Series(group).groupby(clusters).nunique()
        if (mixed > 1).any():
            bad = mixed[mixed > 1].index[0]
            raise InputError(
                f"cluster {bad!r} of {cluster!r} has sessions in more than one group of {col!r}: "
                "permuting whole clusters cannot separate group from cluster; compare by session "
                "(no cluster) or choose a cluster nested in the groups",
                column=cluster,
            )
    else:
        clusters = np.asarray(sess, dtype=object)
    sessions = pd.DataFrame(
        {
            "session_id": sess,
            "group": group,
            "stratum": stratum,
            "cluster": clusters,
            "remarks": remarks,
            "topical": counts.sum(axis=1),
        }
    )
    return SessionTable(sessions=sessions, counts=counts, topics=topic_ids, groups=chosen, excluded=excluded)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (NaN p-values stay NaN)."""
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = ok.sum()
    if m == 0:
        return q
    order = np.argsort(p[ok])
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    q[ok] = out
    return q
