"""Report safety and outputs: escaping of hostile transcript text, static export, CSV formula guard."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

import topics
from topics._files import export_csv

HOSTILE = [
    "<script>alert('x')</script> so tell me about your drinking",
    '"><img src=x onerror=alert(1)> how often do you drink?',
    "** bold ** [link](javascript:alert(1)) how much do you drink",
]


@pytest.fixture(scope="module")
def hostile_run(small_corpus, embedder, tmp_path_factory):
    from topics.config import TopicConfig

    corpus = small_corpus.copy()
    rows = []
    for i, text in enumerate(HOSTILE * 4):
        rows.append({"utterance_id": f"hostile-{i}", "session_id": corpus["session_id"].iloc[0], "turn": 10_000 + i,
                     "role": "therapist", "speaker_id": "x", "text": text})
    corpus = pd.concat([corpus, pd.DataFrame(rows)], ignore_index=True)
    corpus["counselor_type"] = corpus["counselor_type"].fillna("professional")
    corpus.loc[corpus["session_id"] == corpus["session_id"].iloc[0], "counselor_type"] = "<b>group</b>"
    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.title = "Report <script>alert('title')</script>"
    out = tmp_path_factory.mktemp("hostile") / "run"
    topics.fit(corpus, cfg, out=out, embedder=embedder)
    return out


def test_transcript_text_is_escaped_in_html(hostile_run, tmp_path):
    html_path = topics.report(hostile_run, out=tmp_path / "r.html", formats=[])
    text = html_path.read_text(encoding="utf-8")
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "<b>group</b>" not in text
    # the hostile remarks are in the document map (escaped, JSON-encoded), not dropped
    assert "onerror=alert(1)" in text
    assert "Report &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in text  # the title, escaped


@pytest.mark.skipif(not (shutil.which("chromium") or os.environ.get("CI")),
                    reason="static export needs Debian's chromium (installed by `make test`)")
def test_static_figures_are_written(hostile_run, tmp_path):
    html_path = topics.report(hostile_run, out=tmp_path / "report.html", figures_dir=tmp_path / "fig",
                              formats=["png", "svg"])
    assert html_path.exists()
    for name in ("topic_sizes", "top_words", "intertopic_map", "hierarchy", "document_map"):
        png = tmp_path / "fig" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert (tmp_path / "fig" / f"{name}.svg").read_text().lstrip().startswith("<svg")
    assert "Static figure files were not written" not in html_path.read_text(encoding="utf-8")


def test_csv_export_guards_formulas(tmp_path):
    table = pd.DataFrame({"text": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "plain", "a=b"], "n": range(6)})
    path = export_csv(table, tmp_path / "t.csv")
    back = pd.read_csv(path)
    assert back["text"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "plain", "a=b"]
    assert back["n"].tolist() == list(range(6))
