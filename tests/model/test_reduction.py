"""The cached UMAP step: exact neighbours with a known answer, cache hits, the layout, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from topics.model.reduction import CachedUMAP, ReductionCache, embeddings_digest, exact_knn, neighbour_graph


def brute_force(x: np.ndarray, k: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    if metric == "cosine":
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        d = 1 - u @ u.T
    else:
        d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, -1)
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    dist = np.take_along_axis(d, idx, 1)
    dist[:, 0] = 0
    return idx, dist


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_exact_knn_matches_brute_force_across_blocks(metric, monkeypatch):
    import topics.model.reduction as reduction

    monkeypatch.setattr(reduction, "BLOCK_ELEMENTS", 37 * 150)  # blocks of 37 rows, the last one partial
    x = np.random.default_rng(3).normal(size=(150, 12)).astype(np.float32)
    idx, dist = exact_knn(x, 8, metric)
    ref_idx, ref_dist = brute_force(x.astype(np.float64), 8, metric)
    assert idx.shape == (150, 8) and idx.dtype == np.int32
    assert (idx[:, 0] == np.arange(150)).all()  # each row is its own first neighbour, at distance 0
    assert (idx == ref_idx).all()
    assert np.allclose(dist, ref_dist, atol=1e-4)


def test_exact_knn_breaks_ties_by_index_and_rejects_other_metrics():
    x = np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=np.float32)  # three identical rows
    idx, dist = exact_knn(x, 3, "cosine")
    assert idx[0].tolist() == [0, 1, 2] and idx[2].tolist() == [2, 0, 1]
    assert np.allclose(dist[:3], 0)
    with pytest.raises(ValueError, match="cosine"):
        exact_knn(x, 2, "manhattan")


def test_neighbour_graph_is_cached_and_sliced(tmp_path):
    x = np.random.default_rng(0).normal(size=(120, 8)).astype(np.float32)
    cache = ReductionCache(tmp_path)
    idx15, dist15 = neighbour_graph(x, 15, "cosine", cache=cache)
    files = list(tmp_path.glob("knn-*.npz"))
    assert len(files) == 1
    idx5, _ = neighbour_graph(x, 5, "cosine", cache=cache)  # fewer neighbours: read from the same entry
    assert list(tmp_path.glob("knn-*.npz")) == files
    assert (idx5 == idx15[:, :5]).all() and idx15.shape == (120, 15)
    # a corrupt entry is recomputed, not trusted
    files[0].write_bytes(b"not an npz file")
    again, _ = neighbour_graph(x, 15, "cosine", cache=cache)
    assert (again == idx15).all()
    assert neighbour_graph(x, 15, "manhattan", cache=cache) is None  # left to UMAP's NN-descent


def test_cached_umap_reuses_its_result_and_is_deterministic(tmp_path):
    x = np.random.default_rng(1).normal(size=(300, 16)).astype(np.float32)
    first = CachedUMAP(n_neighbors=10, n_components=3, random_state=7, cache_dir=tmp_path).fit(x)
    assert not first.from_cache_ and first.embedding_.shape == (300, 3)
    second = CachedUMAP(n_neighbors=10, n_components=3, random_state=7, cache_dir=tmp_path).fit(x)
    assert second.from_cache_
    assert np.array_equal(first.embedding_, second.embedding_)
    # same settings without the cache: UMAP recomputed on the same exact graph gives the same result
    fresh = CachedUMAP(n_neighbors=10, n_components=3, random_state=7).fit(x)
    assert not fresh.from_cache_ and np.allclose(fresh.embedding_, first.embedding_)
    other_seed = CachedUMAP(n_neighbors=10, n_components=3, random_state=8, cache_dir=tmp_path).fit(x)
    assert not other_seed.from_cache_
    assert np.array_equal(first.transform(x), first.embedding_)
    with pytest.raises(NotImplementedError, match="TopicModel.transform"):
        first.transform(x[:10] + 1)


def test_digest_changes_with_any_value():
    x = np.zeros((4, 3), dtype=np.float32)
    y = x.copy()
    y[2, 1] = 1e-6
    assert embeddings_digest(x) != embeddings_digest(y)
    assert embeddings_digest(x) != embeddings_digest(x.reshape(3, 4))


def test_refit_with_other_hdbscan_settings_reads_the_reduction_from_the_cache(small_corpus, config, tmp_path):
    from topics.clean import select_remarks
    from topics.embed import Embedder
    from topics.model import TopicModel, document_layout

    remarks, _ = select_remarks(small_corpus)
    embedder = Embedder(config.embedding, show_progress=False)
    emb = embedder.embed(remarks["text"].tolist())
    config.embedding.cache_dir = str(tmp_path)  # a fresh reduction cache (embeddings passed in)
    first = TopicModel(config, embedder=embedder).fit(remarks, emb)
    assert first.manifest_["timings"]["umap_cached"] == 0.0
    layout = document_layout(first, config.seed, emb)
    config.hdbscan.min_cluster_size = 15
    second = TopicModel(config, embedder=embedder).fit(remarks, emb)
    assert second.manifest_["timings"]["umap_cached"] == 1.0
    assert np.array_equal(first.reduction_.embedding_, second.reduction_.embedding_)
    again = document_layout(second, config.seed, emb)
    assert again[["x", "y"]].equals(layout[["x", "y"]])
    assert np.isfinite(layout[["x", "y"]].to_numpy()).all() and layout["x"].std() > 0
    config.umap.cache = False
    assert TopicModel(config).reduction_cache_dir() is None


def test_large_corpora_fall_back_to_umaps_own_neighbours(tmp_path, monkeypatch):
    import topics.model.reduction as reduction

    monkeypatch.setattr(reduction, "EXACT_KNN_MAX", 100)
    x = np.random.default_rng(2).normal(size=(300, 16)).astype(np.float32)
    fitted = CachedUMAP(n_neighbors=10, n_components=3, random_state=7, cache_dir=tmp_path).fit(x)
    assert fitted.knn_ is None and fitted.embedding_.shape == (300, 3)
    assert not list(tmp_path.glob("knn-*.npz"))  # no exact graph was computed
    assert fitted.transform(x[:5] + 0.01).shape == (5, 3)  # UMAP's own index places new points
    assert CachedUMAP(n_neighbors=10, n_components=3, random_state=7, cache_dir=tmp_path).fit(x).from_cache_


def test_the_reduction_cache_is_private_under_umask_022(tmp_path):
    """Issue 23 (7): cached reductions of the remarks are written 0600 in a 0700 folder, as every cache."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        cache = ReductionCache(tmp_path / "reductions")
        cache.save("umap", "k1", x=np.arange(6.0).reshape(3, 2))
    finally:
        os.umask(old)
    files = list((tmp_path / "reductions").iterdir())
    assert [f.name for f in files] == ["umap-k1.npz"]  # no temporary left behind
    assert stat.S_IMODE((tmp_path / "reductions").stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert np.array_equal(cache.load("umap", "k1")["x"], np.arange(6.0).reshape(3, 2))
