"""Group comparisons of topic prevalence: per topic, "A minus B" with an interval and a p-value that agree.

Remarks are nested in sessions (and sessions, where the data say so, in therapists): the **cluster** is the
unit of every resampling. A topic's share in a group is the average session's share by default
(``estimand="session"``) or the share of the group's remarks (``"pooled"``); the denominator is every
modelled remark (``denominator="all"``, with "no topic" reported as a contrast of its own) or the remarks in
a topic (``"topical"``). The difference is studentized by its cluster-robust standard error and referred
both to its cluster-permutation distribution and to Student's t with Welch degrees of freedom
(:mod:`topics.compare.studentized`); the larger p-value is reported, and the interval is built from the
larger critical value, so that the interval excludes 0 exactly when ``p < 0.05``. Where the groups' spreads make
the difference skewed, the Edgeworth-corrected t joins them on the heavy side where the bootstrap-t does (20 or more
clusters per group; ``p_edgeworth``), and on the light side the bootstrap-t and the expansion's light tail alone
decide (the symmetric references are too cautious there). The family of topics of a
contrast is tested with the step-down max-|t| against a cluster bootstrap of the whole profile and against the
cluster permutations, the larger of the two (``p_adjusted``, which gives the ``q_value``, and ``p_family``);
Benjamini-Hochberg over all rows is kept as ``q_bh``. When a
small group is far more varied than the other, a topic that is not common has a lopsided sampling distribution
that no test of its mean handles with so few sessions; such rows are flagged ``lopsided``
(:func:`topics.compare.design.spread_check`).

Two groups give one contrast per topic, **first group minus second** (``groups`` sets the order; default
sorted). More groups give one contrast per group against all other sessions ("g minus rest"). With
``strata`` (e.g. the presenting problem) shares are standardised over the strata that hold at least two
clusters of each side, and permutations stay within strata, so a different mix of strata cannot produce a
difference; the sessions of other strata are counted as left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from topics.compare.design import SKEW_LIMIT, family_message, spread_message
from topics.compare.sessions import SessionTable, benjamini_hochberg, resolve_column, session_table
from topics.compare.studentized import (
    NO_TOPIC,
    ClusterData,
    bootstrap_cluster_weights,
    bootstrap_t_bounds,
    bootstrap_t_p,
    cluster_data,
    contrast,
    denominator_counts,
    difference_skewness,
    edgeworth_heavy_critical,
    edgeworth_heavy_p,
    edgeworth_light_critical,
    edgeworth_light_p,
    max_t_adjusted,
    permutation_critical_value,
    permuted_cluster_masks,
    session_shares,
    stratum_weights,
)
from topics.errors import InputError

NO_TOPIC_LABEL = "no topic (outliers and set aside)"
REFERENCES = ("auto", "permutation", "bootstrap-t", "both")
BOOTSTRAP_MIN_CLUSTERS = 20
"""With ``reference="auto"``, the bootstrap-t joins the permutation test when each group has this many clusters
(in every stratum, with ``strata``)."""
FEW_CLUSTERS = 10
"""Below this many clusters in a group, the report says that the p-values rest on few independent units."""


def compare_groups(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    estimand: str = "session",
    denominator: str = "all",
    n_perm: int = 2000,
    seed: int = 0,
    min_sessions: int = 5,
    min_remarks: int = 20,
    min_topic_sessions: int = 5,
    confidence: float = 0.95,
    labels: pd.Series | None = None,
    n_boot: int | None = None,
    reference: str = "auto",
    count_column: str | None = None,
) -> pd.DataFrame:
    """Per-topic prevalence contrast between groups of sessions, valid for unequal sizes and spreads.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (curated by default: pass ``analysis.assignments``).
    by : str
        Grouping column or preset (``school``, ``counselor_type``, ``quality``).
    groups : list of str, optional
        Groups to compare, in order; with two, the contrast is first minus second.
    strata : str, optional
        Compare within levels of this column (e.g. ``problem``).
    cluster : str, optional
        Unit of resampling above the session (``therapist``, ``speaker_id``, the prompt of single-turn
        replies); default: the session.
    estimand : {"session", "pooled"}
        The average session's share, or the share of the group's remarks.
    denominator : {"all", "topical"}
        Shares of all modelled remarks (no-topic remarks then get a row of their own), or of remarks in a topic.
    n_perm : int
        Cluster permutations.
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
    n_boot : int, optional
        Ignored (intervals come from the same studentized reference as the p-values); kept so that older
        calls keep working.
    reference : {"auto", "permutation", "bootstrap-t", "both"}
        The reference distribution of the studentized difference: cluster permutations together with
        Student's t (Welch df), the larger p; or a cluster bootstrap-t within groups (equal-tailed, which
        follows a skewed sampling distribution); or the more conservative of the two. ``"auto"`` (default):
        ``"both"`` when each group has at least 20 clusters in every stratum it is resampled in (there the
        bootstrap-t corrects the skewness of sparse topics in a small, varied group), else ``"permutation"`` (with fewer clusters a bootstrap
        has too few distinct resamples and costs power). ``n_perm`` replicates either way.
    count_column : str, optional
        ``assignments`` holds counts (one row per session and topic, ``count_column`` remarks), such as the
        whole-corpus counts of the Dask engine: the same result as the per-remark table they summarise.

    Returns
    -------
    pandas.DataFrame
        One row per topic and contrast: ``topic``, ``label``, ``contrast`` ("A minus B"), ``group_a``,
        ``group_b``, ``share_a``, ``share_b``, ``diff`` (A - B), ``diff_low``, ``diff_high``, ``se``, ``t``,
        ``df``, ``ratio`` (A / B) with ``ratio_low``, ``ratio_high``, ``p_value`` (the larger of
        ``p_permutation`` and ``p_t``), ``q_value`` (``p_adjusted``, within the row's contrast, or
        ``p_value`` where that is larger), ``q_bh``
        (Benjamini-Hochberg over all rows; not valid with unequal spreads), ``remarks``, ``sessions_with_topic``,
        ``too_small``, ``sessions_a``, ``sessions_b``, ``clusters_a``, ``clusters_b``, ``reference``,
        ``p_edgeworth`` (Student's t corrected for the difference's skewness by its one-term Edgeworth
        expansion: on the heavy side part of the largest p, on the light side the larger of it and the
        bootstrap-t's is ``p_value``; both with ``reference="both"``, which ``"auto"`` picks with 20 or more
        clusters a group; without skewness 0), ``p_adjusted`` (Westfall-Young step-down max-|t|, the larger of the adjusted p against the cluster
        bootstrap of the whole profile and against the cluster permutations: family-wise error), ``p_family`` (per contrast, the smallest ``p_adjusted``: the test that no topic
        differs), ``skewness`` (estimated skewness of the difference's sampling distribution, from the groups'
        spreads), ``lopsided`` (``|skewness| >= SKEW_LIMIT``: the test is outside what it can handle),
        ``spread_a``, ``spread_b`` (each group's spread of the topic shares,
        :func:`topics.compare.studentized.group_spread`). ``attrs`` hold the method description, warnings (one
        per contrast with lopsided topics, with the spreads and what to do), ``outside_design`` (some topic is
        lopsided) and the sessions left out.
    """
    if reference not in REFERENCES:
        raise InputError(f"reference must be one of {list(REFERENCES)}, got {reference!r}")
    st = session_table(
        assignments,
        by,
        strata=strata,
        groups=groups,
        min_sessions=min_sessions,
        cluster=cluster,
        count_column=count_column,
    )
    shares, weights, columns, valid = session_shares(st, estimand=estimand, denominator=denominator)
    cd = cluster_data(st, shares, weights, columns, totals=denominator_counts(st, denominator))
    rng = np.random.default_rng(seed)
    if labels is None:
        labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    pairs = [(st.groups[0], st.groups[1])] if len(st.groups) == 2 else [(grp, "rest") for grp in st.groups]
    rows: list[dict] = []
    left_out: dict[str, int] = dict(st.excluded)
    if (~valid).any():
        left_out["no remark in a topic"] = int((~valid).sum())
    for name_a, name_b in pairs:
        in_a = cd.group == name_a
        in_b = (cd.group == name_b) if name_b != "rest" else ~in_a
        rows.extend(
            _contrast_rows(
                st,
                cd,
                rng,
                name_a,
                name_b,
                in_a,
                in_b,
                labels,
                left_out,
                strata=strata,
                n_perm=n_perm,
                min_remarks=min_remarks,
                min_topic_sessions=min_topic_sessions,
                confidence=confidence,
                reference=reference,
            )
        )
    table = pd.DataFrame(rows)
    # q_value: the Westfall-Young step-down adjusted p-value of the row's contrast (family-wise error, hence also
    # the false discovery rate); Benjamini-Hochberg over all rows, kept as q_bh, exceeded a 5% FDR in simulations
    # with unequal spreads while the p-values had no Edgeworth reference (benchmarks/RESULTS.md, design 13: 6.6-9.4%;
    # with it 0.8-1.3%)
    # (never below the row's own p-value, whose reference may be the permutation or Student's t)
    table.insert(
        table.columns.get_loc("p_value") + 1,
        "q_value",
        np.fmax(table["p_adjusted"].to_numpy(float), table["p_value"].to_numpy(float)),
    )
    table.insert(table.columns.get_loc("q_value") + 1, "q_bh", benjamini_hochberg(table["p_value"].to_numpy()))
    table.attrs["method"] = method_text(
        st,
        table,
        strata=strata,
        cluster=cluster,
        estimand=estimand,
        denominator=denominator,
        n_perm=n_perm,
        seed=seed,
        min_remarks=min_remarks,
        min_topic_sessions=min_topic_sessions,
        confidence=confidence,
        reference=str(table["reference"].iloc[0]),
    )
    table.attrs["warnings"] = (
        _warnings(table, n_perm, cluster) + _single_turn_messages(st, table) + family_messages(table, cluster)
    )
    table.attrs["outside_design"] = bool(table["lopsided"].any())
    for message in _lopsided_messages(table, cluster):
        table.attrs["warnings"].append(message)
    table.attrs["left_out"] = left_out
    table.attrs["by"] = resolve_column(assignments, by)
    table.attrs["seed"] = seed
    return table


def _studentize(diff: np.ndarray, se: np.ndarray) -> np.ndarray:
    """``diff / se``; 0 where both are 0, infinite where only ``se`` is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(
            se > 0, diff / np.where(se > 0, se, 1.0), np.where(np.abs(diff) > 1e-15, np.copysign(np.inf, diff), 0.0)
        )
    return np.nan_to_num(t, nan=0.0, posinf=np.inf, neginf=-np.inf)


