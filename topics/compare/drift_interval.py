"""The interval of a group's mean drift: log scale, and longer on the heavy side of a right-skewed estimate.

A group's mean drift (:func:`topics.compare.trajectory.drift_scores`) is a spread: a mean of squared
distances, weighted ``1 / q_k`` by topic. It is right-skewed over data sets, and its standard error grows with
it: a few sessions with much of a rare topic (whose weight is large) carry much of a group's spread, and a data
set that lacks them has both a low estimate and a low standard error. So the studentized estimate
``(estimate - truth) / SE`` has a long lower tail, and a symmetric interval misses high true values too often.

Two corrections, both used by :func:`topics.compare.trajectory.compare_drift`:

* the **log scale** (:func:`drift_interval`): ``estimate * exp(+- c * SE / estimate)``, right for a standard
  error proportional to the estimate; its correction is of the order of the relative error ``SE / estimate``;
* the **heavy side** (:func:`drift_heavy_critical`): the critical value above the estimate from the one-term
  Edgeworth expansion of a studentized mean (Hall 1992) with the skewness of the jackknife leave-out estimates
  (:func:`jackknife_skewness`); below the estimate Student's t.

The second is needed where the sessions are long: sampling noise is then small, the relative error too
(0.075 in the group of 40-120 remarks of the length design in ``benchmarks/RESULTS.md``), and the log scale
corrects almost nothing, while the skewness that comes from the sessions' spread stays (the jackknife estimates
0.17 on average in that group). With the log scale alone the truth lay above that group's interval in 5.0% and
5.2% of two sets of 500 data sets, below it in 2.2% and 0.8% (coverage 92.8% and 94.0%); with both, above in
3.6% and 4.0% (coverage 94.2% and 95.2%), and 94.2-97.2% per group in the three drift designs, for intervals
7-12% longer (median).
"""

from __future__ import annotations

import numpy as np

from topics.compare.studentized import edgeworth_heavy_critical


def drift_interval(mean: float, se: float, crit: float, crit_high: float | None = None) -> tuple[float, float]:
    """A group's drift interval: on the log scale where it lies above 0, else on the linear scale.

    Parameters
    ----------
    mean, se : float
        The estimate and its standard error.
    crit : float
        Critical value below the estimate.
    crit_high : float, optional
        Critical value above the estimate (default ``crit``): :func:`drift_heavy_critical` on the heavy side.

    Returns
    -------
    tuple of float
        ``mean * exp(-crit * se / mean)`` to ``mean * exp(crit_high * se / mean)`` where ``mean > crit * se``
        (a spread's estimate is right-skewed and its standard error grows with it, so a symmetric interval misses
        high true values too often); else ``mean - crit * se`` to ``mean + crit_high * se`` (near 0, where a
        spread's estimate can be negative). NaN when ``mean`` or ``se`` is not finite.
    """
    crit_high = crit if crit_high is None else crit_high
    if not (np.isfinite(mean) and np.isfinite(se)):
        return np.nan, np.nan
    if mean > crit * se:
        return mean * float(np.exp(-crit * se / mean)), mean * float(np.exp(crit_high * se / mean))
    return mean - crit * se, mean + crit_high * se


def jackknife_skewness(estimates: np.ndarray) -> float:
    """Skewness of an estimate over data sets, from its jackknife leave-out estimates.

    Parameters
    ----------
    estimates : numpy.ndarray
        The estimate with each session (or block of sessions) left out in turn.

    Returns
    -------
    float
        ``-sum d^3 / (sum d^2)^1.5`` with ``d`` the deviations of ``estimates`` from their mean: for a mean of
        ``n`` values of skewness ``g`` it is ``g / sqrt(n)``, the skewness of the mean (leaving out a large value
        lowers the estimate, hence the sign); 0 when the leave-out estimates do not vary.
    """
    dev = np.asarray(estimates, dtype=float) - float(np.mean(estimates))
    ss = float(np.sum(dev**2))
    return -float(np.sum(dev**3)) / ss**1.5 if ss > 0 else 0.0


def drift_heavy_critical(skewness: float, df: float, alpha: float) -> float:
    """Critical value on the heavy side of a studentized estimate whose estimate has the given skewness.

    Parameters
    ----------
    skewness : float
        Skewness of the estimate (:func:`jackknife_skewness`); the heavy side of the studentized estimate is the
        other one (above the estimate in the interval when the skewness is positive).
    df : float
        Degrees of freedom of Student's t.
    alpha : float
        Two-sided level (0.05 for a 95% interval).

    Returns
    -------
    float
        The ``x`` with ``P(T >= x) = alpha / 2`` under the one-term Edgeworth expansion
        ``F(x) + |skewness| / 6 (2 x^2 + 1) f(x)`` (:func:`topics.compare.studentized.edgeworth_heavy_critical`,
        ``|skewness|`` capped at 3); Student's t's for skewness 0.
    """
    return float(edgeworth_heavy_critical(np.array([skewness]), np.array([df]), alpha)[0])
