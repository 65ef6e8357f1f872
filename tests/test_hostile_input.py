"""Hostile and broken input: the failure surface of readers, validation, config and fit.

Two kinds of tests:

* property-based (hypothesis): random bytes, random text and random structured documents fed to
  ``read_table`` (CSV, TSV, JSONL), ``read_text_transcripts`` and ``TopicConfig.from_toml``. The only
  exception allowed out is :class:`topics.errors.InputError` (``ConfigError`` for config files); whatever is
  read successfully is a valid corpus that can be saved as parquet and UTF-8 CSV;
* explicit cases: wrong encodings, huge lines, empty and header-only files, client-only sessions, duplicate
  ids, missing metadata, lone surrogates, deep nesting, and corpora that cannot be modelled (one remark,
  identical remarks, stop words only, no topic found). Each is a clear error naming what is wrong (file,
  line, column or setting), or a documented fallback tested here; never a traceback from pandas, pyarrow,
  UMAP or HDBSCAN.
"""

from __future__ import annotations

import io
import json
import math
import string
import types
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import topics
from topics.clean import select_remarks
from topics.config import TopicConfig
from topics.errors import ConfigError, CorpusError, InputError
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
cell = st.one_of(st.sampled_from(CELLS + ROLE_LABELS), words, st.text(max_size=12),
                 st.text(alphabet=string.ascii_letters + string.digits + " ,\t\"'\r\n", max_size=12))
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
    optional = draw(st.lists(st.sampled_from(["turn", "utterance_id", "speaker_id", *METADATA_NAMES]), max_size=3,
                             unique=True))
    optional += draw(st.lists(st.one_of(st.sampled_from(COLUMN_NAMES), words), max_size=1))
    header = draw(st.permutations(required + optional)) or [""]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        width = len(header) + mostly(draw, st.just(0), st.sampled_from([-1, 1]))
        rows.append([mostly(draw, GOOD_CELL.get(header[i], cell), cell) if i < len(header) else draw(cell)
                     for i in range(max(width, 0))])

    def render(value: str) -> str:
        if draw(st.integers(0, 3)) == 0 or any(ch in value for ch in f'{delimiter}"\r\n'):
            return '"' + value.replace('"', '""') + '"' if draw(st.integers(0, 19)) else value  # sometimes broken
        return value

    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(delimiter.join(render(v) for v in row) for row in [header, *rows])
    return text.encode("utf-8")


