"""The unit of every group comparison: topic counts per session, and the resampling of whole sessions.

Remarks are nested in sessions, so the **session is the unit of resampling**: intervals come from a
cluster bootstrap over sessions and p-values from permuting the group labels of whole sessions
(:func:`bootstrap_weights`, :func:`permuted_masks`); q-values from the Benjamini-Hochberg procedure.

Presets name the usual grouping columns: ``school``, ``counselor_type``, ``quality`` (-> ``mi_quality``
where a corpus calls it that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from topics.errors import InputError

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
        No such column.
    """
    if by in assignments.columns:
        return by
    for candidate in PRESETS.get(by, []):
        if candidate in assignments.columns:
            return candidate
    meta = [c for c in assignments.columns if c not in ("utterance_id", "text", "turn", "topic", "label", "probability",
                                                         "similarity", "raw_topic", "raw_label", "bucket")]
    raise InputError(f"no grouping column {by!r} in the data; metadata columns are {meta}", column=by)


@dataclass
class SessionTable:
    """Topic counts per session: the unit of every comparison.

    Attributes
    ----------
    sessions : pandas.DataFrame
        One row per session: ``session_id``, ``group``, ``stratum``, ``remarks``.
    counts : numpy.ndarray
        Sessions x topics remark counts (outliers and set-aside remarks excluded from topics but counted
        in ``remarks``).
    topics : list of int
        Topic of each column of ``counts``.
    groups : list of str
        The groups, in order (first = reference).
    """

    sessions: pd.DataFrame
    counts: np.ndarray
    topics: list[int]
    groups: list[str]


def session_table(assignments: pd.DataFrame, by: str, *, strata: str | None = None,
                  groups: list[str] | None = None, min_sessions: int = 2) -> SessionTable:
    """Count remarks per session and topic, with each session's group.

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

    Returns
    -------
    SessionTable

    Raises
    ------
    InputError
        Missing column, fewer than two groups, a group with too few sessions, or a session that is in
        two groups.
    """
    col = resolve_column(assignments, by)
    a = assignments
    missing = a[col].isna()
    if missing.all():
        raise InputError(f"every value of {col!r} is missing", column=col)
    a = a[~missing]
    labels = a.groupby("session_id")[col].nunique()
    if (labels > 1).any():
        bad = labels[labels > 1].index[0]
        raise InputError(f"session {bad!r} has more than one value of {col!r}; groups must be session-level",
                         column=col)
    per_session = a.groupby("session_id")[col].first().astype(str)
    present = sorted(per_session.unique())
    chosen = [str(g) for g in groups] if groups else present
    unknown = [g for g in chosen if g not in present]
    if unknown:
        raise InputError(f"group(s) {unknown} not found in {col!r}; groups are {present}", column=col)
    if len(chosen) < 2:
        raise InputError(f"{col!r} has only one group ({present}); a comparison needs two or more", column=col)
    per_session = per_session[per_session.isin(chosen)]
    n_per = per_session.value_counts()
    small = [g for g in chosen if n_per.get(g, 0) < min_sessions]
    if small:
        raise InputError(f"group(s) {small} of {col!r} have fewer than {min_sessions} sessions "
                         f"({n_per.to_dict()}); session-level statistics need more", column=col)
    a = a[a["session_id"].isin(per_session.index)]
    topic_ids = sorted(int(t) for t in a["topic"].unique() if t != -1)
    sess = per_session.index.tolist()
    s_index = pd.Index(sess)
    rows = s_index.get_indexer(a["session_id"])
    counts = np.zeros((len(sess), len(topic_ids)), dtype=np.int64)
    t_index = {t: i for i, t in enumerate(topic_ids)}
    real = a["topic"].to_numpy() != -1
    np.add.at(counts, (rows[real], [t_index[int(t)] for t in a["topic"].to_numpy()[real]]), 1)
    remarks = np.bincount(rows, minlength=len(sess))
    if strata is not None:
        if strata not in a.columns:
            raise InputError(f"no stratification column {strata!r}", column=strata)
        stratum = a.groupby("session_id")[strata].first().reindex(sess).fillna("(missing)").astype(str).to_numpy()
    else:
        stratum = np.array(["all"] * len(sess))
    sessions = pd.DataFrame({"session_id": sess, "group": per_session.reindex(sess).to_numpy(),
                             "stratum": stratum, "remarks": remarks})
    return SessionTable(sessions=sessions, counts=counts, topics=topic_ids, groups=chosen)


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


def bootstrap_weights(rng: np.random.Generator, mask: np.ndarray, stratum: np.ndarray, reps: int) -> np.ndarray:
    """Reps x sessions multiplicities of a cluster bootstrap within ``mask`` (and within each stratum)."""
    w = np.zeros((reps, len(mask)))
    for level in np.unique(stratum[mask]):
        idx = np.flatnonzero(mask & (stratum == level))
        draws = rng.integers(0, len(idx), size=(reps, len(idx)))
        for r in range(reps):
            np.add.at(w[r], idx[draws[r]], 1.0)
    return w


def permuted_masks(rng: np.random.Generator, in_a: np.ndarray, in_b: np.ndarray, both: np.ndarray,
                   stratum: np.ndarray, reps: int) -> tuple[np.ndarray, np.ndarray]:
    """Reps x sessions 0/1 masks of groups A and B after shuffling the labels of ``both`` within each stratum."""
    pa = np.zeros((reps, len(in_a)))
    pb = np.zeros((reps, len(in_a)))
    for level in np.unique(stratum[both]):
        idx = np.flatnonzero(both & (stratum == level))
        n_b = int(in_b[idx].sum())
        for r in range(reps):
            shuffled = rng.permutation(idx)
            pb[r, shuffled[:n_b]] = 1.0
            pa[r, shuffled[n_b:]] = 1.0
    return pa, pb
