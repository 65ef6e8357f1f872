"""The studentized contrast of topic shares between two groups of clusters, and its permutation distribution.

One estimand, stated: a group's share of a topic is a weighted mean of its sessions' shares,
``s_g = sum_i w_i p_i / sum_i w_i``, with ``p_i`` the session's share of the topic and

* ``estimand="session"`` (default): ``w_i = 1``, the average session's share (every session counts the same);
* ``estimand="pooled"``: ``w_i`` = the session's remarks, the share of the group's remarks (long sessions
  count more).

The denominator of ``p_i`` is every modelled remark (``denominator="all"``, default; remarks without a
topic then form a column of their own, "no topic") or only remarks in a topic (``"topical"``).

The difference ``d = s_A - s_B`` gets a cluster-robust standard error from the linearisation of the ratio
estimator, with clusters (sessions, or therapists, or prompts) as the independent units:
``V_g = G_g / (G_g - 1) * sum_c (sum_{i in c} w_i (p_i - s_g))^2 / (sum_i w_i)^2``. With strata, shares are
standardised: ``s_g = sum_h W_h s_{g,h}`` with fixed stratum weights ``W_h`` and ``V_g = sum_h W_h^2 V_{g,h}``.

The test statistic ``t = d / SE`` is compared with two references: its permutation distribution, whole
clusters' group labels shuffled (within strata), which is valid for unequal group sizes and spreads because
the statistic is studentized (Chung & Romano 2013); and Student's t with Welch-Satterthwaite degrees of
freedom over clusters. The p-value is the larger of the two, and the interval is ``d +- c * SE`` with ``c``
the larger critical value, so that the interval excludes 0 exactly when ``p < 1 - confidence``.

When a small group is far more varied than the other, ``d`` is skewed (the varied group's mean of a topic that
is not common is right-skewed) and the studentized difference leans the other way: both references above are
symmetric and reject too often on that *heavy* side (designs 11 and 13 of ``benchmarks/calibration.py``: 6.6-7.0%
of rows at p < .05, nearly all on one side, and Benjamini-Hochberg's FDR at 6.6-9.4%). A third reference joins
them there, where each group has the 20 clusters the bootstrap-t needs (:mod:`topics.compare.prevalence`): Student's
t corrected by the one-term Edgeworth expansion with the skewness of ``d`` estimated from the groups' spreads
(:func:`difference_skewness`, :func:`edgeworth_heavy_p`); it lengthens the interval on that side only, and the
larger p is still reported (with fewer clusters the estimated skewness over-corrects).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from topics.compare.sessions import SessionTable
from topics.errors import InputError

ESTIMANDS = ("session", "pooled")
DENOMINATORS = ("all", "topical")
NO_TOPIC = -1
"""Column of the remarks without a topic (outliers and set-aside buckets) when ``denominator="all"``."""


@dataclass
class ClusterData:
    """Sums per cluster that every group statistic is computed from (clusters x columns)."""

    a: np.ndarray  # sum of w_i p_i per cluster
    w: np.ndarray  # sum of w_i per cluster
    group: np.ndarray  # group of each cluster
    stratum: np.ndarray
    columns: list[int]
    sessions: np.ndarray  # sessions per cluster that enter the estimate
    session_cluster: np.ndarray  # cluster (row here) of each session of the table; -1 if it does not enter
    binomial: np.ndarray  # sum of w_i^2 / m_i per cluster: the multinomial-sampling part of the variance
    pooled: np.ndarray  # share of each column over all clusters (the common share under "no difference")

    def session_mask(self, clusters: np.ndarray) -> np.ndarray:
        """The sessions whose cluster is in a mask over the clusters."""
        return np.where(self.session_cluster >= 0, clusters[np.maximum(self.session_cluster, 0)], False)


def check_options(estimand: str, denominator: str) -> None:
    """Raise a clear error for an unknown estimand or denominator."""
    if estimand not in ESTIMANDS:
        raise InputError(f"estimand must be one of {list(ESTIMANDS)}, got {estimand!r}")
    if denominator not in DENOMINATORS:
        raise InputError(f"denominator must be one of {list(DENOMINATORS)}, got {denominator!r}")


def session_shares(
    st: SessionTable, *, estimand: str = "session", denominator: str = "all"
) -> tuple[np.ndarray, np.ndarray, list[int], np.ndarray]:
    """Each session's share of each column, its weight, the columns, and which sessions enter.

    Returns
    -------
    shares : numpy.ndarray
        Sessions x columns.
    weights : numpy.ndarray
        ``w_i`` per session (0 for sessions that do not enter).
    columns : list of int
        Topic of each column (``-1`` = no topic, with ``denominator="all"``).
    valid : numpy.ndarray
        Sessions with a non-zero denominator.
    """
    check_options(estimand, denominator)
    counts = st.counts.astype(float)
    columns = list(st.topics)
    if denominator == "all":
        counts = np.column_stack([counts, st.no_topic.astype(float)])
        columns.append(NO_TOPIC)
        total = st.sessions["remarks"].to_numpy(dtype=float)
    else:
        total = st.sessions["topical"].to_numpy(dtype=float)
    valid = total > 0
    shares = np.zeros_like(counts)
    shares[valid] = counts[valid] / total[valid, None]
    weights = np.where(valid, 1.0 if estimand == "session" else total, 0.0)
    return shares, weights, columns, valid


def denominator_counts(st: SessionTable, denominator: str) -> np.ndarray:
    """Remarks per session in the denominator of its shares (all modelled remarks, or those in a topic)."""
    return st.sessions["remarks" if denominator == "all" else "topical"].to_numpy(dtype=float)


def cluster_data(
    st: SessionTable, shares: np.ndarray, weights: np.ndarray, columns: list[int], totals: np.ndarray | None = None
) -> ClusterData:
    """Sum ``w_i p_i``, ``w_i`` and ``w_i^2 / m_i`` over the sessions of each cluster (``m_i``: ``totals``)."""
    codes, uniques = pd.factorize(st.sessions["cluster"].astype(str))
    n = len(uniques)
    a = np.zeros((n, shares.shape[1]))
    np.add.at(a, codes, weights[:, None] * shares)
    w = np.bincount(codes, weights=weights, minlength=n)
    m = totals if totals is not None else st.sessions["remarks"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        binomial = np.bincount(codes, weights=np.where(m > 0, weights**2 / np.where(m > 0, m, 1), 0.0), minlength=n)
    entering = np.bincount(codes, weights=(weights > 0).astype(float), minlength=n)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    group = st.sessions["group"].to_numpy()[first]
    stratum = st.sessions["stratum"].to_numpy()[first]
    by_cluster = pd.DataFrame({"c": codes, "h": st.sessions["stratum"].to_numpy()}).groupby("c")["h"].nunique()
    if (by_cluster > 1).any():
        raise InputError("a cluster has sessions in more than one stratum: clusters must be nested in strata")
    keep = w > 0
    renumber = np.where(keep, np.cumsum(keep) - 1, -1)
    session_cluster = np.where(weights > 0, renumber[codes], -1)
    pooled = a[keep].sum(axis=0) / w[keep].sum()
    return ClusterData(
        a=a[keep],
        w=w[keep],
        group=group[keep],
        stratum=stratum[keep],
        columns=columns,
        sessions=entering[keep],
        session_cluster=session_cluster,
        binomial=binomial[keep],
        pooled=pooled,
    )


def _group_moments(
    masks: np.ndarray, cd: ClusterData, pooled: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate, variance and cluster count of one group for each row of cluster weights (reps x clusters).

    The variance is the cluster-robust one, but never below the variance that multinomial sampling of the
    group's remarks alone would give at the pooled share, ``s (1 - s) sum_i w_i^2 / m_i / (sum_i w_i)^2``: a
    group in which a rare topic happens to be absent would otherwise get a variance of 0 and an infinite t.
    """
    sum_w = masks @ cd.w
    with np.errstate(invalid="ignore", divide="ignore"):
        est = (masks @ cd.a) / sum_w[:, None]
        ss = masks @ (cd.a**2) - 2 * est * (masks @ (cd.a * cd.w[:, None])) + est**2 * (masks @ (cd.w**2))[:, None]
        n = masks.sum(axis=1)
        var = (n / (n - 1))[:, None] * np.clip(ss, 0, None) / (sum_w**2)[:, None]
        common = cd.pooled if pooled is None else pooled
        floor = (common * (1 - common))[None, :] * ((masks @ cd.binomial) / sum_w**2)[:, None]
    return est, np.maximum(var, floor), n


