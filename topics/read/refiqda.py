"""REFI-QDA files (``.qdc`` codebooks, ``.qdpx`` projects) read into plain tables, safely.

A file edited in NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette comes from outside and is untrusted:

* XML is parsed with ``defusedxml``: a document type declaration (DTD), entity declarations and external
  references are refused, so no "billion laughs" expansion and no file or network access;
* a ``.qdpx`` is a zip: at most :data:`MAX_MEMBERS` members, member names must be relative paths without
  ``..`` (nothing is ever extracted to disk), and ``project.qde`` is read in chunks up to
  :data:`MAX_XML_BYTES`, whatever size the archive claims (zip bombs stop there);
* a ``.qdc`` larger than :data:`MAX_XML_BYTES` is refused before it is read.

:func:`read_qda` returns a :class:`QdaFile`: its codes (with nesting), coded plain-text selections, notes
and users. Turning the differences from an exported run into ledger entries is
:func:`topics.curate.qda_import.qda_entries`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd

from topics.errors import InputError

MAX_XML_BYTES = 256 * 1024 * 1024
"""The largest codebook or ``project.qde`` read (uncompressed)."""
MAX_MEMBERS = 100_000
"""The most members a ``.qdpx`` archive may hold."""
CODE_COLUMNS = ["guid", "name", "parent", "description", "codable", "color", "depth"]
SELECTION_COLUMNS = ["guid", "name", "source", "source_name", "start", "end", "code", "coding_user"]
NOTE_COLUMNS = ["guid", "name", "text", "author", "time", "code"]


@dataclass
class QdaFile:
    """A REFI-QDA codebook or project as tables.

    Attributes
    ----------
    kind : {"codebook", "project"}
    origin : str
        The program that wrote it (``origin`` attribute), e.g. ``Taguette 1.5.2``.
    codes : pandas.DataFrame
        ``guid`` (upper case), ``name``, ``parent`` (GUID of the enclosing code or ""), ``description``,
        ``codable``, ``color``, ``depth`` (0 for top-level codes).
    selections : pandas.DataFrame
        One row per coding of a plain-text selection: ``guid``, ``name``, ``source`` (GUID),
        ``source_name``, ``start``, ``end``, ``code`` (GUID; "" for an uncoded selection), ``coding_user``.
        Empty for a codebook.
    notes : pandas.DataFrame
        One row per note and code it is attached to: ``guid``, ``name``, ``text``, ``author`` (user name),
        ``time``, ``code`` (GUID, "" for a note on no code).
    users : dict
        User GUID -> name.
    path : Path or None
    """

    kind: str
    origin: str = ""
    codes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CODE_COLUMNS))
    selections: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SELECTION_COLUMNS))
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NOTE_COLUMNS))
    users: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any | None:
    found = _children(el, name)
    return found[0] if found else None


def _text(el: Any | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _guid(value: object) -> str:
    return str(value or "").strip().strip("{}").upper()


def parse_xml(data: bytes, path: Path | None = None) -> Any:
    """Parse untrusted XML: DTDs, entities and external references refused; errors as :class:`InputError`."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError(
            "the XML declares a document type (DTD), which a REFI-QDA file never needs; refused", path=path
        ) from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise InputError("the XML declares entities or external references; refused", path=path) from None
    except SafeET.ParseError as err:
        line, column = getattr(err, "position", (None, None))
        raise InputError(
            f"not well-formed XML ({err.msg if hasattr(err, 'msg') else err})", path=path, line=line, column=column
        ) from None


