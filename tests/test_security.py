"""Hostile run folders and hostile metadata: no code from a run folder, no script in a report, no formula in a CSV.

Each test reproduces an attack that was found to work before it was fixed.
"""

from __future__ import annotations

import os
import re
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
        errors = [line for line in result.output.splitlines() if not re.match(r"\[\s*\d+ s\]|\d\d:\d\d:\d\d ", line)]
        assert len(errors) == 1 and errors[0].startswith("error: ")  # progress lines aside, the error is one line
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
    bad = topics.Analysis(
        model=model_copy,
        summary=analysis.summary,
        drop_counts=analysis.drop_counts,
        dropped=analysis.dropped,
        document_map=analysis.document_map,
    )
    cur = Curator(model_copy, tmp_path / "ledger.yaml", author="<script>alert(6)</script>")
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
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
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


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o600), (0o077, 0o600), (0o277, 0o400)])
def test_written_files_are_private_whatever_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        path = atomic_write_text(tmp_path / "x.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_yaml_alias_bomb_is_refused_at_once():
    import time

    from topics.curate import Ledger

    bomb = (
        'topics_ledger: 1\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nentries:\n- op: note\n"
        "  topics: [1]\n  author: [*d,*d,*d,*d,*d,*d,*d,*d]\n  text: hi\n"
    )
    start = time.perf_counter()
    with pytest.raises(InputError, match="line 2: YAML anchors and aliases"):
        Ledger.from_text(bomb, path="bomb.yaml")
    assert time.perf_counter() - start < 5


def test_a_huge_remark_is_dropped_and_counted_not_fitted():
    from topics.clean import drop_counts, select_remarks
    from topics.read import validate_corpus

    corpus = validate_corpus(
        pd.DataFrame(
            {
                "utterance_id": ["1", "2"],
                "session_id": ["s", "s"],
                "turn": [1, 2],
                "role": ["therapist"] * 2,
                "speaker_id": ["t", "t"],
                "text": ["How did the week go for you?", "word " * 5_000_000],
            }
        )
    )
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


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_embedding_cache_is_set_aside_and_rebuilt(tmp_path, damage):
    import numpy as np

    from topics.embed import EmbeddingCache

    cache = EmbeddingCache(tmp_path, "model")
    cache.put({"a": np.ones(4, np.float32), "b": np.zeros(4, np.float32)})
    data = cache.path.read_bytes()
    cache.path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"not a database " * 50)
    fresh = EmbeddingCache(tmp_path, "model")
    with pytest.warns(RuntimeWarning, match="unreadable.*rebuilt"):
        assert fresh.get(["a", "b"]) == {}
    fresh.put({"a": np.ones(4, np.float32)})
    assert len(fresh) == 1 and len(list(tmp_path.glob("*.corrupt-*"))) == 1


def test_a_truncated_reduction_cache_entry_is_recomputed(tmp_path):
    import numpy as np

    from topics.model.reduction import ReductionCache

    cache = ReductionCache(tmp_path)
    cache.save("layout", "k", coords=np.ones((5, 2)))
    path = tmp_path / "layout-k.npz"
    path.write_bytes(path.read_bytes()[:40])
    assert cache.load("layout", "k") is None


def test_ids_that_mix_numbers_and_text_are_refused(tmp_path):
    path = tmp_path / "mixed.jsonl"
    rows = [
        '{"session_id": 7, "utterance_id": "a", "turn": 1, "role": "therapist", "speaker_id": "t", "text": "Hi."}',
        '{"session_id": "7", "utterance_id": "b", "turn": 2, "role": "therapist", "speaker_id": "t", "text": "So."}',
        '{"session_id": 7.0, "utterance_id": "c", "turn": 3, "role": "client", "speaker_id": "c", "text": "Ok."}',
    ]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match=r"line 2, column .session_id.*mixes number and str"):
        topics.load_corpus(path)


def test_a_list_in_the_text_column_is_refused_not_stringified(tmp_path):
    table = pd.DataFrame(
        {
            "session_id": ["s", "s"],
            "utterance_id": ["a", "b"],
            "turn": [1, 2],
            "role": ["therapist", "client"],
            "speaker_id": ["t", "c"],
            "text": [["Mm-hmm."], ["Yes."]],
        }
    )
    table.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(InputError, match="column 'text'.*must be a string"):
        topics.load_corpus(tmp_path / "t.parquet")


def test_upper_case_transcript_names_are_read(tmp_path):
    (tmp_path / "SESSION1.TXT").write_text("T: How was the week?\nC: Long.\nT: Tell me more about it.\n")
    corpus = topics.load_corpus(tmp_path)
    assert corpus["session_id"].unique().tolist() == ["SESSION1"]


def test_utf16_gets_a_cli_hint_and_the_cli_reads_it_with_encoding(tmp_path):
    from click.testing import CliRunner

    from topics.cli import main

    path = tmp_path / "t.csv"
    path.write_text("session_id,turn,role,text\ns,1,therapist,Hello there\n", encoding="utf-16")
    with pytest.raises(InputError, match="--encoding utf-16"):
        topics.load_corpus(path)
    assert topics.load_corpus(path, encoding="utf-16")["text"].tolist() == ["Hello there"]
    result = CliRunner().invoke(main, ["fit", str(path), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "--encoding utf-16" in result.output


def test_a_killed_runs_temporary_folder_is_cleaned_on_the_next_write(tmp_path):
    from topics._files import atomic_folder

    dead = tmp_path / ".run.tmp-999999999-abc"  # no process has that pid
    live = tmp_path / f".run.tmp-{os.getpid()}-xyz"
    dead.mkdir()
    live.mkdir()
    with atomic_folder(tmp_path / "run") as folder:
        (folder / "x.txt").write_text("x")
    assert not dead.exists() and live.exists() and (tmp_path / "run" / "x.txt").exists()


def test_a_full_disk_names_the_file_and_keeps_the_old_run(tmp_path, monkeypatch):
    import errno

    from topics._files import atomic_folder

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "old.txt").write_text("old")
    with (
        pytest.raises(InputError, match="no space left on the disk while writing .*big.bin"),
        atomic_folder(tmp_path / "run") as folder,
    ):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "big.bin"))
    assert (tmp_path / "run" / "old.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.skipif(not shutil.which("strace") or not shutil.which("chromium"), reason="needs strace and chromium")
def test_static_figures_are_drawn_without_reaching_any_host(tmp_path):
    """The browser kaleido drives for PNG/SVG export reaches nothing outside this machine.

    Traced with strace: no TCP or UDP connection to an outside address succeeds, and no DNS query leaves.
    """
    import re
    import subprocess
    import sys

    script = tmp_path / "draw.py"
    script.write_text(
        "import plotly.graph_objects as go\nfrom topics.reporting import export_static\n"
        f"print(export_static({{'a': go.Figure(go.Bar(y=[1, 2]))}}, {str(tmp_path / 'out')!r}, ['png', 'svg']))\n"
    )
    log = tmp_path / "strace.log"
    subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=connect,sendto", "-o", str(log), sys.executable, str(script)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    assert (tmp_path / "out" / "a.png").stat().st_size > 1000
    outside = []
    for line in log.read_text().splitlines():
        if "AF_INET" not in line:
            continue
        address = re.search(r'inet_(?:addr|pton)\((?:AF_INET6, )?"([^"]+)"', line)
        local = address and (address.group(1).startswith(("127.", "::1", "0.0.0.0")) or address.group(1) == "::")
        succeeded = re.search(r"\) = \d+$", line)
        if not local and (succeeded or "htons(53)" in line):
            outside.append(line)
    assert outside == []
