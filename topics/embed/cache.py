"""The on-disk embedding cache: one SQLite file per model identity, keyed by the SHA-1 of the text.

Identical texts are embedded once and a second run embeds nothing. Rows are committed in chunks by
:class:`topics.embed.Embedder`: a run interrupted during embedding keeps what it had finished.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np


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
