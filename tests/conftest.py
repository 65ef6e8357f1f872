"""Shared fixtures: real corpus extracts, one embedding cache, and a guard against network access."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # shared test helpers: `import qda_programs`
CACHE = PROJECT / ".cache" / "embeddings"
# Every default config, CLI run and subprocess of the suite caches in the checkout's .cache (shared with
# `make demo`, emptied by `make clean-cache`), never in the user cache folder that is the default outside tests.
os.environ["TOPICS_CACHE_DIR"] = str(CACHE)
# and the int8 model the embedder builds once per machine goes to the checkout's .cache too, not the user's
os.environ["TOPICS_MODEL_DIR"] = str(PROJECT / ".cache" / "models")


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in ("localhost", "::1", "") or host.startswith("127.")
    return True  # AF_UNIX paths (Jupyter kernels use them) are local


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Fail any test that opens a connection beyond this machine: everything must run offline."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if not _is_local(address):
            raise RuntimeError(f"network access attempted during tests: {address!r}")
        return real_connect(self, address)

    socket.socket.connect = guarded
    yield
    socket.socket.connect = real_connect


@pytest.fixture(scope="session")
def demo_corpus() -> pd.DataFrame:
    from topics.read import load_demo

    return load_demo()


@pytest.fixture(scope="session")
def annomi_extract(demo_corpus) -> pd.DataFrame:
    """The AnnoMI part of the bundled demo corpus: 133 real professional MI sessions."""
    return demo_corpus[demo_corpus["corpus"] == "annomi"].reset_index(drop=True)


@pytest.fixture(scope="session")
def small_corpus(annomi_extract) -> pd.DataFrame:
    """The first 40 AnnoMI sessions (about 1,000 therapist remarks): small enough to fit in seconds."""
    sessions = sorted(annomi_extract["session_id"].unique(), key=lambda s: int(s.split("-")[1]))[:40]
    return annomi_extract[annomi_extract["session_id"].isin(sessions)].reset_index(drop=True)


@pytest.fixture(scope="session")
def embedder():
    """One embedder for the whole session, caching in the project's .cache (shared with `make demo`)."""
    from topics.config import EmbeddingConfig
    from topics.embed import Embedder

    return Embedder(EmbeddingConfig(cache_dir=str(CACHE)), show_progress=False)


@pytest.fixture
def config():
    """Default config with the shared cache and no static export (fast)."""
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(CACHE)
    cfg.report.static_formats = []
    return cfg


@pytest.fixture(scope="session")
def annomi_run(annomi_extract, embedder, tmp_path_factory):
    """All 133 AnnoMI sessions fitted with the default config ([compare] by = mi_quality), saved to a run folder."""
    import topics
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.compare.by = "mi_quality"
    out = tmp_path_factory.mktemp("runs") / "annomi"
    analysis = topics.fit(annomi_extract, cfg, out=out, embedder=embedder)
    return analysis, out
