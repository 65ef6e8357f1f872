"""Topic words: the bag of words behind c-TF-IDF, the representation model, and labels made of keywords.

One vectorizer rule serves every place that counts words (fitting, curated topics, distinctive words):
scikit-learn's English stop words plus ``[vectorizer] extra_stop_words`` (fillers such as "um"), the
configured n-grams, and ``min_df`` (lowered to 1 below 100 documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from topics.config import RepresentationConfig, VectorizerConfig
from topics.model.bertopic_import import import_bertopic
from topics.model.tables import OUTLIER


def stop_word_list(config: VectorizerConfig) -> list[str]:
    """The stop words of a vectorizer config, sorted (built-in English list plus the extra words)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = set(ENGLISH_STOP_WORDS) if config.stop_words == "english" else set()
    stop |= {w.lower() for w in config.extra_stop_words}
    return sorted(stop)


def make_vectorizer(config: VectorizerConfig, n_docs: int | None = None) -> Any:
    """A new ``CountVectorizer`` configured as for fitting.

    Parameters
    ----------
    config : VectorizerConfig
        Stop words, n-grams, ``min_df``.
    n_docs : int, optional
        Documents it will see; ``min_df`` is lowered to 1 below 100 (or when unknown).

    Returns
    -------
    sklearn.feature_extraction.text.CountVectorizer
    """
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        stop_words=stop_word_list(config) or None,
        ngram_range=tuple(config.ngram_range),
        min_df=config.min_df if n_docs is not None and n_docs >= 100 else 1,
    )


def representation_model(config: RepresentationConfig, seed: int) -> Any:
    """BERTopic's representation model for ``[representation] model`` (None for plain c-TF-IDF)."""
    import_bertopic()
    from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

    if config.model == "keybert":
        # KeyBERT picks words close to the topic's remarks; MMR then removes near-repeats
        # ("smoking", "quit smoking", "quitting smoking") from the list.
        return [
            KeyBERTInspired(top_n_words=max(30, config.top_n_words), random_state=seed),
            MaximalMarginalRelevance(diversity=config.mmr_diversity, top_n_words=config.top_n_words),
        ]
    if config.model == "mmr":
        return MaximalMarginalRelevance(diversity=config.mmr_diversity, top_n_words=config.top_n_words)
    return None


CONTRACTION_RESIDUE: frozenset[str] = frozenset(
    {
        "ve",
        "ll",
        "re",
        "don",
        "didn",
        "doesn",
        "isn",
        "wasn",
        "weren",
        "aren",
        "couldn",
        "wouldn",
        "shouldn",
        "haven",
        "hasn",
        "hadn",
        "ain",
        "mustn",
        "needn",
        "s",
        "t",
        "d",
        "m",
        "o",
    }
)
"""What the word tokenizer leaves of contractions ("I've" -> "ve", "don't" -> "don"): never a label word."""

LABEL_FILLERS: frozenset[str] = frozenset(
    {
        "oh",
        "um",
        "umm",
        "uh",
        "uhm",
        "er",
        "erm",
        "ah",
        "hmm",
        "mm",
        "mhm",
        "yeah",
        "yep",
        "okay",
        "ok",
        "gonna",
        "wanna",
        "kinda",
        "sorta",
        "ii",
        "iii",
        "iv",
    }
)
"""Fillers and stray tokens ("ii" of "type II") that say nothing about a topic: left out of labels."""


def _stem(token: str) -> str:
    """A crude English stem, enough to see that "drinks", "drinking" and "drink" are one word in a label."""
    for _ in range(2):  # "feelings" -> "feeling" -> "feel"
        if token.endswith("ss"):
            break
        for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
            if token.endswith(suffix) and len(token) - len(suffix) >= (2 if suffix in ("ing", "ed") else 3):
                token = token[: len(token) - len(suffix)] + keep
                break
        else:
            break
    if len(token) > 3 and token[-1] == token[-2] and token[-1] not in "aeiouls":
        token = token[:-1]  # "stopp(ing)" -> "stop", "runn(ing)" -> "run"
    if len(token) >= 3 and token.endswith("e"):
        token = token[:-1]  # "change" and "chang(ing)", "make" and "mak(ing)"
    return token


