"""The run folder (:mod:`topics.runs`): a refit keeps every file of the user's (hidden ones included) and none of
the old model's outputs; derived files record the model they were computed on and are not shown with another;
``--out`` on a folder that is neither empty nor a run folder is refused before any work.

Cheap: a stub model stands in for a fitted one (no fit), except one slow test of the report page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

import topics
from topics import runs
from topics.analysis import Analysis
from topics.errors import InputError


class StubModel:
    """What :meth:`Analysis.save` needs of a fitted model, with a chosen topic per remark."""

    def __init__(self, topic_of: list[int]) -> None:
        ids = [f"u{i}" for i in range(len(topic_of))]
        self.assignments_ = pd.DataFrame(
            {
                "utterance_id": ids,
                "session_id": "s1",
                "turn": range(len(ids)),
                "topic": topic_of,
                "label": "l",
                "text": [f"remark {i}" for i in ids],
            }
        )
        topic_ids = sorted(set(topic_of))
        self.topics_ = pd.DataFrame(
            {
                "topic": topic_ids,
                "label": [f"t{t}" for t in topic_ids],
                "size": [topic_of.count(t) for t in topic_ids],
                "representative_ids": [["u0"]] * len(topic_ids),
                "representative_texts": [["remark u0"]] * len(topic_ids),
            }
        )

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True)
        self.assignments_.to_parquet(folder / "assignments.parquet", index=False)
        return folder


def stub_analysis(topic_of: list[int]) -> Analysis:
    return Analysis(
        model=StubModel(topic_of),
        summary={"remarks": len(topic_of)},
        drop_counts=pd.DataFrame({"reason": ["kept"], "n": [len(topic_of)]}),
        dropped=pd.DataFrame({"utterance_id": ["x"], "reason": ["empty"]}),
        document_map=pd.DataFrame({"utterance_id": ["u0"], "x": [0.0], "y": [0.0]}),
    )


OLD, NEW = [0, 0, 1, 1, -1], [0, 1, 1, 0, -1]


@pytest.fixture
def refitted(tmp_path) -> Path:
    """A run folder of one model, with the user's files and the old model's outputs, then fitted again."""
    run = tmp_path / "run"
    stub_analysis(OLD).save(run)
    (run / ".git" / "objects").mkdir(parents=True)
    (run / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (run / ".env").write_text("TOKEN=x\n")
    (run / "notes.txt").write_text("my notes\n")
    (run / "ledger.yaml").write_text("entries: []\n")
    (run / "worksheet.csv").write_text("topic,label\n")
    (run / "study.qdpx").write_bytes(b"PK")
    (run / "mine").mkdir()
    (run / "mine" / "a.txt").write_text("a")
    for folder in ("evaluation", "distributed", "compare-school", "curated"):
        (run / folder).mkdir()
        (run / folder / "table.csv").write_text("topic\n0\n")
    for name in ("quality_stability.png", "compare_forest.svg", "topic_sizes.png", "report.html", "report-x.html"):
        (run / name).write_text("old model")
    stub_analysis(NEW).save(run)
    return run


def test_refit_keeps_the_users_files_hidden_ones_included(refitted):
    assert (refitted / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (refitted / ".git" / "objects").is_dir()
    assert (refitted / ".env").read_text() == "TOKEN=x\n"
    for name in ("notes.txt", "ledger.yaml", "worksheet.csv", "study.qdpx", "mine/a.txt"):
        assert (refitted / name).is_file(), name


def test_refit_drops_the_old_models_outputs(refitted):
    kept = {p.name for p in refitted.iterdir()}
    for name in (
        "evaluation",
        "distributed",
        "compare-school",
        "curated",
        "quality_stability.png",
        "compare_forest.svg",
        "topic_sizes.png",
        "report.html",
        "report-x.html",
    ):
        assert name not in kept, name
    assert runs.run_fingerprint(refitted) == runs.model_fingerprint(StubModel(NEW).assignments_)


def test_generated_and_user_entries(tmp_path):
    for name in ("report.html", "hierarchy.svg", "quality_grid.pdf", "compare_words.png"):
        (tmp_path / name).write_text("x")
        assert runs.is_generated(tmp_path / name), name
    for name in ("hierarchy.txt", "quality_notes.md", "ledger.yaml", "codebook.qdc", "worksheet.html", ".env"):
        (tmp_path / name).write_text("x")
        assert not runs.is_generated(tmp_path / name), name
    (tmp_path / "compare-by").mkdir()
    (tmp_path / "compare_notes").mkdir()
    assert runs.is_generated(tmp_path / "compare-by") and not runs.is_generated(tmp_path / "compare_notes")


def test_fingerprint_tells_two_clusterings_apart():
    old, new = StubModel(OLD).assignments_, StubModel(NEW).assignments_
    assert runs.model_fingerprint(old) == runs.model_fingerprint(old.copy())
    assert runs.model_fingerprint(old) != runs.model_fingerprint(new)
    assert stub_analysis(OLD).fingerprint == runs.model_fingerprint(old)


# ------------------------------------------------------------------ derived files and their readers
def evaluated_run(tmp_path: Path, stamp: str | None) -> Path:
    """A run of the NEW model whose evaluation/ records ``stamp`` ("same", "other") or no model (None)."""
    run = tmp_path / "run"
    stub_analysis(NEW).save(run)
    folder = run / "evaluation"
    folder.mkdir()
    pd.DataFrame({"topic": [0, 1], "reappears": [1.0, 0.0], "robust": [True, False]}).to_csv(
        folder / "stability_topics.csv", index=False
    )
    pd.DataFrame({"fit_a": ["a"], "fit_b": ["b"], "ari": [0.5]}).to_csv(folder / "stability_pairwise.csv", index=False)
    if stamp is not None:
        model = StubModel(NEW if stamp == "same" else OLD)
        runs.stamp_derived(folder, runs.model_fingerprint(model.assignments_), written_by="test")
    return run


@pytest.mark.parametrize(
    ("stamp", "why"),
    [("other", "was computed on another model"), (None, "does not record the model it was computed on")],
)
def test_workbench_ignores_an_evaluation_of_another_model(tmp_path, stamp, why):
    from topics.workbench.display import read_stability

    run = evaluated_run(tmp_path, stamp)
    with pytest.warns(UserWarning, match=why) as caught:
        assert read_stability(run) == {}
    assert f"re-run `topics evaluate {run}`" in str(caught[0].message)


def test_workbench_reads_the_evaluation_of_its_model(tmp_path):
    from topics.workbench.display import read_stability

    assert read_stability(evaluated_run(tmp_path, "same")) == {0: True, 1: False}


def report_quality(run: Path, monkeypatch) -> tuple[dict, dict]:
    """The report's quality section for a stub analysis of ``run`` (the cheap measures stubbed too)."""
    from topics.reporting import html_report

    monkeypatch.setattr(
        html_report,
        "evaluate",
        lambda analysis: {"summary": pd.DataFrame([{"npmi": 0.0}]), "per_topic": pd.DataFrame()},
    )
    model = StubModel(NEW)
    analysis = SimpleNamespace(raw_assignments=model.assignments_, raw_topics=model.topics_, curation=None)
    return html_report.quality(analysis, run)


