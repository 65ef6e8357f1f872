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
