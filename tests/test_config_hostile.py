"""Hostile and broken config files: random text and random TOML documents, encodings, odd values.

* property-based (hypothesis): random text and random TOML documents (known sections and keys with values
  mostly of the right type) fed to ``TopicConfig.from_toml``. The only exception allowed out is
  :class:`topics.errors.ConfigError`; what loads, writes and loads back the same;
* explicit cases: a Latin-1 file, an empty file, and values that TOML or the config refuses, each a
  ``ConfigError`` naming the line (see also ``test_config.py``).
"""

from __future__ import annotations

import types
import typing
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from topics.config import TopicConfig
from topics.errors import ConfigError

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the project
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder for fuzz inputs (hypothesis and function-scoped fixtures do not mix)."""
    return tmp_path_factory.mktemp("hostile")


# Text avoids NUL: a NUL is refused before anything else is looked at.
words = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


def mostly(draw, good, bad, odds: int = 30):
    """Draw from ``good``, and one time in ``odds`` from ``bad``: a broken value somewhere in a plausible file."""
    return draw(bad) if draw(st.integers(0, odds - 1)) == 0 else draw(good)


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
        int: st.integers(-2, 60),
        float: st.floats(-0.5, 300, allow_nan=False),
        bool: st.booleans(),
        str: st.one_of(st.sampled_from(["auto", "english", "default", "cosine", "png", "svg", "cpu"]), words),
    }[hint]


SECTIONS = typing.get_type_hints(TopicConfig)  # "seed" and the section classes
FIELD_VALUES = {
    section: {key: _good_values(hint) for key, hint in typing.get_type_hints(SECTIONS[section]).items()}
    for section in SECTIONS
    if section != "seed"
}
FIELD_VALUES[None] = {"seed": st.one_of(st.integers(-1, 2**32), st.integers())}
toml_scalar = st.one_of(st.booleans(), st.integers(), st.floats(), words)
toml_value = st.one_of(
    toml_scalar,
    st.lists(st.integers(-2, 4), max_size=3),
    st.lists(words, max_size=3),
    st.dictionaries(words, toml_scalar, max_size=2),
)


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


# ---------------------------------------------------------------------------------------------- explicit cases
def test_latin1_config_names_the_line(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes('seed = 3\n\n[report]\ntitle = "Thèmes"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        TopicConfig.from_toml(path)
    assert info.value.line == 4 and "UTF-8" in str(info.value)


def test_empty_config_file_means_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("", encoding="utf-8")
    assert TopicConfig.from_toml(path) == TopicConfig()


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


def test_a_huge_config_file_is_refused_before_parsing(tmp_path):
    """Issue 23: a 200 MB title took 117 s and 1 GB to parse; anything above 1 MiB is refused at once."""
    import time

    path = tmp_path / "c.toml"
    path.write_text('[report]\ntitle = "' + "x" * (2 << 20) + '"\n', encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="larger than 1,048,576 bytes") as info:
        TopicConfig.from_toml(path)
    assert time.perf_counter() - start < 1 and str(path) in str(info.value) and "\n" not in str(info.value)
    path.write_text('[report]\ntitle = "' + "x" * 500_000 + '"\n', encoding="utf-8")  # big but allowed
    assert len(TopicConfig.from_toml(path).report.title) == 500_000
