"""Issue 24 without a browser: plain words, uploads, downloads, shortcuts, row clicks, de-duplicated remarks."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile

import pandas as pd
import pytest

from topics.curate import LedgerError
from topics.errors import InputError
from topics.workbench.actions import status_text
from topics.workbench.display import unique_texts
from topics.workbench.experts import MAX_LEDGER_BYTES, read_upload


def test_unique_texts_drops_repeats_after_normalising():
    long = "I have been trying to cut down for a while now and it is hard."
    texts = [long, "  " + long.upper() + " ", "Something else.", long.replace(" ", "  "), "Third."]
    assert unique_texts(texts) == [long, "Something else.", "Third."]
    assert unique_texts(texts, limit=2) == [long, "Something else."]


def test_status_says_what_happened_and_what_to_do():
    assert status_text(pd.DataFrame({"status": []}), "strict").startswith("No decisions yet")
    log = pd.DataFrame({"status": ["applied"] * 13 + ["remapped"] * 18})
    text = status_text(log, "replay")
    assert "earlier fit" in text and "18 now apply to topics with other numbers" in text
    assert "Decisions tab" in text and "replay mode" not in text
    assert "made on this very model" in status_text(pd.DataFrame({"status": ["applied"]}), "strict")


def test_an_upload_is_size_checked_and_parsed_safely():
    with pytest.raises(InputError, match="choose the second expert"):
        read_upload(None, None)
    with pytest.raises(InputError, match="larger than"):
        read_upload(b"x" * (MAX_LEDGER_BYTES + 1), "big.yaml")
    with pytest.raises(InputError, match="not a text file"):
        read_upload(b"\xff\xfe\x00", "/etc/evil/ledger.yaml")
    with pytest.raises(LedgerError, match="not valid YAML"):
        read_upload(b"entries: [1", "b.yaml")
    with pytest.raises(LedgerError):  # python tags are never constructed
        read_upload(b"entries: !!python/object/apply:os.system ['true']\n", "b.yaml")
    with pytest.raises(LedgerError):  # a billion-laughs file is refused before it expands
        read_upload(b"a: &a [x, x]\nb: &b [*a, *a]\nentries: [*b]\n", "b.yaml")
    try:
        read_upload(b"\xff", "/home/someone/secret/theirs.yaml")
    except InputError as err:
        assert "/home/someone" not in str(err)  # the user's own path is never echoed


@pytest.mark.slow
def test_downloads_shortcuts_row_clicks_and_timings(run_folder):
    from topics.workbench import Workbench
    from topics.workbench.page import _Page

    wb = Workbench(run_folder, author="Dr. Keys", use_ner=False)
    page = _Page(wb)
    name, data, message = wb.download("tables")
    assert name == "curated_tables.zip" and str(run_folder) not in message
    assert set(zipfile.ZipFile(io.BytesIO(data)).namelist()) == {"topics.csv", "assignments.csv", "ledger_log.csv"}
    name, data, message = wb.download("worksheet")
    assert name == "worksheet.zip" and "worksheet" in message and str(run_folder) not in message

    # a long task from its button: the button comes back enabled, the result line and the download appear
    asyncio.run(page.write_async("tables"))
    assert "curated tables are written" in page.out_message.object and str(run_folder) not in page.out_message.object
    assert page.download.visible and page.download.filename == "curated_tables.zip"
    assert not page.outputs["tables"].disabled and page.outputs["tables"].label == "Write the curated tables"
    wb.write_outputs = lambda what: (_ for _ in ()).throw(OSError("disk full"))  # a failing task: one line
    asyncio.run(page.write_async("report"))
    assert "Not done: disk full" in page.out_message.object and not page.download.visible
    assert not page.outputs["report"].disabled

    # a click on a row opens its card without choosing it
    rows = page.table.value["topic"].tolist()
    page.on_row_click(type("Click", (), {"row": 2})())
    assert f"Topic {rows[2]}:" in page.card.object and page.chosen == []
    # from the browser a row click comes as the topic the row showed (the hook), not its position
    page.tick_hook.card = json.dumps({"topic": int(rows[3]), "n": 1})
    assert f"Topic {rows[3]}:" in page.card.object and page.chosen == []
    for junk in ('{"topic": 99999, "n": 2}', "not json", '{"n": 3}'):  # not listed, not the hook's: ignored
        page.tick_hook.card = junk
        assert f"Topic {rows[3]}:" in page.card.object

    # shortcuts press the buttons; a disabled one says so
    page.keys.command = "undo:1"
    assert "nothing to undo" in page.message.object
    page.table.selection = [0, 1]
    page.label.value = "By shortcut"
    page.keys.command = "merge:2"
    assert "merge" in page.message.object and "By shortcut" in page.message.object
    assert "data-page-ms" in page.message.object and page.timings[-1]["action"] == "Merge"
    page.keys.command = "undo:3"
    assert "undone" in page.message.object
    page.keys.command = "redo:4"
    assert "redone" in page.message.object
    assert [t["action"] for t in page.timings] == ["Merge", "Undo", "Redo"]
    assert all(0 < t["session"] <= t["page"] for t in page.timings)


@pytest.mark.slow
def test_ticks_from_the_browser_choose_topics_by_number(run_folder):
    """The tick hook reports topic numbers (not row positions): they change the selection by that much; a
    topic no longer listed is left out; a report not from the page's script changes nothing."""
    from topics.workbench import Workbench
    from topics.workbench.page import _Page

    page = _Page(Workbench(run_folder, author="Dr. Ticks", use_ner=False))
    rows = page.table.value["topic"].tolist()
    hook = page.tick_hook
    hook.report = json.dumps({"add": [rows[2]], "remove": [], "n": 1})
    assert page.chosen == [rows[2]] and page.table.selection == [2]
    hook.report = json.dumps({"add": [rows[0], 9999], "remove": [], "n": 2})
    assert page.chosen == [rows[2], rows[0]] and sorted(page.table.selection) == [0, 2]
    hook.report = json.dumps({"add": [], "remove": [rows[2]], "n": 3})
    assert page.chosen == [rows[0]] and page.topics.value == str(rows[0])
    for junk in ("not json", '{"add": "x"}', "[1, 2]"):
        hook.report = junk
    assert page.chosen == [rows[0]]
    # a selection the browser sent as row positions is not taken as a choice (the hook's numbers are)
    page.table._update_selection([1, 3])
    assert page.chosen == [rows[0]]
