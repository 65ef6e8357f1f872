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
        rows.append(
            {
                "utterance_id": f"hostile-{i}",
                "session_id": corpus["session_id"].iloc[0],
                "turn": 10_000 + i,
                "role": "therapist",
                "speaker_id": "x",
                "text": text,
            }
        )
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


@pytest.mark.skipif(
    not (shutil.which("chromium") or os.environ.get("CI")),
    reason="static export needs Debian's chromium (installed by `make test`)",
)
def test_static_figures_are_written(hostile_run, tmp_path):
    html_path = topics.report(
        hostile_run, out=tmp_path / "report.html", figures_dir=tmp_path / "fig", formats=["png", "svg"]
    )
    assert html_path.exists()
    for name in ("topic_sizes", "top_words", "intertopic_map", "hierarchy", "document_map"):
        png = tmp_path / "fig" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert (tmp_path / "fig" / f"{name}.svg").read_text().lstrip().startswith("<svg")
    assert "Static figure files were not written" not in html_path.read_text(encoding="utf-8")


def test_csv_export_guards_formulas(tmp_path):
    table = pd.DataFrame({"text": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "plain", "a=b"], "n": range(6)})
    path = export_csv(table, tmp_path / "t.csv")
    back = pd.read_csv(path)
    assert back["text"].tolist() == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "plain", "a=b"]
    assert back["n"].tolist() == list(range(6))


def test_decision_summary_counts_every_status():
    from topics.curate.view import decision_counts, decision_summary

    log = pd.DataFrame({"status": ["applied"] * 13 + ["remapped"] * 18})
    assert decision_counts(log) == {"decisions": 31, "applied": 13, "remapped": 18, "unmapped": 0}
    assert decision_summary(log, "replay") == (
        "31 decisions: 13 applied as written, 18 remapped to this model's topics "
        "(the ledger was written on another fit), 0 not applied"
    )
    strict = decision_summary(pd.DataFrame({"status": ["applied", "unmapped"]}), "strict")
    assert strict == "2 decisions: 1 applied as written, 0 remapped to this model's topics, 1 not applied"
    assert decision_summary(pd.DataFrame({"status": []}), "strict") == "no decisions"
    assert decision_summary(log, "replay", explain=False) == (  # the workbench's mode line says why
        "31 decisions: 13 applied as written, 18 remapped to this model's topics, 0 not applied"
    )


@pytest.fixture
def remapped_ledger(annomi_run, tmp_path):
    """Three renames on the run's model, then stamped as written on another fit: the first keeps its topic
    number (applied as written), the second names a number this model does not have (found again by its
    fingerprint: remapped), the third's exemplar remarks are not in the data (not applied)."""
    from topics.analysis import Analysis
    from topics.curate import Curator, Ledger

    analysis = Analysis.load(annomi_run[1])  # a run with many topics whatever the numerics (the hostile run may
    real = sorted(int(t) for t in analysis.raw_topics["topic"] if t != -1)  # fit only two in a fresh clone)
    assert len(real) >= 3
    path = tmp_path / "ledger.yaml"
    cur = Curator(analysis, path, author="E")
    for i, topic in enumerate(real[:3]):
        cur.rename(topic, f"Expert label {i}")
    ledger = Ledger.load(path)
    ledger.model["topics_sha256"] = "0" * 64  # another clustering: replay by fingerprint
    moved = ledger.entries[1]
    moved.topics = [moved.topics[0] + 500]
    moved.fingerprints[0].topic = moved.topics[0]
    ledger.entries[2].fingerprints[0].exemplars = ["not-a-remark-1", "not-a-remark-2"]
    ledger.save()
    return path


def test_report_says_how_many_decisions_were_remapped(annomi_run, remapped_ledger, tmp_path):
    html = topics.report(
        annomi_run[1], out=tmp_path / "r.html", formats=[], ledger=remapped_ledger, compare_by=False, progress=False
    ).read_text(encoding="utf-8")
    assert (
        "3 decisions: 1 applied as written, 1 remapped to this model&#39;s topics (the ledger was written "
        "on another fit), 1 not applied"
    ) in html
    assert "decisions applied)" not in html  # never "2 of 3 decisions applied" for one remapped


