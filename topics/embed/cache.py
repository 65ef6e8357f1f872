"""The on-disk embedding cache: one SQLite file per model identity, keyed by a keyed hash of the text.

Identical texts are embedded once and a second run embeds nothing. Rows are committed in chunks by
:class:`topics.embed.Embedder`: a run interrupted during embedding keeps what it had finished.

Several processes may read and write one cache file at once (the workers of a Dask run, two notebooks):
the file is in SQLite's write-ahead-log mode (readers never block the writer, one writer at a time, each
commit atomic), every connection waits up to a minute for a lock, and a read or write that still finds the
file busy is retried with back-off (:data:`BUSY_RETRIES`). One shared file per model rather than one per
worker, so that whichever worker embeds a remark, the next run finds it. A busy file is never mistaken for a
damaged one: only a file SQLite cannot read is set aside and rebuilt. WAL needs a local disk (not NFS): on a
multi-machine cluster, give each machine's workers a cache folder on their own disk.

The file is untrusted when read back. It is created private (``0600``, its folder ``0700``, whatever the
umask): it holds a vector of every remark and a key made from the remark's text. The key is an HMAC-SHA-256
of the text under a secret kept beside the cache files (``cache.key``, 32 random bytes, ``0600``): a copy of a
cache file alone does not tell whether a given sentence is in it (with an unsalted hash, anyone could hash a
guess and look it up). A file written under another secret, or by an older version with unsalted SHA-1 keys,
is deleted with a warning and rebuilt (its keys cannot be matched, and the unsalted ones are the leak). The
vectors themselves are not encrypted: treat the folder like the transcripts. A cache file or folder that is a symbolic
link is refused (a link to a missing file would otherwise get a database created at its target). Rows that
are not whole finite vectors of the model's dimension are dropped with a warning and embedded again
(:meth:`EmbeddingCache.get`); :class:`~topics.embed.Embedder` re-embeds a sample of the cached texts it
uses and discards the whole file (:meth:`EmbeddingCache.discard`) when they no longer match the model.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from topics._files import PRIVATE_FILE, PRIVATE_FOLDER
from topics.errors import InputError

BUSY_RETRIES = 6
"""Retries of a read or write that found the file locked beyond the connection's own one-minute wait."""
_T = TypeVar("_T")


def _is_busy(err: sqlite3.Error) -> bool:
    """A lock held by another process (retry), as opposed to a damaged file (set aside)."""
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


SECRET_FILE = "cache.key"
"""The secret of a cache folder's keys (64 hex digits), created on first use."""


