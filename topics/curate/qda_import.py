"""Edits made in qualitative-analysis software, brought back as ledger entries.

A run exported with :func:`topics.reporting.refiqda.write_qdpx` or ``write_qdc`` is opened in NVivo,
ATLAS.ti, MAXQDA, QualCoder or Taguette; the expert renames, merges and deletes codes, writes notes and
recodes remarks; the file exported from there (``.qdpx`` or ``.qdc``) is compared with the run's codes
(:func:`topics.curate.qda_codes.code_table`) and the differences become ledger entries:

=============================================  ==============================================================
in the QDA file                                ledger entry
=============================================  ==============================================================
a topic's code renamed                         ``rename``
a topic's code nested under another topic's    ``merge`` into the enclosing topic
every remark of a topic recoded to one other   ``merge`` into that topic (a QDA program's "merge codes")
topic's code
codes deleted, all their remarks recoded to    ``rename`` (one topic) or ``merge`` (several) with the new
one new code                                   code's name
a topic's code deleted                         ``drop`` to the outliers, or to a bucket when all its remarks
                                               were recoded with that bucket's code
a note attached to a topic's code; a line      ``note``
added to its description
some of a topic's remarks recoded              ``note`` (how many, to which code, which remarks): the ledger
                                               moves whole topics, not single remarks
=============================================  ==============================================================

Codes are matched to topics by GUID, and for files from programs that make their own GUIDs (QualCoder,
Taguette) by the description the export wrote (its ``Topic N of the topic model`` and ``Keywords:`` lines,
which a rename keeps), else by name (the topic's current label, any case; a leading apostrophe that a CSV
export put before ``=``, ``+``, ``-`` or ``@`` is ignored). New codes and renamed buckets cannot become
entries; they are listed as skipped. Lines of a description that have the shape of the toolkit's own
(:data:`topics.curate.qda_codes.GENERATED_LINES`: ``Keywords: ...``, sizes, rationales) never become notes,
and neither does a note the ledger already holds.

Selections (remarks) are matched by GUID, name, else source name, span and text, and a file exported from
an older state of the ledger is compared with that state (:mod:`topics.curate.qda_match`); a project none of
whose selections is a remark of the run is refused.

A codebook from a program that names codes only by their name (Taguette's GUIDs are made from the tag's
name) shows a rename only through a `` (topic N)`` suffix that
:func:`topics.reporting.refiqda.write_codebook_csv` puts on every topic's tag: a tag renamed with the
suffix kept is a ``rename``. Without it a renamed code looks like a deleted one plus a new one: the topic
is proposed as a ``drop``, and when the file has new codes the reason says that it may have been renamed to
one of them. Who knows it was a rename says so with ``renamed={old label: new name}``, and the import
proposes the ``rename`` instead.

:func:`import_qda` shows nothing and writes nothing by itself: the CLI prints :meth:`QdaImport.diff` and
asks before it writes.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topics._files import CSV_FORMULA_PREFIXES
from topics.coding.codebook import QDA_PARENT_PREFIX
from topics.curate.curator import ledger_for
from topics.curate.ledger import Entry, Ledger, now
from topics.curate.qda_codes import BUCKET_PREFIX, OUTLIER_CODE, TOPIC_LINE, all_codes, code_table, is_generated_line
from topics.curate.qda_match import base_entries, held, same_text, selection_remarks
from topics.curate.qda_match import normalised as _norm
from topics.curate.replay import apply_ledger
from topics.curate.state import OUTLIER_BUCKET
from topics.curate.view import CuratedView
from topics.errors import InputError
from topics.model import OUTLIER
from topics.read.refiqda import QdaFile, read_qda

_TOPIC_SUFFIX = re.compile(r"(.*?)\s*\(topic (-?\d+)\)", re.DOTALL)
"""A code name ending in `` (topic N)``: the topic it stands for (the CSV codebook for Taguette writes it)."""
_RAW_CODE = re.compile(r"raw topic -?\d+: .*", re.DOTALL)
"""The name of a raw topic's code nested under a merged topic (orientation only, never matched)."""
MAX_LISTED = 10
"""Remark ids listed in a note about partial recoding."""