def _contrast_rows(
    st: SessionTable,
    cd: ClusterData,
    rng: np.random.Generator,
    name_a: str,
    name_b: str,
    in_a: np.ndarray,
    in_b: np.ndarray,
    labels: pd.Series,
    left_out: dict[str, int],
    *,
    strata: str | None,
    n_perm: int,
    min_remarks: int,
    min_topic_sessions: int,
    confidence: float,
    reference: str,
) -> list[dict]:
    """One row per column (topics, then no topic) for the contrast A minus B."""
    alpha = 1 - confidence
    weights = stratum_weights(cd, in_a, in_b) if strata else None
    if strata:
        if not weights:
            raise InputError(
                f"no level of {strata!r} has two or more clusters of both {name_a!r} and {name_b!r}", column=strata
            )
        used = np.zeros(len(cd.w), dtype=bool)
        for level, _ in weights:
            used |= level.astype(bool)
        dropped = int(cd.sessions[(in_a | in_b) & ~used].sum())
        if dropped:
            left_out[f"{name_a} minus {name_b}: in a {strata} without two clusters of each group"] = dropped
        in_a, in_b = in_a & used, in_b & used
    obs = contrast(in_a[None, :].astype(float), in_b[None, :].astype(float), cd, weights)
    t_obs = _studentize(obs.diff[0], obs.se[0])
    d_obs, se_obs = obs.diff[0], obs.se[0]
    # permutation reference (and Student's t with Welch df): interval d +- c * SE, symmetric
    perm_a, perm_b = permuted_cluster_masks(rng, in_a, in_b, cd.stratum, n_perm)
    perm = contrast(perm_a, perm_b, cd, weights)
    t_perm = _studentize(perm.diff, perm.se)
    p_perm = ((np.abs(t_perm) >= np.abs(t_obs) - 1e-12).sum(axis=0) + 1) / (n_perm + 1)
    df = np.where(np.isfinite(obs.df[0]), obs.df[0], 1.0)
    p_t = 2 * stats.t.sf(np.abs(t_obs), df)
    crit = np.maximum(permutation_critical_value(t_perm, alpha), stats.t.isf(alpha / 2, df))
    with np.errstate(invalid="ignore"):
        low, high = d_obs - crit * se_obs, d_obs + crit * se_obs
    p_value = np.maximum(p_perm, p_t)
    if reference == "auto":
        # the bootstrap resamples within each group (and stratum): it needs enough clusters in every such cell
        cells = [(side & (cd.stratum == level)).sum() for side in (in_a, in_b) for level in np.unique(cd.stratum[side])]
        reference = "both" if min(cells) >= BOOTSTRAP_MIN_CLUSTERS else "permutation"
    # a small group far more varied than the other makes the difference skewed and the studentized difference
    # lean the other way: on that (heavy) side the Edgeworth-corrected t joins the references (its p and the
    # matching end of the interval), where the groups have the clusters the bootstrap-t needs too (with fewer,
    # the skewness estimated from the spreads over-corrects: 10 vs 10 sessions at concentration 40 vs 10 fell
    # from 4.6% to 1.7% false positives); rows as skewed as SKEW_LIMIT are flagged lopsided besides
    skew, rho_a, rho_b = difference_skewness(cd, in_a, in_b)
    p_heavy, p_light = edgeworth_heavy_p(t_obs, skew, df), edgeworth_light_p(t_obs, skew, df)
    # on the light side (t leaning with the skewness) the symmetric references over-cover: there the p-value is
    # the larger of the two that follow the skewness, the bootstrap-t and the Edgeworth expansion's light tail
    # (designs 11 and 13 of benchmarks/calibration.py: 2.6% / 2.5% false positives with the symmetric ones)
    on_light = p_light < 1
    p_edge = np.where(on_light, p_light, p_heavy)
    if reference == "both":
        p_value = np.maximum(p_value, p_heavy)
        with np.errstate(invalid="ignore"):
            reach = edgeworth_heavy_critical(skew, df, alpha) * se_obs
            low = np.where(skew < 0, np.minimum(low, d_obs - reach), low)
            high = np.where(skew > 0, np.maximum(high, d_obs + reach), high)
            light_reach = edgeworth_light_critical(skew, df, alpha) * se_obs
    # bootstrap-t reference: clusters resampled within group (and stratum), t centred on the estimate
    boot = contrast(
        bootstrap_cluster_weights(rng, in_a, cd.stratum, n_perm),
        bootstrap_cluster_weights(rng, in_b, cd.stratum, n_perm),
        cd,
        weights,
    )
    t_boot = _studentize(boot.diff - d_obs, boot.se)
    p_boot = bootstrap_t_p(t_boot, t_obs)
    if reference == "bootstrap-t":
        q_lo, q_hi = bootstrap_t_bounds(t_boot, alpha)
        low, high, p_value = d_obs - q_hi * se_obs, d_obs - q_lo * se_obs, p_boot
    elif reference == "both":
        q_lo, q_hi = bootstrap_t_bounds(t_boot, alpha)
        low, high = np.minimum(low, d_obs - q_hi * se_obs), np.maximum(high, d_obs - q_lo * se_obs)
        p_value = np.where(on_light, np.maximum(p_light, p_boot), np.maximum(p_value, p_boot))
        # the matching ends: with skewness < 0 the upper end is on the light side, with > 0 the lower end
        low = np.where(skew > 0, np.minimum(d_obs - light_reach, d_obs - q_hi * se_obs), low)
        high = np.where(skew < 0, np.maximum(d_obs + light_reach, d_obs - q_lo * se_obs), high)
    crit = np.where(se_obs > 0, np.maximum(d_obs - low, high - d_obs) / np.where(se_obs > 0, se_obs, 1), np.inf)
    counts = _column_counts(st, cd)
    side = cd.session_mask(in_a | in_b)
    topic_remarks = counts[side].sum(axis=0)
    topic_sessions = (counts[side] > 0).sum(axis=0)
    too_small = (topic_remarks < min_remarks) | (topic_sessions < min_topic_sessions) | ~np.isfinite(obs.se[0])
    # the family ("no topic differs"): step-down max-|t| against the bootstrap of the whole profile, which keeps
    # each group's own spread, skewness and the dependence between topics, and against the permutations, exact
    # where clusters are exchangeable (a bootstrap of a few clusters per group and stratum is not: 7.5% false
    # positives with 8 single-remark replies per prompt and group); the larger, valid where either reference is
    adjusted = np.fmax(max_t_adjusted(t_obs, t_boot, ~too_small), max_t_adjusted(t_obs, t_perm, ~too_small))
    p_family = float(np.nanmin(adjusted)) if (~too_small).any() else np.nan
    lopsided = ~too_small & (np.abs(skew) >= SKEW_LIMIT)
    rows = []
    for j, column in enumerate(cd.columns):
        small = bool(too_small[j])
        share_a, share_b, d, se = obs.share_a[0, j], obs.share_b[0, j], obs.diff[0, j], obs.se[0, j]
        ratio, ratio_low, ratio_high = _ratio(share_a, share_b, obs.var_a[0, j], obs.var_b[0, j], crit[j])
        rows.append(
            {
                "topic": column,
                "label": NO_TOPIC_LABEL if column == NO_TOPIC else labels.get(column, str(column)),
                "contrast": f"{name_a} minus {name_b}",
                "group_a": name_a,
                "group_b": name_b,
                "share_a": share_a,
                "share_b": share_b,
                "diff": d,
                "diff_low": np.nan if small else (low[j] if np.isfinite(low[j]) else -np.inf),
                "diff_high": np.nan if small else (high[j] if np.isfinite(high[j]) else np.inf),
                "se": se,
                "t": t_obs[j],
                "df": df[j],
                "ratio": ratio,
                "ratio_low": ratio_low,
                "ratio_high": ratio_high,
                "p_value": np.nan if small else p_value[j],
                "p_permutation": np.nan if small else p_perm[j],
                "p_t": np.nan if small else p_t[j],
                "p_bootstrap_t": np.nan if small else p_boot[j],
                "p_edgeworth": np.nan if small else p_edge[j],
                "p_adjusted": adjusted[j],
                "p_family": p_family,
                "skewness": np.nan if small else skew[j],
                "lopsided": bool(lopsided[j]),
                "spread_a": rho_a,
                "spread_b": rho_b,
                "remarks": int(topic_remarks[j]),
                "sessions_with_topic": int(topic_sessions[j]),
                "too_small": bool(small),
                "sessions_a": int(cd.sessions[in_a].sum()),
                "sessions_b": int(cd.sessions[in_b].sum()),
                "clusters_a": int(in_a.sum()),
                "clusters_b": int(in_b.sum()),
                "reference": reference,
            }
        )
    return rows


