"""A study chained the way researchers chain it: every decision survives, every number stays honest.

Own data with awkward column names (one of them ``topic``) -> fit -> two experts curate -> their ledgers are
merged -> the curated topics go to a QDA program as REFI-QDA, come back re-exported QualCoder-style (new
GUIDs, selections named by their text) with one code renamed -> import -> refit on another seed -> report.
Each step checks what the user would rely on; the last ones check that no expert's decision, author or
rationale was lost and that the report states what the curated tables hold.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import replace

import pandas as pd
import pytest
from qda_programs import PNS, load_project, q, qualcoder_reexport, save_project

import topics
from topics.curate import CurationSession, Ledger, merged_ledger
from topics.curate.qda_import import import_qda
from topics.reporting.refiqda import write_qdpx

AWKWARD = {
    "utterance_id": "Row ID",
    "session_id": "Session ID",
    "turn": "Turn #",
    "role": "Speaker role",
    "speaker_id": "Speaker",
    "text": "What was said",
}
"""Required columns under the names a study's own spreadsheet gives them (mapped back with ``mapping``)."""


def _comparable(entry) -> dict:
    """An entry as written, without the topic numbers a merge may renumber (only those of split parts)."""
    d = entry.to_dict()
    d.pop("topics", None)
    d.pop("fingerprint", None)
    return d


