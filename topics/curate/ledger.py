"""The curation ledger: an expert's ordered decisions about topics, as a human-readable YAML file.

A ledger never edits a model. It is replayed on a model (:func:`topics.curate.apply_ledger`) to give a
curated view; deleting or editing an entry in the file undoes or changes that decision. Example::

    topics_ledger: 1
    model: {data_sha256: 3f2a..., seed: 42, topics_sha256: 9b1c...}   # the clustering the decisions were made on
    entries:
    - op: rename
      topic: 3
      label: Opening the session
      author: A. Expert
      time: '2026-11-26T14:05:00'
      rationale: Greetings and agenda setting
      fingerprint:
        - {topic: 3, words: [conversation today, talk today], exemplars: [mibot-1, mibot-77]}
    - op: merge
      topics: [0, 4]
      label: Smoking cessation
      author: A. Expert
      time: '2026-11-26T14:06:00'
    - op: drop
      topic: 2
      bucket: small talk                         # omit to send the remarks to the outliers
      author: A. Expert
      time: '2026-11-26T14:07:00'
    - op: split
      topic: 10
      k: 2
      labels: [Planning next steps, Exploring options]
      author: A. Expert
      time: '2026-11-26T14:08:00'
    - op: note
      topic: 12
      text: Summaries; MI-consistent, keep separate from reflections
      author: A. Expert
      time: '2026-11-26T14:09:00'

Topic numbers refer to the topics as they stand when the entry is applied: the raw model's topics, or
topics made by earlier entries (a merge keeps the number of its first topic; a split keeps the number for
its largest part and numbers the others after the highest topic so far). A ``fingerprint`` (top words and
exemplar remark ids, written by the Python API and the worksheet import) lets an entry find its topic
again after the model is refit with another seed or more transcripts.

A ledger made by merging two experts' ledgers (:func:`topics.curate.merged_ledger`) also holds a ``merged``
list, one record per merge: who merged and when, each source ledger (file, authors, number of entries, and
the numbers of the entries taken, in order) and the raw topics whose decisions came from each side. The
entries themselves are the experts' own (author, time, rationale), a's taken ones first, then b's::

    merged:
    - author: C. Expert
      time: '2026-11-27T09:00:00'
      topics_a: [0, 1, 2, 3]
      topics_b: [14]
      a:
        ledger: a.yaml
        authors: [A. Expert]
        entries: 12
        taken: [1, 2, 3, 5]
      b:
        ledger: b.yaml
        authors: [B. Expert]
        entries: 9
        taken: [4, 7]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from topics._files import atomic_write_text
from topics.curate.provenance import MergeRecord, _int_list, _opt_str, _parse_source
from topics.errors import InputError

FORMAT_VERSION = 1
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (about 6x faster), the pure-Python one otherwise."""
OPERATIONS = ("merge", "rename", "drop", "split", "note")
_ALLOWED_KEYS = {
    "merge": {"topics", "label"},
    "rename": {"topic", "label"},
    "drop": {"topic", "bucket"},
    "split": {"topic", "k", "labels"},
    "note": {"topic", "text"},
}
_COMMON_KEYS = {"op", "author", "time", "rationale", "fingerprint"}


class _Dumper(yaml.SafeDumper):
    """Writes short lists (topic numbers, words, remark ids) on one line, the rest in block style."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(x, (int, float, str)) and not isinstance(x, bool) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


class LedgerError(InputError):
    """A ledger file or entry is invalid; the message names the file, the line and the entry."""


@dataclass
class Fingerprint:
    """What a topic looked like when a decision was made: its top words and some of its remarks.

    Attributes
    ----------
    topic : int
        The topic's number at the time.
    words : list of str
        Its top words.
    exemplars : list of str
        ``utterance_id`` of remarks at its centre.
    """

    topic: int
    words: list[str] = field(default_factory=list)
    exemplars: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The fingerprint as the ledger's YAML writes it (``topic``, ``words``, ``exemplars``)."""
        return {"topic": int(self.topic), "words": list(self.words), "exemplars": list(self.exemplars)}


