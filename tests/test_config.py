"""TopicConfig: TOML round trip, partial files, and errors that name file, line and key."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from topics.config import HDBSCANConfig, TopicConfig
from topics.errors import ConfigError, InputError


def write(tmp_path, text: str, name: str = "topics.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_round_trip(tmp_path):
    config = TopicConfig()
    path = tmp_path / "c.toml"
    text = config.to_toml(path)
    assert path.read_text(encoding="utf-8") == text
    assert "[hdbscan]" in text and 'min_cluster_size = "auto"' in text
    assert TopicConfig.from_toml(path) == config


def test_changed_values_round_trip(tmp_path):
    config = TopicConfig(seed=7)
    config.embedding.model = "/models/minilm"
    config.cleaning.duplicates = "drop_within_session"
    config.cleaning.backchannel_tokens = ["mm", "okay"]
    config.hdbscan.min_cluster_size = 25
    config.hdbscan.min_samples = 4
    config.vectorizer.ngram_range = [1, 3]
    config.representation.model = "mmr"
    config.report.static_formats = []
    path = tmp_path / "c.toml"
    config.to_toml(path)
    back = TopicConfig.from_toml(path)
    assert back == config
    assert back.hdbscan.min_samples == 4


def test_none_that_replaces_a_default_round_trips(tmp_path):
    # TOML has no null: [compare] by / stop_words switched off must not come back as their defaults
    config = TopicConfig()
    config.compare.by = None
    config.vectorizer.stop_words = None
    path = tmp_path / "c.toml"
    text = config.to_toml(path)
    assert "by = false" in text
    back = TopicConfig.from_toml(path)
    assert back.compare.by is None
    assert back.vectorizer.stop_words is None
    assert back == config
    assert "min_samples = 10" in text  # the default is written out like any other value


def test_false_switches_off_an_optional_setting(tmp_path):
    path = write(tmp_path, "[compare]\nby = false\n[hdbscan]\nmin_samples = false\n")
    config = TopicConfig.from_toml(path)
    assert config.compare.by is None and config.hdbscan.min_samples is None


def test_partial_file_keeps_defaults(tmp_path):
    path = write(tmp_path, 'seed = 3\n\n[cleaning]\nmin_words = 5\n\n[representation]\nmodel = "ctfidf"\n')
    config = TopicConfig.from_toml(path)
    expected = TopicConfig(seed=3)
    expected.cleaning.min_words = 5
    expected.representation.model = "ctfidf"
    assert config == expected
    assert config.cleaning.drop_backchannels is True
    assert config.umap == TopicConfig().umap


def test_unknown_key_names_file_line_and_key(tmp_path):
    path = write(tmp_path, "seed = 1\n\n[umap]\nn_neighbors = 10\nn_neighbours = 12\n")
    with pytest.raises(ConfigError) as info:
        TopicConfig.from_toml(path)
    err = info.value
    assert (err.path, err.line, err.column) == (str(path), 5, "n_neighbours")
    assert str(err).startswith(f"{path}, line 5, column 'n_neighbours':")
    assert "n_neighbors" in str(err)  # lists the known keys


def test_unknown_section_and_sub_table_are_located(tmp_path):
    path = write(tmp_path, "seed = 1\n[clustering]\nsize = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'clustering'") as info:
        TopicConfig.from_toml(path)
    assert info.value.line == 2
    path = write(tmp_path, "[report]\ntitle = 'x'\n\n[report.extra]\nwidth = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'extra'") as info:
        TopicConfig.from_toml(path)
    assert info.value.line == 4


def test_same_key_in_another_section_is_not_the_one_named(tmp_path):
    path = write(tmp_path, '[representation]\nmodel = "keybert"\n\n[embedding]\nmodel = 5\n')
    with pytest.raises(ConfigError, match="expected str") as info:
        TopicConfig.from_toml(path)
    assert (info.value.line, info.value.column) == (5, "model")


@pytest.mark.parametrize(
    ("text", "line", "key", "match"),
    [
        ('[umap]\nmetric = "cosine"\nn_neighbors = "x"\n', 3, "n_neighbors", "expected int"),
        ("[umap]\nn_neighbors = 1.5\n", 2, "n_neighbors", "expected int"),
        ("[cleaning]\ndrop_backchannels = 1\n", 2, "drop_backchannels", "expected bool"),
        ("seed = true\n", 1, "seed", "expected int"),
        ('[cleaning]\nduplicates = "some"\n', 2, "duplicates", "one of"),
        ('[vectorizer]\nngram_range = [1, "2"]\n', 2, "ngram_range", "expected"),
        ("\n[vectorizer]\nngram_range = [2, 1]\n", 3, "ngram_range", "low <= high"),
        ('[hdbscan]\nmin_cluster_size = "big"\n', 2, "min_cluster_size", "auto"),
        ("[hdbscan]\nmin_cluster_size = 1\n", 2, "min_cluster_size", "at least 2"),
        ("[hdbscan]\nmin_samples = 0\n", 2, "min_samples", "at least 1"),
        ("[outliers]\nthreshold = 1.5\n", 2, "threshold", "between 0 and 1"),
        ('[report]\nstatic_formats = ["png", "gif"]\n', 2, "static_formats", "gif"),
        ('[embedding]\nmodel = " "\n', 2, "model", "must name a model"),
        ("[embedding]\nbatch_size = 0\n", 2, "batch_size", "at least 1"),
        ("[representation]\nmmr_diversity = 2.0\n", 2, "mmr_diversity", "between 0 and 1"),
        ("[vectorizer]\nmin_df = 0\n", 2, "min_df", "at least 1"),
        ('[vectorizer]\nstop_words = "french"\n', 2, "stop_words", "english"),
        ('[umap]\nmetric = "cosin"\n', 2, "metric", "unknown UMAP metric"),
        ("[hdbscan]\nconsensus_fits = 0\n", 2, "consensus_fits", "between 1"),
        ("[umap]\ncache = 1\n", 2, "cache", "expected bool"),
    ],
)
def test_bad_value_names_line_and_key(tmp_path, text, line, key, match):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as info:
        TopicConfig.from_toml(path)
    assert (info.value.path, info.value.line, info.value.column) == (str(path), line, key)


def test_section_given_as_a_value(tmp_path):
    path = write(tmp_path, "seed = 1\numap = 3\n")
    with pytest.raises(ConfigError, match=r"\[umap\] must be a table") as info:
        TopicConfig.from_toml(path)
    assert info.value.line == 2


def test_invalid_toml_names_the_line(tmp_path):
    path = write(tmp_path, "seed = 1\n[umap]\nn_neighbors = \n")
    with pytest.raises(ConfigError, match="invalid TOML") as info:
        TopicConfig.from_toml(path)
    assert (info.value.path, info.value.line) == (str(path), 3)
    assert "(at line" not in info.value.message  # the line is reported once, in its own field


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b"seed = 1\ntitle = '\xe9'\n")
    with pytest.raises(ConfigError, match="UTF-8") as info:
        TopicConfig.from_toml(path)
    assert info.value.line == 2
    with pytest.raises(ConfigError, match="no such config file"):
        TopicConfig.from_toml(tmp_path / "missing.toml")


def test_config_error_is_an_input_error():
    assert issubclass(ConfigError, InputError)


def test_to_dict_is_a_deep_copy():
    config = TopicConfig()
    d = config.to_dict()
    d["cleaning"]["backchannel_tokens"].append("zzz")
    d["vectorizer"]["ngram_range"][1] = 9
    assert "zzz" not in config.cleaning.backchannel_tokens
    assert config.vectorizer.ngram_range == [1, 2]
    assert set(d) == {f.name for f in dataclasses.fields(TopicConfig)}


@pytest.mark.parametrize(("n", "expected"), [(0, 10), (1000, 10), (2000, 10), (2101, 11), (3000, 15), (10_000, 50)])
def test_resolve_min_cluster_size_auto(n, expected):
    assert HDBSCANConfig().resolve_min_cluster_size(n) == expected


def test_resolve_min_cluster_size_fixed_and_divisor():
    assert HDBSCANConfig(min_cluster_size=7).resolve_min_cluster_size(100_000) == 7
    assert HDBSCANConfig(auto_divisor=50.0).resolve_min_cluster_size(1000) == 20


@pytest.mark.parametrize(
    ("old", "section", "key", "value"),
    [
        ('[report]\ncompare_by = "school"\n', "compare", "by", "school"),
        ('[report]\nknown_names = ["Fiona"]\n', "deidentify", "known_names", ["Fiona"]),
        ("[report]\ndeidentify_ner = false\n", "deidentify", "ner", False),
    ],
)
def test_moved_keys_are_still_read_with_a_warning(tmp_path, old, section, key, value):
    path = write(tmp_path, old)
    with pytest.warns(FutureWarning, match=rf"line 2: \[report\] \w+ has moved to \[{section}\] {key}"):
        config = TopicConfig.from_toml(path)
    assert getattr(getattr(config, section), key) == value


def test_a_moved_key_never_overrides_its_new_place(tmp_path):
    path = write(tmp_path, '[report]\ncompare_by = "school"\n[compare]\nby = "quality"\n')
    with pytest.warns(FutureWarning):
        config = TopicConfig.from_toml(path)
    assert config.compare.by == "quality"


def test_embedding_cache_defaults_to_the_user_cache_folder(monkeypatch, tmp_path):
    """Not the working folder: every folder a command runs from shares one cache (issue 25)."""
    import platformdirs

    from topics.config import EmbeddingConfig, default_cache_dir

    monkeypatch.delenv("TOPICS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # platformdirs honours it on Linux
    expected = Path(platformdirs.user_cache_dir("therapy-topics", appauthor=False)) / "embeddings"
    assert default_cache_dir() == str(expected) and expected.is_absolute()
    monkeypatch.chdir(tmp_path)
    assert EmbeddingConfig().cache_dir == str(expected)
    assert TopicConfig().embedding.cache_dir == str(expected)
    if sys.platform.startswith("linux"):
        assert expected == tmp_path / "xdg" / "therapy-topics" / "embeddings"


def test_embedding_cache_env_var_and_config_key_override(monkeypatch, tmp_path):
    from topics.config import CACHE_DIR_ENV, EmbeddingConfig

    assert CACHE_DIR_ENV == "TOPICS_CACHE_DIR"
    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "from-env"))
    assert EmbeddingConfig().cache_dir == str(tmp_path / "from-env")
    assert TopicConfig.from_toml(write(tmp_path, "seed = 1\n")).embedding.cache_dir == str(tmp_path / "from-env")
    key = write(tmp_path, f'[embedding]\ncache_dir = "{(tmp_path / "from-key").as_posix()}"\n')
    assert Path(TopicConfig.from_toml(key).embedding.cache_dir) == tmp_path / "from-key"  # the key wins
    monkeypatch.setenv("TOPICS_CACHE_DIR", "~/env-cache")
    assert EmbeddingConfig().cache_dir == str(Path.home() / "env-cache")
    home = write(tmp_path, '[embedding]\ncache_dir = "~/my-cache"\n', name="home.toml")
    assert TopicConfig.from_toml(home).embedding.cache_dir == str(Path.home() / "my-cache")
    assert TopicConfig.from_dict({"embedding": {"cache_dir": "relative/cache"}}).embedding.cache_dir == "relative/cache"


def test_config_defaults_says_where_the_cache_is(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from topics.cli import main

    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "somewhere"))
    out = CliRunner().invoke(main, ["config", "--defaults"]).output
    line = next(line for line in out.splitlines() if line.startswith("cache_dir"))
    assert f'"{tmp_path / "somewhere"}"' in line and "TOPICS_CACHE_DIR" in line


def test_a_saved_run_config_names_no_home_folder(monkeypatch, tmp_path):
    """The default cache folder is this user's; a run folder written with it must not carry it to a colleague."""
    from topics.config import TopicConfig

    monkeypatch.delenv("TOPICS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-of-alice" / ".cache"))
    text = TopicConfig().to_toml(tmp_path / "config.toml", portable=True)
    assert "home-of-alice" not in text and "cache_dir" not in text
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-of-bob" / ".cache"))
    assert "home-of-bob" in TopicConfig.from_toml(tmp_path / "config.toml").embedding.cache_dir
    chosen = TopicConfig()
    chosen.embedding.cache_dir = str(tmp_path / "project-cache")  # a folder the user chose is kept
    assert "project-cache" in chosen.to_toml(portable=True)
    assert "home-of-bob" in TopicConfig().to_toml()  # `topics config --defaults` still shows where it is
