"""How the topic mix moves through a session: position, transitions, drift.

* **Position**: every remark gets its relative position in the session (0 = first therapist remark,
  1 = last); :func:`position_shares` gives topic shares by segment (opening / middle / closing, or deciles).
* **Transitions**: :func:`transition_matrix` counts which topic follows which in consecutive therapist
  remarks of the same session.
* **Drift**: :func:`drift_scores` measures how far each session's topic mix lies from its group's typical
  profile (Jensen-Shannon divergence to the pooled profile of the *other* sessions of the group), and how
  much the mix changes between the first and the second half of the session;
  :func:`compare_drift` contrasts groups with a session bootstrap and a permutation test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.divergence import jensen_shannon_rows
from topics.compare.sessions import benjamini_hochberg, resolve_column
from topics.errors import InputError

SEGMENTS = ("opening", "middle", "closing")


def relative_position(assignments: pd.DataFrame) -> pd.Series:
    """Relative position (0..1) of each remark among its session's remarks, by ``turn``."""
    rank = assignments.groupby("session_id")["turn"].rank(method="first") - 1
    size = assignments.groupby("session_id")["turn"].transform("size") - 1
    return (rank / size.where(size > 0, 1)).astype(float)


def position_shares(assignments: pd.DataFrame, *, bins: int = 3, by: str | None = None,
                    include_outliers: bool = False, n_boot: int = 0, seed: int = 0,
                    confidence: float = 0.95) -> pd.DataFrame:
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
    names = list(SEGMENTS) if bins == 3 else [f"{10 * i}-{10 * (i + 1)}%" if bins == 10 else str(i + 1)
                                              for i in range(bins)]
    counts["segment"] = counts["segment_index"].map(dict(enumerate(names)))
    return counts[["group", "segment", "segment_index", "topic", "label", "remarks", "share", "low", "high",
                   "sessions"]]


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


def transition_matrix(assignments: pd.DataFrame, *, normalize: bool = True, include_outliers: bool = False,
                      group: str | None = None, by: str | None = None) -> pd.DataFrame:
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
    table = pd.crosstab(pairs["from"].astype(int), pairs["to"].astype(int)).reindex(index=topics, columns=topics,
                                                                                  fill_value=0)
    if normalize:
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    table.index.name, table.columns.name = "from_topic", "to_topic"
    return table


def _session_counts(a: pd.DataFrame, topics: list[int], index: pd.Index) -> np.ndarray:
    return pd.crosstab(a["session_id"], a["topic"]).reindex(index=index, columns=topics, fill_value=0).to_numpy(float)


def drift_scores(assignments: pd.DataFrame, by: str, *, min_remarks: int = 6) -> pd.DataFrame:
    """Per session: distance of its topic mix from its group's typical profile, and its change within the session.

    Parameters
    ----------
    assignments : pandas.DataFrame
    by : str
        Grouping column or preset.
    min_remarks : int
        Sessions with fewer remarks in topics are left out (their profile is too noisy); how many were left
        out, and their remarks, is in ``attrs["excluded"]``.

    Returns
    -------
    pandas.DataFrame
        ``session_id``, ``group``, ``remarks``, ``drift`` (Jensen-Shannon divergence, base 2, between the
        session's topic distribution and the pooled distribution of the other sessions of its group),
        ``shift`` (JSD between the session's first and second half).
    """
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
    totals = pd.DataFrame(counts).groupby(group.to_numpy()).sum()
    others = totals.loc[group.to_numpy()].to_numpy() - counts
    drift = np.where(others.sum(axis=1) > 0, jensen_shannon_rows(counts, np.where(others.sum(axis=1)[:, None] > 0,
                                                                                   others, 1.0)), np.nan)
    pos = relative_position(a)
    c1 = _session_counts(a[pos < 0.5], topics, kept)
    c2 = _session_counts(a[pos >= 0.5], topics, kept)
    halves = (c1.sum(axis=1) > 0) & (c2.sum(axis=1) > 0)
    shift = np.full(len(kept), np.nan)
    if halves.any():
        shift[halves] = jensen_shannon_rows(c1[halves], c2[halves])
    out = pd.DataFrame({"session_id": kept, "group": group.to_numpy(), "remarks": counts.sum(axis=1).astype(int),
                        "drift": drift, "shift": shift})
    out.attrs["excluded"] = {"sessions": int(all_sessions - len(kept)), "min_remarks": min_remarks}
    return out


