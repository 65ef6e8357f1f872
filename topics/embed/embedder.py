"""Sentence embeddings through the cache: :class:`Embedder`.

``[embedding] model`` selects the backend (:mod:`topics.embed.backends`): ``"default"`` for the packaged
all-MiniLM-L6-v2, ``"static"`` for the fast mode (:mod:`topics.embed.static`), or any sentence-transformers
model name or folder that is already on the machine. Vectors are cached by :mod:`topics.embed.cache`
under the model's identity (:func:`model_identity`), which changes whenever the weights may have.
``[embedding] device`` (``"auto"``, ``"cpu"``, ``"cuda"``) is resolved by :mod:`topics.embed.device`; on CUDA
the model runs in fp16 with large length-sorted batches, and its vectors are cached under ``<identity>|fp16``.
On the CPU, ``[embedding] runtime`` picks how the model runs: ``"openvino-int8"`` (default; an int8 copy built
and cached on first use, :mod:`topics.embed.openvino_int8`, vectors cached under ``<identity>|openvino-int8 (...)``)
or ``"torch"`` (the fp32 weights, vectors under the plain identity). The int8 model itself is built once per
machine, in the user's model store (:func:`topics.embed.openvino_int8.model_store`), not per cache folder.

Cached vectors are checked before they are used: rows that are not finite vectors of the model's dimension are
dropped and embedded again (:meth:`EmbeddingCache.get`), and an :meth:`Embedder.embed` call re-embeds up to
:data:`VERIFY_SAMPLE` of the cached texts it uses, picked at random, with the live model; one below cosine
:data:`VERIFY_COSINE` of its cached vector means the file was overwritten or written by another model, and the
whole cache is set aside with a warning and rebuilt. Every call is checked until the embedder has checked one
sample; after that, calls using fewer than :data:`VERIFY_MIN_HITS` cached texts (the topic model embeds each
topic's candidate keywords in a call of its own: 168 calls on the demo, 2.7 s of a 16.5 s warm fit when each
was checked) are not. The model is loaded even when every text is cached (the int8 model of the packaged MiniLM
without torch: :mod:`topics.embed.int8_check`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from topics.config import EmbeddingConfig
from topics.embed.backends import DEFAULT_MODEL_PACKAGE, embedding_dimension, load_sentence_transformer
from topics.embed.cache import EmbeddingCache
from topics.embed.device import GPU_CHUNK, batch_size_for, encode_overlapped, precision_of, resolve_device
from topics.embed.openvino_int8 import RUNTIME_INT8, RUNTIME_TORCH, int8_identity, load_int8_encoder
from topics.embed.static import STATIC_MODEL, load_static_model, static_identity

CHUNK = 512
"""Texts embedded and committed to the cache at a time."""
SMALL_FILE = 1 << 20
"""Files up to this size (bytes) enter a folder model's identity by content."""
VERIFY_SAMPLE = 8
"""Cached texts re-embedded by each :meth:`Embedder.embed` call to check the cache against the live model."""
VERIFY_MIN_HITS = 64
"""Once an embedder has checked a sample, calls using fewer cached texts than this are not checked again."""
VERIFY_COSINE = 0.99
"""Lowest cosine allowed between a cached vector and the same text embedded again (int8 vectors of one text
embedded alone or in a batch differ by up to 0.0034 per element: cosine 0.99975 or more)."""


def model_identity(model: str) -> str:
    """A string that changes whenever the model's weights may have changed.

    Parameters
    ----------
    model : str
        ``"default"``, ``"static"``, a local folder, or a model name.

    Returns
    -------
    str
        For the default model the package name and version; for a folder its resolved path with a
        digest of its files (content of small files, size and modification time of all); otherwise the name.
    """
    if model == "default":
        return f"{DEFAULT_MODEL_PACKAGE}=={metadata.version(DEFAULT_MODEL_PACKAGE)}"
    if model == STATIC_MODEL:
        return static_identity()
    path = Path(model)
    if path.is_dir():
        stamp = []
        for p in sorted(path.rglob("*")):
            if not p.is_file():
                continue
            st = p.stat()
            # small files (configs, tokenizer, pooling) by content: an edit that keeps size and
            # (coarse) modification time still shows; weights by size and nanosecond mtime
            content = hashlib.sha1(p.read_bytes()).hexdigest() if st.st_size <= SMALL_FILE else ""
            stamp.append((p.relative_to(path).as_posix(), st.st_size, st.st_mtime_ns, content))
        digest = hashlib.sha1(repr(stamp).encode()).hexdigest()[:12]
        return f"{path.resolve()}@{digest}"
    return model


def runtime_of(identity: str, config: EmbeddingConfig) -> str:
    """The ``[embedding] runtime`` whose vectors carry ``identity`` (as a saved model's manifest records it).

    A model fitted before int8 became the default, or with ``runtime = "torch"``, records the model's plain
    identity: its new remarks must be embedded in fp32 too, whatever a config without a ``runtime`` key now says.

    Parameters
    ----------
    identity : str
        The recorded identity (``manifest.json``'s ``embedding_model``).
    config : EmbeddingConfig
        The saved embedding settings.

    Returns
    -------
    str
        ``"openvino-int8"``, ``"torch"``, or ``config.runtime`` when the identity does not tell (fp16, static).
    """
    if f"|{RUNTIME_INT8} " in identity:
        return RUNTIME_INT8
    if identity == model_identity(config.model):
        return RUNTIME_TORCH
    return config.runtime


