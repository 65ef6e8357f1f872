"""The embedding cache under several processes at once (the workers of a Dask run): no lost row, no damage."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from topics.embed import EmbeddingCache
from topics.embed import cache as cache_module

WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from topics.embed import EmbeddingCache

    folder, worker = sys.argv[1], int(sys.argv[2])
    cache = EmbeddingCache(folder, "shared-model")
    # 400 keys per writer, half of them shared with the next writer; many small transactions, and reads
    # between writes, as the workers of a Dask run do
    keys = [f"k{(worker * 200 + i) % 1000}" for i in range(400)]
    for start in range(0, len(keys), 10):
        part = keys[start : start + 10]
        cache.put({k: np.full(8, int(k[1:]), dtype=np.float32) for k in part})
        got = cache.get(part)
        assert set(got) == set(part), "a row written by this process is missing"
    print("ok")
    """
)


def test_concurrent_writers_lose_nothing_and_damage_nothing(tmp_path):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(w)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
    cache = EmbeddingCache(tmp_path, "shared-model")
    expected = {f"k{(w * 200 + i) % 1000}" for w in range(4) for i in range(400)}
    got = cache.get(sorted(expected))
    assert set(got) == expected and len(cache) == len(expected)
    assert all(np.array_equal(v, np.full(8, int(k[1:]), dtype=np.float32)) for k, v in got.items())
    assert not list(tmp_path.glob("*.corrupt-*")), "a busy file was mistaken for a damaged one"
    con = sqlite3.connect(cache.path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_a_locked_file_is_retried_not_set_aside(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path, "m")
    cache.put({"a": np.ones(4, np.float32)})
    real_open = EmbeddingCache._open
    failures = iter([True, True])

    def busy_twice(self):
        if next(failures, False):
            raise sqlite3.OperationalError("database is locked")
        return real_open(self)

    monkeypatch.setattr(EmbeddingCache, "_open", busy_twice)
    monkeypatch.setattr(cache_module.time, "sleep", lambda s: None)
    cache.put({"b": np.zeros(4, np.float32)})
    assert set(cache.get(["a", "b"])) == {"a", "b"}
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_lock_that_never_clears_is_an_error_not_a_rebuild(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path, "m")
    cache.put({"a": np.ones(4, np.float32)})

    def always_busy(self):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(EmbeddingCache, "_open", always_busy)
    monkeypatch.setattr(cache_module.time, "sleep", lambda s: None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        cache.get(["a"])
    assert cache.path.exists() and not list(tmp_path.glob("*.corrupt-*"))
