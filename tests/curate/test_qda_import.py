"""REFI-QDA import: hostile files refused, edits made in QDA software become ledger entries, Taguette's codebook."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from topics.clean import Deidentifier
from topics.cli import main
from topics.curate import Entry, Ledger, apply_ledger
from topics.curate.qda_codes import all_codes, code_table, topic_guid
from topics.curate.qda_import import import_qda, qda_entries, same_text
from topics.errors import InputError
from topics.read import refiqda
from topics.read.refiqda import read_qda
from topics.reporting.refiqda import transcript, write_codebook_csv, write_qdc, write_qdpx

PROJECT = Path(__file__).resolve().parents[2]
TAGUETTE_PYTHON = PROJECT / ".venv-taguette" / "bin" / "python"
"""Made by ``make setup`` from requirements-taguette.lock (Taguette cannot share the main venv)."""
PNS = "urn:QDA-XML:project:1.0"
CNS = "urn:QDA-XML:codebook:1.0"
GOOD_CODEBOOK = (
    f'<?xml version="1.0"?><CodeBook xmlns="{CNS}"><Codes>'
    '<Code guid="C848AE16-C486-512F-8C22-F14C9FE60DFE" name="a" isCodable="true"/></Codes></CodeBook>'
)


def q(tag: str, ns: str = PNS) -> str:
    return f"{{{ns}}}{tag}"


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def load_project(path: Path) -> tuple[ET.Element, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    return ET.fromstring(files["project.qde"]), files


def save_project(root: ET.Element, files: dict[str, bytes], path: Path) -> Path:
    ET.register_namespace("", PNS)
    return zip_with(path, {**files, "project.qde": ET.tostring(root, encoding="utf-8", xml_declaration=True)})


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
    document.write_text(transcript(list(zip(session["utterance_id"], session["role"], session["text"], strict=True)))[0])
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
    result = CliRunner().invoke(main, ["export", "csv", str(run_folder), "--out", str(tmp_path / "cli.csv"),
                                       "--ledger", str(tmp_path / "cli-ledger.yaml")])
    assert result.exit_code == 0, result.output
    assert [r["tag"] for r in csv.DictReader(io.StringIO((tmp_path / "cli.csv").read_text(encoding="utf-8-sig")))][
        0
    ] == rows[0]["tag"]
    result = CliRunner().invoke(main, ["curate", "import", str(qdc), "--run", str(run_folder), "--ledger",
                                       str(tmp_path / "cli-ledger.yaml"), "--author", "B. Coder", "--dry-run",
                                       "--renamed", f"{labels[5]}=Legal trouble"])
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
