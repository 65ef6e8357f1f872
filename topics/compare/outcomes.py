"""Topic shares against a session-level outcome: Spearman correlations with session bootstrap and permutations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import benjamini_hochberg
from topics.errors import InputError


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
