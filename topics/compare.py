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
    g = st.sessions["group"].to_numpy()
    stratum = st.sessions["stratum"].to_numpy()
    if labels is None:
        labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    contrasts = ([(st.groups[0], st.groups[1])] if len(st.groups) == 2
                 else [("rest", grp) for grp in st.groups])
    alpha = (1 - confidence) / 2
    out = []
    for name_a, name_b in contrasts:
        in_b = g == name_b
        in_a = (g == name_a) if name_a != "rest" else ~in_b
        strata_w = _strata_weights(stratum, in_a, in_b) if strata else None
        if strata and not strata_w:
            raise InputError(f"no level of {strata!r} has sessions of both {name_a!r} and {name_b!r}", column=strata)
        obs_a, obs_b, obs_diff = _contrast(in_a[None, :].astype(float), in_b[None, :].astype(float), st, strata_w)
        # cluster bootstrap: resample sessions with replacement within group (and stratum)
        # resample sessions within group only: with strata, cells of one session would otherwise add no
        # variation and make the interval too narrow
        no_strata = np.array(["all"] * len(g))
        w_a = _bootstrap_weights(rng, in_a, no_strata, n_boot)
        w_b = _bootstrap_weights(rng, in_b, no_strata, n_boot)
        bs_a, bs_b, bs_diff = _contrast(w_a, w_b, st, strata_w)
        with np.errstate(invalid="ignore", divide="ignore"):
            bs_ratio = bs_b / bs_a
        # permutation of session labels (within strata) among the sessions of the two sides
        both = in_a | in_b
        perm_a, perm_b = _permuted_masks(rng, in_a, in_b, both, stratum, n_perm)
        _, _, perm_diff = _contrast(perm_a, perm_b, st, strata_w)
        exceed = (np.abs(perm_diff) >= np.abs(obs_diff) - 1e-12).sum(axis=0)
        p = (exceed + 1) / (n_perm + 1)
        sub = both
        topic_remarks = st.counts[sub].sum(axis=0)
        topic_sessions = (st.counts[sub] > 0).sum(axis=0)
        for j, topic in enumerate(st.topics):
            small = topic_remarks[j] < min_remarks or topic_sessions[j] < min_topic_sessions
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = obs_b[0, j] / obs_a[0, j] if obs_a[0, j] > 0 else np.nan
            out.append({
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
    table = pd.DataFrame(out)
    table.insert(table.columns.get_loc("p_value") + 1, "q_value", benjamini_hochberg(table["p_value"].to_numpy()))
    table.attrs["method"] = (
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
    n_tests = int(table["p_value"].notna().sum())
    floor = n_tests / (n_perm + 1)
    table.attrs["warnings"] = []
    if n_tests and floor >= 0.05:
        table.attrs["warnings"].append(
            f"With {n_perm} permutations and {n_tests} tests the smallest attainable q-value is {floor:.3f}: "
            f"no topic can reach q < 0.05. Use at least {int(20 * n_tests)} permutations.")
    table.attrs["by"] = resolve_column(assignments, by)
    return table


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


def _bootstrap_weights(rng: np.random.Generator, mask: np.ndarray, stratum: np.ndarray, reps: int) -> np.ndarray:
    """Reps x sessions multiplicities of a cluster bootstrap within ``mask`` (and within each stratum)."""
    w = np.zeros((reps, len(mask)))
    for level in np.unique(stratum[mask]):
        idx = np.flatnonzero(mask & (stratum == level))
        draws = rng.integers(0, len(idx), size=(reps, len(idx)))
        for r in range(reps):
            np.add.at(w[r], idx[draws[r]], 1.0)
    return w


def _permuted_masks(rng: np.random.Generator, in_a: np.ndarray, in_b: np.ndarray, both: np.ndarray,
                    stratum: np.ndarray, reps: int) -> tuple[np.ndarray, np.ndarray]:
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


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence (base 2, between 0 and 1) of two distributions."""
    p = np.asarray(p, float) / np.sum(p)
    q = np.asarray(q, float) / np.sum(q)
    m = (p + q) / 2

    def kl(x: np.ndarray, y: np.ndarray) -> float:
        nz = x > 0
        return float(np.sum(x[nz] * np.log2(x[nz] / y[nz])))

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def profile_divergence(assignments: pd.DataFrame, by: str, *, groups: list[str] | None = None, n_boot: int = 1000,
                       seed: int = 0, min_sessions: int = 5, confidence: float = 0.95) -> pd.DataFrame:
    """Jensen-Shannon divergence between the groups' topic distributions, with a session bootstrap interval.

    Returns
    -------
    pandas.DataFrame
        One row per pair of groups: ``group_a``, ``group_b``, ``jsd``, ``jsd_low``, ``jsd_high``,
        ``jsd_null`` (mean JSD when session labels are shuffled: the divergence expected from sampling
        alone), ``p_value`` (share of shuffles at least as divergent). Resampling inflates a divergence,
        so the bootstrap interval sits above the estimate: read it against ``jsd_null``.
    """
    st = session_table(assignments, by, groups=groups, min_sessions=min_sessions)
    rng = np.random.default_rng(seed)
    g = st.sessions["group"].to_numpy()
    counts = st.counts.astype(float)
    alpha = (1 - confidence) / 2
    rows = []
    for i, a in enumerate(st.groups):
        for b in st.groups[i + 1:]:
            ma, mb = g == a, g == b
            obs = jensen_shannon(counts[ma].sum(0), counts[mb].sum(0))
            wa = _bootstrap_weights(rng, ma, np.array(["all"] * len(g)), n_boot)
            wb = _bootstrap_weights(rng, mb, np.array(["all"] * len(g)), n_boot)
            boots = [jensen_shannon(wa[r] @ counts, wb[r] @ counts) for r in range(n_boot)]
            pa, pb = _permuted_masks(rng, ma, mb, ma | mb, np.array(["all"] * len(g)), min(n_boot, 200))
            null = [jensen_shannon(pa[r] @ counts, pb[r] @ counts) for r in range(len(pa))]
            rows.append({"group_a": a, "group_b": b, "jsd": obs, "jsd_low": float(np.quantile(boots, alpha)),
                         "jsd_high": float(np.quantile(boots, 1 - alpha)), "jsd_null": float(np.mean(null)),
                         "p_value": float((np.sum(np.asarray(null) >= obs) + 1) / (len(null) + 1))})
    return pd.DataFrame(rows)


def predict_group(assignments: pd.DataFrame, by: str, *, groups: list[str] | None = None, folds: int = 5,
                  n_perm: int = 100, seed: int = 0, min_sessions: int = 5) -> dict[str, float]:
    """How well a session's topic profile predicts its group (cross-validated over sessions).

    A multinomial logistic regression on each session's topic shares, scored by balanced accuracy in
    stratified k-fold cross-validation (sessions are the samples, so no session is in both train and
    test), against a permutation baseline (the same model on shuffled session labels).

    Returns
    -------
    dict
        ``balanced_accuracy``, ``chance`` (1 / number of groups), ``permutation_mean``,
        ``permutation_p``, ``sessions``, ``folds``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, permutation_test_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    st = session_table(assignments, by, groups=groups, min_sessions=max(min_sessions, folds))
    remarks = st.sessions["remarks"].to_numpy(dtype=float)
    x = st.counts / np.clip(remarks[:, None], 1, None)
    y = st.sessions["group"].to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # tiny matrices: threads cost more than they save (12x here)
        score, perm_scores, p = permutation_test_score(model, x, y, cv=cv, scoring="balanced_accuracy",
                                                       n_permutations=n_perm, random_state=seed)
    return {"balanced_accuracy": float(score), "chance": 1 / len(st.groups), "permutation_mean": float(np.mean(perm_scores)),
            "permutation_p": float(p), "sessions": int(len(y)), "folds": folds}


def outcome_association(assignments: pd.DataFrame, outcome: str, *, n_boot: int = 1000, n_perm: int = 2000,
                        seed: int = 0, min_sessions: int = 10, min_topic_sessions: int = 5,
                        confidence: float = 0.95) -> pd.DataFrame:
    """Spearman correlation between a session's topic share and a session-level outcome, per topic.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with a session-level numeric ``outcome`` column (e.g. ``readiness_change``).
    outcome : str
    n_boot, seed, confidence
        Session bootstrap for the interval; p-values from permuting outcomes across sessions (same
        replicates); BH q-values across topics.
    min_sessions : int
        Sessions with a non-missing outcome needed.
    min_topic_sessions : int
        Topics present in fewer sessions are flagged ``too_small`` and not tested.

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``label``, ``rho``, ``rho_low``, ``rho_high``, ``p_value``, ``q_value``, ``sessions``,
        ``sessions_with_topic``, ``too_small``.
    """
    if outcome not in assignments.columns:
        raise InputError(f"no outcome column {outcome!r}", column=outcome)
    values = pd.to_numeric(assignments.groupby("session_id")[outcome].first(), errors="coerce").dropna()
    if len(values) < min_sessions:
        raise InputError(f"only {len(values)} sessions have a numeric {outcome!r}; need {min_sessions}", column=outcome)
    a = assignments[assignments["session_id"].isin(values.index)]
    topic_ids = sorted(int(t) for t in a["topic"].unique() if t != -1)
    table = pd.crosstab(a["session_id"], a["topic"]).reindex(index=values.index, columns=topic_ids, fill_value=0)
    share = table.to_numpy(float) / a.groupby("session_id").size().reindex(values.index).to_numpy(float)[:, None]
    y = values.to_numpy(float)
    rng = np.random.default_rng(seed)

    def ranks(m: np.ndarray) -> np.ndarray:
        return pd.DataFrame(m).rank(axis=0).to_numpy()

    def spearman(x: np.ndarray, yy: np.ndarray) -> np.ndarray:
        rx, ry = ranks(x), pd.Series(yy).rank().to_numpy()
        rx = rx - rx.mean(0)
        ry = ry - ry.mean()
        with np.errstate(invalid="ignore", divide="ignore"):
            return (rx * ry[:, None]).sum(0) / np.sqrt((rx**2).sum(0) * (ry**2).sum())

    obs = spearman(share, y)
    n = len(y)
    boots = np.array([spearman(share[idx], y[idx]) for idx in rng.integers(0, n, size=(n_boot, n))])
    perms = np.array([spearman(share, rng.permutation(y)) for _ in range(n_perm)])
    p = ((np.abs(perms) >= np.abs(obs) - 1e-12).sum(0) + 1) / (n_perm + 1)
    present = (table.to_numpy() > 0).sum(0)
    small = present < min_topic_sessions
    labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    alpha = (1 - confidence) / 2
    out = pd.DataFrame({
        "topic": topic_ids, "label": [labels.get(t, str(t)) for t in topic_ids], "rho": obs,
        "rho_low": np.nanquantile(boots, alpha, axis=0), "rho_high": np.nanquantile(boots, 1 - alpha, axis=0),
        "p_value": np.where(small, np.nan, p), "sessions": n, "sessions_with_topic": present, "too_small": small,
    })
    out.insert(6, "q_value", benjamini_hochberg(out["p_value"].to_numpy()))
    out.attrs["method"] = (f"Spearman correlation between each session's share of remarks in the topic and {outcome} "
                           f"({n} sessions). Interval: session bootstrap ({n_boot}); p: permutation of outcomes "
                           f"across sessions ({n_perm}); q: Benjamini-Hochberg.")
    n_tests = int(out["p_value"].notna().sum())
    out.attrs["warnings"] = []
    if n_tests and n_tests / (n_perm + 1) >= 0.05:
        out.attrs["warnings"].append(f"With {n_perm} permutations and {n_tests} tests no q-value can fall below 0.05; "
                                     f"use at least {20 * n_tests} permutations.")
    return out
