"""Hostile and broken input to the readers and the schema: random documents, and oddities that must read.

* property-based (hypothesis): random bytes, random text and random structured documents fed to
  ``read_table`` (CSV, TSV, JSONL) and ``read_text_transcripts``. The only exception allowed out is
  :class:`topics.errors.InputError`; whatever is read successfully is a valid corpus that can be saved as
  parquet and UTF-8 CSV;
* explicit cases that must read: huge fields, a surrogate pair, missing, mixed and nested metadata, column
  names that are not text; and a lone surrogate in a DataFrame, which ``validate_corpus`` names.

Files that must *not* read (wrong encodings, huge bad values, empty and header-only files, duplicate ids,
missing turns, bad JSON lines) are rows of ``BAD_FILES`` in ``tests/read/test_files.py``; hostile config
files are in ``tests/test_config_hostile.py``, corpora that cannot be modelled in
``tests/model/test_unmodellable.py``.
"""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from topics.errors import CorpusError, InputError
from topics.read import REQUIRED_COLUMNS, read_table, read_text_transcripts, validate_corpus

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the project
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DELIMITER = {"csv": ",", "tsv": "\t"}
COLUMN_NAMES = [*REQUIRED_COLUMNS, "school", "quality", "", " role ", "Role"]
ROLE_LABELS = ["therapist", "client", "T", "C", "Counsellor", "patient", "doctor", ""]
CELLS = ["", "1", "-1", "0", "1.5", "1e3", "nan", "NaN", "inf", "null", '"', '""', "\r", "\n", "a,b", "\ufeff"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder for fuzz inputs (hypothesis and function-scoped fixtures do not mix)."""
    return tmp_path_factory.mktemp("hostile")


def assert_valid_and_storable(table: pd.DataFrame) -> None:
    """What every successful read must give: a valid corpus that parquet and UTF-8 CSV can hold."""
    pd.testing.assert_frame_equal(validate_corpus(table), table)
    table.to_parquet(io.BytesIO(), index=False)
    table.to_csv(index=False).encode("utf-8")


def read_or_input_error(fn, *args, **kwargs) -> pd.DataFrame | None:
    try:
        out = fn(*args, **kwargs)
    except InputError as err:
        assert str(err)  # a message, not an empty error
        event(f"{type(err).__name__}: {' '.join(err.message.split()[:3])}")
        return None
    assert_valid_and_storable(out)
    event("read")
    return out


# ---------------------------------------------------------------------------------------------- strategies
# Mostly plausible documents with hostile details (so that many are read and the result is checked), plus
# plain garbage. Text avoids NUL most of the time: a NUL is refused before anything else is looked at.
words = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
cell = st.one_of(
    st.sampled_from(CELLS + ROLE_LABELS),
    words,
    st.text(max_size=12),
    st.text(alphabet=string.ascii_letters + string.digits + " ,\t\"'\r\n", max_size=12),
)
GOOD_CELL = {
    "role": st.sampled_from(ROLE_LABELS[:-2]),
    "session_id": st.sampled_from(["a", "b", " c ", "1", "nan"]),
    "turn": st.one_of(st.integers(-2, 6).map(str), st.sampled_from(["1.0", "1e0", " 2 "])),
    "utterance_id": st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"]),
    "speaker_id": st.sampled_from(["t1", "c1"]),
}
METADATA_NAMES = ["school", "quality", "score", "", "Role", " x ", "turn ", "7"]


def mostly(draw, good, bad, odds: int = 30):
    """Draw from ``good``, and one time in ``odds`` from ``bad``: a broken value somewhere in a plausible file."""
    return draw(bad) if draw(st.integers(0, odds - 1)) == 0 else draw(good)


@st.composite
def delimited_documents(draw, delimiter: str) -> bytes:
    """A CSV/TSV-like document: a header of likely column names, rows of likely and random cells."""
    required = [c for c in ("session_id", "role", "text") if draw(st.integers(0, 19))]  # each dropped 1 time in 20
    optional = draw(
        st.lists(st.sampled_from(["turn", "utterance_id", "speaker_id", *METADATA_NAMES]), max_size=3, unique=True)
    )
    optional += draw(st.lists(st.one_of(st.sampled_from(COLUMN_NAMES), words), max_size=1))
    header = draw(st.permutations(required + optional)) or [""]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        width = len(header) + mostly(draw, st.just(0), st.sampled_from([-1, 1]))
        rows.append(
            [
                mostly(draw, GOOD_CELL.get(header[i], cell), cell) if i < len(header) else draw(cell)
                for i in range(max(width, 0))
            ]
        )

    def render(value: str) -> str:
        if draw(st.integers(0, 3)) == 0 or any(ch in value for ch in f'{delimiter}"\r\n'):
            return '"' + value.replace('"', '""') + '"' if draw(st.integers(0, 19)) else value  # sometimes broken
        return value

    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(render(v) for v in row) for row in [header, *rows])
    return text.encode("utf-8")


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.sampled_from(ROLE_LABELS + CELLS),
    words,
    st.text(alphabet=st.characters(exclude_categories=()), max_size=8),  # lone surrogates included
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
GOOD_VALUE = {
    "role": st.sampled_from(ROLE_LABELS[:-2]),
    "session_id": st.sampled_from(["a", "b", 1, 2.0]),
    "turn": st.one_of(st.integers(-2, 6), st.sampled_from(["1", 1.0, True])),
    "utterance_id": st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", 9, 10]),
    "speaker_id": st.sampled_from(["t1", "c1"]),
    "text": st.one_of(words, json_value),
}


@st.composite
def json_records(draw, keys: list[str]) -> dict:
    record = {k: mostly(draw, GOOD_VALUE[k], json_value) for k in keys if mostly(draw, st.just(True), st.just(False))}
    names = st.one_of(st.sampled_from(METADATA_NAMES), st.text(max_size=5))
    record.update(draw(st.dictionaries(names, json_value, max_size=3)))
    return record


@st.composite
def jsonl_documents(draw) -> bytes:
    """JSON lines: mostly records with likely keys and any JSON values, sometimes other values or garbage."""
    keys = ["session_id", "role", "text"]
    keys += draw(st.lists(st.sampled_from(["turn", "utterance_id", "speaker_id"]), max_size=3, unique=True))
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 39))
        obj = draw(json_records(keys)) if kind < 38 else draw(json_scalar | st.lists(json_scalar))
        try:
            line = json.dumps(obj, ensure_ascii=draw(st.booleans()))
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: written as a \\udxxx escape, as JSON allows
            line = json.dumps(obj, ensure_ascii=True)
        if kind == 39:
            line = line[: draw(st.integers(0, len(line)))] + draw(st.text(max_size=4))
        lines.append(line)
        if not draw(st.integers(0, 9)):
            lines.append(draw(st.sampled_from(["", "  ", "\u2028", "\x0c"])))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(lines).encode("utf-8", "surrogatepass")


@st.composite
def transcript_documents(draw) -> bytes:
    good = ["T", "C", "Therapist", "client", " Counselor ", "Patient"]
    line = st.one_of(
        st.builds(lambda p, t: f"{p}:{t}", st.sampled_from(good), words),
        st.builds(lambda p, t: f"{p}:{t}", st.sampled_from(good), words),
        st.builds(
            lambda p, sep, t: p + sep + t,
            st.sampled_from([*good, "Dr", "", "T :", "http"]),
            st.sampled_from([":", ": ", "", "::"]),
            st.text(max_size=20),
        ),
        st.sampled_from(["", "   ", "\x0c", "\u2028"]),
    )
    lines = draw(st.lists(line, min_size=1, max_size=8))
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines).encode("utf-8")


# ---------------------------------------------------------------------------------------------- properties
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
@FUZZ
@given(data=st.binary(max_size=400))
def test_read_table_on_random_bytes(workdir, fmt, data):
    path = workdir / f"random.{fmt}"
    path.write_bytes(data)
    read_or_input_error(read_table, path)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@FUZZ
@given(data=st.data())
def test_read_table_on_random_delimited_documents(workdir, fmt, data):
    path = workdir / f"doc.{fmt}"
    path.write_bytes(data.draw(delimited_documents(DELIMITER[fmt])))
    read_or_input_error(read_table, path, role_values={"doctor": "therapist"})


@FUZZ
@given(doc=jsonl_documents())
def test_read_table_on_random_json_lines(workdir, doc):
    path = workdir / "doc.jsonl"
    path.write_bytes(doc)
    read_or_input_error(read_table, path)


@FUZZ
@given(docs=st.lists(st.one_of(transcript_documents(), st.binary(max_size=200)), min_size=1, max_size=3))
def test_read_text_transcripts_on_random_documents(workdir, docs):
    folder = workdir / "transcripts"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    for i, doc in enumerate(docs):
        (folder / f"session-{i}.txt").write_bytes(doc)
    read_or_input_error(read_text_transcripts, folder)


# ---------------------------------------------------------------------------------------------- sizes
HUGE = 5 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "txt"])
def test_a_5mb_field_reads_fine(tmp_path, fmt):
    big = "word " * (HUGE // 5)
    if fmt == "jsonl":
        text = json.dumps({"session_id": "s1", "role": "T", "text": big}) + "\n"
    elif fmt == "txt":
        text = f"T: {big}\nC: short\n"
    else:
        d = DELIMITER[fmt]
        text = f"session_id{d}role{d}text\ns1{d}T{d}{big}\ns1{d}C{d}short\n"
    path = tmp_path / f"s1.{fmt}"
    path.write_text(text, encoding="utf-8")
    out = (read_text_transcripts if fmt == "txt" else read_table)(path)
    assert len(out["text"].iloc[0]) == (len(big.strip()) if fmt == "txt" else len(big))


# ---------------------------------------------------------------------------------------------- JSON oddities
def test_a_surrogate_pair_escape_is_fine(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"session_id": "a", "role": "T", "text": "good \\ud83d\\ude00"}\n', encoding="utf-8")
    assert read_table(path)["text"].iloc[0] == "good \U0001f600"


def test_lone_surrogate_in_a_dataframe_is_named():
    table = pd.DataFrame(
        {
            "utterance_id": ["u1", "u2"],
            "session_id": ["a", "a"],
            "turn": [0, 1],
            "role": ["therapist", "client"],
            "speaker_id": ["t", "c"],
            "text": pd.Series(["fine", "bad \udc80"], dtype=object),
        }
    )
    with pytest.raises(CorpusError, match="surrogate") as info:
        validate_corpus(table)
    assert info.value.column == "text" and "row 1" in str(info.value)


# ---------------------------------------------------------------------------------------------- metadata
def test_missing_metadata_is_kept_missing(tmp_path):
    path = tmp_path / "t.jsonl"
    rows = [
        {"session_id": "a", "role": "T", "text": "Hi.", "quality": "high", "score": 3.5},
        {"session_id": "a", "role": "C", "text": "Hello.", "quality": None},
        {"session_id": "b", "role": "T", "text": "Welcome.", "score": float("nan")},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = read_table(path)
    assert out["quality"].isna().tolist() == [False, True, True]
    assert out["score"].isna().tolist() == [False, True, True]
    assert out["score"].iloc[0] == 3.5
    assert_valid_and_storable(out)


def test_mixed_and_nested_metadata_become_text(tmp_path):
    """Documented fallback (topics.read.schema): parquet cannot hold a column of numbers and text, so it is text."""
    path = tmp_path / "t.jsonl"
    rows = [
        {"session_id": "a", "role": "T", "text": "Hi.", "q": 3, "codes": ["reflection", "question"], "b": True},
        {"session_id": "a", "role": "C", "text": "Hello.", "q": "high", "codes": {"x": 1}, "b": False},
        {"session_id": "b", "role": "T", "text": "Welcome.", "q": None, "codes": None, "b": None},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = read_table(path)
    assert out["q"].tolist()[:2] == ["3", "high"] and pd.isna(out["q"].iloc[2])
    assert out["codes"].tolist()[:2] == ['["reflection", "question"]', '{"x": 1}'] and pd.isna(out["codes"].iloc[2])
    assert out["b"].tolist()[:2] == [True, False]  # one kind of value: left alone
    assert_valid_and_storable(out)


def test_non_text_column_names_become_text():
    table = pd.DataFrame(
        {
            "utterance_id": ["u1"],
            "session_id": ["a"],
            "turn": [0],
            "role": ["therapist"],
            "speaker_id": ["t"],
            "text": ["Hi."],
            7: ["x"],
        }
    )
    out = validate_corpus(table)
    assert list(out.columns)[-1] == "7"
    assert_valid_and_storable(out)
    with pytest.raises(CorpusError, match="repeated column"):
        validate_corpus(table.assign(**{"7": ["y"]}))


# ---------------------------------------------------------------------------------------------- categorical columns
FORMULA_LIKE = ["-5", "=SUM(A1)", "@x"]


def test_export_csv_guards_a_categorical_column(tmp_path):
    """A guarded cell is not one of the column's categories: it once raised TypeError after a whole fit."""
    from topics._files import export_csv

    table = pd.DataFrame({"school": pd.Categorical([*FORMULA_LIKE, "MI"]), "n": pd.Categorical([1, 2, None, 1])})
    rows = export_csv(table, tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert rows == ["school,n", "'-5,1", "'=SUM(A1),2", "'@x,", "MI,1"]


def test_parquet_categorical_metadata_reads_as_plain_values(tmp_path):
    table = pd.DataFrame(
        {
            "session_id": ["a", "a", "b"],
            "role": pd.Categorical(["T", "C", "T"]),
            "text": ["Hi.", "Hello.", "Welcome."],
            "school": pd.Categorical(FORMULA_LIKE),
            "level": pd.Categorical([1, 2, 1]),
        }
    )
    table.to_parquet(tmp_path / "t.parquet", index=False)
    out = read_table(tmp_path / "t.parquet")
    assert not any(isinstance(dtype, pd.CategoricalDtype) for dtype in out.dtypes)
    assert out["school"].tolist() == FORMULA_LIKE and out["level"].tolist() == [1, 2, 1]
    assert_valid_and_storable(out)


def test_a_fit_of_a_parquet_corpus_with_formula_like_categories_saves(tmp_path, small_corpus, embedder, config):
    """Issue 23 item 5: `topics fit` crashed at save, after the whole fit, on a categorical '-5' column."""
    import topics
    from topics.read import load_corpus

    corpus = small_corpus.copy()
    sessions = sorted(corpus["session_id"].unique())
    school = {s: FORMULA_LIKE[i % 3] for i, s in enumerate(sessions)}
    corpus["school"] = pd.Categorical(corpus["session_id"].map(school))
    corpus.to_parquet(tmp_path / "corpus.parquet", index=False)
    loaded = load_corpus(tmp_path / "corpus.parquet")
    assert loaded["school"].map(type).eq(str).all()
    topics.fit(loaded, config, out=tmp_path / "run", embedder=embedder)
    cells = pd.read_csv(tmp_path / "run" / "assignments.csv", dtype=str)["school"]
    assert set(cells) == {"'" + value for value in FORMULA_LIKE}
    topics.fit(corpus, config, out=tmp_path / "run2", embedder=embedder)  # a categorical DataFrame, not read
    cells = pd.read_csv(tmp_path / "run2" / "assignments.csv", dtype=str)["school"]
    assert set(cells) == {"'" + value for value in FORMULA_LIKE}
