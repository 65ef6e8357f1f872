"""A codebook's codes in REFI-QDA, with their codings, and an expert's recoding in a QDA program back as labels.

``topics code RUN`` codes every remark (``RUN/codes/coded.csv``, the codebook as ``RUN/codes/codebook.yaml``).

* **Out**: :func:`add_codes` puts the codes into a project of the run (:func:`topics.reporting.refiqda.write_qdpx`
  with ``codes=``), next to the topics: a parent code ``Codebook: <name>`` (not codable) with one child per code
  (the codebook's description as the code's description) and, on each remark's selection, a coding with its code
  besides the one with its topic; remarks coded :data:`~topics.coding.NONE_CODE` carry no code of the codebook.
  :func:`write_codes_qdc` writes the codebook alone as a REFI-QDA codebook (``.qdc``). GUIDs are UUID 5 of the
  codebook's fingerprint, the code's name and the remark, so a re-export is the same file. The parent's
  description records the coding exported (``Coded state: N remarks, digest D``).
* **Back**: the expert moves a remark's coding from one code to another, adds one to a remark that had none,
  or removes one, in NVivo, ATLAS.ti, MAXQDA or QualCoder, and exports the project. :func:`import_code_edits`
  reads it with the hardened reader (:func:`topics.read.refiqda.read_qda`: no DTD or entities, size, depth and
  element caps), finds each selection's remark as the topic import does (GUID, name, else session, span and
  text: :func:`topics.curate.qda_match.selection_remarks`), compares the codebook codes each remark carries with
  the exported coding, and turns exactly the differences into labels (:class:`topics.coding.LabelFile`, appended
  with the author and the time): a remark moved to code B gets the label B, a remark whose coding was removed
  gets :data:`~topics.coding.NONE_CODE`. A remark carrying two codes of the codebook is listed, not labelled
  (one code per remark); a code that is not in the codebook is listed too, and so is a code of the codebook
  missing from the file (deleted or renamed there: a change of the codebook, not a recoding), whose remarks are
  not labelled. A file exported from another
  coding of the run (the state line differs) is refused: its differences would not be the expert's edits.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from topics._files import CSV_FORMULA_PREFIXES, atomic_write
from topics.analysis import Analysis
from topics.coding import NONE_CODE, Codebook, LabelFile, latest
from topics.coding.codebook import QDA_PARENT_PREFIX
from topics.coding.labels import now
from topics.coding.tables import codes_stale_reason, run_model_fingerprint
from topics.curate.qda_codes import QdaCode, guid, user_guid
from topics.curate.qda_match import normalised, selection_remarks
from topics.errors import InputError
from topics.read.refiqda import QdaFile, read_qda
from topics.reporting.refiqda import CODEBOOK_NS, PROJECT_NS, TOOL_USER, _codebook_xml, _to_bytes, _view

CODES_DIR = "codes"
"""The folder ``topics code`` writes in a run."""
MAX_CODED_BYTES = 2 << 30
"""Largest ``coded.csv`` read (2 GiB)."""
CODE_COLOR = "#1F77B4"
STATE_PREFIX = "Coded state: "
"""Starts the line of the parent code's description that records the coding exported."""


@dataclass
class QdaCodes:
    """A run's codes: the codebook and each remark's code (what ``topics code`` wrote).

    Attributes
    ----------
    codebook : Codebook
    coded : pandas.DataFrame
        ``utterance_id``, ``code`` (a code of the codebook or :data:`~topics.coding.NONE_CODE`).
    coder : str
        The coder's fingerprint ("" when unknown).
    """

    codebook: Codebook
    coded: pd.DataFrame
    coder: str = ""

    def add_to(self, root: ET.Element) -> int:
        """:func:`add_codes` (what :func:`topics.reporting.refiqda.write_qdpx` calls with ``codes=``)."""
        return add_codes(root, self)

    def state(self) -> str:
        """The state line of an export: remarks and a digest of every (remark, code) pair."""
        pairs = sorted(zip(self.coded["utterance_id"].astype(str), self.coded["code"].astype(str), strict=True))
        digest = hashlib.sha256("\n".join(f"{u}\x1f{c}" for u, c in pairs).encode("utf-8")).hexdigest()[:16]
        return f"{STATE_PREFIX}{len(pairs)} remarks, digest {digest}"


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(CSV_FORMULA_PREFIXES) else value


