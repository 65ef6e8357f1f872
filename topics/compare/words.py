"""Distinctive words: weighted log-odds ratios with an informative Dirichlet prior (Monroe et al. 2008).

For two groups with word counts ``y_a`` and ``y_b`` (totals ``n_a``, ``n_b``) and a prior ``alpha``
proportional to the word's frequency in both groups together (total ``alpha0``), the log-odds ratio of
word w is::

    delta_w = log((y_bw + a_w) / (n_b + a0 - y_bw - a_w)) - log((y_aw + a_w) / (n_a + a0 - y_aw - a_w))

with variance approximately ``1 / (y_bw + a_w) + 1 / (y_aw + a_w)``; ``z_w = delta_w / sqrt(var)``.
Positive z: the word is typical of the second group. The prior shrinks the estimates of rare words, so
the list is not dominated by words seen twice in one group (Monroe, Colaresi & Quinn 2008, "Fightin'
words", Political Analysis 16(4), section 3.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import resolve_column
from topics.errors import InputError


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
) -> pd.DataFrame:
    """Words and phrases that separate two groups, overall or within one topic.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with ``text`` and the grouping column.
    by : str
        Grouping column or preset; exactly two groups are compared (pass ``groups`` to choose them).
    groups : list of str, optional
        ``[a, b]``; positive z means typical of ``b``.
    topic : int, optional
        Restrict to the remarks of one topic.
    vectorizer : sklearn CountVectorizer, optional
        Tokenisation (default: unigrams and bigrams, English stop words removed).
    prior_scale : float
        ``alpha0`` as a share of the total word count of both groups (the informative prior's weight).
    top_n : int
        Words kept for each direction.
    min_count : int
        Words seen fewer times in both groups together are ignored.

    Returns
    -------
    pandas.DataFrame
        ``word``, ``group`` (the group it is typical of), ``z``, ``log_odds``, ``count_a``, ``count_b``,
        ``topic`` (missing for all remarks); the ``top_n`` words of each direction, strongest first.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    col = resolve_column(assignments, by)
    a = assignments if topic is None else assignments[assignments["topic"] == topic]
    present = sorted(a[col].dropna().astype(str).unique())
    chosen = [str(g) for g in groups] if groups else present
    if len(chosen) != 2:
        raise InputError(f"distinctive words compare exactly two groups of {col!r}; found {present} "
                         "(choose two with groups=[a, b])", column=col)
    values = a[col].astype(str)
    text_a = a.loc[values == chosen[0], "text"].astype(str)
    text_b = a.loc[values == chosen[1], "text"].astype(str)
    if text_a.empty or text_b.empty:
        raise InputError(f"no remarks of {chosen} {'in topic ' + str(topic) if topic is not None else ''}".strip(),
                         column=col)
    vec = vectorizer or CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    matrix = vec.fit_transform(pd.concat([text_a, text_b]))
    vocab = np.asarray(vec.get_feature_names_out())
    ca = np.asarray(matrix[: len(text_a)].sum(axis=0)).ravel()
    cb = np.asarray(matrix[len(text_a):].sum(axis=0)).ravel()
    keep = (ca + cb) >= min_count
    ca, cb, vocab = ca[keep], cb[keep], vocab[keep]
    if len(vocab) == 0:
        return pd.DataFrame(columns=["word", "group", "z", "log_odds", "count_a", "count_b", "topic"])
    total = ca + cb
    prior = prior_scale * total.sum() * total / total.sum()
    delta, z = log_odds(ca, cb, prior)
    table = pd.DataFrame({"word": vocab, "z": z, "log_odds": delta, "count_a": ca, "count_b": cb})
    top_b = table.sort_values("z", ascending=False).head(top_n).assign(group=chosen[1])
    top_a = table.sort_values("z").head(top_n).assign(group=chosen[0])
    out = pd.concat([top_b, top_a], ignore_index=True)
    out["topic"] = pd.array([topic] * len(out), dtype="Int64")
    out.attrs["groups"] = chosen
    return out[["word", "group", "z", "log_odds", "count_a", "count_b", "topic"]]
