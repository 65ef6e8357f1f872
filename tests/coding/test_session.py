"""``LabellingSession``: the notebook API of the workbench's Codes view (queue, label file, retrain, agreement)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.coding.conftest import REMARKS
from topics.coding import NONE_CODE, LabelFile, is_held_out
from topics.coding.session import QUEUE_COLUMNS, LabellingSession
from topics.errors import InputError

TRUTH = {
    "cigarettes every day": "smoking",
    "smoking tobacco again": "smoking",
    "beer and wine": "drinking",
    "alcohol drinking at night": "drinking",
    "more cigarettes": "smoking",
    "wine with dinner": "drinking",
    "tobacco smoking": "smoking",
    "drinking beer": "drinking",
    "the weather is nice": NONE_CODE,
    "cigarettes and tobacco": "smoking",
    "alcohol beer": "drinking",
    "nothing at all": NONE_CODE,
}


def _session(toy_book, path, embedder, **kw) -> LabellingSession:
    table = REMARKS.assign(session_id=REMARKS["utterance_id"].str.split("-").str[0])
    return LabellingSession(toy_book, table, path, embedder=embedder, author="A. Expert", **kw)


def test_label_retrain_and_check_on_held_out_labels(toy_book, fake_embedder, tmp_path):
    path = tmp_path / "labels.yaml"
    session = _session(toy_book, path, fake_embedder, held_out=0.3, temperature=0.1)
    calls = fake_embedder.calls  # the remarks (once) and the codebook's texts
    assert session.coder.mode_ == "zero-shot" and session.agreement() is None
    queue = session.queue(5)
    assert list(queue.columns) == QUEUE_COLUMNS and len(queue) == 5
    train = queue[~queue["held_out"]]
    assert train["probability"].is_monotonic_increasing  # least sure first (the check remarks: at random)
    assert queue["held_out"].tolist() == is_held_out(queue["utterance_id"], 0.3).tolist()
    # label every remark by its truth, in queue order
    while len(queue := session.queue(3)):
        uid = queue["utterance_id"].iloc[0]
        text = REMARKS.set_index("utterance_id").loc[uid, "text"]
        session.label(uid, TRUTH[text])
    held = is_held_out(REMARKS["utterance_id"], 0.3)
    assert held.any() and not held.all()  # the toy ids give both kinds at 30%
    assert session.coder.mode_ == "zero-shot"  # labelling alone does not retrain
    coder = session.retrain()
    assert coder is session.coder and coder.mode_ == "few-shot" and session.version == 1
    assert coder.n_labels_ == int((~held).sum())
    # the remarks were embedded once: a retrain embeds only the codebook's texts (one call per fit)
    assert fake_embedder.calls == calls + 1
    result = session.agreement()
    assert result is not None and result.n == int(held.sum())
    counts = session.counts().set_index("code")
    assert list(counts.index) == toy_book.labels
    assert counts["total"].sum() == len(REMARKS) and counts["held_out"].sum() == int(held.sum())
    truth = pd.Series(TRUTH).value_counts()
    assert counts["total"].to_dict() == {c: int(truth.get(c, 0)) for c in toy_book.labels}
    written = LabelFile(path, toy_book.labels).table()
    assert len(written) == len(REMARKS) and set(written["author"]) == {"A. Expert"}
    assert written["time"].str.match(r"^20\d\d-\d\d-\d\dT").all()


def test_labels_are_appended_and_survive_a_new_session(toy_book, fake_embedder, tmp_path):
    path = tmp_path / "labels.csv"
    first = _session(toy_book, path, fake_embedder)
    uid = REMARKS["utterance_id"].iloc[0]
    first.label(uid, "smoking")
    before = path.read_bytes()
    first.label(uid, "drinking", author="B. Second", rationale="on second thought")  # relabel: a new entry
    assert path.read_bytes().startswith(before)
    again = _session(toy_book, path, fake_embedder)  # a reload (the page reopened, the workbench restarted)
    history = again.labels()
    assert history[["utterance_id", "code", "author"]].values.tolist() == [
        [uid, "smoking", "A. Expert"],
        [uid, "drinking", "B. Second"],
    ]
    assert again.current()["code"].tolist() == ["drinking"]  # the latest label counts
    assert uid not in set(again.queue(50)["utterance_id"])  # a labelled remark leaves the queue
    assert again.summary()["labels"] == 2 and again.summary()["labelled_remarks"] == 1


def test_what_a_label_may_be(toy_book, fake_embedder, tmp_path):
    path = tmp_path / "labels.yaml"
    session = _session(toy_book, path, fake_embedder)
    uid = REMARKS["utterance_id"].iloc[0]
    with pytest.raises(InputError, match="unknown code"):
        session.label(uid, "<b>not a code</b>")
    with pytest.raises(InputError, match="no remark"):
        session.label("nobody-1", "smoking")
    session.author = None
    with pytest.raises(InputError, match="who is labelling"):
        session.label(uid, "smoking")
    assert not path.exists()  # nothing was written
    session.label(uid, NONE_CODE, author="C")
    assert LabelFile(path).table()["code"].tolist() == [NONE_CODE]


def test_a_queue_for_one_code_and_skips(toy_book, fake_embedder, tmp_path):
    session = _session(toy_book, tmp_path / "labels.yaml", fake_embedder, temperature=0.1)
    queue = session.queue(12, "smoking")
    assert "p_code" in queue.columns and len(queue) == 12
    doubt = (queue["p_code"] - 0.5).abs()[~queue["held_out"]]
    assert doubt.is_monotonic_increasing  # least sure whether the code applies first
    first = queue["utterance_id"].iloc[0]
    assert first not in set(session.queue(12, "smoking", exclude=[first])["utterance_id"])
    with pytest.raises(InputError, match="unknown code"):
        session.queue(5, "gambling")


def test_foreign_labels_and_bad_inputs(toy_book, fake_embedder, tmp_path):
    path = tmp_path / "labels.yaml"
    LabelFile(path, toy_book.labels).append([{"utterance_id": "elsewhere-1", "code": "smoking"}], author="X")
    session = _session(toy_book, path, fake_embedder)
    assert session.summary()["unknown_remarks"] == 1 and session.current().empty
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics_labels: 1\nlabels:\n- utterance_id: s0-0\n  code: gambling\n")
    with pytest.raises(InputError, match="bad.yaml, line 3.*unknown code"):
        _session(toy_book, bad, fake_embedder)
    with pytest.raises(InputError, match="one row per remark"):
        LabellingSession(toy_book, REMARKS, tmp_path / "l.yaml", embeddings=np.zeros((3, 4)))
    with pytest.raises(InputError, match="unique"):
        LabellingSession(toy_book, pd.concat([REMARKS, REMARKS]), tmp_path / "l.yaml", embedder=fake_embedder)


def test_the_labels_held_back_are_drawn_at_random_not_the_least_sure(toy_book, fake_embedder, tmp_path):
    """Following the queue, about ``held_out`` of the labels are held back, and those are remarks in a random
    order: were they the least sure ones, the agreement on them would understate the coder's."""
    remarks = pd.DataFrame(
        {
            "utterance_id": [f"r{i}" for i in range(200)],
            "text": [f"{'cigarettes tobacco' if i % 2 else 'beer wine'} remark number {i}" for i in range(200)],
        }
    )
    session = LabellingSession(toy_book, remarks, tmp_path / "l.yaml", embedder=fake_embedder, author="A")
    held = is_held_out(remarks["utterance_id"])
    order = []
    for _ in range(50):
        row = session.queue(1).iloc[0]
        order.append((row["utterance_id"], bool(row["held_out"])))
        session.label(row["utterance_id"], "smoking")
    flags = [h for _, h in order]
    assert abs(sum(flags) - 0.2 * len(flags)) <= 1  # one label in five checks the coder
    assert flags[0]  # the first label already checks (the held-out share starts at its target)
    # the check remarks are not taken in the coder's order of doubt
    ranked = session.coder.next_to_label(remarks[held.to_numpy()], int(held.sum()))
    checks = [u for u, h in order if h]
    assert checks != ranked["utterance_id"].head(len(checks)).tolist()
    counts = session.counts()
    assert counts["held_out"].sum() == sum(flags)


def test_the_same_words_are_offered_once(toy_book, fake_embedder, tmp_path):
    """A remark whose text (case and spacing aside) is already labelled, skipped or in the queue is not offered."""
    twins = pd.DataFrame(
        {
            "utterance_id": ["t1-0", "t1-1", "t2-0", "t2-1", "t3-0"],
            "text": ["beer and wine", "Beer and  wine", "more cigarettes", "beer and wine", "the weather is nice"],
        }
    )
    session = LabellingSession(toy_book, twins, tmp_path / "labels.yaml", embedder=fake_embedder, author="A")
    queue = session.queue(10)
    texts = [" ".join(t.lower().split()) for t in queue["text"]]
    assert sorted(texts) == ["beer and wine", "more cigarettes", "the weather is nice"]
    first = queue.loc[[t == "beer and wine" for t in texts], "utterance_id"].iloc[0]
    session.label(first, "drinking")
    assert not any(" ".join(t.lower().split()) == "beer and wine" for t in session.queue(10)["text"])
    skipped = session.queue(10, exclude=["t2-0"])
    assert skipped["text"].tolist() == ["the weather is nice"]
