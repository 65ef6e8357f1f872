"""ConvoKit corpus folders read from their JSON files alone: a pickled ``*-bin.p`` file is never loaded.

ConvoKit's ``Corpus(filename=...)`` unpickles the ``*-bin.p`` files of a folder (metadata JSON cannot hold);
a hostile folder runs code that way. :func:`read_convokit_folder` reads the JSON files only.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import warnings
from pathlib import Path

import pandas as pd
import pytest

from topics.errors import CorpusError, InputError
from topics.read import convokit as from_convokit
from topics.read.convokit_corpus import read_convokit_folder

BIN = "<##bin{0}&&@**>"


class _Marker:
    """Unpickling this opens (so creates) the marker file: the stand-in for any code a pickle can run."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def write_folder(folder: Path, utterances: list[dict], *, speakers=None, conversations=None, index=None) -> Path:
    """A ConvoKit-format folder, as ``Corpus.dump`` writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "utterances.jsonl").write_text("".join(json.dumps(u) + "\n" for u in utterances), encoding="utf-8")
    speakers = (
        speakers
        if speakers is not None
        else {"th": {"meta": {"role": "counselor"}, "vectors": []}, "cl": {"meta": {"role": "client"}, "vectors": []}}
    )
    (folder / "speakers.json").write_text(json.dumps(speakers), encoding="utf-8")
    conversations = conversations if conversations is not None else {"s1": {"meta": {"school": "MI"}, "vectors": []}}
    (folder / "conversations.json").write_text(json.dumps(conversations), encoding="utf-8")
    (folder / "corpus.json").write_text("{}", encoding="utf-8")
    index = (
        index
        if index is not None
        else {
            "utterances-index": {},
            "speakers-index": {"role": ["<class 'str'>"]},
            "conversations-index": {},
            "overall-index": {},
            "version": 1,
        }
    )
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return folder


def utterance(uid: str, speaker: str, text: str, *, reply_to=None, timestamp=None, meta=None, cid="s1") -> dict:
    return {
        "id": uid,
        "conversation_id": cid,
        "text": text,
        "speaker": speaker,
        "meta": meta or {},
        "reply-to": reply_to,
        "timestamp": timestamp,
        "vectors": [],
    }


ROWS = [
    utterance("s1-0", "th", "What brings you in?", timestamp=10, meta={"code": "question"}),
    utterance("s1-2", "th", "Work has been a lot. 😀", reply_to="s1-1", timestamp=30, meta={"code": "reflection"}),
    utterance("s1-1", "cl", "Work, mostly.", reply_to="s1-0", timestamp=20),
]


def hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A folder whose ``code`` metadata lives in ``code-bin.p``, a pickle that creates a marker file."""
    marker = tmp_path / "pwned"
    rows = [dict(r, meta={"code": BIN}) if r["id"] == "s1-0" else r for r in ROWS]
    index = {
        "utterances-index": {"code": ["bin"]},
        "speakers-index": {"role": ["<class 'str'>"]},
        "conversations-index": {},
        "overall-index": {},
        "version": 1,
    }
    folder = write_folder(tmp_path / "corpus", rows, index=index)
    (folder / "code-bin.p").write_bytes(pickle.dumps([_Marker(marker)]))
    return folder, marker


def test_a_convokit_folder_reads_from_its_json_files(tmp_path):
    table = read_convokit_folder(write_folder(tmp_path / "c", ROWS))
    assert table["utterance_id"].tolist() == ["s1-0", "s1-1", "s1-2"]  # by timestamp
    assert table["role"].tolist() == ["therapist", "client", "therapist"]
    assert table["reply_to"].tolist()[1:] == ["s1-0", "s1-1"]
    assert table["code"].tolist()[::2] == ["question", "reflection"] and set(table["school"]) == {"MI"}
    assert table["text"].iloc[2].endswith("😀")


def test_a_pickle_in_the_folder_is_never_loaded(tmp_path):
    folder, marker = hostile_folder(tmp_path)
    with pytest.warns(UserWarning, match=r"pickles.*'code-bin\.p'.*utterance 'code'"):
        table = read_convokit_folder(folder)
    assert not marker.exists()
    assert "code" not in table.columns and len(table) == 3