def stratum_weights(cd: ClusterData, in_a: np.ndarray, in_b: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Strata that hold at least two clusters of each side, with weights proportional to their clusters."""
    levels = []
    for level in np.unique(cd.stratum):
        m = cd.stratum == level
        if (m & in_a).sum() >= 2 and (m & in_b).sum() >= 2:
            levels.append((m.astype(float), float((m & (in_a | in_b)).sum())))
    total = sum(w for _, w in levels)
    return [(m, w / total) for m, w in levels]


@dataclass
class Contrast:
    """Estimates of one contrast for each row of masks (row 0: the observed labels)."""

    share_a: np.ndarray
    share_b: np.ndarray
    diff: np.ndarray
    se: np.ndarray
    df: np.ndarray
    var_a: np.ndarray
    var_b: np.ndarray


def contrast(
    mask_a: np.ndarray, mask_b: np.ndarray, cd: ClusterData, strata: list[tuple[np.ndarray, float]] | None
) -> Contrast:
    """``s_A - s_B`` with its cluster-robust standard error and Welch degrees of freedom, per row of masks."""
    parts = strata if strata else [(np.ones(len(cd.w)), 1.0)]
    zero: np.ndarray = np.zeros(())  # 0-d: each sum below becomes a (reps x columns) array at the first stratum
    share_a = share_b = var_a = var_b = df_denominator = zero
    for in_level, weight in parts:
        # the floor's common share is the stratum's own (both groups; unchanged by permutations within it)
        level = np.asarray(in_level).reshape(-1) > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = cd.a[level].sum(axis=0) / cd.w[level].sum() if strata else None
        est_a, v_a, n_a = _group_moments(mask_a * in_level, cd, pooled)
        est_b, v_b, n_b = _group_moments(mask_b * in_level, cd, pooled)
        share_a = share_a + weight * est_a
        share_b = share_b + weight * est_b
        var_a = var_a + weight**2 * v_a
        var_b = var_b + weight**2 * v_b
        # Welch-Satterthwaite over every (group, stratum) variance component, each with its own clusters
        with np.errstate(invalid="ignore", divide="ignore"):
            df_denominator = (
                df_denominator
                + (weight**2 * v_a) ** 2 / (n_a - 1)[:, None]
                + (weight**2 * v_b) ** 2 / (n_b - 1)[:, None]
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var_a + var_b)
        df = (var_a + var_b) ** 2 / df_denominator
    return Contrast(share_a=share_a, share_b=share_b, diff=share_a - share_b, se=se, df=df, var_a=var_a, var_b=var_b)


def permuted_cluster_masks(
    rng: np.random.Generator, in_a: np.ndarray, in_b: np.ndarray, stratum: np.ndarray, reps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Reps x clusters masks of A and B with the labels of A's and B's clusters shuffled within each stratum."""
    pa = np.zeros((reps, len(in_a)))
    pb = np.zeros((reps, len(in_a)))
    both = in_a | in_b
    for level in np.unique(stratum[both]):
        idx = np.flatnonzero(both & (stratum == level))
        n_a = int(in_a[idx].sum())
        keys = rng.random((reps, len(idx)))
        order = idx[np.argsort(keys, axis=1)]
        rows = np.arange(reps)[:, None]
        pa[rows, order[:, :n_a]] = 1.0
        pb[rows, order[:, n_a:]] = 1.0
    return pa, pb


def _order_rank(x: float) -> int:
    """``ceil(x)`` for a rank computed from a level: ``alpha = 1 - 0.95`` is ``0.05000000000000004`` in floating
    point, and ``ceil(0.05000000000000004 * 1000 - 1)`` would take the 50th order statistic instead of the 49th
    (an interval excluding 0 beside p = 0.050); rounding to 9 decimals first removes that error."""
    return int(np.ceil(round(x, 9)))


def permutation_critical_value(t_perm: np.ndarray, alpha: float) -> np.ndarray:
    """Per column, the smallest ``c`` such that ``|t| > c`` gives a permutation p below ``alpha``.

    With ``B`` permutations, ``p = (1 + #{|T*| >= |t|}) / (B + 1)``; ``p < alpha`` holds exactly when ``|t|``
    exceeds the ``k``-th largest ``|T*|`` with ``k = ceil(alpha (B + 1) - 1)`` (infinite when ``k < 1``: too
    few permutations to reach ``alpha``).
    """
    reps = t_perm.shape[0]
    k = _order_rank(alpha * (reps + 1) - 1)
    if k < 1:
        return np.full(t_perm.shape[1], np.inf)
    ordered = -np.sort(-np.nan_to_num(np.abs(t_perm), nan=np.inf), axis=0)
    return ordered[k - 1]


def bootstrap_cluster_weights(rng: np.random.Generator, mask: np.ndarray, stratum: np.ndarray, reps: int) -> np.ndarray:
    """Reps x clusters multiplicities: the clusters of ``mask`` resampled with replacement within each stratum."""
    out = np.zeros((reps, len(mask)))
    for level in np.unique(stratum[mask]):
        idx = np.flatnonzero(mask & (stratum == level))
        draws = idx[rng.integers(0, len(idx), size=(reps, len(idx)))]
        np.add.at(out, (np.repeat(np.arange(reps), len(idx)), draws.ravel()), 1.0)
    return out


def bootstrap_t_bounds(t_boot: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the order statistics ``(q_lo, q_hi)`` of bootstrap t-values for an equal-tailed interval.

    The interval is ``[d - q_hi * SE, d - q_lo * SE]``; it excludes 0 exactly when the bootstrap-t p-value
    ``2 * min(P(T* >= t), P(T* <= t))`` (each ``(1 + count) / (B + 1)``) is below ``alpha``.
    """
    reps = t_boot.shape[0]
    k = _order_rank(alpha / 2 * (reps + 1) - 1)
    if k < 1:
        inf = np.full(t_boot.shape[1], np.inf)
        return -inf, inf
    ordered = np.sort(t_boot, axis=0)
    return ordered[k - 1], ordered[reps - k]


def bootstrap_t_p(t_boot: np.ndarray, t_obs: np.ndarray) -> np.ndarray:
    """Equal-tailed bootstrap-t p-value of ``t_obs`` (per column) against the centred bootstrap t-values."""
    reps = t_boot.shape[0]
    upper = ((t_boot >= t_obs - 1e-12).sum(axis=0) + 1) / (reps + 1)
    lower = ((t_boot <= t_obs + 1e-12).sum(axis=0) + 1) / (reps + 1)
    return np.minimum(1.0, 2 * np.minimum(upper, lower))


def max_t_adjusted(t_obs: np.ndarray, t_ref: np.ndarray, tested: np.ndarray) -> np.ndarray:
    """Westfall-Young step-down max-|t| adjusted p-values of the tested columns (NaN for the others).

    Parameters
    ----------
    t_obs : numpy.ndarray
        Observed studentized differences (columns).
    t_ref : numpy.ndarray
        Replicates x columns of the reference distribution under "no difference" (permuted, or bootstrap
        t-values centred on the estimate), resampled jointly over the columns so that their dependence is kept.
    tested : numpy.ndarray
        Columns in the family.

    Returns
    -------
    numpy.ndarray
        Per column, ``(1 + #{max over the columns ranked at or below it of |T*| >= |t|}) / (B + 1)``, made
        monotone in the ranking. The smallest is the family's p-value (single-step max-|t|): the chance, under
        "no difference in any topic", of a largest studentized difference as large as the one observed.
    """
    out = np.full(len(t_obs), np.nan)
    idx = np.flatnonzero(tested)
    if not len(idx):
        return out
    obs = np.abs(np.nan_to_num(t_obs[idx], nan=0.0))
    ref = np.nan_to_num(np.abs(t_ref[:, idx]), nan=np.inf)
    order = np.argsort(-obs, kind="stable")
    # successive maxima from the least significant column up: column ranked j against max over ranks j..m
    tail_max = np.maximum.accumulate(ref[:, order[::-1]], axis=1)[:, ::-1]
    reps = t_ref.shape[0]
    p = ((tail_max >= obs[order][None, :] - 1e-12).sum(axis=0) + 1) / (reps + 1)
    out[idx[order]] = np.maximum.accumulate(p)
    return out


def group_spread(cd: ClusterData, mask: np.ndarray) -> float:
    """Between-cluster spread of the shares in one group, pooled over the columns.

    ``rho = sum_k Var_k / sum_k s_k (1 - s_k)``, with ``Var_k`` the variance of the clusters' shares of column
    ``k`` (weights ``w``) around the group's share ``s_k``: 1 when every cluster sits wholly in one column, about
    ``1 / m`` when remarks fall at random (``m`` remarks per cluster), ``1 / (c + 1)`` for Dirichlet(``c``)
    profiles. Pooled over the columns it is stable even in a group of a few clusters.
    """
    w = cd.w[mask]
    if len(w) < 2 or w.sum() <= 0:
        return float("nan")
    shares = cd.a[mask] / w[:, None]
    est = (w[:, None] * shares).sum(axis=0) / w.sum()
    var = (w[:, None] * (shares - est) ** 2).sum(axis=0) / w.sum() * len(w) / (len(w) - 1)
    denominator = float((est * (1 - est)).sum())
    return float(np.clip(var.sum() / denominator, 0.0, 1.0)) if denominator > 0 else float("nan")


def difference_skewness(cd: ClusterData, in_a: np.ndarray, in_b: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Skewness of the sampling distribution of ``s_A - s_B`` per column, from each group's pooled spread.

    Each group's cluster shares of column ``k`` are taken as Beta with the pooled share ``s_k`` of both groups
    (the common share under "no difference") and the group's spread ``rho_g`` (:func:`group_spread`):
    ``Var = rho_g s_k (1 - s_k)`` and skewness ``2 (1 - 2 s_k) sqrt(c + 1) / ((c + 2) sqrt(s_k (1 - s_k)))``
    with ``c = 1 / rho_g - 1``; the mean of ``n_g`` clusters has the variance ``/ n_g`` and the skewness
    ``/ sqrt(n_g)``. The difference then has the skewness
    ``(g_A V_A^1.5 - g_B V_B^1.5) / (V_A + V_B)^1.5``: 0 when the groups have the same size and spread (the two
    skews cancel), large when a small group is much more varied than the other and the topic is not common
    (its few sessions with the topic carry the mean, and the studentized difference is lopsided).

    Returns
    -------
    skewness : numpy.ndarray
        Per column.
    rho_a, rho_b : float
        The two groups' spreads.
    """
    rho = [group_spread(cd, in_a), group_spread(cd, in_b)]
    n = [float(in_a.sum()), float(in_b.sum())]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip((cd.a[in_a | in_b].sum(axis=0)) / cd.w[in_a | in_b].sum(), 1e-12, 1 - 1e-12)
        moments = []
        for r, m in zip(rho, n, strict=True):
            c = 1.0 / max(r, 1e-12) - 1.0
            var = r * s * (1 - s) / m
            skew = 2 * (1 - 2 * s) * np.sqrt(c + 1) / ((c + 2) * np.sqrt(s * (1 - s))) / np.sqrt(m)
            moments.append((var, skew))
        (v_a, g_a), (v_b, g_b) = moments
        gamma = (g_a * v_a**1.5 - g_b * v_b**1.5) / (v_a + v_b) ** 1.5
    return np.nan_to_num(gamma, nan=0.0), rho[0], rho[1]


EDGEWORTH_MAX_SKEW = 3.0
"""The skewness used by :func:`edgeworth_heavy_p` is capped here (the correction stays monotone in ``|t|``); rows
this skewed are flagged ``lopsided`` anyway (:data:`topics.compare.design.SKEW_LIMIT`)."""


def _edgeworth_tail(x: np.ndarray, skew: np.ndarray, df: np.ndarray) -> np.ndarray:
    """``P(T >= x)``, ``x > 0``, on the heavy side of a studentized difference whose numerator has skewness
    ``skew`` (one-term Edgeworth expansion; see :func:`edgeworth_heavy_p`)."""
    return stats.t.sf(x, df) + np.abs(skew) / 6 * (2 * x**2 + 1) * stats.t.pdf(x, df)


def edgeworth_heavy_p(t: np.ndarray, skewness: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a studentized difference on the heavy side of its skewed distribution (else 0).

    The one-term Edgeworth expansion of a studentized mean (Hall 1992): when the difference ``d`` has skewness
    ``gamma`` (:func:`difference_skewness`), ``P(T <= x) = F(x) + gamma / 6 (2 x^2 + 1) f(x)`` (``F``, ``f``:
    Student's t with the Welch degrees of freedom). The studentized difference leans the other way from ``d``:
    with ``gamma < 0`` (a small group more varied, its mean right-skewed, so ``d`` left-skewed) large positive
    ``T`` come more often than ``F`` says. On that side the p-value is ``2 P(T >= |t|)`` from the expansion;
    on the other side 0, so that taking the larger of this and the symmetric references changes nothing there.
    ``|gamma|`` is capped at :data:`EDGEWORTH_MAX_SKEW`.
    """
    g = np.clip(np.nan_to_num(skewness, nan=0.0), -EDGEWORTH_MAX_SKEW, EDGEWORTH_MAX_SKEW)
    x = -np.sign(g) * t  # > 0 on the heavy side
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.minimum(1.0, 2 * _edgeworth_tail(np.abs(x), g, df))
    return np.where((x > 0) & (g != 0), p, 0.0)


def edgeworth_heavy_critical(skewness: np.ndarray, df: np.ndarray, alpha: float) -> np.ndarray:
    """Per column, the ``x > 0`` with ``edgeworth_heavy_p = alpha`` on the heavy side (bisection; the tail is
    decreasing in ``x`` for ``|gamma| <= 3``): a studentized difference beyond it on that side has ``p < alpha``."""
    return _tail_crossing(_edgeworth_tail, skewness, df, alpha)


def _tail_crossing(
    tail: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], skewness: np.ndarray, df: np.ndarray, alpha: float
) -> np.ndarray:
    """Per column, the first ``x`` in (0, 60] with ``2 tail(x) < alpha`` (bisection, 60 halvings)."""
    g = np.clip(np.nan_to_num(skewness, nan=0.0), -EDGEWORTH_MAX_SKEW, EDGEWORTH_MAX_SKEW)
    lo, hi = np.zeros_like(g, dtype=float), np.full_like(g, 60.0, dtype=float)
    for _ in range(60):
        mid = (lo + hi) / 2
        above = 2 * tail(mid, g, df) >= alpha
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return hi


def _edgeworth_light_tail(x: np.ndarray, skew: np.ndarray, df: np.ndarray) -> np.ndarray:
    """``P(T <= -x)``, ``x > 0``, on the light side of the same expansion (may fall below 0 far out)."""
    return stats.t.sf(x, df) - np.abs(skew) / 6 * (2 * x**2 + 1) * stats.t.pdf(x, df)


def edgeworth_light_p(t: np.ndarray, skewness: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a studentized difference on the light side of its skewed distribution (else 1).

    The same one-term expansion as :func:`edgeworth_heavy_p`, read on the side where the studentized difference
    leans with the skewness of ``d``: there large ``|T|`` come less often than Student's t says, ``2 P(T <= -|t|)
    = 2 (F(-|t|) - |gamma| / 6 (2 t^2 + 1) f(t))`` (clipped to [0, 1]; the expansion falls below 0 far out, where
    the p-value is 0 and another reference bounds it). 1 on the heavy side and where there is no skewness, so
    that taking the smaller of this and another reference changes nothing there. Non-increasing in ``|t|`` for
    ``|gamma| <= 3``.
    """
    g = np.clip(np.nan_to_num(skewness, nan=0.0), -EDGEWORTH_MAX_SKEW, EDGEWORTH_MAX_SKEW)
    x = -np.sign(g) * t  # < 0 on the light side
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.clip(2 * _edgeworth_light_tail(np.abs(x), g, df), 0.0, 1.0)
    return np.where((x < 0) & (g != 0), p, 1.0)


def edgeworth_light_critical(skewness: np.ndarray, df: np.ndarray, alpha: float) -> np.ndarray:
    """Per column, the ``x > 0`` with ``edgeworth_light_p = alpha`` on the light side (bisection: the light tail
    decreases until it first reaches ``alpha / 2``); below Student's critical value, equal to it without
    skewness."""
    return _tail_crossing(_edgeworth_light_tail, skewness, df, alpha)
