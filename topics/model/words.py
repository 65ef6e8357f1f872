"""Topic words: the bag of words behind c-TF-IDF, the representation model, and labels made of keywords.

One vectorizer rule serves every place that counts words (fitting, curated topics, distinctive words):
scikit-learn's English stop words plus ``[vectorizer] extra_stop_words`` (fillers such as "um"), the
configured n-grams, and ``min_df`` (lowered to 1 below 100 documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from topics.config import RepresentationConfig, VectorizerConfig
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


def keyword_label(words: Sequence[str], n: int = 3) -> str:
    """A short topic label from its keywords, skipping words that repeat a word already used.

    ``["stop smoking", "smoking", "quit smoking", "cigarettes", "nicotine"]`` gives
    ``"stop smoking, cigarettes, nicotine"``.
    """
    used: set[str] = set()
    chosen: list[str] = []
    for word in words:
        tokens = set(word.lower().split())
        if tokens & used:
            continue
        chosen.append(word)
        used |= tokens
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


def class_tfidf_words(doc_terms: Any, vocabulary: Sequence[str], topics: Sequence[int],
                      top_n: int) -> dict[int, list[tuple[str, float]]]:
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
    import numpy as np
    from bertopic.vectorizers import ClassTfidfTransformer
    from scipy import sparse

    topic = np.asarray(topics)
    vocab = np.asarray(vocabulary)
    classes = np.unique(topic)
    index = {c: i for i, c in enumerate(classes)}
    rows = np.array([index[t] for t in topic])
    indicator = sparse.csr_matrix((np.ones(len(topic)), (rows, np.arange(len(topic)))),
                                  shape=(len(classes), len(topic)))
    weights = ClassTfidfTransformer().fit_transform(indicator @ doc_terms).toarray()
    out: dict[int, list[tuple[str, float]]] = {}
    for c, i in index.items():
        order = np.argsort(-weights[i])[:top_n]
        out[int(c)] = [(str(vocab[j]), float(weights[i, j])) for j in order if weights[i, j] > 0]
    return out
