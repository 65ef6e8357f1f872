"""REFI-QDA import: hostile files refused, edits made in QDA software become ledger entries, Taguette's codebook."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from qda_programs import (
    CNS,
    GUID_ATTRIBUTES,
    PNS,
    load_project,
    q,
    qualcoder_reexport,
    regenerated_codebook,
    save_project,
    zip_with,
)

from topics.clean import Deidentifier
from topics.cli import main
from topics.curate import Entry, Ledger, apply_ledger
from topics.curate.qda_codes import GENERATED_LINES, all_codes, code_table, guid, is_generated_line, topic_guid
from topics.curate.qda_import import import_qda, qda_entries, same_text
from topics.curate.qda_match import file_state
from topics.errors import InputError
from topics.read import refiqda
from topics.read.refiqda import read_qda
from topics.reporting.refiqda import transcript, write_codebook_csv, write_qdc, write_qdpx

PROJECT = Path(__file__).resolve().parents[2]
TAGUETTE_PYTHON = PROJECT / ".venv-taguette" / "bin" / "python"
"""Made by ``make setup`` from requirements-taguette.lock (Taguette cannot share the main venv)."""
GOOD_CODEBOOK = (
    f'<?xml version="1.0"?><CodeBook xmlns="{CNS}"><Codes>'
    '<Code guid="C848AE16-C486-512F-8C22-F14C9FE60DFE" name="a" isCodable="true"/></Codes></CodeBook>'
)


# ------------------------------------------------------------------ the reader refuses hostile files
@pytest.mark.parametrize(
    "body, needle",
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            f'<CodeBook xmlns="{CNS}"><Codes/></CodeBook>',
            "DTD",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f'<CodeBook xmlns="{CNS}"><Codes><Code guid="C848AE16-C486-512F-8C22-F14C9FE60DFE" name="&xxe;" '
            'isCodable="true"/></Codes></CodeBook>',
            "DTD",
        ),
        (f'<CodeBook xmlns="{CNS}"><Codes><Code name="x"', "not well-formed"),
        ("<html><body/></html>", "root element is <html>"),
        (f'<CodeBook xmlns="{CNS}"><Codes><Code name="no guid" isCodable="true"/></Codes></CodeBook>', "has no guid"),
        (
            GOOD_CODEBOOK.replace(
                "</Codes>", '<Code guid="C848AE16-C486-512F-8C22-F14C9FE60DFE" name="b" isCodable="true"/></Codes>'
            ),
            "share the guid",
        ),
    ],
)
def test_hostile_or_broken_codebooks_are_refused_in_one_line(tmp_path, body, needle):
    path = tmp_path / "book.qdc"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        read_qda(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_a_taguette_style_codebook_with_empty_sets_is_read(tmp_path):
    path = tmp_path / "book.qdc"
    path.write_text(GOOD_CODEBOOK.replace("</Codes>", "</Codes><Sets/>"), encoding="utf-8")
    assert read_qda(path).codes["name"].tolist() == ["a"]


def test_hostile_archives_are_refused(tmp_path, monkeypatch):
    qde = f'<Project xmlns="{PNS}" name="p"/>'.encode()
    with pytest.raises(InputError, match="outside its folder"):
        read_qda(zip_with(tmp_path / "a.qdpx", {"project.qde": qde, "../../evil.txt": b"x"}))
    with pytest.raises(InputError, match="outside its folder"):
        read_qda(zip_with(tmp_path / "b.qdpx", {"project.qde": qde, "/etc/evil": b"x"}))
    with pytest.raises(InputError, match="exactly one project .qde"):
        read_qda(zip_with(tmp_path / "c.qdpx", {"sources/x.txt": b"x"}))
    with pytest.raises(InputError, match="not a .qdpx"):
        (tmp_path / "d.qdpx").write_bytes(b"PK not really")
        read_qda(tmp_path / "d.qdpx")
    monkeypatch.setattr(refiqda, "MAX_MEMBERS", 3)
    with pytest.raises(InputError, match="members"):
        read_qda(zip_with(tmp_path / "e.qdpx", {"project.qde": qde, **{f"sources/{i}.txt": b"" for i in range(5)}}))
    # a zip bomb: a few kB on disk, far more once inflated; reading stops at the limit
    monkeypatch.setattr(refiqda, "MAX_XML_BYTES", 1 << 20)
    bomb = qde[:-2] + b">" + b" " * (8 << 20) + b"</Project>"
    path = zip_with(tmp_path / "f.qdpx", {"project.qde": bomb})
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError, match="larger than 1 MiB"):
        read_qda(path)


def _one_line(err: pytest.ExceptionInfo, path: Path) -> None:
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_an_element_bomb_is_refused_in_a_fraction_of_a_second_and_little_memory(tmp_path):
    import time
    import tracemalloc

    # 16 MiB of <a/> (4 million elements) in a ~16 KB archive; the issue's 102 KB file holds 100 MiB
    bomb = f'<Project xmlns="{PNS}" name="p">'.encode() + b"<a/>" * (4 << 20) + b"</Project>"
    path = zip_with(tmp_path / "bomb.qdpx", {"project.qde": bomb})
    assert path.stat().st_size < 200_000
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"^\S*bomb.qdpx: the XML holds more than [\d,]+ elements") as err:
        read_qda(path)
    assert time.perf_counter() - t0 < 2
    _one_line(err, path)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="elements"):
            read_qda(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak / 2**20:.0f} MiB to refuse a bomb"


def test_the_element_and_depth_caps_leave_room_for_a_large_project(tmp_path, monkeypatch):
    assert refiqda.MAX_ELEMENTS >= 3_100_000 + 1_000_000  # a million coded remarks (3 elements each) and more
    monkeypatch.setattr(refiqda, "MAX_ELEMENTS", 1_000)
    monkeypatch.setattr(refiqda, "DENSITY_FROM", 10**9)
    sel = '<CodeRef targetGUID="c848ae16-c486-512f-8c22-f14c9fe60dfe"/>'
    qde = f'<Project xmlns="{PNS}" name="p"><Notes>' + sel * (70_000) + "</Notes></Project>"
    path = zip_with(tmp_path / "many.qdpx", {"project.qde": qde.encode()})
    with pytest.raises(InputError, match="more than 1,000 elements") as err:
        read_qda(path)
    _one_line(err, path)


@pytest.mark.parametrize("element", ["Code", "a"])
def test_deep_nesting_is_refused_in_one_line(tmp_path, element):
    inner = "".join(
        f'<{element} guid="{i:08x}-c486-512f-8c22-f14c9fe60dfe" name="c{i}" isCodable="true">' for i in range(2000)
    )
    closing = f"</{element}>" * 2000
    body = f'<CodeBook xmlns="{CNS}"><Codes>{inner}{closing}</Codes></CodeBook>'
    path = tmp_path / "deep.qdc"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match="nests elements more than 100 deep") as err:
        read_qda(path)
    _one_line(err, path)
    archive = zip_with(tmp_path / "deep.qdpx", {"project.qde": body.replace("CodeBook", "Project").encode()})
    with pytest.raises(InputError, match="nests elements more than 100 deep") as err:
        read_qda(archive)
    _one_line(err, archive)


def test_a_corrupt_deflate_stream_is_one_line(tmp_path):
    qde = f'<Project xmlns="{PNS}" name="p">'.encode() + b"<Notes/>" * 20_000 + b"</Project>"
    path = zip_with(tmp_path / "corrupt.qdpx", {"project.qde": qde})
    raw = bytearray(path.read_bytes())
    start = 30 + len("project.qde")  # the first member's data follows its local header
    raw[start + 20 : start + 220] = b"\xff" * 200
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match="cannot read") as err:
        read_qda(path)
    _one_line(err, path)


@pytest.mark.parametrize("suffix", [".qdc", ".qdpx"])
def test_an_unknown_xml_encoding_is_one_line(tmp_path, suffix):
    body = GOOD_CODEBOOK.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="x-no-such-codec"?>')
    if suffix == ".qdpx":
        path = zip_with(tmp_path / "enc.qdpx", {"project.qde": body.replace("CodeBook", "Project").encode()})
    else:
        path = tmp_path / "enc.qdc"
        path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match="unknown encoding: x-no-such-codec") as err:
        read_qda(path)
    _one_line(err, path)


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda long: GOOD_CODEBOOK.replace('name="a"', f'name="{long}"'), "a code name has 2,097,152 characters"),
        (
            lambda long: GOOD_CODEBOOK.replace("/></Codes>", f"><Description>{long * 2}</Description></Code></Codes>"),
            "a code description has",
        ),
    ],
)
def test_a_huge_name_or_description_is_refused_not_written_to_the_ledger(tmp_path, make, needle):
    path = tmp_path / "long.qdc"
    path.write_text(make("x" * (2 << 20)), encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        read_qda(path)
    _one_line(err, path)
    assert len(str(err.value)) < 500


def test_the_cli_checks_the_file_before_loading_the_run(tmp_path, monkeypatch):
    from topics.analysis import Analysis

    def never(*args, **kwargs):
        raise AssertionError("the run was loaded before the file was checked")

    monkeypatch.setattr(Analysis, "load", classmethod(never))
    bomb = f'<Project xmlns="{PNS}" name="p">'.encode() + b"<a/>" * (1 << 20) + b"</Project>"
    path = zip_with(tmp_path / "bomb.qdpx", {"project.qde": bomb})
    result = CliRunner().invoke(main, ["curate", "import", str(path), "--run", str(tmp_path), "--author", "x"])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "elements" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_same_text_tolerates_de_identification_placeholders():
    assert same_text("  Smoking  cessation", "smoking cessation")
    assert same_text("talking with [NAME] about work", "talking with Jennifer Alvarez about work")
    assert same_text("[NAME], drinking", "Kevin, drinking")
    assert not same_text("Quitting", "smoking cessation")
    assert not same_text("[NAME] about home", "talking with Jennifer about work")


# ------------------------------------------------------------------ edits become ledger entries
@pytest.fixture(scope="module")
def exported(annomi_run, tmp_path_factory):
    """The raw AnnoMI run exported verbatim, and the topic codes in codebook order."""
    analysis, run = annomi_run
    folder = tmp_path_factory.mktemp("qda_import")
    path = write_qdpx(analysis, folder / "run.qdpx", raw_text=True)
    return analysis, run, path


def edit_like_a_qda_program(source: Path, target: Path, view) -> dict[str, int]:
    """Rename 0, nest 2 under 1 (merge), merge 4 into 5 the NVivo way (recode all, delete), delete 6, recode
    two remarks of 7 to 0, and attach a new note to 8."""
    root, files = load_project(source)
    codes_el = root.find(q("CodeBook")).find(q("Codes"))
    code = {
        int(t): el for el in codes_el.findall(q("Code")) for t in [view_topic(view, el.get("guid"))] if t is not None
    }
    code[0].set("name", "Alcohol use")
    codes_el.remove(code[2])
    code[1].append(code[2])
    for ref in root.iter(q("CodeRef")):
        if ref.get("targetGUID") == code[4].get("guid"):
            ref.set("targetGUID", code[5].get("guid"))
    codes_el.remove(code[4])
    codes_el.remove(code[6])
    recoded = 0
    for ref in root.iter(q("CodeRef")):
        if ref.get("targetGUID") == code[7].get("guid") and recoded < 2:
            ref.set("targetGUID", code[0].get("guid"))
            recoded += 1
    description = root.find(q("Description"))
    root.remove(description)
    notes = ET.SubElement(root, q("Notes"))
    note = ET.SubElement(notes, q("Note"), {"guid": "11111111-2222-3333-4444-555555555555", "name": "memo"})
    ET.SubElement(note, q("PlainTextContent")).text = "Reflections of change talk; MI-consistent."
    root.append(description)
    ref = ET.Element(q("NoteRef"), {"targetGUID": "11111111-2222-3333-4444-555555555555"})
    code[8].insert(1, ref)
    save_project(root, files, target)
    return {"recoded": recoded}


def view_topic(view, guid: str) -> int | None:
    for t in view.topics["topic"]:
        if t != -1 and topic_guid(view, int(t)) == guid:
            return int(t)
    return None


@pytest.mark.slow
def test_edits_in_a_qdpx_become_ledger_entries(exported, tmp_path):
    analysis, _, path = exported
    view = apply_ledger(analysis.model, None)
    edited = tmp_path / "edited.qdpx"
    edit_like_a_qda_program(path, edited, view)
    book, changes = import_qda(edited, analysis.model, tmp_path / "ledger.yaml", author="A. Expert")
    got = [(e.op, e.topics, e.label or e.text or e.bucket) for e in changes.entries]
    assert ("merge", [1, 2], view.topics.set_index("topic").loc[1, "label"]) in got
    assert ("merge", [5, 4], view.topics.set_index("topic").loc[5, "label"]) in got
    assert ("rename", [0], "Alcohol use") in got
    assert ("drop", [6], None) in got
    assert ("note", [8], "Reflections of change talk; MI-consistent.") in got
    partial = [e for e in changes.entries if e.op == "note" and e.topics == [7]]
    assert len(partial) == 1 and "2 of" in partial[0].text and "'Alcohol use'" in partial[0].text
    assert len(changes.entries) == 6
    assert all(e.fingerprints for e in changes.entries)
    # written, and the curated view shows the changes
    curated = apply_ledger(analysis.model, Ledger.load(tmp_path / "ledger.yaml"))
    sizes = view.topics.set_index("topic")["size"]
    after = curated.topics.set_index("topic")
    assert after.loc[1, "size"] == sizes[1] + sizes[2] and after.loc[5, "size"] == sizes[5] + sizes[4]
    assert after.loc[0, "label"] == "Alcohol use" and 6 not in after.index
    assert "Alcohol use" in changes.diff() and changes.diff().count("\n+ ") == 6


@pytest.mark.slow
def test_an_unedited_export_gives_no_entries_even_de_identified(exported, tmp_path):
    analysis, _, path = exported
    view = apply_ledger(analysis.model, None)
    assert qda_entries(read_qda(path), view, author="x").entries == []
    word = str(view.topics.set_index("topic").loc[0, "label"]).split(",")[0].split()[0]
    deid = Deidentifier(known_names=[word], use_ner=False)
    masked = write_qdc(analysis, tmp_path / "masked.qdc", deidentifier=deid)
    assert "[NAME]" in masked.read_text(encoding="utf-8")
    assert qda_entries(read_qda(masked), view, author="x").entries == []


@pytest.mark.slow
def test_codebook_edits_nesting_deletion_and_description(exported, tmp_path):
    analysis, _, _ = exported
    view = apply_ledger(analysis.model, None)
    path = write_qdc(analysis, tmp_path / "run.qdc", raw_text=True)
    root = ET.parse(path).getroot()
    codes_el = root.find(q("Codes", CNS))
    code = {view_topic(view, el.get("guid")): el for el in codes_el.findall(q("Code", CNS))}
    codes_el.remove(code[3])
    code[0].append(code[3])
    codes_el.remove(code[9])
    code[10].find(q("Description", CNS)).text += "\nSupervisor: often a reflection, not a question."
    next(el for el in codes_el if el.get("name") == "outliers (no topic)").set("name", "No topic")
    ET.register_namespace("", CNS)
    ET.ElementTree(root).write(tmp_path / "edited.qdc", encoding="utf-8", xml_declaration=True)
    changes = qda_entries(read_qda(tmp_path / "edited.qdc"), view, author="A. Expert")
    got = [(e.op, e.topics, e.label or e.text or e.bucket) for e in changes.entries]
    assert got == [
        ("merge", [0, 3], view.topics.set_index("topic").loc[0, "label"]),
        ("drop", [9], None),
        ("note", [10], "Supervisor: often a reflection, not a question."),
    ]
    assert any("renamed to 'No topic'" in line for line in changes.skipped)


@pytest.mark.slow
def test_cli_shows_the_diff_and_writes_only_when_asked(exported, tmp_path):
    analysis, run, path = exported
    edited = tmp_path / "edited.qdpx"
    edit_like_a_qda_program(path, edited, apply_ledger(analysis.model, None))
    ledger = tmp_path / "ledger.yaml"
    runner = CliRunner()
    base = ["curate", "import", str(edited), "--run", str(run), "--ledger", str(ledger), "--author", "A. Expert"]
    out = runner.invoke(main, [*base, "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "+ rename 0 -> 'Alcohol use'" in out.output and not ledger.exists()
    out = runner.invoke(main, base, input="n\n")
    assert out.exit_code != 0 and not ledger.exists()
    out = runner.invoke(main, [*base, "--yes"])
    assert out.exit_code == 0, out.output
    assert len(Ledger.load(ledger).entries) == 6
    # a file that is not REFI-QDA: one line, exit 2, nothing written
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    out = runner.invoke(
        main,
        [
            "curate",
            "import",
            str(bad),
            "--run",
            str(run),
            "--ledger",
            str(tmp_path / "l2.yaml"),
            "--author",
            "x",
            "--yes",
        ],
    )
    assert out.exit_code == 2 and "not a .qdpx" in out.output and not (tmp_path / "l2.yaml").exists()


@pytest.mark.slow
def test_export_commands(exported, tmp_path):
    _, run, _ = exported
    runner = CliRunner()
    out = runner.invoke(main, ["export", "qdc", str(run), "--out", str(tmp_path / "x.qdc"), "--raw-text"])
    assert out.exit_code == 0, out.output
    assert read_qda(tmp_path / "x.qdc").kind == "codebook"
    out = runner.invoke(main, ["export", "qdpx", str(run), "--out", str(tmp_path / "x.qdpx"), "--raw-text"])
    assert out.exit_code == 0 and "NOT de-identified" in out.output
    assert read_qda(tmp_path / "x.qdpx").kind == "project"


# ------------------------------------------------------------------ a codebook written by Taguette
def run_taguette(csv_path: Path, qdc: Path, *edits: str) -> dict:
    """Run tests/taguette_roundtrip.py with the Python of .venv-taguette (Taguette 1.5.2's own code)."""
    if not TAGUETTE_PYTHON.is_file():
        pytest.fail(
            f"{TAGUETTE_PYTHON.relative_to(PROJECT)} is missing: run `make setup` (it installs Taguette from "
            "requirements-taguette.lock)",
            pytrace=False,
        )
    env = {"PATH": os.defpath, "HOME": str(qdc.parent), "LANG": "C.UTF-8", "PYTHONNOUSERSITE": "1"}
    done = subprocess.run(
        [str(TAGUETTE_PYTHON), str(PROJECT / "tests" / "taguette_roundtrip.py"), str(csv_path), str(qdc), *edits],
        env=env,
        cwd=qdc.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_codebook_edited_in_taguette_imports_into_the_ledger(annomi_run, annomi_extract, tmp_path):
    """The curated topics go to Taguette as its CSV codebook; in Taguette (its own code, in .venv-taguette) the
    researcher deletes a topic's tag, renames two (one keeping the ``(topic N)`` suffix, one not), adds a tag
    of their own with a description and codes a passage with it, and exports the REFI-QDA codebook; the
    toolkit imports that file into the ledger."""
    analysis, _ = annomi_run
    model = analysis.model
    ledger = Ledger(
        entries=[
            Entry(op="rename", topics=[0], label="Alcohol use", author="A. Expert"),
            Entry(op="rename", topics=[1], label="=SUM(1+1) looks like a formula", author="A. Expert"),
            Entry(op="drop", topics=[3], bucket="small talk", author="A. Expert"),
            # a label made of names only, as keyword labels of small topics can be: de-identified to
            # "[NAME], [NAME], [NAME]", which must still match its own topic and no other
            Entry(op="rename", topics=[4], label="Jessica, Mike, Sarah", author="A. Expert"),
        ]
    ).save(tmp_path / "ledger.yaml")
    original = (tmp_path / "ledger.yaml").read_text(encoding="utf-8")
    curated = analysis.curate(ledger)
    view = curated.curation
    labels = view.topics.set_index("topic")["label"]
    csv_path = write_codebook_csv(curated, tmp_path / "codebook.csv", deidentifier=Deidentifier(use_ner=False))
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    codes = code_table(view)
    assert len(rows) == len(codes) and [r["tag"] for r in rows][-2:] == ["set aside: small talk", "outliers (no topic)"]
    tag = {c.topic: r["tag"] for c, r in zip(codes, rows, strict=True) if c.kind == "topic"}
    assert tag[0] == "Alcohol use (topic 0)"
    assert tag[1] == "'=SUM(1+1) looks like a formula (topic 1)"  # guarded for spreadsheets
    assert "Keywords:" in next(r["description"] for c, r in zip(codes, rows, strict=True) if c.topic == 0)
    masked = [t for t, name in tag.items() if "[NAME]" in name]
    assert tag[4] == "[NAME], [NAME], [NAME] (topic 4)" and 4 in masked

    session = annomi_extract[annomi_extract["session_id"] == annomi_extract["session_id"].iloc[0]]
    document = tmp_path / "session.txt"
    document.write_text(
        transcript(list(zip(session["utterance_id"], session["role"], session["text"], strict=True)))[0]
    )
    qdc = tmp_path / "taguette.qdc"
    held = run_taguette(
        csv_path,
        qdc,
        *("--delete", tag[2]),
        *("--rename", tag[0], "Alcohol and drinking (topic 0)"),
        *("--rename", tag[5], "Legal trouble"),
        *("--add", "Ambivalence", "Both sides of the argument, in the client's words"),
        *("--document", str(document), "--code", "Ambivalence"),
    )
    # what Taguette holds: our tags and descriptions, the edits, and the coded passage
    in_taguette = {t["path"]: t for t in held["tags"]}
    assert len(in_taguette) == len(rows) and tag[2] not in in_taguette and tag[0] not in in_taguette
    assert in_taguette["Alcohol and drinking (topic 0)"]["description"].startswith("Topic 0 of the topic model")
    assert in_taguette["Ambivalence"]["highlights"] == 1

    qda = read_qda(qdc)
    assert qda.origin == "Taguette 1.5.2" and qda.kind == "codebook"
    assert set(qda.codes["name"]) == set(in_taguette)
    assert not set(qda.codes["guid"]) & {c.guid for c in all_codes(codes)}  # Taguette makes its own GUIDs

    # the rename that kept the suffix is a rename; the one that dropped it reads as a deletion, flagged
    before = len(Ledger.load(ledger).entries)
    _, changes = import_qda(qdc, model, ledger, author="B. Coder", write=False)
    assert changes.matched == len(tag) - 2
    got = [(e.op, e.topics, e.label, e.bucket) for e in changes.entries]
    assert got == [("rename", [0], "Alcohol and drinking", None), ("drop", [2], None, None), ("drop", [5], None, None)]
    assert all("renamed to one of the new codes 'Legal trouble', 'Ambivalence'" in r for r in changes.reasons[1:])
    assert sorted(changes.skipped) == [
        f"code {name!r} is not a topic of this run: the ledger cannot create topics"
        for name in ("Ambivalence", "Legal trouble")
    ]
    assert len(Ledger.load(ledger).entries) == before  # write=False

    # told that topic 5 became "Legal trouble": exactly the edits made in Taguette
    saved, changes = import_qda(qdc, model, ledger, author="B. Coder", renamed={labels[5]: "Legal trouble"})
    got = [(e.op, e.topics, e.label, e.bucket) for e in changes.entries]
    assert got == [
        ("rename", [0], "Alcohol and drinking", None),
        ("rename", [5], "Legal trouble", None),
        ("drop", [2], None, None),
    ]
    assert all(e.author == "B. Coder" and e.fingerprints for e in changes.entries)
    assert changes.skipped == ["code 'Ambivalence' is not a topic of this run: the ledger cannot create topics"]
    assert len(Ledger.load(ledger).entries) == before + 3
    after = apply_ledger(model, Ledger.load(ledger)).topics.set_index("topic")
    assert after.loc[0, "label"] == "Alcohol and drinking" and after.loc[5, "label"] == "Legal trouble"
    assert 2 not in after.index and all(t in after.index for t in masked)
    assert after.loc[1, "label"] == "=SUM(1+1) looks like a formula"  # matched through the guard, unchanged
    with pytest.raises(InputError, match="not the label of a topic"):
        import_qda(qdc, model, ledger, author="x", write=False, renamed={"No such topic": "Ambivalence"})
    with pytest.raises(InputError, match="no code named 'Tobacco'"):
        import_qda(qdc, model, ledger, author="x", write=False, renamed={"Legal trouble": "Tobacco"})

    # the same from the command line: the CSV codebook, and the import with --renamed (a dry run)
    run_folder = annomi_run[1]
    (tmp_path / "cli-ledger.yaml").write_text(original, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "export",
            "csv",
            str(run_folder),
            "--out",
            str(tmp_path / "cli.csv"),
            "--ledger",
            str(tmp_path / "cli-ledger.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [r["tag"] for r in csv.DictReader(io.StringIO((tmp_path / "cli.csv").read_text(encoding="utf-8-sig")))][
        0
    ] == rows[0]["tag"]
    result = CliRunner().invoke(
        main,
        [
            "curate",
            "import",
            str(qdc),
            "--run",
            str(run_folder),
            "--ledger",
            str(tmp_path / "cli-ledger.yaml"),
            "--author",
            "B. Coder",
            "--dry-run",
            "--renamed",
            f"{labels[5]}=Legal trouble",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Legal trouble" in result.output and "nothing written (--dry-run)" in result.output
    assert (tmp_path / "cli-ledger.yaml").read_text(encoding="utf-8") == original


@pytest.mark.slow
def test_codes_merged_into_a_new_code(exported, tmp_path):
    """Topics 9 and 10 merged into a new code "Change talk" (NVivo: merge into new code), and two remarks of
    topic 11 recoded to it."""
    analysis, _, path = exported
    view = apply_ledger(analysis.model, None)
    root, files = load_project(path)
    codes_el = root.find(q("CodeBook")).find(q("Codes"))
    code = {view_topic(view, el.get("guid")): el for el in codes_el.findall(q("Code"))}
    new = ET.SubElement(
        codes_el,
        q("Code"),
        {"guid": "AAAAAAAA-2222-3333-4444-555555555555", "name": "Change talk", "isCodable": "true"},
    )
    gone = {code[9].get("guid"), code[10].get("guid")}
    moved = 0
    for ref in root.iter(q("CodeRef")):
        if ref.get("targetGUID") in gone:
            ref.set("targetGUID", new.get("guid"))
        elif ref.get("targetGUID") == code[11].get("guid") and moved < 2:
            ref.set("targetGUID", new.get("guid"))
            moved += 1
    codes_el.remove(code[9])
    codes_el.remove(code[10])
    changes = qda_entries(read_qda(save_project(root, files, tmp_path / "e.qdpx")), view, author="A. Expert")
    got = [(e.op, e.topics, e.label) for e in changes.entries]
    assert got[0] == ("merge", [9, 10], "Change talk")
    assert len(got) == 2 and got[1][:2] == ("note", [11])
    assert "'Change talk (a new code)'" in changes.entries[1].text
    assert any("'Change talk' is not a topic" in line for line in changes.skipped)


# ------------------------------------------------------------------ round trips through programs that make new GUIDs
LOWER_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def got_entries(changes) -> list[tuple]:
    return [(e.op, e.topics, e.label or e.text or e.bucket) for e in changes.entries]


CURATION = [
    Entry(
        op="rename",
        topics=[0],
        label="Alcohol use",
        author="A. Expert",
        time="2026-11-26T14:05:00",
        rationale="drinking, units,\ncutting down",
    ),
    Entry(op="merge", topics=[1, 4], label="Smoking and health", author="A. Expert", time="2026-11-26T14:06:00"),
    Entry(op="drop", topics=[3], bucket="small talk", author="B. Coder", time="2026-11-26T14:07:00"),
    Entry(op="note", topics=[2], text="MI-consistent; keep separate", author="B. Coder", time="2026-11-26T14:08:00"),
]
"""A rename with a two-line rationale, a merge (raw topics nested), a drop to a bucket and a note."""


@pytest.fixture(scope="module")
def curated_export(annomi_run, tmp_path_factory):
    """The AnnoMI run curated by :data:`CURATION`, its ledger file, and its project de-identified (a name the
    remarks hold is masked, so selections hold placeholders) and verbatim."""
    analysis, _ = annomi_run
    folder = tmp_path_factory.mktemp("qda_roundtrip")
    ledger = Ledger(entries=list(CURATION)).save(folder / "ledger.yaml")
    curated = analysis.curate(ledger)
    text = " ".join(curated.curation.assignments["text"].astype(str))
    word = max(set(re.findall(r"\b[A-Z][a-z]{3,}\b", text)), key=text.count)
    masked = write_qdpx(curated, folder / "masked.qdpx", deidentifier=Deidentifier(known_names=[word], use_ner=False))
    raw = write_qdpx(curated, folder / "raw.qdpx", raw_text=True)
    return analysis, curated, ledger, {"masked": masked, "raw": raw}


def test_guids_are_written_in_lower_case_and_read_in_any_case(tmp_path):
    assert LOWER_GUID.fullmatch(guid("topic", "a|b", "u1"))
    path = tmp_path / "upper.qdc"
    path.write_text(GOOD_CODEBOOK, encoding="utf-8")
    assert read_qda(path).codes["guid"].tolist() == ["c848ae16-c486-512f-8c22-f14c9fe60dfe"]


def test_generated_description_lines_are_recognised():
    for line in [
        "Topic 12 of the topic model: 1,204 remarks (3.4%).",
        "Keywords: drink, alcohol, week",
        "Keywords:",
        "Merged from raw topics 1, 4.",
        "Rationale (rename, A. Expert): drinking, units, cutting down",
        "Raw model topic 4, merged into 'Smoking and health'.",
        "Set aside by the curators: 40 remarks.",
        "Remarks the model gave no topic: 1,100 remarks.",
        "Exported at ledger state: 4 entries, digest 0123456789ab.",
        "Notes:",
    ]:
        assert is_generated_line(line), line
    for line in ["Supervisor: often a reflection, not a question.", "Keywords matter here", "Topic 3 is odd."]:
        assert not is_generated_line(line), line
    assert len(GENERATED_LINES) == 9


@pytest.mark.slow
def test_every_line_the_export_writes_into_a_description_is_recognised(curated_export):
    _, curated, _, files = curated_export
    view = curated.curation
    descriptions = [c.description for c in all_codes(code_table(view))]
    assert any("Rationale (rename, A. Expert): drinking, units, cutting down" in d for d in descriptions)
    assert any("Merged from raw topics" in d for d in descriptions) and any("Set aside by" in d for d in descriptions)
    for d in descriptions:
        assert all(is_generated_line(line) for line in d.splitlines()), d
    # the project records the ledger state it was exported from, the same in both exports
    assert file_state(read_qda(files["raw"])) == file_state(read_qda(files["masked"]))
    assert file_state(read_qda(files["raw"]))[0] == len(CURATION)


@pytest.mark.slow
def test_the_export_writes_lower_case_guids_and_an_upper_case_copy_reads_the_same(curated_export, tmp_path):
    _, _, _, files = curated_export
    root, _ = load_project(files["raw"])
    values = [el.get(a) for el in root.iter() for a in GUID_ATTRIBUTES if el.get(a)]
    assert len(values) > 1000 and all(LOWER_GUID.fullmatch(v) for v in values)
    lower = read_qda(files["raw"])
    upper = read_qda(qualcoder_reexport(files["raw"], tmp_path / "upper.qdpx", upper=True))
    assert len(upper.codes) == len(lower.codes) and len(upper.selections) == len(lower.selections)
    assert (upper.selections["text"] != "").all() and (upper.selections["name"] == upper.selections["text"]).all()
    assert all(LOWER_GUID.fullmatch(g) for g in upper.codes["guid"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["masked", "raw"])
@pytest.mark.parametrize("upper", [False, True])
def test_an_unedited_project_reexported_with_new_guids_gives_no_entries(curated_export, tmp_path, kind, upper):
    analysis, curated, ledger, files = curated_export
    view = curated.curation
    copy = qualcoder_reexport(files[kind], tmp_path / "qualcoder.qdpx", upper=upper)
    qda = read_qda(copy)
    assert not set(qda.codes["guid"]) & {c.guid for c in all_codes(code_table(view))}
    changes = qda_entries(qda, view, author="x")
    assert changes.entries == [] and changes.skipped == [], changes.diff()
    assert changes.matched == (view.topics["topic"] != -1).sum()
    assert changes.selections == (len(qda.selections), len(qda.selections)) == (len(view.assignments),) * 2
    # and the file as the toolkit wrote it, for the record
    assert qda_entries(read_qda(files[kind]), view, author="x").entries == []
    # the ledger state the file records is the ledger's: no notice, nothing proposed
    _, changes = import_qda(copy, analysis.model, ledger, author="x", write=False)
    assert changes.entries == [] and changes.notices == [], changes.diff()


@pytest.mark.slow
def test_known_edits_in_a_reexported_project_come_back_as_exactly_those_decisions(exported, tmp_path):
    """Rename topic 0, recode every remark of 4 to 5's code and delete 4 (QualCoder: merge codes), delete the
    code of 6 with its codings; then QualCoder's re-export (new GUIDs, selections named by their text)."""
    analysis, _, path = exported
    view = apply_ledger(analysis.model, None)
    root, files = load_project(path)
    codes_el = root.find(q("CodeBook")).find(q("Codes"))
    code = {view_topic(view, el.get("guid")): el for el in codes_el.findall(q("Code"))}
    code[0].set("name", "Alcohol use")
    for ref in root.iter(q("CodeRef")):
        if ref.get("targetGUID") == code[4].get("guid"):
            ref.set("targetGUID", code[5].get("guid"))
    for src in root.iter(q("TextSource")):
        for sel in src.findall(q("PlainTextSelection")):
            for coding in sel.findall(q("Coding")):
                if coding.find(q("CodeRef")).get("targetGUID") == code[6].get("guid"):
                    sel.remove(coding)
            if not sel.findall(q("Coding")):
                src.remove(sel)
    codes_el.remove(code[4])
    codes_el.remove(code[6])
    edited = save_project(root, files, tmp_path / "edited.qdpx")
    for upper in (False, True):
        copy = qualcoder_reexport(edited, tmp_path / f"qualcoder-{upper}.qdpx", upper=upper)
        _, changes = import_qda(copy, analysis.model, tmp_path / "ledger.yaml", author="A. Expert", write=False)
        labels = view.topics.set_index("topic")["label"]
        assert got_entries(changes) == [
            ("merge", [5, 4], labels[5]),
            ("rename", [0], "Alcohol use"),
            ("drop", [6], None),
        ], changes.diff()
        assert changes.skipped == [] and changes.origin == "QualCoder 3.6"


@pytest.mark.slow
@pytest.mark.parametrize("upper", [False, True])
def test_a_codebook_with_new_guids_unedited_and_edited(exported, tmp_path, upper):
    analysis, _, _ = exported
    view = apply_ledger(analysis.model, None)
    path = write_qdc(analysis, tmp_path / "run.qdc", raw_text=True)
    copy = regenerated_codebook(path, tmp_path / "copy.qdc", upper=upper)
    changes = qda_entries(read_qda(copy), view, author="x")
    assert changes.entries == [] and changes.skipped == [], changes.diff()
    # rename 2, nest 3 under 0 (merge), delete 9 (drop), a line added to 10's description (note)
    root = ET.parse(path).getroot()
    codes_el = root.find(q("Codes", CNS))
    code = {view_topic(view, el.get("guid")): el for el in codes_el.findall(q("Code", CNS))}
    code[2].set("name", "Talking about work")
    codes_el.remove(code[3])
    code[0].append(code[3])
    codes_el.remove(code[9])
    code[10].find(q("Description", CNS)).text += "\nSupervisor: often a reflection, not a question."
    ET.register_namespace("", CNS)
    ET.ElementTree(root).write(tmp_path / "edited.qdc", encoding="utf-8", xml_declaration=True)
    copy = regenerated_codebook(tmp_path / "edited.qdc", tmp_path / "edited-copy.qdc", upper=upper)
    changes = qda_entries(read_qda(copy), view, author="A. Expert")
    assert got_entries(changes) == [
        ("merge", [0, 3], view.topics.set_index("topic").loc[0, "label"]),
        ("rename", [2], "Talking about work"),
        ("drop", [9], None),
        ("note", [10], "Supervisor: often a reflection, not a question."),
    ], changes.diff()


@pytest.mark.slow
def test_a_project_whose_selections_are_no_remarks_of_the_run_is_refused(exported, tmp_path):
    analysis, _, path = exported
    root, files = load_project(qualcoder_reexport(path, tmp_path / "q.qdpx"))
    for src in root.iter(q("TextSource")):
        src.set("name", "interview " + src.get("name"))
    other = save_project(root, files, tmp_path / "other.qdpx")
    with pytest.raises(InputError, match="none of the file's [0-9,]+ selections is a remark of this run") as err:
        import_qda(other, analysis.model, tmp_path / "ledger.yaml", author="x", write=False)
    assert "\n" not in str(err.value) and str(other) in str(err.value)
    assert not (tmp_path / "ledger.yaml").exists()


@pytest.mark.slow
def test_toolkit_description_lines_of_an_older_export_never_become_notes(exported, tmp_path):
    """A description as an older export wrote it (other size, keywords, a rationale) is not a person's note."""
    analysis, _, path = exported
    view = apply_ledger(analysis.model, None)
    root, files = load_project(path)
    code = next(el for el in root.iter(q("Code")) if view_topic(view, el.get("guid")) == 3)
    code.find(q("Description")).text = (
        "Topic 3 of the topic model: 1,999 remarks (9.9%).\nKeywords: other, older, words\n"
        "Merged from raw topics 3, 17.\nRationale (merge, A. Expert): they were one\nA line of mine."
    )
    changes = qda_entries(read_qda(save_project(root, files, tmp_path / "old.qdpx")), view, author="x")
    assert got_entries(changes) == [("note", [3], "A line of mine.")]


@pytest.mark.slow
def test_a_file_from_an_older_ledger_state_is_said_so_and_adds_nothing_twice(exported, tmp_path):
    """Export, edit in the program (a rename and a note), import; import the same file again, also after the
    ledger gained an entry and through QualCoder's re-export: nothing is proposed again, and the diff says
    the file is from an older state of the ledger."""
    analysis, run, path = exported
    view = apply_ledger(analysis.model, None)
    root, files = load_project(path)
    code = {view_topic(view, el.get("guid")): el for el in root.iter(q("Code"))}
    code[0].set("name", "Alcohol use")
    notes = ET.SubElement(root, q("Notes"))
    note = ET.SubElement(notes, q("Note"), {"guid": "11111111-2222-3333-4444-555555555555", "name": "memo"})
    ET.SubElement(note, q("PlainTextContent")).text = "Reflections of change talk; MI-consistent."
    code[8].insert(1, ET.Element(q("NoteRef"), {"targetGUID": "11111111-2222-3333-4444-555555555555"}))
    description = root.find(q("Description"))
    root.remove(description)
    root.append(description)
    edited = save_project(root, files, tmp_path / "edited.qdpx")
    ledger = tmp_path / "ledger.yaml"
    _, first = import_qda(edited, analysis.model, ledger, author="A. Expert")
    assert got_entries(first) == [
        ("rename", [0], "Alcohol use"),
        ("note", [8], "Reflections of change talk; MI-consistent."),
    ]
    assert first.notices == []
    for attempt in ("again", "after a merge", "through QualCoder"):
        if attempt == "after a merge":
            book = Ledger.load(ledger)
            book.append(Entry(op="merge", topics=[1, 2], label="Smoking", author="B. Coder", time="2026-12-01T10:00"))
            book.save()
        source = edited
        if attempt == "through QualCoder":
            source = qualcoder_reexport(edited, tmp_path / "q.qdpx", upper=True)
        _, changes = import_qda(source, analysis.model, ledger, author="A. Expert")
        assert changes.entries == [], (attempt, changes.diff())
        assert "exported from an older state of the ledger (0 of its" in changes.diff(), attempt
    assert len(Ledger.load(ledger).entries) == 3
    assert sum(e.op == "note" for e in Ledger.load(ledger).entries) == 1
    # the command line shows it, and writes nothing
    base = ["curate", "import", str(edited), "--run", str(run), "--ledger", str(ledger), "--author", "x", "--yes"]
    out = CliRunner().invoke(main, base)
    assert out.exit_code == 0, out.output
    assert "* the file was exported from an older state of the ledger" in out.output and "nothing written" in out.output
    assert len(Ledger.load(ledger).entries) == 3


@pytest.mark.slow
def test_selections_without_text_are_matched_by_source_and_position(exported, tmp_path):
    """A project without its sources' text whose selections have new GUIDs and names that are not their text:
    found by the session their source is named after and their span."""
    analysis, _, path = exported
    view = apply_ledger(analysis.model, None)
    root, files = load_project(qualcoder_reexport(path, tmp_path / "q.qdpx"))
    for i, sel in enumerate(root.iter(q("PlainTextSelection"))):
        sel.set("name", f"selection {i}")
    # and a passage the researcher coded that is no remark: left out, and said
    extra = ET.SubElement(
        next(root.iter(q("TextSource"))),
        q("PlainTextSelection"),
        {"guid": "0e0e0e0e-2222-3333-4444-555555555555", "name": "mine", "startPosition": "0", "endPosition": "1"},
    )
    ET.SubElement(
        ET.SubElement(extra, q("Coding"), {"guid": "0f0f0f0f-2222-3333-4444-555555555555"}),
        q("CodeRef"),
        {"targetGUID": next(root.iter(q("Code"))).get("guid")},
    )
    bare = save_project(root, {"project.qde": b""}, tmp_path / "bare.qdpx")
    qda = read_qda(bare)
    assert (qda.selections["text"] == "").all()
    changes = qda_entries(qda, view, author="x")
    assert changes.entries == [] and changes.selections == (len(view.assignments), len(view.assignments) + 1)
    assert changes.notices == [
        f"1 of the file's {len(view.assignments) + 1:,} selections are no remarks of this run "
        "(passages coded in the program, or sources renamed): left out"
    ]


@pytest.mark.slow
def test_an_unedited_taguette_codebook_gives_no_entries(annomi_run, tmp_path):
    analysis, _ = annomi_run
    curated = analysis.curate(Ledger(entries=list(CURATION)).save(tmp_path / "ledger.yaml"))
    csv_path = write_codebook_csv(curated, tmp_path / "codebook.csv", deidentifier=Deidentifier(use_ner=False))
    run_taguette(csv_path, tmp_path / "taguette.qdc")
    qda = read_qda(tmp_path / "taguette.qdc")
    assert qda.origin == "Taguette 1.5.2" and file_state(qda) is None  # Taguette's QDC keeps no descriptions
    _, changes = import_qda(qda.path, analysis.model, tmp_path / "ledger.yaml", author="x", write=False)
    assert changes.entries == [] and changes.skipped == [] and changes.notices == [], changes.diff()
