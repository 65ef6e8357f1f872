"""Corpora that cannot be modelled: each is a clear error naming what is wrong, and nothing is written.

Client-only sessions, one remark, identical remarks, stop words only, no topic found; and metadata that is
missing or mixed, which must go through fit and save. Never a traceback from UMAP or HDBSCAN.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import topics
from topics.clean import select_remarks
from topics.config import TopicConfig
from topics.errors import InputError
from topics.read import read_table


def test_session_with_only_client_turns_is_fine_a_corpus_of_them_is_not(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "session_id,role,text\n"
        "a,T,What would you like to talk about today?\n"
        "a,C,My drinking.\n"
        "b,C,I came because my wife asked me to.\n"
        "b,C,She thinks I drink too much.\n",
        encoding="utf-8",
    )
    corpus = read_table(path)
    remarks, _ = select_remarks(corpus)
    assert list(remarks["session_id"]) == ["a"]
    clients = corpus[corpus["role"] == "client"]
    with pytest.raises(InputError, match="no therapist utterances"):
        select_remarks(clients)
    config = TopicConfig()
    config.embedding.cache_dir = str(tmp_path / "cache")
    with pytest.raises(InputError, match="no therapist utterances"):
        topics.fit(clients, config, out=tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def _corpus(texts: list[str], **metadata) -> pd.DataFrame:
    n = len(texts)
    table = pd.DataFrame(
        {
            "utterance_id": [f"u{i}" for i in range(n)],
            "session_id": [f"s{i % 4}" for i in range(n)],
            "turn": list(range(n)),
            "role": "therapist",
            "speaker_id": "t",
            "text": texts,
        }
    )
    for key, values in metadata.items():
        table[key] = values
    return table


@pytest.fixture
def fit_config(embedder) -> TopicConfig:
    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.static_formats = []
    return cfg


@pytest.fixture(scope="module")
def varied_remarks(annomi_extract) -> list[str]:
    """40 real, varied, distinct AnnoMI therapist remarks of at least eight words."""
    th = annomi_extract[annomi_extract["role"] == "therapist"]
    th = th[th["text"].str.split().str.len() >= 8].drop_duplicates("text")
    return th["text"].sample(40, random_state=1).tolist()


@pytest.fixture(scope="module")
def themed_remarks(annomi_extract) -> list[str]:
    """60 real AnnoMI therapist remarks about smoking, drinking and exercise: enough for two or three topics."""
    th = annomi_extract[annomi_extract["role"] == "therapist"]
    th = th[th["text"].str.split().str.len() >= 6].drop_duplicates("text")
    out: list[str] = []
    for pattern in ("smok|cigar", "drink|alcohol", "exercis|walk"):
        out += th[th["text"].str.contains(pattern, case=False)]["text"].head(20).tolist()
    return out


def test_one_remark_is_too_few_and_nothing_is_written(tmp_path, varied_remarks, fit_config, embedder):
    out = tmp_path / "run"
    with pytest.raises(InputError, match="too few"):
        topics.fit(_corpus(varied_remarks[:1]), fit_config, out=out, embedder=embedder)
    assert list(tmp_path.iterdir()) == []


def test_identical_remarks_are_not_distinct_enough(tmp_path, fit_config, embedder):
    out = tmp_path / "run"
    with pytest.raises(InputError, match="distinct"):
        topics.fit(
            _corpus(["How do you feel about drinking less these days?"] * 40), fit_config, out=out, embedder=embedder
        )
    assert list(tmp_path.iterdir()) == []


def test_stop_words_only_is_a_clear_error(tmp_path, fit_config, embedder):
    words = [
        "i",
        "you",
        "we",
        "they",
        "it",
        "is",
        "are",
        "was",
        "be",
        "been",
        "to",
        "of",
        "and",
        "the",
        "that",
        "this",
        "there",
        "here",
        "with",
        "me",
        "my",
        "your",
    ]
    rng = np.random.default_rng(0)
    texts = list(dict.fromkeys(" ".join(rng.choice(words, 6, replace=False)) for _ in range(200)))[:40]
    with pytest.raises(InputError, match="stop words"):
        topics.fit(_corpus(texts), fit_config, out=tmp_path / "run", embedder=embedder)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_no_topic_found_names_min_cluster_size(tmp_path, varied_remarks, fit_config, embedder):
    fit_config.hdbscan.min_cluster_size = 30
    with pytest.raises(InputError, match="min_cluster_size=30") as info:
        topics.fit(_corpus(varied_remarks), fit_config, out=tmp_path / "run", embedder=embedder)
    assert "HDBSCAN found no topic among 40 remarks" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_missing_and_mixed_metadata_go_through_fit_and_save(tmp_path, themed_remarks, fit_config, embedder):
    n = len(themed_remarks)
    corpus = _corpus(
        themed_remarks,
        quality=[math.nan if i % 3 == 0 else "high" for i in range(n)],
        empty=[math.nan] * n,
        rating=pd.Series([None if i % 3 == 0 else (i if i % 2 else f"r{i}") for i in range(n)], dtype=object),
    )
    analysis = topics.fit(corpus, fit_config, out=tmp_path / "run", embedder=embedder)
    saved = pd.read_parquet(tmp_path / "run" / "model" / "assignments.parquet").set_index("utterance_id")
    quality = saved.loc[[f"u{i}" for i in range(n)], "quality"]
    assert quality.isna().tolist() == [i % 3 == 0 for i in range(n)]
    assert saved["empty"].isna().all()
    assert saved.loc["u1", "rating"] == "1" and saved.loc["u2", "rating"] == "r2" and pd.isna(saved.loc["u3", "rating"])
    assert (analysis.topics["topic"] != -1).sum() >= 1