json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(ROLE_LABELS + CELLS), words,
    st.text(alphabet=st.characters(exclude_categories=()), max_size=8),  # lone surrogates included
)
json_value = st.recursive(
    json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
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
        st.builds(lambda p, sep, t: p + sep + t, st.sampled_from([*good, "Dr", "", "T :", "http"]),
                  st.sampled_from([":", ": ", "", "::"]), st.text(max_size=20)),
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


def _config_or_error(path: Path) -> TopicConfig | None:
    try:
        config = TopicConfig.from_toml(path)
    except ConfigError as err:
        assert str(err)
        event(f"ConfigError: {' '.join(err.message.split()[:3])}")
        return None
    event("read")
    return config


@FUZZ
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_config_from_random_text(workdir, text):
    path = workdir / "random.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    _config_or_error(path)


def _good_values(hint) -> st.SearchStrategy:
    """Values of the type a config field expects (mostly valid ones, some out of range)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[_good_values(a) for a in args if a is not type(None)], st.just(False))
    if origin is list:
        return st.lists(_good_values(args[0]), max_size=3)
    return {
        int: st.integers(-2, 60), float: st.floats(-0.5, 300, allow_nan=False), bool: st.booleans(),
        str: st.one_of(st.sampled_from(["auto", "english", "default", "cosine", "png", "svg", "cpu"]), words),
    }[hint]


SECTIONS = typing.get_type_hints(TopicConfig)  # "seed" and the section classes
FIELD_VALUES = {
    section: {key: _good_values(hint) for key, hint in typing.get_type_hints(SECTIONS[section]).items()}
    for section in SECTIONS if section != "seed"
}
FIELD_VALUES[None] = {"seed": st.one_of(st.integers(-1, 2**32), st.integers())}
toml_scalar = st.one_of(st.booleans(), st.integers(), st.floats(), words)
toml_value = st.one_of(toml_scalar, st.lists(st.integers(-2, 4), max_size=3), st.lists(words, max_size=3),
                       st.dictionaries(words, toml_scalar, max_size=2))


@st.composite
def toml_documents(draw) -> str:
    """TOML-ish documents: known sections and keys with values mostly of the right type; sometimes an unknown
    key, a wrong type, a cut or a spliced-in piece of text."""
    doc: dict = {}
    for section in draw(st.lists(st.sampled_from([None, *FIELD_VALUES, "nonsense"]), max_size=4, unique=True)):
        fields = FIELD_VALUES.get(section, {})
        table = {}
        for key in draw(st.lists(st.sampled_from(sorted(fields) or ["x"]), max_size=4, unique=True)):
            table[key] = mostly(draw, fields.get(key, toml_value), toml_value, odds=10)
        if not draw(st.integers(0, 9)):
            table[draw(words)] = draw(toml_value)
        if section is None:
            doc.update(table)
        else:
            doc[section] = table
    text = tomli_w.dumps(doc)
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=10)) + text[cut:]
    return text


@FUZZ
@given(text=toml_documents())
def test_config_from_random_toml_documents(workdir, text):
    path = workdir / "doc.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    config = _config_or_error(path)
    if config is not None:  # what loads, writes and loads back the same
        again = workdir / "again.toml"
        config.to_toml(again)
        assert TopicConfig.from_toml(again) == config


# ---------------------------------------------------------------------------------------------- encodings
LATIN1_CSV = "session_id,role,text\ns1,T,Hello there.\ns1,C,Je suis allé à la fête.\ns1,T,Tell me more.\n"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "txt"])
def test_latin1_file_read_as_utf8_names_the_line(tmp_path, fmt):
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [
            {"session_id": "s1", "role": "T", "text": "Hello there."},
            {"session_id": "s1", "role": "C", "text": "Je suis allé à la fête."},
        ])
    elif fmt == "txt":
        text = "T: Hello there.\n\nC: Je suis allé à la fête.\n"
    else:
        text = LATIN1_CSV.replace(",", DELIMITER[fmt])
    path = tmp_path / f"s1.{fmt}"
    path.write_bytes(text.encode("latin-1"))
    reader = read_text_transcripts if fmt == "txt" else read_table
    with pytest.raises(InputError) as info:
        reader(path)
    err = info.value
    assert (err.path, err.line) == (str(path), 3 if fmt in ("csv", "tsv", "txt") else 2)
    assert "0xe9" in str(err) and "UTF-8" in str(err)
    # with the right encoding it reads
    assert "allé" in " ".join(reader(path, encoding="latin-1")["text"])


def test_latin1_config_names_the_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes('seed = 3\n\n[report]\ntitle = "Thèmes"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        TopicConfig.from_toml(path)
    assert info.value.line == 4 and "UTF-8" in str(info.value)


# ---------------------------------------------------------------------------------------------- sizes and shapes
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


def test_a_huge_bad_value_stays_out_of_the_message(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("session_id,role,text\ns1," + "x" * HUGE + ",hi\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown role") as info:
        read_table(path)
    assert info.value.line == 2 and len(str(info.value)) < 500


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "txt"])
@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_empty_file(tmp_path, fmt, content):
    path = tmp_path / f"s1.{fmt}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="empty|no utterances") as info:
        (read_text_transcripts if fmt == "txt" else read_table)(path)
    assert info.value.path == str(path)


def test_empty_config_file_means_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("", encoding="utf-8")
    assert TopicConfig.from_toml(path) == TopicConfig()


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_header_only_file(tmp_path, fmt):
    d = DELIMITER[fmt]
    path = tmp_path / f"t.{fmt}"
    path.write_text(f"session_id{d}role{d}text\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no utterances"):
        read_table(path)
    path.write_text(f"session{d}speaker{d}utterance\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column for 'session_id'") as info:
        read_table(path)
    assert info.value.column == "session_id"


def test_session_with_only_client_turns_is_fine_a_corpus_of_them_is_not(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "session_id,role,text\n"
        "a,T,What would you like to talk about today?\n"
        "a,C,My drinking.\n"
        "b,C,I came because my wife asked me to.\n"
        "b,C,She thinks I drink too much.\n",
        encoding="utf-8",
    )
    corpus = read_table(path)
    remarks, _ = select_remarks(corpus)
    assert list(remarks["session_id"]) == ["a"]
    clients = corpus[corpus["role"] == "client"]
    with pytest.raises(InputError, match="no therapist utterances"):
        select_remarks(clients)
    config = TopicConfig()
    config.embedding.cache_dir = str(tmp_path / "cache")
    with pytest.raises(InputError, match="no therapist utterances"):
        topics.fit(clients, config, out=tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_duplicate_utterance_id_names_the_line(tmp_path, fmt):
    rows = [("u1", "a", "T", "Hi."), ("u2", "a", "C", "Hello."), ("u3", "b", "T", "Welcome."), ("u2", "b", "C", "Thanks.")]
    path = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        path.write_text("utterance_id,session_id,role,text\n" + "".join(",".join(r) + "\n" for r in rows))
    else:
        keys = ("utterance_id", "session_id", "role", "text")
        path.write_text("".join(json.dumps(dict(zip(keys, r, strict=True))) + "\n" for r in rows))
    with pytest.raises(CorpusError, match="duplicate utterance_id 'u2'") as info:
        read_table(path)
    assert (info.value.line, info.value.column) == (5 if fmt == "csv" else 4, "utterance_id")


def test_turns_that_repeat_within_a_session_give_a_duplicate_id_with_its_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("session_id,turn,role,text\na,0,T,Hi.\na,1,C,Hello.\na,1,T,Again.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate utterance_id 'a:1'") as info:
        read_table(path)
    assert info.value.line == 4


def test_missing_turn_in_json_lines_is_named(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"session_id": "a", "turn": 0, "role": "T", "text": "Hi."}\n'
                    '{"session_id": "a", "turn": null, "role": "C", "text": "Hello."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="empty turn") as info:
        read_table(path)
    assert (info.value.line, info.value.column) == (2, "turn")


# ---------------------------------------------------------------------------------------------- JSON oddities
@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"session_id": "a", "role": "T", "text": "x", "n": ' + "9" * 5000 + "}", "digits"),
        ('{"session_id": "a", "role": "T", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "nested too deeply"),
        ('{"session_id": "a", "role": "T", "text": "lone \\ud800 surrogate"}', "surrogate"),
        ('{"session_id": "a", "role": "T", "text": "x", "\\udfff": 1}', "surrogate"),
        ("[1, 2]", "JSON object"),
        ('{"session_id": "a", "role": "T", "text": "x"', "invalid JSON"),
    ],
)
def test_bad_json_line_is_named(tmp_path, line, message):
    path = tmp_path / "t.jsonl"
    path.write_text('{"session_id": "a", "role": "C", "text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_table(path)
    assert info.value.line == 2 and len(str(info.value)) < 500


def test_a_surrogate_pair_escape_is_fine(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"session_id": "a", "role": "T", "text": "good \\ud83d\\ude00"}\n', encoding="utf-8")
    assert read_table(path)["text"].iloc[0] == "good \U0001f600"


def test_lone_surrogate_in_a_dataframe_is_named():
    table = pd.DataFrame({"utterance_id": ["u1", "u2"], "session_id": ["a", "a"], "turn": [0, 1],
                          "role": ["therapist", "client"], "speaker_id": ["t", "c"],
                          "text": pd.Series(["fine", "bad \udc80"], dtype=object)})
    with pytest.raises(CorpusError, match="surrogate") as info:
        validate_corpus(table)
    assert info.value.column == "text" and "row 1" in str(info.value)


# ---------------------------------------------------------------------------------------------- metadata
def test_missing_metadata_is_kept_missing(tmp_path):
    path = tmp_path / "t.jsonl"
    rows = [{"session_id": "a", "role": "T", "text": "Hi.", "quality": "high", "score": 3.5},
            {"session_id": "a", "role": "C", "text": "Hello.", "quality": None},
            {"session_id": "b", "role": "T", "text": "Welcome.", "score": float("nan")}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = read_table(path)
    assert out["quality"].isna().tolist() == [False, True, True]
    assert out["score"].isna().tolist() == [False, True, True]
    assert out["score"].iloc[0] == 3.5
    assert_valid_and_storable(out)


def test_mixed_and_nested_metadata_become_text(tmp_path):
    """Documented fallback (topics.read.schema): parquet cannot hold a column of numbers and text, so it is text."""
    path = tmp_path / "t.jsonl"
    rows = [{"session_id": "a", "role": "T", "text": "Hi.", "q": 3, "codes": ["reflection", "question"], "b": True},
            {"session_id": "a", "role": "C", "text": "Hello.", "q": "high", "codes": {"x": 1}, "b": False},
            {"session_id": "b", "role": "T", "text": "Welcome.", "q": None, "codes": None, "b": None}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = read_table(path)
    assert out["q"].tolist()[:2] == ["3", "high"] and pd.isna(out["q"].iloc[2])
    assert out["codes"].tolist()[:2] == ['["reflection", "question"]', '{"x": 1}'] and pd.isna(out["codes"].iloc[2])
    assert out["b"].tolist()[:2] == [True, False]  # one kind of value: left alone
    assert_valid_and_storable(out)


def test_non_text_column_names_become_text():
    table = pd.DataFrame({"utterance_id": ["u1"], "session_id": ["a"], "turn": [0], "role": ["therapist"],
                          "speaker_id": ["t"], "text": ["Hi."], 7: ["x"]})
    out = validate_corpus(table)
    assert list(out.columns)[-1] == "7"
    assert_valid_and_storable(out)
    with pytest.raises(CorpusError, match="repeated column"):
        validate_corpus(table.assign(**{"7": ["y"]}))


# ---------------------------------------------------------------------------------------------- config oddities
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("seed = -1\n", 1, "seed"),
        ("\n[umap]\nn_neighbors = 15\nseed = 2\n", 4, "unknown key 'seed'"),
        ("seed = 4294967296\n", 1, "seed"),
        ("seed = " + "9" * 5000 + "\n", None, "digits"),
        ("x = " + "[" * 100_000 + "\n", None, "nested too deeply"),
        ('title = "\\ud800"\n', 1, "invalid TOML"),
        ("# a comment with a line separator \u2028 inside\n\n[report]\nbogus = 1\n", 4, "bogus"),
        ("[umap]\nmin_dist = nan\n", 2, "min_dist"),
        ("[hdbscan]\nmin_cluster_size = 1.5\n", 2, "min_cluster_size"),
        ("[[embedding]]\nmodel = 'x'\n", 1, "must be a table"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path, text, line, message):
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(ConfigError, match=message) as info:
        TopicConfig.from_toml(path)
    assert info.value.line == line and len(str(info.value)) < 500


def test_largest_seed_is_accepted(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("seed = 4294967295\n", encoding="utf-8")
    assert TopicConfig.from_toml(path).seed == 2**32 - 1


# ---------------------------------------------------------------------------------------------- corpora that cannot be modelled
def _corpus(texts: list[str], **metadata) -> pd.DataFrame:
    n = len(texts)
    table = pd.DataFrame({"utterance_id": [f"u{i}" for i in range(n)], "session_id": [f"s{i % 4}" for i in range(n)],
                          "turn": list(range(n)), "role": "therapist", "speaker_id": "t", "text": texts})
    for key, values in metadata.items():
        table[key] = values
    return table


@pytest.fixture
def fit_config(embedder) -> TopicConfig:
    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.static_formats = []
    return cfg


@pytest.fixture(scope="module")
def varied_remarks(annomi_extract) -> list[str]:
    """40 real, varied, distinct AnnoMI therapist remarks of at least eight words."""
    th = annomi_extract[annomi_extract["role"] == "therapist"]
    th = th[th["text"].str.split().str.len() >= 8].drop_duplicates("text")
    return th["text"].sample(40, random_state=1).tolist()


@pytest.fixture(scope="module")
def themed_remarks(annomi_extract) -> list[str]:
    """60 real AnnoMI therapist remarks about smoking, drinking and exercise: enough for two or three topics."""
    th = annomi_extract[annomi_extract["role"] == "therapist"]
    th = th[th["text"].str.split().str.len() >= 6].drop_duplicates("text")
    out: list[str] = []
    for pattern in ("smok|cigar", "drink|alcohol", "exercis|walk"):
        out += th[th["text"].str.contains(pattern, case=False)]["text"].head(20).tolist()
    return out


def test_one_remark_is_too_few_and_nothing_is_written(tmp_path, varied_remarks, fit_config, embedder):
    out = tmp_path / "run"
    with pytest.raises(InputError, match="too few"):
        topics.fit(_corpus(varied_remarks[:1]), fit_config, out=out, embedder=embedder)
    assert list(tmp_path.iterdir()) == []


def test_identical_remarks_are_not_distinct_enough(tmp_path, fit_config, embedder):
    out = tmp_path / "run"
    with pytest.raises(InputError, match="distinct"):
        topics.fit(_corpus(["How do you feel about drinking less these days?"] * 40), fit_config, out=out,
                   embedder=embedder)
    assert list(tmp_path.iterdir()) == []


def test_stop_words_only_is_a_clear_error(tmp_path, fit_config, embedder):
    words = ["i", "you", "we", "they", "it", "is", "are", "was", "be", "been", "to", "of", "and", "the", "that",
             "this", "there", "here", "with", "me", "my", "your"]
    rng = np.random.default_rng(0)
    texts = list(dict.fromkeys(" ".join(rng.choice(words, 6, replace=False)) for _ in range(200)))[:40]
    with pytest.raises(InputError, match="stop words"):
        topics.fit(_corpus(texts), fit_config, out=tmp_path / "run", embedder=embedder)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_no_topic_found_names_min_cluster_size(tmp_path, varied_remarks, fit_config, embedder):
    fit_config.hdbscan.min_cluster_size = 30
    with pytest.raises(InputError, match="min_cluster_size=30") as info:
        topics.fit(_corpus(varied_remarks), fit_config, out=tmp_path / "run", embedder=embedder)
    assert "HDBSCAN found no topic among 40 remarks" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_missing_and_mixed_metadata_go_through_fit_and_save(tmp_path, themed_remarks, fit_config, embedder):
    n = len(themed_remarks)
    corpus = _corpus(
        themed_remarks,
        quality=[math.nan if i % 3 == 0 else "high" for i in range(n)],
        empty=[math.nan] * n,
        rating=pd.Series([None if i % 3 == 0 else (i if i % 2 else f"r{i}") for i in range(n)], dtype=object),
    )
    analysis = topics.fit(corpus, fit_config, out=tmp_path / "run", embedder=embedder)
    saved = pd.read_parquet(tmp_path / "run" / "model" / "assignments.parquet").set_index("utterance_id")
    quality = saved.loc[[f"u{i}" for i in range(n)], "quality"]
    assert quality.isna().tolist() == [i % 3 == 0 for i in range(n)]
    assert saved["empty"].isna().all()
    assert saved.loc["u1", "rating"] == "1" and saved.loc["u2", "rating"] == "r2" and pd.isna(saved.loc["u3", "rating"])
    assert (analysis.topics["topic"] != -1).sum() >= 1
