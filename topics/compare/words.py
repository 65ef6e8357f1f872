"""Distinctive words: weighted log-odds ratios with an informative Dirichlet prior (Monroe et al. 2008).

For two groups with word counts ``y_a`` and ``y_b`` (totals ``n_a``, ``n_b``) and a prior ``alpha``
proportional to the word's frequency in both groups together (total ``alpha0``), the log-odds ratio of
word w is::

    delta_w = log((y_bw + a_w) / (n_b + a0 - y_bw - a_w)) - log((y_aw + a_w) / (n_a + a0 - y_aw - a_w))

with variance approximately ``1 / (y_bw + a_w) + 1 / (y_aw + a_w)``; ``z_w = delta_w / sqrt(var)``.
:func:`distinctive_words` reports "A versus B": positive z, the word is typical of the first group. The prior shrinks the estimates of rare words, so
the list is not dominated by words seen twice in one group (Monroe, Colaresi & Quinn 2008, "Fightin'
words", Political Analysis 16(4), section 3.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import benjamini_hochberg, resolve_column
from topics.errors import InputError
from topics.model.words import CONTRACTION_RESIDUE


def log_odds(counts_a: np.ndarray, counts_b: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted log-odds ratios and z-scores of b versus a.

    Parameters
    ----------
    counts_a, counts_b : numpy.ndarray
        Word counts in each group.
    prior : numpy.ndarray
        Dirichlet prior counts per word (``alpha_w``).

    Returns
    -------
    delta, z : numpy.ndarray
    """
    ya, yb, a = (np.asarray(x, dtype=float) for x in (counts_a, counts_b, prior))
    na, nb, a0 = ya.sum(), yb.sum(), a.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = np.log((yb + a) / (nb + a0 - yb - a)) - np.log((ya + a) / (na + a0 - ya - a))
        var = 1.0 / (yb + a) + 1.0 / (ya + a)
        return delta, delta / np.sqrt(var)


