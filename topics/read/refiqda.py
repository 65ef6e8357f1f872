"""REFI-QDA files (``.qdc`` codebooks, ``.qdpx`` projects) read into plain tables, safely.

A file edited in NVivo, ATLAS.ti, MAXQDA, QualCoder or Taguette comes from outside and is untrusted:

* XML is parsed while it streams in (expat, one chunk at a time): a document type declaration (DTD), entity
  declarations and external references are refused, so no "billion laughs" expansion and no file or network
  access; more than :data:`MAX_ELEMENTS` elements, elements packed denser than :data:`MIN_ELEMENT_BYTES`,
  nesting deeper than :data:`MAX_DEPTH` or more than :data:`MAX_XML_BYTES` are refused as soon as they are
  reached (a 100 KB archive that inflates to 100 MiB of ``<a/>`` stops within a fraction of a second);
* a ``.qdpx`` is a zip: at most :data:`MAX_MEMBERS` members, member names must be relative paths without
  ``..`` (nothing is ever extracted to disk), and ``project.qde`` is read in chunks up to
  :data:`MAX_XML_BYTES`, whatever size the archive claims (zip bombs stop there); a damaged archive or
  deflate stream, an unknown encoding and the like are one line naming the file;
* a ``.qdc`` larger than :data:`MAX_XML_BYTES` is refused before it is read;
* names longer than :data:`MAX_NAME_CHARS` and descriptions or notes longer than :data:`MAX_TEXT_CHARS`
  are refused (they would end up in the ledger).

:func:`read_qda` returns a :class:`QdaFile`: its codes (with nesting), coded plain-text selections (with the
text they select, when the file holds its sources' text), notes and users. GUIDs are compared in lower case
(a program may write them in either). Turning the differences from an exported run into ledger entries is
:func:`topics.curate.qda_import.qda_entries`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.parsers import expat

import pandas as pd

from topics.errors import InputError

MAX_XML_BYTES = 256 * 1024 * 1024
"""The largest codebook or ``project.qde`` read (uncompressed)."""
MAX_MEMBERS = 100_000
"""The most members a ``.qdpx`` archive may hold."""
MAX_ELEMENTS = 5_000_000
"""The most XML elements a codebook or ``project.qde`` may hold. The export writes three per coded remark
(``PlainTextSelection``, ``Coding``, ``CodeRef``), so a project of a million remarks is about 3.1 million;
other programs add a few per selection."""
MIN_ELEMENT_BYTES = 16
"""Past the first :data:`DENSITY_FROM` elements, a document must average at least this many bytes per element.
A REFI-QDA element carries a GUID (the smallest, ``<CodeRef targetGUID="..."/>``, is about 60 bytes); a
document of bare ``<a/>`` (4 bytes each) is a bomb and is refused long before :data:`MAX_ELEMENTS`."""
DENSITY_FROM = 100_000
"""How many elements are read before :data:`MIN_ELEMENT_BYTES` is checked (every 65,536 elements)."""
MAX_DEPTH = 100
"""The deepest element nesting read: the schema nests about six levels plus one per level of codes."""
MAX_NAME_CHARS = 1_000
"""The longest name of a code, user, source or note read."""
MAX_TEXT_CHARS = 100_000
"""The longest code description, note text or selection name (QualCoder names a selection by its text) read."""
CHUNK = 1 << 20
CODE_COLUMNS = ["guid", "name", "parent", "description", "codable", "color", "depth"]
SELECTION_COLUMNS = ["guid", "name", "source", "source_name", "start", "end", "text", "code", "coding_user"]
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
        ``guid`` (lower case), ``name``, ``parent`` (GUID of the enclosing code or ""), ``description``,
        ``codable``, ``color``, ``depth`` (0 for top-level codes).
    selections : pandas.DataFrame
        One row per coding of a plain-text selection: ``guid``, ``name``, ``source`` (GUID),
        ``source_name``, ``start``, ``end``, ``text`` (``source_text[start:end]``; "" when the file holds
        no text for the source), ``code`` (GUID; "" for an uncoded selection), ``coding_user``.
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
    return str(value or "").strip().strip("{}").lower()


def _refuse(what: str, path: Path | None) -> Any:
    def handler(*args: Any) -> None:
        raise InputError(f"the XML {what}, which a REFI-QDA file never needs; refused", path=path)

    return handler


def parse_xml(chunks: bytes | Iterable[bytes], path: Path | None = None) -> Any:
    """Parse untrusted XML as it streams in, within :data:`MAX_XML_BYTES`, :data:`MAX_ELEMENTS` and
    :data:`MAX_DEPTH`.

    Parameters
    ----------
    chunks : bytes or iterable of bytes
        The document, whole or in pieces (read lazily: a refusal stops reading).
    path : Path, optional
        Named in errors.

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element (tags and namespaced attributes as ``{namespace}name``).

    Raises
    ------
    InputError
        Not well-formed, an unknown encoding, a DTD, entities or external references, or beyond a limit;
        one line naming the file.
    """
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse("declares a document type (DTD)", path)
    parser.EntityDeclHandler = _refuse("declares entities", path)
    parser.UnparsedEntityDeclHandler = _refuse("declares entities", path)
    parser.NotationDeclHandler = _refuse("declares notations", path)
    parser.ExternalEntityRefHandler = _refuse("refers to an external entity", path)
    count = depth = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count, depth
        count += 1
        depth += 1
        if depth > MAX_DEPTH:
            raise InputError(f"the XML nests elements more than {MAX_DEPTH} deep; refused", path=path)
        if not count & 0xFFFF and (
            count > MAX_ELEMENTS or (count > DENSITY_FROM and count * MIN_ELEMENT_BYTES > parser.CurrentByteIndex)
        ):
            raise InputError(
                f"the XML holds more than {min(count, MAX_ELEMENTS):,} elements"
                + ("" if count > MAX_ELEMENTS else f" in {parser.CurrentByteIndex:,} bytes (not a REFI-QDA file)")
                + "; refused",
                path=path,
            )
        if any("}" in k for k in attrs):
            attrs = {("{" + k if "}" in k else k): v for k, v in attrs.items()}
        builder.start("{" + name if "}" in name else name, attrs)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end("{" + name if "}" in name else name)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    total = 0
    try:
        for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
            total += len(chunk)
            if total > MAX_XML_BYTES:
                raise InputError(f"larger than {MAX_XML_BYTES // (1024 * 1024)} MiB uncompressed; refused", path=path)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        root = builder.close()
    except InputError:
        raise
    except expat.ExpatError as err:
        message = expat.errors.messages.get(err.code, str(err)) if err.code else str(err)
        raise InputError(f"not well-formed XML ({message})", path=path, line=err.lineno, column=err.offset) from None
    except (LookupError, ValueError, UnicodeError) as err:
        raise InputError(f"cannot decode the XML ({err})", path=path) from None
    if count > MAX_ELEMENTS:
        raise InputError(f"the XML holds more than {MAX_ELEMENTS:,} elements; refused", path=path)
    return root


def _chunks(fh: IO[bytes], path: Path) -> Iterator[bytes]:
    """Read a stream in :data:`CHUNK` pieces; a damaged deflate stream is one line naming the file."""
    while True:
        try:
            chunk = fh.read(CHUNK)
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError) as err:
            raise InputError(f"cannot read the archive ({err})", path=path) from None
        if not chunk:
            return
        yield chunk


def _read_limited(fh: Any, limit: int, path: Path, what: str) -> bytes:
    chunks, total = [], 0
    for chunk in _chunks(fh, path):
        total += len(chunk)
        if total > limit:
            raise InputError(f"{what} is larger than {limit // (1024 * 1024)} MiB uncompressed; refused", path=path)
        chunks.append(chunk)
    return b"".join(chunks)


def _qde_root(path: Path) -> tuple[Any, dict[str, str]]:
    """The parsed project document of a ``.qdpx`` and the text of its sources (member name -> text)."""
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
                root = parse_xml(_chunks(fh, path), path)
            texts: dict[str, str] = {}
            budget = MAX_XML_BYTES
            for info in infos:
                if info.filename.lower().startswith("sources/") and info.filename.lower().endswith(".txt"):
                    with zf.open(info) as fh:
                        raw = _read_limited(fh, budget, path, "the text of the sources")
                    budget -= len(raw)
                    texts[info.filename[len("sources/") :]] = raw.decode("utf-8-sig", errors="replace")
            return root, texts
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, zlib.error) as err:
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


def _source_text(src: Any, texts: dict[str, str]) -> str:
    """A text source's text: inline (``PlainTextContent``) or the archive's ``sources/`` member it names."""
    inline = _child(src, "PlainTextContent")
    if inline is not None:
        return "".join(inline.itertext())
    where = str(src.get("plainTextPath") or "")
    if where.startswith("internal://"):
        return texts.get(where[len("internal://") :], "")
    return ""


def _project(root: Any, path: Path | None, texts: dict[str, str] | None = None) -> QdaFile:
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
        body = _source_text(src, texts or {})
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
                "text": body[start:end] if 0 <= start <= end <= len(body) else "",
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


def _check_lengths(qda: QdaFile, path: Path) -> None:
    """Refuse names longer than :data:`MAX_NAME_CHARS` and texts longer than :data:`MAX_TEXT_CHARS`."""
    checks = [
        (qda.codes, "name", MAX_NAME_CHARS, "a code name"),
        (qda.codes, "description", MAX_TEXT_CHARS, "a code description"),
        (qda.selections, "name", MAX_TEXT_CHARS, "a selection name"),  # programs name selections by their text
        (qda.selections, "source_name", MAX_NAME_CHARS, "a source name"),
        (qda.notes, "name", MAX_NAME_CHARS, "a note name"),
        (qda.notes, "text", MAX_TEXT_CHARS, "a note"),
        (pd.DataFrame({"name": list(qda.users.values())}, dtype=object), "name", MAX_NAME_CHARS, "a user name"),
    ]
    for table, column, limit, what in checks:
        if not len(table):
            continue
        lengths = table[column].astype(str).str.len()
        if lengths.max() > limit:
            value = str(table[column].iloc[int(lengths.to_numpy().argmax())])
            raise InputError(
                f"{what} has {len(value):,} characters (at most {limit:,}): {value[:40]!r}...; refused", path=path
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
        a damaged archive, not well-formed XML or an unknown encoding, a DTD or entities, too many elements or
        too deep a nesting, a root that is not ``CodeBook`` / ``Project``, a selection without whole-number
        positions, a name or text beyond :data:`MAX_NAME_CHARS` / :data:`MAX_TEXT_CHARS`, a code without a
        GUID, or a GUID used by two codes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    suffix = path.suffix.lower()
    texts: dict[str, str] = {}
    if suffix == ".qdpx":
        root, texts = _qde_root(path)
    elif suffix in (".qdc", ".qde", ".xml"):
        if path.stat().st_size > MAX_XML_BYTES:
            raise InputError(f"larger than {MAX_XML_BYTES // (1024 * 1024)} MiB; refused", path=path)
        try:
            with path.open("rb") as fh:
                root = parse_xml(_chunks(fh, path), path)
        except OSError as err:
            raise InputError(f"cannot read the file ({err.strerror or err})", path=path) from None
    else:
        raise InputError(f"unknown REFI-QDA file type {suffix!r} (expected .qdc or .qdpx)", path=path)
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
        result = _project(root, path, texts)
    else:
        raise InputError(f"the root element is <{name}>, not a REFI-QDA <CodeBook> or <Project>", path=path, line=1)
    _check_lengths(result, path)
    codes = result.codes
    if (codes["guid"] == "").any():
        bad = codes.loc[codes["guid"] == "", "name"].iloc[0]
        raise InputError(f"code {bad!r} has no guid", path=path)
    dup = codes["guid"][codes["guid"].duplicated()]
    if len(dup):
        raise InputError(f"two codes share the guid {dup.iloc[0]}", path=path)
    return result
