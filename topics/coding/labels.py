"""An expert's labels: which code a remark carries, who said so and when, recorded like ledger entries.

A label file is a user file (kept when a run is fitted again, :mod:`topics.runs`). It is only ever
appended to: :meth:`LabelFile.append` writes the old bytes unchanged followed by the new entries, checks
that the result reads back with every old and new label, and swaps it into place atomically
(:func:`topics._files.atomic_write`, with the previous version kept as ``<name>.bak``). A relabelled remark
gets a new entry; the latest entry for a remark wins (:func:`latest`), the history stays in the file.

Two formats, by suffix:

* YAML (``.yaml`` / ``.yml``)::

      topics_labels: 1
      labels:
      - utterance_id: annomi-12-3
        code: reflection
        author: A. Expert
        time: '2026-12-06T09:00:00+00:00'
        rationale: mirrors the client's ambivalence

* CSV (``.csv``): columns ``utterance_id``, ``code``, ``author``, ``time``, ``rationale`` (cells that a
  spreadsheet would run as a formula are written with a leading apostrophe, and read back without it).

Remarks held back to check the coder (:func:`is_held_out`) are chosen by a hash of their id, so that a new
label never moves an old one between training and checking.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from topics._files import CSV_FORMULA_PREFIXES, atomic_write
from topics.errors import InputError

FORMAT_VERSION = 1
MAX_LABEL_BYTES = 64 << 20
"""Largest label file read (64 MiB: about 300,000 labels)."""
MAX_FIELD_CHARS = 5_000
"""The longest value of a field (a rationale)."""
LABEL_COLUMNS = ["utterance_id", "code", "author", "time", "rationale"]
_REQUIRED = ("utterance_id", "code")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def now() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Label:
    """One expert's code for one remark.

    Attributes
    ----------
    utterance_id : str
    code : str
        A code of the codebook, or :data:`topics.coding.codebook.NONE_CODE`.
    author : str
    time : str
        ISO 8601.
    rationale : str
    """

    utterance_id: str
    code: str
    author: str = "unknown"
    time: str = ""
    rationale: str = ""

    def to_dict(self) -> dict[str, str]:
        """The label as the file writes it (``rationale`` only when there is one)."""
        out = {"utterance_id": self.utterance_id, "code": self.code, "author": self.author, "time": self.time}
        if self.rationale:
            out["rationale"] = self.rationale
        return out


def labels_table(labels: Iterable[Label]) -> pd.DataFrame:
    """Labels as a table with :data:`LABEL_COLUMNS`, in the order given."""
    return pd.DataFrame([[getattr(lb, c) for c in LABEL_COLUMNS] for lb in labels], columns=LABEL_COLUMNS)


def latest(labels: pd.DataFrame) -> pd.DataFrame:
    """The last label of each remark (a later entry supersedes an earlier one; file order decides).

    Parameters
    ----------
    labels : pandas.DataFrame
        With ``utterance_id`` and ``code`` (e.g. :meth:`LabelFile.table`).

    Returns
    -------
    pandas.DataFrame
        One row per remark, in order of its last label.
    """
    return labels.drop_duplicates("utterance_id", keep="last").reset_index(drop=True)


def is_held_out(utterance_ids: Iterable[object], fraction: float = 0.2, *, salt: str = "topics-coding") -> pd.Series:
    """Whether each remark's label is held back to check the coder (not trained on).

    The choice depends only on the remark's id (a SHA-256 of ``salt`` and the id), so it never changes as
    labels are added, and a remark stays in training or in checking for good.

    Parameters
    ----------
    utterance_ids : iterable
    fraction : float, default 0.2
        The share held back (0 to 1).
    salt : str
        Changes which remarks are held back.

    Returns
    -------
    pandas.Series of bool
    """
    if not 0.0 <= fraction <= 1.0:
        raise InputError(f"the held-out fraction must lie in [0, 1], got {fraction}")
    ids = [str(u) for u in utterance_ids]
    cut = int(fraction * 2**32)
    return pd.Series(
        [int.from_bytes(hashlib.sha256(f"{salt}\x1f{u}".encode()).digest()[:4], "big") < cut for u in ids], dtype=bool
    )


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(CSV_FORMULA_PREFIXES) else value


def _guard(value: str) -> str:
    return "'" + value if value.startswith(CSV_FORMULA_PREFIXES) else value


class LabelFile:
    """A label file on disk (YAML or CSV), read whole and appended to atomically.

    Parameters
    ----------
    path : str or Path
        ``.yaml``, ``.yml`` or ``.csv``; need not exist yet.
    codes : iterable of str, optional
        The labels allowed (the codebook's :attr:`~topics.coding.Codebook.labels`); a label with another code
        is an error naming its line.
    """

    def __init__(self, path: str | Path, codes: Iterable[str] | None = None) -> None:
        self.path = Path(path)
        self.codes = list(codes) if codes is not None else None
        if self.path.suffix.lower() not in (".yaml", ".yml", ".csv"):
            raise InputError("a label file is .yaml, .yml or .csv", path=self.path)

    @property
    def is_csv(self) -> bool:
        """Whether the file is CSV (else YAML)."""
        return self.path.suffix.lower() == ".csv"

    def read(self) -> list[Label]:
        """Every label in the file, in file order (``[]`` for a missing file).

        Raises
        ------
        InputError
            Too large, not UTF-8, not parseable, or a label missing a field or naming an unknown code; one line
            naming the file and the line.
        """
        return self._parse(self._text()) if self.path.exists() else []

    def table(self) -> pd.DataFrame:
        """:meth:`read` as a table (:data:`LABEL_COLUMNS`)."""
        return labels_table(self.read())

    def append(self, labels: Iterable[Label | dict[str, Any]] | pd.DataFrame, *, author: str | None = None) -> int:
        """Add labels at the end of the file; nothing already in it is changed.

        Parameters
        ----------
        labels : iterable of Label or dict, or DataFrame
            With ``utterance_id`` and ``code``; ``author``, ``time`` (default now) and ``rationale`` optional.
        author : str, optional
            The author of labels that name none.

        Returns
        -------
        int
            The number of labels in the file afterwards.

        Raises
        ------
        InputError
            A label without a remark or code, with an unknown code, or an existing file that does not read.
        """
        records = labels.to_dict("records") if isinstance(labels, pd.DataFrame) else list(labels)
        stamp = now()
        new = []
        for i, item in enumerate(records):
            d = item.to_dict() if isinstance(item, Label) else dict(item)
            d = {k: ("" if v is None or (isinstance(v, float) and v != v) else str(v)) for k, v in d.items()}
            d["author"] = d.get("author") or author or "unknown"
            d["time"] = d.get("time") or stamp
            new.append(self._label(d, where=f"new label {i + 1}", line=None))
        old_text = self._text() if self.path.exists() else ""
        old = self._parse(old_text) if old_text else []
        if not new:
            return len(old)
        if old_text and not old_text.endswith("\n"):
            old_text += "\n"
        text = old_text + self._render(new, fresh=not old_text.strip())
        check = self._parse(text)
        if len(check) != len(old) + len(new) or check[: len(old)] != old:
            raise InputError("appending would change the labels already in the file; nothing written", path=self.path)
        data = text.encode("utf-8")
        atomic_write(self.path, lambda fh: fh.write(data), backup=bool(old_text))
        return len(check)

    def _text(self) -> str:
        if not self.path.is_file():
            raise InputError("the label file is not a regular file", path=self.path)
        with open(self.path, "rb") as fh:
            data = fh.read(MAX_LABEL_BYTES + 1)
        if len(data) > MAX_LABEL_BYTES:
            raise InputError(f"the label file is larger than {MAX_LABEL_BYTES:,} bytes; refused", path=self.path)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = err.object[: err.start].count(b"\n") + 1
            raise InputError("the label file is not UTF-8 text", path=self.path, line=line) from None

    def _label(self, d: dict[str, Any], *, where: str, line: int | None) -> Label:
        def bad(message: str, key: str | None = None) -> InputError:
            return InputError(f"{where}: {message}", path=self.path, line=line, column=key)

        unknown = sorted(set(d) - set(LABEL_COLUMNS))
        if unknown:
            raise bad(f"unknown field(s) {unknown}; allowed: {LABEL_COLUMNS}", unknown[0])
        out = {}
        for key in LABEL_COLUMNS:
            value = d.get(key)
            if value is None:
                value = ""
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise bad(f"'{key}' must be text", key)
            value = " ".join(str(value).split())
            if len(value) > MAX_FIELD_CHARS:
                raise bad(f"'{key}' is longer than {MAX_FIELD_CHARS:,} characters", key)
            if key in _REQUIRED and not value:
                raise bad(f"'{key}' is missing", key)
            out[key] = value
        if self.codes is not None and out["code"] not in self.codes:
            raise bad(f"unknown code {out['code']!r}; the codebook has {self.codes}", "code")
        out["author"] = out["author"] or "unknown"
        return Label(**out)

    def _parse(self, text: str) -> list[Label]:
        return self._parse_csv(text) if self.is_csv else self._parse_yaml(text)

    def _parse_yaml(self, text: str) -> list[Label]:
        try:
            for token in yaml.scan(text, Loader=_LOADER):
                if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
                    raise InputError(
                        "YAML anchors and aliases (& and *) are not allowed in a label file",
                        path=self.path,
                        line=token.start_mark.line + 1,
                    )
            data = yaml.load(text, Loader=_LOADER)
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise InputError(
                f"not valid YAML: {getattr(err, 'problem', None) or err}",
                path=self.path,
                line=mark.line + 1 if mark else None,
            ) from None
        except RecursionError:
            raise InputError("not valid YAML: nested too deeply", path=self.path) from None
        if data is None:
            return []
        if not isinstance(data, dict) or set(data) - {"topics_labels", "labels"} or "labels" not in data:
            raise InputError("a label file is a mapping with 'topics_labels' and 'labels'", path=self.path, line=1)
        if data.get("topics_labels", FORMAT_VERSION) != FORMAT_VERSION:
            raise InputError(f"unsupported label file version {data.get('topics_labels')!r}", path=self.path, line=1)
        items = data["labels"] or []
        if not isinstance(items, list):
            raise InputError("'labels' must be a list", path=self.path)
        seq = next((v for k, v in root.value if getattr(k, "value", None) == "labels"), None)
        starts = [n.start_mark.line + 1 for n in seq.value] if isinstance(seq, yaml.SequenceNode) else []
        out = []
        for i, item in enumerate(items):
            line = starts[i] if i < len(starts) else None
            if not isinstance(item, dict):
                raise InputError(f"label {i + 1}: each label is a mapping", path=self.path, line=line)
            out.append(self._label(item, where=f"label {i + 1}", line=line))
        return out

    def _parse_csv(self, text: str) -> list[Label]:
        if not text.strip():
            return []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader)
            if [h.strip() for h in header] != LABEL_COLUMNS:
                raise InputError(f"the header must be {','.join(LABEL_COLUMNS)}", path=self.path, line=1)
            out: list[Label] = []
            start = reader.line_num + 1
            for row in reader:
                if any(c.strip() for c in row):
                    if len(row) != len(LABEL_COLUMNS):
                        raise InputError(
                            f"{len(row)} fields where the header has {len(LABEL_COLUMNS)}", path=self.path, line=start
                        )
                    d = {k: _unguard(v) for k, v in zip(LABEL_COLUMNS, row, strict=True)}
                    out.append(self._label(d, where=f"label {len(out) + 1}", line=start))
                start = reader.line_num + 1
        except csv.Error as err:
            raise InputError(f"not valid CSV: {err}", path=self.path, line=reader.line_num) from None
        return out

    def _render(self, labels: list[Label], *, fresh: bool) -> str:
        if self.is_csv:
            buf = io.StringIO(newline="")
            writer = csv.writer(buf, lineterminator="\n")
            if fresh:
                writer.writerow(LABEL_COLUMNS)
            for lb in labels:
                writer.writerow([_guard(getattr(lb, c)) for c in LABEL_COLUMNS])
            return buf.getvalue()
        body = yaml.safe_dump([lb.to_dict() for lb in labels], sort_keys=False, allow_unicode=True, width=110)
        head = f"topics_labels: {FORMAT_VERSION}\nlabels:\n" if fresh else ""
        return head + body
