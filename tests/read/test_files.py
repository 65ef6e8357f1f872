"""Readers: tables (CSV, TSV, JSONL, parquet), plain-text transcripts, session metadata, load_corpus.

Every way a file can be wrong is one row of :data:`BAD_FILES`: the file, the reader, the error and the
file, line and column it must name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from topics.errors import CorpusError, InputError
from topics.read import REQUIRED_COLUMNS, attach_session_metadata, load_corpus, read_table, read_text_transcripts

# A small AnnoMI-like table with the file's own column names.
ROWS = [
    {"transcript": "A", "who": "Dr", "utterance_text": "What brings you here today?", "quality": "high"},
    {"transcript": "A", "who": "Pt", "utterance_text": "My drinking, I guess.", "quality": "high"},
    {"transcript": "B", "who": "Dr", "utterance_text": "Tell me about your week.", "quality": "low"},
    {"transcript": "A", "who": "Dr", "utterance_text": "Your drinking worries you.", "quality": "high"},
    {"transcript": "B", "who": "Pt", "utterance_text": "It was long, so long.", "quality": "low"},
]
MAPPING = {"session_id": "transcript", "role": "who", "text": "utterance_text"}
ROLE_VALUES = {"dr": "therapist", "PT": "client"}
DELIMITER = {"csv": ",", "tsv": "\t"}


def rows_text(rows: list[dict], fmt: str) -> str:
    """The rows as a CSV, TSV or JSON-lines document."""
    if fmt == "jsonl":
        return "".join(json.dumps(r) + "\n" for r in rows)
    return pd.DataFrame(rows).to_csv(index=False, sep=DELIMITER[fmt])


def write_rows(path: Path, rows: list[dict], fmt: str) -> Path:
    if fmt == "parquet":
        pd.DataFrame(rows).to_parquet(path, index=False)
    else:
        path.write_text(rows_text(rows, fmt), encoding="utf-8")
    return path


def latin1_text(fmt: str) -> str:
    """A French client remark ("allé", "fête"), on line 3 (line 2 in JSON lines), to be written as Latin-1."""
    if fmt == "jsonl":
        return "".join(
            json.dumps(r, ensure_ascii=False) + "\n"
            for r in [
                {"session_id": "s1", "role": "T", "text": "Hello there."},
                {"session_id": "s1", "role": "C", "text": "Je suis allé à la fête."},
            ]
        )
    if fmt == "txt":
        return "T: Hello there.\n\nC: Je suis allé à la fête.\n"
    return "session_id,role,text\ns1,T,Hello there.\ns1,C,Je suis allé à la fête.\ns1,T,Tell me more.\n".replace(
        ",", DELIMITER[fmt]
    )


# ---------------------------------------------------------------- what every bad file must give

HUGE = 5 * 1024 * 1024
FINE_JSON = '{"session_id": "a", "role": "C", "text": "fine"}\n'
NURSE = [dict(r, who="Nurse") if i == 2 else r for i, r in enumerate(ROWS)]
UTTERANCES = [
    ("u1", "a", "T", "Hi."),
    ("u2", "a", "C", "Hello."),
    ("u3", "b", "T", "Welcome."),
    ("u2", "b", "C", "Thanks."),
]
KEYS = ("utterance_id", "session_id", "role", "text")


def bad(
    case_id: str,
    name: str,
    content: str | bytes | None,
    match: str | None,
    *,
    reader: str = "",
    error: type[InputError] = InputError,
    line: int | None = None,
    column: str | None = None,
    says: tuple[str, ...] = (),
    names_file: bool = True,
    **kwargs,
):
    """One bad file: written to ``name`` (``None``: not written at all), read by ``reader`` (by default
    ``read_text_transcripts`` for ``.txt``, else ``read_table``; ``"metadata"``: attached to a corpus) with
    ``kwargs``. It must raise ``error`` matching ``match``, naming the file (unless ``names_file`` is false: a
    bad setting, not a bad file), and ``line`` / ``column`` when given; the message must also contain every
    string in ``says``."""
    reader = reader or ("text" if name.endswith(".txt") else "table")
    path = name if names_file else None
    return pytest.param(name, content, reader, kwargs, error, match, path, line, column, says, id=case_id)


BAD_FILES = [
    # -- files that are not there, or not a format we read
    bad("missing-file", "nope.csv", None, "no such file"),
    bad("missing-transcript", "missing.txt", None, "no such file"),
    bad("missing-metadata", "none.csv", None, "no such file", reader="metadata"),
    bad(
        "unknown-extension",
        "talks.data",
        "\ufeffsession_id,role,text\ns,T,Caf\u00e9 talk\n".encode(),
        "unknown format 'data'",
    ),
    bad(
        "unknown-encoding",
        "t.csv",
        "session_id,role,text\ns,T,caf\u00e9\n".encode("latin-1"),
        "unknown encoding",
        encoding="no-such-codec",
    ),
    bad("broken-parquet", "t.parquet", b"not a parquet file", "parquet"),
    # -- empty files (BOM only, blank lines only), a header without rows
    *[
        bad(f"empty-{fmt}-{what}", f"s1.{fmt}", content, "empty|no utterances" if fmt == "txt" else "empty")
        for fmt in ("csv", "tsv", "jsonl", "txt")
        for what, content in [
            ("no-bytes", ""),
            ("blank-lines", "  \n\n"),
            ("newlines-first", "\n\n  \n"),
            ("bom-only", "\ufeff"),
        ]
    ],
    bad("blank-transcript", "blank.txt", "\n  \n", "no utterances"),
    *[
        bad(f"header-only-{fmt}", f"t.{fmt}", f"session_id{d}role{d}text\n", "no utterances", error=CorpusError)
        for fmt, d in DELIMITER.items()
    ],
    # -- columns: missing, unknown, repeated
    *[
        bad(
            f"header-without-toolkit-columns-{fmt}",
            f"t.{fmt}",
            f"session{d}speaker{d}utterance\n",
            "no column for 'session_id'",
            column="session_id",
        )
        for fmt, d in DELIMITER.items()
    ],
    bad(
        "mapping-to-absent-column",
        "talks.csv",
        rows_text(ROWS, "csv"),
        "'speaker'",
        column="speaker",
        says=("who",),
        mapping={**MAPPING, "role": "speaker"},
        role_values=ROLE_VALUES,
    ),
    bad(
        "required-column-not-mapped",
        "talks.csv",
        rows_text(ROWS, "csv"),
        "no column for 'text'",
        column="text",
        mapping={"session_id": "transcript", "role": "who"},
        role_values=ROLE_VALUES,
    ),
    bad(
        "mapping-to-unknown-toolkit-column",
        "talks.csv",
        rows_text(ROWS, "csv"),
        "'speech'",
        mapping={**MAPPING, "speech": "utterance_text"},
        role_values=ROLE_VALUES,
    ),
    bad("repeated-header-column", "t.csv", "session_id,role,text,role\ns,T,a,C\n", "repeated column", line=1),
    # -- bad values, on the line (of the file, not of the table) where they are
    *[
        bad(
            f"unknown-role-{fmt}",
            f"talks.{fmt}",
            rows_text(NURSE, fmt),
            "unknown role 'Nurse'",
            line=line,
            column="who",
            mapping=MAPPING,
            role_values=ROLE_VALUES,
        )
        for fmt, line in [("csv", 4), ("tsv", 4), ("jsonl", 3)]
    ],
    bad(
        "unknown-role-after-embedded-newlines",
        "t.csv",
        'session_id,role,text\ns,T,"one\ntwo\nthree"\ns,X,bad role\n',
        None,
        line=5,
    ),
    bad("unknown-role-5mb-value", "t.csv", "session_id,role,text\ns1," + "x" * HUGE + ",hi\n", "unknown role", line=2),
    bad(
        "unknown-role-after-unicode-line-separator",
        "t.jsonl",
        "".join(
            json.dumps(r, ensure_ascii=False) + "\n"
            for r in [
                {"session_id": "s", "role": "T", "text": "one\u2028two"},
                {"session_id": "s", "role": "C", "text": "x"},
                {"session_id": "s", "role": "?", "text": "y"},
            ]
        ),
        None,
        line=3,
    ),
    bad("empty-session-id", "t.csv", "session_id,role,text\ns,T,a\n,C,b\n", "empty session_id", line=3),
    bad(
        "empty-turn-jsonl",
        "t.jsonl",
        '{"session_id": "a", "turn": 0, "role": "T", "text": "Hi."}\n'
        '{"session_id": "a", "turn": null, "role": "C", "text": "Hello."}\n',
        "empty turn",
        line=2,
        column="turn",
    ),
    bad(
        "duplicate-utterance-id-csv",
        "t.csv",
        "utterance_id,session_id,role,text\n" + "".join(",".join(r) + "\n" for r in UTTERANCES),
        "duplicate utterance_id 'u2'",
        error=CorpusError,
        line=5,
        column="utterance_id",
    ),
    bad(
        "duplicate-utterance-id-jsonl",
        "t.jsonl",
        "".join(json.dumps(dict(zip(KEYS, r, strict=True))) + "\n" for r in UTTERANCES),
        "duplicate utterance_id 'u2'",
        error=CorpusError,
        line=4,
        column="utterance_id",
    ),
    bad(
        "repeated-turn-gives-duplicate-id",
        "t.csv",
        "session_id,turn,role,text\na,0,T,Hi.\na,1,C,Hello.\na,1,T,Again.\n",
        "duplicate utterance_id 'a:1'",
        error=CorpusError,
        line=4,
    ),
    # -- bytes that are not UTF-8
    bad(
        "undecodable-byte",
        "t.csv",
        b"session_id,role,text\ns,T,fine\ns,C,caf\xff\n",
        "0xff",
        line=3,
        says=("character 8",),
    ),
    bad(
        "undecodable-byte-after-bom",
        "t.csv",
        b"\xef\xbb\xbfsession_id,role,text\ns,T,ok\ns,C,ab\xfe\n",
        "0xfe at character 7",
        line=3,
    ),
    bad("undecodable-byte-transcript", "s.txt", b"T: hi\nC: caf\xe9\n", "0xe9", line=2),
    *[
        bad(
            f"latin1-read-as-utf8-{fmt}",
            f"s1.{fmt}",
            latin1_text(fmt).encode("latin-1"),
            "0xe9",
            line=2 if fmt == "jsonl" else 3,
            says=("UTF-8",),
        )
        for fmt in ("csv", "tsv", "jsonl", "txt")
    ],
    # -- CSV structure
    bad(
        "csv-row-with-extra-field",
        "t.csv",
        "session_id,role,text\ns,T,a\ns,C,b,extra\n",
        "expected 3 fields as in the header, found 4",
        line=3,
    ),
    bad(
        "csv-short-row-after-embedded-newline",
        "t.csv",
        'session_id,role,text\ns,T,"first\nsecond"\n\ns,C\n',
        "found 2",
        line=5,
    ),
    bad(
        "csv-unclosed-quote",
        "t.csv",
        'session_id,role,text\ns,T,ok\ns,C,"never closed\nmore\n',
        "malformed CSV",
        line=3,
    ),
    # -- JSON lines (a good line first: the bad one is line 2)
    bad(
        "jsonl-invalid-json-after-blank-line",
        "t.jsonl",
        '{"session_id": "s", "role": "T", "text": "a"}\n\n{"session_id": "s", "role": "C", "text": }\n',
        "invalid JSON",
        line=3,
    ),
    bad(
        "jsonl-array-not-object",
        "t.jsonl",
        '{"session_id": "s", "role": "T", "text": "a"}\n["s", "C", "b"]\n',
        "JSON object",
        line=2,
    ),
    bad(
        "jsonl-5000-digit-number",
        "t.jsonl",
        FINE_JSON + '{"session_id": "a", "role": "T", "text": "x", "n": ' + "9" * 5000 + "}\n",
        "digits",
        line=2,
    ),
    bad(
        "jsonl-nested-too-deeply",
        "t.jsonl",
        FINE_JSON + '{"session_id": "a", "role": "T", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
        "nested too deeply",
        line=2,
    ),
    bad(
        "jsonl-lone-surrogate-in-value",
        "t.jsonl",
        FINE_JSON + '{"session_id": "a", "role": "T", "text": "lone \\ud800 surrogate"}\n',
        "surrogate",
        line=2,
    ),
    bad(
        "jsonl-lone-surrogate-in-key",
        "t.jsonl",
        FINE_JSON + '{"session_id": "a", "role": "T", "text": "x", "\\udfff": 1}\n',
        "surrogate",
        line=2,
    ),
    bad("jsonl-array-after-good-line", "t.jsonl", FINE_JSON + "[1, 2]\n", "JSON object", line=2),
    bad(
        "jsonl-unclosed-object",
        "t.jsonl",
        FINE_JSON + '{"session_id": "a", "role": "T", "text": "x"\n',
        "invalid JSON",
        line=2,
    ),
    # -- plain-text transcripts
    bad(
        "transcript-line-without-prefix",
        "s.txt",
        "T: Hi.\n\nC: I have been\nthinking a lot.\n",
        "no speaker prefix",
        line=4,
    ),
    bad(
        "transcript-prefix-not-among-custom-ones",
        "s.txt",
        "DR: Hi.\nT: Hello.\n",
        None,
        line=2,
        speaker_prefixes={"dr": "therapist", "Pat": "client"},
    ),
    bad(
        "transcript-prefix-maps-to-no-role",
        "s.txt",
        "DR: Hi.\n",
        "doctor",
        names_file=False,
        speaker_prefixes={"DR": "doctor"},
    ),
    bad(
        "transcript-bad-prefix-after-form-feed-and-line-separator",
        "s.txt",
        "T: page one\x0cpage two\nC: ok\u2028fine\nX: bad\n",
        None,
        line=3,
    ),
    # -- session metadata
    bad(
        "metadata-session-twice",
        "meta.csv",
        "session_id,school\nA,mi\nB,cbt\nA,cbt\n",
        "'A' appears twice",
        reader="metadata",
        line=4,
        column="session_id",
    ),
    bad("metadata-without-session-id", "meta.csv", "session,school\nA,mi\n", "session_id", reader="metadata"),
    bad(
        "metadata-column-already-in-corpus",
        "meta.csv",
        "session_id,quality\nA,high\n",
        "already exist",
        reader="metadata",
        column="quality",
    ),
    bad(
        "metadata-matches-no-session",
        "meta.csv",
        "session_id,school\nsession-A,mi\n",
        "matches the corpus",
        reader="metadata",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "reader", "kwargs", "error", "match", "named", "line", "column", "says"), BAD_FILES
)
def test_bad_file_is_an_input_error_naming_what_is_wrong(
    tmp_path, name, content, reader, kwargs, error, match, named, line, column, says
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    if reader == "metadata":
        corpus = read_table(write_rows(tmp_path / "talks.csv", ROWS, "csv"), mapping=MAPPING, role_values=ROLE_VALUES)
        call = lambda: attach_session_metadata(corpus, path)  # noqa: E731
    else:
        read = read_text_transcripts if reader == "text" else read_table
        call = lambda: read(path, **kwargs)  # noqa: E731
    with pytest.raises(error, match=match) as info:
        call()
    err = info.value
    assert err.path == (str(tmp_path / named) if named else None)
    if line is not None:
        assert err.line == line
    if column is not None:
        assert err.column == column
    for text in says:
        assert text in str(err)
    assert len(str(err)) < 500  # a bad value, however long, stays out of the message


# ---------------------------------------------------------------- tables


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet"])
def test_read_table_with_mapping_generates_missing_columns(tmp_path, fmt):
    path = write_rows(tmp_path / f"talks.{fmt}", ROWS, fmt)
    out = read_table(path, mapping=MAPPING, role_values=ROLE_VALUES)
    assert list(out.columns) == [*REQUIRED_COLUMNS, "quality"]  # mapped source columns are not duplicated
    assert list(out["session_id"]) == ["A", "A", "A", "B", "B"]
    # turn = file order within the session; ids and speakers are derived from session, turn and role
    assert list(out["turn"]) == [0, 1, 2, 0, 1]
    assert list(out["utterance_id"]) == ["A:0", "A:1", "A:2", "B:0", "B:1"]
    assert list(out["role"]) == ["therapist", "client", "therapist", "therapist", "client"]
    assert list(out["speaker_id"]) == ["A:therapist", "A:client", "A:therapist", "B:therapist", "B:client"]
    assert list(out["text"]) == [
        "What brings you here today?",
        "My drinking, I guess.",
        "Your drinking worries you.",
        "Tell me about your week.",
        "It was long, so long.",
    ]
    assert list(out["quality"]) == ["high", "high", "high", "low", "low"]


def test_read_table_uses_given_ids_turns_and_default_role_labels(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "session_id,role,text,turn,utterance_id,speaker_id,school\n"
        "s1,Counsellor,Second,5,x2,T1,mi\n"
        "s1,patient,First,2,x1,C1,mi\n",
        encoding="utf-8",
    )
    out = read_table(path)
    assert list(out["utterance_id"]) == ["x1", "x2"]
    assert list(out["turn"]) == [2, 5]
    assert list(out["role"]) == ["client", "therapist"]
    assert list(out["speaker_id"]) == ["C1", "T1"]
    assert list(out["school"]) == ["mi", "mi"]


def test_read_table_format_override_and_utf8_bom(tmp_path):
    path = tmp_path / "talks.data"  # read without the override: BAD_FILES "unknown-extension"
    path.write_bytes("\ufeffsession_id,role,text\ns,T,Caf\u00e9 talk\n".encode())
    out = read_table(path, format="csv")
    assert list(out["text"]) == ["Caf\u00e9 talk"]


def test_latin1_file_reads_with_encoding(tmp_path):
    path = tmp_path / "t.csv"  # with an unknown encoding: BAD_FILES "unknown-encoding"
    path.write_bytes("session_id,role,text\ns,T,caf\u00e9\n".encode("latin-1"))
    assert list(read_table(path, encoding="latin-1")["text"]) == ["caf\u00e9"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "txt"])
def test_latin1_file_reads_with_its_encoding(tmp_path, fmt):
    path = tmp_path / f"s1.{fmt}"  # read as UTF-8: BAD_FILES "latin1-read-as-utf8-*"
    path.write_bytes(latin1_text(fmt).encode("latin-1"))
    reader = read_text_transcripts if fmt == "txt" else read_table
    assert "allé" in " ".join(reader(path, encoding="latin-1")["text"])


def test_jsonl_text_with_unicode_line_separator_is_one_line(tmp_path):
    # JSON allows U+2028 unescaped inside strings; it must not split the record (nor shift the line numbers:
    # BAD_FILES "unknown-role-after-unicode-line-separator")
    path = tmp_path / "t.jsonl"
    rows = [{"session_id": "s", "role": "T", "text": "one\u2028two"}, {"session_id": "s", "role": "C", "text": "x"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = read_table(path)
    assert list(out["text"]) == ["one\u2028two", "x"]


# ---------------------------------------------------------------- plain-text transcripts


def test_text_transcript_short_and_long_prefixes(tmp_path):
    path = tmp_path / "sess1.txt"
    path.write_text(
        "T: Hello, how are you?\n\n   \nC: Not great: tired.\nTherapist:  Tell me more. \r\nclient: Work.\n",
        encoding="utf-8",
    )
    out = read_text_transcripts(path)
    assert list(out["role"]) == ["therapist", "client", "therapist", "client"]
    assert list(out["text"]) == ["Hello, how are you?", "Not great: tired.", "Tell me more.", "Work."]
    assert list(out["turn"]) == [0, 1, 2, 3]
    assert set(out["session_id"]) == {"sess1"}
    assert list(out["utterance_id"]) == ["sess1:0", "sess1:1", "sess1:2", "sess1:3"]
    assert set(out["source_file"]) == {"sess1.txt"}


def test_text_transcript_custom_prefixes(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("DR: Hi.\nPAT: Hello.\n", encoding="utf-8")
    out = read_text_transcripts(path, speaker_prefixes={"dr": "therapist", "Pat": "client"})
    assert list(out["role"]) == ["therapist", "client"]
    # custom prefixes replace the defaults: BAD_FILES "transcript-prefix-not-among-custom-ones"


def test_text_folder_reads_sessions_in_name_order(tmp_path):
    (tmp_path / "b.txt").write_text("T: Second session.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("T: First.\nC: Yes.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a transcript", encoding="utf-8")
    out = read_text_transcripts(tmp_path)
    assert list(out["session_id"]) == ["a", "a", "b"]
    assert list(out["text"]) == ["First.", "Yes.", "Second session."]


def test_text_line_numbers_ignore_form_feed_and_unicode_separators(tmp_path):
    # only \n, \r\n and \r end a line (as in an editor); a form feed inside a remark is text
    # (line numbers: BAD_FILES "transcript-bad-prefix-after-form-feed-and-line-separator")
    path = tmp_path / "s.txt"
    path.write_text("T: page one\x0cpage two\nC: ok\n", encoding="utf-8")
    assert len(read_text_transcripts(path)) == 2


def test_text_errors(tmp_path):
    # one bad file: BAD_FILES "missing-transcript", "blank-transcript"
    with pytest.raises(InputError, match=r"no \*\.txt"):
        read_text_transcripts(tmp_path)
    (tmp_path / "blank.txt").write_text("\n  \n", encoding="utf-8")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "blank.txt").write_text("T: hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="same session id"):
        read_text_transcripts([tmp_path / "blank.txt", tmp_path / "x" / "blank.txt"])


# ---------------------------------------------------------------- session metadata


@pytest.fixture
def corpus(tmp_path):
    return read_table(write_rows(tmp_path / "talks.csv", ROWS, "csv"), mapping=MAPPING, role_values=ROLE_VALUES)


def test_attach_session_metadata_joins_on_session(tmp_path, corpus):
    meta = tmp_path / "meta.csv"
    meta.write_text("session_id,school,therapist\nB,cbt,Ellis\nA,mi,Miller\nZ,gestalt,Perls\n", encoding="utf-8")
    out = attach_session_metadata(corpus, meta)
    assert len(out) == len(corpus)
    assert list(out["utterance_id"]) == list(corpus["utterance_id"])
    assert list(out["school"]) == ["mi", "mi", "mi", "cbt", "cbt"]
    assert list(out["therapist"]) == ["Miller"] * 3 + ["Ellis"] * 2


def test_attach_session_metadata_missing_session_gets_nan(tmp_path, corpus):
    meta = tmp_path / "meta.jsonl"
    meta.write_text('{"session_id": "A", "school": "mi"}\n', encoding="utf-8")
    out = attach_session_metadata(corpus, meta)
    assert out["school"].isna().tolist() == [False, False, False, True, True]


# ---------------------------------------------------------------- load_corpus


def test_load_corpus_dispatches_on_file_folder_and_name(tmp_path):
    table = write_rows(tmp_path / "talks.jsonl", ROWS, "jsonl")
    by_file = load_corpus(table, mapping=MAPPING, role_values=ROLE_VALUES)
    assert len(by_file) == 5 and "quality" in by_file.columns

    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "s1.txt").write_text("Counselor: Hi.\nPatient: Hello.\n", encoding="utf-8")
    by_folder = load_corpus(folder)
    assert list(by_folder["role"]) == ["therapist", "client"]
    assert by_folder["session_id"].tolist() == ["s1", "s1"]

    single = load_corpus(str(folder / "s1.txt"))
    assert len(single) == 2

    listed = load_corpus([folder / "s1.txt"])
    assert len(listed) == 2

    meta = tmp_path / "meta.tsv"
    meta.write_text("session_id\tschool\ns1\tperson-centred\n", encoding="utf-8")
    with_meta = load_corpus(folder, session_metadata=meta)
    assert set(with_meta["school"]) == {"person-centred"}


def test_load_corpus_demo_by_name():
    demo = load_corpus("DEMO")
    assert demo["session_id"].nunique() == 186
    assert set(demo["corpus"]) == {"annomi", "mibot"}


def test_load_corpus_unknown_path(tmp_path):
    with pytest.raises(InputError, match="nor a corpus name") as info:
        load_corpus(tmp_path / "nothing-here.csv")
    assert "annomi" in str(info.value) and "demo" in str(info.value)
    with pytest.raises(InputError, match="nor a corpus name"):
        load_corpus("annomy")
