"""Divergence between whole topic profiles of groups: Jensen-Shannon divergence with its permutation null."""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import bootstrap_weights, permuted_masks, session_table


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
            wa = bootstrap_weights(rng, ma, np.array(["all"] * len(g)), n_boot)
            wb = bootstrap_weights(rng, mb, np.array(["all"] * len(g)), n_boot)
            boots = [jensen_shannon(wa[r] @ counts, wb[r] @ counts) for r in range(n_boot)]
            pa, pb = permuted_masks(rng, ma, mb, ma | mb, np.array(["all"] * len(g)), min(n_boot, 200))
            null = [jensen_shannon(pa[r] @ counts, pb[r] @ counts) for r in range(len(pa))]
            rows.append({"group_a": a, "group_b": b, "jsd": obs, "jsd_low": float(np.quantile(boots, alpha)),
                         "jsd_high": float(np.quantile(boots, 1 - alpha)), "jsd_null": float(np.mean(null)),
                         "p_value": float((np.sum(np.asarray(null) >= obs) + 1) / (len(null) + 1))})
    return pd.DataFrame(rows)
