"""Codes as a table the comparisons read, and the hybrid view of codes beside the inductive topics.

``topics code RUN`` writes ``RUN/codes/coded.csv`` (one row per remark: its code, probability, low-confidence
flag and every code's probability) stamped with the fingerprint of the model whose remarks it coded. This
module reads that folder back (:func:`load_codes`, refusing codes of another model: a refit leaves them stale)
and turns the codes into an assignment table (:func:`codes_as_assignments`) whose ``topic`` column is the
code, so that every comparison of topics runs on codes unchanged:

>>> from topics.coding.tables import codes_as_assignments, load_codes
>>> codes = load_codes("runs/demo", analysis.fingerprint)                        # doctest: +SKIP
>>> table = codes_as_assignments(codes.coded, analysis.assignments, codes.codes)  # doctest: +SKIP
>>> run_comparison(table, "counselor_type")          # group contrasts of the codes  # doctest: +SKIP

The hybrid analysis puts the codes beside the topics: :func:`coverage` (how much of the corpus the codebook
claims, per group), :func:`topics_by_codes` (the cross-table) and :func:`outside_codebook` (topics whose
remarks no code claims with confidence: what the codebook leaves out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics._files import CSV_FORMULA_PREFIXES, read_json_checked
from topics.coding.codebook import MAX_CODES, MAX_NAME_CHARS, NONE_CODE
from topics.coding.coder import PROBABILITY_PREFIX
from topics.errors import InputError
from topics.model import clustering_hash

CODES_DIR = "codes"
"""The folder of a run that ``topics code`` writes."""
CODED_FILE = "coded.csv"
NONE_TOPIC = -1
"""The ``topic`` of a remark coded :data:`~topics.coding.codebook.NONE_CODE` (the no-topic row of a comparison)."""
MAX_CODED_BYTES = 1 << 30
"""Largest ``coded.csv`` read (1 GiB: several million remarks)."""
MAX_SIDE_BYTES = 16 << 20
"""Largest ``codebook.csv``, ``agreement.csv`` or ``per_code.csv`` read."""
DROPPED_TOPIC_COLUMNS = ("raw_topic", "raw_label", "bucket", "similarity", "outlier_reassigned")
"""Columns of a (curated) assignment table that describe the topic and mean nothing for a code."""


@dataclass
class RunCodes:
    """The codes a run's ``codes/`` folder holds, read and checked by :func:`load_codes`.

    Attributes
    ----------
    folder : Path
    coded : pandas.DataFrame
        ``utterance_id``, ``code``, ``probability``, ``low_confidence`` (bool), and ``margin``, ``label`` (the
        expert's label, where the remark has one) and ``p_<code>`` as written.
    codes : list of str
        The codes in codebook order (without :data:`~topics.coding.codebook.NONE_CODE`).
    summary : dict
        ``coder.json``: mode, labels trained on and held out, thresholds (empty when missing).
    agreement : pandas.DataFrame or None
        ``agreement.csv``: Cohen's kappa with its interval on the labels held out, when there were any.
    per_code : pandas.DataFrame or None
        ``per_code.csv``: precision, recall and F1 per code on the labels held out.
    fingerprint : str
        The model the codes were computed on.
    """

    folder: Path
    coded: pd.DataFrame
    codes: list[str]
    summary: dict[str, Any] = field(default_factory=dict)
    agreement: pd.DataFrame | None = None
    per_code: pd.DataFrame | None = None
    fingerprint: str = ""

    def table(self, assignments: pd.DataFrame) -> pd.DataFrame:
        """The run's assignment table with the codes as topics (:func:`codes_as_assignments`)."""
        return codes_as_assignments(self.coded, assignments, self.codes)


def _unguard(value: str) -> str:
    """A cell as written before :func:`topics._files.export_csv` put an apostrophe before a formula prefix."""
    return value[1:] if value.startswith("'") and value[1:2] and value[1] in CSV_FORMULA_PREFIXES else value


def run_model_fingerprint(run: str | Path) -> str | None:
    """The fingerprint of the model saved in a run folder (``topics.runs.run_fingerprint``), or None."""
    path = Path(run) / "model" / "assignments.parquet"
    if not path.is_file():
        return None
    table = pd.read_parquet(path, columns=["utterance_id", "topic"])
    return clustering_hash(table["utterance_id"], table["topic"])


def codes_stale_reason(folder: str | Path, fingerprint: str | None) -> str | None:
    """Why a codes folder must not be used with this model (one line), or None when it was coded on it.

    Parameters
    ----------
    folder : str or Path
        ``RUN/codes``.
    fingerprint : str or None
        The model being shown (:attr:`topics.analysis.Analysis.fingerprint`).

    Returns
    -------
    str or None
    """
    folder = Path(folder)
    recorded = None
    manifest = folder / "manifest.json"
    if manifest.is_file():
        try:
            stamp = read_json_checked(manifest, max_bytes=1 << 16)
        except InputError:
            stamp = None
        value = stamp.get("model_fingerprint") if isinstance(stamp, dict) else None
        recorded = value if isinstance(value, str) else None
    if recorded is not None and recorded == fingerprint:
        return None
    if recorded is None:
        why = "does not record the model whose remarks it coded"
    else:
        why = (
            f"was coded on another model (fingerprint {recorded[:12]}, this model {str(fingerprint)[:12]}: "
            "the run was fitted again)"
        )
    return f"{folder} {why}, so its codes are not used: re-run `topics code {folder.parent} --codebook FILE`"


def _read_text_csv(path: Path, max_bytes: int) -> pd.DataFrame:
    """A CSV the toolkit wrote, every cell as text (no value read as missing but an empty one), size-checked."""
    if not path.is_file():
        raise InputError("no such file (or not a regular file)", path=path)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"the file is {size:,} bytes, larger than {max_bytes:,}; refused", path=path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (ValueError, pd.errors.ParserError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"not a readable CSV table: {first}", path=path) from None
    table.columns = [_unguard(str(c)) for c in table.columns]
    return table


def _numbers(table: pd.DataFrame, column: str, path: Path, *, low: float = 0.0, high: float = 1.0) -> pd.Series:
    """A column of numbers in ``[low, high]``; the first bad cell is an error naming its line."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() | (values < low) | (values > high)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"expected a number from {low:g} to {high:g}, got {table[column].iloc[i]!r}",
            path=path,
            line=i + 2,
            column=column,
        )
    return values.astype(float)


def read_coded(path: str | Path, codes: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read and check a ``coded.csv`` written by ``topics code``.

    Parameters
    ----------
    path : str or Path
    codes : list of str, optional
        The codebook's codes in order (``codebook.csv``); default the ``p_<code>`` columns, in order.

    Returns
    -------
    tuple of (pandas.DataFrame, list of str)
        The table (``probability``, ``margin`` and ``p_<code>`` as floats, ``low_confidence`` as bool) and
        the codes.

    Raises
    ------
    InputError
        Too large, not CSV, a column missing, an id empty or repeated, a probability outside [0, 1], a
        ``low_confidence`` other than True/False, or a code that is not in the codebook: one line naming the
        file, the line and the column.
    """
    path = Path(path)
    table = _read_text_csv(path, MAX_CODED_BYTES)
    missing = [c for c in ("utterance_id", "code", "probability", "low_confidence") if c not in table.columns]
    if missing:
        raise InputError(f"not a table of codes written by `topics code`: no {missing[0]} column", path=path)
    probability_columns = [c for c in table.columns if c.startswith(PROBABILITY_PREFIX)]
    if len(probability_columns) > MAX_CODES + 1:
        raise InputError(f"{len(probability_columns)} code columns, more than {MAX_CODES + 1}; refused", path=path)
    ids = table["utterance_id"]
    for i in np.flatnonzero((ids.isna() | ids.duplicated()).to_numpy())[:1]:
        what = "an empty utterance_id" if pd.isna(ids.iloc[i]) else f"utterance_id {ids.iloc[i]!r} a second time"
        raise InputError(f"{what}: one row per remark expected", path=path, line=int(i) + 2, column="utterance_id")
    table["code"] = table["code"].fillna("").map(_unguard)
    for column in ("probability", *probability_columns, *(["margin"] if "margin" in table.columns else [])):
        table[column] = _numbers(table, column, path)
    flags = table["low_confidence"].map({"True": True, "False": False, "true": True, "false": False})
    if flags.isna().any():
        i = int(np.flatnonzero(flags.isna().to_numpy())[0])
        raise InputError(
            f"expected True or False, got {table['low_confidence'].iloc[i]!r}",
            path=path,
            line=i + 2,
            column="low_confidence",
        )
    table["low_confidence"] = flags.astype(bool)
    if codes is None:
        codes = [c[len(PROBABILITY_PREFIX) :] for c in probability_columns]
        codes = [c for c in codes if c != NONE_CODE]
    known = {*codes, NONE_CODE}
    unknown = ~table["code"].isin(known)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            f"code {table['code'].iloc[i]!r} is not in the codebook ({len(codes)} codes)",
            path=path,
            line=i + 2,
            column="code",
        )
    return table, list(codes)


