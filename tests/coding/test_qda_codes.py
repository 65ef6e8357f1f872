"""A run's codes in REFI-QDA with their codings, and an expert's recoding in a QDA program back as labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from click.testing import CliRunner
from qda_programs import load_project, q, qualcoder_reexport, save_project, zip_with

from topics.cli import main
from topics.coding import NONE_CODE, Codebook, LabelFile, example_codebook, example_codebook_path
from topics.coding.codebook import QDA_PARENT_PREFIX
from topics.curate.qda_codes import guid
from topics.errors import InputError
from topics.read.refiqda import read_qda
from topics.reporting.refiqda import SCHEMAS
from topics.reporting.refiqda_codes import code_guid, read_run_codes, write_codes_qdc

xmlschema = pytest.importorskip("xmlschema")


def codes_folder(run, coded: pd.DataFrame, book: Codebook) -> None:
    (run / "codes").mkdir(parents=True)
    (run / "codes" / "codebook.yaml").write_text(book.to_yaml(), encoding="utf-8")
    coded.to_csv(run / "codes" / "coded.csv", index=False)


def test_the_codebook_as_a_qdc_validates_and_reads_back(tmp_path):
    book = example_codebook()
    coded = pd.DataFrame({"utterance_id": ["a", "b", "c"], "code": ["question", NONE_CODE, "reflection"]})
    codes_folder(tmp_path, coded, book)
    path = write_codes_qdc(read_run_codes(tmp_path), tmp_path / "codes.qdc")
    xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).validate(str(path))
    qda = read_qda(path)
    parent = qda.codes[qda.codes["depth"] == 0]
    assert parent["name"].tolist() == [QDA_PARENT_PREFIX + book.name] and not parent["codable"].item()
    back = Codebook.load(path)  # a QDA program's codebook comes back as a codebook: the same codes
    assert back.names == book.names and [c.description for c in back.codes] == [c.description for c in book.codes]

    coded.loc[1, "code"] = "smalltalk"
    coded.to_csv(tmp_path / "codes" / "coded.csv", index=False)
    with pytest.raises(InputError, match="not in codebook.yaml") as err:
        read_run_codes(tmp_path)
    assert "coded.csv" in str(err.value)
    with pytest.raises(InputError, match="the run has no codes"):
        read_run_codes(tmp_path / "elsewhere")


def test_codes_of_an_earlier_fit_of_the_run_are_not_exported(tmp_path):
    """After a refit, RUN/codes/ describes remarks of another model: exporting it would code the wrong remarks."""
    import json

    from topics.coding.tables import run_model_fingerprint

    book = example_codebook()
    coded = pd.DataFrame({"utterance_id": ["a", "b"], "code": ["question", "reflection"]})
    codes_folder(tmp_path, coded, book)
    (tmp_path / "model").mkdir()
    pd.DataFrame({"utterance_id": ["a", "b"], "topic": [0, 1]}).to_parquet(tmp_path / "model" / "assignments.parquet")
    manifest = tmp_path / "codes" / "manifest.json"
    manifest.write_text(json.dumps({"model_fingerprint": "0" * 64}), encoding="utf-8")
    with pytest.raises(InputError, match="was coded on another model"):
        read_run_codes(tmp_path)
    manifest.write_text(json.dumps({"model_fingerprint": run_model_fingerprint(tmp_path)}), encoding="utf-8")
    assert read_run_codes(tmp_path).coded["code"].tolist() == ["question", "reflection"]


def test_a_hostile_project_is_refused_before_the_run_is_read(tmp_path):
    bad = zip_with(
        tmp_path / "bad.qdpx",
        {
            "project.qde": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>'
        },
    )
    labels = tmp_path / "labels.yaml"
    args = ["code-import", str(bad), str(tmp_path / "no-run"), "--labels", str(labels), "--author", "A"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "DTD" in result.output and str(bad) in result.output
    assert len(result.output.strip().splitlines()) == 1 and not labels.exists()


@pytest.fixture(scope="module")
def coded_run(small_corpus, embedder, tmp_path_factory):
    """25 AnnoMI sessions fitted, then coded zero-shot with the AnnoMI behaviour codebook; the fifth of the
    remarks it is least sure of are "none of these"."""
    import topics
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.static_formats = []
    sessions = sorted(small_corpus["session_id"].unique(), key=lambda s: int(s.split("-")[1]))[:25]
    out = tmp_path_factory.mktemp("coded") / "run"
    topics.fit(small_corpus[small_corpus["session_id"].isin(sessions)], cfg, out=out, embedder=embedder)
    book = str(example_codebook_path())
    result = CliRunner().invoke(main, ["code", str(out), "--codebook", book, "--next", "0"])
    assert result.exit_code == 0, result.output
    cut = pd.read_csv(out / "codes" / "coded.csv")["probability"].quantile(0.2)
    result = CliRunner().invoke(
        main, ["code", str(out), "--codebook", book, "--next", "0", "--none-threshold", str(cut)]
    )
    assert result.exit_code == 0, result.output
    return out


def recode_like_a_qda_program(source, target, book: Codebook, coded: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Move one remark's coding to another code, remove one, add one to a remark coded "none of these", and
    give one remark a second code; then QualCoder's re-export (new GUIDs, selections named by their text)."""
    root, files = load_project(source)
    selection = {el.get("guid"): el for el in root.iter(q("PlainTextSelection"))}
    coded_rows = coded[coded["code"] != NONE_CODE]
    moved, removed, doubled = coded_rows.iloc[3], coded_rows.iloc[10], coded_rows.iloc[20]
    added = coded[coded["code"] == NONE_CODE].iloc[0]
    other = {c: next(n for n in book.names if n != c) for c in book.names}

    def codebook_coding(uid: str) -> ET.Element:
        sel = selection[guid("selection", uid)]
        return next(c for c in sel.findall(q("Coding")) if c.find(q("CodeRef")).get("targetGUID") in guids_of_codes)

    guids_of_codes = {code_guid(book, n) for n in book.names}
    codebook_coding(moved.utterance_id).find(q("CodeRef")).set("targetGUID", code_guid(book, other[moved.code]))
    sel = selection[guid("selection", removed.utterance_id)]
    sel.remove(codebook_coding(removed.utterance_id))
    for uid, code in [(added.utterance_id, book.names[2]), (doubled.utterance_id, other[doubled.code])]:
        coding = ET.SubElement(selection[guid("selection", uid)], q("Coding"), {"guid": guid("by hand", uid)})
        ET.SubElement(coding, q("CodeRef"), {"targetGUID": code_guid(book, code)})
    edited = save_project(root, files, target.with_name("edited.qdpx"))
    qualcoder_reexport(edited, target)
    return {
        "moved": (moved.utterance_id, other[moved.code]),
        "removed": (removed.utterance_id, NONE_CODE),
        "added": (added.utterance_id, book.names[2]),
        "doubled": (doubled.utterance_id, ""),
    }


