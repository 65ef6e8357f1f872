"""The int8 model loaded and checked without torch: the model's own tokenizer.json, shipped canary references."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from topics.embed import int8_check, model_identity
from topics.embed import openvino_int8 as int8
from topics.embed.backends import load_sentence_transformer

PROJECT = Path(__file__).resolve().parents[2]
ODD = ["", " ", "\t\n", "Café naïve 日本語 \u200b 😀", "don't   you\u00a0think?", "word " * 400]


@pytest.fixture(scope="module")
def remarks(demo_corpus) -> list[str]:
    """300 real therapist remarks of the demo corpus, longest first (as the embedder sorts them), and odd strings."""
    from topics.clean import select_remarks
    from topics.config import CleaningConfig

    kept, _ = select_remarks(demo_corpus, CleaningConfig())
    texts = kept["text"].astype(str).iloc[::20].head(300).tolist() + ODD
    return sorted(texts, key=lambda t: -len(t))


@pytest.fixture(scope="module")
def source():
    return load_sentence_transformer("default", "cpu")


@pytest.fixture(scope="module")
def built(embedder):
    """The int8 IR and its facts from the session's model store (built by the session's embedder on first use)."""
    embedder.model  # noqa: B018 - builds or loads
    identity = int8.int8_identity(model_identity("default"))
    cached = int8._read_cached(int8.int8_folder(int8.model_store(), identity), identity)
    assert cached is not None
    return cached


def test_the_tokenizer_json_gives_the_source_models_tokens(remarks, source):
    fast = int8_check.default_tokenizer()
    assert fast is not None
    length = int(source.max_seq_length)
    for start in range(0, len(remarks), 64):
        batch = remarks[start : start + 64]
        ours = fast(batch, padding=True, truncation=True, max_length=length, return_tensors="np")
        theirs = source.tokenizer(batch, padding=True, truncation=True, max_length=length, return_tensors="np")
        for key in int8.INPUTS:
            np.testing.assert_array_equal(ours[key], theirs[key])
        unpadded = fast(batch, truncation=True, max_length=length)["input_ids"]
        assert unpadded == source.tokenizer(batch, truncation=True, max_length=length)["input_ids"]


def test_the_int8_vectors_are_bit_identical_with_either_tokenizer(remarks, source, built):
    ov_model, info = built
    args = (info["max_length"], info["dimension"], info["normalize"])
    fast = int8.OpenVINOEncoder(ov_model, int8_check.default_tokenizer(), *args).encode(remarks, batch_size=32)
    torch_side = int8.OpenVINOEncoder(ov_model, source.tokenizer, *args).encode(remarks, batch_size=32)
    assert fast.shape == (len(remarks), info["dimension"]) and np.isfinite(fast).all()
    np.testing.assert_array_equal(fast, torch_side)


def test_the_shipped_references_are_the_fp32_models_vectors_of_the_canary_texts(source):
    texts = int8.calibration_texts()[: int8.CANARY_TEXTS]
    shipped = int8_check.reference_vectors(model_identity("default"), texts, 384)
    assert shipped is not None and shipped.shape == (int8.CANARY_TEXTS, 384)
    live = source.encode(texts, convert_to_numpy=True, show_progress_bar=False)
    # fp32 vectors differ between CPUs by rounding only; the check's threshold is cosine 0.95
    np.testing.assert_allclose(shipped, live, atol=1e-5)


def test_references_of_another_model_other_texts_or_shape_are_not_used():
    texts = int8.calibration_texts()[: int8.CANARY_TEXTS]
    identity = model_identity("default")
    assert int8_check.reference_vectors(identity, texts, 384) is not None
    assert int8_check.reference_vectors(identity + ".post1", texts, 384) is None  # another model version
    assert int8_check.reference_vectors(identity, texts[::-1], 384) is None  # other canary texts
    assert int8_check.reference_vectors(identity, texts, 768) is None


def test_the_canary_of_the_live_model_against_the_references_catches_negated_weights(built):
    ov_model, info = built
    texts = int8.calibration_texts()[: int8.CANARY_TEXTS]
    reference = int8_check.reference_vectors(model_identity("default"), texts, info["dimension"])
    encoder = int8.OpenVINOEncoder(
        ov_model, int8_check.default_tokenizer(), info["max_length"], info["dimension"], info["normalize"]
    )
    assert int8_check.canary_cosine(encoder, texts, reference) >= int8.CANARY_COSINE
    assert int8_check.canary_cosine(encoder, texts, -reference) < 0  # what negated weights give


CHILD = """
import json, sys
import numpy as np
from topics.config import EmbeddingConfig
from topics.embed import Embedder
import topics.embed.openvino_int8 as int8
loads = []
real = int8.load_sentence_transformer
int8.load_sentence_transformer = lambda *a, **k: loads.append(a) or real(*a, **k)
texts = json.loads(sys.argv[2])
first = Embedder(EmbeddingConfig(cache_dir=sys.argv[1]), show_progress=False)
cold = first.embed(texts)
warm = Embedder(EmbeddingConfig(cache_dir=sys.argv[1]), show_progress=False).embed(texts)
print(json.dumps({"computed": first.n_computed_, "equal": bool(np.array_equal(cold, warm)),
                  "fp32_loads": len(loads), "torch": "torch" in sys.modules,
                  "sentence_transformers": "sentence_transformers" in sys.modules}))
"""


def test_embedding_with_the_int8_model_loads_neither_torch_nor_the_fp32_model(embedder, remarks, tmp_path):
    embedder.model  # noqa: B018 - the int8 model is built in the session's model store (inherited by the child)
    texts = remarks[:40]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "cache"), json.dumps(texts)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["computed"] == len(set(texts)) and result["equal"]
    assert result["fp32_loads"] == 0
    assert not result["torch"] and not result["sentence_transformers"]
