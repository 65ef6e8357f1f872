"""``[umap] backend``: cuML (RAPIDS) UMAP and HDBSCAN when installed with a GPU, the CPU otherwise.

cuML is not installed on the machines that run this suite and no GPU is there: the choice is tested for real
(``"cuml"`` is refused here, ``"auto"`` fits on the CPU), and the wiring into BERTopic is tested with
stand-ins that have cuML's module names and constructor arguments and run umap-learn and hdbscan inside.
They show that the model stage builds, fits and saves with estimators of that interface; they do not show
that cuML itself gives good topics (no GPU figure exists yet; see the guide, "Large corpora").
"""

from __future__ import annotations

import sys
import types

import hdbscan
import pytest
import umap

from topics.clean import select_remarks
from topics.config import ConfigError, TopicConfig
from topics.model import TopicModel
from topics.model.gpu import use_cuml


@pytest.mark.parametrize(
    ("backend", "cuml", "cuda", "expected"),
    [
        ("cpu", True, True, False),
        ("auto", False, True, False),
        ("auto", True, False, False),
        ("auto", True, True, True),
        ("cuml", True, True, True),
    ],
)
def test_the_backend_choice(backend, cuml, cuda, expected):
    assert use_cuml(backend, cuml=cuml, cuda=cuda) is expected


def test_cuml_without_cuml_or_gpu_is_an_error_not_a_fallback():
    with pytest.raises(ConfigError, match="cuML is not installed"):
        use_cuml("cuml", cuml=False, cuda=True)
    with pytest.raises(ConfigError, match="no CUDA device"):
        use_cuml("cuml", cuml=True, cuda=False)
    with pytest.raises(ConfigError, match="backend"):
        TopicConfig.from_dict({"umap": {"backend": "gpu"}})


def test_this_machine_refuses_cuml_and_fits_auto_on_the_cpu(small_corpus, embedder):
    remarks, _ = select_remarks(small_corpus)
    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.umap.backend = "cuml"
    if use_cuml("auto"):
        pytest.fail("this test expects a machine without cuML and a GPU")
    with pytest.raises(ConfigError, match="backend = 'cuml'"):
        TopicModel(cfg, embedder=embedder).fit(remarks)


class _StandInUMAP:
    """cuML's UMAP constructor (keywords only, ``output_type``), umap-learn inside, cuML's module name."""

    built = 0

    def __init__(self, *, n_neighbors, n_components, min_dist, metric, random_state, output_type="cupy"):
        assert output_type == "numpy"  # the model stage must never receive GPU arrays
        type(self).built += 1
        self._inner = umap.UMAP(
            n_neighbors=n_neighbors,
            n_components=n_components,
            min_dist=min_dist,
            metric=metric,
            random_state=random_state,
        )

    def fit(self, x, y=None):
        self.embedding_ = self._inner.fit_transform(x, y=y)
        return self

    def fit_transform(self, x, y=None):
        return self.fit(x, y).embedding_

    def transform(self, x):
        return self.embedding_ if len(x) == len(self.embedding_) else self._inner.transform(x)


class _StandInHDBSCAN:
    """cuML's HDBSCAN constructor, hdbscan inside, cuML's module name."""

    built = 0

    def __init__(
        self,
        *,
        min_cluster_size,
        min_samples,
        metric,
        cluster_selection_method,
        prediction_data,
        max_cluster_size=0,
        output_type="cupy",
    ):
        assert output_type == "numpy" and prediction_data is True
        type(self).built += 1
        self._inner = hdbscan.HDBSCAN(
            min_cluster_size=min_cluster_size,
            min_samples=min_samples,
            metric=metric,
            cluster_selection_method=cluster_selection_method,
            max_cluster_size=max_cluster_size,
            prediction_data=True,
        )

    def fit(self, x, y=None):
        self._inner.fit(x)
        self.labels_, self.probabilities_ = self._inner.labels_, self._inner.probabilities_
        return self


_StandInUMAP.__module__ = "cuml.manifold.umap"
_StandInHDBSCAN.__module__ = "cuml.cluster.hdbscan"


def test_the_model_stage_fits_with_cuml_shaped_estimators(small_corpus, embedder, monkeypatch, tmp_path):
    fake = types.ModuleType("cuml")
    manifold, cluster = types.ModuleType("cuml.manifold"), types.ModuleType("cuml.cluster")
    manifold.UMAP, cluster.HDBSCAN = _StandInUMAP, _StandInHDBSCAN
    fake.manifold, fake.cluster = manifold, cluster
    monkeypatch.setitem(sys.modules, "cuml", fake)
    monkeypatch.setitem(sys.modules, "cuml.manifold", manifold)
    monkeypatch.setitem(sys.modules, "cuml.cluster", cluster)
    monkeypatch.setattr("topics.model.gpu.cuml_available", lambda: True)
    monkeypatch.setattr("topics.model.gpu.cuda_available", lambda: True)

    remarks, _ = select_remarks(small_corpus)
    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    model = TopicModel(cfg, embedder=embedder).fit(remarks)
    assert _StandInUMAP.built >= 1 and _StandInHDBSCAN.built >= 1
    assert model.manifest_["umap_hdbscan"] == "cuml" and model.manifest_["timings"]["umap_cached"] == 0.0
    assert (model.topics_["topic"] != -1).sum() >= 3
    model.save(tmp_path / "model")
    again = TopicModel.load(tmp_path / "model", embedder=embedder)
    assert (
        again.transform(remarks["text"].head(50))["topic"].to_numpy()
        == model.transform(remarks["text"].head(50))["topic"].to_numpy()
    ).all()
