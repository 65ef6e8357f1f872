"""The document map: a 2-D layout of the remarks, and the sample of it that figures draw.

The layout reuses the model's neighbour graph (:mod:`topics.model.reduction`) and starts from a PCA of
its 5-D reduction, so it costs a fraction of a fresh UMAP; it is cached like the reduction.
:func:`sample_layout` picks the remarks a document map draws (all, or a seeded sample), the same ones
for the figure and for the de-identification of their hover text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from topics.model.reduction import ReductionCache, embeddings_digest, neighbour_graph, without_index_warning

if TYPE_CHECKING:
    from topics.model.topic_model import TopicModel

LAYOUT_SETTINGS = {"n_neighbors": 15, "min_dist": 0.1, "n_epochs": 100}
"""UMAP settings of the 2-D document map (fewer epochs than the clustering reduction: it is only looked at)."""


def document_layout(model: TopicModel, seed: int, embeddings: np.ndarray | None = None) -> pd.DataFrame:
    """2-D UMAP layout of the remarks for the document map.

    The layout reuses the model's neighbour graph (see :mod:`topics.model.reduction`) and starts from a PCA of
    its 5-D reduction, so it costs a fraction of a fresh UMAP; it is cached like the reduction.

    Parameters
    ----------
    model : TopicModel
        A freshly fitted model (its UMAP reduction is still in memory).
    seed : int
        UMAP random state.
    embeddings : numpy.ndarray, optional
        The remarks' embeddings, needed when the neighbour graph is not in memory (reduction read from
        the cache); without them the layout is computed from the 5-D reduction alone.

    Returns
    -------
    pandas.DataFrame
        ``utterance_id``, ``x``, ``y``.
    """
    umap_model = getattr(model, "reduction_", None)
    reduced = getattr(umap_model, "embedding_", None)
    if reduced is None:
        raise RuntimeError("the model's UMAP reduction is not available (was the model loaded from disk?)")
    reduced = np.asarray(reduced, dtype=np.float32)
    n = len(reduced)
    k = min(int(LAYOUT_SETTINGS["n_neighbors"]), n - 1)
    folder = model.reduction_cache_dir()
    cache = ReductionCache(folder) if folder is not None else None
    metric = model.config.umap.metric
    key = ReductionCache.key(
        reduced=embeddings_digest(reduced),
        seed=seed,
        k=k,
        metric=metric,
        embeddings=embeddings is not None,
        **LAYOUT_SETTINGS,
    )
    hit = cache.load("layout", key) if cache is not None else None
    if hit is not None and hit["coords"].shape == (n, 2):
        coords = hit["coords"]
    else:  # UMAP (numba, pynndescent: seconds to import) only when the layout is not cached
        from sklearn.decomposition import PCA
        from umap import UMAP

        knn = getattr(umap_model, "knn_", None)
        if knn is None and embeddings is not None:
            knn = neighbour_graph(embeddings, k, metric, cache=cache)
        if knn is not None:
            knn = (knn[0][:, :k], knn[1][:, :k], None)
            init = PCA(n_components=2, svd_solver="full").fit_transform(reduced)
            layout = UMAP(
                n_neighbors=k,
                n_components=2,
                min_dist=LAYOUT_SETTINGS["min_dist"],
                metric=metric,
                n_epochs=LAYOUT_SETTINGS["n_epochs"],
                init=init,
                random_state=seed,
                n_jobs=1,
                low_memory=True,
                precomputed_knn=knn,
            )
        else:  # large corpus (approximate neighbours): lay out the 5-D reduction itself
            layout = UMAP(
                n_neighbors=k,
                n_components=2,
                min_dist=LAYOUT_SETTINGS["min_dist"],
                metric="euclidean",
                n_epochs=LAYOUT_SETTINGS["n_epochs"],
                random_state=seed,
                n_jobs=1,
                low_memory=True,
            )
        with without_index_warning():
            coords = np.asarray(layout.fit_transform(reduced), dtype=np.float32)
        if cache is not None:
            cache.save("layout", key, coords=coords)
    return pd.DataFrame(
        {
            "utterance_id": model.assignments_["utterance_id"].to_numpy(),
            "x": coords[:, 0].astype(float),
            "y": coords[:, 1].astype(float),
        }
    )


def sample_layout(
    assignments: pd.DataFrame, layout: pd.DataFrame, max_points: int = 5000, seed: int = 0
) -> pd.DataFrame:
    """The remarks a document map draws, with their coordinates: all of them, or a seeded sample of ``max_points``.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (``utterance_id``, ``topic``, ``label``, ``text``, optionally ``display_text``).
    layout : pandas.DataFrame
        ``utterance_id``, ``x``, ``y`` (from :func:`document_layout`).
    max_points : int
        Above this, a seeded random sample.
    seed : int

    Returns
    -------
    pandas.DataFrame
        ``utterance_id``, ``x``, ``y`` and the assignment columns above.
    """
    cols = [c for c in ("utterance_id", "topic", "label", "text", "display_text") if c in assignments.columns]
    df = layout.merge(assignments[cols], on="utterance_id")
    return df.sample(n=max_points, random_state=seed) if len(df) > max_points else df