def _codebook_codes(path: Path) -> list[str] | None:
    """The code names of ``codebook.csv`` in order (None when the file is missing)."""
    if not path.is_file():
        return None
    book = _read_text_csv(path, MAX_SIDE_BYTES)
    if "code" not in book.columns:
        raise InputError("not a codebook table written by `topics code`: no code column", path=path)
    names = [_unguard(str(c)) for c in book["code"].fillna("")]
    bad = [i for i, c in enumerate(names) if not c or len(c) > MAX_NAME_CHARS or c == NONE_CODE]
    if bad or len(set(names)) != len(names) or not names or len(names) > MAX_CODES:
        line = bad[0] + 2 if bad else None
        raise InputError("the codebook table's code names are empty, repeated or too many", path=path, line=line)
    return names


def _optional_table(path: Path) -> pd.DataFrame | None:
    """``agreement.csv`` or ``per_code.csv``, numbers as numbers (None when the file is missing)."""
    if not path.is_file():
        return None
    table = _read_text_csv(path, MAX_SIDE_BYTES)
    for column in [c for c in table.columns if c != "code"]:  # a code may be named "1"
        numbers = pd.to_numeric(table[column], errors="coerce")
        if numbers.notna().sum() == table[column].notna().sum():
            table[column] = numbers
    return table


