"""Stateful property tests of the curation layer, and merging two experts' ledgers, on a tiny model built in memory.

The model is a :class:`~topics.model.TopicModel` whose tables are written by hand (six topics of 8 to 40
remarks, each made of two sub-clusters, and ten outliers) and whose embedder is a lookup table: no fit, no
embedding model, so that a few hundred curation actions take seconds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from topics.config import TopicConfig
from topics.curate import CurationConflict, CurationSession, Ledger, LedgerError, apply_ledger, merged_ledger
from topics.curate.agreement import trace_raw_topics
from topics.curate.view import CuratedView
from topics.model import OUTLIER, TopicModel
from topics.model.words import keyword_label

SIZES = {0: 40, 1: 30, 2: 24, 3: 16, 4: 12, 5: 8}
N_OUTLIERS = 10
WORDS = {
    0: ["smoking", "cigarettes", "nicotine"],
    1: ["drinking", "alcohol", "beer"],
    2: ["family", "children", "parents"],
    3: ["work", "job", "boss"],
    4: ["sleep", "night", "tired"],
    5: ["exercise", "walking", "gym"],
    OUTLIER: ["weather", "traffic", "coffee"],
}
SUB_WORDS = ("morning", "evening")


class _LookupEmbedder:
    """Embeds a text by looking it up (every remark's vector is fixed when the tiny model is built)."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts]).astype(np.float32)


class TinyModel(TopicModel):
    """A TopicModel with hand-made tables: its word scores come from ``topics_`` instead of BERTopic."""

    def word_scores(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"topic": int(t), "word": w, "score": 1.0 / (k + 1), "rank": k}
                for t, words in zip(self.topics_["topic"], self.topics_["words"], strict=True)
                for k, w in enumerate(words)
            ]
        )


def tiny_model() -> TinyModel:
    """Six topics (two sub-clusters each, so that splits are meaningful) and ten outliers, on 16 dimensions."""
    rng = np.random.default_rng(0)
    rows, table = [], {}
    plan = [(t, n) for t, n in SIZES.items()] + [(OUTLIER, N_OUTLIERS)]
    for t, n in plan:
        centre = np.zeros(16)
        centre[t + 1] = 3.0  # the outliers (-1) take dimension 0
        for i in range(n):
            sub = i % 2
            vector = centre + rng.normal(0, 0.05, 16)
            vector[8 + (t + 1) % 8] += 1.0 if sub else -1.0
            w = WORDS[t]
            text = f"{w[i % 3]} {w[(i + 1) % 3]} {SUB_WORDS[sub]} remark{len(rows)}"
            table[text] = vector
            rows.append(
                {"utterance_id": f"tiny-{len(rows)}", "session_id": f"s{len(rows) % 7}", "text": text, "topic": t}
            )
    assignments = pd.DataFrame(rows)
    labels = {t: ("outliers" if t == OUTLIER else keyword_label(WORDS[t])) for t in WORDS}
    assignments["label"] = assignments["topic"].map(labels)
    assignments["probability"] = np.where(assignments["topic"] == OUTLIER, 0.0, 1.0)
    assignments["similarity"] = 1.0
    assignments["outlier_reassigned"] = False
    ids = sorted(WORDS)
    members = {t: assignments.index[assignments["topic"] == t].tolist() for t in ids}
    model = TinyModel(TopicConfig(), embedder=_LookupEmbedder(table))  # type: ignore[arg-type]
    model.assignments_ = assignments
    model.topics_ = pd.DataFrame(
        {
            "topic": ids,
            "label": [labels[t] for t in ids],
            "size": [len(members[t]) for t in ids],
            "share": [len(members[t]) / len(assignments) for t in ids],
            "keywords": [", ".join(WORDS[t]) for t in ids],
            "words": [list(WORDS[t]) for t in ids],
            "representative_ids": [[f"tiny-{i}" for i in members[t][:3]] for t in ids],
            "representative_texts": [assignments.loc[members[t][:3], "text"].tolist() for t in ids],
        }
    )
    model.manifest_ = {"data_sha256": "tiny", "seed": model.config.seed}
    return model


MODEL = tiny_model()
RAW = sorted(SIZES)