def _unguard(name: str) -> str:
    """A name without the apostrophe a spreadsheet-safe CSV put before a leading ``=``, ``+``, ``-``, ``@``."""
    return name[1:] if name.startswith("'") and name[1:].startswith(CSV_FORMULA_PREFIXES) else name


@dataclass
class QdaImport:
    """What a REFI-QDA file changes, as ledger entries and a list of what cannot become one.

    Attributes
    ----------
    entries : list of Entry
        Merges, then renames, drops and notes, each with the fingerprints of its topics.
    reasons : list of str
        Why each entry is proposed (same order).
    skipped : list of str
        Differences the ledger cannot express (new codes, renamed buckets, a merge into a dropped topic).
    matched : int
        Topic codes of the run found in the file.
    path : Path or None
    origin : str
        The program that wrote the file.
    notices : list of str
        What the reader should know about the comparison: a file exported from an older or another ledger
        state, changes the ledger holds already, selections that are no remarks of the run.
    selections : tuple of (int, int)
        Selections of the file that are remarks of the run, and all selections (a project; ``(0, 0)`` for a
        codebook).
    """

    entries: list[Entry] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    matched: int = 0
    path: Path | None = None
    origin: str = ""
    notices: list[str] = field(default_factory=list)
    selections: tuple[int, int] = (0, 0)

    def diff(self) -> str:
        """The changes as text: one line per proposed entry (``+``) and per skipped difference (``!``)."""
        head = (
            f"{self.path.name if self.path else 'file'} ({self.origin or 'unknown program'}): "
            f"{self.matched} topic codes matched, {len(self.entries)} ledger entries proposed"
        )
        lines = [head]
        lines += [f"* {n}" for n in self.notices]
        lines += [f"+ {e.describe()}    [{why}]" for e, why in zip(self.entries, self.reasons, strict=True)]
        lines += [f"! {s}" for s in self.skipped]
        if not self.entries and not self.skipped:
            lines.append("  (no differences)")
        return "\n".join(lines)


def _renamed_topics(qda: QdaFile, labels: dict[int, str], renamed: dict[str, str], by_guid: set[int]) -> dict[str, int]:
    """``renamed`` (old label -> new code name) checked against the run and the file: new name -> topic."""
    out: dict[str, int] = {}
    names = [_unguard(str(n)) for n in qda.codes["name"]]
    for old, new in renamed.items():
        topics = [t for t, lab in labels.items() if same_text(old, lab)]
        if not topics:
            raise InputError(f"renamed: {old!r} is not the label of a topic of this run", path=qda.path)
        if topics[0] in by_guid:
            raise InputError(
                f"renamed: the code of {old!r} is in the file (found by its GUID), so its name there is used",
                path=qda.path,
            )
        if not any(same_text(new, n) for n in names):
            raise InputError(f"renamed: the file has no code named {new!r}", path=qda.path)
        out[_norm(new)] = topics[0]
    return out