@dataclass
class Entry:
    """One curation decision.

    Attributes
    ----------
    op : {"merge", "rename", "drop", "split", "note"}
    topics : list of int
        The topics it acts on (two or more for ``merge``, one otherwise).
    label : str, optional
        New label (``merge``, ``rename``).
    bucket : str, optional
        ``drop``: the set-aside bucket; ``None`` sends the remarks to the outliers.
    k : int, optional
        ``split``: number of sub-topics.
    labels : list of str, optional
        ``split``: labels of the sub-topics, largest first.
    text : str, optional
        ``note``: the note.
    author, time, rationale : str
        Who decided, when (ISO 8601), and why.
    fingerprints : list of Fingerprint
        One per topic in ``topics`` (may be empty for hand-written entries).
    line : int, optional
        Line of the entry in its file (not written).
    """

    op: str
    topics: list[int]
    label: str | None = None
    bucket: str | None = None
    k: int | None = None
    labels: list[str] | None = None
    text: str | None = None
    author: str = "unknown"
    time: str = ""
    rationale: str | None = None
    fingerprints: list[Fingerprint] = field(default_factory=list)
    line: int | None = None

    def describe(self) -> str:
        """One line saying what the entry does, e.g. ``merge 0, 4 -> 'Smoking cessation'``."""
        ts = ", ".join(str(t) for t in self.topics)
        if self.op == "merge":
            return f"merge {ts} -> {self.label!r}"
        if self.op == "rename":
            return f"rename {ts} -> {self.label!r}"
        if self.op == "drop":
            return f"drop {ts} -> {self.bucket or 'outliers'}"
        if self.op == "split":
            return f"split {ts} into {self.k}" + (f" ({', '.join(self.labels)})" if self.labels else "")
        return f"note on {ts}: {self.text}"

    def to_dict(self) -> dict[str, Any]:
        """The entry as the ledger's YAML writes it: ``op``, its operands, author, time, rationale, fingerprints."""
        out: dict[str, Any] = {"op": self.op}
        if self.op == "merge":
            out["topics"] = [int(t) for t in self.topics]
        else:
            out["topic"] = int(self.topics[0])
        for key in ("label", "bucket", "k", "labels", "text"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["author"] = self.author
        out["time"] = self.time
        if self.rationale:
            out["rationale"] = self.rationale
        if self.fingerprints:
            out["fingerprint"] = [f.to_dict() for f in self.fingerprints]
        return out


def now() -> str:
    """The current time as an ISO 8601 string (seconds)."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


@dataclass
class Ledger:
    """An ordered list of curation entries, read from and written to a YAML file.

    Attributes
    ----------
    entries : list of Entry
    model : dict
        ``data_sha256`` and ``seed`` of the model the entries were made on (may be empty).
    path : Path, optional
        The file it was read from.
    merged : list of MergeRecord
        Provenance of the merges that made this ledger from two experts' ledgers, oldest first (empty for a
        ledger written by one expert).
    """

    entries: list[Entry] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    merged: list[MergeRecord] = field(default_factory=list)

    # ---------------------------------------------------------------- file format
    @classmethod
    def load(cls, path: str | Path) -> Ledger:
        """Read and check a ledger file.

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Ledger

        Raises
        ------
        LedgerError
            Not YAML, not a ledger, or an entry with a missing, unknown or mistyped field (file and line
            named). Nothing is applied.
        """
        path = Path(path)
        if not path.is_file():
            raise LedgerError("no such ledger file", path=path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise LedgerError(f"the ledger is not UTF-8 text ({err.reason})", path=path) from None
        return cls.from_text(text, path=path)

    @classmethod
    def from_text(cls, text: str, *, path: str | Path | None = None) -> Ledger:
        """Parse ledger YAML (see :meth:`load`).

        YAML anchors and aliases are refused before anything is built: a few hundred bytes of nested aliases
        expand to gigabytes (a "billion laughs" file), and a ledger written by the toolkit never uses them.
        """
        try:
            _refuse_aliases(text, path)
            data = yaml.load(text, Loader=_LOADER)
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise LedgerError(
                f"not valid YAML: {getattr(err, 'problem', err)}", path=path, line=mark.line + 1 if mark else None
            ) from None
        if data is None:
            return cls(path=Path(path) if path else None)
        if not isinstance(data, dict) or "entries" not in data:
            raise LedgerError("a ledger is a mapping with 'topics_ledger' and 'entries'", path=path, line=1)
        version = data.get("topics_ledger", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise LedgerError(
                f"unsupported ledger version {version!r} (this toolkit reads {FORMAT_VERSION})", path=path, line=1
            )
        unknown = set(data) - {"topics_ledger", "model", "entries", "merged"}
        if unknown:
            raise LedgerError(f"unknown top-level key(s) {sorted(unknown)}", path=path, line=1)
        raw_entries = data["entries"] or []
        if not isinstance(raw_entries, list):
            raise LedgerError("'entries' must be a list", path=path, line=_key_line(root, "entries"))
        lines = _entry_lines(root)
        entries = [
            _parse_entry(item, number=i + 1, line=lines[i] if i < len(lines) else None, path=path)
            for i, item in enumerate(raw_entries)
        ]
        model = data.get("model") or {}
        if not isinstance(model, dict):
            raise LedgerError("'model' must be a mapping", path=path, line=_key_line(root, "model"))
        merged = _parse_merged(data.get("merged"), path=path, line=_key_line(root, "merged"))
        return cls(entries=entries, model=model, path=Path(path) if path else None, merged=merged)

    def to_text(self) -> str:
        """The ledger as YAML text."""
        header = (
            "# topics curation ledger: ordered expert decisions, replayed on a topic model.\n"
            "# Edit or delete an entry to change or undo it. Format: see the Curation page of the guide.\n"
        )
        body = {
            "topics_ledger": FORMAT_VERSION,
            "model": dict(self.model),
            "entries": [e.to_dict() for e in self.entries],
        }
        if self.merged:
            body["merged"] = [m.to_dict() for m in self.merged]
        return header + yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the ledger atomically; the previous version is kept as ``<name>.bak``.

        Parameters
        ----------
        path : str or Path, optional
            Defaults to the file it was read from.

        Returns
        -------
        Path
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path to save the ledger to")
        text = self.to_text()
        Ledger.from_text(text)  # never write what we could not read back
        atomic_write_text(target, text, backup=True)
        self.path = target
        return target

    def append(self, entry: Entry) -> Entry:
        """Add an entry at the end (not saved until :meth:`save`)."""
        _check_entry(entry, number=len(self.entries) + 1, path=self.path)
        self.entries.append(entry)
        return entry

    def where(self, entry: Entry, number: int | None = None) -> str:
        """Human-readable location of an entry: ``ledger.yaml, line 12, entry 3``.

        Pass the entry's 1-based ``number`` when it is known (a replay knows it): looking it up is linear in
        the ledger's length, and a replay that did so for every entry took quadratic time.
        """
        if number is None:
            number = next((i + 1 for i, e in enumerate(self.entries) if e is entry), None)
        parts = [str(self.path) if self.path else "ledger"]
        if entry.line:
            parts.append(f"line {entry.line}")
        if number:
            parts.append(f"entry {number}")
        return ", ".join(parts)


def _refuse_aliases(text: str, path: str | Path | None) -> None:
    """Raise a :class:`LedgerError` at the first YAML anchor or alias (scanned, never expanded)."""
    for token in yaml.scan(text, Loader=_LOADER):
        if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
            raise LedgerError(
                "YAML anchors and aliases (& and *) are not allowed in a ledger: write each value out",
                path=path,
                line=token.start_mark.line + 1,
            )


def _key_line(root: Any, key: str) -> int | None:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if getattr(k, "value", None) == key:
                return v.start_mark.line + 1
    return None


def _entry_lines(root: Any) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if getattr(k, "value", None) == "entries" and isinstance(v, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in v.value]
    return []


def _parse_entry(item: Any, *, number: int, line: int | None, path: str | Path | None) -> Entry:
    def bad(message: str) -> LedgerError:
        return LedgerError(f"entry {number}: {message}", path=path, line=line)

    if not isinstance(item, dict):
        raise bad("each entry must be a mapping with an 'op'")
    op = item.get("op")
    if op not in OPERATIONS:
        raise bad(f"op must be one of {list(OPERATIONS)}, got {op!r}")
    unknown = set(item) - _ALLOWED_KEYS[op] - _COMMON_KEYS
    if unknown:
        raise bad(
            f"unknown field(s) {sorted(unknown)} for op {op!r}; allowed: {sorted(_ALLOWED_KEYS[op] | _COMMON_KEYS)}"
        )
    if op == "merge":
        topics = item.get("topics")
        if not isinstance(topics, list):
            raise bad("merge needs 'topics: [a, b, ...]'")
    else:
        if "topic" not in item:
            raise bad(f"{op} needs 'topic'")
        topics = [item["topic"]]
    if not all(isinstance(t, int) and not isinstance(t, bool) for t in topics):
        raise bad(f"topic numbers must be integers, got {topics!r}")
    prints = item.get("fingerprint") or []
    if not isinstance(prints, list):
        raise bad("'fingerprint' must be a list")
    fingerprints = []
    for fp in prints:
        if not isinstance(fp, dict) or not isinstance(fp.get("topic"), int):
            raise bad("each fingerprint needs 'topic', 'words' and 'exemplars'")
        fingerprints.append(
            Fingerprint(
                topic=fp["topic"],
                words=[str(w) for w in fp.get("words") or []],
                exemplars=[str(x) for x in fp.get("exemplars") or []],
            )
        )
    time_value = item.get("time", "")
    entry = Entry(
        op=op,
        topics=list(topics),
        label=_opt_str(item.get("label"), "label", bad),
        bucket=_opt_str(item.get("bucket"), "bucket", bad),
        k=item.get("k"),
        labels=item.get("labels"),
        text=_opt_str(item.get("text"), "text", bad),
        author=str(item.get("author") or "unknown"),
        time=time_value.isoformat() if isinstance(time_value, (dt.date, dt.datetime)) else str(time_value or ""),
        rationale=_opt_str(item.get("rationale"), "rationale", bad),
        fingerprints=fingerprints,
        line=line,
    )
    _check_entry(entry, number=number, path=path)
    return entry


_MERGE_KEYS = {"author", "time", "topics_a", "topics_b", "a", "b"}


def _parse_merged(value: Any, *, path: str | Path | None, line: int | None) -> list[MergeRecord]:
    """The ``merged`` provenance records of a ledger (absent in ledgers that no merge made)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise LedgerError("'merged' must be a list of merge records", path=path, line=line)
    records = []
    for number, item in enumerate(value, start=1):

        def bad(message: str, number: int = number) -> LedgerError:
            return LedgerError(f"merge record {number}: {message}", path=path, line=line)

        if not isinstance(item, dict):
            raise bad(f"each merge record must be a mapping with {sorted(_MERGE_KEYS)}")
        unknown = set(item) - _MERGE_KEYS
        if unknown:
            raise bad(f"unknown field(s) {sorted(map(str, unknown))}; allowed: {sorted(_MERGE_KEYS)}")
        time_value = item.get("time", "")
        when = time_value.isoformat() if isinstance(time_value, (dt.date, dt.datetime)) else str(time_value or "")
        topics_a = _int_list(item.get("topics_a"), "topics_a", bad)
        topics_b = _int_list(item.get("topics_b"), "topics_b", bad)
        records.append(
            MergeRecord(
                author=_opt_str(item.get("author"), "author", bad) or "unknown",
                time=when,
                a=_parse_source(item.get("a"), "a", bad),
                b=_parse_source(item.get("b"), "b", bad),
                topics_a=topics_a,
                topics_b=topics_b,
            )
        )
    return records