@pytest.mark.parametrize(
    ("stamp", "why"),
    [("other", "was computed on another model"), (None, "does not record the model it was computed on")],
)
def test_report_ignores_an_evaluation_of_another_model(tmp_path, monkeypatch, stamp, why):
    run = evaluated_run(tmp_path, stamp)
    ctx, figs = report_quality(run, monkeypatch)
    assert "stability" not in ctx and figs == {}
    assert why in ctx["stale"] and f"re-run `topics evaluate {run}`" in ctx["stale"]


def test_report_reads_the_evaluation_of_its_model(tmp_path, monkeypatch):
    ctx, figs = report_quality(evaluated_run(tmp_path, "same"), monkeypatch)
    assert ctx["stability"]["robust"] == 1 and "stability" in figs and "stale" not in ctx


def test_save_evaluation_stamps_and_keeps_only_the_same_models_tables(tmp_path):
    from topics.evaluate import save_evaluation

    run = evaluated_run(tmp_path, "other")
    analysis = stub_analysis(NEW)
    folder = save_evaluation(run, analysis, {"summary": pd.DataFrame([{"npmi": 0.1}])})
    assert runs.derived_fingerprint(folder) == analysis.fingerprint
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "summary.csv"]  # the other model's: gone
    save_evaluation(run, analysis, {"grid": pd.DataFrame([{"npmi": 0.2}])})
    assert sorted(p.name for p in folder.iterdir()) == ["grid.csv", "manifest.json", "summary.csv"]
    assert json.loads((folder / "manifest.json").read_text())["written_by"] == "topics evaluate"
    with pytest.raises(ValueError, match="unknown evaluation table"):
        save_evaluation(run, analysis, {"stabilty": pd.DataFrame()})