class Embedder:
    """Embeds texts with a sentence-transformers model through the cache.

    Parameters
    ----------
    config : EmbeddingConfig, optional
        Model, batch size, device and cache folder.
    show_progress : bool, default True
        Show a progress bar while embedding.

    Attributes
    ----------
    identity : str
        Model identity used as the cache key (with ``|fp16`` when the model runs in half precision, with
        ``|openvino-int8 (...)`` when it runs as int8).
    device : str
        The resolved torch device (``"auto"`` in the config becomes ``"cuda"`` or ``"cpu"``).
    int8 : bool
        Whether the model runs as int8 through OpenVINO (``runtime = "openvino-int8"`` on the CPU).
    n_cached_ : int
        Texts found in the cache by the last :meth:`embed` call.
    n_computed_ : int
        Distinct texts embedded by the model in the last call.
    """

    def __init__(self, config: EmbeddingConfig | None = None, *, show_progress: bool = True) -> None:
        self.config = config or EmbeddingConfig()
        self.show_progress = show_progress
        static = self.config.model == STATIC_MODEL
        # the static model is a numpy lookup: no torch device, nothing to resolve
        self.device = (
            "cpu" if static or self.config.device.strip().lower() == "cpu" else resolve_device(self.config.device)
        )
        self.base_identity = model_identity(self.config.model)
        self.identity = self.base_identity
        self.int8 = not static and self.device == "cpu" and self.config.runtime == RUNTIME_INT8
        if self.int8:
            self.identity = int8_identity(self.base_identity)
        elif not static and precision_of(self.device) != "fp32":
            self.identity += f"|{precision_of(self.device)}"
        self.cache = EmbeddingCache(self.config.cache_dir, self.identity)
        self._model: Any = None
        self.n_cached_ = 0
        self.n_computed_ = 0
        self.n_verified_ = 0

    @property
    def model(self) -> Any:
        """The loaded backend (on first use): a ``SentenceTransformer``, the int8 OpenVINO encoder or the static model."""
        if self._model is None:
            if self.config.model == STATIC_MODEL:
                self._model = load_static_model(self.config.cache_dir, show_progress=self.show_progress)
            elif self.int8:
                # built once per machine in the user's model store, whatever the embedding cache folder
                self._model = load_int8_encoder(self.config.model, self.base_identity, show_progress=self.show_progress)
            else:
                self._model = load_sentence_transformer(self.config.model, self.device)
                if precision_of(self.device) == "fp16":
                    self._model = self._model.half()
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, in order, as a float32 array of shape (n, dim).

        Identical texts are embedded once; texts already in the cache are not embedded again.
        """
        texts = [str(t) for t in texts]
        keys = self.cache.keys(texts)
        cached = self._verified(texts, keys, self.cache.get(keys, self.dimension) if texts else {})
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in cached and key not in todo:
                todo[key] = text
        self.n_cached_ = len(texts) - sum(1 for k in keys if k in todo)
        self.n_computed_ = len(todo)
        if todo:
            # longest first, so that each batch holds texts of similar length (less padding) and the
            # progress bar's rate estimate is pessimistic rather than optimistic
            items = sorted(todo.items(), key=lambda kv: -len(kv[1]))
            bar = tqdm(
                total=len(items),
                desc="Embedding remarks",
                unit="text",
                disable=not self.show_progress or len(items) < 1000,
            )
            try:
                chunk = GPU_CHUNK if self.device.startswith("cuda") else CHUNK
                for start in range(0, len(items), chunk):
                    part = items[start : start + chunk]
                    vecs = self._encode([t for _, t in part])
                    new = {k: v for (k, _), v in zip(part, vecs, strict=True)}
                    self.cache.put(new)
                    cached.update(new)
                    bar.update(len(part))
            finally:
                bar.close()
                release = getattr(self._model, "release_memory", None)  # the int8 encoder's working memory
                if release is not None:
                    release()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([cached[k] for k in keys]).astype(np.float32)

    def _verified(self, texts: list[str], keys: list[str], cached: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``cached``, or nothing when a random sample of its texts, embedded again, does not match it.

        On a mismatch the cache file is set aside with a warning (:meth:`EmbeddingCache.discard`): every text is
        then embedded again and the cache rebuilt.
        """
        hits = list(dict.fromkeys(k for k in keys if k in cached))
        if not hits or (self.n_verified_ and len(hits) < VERIFY_MIN_HITS):
            return cached
        text_of = dict(zip(keys, texts, strict=True))
        sample = random.SystemRandom().sample(hits, min(VERIFY_SAMPLE, len(hits)))
        sample.sort(key=lambda k: -len(text_of[k]))
        fresh = self._encode([text_of[k] for k in sample])
        old = np.vstack([cached[k] for k in sample])
        norms = np.linalg.norm(fresh, axis=1) * np.linalg.norm(old, axis=1)
        cosine = np.nan_to_num(np.sum(fresh * old, axis=1) / np.clip(norms, 1e-12, None), nan=-1.0)
        if float(cosine.min()) >= VERIFY_COSINE:
            self.n_verified_ += len(sample)
            return cached
        bad = int(np.sum(cosine < VERIFY_COSINE))
        self.cache.discard(
            f"{bad} of {len(sample)} cached texts embedded again differ from their cached vectors "
            f"(lowest cosine {float(cosine.min()):.3f} < {VERIFY_COSINE}): overwritten or another model's"
        )
        return {}

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of texts (already sorted by length) with the loaded model, float32."""
        if self.device.startswith("cuda") and self.config.model != STATIC_MODEL:
            return encode_overlapped(self.model, texts, batch_size_for(self.device, self.config.batch_size))
        return self.model.encode(
            texts, batch_size=self.config.batch_size, show_progress_bar=False, convert_to_numpy=True
        ).astype(np.float32)

    @property
    def dimension(self) -> int:
        """Embedding dimension of the model."""
        return embedding_dimension(self.model)