def _match_codes(
    qda: QdaFile, view: CuratedView, ours: list[Any], renamed: dict[str, str] | None = None
) -> tuple[dict[str, int], dict[str, str], list[str], list[str]]:
    """Imported code GUID -> topic, imported code GUID -> bucket, the names of unmatched codes, and warnings.

    A code is a topic's by its GUID; else, in this order (each rule over all codes before the next, so that
    a looser rule never takes a topic a stricter one gives another code): a `` (topic N)`` suffix (the CSV
    codebook for Taguette writes one), ``renamed``, the description the export wrote (``Topic N of the topic
    model`` with the topic's ``Keywords:`` line; kept by a program that makes new GUIDs, through a rename),
    the label up to case and spacing, the label up to de-identification placeholders. A raw topic's code
    (``raw topic N: ...``) with a GUID not ours is left out.
    """
    topic_by_guid = {c.guid: c.topic for c in ours if c.kind == "topic"}
    raw_guids = {c.guid for c in all_codes(ours) if c.kind == "raw"}
    bucket_by_guid = {c.guid: c.bucket for c in ours if c.kind == "bucket"}
    labels = {
        int(t): str(lab) for t, lab in zip(view.topics["topic"], view.topics["label"], strict=True) if t != OUTLIER
    }
    topic_of: dict[str, int] = {g: int(topic_by_guid[g]) for g in qda.codes["guid"] if g in topic_by_guid}
    told = _renamed_topics(qda, labels, renamed or {}, set(topic_of.values()))
    bucket_of: dict[str, str] = {}
    pending: list[tuple[str, str]] = []
    descriptions: dict[str, str] = {}
    for row in qda.codes.itertuples():
        if row.guid in bucket_by_guid:
            bucket_of[row.guid] = str(bucket_by_guid[row.guid])
        elif row.guid not in topic_by_guid and row.guid not in raw_guids and not _RAW_CODE.fullmatch(row.name):
            pending.append((row.guid, _unguard(row.name)))
            descriptions[row.guid] = str(row.description)
    keywords = {
        int(c.topic): [ln for ln in c.description.splitlines() if ln.startswith("Keywords:")]
        for c in ours
        if c.kind == "topic"
    }

    def suffix(g: str, name: str) -> list[int]:
        found = _TOPIC_SUFFIX.fullmatch(name)
        return [int(found[2])] if found and int(found[2]) in labels else []

    def described(g: str, name: str) -> list[int]:
        lines = [" ".join(ln.split()) for ln in descriptions[g].splitlines()]
        found = TOPIC_LINE.match(lines[0]) if lines else None
        t = int(found[1]) if found else None
        if t is None or t not in labels or not keywords.get(t):
            return []
        return [t] if any(same_text(ln, keywords[t][0]) for ln in lines if ln.startswith("Keywords:")) else []

    rules = [
        suffix,
        lambda g, name: [told[_norm(name)]] if _norm(name) in told else [],
        described,
        lambda g, name: [t for t, lab in labels.items() if _norm(name) == _norm(lab)],
        lambda g, name: [t for t, lab in labels.items() if same_text(name, lab)],
    ]
    warnings: list[str] = []
    for rule in rules:
        rest = []
        for g, name in pending:
            free = [t for t in rule(g, name) if t not in topic_of.values()]
            if not free:
                rest.append((g, name))
                continue
            topic_of[g] = free[0]
            if len(free) > 1:
                warnings.append(
                    f"code {name!r} fits the labels of topics {', '.join(map(str, free))} (de-identified): taken "
                    f"as topic {free[0]}; check the proposed drops"
                )
        pending = rest
    unmatched: list[str] = []
    for g, name in pending:
        bucket = name[len(BUCKET_PREFIX) :] if name.startswith(BUCKET_PREFIX) else None
        if _norm(name) == _norm(OUTLIER_CODE):
            bucket_of[g] = OUTLIER_BUCKET
        elif bucket and bucket in set(view.buckets.get("bucket", [])):
            bucket_of[g] = bucket
        else:
            unmatched.append(name)
    return topic_of, bucket_of, unmatched, warnings


def _shown(name: str, topic: int) -> str:
    """A code's name as a label: without a spreadsheet guard, and without its `` (topic N)`` suffix."""
    name = _unguard(name)
    found = _TOPIC_SUFFIX.fullmatch(name)
    return found[1] if found and int(found[2]) == topic else name