def read_run_codes(run: str | Path) -> QdaCodes:
    """Read ``RUN/codes/codebook.yaml`` and ``RUN/codes/coded.csv`` (as ``topics code`` wrote them).

    Parameters
    ----------
    run : str or Path

    Returns
    -------
    QdaCodes

    Raises
    ------
    InputError
        The run has no codes, codes of an earlier fit of the run (coded before it was fitted again), or they do
        not read (too large, columns missing, a code not in the codebook).
    """
    folder = Path(run) / CODES_DIR
    table, book_path = folder / "coded.csv", folder / "codebook.yaml"
    if not table.is_file() or not book_path.is_file():
        raise InputError("the run has no codes: run `topics code RUN --codebook FILE` first", path=folder)
    fingerprint = run_model_fingerprint(run)  # codes of an earlier fit of the run are never exported
    stale = codes_stale_reason(folder, fingerprint) if fingerprint is not None else None
    if stale is not None:
        raise InputError(stale)
    book = Codebook.load(book_path)
    if table.stat().st_size > MAX_CODED_BYTES:
        raise InputError(f"coded.csv is larger than {MAX_CODED_BYTES >> 30} GiB; refused", path=table)
    try:
        coded = pd.read_csv(table, dtype=str, keep_default_na=False, usecols=["utterance_id", "code"])
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(f"coded.csv does not read: {str(err).splitlines()[0]}", path=table) from None
    coded = coded.map(_unguard)
    unknown = sorted(set(coded["code"]) - set(book.labels))
    if unknown:
        raise InputError(f"coded.csv uses code(s) not in codebook.yaml: {unknown[:5]}", path=table, column="code")
    if coded["utterance_id"].duplicated().any():
        raise InputError("coded.csv lists a remark twice", path=table, column="utterance_id")
    coder = ""
    if (folder / "coder.json").is_file():
        from topics._files import read_json_checked

        info = read_json_checked(folder / "coder.json")
        coder = str(info.get("fingerprint", "")) if isinstance(info, dict) else ""
    return QdaCodes(codebook=book, coded=coded, coder=coder)


def parent_guid(book: Codebook) -> str:
    """The GUID of the codebook's parent code."""
    return guid("codebook", book.fingerprint())


def code_guid(book: Codebook, name: str) -> str:
    """The GUID of a code of the codebook."""
    return guid("codebook-code", book.fingerprint(), name)


def _codes(codes: QdaCodes) -> QdaCode:
    book = codes.codebook
    title = book.name or (book.path.stem if book.path else "codebook")
    counts = codes.coded["code"].value_counts()
    children = [
        QdaCode(guid=code_guid(book, c.name), name=c.name, kind="code", description=c.description, color=CODE_COLOR)
        for c in book.codes
    ]
    description = (
        f"Codes of the codebook {title!r} (fingerprint {book.fingerprint()}), applied to every remark by "
        f"topics code (coder {codes.coder or 'unknown'}); remarks coded '{NONE_CODE}' carry none of them "
        f"({int(counts.get(NONE_CODE, 0)):,}). Recode remarks here and bring the changes back as labels "
        f"with `topics code-import`.\n{codes.state()}"
    )
    return QdaCode(
        guid=parent_guid(book),
        name=QDA_PARENT_PREFIX + title,
        kind="codebook",
        description=description,
        color=CODE_COLOR,
        codable=False,
        children=children,
    )


def add_codes(root: ET.Element, codes: QdaCodes) -> int:
    """Add the codebook's codes and each remark's coding to a project document of the run.

    Parameters
    ----------
    root : xml.etree.ElementTree.Element
        The ``Project`` element (:func:`topics.reporting.refiqda.project_parts` builds it).
    codes : QdaCodes

    Returns
    -------
    int
        Remarks coded with a code of the codebook.
    """
    ns = PROJECT_NS
    codes_el = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    if codes_el is None:
        raise InputError("the project has no codebook to add the codes to")
    holder = ET.Element("holder")
    _codebook_xml(holder, ns, [_codes(codes)], notes=False)
    built = holder.find(f"{{{ns}}}Codes")
    codes_el.extend(list(built) if built is not None else [])
    book = codes.codebook
    code_of = dict(zip(codes.coded["utterance_id"].astype(str), codes.coded["code"].astype(str), strict=True))
    uid_of = {guid("selection", uid): uid for uid in code_of}
    tool = user_guid(TOOL_USER)
    n = 0
    for sel in root.iter(f"{{{ns}}}PlainTextSelection"):
        uid = uid_of.get(str(sel.get("guid")))
        if uid is None or code_of[uid] == NONE_CODE:
            continue
        coding = ET.Element(f"{{{ns}}}Coding", {"guid": guid("codebook-coding", uid), "creatingUser": tool})
        ET.SubElement(coding, f"{{{ns}}}CodeRef", {"targetGUID": code_guid(book, code_of[uid])})
        after = [i for i, child in enumerate(sel) if child.tag in (f"{{{ns}}}Description", f"{{{ns}}}Coding")]
        sel.insert(after[-1] + 1 if after else 0, coding)
        n += 1
    return n


