"""Codes as a comparable table (issue 26): `topics code` on the fitted AnnoMI run, read back, compared with
`run_comparison` unchanged; codes of an earlier fit refused in one line; the hybrid tables; hostile files."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import topics
from topics.cli import main
from topics.coding import NONE_CODE, example_codebook, example_codebook_path
from topics.coding.tables import (
    NONE_TOPIC,
    codes_as_assignments,
    coverage,
    load_codes,
    outside_codebook,
    read_coded,
    topics_by_codes,
)
from topics.errors import InputError

NONE_THRESHOLD = 0.45
"""Zero-shot codes below this probability are "none of these" (about one remark in ten on AnnoMI)."""


@pytest.fixture(scope="module")
def coded_run(annomi_run, tmp_path_factory):
    """A copy of the fitted AnnoMI run, coded zero-shot with the example codebook by `topics code`."""
    run = tmp_path_factory.mktemp("coded") / "run"
    shutil.copytree(annomi_run[1], run)
    result = CliRunner().invoke(
        main, ["code", str(run), "--codebook", str(example_codebook_path()), "--none-threshold", str(NONE_THRESHOLD)]
    )
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture(scope="module")
def codes_table(coded_run):
    analysis = topics.load_run(coded_run)
    return analysis, load_codes(coded_run, analysis.fingerprint)


@pytest.mark.slow
def test_codes_become_topics_that_run_comparison_compares_unchanged(codes_table):
    from topics.compare import run_comparison

    analysis, codes = codes_table
    assert codes.codes == example_codebook().names and codes.summary["mode"] == "zero-shot"
    table = codes.table(analysis.assignments)
    assert len(table) == len(analysis.assignments)
    assert table["utterance_id"].tolist() == analysis.assignments["utterance_id"].astype(str).tolist()
    coded = pd.read_csv(coded_run_file(codes), dtype={"utterance_id": str}).set_index("utterance_id")
    expected = coded.loc[table["utterance_id"], "code"].to_numpy()
    assert (table["label"].to_numpy() == expected).all()  # the code's name as the label
    number = {c: i for i, c in enumerate(codes.codes)} | {NONE_CODE: NONE_TOPIC}
    assert (table["topic"].to_numpy() == [number[c] for c in expected]).all()
    assert (table["topic"] == NONE_TOPIC).sum() == (coded["probability"] < NONE_THRESHOLD).sum() > 0
    # the session metadata and the inductive topic stay beside the code
    assert (table["mi_quality"].to_numpy() == analysis.assignments["mi_quality"].to_numpy()).all()
    assert (table["inductive_topic"].to_numpy() == analysis.assignments["topic"].to_numpy()).all()
    assert "code" in table.columns  # AnnoMI's own human code column is metadata, kept as it was
    assert (table["code"].fillna("") == analysis.assignments["code"].fillna("")).all()

    comp = run_comparison(table, "mi_quality", groups=["high", "low"], n_perm=200, n_boot=100, crosscheck=False)
    rows = comp.contrasts.set_index("topic")
    assert set(rows.index) == {*range(len(codes.codes)), NONE_TOPIC}
    assert [rows.loc[i, "label"] for i in range(len(codes.codes))] == codes.codes
    # the share it tests is the average session's share of the code (estimand "session", all remarks)
    per_session = pd.crosstab(table["session_id"], table["label"], normalize="index")
    group = table.drop_duplicates("session_id").set_index("session_id")["mi_quality"]
    for i, code in enumerate(codes.codes):
        share_high = per_session.loc[group[group == "high"].index, code].mean()
        assert rows.loc[i, "share_a"] == pytest.approx(share_high)
    assert not comp.positions.empty and set(comp.positions["topic"]) <= set(number.values())


def coded_run_file(codes):
    return codes.folder / "coded.csv"


@pytest.mark.slow
def test_codes_of_an_earlier_fit_are_refused_in_one_line(coded_run, annomi_extract, tmp_path, embedder):
    """A refit keeps RUN/codes (a folder the fit did not write) but the codes belong to the old model."""
    from topics.config import TopicConfig

    run = tmp_path / "run"
    shutil.copytree(coded_run, run)
    before = topics.load_run(run).fingerprint
    config = TopicConfig.from_toml(run / "model" / "config.toml")
    config.hdbscan.min_cluster_size = 40  # another model of the same remarks
    analysis = topics.fit(annomi_extract, config, out=run, embedder=embedder)
    assert analysis.fingerprint != before and (run / "codes" / "coded.csv").is_file()
    with pytest.raises(InputError) as err:
        load_codes(run, analysis.fingerprint)
    message = str(err.value)
    assert "\n" not in message and "was coded on another model" in message and f"topics code {run}" in message
    with pytest.raises(InputError, match="another model"):
        load_codes(run)  # by default, checked against the model saved in the run
    result = CliRunner().invoke(main, ["compare", str(run), "--codes"])
    assert result.exit_code == 2 and "was coded on another model" in result.output
    assert not any(p.name.startswith("compare-codes") for p in run.iterdir())  # nothing written


def test_hybrid_tables_count_what_the_codebook_claims():
    """Two topics of four remarks each: topic 0 mostly claimed with confidence, topic 1 mostly not."""
    assignments = pd.DataFrame(
        {
            "utterance_id": [f"u{i}" for i in range(9)],
            "session_id": ["a", "a", "a", "a", "b", "b", "b", "b", "b"],
            "turn": range(9),
            "topic": [0, 0, 0, 0, 1, 1, 1, 1, -1],
            "label": ["t0"] * 4 + ["t1"] * 4 + ["outliers"],
            "group": ["x"] * 4 + ["y"] * 5,
        }
    )
    coded = pd.DataFrame(
        {
            "utterance_id": [f"u{i}" for i in range(9)],
            "code": ["q", "q", "r", NONE_CODE, NONE_CODE, "r", "q", NONE_CODE, "q"],
            "probability": [0.9, 0.8, 0.7, 0.2, 0.3, 0.9, 0.5, 0.1, 0.9],
            "low_confidence": [False, False, False, True, True, False, True, True, False],
        }
    )
    table = codes_as_assignments(coded, assignments, ["q", "r"])
    assert table["topic"].tolist() == [0, 0, 1, -1, -1, 1, 0, -1, 0]
    cover = coverage(table, "group").set_index("group")
    assert cover.loc["all", "claimed"] == 6 and cover.loc["all", "confident"] == 5
    assert cover.loc["x", "claimed_share"] == 0.75 and cover.loc["y", "confident_share"] == 0.4
    assert cover.loc["y", "low_confidence_share"] == 0.2  # u6: claimed, unsure
    assert coverage(table, threshold=0.85).set_index("group").loc["all", "confident"] == 3
    counts = topics_by_codes(table, normalize=False)
    assert counts.columns.tolist() == ["q", "r", NONE_CODE] and counts.to_numpy().sum() == 9
    assert counts.index.get_level_values("topic").tolist() == [0, 1, -1]  # largest first, no topic last
    assert counts.loc[(1, "t1")].tolist() == [1, 1, 2]
    assert np.allclose(topics_by_codes(table).sum(axis=1), 1.0)
    outside = outside_codebook(table)
    assert outside["topic"].tolist() == [1]  # 3 of its 4 remarks: none of these (2) or unsure (1)
    assert outside.loc[0, "unclaimed_share"] == 0.75 and outside.loc[0, "none_share"] == 0.5
    assert outside_codebook(table, min_share=0.25)["topic"].tolist() == [1, 0]
    with pytest.raises(InputError, match="have no code"):
        codes_as_assignments(coded.iloc[:5], assignments, ["q", "r"])


def _write(path, rows: list[str]) -> str:
    path.write_text("utterance_id,code,probability,low_confidence,p_q,p_r\n" + "\n".join(rows) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("rows", "line", "column", "words"),
    [
        (["u1,q,0.9,False,0.9,0.1", "u2,r,1.7,False,0.1,0.9"], 3, "probability", "from 0 to 1"),
        (["u1,q,0.9,False,0.9,0.1", "u1,r,0.6,False,0.4,0.6"], 3, "utterance_id", "a second time"),
        (["u1,q,0.9,maybe,0.9,0.1"], 2, "low_confidence", "True or False"),
        (["u1,q,0.9,False,0.9,0.1", "u2,<script>,0.6,False,0.4,0.6"], 3, "code", "not in the codebook"),
        (["u1,q,0.9,False,=1+1,0.1"], 2, "p_q", "from 0 to 1"),
    ],
)
def test_a_bad_coded_file_is_one_line_naming_its_line_and_column(tmp_path, rows, line, column, words):
    with pytest.raises(InputError) as err:
        read_coded(_write(tmp_path / "coded.csv", rows))
    assert err.value.line == line and err.value.column == column and words in err.value.message
    assert "\n" not in str(err.value)


def test_coded_files_are_size_checked_and_guarded_names_read_back(tmp_path, monkeypatch):
    import topics.coding.tables as tables
    from topics._files import export_csv

    table = pd.DataFrame(
        {
            "utterance_id": ["u1", "u2"],
            "code": ["=SUM(A1)", "plain"],
            "probability": [0.9, 0.8],
            "low_confidence": [False, True],
            "p_=SUM(A1)": [0.9, 0.2],
            "p_plain": [0.1, 0.8],
        }
    )
    path = export_csv(table, tmp_path / "coded.csv")
    assert "'=SUM(A1)" in path.read_text()  # the file guards the formula ...
    back, codes = read_coded(path)
    assert back["code"].tolist() == ["=SUM(A1)", "plain"] and codes == ["=SUM(A1)", "plain"]  # ... read back as named
    assert back["low_confidence"].tolist() == [False, True]
    monkeypatch.setattr(tables, "MAX_CODED_BYTES", 20)
    with pytest.raises(InputError, match="larger than 20"):
        read_coded(path)


def test_a_run_without_codes_or_with_an_unsigned_folder_says_what_to_run(tmp_path):
    with pytest.raises(InputError, match="topics code"):
        load_codes(tmp_path)
    (tmp_path / "codes").mkdir()
    _write(tmp_path / "codes" / "coded.csv", ["u1,q,0.9,False,0.9,0.1"])
    (tmp_path / "codes" / "manifest.json").write_text(json.dumps({"written_by": "someone"}))
    with pytest.raises(InputError, match="does not record the model"):
        load_codes(tmp_path, "0" * 64)