def _recoding(
    qda: QdaFile, view: CuratedView, topic_of: dict[str, int], bucket_of: dict[str, str], remarks: list[str | None]
) -> dict[str, list[str]]:
    """``utterance_id`` -> the codes (``topic:N``, ``bucket:B``, ``code:NAME`` for a code that is neither) its
    selection carries in the file.

    ``remarks`` is :func:`selection_remarks` of the file. Remarks whose selection is gone are absent; a
    selection left without a run code maps to an empty list.
    """
    names = dict(zip(qda.codes["guid"], qda.codes["name"].astype(str), strict=True))
    out: dict[str, list[str]] = {}
    for row, uid in zip(qda.selections.itertuples(), remarks, strict=True):
        if uid is None:
            continue
        codes = out.setdefault(uid, [])
        if row.code in topic_of:
            codes.append(f"topic:{topic_of[row.code]}")
        elif row.code in bucket_of:
            codes.append(f"bucket:{bucket_of[row.code]}")
        elif row.code in names:
            codes.append(f"code:{names[row.code]}")
    return out


def _new_description_lines(imported: str, code: Any, raw_description: str) -> list[str]:
    """The lines of an imported code description that a person added: not the toolkit's own
    (:func:`topics.curate.qda_codes.is_generated_line`), not in ``raw_description`` or the code's description,
    and not one of its notes (a codebook carries them as ``- text (author)``).

    Parameters
    ----------
    imported : str
        The description in the file.
    code : QdaCode
        The topic's code in the view compared with.
    raw_description : str
        Another description of ours to leave out.

    Returns
    -------
    list of str
    """
    ours = [ln.strip() for ln in (raw_description + "\n" + code.description).splitlines() if ln.strip()]
    ours += [f"- {n['text']} ({n['author']})" for n in code.notes] + [str(n["text"]) for n in code.notes]
    new = []
    for line in (ln.strip() for ln in imported.splitlines()):
        if line and not is_generated_line(line) and not any(same_text(line, o) for o in ours):
            new.append(line)
    return new


def without_codebook(qda: QdaFile) -> QdaFile:
    """The file without a deductive codebook's codes: a top-level code named ``Codebook: <name>``
    (:data:`topics.coding.codebook.QDA_PARENT_PREFIX`), the codes under it, their codings and notes. They come
    back as labels (:mod:`topics.reporting.refiqda_codes`), never as ledger entries.

    Parameters
    ----------
    qda : QdaFile

    Returns
    -------
    QdaFile
    """
    codes = qda.codes
    if codes.empty:
        return qda
    top = (codes["depth"] == 0) & codes["name"].astype(str).str.startswith(QDA_PARENT_PREFIX)
    drop = set(codes.loc[top, "guid"])
    while True:
        grown = drop | set(codes.loc[codes["parent"].isin(drop), "guid"])
        if grown == drop:
            break
        drop = grown
    if not drop:
        return qda
    selections = qda.selections.copy()
    selections.loc[selections["code"].isin(drop), "code"] = ""  # the selection stays: its topic coding counts
    return dataclasses.replace(
        qda,
        codes=codes[~codes["guid"].isin(drop)],
        selections=selections,
        notes=qda.notes[~qda.notes["code"].isin(drop)],
    )


