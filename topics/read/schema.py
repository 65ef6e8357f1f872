"""The utterance table: one row per utterance, validated.

Every reader and loader in :mod:`topics.read.files` and :mod:`topics.read.public` returns this
table, and every later step takes it. Required columns:

``utterance_id``
    Stable, unique identifier of the utterance (string). Kept through every step, so a remark in a
    report or a curation ledger can always be traced back to its row.
``session_id``
    The session (conversation, transcript) the utterance belongs to (string).
``turn``
    Order of the utterance within its session (integer, ascending).
``role``
    ``"therapist"`` or ``"client"``.
``speaker_id``
    Who spoke (string; for example a therapist identifier, or ``"<session>:client"``).
``text``
    What was said (string; may be empty, the cleaning step counts and drops empty remarks).

Any further column is session or utterance metadata (``school``, ``counselor_type``, ``quality``,
outcomes, external codes) and is carried along untouched, missing values included. One exception, so that
every table can be saved as parquet and CSV: a metadata column that mixes kinds of values (numbers and
text, as JSON lines allow) or holds lists, objects or other non-scalar values becomes text (lists and
objects as JSON); its missing values stay missing.

The toolkit writes columns of its own beside the metadata (``topic``, ``label``, ``probability``, ... : see
:data:`RESERVED_COLUMNS`). A metadata column with one of those names is never replaced by them: it is kept as
``meta_<name>`` (``topic`` -> ``meta_topic``), with a warning naming the file and the new name; a table that
also has ``meta_<name>`` is refused. A comparison by one of those names is refused (:func:`refuse_reserved`).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from topics.errors import CorpusError, InputError

REQUIRED_COLUMNS: tuple[str, ...] = ("utterance_id", "session_id", "turn", "role", "speaker_id", "text")
ROLES: tuple[str, ...] = ("therapist", "client")
RESERVED_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        # the topic model's per-remark table (TopicModel.assignments_; assignments.csv of a run)
        "topic": "the topic of each remark",
        "label": "the label of each remark's topic",
        "probability": "the clustering's confidence in each remark's topic",
        "similarity": "each remark's similarity to its topic",
        "outlier_reassigned": "whether a remark without a topic was moved into one",
        # the curated view (topics.curate)
        "raw_topic": "each remark's topic before curation",
        "raw_label": "the label of each remark's topic before curation",
        "bucket": "the set-aside bucket of each remark in the curated view",
        # the cleaning step (topics.clean.select_remarks)
        "n_words": "the number of words of each remark",
        "duplicate_count": "how many modelled remarks share each remark's text",
        "markers_removed": "the transcription markers taken out of each remark",
        # the report and the workbench
        "display_text": "the de-identified text of each remark shown in a report",
        # the per-session tables of the Dask engine (sessions.parquet, session x topic counts)
        "remarks": "the modelled remarks of each session",
        "n": "the remarks of each session in each topic",
    }
)
"""Columns the toolkit writes into its per-remark and per-session tables, each with what it holds.

