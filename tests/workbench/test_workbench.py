"""The workbench without a browser: display helpers, token check, outputs, the Jupyter object, the CLI guard."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from topics.cli import main
from topics.curate import CurationConflict
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
    uploaded = (run_folder / "theirs.yaml").read_bytes()  # as the browser's file chooser sends it
    panel.upload.filename, panel.upload.value = "theirs.yaml", uploaded
    panel.run_compare()
    assert "adjusted Rand" in panel.summary.object
    assert set(panel.table.value["raw_topic"]) == {t[0], t[1]}
    panel.upload.value = b"entries: [1"
    panel.run_compare()
    assert "not valid YAML" in panel.summary.object and "conflict" in panel.summary.object
    panel.upload.value = uploaded
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


def _page(run_folder, author: str | None = "Dr. Tick"):
    """A workbench page driven from Python: widgets are set and buttons clicked as the browser would."""
    from topics.workbench import Workbench
    from topics.workbench.page import _Page

    return _Page(Workbench(run_folder, author=author, use_ner=False))


def _press(page, name: str) -> None:
    page.buttons[name].clicks += 1


def _tick(page, *topics: int) -> None:
    """Tick the rows of ``topics`` (added to what is ticked), as a click on each checkbox does."""
    rows = page.table.value["topic"].tolist()
    page.table.selection = [*page.table.selection, *(rows.index(t) for t in topics)]


def _ticked(page) -> list[int]:
    rows = page.table.value["topic"].tolist()
    return sorted(rows[i] for i in page.table.selection)


def _entries(page) -> list[str]:
    return [e.describe() for e in page.wb.session.ledger.entries]


@pytest.mark.slow
def test_the_selection_is_exactly_what_is_ticked(run_folder):
    """Issue 22: after a merge a neighbouring topic stayed ticked and joined the next selection."""
    page = _page(run_folder)
    t = page.table.value["topic"].tolist()
    _tick(page, t[0], t[1])
    assert page.topics.value == f"{t[0]}, {t[1]}"
    page.label.value, page.rationale.value = "Merged here", "same theme"
    page.bucket.value, page.note_text.value = "small talk", "a note"
    _press(page, "Merge")
    assert _entries(page) == [f"merge {t[0]}, {t[1]} -> 'Merged here'"]
    # done: nothing ticked, every field empty, so the next action cannot reuse them by accident
    assert page.table.selection == [] and page.topics.value == ""
    assert [page.label.value, page.rationale.value, page.bucket.value, page.note_text.value] == ["", "", "", ""]
    _tick(page, t[4])
    assert page.topics.value == str(t[4]) and _ticked(page) == [t[4]]
    _tick(page, t[3])
    assert page.topics.value == f"{t[4]}, {t[3]}", "the order the topics were picked in"
    page.table.selection = []
    assert page.topics.value == ""
    # typing selects (and ticks) the topics that exist; the others are named and left out
    page.topics.value = f"{t[2]} 999"
    assert page.topics.value == str(t[2]) and _ticked(page) == [t[2]]
    assert "No topic 999" in page.message.object
    page.topics.value = "3, x"
    assert page.topics.value == str(t[2]) and "not a topic number" in page.message.object
    # a search keeps the chosen topics listed and ticked
    page.search.value = "zzz-no-such-word"
    assert page.table.value["topic"].tolist() == [t[2]] and _ticked(page) == [t[2]]
    page.search.value = ""
    # a bubble on the intertopic map adds its topic, ticked
    page.intertopic.click_data = {"points": [{"text": str(t[5])}]}
    assert page.topics.value == f"{t[2]}, {t[5]}" and _ticked(page) == sorted([t[2], t[5]])


@pytest.mark.slow
def test_a_refused_action_changes_nothing(run_folder):
    page = _page(run_folder, author=None)
    t = page.table.value["topic"].tolist()
    _tick(page, t[0], t[1])
    page.label.value, page.rationale.value = "Both", "why"

    def state():
        return (
            page.table.value.copy(),
            list(page.table.selection),
            page.topics.value,
            page.label.value,
            page.rationale.value,
            page.wb.ledger_path.exists(),
        )

    before = state()
    _press(page, "Merge")  # no author yet
    assert "say who you are first" in page.message.object
    after = state()
    pd.testing.assert_frame_equal(after[0], before[0])
    assert after[1:] == before[1:] and not page.wb.ledger_path.exists()
    page.wb.session.set_author("Dr. Tick")
    _press(page, "Rename")  # two topics ticked: refused
    assert "exactly one topic" in page.message.object and state()[1:] == before[1:]
    _press(page, "Merge")  # the same selection and label, now accepted
    assert _entries(page) == [f"merge {t[0]}, {t[1]} -> 'Both'"]
    _tick(page, t[2])
    page.label.value = "Both"
    _press(page, "Rename")  # the label is taken
    assert "already used" in page.message.object
    assert page.topics.value == str(t[2]) and page.label.value == "Both" and len(_entries(page)) == 1


def _large_and_small(page) -> tuple[list[int], int]:
    """Topics that together hold more than a tenth of the remarks (fewest first picked by size), and a small one."""
    a = page.wb.session.view.assignments
    sizes = page.table.value.set_index("topic")["size"].sort_values(ascending=False)
    large: list[int] = []
    for topic in sizes.index:
        large.append(int(topic))
        if sizes[large].sum() > 0.1 * len(a):
            break
    small = int(sizes.index[-1])
    assert sizes[small] <= 0.1 * len(a) and small not in large
    return large, small


@pytest.mark.slow
def test_a_large_drop_asks_first(run_folder):
    """Issue 22: one click on Drop set aside 27% of the remarks without confirmation."""
    page = _page(run_folder)
    large, small = _large_and_small(page)
    n = int(page.table.value.set_index("topic")["size"][large].sum())
    _tick(page, *large)
    _press(page, "Drop")
    assert _entries(page) == [] and not page.wb.ledger_path.exists()
    assert page.buttons["Drop"].label.startswith(f"Confirm drop of {n:,} remarks (")
    assert "sets aside" in page.message.object and "confirm" in page.message.object
    assert _ticked(page) == sorted(large), "asking changes nothing"
    # a change of selection cancels the question; the next click asks again
    page.table.selection = []
    assert page.buttons["Drop"].label == "Drop"
    _tick(page, *large)
    _press(page, "Drop")
    assert _entries(page) == []
    page.bucket.value = "small talk"  # so does a change of bucket
    assert page.buttons["Drop"].label == "Drop"
    _press(page, "Drop")
    assert _entries(page) == []
    _press(page, "Drop")  # the confirming click
    assert _entries(page) == [f"drop {t} -> small talk" for t in large]
    assert page.buttons["Drop"].label == "Drop" and page.topics.value == "" and page.bucket.value == ""
    _tick(page, small)
    _press(page, "Drop")  # a small drop is done at once
    assert _entries(page)[-1] == f"drop {small} -> outliers"


@pytest.mark.slow
def test_a_drop_of_several_topics_is_all_or_nothing(run_folder):
    page = _page(run_folder)
    t = page.table.value["topic"].tolist()
    first, second = page.table.value.sort_values("size")["topic"].tolist()[:2]  # together under a tenth
    session = page.wb.session
    session.rename(t[0], "Kept for redo")
    session.undo()
    page.refresh()
    real_drop = session.drop

    def failing_drop(topic, **kw):
        if topic == second:
            raise CurationConflict("the disk is full")
        return real_drop(topic, **kw)

    session.drop = failing_drop
    ledger_before = page.wb.ledger_path.read_bytes()
    _tick(page, first, second)
    _press(page, "Drop")
    assert "the disk is full" in page.message.object
    assert _entries(page) == [] and page.wb.ledger_path.read_bytes() == ledger_before
    assert page.topics.value == f"{first}, {second}" and {first, second} <= set(page.table.value["topic"])
    assert session.can_redo and session.redo().message == f"redone: rename {t[0]} -> 'Kept for redo'"
