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
