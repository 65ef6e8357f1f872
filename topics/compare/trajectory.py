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

from topics.compare.divergence import jensen_shannon
from topics.compare.sessions import benjamini_hochberg, resolve_column
from topics.errors import InputError

SEGMENTS = ("opening", "middle", "closing")


def relative_position(assignments: pd.DataFrame) -> pd.Series:
    """Relative position (0..1) of each remark among its session's remarks, by ``turn``."""
    rank = assignments.groupby("session_id")["turn"].rank(method="first") - 1
    size = assignments.groupby("session_id")["turn"].transform("size") - 1
    return (rank / size.where(size > 0, 1)).astype(float)


def position_shares(assignments: pd.DataFrame, *, bins: int = 3, by: str | None = None,
                    include_outliers: bool = False) -> pd.DataFrame:
    """Topic shares by position in the session.

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

    Returns
    -------
    pandas.DataFrame
        ``group``, ``segment`` (name or decile number), ``segment_index``, ``topic``, ``label``,
        ``remarks``, ``share`` (of the segment's remarks).
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
    names = list(SEGMENTS) if bins == 3 else [f"{10 * i}-{10 * (i + 1)}%" if bins == 10 else str(i + 1)
                                              for i in range(bins)]
    counts["segment"] = counts["segment_index"].map(dict(enumerate(names)))
    return counts[["group", "segment", "segment_index", "topic", "label", "remarks", "share"]]


def transition_matrix(assignments: pd.DataFrame, *, normalize: bool = True, include_outliers: bool = False,
                      group: str | None = None, by: str | None = None) -> pd.DataFrame:
    """Topic-to-topic transitions between consecutive therapist remarks of a session.

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
    if not include_outliers:
        a = a[a["topic"] != -1]
    nxt = a.groupby("session_id")["topic"].shift(-1)
    pairs = pd.DataFrame({"from": a["topic"], "to": nxt}).dropna()
    topics = sorted(int(t) for t in a["topic"].unique())
    table = pd.crosstab(pairs["from"].astype(int), pairs["to"].astype(int)).reindex(index=topics, columns=topics,
                                                                                  fill_value=0)
    if normalize:
        table = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
    table.index.name, table.columns.name = "from_topic", "to_topic"
    return table


def drift_scores(assignments: pd.DataFrame, by: str, *, min_remarks: int = 6) -> pd.DataFrame:
    """Per session: distance of its topic mix from its group's typical profile, and its change within the session.

    Parameters
    ----------
    assignments : pandas.DataFrame
    by : str
        Grouping column or preset.
    min_remarks : int
        Sessions with fewer remarks in topics are left out (their profile is too noisy).

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
    counts = pd.crosstab(a["session_id"], a["topic"]).reindex(columns=topics, fill_value=0)
    group = a.groupby("session_id")[col].first().astype(str).reindex(counts.index)
    keep = counts.sum(axis=1) >= min_remarks
    counts, group = counts[keep], group[keep]
    if counts.empty:
        raise InputError(f"no session has {min_remarks} or more remarks in topics")
    totals = counts.groupby(group).sum()
    pos = relative_position(a)
    first = a[pos < 0.5]
    second = a[pos >= 0.5]
    c1 = pd.crosstab(first["session_id"], first["topic"]).reindex(index=counts.index, columns=topics, fill_value=0)
    c2 = pd.crosstab(second["session_id"], second["topic"]).reindex(index=counts.index, columns=topics, fill_value=0)
    rows = []
    for sid, row in counts.iterrows():
        g = group[sid]
        others = totals.loc[g].to_numpy(float) - row.to_numpy(float)
        drift = jensen_shannon(row.to_numpy(float), others) if others.sum() > 0 else np.nan
        h1, h2 = c1.loc[sid].to_numpy(float), c2.loc[sid].to_numpy(float)
        shift = jensen_shannon(h1, h2) if h1.sum() > 0 and h2.sum() > 0 else np.nan
        rows.append({"session_id": sid, "group": g, "remarks": int(row.sum()), "drift": drift, "shift": shift})
    return pd.DataFrame(rows)


def compare_drift(drift: pd.DataFrame, *, n_boot: int = 1000, n_perm: int = 1000, seed: int = 0,
                  confidence: float = 0.95) -> pd.DataFrame:
    """Mean drift and shift per group with session-bootstrap intervals; permutation p for two groups.

    Returns
    -------
    pandas.DataFrame
        One row per measure and group: ``measure``, ``group``, ``sessions``, ``mean``, ``low``, ``high``,
        ``p_value`` (difference between the two groups, same for both rows; NaN for other group counts),
        ``q_value``.
    """
    rng = np.random.default_rng(seed)
    alpha = (1 - confidence) / 2
    rows = []
    groups = sorted(drift["group"].unique())
    for measure in ("drift", "shift"):
        d = drift.dropna(subset=[measure])
        p = np.nan
        if len(groups) == 2:
            x = d[measure].to_numpy()
            g = (d["group"] == groups[1]).to_numpy()
            obs = x[g].mean() - x[~g].mean()
            perms = np.array([(lambda m: x[m].mean() - x[~m].mean())(rng.permutation(g)) for _ in range(n_perm)])
            p = ((np.abs(perms) >= abs(obs) - 1e-12).sum() + 1) / (n_perm + 1)
        for grp in groups:
            x = d.loc[d["group"] == grp, measure].to_numpy()
            boots = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1) if len(x) else np.array([np.nan])
            rows.append({"measure": measure, "group": grp, "sessions": len(x), "mean": float(np.mean(x)) if len(x) else np.nan,
                         "low": float(np.quantile(boots, alpha)), "high": float(np.quantile(boots, 1 - alpha)),
                         "p_value": p})
    out = pd.DataFrame(rows)
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    return out
