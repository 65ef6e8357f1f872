"""BERTopic built one way, for the single fit, the consensus fit and every refit.

:func:`make_bertopic` wires the toolkit's parts into BERTopic (the cached embedder as embedding backend,
the cached UMAP, HDBSCAN or precomputed labels, the vectorizer and representation model) and silences two
BERTopic warnings that do not apply here: outlier reassignment is this toolkit's design, and the
embedding model is recorded in the saved ``config.toml`` rather than in BERTopic's folder.

Importing this module also defers BERTopic's plotting module (:func:`defer_bertopic_plotting`): BERTopic imports
it at import time for its ``visualize_*`` methods, and with it plotly's figure factory, widgets and renderers
(nbformat, jsonschema), about a sixth of a warm rerun's seconds; the toolkit draws its own figures and fits
without them. The module is imported, unchanged, the first time one of its names is used. BERTopic itself is
imported through :func:`topics.model.bertopic_import.import_bertopic`, which leaves its optional backends and
representations (sentence-transformers, transformers, torch, spaCy) to be imported when first used.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from topics.embed import Embedder
from topics.model.bertopic_import import PLOTTING_MODULE as PLOTTING_MODULE
from topics.model.bertopic_import import defer_bertopic_plotting as defer_bertopic_plotting
from topics.model.bertopic_import import import_bertopic


class _QuietCustomTopics(logging.Filter):
    """Hide BERTopic's warnings about custom topic lists and a missing embedding model."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "custom list of topic assignments" not in message and "without explicitly defining" not in message


_FILTER = _QuietCustomTopics()

defer_bertopic_plotting()  # before anything in the toolkit imports BERTopic


def quiet_bertopic_logger() -> None:
    """Install the filter on BERTopic's logger (once; repeated calls do nothing)."""
    logger = logging.getLogger("BERTopic")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def embedding_backend(embedder: Embedder) -> Any:
    """A BERTopic embedding backend that goes through the toolkit's cached :class:`~topics.embed.Embedder`."""
    import_bertopic()
    from bertopic.backend import BaseEmbedder

    class CachedEmbedder(BaseEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.embedder = embedder

        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
            return self.embedder.embed(list(documents))

    return CachedEmbedder()


def make_bertopic(
    embedder: Embedder,
    *,
    umap_model: Any = None,
    hdbscan_model: Any = None,
    vectorizer: Any,
    representation: Any,
    top_n_words: int,
) -> Any:
    """A BERTopic object; ``umap_model`` / ``hdbscan_model`` None mean "labels are given to ``fit``".

    Parameters
    ----------
    embedder : Embedder
        Embeds remarks for the representation model (through the cache).
    umap_model, hdbscan_model : optional
        The reduction and the clusterer; None for BERTopic's pass-through ones (consensus labels).
    vectorizer : sklearn CountVectorizer
    representation : BERTopic representation model or None
    top_n_words : int

    Returns
    -------
    bertopic.BERTopic
    """
    import_bertopic()
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction

    quiet_bertopic_logger()
    return BERTopic(
        embedding_model=embedding_backend(embedder),
        umap_model=umap_model if umap_model is not None else BaseDimensionalityReduction(),
        hdbscan_model=hdbscan_model if hdbscan_model is not None else BaseCluster(),
        vectorizer_model=vectorizer,
        representation_model=representation,
        top_n_words=top_n_words,
        calculate_probabilities=False,
    )


def load_bertopic(folder: str, embedder: Embedder) -> Any:
    """Load a BERTopic folder saved with safetensors (the caller has checked the folder)."""
    import_bertopic()
    from bertopic import BERTopic

    quiet_bertopic_logger()
    return BERTopic.load(folder, embedding_model=embedding_backend(embedder))
