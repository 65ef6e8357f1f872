"""Group comparisons of topic prevalence with session-level statistics.

Remarks are nested in sessions, so the **session is the unit of resampling**: intervals come from a
cluster bootstrap over sessions (sessions resampled with replacement within each group), p-values from
permuting the group labels of whole sessions, and q-values from the Benjamini-Hochberg procedure across
all topics (and contrasts). A topic's prevalence in a group is the share of the group's remarks that fall
in it (remarks pooled over the group's sessions).

Two groups give one contrast per topic (second group minus first). More groups give one contrast per
group against all other sessions ("group vs rest"). With ``strata`` (e.g. the presenting problem) the
statistic is the session-weighted mean of the within-stratum differences, and both bootstrap and
permutation stay within strata, so a difference in the mix of strata between groups cannot produce it.

The session table, the resampling and the presets of grouping columns are in
:mod:`topics.compare.sessions`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import (
    SessionTable,
    benjamini_hochberg,
    bootstrap_weights,
    permuted_masks,
    resolve_column,
    session_table,
)
from topics.errors import InputError


def _shares(weights: np.ndarray, counts: np.ndarray, remarks: np.ndarray) -> np.ndarray:
    """Pooled topic shares for each row of session weights (reps x sessions) -> reps x topics."""
    totals = weights @ remarks
    with np.errstate(invalid="ignore", divide="ignore"):
        return (weights @ counts) / totals[:, None]


def _contrast(w_a: np.ndarray, w_b: np.ndarray, st: SessionTable, strata_w: list[tuple[np.ndarray, float]] | None,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares of A and B and their difference for weight matrices (reps x sessions)."""
    counts, remarks = st.counts.astype(float), st.sessions["remarks"].to_numpy(dtype=float)
    if strata_w is None:
        sa, sb = _shares(w_a, counts, remarks), _shares(w_b, counts, remarks)
        return sa, sb, sb - sa
    # standardised shares: within-stratum shares averaged with fixed stratum weights, so that
    # diff == share_b - share_a; a stratum that a bootstrap replicate left without sessions of a group
    # is dropped from that replicate and the remaining weights renormalised
    sum_a = sum_b = total = 0.0
    for mask, weight in strata_w:
        da = _shares(w_a * mask, counts, remarks)
        db = _shares(w_b * mask, counts, remarks)
        ok = np.isfinite(da) & np.isfinite(db)
        sum_a = sum_a + weight * np.where(ok, da, 0.0)
        sum_b = sum_b + weight * np.where(ok, db, 0.0)
        total = total + weight * ok
    with np.errstate(invalid="ignore", divide="ignore"):
        sa, sb = sum_a / total, sum_b / total
    return sa, sb, sb - sa


def compare_groups(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    strata: str | None = None,
    n_boot: int = 1000,
    n_perm: int = 2000,
    seed: int = 0,
    min_sessions: int = 5,
    min_remarks: int = 20,
    min_topic_sessions: int = 5,
    confidence: float = 0.95,
    labels: pd.Series | None = None,
) -> pd.DataFrame:
    """Per-topic prevalence contrast between groups of sessions, with honest uncertainty.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (curated by default: pass ``analysis.assignments``).
    by : str
        Grouping column or preset (``school``, ``counselor_type``, ``quality``).
    groups : list of str, optional
        Groups to compare, in order; with two, the contrast is second minus first.
    strata : str, optional
        Compare within levels of this column (e.g. ``problem``).
    n_boot, n_perm : int
        Cluster-bootstrap and permutation replicates.
    seed : int
        Random seed (results are reproducible).
    min_sessions : int
        Each group needs this many sessions (else :class:`InputError`).
    min_remarks, min_topic_sessions : int
        A topic with fewer remarks, or present in fewer sessions, in the compared groups is flagged
        ``too_small`` and gets no test (p and q are NaN).
    confidence : float
        Interval level.
    labels : pandas.Series, optional
        Topic labels indexed by topic; default from the ``label`` column.

    Returns
    -------
    pandas.DataFrame
        One row per topic and contrast: ``topic``, ``label``, ``contrast``, ``group_a``, ``group_b``,
        ``share_a``, ``share_b`` (with ``strata``: standardised over the strata holding both groups),
        ``diff`` (b - a, in share points), ``diff_low``, ``diff_high``,
        ``ratio`` (b / a), ``ratio_low``, ``ratio_high``, ``p_value`` (two-sided permutation),
        ``q_value`` (BH over all rows), ``remarks``, ``sessions_with_topic``, ``too_small``,
        ``sessions_a``, ``sessions_b``. ``attrs`` hold the method description.
    """
    st = session_table(assignments, by, strata=strata, groups=groups, min_sessions=min_sessions)
    rng = np.random.default_rng(seed)
    if labels is None:
        labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    g = st.sessions["group"].to_numpy()
    contrasts = ([(st.groups[0], st.groups[1])] if len(st.groups) == 2
                 else [("rest", grp) for grp in st.groups])
    out = []
    for name_a, name_b in contrasts:
        in_b = g == name_b
        in_a = (g == name_a) if name_a != "rest" else ~in_b
        out.extend(_contrast_rows(st, rng, name_a, name_b, in_a, in_b, labels, strata=strata, n_boot=n_boot,
                                  n_perm=n_perm, min_remarks=min_remarks, min_topic_sessions=min_topic_sessions,
                                  confidence=confidence))
    table = pd.DataFrame(out)
    table.insert(table.columns.get_loc("p_value") + 1, "q_value", benjamini_hochberg(table["p_value"].to_numpy()))
    table.attrs["method"] = _method_text(st, table, strata=strata, n_boot=n_boot, n_perm=n_perm,
                                         min_remarks=min_remarks, min_topic_sessions=min_topic_sessions,
                                         confidence=confidence)
    table.attrs["warnings"] = _permutation_floor_warnings(table, n_perm)
    table.attrs["by"] = resolve_column(assignments, by)
    return table