def _column_counts(st: SessionTable, cd: ClusterData) -> np.ndarray:
    """Remark counts per session for each column of ``cd`` (topics, then no topic if present)."""
    if cd.columns and cd.columns[-1] == NO_TOPIC:
        return np.column_stack([st.counts, st.no_topic])
    return st.counts


def _ratio(share_a: float, share_b: float, var_a: float, var_b: float, crit: float) -> tuple[float, float, float]:
    """``A / B`` with an interval from the log ratio's delta-method standard error and the same critical value."""
    if not (share_a > 0 and share_b > 0) or not np.isfinite(crit):
        return (share_a / share_b if share_b > 0 else np.nan), np.nan, np.nan
    se_log = np.sqrt(var_a / share_a**2 + var_b / share_b**2)
    ratio = share_a / share_b
    with np.errstate(over="ignore"):
        return ratio, float(ratio * np.exp(-crit * se_log)), float(ratio * np.exp(crit * se_log))


def method_text(
    st: SessionTable,
    table: pd.DataFrame,
    *,
    strata: str | None,
    cluster: str | None,
    estimand: str,
    denominator: str,
    n_perm: int,
    seed: int,
    min_remarks: int,
    min_topic_sessions: int,
    confidence: float,
    reference: str = "permutation",
) -> str:
    """How the contrasts were computed, in words (shown in the report and written beside the CSVs)."""
    first = table.iloc[0]
    used_sessions = int(first["sessions_a"] + first["sessions_b"])
    unit = (
        f"clusters of {cluster!r} ({int(first['clusters_a'] + first['clusters_b'])} clusters, {used_sessions} sessions)"
        if cluster
        else f"sessions ({used_sessions})"
    )
    share = (
        "the average session's share of the topic (each session weighs the same)"
        if estimand == "session"
        else "the share of the group's remarks in the topic (pooled over its sessions)"
    )
    denom = (
        "all modelled remarks; remarks without a topic are compared as 'no topic'"
        if denominator == "all"
        else "the remarks in a topic (remarks without a topic left out)"
    )
    pct = int(round(confidence * 100))
    return (
        f"Estimand: {share}; denominator: {denom}. Direction: each row is 'A minus B' (first group minus second). "
        f"Unit of resampling: {unit}. Test: the difference divided by its cluster-robust standard error, "
        + (
            f"compared with its permutation distribution ({n_perm} permutations of whole clusters' group "
            f"labels{' within strata' if strata else ''}) and with Student's t (Welch degrees of freedom)"
            if reference in ("permutation", "both")
            else ""
        )
        + ("; and with " if reference == "both" else "")
        + (
            f"its cluster bootstrap-t distribution ({n_perm} resamples of whole clusters within each group"
            f"{' and stratum' if strata else ''}; equal-tailed, so a skewed sampling distribution is followed)"
            if reference in ("bootstrap-t", "both")
            else ""
        )
        + (
            "; the largest p-value is reported"
            if reference == "both"
            else "; the larger p-value is reported"
            if reference == "permutation"
            else ""
        )
        + (
            " (each group has 20 or more clusters in every stratum, so the bootstrap-t joins the permutation test)"
            if reference == "both"
            else ""
        )
        + (
            "; where the groups' spreads make a topic's difference skewed (a small group far more varied), "
            "also with Student's t corrected by the one-term Edgeworth expansion for that skewness, on the side "
            "where the studentized difference has its heavy tail (p_edgeworth; the larger p is reported); on its "
            "light side, where the symmetric references are too cautious, the p-value is the larger of the "
            "bootstrap-t's and the expansion's light tail alone"
            if reference == "both"
            else ""
        )
        + f". {pct}% intervals from the same references, so that an interval excludes 0 exactly when "
        f"p < {1 - confidence:.2f}. A group's variance is never taken below what multinomial sampling of its "
        f"remarks alone gives at the pooled share. "
        + f"Benjamini-Hochberg q-values across {int(table['p_value'].notna().sum())} tests are kept as q_bh; the "
        f"q-values used (q_value: p_adjusted, or the row's p where larger) are Westfall-Young step-down max-|t| adjusted p-values within each contrast (they control the chance of any "
        f"false positive, and so the false discovery rate, also when the groups' spreads differ); the test that no topic differs (p_family, the 'same topic mix' test) "
        f"compares the largest |t| over the tested topics with the same maximum in {n_perm} cluster bootstrap resamples "
        f"of the whole profile within each group, centred on the estimates (each group keeps its own spread), and "
        f"in the {n_perm} cluster permutations (exact when clusters are exchangeable, as with few clusters per "
        f"group and stratum); the larger p-value is reported. "
        f"Topics whose difference has an estimated skewness of {SKEW_LIMIT:g} or more (a small group far more "
        f"varied than the other, the topic not common) are flagged lopsided: their per-topic tests are outside what "
        f"the method can handle. Seed {seed}. Topics with fewer than {min_remarks} remarks or "
        f"present in fewer than {min_topic_sessions} sessions are flagged too small and not tested."
        + (
            f" Stratified by {strata}: shares standardised over the {strata} levels holding two or more clusters of "
            f"each group (weights proportional to their clusters); sessions of other levels are left out."
            if strata
            else ""
        )
    )


