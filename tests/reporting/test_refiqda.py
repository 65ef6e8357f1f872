"""REFI-QDA export: schema validation, an independent reader, positions in code points, stable identities."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from topics.clean import Deidentifier
from topics.curate import Entry, Ledger, apply_ledger
from topics.curate.qda_codes import guid, topic_guid
from topics.reporting.refiqda import SCHEMAS, transcript, write_qdc, write_qdpx

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
