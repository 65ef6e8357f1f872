"""An expert's codebook: codes with a name, a description and example remarks, plus "none of these".

A codebook comes from a file a person wrote or a QDA program exported, so every reader treats it as
untrusted: the file is refused above :data:`MAX_CODEBOOK_BYTES` before it is parsed, its shape is checked
(known keys only, a name and a description or an example per code, names unique, at most :data:`MAX_CODES`
codes, :data:`MAX_EXAMPLES` examples of at most :data:`MAX_TEXT_CHARS` characters each), and every error is
one line naming the file, the line and the key or column (:class:`topics.errors.InputError`).

Formats (by suffix):

* TOML (``.toml``)::

      name = "AnnoMI therapist behaviour"
      [[codes]]
      name = "question"
      description = "The therapist asks for information ..."
      examples = ["What brings you here today?"]

* YAML (``.yaml`` / ``.yml``): the same mapping (``name``, ``codes``), or a bare list of codes; read with the
  safe loader, anchors and aliases refused (as :mod:`topics.curate.ledger` does);
* CSV (``.csv``): columns ``name``, ``description`` and optionally ``examples`` (examples separated by ``|``);
* REFI-QDA (``.qdc`` codebook, ``.qdpx`` project) from NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette, read by
  the streaming parser :func:`topics.read.refiqda.read_qda` (no DTD, no entities, element, depth and size caps):
  every codable code with its description; a project's coded selections become the code's examples.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from topics.errors import InputError
from topics.read.refiqda import read_qda

NONE_CODE = "none of these"
"""The implicit code of a remark that no code of the codebook claims."""
QDA_PARENT_PREFIX = "Codebook: "
"""Name of the parent code under which a REFI-QDA project carries a codebook's codes (``Codebook: <name>``)."""
MAX_CODEBOOK_BYTES = 1 << 20
"""Largest TOML, YAML or CSV codebook read (1 MiB; a codebook of 50 codes with examples is a few kilobytes)."""
MAX_QDA_BYTES = 64 << 20
"""Largest REFI-QDA codebook or project read as a codebook (the parser's own caps apply inside)."""
MAX_CODES = 500
"""The most codes a codebook may hold."""
MAX_NAME_CHARS = 200
"""The longest code name."""
MAX_TEXT_CHARS = 5_000
"""The longest description or example."""
MAX_EXAMPLES = 200
"""The most examples per code (a REFI-QDA project's further selections are left out)."""
EXAMPLE_SEPARATOR = "|"
"""Separates the examples in the ``examples`` column of a CSV codebook."""
_CODE_KEYS = {"name", "description", "examples"}
_TOP_KEYS = {"name", "codes"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Code:
    """One code of a codebook.

    Attributes
    ----------
    name : str
        What the code is called (unique in its codebook, any case).
    description : str
        What the code means, in the words of the codebook (embedded for zero-shot coding).
    examples : tuple of str
        Example remarks that carry the code.
    """

    name: str
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass
class Codebook:
    """Codes with descriptions and examples, plus the implicit :data:`NONE_CODE`.

    Parameters
    ----------
    codes : list of Code
    name : str, optional
        The codebook's title.
    path : Path, optional
        The file it was read from.

    Examples
    --------
    >>> book = Codebook.from_records([{"name": "question", "description": "asks"},
    ...                               {"name": "reflection", "description": "mirrors"}])
    >>> book.names
    ['question', 'reflection']
    """

    codes: list[Code]
    name: str = ""
    path: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        check_codes(self.codes, self.path)

    @property
    def names(self) -> list[str]:
        """The code names, in codebook order (without :data:`NONE_CODE`)."""
        return [c.name for c in self.codes]

    @property
    def labels(self) -> list[str]:
        """Every label a remark may get: the code names and :data:`NONE_CODE`."""
        return [*self.names, NONE_CODE]

    def table(self) -> pd.DataFrame:
        """The codebook as a table: ``code``, ``description``, ``n_examples``, ``examples`` (joined by ``|``)."""
        return pd.DataFrame(
            {
                "code": self.names,
                "description": [c.description for c in self.codes],
                "n_examples": [len(c.examples) for c in self.codes],
                "examples": [f" {EXAMPLE_SEPARATOR} ".join(c.examples) for c in self.codes],
            }
        )

    def prompts(self) -> pd.DataFrame:
        """The texts that stand for each code: its description and each example, one row each.

        Returns
        -------
        pandas.DataFrame
            ``code``, ``kind`` (``description`` / ``example``), ``text``.
        """
        rows = []
        for c in self.codes:
            if c.description:
                rows.append({"code": c.name, "kind": "description", "text": c.description})
            rows.extend({"code": c.name, "kind": "example", "text": e} for e in c.examples)
        return pd.DataFrame(rows, columns=["code", "kind", "text"])

    def to_yaml(self) -> str:
        """The codebook as YAML text that :meth:`load` reads back to an equal codebook (same fingerprint).

        Returns
        -------
        str
        """
        data = {
            "name": self.name,
            "codes": [
                {"name": c.name, "description": c.description, **({"examples": list(c.examples)} if c.examples else {})}
                for c in self.codes
            ],
        }
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)

    def fingerprint(self) -> str:
        """SHA-256 (16 hex digits) of the codes, descriptions and examples: changes when any of them does."""
        data = [[c.name, c.description, list(c.examples)] for c in self.codes]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]

    @classmethod
    def from_records(cls, records: list[dict[str, Any]], *, name: str = "", path: Path | None = None) -> Codebook:
        """A codebook from dicts with ``name``, ``description`` and optional ``examples`` (list of str).

        Raises
        ------
        InputError
            An unknown key, a missing or mistyped value, or a name used twice.
        """
        return cls([_code(r, i + 1, path, None) for i, r in enumerate(records)], name=name, path=path)

    @classmethod
    def load(cls, path: str | Path) -> Codebook:
        """Read a codebook file (TOML, YAML, CSV, REFI-QDA ``.qdc`` / ``.qdpx``; chosen by suffix).

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Codebook

        Raises
        ------
        InputError
            Missing, too large, not UTF-8, not parseable, or not a codebook; one line naming the file, the line
            and the key or column where they are known.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError("no such codebook file", path=path)
        suffix = path.suffix.lower()
        if suffix in (".qdc", ".qdpx"):
            return _load_qda(path)
        readers = {".toml": _load_toml, ".yaml": _load_yaml, ".yml": _load_yaml, ".csv": _load_csv}
        if suffix not in readers:
            raise InputError("unknown codebook format: use .toml, .yaml, .csv, .qdc or .qdpx", path=path)
        return readers[suffix](path, _read_text(path))


def check_codes(codes: list[Code], path: Path | None = None) -> None:
    """Raise :class:`InputError` unless ``codes`` is a usable codebook (1 to :data:`MAX_CODES` distinct codes)."""
    if not codes:
        raise InputError("the codebook holds no codes", path=path)
    if len(codes) > MAX_CODES:
        raise InputError(f"the codebook holds {len(codes):,} codes, more than {MAX_CODES}; refused", path=path)
    seen: set[str] = set()
    for c in codes:
        key = c.name.casefold()
        if key == NONE_CODE:
            raise InputError(f"'{NONE_CODE}' is implicit in every codebook; do not list it", path=path)
        if key in seen:
            raise InputError(f"the code name {c.name!r} is used twice (names are compared in any case)", path=path)
        seen.add(key)


def _read_text(path: Path) -> str:
    with open(path, "rb") as fh:
        data = fh.read(MAX_CODEBOOK_BYTES + 1)
    if len(data) > MAX_CODEBOOK_BYTES:
        raise InputError(f"the codebook is larger than {MAX_CODEBOOK_BYTES:,} bytes; refused", path=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise InputError("the codebook is not UTF-8 text", path=path, line=line) from None


def _text_value(value: Any, key: str, bad: Any, *, required: bool) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise bad(f"'{key}' must be text, got {type(value).__name__}", key)
    text = " ".join(value.split())
    if required and not text:
        raise bad(f"'{key}' is empty", key)
    limit = MAX_NAME_CHARS if key == "name" else MAX_TEXT_CHARS
    if len(text) > limit:
        raise bad(f"'{key}' is longer than {limit:,} characters", key)
    return text


def _code(item: Any, number: int, path: Path | None, line: int | None, *, examples_cap: bool = False) -> Code:
    def bad(message: str, key: str | None = None) -> InputError:
        return InputError(f"code {number}: {message}", path=path, line=line, column=key)

    if not isinstance(item, dict):
        raise bad("each code must be a table / mapping with 'name' and 'description'")
    unknown = sorted(str(k) for k in set(item) - _CODE_KEYS)
    if unknown:
        raise bad(f"unknown key(s) {unknown}; allowed: {sorted(_CODE_KEYS)}", unknown[0])
    name = _text_value(item.get("name"), "name", bad, required=True)
    description = _text_value(item.get("description"), "description", bad, required=False)
    raw = item.get("examples") or []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise bad("'examples' must be a list of text", "examples")
    if len(raw) > MAX_EXAMPLES and not examples_cap:
        raise bad(f"more than {MAX_EXAMPLES} examples", "examples")
    examples = tuple(t for t in (_text_value(e, "examples", bad, required=False) for e in raw[:MAX_EXAMPLES]) if t)
    if not description and not examples:
        raise bad("a code needs a description or at least one example", "description")
    return Code(name=name, description=description, examples=examples)


def _top(data: Any, path: Path, line_of: Any) -> tuple[str, list[Any]]:
    if isinstance(data, list):
        return "", data
    if not isinstance(data, dict) or "codes" not in data:
        raise InputError("a codebook is a mapping with a 'codes' list (and an optional 'name')", path=path, line=1)
    unknown = sorted(str(k) for k in set(data) - _TOP_KEYS)
    if unknown:
        raise InputError(
            f"unknown top-level key(s) {unknown}; allowed: {sorted(_TOP_KEYS)}",
            path=path,
            line=line_of(unknown[0]),
            column=unknown[0],
        )
    title = data.get("name", "")
    if not isinstance(title, str):
        raise InputError("'name' must be text", path=path, line=line_of("name"), column="name")
    if not isinstance(data["codes"], list):
        raise InputError("'codes' must be a list of codes", path=path, line=line_of("codes"), column="codes")
    return " ".join(title.split()), data["codes"]


def _load_toml(path: Path, text: str) -> Codebook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
        line = getattr(err, "lineno", None) or (int(found.group(1)) if found else None)
        column = getattr(err, "colno", None) or (int(found.group(2)) if found else None)
        msg = getattr(err, "msg", None) or (msg[: found.start()] if found else msg)
        raise InputError(f"invalid TOML: {msg}", path=path, line=line, column=str(column) if column else None) from None
    except (ValueError, RecursionError) as err:
        raise InputError(f"invalid TOML: {err}", path=path) from None
    lines = text.splitlines()
    headers = [i + 1 for i, ln in enumerate(lines) if re.match(r"\s*\[\[\s*codes\s*\]\]", ln)]

    def line_of(key: str) -> int | None:
        return next((i + 1 for i, ln in enumerate(lines) if re.match(rf"\s*{re.escape(key)}\s*=", ln)), None)

    title, items = _top(data, path, line_of)
    codes = [
        _code(item, i + 1, path, headers[i] if i < len(headers) else line_of("codes")) for i, item in enumerate(items)
    ]
    return Codebook(codes, name=title, path=path)


def _load_yaml(path: Path, text: str) -> Codebook:
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
                raise InputError(
                    "YAML anchors and aliases (& and *) are not allowed in a codebook: write each value out",
                    path=path,
                    line=token.start_mark.line + 1,
                    column=str(token.start_mark.column + 1),
                )
        data = yaml.load(text, Loader=_LOADER)
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"not valid YAML: {getattr(err, 'problem', None) or err}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=str(mark.column + 1) if mark else None,
        ) from None
    except RecursionError:
        raise InputError("not valid YAML: nested too deeply", path=path) from None
    if data is None:
        raise InputError("the codebook is empty", path=path)

    def line_of(key: str) -> int | None:
        if isinstance(root, yaml.MappingNode):
            for k, v in root.value:
                if getattr(k, "value", None) == key:
                    return v.start_mark.line + 1
        return None

    title, items = _top(data, path, line_of)
    seq = root if isinstance(root, yaml.SequenceNode) else None
    if isinstance(root, yaml.MappingNode):
        seq = next((v for k, v in root.value if getattr(k, "value", None) == "codes"), None)
    starts = [n.start_mark.line + 1 for n in seq.value] if isinstance(seq, yaml.SequenceNode) else []
    codes = [_code(item, i + 1, path, starts[i] if i < len(starts) else None) for i, item in enumerate(items)]
    return Codebook(codes, name=title, path=path)


def _load_csv(path: Path, text: str) -> Codebook:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if header is None:
            raise InputError("the codebook is empty", path=path)
        header = [h.strip().lower() for h in header]
        missing = [c for c in ("name", "description") if c not in header]
        if missing:
            raise InputError(
                f"a CSV codebook needs the columns name, description (and optionally examples); missing {missing}",
                path=path,
                line=1,
                column=missing[0],
            )
        unknown = [h for h in header if h not in _CODE_KEYS]
        if unknown or len(set(header)) != len(header):
            raise InputError(
                f"unknown or repeated column(s) {unknown or header}; allowed: {sorted(_CODE_KEYS)}",
                path=path,
                line=1,
                column=(unknown or header)[0],
            )
        codes: list[Code] = []
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    raise InputError(f"{len(row)} fields where the header has {len(header)}", path=path, line=start)
                record: dict[str, Any] = dict(zip(header, row, strict=True))
                if "examples" in record:
                    record["examples"] = [
                        e for e in (x.strip() for x in record["examples"].split(EXAMPLE_SEPARATOR)) if e
                    ]
                codes.append(_code(record, len(codes) + 1, path, start))
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"not valid CSV: {err}", path=path, line=reader.line_num) from None
    return Codebook(codes, path=path)


def _load_qda(path: Path) -> Codebook:
    if path.stat().st_size > MAX_QDA_BYTES:
        raise InputError(f"the REFI-QDA file is larger than {MAX_QDA_BYTES >> 20} MiB; refused", path=path)
    qda = read_qda(path)
    codes_table = qda.codes[qda.codes["codable"].astype(str).str.lower() != "false"]
    selections = qda.selections
    codes = []
    for i, row in enumerate(codes_table.to_dict("records")):
        texts = selections.loc[selections["code"] == row["guid"], "text"].astype(str) if len(selections) else []
        examples = list(dict.fromkeys(t.strip() for t in texts if str(t).strip()))[:MAX_EXAMPLES]
        examples = [e for e in examples if len(e) <= MAX_TEXT_CHARS]
        record: dict[str, Any] = {
            "name": str(row["name"]),
            "description": str(row["description"] or ""),
            "examples": examples,
        }
        if not record["description"].strip() and not examples:
            record["description"] = record["name"]  # a QDA code often has a name only: the name stands for it
        codes.append(_code(record, i + 1, path, None, examples_cap=True))
    return Codebook(codes, name=path.stem, path=path)