def codes_qdc_bytes(codes: QdaCodes) -> bytes:
    """The ``.qdc`` document of the codebook's codes (see :func:`write_codes_qdc`)."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": "topics code"})
    _codebook_xml(root, CODEBOOK_NS, [_codes(codes)], notes=False)
    return _to_bytes(root, CODEBOOK_NS)


def write_codes_qdc(codes: QdaCodes, path: str | Path) -> Path:
    """Write the codebook as a REFI-QDA codebook (``.qdc``): the parent code and one code per code.

    Parameters
    ----------
    codes : QdaCodes
        :func:`read_run_codes` of a run.
    path : str or Path
        Written atomically.

    Returns
    -------
    Path
    """
    data = codes_qdc_bytes(codes)
    return atomic_write(Path(path), lambda fh: fh.write(data))


@dataclass
class CodeImport:
    """The labels a recoded REFI-QDA project gives, and what could not become one.

    Attributes
    ----------
    labels : pandas.DataFrame
        ``utterance_id``, ``code`` (the new label), ``was`` (the exported code), ``author``, ``time``,
        ``rationale``: one row per edit.
    skipped : list of str
        Edits that cannot become labels (two codes on a remark, codes not in the codebook).
    notices : list of str
        What the reader should know (selections that are no remarks, edits the label file holds already).
    path : Path or None
    origin : str
    """

    labels: pd.DataFrame
    skipped: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    path: Path | None = None
    origin: str = ""

    def diff(self) -> str:
        """The edits as text: one ``+`` line per label, ``!`` per skipped edit, ``*`` per notice."""
        name = self.path.name if self.path else "file"
        lines = [f"{name} ({self.origin or 'unknown program'}): {len(self.labels)} labels proposed"]
        lines += [f"* {n}" for n in self.notices]
        lines += [f"+ {r.utterance_id}: {r.was} -> {r.code}" for r in self.labels.itertuples()]
        lines += [f"! {s}" for s in self.skipped]
        if not len(self.labels) and not self.skipped:
            lines.append("  (no differences)")
        return "\n".join(lines)


def _codebook_codes(qda: QdaFile, book: Codebook) -> tuple[dict[str, str], dict[str, str], str]:
    """Imported code GUID -> code name for the codebook's codes in the file, and for the codes under the parent
    that are no codes of the codebook; the parent code's description."""
    codes = qda.codes
    title = QDA_PARENT_PREFIX + (book.name or (book.path.stem if book.path else "codebook"))
    parent = codes[codes["guid"] == parent_guid(book)]
    if parent.empty:
        parent = codes[(codes["depth"] == 0) & (codes["name"].astype(str).map(normalised) == normalised(title))]
    if parent.empty:
        raise InputError(
            f"the file has no code {title!r}: export the run with its codes (`topics code-export`)", path=qda.path
        )
    parent_id = str(parent["guid"].iloc[0])
    by_guid = {code_guid(book, n): n for n in book.names}
    by_name = {normalised(n): n for n in book.names}
    found: dict[str, str] = {}
    strange: dict[str, str] = {}
    under = {parent_id}
    while True:  # every code under the parent, however deep
        grown = under | set(codes.loc[codes["parent"].isin(under), "guid"])
        if grown == under:
            break
        under = grown
    for row in codes[codes["guid"].isin(under - {parent_id})].itertuples():
        name = by_guid.get(str(row.guid)) or by_name.get(normalised(str(row.name)))
        if name is None or name in found.values() or row.parent != parent_id:
            strange[str(row.guid)] = str(row.name)
        else:
            found[str(row.guid)] = name
    return found, strange, str(parent["description"].iloc[0])


