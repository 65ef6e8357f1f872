"""Where the embedding model runs: ``[embedding] device`` resolved, and the GPU way of encoding.

``device = "auto"`` picks CUDA when torch sees a CUDA device and the CPU otherwise; ``"cpu"`` and
``"cuda"`` (or ``"cuda:1"``) are taken as they are, and ``"cuda"`` on a machine without one is a
:class:`~topics.errors.ConfigError` rather than a silent fall-back. On CUDA the model runs in half precision
(fp16) with large batches of texts sorted by length, and the tokenisation of the next batch runs in a
thread while the GPU works on the current one (:func:`encode_overlapped`). Half-precision vectors differ
from fp32 ones in the fourth decimal, so they are cached under their own identity (:func:`precision_of`).

cuML (RAPIDS) UMAP and HDBSCAN are reported by :func:`cuml_available`; they are an optional extra
(``pip install 'topics[gpu]'``) that is never installed on CPU machines.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from topics.errors import ConfigError

GPU_BATCH_SIZE = 512
"""Texts per forward pass on CUDA (at least; a larger ``[embedding] batch_size`` is kept)."""
GPU_CHUNK = 16384
"""Texts embedded and committed to the cache at a time on CUDA (the CPU default is 512)."""


def cuda_available() -> bool:
    """True when torch is importable and sees at least one CUDA device."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return False
    return bool(torch.cuda.is_available())


def cuml_available() -> bool:
    """True when RAPIDS cuML is installed (the optional ``gpu`` extra)."""
    return importlib.util.find_spec("cuml") is not None


def resolve_device(requested: str, *, cuda: bool | None = None) -> str:
    """The torch device for a ``[embedding] device`` value.

    Parameters
    ----------
    requested : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (case and surrounding spaces ignored).
    cuda : bool, optional
        Whether CUDA is present; asked from torch when omitted (tests pass it).

    Returns
    -------
    str
        ``"cuda"`` / ``"cuda:N"`` or ``"cpu"``.

    Raises
    ------
    ConfigError
        An unknown device, or CUDA asked for on a machine without it.
    """
    value = str(requested).strip().lower()
    if value == "auto":
        return "cuda" if (cuda_available() if cuda is None else cuda) else "cpu"
    if value == "cpu":
        return "cpu"
    if value == "cuda" or (value.startswith("cuda:") and value[5:].isdigit()):
        if not (cuda_available() if cuda is None else cuda):
            raise ConfigError(
                f"[embedding] device = {requested!r}, but torch sees no CUDA device on this machine; "
                "use 'auto' (CUDA when present, else CPU) or 'cpu'",
                column="embedding.device",
            )
        return value
    raise ConfigError(
        f"[embedding] device = {requested!r} is not a device; use 'auto', 'cpu', 'cuda' or 'cuda:N'",
        column="embedding.device",
    )


def precision_of(device: str) -> str:
    """Numeric precision the model runs in on ``device``: ``"fp16"`` on CUDA, ``"fp32"`` on the CPU."""
    return "fp16" if device.startswith("cuda") else "fp32"


def batch_size_for(device: str, configured: int) -> int:
    """Texts per forward pass: the configured size on the CPU, at least :data:`GPU_BATCH_SIZE` on CUDA."""
    return max(configured, GPU_BATCH_SIZE) if device.startswith("cuda") else configured


def encode_overlapped(model: Any, texts: Sequence[str], batch_size: int) -> np.ndarray:
    """Embed ``texts`` with a sentence-transformers model, tokenising batch i+1 while batch i runs.

    The result is what ``model.encode(texts, convert_to_numpy=True)`` gives (the model's own modules,
    normalisation included, in the model's precision), as float32, in the order of ``texts``. Callers sort
    texts by length first so that each batch pads little.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
        A loaded model (on any device).
    texts : sequence of str
        Texts, ideally sorted by length.
    batch_size : int
        Texts per forward pass.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(texts), dim)``, float32.
    """
    import torch

    batches = [list(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
    if not batches:
        from topics.embed.backends import embedding_dimension

        return np.zeros((0, embedding_dimension(model)), dtype=np.float32)
    device = model.device
    out: list[np.ndarray] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tokenize") as pool:
        pending = pool.submit(model.tokenize, batches[0])
        for i in range(len(batches)):
            features = pending.result()
            if i + 1 < len(batches):
                pending = pool.submit(model.tokenize, batches[i + 1])
            features = {k: (v.to(device, non_blocking=True) if hasattr(v, "to") else v) for k, v in features.items()}
            with torch.inference_mode():
                vectors = model(features)["sentence_embedding"]
            out.append(vectors.float().cpu().numpy())
    return np.vstack(out).astype(np.float32, copy=False)
