"""The fast mode: a static model distilled from the packaged MiniLM, then used through the Embedder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from topics.config import EmbeddingConfig
from topics.embed import Embedder, model_identity
from topics.embed.static import StaticModel, load_static_model, static_identity

PAIRS = [  # (remark, paraphrase, unrelated remark)
    (
        "How many cigarettes do you smoke a day?",
        "How much do you smoke each day?",
        "What would a good week at work look like?",
    ),
    ("You are worried about your drinking.", "Your alcohol use concerns you.", "Tell me about your sister's wedding."),
    (
        "On a scale from 0 to 10, how confident are you?",
        "How sure are you, from zero to ten?",
        "You felt lonely after the move.",
    ),
]


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory):
    """Distil once for the module (about half a minute on two cores)."""
    folder = tmp_path_factory.mktemp("emb")
    load_static_model(folder, show_progress=False)
    return folder


def test_distilled_model_is_written_without_pickle_and_reloaded(static_dir):
    (model_dir,) = [p for p in static_dir.iterdir() if p.name.startswith("static-")]
    names = sorted(p.name for p in model_dir.iterdir())
    assert names == ["static.json", "tokenizer.json", "vectors.safetensors"]
    info = json.loads((model_dir / "static.json").read_text())
    assert info["identity"] == static_identity() and info["dims"] == 256
    before = model_dir.joinpath("vectors.safetensors").stat().st_mtime_ns
    again = load_static_model(static_dir, show_progress=False)  # reused, not distilled again
    assert model_dir.joinpath("vectors.safetensors").stat().st_mtime_ns == before
    assert again.get_embedding_dimension() == 256


def test_static_embeddings_keep_paraphrases_closer_than_unrelated_remarks(static_dir):
    model = load_static_model(static_dir, show_progress=False)
    for remark, paraphrase, unrelated in PAIRS:
        v = model.encode([remark, paraphrase, unrelated])
        assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
        assert v[0] @ v[1] > v[0] @ v[2], remark


def test_static_model_edge_cases(static_dir):
    model = load_static_model(static_dir, show_progress=False)
    v = model.encode(["", "   ", "okay", "x" * 5000, "émotions 😊"], batch_size=2)
    assert v.shape == (5, 256) and np.isfinite(v).all()
    assert np.allclose(v[0], 0) and np.allclose(v[1], 0)  # no word piece: a zero vector, not NaN
    assert np.isclose(np.linalg.norm(v[2]), 1)


def test_embedder_uses_the_static_model_with_its_own_cache_identity(static_dir):
    embedder = Embedder(EmbeddingConfig(model="static", cache_dir=str(static_dir)), show_progress=False)
    assert embedder.identity == model_identity("static") == static_identity()
    assert embedder.identity != model_identity("default")
    texts = [p for pair in PAIRS for p in pair]
    vecs = embedder.embed(texts)
    assert vecs.shape == (len(texts), 256) and embedder.n_computed_ == len(texts)
    assert isinstance(embedder.model, StaticModel)
    cached = Embedder(EmbeddingConfig(model="static", cache_dir=str(static_dir)), show_progress=False)
    assert np.array_equal(cached.embed(texts), vecs) and cached.n_computed_ == 0
