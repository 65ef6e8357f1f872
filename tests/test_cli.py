"""The `topics` command: help texts, a real fit from a CSV, clear errors, nothing written on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from topics.cli import main

BIN = Path(sys.executable).parent / "topics"


@pytest.mark.parametrize("args", [[], ["fit"], ["report"], ["demo"]])
def test_help_on_every_command(args):
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_console_script_is_installed():
    result = subprocess.run([str(BIN), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "fit" in result.stdout and "report" in result.stdout


def test_missing_file_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["fit", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output and "no such file" in result.output
    assert not (tmp_path / "run").exists()


def test_bad_role_names_file_line_and_column(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("session,who,said\ns1,therapist,hello there how are you\ns1,doctor,fine thanks\n")
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(csv),
            "--map",
            "session_id=session",
            "--map",
            "role=who",
            "--map",
            "text=said",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 2
    assert "t.csv, line 3, column 'who'" in result.output and "doctor" in result.output
    assert not (tmp_path / "run").exists()


def test_bad_config_key_names_line(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("seed = 1\n[umap]\nn_neigbors = 5\n")
    result = CliRunner().invoke(main, ["fit", "demo", "--config", str(cfg), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "c.toml, line 3" in result.output and "n_neigbors" in result.output


def test_seed_option_goes_through_the_config_checks(tmp_path):
    result = CliRunner().invoke(main, ["fit", "demo", "--seed", "-1", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "seed" in result.output and "between 0 and" in result.output
    assert not (tmp_path / "run").exists()


def test_fit_and_report_from_a_csv(small_corpus, tmp_path):
    """A user's CSV with their own column names, mapped on the command line, through to the report."""
    src = small_corpus.rename(columns={"session_id": "transcript", "text": "utterance", "role": "speaker"})
    src = src.drop(columns=["utterance_id", "turn", "speaker_id"])
    src["speaker"] = src["speaker"].map({"therapist": "Counsellor", "client": "Client"})
    src.to_csv(tmp_path / "mine.csv", index=False)
    cfg = tmp_path / "c.toml"
    cache = Path(__file__).resolve().parents[1] / ".cache" / "embeddings"
    cfg.write_text(
        f'seed = 3\n[embedding]\ncache_dir = "{cache}"\n[report]\nstatic_formats = []\n[compare]\nby = "mi_quality"\n'
    )
    run = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(tmp_path / "mine.csv"),
            "--map",
            "session_id=transcript",
            "--map",
            "text=utterance",
            "--map",
            "role=speaker",
            "--config",
            str(cfg),
            "--out",
            str(run),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "topics" in result.output and (run / "model" / "manifest.json").exists()
    result = CliRunner().invoke(main, ["report", str(run)])
    assert result.exit_code == 0, result.output
    assert (run / "report.html").stat().st_size > 1_000_000
    # another grouping without a refit: a missing column says which columns can group sessions, and how
    result = CliRunner().invoke(
        main, ["report", str(run), "--compare-by", "therapist_school", "--out", str(tmp_path / "other.html")]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "other.html").read_text(encoding="utf-8")
    assert "therapist_school" in page and "mi_quality" in page and "--compare-by" in page
    for internal in ("n_words", "duplicate_count", "outlier_reassigned", "display_text"):
        assert f"columns you can compare by: {internal}" not in page and f", {internal}" not in page
    result = CliRunner().invoke(main, ["config", str(run)])
    assert result.exit_code == 0 and result.output.startswith("seed = 3 ")
    assert 'by = "mi_quality"' in result.output


def test_config_defaults_round_trip(tmp_path):
    """`topics config --defaults > study.toml` is a valid config file that reads back to the defaults."""
    from topics.config import TopicConfig

    result = CliRunner().invoke(main, ["config", "--defaults"])
    assert result.exit_code == 0
    (tmp_path / "study.toml").write_text(result.output, encoding="utf-8")
    assert TopicConfig.from_toml(tmp_path / "study.toml").to_dict() == TopicConfig().to_dict()


def test_examples_write_three_input_shapes_that_read_back(tmp_path):
    """`topics examples` writes a CSV with other names, T:/C: transcripts and session metadata; all three read."""
    from topics.read import load_corpus

    result = CliRunner().invoke(main, ["examples", str(tmp_path / "my_data"), "--per-group", "3"])
    assert result.exit_code == 0, result.output
    from_csv = load_corpus(
        tmp_path / "my_data" / "utterances.csv",
        mapping={"session_id": "transcript", "turn": "line", "role": "speaker", "text": "utterance"},
        role_values={"Clinician": "therapist"},
        session_metadata=tmp_path / "my_data" / "sessions.csv",
    )
    from_text = load_corpus(
        tmp_path / "my_data" / "transcripts", session_metadata=tmp_path / "my_data" / "sessions.csv"
    )
    assert from_csv["session_id"].nunique() == from_text["session_id"].nunique() == 9
    assert len(from_csv) == len(from_text)
    assert set(from_csv["counselor_type"]) == {"professional", "llm"}
    assert (from_csv.groupby("session_id")["role"].apply(set).map(len) == 2).all()
    again = CliRunner().invoke(main, ["examples", str(tmp_path / "my_data")])
    assert again.exit_code == 2 and "not an empty folder" in again.output


