"""Real interruptions: a process killed (SIGKILL) or interrupted (SIGINT, Ctrl-C) while it embeds.

The embedding cache commits in chunks of :data:`topics.embed.embedder.CHUNK` texts, so a killed run keeps the
chunks it finished, every row it kept is a whole and correct vector, and the next run embeds only the rest.
A killed ``topics fit --out DIR`` leaves no ``DIR`` (nor a temporary folder beside it) and leaves an earlier
``DIR`` as it was.

Each test starts a fresh Python process on real therapist remarks of the demo corpus, waits until that
process has reached the point to interrupt (a committed chunk in its SQLite cache, or its progress bar),
then sends the signal. The children embed with ``runtime = "torch"`` (fp32): the chunked commits are the
Embedder's whatever the runtime, and the int8 runtime embeds a chunk in about a second, too fast to be caught
reliably between two commits (and would first build its model in each fresh cache).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from topics.config import EmbeddingConfig
from topics.embed.embedder import CHUNK, Embedder, EmbeddingCache, model_identity

DIM = 384  # all-MiniLM-L6-v2
N_EMBED = CHUNK + 300  # two chunks: the child is stopped after the first commit, during the second
N_CLI = 1200  # the progress bar (which the CLI test waits for) shows from 1,000 texts on
WAIT_S = 180  # upper bound for a child to get going on a loaded machine; normally a few seconds

CHILD = textwrap.dedent(
    """
    import json, signal, sys
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C raises KeyboardInterrupt, as in a shell
    from topics.config import EmbeddingConfig
    from topics.embed import Embedder
    texts = json.loads(open(sys.argv[2], encoding="utf-8").read())
    Embedder(EmbeddingConfig(cache_dir=sys.argv[1], runtime="torch"), show_progress=False).embed(texts)
    print("finished")
    """
)


@pytest.fixture(scope="module")
def short_remarks(demo_corpus) -> list[str]:
    """Distinct real therapist remarks of 4-12 words (short texts embed fast), in corpus order."""
    therapist = demo_corpus[demo_corpus["role"] == "therapist"]
    n_words = therapist["text"].str.split().str.len()
    texts = list(dict.fromkeys(therapist.loc[(n_words >= 4) & (n_words <= 12), "text"]))
    assert len(texts) >= N_CLI
    return texts


@pytest.fixture(scope="module")
def fp32_embedder(embedder) -> Embedder:
    """The packaged model in fp32 (``runtime = "torch"``), as the children run it, with the shared cache."""
    return Embedder(EmbeddingConfig(cache_dir=str(embedder.config.cache_dir), runtime="torch"), show_progress=False)


def child_env() -> dict[str, str]:
    return dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")


def default_sigint() -> None:
    """Give the child Ctrl-C's default meaning even when the test run itself ignores SIGINT.

    A shell starts background jobs (``make test &``, nohup) with SIGINT ignored, children inherit that,
    and Python then never turns SIGINT into KeyboardInterrupt.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cache_file(folder: Path) -> Path:
    return EmbeddingCache(folder, model_identity("default")).path