def test_a_comparison_with_a_rare_group_is_skipped_at_once_naming_the_group(hostile_run, tmp_path, monkeypatch, capsys):
    # the run compares counselor_type: 39 professional sessions and one session of "<b>group</b>"
    import topics.reporting.html_report as html_report

    def never(*args, **kwargs):
        raise AssertionError("the comparison ran although a group has too few sessions")

    monkeypatch.setattr(html_report, "run_configured", never)
    html = topics.report(hostile_run, out=tmp_path / "r.html", formats=[]).read_text(encoding="utf-8")
    steps = capsys.readouterr().err.splitlines()
    said = next(i for i, line in enumerate(steps) if "No comparison by 'counselor_type'" in line)
    assert said < next(i for i, line in enumerate(steps) if "de-identifying" in line)  # before anything slow
    assert not any("comparing groups" in line for line in steps)
    assert "group &#39;&lt;b&gt;group&lt;/b&gt;&#39; (1 session) of &#39;counselor_type&#39;" in html
    assert "fewer than the 5 sessions" in html and "professional 39" in html
    assert "merge groups in the session metadata, or compare by another column" in html


def test_report_groups_option_limits_the_comparison(hostile_run, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import topics.reporting.html_report as html_report
    from topics.cli import main

    seen = []
    real = html_report.run_configured

    def quick(assignments, config, **overrides):
        seen.append((config.compare.by, list(config.compare.groups)))
        return real(assignments, config, n_perm=99, n_boot=20, crosscheck=False, **overrides)

    monkeypatch.setattr(html_report, "run_configured", quick)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(hostile_run),
            "--no-static",
            "--out",
            str(out),
            "--compare-by",
            "mi_quality",
            "--groups",
            "low,high",
        ],
    )
    assert result.exit_code == 0, result.output
    assert seen == [("mi_quality", ["low", "high"])]
    html = out.read_text(encoding="utf-8")
    assert "Comparing low and high (mi_quality)" in html
    # a group that is not there is said at once, at the top of the report, and nothing is compared
    missing = CliRunner().invoke(
        main,
        [
            "report",
            str(hostile_run),
            "--no-static",
            "--out",
            str(tmp_path / "m.html"),
            "--compare-by",
            "mi_quality",
            "--groups",
            "high,nope",
        ],
    )
    assert missing.exit_code == 0, missing.output
    assert len(seen) == 1
    assert "No comparison by &#39;mi_quality&#39;: group(s) [&#39;nope&#39;] not found in &#39;mi_quality&#39;" in (
        tmp_path / "m.html"
    ).read_text(encoding="utf-8")
    # one group is not a comparison; --groups without a comparison is refused, not ignored
    bad = CliRunner().invoke(
        main, ["report", str(hostile_run), "--no-static", "--out", str(tmp_path / "b.html"), "--groups", "professional"]
    )
    assert bad.exit_code == 2 and "two or more different groups" in bad.output
    off = CliRunner().invoke(
        main,
        [
            "report",
            str(hostile_run),
            "--no-static",
            "--out",
            str(tmp_path / "c.html"),
            "--compare-by",
            "none",
            "--groups",
            "low,high",
        ],
    )
    assert off.exit_code == 2 and "--groups needs a comparison" in off.output


def test_summary_cautions_when_sessions_share_a_question(hostile_run):
    import numpy as np

    from topics.analysis import Analysis
    from topics.compare import run_comparison
    from topics.reporting.context import summary_lines

    rng = np.random.default_rng(3)
    rows = []
    for q in range(30):  # one session per answer, 2 or 3 answers per question, each question in one group
        for j in range(2 + q % 2):
            sid = f"q{q}a{j}"
            rows.append(
                {
                    "session_id": sid,
                    "utterance_id": sid,
                    "turn": 0,
                    "text": "answer",
                    "label": "t",
                    "topic": int(rng.integers(0, 3)),
                    "grp": "A" if q < 15 else "B",
                    "question_id": f"Q{q}",
                }
            )
    data = pd.DataFrame(rows)
    analysis = Analysis.load(hostile_run)
    comp = run_comparison(data, "grp", n_perm=99, n_boot=20, crosscheck=False)
    line = next(x for x in summary_lines(analysis, comp, None) if x.startswith("Comparing A and B"))
    assert "Caution: sessions share 'question_id' (30 values over 75 sessions" in line
    assert line.endswith("(--cluster question_id; config: [compare] cluster).")
    plain = run_comparison(data.drop(columns="question_id"), "grp", n_perm=99, n_boot=20, crosscheck=False)
    line = next(x for x in summary_lines(analysis, plain, None) if x.startswith("Comparing A and B"))
    assert "Caution" not in line and "--cluster" not in line
