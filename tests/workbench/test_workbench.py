"""The workbench without a browser: display helpers, token check, outputs, the Jupyter object, the CLI guard."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from topics.cli import main
from topics.workbench.display import esc, over_represented, parse_topics, remark_list
from topics.workbench.server import check_address, new_token


def test_escaping_and_parsing():
    assert esc("<script>alert('x')</script>") == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    assert "<script>" not in remark_list(["<script>alert(1)</script>", "a & b"])
    assert parse_topics("3, 7;12  4") == [3, 7, 12, 4]
    assert parse_topics("") == []
    with pytest.raises(ValueError, match="'x' is not a topic number"):
        parse_topics("3, x")


def test_over_represented_known_answer():
    a = pd.DataFrame(
        {
            "topic": [0, 0, 0, 0, 1, 1, 1, 1],
            "bucket": [""] * 8,
            "group": ["llm", "llm", "llm", "human", "human", "human", "human", "llm"],
        }
    )
    # overall 50/50; topic 0 is 75% llm (x1.5), topic 1 is 75% human (x1.5)
    assert over_represented(a, "group") == {0: "llm ×1.5", 1: "human ×1.5"}
    assert over_represented(a, "group", lift=1.6) == {0: "", 1: ""}
    assert over_represented(a, None) == {}


def test_remote_hosts_need_an_explicit_flag(capsys, tmp_path):
    check_address("127.0.0.1", allow_remote=False)
    with pytest.raises(ValueError, match="allow-remote"):
        check_address("0.0.0.0", allow_remote=False)
    check_address("0.0.0.0", allow_remote=True)
    assert "WARNING" in capsys.readouterr().err
    assert new_token() != new_token() and len(new_token()) >= 40
    result = CliRunner().invoke(main, ["curate", "app", str(tmp_path), "--host", "0.0.0.0", "--no-browser"])
    assert result.exit_code == 2 and "--allow-remote" in result.output


@pytest.mark.slow
def test_outputs_and_the_notebook_object(run_folder):
    import panel as pn

    from topics.curate import Ledger
    from topics.workbench import Workbench, app

    wb = Workbench(run_folder, author="Dr. Out", use_ner=False)
    table = wb.topic_table()
    assert list(table.columns[:5]) == ["topic", "label", "size", "share", "keywords"]
    assert table["topic"].is_monotonic_increasing
    assert table["over_represented"].str.len().sum() > 0  # the run compares by mi_quality
    t = table["topic"].tolist()
    wb.session.merge([t[0], t[1]], "Merged here")
    sheet, _ = wb.write_outputs("worksheet")
    assert "Merged here" in sheet.read_text()
    topics_csv, assignments_csv, log_csv = wb.write_outputs("tables")
    curated = pd.read_csv(topics_csv)
    assert "Merged here" in set(curated["label"]) and t[1] not in set(curated["topic"])
    assert pd.read_csv(log_csv)["author"].tolist() == ["Dr. Out"]
    assert len(pd.read_csv(assignments_csv)) == len(wb.session.view.assignments)
    (report,) = wb.write_outputs("report")
    assert "Merged here" in report.read_text()
    assert [e.op for e in Ledger.load(run_folder / "ledger.yaml").entries] == ["merge"]
    layout = app(run_folder, use_ner=False)
    assert isinstance(layout, pn.viewable.Viewable)


@pytest.mark.slow
def test_two_experts_tab(run_folder):
    from topics.curate import CurationSession, Ledger, apply_ledger
    from topics.workbench import Workbench
    from topics.workbench.experts import ExpertsPanel

    wb = Workbench(run_folder, author="Mine", use_ner=False)
    t = wb.topic_table()["topic"].tolist()
    wb.session.rename(t[0], "My label")
    theirs = CurationSession(wb.analysis, run_folder / "theirs.yaml", author="Theirs")
    theirs.rename(t[0], "<b>Their label</b>")
    theirs.drop(t[1])
    panel = ExpertsPanel(wb, lambda *a, **k: None)
    panel.path.value = "theirs.yaml"
    panel.run_compare()
    assert "adjusted Rand" in panel.summary.object
    assert set(panel.table.value["raw_topic"]) == {t[0], t[1]}
    panel.path.value = "missing.yaml"
    panel.run_compare()
    assert "no such ledger file" in panel.summary.object
    panel.path.value = "theirs.yaml"
    panel.run_compare()
    panel.topics.value = str(t[0])
    panel.side.value = "theirs"
    panel.adopt_side()
    panel.write_merged()
    merged = Ledger.load(run_folder / "ledger.merged.yaml")
    view = apply_ledger(wb.analysis, merged)
    labels = view.topics.set_index("topic")["label"]
    assert labels[t[0]] == "<b>Their label</b>" and t[1] in view.topic_ids  # t1 kept: mine by default
    assert "ledger.merged.yaml" in panel.result.object


@pytest.mark.slow
def test_the_app_renders_in_a_notebook(run_folder):
    """The same app in Jupyter: a notebook kernel displays it as a live Panel output."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('import panel as pn\npn.extension("plotly", "tabulator")'),
        nbformat.v4.new_code_cell(f"import topics.workbench\ntopics.workbench.app({str(run_folder)!r}, use_ner=False)"),
    ]
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    (result,) = [o for o in nb.cells[1].outputs if o["output_type"] == "execute_result"]
    assert "application/vnd.holoviews_exec.v0+json" in result["data"]