def distinctive_words(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    topic: int | None = None,
    vectorizer=None,
    prior_scale: float = 0.01,
    top_n: int = 15,
    min_count: int = 3,
    n_perm: int = 1000,
    seed: int = 0,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Words and phrases that separate two groups, overall or within one topic, with session-level p-values.

    The z-score of the weighted log-odds ranks the words; it treats every word occurrence as independent, so a
    word one session repeats gets a large z although no other session uses it. The inference is therefore at
    the level of sessions (or clusters): for each word, ``t`` is the difference between the groups' rates of
    the word (its occurrences over all words counted, pooled within each group) divided by a standard error
    that comes from how much the sessions of each group vary (the ratio estimator's cluster-robust variance,
    separately per group), and ``p_value`` (two-sided) is the larger of two p-values of ``|t|``: against its
    distribution when whole sessions' (clusters') group labels are shuffled, and Welch's t distribution (the
    same rule as the per-topic contrasts). Because ``t`` is studentized per group, the test allows one group's
    sessions to vary more than the other's (permuting an unstudentized statistic, such as the log-odds z
    itself, takes the more varied group's spread for a difference). When one group varies far more in its use
    of words (:data:`WORD_SPREAD_LIMIT`), a few heavy users of a word decide that group's rate and even the
    studentized test gives too many small p-values: the table then carries a warning
    (``attrs["warnings"]``, also in ``attrs["method"]``). ``q_value``: Benjamini-Hochberg over every word kept.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with ``session_id``, ``text`` and the grouping column.
    by : str
        Grouping column or preset; exactly two groups are compared (pass ``groups`` to choose them).
    groups : list of str, optional
        ``[a, b]``; positive z means typical of ``a`` (the first group), as in "A minus B".
    topic : int, optional
        Restrict to the remarks of one topic.
    vectorizer : sklearn CountVectorizer, optional
        Tokenisation (default: unigrams and bigrams, English stop words and contraction residue such as "don"
        removed).
    prior_scale : float
        ``alpha0`` as a share of the total word count of both groups (the informative prior's weight).
    top_n : int
        Words kept for each direction.
    min_count : int
        Words seen fewer times in both groups together are ignored.
    n_perm : int
        Permutations of session (cluster) labels; 0 for none (then p and q are missing).
    seed : int
    cluster : str, optional
        Permute clusters (e.g. therapists) instead of sessions.

    Returns
    -------
    pandas.DataFrame
        ``word``, ``group`` (the group it is typical of), ``z``, ``log_odds``, ``count_a``, ``count_b``,
        ``sessions_a``, ``sessions_b`` (sessions using the word), ``t`` (session-level studentized difference
        of the word's rate, first group minus second), ``p_value``, ``q_value``, ``topic``
        (missing for all remarks); the ``top_n`` words of each direction, strongest first.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    col = resolve_column(assignments, by)
    a = assignments if topic is None else assignments[assignments["topic"] == topic]
    a = a[a[col].notna()]
    present = sorted(a[col].astype(str).unique())
    chosen = [str(g) for g in groups] if groups else present
    if len(chosen) != 2:
        raise InputError(
            f"distinctive words compare exactly two groups of {col!r}; found {present} (choose two with groups=[a, b])",
            column=col,
        )
    a = a[a[col].astype(str).isin(chosen)]
    values = a[col].astype(str)
    if not (values == chosen[0]).any() or not (values == chosen[1]).any():
        raise InputError(
            f"no remarks of {chosen} {'in topic ' + str(topic) if topic is not None else ''}".strip(), column=col
        )
    vec = vectorizer or CountVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | CONTRACTION_RESIDUE), ngram_range=(1, 2), min_df=1
    )
    matrix = vec.fit_transform(a["text"].astype(str))
    frequent = np.asarray(matrix.sum(axis=0)).ravel() >= min_count
    matrix, vocab = matrix[:, frequent], np.asarray(vec.get_feature_names_out())[frequent]
    unit = a[cluster].astype(str) if cluster else a["session_id"].astype(str)
    codes, _ = pd.factorize(unit)
    per_unit = _rows_summed(matrix, codes)
    unit_group = pd.Series(values.to_numpy()).groupby(codes).first().to_numpy()
    if pd.Series(values.to_numpy()).groupby(codes).nunique().max() > 1:
        raise InputError(
            f"a {'cluster' if cluster else 'session'} has remarks in both groups of {col!r}", column=cluster or col
        )
    in_a = (unit_group == chosen[0]).astype(float)
    ca, cb = in_a @ per_unit, (1 - in_a) @ per_unit
    columns = [
        "word",
        "group",
        "z",
        "log_odds",
        "count_a",
        "count_b",
        "sessions_a",
        "sessions_b",
        "t",
        "p_value",
        "q_value",
        "topic",
    ]
    if len(vocab) == 0:
        return pd.DataFrame(columns=columns)
    total = ca + cb
    prior = prior_scale * total.sum() * total / total.sum()
    delta, z = log_odds(cb, ca, prior)  # a versus b: positive = typical of the first group
    used = per_unit > 0
    table = pd.DataFrame(
        {
            "word": vocab,
            "z": z,
            "log_odds": delta,
            "count_a": ca,
            "count_b": cb,
            "sessions_a": in_a @ used,
            "sessions_b": (1 - in_a) @ used,
        }
    )
    t, df = rate_t(per_unit, in_a[None, :], with_df=True)
    table["t"] = t[0]
    if n_perm:
        from scipy import stats

        welch = 2 * stats.t.sf(np.abs(t[0]), np.maximum(df[0], 1.0))
        table["p_value"] = np.fmax(_permutation_p(per_unit, in_a, t[0], n_perm, seed), np.nan_to_num(welch, nan=1.0))
    else:
        table["p_value"] = np.nan
    table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy())
    top_a = table.sort_values("z", ascending=False).head(top_n).assign(group=chosen[0])
    top_b = table.sort_values("z").head(top_n).assign(group=chosen[1])
    out = pd.concat([top_a, top_b], ignore_index=True)
    out["topic"] = pd.array([topic] * len(out), dtype="Int64")
    out.attrs["groups"] = chosen
    dispersion = word_dispersion(per_unit, in_a)
    finite = all(np.isfinite(v) for v in dispersion.values())
    ratio = max(dispersion.values()) / max(min(dispersion.values()), 1e-12) if finite else float("nan")
    varied, steady = sorted(dispersion, key=dispersion.__getitem__, reverse=True)
    names = {"a": chosen[0], "b": chosen[1]}
    out.attrs["dispersion"] = {names[k]: v for k, v in dispersion.items()}
    out.attrs["warnings"] = []
    if ratio >= WORD_SPREAD_LIMIT:
        out.attrs["warnings"].append(
            f"The {'clusters' if cluster else 'sessions'} of {names[varied]} vary {ratio:.1f} times as much in their "
            f"use of words as those of {names[steady]} (overdispersion {dispersion[varied]:.2f} against "
            f"{dispersion[steady]:.2f}); with such unequal spread the per-word p- and q-values of the distinctive "
            f"words can be too small (a few heavy users of a word in the varied group decide its rate), so read "
            f"the words as description, not as tested differences."
        )
    out.attrs["method"] = (
        f"Weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008); positive z: typical of "
        f"{chosen[0]}; z ranks the words. p: each word's session-level studentized difference in rate (t, the "
        f"standard error from how much each group's {'clusters' if cluster else 'sessions'} vary, so valid when "
        f"one group varies more), the larger of its p against {n_perm} permutations of whole "
        f"{'clusters' if cluster else 'sessions'}' group labels and its Welch p; q: Benjamini-Hochberg over {len(table)} words."
        + (" " + out.attrs["warnings"][0] if out.attrs["warnings"] else "")
    )
    return out[columns]


