"""Topic quality measures: known answers on constructed cases, and a stability run on a real extract."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import topics
from topics.evaluate import (
    code_agreement,
    evaluate,
    match_topics,
    model_grid,
    npmi_coherence,
    stability,
    topic_diversity,
)


def test_npmi_known_answers():
    texts = ["apple banana", "apple banana", "cherry date", "cherry date"]
    # apple and banana always together: P(a)=P(b)=P(ab)=0.5 -> log(0.5/0.25)/-log(0.5) = 1
    # apple and cherry never together -> -1
    table = npmi_coherence({0: ["apple", "banana"], 1: ["apple", "cherry"]}, texts).set_index("topic")
    assert table.loc[0, "npmi"] == pytest.approx(1.0)
    assert table.loc[1, "npmi"] == pytest.approx(-1.0)
    # independent words: P(a)=0.5, P(c)=0.5, P(ac)=0.25 -> NPMI 0
    texts = ["apple cherry", "apple", "cherry", "other"]
    assert npmi_coherence({0: ["apple", "cherry"]}, texts)["npmi"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    # a phrase is present when all its words are
    texts = ["stop smoking now", "stop smoking", "walk", "walk daily"]
    value = npmi_coherence({0: ["stop smoking", "now"]}, texts)["npmi"].iloc[0]
    expected = math.log(0.25 / (0.5 * 0.25)) / -math.log(0.25)
    assert value == pytest.approx(expected)


def test_diversity_known_answer():
    assert topic_diversity({0: ["a", "b"], 1: ["b", "c"]}) == pytest.approx(0.75)
    assert topic_diversity({0: ["a", "b"], 1: ["c", "d"]}) == pytest.approx(1.0)


def test_code_agreement_known_answers():
    a = pd.DataFrame({"topic": [0, 0, 1, 1, -1], "code": ["q", "q", "r", "r", "q"]})
    nmi, per = code_agreement(a)
    assert nmi == pytest.approx(1.0)
    assert per.set_index("topic").loc[0, "dominant_code"] == "q" and per["purity"].min() == 1.0
    b = pd.DataFrame({"topic": [0, 0, 1, 1], "code": ["q", "r", "q", "r"]})
    assert code_agreement(b)[0] == pytest.approx(0.0, abs=1e-12)


def test_match_topics():
    ref = np.array([0, 0, 0, 1, 1, 1, -1])
    other = np.array([5, 5, 5, 7, 8, 9, 5])
    m = match_topics(ref, other)
    assert m[0] == 5 and m[1] is None  # topic 1 is scattered


@pytest.fixture(scope="module")
def small_run(small_corpus, embedder):
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    return topics.fit(small_corpus, cfg, embedder=embedder)


def test_evaluate_on_real_remarks(small_run):
    result = evaluate(small_run)
    s = result["summary"].iloc[0]
    assert s["topics"] == int((small_run.topics["topic"] != -1).sum())
    assert -1 <= s["npmi"] <= 1 and 0 < s["diversity"] <= 1 and 0 <= s["nmi_codes"] <= 1
    assert len(result["per_topic"]) == s["topics"]


def test_stability_identical_refit_and_reseed(small_run):
    stab = stability(small_run, seeds=[small_run.config.seed + 1], shuffle=False)
    assert len(stab.fits) == 2 and len(stab.pairwise) == 1
    assert 0 < stab.mean_ari <= 1
    assert set(stab.per_topic["topic"]) == set(small_run.raw_topics["topic"]) - {-1}
    same = stability(small_run, seeds=[small_run.config.seed], shuffle=False)
    assert same.mean_ari == pytest.approx(1.0)  # same seed, same order, same embeddings: identical
    assert same.per_topic["robust"].all()


def test_model_grid_scores_each_setting(small_run):
    grid = model_grid(small_run, min_cluster_size=[15, 40])
    assert list(grid["min_cluster_size"]) == [15, 40]
    assert grid.loc[0, "topics"] >= grid.loc[1, "topics"]
