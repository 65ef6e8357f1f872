"""Label files: appended atomically, never rewritten, read back exactly; hostile files refused in one line."""

from __future__ import annotations

import pandas as pd
import pytest

from topics.coding import NONE_CODE, LabelFile, is_held_out, latest
from topics.errors import InputError

CODES = ["question", "reflection", NONE_CODE]


@pytest.mark.parametrize("suffix", ["yaml", "csv"])
def test_labels_round_trip_and_appending_never_changes_earlier_bytes(tmp_path, suffix):
    path = tmp_path / f"labels.{suffix}"
    store = LabelFile(path, CODES)
    assert store.read() == []
    n = store.append(
        [
            {"utterance_id": "u1", "code": "question", "author": "A", "rationale": "asks why"},
            {"utterance_id": "u2", "code": "reflection"},
        ],
        author="B",
    )
    assert n == 2
    before = path.read_bytes()
    n = store.append(pd.DataFrame({"utterance_id": ["u1", "=cmd()"], "code": ["reflection", NONE_CODE]}), author="C")
    assert n == 4
    assert path.read_bytes().startswith(before)  # the old bytes are untouched
    assert (tmp_path / f"labels.{suffix}.bak").read_bytes() == before
    table = LabelFile(path, CODES).table()
    assert table["utterance_id"].tolist() == ["u1", "u2", "u1", "=cmd()"]
    assert table["author"].tolist() == ["A", "B", "C", "C"]
    assert table.loc[0, "rationale"] == "asks why"
    assert all(t.endswith("+00:00") for t in table["time"])
    current = latest(table)
    assert dict(zip(current["utterance_id"], current["code"], strict=True)) == {
        "u1": "reflection",
        "u2": "reflection",
        "=cmd()": NONE_CODE,
    }
    if suffix == "csv":
        assert "'=cmd()" in path.read_text()  # a spreadsheet shows it as text


def test_a_label_with_an_unknown_code_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "labels.yaml"
    store = LabelFile(path, CODES)
    store.append([{"utterance_id": "u1", "code": "question"}])
    before = path.read_bytes()
    with pytest.raises(InputError, match="unknown code 'advice'"):
        store.append([{"utterance_id": "u2", "code": "question"}, {"utterance_id": "u3", "code": "advice"}])
    assert path.read_bytes() == before


def test_a_label_file_that_would_not_read_back_is_not_appended_to(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text("topics_labels: 1\nlabels: []\n")
    with pytest.raises(InputError):
        LabelFile(path).append([{"utterance_id": "u1", "code": "question"}])
    assert path.read_text() == "topics_labels: 1\nlabels: []\n"


@pytest.mark.parametrize(
    "name, body, needle, line",
    [
        (
            "l.yaml",
            "topics_labels: 1\nlabels:\n- utterance_id: u1\n  code: question\n- utterance_id: u2\n",
            "'code' is missing",
            5,
        ),
        ("l.yaml", "topics_labels: 1\nlabels:\n- &a {utterance_id: u1, code: question}\n- *a\n", "aliases", 3),
        (
            "l.yaml",
            "topics_labels: 1\nlabels:\n- utterance_id: u1\n  code: question\n  mood: happy\n",
            "unknown field",
            3,
        ),
        ("l.yaml", "labels: 3\nother: 1\n", "a mapping with", 1),
        ("l.csv", "utterance_id,code,author,time,rationale\nu1,question,a,t,\nu2,question\n", "2 fields", 3),
        ("l.csv", "id,code\nu1,question\n", "the header must be", 1),
        ("l.csv", "utterance_id,code,author,time,rationale\nu1,advice,a,t,\n", "unknown code", 2),
    ],
)
def test_broken_label_files_are_refused_in_one_line(tmp_path, name, body, needle, line):
    path = tmp_path / name
    path.write_text(body)
    with pytest.raises(InputError, match=needle) as err:
        LabelFile(path, CODES).read()
    text = str(err.value)
    assert "\n" not in text and str(path) in text and f"line {line}" in text


def test_an_oversized_label_file_is_refused(tmp_path, monkeypatch):
    from topics.coding import labels

    monkeypatch.setattr(labels, "MAX_LABEL_BYTES", 50)
    path = tmp_path / "l.csv"
    path.write_text("utterance_id,code,author,time,rationale\n" + "u,question,a,t,\n" * 10)
    with pytest.raises(InputError, match="larger than 50 bytes"):
        LabelFile(path).read()


def test_held_out_remarks_depend_on_their_id_only():
    ids = [f"u{i}" for i in range(2000)]
    held = is_held_out(ids, 0.2)
    assert 0.17 < held.mean() < 0.23
    assert is_held_out(ids[:100], 0.2).tolist() == held[:100].tolist()  # adding remarks moves none
    assert not is_held_out(ids, 0.0).any() and is_held_out(ids, 1.0).all()


def test_a_label_file_in_a_run_folder_survives_a_refit(tmp_path):
    from topics.runs import carry_over_user_files

    old, new = tmp_path / "run", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    LabelFile(old / "labels.yaml", CODES).append([{"utterance_id": "u1", "code": "question", "author": "A"}])
    (old / "labels.csv").write_text("utterance_id,code,author,time,rationale\nu2,reflection,B,t,\n")
    copied = {p.name for p in carry_over_user_files(old, new)}
    assert {"labels.yaml", "labels.csv"} <= copied
    assert LabelFile(new / "labels.yaml", CODES).table()["utterance_id"].tolist() == ["u1"]
