"""Which remarks and which ledger state a REFI-QDA file holds, when the program that wrote it made new GUIDs.

:mod:`topics.curate.qda_import` turns the differences between a file and a curated view into ledger entries;
this module finds what in the file stands for what in the run:

* :func:`same_text`: a text of the file is one of ours up to spacing, case and the placeholders of a
  de-identified export (``[NAME]`` for ``Margarita``);
* :func:`selection_remarks`: the remark each selection is, by GUID, by name, else by the source's name (the
  session), the span and the selected text (QualCoder gives selections new GUIDs and names them by their text);
* :func:`file_state` and :func:`base_entries`: the ledger state the export recorded, and how much of the
  ledger the file was exported with (a file from an older state is compared with that state);
  :func:`held`: a proposed entry the ledger holds already.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from topics.curate.ledger import Entry, Ledger
from topics.curate.qda_codes import STATE_LINE, guid, ledger_state, transcript
from topics.curate.view import CuratedView
from topics.read.refiqda import QdaFile

_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
_TOKEN = re.compile(r"\[[A-Z_]+\]|[^\W_]+|\S", re.UNICODE)


def normalised(text: str) -> str:
    """``text`` with its spacing collapsed and its case folded.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return " ".join(str(text).split()).casefold()


def same_text(imported: str, ours: str) -> bool:
    """True when ``imported`` is ``ours`` up to spacing and case, or ours de-identified (words that became
    ``[NAME]``, ``[PLACE]`` ... placeholders in a de-identified export; a placeholder stands for one or more
    tokens, so ``[NAME]'s`` is ``Margarita's``).

    Parameters
    ----------
    imported : str
        The text in the file (may hold placeholders).
    ours : str
        The run's text.

    Returns
    -------
    bool
    """
    if normalised(imported) == normalised(ours):
        return True
    a = [x if _PLACEHOLDER.fullmatch(x) else x.casefold() for x in _TOKEN.findall(str(imported))]
    b = [x.casefold() for x in _TOKEN.findall(str(ours))]
    if not any(_PLACEHOLDER.fullmatch(x) for x in a):
        return False
    # a placeholder stands for one or more tokens of ours ("Margarita's" -> "[NAME]'s"): try every extent,
    # remembering the (placeholder, position) pairs that failed; first the cheap necessary conditions: the
    # same words before the first placeholder and after the last, and every word of theirs in ours, in order
    holes = [i for i, x in enumerate(a) if _PLACEHOLDER.fullmatch(x)]
    head, tail = a[: holes[0]], a[holes[-1] + 1 :]
    if b[: len(head)] != head or (tail and b[-len(tail) :] != tail) or len(head) + len(tail) + len(holes) > len(b):
        return False
    rest = iter(b)
    if not all(any(x == y for y in rest) for x in a if not _PLACEHOLDER.fullmatch(x)):
        return False
    failed: set[tuple[int, int]] = set()

    def match(i: int, j: int) -> bool:
        while i < len(a):
            if _PLACEHOLDER.fullmatch(a[i]):
                if (i, j) in failed:
                    return False
                nxt = a[i + 1] if i + 1 < len(a) and not _PLACEHOLDER.fullmatch(a[i + 1]) else None
                ends = range(j + 1, len(b) + 1) if nxt is None else (k for k in range(j + 1, len(b)) if b[k] == nxt)
                if any(match(i + 1, k) for k in ends):
                    return True
                failed.add((i, j))
                return False
            if j >= len(b) or a[i] != b[j]:
                return False
            i, j = i + 1, j + 1
        return j == len(b)

    return match(0, 0)


def _session_of(source_name: str, sessions: dict[str, Any]) -> str | None:
    """The session a text source stands for: its name, or its name without a file suffix (``S1.txt``)."""
    name = source_name.strip()
    if name in sessions:
        return name
    stem = Path(name).stem
    return stem if stem in sessions else None


