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

    The z-score of the weighted log-odds treats every word occurrence as independent; a word one session
    repeats gets a large z although no other session uses it. So each word's z is also referred to its
    permutation distribution when whole sessions' (or clusters') group labels are shuffled: ``p_value``
    (two-sided) and ``q_value`` (Benjamini-Hochberg over every word kept) are the inference to report.

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
        ``sessions_a``, ``sessions_b`` (sessions using the word), ``p_value``, ``q_value``, ``topic``
        (missing for all remarks); the ``top_n`` words of each direction, strongest first.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    col = resolve_column(assignments, by)
    a = assignments if topic is None else assignments[assignments["topic"] == topic]
    a = a[a[col].notna()]
    present = sorted(a[col].astype(str).unique())
    chosen = [str(g) for g in groups] if groups else present
    if len(chosen) != 2:
        raise InputError(f"distinctive words compare exactly two groups of {col!r}; found {present} "
                         "(choose two with groups=[a, b])", column=col)
    a = a[a[col].astype(str).isin(chosen)]
    values = a[col].astype(str)
    if not (values == chosen[0]).any() or not (values == chosen[1]).any():
        raise InputError(f"no remarks of {chosen} {'in topic ' + str(topic) if topic is not None else ''}".strip(),
                         column=col)
    vec = vectorizer or CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | CONTRACTION_RESIDUE), ngram_range=(1, 2),
                                        min_df=1)
    matrix = vec.fit_transform(a["text"].astype(str))
    frequent = np.asarray(matrix.sum(axis=0)).ravel() >= min_count
    matrix, vocab = matrix[:, frequent], np.asarray(vec.get_feature_names_out())[frequent]
    unit = a[cluster].astype(str) if cluster else a["session_id"].astype(str)
    codes, _ = pd.factorize(unit)
    per_unit = _rows_summed(matrix, codes)
    unit_group = pd.Series(values.to_numpy()).groupby(codes).first().to_numpy()
    if pd.Series(values.to_numpy()).groupby(codes).nunique().max() > 1:
        raise InputError(f"a {'cluster' if cluster else 'session'} has remarks in both groups of {col!r}",
                         column=cluster or col)
    in_a = (unit_group == chosen[0]).astype(float)
    ca, cb = in_a @ per_unit, (1 - in_a) @ per_unit
    columns = ["word", "group", "z", "log_odds", "count_a", "count_b", "sessions_a", "sessions_b", "p_value",
               "q_value", "topic"]
    if len(vocab) == 0:
        return pd.DataFrame(columns=columns)
    total = ca + cb
    prior = prior_scale * total.sum() * total / total.sum()
    delta, z = log_odds(cb, ca, prior)  # a versus b: positive = typical of the first group
    used = per_unit > 0
    table = pd.DataFrame({"word": vocab, "z": z, "log_odds": delta, "count_a": ca, "count_b": cb,
                          "sessions_a": in_a @ used, "sessions_b": (1 - in_a) @ used})
    table["p_value"] = _permutation_p(per_unit, in_a, prior, z, n_perm, seed) if n_perm else np.nan
    table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy())
    top_a = table.sort_values("z", ascending=False).head(top_n).assign(group=chosen[0])
    top_b = table.sort_values("z").head(top_n).assign(group=chosen[1])
    out = pd.concat([top_a, top_b], ignore_index=True)
    out["topic"] = pd.array([topic] * len(out), dtype="Int64")
    out.attrs["groups"] = chosen
    out.attrs["method"] = (
        f"Weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008); positive z: typical of "
        f"{chosen[0]}. p: each word's |z| against {n_perm} permutations of whole "
        f"{'clusters' if cluster else 'sessions'}' group labels; q: Benjamini-Hochberg over {len(table)} words.")
    return out[columns]


def _rows_summed(matrix, codes: np.ndarray) -> np.ndarray:
    """Sum the rows of a sparse remark x word matrix within each code (session or cluster): dense units x words."""
    from scipy import sparse

    indicator = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                  shape=(int(codes.max()) + 1, len(codes)))
    return np.asarray((indicator @ matrix).todense(), dtype=float)


def _permutation_p(per_unit: np.ndarray, in_a: np.ndarray, prior: np.ndarray, z: np.ndarray, n_perm: int,
                   seed: int) -> np.ndarray:
    """Two-sided permutation p of every word's z, group labels of whole units shuffled."""
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(z))
    a0 = prior.sum()
    for part in np.array_split(np.arange(n_perm), max(1, n_perm // 100)):
        masks = np.array([rng.permutation(in_a) for _ in part])
        ya, yb = masks @ per_unit, (1 - masks) @ per_unit
        na, nb = ya.sum(axis=1, keepdims=True), yb.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = np.log((ya + prior) / (na + a0 - ya - prior)) - np.log((yb + prior) / (nb + a0 - yb - prior))
            z_perm = delta / np.sqrt(1.0 / (yb + prior) + 1.0 / (ya + prior))
        exceed += (np.abs(z_perm) >= np.abs(z) - 1e-12).sum(axis=0)
    return (exceed + 1) / (n_perm + 1)
