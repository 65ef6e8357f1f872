"""Tables that leave the run folder are de-identified like the report (issue 23): the workbench's curated tables
and the CSV tables of ``topics compare``, unless the user asks for raw text."""

from __future__ import annotations

import re
import tomllib

import pandas as pd
import tomli_w
from click.testing import CliRunner

from topics.cli import main


def _label_word(run) -> str:
    """A word of a model-made topic label that the remarks also use: stands in for a client's name."""
    topics = pd.read_csv(run / "topics.csv")
    label = str(topics.loc[topics["topic"] >= 0, "label"].iloc[0])
    return max(re.findall(r"[a-z]{4,}", label.lower()), key=len)


def _has(texts, word: str) -> bool:
    return any(re.search(rf"\b{word}\b", str(t), re.IGNORECASE) for t in texts)


def test_workbench_tables_are_scrubbed_and_names_masked(run_folder):
    from topics.workbench import Workbench
    from topics.workbench.display import Shown

    word = _label_word(run_folder)
    wb = Workbench(run_folder, author="Dr. Out", use_ner=False)
    wb.shown = Shown(True, [word], use_ner=False)  # as if [deidentify] known_names named it
    wb.session.note(int(wb.topic_table()["topic"].iloc[0]), f"call {word} back at jo.doe@example.org")
    topics_csv, assignments_csv, log_csv = wb.write_outputs("tables")
    topics, assignments, log = pd.read_csv(topics_csv), pd.read_csv(assignments_csv), pd.read_csv(log_csv)
    assert _has(wb.session.view.topics["label"], word)  # the view itself is unchanged
    assert not _has(topics["label"], word) and not _has(topics["keywords"], word)
    assert topics["label"].str.contains(r"\[NAME\]", regex=True).any()
    assert not _has(assignments["text"], word) and assignments["text"].str.contains(r"\[NAME\]", regex=True).any()
    assert len(assignments) == len(wb.session.view.assignments)
    assert not _has(log.astype(str).to_numpy().ravel(), word) and "jo.doe@example.org" not in log_csv.read_text()

    raw = Workbench(run_folder, author="Dr. Out", use_ner=False, deidentify=False)
    topics_csv, assignments_csv, _ = raw.write_outputs("tables")
    assert _has(pd.read_csv(topics_csv)["label"], word) and _has(pd.read_csv(assignments_csv)["text"], word)


def test_topics_compare_tables_are_de_identified_unless_raw_text(run_folder, tmp_path):
    word = _label_word(run_folder)
    config = run_folder / "model" / "config.toml"
    settings = tomllib.loads(config.read_text())
    settings["deidentify"]["known_names"] = [word]
    settings["deidentify"]["ner"] = False
    config.write_text(tomli_w.dumps(settings))
    args = ["compare", str(run_folder), "--perm", "99", "--boot", "50"]
    shared = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "shared")])
    assert shared.exit_code == 0, shared.output
    contrasts = pd.read_csv(tmp_path / "shared" / "contrasts.csv")
    assert not _has(contrasts["label"], word) and contrasts["label"].str.contains(r"\[NAME\]", regex=True).any()
    words = tmp_path / "shared" / "distinctive_words.csv"
    if words.is_file():
        assert not _has(pd.read_csv(words)["word"], word)
    raw = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "raw"), "--raw-text"])
    assert raw.exit_code == 0, raw.output
    assert _has(pd.read_csv(tmp_path / "raw" / "contrasts.csv")["label"], word)
