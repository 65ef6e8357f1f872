"""UMAP's layout optimisation from a given initialisation, with the GIL released so layouts run in threads.

:func:`umap.umap_.simplicial_set_embedding` optimises a layout epoch by epoch in a numba function that holds
Python's global interpreter lock, so two layouts in two threads take as long as one after the other.
:func:`optimise_layout` does the same steps, in the same order, with the same random draws, on UMAP's own
epoch function compiled with ``nogil=True``: its layout is bit-identical to
``simplicial_set_embedding(..., init=array, densmap=False, output_metric="euclidean")`` (checked by
``tests/model/test_ensemble.py``), and :func:`optimise_layouts` runs several seeds in parallel threads. Each layout
depends only on its seed, not on the thread that computes it or on how many threads there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

_EPOCH: Callable[..., None] | None = None


def _epoch_function() -> Callable[..., None]:
    """UMAP's single-epoch optimiser (Euclidean output), compiled once per process without the GIL."""
    global _EPOCH
    if _EPOCH is None:
        import numba
        from umap.layouts import _optimize_layout_euclidean_single_epoch

        _EPOCH = numba.njit(_optimize_layout_euclidean_single_epoch, fastmath=True, parallel=False, nogil=True)
    return _EPOCH


def layout_threads() -> int:
    """Threads for the layouts: ``OMP_NUM_THREADS`` when set (a Dask worker sets it), else the usable CPUs."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def optimise_layout(
    graph: Any,
    init: np.ndarray,
    seed: int,
    epochs: int,
    a: float,
    b: float,
    *,
    negative_sample_rate: float = 5.0,
    gamma: float = 1.0,
    initial_alpha: float = 1.0,
) -> np.ndarray:
    """One UMAP layout optimised for ``epochs`` epochs from ``init`` (the graph is not modified).

    Parameters
    ----------
    graph : scipy.sparse matrix
        UMAP's fuzzy graph of the remarks (``umap.UMAP(...).graph_``).
    init : numpy.ndarray
        Initial layout, shape (n, n_components).
    seed : int
        Seed of the optimisation's random draws (``numpy.random.RandomState(seed)``, as UMAP's ``random_state``).
    epochs : int
        Epochs of stochastic gradient descent.
    a, b : float
        UMAP's curve parameters (``umap.umap_.find_ab_params(spread, min_dist)``).
    negative_sample_rate, gamma, initial_alpha : float
        As for :func:`umap.umap_.simplicial_set_embedding`.

    Returns
    -------
    numpy.ndarray
        float32 layout of shape (n, n_components), bit-identical to UMAP's for the same inputs.
    """
    from sklearn.neighbors import KDTree
    from umap.umap_ import INT32_MAX, INT32_MIN, make_epochs_per_sample

    graph = graph.tocoo(copy=True)
    graph.sum_duplicates()
    n_vertices = graph.shape[1]
    default_epochs = 500 if graph.shape[0] <= 10000 else 200
    graph.data[graph.data < graph.data.max() / float(epochs if epochs > 10 else default_epochs)] = 0.0
    graph.eliminate_zeros()
    random_state = np.random.RandomState(seed)
    embedding = np.array(init)
    if np.unique(embedding, axis=0).shape[0] < embedding.shape[0]:
        # duplicate starting points (identical remarks) are pulled apart a little, as UMAP does
        dist, _ = KDTree(embedding).query(embedding, k=2)
        noise = random_state.normal(scale=0.001 * np.mean(dist[:, 1]), size=embedding.shape).astype(np.float32)
        embedding = embedding + noise
    epochs_per_sample = make_epochs_per_sample(graph.data, epochs)
    head, tail = graph.row, graph.col
    rng_state = random_state.randint(INT32_MIN, INT32_MAX, 3).astype(np.int64)
    low, high = np.min(embedding, 0), np.max(embedding, 0)
    embedding = (10.0 * (embedding - low) / (high - low)).astype(np.float32, order="C")
    epochs_per_negative_sample = epochs_per_sample / negative_sample_rate
    next_negative = epochs_per_negative_sample.copy()
    next_sample = epochs_per_sample.copy()
    rng_per_sample = np.full((embedding.shape[0], len(rng_state)), rng_state, dtype=np.int64) + embedding[:, 0].astype(
        np.float64
    ).view(np.int64).reshape(-1, 1)
    unused = np.zeros(1, dtype=np.float32)  # densMAP's arrays (densMAP is off)
    epoch = _epoch_function()
    alpha = initial_alpha
    for n in range(epochs):
        epoch(
            embedding,
            embedding,
            head,
            tail,
            n_vertices,
            epochs_per_sample,
            a,
            b,
            rng_per_sample,
            gamma,
            embedding.shape[1],
            True,
            alpha,
            epochs_per_negative_sample,
            next_negative,
            next_sample,
            n,
            False,
            unused,
            unused,
            0,
            0,
            0,
            0,
            unused,
            unused,
            0,
        )
        alpha = initial_alpha * (1.0 - float(n) / float(epochs))
    return embedding


def optimise_layouts(
    graph: Any, init: np.ndarray, seeds: Sequence[int], epochs: int, a: float, b: float, *, threads: int | None = None
) -> list[np.ndarray]:
    """:func:`optimise_layout` for each seed, in up to ``threads`` parallel threads (default :func:`layout_threads`).

    Returns
    -------
    list of numpy.ndarray
        One layout per seed, in the order of ``seeds``; the same whatever the number of threads.
    """
    threads = max(1, min(len(seeds), threads or layout_threads()))
    if threads == 1 or len(seeds) < 2:
        return [optimise_layout(graph, init, s, epochs, a, b) for s in seeds]
    _epoch_function()  # compile once, before the threads start
    with ThreadPoolExecutor(threads, thread_name_prefix="topics-layout") as pool:
        return list(pool.map(lambda s: optimise_layout(graph, init, s, epochs, a, b), seeds))


__all__ = ["layout_threads", "optimise_layout", "optimise_layouts"]