def _contrast_rows(st: SessionTable, rng: np.random.Generator, name_a: str, name_b: str, in_a: np.ndarray,
                   in_b: np.ndarray, labels: pd.Series, *, strata: str | None, n_boot: int, n_perm: int,
                   min_remarks: int, min_topic_sessions: int, confidence: float) -> list[dict]:
    """One row per topic for the contrast B minus A: shares, bootstrap interval, permutation p."""
    stratum = st.sessions["stratum"].to_numpy()
    alpha = (1 - confidence) / 2
    strata_w = _strata_weights(stratum, in_a, in_b) if strata else None
    if strata and not strata_w:
        raise InputError(f"no level of {strata!r} has sessions of both {name_a!r} and {name_b!r}", column=strata)
    obs_a, obs_b, obs_diff = _contrast(in_a[None, :].astype(float), in_b[None, :].astype(float), st, strata_w)
    # cluster bootstrap: resample sessions with replacement within group only: with strata, cells of one
    # session would otherwise add no variation and make the interval too narrow
    no_strata = np.array(["all"] * len(in_a))
    w_a = bootstrap_weights(rng, in_a, no_strata, n_boot)
    w_b = bootstrap_weights(rng, in_b, no_strata, n_boot)
    bs_a, bs_b, bs_diff = _contrast(w_a, w_b, st, strata_w)
    with np.errstate(invalid="ignore", divide="ignore"):
        bs_ratio = bs_b / bs_a
    # permutation of session labels (within strata) among the sessions of the two sides
    both = in_a | in_b
    perm_a, perm_b = permuted_masks(rng, in_a, in_b, both, stratum, n_perm)
    _, _, perm_diff = _contrast(perm_a, perm_b, st, strata_w)
    exceed = (np.abs(perm_diff) >= np.abs(obs_diff) - 1e-12).sum(axis=0)
    p = (exceed + 1) / (n_perm + 1)
    topic_remarks = st.counts[both].sum(axis=0)
    topic_sessions = (st.counts[both] > 0).sum(axis=0)
    rows = []
    for j, topic in enumerate(st.topics):
        small = topic_remarks[j] < min_remarks or topic_sessions[j] < min_topic_sessions
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = obs_b[0, j] / obs_a[0, j] if obs_a[0, j] > 0 else np.nan
        rows.append({
            "topic": topic, "label": labels.get(topic, str(topic)), "contrast": f"{name_b} vs {name_a}",
            "group_a": name_a, "group_b": name_b,
            "share_a": obs_a[0, j], "share_b": obs_b[0, j], "diff": obs_diff[0, j],
            "diff_low": np.nanquantile(bs_diff[:, j], alpha), "diff_high": np.nanquantile(bs_diff[:, j], 1 - alpha),
            "ratio": ratio,
            "ratio_low": _finite_quantile(bs_ratio[:, j], alpha),
            "ratio_high": _finite_quantile(bs_ratio[:, j], 1 - alpha),
            "p_value": np.nan if small else p[j],
            "remarks": int(topic_remarks[j]), "sessions_with_topic": int(topic_sessions[j]),
            "too_small": bool(small), "sessions_a": int(in_a.sum()), "sessions_b": int(in_b.sum()),
        })
    return rows


def _method_text(st: SessionTable, table: pd.DataFrame, *, strata: str | None, n_boot: int, n_perm: int,
                 min_remarks: int, min_topic_sessions: int, confidence: float) -> str:
    """How the contrasts were computed, in words (shown in the report and written beside the CSVs)."""
    return (
        f"Topic prevalence = share of a group's remarks in the topic. Unit of analysis: the session "
        f"({int(st.sessions.shape[0])} sessions). {int(confidence * 100)}% intervals: cluster bootstrap over sessions "
        f"({n_boot} replicates, sessions resampled within group). p-values: "
        f"two-sided permutation test shuffling whole sessions' group labels{' within strata' if strata else ''} "
        f"({n_perm} permutations). q-values: Benjamini-Hochberg across {int(table['p_value'].notna().sum())} tests. "
        f"Topics with fewer than {min_remarks} remarks or present in fewer than {min_topic_sessions} sessions are "
        f"flagged too small and not tested."
        + (f" Stratified by {strata}: shares are standardised (within-{strata} shares averaged with weights "
           f"proportional to the sessions in each {strata} that holds both groups; other sessions are left out), "
           f"so the difference is the weighted mean of within-{strata} differences." if strata else "")
    )


def _permutation_floor_warnings(table: pd.DataFrame, n_perm: int) -> list[str]:
    """A warning when too few permutations make q < 0.05 unreachable."""
    n_tests = int(table["p_value"].notna().sum())
    floor = n_tests / (n_perm + 1)
    if n_tests and floor >= 0.05:
        return [f"With {n_perm} permutations and {n_tests} tests the smallest attainable q-value is {floor:.3f}: "
                f"no topic can reach q < 0.05. Use at least {int(20 * n_tests)} permutations."]
    return []


def _finite_quantile(x: np.ndarray, q: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.quantile(x, q)) if len(x) else float("nan")


def _strata_weights(stratum: np.ndarray, in_a: np.ndarray, in_b: np.ndarray) -> list[tuple[np.ndarray, float]]:
    levels = []
    for level in np.unique(stratum):
        m = stratum == level
        if (m & in_a).any() and (m & in_b).any():
            levels.append((m.astype(float), float((m & (in_a | in_b)).sum())))
    total = sum(w for _, w in levels)
    return [(m[None, :], w / total) for m, w in levels]
