"""How the topic mix moves through a session: position, transitions, drift.

* **Position**: every remark gets its relative position in the session (0 = first therapist remark,
  1 = last); :func:`position_shares` gives topic shares by segment (opening / middle / closing, or deciles).
* **Transitions**: :func:`transition_matrix` counts which topic follows which in consecutive therapist
  remarks of the same session.
* **Drift**: :func:`drift_scores` measures how far each session's true topic mix lies from its group's
  typical mix (the group's between-session spread), and how much the mix changes between the first and the
  second half of the session, both estimated free of session length (a short session's observed mix is
  noisier, which must not count as drift); :func:`compare_drift` contrasts groups with intervals and a
  permutation test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.divergence import jensen_shannon_rows
from topics.compare.drift_interval import drift_heavy_critical, drift_interval, jackknife_skewness
from topics.compare.sessions import benjamini_hochberg, resolve_column
from topics.errors import InputError

SEGMENTS = ("opening", "middle", "closing")


def relative_position(assignments: pd.DataFrame) -> pd.Series:
    """Relative position (0..1) of each remark among its session's remarks, by ``turn``."""
    rank = assignments.groupby("session_id")["turn"].rank(method="first") - 1
    size = assignments.groupby("session_id")["turn"].transform("size") - 1
    return (rank / size.where(size > 0, 1)).astype(float)


