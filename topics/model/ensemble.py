"""Short UMAP layouts for the consensus mode: one neighbour graph, one initialisation, many cheap seeds.

A UMAP fit spends most of its time in the stochastic optimisation of the layout (500 epochs under 10,000
remarks, 200 above); the neighbour graph, its fuzzy weights and the spectral initialisation do not depend on
the seed. With ``[hdbscan] consensus_epochs`` set (the default: 20 fits of 50 epochs), the consensus fits
(:mod:`topics.model.consensus`) share those and each runs only that many epochs, in parallel threads
(:mod:`topics.model.sgd`): on 5,000 counsellor remarks one 100-epoch layout clusters about as stably as one
500-epoch layout (mean pairwise ARI over seeds 0.72 against 0.73), and the consensus of twenty 50-epoch layouts
agrees across seeds at ARI 0.88-0.89 at 5k-29k remarks against 0.70-0.75 for one fit
(``benchmarks/stability_candidates.py``, ``benchmarks/seed_stability.py``).

Each layout is kept in the reduction cache (:class:`topics.model.reduction.ReductionCache`), keyed by the
embeddings, the settings, the epochs and the seed, so a rerun that changes only the clustering skips them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from topics.model.reduction import (
    ReductionCache,
    _umap_version,
    embeddings_digest,
    neighbour_graph,
    without_index_warning,
)


class ShortLayouts:
    """Several UMAP layouts of the same remarks from one exact neighbour graph and one spectral initialisation.

    Parameters
    ----------
    n_neighbors, n_components, min_dist, metric :
        As for ``umap.UMAP``.
    epochs : int
        Optimisation epochs of each layout.
    cache_dir : str or Path, optional
        Folder of the :class:`~topics.model.reduction.ReductionCache`; nothing is cached if omitted.
    threads : int, optional
        Layouts optimised at the same time (:func:`topics.model.sgd.optimise_layouts`; default: the usable CPUs).
        The layouts do not depend on it.

    Attributes
    ----------
    embedding_ : numpy.ndarray
        The first layout (what the document map starts from, as after a single fit).
    knn_ : tuple of numpy.ndarray or None
        The exact neighbour graph (``None`` when the corpus or metric calls for UMAP's own search).
    from_cache_ : bool
        Whether every layout was read from the cache.
    """

    def __init__(
        self,
        n_neighbors: int = 15,
        n_components: int = 5,
        min_dist: float = 0.0,
        metric: str = "cosine",
        *,
        epochs: int = 50,
        cache_dir: str | Path | None = None,
        threads: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.metric = metric
        self.epochs = epochs
        self.cache_dir = cache_dir
        self.threads = threads

    def _settings(self, seed: int) -> dict[str, Any]:
        return {
            "short_layout": 1,
            "n_neighbors": self.n_neighbors,
            "n_components": self.n_components,
            "min_dist": self.min_dist,
            "metric": self.metric,
            "epochs": self.epochs,
            "seed": seed,
            "umap": _umap_version(),
        }

    def fit_layouts(self, x: np.ndarray, seeds: list[int]) -> list[np.ndarray]:
        """One layout per seed (read from the cache where computed before).

        Parameters
        ----------
        x : numpy.ndarray
            Embeddings, shape (n, dim).
        seeds : list of int
            One random state per layout.

        Returns
        -------
        list of numpy.ndarray
            float32 layouts of shape (n, n_components), in the order of ``seeds``.
        """
        x = np.asarray(x, dtype=np.float32)
        n = len(x)
        k = min(self.n_neighbors, n - 1)
        digest = embeddings_digest(x)
        cache = ReductionCache(self.cache_dir) if self.cache_dir is not None else None
        keys = [ReductionCache.key(digest=digest, **self._settings(s)) for s in seeds]
        layouts: list[np.ndarray | None] = []
        for key in keys:
            hit = cache.load("short", key) if cache is not None else None
            ok = hit is not None and hit["embedding"].shape == (n, self.n_components)
            layouts.append(hit["embedding"] if ok and hit is not None else None)
        self.from_cache_ = all(lay is not None for lay in layouts)
        self.knn_ = neighbour_graph(x, k, self.metric, cache=cache, digest=digest)
        if not self.from_cache_:
            from umap.umap_ import find_ab_params

            from topics.model.sgd import optimise_layouts

            graph, init = self._graph_and_init(x, k)
            todo = [i for i, lay in enumerate(layouts) if lay is None]
            a, b = find_ab_params(1.0, self.min_dist)
            computed = optimise_layouts(graph, init, [seeds[i] for i in todo], self.epochs, a, b, threads=self.threads)
            for i, layout in zip(todo, computed, strict=True):
                layouts[i] = layout
                if cache is not None:
                    cache.save("short", keys[i], embedding=layout)
        done = [np.asarray(lay, dtype=np.float32) for lay in layouts if lay is not None]
        self.embedding_ = done[0]
        return done

    def _graph_and_init(self, x: np.ndarray, k: int) -> tuple[Any, np.ndarray]:
        """UMAP's fuzzy graph of the neighbours and its spectral layout, scaled as UMAP scales it (no noise)."""
        from umap import UMAP

        # a 0-epoch UMAP builds the fuzzy graph (from the exact neighbours when given) and its spectral layout
        knn = (self.knn_[0], self.knn_[1], None) if self.knn_ is not None else (None, None, None)
        umap = UMAP(
            n_neighbors=k,
            n_components=self.n_components,
            min_dist=self.min_dist,
            metric=self.metric,
            random_state=0,
            n_jobs=1,
            low_memory=True,
            n_epochs=0,
            precomputed_knn=knn,
        )
        with without_index_warning():
            init = np.asarray(umap.fit_transform(x), dtype=np.float32)
        return umap.graph_, init
