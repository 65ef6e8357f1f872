"""The UMAP step, with its costly parts computed once and kept on disk.

Plain BERTopic recomputes everything on each fit. Here:

* the **neighbour graph** (each remark's nearest neighbours in embedding space) is computed exactly, by
  blocked matrix products, for corpora up to :data:`EXACT_KNN_MAX` remarks (UMAP's approximate
  NN-descent otherwise). Exact neighbours do not depend on the seed, so refits with other seeds differ
  only by UMAP's optimisation, and the graph is shared by the 5-D reduction, the 2-D document map and
  every refit (other seeds, other ``n_neighbors`` up to the number kept);
* the **reduction** itself is cached, keyed by the embeddings, the UMAP settings and the seed, so a
  rerun that changes only the clustering (HDBSCAN, outliers, vectorizer, representation) skips UMAP.

Everything is stored as ``.npy`` files (read with ``allow_pickle=False``) under
``<embedding cache_dir>/reductions/``; files are written to a temporary name and renamed, so an
interrupted run never leaves a half-written entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from topics._files import atomic_write

EXACT_KNN_MAX = 60_000
"""Largest corpus for which the neighbour graph is computed exactly (the cost grows with n squared)."""
KNN_KEEP = 30
"""Neighbours kept in the cached graph (at least ``n_neighbors``), so refits with fewer reuse it."""
BLOCK_ELEMENTS = 8_000_000
"""Similarities computed at once by :func:`exact_knn` (rows x corpus size): bounds its memory to ~150 MB."""


def embeddings_digest(embeddings: np.ndarray) -> str:
    """SHA-256 of an embedding matrix (shape and float32 bytes)."""
    x = np.ascontiguousarray(embeddings, dtype=np.float32)
    h = hashlib.sha256(repr(x.shape).encode())
    h.update(x.tobytes())
    return h.hexdigest()


def exact_knn(embeddings: np.ndarray, k: int, metric: str = "cosine") -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours of every row (itself first), by blocked matrix products.

    Parameters
    ----------
    embeddings : numpy.ndarray
        Shape (n, dim).
    k : int
        Neighbours per row, the row itself included (UMAP's convention).
    metric : {"cosine", "euclidean"}

    Returns
    -------
    indices : numpy.ndarray
        int32, shape (n, k); ties are broken by the lower index, so the result is deterministic.
    distances : numpy.ndarray
        float32, shape (n, k): cosine distance (1 - cosine similarity) or Euclidean distance.
    """
    if metric not in ("cosine", "euclidean"):
        raise ValueError(f"exact neighbours support 'cosine' and 'euclidean', not {metric!r}")
    x: np.ndarray = np.asarray(embeddings, dtype=np.float32)
    n = len(x)
    k = min(k, n)
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x = x / np.where(norms == 0, 1, norms)
    sq = (x * x).sum(axis=1)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    rows_per_block = max(1, min(n, BLOCK_ELEMENTS // max(n, 1)))
    for start in range(0, n, rows_per_block):
        stop = min(start + rows_per_block, n)
        dist = x[start:stop] @ x.T
        if metric == "cosine":
            np.subtract(1.0, dist, out=dist)
        else:
            dist *= -2.0
            dist += sq[start:stop, None]
            dist += sq[None, :]
            np.sqrt(np.maximum(dist, 0.0, out=dist), out=dist)
        rows = np.arange(stop - start)
        dist[rows, rows + start] = -np.inf  # the row itself comes first
        part = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n), (stop - start, 1))
        pdist = np.take_along_axis(dist, part, axis=1)
        order = np.lexsort((part, pdist), axis=1)  # by distance, then by index
        indices[start:stop] = np.take_along_axis(part, order, axis=1)
        d = np.take_along_axis(pdist, order, axis=1)
        d[:, 0] = 0.0
        distances[start:stop] = np.maximum(d, 0.0)
    return indices, distances


class ReductionCache:
    """Neighbour graphs, reductions and layouts stored as ``.npy`` files in one folder.

    Parameters
    ----------
    folder : str or Path
        The cache folder (created on first write).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    @staticmethod
    def key(**parts: Any) -> str:
        """A file-name-safe key from named parts (digest, settings, versions)."""
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]

    def load(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        """The arrays stored under ``kind``/``key``, or None."""
        path = self.folder / f"{kind}-{key}.npz"
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return None  # unreadable or truncated entry: recompute (and overwrite it)

    def save(self, kind: str, key: str, **arrays: np.ndarray) -> None:
        """Store arrays under ``kind``/``key`` (atomically; the file 0600 and its folder 0700, as every cache)."""
        # the ignore: numpy's stub types savez(**kwds) as if a key could be its bool allow_pickle
        atomic_write(self.folder / f"{kind}-{key}.npz", lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]  # private, like every cache


def neighbour_graph(
    embeddings: np.ndarray,
    n_neighbors: int,
    metric: str,
    *,
    cache: ReductionCache | None = None,
    digest: str | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The exact neighbour graph for UMAP (``None`` when the corpus or metric calls for NN-descent).

    Parameters
    ----------
    embeddings : numpy.ndarray
    n_neighbors : int
        UMAP's ``n_neighbors``; at least :data:`KNN_KEEP` neighbours are computed and cached.
    metric : str
        UMAP's metric; only "cosine" and "euclidean" are computed exactly.
    cache : ReductionCache, optional
    digest : str, optional
        :func:`embeddings_digest` of ``embeddings`` if already known.

    Returns
    -------
    tuple of numpy.ndarray or None
        ``(indices, distances)`` with ``n_neighbors`` columns.
    """
    n = len(embeddings)
    if metric not in ("cosine", "euclidean") or n > EXACT_KNN_MAX or n_neighbors > n:
        return None
    keep = min(max(n_neighbors, KNN_KEEP), n)
    key = None
    if cache is not None:
        key = ReductionCache.key(digest=digest or embeddings_digest(embeddings), metric=metric, keep=keep)
        hit = cache.load("knn", key)
        if hit is not None and hit["indices"].shape == (n, keep):
            return hit["indices"][:, :n_neighbors].copy(), hit["distances"][:, :n_neighbors].copy()
    indices, distances = exact_knn(embeddings, keep, metric)
    if cache is not None and key is not None:
        cache.save("knn", key, indices=indices, distances=distances)
    return indices[:, :n_neighbors].copy(), distances[:, :n_neighbors].copy()


