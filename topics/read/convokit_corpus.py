"""ConvoKit corpora (Cornell Conversational Analysis Toolkit) in and out of the utterance table.

ConvoKit's model is a :class:`convokit.Corpus` of speakers, utterances (with ``reply_to``) and
conversations, each with metadata. :func:`from_convokit` (``topics.read.convokit``) turns one into the
utterance table (a conversation is a session; a speaker's role comes from one of its metadata fields or
from a function); :func:`add_topics` writes a run's topics back as utterance metadata, so that ConvoKit's
own transformers and analyses can use them.

Both only call ConvoKit's public object API, so ConvoKit is needed only to build a corpus: install it with
``pip install convokit`` (the toolkit does not import it). Nothing is downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from topics.errors import CorpusError
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


def add_topics(corpus: Any, assignments: pd.DataFrame) -> Any:
    """Write topics into a ConvoKit corpus as utterance metadata (in place, like ConvoKit's transformers).

    Parameters
    ----------
    corpus : convokit.Corpus
        The corpus the table came from (utterance ids are ConvoKit's).
    assignments : pandas.DataFrame
        A run's per-remark table (``analysis.assignments``: curated when a ledger was applied):
        ``utterance_id``, ``topic``, ``label`` and, when curated, ``bucket``.

    Returns
    -------
    convokit.Corpus
        The same corpus: every utterance gets ``topic`` (int; -1 for a remark without a topic; ``None`` for
        utterances that were not modelled: client turns, left-out remarks), ``topic_label`` and
        ``topic_bucket`` (the set-aside bucket or ``"outliers"``; empty for a remark in a topic).
    """
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
        topic, label, bucket = by_id.get(str(utt.id), (None, None, None))
        utt.meta["topic"] = topic
        utt.meta["topic_label"] = label
        utt.meta["topic_bucket"] = bucket
    return corpus