@pytest.fixture(autouse=True)
def one_thread():
    """Splits run k-means on a few dozen remarks: one thread is ~30x faster than many on a busy machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


# ---------------------------------------------------------------------------------------------- helpers
def verbatim(entry_dict: dict[str, Any]) -> dict[str, Any]:
    """An entry as written, less its topic numbers (which a merge may renumber): what must stay verbatim."""
    out = {k: v for k, v in entry_dict.items() if k not in ("topic", "topics")}
    if "fingerprint" in out:
        out["fingerprint"] = [{k: v for k, v in fp.items() if k != "topic"} for fp in out["fingerprint"]]
    return out


def ledger_signature(book: Ledger) -> tuple[list[dict], list[dict]]:
    return [e.to_dict() for e in book.entries], [m.to_dict() for m in book.merged]


def view_signature(view: CuratedView) -> tuple:
    a = view.assignments
    return (
        view.topics[["topic", "label", "size", "notes", "custom_label"]].to_json(),
        a["topic"].tolist(),
        a["bucket"].tolist(),
        a["label"].tolist(),
    )


def remark_decisions(view: CuratedView) -> pd.DataFrame:
    """Per remark: its group (topic, or set-aside bucket), label and the notes of its topic."""
    a = view.assignments
    notes = a["topic"].map(view.topics.set_index("topic")["notes"]).fillna("")
    group = np.where(a["bucket"] != "", "bucket:" + a["bucket"].astype(str), "topic:" + a["topic"].astype(str))
    return pd.DataFrame({"raw_topic": a["raw_topic"], "group": group, "label": a["label"], "notes": notes})


def assert_same_decisions(merged: CuratedView, source: CuratedView, raw_topics: list[int]) -> None:
    """The remarks of ``raw_topics`` are grouped, labelled and annotated alike in both views."""
    m, s = remark_decisions(merged), remark_decisions(source)
    keep = m["raw_topic"].isin(raw_topics).to_numpy()
    m, s = m[keep], s[keep]
    assert m["label"].tolist() == s["label"].tolist()
    assert m["notes"].tolist() == s["notes"].tolist()
    pairs = pd.DataFrame({"m": m["group"].to_numpy(), "s": s["group"].to_numpy()}).drop_duplicates()
    assert pairs["m"].is_unique and pairs["s"].is_unique  # the same partition of those remarks


def check_merge(
    book: Ledger,
    a: Ledger,
    b: Ledger,
    choices: dict[int, str],
    author: str,
    views: tuple[CuratedView, CuratedView] | None = None,
) -> None:
    """Everything a merged ledger promises about its sources (``views``: theirs, when already at hand)."""
    side_of = {t: choices.get(t, "a") for t in RAW}
    record = book.merged[-1]
    assert record.author == author and record.time
    assert record.topics_a == [t for t in RAW if side_of[t] == "a"]
    assert record.topics_b == [t for t in RAW if side_of[t] == "b"]
    # every entry of a side standing only on that side's raw topics is taken, verbatim and in order
    for name, source, taken in (("a", a, record.a.taken), ("b", b, record.b.taken)):
        expected = [
            n for n, raw in enumerate(trace_raw_topics(source, RAW), start=1) if {side_of[t] for t in raw} == {name}
        ]
        assert taken == expected
        assert (record.a if name == "a" else record.b).entries == len(source.entries)
    written = [verbatim(e.to_dict()) for e in book.entries]
    from_sources = [verbatim(a.entries[n - 1].to_dict()) for n in record.a.taken]
    from_sources += [verbatim(b.entries[n - 1].to_dict()) for n in record.b.taken]
    assert written == from_sources
    # a's entries keep their topic numbers too, unless a split of a's was left out before them
    left_out = [n for n in range(1, len(a.entries) + 1) if n not in record.a.taken]
    first_split_left_out = min((n for n in left_out if a.entries[n - 1].op == "split"), default=len(a.entries) + 1)
    kept_numbers = [i for i, n in enumerate(record.a.taken) if n < first_split_left_out]
    assert [book.entries[i].to_dict() for i in kept_numbers] == [
        a.entries[record.a.taken[i] - 1].to_dict() for i in kept_numbers
    ]
    # the merged ledger applies strictly, and each raw topic is curated as on its side
    view = apply_ledger(MODEL, book, mode="strict")
    view_a, view_b = views or (apply_ledger(MODEL, a, mode="strict"), apply_ledger(MODEL, b, mode="strict"))
    assert_same_decisions(view, view_a, record.topics_a)
    assert_same_decisions(view, view_b, record.topics_b)
    # the file round-trips, provenance included
    again = Ledger.from_text(book.to_text())
    assert ledger_signature(again) == ledger_signature(book)
    if not record.topics_b:  # every topic from a: exactly a
        assert [e.to_dict() for e in book.entries] == [e.to_dict() for e in a.entries]
        assert view_signature(view) == view_signature(view_a)


def is_mixed(a: Ledger, b: Ledger, choices: dict[int, str]) -> bool:
    side_of = {t: choices.get(t, "a") for t in RAW}
    return any(len({side_of[t] for t in raw}) > 1 for book in (a, b) for raw in trace_raw_topics(book, RAW))


# ---------------------------------------------------------------------------------------------- the machine
LABELS = ["Smoking", "Drinking", "Family", "Work"]  # few, so that label conflicts happen
MISSING = 99


class CurationMachine(RuleBasedStateMachine):
    """Two experts (a, b), each with a :class:`CurationSession` on the tiny model, and merges of their ledgers."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory(prefix="curation-state-")
        folder = Path(self.tmp.name)
        self.paths = {s: folder / f"{s}.yaml" for s in ("a", "b")}
        self.sessions = {s: CurationSession(MODEL, self.paths[s], author=f"Expert {s.upper()}") for s in ("a", "b")}
        self.undone: dict[str, list] = {"a": [], "b": []}  # snapshots before each action, for undo
        self.redone: dict[str, list] = {"a": [], "b": []}  # snapshots before each undo, for redo
        self.checked: dict[str, tuple] = {}  # per side: the session, its version and the file text last checked

    def teardown(self) -> None:
        self.tmp.cleanup()

    # ------------------------------------------------------------------ helpers
    def snapshot(self, side: str) -> tuple:
        s = self.sessions[side]
        return ledger_signature(s.ledger), view_signature(s.view)

    def file_text(self, side: str) -> str | None:
        path = self.paths[side]
        return path.read_text() if path.exists() else None

    def topic(self, data: st.DataObject, side: str) -> int:
        return data.draw(st.sampled_from([*sorted(self.sessions[side].topic_ids()), MISSING]))

    def act(self, side: str, action: Any) -> None:
        """Run an action; a refused one must change nothing (ledger, view, file), an applied one is undoable."""
        before, text = self.snapshot(side), self.file_text(side)
        try:
            action(self.sessions[side])
        except CurationConflict:
            assert self.snapshot(side) == before
            assert self.file_text(side) == text
            return
        self.undone[side].append(before)
        self.redone[side].clear()

    # ------------------------------------------------------------------ the expert's actions
    sides = st.sampled_from(["a", "b"])

    @rule(side=sides, data=st.data(), label=st.sampled_from(LABELS))
    def merge(self, side: str, data: st.DataObject, label: str) -> None:
        ids = [*sorted(self.sessions[side].topic_ids()), MISSING]
        topics = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))
        self.act(side, lambda s: s.merge(topics, label, rationale="same theme"))

    @rule(side=sides, data=st.data(), label=st.sampled_from(LABELS))
    def rename(self, side: str, data: st.DataObject, label: str) -> None:
        topic = self.topic(data, side)
        self.act(side, lambda s: s.rename(topic, label, rationale=f"clearer for {side}"))

    @rule(side=sides, data=st.data(), bucket=st.sampled_from([None, "small talk"]))
    def drop(self, side: str, data: st.DataObject, bucket: str | None) -> None:
        topic = self.topic(data, side)
        self.act(side, lambda s: s.drop(topic, bucket=bucket, rationale="off topic"))

    @rule(side=sides, data=st.data(), k=st.integers(2, 3), named=st.booleans())
    def split(self, side: str, data: st.DataObject, k: int, named: bool) -> None:
        topic = self.topic(data, side)
        labels = data.draw(st.lists(st.sampled_from(LABELS), min_size=k, max_size=k)) if named else None
        self.act(side, lambda s: s.split(topic, k, labels=labels, rationale="two things"))

    @rule(side=sides, data=st.data(), text=st.sampled_from(["MI-consistent", "check with supervisor"]))
    def note(self, side: str, data: st.DataObject, text: str) -> None:
        topic = self.topic(data, side)
        self.act(side, lambda s: s.note(topic, text))

    @rule(side=sides)
    def undo(self, side: str) -> None:
        s = self.sessions[side]
        before, text = self.snapshot(side), self.file_text(side)
        if not s.can_undo:
            with pytest.raises(CurationConflict):
                s.undo()
            assert self.snapshot(side) == before and self.file_text(side) == text
            return
        entries = [e.to_dict() for e in s.ledger.entries]
        s.undo()
        assert [e.to_dict() for e in s.ledger.entries] == entries[:-1]
        if self.undone[side]:
            assert self.snapshot(side) == self.undone[side].pop()  # exactly the state before the action
        self.redone[side].append(before)

    @rule(side=sides)
    def redo(self, side: str) -> None:
        s = self.sessions[side]
        before, text = self.snapshot(side), self.file_text(side)
        if not self.redone[side]:
            assert not s.can_redo
            with pytest.raises(CurationConflict):
                s.redo()
            assert self.snapshot(side) == before and self.file_text(side) == text
            return
        s.redo()
        assert self.snapshot(side) == self.redone[side].pop()  # exactly the state the undo undid
        self.undone[side].append(before)

    @rule(side=sides)
    def reload(self, side: str) -> None:
        before = self.snapshot(side)
        self.sessions[side] = CurationSession(MODEL, self.paths[side], author=f"Expert {side.upper()}")
        assert self.snapshot(side) == before
        self.redone[side].clear()  # a new session has nothing to redo

    # ------------------------------------------------------------------ merging the two ledgers
    def merged(self, choices: dict[int, str]) -> Ledger | None:
        a, b = self.sessions["a"].ledger, self.sessions["b"].ledger
        before = ledger_signature(a), ledger_signature(b)
        try:
            book = merged_ledger(MODEL, a, b, choices, author="Merger")
        except LedgerError as err:
            assert str(err).startswith("cannot merge")
            assert "\n" not in str(err)
            if is_mixed(a, b, choices):
                assert "raw topics" in str(err)
                event("merge: refused, an entry on both sides")
            else:
                assert "already used" in str(err)
                event("merge: refused, a label on both sides")  # labels given on both sides to different topics
            assert (ledger_signature(a), ledger_signature(b)) == before
            return None
        assert not is_mixed(a, b, choices)
        assert (ledger_signature(a), ledger_signature(b)) == before  # the sources are not changed
        check_merge(book, a, b, choices, "Merger", (self.sessions["a"].view, self.sessions["b"].view))
        event("merge: applied" + (" (with b)" if book.merged[-1].b.taken else ""))
        return book

    @rule(choices=st.dictionaries(st.sampled_from(RAW), st.sampled_from(["a", "b"])))
    def merge_ledgers(self, choices: dict[int, str]) -> None:
        self.merged(choices)

    @rule()
    def merge_taking_b_where_only_b_decided(self) -> None:
        """Take b's side for every raw topic b's entries stand on and a's do not: b's decisions are taken."""
        on = {name: set().union(*trace_raw_topics(s.ledger, RAW)) for name, s in self.sessions.items()}
        self.merged({t: "b" for t in on["b"] - on["a"]})

    @rule(all_named=st.booleans())
    def merge_all_from_a(self, all_named: bool) -> None:
        book = self.merged({t: "a" for t in RAW} if all_named else {})
        assert book is not None  # nothing of b is taken: nothing can conflict

    @rule(choices=st.dictionaries(st.sampled_from(RAW), st.sampled_from(["a", "b"])))
    def adopt_merged_ledger(self, choices: dict[int, str]) -> None:
        """Expert a continues on the merged ledger (its earlier merge records travel with it)."""
        earlier = [m.to_dict() for m in self.sessions["a"].ledger.merged]
        book = self.merged(choices)
        if book is None:
            return
        book.save(self.paths["a"])
        self.sessions["a"] = CurationSession(MODEL, self.paths["a"], author="Expert A")
        assert ledger_signature(self.sessions["a"].ledger) == ledger_signature(book)
        assert [m.to_dict() for m in book.merged][: len(earlier)] == earlier
        self.undone["a"].clear()
        self.redone["a"].clear()

    # ------------------------------------------------------------------ invariants
    @invariant()
    def the_file_replays_to_the_view(self) -> None:
        for side, s in self.sessions.items():
            if not self.paths[side].exists():
                assert not s.ledger.entries
                continue
            key = (s, s.version, self.file_text(side))
            if self.checked.get(side) == key:
                continue  # nothing changed since the last check
            self.checked[side] = key
            on_disk = Ledger.load(self.paths[side])
            assert ledger_signature(on_disk) == ledger_signature(s.ledger)
            assert view_signature(apply_ledger(MODEL, on_disk, mode="strict")) == view_signature(s.view)