def load_codes(run: str | Path, fingerprint: str | None = None) -> RunCodes:
    """Read a run's ``codes/`` folder, refusing codes of another model.

    Parameters
    ----------
    run : str or Path
        The run folder.
    fingerprint : str, optional
        The fingerprint of the model being analysed (:attr:`topics.analysis.Analysis.fingerprint`); default
        that of the model saved in ``run``.

    Returns
    -------
    RunCodes

    Raises
    ------
    InputError
        No codes (run ``topics code`` first), codes of another model (the run was fitted again after it was
        coded), or a file that is not what ``topics code`` writes: one line.
    """
    run = Path(run)
    folder = run / CODES_DIR
    if not (folder / CODED_FILE).is_file():
        raise InputError(f"the run has no codes ({CODES_DIR}/{CODED_FILE}): run `topics code {run} --codebook FILE`")
    if fingerprint is None:
        fingerprint = run_model_fingerprint(run)
    stale = codes_stale_reason(folder, fingerprint)
    if stale is not None:
        raise InputError(stale)
    coded, codes = read_coded(folder / CODED_FILE, _codebook_codes(folder / "codebook.csv"))
    summary: dict[str, Any] = {}
    if (folder / "coder.json").is_file():
        loaded = read_json_checked(folder / "coder.json", max_bytes=MAX_SIDE_BYTES)
        summary = loaded if isinstance(loaded, dict) else {}
    return RunCodes(
        folder=folder,
        coded=coded,
        codes=codes,
        summary=summary,
        agreement=_optional_table(folder / "agreement.csv"),
        per_code=_optional_table(folder / "per_code.csv"),
        fingerprint=str(fingerprint),
    )