@contextlib.contextmanager
def without_index_warning() -> Iterator[None]:
    """Silence UMAP's warning that a precomputed graph leaves it no search index for new data.

    New remarks go through :meth:`topics.model.TopicModel.transform` (centroid similarity) instead.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*knn_search_index.*")
        yield


def _umap_version() -> str:
    from importlib import metadata

    return metadata.version("umap-learn")


class CachedUMAP:
    """UMAP with an exact, shared neighbour graph and a cached result; a drop-in ``umap_model`` for BERTopic.

    Parameters
    ----------
    n_neighbors, n_components, min_dist, metric, random_state :
        As for ``umap.UMAP``.
    cache_dir : str or Path, optional
        Folder of the :class:`ReductionCache`; nothing is cached if omitted (the exact graph is still used).
    n_epochs : int, optional
        As for ``umap.UMAP`` (default: UMAP's choice by corpus size).

    Attributes
    ----------
    embedding_ : numpy.ndarray
        The reduced embeddings of the data passed to :meth:`fit`.
    knn_ : tuple of numpy.ndarray or None
        The neighbour graph used (``None`` when UMAP computed its own).
    from_cache_ : bool
        Whether the reduction was read from the cache.
    """

    def __init__(
        self,
        n_neighbors: int = 15,
        n_components: int = 5,
        min_dist: float = 0.0,
        metric: str = "cosine",
        random_state: int | None = None,
        cache_dir: str | Path | None = None,
        n_epochs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.metric = metric
        self.random_state = random_state
        self.cache_dir = cache_dir
        self.n_epochs = n_epochs

    def _settings(self) -> dict[str, Any]:
        return {
            "n_neighbors": self.n_neighbors,
            "n_components": self.n_components,
            "min_dist": self.min_dist,
            "metric": self.metric,
            "random_state": self.random_state,
            "n_epochs": self.n_epochs,
            "umap": _umap_version(),
        }

    def fit(self, x: np.ndarray, y: Any = None) -> CachedUMAP:
        """Reduce ``x`` (read from the cache when this exact reduction was computed before)."""
        x = np.asarray(x, dtype=np.float32)
        self.digest_ = embeddings_digest(x)
        cache = ReductionCache(self.cache_dir) if self.cache_dir is not None else None
        key = ReductionCache.key(digest=self.digest_, **self._settings())
        self.from_cache_ = False
        if cache is not None and y is None:
            hit = cache.load("umap", key)
            if hit is not None and hit["embedding"].shape == (len(x), self.n_components):
                self.embedding_ = hit["embedding"]
                self.from_cache_ = True
                self.knn_ = None
                self.umap_ = None
                return self
        from umap import UMAP  # numba and pynndescent: seconds to import, only when UMAP runs

        n = len(x)
        self.knn_ = neighbour_graph(x, min(self.n_neighbors, n - 1), self.metric, cache=cache, digest=self.digest_)
        umap = UMAP(
            n_neighbors=min(self.n_neighbors, n - 1),
            n_components=self.n_components,
            min_dist=self.min_dist,
            metric=self.metric,
            random_state=self.random_state,
            n_epochs=self.n_epochs,
            n_jobs=1,  # a fixed random_state makes UMAP single-threaded anyway
            low_memory=True,
            precomputed_knn=(self.knn_[0], self.knn_[1], None) if self.knn_ is not None else (None, None, None),
        )
        with without_index_warning():
            self.embedding_ = np.asarray(umap.fit_transform(x, y=y), dtype=np.float32)
        self.umap_ = umap
        if cache is not None and y is None:
            cache.save("umap", key, embedding=self.embedding_)
        return self

    def fit_transform(self, x: np.ndarray, y: Any = None) -> np.ndarray:
        """:meth:`fit`, then the reduced embeddings."""
        return self.fit(x, y).embedding_

    def transform(self, x: np.ndarray) -> np.ndarray:
        """The reduced embeddings of the fitted data; new data through the fitted UMAP where it has an index."""
        x = np.asarray(x, dtype=np.float32)
        if embeddings_digest(x) == getattr(self, "digest_", None):
            return self.embedding_
        umap = getattr(self, "umap_", None)
        if umap is None or self.knn_ is not None:
            raise NotImplementedError(
                "this reduction places only the remarks it was fitted on; new remarks are assigned to topics by "
                "TopicModel.transform (cosine similarity to the topic centroids)"
            )
        return umap.transform(x)