def import_code_edits(
    path: str | Path | QdaFile,
    analysis: Analysis,
    codes: QdaCodes,
    labels: str | Path,
    *,
    author: str,
    write: bool = True,
) -> CodeImport:
    """Turn the codings an expert changed in a REFI-QDA project into labels appended to a label file.

    Parameters
    ----------
    path : str, Path or QdaFile
        The project (``.qdpx``) exported with :func:`add_codes` and edited in a QDA program.
    analysis : Analysis
        The run (:func:`topics.analysis.load_run`, curated as it was exported).
    codes : QdaCodes
        The run's codes (:func:`read_run_codes`): the coding the file was exported with.
    labels : str or Path
        The label file (``.yaml`` or ``.csv``; created when missing; only ever appended to).
    author : str
        Recorded in every label.
    write : bool, default True
        False: propose only.

    Returns
    -------
    CodeImport

    Raises
    ------
    InputError
        Not a project, no codes of this codebook in it, exported from another coding of the run, or no
        selection of it is a remark of the run; the label file is then left as it was.
    """
    qda = path if isinstance(path, QdaFile) else read_qda(path)
    if qda.kind != "project":
        raise InputError("a codebook (.qdc) holds no codings: import the project (.qdpx)", path=qda.path)
    book = codes.codebook
    found, strange, description = _codebook_codes(qda, book)
    result = CodeImport(labels=pd.DataFrame(), path=qda.path, origin=qda.origin)
    state = next((ln.strip() for ln in (description or "").splitlines() if ln.strip().startswith(STATE_PREFIX)), None)
    if state is None:
        result.notices.append("the file does not record the coding it was exported with: compared with the run's")
    elif state != codes.state():
        raise InputError(
            f"the file was exported from another coding of the run ({state}; the run now has "
            f"{codes.state()[len(STATE_PREFIX) :]}): its differences are not only the expert's edits; export the "
            "run again and recode there",
            path=qda.path,
        )
    result.skipped += [
        f"code {n!r} is not a code of the codebook: add it to the codebook first; its remarks are not labelled"
        for n in strange.values()
    ]
    view = _view(analysis)
    remarks = selection_remarks(qda, view)
    exported = dict(zip(codes.coded["utterance_id"].astype(str), codes.coded["code"].astype(str), strict=True))
    carried: dict[str, set[str]] = {}
    unknown: set[str] = set()  # remarks coded with a code under the parent that is not the codebook's
    for code, uid in zip(qda.selections["code"].astype(str), remarks, strict=True):
        if uid is None or uid not in exported:
            continue
        held = carried.setdefault(uid, set())
        if code in found:
            held.add(found[code])
        elif code in strange:
            unknown.add(uid)
    missing = len(set(exported) & set(view.assignments["utterance_id"].astype(str)) - set(carried))
    if not carried:
        raise InputError(
            "none of the file's selections is a remark of this run: exported from another run?", path=qda.path
        )
    if missing:
        result.notices.append(f"{missing:,} remarks have no selection in the file (deleted there): left as they are")
    rows = []
    when = now()
    where = f"{qda.path.name if qda.path else 'a REFI-QDA project'} ({qda.origin or 'QDA software'})"
    order = {uid: i for i, uid in enumerate(exported)}
    gone = set(book.names) - set(found.values())  # a code deleted (or renamed) there: not a recoding
    for uid in sorted(carried, key=order.__getitem__):
        was, held = exported[uid], carried[uid]
        if uid in unknown:
            continue
        if was in gone and not held:
            continue
        if len(held) > 1:
            result.skipped.append(
                f"remark {uid} carries {len(held)} codes of the codebook ({', '.join(sorted(held))}): one code per "
                "remark; remove all but one in the program"
            )
            continue
        new = next(iter(held)) if held else NONE_CODE
        if new != was:
            why = "coding removed" if new == NONE_CODE else ("coding added" if was == NONE_CODE else "recoded")
            rationale = f"{why} in {where}: {was} -> {new}"
            rows.append(
                {"utterance_id": uid, "code": new, "was": was, "author": author, "time": when, "rationale": rationale}
            )
    result.skipped += [
        f"code {c!r} is not in the file (deleted or renamed there): its {n:,} remarks are not labelled; change "
        "the codebook itself to drop or rename a code"
        for c, n in sorted(Counter(c for c in exported.values() if c in gone).items())
    ]
    table = pd.DataFrame(rows, columns=["utterance_id", "code", "was", "author", "time", "rationale"])
    file = LabelFile(labels, book.labels)
    before = latest(file.table()) if Path(labels).exists() else pd.DataFrame(columns=["utterance_id", "code"])
    already = dict(zip(before["utterance_id"], before["code"], strict=True))
    held_already = table["utterance_id"].map(already).eq(table["code"])
    if held_already.any():
        result.notices.append(f"{int(held_already.sum())} of the edits are the latest labels already: not repeated")
    result.labels = table[~held_already].reset_index(drop=True)
    if write and len(result.labels):
        file.append(result.labels.drop(columns=["was"]))
    return result