def codes_as_assignments(
    coded: pd.DataFrame, assignments: pd.DataFrame, codes: list[str] | None = None
) -> pd.DataFrame:
    """The run's assignment table with each remark's code in place of its topic.

    ``topic`` becomes the code's number (its place in the codebook, from 0; :data:`NONE_TOPIC` for "none of
    these", the no-topic row of a comparison), ``label`` the code's name and ``probability`` the code's
    probability; the session metadata, ``turn`` and the text are kept, so that
    :func:`topics.compare.run_comparison` (group contrasts, positions and trajectories, outcomes, prediction)
    runs on the codes unchanged. The topic each remark had is kept as ``inductive_topic`` and
    ``inductive_label`` (for :func:`topics_by_codes`).

    Parameters
    ----------
    coded : pandas.DataFrame
        ``utterance_id``, ``code``, ``probability``, ``low_confidence`` (``coded.csv``; :meth:`Coder.predict`).
    assignments : pandas.DataFrame
        The run's per-remark table (``utterance_id``, ``session_id``, ``topic``, ``label``, metadata; curated
        or not).
    codes : list of str, optional
        The codes in codebook order; default their order of first appearance in ``coded``.

    Returns
    -------
    pandas.DataFrame
        One row per remark of ``assignments``, in its order; ``attrs["codes"]`` lists the codes by number.

    Raises
    ------
    InputError
        A column is missing, or a remark of ``assignments`` has no code (codes of another set of remarks).
    """
    for name, table, needed in (
        ("codes", coded, ("utterance_id", "code", "probability")),
        ("assignment", assignments, ("utterance_id", "session_id", "topic")),
    ):
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise InputError(f"the {name} table has no {missing[0]} column", column=missing[0])
    if codes is None:
        codes = [c for c in dict.fromkeys(coded["code"].astype(str)) if c != NONE_CODE]
    number = {c: i for i, c in enumerate(codes)}
    number[NONE_CODE] = NONE_TOPIC
    unknown = sorted(set(coded["code"].astype(str)) - set(number))
    if unknown:
        raise InputError(f"code(s) not among the codes given: {unknown[:3]}", column="code")
    keep = ["utterance_id", "code", "probability"] + [c for c in ("low_confidence", "label") if c in coded.columns]
    part = coded[keep].rename(columns={c: f"_{c}" for c in keep if c != "utterance_id"})  # metadata may be `code`
    part = part.assign(utterance_id=part["utterance_id"].astype(str)).drop_duplicates("utterance_id")
    replaced = [*DROPPED_TOPIC_COLUMNS, "probability", "expert_label", "low_confidence"]
    base = assignments.drop(columns=[c for c in replaced if c in assignments.columns])
    base = base.rename(columns={"topic": "inductive_topic", "label": "inductive_label"})
    base = base.assign(utterance_id=assignments["utterance_id"].astype(str).to_numpy())
    table = base.merge(part, on="utterance_id", how="left", validate="m:1")
    uncoded = table["_code"].isna()
    if uncoded.any():
        raise InputError(
            f"{int(uncoded.sum()):,} of {len(table):,} remarks of the run have no code, e.g. "
            f"{table.loc[uncoded, 'utterance_id'].iloc[0]!r}: re-run `topics code` on this run",
            column="utterance_id",
        )
    at = list(table.columns).index("utterance_id") + 1
    table.insert(at, "topic", table["_code"].astype(str).map(number).astype(int))
    table.insert(at + 1, "label", table.pop("_code").astype(str))
    table.insert(at + 2, "probability", table.pop("_probability").astype(float))
    flags = table.pop("_low_confidence") if "_low_confidence" in table.columns else pd.Series(False, index=table.index)
    table["low_confidence"] = flags.fillna(False).astype(bool)
    if "_label" in table.columns:
        table["expert_label"] = table.pop("_label")
    table.attrs = {"codes": list(codes), "none_code": NONE_CODE}
    return table


def _claimed(table: pd.DataFrame, threshold: float | None) -> tuple[pd.Series, pd.Series]:
    """Whether a code claims each remark, and whether it claims it with confidence."""
    claimed = table["topic"] != NONE_TOPIC
    if threshold is not None:
        sure = table["probability"] >= threshold
    else:
        sure = ~table["low_confidence"].astype(bool) if "low_confidence" in table.columns else claimed
    return claimed, claimed & sure


