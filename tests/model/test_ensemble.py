"""Short UMAP layouts for the consensus mode (``[hdbscan] consensus_epochs``), on real remarks."""

from __future__ import annotations

import numpy as np
import pytest

from topics.config import TopicConfig
from topics.errors import InputError


@pytest.fixture(scope="module")
def vectors(small_corpus, embedder) -> np.ndarray:
    from topics.clean import select_remarks

    remarks, _ = select_remarks(small_corpus)
    return embedder.embed(remarks["text"].tolist()[:600])


def test_short_layouts_share_the_exact_graph_are_seeded_and_cached(vectors, tmp_path):
    from topics.model.ensemble import ShortLayouts
    from topics.model.reduction import exact_knn

    layouts = ShortLayouts(epochs=20, cache_dir=tmp_path)
    first = layouts.fit_layouts(vectors, [7, 8, 9])
    assert [lay.shape for lay in first] == [(len(vectors), 5)] * 3
    assert all(np.isfinite(lay).all() for lay in first)
    assert not np.array_equal(first[0], first[1])  # another seed, another layout
    assert np.array_equal(layouts.embedding_, first[0])
    assert layouts.from_cache_ is False
    indices, _ = exact_knn(vectors, 15)
    assert np.array_equal(layouts.knn_[0], indices)  # the toolkit's exact graph, shared by every layout
    assert len(list(tmp_path.glob("short-*.npz"))) == 3

    fresh = ShortLayouts(epochs=20).fit_layouts(vectors, [8])  # no cache: computed again, identical for the seed
    assert np.array_equal(fresh[0], first[1])
    cached = ShortLayouts(epochs=20, cache_dir=tmp_path)
    again = cached.fit_layouts(vectors, [7, 8, 9])
    assert cached.from_cache_ is True
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    other = ShortLayouts(epochs=21, cache_dir=tmp_path)
    other.fit_layouts(vectors, [7])
    assert other.from_cache_ is False  # the epochs are part of the key


def test_threaded_layouts_are_umaps_own_bit_for_bit_whatever_the_threads(vectors):
    """The GIL-free optimiser gives UMAP's layout exactly, and the same layouts in 1 or 3 threads."""
    from umap.umap_ import find_ab_params, simplicial_set_embedding

    from topics.model.ensemble import ShortLayouts
    from topics.model.reduction import exact_knn
    from topics.model.sgd import optimise_layout, optimise_layouts

    layouts = ShortLayouts(epochs=30)
    layouts.knn_ = exact_knn(vectors, 15)
    graph, init = layouts._graph_and_init(vectors, 15)
    init = init.copy()
    init[1] = init[0]  # a duplicate starting point takes UMAP's jitter branch too
    a, b = find_ab_params(1.0, 0.0)
    for seed, epochs in [(3, 30), (4, 8)]:  # 8 epochs: UMAP then prunes the graph at its default epochs
        umap_layout, _ = simplicial_set_embedding(
            vectors, graph.tocoo(copy=True), 5, 1.0, a, b, 1.0, 5, epochs, init, np.random.RandomState(seed),
            "cosine", {}, False, {}, False,
        )  # fmt: skip
        assert np.array_equal(optimise_layout(graph, init, seed, epochs, a, b), umap_layout)
    one = optimise_layouts(graph, init, [5, 6, 7, 8], 20, a, b, threads=1)
    three = optimise_layouts(graph, init, [5, 6, 7, 8], 20, a, b, threads=3)
    assert all(np.array_equal(x, y) for x, y in zip(one, three, strict=True))
    assert not np.array_equal(one[0], one[1])
    assert graph.nnz == layouts._graph_and_init(vectors, 15)[0].nnz  # the shared graph is left as it was


def test_consensus_epochs_fits_real_remarks_with_short_layouts(small_corpus, config, embedder):
    from topics.clean import select_remarks
    from topics.model import TopicModel
    from topics.model.consensus import consensus_seeds
    from topics.model.ensemble import ShortLayouts
    from topics.model.layout import document_layout

    remarks, _ = select_remarks(small_corpus)
    config.hdbscan.consensus_fits = 4
    config.hdbscan.consensus_epochs = 30
    model = TopicModel(config, embedder=embedder).fit(remarks)
    assert isinstance(model.reduction_, ShortLayouts) and model.reduction_.epochs == 30
    assert model.manifest_["consensus_seeds"] == consensus_seeds(config.seed, 4)
    assert (model.topics_["topic"] != -1).sum() >= 2
    assert model.assignments_["probability"].between(0, 1).all()
    again = TopicModel(config, embedder=embedder).fit(remarks)  # the layouts now come from the cache
    assert again.reduction_.from_cache_ is True
    assert again.assignments_["topic"].tolist() == model.assignments_["topic"].tolist()
    # the document map starts from the first layout and its neighbour graph, as after a single fit
    layout = document_layout(model, config.seed, model.embed(remarks["text"]))
    assert len(layout) == len(remarks) and np.isfinite(layout[["x", "y"]].to_numpy()).all()


def test_consensus_epochs_is_a_checked_config_key(tmp_path):
    default = TopicConfig().hdbscan
    assert (default.consensus_fits, default.consensus_epochs, default.consensus_agreement) == (20, 50, 0.4)
    path = tmp_path / "topics.toml"
    path.write_text("[hdbscan]\nconsensus_fits = 10\nconsensus_epochs = 50\n", encoding="utf-8")
    assert TopicConfig.from_toml(path).hdbscan.consensus_epochs == 50
    path.write_text("[hdbscan]\nconsensus_epochs = -1\n", encoding="utf-8")
    with pytest.raises(InputError, match="consensus_epochs"):
        TopicConfig.from_toml(path)