@pytest.mark.slow
def test_recoded_remarks_come_back_as_exactly_those_labels(coded_run, tmp_path):
    run = coded_run
    project = tmp_path / "codes.qdpx"
    result = CliRunner().invoke(main, ["code-export", str(run), "--out", str(project), "--raw-text"])
    assert result.exit_code == 0, result.output
    root, _ = load_project(project)
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(ET.tostring(root, encoding="unicode"))
    book = Codebook.load(run / "codes" / "codebook.yaml")
    coded = pd.read_csv(run / "codes" / "coded.csv", dtype=str, keep_default_na=False)
    assert (coded["code"] == NONE_CODE).any() and coded["code"].nunique() > 3

    # out: a parent code with one child per code; each remark coded with its topic and its code, none not
    qda = read_qda(project)
    parent = qda.codes[qda.codes["name"] == QDA_PARENT_PREFIX + book.name]
    children = qda.codes[qda.codes["parent"] == parent["guid"].item()]
    assert children["name"].tolist() == book.names
    assert children["description"].tolist() == [c.description for c in book.codes]
    names = dict(zip(children["guid"], children["name"], strict=True))
    codings = qda.selections[qda.selections["code"].isin(names)]
    got = dict(zip(codings["name"], codings["code"].map(names), strict=True))  # selections are named by remark
    assert got == dict(coded.loc[coded["code"] != NONE_CODE, ["utterance_id", "code"]].to_numpy())
    assert qda.selections["name"].nunique() == len(coded)  # every remark a selection, with its topic

    # back: exactly the edits become labels, by the author given, after what the file held already
    edited = tmp_path / "recoded.qdpx"
    edits = recode_like_a_qda_program(project, edited, book, coded)
    labels = tmp_path / "labels.yaml"
    LabelFile(labels, book.labels).append(
        [{"utterance_id": coded["utterance_id"].iloc[0], "code": "other"}], author="A"
    )
    before = labels.read_bytes()
    args = ["code-import", str(edited), str(run), "--labels", str(labels), "--author", "B. Expert"]
    result = CliRunner().invoke(main, [*args, "--dry-run"])
    assert result.exit_code == 0 and "nothing written (--dry-run)" in result.output and labels.read_bytes() == before
    result = CliRunner().invoke(main, [*args, "--yes"])
    assert result.exit_code == 0, result.output
    assert labels.read_bytes().startswith(before)  # appended: the old labels stay as they were
    table = LabelFile(labels, book.labels).table().iloc[1:]
    expected = {edits[k] for k in ("moved", "removed", "added")}
    assert set(zip(table["utterance_id"], table["code"], strict=True)) == expected and len(table) == 3
    assert set(table["author"]) == {"B. Expert"} and table["time"].str.match(r"\d{4}-\d\d-\d\dT").all()
    assert f"remark {edits['doubled'][0]} carries 2 codes" in result.output
    again = CliRunner().invoke(main, [*args, "--yes"])  # the same file again: nothing new
    assert again.exit_code == 0 and "3 of the edits are the latest labels already" in again.output
    assert len(LabelFile(labels, book.labels).read()) == 4

    # a code renamed in the program changes the codebook, not the remarks: listed, its remarks not labelled
    root, files = load_project(edited)
    renamed = next(el for el in root.iter(q("Code")) if el.get("name") == book.names[3])
    renamed.set("name", "small talk")
    save_project(root, files, tmp_path / "renamed.qdpx")
    result = CliRunner().invoke(main, ["code-import", str(tmp_path / "renamed.qdpx"), *args[2:], "--yes"])
    assert result.exit_code == 0, result.output
    n = int((coded["code"] == book.names[3]).sum())
    assert f"code {book.names[3]!r} is not in the file (deleted or renamed there): its {n:,} remarks" in result.output
    assert "code 'small talk' is not a code of the codebook" in result.output
    assert len(LabelFile(labels, book.labels).read()) == 4

    # the topics' import sees no codebook code: no ledger entry, nothing skipped
    from topics.analysis import load_run
    from topics.curate import apply_ledger
    from topics.curate.qda_import import qda_entries

    analysis = load_run(run)
    changes = qda_entries(read_qda(edited), apply_ledger(analysis.model, None), author="B. Expert")
    assert not changes.entries and not changes.skipped

    # a file exported from another coding of the run is refused: its differences are not edits
    coded.loc[0, "code"] = next(n for n in book.names if n != coded.loc[0, "code"])
    coded.to_csv(run / "codes" / "coded.csv", index=False)
    result = CliRunner().invoke(main, [*args, "--yes"])
    assert result.exit_code == 2 and "another coding of the run" in result.output and str(edited) in result.output