def test_cli_hints_use_cli_syntax(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("session,who,said\ns1,therapist,hello there how are you\ns1,Doctor,fine thanks\n")
    result = CliRunner().invoke(
        main,
        [
            "fit",
            str(csv),
            "--map",
            "session_id=session",
            "--map",
            "role=who",
            "--map",
            "text=said",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert "--role 'Doctor=therapist'" in result.output
    result = CliRunner().invoke(main, ["fit", str(csv), "--out", str(tmp_path / "run")])
    assert "--map session_id=COLUMN" in result.output


def test_curate_import_names_the_worksheet_in_the_run_folder(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "worksheet.csv").write_text("topic\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["curate", "import", "worksheet.csv", "--run", str(run), "--author", "A"])
    assert result.exit_code == 2
    assert "worksheet.csv: no such file" in result.output and str(run / "worksheet.csv") in result.output


# ---------------------------------------------------------------------------------------------- issue 23: one line, no traceback
def _one_line_error(result, *needles: str) -> None:
    """Exit status 2 and a single `error: ...` line holding every needle (no traceback)."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert all(n in lines[0] for n in needles), result.output


@pytest.fixture(scope="module")
def small_run(small_corpus, embedder, tmp_path_factory) -> Path:
    """The 40-session extract fitted once and saved: copies of it are made hostile below."""
    import topics
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.static_formats = []
    out = tmp_path_factory.mktemp("cli-runs") / "run"
    topics.fit(small_corpus, cfg, out=out, embedder=embedder)
    return out


@pytest.mark.parametrize(
    ("args", "out", "needles"),
    [
        (["export", "csv", "RUN"], "FOLDER", ["--out names an existing folder", "codebook.csv"]),
        (["export", "qdpx", "RUN"], "FOLDER", ["--out names an existing folder", "project.qdpx"]),
        (["export", "qdc", "RUN"], "FOLDER", ["--out names an existing folder", "codebook.qdc"]),
        (["report", "RUN"], "FOLDER", ["--out names an existing folder", "report.html"]),
        (["curate", "agree", "RUN", "a.yaml", "b.yaml"], "FOLDER", ["--out names an existing folder"]),
        (["export", "csv", "RUN"], "/proc/self/x.csv", ["under /proc"]),
        (["export", "qdc", "RUN"], "/dev/stdout", ["under /"]),
        (["report", "RUN"], "/sys/x.html", ["under /sys"]),
        (["fit", "nope.csv"], "/proc/self/run", ["under /proc"]),
        (["compare", "RUN", "--by", "school"], "/proc/self/cmp", ["under /proc"]),
        (["demo"], "/proc/self/run", ["under /proc"]),
    ],
)
def test_an_out_that_cannot_be_written_is_refused_at_once(tmp_path, args, out, needles):
    """Refused before the run is even read: RUN does not exist here, so a later check would say so instead."""
    (tmp_path / "folder").mkdir()
    out = str(tmp_path / "folder") if out == "FOLDER" else out
    args = [str(tmp_path / "no-run") if a == "RUN" else a for a in args]
    result = CliRunner().invoke(main, [*args, "--out", out])
    _one_line_error(result, *needles)


@pytest.mark.parametrize("out", [".", "./", "..", "CWD"])
def test_fit_out_dot_is_refused_before_the_fit(tmp_path, monkeypatch, out):
    """`--out .` once passed the check in an empty folder and crashed at save, after the whole fit."""
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)
    result = CliRunner().invoke(main, ["fit", "demo", "--out", str(here) if out == "CWD" else out])
    _one_line_error(result, "the current folder", "--out runs/study")
    assert list(here.iterdir()) == []


def test_curate_app_on_a_port_in_use_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["curate", "app", str(tmp_path), "--port", str(port), "--no-browser"])
    _one_line_error(result, f"port {port} is in use on 127.0.0.1; choose another port (--port / port=) or leave it out")


def test_the_python_server_refuses_a_port_in_use_in_one_line():
    """``serve(port=N)`` / ``start_server(port=N)`` from Python checked the port only in the CLI (issue 23, low)."""
    import socket

    from topics.errors import InputError
    from topics.workbench.server import start_server

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError, match=f"port {port} is in use on 127.0.0.1"):
            start_server(lambda: None, port=port, threaded=True)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("model/manifest.json", "[" * 100_000 + "]" * 100_000, "nested more than 32 levels"),
        ("model/manifest.json", '{"a": ' * 40 + "1" + "}" * 40, "nested more than 32 levels"),
        ("model/manifest.json", "[1, 2]", "no list of topic_ids"),
        ("corpus_summary.json", '{"x": "' + "y" * (17 << 20) + '"}', "larger than 16,777,216 bytes"),
        ("timings.json", '{"a": ' * 10_000 + "1" + "}" * 10_000, "nested more than"),
        ("timings.json", "{\n  oops", "line 2: not valid JSON"),
    ],
)
def test_a_hostile_json_file_in_a_run_is_one_line(small_run, tmp_path, name, content, needle):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(small_run, run)
    (run / name).write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "qdc", str(run), "--out", str(tmp_path / "c.qdc")])
    _one_line_error(result, name.rsplit("/", 1)[-1], needle)


def test_a_hostile_derived_manifest_records_no_model(small_run, tmp_path):
    from topics.runs import derived_fingerprint

    (tmp_path / "manifest.json").write_text("[" * 30_000 + "]" * 30_000, encoding="utf-8")  # under 64 KB
    assert derived_fingerprint(tmp_path) is None  # once a RecursionError out of the report and the workbench


def test_a_huge_config_is_one_line(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[report]\ntitle = "' + "x" * (2 << 20) + '"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["fit", "demo", "--config", str(cfg), "--out", str(tmp_path / "run")])
    _one_line_error(result, "c.toml", "larger than 1,048,576 bytes")