def coverage(table: pd.DataFrame, by: str | None = None, *, threshold: float | None = None) -> pd.DataFrame:
    """How much of the corpus the codebook covers: the share of remarks a code claims, overall and per group.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`codes_as_assignments`.
    by : str, optional
        A session-level column: one row per group after the row of all remarks.
    threshold : float, optional
        A remark counts as claimed with confidence when its code's probability is at least this; default the
        coder's own ``low_confidence`` flag.

    Returns
    -------
    pandas.DataFrame
        ``group`` (``"all"`` first), ``sessions``, ``remarks``, ``claimed`` and ``claimed_share`` (coded with
        a code, not "none of these"), ``confident`` and ``confident_share`` (claimed with confidence),
        ``low_confidence_share``.
    """
    if by is not None and by not in table.columns:
        raise InputError(f"no column {by!r} in the table of codes", column=by)
    claimed, sure = _claimed(table, threshold)
    frame = pd.DataFrame(
        {"session_id": table["session_id"].to_numpy(), "claimed": claimed.to_numpy(), "confident": sure.to_numpy()}
    )
    frame["low"] = claimed.to_numpy() & ~sure.to_numpy()
    parts = [("all", frame)]
    if by is not None:
        values = table[by]
        parts += [(str(g), frame[(values == g).to_numpy()]) for g in values.dropna().unique()]
    rows = []
    for group, part in parts:
        n = len(part)
        rows.append(
            {
                "group": group,
                "sessions": int(part["session_id"].nunique()),
                "remarks": n,
                "claimed": int(part["claimed"].sum()),
                "claimed_share": float(part["claimed"].mean()) if n else float("nan"),
                "confident": int(part["confident"].sum()),
                "confident_share": float(part["confident"].mean()) if n else float("nan"),
                "low_confidence_share": float(part["low"].mean()) if n else float("nan"),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["threshold"] = threshold
    return out


def _code_order(table: pd.DataFrame) -> list[str]:
    codes = list(table.attrs.get("codes") or dict.fromkeys(table.loc[table["topic"] != NONE_TOPIC, "label"]))
    return [*codes, NONE_CODE]


def topics_by_codes(table: pd.DataFrame, *, normalize: bool = True) -> pd.DataFrame:
    """The topics x codes cross-table: how each inductive topic's remarks were coded.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`codes_as_assignments` (with ``inductive_topic`` and ``inductive_label``).
    normalize : bool, default True
        Shares of each topic's remarks (rows sum to 1); False: counts.

    Returns
    -------
    pandas.DataFrame
        Index ``topic``, ``label`` (the inductive topic; largest first, remarks without a topic last); one
        column per code in codebook order and "none of these" last (``columns.name == "code"``).
    """
    for column in ("inductive_topic", "inductive_label"):
        if column not in table.columns:
            raise InputError(f"the table of codes has no {column} column", column=column)
    counts = pd.crosstab(
        [table["inductive_topic"].astype(int).rename("topic"), table["inductive_label"].astype(str).rename("label")],
        table["label"].astype(str).rename("code"),
    )
    counts = counts.reindex(columns=_code_order(table), fill_value=0)
    sizes = counts.sum(axis=1)
    outliers = counts.index.get_level_values("topic") == NONE_TOPIC
    order = np.lexsort((counts.index.get_level_values("topic"), -sizes.to_numpy(), outliers))
    counts = counts.iloc[order]
    if normalize:
        return counts.div(counts.sum(axis=1).where(lambda s: s > 0, 1), axis=0)
    return counts


def outside_codebook(table: pd.DataFrame, *, min_share: float = 0.5, threshold: float | None = None) -> pd.DataFrame:
    """Topics outside the codebook: topics whose remarks are mostly "none of these" or coded with low confidence.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`codes_as_assignments`.
    min_share : float, default 0.5
        A topic is listed when at least this share of its remarks is not claimed with confidence.
    threshold : float, optional
        As in :func:`coverage`.

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``label``, ``remarks``, ``unclaimed_share`` (none of these, or low confidence),
        ``none_share``, ``low_confidence_share``, ``top_code`` (the code most of its remarks got) and
        ``top_code_share``; most unclaimed first. Remarks without a topic are not a topic and not listed.
    """
    if not 0.0 <= min_share <= 1.0:
        raise InputError(f"min_share must lie in [0, 1], got {min_share}")
    claimed, sure = _claimed(table, threshold)
    frame = pd.DataFrame(
        {
            "topic": table["inductive_topic"].astype(int).to_numpy(),
            "label": table["inductive_label"].astype(str).to_numpy(),
            "none": (~claimed).to_numpy(),
            "low": (claimed & ~sure).to_numpy(),
            "code": table["label"].astype(str).to_numpy(),
        }
    )
    frame = frame[frame["topic"] != NONE_TOPIC]
    grouped = frame.groupby(["topic", "label"], sort=False)
    top = grouped["code"].agg(lambda s: s.value_counts().index[0])
    top_share = grouped["code"].agg(lambda s: s.value_counts(normalize=True).iloc[0])
    out = pd.DataFrame(
        {
            "remarks": grouped.size(),
            "none_share": grouped["none"].mean(),
            "low_confidence_share": grouped["low"].mean(),
            "top_code": top,
            "top_code_share": top_share,
        }
    ).reset_index()
    out.insert(3, "unclaimed_share", out["none_share"] + out["low_confidence_share"])
    out = out[out["unclaimed_share"] >= min_share - 1e-12]
    out = out.sort_values(["unclaimed_share", "remarks", "topic"], ascending=[False, False, True], kind="stable")
    return out.reset_index(drop=True)
