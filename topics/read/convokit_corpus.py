"""ConvoKit corpora (Cornell Conversational Analysis Toolkit) in and out of the utterance table.

ConvoKit's model is a :class:`convokit.Corpus` of speakers, utterances (with ``reply_to``) and
conversations, each with metadata. :func:`from_convokit` (``topics.read.convokit``) turns one into the
utterance table (a conversation is a session; a speaker's role comes from one of its metadata fields or
from a function); :func:`add_topics` writes a run's topics back as utterance metadata, so that ConvoKit's
own transformers and analyses can use them.

Both only call ConvoKit's public object API, so ConvoKit is needed only to build a corpus: install it with
``pip install convokit`` (the toolkit does not import it). Nothing is downloaded.

A corpus folder written by ConvoKit (``Corpus.dump``: ``utterances.jsonl``, ``speakers.json``,
``conversations.json``, ``corpus.json``, ``index.json`` and, for metadata JSON cannot hold, pickled
``*-bin.p`` files) is read by :func:`read_convokit_folder` from its JSON files alone. ConvoKit's own
``Corpus(filename=...)`` unpickles the ``*-bin.p`` files, which runs any code a hostile folder puts there;
this reader never opens them and never imports ConvoKit.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from topics._files import json_depth, read_json_checked
from topics.errors import CorpusError, InputError
from topics.read.files import DEFAULT_ROLE_VALUES
from topics.read.schema import REQUIRED_COLUMNS, validate_corpus

TOPIC_FIELDS = ("topic", "topic_label", "topic_bucket")
"""Utterance metadata fields written by :func:`add_topics`."""


def _meta(obj: Any) -> dict[str, Any]:
    meta = getattr(obj, "meta", None)
    return dict(meta) if meta is not None else {}


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def from_convokit(
    corpus: Any,
    *,
    role: str | Callable[[Any], Any] = "role",
    role_values: Mapping[str, str] | None = None,
    conversation_meta: bool = True,
    utterance_meta: bool = True,
) -> pd.DataFrame:
    """The utterance table of a ConvoKit corpus: one row per utterance, a conversation per session.

    Parameters
    ----------
    corpus : convokit.Corpus
        Any object with ConvoKit's ``iter_utterances()`` and ``get_conversation(id)``.
    role : str or callable, default "role"
        The speaker metadata field that holds the speaker's role, or a function ``speaker -> role`` (it
        may also return ``None`` for a speaker to leave out, e.g. a moderator).
    role_values : mapping, optional
        Extra role names mapped to ``therapist`` / ``client``, beside
        :data:`topics.read.DEFAULT_ROLE_VALUES` (``counselor``, ``patient``, ``seeker`` ...).
    conversation_meta, utterance_meta : bool, default True
        Carry the conversations' metadata (session metadata: school, quality, outcome) and the utterances'
        metadata (codes) as columns. A name that clashes with a required column gets a ``conv_`` /
        ``utt_`` prefix.

    Returns
    -------
    pandas.DataFrame
        Validated (:func:`topics.read.validate_corpus`): ``utterance_id`` (ConvoKit's id),
        ``session_id`` (conversation id), ``turn`` (order in the conversation: by timestamp when every
        utterance has one, else the corpus order), ``role``, ``speaker_id``, ``text``, ``reply_to``, metadata.

    Raises
    ------
    CorpusError
        A speaker without a role, a role that is neither therapist nor client (named with its speaker),
        or an empty corpus.
    """
    roles = {**DEFAULT_ROLE_VALUES, **{str(k).strip().lower(): v for k, v in (role_values or {}).items()}}
    get_role = role if callable(role) else (lambda speaker: _meta(speaker).get(role))
    rows: list[dict[str, Any]] = []
    conv_meta: dict[str, dict[str, Any]] = {}
    for order, utt in enumerate(corpus.iter_utterances()):
        speaker = utt.speaker
        raw_role = get_role(speaker)
        if raw_role is None and callable(role):
            continue
        if raw_role is None:
            raise CorpusError(
                f"speaker {speaker.id!r} has no {role!r} metadata: pass role='field' or a function speaker -> role"
            )
        mapped = roles.get(str(raw_role).strip().lower())
        if mapped is None:
            raise CorpusError(
                f"speaker {speaker.id!r} has role {raw_role!r}, which is neither therapist nor client; "
                "map it with role_values={...: 'therapist' or 'client'}"
            )
        cid = str(utt.conversation_id)
        row = {
            "utterance_id": str(utt.id),
            "session_id": cid,
            "role": mapped,
            "speaker_id": str(speaker.id),
            "text": "" if utt.text is None else str(utt.text),
            "reply_to": None if utt.reply_to is None else str(utt.reply_to),
            "timestamp": utt.timestamp,
            "_order": order,
        }
        if utterance_meta:
            for key, value in _meta(utt).items():
                if key in TOPIC_FIELDS:
                    continue
                name = f"utt_{key}" if key in row or key in REQUIRED_COLUMNS else str(key)
                row[name] = _scalar(value)
        rows.append(row)
        if conversation_meta and cid not in conv_meta:
            conv_meta[cid] = _meta(corpus.get_conversation(cid))
    if not rows:
        raise CorpusError("the ConvoKit corpus has no utterances with a therapist or client speaker")
    table = pd.DataFrame(rows)
    timed = table.groupby("session_id")["timestamp"].transform(lambda s: s.notna().all())
    key = table["timestamp"].where(timed.astype(bool), None)
    table["_key"] = [
        k if k is not None and not (isinstance(k, float) and pd.isna(k)) else o
        for k, o in zip(key, table["_order"], strict=True)
    ]
    table = table.sort_values(["session_id", "_key", "_order"], kind="stable")
    table["turn"] = table.groupby("session_id").cumcount()
    table = table.drop(columns=["_key", "_order"] + (["timestamp"] if table["timestamp"].isna().all() else []))
    if conversation_meta and any(conv_meta.values()):
        taken = set(table.columns) | {"timestamp"}
        meta = pd.DataFrame(
            [
                {"session_id": cid, **{(f"conv_{k}" if k in taken else str(k)): _scalar(v) for k, v in m.items()}}
                for cid, m in conv_meta.items()
            ]
        )
        table = table.merge(meta, on="session_id", how="left")
    return validate_corpus(table.reset_index(drop=True))


WRITTEN_MARK = "topics_toolkit_fields"
"""Corpus metadata key listing the utterance fields :func:`add_topics` wrote (so a second call may replace them)."""


def add_topics(corpus: Any, assignments: pd.DataFrame, *, prefix: str = "topic") -> Any:
    """Write topics into a ConvoKit corpus as utterance metadata (in place, like ConvoKit's transformers).

    Parameters
    ----------
    corpus : convokit.Corpus
        The corpus the table came from (utterance ids are ConvoKit's).
    assignments : pandas.DataFrame
        A run's per-remark table (``analysis.assignments``: curated when a ledger was applied):
        ``utterance_id``, ``topic``, ``label`` and, when curated, ``bucket``.
    prefix : str, default "topic"
        The fields are ``<prefix>``, ``<prefix>_label`` and ``<prefix>_bucket``.

    Returns
    -------
    convokit.Corpus
        The same corpus: every utterance gets ``topic`` (int; -1 for a remark without a topic; ``None`` for
        utterances that were not modelled: client turns, left-out remarks), ``topic_label`` and
        ``topic_bucket`` (the set-aside bucket or ``"outliers"``; empty for a remark in a topic).

    Raises
    ------
    InputError
        An utterance already has one of these fields and this function did not write it (the corpus metadata
        ``topics_toolkit_fields`` records what it wrote): the user's own values are never overwritten; pass
        another ``prefix``. Nothing is changed then.
    """
    if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", prefix):
        raise InputError(f"prefix must be a short identifier (letters, digits, _), got {prefix!r}")
    fields = (prefix, f"{prefix}_label", f"{prefix}_bucket")
    corpus_meta = _meta(corpus)
    ours = set(corpus_meta.get(WRITTEN_MARK) or [])
    for utt in corpus.iter_utterances():
        taken = [f for f in fields if f in _meta(utt) and f not in ours]
        if taken:
            raise InputError(
                f"utterance {utt.id!r} already has metadata {taken[0]!r} that this toolkit did not "
                f"write; it is kept: pass prefix='bertopic' (or another) to write the topics beside it"
            )
    buckets = (
        assignments["bucket"].astype(str)
        if "bucket" in assignments.columns
        else pd.Series(["outliers" if t == -1 else "" for t in assignments["topic"]], index=assignments.index)
    )
    by_id = {
        str(u): (int(t), str(lab), str(b))
        for u, t, lab, b in zip(
            assignments["utterance_id"], assignments["topic"], assignments["label"], buckets, strict=True
        )
    }
    for utt in corpus.iter_utterances():
        values = by_id.get(str(utt.id), (None, None, None))
        for name, value in zip(fields, values, strict=True):
            utt.meta[name] = value
    corpus.meta[WRITTEN_MARK] = sorted(ours | set(fields))
    return corpus


# ---------------------------------------------------------------------------------------------- corpus folders
CONVOKIT_MAX_BYTES = 1 << 30
"""Largest file of a ConvoKit folder :func:`read_convokit_folder` reads by default (1 GiB)."""

CONVOKIT_MAX_DEPTH = 64
"""Deepest nesting of JSON accepted in a ConvoKit folder (metadata of real corpora nests a few levels)."""

_BIN_VALUE = re.compile(r"<##bin\{\d+\}&&@\*\*>")  # ConvoKit's placeholder for a value kept in a *-bin.p pickle
_INDEX_KEYS = {"utterance": "utterances-index", "speaker": "speakers-index", "conversation": "conversations-index"}


@dataclass
class _Speaker:
    id: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Conversation:
    id: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Utterance:
    id: str
    speaker: _Speaker
    conversation_id: str
    reply_to: str | None
    timestamp: float | int | None
    text: str | None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _FolderCorpus:
    """The part of ConvoKit's ``Corpus`` API that :func:`from_convokit` uses, filled from JSON files."""

    utterances: list[_Utterance]
    conversations: dict[str, _Conversation]

    def iter_utterances(self) -> Iterator[_Utterance]:
        return iter(self.utterances)

    def get_conversation(self, cid: str) -> _Conversation:
        return self.conversations.get(cid) or _Conversation(cid)


def _ident(value: Any, what: str, path: Path, line: int | None = None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CorpusError(f"{what} must be a string, not {type(value).__name__}", path=path, line=line)
    return str(value)


def _plain_meta(
    data: Any, what: str, path: Path, skipped: set[str], kind: str, bin_fields: set[str], line: int | None = None
) -> dict[str, Any]:
    """The metadata dictionary of one object, without the values that live in a pickle (named in ``skipped``)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CorpusError(f"the metadata of {what} must be a JSON object", path=path, line=line)
    meta = {}
    for key, value in data.items():
        if key in bin_fields or (isinstance(value, str) and _BIN_VALUE.fullmatch(value)):
            skipped.add(f"{kind} {key!r}")
            continue
        meta[str(key)] = value
    return meta


def _component(
    path: Path, kind: str, skipped: set[str], bin_fields: set[str], *, max_bytes: int
) -> dict[str, dict[str, Any]]:
    """``speakers.json`` / ``conversations.json``: id -> metadata (ConvoKit's ``{"meta", "vectors"}`` or bare)."""
    if not path.exists():
        return {}
    data = read_json_checked(path, max_bytes=max_bytes, max_depth=CONVOKIT_MAX_DEPTH)
    if not isinstance(data, dict):
        raise CorpusError(f"expected a JSON object of {kind} ids, found {type(data).__name__}", path=path)
    out = {}
    for key, entry in data.items():
        if isinstance(entry, dict) and "meta" in entry and set(entry) <= {"meta", "vectors"}:
            entry = entry["meta"]
        out[str(key)] = _plain_meta(entry, f"{kind} {key!r}", path, skipped, kind, bin_fields)
    return out


def _utterance_rows(path: Path, max_bytes: int) -> Iterator[tuple[int | None, Any]]:
    """(line, parsed object) of ``utterances.jsonl``, or of the older ``utterances.json`` list."""
    if path.stat().st_size > max_bytes:
        raise InputError(f"refusing to read a file larger than {max_bytes:,} bytes", path=path)
    if path.suffix == ".json":
        data = read_json_checked(path, max_bytes=max_bytes, max_depth=CONVOKIT_MAX_DEPTH)
        if not isinstance(data, list):
            raise CorpusError("expected a JSON list of utterances", path=path)
        yield from ((None, item) for item in data)
        return
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                raise InputError("the line is not UTF-8 text", path=path, line=number) from None
            except RecursionError:
                raise CorpusError(
                    f"JSON nested more than {CONVOKIT_MAX_DEPTH} levels deep", path=path, line=number
                ) from None
            except ValueError as err:
                raise CorpusError(f"not a JSON line: {err}", path=path, line=number) from None
            if json_depth(item) > CONVOKIT_MAX_DEPTH:
                raise CorpusError(f"JSON nested more than {CONVOKIT_MAX_DEPTH} levels deep", path=path, line=number)
            yield number, item


def _bin_fields(folder: Path, max_bytes: int) -> dict[str, set[str]]:
    """Per kind (utterance, speaker, conversation), the metadata fields ``index.json`` says are pickled."""
    path = folder / "index.json"
    index = read_json_checked(path, max_bytes=max_bytes, max_depth=CONVOKIT_MAX_DEPTH) if path.exists() else {}
    if not isinstance(index, dict):
        raise CorpusError("expected a JSON object (ConvoKit's metadata index)", path=path)
    fields: dict[str, set[str]] = {}
    for kind, key in _INDEX_KEYS.items():
        entry = index.get(key) or {}
        if not isinstance(entry, dict):
            raise CorpusError(f"{key!r} must be a JSON object", path=path)
        fields[kind] = {str(name) for name, types in entry.items() if isinstance(types, list) and "bin" in types}
    return fields


def read_convokit_folder(
    folder: str | Path,
    *,
    role: str | Callable[[Any], Any] = "role",
    role_values: Mapping[str, str] | None = None,
    conversation_meta: bool = True,
    utterance_meta: bool = True,
    max_bytes: int = CONVOKIT_MAX_BYTES,
) -> pd.DataFrame:
    """The utterance table of a ConvoKit corpus folder, read from its JSON files only: no pickle is ever loaded.

    ConvoKit's ``Corpus(filename=folder)`` unpickles the folder's ``*-bin.p`` files (metadata such as arrays
    that JSON cannot hold), and unpickling runs whatever code the file names: load a folder that way only when
    you trust where it came from. This reader reads ``utterances.jsonl`` (or the older ``utterances.json``),
    ``speakers.json`` (or ``users.json``), ``conversations.json`` and ``index.json``; it never opens a
    ``*-bin.p`` file nor imports ConvoKit, and the metadata fields kept in pickles are left out, with a warning
    naming them. Vectors and ``corpus.json`` (corpus-wide metadata) are not read.

    Parameters
    ----------
    folder : str or Path
        The folder ``Corpus.dump`` wrote (e.g. ``~/.convokit/saved-corpora/NAME``).
    role, role_values, conversation_meta, utterance_meta
        As in :func:`from_convokit` (a ``role`` function gets a speaker with ``id`` and ``meta``).
    max_bytes : int, default :data:`CONVOKIT_MAX_BYTES`
        Largest file read; JSON is refused beyond :data:`CONVOKIT_MAX_DEPTH` levels of nesting.

    Returns
    -------
    pandas.DataFrame
        As :func:`from_convokit`: validated, one row per utterance, a conversation per session.

    Raises
    ------
    InputError
        Not a folder, no utterances file, a file too large, not UTF-8 or not JSON, an utterance without an
        id, a conversation id or a speaker, a value of the wrong kind (a :class:`CorpusError`, naming the file
        and line), or anything :func:`from_convokit` refuses.

    Warns
    -----
    UserWarning
        The folder keeps metadata in pickles (``*-bin.p`` files, ``index.json`` fields of type ``bin``):
        the fields left out are named.

    Examples
    --------
    >>> table = read_convokit_folder("saved-corpora/my-sessions", role="role")   # doctest: +SKIP
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such ConvoKit corpus folder", path=folder)
    utterance_file = next((folder / n for n in ("utterances.jsonl", "utterances.json") if (folder / n).is_file()), None)
    if utterance_file is None:
        raise InputError("not a ConvoKit corpus folder: no utterances.jsonl (or utterances.json)", path=folder)
    bins = _bin_fields(folder, max_bytes)
    skipped = {f"file {p.name!r}" for p in folder.glob("*-bin.p")}
    speaker_file = folder / ("speakers.json" if (folder / "speakers.json").exists() else "users.json")
    speakers = _component(speaker_file, "speaker", skipped, bins["speaker"], max_bytes=max_bytes)
    conversations = {
        cid: _Conversation(cid, meta)
        for cid, meta in _component(
            folder / "conversations.json", "conversation", skipped, bins["conversation"], max_bytes=max_bytes
        ).items()
    }
    speaker_objects: dict[str, _Speaker] = {}
    utterances = []
    for line, item in _utterance_rows(utterance_file, max_bytes):
        if not isinstance(item, dict):
            raise CorpusError("an utterance must be a JSON object", path=utterance_file, line=line)
        uid = _ident(item.get("id"), "the utterance 'id'", utterance_file, line)
        cid = _ident(
            item.get("conversation_id", item.get("root")), f"utterance {uid!r}: 'conversation_id'", utterance_file, line
        )
        sid = _ident(item.get("speaker", item.get("user")), f"utterance {uid!r}: 'speaker'", utterance_file, line)
        reply_to = item.get("reply-to", item.get("reply_to"))
        text, timestamp = item.get("text"), item.get("timestamp")
        if reply_to is not None:
            reply_to = _ident(reply_to, f"utterance {uid!r}: 'reply-to'", utterance_file, line)
        if text is not None and not isinstance(text, str):
            raise CorpusError(f"utterance {uid!r}: 'text' must be a string", path=utterance_file, line=line)
        if timestamp is not None and (isinstance(timestamp, bool) or not isinstance(timestamp, (int, float))):
            raise CorpusError(
                f"utterance {uid!r}: 'timestamp' must be a number or null", path=utterance_file, line=line
            )
        if sid not in speaker_objects:
            speaker_objects[sid] = _Speaker(sid, speakers.get(sid, {}))
        meta = _plain_meta(
            item.get("meta"), f"utterance {uid!r}", utterance_file, skipped, "utterance", bins["utterance"], line
        )
        utterances.append(_Utterance(uid, speaker_objects[sid], cid, reply_to, timestamp, text, meta))
    if skipped:
        warnings.warn(
            f"{folder}: left out metadata that ConvoKit keeps in pickles, which are never loaded: "
            f"{', '.join(sorted(skipped))}",
            UserWarning,
            stacklevel=2,
        )
    corpus = _FolderCorpus(utterances, conversations)
    return from_convokit(
        corpus, role=role, role_values=role_values, conversation_meta=conversation_meta, utterance_meta=utterance_meta
    )