A metadata column of one of these names is kept as ``meta_<name>`` (see :func:`validate_corpus`); a
comparison by one of them (group, stratum, cluster, outcome) is refused (:func:`refuse_reserved`).
"""
META_PREFIX = "meta_"
"""Prefix of a metadata column kept under a new name because the toolkit writes a column of its name."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def validate_corpus(
    table: pd.DataFrame, *, path: str | Path | None = None, lines: Sequence[int] | None = None
) -> pd.DataFrame:
    """Check an utterance table against the schema and return a normalised copy.

    Parameters
    ----------
    table : pandas.DataFrame
        Candidate utterance table.
    path : str or Path, optional
        File the table was read from; named in error messages.
    lines : sequence of int, optional
        For each row, the 1-based line of the source file it came from; named in error messages.

    Returns
    -------
    pandas.DataFrame
        The table with required columns first, typed (strings for ids and text, ``int64`` turn),
        sorted by session and turn, and a fresh ``RangeIndex``. Column names become strings; a metadata
        column of mixed or non-scalar values becomes text (see the module docstring); a metadata column
        whose name the toolkit writes (:data:`RESERVED_COLUMNS`) is kept as ``meta_<name>``, with a
        :class:`UserWarning` (:func:`reserved_renames`).

    Raises
    ------
    CorpusError
        A required column is missing, a role is not ``therapist``/``client``, an id is empty,
        ``turn`` is not an integer, ``utterance_id`` repeats, the table is empty, two column names are
        the same as text, a value holds an unpaired surrogate (not valid text), or a metadata column has a
        name the toolkit writes while ``meta_<name>`` exists too.
    """
    if not isinstance(table, pd.DataFrame):
        raise CorpusError(f"expected a pandas DataFrame, got {type(table).__name__}", path=path)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise CorpusError(
            f"missing required column(s) {missing}; the table has {list(table.columns)}", path=path, column=missing[0]
        )
    if len(table) == 0:
        raise CorpusError("the corpus has no utterances", path=path)

    df = table.reset_index(drop=True).copy()
    line_of = list(lines) if lines is not None else None

    def fail(row: int, column: str, message: str) -> CorpusError:
        line = line_of[row] if line_of is not None and row < len(line_of) else None
        where = "" if line is not None else f" (row {row})"
        return CorpusError(message + where, path=path, line=line, column=column)

    names = [str(c) for c in df.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CorpusError(f"repeated column name(s) {repeated}", path=path, column=repeated[0])
    df.columns = names  # parquet and CSV need text column names
    df = df.rename(columns=reserved_renames(names, path=path))  # a user's "topic" is kept as "meta_topic"

    for col in df.columns:
        if df[col].dtype == object:
            bad = df[col].map(_has_surrogate).astype(bool)
            if bad.any():
                raise fail(
                    int(bad.to_numpy().nonzero()[0][0]),
                    col,
                    "the value holds an unpaired UTF-16 surrogate (\\ud800-\\udfff), which is not valid text",
                )

    for col in ("utterance_id", "session_id", "speaker_id"):
        bad = df[col].isna() | (df[col].astype(str).str.strip() == "")
        if bad.any():
            raise fail(int(bad.to_numpy().nonzero()[0][0]), col, f"empty {col}")
        conflict = mixed_kinds(df[col])
        if conflict is not None:
            raise fail(conflict, col, mixed_kinds_message(df[col], col, conflict))
        df[col] = df[col].astype(str)

    turn = pd.to_numeric(df["turn"], errors="coerce")
    as_float = turn.astype("float64")
    bad = turn.isna() | ~np.isfinite(as_float) | (as_float.abs() >= 2.0**63) | (turn != turn.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise fail(row, "turn", f"turn must be an integer, got {brief(df['turn'].iloc[row])}")
    df["turn"] = turn.astype("int64")

    role = df["role"].astype(str).str.strip().str.lower()
    bad = ~role.isin(ROLES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise fail(row, "role", f"role must be one of {list(ROLES)}, got {brief(df['role'].iloc[row])}")
    df["role"] = role

    dup = df["utterance_id"].duplicated(keep="first")
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0])
        raise fail(row, "utterance_id", f"duplicate utterance_id {brief(df['utterance_id'].iloc[row])}")

    nested = df["text"].map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray)))
    if nested.any():
        row = int(nested.to_numpy().nonzero()[0][0])
        raise fail(
            row,
            "text",
            f"text must be a string, got a {type(df['text'].iloc[row]).__name__} "
            f"({brief(df['text'].iloc[row])}); join or pick the text before reading",
        )
    df["text"] = df["text"].where(df["text"].notna(), "").astype(str)
    for col in df.columns:
        if col not in REQUIRED_COLUMNS and df[col].dtype == object:
            df[col] = _storable(df[col])

    order = list(REQUIRED_COLUMNS) + [c for c in df.columns if c not in REQUIRED_COLUMNS]
    df = df[order].sort_values(["session_id", "turn"], kind="stable").reset_index(drop=True)
    return df