def _rows_summed(matrix, codes: np.ndarray) -> np.ndarray:
    """Sum the rows of a sparse remark x word matrix within each code (session or cluster): dense units x words."""
    from scipy import sparse

    indicator = sparse.csr_matrix(
        (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(int(codes.max()) + 1, len(codes))
    )
    return np.asarray((indicator @ matrix).todense(), dtype=float)


WORD_SPREAD_LIMIT = 2.0
"""Ratio of the two groups' word overdispersion (:func:`word_dispersion`) from which the per-word p-values are
flagged as possibly too small. Measured (``benchmarks/calibration_measures.py``, 133 vs 53 sessions, 50 data
sets a design): unflagged designs 4.7-5.1% per-word false positives; topic mixes of concentration 40 vs 3
(flagged in 94% of data sets) 6.1%; each session with its own vocabulary, concentration 200 vs 50 (flagged in
44%) 6.5%, 6.6% in the unflagged data sets; 200 vs 5 (flagged in all) 23.5% and some q < .05 in 96% of data
sets. The permutation of a studentized statistic is valid for large groups, but with few sessions a
heavy-tailed group's rate is decided by its few heavy users."""


def word_dispersion(per_unit: np.ndarray, in_a: np.ndarray) -> dict[str, float]:
    """Pearson overdispersion of word use in each group: 1 when units' word counts are multinomial.

    ``sum_w sum_i (y_iw - r_w n_i)^2 / sum_w sum_i n_i r_w (1 - r_w)`` over the units ``i`` of the group, ``r_w``
    the group's pooled rate of word ``w``: how much more the units vary in their use of words than sampling
    alone would make them.

    Parameters
    ----------
    per_unit : numpy.ndarray
        Units x words counts.
    in_a : numpy.ndarray
        1 for the units of the first group.

    Returns
    -------
    dict
        ``{"a": ..., "b": ...}``.
    """
    n = per_unit.sum(axis=1)
    out = {}
    for key, mask in (("a", in_a > 0), ("b", in_a == 0)):
        y, m = per_unit[mask], n[mask]
        rate = y.sum(axis=0) / max(m.sum(), 1)
        expected = float((m[:, None] * rate * (1 - rate)).sum())
        out[key] = float(((y - np.outer(m, rate)) ** 2).sum() / expected) if expected > 0 else float("nan")
    return out


def rate_t(
    per_unit: np.ndarray, in_a: np.ndarray, *, with_df: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Session-level studentized difference of every word's rate, for each row of 0/1 unit masks.

    The rate of word w in a group is ``sum_i y_iw / sum_i n_i`` over its units (sessions or clusters; ``n_i``
    all words counted in unit ``i``); its variance is the ratio estimator's cluster-robust one,
    ``g / (g - 1) * sum_i (y_iw - r n_i)^2 / (sum_i n_i)^2`` over the group's ``g`` units.

    Parameters
    ----------
    per_unit : numpy.ndarray
        Units x words counts.
    in_a : numpy.ndarray
        Masks x units, 1 for the first group (the rest is the second).

    with_df : bool
        Also return the Welch-Satterthwaite degrees of freedom.

    Returns
    -------
    numpy.ndarray
        Masks x words: ``(r_a - r_b) / sqrt(v_a + v_b)`` (NaN where both variances are 0); with ``with_df``,
        ``(t, df)``.
    """
    n = per_unit.sum(axis=1)
    squares, cross = per_unit**2, per_unit * n[:, None]
    parts = []
    for mask in (in_a, 1.0 - in_a):
        units = mask.sum(axis=1, keepdims=True)
        total = mask @ n
        y, y2, yn, nn = mask @ per_unit, mask @ squares, mask @ cross, (mask @ n**2)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = y / total[:, None]
            resid = np.clip(y2 - 2 * rate * yn + rate**2 * nn, 0, None)
            parts.append((rate, units / (units - 1) * resid / total[:, None] ** 2, units))
    (r_a, v_a, g_a), (r_b, v_b, g_b) = parts
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (r_a - r_b) / np.sqrt(v_a + v_b)
        if not with_df:
            return t
        return t, (v_a + v_b) ** 2 / (v_a**2 / (g_a - 1) + v_b**2 / (g_b - 1))


def _permutation_p(per_unit: np.ndarray, in_a: np.ndarray, t: np.ndarray, n_perm: int, seed: int) -> np.ndarray:
    """Two-sided permutation p of every word's session-level t, group labels of whole units shuffled."""
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(t))
    observed = np.abs(np.nan_to_num(t))
    for part in np.array_split(np.arange(n_perm), max(1, n_perm // 100)):
        masks = np.array([rng.permutation(in_a) for _ in part])
        exceed += (np.abs(np.nan_to_num(rate_t(per_unit, masks))) >= observed - 1e-12).sum(axis=0)
    return (exceed + 1) / (n_perm + 1)
