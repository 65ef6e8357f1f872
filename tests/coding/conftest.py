"""A tiny, fast stand-in embedder for the coding tests: hashed bag of words, unit length, deterministic."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

DIM = 512


class WordEmbedder:
    """Each word adds +1 at a position given by its SHA-256; vectors of texts that share words point alike."""

    identity = "fake-bag-of-words"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z?]+", str(text).lower()):
                out[i, int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % DIM] += 1.0
            out[i, DIM - 1] += 0.01  # no zero vector
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def fake_embedder() -> WordEmbedder:
    return WordEmbedder()


BOOK_TOML = """name = "toy"
[[codes]]
name = "smoking"
description = "cigarettes smoking tobacco"
examples = ["I smoke cigarettes"]

[[codes]]
name = "drinking"
description = "alcohol drinking beer wine"
"""

REMARKS = pd.DataFrame(
    {
        "utterance_id": [f"s{i // 4}-{i}" for i in range(12)],
        "text": [
            "cigarettes every day",
            "smoking tobacco again",
            "beer and wine",
            "alcohol drinking at night",
            "more cigarettes",
            "wine with dinner",
            "tobacco smoking",
            "drinking beer",
            "the weather is nice",
            "cigarettes and tobacco",
            "alcohol beer",
            "nothing at all",
        ],
    }
)


@pytest.fixture
def toy_book(tmp_path):
    from topics.coding import Codebook

    path = tmp_path / "toy.toml"
    path.write_text(BOOK_TOML, encoding="utf-8")
    return Codebook.load(path)


@pytest.fixture
def remarks() -> pd.DataFrame:
    return REMARKS.copy()