def clean_keyword(word: str) -> str:
    """A keyword as a label may show it: contraction residue, fillers, digits and repeated tokens removed.

    ``"drinking drinking"`` gives ``"drinking"``, ``"ve got"`` gives ``"got"``, ``"ii diabetes"`` gives
    ``"diabetes"``, ``"ve"`` gives ``""``.
    """
    kept: list[str] = []
    for token in str(word).lower().split():
        if token in CONTRACTION_RESIDUE or token in LABEL_FILLERS or token.isdigit() or len(token) < 2:
            continue
        if kept and _stem(kept[-1]) == _stem(token):
            continue
        kept.append(token)
    return " ".join(kept)


def clean_keywords(text: str) -> str:
    """A comma-separated keyword list as readers see it: each keyword cleaned (:func:`clean_keyword`), repeats dropped.

    Parameters
    ----------
    text : str
        ``"drinking, ve, drinks, oh oh"``.

    Returns
    -------
    str
        ``"drinking, drinks"``.
    """
    seen: list[str] = []
    for word in str(text).split(","):
        cleaned = clean_keyword(word)
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return ", ".join(seen)


def keyword_label(words: Sequence[str], n: int = 3) -> str:
    """A short topic label from its keywords, skipping words that repeat (a form of) a word already used.

    Keywords are first cleaned (:func:`clean_keyword`: no contraction residue such as "ve", no fillers
    such as "oh", no repeated tokens); a keyword is skipped when one of its words shares a stem with a
    word already in the label. ``["stop smoking", "smoking", "quit smoking", "cigarettes", "nicotine"]``
    gives ``"stop smoking, cigarettes, nicotine"``; ``["drinking drinking", "drink", "drinks day", "beer"]``
    gives ``"drinking, beer"``.
    """
    used: set[str] = set()
    chosen: list[str] = []
    for raw in words:
        word = clean_keyword(raw)
        stems = {_stem(t) for t in word.split()}
        if not stems or stems & used:
            continue
        chosen.append(word)
        used |= stems
        if len(chosen) == n:
            break
    return ", ".join(chosen) if chosen else "(no keywords)"


def topic_word_scores(bertopic: Any, topic_ids: Sequence[int]) -> pd.DataFrame:
    """Top words of every topic with their weights, as a long table (``topic``, ``word``, ``score``, ``rank``).

    Parameters
    ----------
    bertopic : bertopic.BERTopic
        A fitted model.
    topic_ids : sequence of int
        Topics to list (outliers skipped).
    """
    rows = []
    for t in topic_ids:
        if t == OUTLIER:
            continue
        for rank, (word, score) in enumerate(bertopic.get_topic(t) or []):
            if word:
                rows.append({"topic": t, "word": word, "score": float(score), "rank": rank})
    return pd.DataFrame(rows, columns=["topic", "word", "score", "rank"])


def class_tfidf_words(
    doc_terms: Any, vocabulary: Sequence[str] | np.ndarray, topics: Sequence[int], top_n: int
) -> dict[int, list[tuple[str, float]]]:
    """c-TF-IDF top words of every topic, from a remark x word count matrix (outliers a class, as in BERTopic).

    Parameters
    ----------
    doc_terms : scipy.sparse matrix
        Word counts, one row per remark.
    vocabulary : sequence of str
        The word of each column.
    topics : sequence of int
        Topic of each remark.
    top_n : int
        Words kept per topic.

    Returns
    -------
    dict of int to list of (word, weight)
    """
    import_bertopic()
    from bertopic.vectorizers import ClassTfidfTransformer
    from scipy import sparse

    topic = np.asarray(topics)
    vocab = np.asarray(vocabulary)
    classes = np.unique(topic)
    index = {c: i for i, c in enumerate(classes)}
    rows = np.array([index[t] for t in topic])
    indicator = sparse.csr_matrix(
        (np.ones(len(topic)), (rows, np.arange(len(topic)))), shape=(len(classes), len(topic))
    )
    weights = ClassTfidfTransformer().fit_transform(indicator @ doc_terms).toarray()
    out: dict[int, list[tuple[str, float]]] = {}
    for c, i in index.items():
        order = np.argsort(-weights[i])[:top_n]
        out[int(c)] = [(str(vocab[j]), float(weights[i, j])) for j in order if weights[i, j] > 0]
    return out