def qda_entries(qda: QdaFile, view: CuratedView, *, author: str, renamed: dict[str, str] | None = None) -> QdaImport:
    """Compare a REFI-QDA file with the codes of a curated view and propose ledger entries.

    Parameters
    ----------
    qda : QdaFile
        From :func:`topics.read.refiqda.read_qda`.
    view : CuratedView
        The view the file was exported from (the run with its ledger at export time).
    author : str
        Recorded in every entry (a note keeps the name of the user who wrote it when the file has one).
    renamed : dict, optional
        Topic label -> the name of the code it became, for renames the file cannot show: a codebook from a
        program that identifies codes only by their name (Taguette).

    Returns
    -------
    QdaImport

    Raises
    ------
    InputError
        The file shares no code with the run (not exported from it, or from another run), a project none of
        whose selections is a remark of the run, or ``renamed`` names a label that is no topic of the run or a
        code that is not in the file.
    """
    qda = without_codebook(qda)
    ours = code_table(view)
    by_topic = {c.topic: c for c in ours if c.kind == "topic" and c.topic is not None}
    topic_of, bucket_of, unmatched, warnings = _match_codes(qda, view, ours, renamed)
    result = QdaImport(path=qda.path, origin=qda.origin, matched=len(topic_of))
    if not topic_of:
        raise InputError(
            "the file shares no code with this run's topics (neither a GUID nor a label matches): was "
            "it exported from another run, or before the ledger changed the topics?",
            path=qda.path,
        )
    labels = {int(t): str(lab) for t, lab in zip(view.topics["topic"], view.topics["label"], strict=True)}
    sizes = {int(t): int(n) for t, n in zip(view.topics["topic"], view.topics["size"], strict=True)}
    rows = qda.codes.set_index("guid")
    present = {t: g for g, t in topic_of.items()}
    rationale = f"imported from {qda.path.name if qda.path else 'a REFI-QDA file'} ({qda.origin or 'unknown program'})"
    for name in unmatched:
        result.skipped.append(f"code {name!r} is not a topic of this run: the ledger cannot create topics")
    result.skipped += warnings
    bucket_names = {c.guid: c.name for c in ours if c.kind == "bucket"}
    for g in bucket_of:
        name = str(rows.loc[g, "name"])
        if g in bucket_names and not same_text(name, bucket_names[g]):
            result.skipped.append(
                f"bucket code {bucket_names[g]!r} renamed to {name!r}: the ledger has no bucket "
                "rename (drop the topics again with the new bucket name)"
            )

    renames: dict[int, str] = {}
    for g, t in topic_of.items():
        name = _shown(str(rows.loc[g, "name"]), t)
        if name and not same_text(name, labels[t]):
            renames[t] = name
    shown = {**labels, **renames}
    rename_why: dict[int, str] = {}
    new_codes: dict[str, int] = {}
    merge_into: dict[int, int] = {}
    why_merge: dict[int, str] = {}
    for g, t in topic_of.items():
        parent = rows.loc[g, "parent"]
        if parent in topic_of and topic_of[parent] != t:
            merge_into[t] = topic_of[parent]
            why_merge[t] = f"code nested under {rows.loc[parent, 'name']!r}"
    recoded: dict[str, list[str]] = {}
    if qda.kind == "project" and len(qda.selections):
        remarks = selection_remarks(qda, view)
        ids = list(zip(qda.selections["source"], qda.selections["guid"], strict=True))
        total, found = len(set(ids)), len({i for i, uid in zip(ids, remarks, strict=True) if uid is not None})
        result.selections = (found, total)
        if not found:
            raise InputError(
                f"none of the file's {total:,} selections is a remark of this run (matched by GUID, by name, or "
                "by source name, position and text): was it exported from another run?",
                path=qda.path,
            )
        if found < total:
            result.notices.append(
                f"{total - found:,} of the file's {total:,} selections are no remarks of this run (passages "
                "coded in the program, or sources renamed): left out"
            )
        recoded = _recoding(qda, view, topic_of, bucket_of, remarks)
    members = view.assignments.groupby("topic")["utterance_id"].agg(lambda s: list(s.astype(str))).to_dict()
    drops: dict[int, str | None] = {}
    notes: list[tuple[int, str, str, str]] = []
    for t in sorted(by_topic):
        own = f"topic:{t}"
        where: Counter[str] = Counter()
        moved: dict[str, list[str]] = {}
        for uid in members.get(t, []) if recoded else []:
            codes = recoded.get(uid)
            if codes is None:
                key = "(selection deleted)"
            elif own in codes:
                continue
            else:
                key = codes[0] if codes else "(uncoded)"
            where[key] += 1
            moved.setdefault(key, []).append(uid)
        deleted = t not in present
        if recoded and where and len(where) == 1 and sum(where.values()) == sizes.get(t, 0) and t not in merge_into:
            (key,) = where
            if key.startswith("topic:") and int(key[6:]) != t:
                merge_into[t] = int(key[6:])
                why_merge[t] = f"all {sizes[t]} remarks recoded to {shown.get(int(key[6:]))!r}"
                continue
            if deleted and key.startswith("bucket:"):
                to_bucket = key[7:]
                drops[t] = None if to_bucket == OUTLIER_BUCKET else to_bucket
                continue
            if deleted and key.startswith("code:"):  # merged into a new code: the first topic takes its name
                first = new_codes.setdefault(key[5:], t)
                if first == t:
                    renames[t] = key[5:]
                    rename_why[t] = f"code deleted and all its remarks recoded to the new code {key[5:]!r}"
                else:
                    merge_into[t] = first
                    why_merge[t] = f"all {sizes[t]} remarks recoded to the new code {key[5:]!r}"
                continue
        if deleted and t not in merge_into:
            drops[t] = None
            continue
        if where and t not in merge_into:
            parts = []
            for key, n in where.most_common():
                shown_as = (
                    shown.get(int(key[6:]), key)
                    if key.startswith("topic:")
                    else (
                        BUCKET_PREFIX + key[7:]
                        if key.startswith("bucket:")
                        else (f"{key[5:]} (a new code)" if key.startswith("code:") else key)
                    )
                )
                listed = ", ".join(moved[key][:MAX_LISTED]) + (" ..." if len(moved[key]) > MAX_LISTED else "")
                parts.append(f"{n} to {shown_as!r} ({listed})")
            notes.append(
                (
                    t,
                    f"Recoded in {qda.origin or 'QDA software'}: {sum(where.values())} of {sizes[t]} "
                    "remarks: " + "; ".join(parts),
                    author,
                    "some remarks recoded",
                )
            )

    # lines added to descriptions, notes attached to codes
    exported_notes = {n["guid"] for c in ours for n in c.notes}
    for g, t in topic_of.items():
        lines = _new_description_lines(str(rows.loc[g, "description"]), by_topic[t], by_topic[t].description)
        if lines:
            notes.append((t, " ".join(lines), author, "lines added to the code's description"))
    for n in qda.notes.itertuples():
        if n.code in topic_of and n.guid not in exported_notes and str(n.text).strip():
            notes.append((topic_of[n.code], str(n.text).strip(), n.author or author, "note attached to the code"))
    # a note the ledger holds already (its GUID made new by the program, or imported before) is not repeated
    held = {t: [str(n["text"]) for n in c.notes] for t, c in by_topic.items()}
    notes = [n for n in notes if not any(same_text(n[1], h) for h in held.get(n[0], []))]

    def final(t: int) -> int:
        seen = {t}
        while t in merge_into and merge_into[t] not in seen:
            t = merge_into[t]
            seen.add(t)
        return t

    def entry(op: str, topics: list[int], **kw: Any) -> Entry:
        who = kw.pop("who", author)
        return Entry(
            op=op,
            topics=topics,
            author=who,
            time=now(),
            rationale=rationale,
            fingerprints=[view.fingerprint(x) for x in topics],
            **kw,
        )

    targets: dict[int, list[int]] = {}
    for t in merge_into:
        target = final(t)
        if target == t:
            continue
        if target in drops:
            result.skipped.append(
                f"topic {t} ({labels[t]!r}) is merged into {labels[target]!r}, whose code was deleted: dropped instead"
            )
            drops[t] = None
            continue
        targets.setdefault(target, []).append(t)
    for target, sources in sorted(targets.items()):
        label = renames.get(target, labels[target])
        result.entries.append(entry("merge", [target, *sorted(sources)], label=label))
        result.reasons.append("; ".join(why_merge[s] for s in sorted(sources)))
    merged = {s for ss in targets.values() for s in ss}
    for t, name in sorted(renames.items()):
        if t not in targets and t not in merged and t not in drops:
            result.entries.append(entry("rename", [t], label=name))
            result.reasons.append(rename_why.get(t, f"code renamed from {labels[t]!r}"))
    # a codebook that names codes only by their name (no GUID of ours in it) cannot show a rename
    names_only = qda.kind == "codebook" and not set(qda.codes["guid"]) & {c.guid for c in all_codes(ours)}
    maybe = ", ".join(repr(n) for n in unmatched)
    for t, bucket in sorted(drops.items()):
        if t in merged:
            continue
        result.entries.append(entry("drop", [t], bucket=bucket))
        if names_only and unmatched and t not in present:
            result.reasons.append(
                f"code missing: deleted, or renamed to one of the new codes {maybe} ({qda.origin or 'the program'} "
                "names codes only by their name, so the file cannot tell; a rename is imported with renamed=)"
            )
        else:
            result.reasons.append(
                "code deleted" + (f"; its remarks recoded to {BUCKET_PREFIX + bucket!r}" if bucket else "")
            )
    for t, text, who, why in notes:
        target = final(t)
        if target in drops:
            continue
        result.entries.append(entry("note", [target], text=text, who=who))
        result.reasons.append(why)
    return result


