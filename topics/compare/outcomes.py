"""Topic shares against a session-level outcome: Spearman correlations, adjusted for group when asked.

Per topic, the rank correlation between each session's share of its remarks in the topic and an outcome
(readiness to change, a rating). With ``by`` (a grouping column) both ranks are centred within each group
first, so a topic that is simply more common in the group with better outcomes does not look associated
(a partial rank correlation), and the outcomes are permuted within groups. Intervals: Fisher z with the
Bonett-Wright standard error for Spearman's rho, ``sqrt((1 + rho^2 / 2) / (n - g - 3))``, which keeps
its coverage in small samples where a percentile bootstrap does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from topics.compare.sessions import benjamini_hochberg, resolve_column
from topics.errors import InputError
from topics.read import refuse_reserved


def _centred_ranks(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Column-wise ranks, centred on their mean within each group."""
    ranks = pd.DataFrame(x).rank(axis=0).to_numpy()
    means = pd.DataFrame(ranks).groupby(group).transform("mean").to_numpy()
    return ranks - means


def _correlation(rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """Correlation of each column of ``rx`` with the vector ``ry`` (both already centred)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rx * ry[:, None]).sum(0) / np.sqrt((rx**2).sum(0) * (ry**2).sum())


def outcome_association(
    assignments: pd.DataFrame,
    outcome: str,
    *,
    by: str | None = None,
    n_perm: int = 2000,
    seed: int = 0,
    min_sessions: int = 10,
    min_topic_sessions: int = 5,
    confidence: float = 0.95,
    n_boot: int | None = None,
) -> pd.DataFrame:
    """Spearman correlation between a session's topic share and a session-level outcome, per topic.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with a session-level numeric ``outcome`` column (e.g. ``readiness_change``).
    outcome : str
    by : str, optional
        Grouping column or preset to adjust for: ranks centred within groups, outcomes permuted within groups.
    n_perm : int
        Permutations of the outcomes across sessions (within groups with ``by``).
    seed, confidence :
    min_sessions : int
        Sessions with a non-missing outcome needed.
    min_topic_sessions : int
        Topics present in fewer sessions are flagged ``too_small`` and not tested.
    n_boot : int, optional
        Ignored (the interval is analytic); kept so that older calls keep working.

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``label``, ``rho``, ``rho_low``, ``rho_high``, ``p_value``, ``q_value``, ``sessions``,
        ``sessions_with_topic``, ``too_small``; ``attrs["method"]`` says whether it is adjusted for group.
    """
    refuse_reserved(outcome)  # "probability" is the model's, not an outcome of the session
    if outcome not in assignments.columns:
        raise InputError(f"no outcome column {outcome!r}", column=outcome)
    values = pd.to_numeric(assignments.groupby("session_id")[outcome].first(), errors="coerce").dropna()
    if len(values) < min_sessions:
        raise InputError(f"only {len(values)} sessions have a numeric {outcome!r}; need {min_sessions}", column=outcome)
    a = assignments[assignments["session_id"].isin(values.index)]
    if by is not None:
        col = resolve_column(a, by)
        group = a.groupby("session_id")[col].first().reindex(values.index).astype(str).to_numpy()
    else:
        col, group = None, np.full(len(values), "all")
    n_groups = len(np.unique(group))
    topic_ids = sorted(int(t) for t in a["topic"].unique() if t != -1)
    table = pd.crosstab(a["session_id"], a["topic"]).reindex(index=values.index, columns=topic_ids, fill_value=0)
    share = table.to_numpy(float) / a.groupby("session_id").size().reindex(values.index).to_numpy(float)[:, None]
    y = values.to_numpy(float)
    rng = np.random.default_rng(seed)
    rx = _centred_ranks(share, group)
    ry = _centred_ranks(y[:, None], group)[:, 0]
    obs = _correlation(rx, ry)
    exceed = np.zeros(len(topic_ids))
    positions = [np.flatnonzero(group == g) for g in np.unique(group)]
    for _ in range(n_perm):
        order = np.arange(len(y))
        for idx in positions:
            order[idx] = rng.permutation(idx)
        exceed += np.abs(_correlation(rx, ry[order])) >= np.abs(obs) - 1e-12
    p = (exceed + 1) / (n_perm + 1)
    n = len(y)
    dof = max(n - n_groups + 1 - 3, 1)
    se = np.sqrt((1 + obs**2 / 2) / dof)
    crit = stats.norm.isf((1 - confidence) / 2)
    z = np.arctanh(np.clip(obs, -0.999999, 0.999999))
    present = (table.to_numpy() > 0).sum(0)
    small = (present < min_topic_sessions) | ~np.isfinite(obs)
    labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    out = pd.DataFrame(
        {
            "topic": topic_ids,
            "label": [labels.get(t, str(t)) for t in topic_ids],
            "rho": obs,
            "rho_low": np.tanh(z - crit * se),
            "rho_high": np.tanh(z + crit * se),
            "p_value": np.where(small, np.nan, p),
            "sessions": n,
            "sessions_with_topic": present,
            "too_small": small,
        }
    )
    out.insert(6, "q_value", benjamini_hochberg(out["p_value"].to_numpy()))
    adjusted = (
        f" Adjusted for {col}: ranks centred within each of its {n_groups} groups and outcomes permuted "
        f"within groups (a partial rank correlation)."
        if col and n_groups > 1
        else f" Not adjusted: every session with an outcome is in one group of {col}."
        if col
        else " Not adjusted for any group."
    )
    out.attrs["method"] = (
        f"Spearman correlation between each session's share of remarks in the topic and {outcome} "
        f"({n} sessions).{adjusted} Interval: Fisher z with the Bonett-Wright standard error; "
        f"p: {n_perm} permutations of outcomes across sessions"
        f"{' within groups' if n_groups > 1 else ''}; q: Benjamini-Hochberg. Seed {seed}."
    )
    n_tests = int(out["p_value"].notna().sum())
    out.attrs["warnings"] = []
    if n_tests and n_tests / (n_perm + 1) >= 0.05:
        out.attrs["warnings"].append(
            f"With {n_perm} permutations and {n_tests} tests no q-value can fall below 0.05; "
            f"use at least {20 * n_tests} permutations."
        )
    return out
