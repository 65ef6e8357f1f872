"""A cross-check journals know: per topic, a binomial GEE with exchangeable correlation within clusters.

For each topic, every remark is a Bernoulli outcome (in the topic or not), the group is the covariate, and
remarks of one session (or one cluster, e.g. a therapist) are correlated with an exchangeable working
correlation; standard errors are the bias-reduced robust ones of Mancl and DeRouen (statsmodels ``GEE``). The result is an odds
ratio "A versus B" with its interval and p-value, to be read beside the permutation results of
:func:`topics.compare.compare_groups`: the two rest on different models (remark-level logistic vs
session-level shares), so their sizes differ, but a topic that is clearly different under one and not at all
under the other deserves a closer look.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from topics.compare.sessions import benjamini_hochberg, resolve_column
from topics.errors import InputError


def gee_crosscheck(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    cluster: str | None = None,
    denominator: str = "all",
    min_remarks: int = 20,
    confidence: float = 0.95,
    strata: str | None = None,
) -> pd.DataFrame:
    """Per-topic binomial GEE (exchangeable within clusters): odds ratio of the first group versus the second.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with ``session_id``, ``topic`` and the grouping column.
    by : str
        Grouping column or preset.
    groups : list of str, optional
        The two groups, in order (default: the first two, sorted).
    cluster : str, optional
        Correlated units (default: the session).
    denominator : {"all", "topical"}
        Every remark, or only remarks in a topic.
    min_remarks : int
        Topics with fewer remarks in the two groups are skipped.
    confidence : float
    strata : str, optional
        A column whose levels enter as covariates (fixed effects), so the group is compared within them.

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``label``, ``odds_ratio``, ``or_low``, ``or_high``, ``p_value``, ``q_value``, ``converged``.
    """
    from statsmodels.genmod.cov_struct import Exchangeable
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_estimating_equations import GEE

    col = resolve_column(assignments, by)
    a = assignments[assignments[col].notna()]
    present = sorted(a[col].astype(str).unique())
    chosen = [str(g) for g in groups][:2] if groups else present[:2]
    if len(chosen) < 2:
        raise InputError(f"{col!r} has only one group ({present})", column=col)
    a = a[a[col].astype(str).isin(chosen)]
    if denominator == "topical":
        a = a[a["topic"] != -1]
    unit = a[cluster] if cluster else a["session_id"]
    codes = pd.factorize(unit.astype(str))[0]
    order = np.argsort(codes, kind="stable")
    a, codes = a.iloc[order], codes[order]
    x = np.column_stack([np.ones(len(a)), (a[col].astype(str) == chosen[0]).to_numpy(float)])
    if strata is not None:
        levels = pd.get_dummies(a[strata].astype(str), drop_first=True, dtype=float)
        x = np.column_stack([x, levels.to_numpy()])
    labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    crit = stats.norm.isf((1 - confidence) / 2)
    rows = []
    for topic in sorted(int(t) for t in a["topic"].unique() if t != -1):
        y = (a["topic"].to_numpy() == topic).astype(float)
        row = {
            "topic": topic,
            "label": labels.get(topic, str(topic)),
            "odds_ratio": np.nan,
            "or_low": np.nan,
            "or_high": np.nan,
            "p_value": np.nan,
            "converged": False,
        }
        if y.sum() >= min_remarks and y.sum() < len(y):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    # Mancl-DeRouen bias-reduced sandwich: plain robust errors are too small with few clusters
                    fit = GEE(y, x, groups=codes, family=Binomial(), cov_struct=Exchangeable()).fit(
                        maxiter=60, cov_type="bias_reduced"
                    )
                    beta, se = float(fit.params[1]), float(fit.bse[1])
                # |log odds ratio| beyond 15 or a huge SE: the topic is (nearly) absent from one group, the
                # logistic model separates and has no finite estimate; leave the row empty
                if np.isfinite(beta) and np.isfinite(se) and 0 < se < 10 and abs(beta) < 15:
                    row.update(
                        odds_ratio=float(np.exp(beta)),
                        or_low=float(np.exp(beta - crit * se)),
                        or_high=float(np.exp(beta + crit * se)),
                        p_value=float(2 * stats.norm.sf(abs(beta / se))),
                        converged=bool(getattr(fit, "converged", True)),
                    )
            except (ValueError, np.linalg.LinAlgError):
                pass
        rows.append(row)
    out = pd.DataFrame(rows, columns=["topic", "label", "odds_ratio", "or_low", "or_high", "p_value", "converged"])
    out.insert(6, "q_value", benjamini_hochberg(out["p_value"].to_numpy()))
    out.attrs["method"] = (
        f"Binomial GEE per topic, exchangeable working correlation within "
        f"{'clusters of ' + repr(cluster) if cluster else 'sessions'}, bias-reduced robust "
        f"standard errors{', ' + strata + ' as covariates' if strata else ''}; "
        f"odds ratio {chosen[0]} versus {chosen[1]}; q: Benjamini-Hochberg."
    )
    out.attrs["groups"] = chosen
    return out