def import_qda(
    path: str | Path | QdaFile,
    model: Any,
    ledger: str | Path,
    *,
    author: str,
    write: bool = True,
    renamed: dict[str, str] | None = None,
) -> tuple[Ledger, QdaImport]:
    """Add the edits of a REFI-QDA file (``.qdc`` / ``.qdpx``) to a ledger file (created if missing).

    The file is compared with the curated view it was exported from: the model with the ledger so far, or,
    when the file records an older state of this ledger (:func:`file_state`: fewer entries, the same first
    ones), with the first entries only; then the entries the ledger gained since are not proposed again, and
    :attr:`QdaImport.notices` says so. A file that records another ledger is compared with the current view,
    with a notice. The new entries are checked by applying the whole ledger before anything is written; on
    any error the ledger file is left as it was.

    Parameters
    ----------
    path : str, Path or QdaFile
        The file, or the file already read with :func:`~topics.read.refiqda.read_qda`.
    model : TopicModel
        The run's model (an :class:`~topics.analysis.Analysis` is accepted).
    ledger : str or Path
    author : str
    write : bool, default True
        False: propose only (the ledger is returned with the entries appended but not saved).
    renamed : dict, optional
        Topic label -> new code name, for renames a codebook that names codes only by name cannot show
        (see :func:`qda_entries`).

    Returns
    -------
    ledger : Ledger
    changes : QdaImport
    """
    ledger_path = Path(ledger)
    book = Ledger.load(ledger_path) if ledger_path.exists() else ledger_for(model)
    book.path = ledger_path
    qda = path if isinstance(path, QdaFile) else read_qda(path)
    base, notice = base_entries(qda, book)
    view = apply_ledger(model, dataclasses.replace(book, entries=book.entries[:base]))
    changes = qda_entries(qda, view, author=author, renamed=renamed)
    if notice:
        changes.notices.append(notice)
    later = book.entries[base:]
    if later:  # what the ledger gained since the export (an earlier import of this file) is not repeated
        kept = [(e, why) for e, why in zip(changes.entries, changes.reasons, strict=True) if not held(e, later)]
        if len(kept) < len(changes.entries):
            changes.notices.append(
                f"{len(changes.entries) - len(kept)} of the file's changes are in the ledger already: not proposed"
            )
        changes.entries, changes.reasons = [e for e, _ in kept], [why for _, why in kept]
    trial = Ledger(entries=[*book.entries, *changes.entries], model=book.model, path=book.path)
    apply_ledger(model, trial)  # raises before anything is written
    for e in changes.entries:
        book.append(e)
    if write and changes.entries:
        book.save()
    return book, changes