def selection_remarks(qda: QdaFile, view: CuratedView) -> list[str | None]:
    """The remark (``utterance_id``) each row of ``qda.selections`` is, or None for a selection that is none.

    In this order: the selection's GUID is the export's; its name is an ``utterance_id`` of the run (the
    export's names); else, within the session its source is named after, its span (``start``, ``end``) is a
    remark's span in an export of the modelled remarks (confirmed by the selected text when the file has it),
    then its text (the source's text at the span, else the selection's name, which QualCoder sets to the
    text) is a remark's text up to spacing, case and de-identification placeholders, taken in order so that a
    repeated remark ("Okay.") goes to its own occurrence. Each remark is taken once.

    Parameters
    ----------
    qda : QdaFile
        A project.
    view : CuratedView

    Returns
    -------
    list of str or None
        One per row of ``qda.selections``.
    """
    a = view.assignments
    uids = a["utterance_id"].astype(str)
    uid_of_sel = {guid("selection", u): u for u in uids}
    known = set(uids)
    sel = qda.selections
    out: list[str | None] = [None] * len(sel)
    taken: set[str] = set()
    rest: dict[str, dict[tuple[int, int], list[int]]] = {}
    for i, (g, name, source, start, end) in enumerate(
        zip(sel["guid"], sel["name"].astype(str), sel["source_name"].astype(str), sel["start"], sel["end"], strict=True)
    ):
        uid = uid_of_sel.get(g) or (name if name in known else None)
        if uid is not None:
            out[i] = uid
            taken.add(uid)
        else:
            rest.setdefault(source, {}).setdefault((int(start), int(end)), []).append(i)
    if not rest:
        return out
    ordered = a.sort_values(["session_id", "turn"], kind="stable") if "turn" in a.columns else a
    sessions: dict[str, list[tuple[str, str, str]]] = {}
    for uid, sid, role, text in zip(
        ordered["utterance_id"].astype(str),
        ordered["session_id"].astype(str),
        ordered["role"].astype(str) if "role" in ordered.columns else ["therapist"] * len(ordered),
        ordered["text"].astype(str),
        strict=True,
    ):
        sessions.setdefault(sid, []).append((uid, role, text))
    texts, names = sel["text"].astype(str).tolist(), sel["name"].astype(str).tolist()
    for source, spans in rest.items():
        sid = _session_of(source, sessions)
        if sid is None:
            continue
        remarks = sessions[sid]
        text_of = {uid: text for uid, _, text in remarks}
        at = {span: uid for uid, span in transcript(remarks)[1].items()}
        pointer = 0
        for span, rows in sorted(spans.items()):
            selected = list(dict.fromkeys(texts[i] for i in rows if texts[i].strip()))
            said = list(dict.fromkeys([*selected, *(names[i] for i in rows if names[i].strip())]))
            uid = at.get(span)  # a name that is not the text does not veto the position; the source's text does
            if uid is not None and (
                uid in taken or (selected and not any(same_text(x, text_of[uid]) for x in selected))
            ):
                uid = None
            if uid is None and said:
                for j in [*range(pointer, len(remarks)), *range(pointer)]:
                    candidate = remarks[j][0]
                    if candidate not in taken and any(same_text(x, text_of[candidate]) for x in said):
                        uid, pointer = candidate, j + 1
                        break
            if uid is not None:
                taken.add(uid)
                for i in rows:
                    out[i] = uid
    return out


def file_state(qda: QdaFile) -> tuple[int, str] | None:
    """The ledger state a file was exported from (entry count, digest), as the export records it in a code
    description (:data:`topics.curate.qda_codes.STATE_LINE`); None when the file records none.

    Parameters
    ----------
    qda : QdaFile

    Returns
    -------
    tuple of (int, str) or None
    """
    for text in qda.codes["description"].astype(str):
        for line in text.splitlines():
            found = STATE_LINE.fullmatch(" ".join(line.split()))
            if found:
                return int(found[1]), found[2]
    return None


def state_of(entries: list[Entry]) -> tuple[int, str]:
    """:func:`topics.curate.qda_codes.ledger_state` of ledger entries (what an export of them records).

    Parameters
    ----------
    entries : list of Entry

    Returns
    -------
    count : int
    digest : str
    """
    return ledger_state((e.describe(), e.author, e.time) for e in entries)


def base_entries(qda: QdaFile, book: Ledger) -> tuple[int, str | None]:
    """How many first entries of ``book`` the file was exported with, and a notice when not all of them.

    Parameters
    ----------
    qda : QdaFile
    book : Ledger
        The ledger the file is imported into.

    Returns
    -------
    count : int
        All entries when the file records this ledger's state, or none, or another ledger's; fewer when it
        records an older state of this ledger (its first ``count`` entries).
    notice : str or None
        What the diff should say: an older state, or another ledger's.
    """
    recorded = file_state(qda)
    everything = len(book.entries)
    if recorded is None or recorded == state_of(book.entries):
        return everything, None
    count, digest = recorded
    if count < everything and state_of(book.entries[:count]) == recorded:
        return count, (
            f"the file was exported from an older state of the ledger ({count} of its {everything} entries): "
            f"compared with that state"
        )
    return everything, (
        f"the file was exported from another ledger state ({count} entries, digest {digest}; the ledger has "
        f"{everything}, digest {state_of(book.entries)[1]}): compared with the run as it stands; check each change"
    )


def held(entry: Entry, entries: list[Entry]) -> bool:
    """True when ``entries`` hold a decision like ``entry``: same operation, same topics (by fingerprint where
    both have them, else by number), same label, bucket or note text (up to spacing and case).

    Parameters
    ----------
    entry : Entry
        A proposed entry.
    entries : list of Entry
        Entries of the ledger.

    Returns
    -------
    bool
    """

    def identity(e: Entry) -> list[tuple[tuple[str, ...], tuple[str, ...]]] | None:
        if not e.fingerprints or len(e.fingerprints) != len(e.topics):
            return None
        return [(tuple(f.words), tuple(f.exemplars)) for f in e.fingerprints]

    mine = identity(entry)
    for other in entries:
        if other.op != entry.op or other.bucket != entry.bucket:
            continue
        if not same_text(other.label or "", entry.label or "") or not same_text(other.text or "", entry.text or ""):
            continue
        theirs = identity(other)
        if (mine == theirs) if mine is not None and theirs is not None else list(other.topics) == list(entry.topics):
            return True
    return False