def _welch_t(x: np.ndarray, in_a: np.ndarray) -> np.ndarray:
    """Welch's t of mean(A) - mean(B) for each row of 0/1 masks ``in_a`` (the rest is B)."""
    in_b = 1.0 - in_a
    n_a, n_b = in_a.sum(axis=1), in_b.sum(axis=1)
    m_a, m_b = (in_a @ x) / n_a, (in_b @ x) / n_b
    v_a = (in_a @ x ** 2 - n_a * m_a ** 2) / (n_a - 1)
    v_b = (in_b @ x ** 2 - n_b * m_b ** 2) / (n_b - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (m_a - m_b) / np.sqrt(np.clip(v_a, 0, None) / n_a + np.clip(v_b, 0, None) / n_b)


def _permuted_drift(counts: np.ndarray, in_a: np.ndarray) -> np.ndarray:
    """Drift of every session against the other sessions of its group, for each row of 0/1 group masks."""
    tot_a = in_a @ counts
    tot_b = (1 - in_a) @ counts
    own = np.where(in_a[..., None] > 0, tot_a[:, None, :], tot_b[:, None, :]) - counts[None, :, :]
    reps, n, k = own.shape
    return jensen_shannon_rows(np.broadcast_to(counts, (reps, n, k)).reshape(-1, k),
                               np.where(own.sum(axis=2, keepdims=True) > 0, own, 1.0).reshape(-1, k)).reshape(reps, n)


def compare_drift(drift: pd.DataFrame, *, assignments: pd.DataFrame | None = None, by: str | None = None,
                  groups: list[str] | None = None, n_boot: int = 1000, n_perm: int = 1000, seed: int = 0,
                  confidence: float = 0.95) -> pd.DataFrame:
    """Mean drift and shift per group with session-bootstrap intervals; for two groups a permutation p.

    The test statistic is Welch's t of the difference in means (first group minus second). Shift is a
    property of each session alone, so its values are permuted; drift depends on the group profile a
    session is compared with, so it is **recomputed inside every permutation** from the sessions' topic
    counts (pass ``assignments`` and ``by``; without them drift values are permuted as they are, which
    overstates the difference when groups differ in size).

    Returns
    -------
    pandas.DataFrame
        One row per measure and group: ``measure``, ``group``, ``sessions``, ``mean``, ``low``, ``high``,
        ``p_value`` (difference between the two groups, same for both rows; NaN for other group counts),
        ``q_value`` (over the measures), and for two groups ``difference`` (first group's mean minus the
        second's); ``attrs["excluded"]`` carries the sessions drift left out.
    """
    rng = np.random.default_rng(seed)
    alpha = (1 - confidence) / 2
    rows = []
    order = groups or sorted(drift["group"].unique())
    counts = None
    if assignments is not None and by is not None:
        col = resolve_column(assignments, by)
        a = assignments[(assignments["topic"] != -1) & assignments[col].notna()]
        topics = sorted(int(t) for t in a["topic"].unique())
        counts = _session_counts(a, topics, pd.Index(drift["session_id"]))
    for measure in ("drift", "shift"):
        ok = drift[measure].notna().to_numpy()
        d = drift[ok]
        p = np.nan
        if len(order) == 2:
            x = d[measure].to_numpy(float)
            in_a = (d["group"] == order[0]).to_numpy(float)
            obs = _welch_t(x, in_a[None, :])[0]
            perm = np.array([rng.permutation(in_a) for _ in range(n_perm)])
            if measure == "drift" and counts is not None:
                null = np.concatenate([
                    np.array([_welch_t(px, m[None, :])[0] for px, m in zip(_permuted_drift(counts[ok], part), part,
                                                                            strict=True)])
                    for part in np.array_split(perm, max(1, n_perm // 100))])
            else:
                null = _welch_t(x, perm)
            p = ((np.abs(np.nan_to_num(null)) >= abs(obs) - 1e-12).sum() + 1) / (n_perm + 1)
        for grp in order:
            x = d.loc[d["group"] == grp, measure].to_numpy()
            boots = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1) if len(x) else np.array([np.nan])
            rows.append({"measure": measure, "group": grp, "sessions": len(x), "mean": float(np.mean(x)) if len(x) else np.nan,
                         "low": float(np.quantile(boots, alpha)), "high": float(np.quantile(boots, 1 - alpha)),
                         "p_value": p})
    out = pd.DataFrame(rows)
    # one test per measure (its p repeats on each group's row): BH over the measures, not over the rows
    per_measure = out.drop_duplicates("measure").set_index("measure")["p_value"]
    out["q_value"] = out["measure"].map(dict(zip(per_measure.index, benjamini_hochberg(per_measure.to_numpy()),
                                                 strict=True)))
    if len(order) == 2:
        means = out.pivot_table(index="measure", columns="group", values="mean")
        out["difference"] = out["measure"].map(means[order[0]] - means[order[1]])
        out.attrs["direction"] = f"{order[0]} minus {order[1]}"
    out.attrs["excluded"] = drift.attrs.get("excluded", {})
    return out
