"""validate_corpus and corpus_summary: the schema every reader's output must meet."""

from __future__ import annotations

import warnings

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


# ------------------------------------------------------------------ columns the toolkit writes (issue 22)


def test_a_csv_topic_column_is_kept_as_meta_topic_with_a_warning(tmp_path):
    """CounselChat reshaped by a user keeps its own `topic`; the model's `topic` must never replace it."""
    from topics.read import read_table

    path = tmp_path / "counselchat rows.csv"
    path.write_text(
        "session_id,role,text, topic ,Topic,label,école,1,probability\n"
        "q1,client,I feel low all the time,depression,Depression,L1,x,7,0.5\n"
        "q1,therapist,That sounds very hard to carry,depression,Depression,L1,x,7,0.5\n"
        "q2,client,I worry about everything,anxiety,Anxiety,L2,y,8,0.25\n",
        encoding="utf-8",
    )
    with pytest.warns(UserWarning) as caught:
        table = read_table(path)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3  # topic, label, probability: one line each
    assert all("\n" not in m for m in messages)
    topic = next(m for m in messages if "'topic'" in m)
    assert str(path) in topic and "'meta_topic'" in topic and "--compare-by meta_topic" in topic
    assert "by='meta_topic'" in topic
    assert {"meta_topic", "meta_label", "meta_probability"} <= set(table.columns)
    assert not {"topic", "label", "probability"} & set(table.columns)
    assert table["meta_topic"].tolist() == ["depression", "depression", "anxiety"]
    assert table["meta_label"].tolist() == ["L1", "L1", "L2"]
    # other awkward names are the user's and stay as they are: another case, accents, a number
    assert table["Topic"].tolist() == ["Depression", "Depression", "Anxiety"]
    assert table["école"].tolist() == ["x", "x", "y"] and table["1"].tolist() == ["7", "7", "8"]


def test_validate_corpus_keeps_a_reserved_column_without_a_file():
    from topics.read import RESERVED_COLUMNS

    table = make_table(topic=["grief", "grief", "grief", "grief"], bucket=[1, 2, 3, 4])
    with pytest.warns(UserWarning) as caught:
        out = validate_corpus(table)
    assert [str(w.message).split(";")[0] for w in caught] == [
        "metadata column 'topic' has the name of a column the toolkit writes (the topic of each remark)",
        "metadata column 'bucket' has the name of a column the toolkit writes (the set-aside bucket of each remark "
        "in the curated view)",
    ]
    assert list(out.columns) == [*REQUIRED_COLUMNS, "school", "meta_topic", "meta_bucket"]
    assert out["meta_topic"].tolist() == ["grief"] * 4
    assert sorted(out["meta_bucket"]) == [1, 2, 3, 4]
    assert not set(out.columns) & set(RESERVED_COLUMNS)
    # validated again (as fit() does): nothing left to rename, no second warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(validate_corpus(out), out)


def test_a_reserved_column_beside_its_meta_name_is_refused(tmp_path):
    table = make_table(topic=["a"] * 4, meta_topic=["b"] * 4)
    with pytest.raises(CorpusError) as info:
        validate_corpus(table, path="talks.csv")
    err = info.value
    assert err.path == "talks.csv" and err.column == "topic"
    assert "'meta_topic'" in str(err) and "rename one of the two" in str(err)
    assert "\n" not in str(err)


def test_session_metadata_with_a_topic_column_is_kept_as_meta_topic(tmp_path):
    from topics.read import attach_session_metadata

    corpus = validate_corpus(make_table())
    meta = tmp_path / "sessions.csv"
    meta.write_text("session_id,topic,quality\ns1,grief,high\ns2,anxiety,low\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="sessions.csv: metadata column 'topic'"):
        out = attach_session_metadata(corpus, meta)
    assert "topic" not in out.columns
    assert dict(zip(out["session_id"], out["meta_topic"], strict=True)) == {"s1": "grief", "s2": "anxiety"}
    # the corpus already kept its own "topic" as meta_topic: the file's cannot be added beside it
    with pytest.warns(UserWarning):
        both = validate_corpus(make_table(topic=["x"] * 4))
    with pytest.warns(UserWarning), pytest.raises(InputError, match="'topic' of the file, kept as 'meta_topic'"):
        attach_session_metadata(both, meta)


def test_the_cleaning_step_writes_only_reserved_columns():
    from topics.clean import select_remarks
    from topics.read import RESERVED_COLUMNS

    corpus = validate_corpus(
        make_table(
            text=["Hello there, how are you today?", None, "How are you [laughs] feeling this week?", "Fine."],
            role=["therapist", "client", "therapist", "client"],
        )
    )
    remarks, dropped = select_remarks(corpus)
    written = set(remarks.columns) - set(corpus.columns)
    assert {"n_words", "duplicate_count", "markers_removed"} <= written
    assert written <= set(RESERVED_COLUMNS)


@pytest.mark.parametrize("name", ["demo", "annomi", "mibot", "counselchat", "esconv", "rogers", "llms-as-therapists"])
def test_bundled_loaders_name_their_columns_without_a_clash(name):
    """CounselChat's topic is `problem` (all its topics: `topics`): no loader needs the meta_ rename."""
    from topics.read import LOADERS, RESERVED_COLUMNS, load_demo
    from topics.read import public as public_corpora

    if name != "demo" and not (public_corpora.PROJECT_ROOT.parent / "shared" / "corpora").is_dir():
        pytest.skip("public corpora not found")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        table = load_demo() if name == "demo" else LOADERS[name]()
    assert not set(table.columns) & set(RESERVED_COLUMNS)
    assert not [c for c in table.columns if c.startswith("meta_")]


@pytest.mark.slow
def test_every_column_the_toolkit_writes_is_reserved(annomi_run, annomi_extract):
    """The model's assignments, the curated view and the report's table add only RESERVED_COLUMNS to the data."""
    from topics.curate import apply_ledger
    from topics.read import RESERVED_COLUMNS
    from topics.reporting.redaction import redact

    analysis, _ = annomi_run
    view = apply_ledger(analysis.model, None)
    shown, _, _ = redact(analysis, use_ner=False)
    written = set()
    for table in (analysis.raw_assignments, view.assignments, shown.assignments):
        written |= set(table.columns) - set(annomi_extract.columns)
    assert {"topic", "label", "probability", "raw_topic", "bucket", "display_text"} <= written
    assert written <= set(RESERVED_COLUMNS), sorted(written - set(RESERVED_COLUMNS))


def test_the_dask_reader_keeps_a_topic_column_as_meta_topic(tmp_path):
    """The Dask engine's reader follows the same rule, once for the whole input (its meta frame included)."""
    pytest.importorskip("dask.dataframe")
    from topics.distributed.lazy import read_lazy

    path = tmp_path / "big.csv"
    path.write_text(
        "session_id,turn,role,text,topic\ns1,0,client,I feel low,depression\n"
        "s1,1,therapist,That sounds hard,depression\n",
        encoding="utf-8",
    )
    with pytest.warns(UserWarning, match="big.csv: metadata column 'topic' .* kept as 'meta_topic'"):
        ddf = read_lazy(path)
    assert "topic" not in ddf.columns and "meta_topic" in ddf.columns
    assert ddf.compute()["meta_topic"].tolist() == ["depression", "depression"]
    path.write_text("session_id,turn,role,text,topic,meta_topic\ns1,0,client,I feel low,a,b\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="rename one of the two"):
        read_lazy(path)