def _lopsided_messages(table: pd.DataFrame, cluster: str | None) -> list[str]:
    """Per contrast with ``lopsided`` topics: the design is outside what the test can handle, and what to do."""
    out = []
    for _, rows in table.groupby("contrast", sort=False):
        flagged = rows[rows["lopsided"]]
        if flagged.empty:
            continue
        a, b, spread_a, spread_b, n_a, n_b = _sides(rows.iloc[0])
        labels = [str(x) for x in flagged["label"]]
        skew = float(np.abs(flagged["skewness"]).max())
        out.append(spread_message(a, b, spread_a, spread_b, n_a, n_b, labels, skew, unit=_unit(cluster)))
    return out


def _sides(first: pd.Series) -> tuple[str, str, float, float, int, int]:
    """A contrast's groups, their spreads and their clusters, from its first row."""
    return (
        str(first["group_a"]),
        str(first["group_b"]),
        float(first["spread_a"]),
        float(first["spread_b"]),
        int(first["clusters_a"]),
        int(first["clusters_b"]),
    )


def _unit(cluster: str | None) -> str:
    return f"clusters of {cluster!r}" if cluster else "sessions"


def family_messages(table: pd.DataFrame, cluster: str | None = None) -> list[str]:
    """Per contrast whose same-topic-mix test is conservative (:func:`topics.compare.design.family_message`).

    Parameters
    ----------
    table : pandas.DataFrame
        A table of :func:`compare_groups`.
    cluster : str, optional
        Its cluster column, for the wording.

    Returns
    -------
    list of str
    """
    out = []
    for _, rows in table.groupby("contrast", sort=False):
        if not np.isfinite(float(rows.iloc[0]["p_family"])):
            continue
        message = family_message(*_sides(rows.iloc[0]), min_clusters=BOOTSTRAP_MIN_CLUSTERS, unit=_unit(cluster))
        if message:
            out.append(message)
    return out


