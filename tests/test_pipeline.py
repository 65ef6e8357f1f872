"""End-to-end on the real AnnoMI extract: fit with defaults, the topic range, the run folder, the report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import topics
from topics.errors import InputError


def test_defaults_give_a_curatable_model_on_annomi(annomi_run):
    """Plain BERTopic gives 115-119 topics and 26-30% outliers here; our defaults must land in 15-80, <= 15%."""
    analysis, _ = annomi_run
    n_topics = int((analysis.topics["topic"] != -1).sum())
    outliers = float((analysis.assignments["topic"] == -1).mean())
    assert 15 <= n_topics <= 80, n_topics
    assert outliers <= 0.15, outliers


def test_every_utterance_is_accounted_for(annomi_run, annomi_extract):
    analysis, _ = annomi_run
    counts = analysis.drop_counts
    assert counts["count"].sum() == len(annomi_extract)
    kept = counts.set_index("step").loc["therapist remarks modelled", "count"]
    assert kept == len(analysis.assignments)
    assert len(analysis.dropped) + kept == (annomi_extract["role"] == "therapist").sum()
    assert set(analysis.dropped["reason"]) <= {"empty", "marker", "backchannel", "too_short", "duplicate"}


def test_run_folder_layout_and_reload(annomi_run, embedder):
    analysis, out = annomi_run
    for name in (
        "model",
        "corpus_summary.json",
        "drop_counts.csv",
        "dropped.parquet",
        "document_map.parquet",
        "assignments.csv",
        "topics.csv",
    ):
        assert (out / name).exists(), name
    manifest = json.loads((out / "model" / "manifest.json").read_text())
    assert manifest["seed"] == analysis.config.seed
    assert len(manifest["data_sha256"]) == 64
    assert manifest["versions"]["bertopic"].startswith("0.17")
    loaded = topics.Analysis.load(out, embedder=embedder)
    pd.testing.assert_frame_equal(loaded.assignments, analysis.assignments)
    assert loaded.summary == json.loads(json.dumps(analysis.summary))
    csv = pd.read_csv(out / "assignments.csv")
    assert {"utterance_id", "topic", "probability", "label"} <= set(csv.columns)
    assert len(csv) == len(analysis.assignments)
    assert len(analysis.document_map) == len(analysis.assignments)


def test_report_is_self_contained(annomi_run, tmp_path):
    _, out = annomi_run
    html_path = topics.report(out, out=tmp_path / "report.html", formats=[])
    text = html_path.read_text(encoding="utf-8")
    assert "<script src=" not in text and "<link " not in text  # nothing loaded from elsewhere
    assert len(text) > 3_000_000 and "Plotly" in text  # plotly.js is inlined
    assert text.count('class="plotly-graph-div"') >= 10  # sizes, words, map, hierarchy, documents, comparison
    for section in (
        "Where every utterance went",
        "Intertopic distance map",
        "Topic hierarchy",
        "Document map",
        "Comparison by mi_quality",
        "Unit of resampling: sessions",
        "A minus B",
        "back-channel only",
        "Remarks shown in this report are de-identified",
    ):
        assert section in text, section


def test_failed_fit_writes_nothing_and_keeps_old_run(annomi_run, embedder):
    analysis, out = annomi_run
    before = sorted(p.name for p in out.iterdir())
    client_only = pd.DataFrame(
        {
            "utterance_id": ["a", "b"],
            "session_id": ["s", "s"],
            "turn": [0, 1],
            "role": ["client", "client"],
            "speaker_id": ["c", "c"],
            "text": ["hi", "bye"],
        }
    )
    with pytest.raises(InputError, match="no therapist"):
        topics.fit(client_only, analysis.config, out=out, embedder=embedder)
    assert sorted(p.name for p in out.iterdir()) == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".annomi.tmp")]


def test_deidentify_before_embedding_leaves_no_identifier_in_the_run(small_corpus, embedder, tmp_path):
    from topics.config import TopicConfig

    extra = pd.DataFrame(
        {
            "utterance_id": ["pii-1", "pii-2"],
            "session_id": ["annomi-0", "annomi-0"],
            "turn": [9001, 9002],
            "role": ["therapist", "therapist"],
            "speaker_id": ["x", "x"],
            "text": ["So Fiona, you can call me at 555-123-4567 any time this week.", "Hm."],
        }
    )
    corpus = pd.concat([small_corpus, extra], ignore_index=True)
    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.cleaning.deidentify = True
    cfg.deidentify.known_names = ["Fiona"]
    cfg.deidentify.ner = False  # rules + known names: fast
    out = tmp_path / "run"
    analysis = topics.fit(corpus, cfg, out=out, embedder=embedder)
    row = analysis.assignments.set_index("utterance_id").loc["pii-1", "text"]
    assert row == "So [NAME], you can call me at [PHONE] any time this week."
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"555-123-4567" not in data and b"Fiona, you can" not in data, path