def _read_limited(fh: Any, limit: int, path: Path, what: str) -> bytes:
    chunks, total = [], 0
    while True:
        chunk = fh.read(1 << 20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise InputError(f"{what} is larger than {limit // (1024 * 1024)} MiB uncompressed; refused", path=path)
        chunks.append(chunk)


def _qde_bytes(path: Path) -> bytes:
    if not zipfile.is_zipfile(path):
        raise InputError("not a .qdpx file (a .qdpx is a zip archive holding project.qde)", path=path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise InputError(
                    f"the archive holds {len(infos):,} members (at most {MAX_MEMBERS:,}); refused", path=path
                )
            for info in infos:
                name = info.filename
                parts = PurePosixPath(name.replace("\\", "/")).parts
                if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise InputError(f"the archive has a member outside its folder ({name!r}); refused", path=path)
            qde = [i for i in infos if "/" not in i.filename.strip("/") and i.filename.lower().endswith(".qde")]
            if len(qde) != 1:
                raise InputError(
                    f"a .qdpx holds exactly one project .qde at its top level; found {len(qde)}", path=path
                )
            with zf.open(qde[0]) as fh:
                return _read_limited(fh, MAX_XML_BYTES, path, qde[0].filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError) as err:
        raise InputError(f"cannot read the .qdpx archive ({err})", path=path) from None


def _codes(codes_el: Any | None) -> tuple[list[dict], dict[str, list[str]]]:
    rows: list[dict] = []
    note_refs: dict[str, list[str]] = {}
    if codes_el is None:
        return rows, note_refs

    def walk(el: Any, parent: str, depth: int) -> None:
        for code in _children(el, "Code"):
            g = _guid(code.get("guid"))
            rows.append(
                {
                    "guid": g,
                    "name": str(code.get("name") or "").strip(),
                    "parent": parent,
                    "description": _text(_child(code, "Description")),
                    "codable": str(code.get("isCodable", "true")).strip().lower() in ("true", "1"),
                    "color": str(code.get("color") or ""),
                    "depth": depth,
                }
            )
            note_refs[g] = [_guid(r.get("targetGUID")) for r in _children(code, "NoteRef")]
            walk(code, g, depth + 1)

    walk(codes_el, "", 0)
    return rows, note_refs


def _project(root: Any, path: Path | None) -> QdaFile:
    users = (
        {
            _guid(u.get("guid")): str(u.get("name") or u.get("id") or "")
            for u in _children(_child(root, "Users"), "User")
        }
        if _child(root, "Users") is not None
        else {}
    )
    book = _child(root, "CodeBook")
    rows, note_refs = _codes(_child(book, "Codes") if book is not None else None)
    selections = []
    sources = _child(root, "Sources")
    for src in list(sources) if sources is not None else []:
        if _local(src.tag) != "TextSource":
            continue
        sg, sname = _guid(src.get("guid")), str(src.get("name") or "")
        for sel in _children(src, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                raise InputError(
                    f"selection {sel.get('guid')!r} in source {sname!r} has no whole-number "
                    "startPosition / endPosition",
                    path=path,
                ) from None
            base = {
                "guid": _guid(sel.get("guid")),
                "name": str(sel.get("name") or ""),
                "source": sg,
                "source_name": sname,
                "start": start,
                "end": end,
            }
            codings = _children(sel, "Coding")
            if not codings:
                selections.append({**base, "code": "", "coding_user": ""})
            for coding in codings:
                ref = _child(coding, "CodeRef")
                selections.append(
                    {
                        **base,
                        "code": _guid(ref.get("targetGUID")) if ref is not None else "",
                        "coding_user": users.get(_guid(coding.get("creatingUser")), ""),
                    }
                )
    notes = []
    notes_el = _child(root, "Notes")
    targets: dict[str, list[str]] = {}
    for code_guid, refs in note_refs.items():
        for r in refs:
            targets.setdefault(r, []).append(code_guid)
    for note in _children(notes_el, "Note") if notes_el is not None else []:
        g = _guid(note.get("guid"))
        base = {
            "guid": g,
            "name": str(note.get("name") or ""),
            "text": _text(_child(note, "PlainTextContent")),
            "author": users.get(_guid(note.get("creatingUser")), ""),
            "time": str(note.get("creationDateTime") or ""),
        }
        for code_guid in targets.get(g, [""]):
            notes.append({**base, "code": code_guid})
    return QdaFile(
        kind="project",
        origin=str(root.get("origin") or ""),
        codes=pd.DataFrame(rows, columns=CODE_COLUMNS),
        selections=pd.DataFrame(selections, columns=SELECTION_COLUMNS),
        notes=pd.DataFrame(notes, columns=NOTE_COLUMNS),
        users=users,
        path=path,
    )


def read_qda(path: str | Path) -> QdaFile:
    """Read a REFI-QDA codebook (``.qdc``) or project (``.qdpx``, or a bare ``.qde``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    QdaFile

    Raises
    ------
    InputError
        Missing file, unknown suffix, too large, a zip with members outside its folder or too many members,
        not well-formed XML, a DTD or entities, a root that is not ``CodeBook`` / ``Project``, a selection
        without whole-number positions, a code without a GUID, or a GUID used by two codes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        data = _qde_bytes(path)
    elif suffix in (".qdc", ".qde", ".xml"):
        if path.stat().st_size > MAX_XML_BYTES:
            raise InputError(f"larger than {MAX_XML_BYTES // (1024 * 1024)} MiB; refused", path=path)
        data = path.read_bytes()
    else:
        raise InputError(f"unknown REFI-QDA file type {suffix!r} (expected .qdc or .qdpx)", path=path)
    root = parse_xml(data, path)
    name = _local(root.tag)
    if name == "CodeBook":
        rows, _ = _codes(_child(root, "Codes"))
        result = QdaFile(
            kind="codebook",
            origin=str(root.get("origin") or ""),
            codes=pd.DataFrame(rows, columns=CODE_COLUMNS),
            path=path,
        )
    elif name == "Project":
        result = _project(root, path)
    else:
        raise InputError(f"the root element is <{name}>, not a REFI-QDA <CodeBook> or <Project>", path=path, line=1)
    codes = result.codes
    if (codes["guid"] == "").any():
        bad = codes.loc[codes["guid"] == "", "name"].iloc[0]
        raise InputError(f"code {bad!r} has no guid", path=path)
    dup = codes["guid"][codes["guid"].duplicated()]
    if len(dup):
        raise InputError(f"two codes share the guid {dup.iloc[0]}", path=path)
    return result
