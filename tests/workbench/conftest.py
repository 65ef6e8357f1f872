"""A fitted run folder shared by the workbench tests (the first 40 AnnoMI sessions, fitted once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

import topics


@pytest.fixture(scope="session")
def workbench_run(small_corpus, embedder, tmp_path_factory) -> Path:
    """The run folder, pristine; a test that writes into a run copies it first (see ``run_folder``)."""
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.static_formats = []
    cfg.compare.by = "mi_quality"
    out = tmp_path_factory.mktemp("workbench") / "run"
    topics.fit(small_corpus, cfg, out=out, embedder=embedder)
    return out


@pytest.fixture
def run_folder(workbench_run, tmp_path) -> Path:
    """A private copy of the fitted run folder (the test may write a ledger, tables, a report into it)."""
    import shutil

    return Path(shutil.copytree(workbench_run, tmp_path / "run"))


def start_workbench(run: Path, *extra: str):
    """Start ``topics curate app RUN --no-browser`` on a free port; return (process, URL with the token).

    The caller stops the process (``proc.terminate()``).
    """
    import os
    import queue
    import socket
    import subprocess
    import sys
    import threading

    from topics.workbench.server import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "topics.cli", "curate", "app", str(run), "--no-browser", "--port", str(port), *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        while True:
            line = lines.get(timeout=180)
            seen.append(line)
            if line.startswith("Curation workbench: "):
                url = line.split(": ", 1)[1].strip()
                break
        with socket.create_connection(("127.0.0.1", port), timeout=30):
            pass
    except queue.Empty:
        proc.terminate()
        pytest.fail("the workbench did not start: " + "".join(seen)[-2000:])
    return proc, url


@pytest.fixture
def authored_server(run_folder):
    """The workbench on a private run copy with the author set (``--author "Dr. Keys"``); yields the URL."""
    import subprocess

    proc, url = start_workbench(run_folder, "--author", "Dr. Keys")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