def position_shares(
    assignments: pd.DataFrame,
    *,
    bins: int = 3,
    by: str | None = None,
    include_outliers: bool = False,
    n_boot: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Topic shares by position in the session, with session-bootstrap intervals.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with ``session_id``, ``turn``, ``topic``, ``label``.
    bins : int
        3 gives opening / middle / closing; 10 gives deciles.
    by : str, optional
        Grouping column: shares per group.
    include_outliers : bool
        Keep remarks without a topic in the denominators and as a row.
    n_boot : int
        Bootstrap replicates of whole sessions (within group) for ``low`` and ``high``; 0 for none.
    seed, confidence :

    Returns
    -------
    pandas.DataFrame
        ``group``, ``segment`` (name or decile number), ``segment_index``, ``topic``, ``label``,
        ``remarks``, ``share`` (of the segment's remarks), ``low``, ``high``, ``sessions``.
    """
    a = assignments.assign(_pos=relative_position(assignments))
    a["segment_index"] = np.minimum((a["_pos"] * bins).astype(int), bins - 1)
    a["group"] = a[resolve_column(a, by)].astype(str) if by else "all"
    if not include_outliers:
        a = a[a["topic"] != -1]
    counts = a.groupby(["group", "segment_index", "topic", "label"]).size().rename("remarks").reset_index()
    totals = a.groupby(["group", "segment_index"]).size().rename("total")
    counts = counts.join(totals, on=["group", "segment_index"])
    counts["share"] = counts["remarks"] / counts["total"]
    counts["low"], counts["high"] = np.nan, np.nan
    counts["sessions"] = counts["group"].map(a.groupby("group")["session_id"].nunique())
    if n_boot:
        _position_intervals(a, counts, n_boot, seed, (1 - confidence) / 2)
    names = (
        list(SEGMENTS)
        if bins == 3
        else [f"{10 * i}-{10 * (i + 1)}%" if bins == 10 else str(i + 1) for i in range(bins)]
    )
    counts["segment"] = counts["segment_index"].map(dict(enumerate(names)))
    return counts[
        ["group", "segment", "segment_index", "topic", "label", "remarks", "share", "low", "high", "sessions"]
    ]


def _position_intervals(a: pd.DataFrame, counts: pd.DataFrame, n_boot: int, seed: int, alpha: float) -> None:
    """Fill ``low`` / ``high`` of ``counts`` in place: whole sessions resampled within each group."""
    rng = np.random.default_rng(seed)
    for (group, segment), part in a.groupby(["group", "segment_index"]):
        sessions = pd.Index(a.loc[a["group"] == group, "session_id"].unique())
        table = pd.crosstab(part["session_id"], part["topic"]).reindex(index=sessions, fill_value=0)
        draws = rng.integers(0, len(sessions), size=(n_boot, len(sessions)))
        weights = np.zeros((n_boot, len(sessions)))
        np.add.at(weights, (np.repeat(np.arange(n_boot), len(sessions)), draws.ravel()), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = (weights @ table.to_numpy(float)) / (weights @ table.to_numpy(float).sum(axis=1))[:, None]
        rows = (counts["group"] == group) & (counts["segment_index"] == segment)
        column = {t: i for i, t in enumerate(table.columns)}
        idx = [column[t] for t in counts.loc[rows, "topic"]]
        counts.loc[rows, "low"] = np.nanquantile(shares[:, idx], alpha, axis=0)
        counts.loc[rows, "high"] = np.nanquantile(shares[:, idx], 1 - alpha, axis=0)


def transition_matrix(
    assignments: pd.DataFrame,
    *,
    normalize: bool = True,
    include_outliers: bool = False,
    group: str | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Topic-to-topic transitions between adjacent therapist remarks of a session.

    A transition is a pair of remarks next to each other in the session's order of therapist remarks (client
    turns between them do not count); a pair in which either remark has no topic is left out unless
    ``include_outliers``, and never bridged: A, no topic, B is not a transition from A to B.

    Parameters
    ----------
    assignments : pandas.DataFrame
    normalize : bool
        Rows sum to 1 (probability of the next topic given this one); else counts.
    include_outliers : bool
        Keep remarks without a topic as state -1.
    group, by : str, optional
        Only sessions whose ``by`` column equals ``group``.

    Returns
    -------
    pandas.DataFrame
        Square table: index = topic of a remark, columns = topic of the next remark.
    """
    a = assignments
    if group is not None:
        if by is None:
            raise ValueError("pass by= with group=")
        a = a[a[resolve_column(a, by)].astype(str) == str(group)]
    a = a.sort_values(["session_id", "turn"])
    nxt = a.groupby("session_id")["topic"].shift(-1)
    pairs = pd.DataFrame({"from": a["topic"], "to": nxt}).dropna()
    if not include_outliers:
        pairs = pairs[(pairs["from"] != -1) & (pairs["to"] != -1)]
        a = a[a["topic"] != -1]
    topics = sorted(int(t) for t in a["topic"].unique())
    table = pd.crosstab(pairs["from"].astype(int), pairs["to"].astype(int)).reindex(
        index=topics, columns=topics, fill_value=0
    )
    if normalize:
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    table.index.name, table.columns.name = "from_topic", "to_topic"
    return table


def _session_counts(a: pd.DataFrame, topics: list[int], index: pd.Index) -> np.ndarray:
    return pd.crosstab(a["session_id"], a["topic"]).reindex(index=index, columns=topics, fill_value=0).to_numpy(float)


JSD_SCALE = 1.0 / (8.0 * np.log(2.0))
"""Factor that puts a chi-square distance on the scale of the Jensen-Shannon divergence in bits: for two
close distributions ``JSD(p, q) ~ sum_k (p_k - q_k)^2 / (8 ln 2 q_k)``."""


def topic_weights(counts: np.ndarray) -> np.ndarray:
    """``1 / q_k``, ``q`` the pooled topic profile of all sessions (0 for a topic no session uses).

    The same weights for every session and every permutation of the group labels: the chi-square metric of
    drift and shift."""
    pooled = counts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled > 0, pooled.sum() / pooled, 0.0)


def _square_terms(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares ``x / m`` and ``x (x - 1) / (m (m - 1))`` (unbiased for the squared true share) per row."""
    m = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts / m
        squares = counts * (counts - 1) / (m * (m - 1))
    return shares, squares


def unbiased_distance(counts_1: np.ndarray, counts_2: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Unbiased estimate of ``sum_k w_k (theta_1k - theta_2k)^2`` from two independent multinomial samples.

    ``x_k (x_k - 1) / (m (m - 1))`` is unbiased for ``theta_k^2`` and ``x_1k x_2k / (m_1 m_2)`` for
    ``theta_1k theta_2k``; so the estimate has the true distance as its expectation whatever the numbers of
    remarks ``m_1``, ``m_2`` (at least 2 each; NaN otherwise). It is negative when the two samples are closer
    than sampling alone would make them.
    """
    p1, u1 = _square_terms(counts_1)
    p2, u2 = _square_terms(counts_2)
    return ((u1 + u2 - 2 * p1 * p2) * weights).sum(axis=1)


def drift_scores(assignments: pd.DataFrame, by: str, *, min_remarks: int = 6) -> pd.DataFrame:
    """Per session: distance of its topic mix from its group's typical mix, and its change within the session.

    Both are estimated **free of session length**. A session's observed topic mix is its true mix plus the
    sampling noise of ``m`` remarks, and any divergence of observed mixes (the Jensen-Shannon divergence
    included) grows as ``m`` shrinks: groups that differ only in session length would differ in it. So the
    distances are chi-square distances (weights ``1 / q_k``, ``q`` the pooled topic profile of all sessions;
    the metric of which the Jensen-Shannon divergence is locally a multiple) between *true* mixes, estimated
    without bias from the counts (:func:`unbiased_distance`), and put on the Jensen-Shannon scale in bits
    (:data:`JSD_SCALE`):

    * ``drift`` of session ``i``: half the mean estimated distance between its mix and that of each other
      session of its group. Its expectation is ``E sum_k w_k (theta_ik - mu_gk)^2`` with ``mu_g`` the mean mix
      of the group's sessions: how far a session's true mix lies from its group's typical mix. Averaged over a
      group it is the group's between-session spread (the weighted variance of the true topic shares). Two
      groups with the same generating process have the same expected drift whatever their session lengths;
      groups whose sessions vary more around their typical mix (a real difference in spread) have more drift.
    * ``shift``: the estimated distance between the true mixes of the session's first and second half
      (therapist remarks in order): 0 in expectation for a session whose mix does not change, whatever its
      length.

    Single values are noisy (negative values occur); their group means are the estimates.

    Parameters
    ----------
    assignments : pandas.DataFrame
    by : str
        Grouping column or preset.
    min_remarks : int
        Sessions with fewer remarks in topics are left out; how many were left out, and their remarks, is in
        ``attrs["excluded"]``. At least 4 (each half needs two remarks).

    Returns
    -------
    pandas.DataFrame
        ``session_id``, ``group``, ``remarks``, ``drift``, ``shift`` (both length-free, as above), and, for
        description only, ``drift_jsd`` (Jensen-Shannon divergence, base 2, between the session's observed
        mix and the pooled mix of the other sessions of its group) and ``shift_jsd`` (between its observed
        halves): these grow as sessions get shorter and are not compared between groups.
    """
    min_remarks = max(int(min_remarks), 4)
    col = resolve_column(assignments, by)
    a = assignments[(assignments["topic"] != -1) & assignments[col].notna()].sort_values(["session_id", "turn"])
    topics = sorted(int(t) for t in a["topic"].unique())
    sizes = a.groupby("session_id").size()
    all_sessions = assignments.loc[assignments[col].notna(), "session_id"].nunique()
    kept = sizes[sizes >= min_remarks].index
    if len(kept) == 0:
        raise InputError(f"no session has {min_remarks} or more remarks in topics")
    group = a.groupby("session_id")[col].first().astype(str).reindex(kept)
    counts = _session_counts(a, topics, kept)
    weights = topic_weights(counts)
    codes, _ = pd.factorize(group.to_numpy())
    masks = (codes[None, :] == np.arange(codes.max() + 1)[:, None]).astype(float)
    drift = _drift_from_counts(counts, weights, masks, codes[None, :])[0]
    totals = pd.DataFrame(counts).groupby(group.to_numpy()).sum()
    others = totals.loc[group.to_numpy()].to_numpy() - counts
    drift_jsd = np.where(
        others.sum(axis=1) > 0,
        jensen_shannon_rows(counts, np.where(others.sum(axis=1)[:, None] > 0, others, 1.0)),
        np.nan,
    )
    c1, c2 = _half_counts(a, topics, kept)
    halves = (c1.sum(axis=1) > 0) & (c2.sum(axis=1) > 0)
    shift_jsd = np.full(len(kept), np.nan)
    if halves.any():
        shift_jsd[halves] = jensen_shannon_rows(c1[halves], c2[halves])
    shift = JSD_SCALE * unbiased_distance(c1, c2, weights)
    out = pd.DataFrame(
        {
            "session_id": kept,
            "group": group.to_numpy(),
            "remarks": counts.sum(axis=1).astype(int),
            "drift": drift,
            "shift": shift,
            "drift_jsd": drift_jsd,
            "shift_jsd": shift_jsd,
        }
    )
    out.attrs["excluded"] = {"sessions": int(all_sessions - len(kept)), "min_remarks": min_remarks}
    return out


def _half_counts(a: pd.DataFrame, topics: list[int], index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Topic counts of the first and the second half of each session's remarks (``a`` sorted by turn)."""
    pos = relative_position(a)
    return _session_counts(a[pos < 0.5], topics, index), _session_counts(a[pos >= 0.5], topics, index)


def _drift_from_counts(counts: np.ndarray, weights: np.ndarray, masks: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Drift of every session for each labelling: ``masks`` (labellings x groups x sessions, or groups x
    sessions for one) says which sessions form each group, ``codes`` (labellings x sessions) each session's
    group. Returns labellings x sessions (NaN for a session alone in its group)."""
    if masks.ndim == 2:
        masks = masks[None]
    shares, squares = _square_terms(counts)
    own_square = squares @ weights  # sum_k w_k U_ik
    sum_square = masks @ squares @ weights  # labellings x groups: sum over the group of own_square
    sum_shares = masks @ shares  # labellings x groups x topics
    size = masks.sum(axis=2)  # labellings x groups
    rows = np.arange(len(codes))[:, None]
    cross = np.einsum("ik,rik->ri", shares * weights, sum_shares[rows, codes])  # sum_k w_k p_ik S_gk
    own_cross = (shares**2) @ weights
    n_other = size[rows, codes] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_distance = (
            own_square + (sum_square[rows, codes] - own_square) / n_other - 2 * (cross - own_cross) / n_other
        )
    return np.where(n_other > 0, JSD_SCALE * mean_distance / 2, np.nan)


def _welch_t(x: np.ndarray, in_a: np.ndarray, *, inflation: float = 1.0) -> np.ndarray:
    """Welch's t of mean(A) - mean(B) for each row of 0/1 masks ``in_a`` (the rest is B); ``inflation``
    multiplies each group's variance of the mean."""
    in_b = 1.0 - in_a
    n_a, n_b = in_a.sum(axis=1), in_b.sum(axis=1)
    m_a, m_b = (in_a @ x) / n_a, (in_b @ x) / n_b
    v_a = (in_a @ x**2 - n_a * m_a**2) / (n_a - 1)
    v_b = (in_b @ x**2 - n_b * m_b**2) / (n_b - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (m_a - m_b) / np.sqrt(inflation * (np.clip(v_a, 0, None) / n_a + np.clip(v_b, 0, None) / n_b))


def _welch_t_rows(x: np.ndarray, in_a: np.ndarray, *, inflation: float = 1.0) -> np.ndarray:
    """:func:`_welch_t` with one vector of values per row of masks (``x`` labellings x sessions)."""
    in_b = 1.0 - in_a
    n_a, n_b = in_a.sum(axis=1), in_b.sum(axis=1)
    m_a, m_b = (in_a * x).sum(axis=1) / n_a, (in_b * x).sum(axis=1) / n_b
    v_a = ((in_a * x**2).sum(axis=1) - n_a * m_a**2) / (n_a - 1)
    v_b = ((in_b * x**2).sum(axis=1) - n_b * m_b**2) / (n_b - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (m_a - m_b) / np.sqrt(inflation * (np.clip(v_a, 0, None) / n_a + np.clip(v_b, 0, None) / n_b))


DRIFT_INFLATION = 4.0
"""A group's mean drift is a U-statistic (every session is compared with every other): its variance is about
four times the variance of the session values divided by their number (Hoeffding), not one time."""


def compare_drift(
    drift: pd.DataFrame,
    *,
    assignments: pd.DataFrame | None = None,
    by: str | None = None,
    groups: list[str] | None = None,
    n_boot: int = 1000,
    n_perm: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean drift and shift per group with intervals; for two groups a permutation p.

    Both measures are length-free (see :func:`drift_scores`): a difference in session length alone does not
    make the groups differ. What the two tests ask:

    * ``drift``: do the groups' sessions vary around their group's typical mix by different amounts (the
      between-session spread of the true topic mixes)? Two groups with the same mean mix but different spread
      *do* differ here; that is the estimand, not an artefact.
    * ``shift``: does the topic mix change between the first and the second half of a session more in one
      group than in the other?

    The test statistic is Welch's t of the difference in means (first group minus second), referred to its
    permutation distribution. Shift is a property of each session alone, so its values are permuted. Drift
    depends on the other sessions of the group, so it is **recomputed inside every permutation** from the
    sessions' topic counts (pass ``assignments`` and ``by``; without them drift values are permuted as they
    are). Intervals: the group mean +- ``t_{n-1}`` x its standard error. For drift with the counts, the mean is
    the jackknife bias-corrected one and the interval is taken on the log scale where it is clearly positive
    (:func:`drift_jackknife`, :func:`drift_interval`): the topic weights come from the same data, which biases
    a varied group's mean drift down by about a third of its standard error, and a spread's estimate is
    right-skewed (the symmetric interval around the plain mean covered 87% in a group of 60 sessions with
    concentration 10). Below the estimate its critical value is Student's t with the degrees of freedom the
    jackknife variance is worth (:func:`drift_jackknife_df`); above it, on the heavy side of the right-skewed
    estimate, the one-term Edgeworth critical value with the skewness of the jackknife leave-out estimates
    (:func:`drift_jackknife_skewness`; :mod:`topics.compare.drift_interval`). Per group in the three designs of
    benchmarks/RESULTS.md: 94.2-97.2% (500 data sets each; without the skewness term 92.8-96.4%).
    Without the counts: the plain mean and the U-statistic
    approximation of its standard error (:data:`DRIFT_INFLATION`). ``n_boot`` is kept for compatibility and no
    longer used.

    Returns
    -------
    pandas.DataFrame
        One row per measure and group: ``measure``, ``group``, ``sessions``, ``mean`` (for drift with the
        counts: bias-corrected, so not exactly the mean of the session values), ``low``, ``high``,
        ``p_value`` (difference between the two groups, same for both rows; NaN for other group counts),
        ``q_value`` (over the measures), and for two groups ``difference`` (first group's mean minus the
        second's); ``attrs["excluded"]`` carries the sessions drift left out, ``attrs["method"]`` the estimands.
    """
    from scipy import stats

    rng = np.random.default_rng(seed)
    alpha = (1 - confidence) / 2
    rows = []
    order = groups or sorted(drift["group"].unique())
    counts: np.ndarray | None = None
    weights: np.ndarray | None = None
    if assignments is not None and by is not None:
        col = resolve_column(assignments, by)
        a = assignments[(assignments["topic"] != -1) & assignments[col].notna()]
        topics = sorted(int(t) for t in a["topic"].unique())
        counts = _session_counts(a, topics, pd.Index(drift["session_id"]))
        weights = topic_weights(counts)  # every session drift_scores kept: the weights it used
    jackknife: dict[str, tuple[float, float, float, float]] = {}
    if counts is not None:
        ok = drift["drift"].notna().to_numpy()
        jackknife = _drift_jackknife(counts[ok], drift.loc[ok, "group"].astype(str).to_numpy())
    for measure in ("drift", "shift"):
        ok = drift[measure].notna().to_numpy().copy()
        if len(order) == 2:
            ok &= drift["group"].isin(order).to_numpy()
        d = drift[ok]
        p = np.nan
        if len(order) == 2:
            x = d[measure].to_numpy(float)
            in_a = (d["group"] == order[0]).to_numpy(float)
            inflation = DRIFT_INFLATION if measure == "drift" else 1.0
            obs = _welch_t(x, in_a[None, :], inflation=inflation)[0]
            perm = np.array([rng.permutation(in_a) for _ in range(n_perm)])
            if measure == "drift" and counts is not None and weights is not None:  # set together
                null = np.concatenate(
                    [
                        _permuted_drift_t(counts[ok], weights, part)
                        for part in np.array_split(perm, max(1, n_perm // 100))
                    ]
                )
            else:
                null = _welch_t(x, perm, inflation=inflation)
            p = ((np.abs(np.nan_to_num(null)) >= abs(obs) - 1e-12).sum() + 1) / (n_perm + 1)
        for grp in order:
            x = d.loc[d["group"] == grp, measure].to_numpy()
            mean = float(np.mean(x)) if len(x) else np.nan
            low = high = np.nan
            if len(x) > 1:
                crit = stats.t.ppf(1 - alpha, len(x) - 1)
                if measure == "drift" and counts is not None and grp in jackknife:
                    mean, se, df, skew = jackknife[grp]
                    # Student's t with the degrees of freedom the jackknife variance is worth (its kurtosis), and
                    # the Edgeworth critical value on the heavy side of the skewed estimate
                    crit = stats.t.ppf(1 - alpha, df) if np.isfinite(df) else crit
                    heavy = drift_heavy_critical(skew, df, 2 * alpha) if np.isfinite(df) else crit
                    low, high = drift_interval(mean, se, heavy if skew < 0 else crit, heavy if skew > 0 else crit)
                else:
                    se = np.sqrt((DRIFT_INFLATION if measure == "drift" else 1.0) * np.var(x, ddof=1) / len(x))
                    low, high = mean - crit * se, mean + crit * se
            rows.append(
                {
                    "measure": measure,
                    "group": grp,
                    "sessions": len(x),
                    "mean": mean,
                    "low": float(low),
                    "high": float(high),
                    "p_value": p,
                }
            )
    out = pd.DataFrame(rows)
    # one test per measure (its p repeats on each group's row): BH over the measures, not over the rows
    per_measure = out.drop_duplicates("measure").set_index("measure")["p_value"]
    out["q_value"] = out["measure"].map(
        dict(zip(per_measure.index, benjamini_hochberg(per_measure.to_numpy()), strict=True))
    )
    if len(order) == 2:
        means = out.pivot_table(index="measure", columns="group", values="mean")
        out["difference"] = out["measure"].map(means[order[0]] - means[order[1]])
        out.attrs["direction"] = f"{order[0]} minus {order[1]}"
    out.attrs["excluded"] = drift.attrs.get("excluded", {})
    out.attrs["method"] = DRIFT_METHOD
    return out


DRIFT_METHOD = (
    "Drift and shift are estimated free of session length: chi-square distances between sessions' true topic "
    "mixes (weights 1 / the pooled share of each topic, on the scale of the Jensen-Shannon divergence in bits), "
    "estimated without bias from the remark counts, so that shorter sessions (noisier observed mixes) do not "
    "get larger values. Drift is a group's between-session spread: how far a session's mix lies from its "
    "group's typical mix; groups with the same mean topic mix but more varied sessions differ in drift, and "
    "that is what it measures. Shift is the change between a session's first and second half (0 when the mix "
    "does not change). p: Welch's t against permutations of the group labels (drift recomputed in each). A "
    "group's drift is the jackknife bias-corrected mean (the topic weights come from the same sessions, which "
    "biases the plain mean of a varied group down), with an interval from the jackknife standard error on the "
    "log scale where it lies above 0 (a spread's estimate is right-skewed): below the estimate Student's t with "
    "the degrees of freedom the jackknife variance is worth (fewer when a few sessions move it far more than the "
    "others), above it the one-term Edgeworth critical value with the skewness of the jackknife estimates (a "
    "group that lacks the rare sessions that carry its spread has both a low estimate and a low standard "
    "error); in simulations (500 data sets per design) such intervals covered 94.2-97.2% per group (target 95%) "
    "(benchmarks/RESULTS.md)."
)


def drift_jackknife_se(
    counts: np.ndarray, group: np.ndarray, *, max_blocks: int = 200, seed: int = 0
) -> dict[str, float]:
    """Jackknife standard error of each group's mean drift (:func:`drift_jackknife`)."""
    return {name: se for name, (_, se) in drift_jackknife(counts, group, max_blocks=max_blocks, seed=seed).items()}


def drift_jackknife(
    counts: np.ndarray, group: np.ndarray, *, max_blocks: int = 200, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Jackknife bias-corrected mean drift of each group and its standard error, leaving out one session (or
    block) at a time.

    A group's mean drift depends on every pair of its sessions and, through the topic weights, on every
    session of the data; leaving out each session in turn and recomputing everything (weights, the other
    sessions of each group) gives a standard error that includes both. Above ``max_blocks`` sessions, the
    sessions are split at random into ``max_blocks`` blocks (within each group) and a block is left out at a
    time (the delete-a-group jackknife), so the cost stays bounded.

    Parameters
    ----------
    counts : numpy.ndarray
        Sessions x topics counts of the sessions drift uses.
    group : numpy.ndarray
        Each session's group.
    max_blocks : int
        Most leave-out steps.
    seed : int
        Seeds the random blocks (only with more sessions than ``max_blocks``).

    Returns
    -------
    dict of str to (float, float)
        Group to (bias-corrected mean, standard error); NaN for a group of fewer than 3 sessions. The mean drift
        is a ratio-like estimate (the topic weights come from the same sessions): the correction
        ``B * full - (B - 1) * mean(leave-outs)`` (``B`` leave-out steps) removes its bias of order ``1 / n``.
    """
    return {
        name: (mean, se)
        for name, (mean, se, _) in drift_jackknife_df(counts, group, max_blocks=max_blocks, seed=seed).items()
    }


def drift_jackknife_df(
    counts: np.ndarray, group: np.ndarray, *, max_blocks: int = 200, seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """:func:`drift_jackknife` with the degrees of freedom its variance estimate is worth.

    A jackknife variance is a mean of squared leave-out deviations; when those are heavy-tailed (a few sessions
    with rare topics, whose weights ``1 / q_k`` are large, move a group's drift far more than the others) the
    variance estimate is itself very variable, and ``t_{n-1}`` understates the critical value. The usual
    moment match (Satterthwaite): ``Var(s^2) / E(s^2)^2 = 2 / (B - 1) + kappa / B`` with ``kappa`` the excess
    kurtosis of the ``B`` leave-out deviations of the group's own sessions (all blocks above ``max_blocks``
    sessions), so ``df = 2 / (2 / (B - 1) + kappa / B)``, kept between 2 and the group's sessions minus 1
    (``kappa <= 0`` gives the latter).

    Returns
    -------
    dict of str to (float, float, float)
        Group to (bias-corrected mean, standard error, degrees of freedom); NaN for fewer than 3 sessions.
    """
    return {name: parts[:3] for name, parts in _drift_jackknife(counts, group, max_blocks, seed).items()}


def drift_jackknife_skewness(
    counts: np.ndarray, group: np.ndarray, *, max_blocks: int = 200, seed: int = 0
) -> dict[str, float]:
    """Skewness of each group's mean drift over data sets, estimated from its jackknife leave-out estimates.

    :func:`topics.compare.drift_interval.jackknife_skewness` of the leave-out estimates of
    :func:`drift_jackknife`; :func:`compare_drift` lengthens the interval on the heavy side by it
    (:mod:`topics.compare.drift_interval`).

    Returns
    -------
    dict of str to float
        Group to skewness; NaN for fewer than 3 sessions.
    """
    return {name: parts[3] for name, parts in _drift_jackknife(counts, group, max_blocks, seed).items()}


def _drift_jackknife(
    counts: np.ndarray, group: np.ndarray, max_blocks: int = 200, seed: int = 0
) -> dict[str, tuple[float, float, float, float]]:
    """Group to (bias-corrected mean, standard error, degrees of freedom, skewness) of its mean drift."""
    codes, names = pd.factorize(group)
    n_groups, n = len(names), len(codes)
    masks = (codes[None, :] == np.arange(n_groups)[:, None]).astype(float)
    if n <= max_blocks:
        block = np.arange(n)
    else:  # sessions sorted by group, dealt to the blocks in turn: every block holds each group's share
        order = np.lexsort((np.random.default_rng(seed).random(n), codes))
        block = np.empty(n, dtype=int)
        block[order] = np.arange(n) % max_blocks
    blocks = int(block.max()) + 1
    full = _drift_from_counts(counts, topic_weights(counts), masks, codes[None, :])[0]
    leave_out = np.full((blocks, n_groups), np.nan)
    for b in range(blocks):
        keep = block != b
        values = _drift_from_counts(counts[keep], topic_weights(counts[keep]), masks[:, keep], codes[keep][None, :])[0]
        for g in range(n_groups):
            leave_out[b, g] = np.nanmean(values[codes[keep] == g])
    out = {}
    for g, name in enumerate(names):
        m = int((codes == g).sum())
        est = leave_out[:, g]
        if m < 3:
            out[str(name)] = (np.nan, np.nan, np.nan, np.nan)
            continue
        corrected = blocks * float(np.nanmean(full[codes == g])) - (blocks - 1) * float(est.mean())
        se = float(np.sqrt((blocks - 1) / blocks * np.sum((est - est.mean()) ** 2)))
        # the kurtosis of the group's own leave-outs (the other sessions move it only through the weights)
        own = est[codes == g] if blocks == n else est
        dev = own - own.mean()
        ss = float(np.sum(dev**2))
        kurtosis = len(own) * float(np.sum(dev**4)) / ss**2 - 3.0 if ss > 0 else 0.0
        df = 2.0 / (2.0 / (len(own) - 1) + max(kurtosis, 0.0) / len(own))
        out[str(name)] = (corrected, se, float(np.clip(df, 2.0, m - 1)), jackknife_skewness(est))
    return out


def _permuted_drift_t(counts: np.ndarray, weights: np.ndarray, in_a: np.ndarray) -> np.ndarray:
    """Welch's t of drift for each row of 0/1 group masks, drift recomputed for each labelling."""
    codes = (1 - in_a).astype(int)  # 0 = A, 1 = B
    masks = np.stack([in_a, 1 - in_a], axis=1)  # labellings x 2 x sessions
    values = _drift_from_counts(counts, weights, masks, codes)
    return _welch_t_rows(values, in_a, inflation=DRIFT_INFLATION)