def committed_rows(path: Path) -> int:
    """Rows another process has committed to a cache file (0 while it does not exist or is locked)."""
    if not path.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def wait_for(proc: subprocess.Popen, ready, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT_S
    while not ready():
        if proc.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log else ""
            pytest.fail(f"the child exited (code {proc.returncode}) before {what}:\n{detail}")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def interrupt(proc: subprocess.Popen, sig: signal.Signals) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"the child did not stop on {sig.name}")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_embedding_keeps_whole_chunks_and_resumes(tmp_path, short_remarks, fp32_embedder, sig):
    distinct = short_remarks[:N_EMBED]
    texts = distinct + distinct[:40]  # some repeats: embedded once
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    (tmp_path / "child.py").write_text(CHILD, encoding="utf-8")
    cache_dir = tmp_path / "cache"
    db = cache_file(cache_dir)
    log = tmp_path / "child.log"

    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(tmp_path / "child.py"), str(cache_dir), str(tmp_path / "texts.json")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(),
            cwd=tmp_path,
            preexec_fn=default_sigint,
        )
        wait_for(proc, lambda: committed_rows(db) >= CHUNK, "the first committed chunk", log)
        code = interrupt(proc, sig)
    output = log.read_text(errors="replace")
    assert "finished" not in output
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code != 0 and "KeyboardInterrupt" in output

    # the cache opens, is consistent, and holds whole chunks of whole vectors of our texts only
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute("SELECT key, dim, vec FROM vectors").fetchall()
    finally:
        con.close()
    n_cached = len(rows)
    assert n_cached % CHUNK == 0 and CHUNK <= n_cached < len(distinct)
    key_of = EmbeddingCache(cache_dir, model_identity("default")).key
    text_of = {key_of(t): t for t in distinct}
    stored = {}
    for key, dim, blob in rows:
        assert key in text_of and dim == DIM and len(blob) == DIM * 4
        vec = np.frombuffer(blob, dtype=np.float32)
        assert np.isfinite(vec).all()
        stored[key] = vec

    # a few rows against a fresh embedding of the same text (no cache involved)
    for key in sorted(stored)[:: max(1, n_cached // 3)][:3]:
        fresh = fp32_embedder.model.encode([text_of[key]], convert_to_numpy=True)[0]
        np.testing.assert_allclose(stored[key], fresh, rtol=0, atol=1e-5)

    # the next run embeds only what is missing and returns everything
    again = Embedder(EmbeddingConfig(cache_dir=str(cache_dir), runtime="torch"), show_progress=False)
    again._model = fp32_embedder.model  # the same packaged model, already loaded: saves a second load
    vectors = again.embed(texts)
    assert again.n_computed_ == len(distinct) - n_cached
    assert vectors.shape == (len(texts), DIM) and vectors.dtype == np.float32
    for i, t in enumerate(texts):
        if key_of(t) in stored:
            np.testing.assert_array_equal(vectors[i], stored[key_of(t)])
    np.testing.assert_array_equal(vectors[len(distinct) :], vectors[:40])
    assert len(again.cache) == len(distinct)


@pytest.mark.slow
def test_killed_fit_leaves_no_run_folder_and_keeps_an_earlier_one(tmp_path, short_remarks):
    topics_cli = Path(sys.executable).with_name("topics")
    assert topics_cli.exists()
    corpus = tmp_path / "corpus.csv"
    with open(corpus, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["session_id", "role", "text"])
        for i, text in enumerate(short_remarks[:N_CLI]):
            if i % 25 == 0:
                writer.writerow([f"s{i // 25}", "C", "I am not sure about that."])
            writer.writerow([f"s{i // 25}", "T", text])
    runs = tmp_path / "runs"
    runs.mkdir()

    def start(out: Path, cache: str, log: Path) -> subprocess.Popen:
        config = tmp_path / f"{cache}.toml"
        config.write_text(
            f'[embedding]\ncache_dir = "{(tmp_path / cache).as_posix()}"\nruntime = "torch"\n'
            "[report]\nstatic_formats = []\n"
        )
        with open(log, "wb") as sink:
            return subprocess.Popen(
                [str(topics_cli), "fit", str(corpus), "--out", str(out), "--config", str(config)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=child_env(),
                cwd=tmp_path,
                preexec_fn=default_sigint,
            )

    # 1. killed after a chunk of embeddings is committed: no run folder, no temporary folder
    new = runs / "new"
    proc = start(new, "cache1", tmp_path / "fit1.log")
    db = cache_file(tmp_path / "cache1")
    wait_for(proc, lambda: committed_rows(db) >= CHUNK, "the first committed chunk", tmp_path / "fit1.log")
    assert interrupt(proc, signal.SIGKILL) == -signal.SIGKILL
    assert committed_rows(db) < N_CLI  # it was still embedding
    assert not new.exists()
    assert list(runs.iterdir()) == []

    # 2. Ctrl-C while embedding, with an earlier run in the folder: the earlier run is left as it was
    study = runs / "study"
    (study / "model").mkdir(parents=True)
    (study / "marker.txt").write_text("earlier run\n", encoding="utf-8")
    (study / "model" / "manifest.json").write_text('{"n_topics": 7}', encoding="utf-8")
    (study / "corpus_summary.json").write_text('{"sessions": 3}', encoding="utf-8")  # what makes it a run folder
    before = {p.relative_to(study): p.read_bytes() for p in study.rglob("*") if p.is_file()}
    log = tmp_path / "fit2.log"
    proc = start(study, "cache2", log)
    wait_for(proc, lambda: "Embedding remarks" in log.read_text(errors="replace"), "the embedding progress bar", log)
    # interrupt inside the embedding loop (the model is loaded once the first chunk is committed)
    wait_for(proc, lambda: committed_rows(cache_file(tmp_path / "cache2")) >= CHUNK, "the first committed chunk", log)
    code = interrupt(proc, signal.SIGINT)
    assert code != 0, log.read_text(errors="replace")
    assert "Aborted" in log.read_text(errors="replace")  # click's message on Ctrl-C
    assert committed_rows(cache_file(tmp_path / "cache2")) < N_CLI
    assert sorted(p.name for p in runs.iterdir()) == ["study"]
    assert {p.relative_to(study): p.read_bytes() for p in study.rglob("*") if p.is_file()} == before