@pytest.mark.slow
def test_report_page_says_the_evaluation_is_of_another_model(annomi_run, tmp_path):
    _, folder = annomi_run
    run = tmp_path / "run"
    shutil.copytree(folder, run)
    (run / "evaluation").mkdir(exist_ok=True)
    pd.DataFrame({"topic": [0], "reappears": [1.0], "robust": [True]}).to_csv(
        run / "evaluation" / "stability_topics.csv", index=False
    )
    pd.DataFrame({"fit_a": ["a"], "fit_b": ["b"], "ari": [0.9]}).to_csv(
        run / "evaluation" / "stability_pairwise.csv", index=False
    )
    runs.stamp_derived(run / "evaluation", "0" * 64, written_by="test")
    html = topics.report(run, out=tmp_path / "r.html", formats=[], compare_by=False, progress=False).read_text()
    assert "was computed on another model" in html and "re-run `topics evaluate" in html
    assert "raw topics reappear in at least 80% of refits" not in html


@pytest.mark.slow
def test_evaluate_stamps_its_tables_and_a_refit_drops_them(small_corpus, embedder, config, tmp_path):
    from topics.cli import main
    from topics.workbench.display import read_stability

    run = tmp_path / "run"
    analysis = topics.fit(small_corpus, config, out=run, embedder=embedder)
    (run / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["evaluate", str(run), "--seeds", "43", "--no-shuffle"])
    assert result.exit_code == 0, result.output
    assert runs.derived_fingerprint(run / "evaluation") == analysis.fingerprint
    assert read_stability(run)  # the workbench shows it: same model
    config.seed += 1
    refit = topics.fit(small_corpus, config, out=run, embedder=embedder)
    assert refit.fingerprint != analysis.fingerprint
    assert not (run / "evaluation").exists() and (run / "notes.txt").read_text() == "mine"


# ------------------------------------------------------------------ where a run may be written
@pytest.fixture
def foreign(tmp_path) -> Path:
    """A folder that holds other things than a run: fitting into it would destroy them."""
    folder = tmp_path / "project"
    (folder / ".git").mkdir(parents=True)
    (folder / "data.csv").write_text("a,b\n")
    return folder


def contents(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_output_folder_check(tmp_path, foreign):
    assert runs.check_output_folder(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    runs.check_output_folder(tmp_path / "empty")
    stub_analysis(OLD).save(tmp_path / "run")
    runs.check_output_folder(tmp_path / "run")
    with pytest.raises(InputError, match="not a run folder"):
        runs.check_output_folder(foreign)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        runs.check_output_folder(tmp_path / "file")


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_cli_fit_refuses_a_foreign_folder_before_reading(tmp_path, foreign, engine):
    from topics.cli import main

    before = contents(foreign)
    result = CliRunner().invoke(main, ["fit", str(tmp_path / "missing.csv"), "--out", str(foreign), "--engine", engine])
    assert result.exit_code == 2
    assert "not a run folder" in result.output and "missing.csv" not in result.output  # refused before reading
    assert len(result.output.strip().splitlines()) == 1
    assert contents(foreign) == before


def test_api_refuses_a_foreign_folder_before_any_work(foreign):
    before = contents(foreign)
    with pytest.raises(InputError, match="not a run folder"):
        topics.fit(pd.DataFrame(), out=foreign)  # an empty corpus: the folder is checked first
    with pytest.raises(InputError, match="not a run folder"):
        stub_analysis(OLD).save(foreign)
    with pytest.raises(InputError, match="not a run folder"):
        topics.fit_distributed(foreign.parent / "missing.parquet", out=foreign)
    assert contents(foreign) == before
