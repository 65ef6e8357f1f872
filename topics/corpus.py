"""The utterance table: one row per utterance, validated.

Every reader and loader in :mod:`topics.readers` and :mod:`topics.public_corpora` returns this
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
outcomes, external codes) and is carried along untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from topics.errors import CorpusError

REQUIRED_COLUMNS: tuple[str, ...] = ("utterance_id", "session_id", "turn", "role", "speaker_id", "text")
ROLES: tuple[str, ...] = ("therapist", "client")


def validate_corpus(
    table: pd.DataFrame,
    *,
    path: str | Path | None = None,
    lines: Sequence[int] | None = None,
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
        sorted by session and turn, and a fresh ``RangeIndex``.

    Raises
    ------
    CorpusError
        A required column is missing, a role is not ``therapist``/``client``, an id is empty,
        ``turn`` is not an integer, ``utterance_id`` repeats, or the table is empty.
    """
    if not isinstance(table, pd.DataFrame):
        raise CorpusError(f"expected a pandas DataFrame, got {type(table).__name__}", path=path)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise CorpusError(
            f"missing required column(s) {missing}; the table has {list(table.columns)}",
            path=path,
            column=missing[0],
        )
    if len(table) == 0:
        raise CorpusError("the corpus has no utterances", path=path)

    df = table.reset_index(drop=True).copy()
    line_of = list(lines) if lines is not None else None

    def fail(row: int, column: str, message: str) -> CorpusError:
        line = line_of[row] if line_of is not None and row < len(line_of) else None
        where = "" if line is not None else f" (row {row})"
        return CorpusError(message + where, path=path, line=line, column=column)

    for col in ("utterance_id", "session_id", "speaker_id"):
        bad = df[col].isna() | (df[col].astype(str).str.strip() == "")
        if bad.any():
            raise fail(int(bad.to_numpy().nonzero()[0][0]), col, f"empty {col}")
        df[col] = df[col].astype(str)

    turn = pd.to_numeric(df["turn"], errors="coerce")
    as_float = turn.astype("float64")
    bad = turn.isna() | ~np.isfinite(as_float) | (as_float.abs() >= 2.0**63) | (turn != turn.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise fail(row, "turn", f"turn must be an integer, got {df['turn'].iloc[row]!r}")
    df["turn"] = turn.astype("int64")

    role = df["role"].astype(str).str.strip().str.lower()
    bad = ~role.isin(ROLES)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise fail(row, "role", f"role must be one of {list(ROLES)}, got {df['role'].iloc[row]!r}")
    df["role"] = role

    dup = df["utterance_id"].duplicated(keep="first")
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0])
        raise fail(row, "utterance_id", f"duplicate utterance_id {df['utterance_id'].iloc[row]!r}")

    df["text"] = df["text"].where(df["text"].notna(), "").astype(str)

    order = list(REQUIRED_COLUMNS) + [c for c in df.columns if c not in REQUIRED_COLUMNS]
    df = df[order].sort_values(["session_id", "turn"], kind="stable").reset_index(drop=True)
    return df


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
