"""``[embedding] device``: auto -> CUDA when present else CPU, fp16 vectors cached apart, the GPU encode path."""

from __future__ import annotations

import numpy as np
import pytest

from topics.config import EmbeddingConfig
from topics.embed import Embedder, cuda_available, encode_overlapped, load_sentence_transformer, resolve_device
from topics.embed import embedder as embedder_module
from topics.embed.device import GPU_BATCH_SIZE, batch_size_for, precision_of
from topics.errors import ConfigError


def test_auto_picks_cuda_only_when_present():
    assert resolve_device("auto", cuda=False) == "cpu"
    assert resolve_device(" AUTO ", cuda=True) == "cuda"
    assert resolve_device("cpu", cuda=True) == "cpu"
    assert resolve_device("cuda:1", cuda=True) == "cuda:1"


def test_auto_on_this_machine_follows_torch():
    import torch

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert cuda_available() == torch.cuda.is_available()
    assert resolve_device("auto") == expected
    assert Embedder(EmbeddingConfig(device="auto"), show_progress=False).device == expected


@pytest.mark.parametrize("value", ["cuda", "cuda:0"])
def test_cuda_without_a_gpu_is_a_config_error(value):
    with pytest.raises(ConfigError, match="no CUDA device"):
        resolve_device(value, cuda=False)


@pytest.mark.parametrize("value", ["gpu", "cuda:x", "tpu", ""])
def test_unknown_device_is_a_config_error(value):
    with pytest.raises(ConfigError, match="not a device"):
        resolve_device(value, cuda=True)


def test_precision_and_batch_size_follow_the_device():
    assert precision_of("cpu") == "fp32" and precision_of("cuda:0") == "fp16"
    assert batch_size_for("cpu", 64) == 64
    assert batch_size_for("cuda", 64) == GPU_BATCH_SIZE and batch_size_for("cuda", 4096) == 4096


def test_fp16_vectors_get_their_own_cache_identity(tmp_path, monkeypatch):
    cpu = Embedder(EmbeddingConfig(cache_dir=str(tmp_path), runtime="torch"), show_progress=False)
    int8 = Embedder(EmbeddingConfig(cache_dir=str(tmp_path)), show_progress=False)
    monkeypatch.setattr(embedder_module, "resolve_device", lambda requested: "cuda")
    gpu = Embedder(EmbeddingConfig(device="auto", cache_dir=str(tmp_path)), show_progress=False)
    # on CUDA the model runs in torch fp16 whatever the runtime: neither fp32 nor int8 vectors are reused
    assert gpu.device == "cuda" and not gpu.int8 and gpu.identity == cpu.identity + "|fp16"
    assert len({gpu.cache.path, cpu.cache.path, int8.cache.path}) == 3
    static = Embedder(EmbeddingConfig(model="static", device="auto", cache_dir=str(tmp_path)), show_progress=False)
    assert static.device == "cpu" and not static.identity.endswith("|fp16")


def test_overlapped_encoding_gives_the_vectors_of_encode():
    """The GPU path's loop (tokenising the next batch in a thread), run on the CPU, matches ``encode``."""
    model = load_sentence_transformer("default", "cpu")
    texts = sorted(
        [
            "How have you been sleeping?",
            "Tell me more.",
            "You said work has been hard lately, and that the",
            "What would you like to change about your drinking?",
            "Okay.",
            "It sounds like you feel stuck.",
        ],
        key=len,
        reverse=True,
    )
    expected = model.encode(texts, batch_size=4, convert_to_numpy=True)
    got = encode_overlapped(model, texts, batch_size=4)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert encode_overlapped(model, [], batch_size=4).shape == (0, expected.shape[1])
