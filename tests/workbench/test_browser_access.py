"""Issue 24 in a real browser (Debian chromium through Playwright): accessibility, keyboard, long tasks, layout.

* axe-core (``axe-playwright-python``, bundled, no network) finds no serious or critical violation on any
  tab of the workbench;
* a keyboard-only path: skip link, select topics, merge, undo and redo with the shortcuts, focus visible;
  the tab headers open with Enter;
* long tasks (the worksheet, the curated tables, a two-expert merge; the report takes the same path)
  disable their button and show a busy line, end with a line saying what was written, offer the file as
  a download and never show a server path; the second expert's ledger is uploaded, and the merged ledger
  is switched to in the app;
* layout at 900 and 1400 px: no field overlaps the topic card, every column of the topic list is on
  screen, and a click on a row opens that topic's card.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

import topics
from topics.curate import CurationSession, Ledger

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")]
TABS = ("Topics", "Intertopic map", "Document map", "Decisions (ledger)", "Two experts", "Download")
DEEP_TEXT = """() => {
  const out = [];
  const walk = (root) => { for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) walk(el.shadowRoot);
    for (const n of el.childNodes) if (n.nodeType === 3) out.push(n.textContent);
  } };
  walk(document); return out.join(' ');
}"""
WATCH_BUSY = """(what) => {
  window.__busy = {disabled: false, line: false};
  const look = (root) => { for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'BUTTON' && el.disabled && el.textContent.includes('Writing the ' + what + '...'))
        window.__busy.disabled = true;
      if (el.classList.contains('wb-spinner') && el.parentElement.textContent.includes('Writing the ' + what))
        window.__busy.line = true;
      if (el.shadowRoot) look(el.shadowRoot);
  } };
  const tick = () => { look(document); if (window.__busyWhat === what) requestAnimationFrame(tick); };
  window.__busyWhat = what;
  tick();
}"""
ACTIVE = """() => { let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return {};
  const s = getComputedStyle(a);
  return {tag: a.tagName, text: (a.textContent || '').trim(), placeholder: a.placeholder || '',
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0, visible: a.matches(':focus-visible'),
          sheets: a.getRootNode().adoptedStyleSheets.length}; }"""


def _browser(p):
    return p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])


def _open(browser, url: str, width: int = 1400, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.errors = []  # script errors in the page (the key bar's script among them)
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.goto(url)
    page.get_by_text("Curation workbench").first.wait_for(timeout=120_000)
    page.locator(".tabulator-row").first.wait_for(timeout=60_000)
    return page


def _message(page, text: str) -> None:
    page.locator("#wb-message", has_text=text).first.wait_for(timeout=60_000)


def _topics(run_folder: Path) -> list[int]:
    raw = topics.analysis.Analysis.load(run_folder).raw_topics
    return raw[raw["topic"] != -1].sort_values("topic")["topic"].astype(int).tolist()


def test_no_serious_axe_violation_on_any_tab_and_the_keyboard_path(authored_server, run_folder):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    a, b = _topics(run_folder)[:2]
    with sync_playwright() as p:
        browser = _browser(p)
        page = _open(browser, authored_server)
        page.wait_for_timeout(1500)  # the key bar's repairs run within a second of the page drawing
        axe = Axe()
        found = {}
        for tab in TABS:
            page.locator(".bk-tab", has_text=tab).first.click()
            page.wait_for_timeout(1500)
            violations = axe.run(page).response["violations"]
            found[tab] = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
        assert found == {tab: [] for tab in TABS}

        # the tab headers take focus and open with Enter
        page.locator(".bk-tab", has_text="Download").first.focus()
        page.keyboard.press("Enter")
        page.get_by_text("Write the report").first.wait_for(state="visible", timeout=30_000)
        assert page.locator(".bk-tab", has_text="Download").first.get_attribute("aria-selected") == "true"
        page.locator(".bk-tab", has_text="Topics").first.focus()
        page.keyboard.press(" ")
        page.get_by_text("Act on the topics").first.wait_for(state="visible", timeout=30_000)

        # keyboard only, from the top of a fresh page: skip link, Topics box, Label, Merge in a few presses
        page.reload()
        page.get_by_text("Curation workbench").first.wait_for(timeout=120_000)
        page.locator(".tabulator-row").first.wait_for(timeout=60_000)
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE)["text"] == "Skip to the actions"
        page.keyboard.press("Enter")
        assert page.evaluate(ACTIVE)["placeholder"] == "e.g. 3, 7"
        page.keyboard.type(f"{a}, {b}")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE)["placeholder"] == "new label"
        page.keyboard.type("Merged by keyboard")
        presses = 0
        while page.evaluate(ACTIVE).get("text") != "Merge" and presses < 5:
            page.keyboard.press("Tab")
            presses += 1
        active = page.evaluate(ACTIVE)
        assert active["text"] == "Merge", "Merge is a few Tab presses after the label"
        assert active["outline"] == "solid" and active["width"] >= 2, f"the focus is visible: {active}"
        page.keyboard.press("Shift+Tab")  # back in a field: the shortcut works from wherever the focus is
        page.keyboard.press("Alt+Shift+M")
        _message(page, f"merge {a}, {b} -> 'Merged by keyboard'")
        page.keyboard.press("Escape")
        page.locator("h1").first.click()  # out of the text boxes: Ctrl+Z is the workbench's undo
        page.keyboard.press("Control+z")
        _message(page, f"undone: merge {a}, {b}")
        page.keyboard.press("Control+y")
        _message(page, f"redone: merge {a}, {b}")
        page.keyboard.press("Control+Shift+Z")
        _message(page, "nothing to redo")
        assert page.get_by_text("Ctrl+Z: undo").count() >= 1, "the shortcuts are shown"
        assert page.errors == []
        browser.close()
    book = Ledger.load(run_folder / "ledger.yaml")
    assert [(e.op, e.topics, e.label) for e in book.entries] == [("merge", [a, b], "Merged by keyboard")]


def test_long_tasks_show_progress_and_end_with_a_download(authored_server, run_folder, tmp_path):
    from playwright.sync_api import sync_playwright

    t = _topics(run_folder)
    theirs = CurationSession(topics.analysis.Analysis.load(run_folder), tmp_path / "theirs.yaml", author="Theirs")
    theirs.rename(t[0], "Their label")
    with sync_playwright() as p:
        browser = _browser(p)
        page = _open(browser, authored_server)
        page.locator(".bk-tab", has_text="Download").first.click()
        # the worksheet: the same long-task path as the report (which takes minutes here, on two shared cores)
        page.evaluate(WATCH_BUSY, "worksheet")
        sheet = page.locator("button", has_text="Write the worksheet").first
        sheet.click()
        _text(page, "The worksheet (CSV and HTML) is written", timeout=300_000)
        seen = page.evaluate("() => window.__busy")
        assert seen["disabled"], "the button was disabled and said 'Writing the worksheet...' while it ran"
        assert seen["line"], "a busy line with a spinner said what was happening"
        assert sheet.is_enabled()
        with page.expect_download() as info:
            page.locator("button", has_text="Download worksheet.zip").first.click()
        info.value.save_as(tmp_path / "worksheet.zip")
        names = zipfile.ZipFile(tmp_path / "worksheet.zip").namelist()
        assert info.value.suggested_filename == "worksheet.zip" and {n.rsplit(".", 1)[-1] for n in names} == {
            "csv",
            "html",
        }

        page.evaluate(WATCH_BUSY, "tables")
        page.locator("button", has_text="Write the curated tables").first.click()
        _text(page, "The curated tables are written")
        assert page.evaluate("() => window.__busy")["line"], "the busy line replaced the previous result"
        assert page.get_by_text("The worksheet (CSV and HTML) is written").count() == 0
        with page.expect_download() as info:
            page.locator("button", has_text="Download curated_tables.zip").first.click()
        info.value.save_as(tmp_path / "tables.zip")
        assert set(zipfile.ZipFile(tmp_path / "tables.zip").namelist()) == {
            "topics.csv",
            "assignments.csv",
            "ledger_log.csv",
        }

        # the second expert's ledger is uploaded; a file that is not a ledger is refused in one line
        page.locator(".bk-tab", has_text="Two experts").first.click()
        chooser = page.locator("input[type=file]").first
        (tmp_path / "bad.yaml").write_text("entries: [1")
        chooser.set_input_files(str(tmp_path / "bad.yaml"))
        page.wait_for_timeout(1000)
        page.locator("button", has_text="Compare").first.click()
        _text(page, "not valid YAML")
        chooser.set_input_files(str(tmp_path / "theirs.yaml"))
        page.wait_for_timeout(1000)
        page.locator("button", has_text="Compare").first.click()
        page.locator("#agreement").first.wait_for(timeout=60_000)
        page.locator("input[placeholder='e.g. 12, 15']").first.fill(str(t[0]))
        page.locator("input[placeholder='e.g. 12, 15']").first.press("Enter")
        page.locator("button", has_text="Adopt for these topics").first.click()
        _text(page, f"Adopting theirs for raw topics {t[0]}")
        page.locator("button", has_text="Merge the two ledgers").first.click()
        _text(page, "The two ledgers are merged into ledger.merged.yaml")
        with page.expect_download() as info:
            page.locator("button", has_text="Download the merged ledger").first.click()
        info.value.save_as(tmp_path / "merged.yaml")
        assert Ledger.load(tmp_path / "merged.yaml").entries[0].label == "Their label"
        page.locator("button", has_text="Curate the merged ledger now").first.click()
        _text(page, "decisions are saved in")
        page.locator("code", has_text="ledger.merged.yaml").first.wait_for(timeout=30_000)
        shown = page.evaluate(DEEP_TEXT)
        assert str(run_folder) not in shown and str(tmp_path) not in shown, "no server path is shown"
        assert "topics curate app" not in shown, "no command to type"
        browser.close()
    assert not (run_folder / "ledger.yaml").exists(), "my own ledger is left as it was (empty: never written)"


def _text(page, text: str, timeout: int = 60_000) -> None:
    page.get_by_text(text).first.wait_for(timeout=timeout)


@pytest.mark.parametrize("width", [900, 1400])
def test_layout_at_900_and_1400_px(authored_server, run_folder, tmp_path, width):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = _open(browser, authored_server, width=width, height=1100)
        page.wait_for_timeout(1500)
        # a click on a row (not its checkbox) opens that topic's card
        row = page.locator(".tabulator-row").nth(1)
        topic = row.locator(".tabulator-cell[tabulator-field='topic']").inner_text().strip()
        row.locator(".tabulator-cell[tabulator-field='label']").click()
        page.locator("#card-title", has_text=f"Topic {topic}:").first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / f"workbench_{width}.png"), full_page=True)
        card = page.locator("#card-title").first.bounding_box()
        for placeholder in ("e.g. 3, 7", "new label", "a note on the topic", "e.g. small talk"):
            box = page.locator(f"input[placeholder='{placeholder}']").first.bounding_box()
            apart = (
                box["x"] + box["width"] <= card["x"]
                or card["x"] + card["width"] <= box["x"]
                or box["y"] + box["height"] <= card["y"]
                or card["y"] + card["height"] <= box["y"]
            )
            assert apart, f"the {placeholder!r} box overlaps the topic card at {width} px"
        for field in ("topic", "label", "share", "keywords", "over_represented", "notes"):
            header = page.locator(f".tabulator-col[tabulator-field='{field}']").first.bounding_box()
            assert header is not None and header["x"] >= 0 and header["x"] + header["width"] <= width, (
                f"the {field} column is off screen at {width} px"
            )
            assert header["width"] >= 60, f"the {field} column is squeezed at {width} px"
        title = page.locator(".tabulator-col[tabulator-field='share'] .tabulator-col-title").first
        assert title.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the share header is cut off"
        browser.close()
