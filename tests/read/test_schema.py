"""validate_corpus and corpus_summary: the schema every reader's output must meet."""

from __future__ import annotations

import pandas as pd
import pytest

from topics.errors import CorpusError, InputError
from topics.read import REQUIRED_COLUMNS, corpus_summary, validate_corpus


def make_table(**overrides) -> pd.DataFrame:
    data = {
        "utterance_id": ["u1", "u2", "u3", "u4"],
        "session_id": ["s2", "s1", "s1", "s2"],
        "turn": [1, 1, 0, 0],
        "role": ["Therapist", " client ", "therapist", "CLIENT"],
        "speaker_id": ["t2", "c1", "t1", "c2"],
        "text": ["Hello there.", None, "How are you?", "Fine."],
        "school": ["cbt", "mi", "mi", "cbt"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_valid_table_is_normalised_sorted_and_keeps_metadata():
    out = validate_corpus(make_table()[["school", *REQUIRED_COLUMNS]])
    assert list(out.columns) == [*REQUIRED_COLUMNS, "school"]
    assert list(out["utterance_id"]) == ["u3", "u2", "u4", "u1"]  # by session, then turn
    assert list(out["role"]) == ["therapist", "client", "client", "therapist"]
    assert list(out["turn"]) == [0, 1, 0, 1]
    assert out["turn"].dtype == "int64"
    assert list(out["school"]) == ["mi", "mi", "cbt", "cbt"]
    assert out.loc[out["utterance_id"] == "u2", "text"].item() == ""  # missing text becomes empty
    assert list(out.index) == [0, 1, 2, 3]


def test_ids_become_strings_and_float_turns_that_are_integers_pass():
    out = validate_corpus(make_table(utterance_id=[1, 2, 3, 4], turn=["1", 1.0, "0", 0]))
    assert set(out["utterance_id"]) == {"1", "2", "3", "4"}
    assert out["turn"].tolist() == [0, 1, 0, 1]


def test_input_is_not_modified():
    table = make_table()
    before = table.copy()
    validate_corpus(table)
    pd.testing.assert_frame_equal(table, before)


def test_missing_column_is_named():
    with pytest.raises(CorpusError) as info:
        validate_corpus(make_table().drop(columns="speaker_id"), path="talks.csv")
    err = info.value
    assert err.column == "speaker_id"
    assert err.path == "talks.csv"
    assert "speaker_id" in str(err) and "talks.csv" in str(err)


def test_bad_role_names_file_line_and_column():
    table = make_table(role=["therapist", "client", "nurse", "client"])
    with pytest.raises(CorpusError) as info:
        validate_corpus(table, path="talks.csv", lines=[2, 3, 7, 9])
    err = info.value
    assert (err.path, err.line, err.column) == ("talks.csv", 7, "role")
    assert str(err).startswith("talks.csv, line 7, column 'role':")
    assert "'nurse'" in str(err)


def test_bad_row_without_lines_names_the_row():
    with pytest.raises(CorpusError, match=r"\(row 3\)") as info:
        validate_corpus(make_table(role=["therapist", "client", "client", "doctor"]))
    assert info.value.line is None


def test_duplicate_utterance_id_names_the_second_occurrence():
    table = make_table(utterance_id=["a", "b", "a", "c"])
    with pytest.raises(CorpusError, match="duplicate utterance_id 'a'") as info:
        validate_corpus(table, path="x.jsonl", lines=[1, 2, 3, 4])
    assert (info.value.line, info.value.column) == (3, "utterance_id")


@pytest.mark.parametrize("bad", ["two", 1.5, None, "inf", 1e300])
def test_non_integer_turn(bad):
    table = make_table(turn=[0, 1, bad, 2])
    with pytest.raises(CorpusError, match="turn must be an integer") as info:
        validate_corpus(table, path="x.csv", lines=[2, 3, 4, 5])
    assert (info.value.line, info.value.column) == (4, "turn")


@pytest.mark.parametrize("column", ["utterance_id", "session_id", "speaker_id"])
@pytest.mark.parametrize("empty", ["", "   ", None])
def test_empty_id(column, empty):
    values = list(make_table()[column])
    values[1] = empty
    with pytest.raises(CorpusError, match=f"empty {column}") as info:
        validate_corpus(make_table(**{column: values}), path="f.csv", lines=[10, 11, 12, 13])
    assert (info.value.line, info.value.column) == (11, column)


def test_empty_table_and_wrong_type():
    with pytest.raises(CorpusError, match="no utterances"):
        validate_corpus(make_table().iloc[0:0])
    with pytest.raises(CorpusError, match="DataFrame"):
        validate_corpus([{"text": "hi"}])  # type: ignore[arg-type]


def test_corpus_error_is_an_input_error():
    assert issubclass(CorpusError, InputError)
    assert issubclass(InputError, ValueError)


def test_corpus_summary_counts():
    table = validate_corpus(
        make_table(
            utterance_id=["a", "b", "c", "d"],
            session_id=["s1", "s1", "s1", "s2"],
            turn=[0, 1, 2, 0],
            role=["therapist", "client", "therapist", "therapist"],
            speaker_id=["t1", "c1", "t1", "t2"],
        )
    )
    assert corpus_summary(table) == {
        "sessions": 2,
        "utterances": 4,
        "therapist_utterances": 3,
        "client_utterances": 1,
        "speakers": 3,
    }