def test_the_hostile_folder_does_run_code_in_convokits_own_loader(tmp_path):
    """The payload above is real: ConvoKit's Corpus(filename=...) runs it (why the README says: trusted only)."""
    convokit = pytest.importorskip("convokit")
    folder, marker = hostile_folder(tmp_path)
    with warnings.catch_warnings(), contextlib.suppress(Exception):  # the unpickled value is no metadata list
        warnings.simplefilter("ignore")
        convokit.Corpus(filename=str(folder))
    assert marker.exists()


def test_a_folder_dumped_by_convokit_reads_like_the_corpus(tmp_path):
    convokit = pytest.importorskip("convokit")
    np = pytest.importorskip("numpy")
    speakers = {s: convokit.Speaker(id=s, meta={"role": r}) for s, r in [("th", "counselor"), ("cl", "client")]}
    corpus = convokit.Corpus(
        utterances=[
            convokit.Utterance(
                id=r["id"],
                speaker=speakers[r["speaker"]],
                conversation_id=r["conversation_id"],
                reply_to=r["reply-to"],
                timestamp=r["timestamp"],
                text=r["text"],
                meta=dict(r["meta"]),
            )
            for r in ROWS
        ]
    )
    corpus.get_conversation("s1").meta["school"] = "MI"
    expected = from_convokit(corpus)
    corpus.get_utterance("s1-0").meta["vector"] = np.arange(3)  # JSON cannot hold it: ConvoKit pickles it
    corpus.dump("dumped", base_path=str(tmp_path))
    assert (tmp_path / "dumped" / "vector-bin.p").is_file()
    with pytest.warns(UserWarning, match="utterance 'vector'"):
        table = read_convokit_folder(tmp_path / "dumped")
    pd.testing.assert_frame_equal(table, expected)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f: (f / "utterances.jsonl").unlink(), InputError, "no utterances.jsonl"),
        (
            lambda f: (f / "utterances.jsonl").write_text(json.dumps(utterance("u", "th", "x")) + "\n{\n"),
            CorpusError,
            "line 2: not a JSON line",
        ),
        (
            lambda f: (f / "utterances.jsonl").write_text(
                json.dumps({"id": "u", "conversation_id": "s1", "text": "x"})
            ),
            CorpusError,
            "line 1: utterance 'u': 'speaker' must be a string",
        ),
        (
            lambda f: (f / "utterances.jsonl").write_text(json.dumps(utterance("u", "th", 5))),
            CorpusError,
            "'text' must be a string",
        ),
        (
            lambda f: (f / "utterances.jsonl").write_text(json.dumps(utterance("u", "th", "x", timestamp="noon"))),
            CorpusError,
            "'timestamp' must be a number",
        ),
        (
            lambda f: (f / "utterances.jsonl").write_text('{"id": "u", "meta": ' + "[" * 5000 + "]" * 5000 + "}"),
            CorpusError,
            "nested more than 64 levels",
        ),
        (lambda f: (f / "speakers.json").write_text("[1, 2]"), CorpusError, "speakers.json: expected a JSON object"),
        (lambda f: (f / "speakers.json").write_text("[" * 100_000 + "]" * 100_000), InputError, "nested more than"),
        (lambda f: (f / "index.json").write_text("{"), InputError, "index.json, line 1: not valid JSON"),
    ],
)
def test_broken_folders_are_one_line(tmp_path, change, error, message):
    folder = write_folder(tmp_path / "c", ROWS)
    change(folder)
    with pytest.raises(error, match=message) as info:
        read_convokit_folder(folder)
    assert "\n" not in str(info.value) and str(folder) in str(info.value)


def test_a_file_above_the_size_cap_is_refused_before_reading(tmp_path):
    folder = write_folder(tmp_path / "c", ROWS)
    with pytest.raises(InputError, match="larger than 100 bytes"):
        read_convokit_folder(folder, max_bytes=100)
    with pytest.raises(InputError, match="no such ConvoKit corpus folder"):
        read_convokit_folder(tmp_path / "missing")
