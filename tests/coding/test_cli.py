"""``topics code RUN --codebook FILE [--labels FILE]``: the happy path, and one-line errors before any write."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from tests.coding.conftest import BOOK_TOML, REMARKS, WordEmbedder
from topics.cli import main
from topics.config import TopicConfig
from topics.runs import run_fingerprint


class _FakeEmbedder(WordEmbedder):
    def __init__(self, config=None, show_progress=True) -> None:
        super().__init__()


@pytest.fixture
def run(tmp_path, monkeypatch):
    """A minimal run folder: the model's remark table, config and manifest (no BERTopic needed to code)."""
    import topics.embed

    monkeypatch.setattr(topics.embed, "Embedder", _FakeEmbedder)
    folder = tmp_path / "run"
    (folder / "model").mkdir(parents=True)
    table = REMARKS.assign(session_id=REMARKS["utterance_id"].str.split("-").str[0], topic=[0, 0, 1, 1] * 3)
    table.to_parquet(folder / "model" / "assignments.parquet")
    TopicConfig().to_toml(folder / "model" / "config.toml")
    (folder / "model" / "manifest.json").write_text(json.dumps({"embedding_model": "fake"}))
    (tmp_path / "toy.toml").write_text(BOOK_TOML)
    return folder


def test_zero_shot_then_few_shot_write_the_codes_folder(run, tmp_path):
    result = CliRunner().invoke(
        main, ["code", str(run), "--codebook", str(tmp_path / "toy.toml"), "--temperature", "0.1", "--next", "3"]
    )
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(run / "codes" / "coded.csv")
    assert coded["utterance_id"].tolist() == REMARKS["utterance_id"].tolist()
    assert {"session_id", "code", "probability", "low_confidence", "p_smoking", "p_drinking"} <= set(coded.columns)
    manifest = json.loads((run / "codes" / "manifest.json").read_text())
    assert manifest["model_fingerprint"] == run_fingerprint(run) and manifest["written_by"] == "topics code"
    assert json.loads((run / "codes" / "coder.json").read_text())["mode"] == "zero-shot"
    assert len(pd.read_csv(run / "codes" / "next_to_label.csv")) == 3

    labels = tmp_path / "labels.csv"
    ids = REMARKS["utterance_id"].tolist()
    codes = [
        "smoking",
        "smoking",
        "drinking",
        "drinking",
        "smoking",
        "drinking",
        "smoking",
        "drinking",
        "none of these",
        "smoking",
        "drinking",
        "none of these",
    ]
    labels.write_text(
        "utterance_id,code,author,time,rationale\n"
        + "".join(f"{u},{c},A,2026-12-06T09:00:00+00:00,\n" for u, c in zip(ids, codes, strict=True))
    )
    result = CliRunner().invoke(
        main, ["code", str(run), "--codebook", str(tmp_path / "toy.toml"), "--labels", str(labels), "--held-out", "0.3"]
    )
    assert result.exit_code == 0, result.output
    info = json.loads((run / "codes" / "coder.json").read_text())
    assert info["mode"] == "few-shot" and info["labels_trained_on"] + info["labels_held_out"] == 12
    coded = pd.read_csv(run / "codes" / "coded.csv")
    assert coded["label"].tolist() == codes
    if info["labels_held_out"]:
        assert "kappa" in pd.read_csv(run / "codes" / "agreement.csv").columns


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--codebook", "{tmp}/missing.toml"], "no such codebook file"),
        (["--codebook", "{tmp}/bad.yaml"], "aliases"),
        (["--codebook", "{tmp}/toy.toml", "--labels", "{tmp}/missing.csv"], "no such label file"),
        (["--codebook", "{tmp}/toy.toml", "--labels", "{tmp}/wrong.csv"], "unknown code 'advice'"),
        (["--codebook", "{tmp}/toy.toml", "--labels", "{tmp}/stranger.csv"], "not remarks of"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(run, tmp_path, args, needle):
    (tmp_path / "bad.yaml").write_text("codes:\n- &a {name: a, description: x}\n- *a\n")
    header = "utterance_id,code,author,time,rationale\n"
    (tmp_path / "wrong.csv").write_text(header + "s0-0,advice,A,t,\n")
    (tmp_path / "stranger.csv").write_text(header + "zz-1,smoking,A,t,\n")
    result = CliRunner().invoke(main, ["code", str(run), *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and needle in errors[0], result.output
    assert result.output.rstrip().endswith(errors[0])  # the error is the last line: nothing after it
    assert not (run / "codes").exists()


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    (tmp_path / "toy.toml").write_text(BOOK_TOML)
    result = CliRunner().invoke(main, ["code", str(tmp_path / "nothing"), "--codebook", str(tmp_path / "toy.toml")])
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert result.exit_code == 2 and len(errors) == 1 and "not a run folder" in errors[0]
