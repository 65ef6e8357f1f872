"""BERTopic built one way, for the single fit, the consensus fit and every refit.

:func:`make_bertopic` wires the toolkit's parts into BERTopic (the cached embedder as embedding backend,
the cached UMAP, HDBSCAN or precomputed labels, the vectorizer and representation model) and silences two
BERTopic warnings that do not apply here: outlier reassignment is this toolkit's design, and the
embedding model is recorded in the saved ``config.toml`` rather than in BERTopic's folder.

Importing this module also defers BERTopic's plotting module (:func:`defer_bertopic_plotting`): BERTopic imports
it at import time for its ``visualize_*`` methods, and with it plotly's figure factory, widgets and renderers
(nbformat, jsonschema), about a sixth of a warm rerun's seconds; the toolkit draws its own figures and fits
without them. The module is imported, unchanged, the first time one of its names is used.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
import sys
import threading
import types
from typing import Any

import numpy as np

from topics.embed import Embedder


class _QuietCustomTopics(logging.Filter):
    """Hide BERTopic's warnings about custom topic lists and a missing embedding model."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "custom list of topic assignments" not in message and "without explicitly defining" not in message


_FILTER = _QuietCustomTopics()

PLOTTING_MODULE = "bertopic.plotting"
"""BERTopic's plotting module, imported when first used (:func:`defer_bertopic_plotting`)."""


class _DeferredModule(types.ModuleType):
    """Stands for a module not imported yet: the first name looked up imports the real one and is read from it."""

    def __init__(self, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__path__ = list(spec.submodule_search_locations or [])
        self.__file__ = spec.origin
        self.__dict__["_deferred_lock"] = threading.Lock()
        self.__dict__["_deferred_real"] = None

    def _deferred_load(self) -> types.ModuleType:
        with self.__dict__["_deferred_lock"]:
            real = self.__dict__["_deferred_real"]
            if real is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                real = importlib.import_module(self.__name__)
                self.__dict__["_deferred_real"] = real
        return real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # the import system's probes (``__spec__._initializing`` ...) load nothing
        return getattr(self._deferred_load(), name)

    def __dir__(self) -> list[str]:
        return dir(self._deferred_load())


def defer_bertopic_plotting() -> bool:
    """Have BERTopic's plotting module imported only when one of its ``visualize_*`` functions is used.

    BERTopic runs ``from bertopic import plotting`` when it is imported and uses the module only inside its
    ``visualize_*`` methods; a stand-in module in ``sys.modules`` takes its place and imports the real module,
    unchanged, the first time a name of it is looked up (any use, whatever BERTopic's version does with it).
    Nothing is done when BERTopic or its plotting module was imported already, or when plotly or BERTopic is
    missing (BERTopic then uses its own stand-in).

    Returns
    -------
    bool
        Whether the stand-in was installed by this call.
    """
    if "bertopic" in sys.modules or PLOTTING_MODULE in sys.modules:
        return False
    try:
        parent = importlib.util.find_spec("bertopic")  # a top-level name: finds, imports nothing
        if parent is None or not parent.submodule_search_locations or importlib.util.find_spec("plotly") is None:
            return False
        spec = importlib.machinery.PathFinder.find_spec(PLOTTING_MODULE, list(parent.submodule_search_locations))
    except (ImportError, ValueError):
        return False
    if spec is None or spec.loader is None:
        return False
    sys.modules[PLOTTING_MODULE] = _DeferredModule(spec)
    return True


defer_bertopic_plotting()  # before anything in the toolkit imports BERTopic


def quiet_bertopic_logger() -> None:
    """Install the filter on BERTopic's logger (once; repeated calls do nothing)."""
    logger = logging.getLogger("BERTopic")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def embedding_backend(embedder: Embedder) -> Any:
    """A BERTopic embedding backend that goes through the toolkit's cached :class:`~topics.embed.Embedder`."""
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
    from bertopic import BERTopic

    quiet_bertopic_logger()
    return BERTopic.load(folder, embedding_model=embedding_backend(embedder))
