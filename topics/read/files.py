"""Readers that turn transcript files into the utterance table.

Supported inputs:

* delimited text (``.csv``, ``.tsv``), JSON lines (``.jsonl``) and parquet files, one row per utterance,
  with a *column mapping* from the toolkit's column names to the file's;
* plain-text transcripts, one file per session, each line starting with a speaker prefix
  (``T:``/``C:``, ``Therapist:``/``Client:``, configurable);
* the bundled demo corpus and the public corpora of :mod:`topics.read.public`, by name.

Every reader reports bad input as :class:`topics.errors.InputError` with the file, the line and the
column, and returns a table validated by :func:`topics.read.validate_corpus`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics.errors import InputError
from topics.read import public
from topics.read.schema import (
    REQUIRED_COLUMNS,
    brief,
    mixed_kinds,
    mixed_kinds_message,
    reserved_renames,
    validate_corpus,
)

DEFAULT_ROLE_VALUES: dict[str, str] = {
    "therapist": "therapist",
    "counselor": "therapist",
    "counsellor": "therapist",
    "supporter": "therapist",
    "t": "therapist",
    "client": "client",
    "patient": "client",
    "seeker": "client",
    "c": "client",
}
"""Source role labels (lower-cased) understood without a ``role_values`` mapping."""

DEFAULT_SPEAKER_PREFIXES: dict[str, str] = {
    "T": "therapist",
    "Therapist": "therapist",
    "Counselor": "therapist",
    "Counsellor": "therapist",
    "C": "client",
    "Client": "client",
    "Patient": "client",
}
"""Speaker prefixes of plain-text transcripts (before the colon) and the role each stands for."""

TABLE_FORMATS = ("csv", "tsv", "jsonl", "parquet")

_NEWLINE = re.compile(r"\r\n|\r|\n")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _decode(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=path) from None
    try:
        # utf-8-sig drops a leading byte-order mark (Excel writes one)
        text = data.decode("utf-8-sig" if codec == "utf-8" else encoding)
    except UnicodeDecodeError as err:
        # positions are relative to err.object (utf-8-sig strips the BOM before decoding)
        obj = err.object
        line = obj[: err.start].count(b"\n") + 1
        col = err.start - (obj.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(
            f"cannot decode byte 0x{obj[err.start]:02x} at character {col} as {encoding}; "
            + (
                "the file starts with a UTF-16 byte-order mark: pass --encoding utf-16 (encoding='utf-16' in Python)"
                if obj[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
                else "save the file as UTF-8 or pass its encoding: --encoding ENCODING (encoding=... in Python)"
            ),
            path=path,
            line=line,
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError("the file contains NUL bytes; it is not a text file", path=path, line=line)
    return text


def _split_lines(text: str) -> list[str]:
    """Split on ``\\n``, ``\\r\\n`` and ``\\r`` only, as editors and the CSV reader count lines.

    ``str.splitlines`` also breaks at form feeds, U+2028 and other separators, which JSON strings may
    hold unescaped; that would cut a JSON line in two and put every later line number off.
    """
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _read_delimited(path: Path, delimiter: str, encoding: str) -> tuple[pd.DataFrame, list[int]]:
    text = _decode(path, encoding)
    if not text.strip():
        raise InputError("the file is empty", path=path)
    # the csv module refuses fields over 128 KiB by default; no field can be longer than the file itself
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        return _parse_delimited(path, text, delimiter)
    finally:
        csv.field_size_limit(limit)


def _parse_delimited(path: Path, text: str, delimiter: str) -> tuple[pd.DataFrame, list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1  # line on which the row being read begins
    try:
        header = next(reader)
        start = reader.line_num + 1
        for row in reader:
            if not row:
                start = reader.line_num + 1
                continue
            if len(row) != len(header):
                raise InputError(
                    f"expected {len(header)} fields as in the header, found {len(row)}", path=path, line=start
                )
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        # name the line where the broken row begins (an unclosed quote is only noticed at the end of the file)
        until = f" (read up to line {reader.line_num})" if reader.line_num > start else ""
        raise InputError(
            f"malformed {'TSV' if delimiter == chr(9) else 'CSV'} row{until}: {err}", path=path, line=start
        ) from None
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"repeated column name(s) in the header: {dupes}", path=path, line=1)
    return pd.DataFrame(rows, columns=header, dtype=object), lines


def _read_jsonl(path: Path, encoding: str) -> tuple[pd.DataFrame, list[int]]:
    text = _decode(path, encoding)
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, raw in enumerate(_split_lines(text), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"invalid JSON at character {err.colno}: {err.msg}", path=path, line=number) from None
        except ValueError as err:  # e.g. an integer of more than 4300 digits
            raise InputError(f"invalid JSON: {err}", path=path, line=number) from None
        except RecursionError:
            raise InputError("invalid JSON: arrays or objects nested too deeply", path=path, line=number) from None
        if not isinstance(obj, dict):
            raise InputError(f"each line must be a JSON object, found {type(obj).__name__}", path=path, line=number)
        if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(obj):
            raise InputError(
                "the line holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is not valid text",
                path=path,
                line=number,
            )
        records.append(obj)
        lines.append(number)
    if not records:
        raise InputError("the file is empty", path=path)
    return pd.DataFrame.from_records(records), lines


def _has_lone_surrogate(obj: Any) -> bool:
    """Whether a parsed JSON value holds a string (key or value) with an unpaired surrogate."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _read_parquet(path: Path) -> tuple[pd.DataFrame, None]:
    """Rows of a parquet file; categorical (dictionary) columns become plain values, as the text formats give."""
    try:
        table = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a broken file
        raise InputError(f"cannot read parquet file: {err}", path=path) from None
    for i, dtype in enumerate(table.dtypes):
        if isinstance(dtype, pd.CategoricalDtype):  # e.g. ["a", "b"] -> object, [1, 2] -> int64
            table.isetitem(i, np.asarray(table.iloc[:, i]))
    return table, None


