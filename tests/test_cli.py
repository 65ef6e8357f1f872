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
    result = CliRunner().invoke(main, ["fit", str(csv), "--map", "session_id=session", "--map", "role=who",
                                       "--map", "text=said", "--out", str(tmp_path / "run")])
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
    cfg.write_text(f'seed = 3\n[embedding]\ncache_dir = "{cache}"\n[report]\nstatic_formats = []\n'
                   '[compare]\nby = "mi_quality"\n')
    run = tmp_path / "run"
    result = CliRunner().invoke(main, ["fit", str(tmp_path / "mine.csv"), "--map", "session_id=transcript",
                                       "--map", "text=utterance", "--map", "role=speaker", "--config", str(cfg),
                                       "--out", str(run)])
    assert result.exit_code == 0, result.output
    assert "topics" in result.output and (run / "model" / "manifest.json").exists()
    result = CliRunner().invoke(main, ["report", str(run)])
    assert result.exit_code == 0, result.output
    assert (run / "report.html").stat().st_size > 1_000_000
    # another grouping without a refit: a missing column says which columns can group sessions, and how
    result = CliRunner().invoke(main, ["report", str(run), "--compare-by", "therapist_school", "--out",
                                       str(tmp_path / "other.html")])
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
    from_csv = load_corpus(tmp_path / "my_data" / "utterances.csv",
                           mapping={"session_id": "transcript", "turn": "line", "role": "speaker", "text": "utterance"},
                           role_values={"Clinician": "therapist"}, session_metadata=tmp_path / "my_data" / "sessions.csv")
    from_text = load_corpus(tmp_path / "my_data" / "transcripts", session_metadata=tmp_path / "my_data" / "sessions.csv")
    assert from_csv["session_id"].nunique() == from_text["session_id"].nunique() == 9
    assert len(from_csv) == len(from_text)
    assert set(from_csv["counselor_type"]) == {"professional", "llm"}
    assert (from_csv.groupby("session_id")["role"].apply(set).map(len) == 2).all()
    again = CliRunner().invoke(main, ["examples", str(tmp_path / "my_data")])
    assert again.exit_code == 2 and "not an empty folder" in again.output


def test_cli_hints_use_cli_syntax(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("session,who,said\ns1,therapist,hello there how are you\ns1,Doctor,fine thanks\n")
    result = CliRunner().invoke(main, ["fit", str(csv), "--map", "session_id=session", "--map", "role=who",
                                       "--map", "text=said", "--out", str(tmp_path / "run")])
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
