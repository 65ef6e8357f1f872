"""Hostile run folders and hostile metadata: no code from a run folder, no script in a report, no formula in a CSV.

Each test reproduces an attack that was found to work before it was fixed.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

import topics
from topics._files import atomic_write_text, export_csv
from topics.errors import InputError


class _Payload:
    """Unpickling this object creates a marker file: the proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def run_copy(annomi_run, tmp_path):
    _, out = annomi_run
    target = tmp_path / "run"
    shutil.copytree(out, target)
    return target


def _pickle_to(path: Path, marker: Path) -> None:
    import joblib

    joblib.dump(_Payload(marker), path)


@pytest.mark.parametrize("attack", ["pickle-file", "symlink-to-pickle", "bin-in-folder", "no-safetensors"])
def test_a_run_folder_never_runs_code(run_copy, tmp_path, attack):
    marker = tmp_path / "code-ran"
    bertopic = run_copy / "model" / "bertopic"
    if attack == "pickle-file":
        shutil.rmtree(bertopic)
        _pickle_to(bertopic, marker)
    elif attack == "symlink-to-pickle":
        shutil.rmtree(bertopic)
        _pickle_to(tmp_path / "evil", marker)
        bertopic.symlink_to(tmp_path / "evil")
    elif attack == "bin-in-folder":
        _pickle_to(bertopic / "pytorch_model", marker)
    else:  # BERTopic falls back to torch.load (a pickle) when the safetensors file is missing
        (bertopic / "topic_embeddings.safetensors").unlink()
        _pickle_to(bertopic / "pytorch_model.bin", marker)
    with pytest.raises(InputError, match="refusing to load"):
        topics.Analysis.load(run_copy)
    assert not marker.exists()


def test_the_cli_refuses_a_pickle_in_one_line_and_runs_nothing(run_copy, tmp_path):
    from click.testing import CliRunner

    from topics.cli import main

    marker = tmp_path / "code-ran"
    shutil.rmtree(run_copy / "model" / "bertopic")
    _pickle_to(run_copy / "model" / "bertopic", marker)
    for command in (["report", str(run_copy), "--no-static"], ["compare", str(run_copy)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2 and "refusing to load" in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not marker.exists()


def test_a_symlinked_file_in_the_run_folder_is_refused(run_copy, tmp_path):
    (tmp_path / "elsewhere.json").write_text("{}")
    (run_copy / "corpus_summary.json").unlink()
    (run_copy / "corpus_summary.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(InputError, match="symbolic links"):
        topics.Analysis.load(run_copy)


PAYLOADS = ['pro"><img src=x onerror=alert(1)>', "llm</script><script>alert(2)</script>"]


def test_hostile_metadata_and_ledger_text_never_reach_the_page_as_markup(annomi_run, tmp_path):
    """Group values, a column name, a ledger label, note and author full of markup: all shown as text."""
    from playwright.sync_api import sync_playwright

    from topics.curate import Curator

    analysis, _ = annomi_run
    model = analysis.model
    hostile = model.assignments_.copy()
    hostile["mi_quality"] = hostile["mi_quality"].map({"high": PAYLOADS[0], "low": PAYLOADS[1]})
    hostile['<b onmouseover="alert(5)">col'] = "x"
    model_copy = type(model).__new__(type(model))
    model_copy.__dict__.update(model.__dict__)
    model_copy.assignments_ = hostile
    bad = topics.Analysis(model=model_copy, summary=analysis.summary, drop_counts=analysis.drop_counts,
                          dropped=analysis.dropped, document_map=analysis.document_map)
    cur = Curator(model_copy, tmp_path / "ledger.yaml", author='<script>alert(6)</script>')
    first = int(model.topics_["topic"].iloc[1])
    cur.rename(first, "<script>alert(3)</script>", rationale='<img src=x onerror="alert(7)">')
    cur.note(first, '<img src=x onerror="alert(4)">')
    out = topics.report(bad.curate(tmp_path / "ledger.yaml"), out=tmp_path / "r.html", formats=[], deidentify=False)
    html = out.read_text(encoding="utf-8")
    for raw in [*PAYLOADS, "<script>alert(3)", "<script>alert(6)", 'onerror="alert(4)"', 'onerror="alert(7)"']:
        assert raw not in html
    assert 'http-equiv="Content-Security-Policy"' in html and "default-src 'none'" in html
    requests, dialogs = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(out.as_uri())
        page.wait_for_timeout(2000)
        page.mouse.move(300, 300)
        assert page.locator(".main-svg").count() >= 10  # the figures still render under the policy
        browser.close()
    assert dialogs == []
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests


def test_formula_column_names_are_guarded_in_csv(tmp_path):
    table = pd.DataFrame({'=HYPERLINK("http://x","y")': ["=1+1"], "ok": ["fine"]})
    text = export_csv(table, tmp_path / "t.csv").read_text()
    header, row = text.splitlines()[:2]
    assert header.startswith("\"'=HYPERLINK") and row.startswith("'=1+1")


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        path = atomic_write_text(tmp_path / "x.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_yaml_alias_bomb_is_refused_at_once():
    import time

    from topics.curate import Ledger

    bomb = ('topics_ledger: 1\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
            'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nentries:\n- op: note\n'
            '  topics: [1]\n  author: [*d,*d,*d,*d,*d,*d,*d,*d]\n  text: hi\n')
    start = time.perf_counter()
    with pytest.raises(InputError, match="line 2: YAML anchors and aliases"):
        Ledger.from_text(bomb, path="bomb.yaml")
    assert time.perf_counter() - start < 5


def test_a_huge_remark_is_dropped_and_counted_not_fitted():
    from topics.clean import drop_counts, select_remarks
    from topics.read import validate_corpus

    corpus = validate_corpus(pd.DataFrame({
        "utterance_id": ["1", "2"], "session_id": ["s", "s"], "turn": [1, 2], "role": ["therapist"] * 2,
        "speaker_id": ["t", "t"], "text": ["How did the week go for you?", "word " * 5_000_000]}))
    remarks, dropped = select_remarks(corpus)
    assert len(remarks) == 1 and dropped["reason"].tolist() == ["too_long"]
    assert len(dropped["text"].iloc[0]) < 300  # the run folder does not store the 25 MB either
    counts = drop_counts(corpus, remarks, dropped).set_index("step")["count"]
    assert counts["therapist: too long (over [cleaning] max_chars)"] == 1


def test_ledger_notes_and_labels_are_de_identified_in_the_report(annomi_run, tmp_path):
    from topics.curate import Curator

    analysis, _ = annomi_run
    ledger = tmp_path / "ledger.yaml"
    cur = Curator(analysis.model, ledger, author="Supervisor")
    first = int(analysis.model.topics_["topic"].iloc[1])
    cur.rename(first, "Fiona Baxter's drinking", rationale="as Fiona Baxter (born 3/14/1985) told us")
    cur.note(first, "Client Fiona Baxter, 12 Oak Street, Springfield, phone 555-123-4567")
    html = topics.report(analysis.curate(ledger), out=tmp_path / "r.html", formats=[]).read_text(encoding="utf-8")
    for identifier in ("555-123-4567", "12 Oak Street", "3/14/1985", "Baxter"):
        assert identifier not in html, identifier
    assert "[PHONE]" in html and "drinking" in html