def _read_rows(path: Path, fmt: str, encoding: str) -> tuple[pd.DataFrame, list[int] | None]:
    """Rows of a CSV/TSV/JSONL/parquet file and, for text formats, the line each row starts on."""
    if fmt == "parquet":
        return _read_parquet(path)
    if fmt == "jsonl":
        return _read_jsonl(path, encoding)
    return _read_delimited(path, "\t" if fmt == "tsv" else ",", encoding)


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        fmt = format.lower()
    else:
        suffix = path.suffix.lower().lstrip(".")
        fmt = {"json": "jsonl", "ndjson": "jsonl", "txt": "text", "pq": "parquet"}.get(suffix, suffix)
    if fmt not in (*TABLE_FORMATS, "text"):
        raise InputError(
            f"unknown format {fmt!r}; use one of {[*TABLE_FORMATS, 'text']} (or pass format=...)", path=path
        )
    return fmt


def read_table(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    role_values: Mapping[str, str] | None = None,
    format: str | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read a CSV, TSV, JSON-lines or parquet file with one utterance per row.

    Parameters
    ----------
    path : str or Path
        The file.
    mapping : mapping of str to str, optional
        Toolkit column name -> column name in the file, e.g. ``{"text": "utterance_text",
        "role": "interlocutor", "session_id": "transcript_id"}``. Unmapped required columns are looked
        up under their own name. ``utterance_id``, ``turn`` and ``speaker_id`` may be absent: then the
        id is ``"<session>:<turn>"``, the turn is the file order within the session, and the speaker is
        ``"<session>:<role>"``.
    role_values : mapping of str to str, optional
        Source role label -> ``"therapist"``/``"client"`` (case-insensitive), added to
        :data:`DEFAULT_ROLE_VALUES`.
    format : {"csv", "tsv", "jsonl", "parquet"}, optional
        Overrides the format implied by the file suffix.
    encoding : str, default "utf-8"
        Text encoding of CSV/TSV/JSONL files.

    Returns
    -------
    pandas.DataFrame
        A validated utterance table; columns not named in the mapping are kept as metadata.

    Raises
    ------
    InputError
        The file is missing or unreadable, a mapped column is absent, a value is invalid.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    fmt = _format_of(path, format)
    if fmt == "text":
        raise InputError("plain-text transcripts are read with read_text_transcripts()", path=path)
    raw, lines = _read_rows(path, fmt, encoding)
    return _apply_mapping(raw, path=path, lines=lines, mapping=mapping, role_values=role_values)


def _apply_mapping(
    raw: pd.DataFrame,
    *,
    path: Path,
    lines: list[int] | None,
    mapping: Mapping[str, str] | None,
    role_values: Mapping[str, str] | None,
) -> pd.DataFrame:
    mapping = dict(mapping or {})
    unknown_keys = [k for k in mapping if k not in REQUIRED_COLUMNS]
    if unknown_keys:
        raise InputError(
            f"mapping names {unknown_keys}, which are not toolkit columns; map only {list(REQUIRED_COLUMNS)}", path=path
        )
    for ours, theirs in mapping.items():
        if theirs not in raw.columns:
            raise InputError(
                f"the mapping sends {ours!r} to column {theirs!r}, which the file does not have; "
                f"its columns are {list(raw.columns)}",
                path=path,
                column=theirs,
            )
    source_of = {ours: mapping.get(ours, ours) for ours in REQUIRED_COLUMNS}
    for ours in ("session_id", "role", "text"):
        if source_of[ours] not in raw.columns:
            raise InputError(
                f"no column for {ours!r}: add it or map it (command line: --map {ours}=COLUMN; Python: "
                f"mapping={{'{ours}': 'COLUMN'}}); the file's columns are {list(raw.columns)}",
                path=path,
                column=ours,
            )
    used = {source_of[c] for c in REQUIRED_COLUMNS if source_of[c] in raw.columns}
    table = pd.DataFrame({ours: raw[source_of[ours]] for ours in REQUIRED_COLUMNS if source_of[ours] in raw.columns})
    for col in raw.columns:
        if col not in used and col not in table.columns:
            table[col] = raw[col]

    roles = {**DEFAULT_ROLE_VALUES, **{str(k).strip().lower(): v for k, v in (role_values or {}).items()}}
    raw_role = table["role"].astype(str).str.strip().str.lower()
    mapped = raw_role.map(roles)
    if mapped.isna().any():
        row = int(mapped.isna().to_numpy().nonzero()[0][0])
        label = str(table["role"].iloc[row]).strip()
        example = (
            label if label and len(label) <= 30 and not set(label) & set("='\\") and label.isprintable() else "LABEL"
        )
        raise InputError(
            f"unknown role {brief(table['role'].iloc[row])}; map it (command line: --role '{example}=therapist' "
            f"or --role '{example}=client'; Python: role_values={{'{example}': 'therapist'}})",
            path=path,
            line=lines[row] if lines else None,
            column=source_of["role"],
        )
    table["role"] = mapped

    session = table["session_id"]
    if session.isna().any():
        row = int(session.isna().to_numpy().nonzero()[0][0])
        raise InputError(
            "empty session id", path=path, line=lines[row] if lines else None, column=source_of["session_id"]
        )
    conflict = mixed_kinds(session)
    if conflict is not None:
        raise InputError(
            mixed_kinds_message(session, "session_id", conflict),
            path=path,
            line=lines[conflict] if lines else None,
            column=source_of["session_id"],
        )
    table["session_id"] = session.astype(str)
    if "turn" in table.columns and "utterance_id" not in table.columns and table["turn"].isna().any():
        # checked here: the derived id "<session>:<turn>" would otherwise be reported as an empty utterance_id
        row = int(table["turn"].isna().to_numpy().nonzero()[0][0])
        raise InputError("empty turn", path=path, line=lines[row] if lines else None, column=source_of["turn"])
    if "turn" not in table.columns:
        table["turn"] = table.groupby("session_id", sort=False).cumcount()
    if "utterance_id" not in table.columns:
        table["utterance_id"] = table["session_id"] + ":" + table["turn"].astype(str)
    if "speaker_id" not in table.columns:
        table["speaker_id"] = table["session_id"] + ":" + table["role"]
    return validate_corpus(table, path=path, lines=lines)


def read_text_transcripts(
    paths: str | Path | Iterable[str | Path],
    *,
    speaker_prefixes: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read plain-text transcripts, one file per session, one utterance per line.

    Each non-blank line starts with a speaker prefix and a colon, e.g. ``T: How are you today?`` or
    ``Client: Not great.``. The session id is the file name without its suffix.

    Parameters
    ----------
    paths : path or iterable of paths
        Transcript files, or a directory whose ``*.txt`` files are read in name order.
    speaker_prefixes : mapping of str to str, optional
        Prefix (before the colon, case-insensitive) -> ``"therapist"``/``"client"``. Replaces
        :data:`DEFAULT_SPEAKER_PREFIXES` when given.
    encoding : str, default "utf-8"
        Text encoding of the files.

    Returns
    -------
    pandas.DataFrame
        A validated utterance table with a ``source_file`` column.

    Raises
    ------
    InputError
        A file is missing or undecodable, or a line has no known speaker prefix (file and line named).
    """
    files = _transcript_files(paths)
    prefixes = {k.strip().lower(): v for k, v in (speaker_prefixes or DEFAULT_SPEAKER_PREFIXES).items()}
    bad_roles = {v for v in prefixes.values() if v not in ("therapist", "client")}
    if bad_roles:
        raise InputError(f"speaker_prefixes must map to 'therapist' or 'client', got {sorted(bad_roles)}")
    records: list[dict[str, Any]] = []
    for file in files:
        session = file.stem
        text = _decode(file, encoding)
        turn = 0
        for number, line in enumerate(_split_lines(text), start=1):
            if not line.strip():
                continue
            head, sep, rest = line.partition(":")
            role = prefixes.get(head.strip().lower()) if sep else None
            if role is None:
                known = sorted(speaker_prefixes or DEFAULT_SPEAKER_PREFIXES)
                raise InputError(
                    f"line has no speaker prefix (expected one of {known} followed by ':'): {line[:60]!r}",
                    path=file,
                    line=number,
                )
            records.append(
                {
                    "utterance_id": f"{session}:{turn}",
                    "session_id": session,
                    "turn": turn,
                    "role": role,
                    "speaker_id": f"{session}:{role}",
                    "text": rest.strip(),
                    "source_file": file.name,
                }
            )
            turn += 1
        if turn == 0:
            raise InputError("the transcript has no utterances", path=file)
    return validate_corpus(pd.DataFrame.from_records(records))


def _transcript_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        root = Path(paths)
        if root.is_dir():
            # any case of the suffix: a folder copied from Windows or a recorder holds NOTES.TXT as often
            files = sorted(p for p in root.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
            if not files:
                raise InputError("the folder holds no *.txt transcripts", path=root)
            return files
        paths = [root]
    files = [Path(p) for p in paths]
    for f in files:
        if not f.is_file():
            raise InputError("no such file", path=f)
    if not files:
        raise InputError("no transcript files given")
    stems = [f.stem for f in files]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise InputError(f"several files would become the same session id: {dupes}")
    return files


def attach_session_metadata(corpus: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Join a per-session metadata file (CSV/TSV/parquet with a ``session_id`` column) onto a corpus.

    Parameters
    ----------
    corpus : pandas.DataFrame
        A validated utterance table.
    path : str or Path
        The metadata file; one row per session; its other columns (``school``, ``quality``, ...)
        are added to every utterance of that session. A column whose name the toolkit writes (``topic``,
        ``label``, ...: :data:`topics.read.RESERVED_COLUMNS`) is added as ``meta_<name>``, with a warning,
        as the readers do.

    Returns
    -------
    pandas.DataFrame
        The corpus with the metadata columns added.

    Raises
    ------
    InputError
        The file lacks ``session_id``, repeats a session, adds a column the corpus already has, or
        none of its sessions is in the corpus. Corpus sessions the file does not list get missing values.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    fmt = _format_of(path, None)
    if fmt not in TABLE_FORMATS:
        raise InputError("session metadata must be CSV, TSV, JSONL or parquet", path=path)
    meta, lines = _read_rows(path, fmt, "utf-8")
    if "session_id" not in meta.columns:
        raise InputError("session metadata needs a 'session_id' column", path=path, column="session_id")
    meta = meta.assign(session_id=meta["session_id"].astype(str))
    renames = reserved_renames(meta.columns, path=path)  # as the readers do: "topic" is kept as "meta_topic"
    meta = meta.rename(columns=renames)
    dup = meta["session_id"].duplicated()
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"session {brief(meta['session_id'].iloc[row])} appears twice",
            path=path,
            line=lines[row] if lines else None,
            column="session_id",
        )
    clash = [c for c in meta.columns if c != "session_id" and c in corpus.columns]
    if clash:
        kept = {new: old for old, new in renames.items()}
        note = "".join(f" ({kept[c]!r} of the file, kept as {c!r})" for c in clash if c in kept)
        raise InputError(f"column(s) {clash} already exist in the corpus{note}", path=path, column=clash[0])
    if not meta["session_id"].isin(corpus["session_id"].astype(str)).any():
        raise InputError(
            f"no session id of the metadata file matches the corpus (file: {list(meta['session_id'][:3])}..., "
            f"corpus: {list(corpus['session_id'].drop_duplicates()[:3])}...)",
            path=path,
            column="session_id",
        )
    return corpus.merge(meta, on="session_id", how="left", validate="many_to_one")


def load_corpus(
    source: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    role_values: Mapping[str, str] | None = None,
    speaker_prefixes: Mapping[str, str] | None = None,
    session_metadata: str | Path | None = None,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Load a corpus from a file, a folder of transcripts, or a corpus name.

    Parameters
    ----------
    source : str, Path or iterable of paths
        A CSV/TSV/JSONL/parquet file; a ``.txt`` transcript, a list of them or a folder of them; or a
        name: ``"demo"`` (the bundled demo corpus) or a public corpus of
        :data:`topics.read.LOADERS` (``"annomi"``, ``"mibot"``, ``"counselchat"``, ``"esconv"``, ``"rogers"``,
        ``"llms-as-therapists"``).
    format : str, optional
        Force a format (``csv``, ``tsv``, ``jsonl``, ``parquet``, ``text``).
    mapping, role_values : mapping, optional
        See :func:`read_table`.
    speaker_prefixes : mapping, optional
        See :func:`read_text_transcripts`.
    session_metadata : str or Path, optional
        Per-session metadata joined on ``session_id`` (see :func:`attach_session_metadata`).
    encoding : str, default "utf-8"
        Text encoding.

    Returns
    -------
    pandas.DataFrame
        A validated utterance table.
    """
    if isinstance(source, str) and source.lower() in ("demo", *public.LOADERS):
        name = source.lower()
        corpus = public.load_demo() if name == "demo" else public.LOADERS[name]()
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            names = ["demo", *public.LOADERS]
            raise InputError(f"no such file or folder (nor a corpus name: {names})", path=path)
        if path.is_dir() or _format_of(path, format) == "text":
            corpus = read_text_transcripts(path, speaker_prefixes=speaker_prefixes, encoding=encoding)
        else:
            corpus = read_table(path, mapping=mapping, role_values=role_values, format=format, encoding=encoding)
    else:
        corpus = read_text_transcripts(source, speaker_prefixes=speaker_prefixes, encoding=encoding)
    if session_metadata is not None:
        corpus = attach_session_metadata(corpus, session_metadata)
    return corpus
