"""Agreement of a coder (or a second expert) with an expert's labels on held-out remarks.

:func:`agreement` gives Cohen's kappa with a percentile bootstrap interval (resampling sessions when a
session column is given, remarks otherwise: remarks of one session are not independent), accuracy,
macro-F1, per-code precision, recall and F1, and the confusion matrix, all as numbers and DataFrames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from topics.errors import InputError

Coding = Sequence[object] | np.ndarray
"""Codes item by item: a sequence (a list, a pandas Series) or a numpy array."""


def cohen_kappa(truth: Coding, predicted: Coding) -> float:
    """Cohen's kappa of two codings of the same items.

    Parameters
    ----------
    truth, predicted : sequence
        Codes, item by item.

    Returns
    -------
    float
        ``(p_o - p_e) / (1 - p_e)``; NaN when there are no items or chance agreement is 1.
    """
    t = np.asarray(truth, dtype=object)
    p = np.asarray(predicted, dtype=object)
    if len(t) == 0:
        return float("nan")
    labels, inverse = np.unique(np.concatenate([t, p]).astype(str), return_inverse=True)
    ti, pi = inverse[: len(t)], inverse[len(t) :]
    k = len(labels)
    observed = float(np.mean(ti == pi))
    expected = float(np.dot(np.bincount(ti, minlength=k), np.bincount(pi, minlength=k))) / len(t) ** 2
    return float("nan") if expected >= 1.0 else (observed - expected) / (1.0 - expected)


def per_code(truth: Coding, predicted: Coding, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per-code precision, recall and F1 (0 where undefined, as scikit-learn's ``zero_division=0``).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``support`` (items the truth gives the code), ``predicted`` (items the coder gives it),
        ``precision``, ``recall``, ``f1``.
    """
    t = np.asarray(truth, dtype=object).astype(str)
    p = np.asarray(predicted, dtype=object).astype(str)
    codes = list(codes) if codes is not None else sorted(set(t) | set(p))
    rows = []
    for c in codes:
        tp = int(np.sum((t == c) & (p == c)))
        support, n_pred = int(np.sum(t == c)), int(np.sum(p == c))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(
            {"code": c, "support": support, "predicted": n_pred, "precision": precision, "recall": recall, "f1": f1}
        )
    return pd.DataFrame(rows, columns=["code", "support", "predicted", "precision", "recall", "f1"])


def macro_f1(truth: Coding, predicted: Coding, codes: Sequence[str] | None = None) -> float:
    """Unweighted mean F1 over the codes the truth uses (or ``codes``)."""
    codes = list(codes) if codes is not None else sorted(set(np.asarray(truth, dtype=object).astype(str)))
    table = per_code(truth, predicted, codes)
    return float(table["f1"].mean()) if len(table) else float("nan")


def confusion(truth: Coding, predicted: Coding, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """The confusion matrix: rows the truth's codes, columns the coder's, cells counts of items."""
    t = pd.Series(np.asarray(truth, dtype=object).astype(str), name="truth")
    p = pd.Series(np.asarray(predicted, dtype=object).astype(str), name="coded")
    codes = list(codes) if codes is not None else sorted(set(t) | set(p))
    table = pd.crosstab(t, p).reindex(index=codes, columns=codes, fill_value=0)
    return table.rename_axis(index="truth", columns="coded").astype(int)


@dataclass
class Agreement:
    """Agreement of a coding with the truth on the same items.

    Attributes
    ----------
    n : int
        Items compared.
    kappa, kappa_low, kappa_high : float
        Cohen's kappa and its bootstrap interval.
    accuracy, macro_f1 : float
    per_code : pandas.DataFrame
        See :func:`per_code`.
    confusion : pandas.DataFrame
        See :func:`confusion`.
    level : float
        Coverage of the interval.
    resampled : str
        ``"sessions"`` or ``"remarks"``: what the bootstrap resampled.
    """

    n: int
    kappa: float
    kappa_low: float
    kappa_high: float
    accuracy: float
    macro_f1: float
    per_code: pd.DataFrame
    confusion: pd.DataFrame
    level: float = 0.95
    resampled: str = "remarks"

    def summary(self) -> pd.DataFrame:
        """One row: ``n``, ``kappa``, ``kappa_low``, ``kappa_high``, ``accuracy``, ``macro_f1``, ``resampled``."""
        return pd.DataFrame(
            [
                {
                    "n": self.n,
                    "kappa": self.kappa,
                    "kappa_low": self.kappa_low,
                    "kappa_high": self.kappa_high,
                    "accuracy": self.accuracy,
                    "macro_f1": self.macro_f1,
                    "resampled": self.resampled,
                }
            ]
        )


def agreement(
    truth: Coding,
    predicted: Coding,
    *,
    clusters: Coding | None = None,
    codes: Sequence[str] | None = None,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Agreement:
    """Cohen's kappa with a bootstrap interval, per-code precision and recall, and the confusion matrix.

    Parameters
    ----------
    truth, predicted : sequence
        The expert's codes and the coder's, item by item.
    clusters : sequence, optional
        Session (or other cluster) of each item: the bootstrap resamples whole clusters.
    codes : sequence of str, optional
        Codes to report (default: every code either side uses).
    n_boot : int, default 1000
        Bootstrap replicates (0: no interval).
    level : float, default 0.95
    seed : int, default 0

    Returns
    -------
    Agreement

    Raises
    ------
    InputError
        ``truth`` and ``predicted`` (or ``clusters``) differ in length.
    """
    t = np.asarray(truth, dtype=object).astype(str)
    p = np.asarray(predicted, dtype=object).astype(str)
    if len(t) != len(p) or (clusters is not None and len(clusters) != len(t)):
        raise InputError(f"truth ({len(t)}), predicted ({len(p)}) and clusters must have one value per item")
    kappa = cohen_kappa(t, p)
    low = high = float("nan")
    if n_boot and len(t) > 1:
        rng = np.random.default_rng(seed)
        if clusters is not None:
            groups = pd.Series(np.arange(len(t))).groupby(np.asarray(clusters, dtype=object).astype(str)).indices
            members = list(groups.values())
        else:
            members = [np.array([i]) for i in range(len(t))]
        kappas: list[float] = []
        for _ in range(n_boot):
            idx = np.concatenate([members[j] for j in rng.integers(0, len(members), len(members))])
            kappas.append(cohen_kappa(t[idx], p[idx]))
        draws = np.asarray(kappas, dtype=float)
        draws = draws[np.isfinite(draws)]
        if len(draws):
            low, high = (float(x) for x in np.quantile(draws, [(1 - level) / 2, (1 + level) / 2]))
    table = per_code(t, p, codes)
    used = list(codes) if codes is not None else sorted(set(t))
    return Agreement(
        n=len(t),
        kappa=kappa,
        kappa_low=low,
        kappa_high=high,
        accuracy=float(np.mean(t == p)) if len(t) else float("nan"),
        macro_f1=macro_f1(t, p, used),
        per_code=table,
        confusion=confusion(t, p, codes),
        level=level,
        resampled="sessions" if clusters is not None else "remarks",
    )