TestCurationMachine = CurationMachine.TestCase
TestCurationMachine.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# ---------------------------------------------------------------------------------------------- examples
def session(tmp_path: Path, name: str) -> CurationSession:
    return CurationSession(MODEL, tmp_path / f"{name}.yaml", author=f"Expert {name.upper()}")


def sizes(view: CuratedView) -> dict[str, int]:
    return view.topics.set_index("label")["size"].to_dict()


def test_a_split_chosen_from_one_side_stays_a_split(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.split(0, 2, labels=["Smoking, mornings", "Smoking, evenings"], rationale="time of day")
    a.note(0, "A's note")
    b.split(0, 2, labels=["Cutting down", "Quitting"], rationale="goal differs")
    b.note(0, "B's note")
    b.rename(1, "Alcohol", rationale="plain word")
    book = merged_ledger(MODEL, a.ledger, b.ledger, {0: "b"}, author="Merger")
    view = apply_ledger(MODEL, book, mode="strict")
    assert sizes(view)["Cutting down"] == sizes(b.view)["Cutting down"] < SIZES[0]
    assert sizes(view)["Quitting"] == sizes(b.view)["Quitting"]
    assert "Smoking, mornings" not in sizes(view) and "Alcohol" not in sizes(view)  # topic 1 is a's: untouched
    assert [e.to_dict() for e in book.entries] == [e.to_dict() for e in b.ledger.entries[:2]]
    assert {e.author for e in book.entries} == {"Expert B"} and book.entries[0].rationale == "goal differs"
    assert (
        book.entries[1].text == "B's note" and view.topics.set_index("topic").loc[0, "notes"] == "B's note (Expert B)"
    )
    record = book.merged[-1]
    assert (record.author, record.topics_b, record.a.taken, record.b.taken) == ("Merger", [0], [], [1, 2])
    assert record.a.ledger == str(tmp_path / "a.yaml") and record.b.authors == ["Expert B"]
    check_merge(book, a.ledger, b.ledger, {0: "b"}, "Merger")

    book = merged_ledger(MODEL, a.ledger, b.ledger, {}, author="Merger")
    assert [e.to_dict() for e in book.entries] == [e.to_dict() for e in a.ledger.entries]
    assert sizes(apply_ledger(MODEL, book))["Smoking, mornings"] == sizes(a.view)["Smoking, mornings"]


def test_splits_of_both_sides_get_their_own_numbers(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.split(0, 2)
    a.rename(6, "Second part of A's split")
    b.split(1, 3)
    b.rename(7, "Third part of B's split")
    b.note(6, "second part")
    book = merged_ledger(MODEL, a.ledger, b.ledger, {1: "b"}, author="Merger")
    assert [e.topics for e in book.entries] == [[0], [6], [1], [8], [7]]  # b's 6, 7 are 7, 8 after a's split
    assert [fp.topic for e in book.entries for fp in e.fingerprints] == [0, 6, 1, 8, 7]
    view = apply_ledger(MODEL, book, mode="strict")
    labels = view.topics.set_index("label")
    assert (
        labels.loc["Third part of B's split", "size"]
        == b.view.topics.set_index("label").loc["Third part of B's split", "size"]
    )
    assert labels.loc[b.view.topics.set_index("topic").loc[6, "label"], "notes"] == "second part (Expert B)"
    check_merge(book, a.ledger, b.ledger, {1: "b"}, "Merger")


def test_a_split_left_out_renumbers_the_later_splits_of_its_side(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.split(0, 2)  # makes topic 6: left out below (topic 0 from b)
    a.split(1, 2)  # makes topic 7, which is 6 when the first split is left out
    a.rename(7, "Second part of topic 1")
    book = merged_ledger(MODEL, a.ledger, b.ledger, {0: "b"}, author="Merger")
    assert [e.topics for e in book.entries] == [[1], [6]] and book.merged[-1].a.taken == [2, 3]
    view = apply_ledger(MODEL, book, mode="strict")
    assert view.topics.set_index("topic").loc[6, "label"] == "Second part of topic 1"
    assert view.topics.set_index("topic").loc[6, "size"] == a.view.topics.set_index("topic").loc[7, "size"]
    check_merge(book, a.ledger, b.ledger, {0: "b"}, "Merger")


def test_an_entry_on_topics_from_both_sides_is_refused(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.merge([2, 3], "Family and work")
    a.note(2, "about balance")
    b.rename(3, "Work")
    with pytest.raises(
        LedgerError, match=r"entry 1 of ledger a \(merge 2, 3 -> 'Family and work'\) stands on raw topics 2: a, 3: b"
    ) as err:
        merged_ledger(MODEL, a.ledger, b.ledger, {3: "b"}, author="Merger")
    assert "entry 2 of ledger a" in str(err.value) and "\n" not in str(err.value)
    book = merged_ledger(MODEL, a.ledger, b.ledger, {2: "b", 3: "b"}, author="Merger")
    assert [e.describe() for e in book.entries] == ["rename 3 -> 'Work'"]


def test_the_same_label_on_both_sides_is_refused(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.rename(0, "Habits")
    b.rename(1, "habits")
    with pytest.raises(
        LedgerError,
        match=r"cannot merge: .*b\.yaml, (line \d+, )?entry 1: rename 1 -> 'habits'.*already used by topic 0",
    ):
        merged_ledger(MODEL, a.ledger, b.ledger, {1: "b"}, author="Merger")


def test_choices_and_ledgers_are_checked(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.rename(0, "Habits")
    with pytest.raises(ValueError, match="'a' or 'b'"):
        merged_ledger(MODEL, a.ledger, b.ledger, {0: "c"}, author="M")
    with pytest.raises(ValueError, match=r"raw topics the model does not have: \[99\]"):
        merged_ledger(MODEL, a.ledger, b.ledger, {99: "b"}, author="M")
    refit = Ledger.from_text(b.ledger.to_text())
    refit.model["topics_sha256"] = "another clustering"
    with pytest.raises(LedgerError, match="ledger b .* another clustering"):
        merged_ledger(MODEL, a.ledger, refit, {}, author="M")


def test_merge_records_round_trip_and_accumulate(tmp_path):
    a, b = session(tmp_path, "a"), session(tmp_path, "b")
    a.rename(0, "Habits")
    b.drop(5, bucket="small talk")
    first = merged_ledger(MODEL, a.ledger, b.ledger, {5: "b"}, author="Merger")
    path = first.save(tmp_path / "merged.yaml")
    text = path.read_text()
    assert "merged:" in text and "topics_b: [5]" in text
    loaded = Ledger.load(path)
    assert ledger_signature(loaded) == ledger_signature(first)
    c = session(tmp_path, "c")
    c.rename(4, "Sleep")
    second = merged_ledger(MODEL, loaded, c.ledger, {4: "b"}, author="Second merger")
    assert [m.author for m in second.merged] == ["Merger", "Second merger"]
    assert second.merged[-1].a.ledger == str(path) and second.merged[-1].a.authors == ["Expert A", "Expert B"]
    # a session on the merged ledger keeps the records when it writes
    s = CurationSession(MODEL, path, author="Expert C")
    s.note(0, "checked")
    assert [m.to_dict() for m in Ledger.load(path).merged] == [m.to_dict() for m in first.merged]