def _check_entry(entry: Entry, *, number: int, path: str | Path | None) -> None:
    def bad(message: str) -> LedgerError:
        return LedgerError(f"entry {number}: {message}", path=path, line=entry.line)

    if entry.op not in OPERATIONS:
        raise bad(f"op must be one of {list(OPERATIONS)}")
    if entry.op == "merge":
        if len(entry.topics) < 2:
            raise bad("merge needs at least two topics")
        if len(set(entry.topics)) != len(entry.topics):
            raise bad(f"merge lists a topic twice: {entry.topics}")
    elif len(entry.topics) != 1:
        raise bad(f"{entry.op} acts on exactly one topic")
    if any(t < 0 for t in entry.topics):
        raise bad("the outliers (-1) cannot be curated; only topics 0, 1, 2, ...")
    if entry.op in ("merge", "rename") and not (entry.label and entry.label.strip()):
        raise bad(f"{entry.op} needs a non-empty 'label'")
    if entry.op == "split":
        if not isinstance(entry.k, int) or isinstance(entry.k, bool) or entry.k < 2:
            raise bad(f"split needs 'k', an integer >= 2, got {entry.k!r}")
        if entry.labels is not None and (
            not isinstance(entry.labels, list)
            or len(entry.labels) != entry.k
            or not all(isinstance(x, str) and x.strip() for x in entry.labels)
        ):
            raise bad(f"split 'labels' must be a list of {entry.k} non-empty labels")
    if entry.op == "note" and not (entry.text and entry.text.strip()):
        raise bad("note needs a non-empty 'text'")
    if entry.op == "drop" and entry.bucket is not None and not entry.bucket.strip():
        raise bad("drop 'bucket' must be a name, or left out for the outliers")
