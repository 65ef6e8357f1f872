"""The action layer under the workbench (CurationSession), later renames replacing earlier ones, worksheet fixes."""

from __future__ import annotations

import pandas as pd
import pytest

import topics
from topics.curate import (
    CurationConflict,
    CurationSession,
    Ledger,
    apply_ledger,
    import_worksheet,
    read_worksheet,
    write_worksheet,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysis(small_corpus, embedder, tmp_path_factory):
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.embedding.cache_dir = str(embedder.config.cache_dir)
    cfg.report.static_formats = []
    out = tmp_path_factory.mktemp("session") / "run"
    return topics.fit(small_corpus, cfg, out=out, embedder=embedder)


def by_size(analysis) -> list[int]:
    t = analysis.raw_topics
    return t[t["topic"] != -1].sort_values("size", ascending=False)["topic"].tolist()


def row(view, topic):
    return view.topics.set_index("topic").loc[topic]


def test_actions_write_the_ledger_and_update_the_view(analysis, tmp_path):
    t = by_size(analysis)
    path = tmp_path / "ledger.yaml"
    s = CurationSession(analysis, path)
    with pytest.raises(CurationConflict, match="author"):
        s.rename(t[0], "Opening")
    assert not path.exists()
    s.set_author("Dr. A")
    s.merge([t[1], t[2]], "Drinking")
    s.rename(t[0], "Opening")
    s.drop(t[3], bucket="small talk")
    s.note(t[0], "greetings")
    v = s.view
    assert row(v, t[1])["label"] == "Drinking" and t[2] not in v.topic_ids
    assert row(v, t[0])["label"] == "Opening" and row(v, t[0])["notes"] == "greetings (Dr. A)"
    assert (v.assignments.loc[v.assignments["raw_topic"] == t[3], "bucket"] == "small talk").all()
    book = Ledger.load(path)
    assert [e.op for e in book.entries] == ["merge", "rename", "drop", "note"]
    assert all(e.author == "Dr. A" and e.time and e.fingerprints for e in book.entries)
    # the file alone gives the same view
    again = apply_ledger(analysis, path)
    pd.testing.assert_frame_equal(again.topics[["topic", "label", "size"]], v.topics[["topic", "label", "size"]])

    s.undo()
    assert [e.op for e in Ledger.load(path).entries] == ["merge", "rename", "drop"]
    assert row(s.view, t[0])["notes"] == ""
    s.undo()
    assert t[3] in s.view.topic_ids and s.can_redo
    s.redo()
    assert t[3] not in s.view.topic_ids
    assert [e.op for e in Ledger.load(path).entries] == ["merge", "rename", "drop"]
    s.rename(t[4], "Something")  # a new action clears what could be redone
    assert not s.can_redo

    reopened = CurationSession(analysis, path, author="Dr. B")
    assert reopened.view.topics["label"].tolist() == s.view.topics["label"].tolist()


def test_conflicts_are_refused_at_once_and_nothing_is_written(analysis, tmp_path):
    t = by_size(analysis)
    path = tmp_path / "ledger.yaml"
    s = CurationSession(analysis, path, author="Dr. A")
    s.rename(t[0], "Opening")
    before = path.read_text()
    with pytest.raises(CurationConflict, match="already used by topic"):
        s.rename(t[1], "opening ")
    with pytest.raises(CurationConflict, match="no topic 9999"):
        s.merge([t[1], 9999], "X")
    with pytest.raises(CurationConflict, match="two or more"):
        s.merge([t[1]], "X")
    with pytest.raises(CurationConflict, match="empty"):
        s.rename(t[1], "   ")
    with pytest.raises(CurationConflict, match="line break"):
        s.rename(t[1], "a\nb")
    s.drop(t[1])
    with pytest.raises(CurationConflict, match=f"no topic {t[1]}"):
        s.rename(t[1], "Gone")
    assert [e.op for e in Ledger.load(path).entries] == ["rename", "drop"]
    assert path.read_text() != before  # the drop was written, the refused ones were not
    assert len(s.log) == 2


def test_a_later_rename_replaces_the_earlier_label_and_says_so(analysis, tmp_path):
    t = by_size(analysis)
    s = CurationSession(analysis, tmp_path / "ledger.yaml", author="Dr. A")
    s.rename(t[0], "First name")
    result = s.rename(t[0], "Second name")
    assert "replaced the earlier label 'First name'" in result.message
    assert row(s.view, t[0])["label"] == "Second name"
    assert "replaced the earlier label" in s.conflicts["reason"].iloc[0]
    # the same ledger replayed as after a refit (fingerprints): the later rename wins there too
    view = apply_ledger(analysis, tmp_path / "ledger.yaml", mode="replay")
    assert row(view, t[0])["label"] == "Second name"
    assert view.log["status"].tolist() == ["applied", "applied"]
    assert "replaced the earlier label 'First name'" in view.log["reason"].iloc[1]


def test_split_preview_matches_the_split(analysis, tmp_path):
    t = by_size(analysis)[0]
    s = CurationSession(analysis, tmp_path / "ledger.yaml", author="Dr. A")
    size = int(row(s.view, t)["size"])
    preview = s.split_preview(t, 2)
    assert preview["size"].sum() == size and preview["size"].is_monotonic_decreasing
    assert all(preview["keywords"]) and all(len(r) > 0 for r in preview["remarks"])
    assert not (tmp_path / "ledger.yaml").exists()  # a preview writes nothing
    s.split(t, 2, labels=["Big part", "Small part"])
    v = s.view.topics.set_index("label")
    assert [v.loc["Big part", "size"], v.loc["Small part", "size"]] == preview["size"].tolist()
    assert [v.loc["Big part", "keywords"], v.loc["Small part", "keywords"]] == preview["keywords"].tolist()
    smallest = by_size(analysis)[-1]
    with pytest.raises(CurationConflict, match="too few"):
        s.split_preview(smallest, 20)


def test_remarks_search_and_sample(analysis, tmp_path):
    t = by_size(analysis)[0]
    s = CurationSession(analysis, tmp_path / "ledger.yaml", author="Dr. A")
    top = s.remarks(t, limit=5)
    assert len(top) == 5 and top["similarity"].is_monotonic_decreasing
    word = top["text"].iloc[0].split()[0].lower()
    assert all(word in x.lower() for x in s.remarks(t, search=word.upper())["text"])
    assert s.remarks(t, sample=5)["utterance_id"].tolist() == s.remarks(t, sample=5)["utterance_id"].tolist()
    assert s.remarks(t, sample=5, draw=1)["utterance_id"].tolist() != s.remarks(t, sample=5)["utterance_id"].tolist()


def test_worksheet_in_topic_order_filled_with_pandas(analysis, tmp_path):
    view = apply_ledger(analysis, None)
    write_worksheet(view, tmp_path, use_ner=False)
    sheet = read_worksheet(tmp_path / "worksheet.csv")
    assert sheet["topic"].astype(int).is_monotonic_increasing
    first, second = sheet["topic"].iloc[0], sheet["topic"].iloc[1]
    sheet.loc[sheet["topic"] == first, "new_label"] = "Labelled in pandas"
    sheet.loc[sheet["topic"] == second, "drop"] = "yes"
    ledger = tmp_path / "ledger.yaml"
    import_worksheet(sheet, analysis, ledger, author="Dr. A")
    curated = apply_ledger(analysis, ledger)
    assert row(curated, int(first))["label"] == "Labelled in pandas"
    assert int(second) not in curated.topic_ids
    # written back with to_csv (NaN cells, "7.0"-style numbers are fine too)
    again = read_worksheet(tmp_path / "worksheet.csv")
    again = again[again["topic"] != second]  # dropped now
    again.loc[again["topic"] == first, "new_label"] = "Relabelled"
    again.to_csv(tmp_path / "filled.csv", index=False)
    import_worksheet(tmp_path / "filled.csv", analysis, ledger, author="Dr. B")
    curated = apply_ledger(analysis, ledger)
    assert row(curated, int(first))["label"] == "Relabelled"
    assert "replaced the earlier label 'Labelled in pandas'" in curated.log["reason"].iloc[-1]


def test_merged_ledger_adopts_one_side_per_topic(analysis, tmp_path):
    from topics.curate import compare_ledgers, merged_ledger

    t = sorted(by_size(analysis)[:4])
    a = CurationSession(analysis, tmp_path / "a.yaml", author="A")
    a.rename(t[0], "Label of A")
    a.merge([t[1], t[2]], "Merged by A")
    b = CurationSession(analysis, tmp_path / "b.yaml", author="B")
    b.rename(t[0], "Label of B")
    b.drop(t[3], bucket="small talk")
    agreement = compare_ledgers(analysis, tmp_path / "a.yaml", tmp_path / "b.yaml")
    differ = set(agreement.labels.loc[~agreement.labels["same_decision"], "raw_topic"])
    assert {t[0], t[1], t[2], t[3]} <= differ
    book = merged_ledger(analysis, tmp_path / "a.yaml", tmp_path / "b.yaml", {t[0]: "b", t[3]: "b"}, author="M")
    view = apply_ledger(analysis, book)
    assert row(view, t[0])["label"] == "Label of B"
    assert row(view, t[1])["label"] == "Merged by A" and t[2] not in view.topic_ids
    assert (view.assignments.loc[view.assignments["raw_topic"] == t[3], "bucket"] == "small talk").all()
    assert [e.author for e in book.entries] == ["A", "B", "B"] and book.merged[-1].author == "M"
    with pytest.raises(ValueError, match="'a' or 'b'"):
        merged_ledger(analysis, tmp_path / "a.yaml", tmp_path / "b.yaml", {t[0]: "c"}, author="M")
