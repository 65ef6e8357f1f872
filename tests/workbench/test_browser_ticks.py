"""The tick boxes of the topic list stay in step with the server across drop, undo and ticks (issue 24).

A tick is a row position in the table the browser shows. When the server has replaced the table (an action,
an undo) before the tick reaches it, the same position names another topic there: the tick must still choose
the topic the user saw and clicked, and no topic may come back ticked by itself afterwards. The page is
driven in Debian's chromium through Playwright against ``topics curate app`` in a subprocess.
"""

from __future__ import annotations

import shutil

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")]
BOX = "input[placeholder='e.g. 3, 7']"


def _open(p, url: str):
    browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url)
    page.get_by_text("Curation workbench").first.wait_for(timeout=120_000)
    page.locator(".tabulator-row").first.wait_for(timeout=60_000)
    return browser, page


def _row(page, i: int):
    return page.locator(".tabulator-row").nth(i)


def _topic(page, i: int) -> int:
    return int(_row(page, i).locator(".tabulator-cell[tabulator-field='topic']").inner_text())


def _share(page, i: int) -> float:
    return float(_row(page, i).locator(".tabulator-cell[tabulator-field='share']").inner_text())


def _ticked(page) -> list[int]:
    cells = page.locator(".tabulator-row.tabulator-selected .tabulator-cell[tabulator-field='topic']")
    return sorted(int(x) for x in cells.all_inner_texts())


def _said(page) -> int:
    m = page.locator("#wb-message")
    return int(m.first.get_attribute("data-said") or 0) if m.count() else 0


def _until(page, check, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if check():
            return
        page.wait_for_timeout(50)
    raise AssertionError(what())


def _settled(page, topics: list[int]) -> None:
    """The Topics box (the server's selection) and the ticks show exactly ``topics``, and still do a moment later
    (a stale echo of an earlier table would change them back)."""
    box = page.locator(BOX).first
    want = ", ".join(map(str, topics))

    def state() -> str:
        return f"Topics box {box.input_value()!r}, ticked {_ticked(page)}, expected {topics}"

    _until(page, lambda: box.input_value() == want and _ticked(page) == sorted(topics), state)
    page.wait_for_timeout(1200)
    assert box.input_value() == want and _ticked(page) == sorted(topics), state()
    if topics:
        title = page.locator("#card-title").first.inner_text()
        assert title.startswith(f"Topic {topics[0]}:"), title


def _wait_said(page, before: int) -> None:
    _until(page, lambda: _said(page) > before, lambda: f"no message after {before}")


def test_ticks_stay_in_step_through_drop_undo_and_quick_ticks(authored_server):
    """Rounds of tick, drop, then undo with a tick on a lower row in the same instant (before the undone table
    arrives): the tick chooses the topic the user saw in that row, nothing else is ticked, and unticking it
    leaves nothing chosen. On a stale row position the old page chose the topic one row up (the undone topic
    pushes the rows down) or lost the tick."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = _open(p, authored_server)
        n_rows = page.locator(".tabulator-row").count()
        small = [i for i in range(1, min(n_rows - 2, 5)) if _share(page, i) < 9]
        assert small, "the test run needs a topic under 9% in the first rows"
        for round_ in range(4):
            i = small[round_ % len(small)]
            dropped = _topic(page, i)
            _row(page, i).locator("input[type=checkbox]").click()
            _settled(page, [dropped])
            before = _said(page)
            page.locator(".bk-btn", has_text="Drop").first.click()
            _wait_said(page, before)
            _settled(page, [])
            assert dropped not in [_topic(page, k) for k in range(i + 1)]
            # the user clicks Undo and, at once, ticks a row below the dropped one, as the page shows it
            seen = _topic(page, i + 1)
            undo = page.locator(".bk-btn", has_text="Undo").first.element_handle()
            tick = _row(page, i + 1).locator("input[type=checkbox]").element_handle()
            before = _said(page)
            page.evaluate("([undo, tick]) => { undo.click(); tick.click(); }", [undo, tick])
            _wait_said(page, before)
            _settled(page, [seen])
            assert dropped in [_topic(page, k) for k in range(i + 2)]
            # untick it where it is listed now: nothing chosen, and nothing comes back by itself
            rows = [_topic(page, k) for k in range(page.locator(".tabulator-row").count())]
            _row(page, rows.index(seen)).locator("input[type=checkbox]").click()
            _settled(page, [])
        browser.close()