def text_key(text: str, secret: bytes) -> str:
    """Cache key of a text: HMAC-SHA-256 of its UTF-8 bytes under ``secret``, in hex.

    Parameters
    ----------
    text : str
    secret : bytes
        The cache folder's secret (:func:`cache_secret`).

    Returns
    -------
    str
    """
    return hmac.new(secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def cache_secret(folder: str | Path) -> bytes:
    """The secret of a cache folder (``folder/cache.key``), made private and atomically on first use.

    Several processes may ask at once: the file is written under a temporary name and hard-linked into place, so
    every process reads the same complete secret.

    Parameters
    ----------
    folder : str or Path
        The cache folder (created ``0700`` if missing).

    Returns
    -------
    bytes
        32 bytes.

    Raises
    ------
    InputError
        The secret file is a symbolic link, or not 64 hex digits.
    """
    folder = Path(folder)
    path = folder / SECRET_FILE
    for item in (folder, path):
        if item.is_symlink():
            raise InputError("the embedding cache is a symbolic link, refused: give the real path", path=item)
    if not path.exists():
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        tmp = folder / f".{SECRET_FILE}.{os.getpid()}.{time.time_ns()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE)
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and fails when another process was first: then its secret is used
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    if path.is_symlink() or path.stat().st_size != 64:
        raise InputError("the embedding cache's secret is not 64 hex digits; delete it to start a new cache", path=path)
    text = path.read_text(encoding="ascii", errors="replace")
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise InputError("the embedding cache's secret is not 64 hex digits; delete it to start a new cache", path=path)
    return bytes.fromhex(text)


class _OtherKeys(sqlite3.DatabaseError):
    """A readable cache file whose keys were made another way (older version, another secret)."""


def _vector(blob: object, dim: object, dimension: int | None) -> np.ndarray | None:
    """The float32 vector of a row, or None when the row is not a whole finite vector of ``dimension``."""
    if not isinstance(blob, bytes) or not isinstance(dim, int) or len(blob) != 4 * dim or dim <= 0:
        return None
    if dimension is not None and dim != dimension:
        return None
    vec = np.frombuffer(blob, dtype=np.float32)
    return vec if bool(np.isfinite(vec).all()) else None


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
        self._checked = False
        self._secret: bytes | None = None

    @property
    def secret(self) -> bytes:
        """The folder's secret (:func:`cache_secret`), read once."""
        if self._secret is None:
            self._secret = cache_secret(self.folder)
        return self._secret

    def key(self, text: str) -> str:
        """The cache key of ``text`` in this folder (:func:`text_key` under the folder's secret)."""
        return text_key(text, self.secret)

    def keys(self, texts: Sequence[str]) -> list[str]:
        """The cache keys of ``texts``, in order."""
        secret = self.secret
        return [text_key(t, secret) for t in texts]

    def _keying(self) -> str:
        """What the ``meta`` table records of how keys are made: scheme and the secret's id (not the secret)."""
        return "hmac-sha256:" + hashlib.sha256(self.secret).hexdigest()[:16]

    def _retry(self, action: Callable[[], _T]) -> _T:
        """Run ``action``; when another process holds the lock too long, wait and try again."""
        for attempt in range(BUSY_RETRIES):
            try:
                return action()
            except sqlite3.OperationalError as err:
                if not _is_busy(err) or attempt == BUSY_RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _refuse_links(self) -> None:
        """A cache folder or file that is a symbolic link is an :class:`InputError` (one line)."""
        for item in (self.folder, self.path):
            if item.is_symlink():
                raise InputError(
                    "the embedding cache is a symbolic link, refused (a link to a missing file "
                    "would get a database created at its target): give the real path",
                    path=item,
                )

    def _create_private(self) -> None:
        """Create the folder (``0700``) and an empty database file (``0600``) before SQLite opens it."""
        self._refuse_links()
        self.folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.path, flags, PRIVATE_FILE))  # an empty file is an empty database
        self._refuse_links()  # a link put in place between the two checks

    def _connect(self) -> sqlite3.Connection:
        self._create_private()
        try:
            return self._retry(self._open)
        except _OtherKeys as err:  # keys that cannot be matched, or unsalted ones: delete, start afresh
            self._delete(str(err))
            return self._retry(self._open)
        except sqlite3.DatabaseError as err:  # a garbage or truncated file: set it aside, start afresh
            if _is_busy(err):
                raise
            self._set_aside(err)
            return self._retry(self._open)

    def _delete(self, why: str) -> None:
        """Delete a cache file whose keys cannot be used (with its log files) and warn; it is rebuilt."""
        self._checked = False
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path.with_name(self.path.name + suffix))
        warnings.warn(
            f"{self.path}: the embedding cache was {why}; deleted and rebuilt: remarks are embedded again",
            RuntimeWarning,
            stacklevel=4,
        )
        self._create_private()

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60)
        try:
            # write-ahead log: concurrent readers and one writer at a time, safe across processes on a local
            # disk; the setting is stored in the file, so this is a no-op after the first connection
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            con.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
            con.execute("INSERT OR IGNORE INTO meta VALUES ('identity', ?)", (self.identity,))
            keying = con.execute("SELECT value FROM meta WHERE key = 'keying'").fetchone()
            if keying is None and con.execute("SELECT 1 FROM vectors LIMIT 1").fetchone() is None:
                con.execute("INSERT OR IGNORE INTO meta VALUES ('keying', ?)", (self._keying(),))
                keying = con.execute("SELECT value FROM meta WHERE key = 'keying'").fetchone()
            con.commit()
            if keying is None or keying[0] != self._keying():
                raise _OtherKeys(
                    "written by an older version (unsalted SHA-1 keys)"
                    if keying is None
                    else "written under another secret"
                )
            if not self._checked:  # once per cache object: a full check of a large file takes a moment
                if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise sqlite3.DatabaseError("integrity check failed")
                self._checked = True
        except BaseException:
            con.close()
            raise
        return con

    def _set_aside(self, err: Exception, *, label: str = "corrupt", why: str = "") -> None:
        """Move an unreadable cache file out of the way (kept for inspection) and warn; it will be rebuilt."""
        self._checked = False
        stamp = time.time_ns()
        aside = self.path.with_name(f"{self.path.name}.{label}-{stamp}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:  # another process set it aside first
            return
        for suffix in ("-wal", "-shm"):  # the log of the old file must not be replayed into the new one
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, side.with_name(f"{self.path.name}.{label}-{stamp}{suffix}"))
        warnings.warn(
            f"{self.path}: the embedding cache is {why or 'unreadable'} ({err}); moved to {aside.name} and "
            "rebuilt: remarks are embedded again",
            RuntimeWarning,
            stacklevel=3,
        )

    def discard(self, reason: str) -> None:
        """Set the whole file aside (kept as ``.mismatch-*`` for inspection) with a warning; it is rebuilt.

        Parameters
        ----------
        reason : str
            Why, for the warning (e.g. which cached vectors no longer match the model).
        """
        self._set_aside(ValueError(reason), label="mismatch", why="not to be trusted")

    def get(self, keys: Sequence[str], dimension: int | None = None) -> dict[str, np.ndarray]:
        """Vectors for the keys that are cached (missing keys are left out).

        Parameters
        ----------
        keys : sequence of str
            Cache keys (:meth:`key`).
        dimension : int, optional
            The model's dimension: rows of another length are bad rows too.

        Returns
        -------
        dict
            Key to float32 vector. Bad rows (a blob that is not ``dim`` float32 values, another dimension, NaN or
            infinite values) are deleted and left out, with one warning that counts them: they are embedded again.
        """
        self._refuse_links()
        if not self.path.exists():
            return {}
        try:
            return self._retry(lambda: self._get(keys, dimension))
        except sqlite3.DatabaseError as err:  # damaged after opening (a truncated page): rebuild
            if _is_busy(err):
                raise
            self._set_aside(err)
            return {}

    def _get(self, keys: Sequence[str], dimension: int | None) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        bad: list[str] = []
        con = self._connect()
        try:
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), 900):
                part = unique[start : start + 900]
                marks = ",".join("?" * len(part))
                for key, dim, blob in con.execute(f"SELECT key, dim, vec FROM vectors WHERE key IN ({marks})", part):
                    vec = _vector(blob, dim, dimension)
                    if vec is None:
                        bad.append(key)
                    else:
                        found[key] = vec
            if bad:
                con.executemany("DELETE FROM vectors WHERE key = ?", [(k,) for k in bad])
                con.commit()
        finally:
            con.close()
        if bad:
            warnings.warn(
                f"{self.path}: {len(bad)} cached vector(s) were not whole finite vectors of dimension "
                f"{dimension or 'as recorded'}; dropped and embedded again",
                RuntimeWarning,
                stacklevel=3,
            )
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        """Store vectors (one transaction; retried while another process holds the lock)."""
        self._retry(lambda: self._put(items))

    def _put(self, items: dict[str, np.ndarray]) -> None:
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
        self._refuse_links()
        if not self.path.exists():
            return 0
        con = self._connect()
        try:
            return int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        finally:
            con.close()