@pytest.mark.slow
def test_a_study_chained_end_to_end_keeps_every_decision(small_corpus, embedder, tmp_path):
    # 1. The study's own CSV: awkward names, and its own `topic` column (what each session is about).
    own = small_corpus.rename(
        columns={**{k: v for k, v in AWKWARD.items()}, "problem": "topic", "mi_quality": "MI quality (rated)"}
    )
    own["Speaker role"] = own["Speaker role"].map({"therapist": "T", "client": "C"})
    path = tmp_path / "my study.csv"
    own.to_csv(path, index=False)
    with pytest.warns(UserWarning, match="meta_topic"):
        corpus = topics.load_corpus(
            path, mapping={k: v for k, v in AWKWARD.items()}, role_values={"T": "therapist", "C": "client"}
        )
    assert "topic" not in corpus.columns
    assert corpus["meta_topic"].tolist() == small_corpus["problem"].tolist()

    # 2. Fit. The user's column is kept under its stated name; grouping by the model's column is refused.
    config = topics.TopicConfig()
    config.embedding.cache_dir = str(embedder.config.cache_dir)
    config.report.static_formats = []
    config.compare.by = "MI quality (rated)"
    run = tmp_path / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the column rule warned once above
        analysis = topics.fit(corpus, config, out=run, embedder=embedder)
    kept = analysis.assignments.set_index("utterance_id")["meta_topic"]
    truth = corpus.set_index("utterance_id")["meta_topic"]
    assert kept.equals(truth.reindex(kept.index))
    assert pd.api.types.is_integer_dtype(analysis.assignments["topic"])
    with pytest.raises(topics.InputError, match="meta_topic"):
        analysis.compared_by("topic")

    # 3. Two experts curate the same run, each in a ledger of their own.
    sizes = analysis.raw_topics[analysis.raw_topics["topic"] != -1].sort_values("size", ascending=False)
    big, t1, t2, t3, t4 = (int(t) for t in sizes["topic"].iloc[:5])
    a = CurationSession(analysis.model, tmp_path / "ledger_a.yaml", author="A. Expert")
    a.merge([t1, t2], "Weighing change", rationale="same decisional balance talk")
    a.split(big, 2, labels=["Open questions", "Reflections"], rationale="two ways of asking")
    a.note(t3, "check with the supervisor")
    b = CurationSession(analysis.model, tmp_path / "ledger_b.yaml", author="B. Expert")
    b.split(big, 3, rationale="three themes")
    b.drop(t4, bucket="small talk", rationale="no clinical content")
    b.rename(t3, "Family", rationale="parents and partner")
    ledger_a, ledger_b = Ledger.load(tmp_path / "ledger_a.yaml"), Ledger.load(tmp_path / "ledger_b.yaml")

    # 4. The lead merges: t4 from B, everything else from A. A's entries verbatim, then B's drop, with provenance.
    merged = merged_ledger(
        analysis.model, tmp_path / "ledger_a.yaml", tmp_path / "ledger_b.yaml", {t4: "b"}, author="Lead"
    )
    assert [_comparable(e) for e in merged.entries] == [
        *(_comparable(e) for e in ledger_a.entries),
        _comparable(ledger_b.entries[1]),
    ]
    assert [(e.author, e.rationale) for e in merged.entries] == [
        ("A. Expert", "same decisional balance talk"),
        ("A. Expert", "two ways of asking"),
        ("A. Expert", None),
        ("B. Expert", "no clinical content"),
    ]
    assert merged.merged[-1].author == "Lead" and t4 in merged.merged[-1].topics_b
    merged.save(run / "ledger.yaml")
    curated = topics.load_run(run)
    labels = set(curated.topics["label"])
    assert {"Weighing change", "Open questions", "Reflections"} <= labels  # the split stayed a split
    assert (curated.assignments["bucket"] == "small talk").sum() == int(sizes.set_index("topic").loc[t4, "size"])

    # 5. To a QDA program and back: QualCoder regenerates every GUID; the coder renames one code.
    exported = write_qdpx(curated, tmp_path / "study.qdpx")
    reexported = qualcoder_reexport(exported, tmp_path / "qualcoder.qdpx")
    root, files = load_project(reexported)
    codes = [c for c in root.iter(q("Code", PNS)) if c.get("name", "").startswith("Weighing change")]
    assert len(codes) == 1
    codes[0].set("name", codes[0].get("name").replace("Weighing change", "Pros and cons"))
    edited = save_project(root, files, tmp_path / "qualcoder_edited.qdpx")
    book, changes = import_qda(edited, analysis.model, run / "ledger.yaml", author="C. Coder")
    assert [(e.op, e.label, e.author) for e in changes.entries] == [("rename", "Pros and cons", "C. Coder")]
    assert [_comparable(e) for e in book.entries[:4]] == [_comparable(e) for e in merged.entries]
    ledger_text = (run / "ledger.yaml").read_text(encoding="utf-8")

    # 6. A refit on another seed (as on a colleague's machine): the ledger is the user's and stays verbatim.
    (run / "notes.md").write_text("kept", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        topics.fit(corpus, replace(config, seed=config.seed + 1), out=run, embedder=embedder)
    assert (run / "ledger.yaml").read_text(encoding="utf-8") == ledger_text
    assert (run / "notes.md").read_text(encoding="utf-8") == "kept"
    refit = topics.load_run(run)
    log = refit.curation.log
    assert len(log) == 5 and list(log["author"]) == ["A. Expert"] * 3 + ["B. Expert", "C. Coder"]
    assert list(log["rationale"].fillna("")) == [
        "same decisional balance talk",
        "two ways of asking",
        "",
        "no clinical content",
        "imported from qualcoder_edited.qdpx (QualCoder 3.6)",
    ]
    assert refit.curation.mode == "replay"

    # 7. The report says what happened to each decision and shows the curated tables' numbers.
    out = topics.report(run, out=tmp_path / "report.html", compare_by=False, progress=False)
    page = html.unescape(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")))
    page = re.sub(r"\s+", " ", page)
    assert refit.curation.decision_summary() in page
    assert "5 of 5 decisions applied" not in page
    topics_table = refit.topics[refit.topics["topic"] != -1]
    remarks = len(refit.assignments)
    assert f"{remarks} therapist remarks from 40 sessions were grouped into {len(topics_table)} topics" in page
    named = topics_table[topics_table["label"].isin(["Pros and cons", "Open questions", "Reflections"])]
    assert len(named) >= 2  # the experts' topics survived the refit
    for row in named.itertuples():
        assert f"{row.label} {row.size} {100 * row.size / remarks:.1f}%" in page