def _warnings(table: pd.DataFrame, n_perm: int, cluster: str | None) -> list[str]:
    """Too few permutations for q < 0.05; too few clusters for the reference distributions to be trusted."""
    out = []
    n_tests = int(table["p_value"].notna().sum())
    # the smallest p: 1 / (B + 1) for permutations, 2 / (B + 1) for the equal-tailed bootstrap-t
    smallest = (2 if table["reference"].isin(["both", "bootstrap-t"]).any() else 1) / (n_perm + 1)
    floor = n_tests * smallest
    if n_tests and floor >= 0.05:
        out.append(
            f"With {n_perm} permutations and {n_tests} tests the smallest attainable q-value of "
            f"Benjamini-Hochberg (q_bh) is {floor:.3f}, and that of the step-down max-|t| (q_value) "
            f"{1 / (n_perm + 1):.3f}, resting on few resamples. Use at least {int(20 * n_tests)} permutations."
        )
    unit = _unit(cluster)
    for name, col in (("group_a", "clusters_a"), ("group_b", "clusters_b")):
        few = table.drop_duplicates(name)
        for g, n in zip(few[name], few[col], strict=True):
            if n < FEW_CLUSTERS and g != "rest":
                out.append(
                    f"Group {g!r} has only {n} {unit}: every test rests on {n} independent units, and "
                    f"a difference may belong to those {unit} rather than to the group. The per-topic tests are "
                    f"conservative with so few (in simulations with 5-6 {unit} a group, 2-3% of topics at "
                    f"p < .05 under no difference, against a nominal 5%; benchmarks/RESULTS.md designs 4 and 5): "
                    f"a real difference is less likely to be found."
                )
    return list(dict.fromkeys(out))


def _single_turn_messages(st: SessionTable, table: pd.DataFrame) -> list[str]:
    """Per contrast whose sessions are all one remark long: the per-topic tests are conservative there."""
    remarks = st.sessions["remarks"]
    if remarks.empty or int(remarks.max()) > 1:
        return []
    out = []
    for _, rows in table.groupby("contrast", sort=False):
        first = rows.iloc[0]
        out.append(
            f"Groups {first['group_a']!r} and {first['group_b']!r} are single-turn (every session one remark): "
            f"their per-topic tests are conservative (in simulations of 10 prompts x 8 replies a group, 2.0-2.5% "
            f"of topics at p < .05 under no difference, against a nominal 5%; benchmarks/RESULTS.md design 7), "
            f"so a real difference is less likely to be found."
        )
    return out
