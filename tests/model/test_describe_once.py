"""With outlier reduction, the representation model (KeyBERT) describes the topics once, after the reduction,
and the model and its saved folder are byte for byte what describing them twice gave (issue 28)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topics.clean import select_remarks
from topics.config import TopicConfig
from topics.model import TopicModel
from topics.model.words import representation_model

SAVED = (
    "topics.parquet",
    "assignments.parquet",
    "bertopic/topics.json",
    "bertopic/config.json",
    "bertopic/ctfidf.safetensors",
    "bertopic/ctfidf_config.json",
    "bertopic/topic_embeddings.safetensors",
)


@pytest.fixture(scope="module")
def remarks(small_corpus):
    kept, _ = select_remarks(small_corpus)
    return kept


def keybert_calls(monkeypatch) -> list[int]:
    representation_model(TopicConfig().representation, 0)  # BERTopic imported the toolkit's way
    from bertopic.representation import KeyBERTInspired

    calls: list[int] = []
    real = KeyBERTInspired.extract_topics

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(KeyBERTInspired, "extract_topics", counted)
    return calls


def saved(model: TopicModel, folder: Path) -> dict[str, bytes]:
    model.save(folder)
    return {name: (folder / name).read_bytes() for name in SAVED}


@pytest.mark.parametrize("path", ["_fit_consensus", "_fit_single"])
def test_keybert_runs_once_and_the_model_is_what_two_runs_gave(path, remarks, embedder, monkeypatch, tmp_path):
    cfg = TopicConfig()
    if path == "_fit_single":
        cfg.hdbscan.consensus_fits = 1  # one UMAP + HDBSCAN fit (the default is the consensus of 20)
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    assert cfg.outliers.reduce and cfg.representation.model == "keybert"  # the defaults this is about
    calls = keybert_calls(monkeypatch)

    now = TopicModel(cfg, embedder=embedder).fit(remarks)
    once = len(calls)
    assert (now.assignments_["outlier_reassigned"]).any()  # outliers were placed: the reduction ran

    # the way it was: the representation model in BERTopic's fit too, then again after the reduction
    fit_clusters = getattr(TopicModel, path)

    def described_twice(self, docs, embeddings, vectorizer, representation):
        return fit_clusters(self, docs, embeddings, vectorizer, representation_model(cfg.representation, cfg.seed))

    monkeypatch.setattr(TopicModel, path, described_twice)
    calls.clear()
    before = TopicModel(cfg, embedder=embedder).fit(remarks)
    assert (once, len(calls)) == (1, 2)

    pd.testing.assert_frame_equal(now.topics_, before.topics_)
    pd.testing.assert_frame_equal(now.assignments_, before.assignments_)
    assert now.bertopic_.topic_labels_ == before.bertopic_.topic_labels_
    assert now.bertopic_.topic_representations_ == before.bertopic_.topic_representations_
    assert saved(now, tmp_path / "now") == saved(before, tmp_path / "before")
    assert len(now.topics_) >= 3


def test_with_no_outlier_to_place_the_topics_get_the_words_the_fit_would_have_given(remarks, embedder):
    from sklearn.cluster import KMeans

    from topics.model.backend import make_bertopic

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    model = TopicModel(cfg, embedder=embedder)
    docs = remarks["text"].astype(str).tolist()
    embeddings = embedder.embed(docs)

    def fit(representation):  # k-means: every remark in a topic, no outlier
        vectorizer = model.make_vectorizer(len(docs))
        bt = make_bertopic(
            embedder,
            hdbscan_model=KMeans(8, random_state=0, n_init=3),
            vectorizer=vectorizer,
            representation=representation,
            top_n_words=cfg.representation.top_n_words,
        )
        topics, _ = bt.fit_transform(docs, embeddings=embeddings)
        return bt, np.asarray(topics), vectorizer

    described, _, _ = fit(representation_model(cfg.representation, cfg.seed))
    later, raw, vectorizer = fit(None)
    assert not (raw == -1).any()
    topics = model._reassign_outliers(
        later, docs, embeddings, raw, vectorizer, representation_model(cfg.representation, cfg.seed), True
    )
    assert (topics == raw).all()
    assert later.topic_representations_ == described.topic_representations_
    assert later.topic_labels_ == described.topic_labels_
    assert (later.c_tf_idf_ != described.c_tf_idf_).nnz == 0
