"""Readers: tables (CSV, TSV, JSONL, parquet), plain-text transcripts, session metadata, load_corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from topics.errors import InputError
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


def write_rows(path: Path, rows: list[dict], fmt: str) -> Path:
    df = pd.DataFrame(rows)
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt == "tsv":
        df.to_csv(path, index=False, sep="\t")
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    return path


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
    path = tmp_path / "talks.data"
    path.write_bytes("\ufeffsession_id,role,text\ns,T,Caf\u00e9 talk\n".encode())
    out = read_table(path, format="csv")
    assert list(out["text"]) == ["Caf\u00e9 talk"]
    with pytest.raises(InputError, match="unknown format 'data'"):
        read_table(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file") as info:
        read_table(tmp_path / "nope.csv")
    assert info.value.path == str(tmp_path / "nope.csv")


def test_mapping_to_absent_column_is_named(tmp_path):
    path = write_rows(tmp_path / "talks.csv", ROWS, "csv")
    with pytest.raises(InputError, match="'speaker'") as info:
        read_table(path, mapping={**MAPPING, "role": "speaker"}, role_values=ROLE_VALUES)
    assert info.value.column == "speaker"
    assert info.value.path == str(path)
    assert "who" in str(info.value)  # lists the columns the file has


def test_unmapped_required_column_is_named(tmp_path):
    path = write_rows(tmp_path / "talks.csv", ROWS, "csv")
    with pytest.raises(InputError, match="no column for 'text'") as info:
        read_table(path, mapping={"session_id": "transcript", "role": "who"}, role_values=ROLE_VALUES)
    assert info.value.column == "text"


def test_mapping_with_unknown_toolkit_column(tmp_path):
    path = write_rows(tmp_path / "talks.csv", ROWS, "csv")
    with pytest.raises(InputError, match="'speech'"):
        read_table(path, mapping={**MAPPING, "speech": "utterance_text"}, role_values=ROLE_VALUES)


@pytest.mark.parametrize(("fmt", "line"), [("csv", 4), ("tsv", 4), ("jsonl", 3)])
def test_unknown_role_names_the_line(tmp_path, fmt, line):
    rows = [dict(r) for r in ROWS]
    rows[2]["who"] = "Nurse"
    path = write_rows(tmp_path / f"talks.{fmt}", rows, fmt)
    with pytest.raises(InputError, match="unknown role 'Nurse'") as info:
        read_table(path, mapping=MAPPING, role_values=ROLE_VALUES)
    assert (info.value.line, info.value.column) == (line, "who")


def test_unknown_role_line_counts_embedded_newlines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('session_id,role,text\ns,T,"one\ntwo\nthree"\ns,X,bad role\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.line == 5


def test_undecodable_byte_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"session_id,role,text\ns,T,fine\ns,C,caf\xff\n")
    with pytest.raises(InputError, match="0xff") as info:
        read_table(path)
    assert info.value.line == 3
    assert "character 8" in str(info.value)


def test_undecodable_byte_after_bom_names_the_right_byte_and_line(tmp_path):
    # utf-8-sig strips the BOM before decoding: offsets must not shift by its three bytes
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfsession_id,role,text\ns,T,ok\ns,C,ab\xfe\n")
    with pytest.raises(InputError, match="0xfe at character 7") as info:
        read_table(path)
    assert info.value.line == 3


def test_latin1_file_reads_with_encoding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("session_id,role,text\ns,T,caf\u00e9\n".encode("latin-1"))
    assert list(read_table(path, encoding="latin-1")["text"]) == ["caf\u00e9"]
    with pytest.raises(InputError, match="unknown encoding"):
        read_table(path, encoding="no-such-codec")


def test_malformed_jsonl_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"session_id": "s", "role": "T", "text": "a"}\n\n{"session_id": "s", "role": "C", "text": }\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="invalid JSON") as info:
        read_table(path)
    assert info.value.line == 3


def test_jsonl_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"session_id": "s", "role": "T", "text": "a"}\n["s", "C", "b"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="JSON object") as info:
        read_table(path)
    assert info.value.line == 2


def test_jsonl_text_with_unicode_line_separator_is_one_line(tmp_path):
    # JSON allows U+2028 unescaped inside strings; it must not split the record
    path = tmp_path / "t.jsonl"
    rows = [{"session_id": "s", "role": "T", "text": "one\u2028two"}, {"session_id": "s", "role": "C", "text": "x"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = read_table(path)
    assert list(out["text"]) == ["one\u2028two", "x"]
    path.write_text(path.read_text(encoding="utf-8") + '{"session_id": "s", "role": "?", "text": "y"}\n', "utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.line == 3


def test_csv_row_with_wrong_field_count(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("session_id,role,text\ns,T,a\ns,C,b,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected 3 fields as in the header, found 4") as info:
        read_table(path)
    assert info.value.line == 3


def test_csv_wrong_field_count_after_embedded_newline(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('session_id,role,text\ns,T,"first\nsecond"\n\ns,C\n', encoding="utf-8")
    with pytest.raises(InputError, match="found 2") as info:
        read_table(path)
    assert info.value.line == 5


def test_csv_unclosed_quote_names_the_line_where_the_row_starts(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('session_id,role,text\ns,T,ok\ns,C,"never closed\nmore\n', encoding="utf-8")
    with pytest.raises(InputError, match="malformed CSV") as info:
        read_table(path)
    assert info.value.line == 3


@pytest.mark.parametrize("content", [b"", b"  \n\n"])
@pytest.mark.parametrize("suffix", ["csv", "tsv", "jsonl"])
def test_empty_file(tmp_path, content, suffix):
    path = tmp_path / f"empty.{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty") as info:
        read_table(path)
    assert info.value.path == str(path)


def test_header_only_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("session_id,role,text\n", encoding="utf-8")
    with pytest.raises(InputError, match="no utterances"):
        read_table(path)


def test_repeated_header_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("session_id,role,text,role\ns,T,a,C\n", encoding="utf-8")
    with pytest.raises(InputError, match="repeated column") as info:
        read_table(path)
    assert info.value.line == 1


def test_broken_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"not a parquet file")
    with pytest.raises(InputError, match="parquet"):
        read_table(path)


def test_empty_session_id_in_csv_names_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("session_id,role,text\ns,T,a\n,C,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty session_id") as info:
        read_table(path)
    assert info.value.line == 3


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
    # custom prefixes replace the defaults
    path.write_text("DR: Hi.\nT: Hello.\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_text_transcripts(path, speaker_prefixes={"dr": "therapist", "Pat": "client"})
    assert info.value.line == 2


def test_text_transcript_prefix_must_map_to_a_role(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("DR: Hi.\n", encoding="utf-8")
    with pytest.raises(InputError, match="doctor"):
        read_text_transcripts(path, speaker_prefixes={"DR": "doctor"})


def test_text_folder_reads_sessions_in_name_order(tmp_path):
    (tmp_path / "b.txt").write_text("T: Second session.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("T: First.\nC: Yes.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a transcript", encoding="utf-8")
    out = read_text_transcripts(tmp_path)
    assert list(out["session_id"]) == ["a", "a", "b"]
    assert list(out["text"]) == ["First.", "Yes.", "Second session."]


def test_text_line_without_prefix_names_file_and_line(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("T: Hi.\n\nC: I have been\nthinking a lot.\n", encoding="utf-8")
    with pytest.raises(InputError, match="no speaker prefix") as info:
        read_text_transcripts(path)
    assert (info.value.path, info.value.line) == (str(path), 4)


def test_text_line_numbers_ignore_form_feed_and_unicode_separators(tmp_path):
    # only \n, \r\n and \r end a line (as in an editor); a form feed inside a remark is text
    path = tmp_path / "s.txt"
    path.write_text("T: page one\x0cpage two\nC: ok\u2028fine\nX: bad\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_text_transcripts(path)
    assert info.value.line == 3
    path.write_text("T: page one\x0cpage two\nC: ok\n", encoding="utf-8")
    assert len(read_text_transcripts(path)) == 2


def test_text_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text_transcripts(tmp_path / "missing.txt")
    with pytest.raises(InputError, match=r"no \*\.txt"):
        read_text_transcripts(tmp_path)
    (tmp_path / "blank.txt").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="no utterances") as info:
        read_text_transcripts(tmp_path / "blank.txt")
    assert info.value.path == str(tmp_path / "blank.txt")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "blank.txt").write_text("T: hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="same session id"):
        read_text_transcripts([tmp_path / "blank.txt", tmp_path / "x" / "blank.txt"])


def test_text_undecodable_byte(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(b"T: hi\nC: caf\xe9\n")
    with pytest.raises(InputError, match="0xe9") as info:
        read_text_transcripts(path)
    assert info.value.line == 2


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


def test_attach_session_metadata_errors(tmp_path, corpus):
    meta = tmp_path / "meta.csv"
    meta.write_text("session_id,school\nA,mi\nB,cbt\nA,cbt\n", encoding="utf-8")
    with pytest.raises(InputError, match="'A' appears twice") as info:
        attach_session_metadata(corpus, meta)
    assert (info.value.line, info.value.column) == (4, "session_id")

    meta.write_text("session,school\nA,mi\n", encoding="utf-8")
    with pytest.raises(InputError, match="session_id"):
        attach_session_metadata(corpus, meta)

    meta.write_text("session_id,quality\nA,high\n", encoding="utf-8")
    with pytest.raises(InputError, match="already exist") as info:
        attach_session_metadata(corpus, meta)
    assert info.value.column == "quality"

    meta.write_text("session_id,school\nsession-A,mi\n", encoding="utf-8")
    with pytest.raises(InputError, match="matches the corpus"):
        attach_session_metadata(corpus, meta)

    with pytest.raises(InputError, match="no such file"):
        attach_session_metadata(corpus, tmp_path / "none.csv")


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