def reserved_renames(columns: Iterable[object], *, path: str | Path | None = None) -> dict[str, str]:
    """The new names of metadata columns whose name the toolkit writes (``topic`` -> ``meta_topic``), with a warning.

    Every reader goes through it (:func:`validate_corpus`, the session metadata of
    :func:`topics.read.attach_session_metadata`, the Dask engine's reader), so a user column is never replaced
    by a column of the toolkit's: it is kept under the new name, and one :class:`UserWarning` per column says so.

    Parameters
    ----------
    columns : iterable
        Column names of a table (compared as text).
    path : str or Path, optional
        The file the table comes from; named in the warning and in the error.

    Returns
    -------
    dict of str to str
        Old name -> new name, for each column of :data:`RESERVED_COLUMNS` (empty when none).

    Raises
    ------
    CorpusError
        The table has both ``<name>`` and ``meta_<name>``: the first cannot be kept without replacing the second.
    """
    names = [str(c) for c in columns]
    renames = {}
    for name in names:
        if name not in RESERVED_COLUMNS:
            continue
        new = META_PREFIX + name
        if new in names:
            raise CorpusError(
                f"metadata column {name!r} has the name of a column the toolkit writes ({RESERVED_COLUMNS[name]}) "
                f"and would be kept as {new!r}, but the table has a column {new!r} too; rename one of the two",
                path=path,
                column=name,
            )
        renames[name] = new
        where = f"{path}: " if path is not None else ""
        warnings.warn(
            f"{where}metadata column {name!r} has the name of a column the toolkit writes "
            f"({RESERVED_COLUMNS[name]}); it is kept as {new!r} (compare by it with --compare-by {new} "
            f"or by={new!r})",
            UserWarning,
            stacklevel=3,
        )
    return renames


def refuse_reserved(*columns: object) -> None:
    """Refuse a grouping, stratum, cluster or outcome that names a column the toolkit writes.

    Called before any long work (fitting, a report, permutations), so that ``--compare-by topic`` fails in
    a second instead of comparing the model's topics with one another.

    Parameters
    ----------
    *columns : str, None or False
        The names given (``None`` and ``False``, "not set", are skipped).

    Raises
    ------
    InputError
        A name is in :data:`RESERVED_COLUMNS`; the message names the column a user's metadata column of that
        name was kept as.
    """
    for column in columns:
        if isinstance(column, str) and column in RESERVED_COLUMNS:
            raise InputError(
                f"{column!r} is a column the toolkit writes ({RESERVED_COLUMNS[column]}), not session metadata; "
                f"a metadata column of that name is kept as {META_PREFIX + column!r}",
                column=column,
            )


def mixed_kinds(values: pd.Series) -> int | None:
    """Row of the first value whose kind (number or text) differs from the first value's; None if all agree.

    7, "7" and 7.0 would become two or three sessions, or one, depending on how they are written: an id
    column that mixes numbers and text is ambiguous.
    """
    if values.dtype != object:
        return None
    kinds = values.map(_kind)
    if kinds.nunique() <= 1:
        return None
    return int((kinds != kinds.iloc[0]).to_numpy().nonzero()[0][0])


def mixed_kinds_message(values: pd.Series, column: str, row: int) -> str:
    """The error message for :func:`mixed_kinds`."""
    return (
        f"{column} mixes {_kind(values.iloc[0])} and {_kind(values.iloc[row])} values ({brief(values.iloc[0])} "
        f"and {brief(values.iloc[row])}); write every id the same way (all as text, or all as whole numbers)"
    )


def brief(value: object, limit: int = 80) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters (a 5 MB cell stays out of the message)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _has_surrogate(value: object) -> bool:
    return isinstance(value, str) and _SURROGATE.search(value) is not None


def _kind(value: object) -> str | None:
    """The kind of a metadata value: None for missing, else "str", "bool", "number" or "other"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return "str"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    return "other"


def _as_text(value: object) -> object:
    if _kind(value) is None:
        return value
    if isinstance(value, (dict, list, tuple)):
        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError, RecursionError):
            pass
    try:
        return str(value)
    except RecursionError:
        return f"<{type(value).__name__}>"


def _storable(column: pd.Series) -> pd.Series:
    """A metadata column that parquet and CSV can store: values of one kind are left alone; a column that mixes
    kinds (numbers and text, as JSON lines allow) or holds lists, objects or other values becomes text, with
    missing values kept missing."""
    kinds = {_kind(v) for v in column} - {None}
    if len(kinds) <= 1 and "other" not in kinds:
        return column
    return column.map(_as_text).astype(object)


def corpus_summary(corpus: pd.DataFrame) -> dict[str, int]:
    """Count sessions, utterances and remarks per role.

    Parameters
    ----------
    corpus : pandas.DataFrame
        A validated utterance table.

    Returns
    -------
    dict
        ``sessions``, ``utterances``, ``therapist_utterances``, ``client_utterances``, ``speakers``.
    """
    return {
        "sessions": int(corpus["session_id"].nunique()),
        "utterances": int(len(corpus)),
        "therapist_utterances": int((corpus["role"] == "therapist").sum()),
        "client_utterances": int((corpus["role"] == "client").sum()),
        "speakers": int(corpus["speaker_id"].nunique()),
    }
