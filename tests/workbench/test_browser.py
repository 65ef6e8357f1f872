"""The curation workbench in a real browser (Debian chromium through Playwright) against a real server.

The server is ``topics curate app RUN --no-browser`` in a subprocess on a free localhost port; the test
reads the URL (with its token) from its output, curates in the page, reloads it and reads the ledger file.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

import topics
from topics.curate import Ledger
from topics.workbench.server import free_port

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")


@pytest.fixture
def server(run_folder):
    """``topics curate app`` in a subprocess; yields its URL (with the token) and stops it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "topics.cli", "curate", "app", str(run_folder), "--no-browser", "--port", str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    url = None
    seen = []
    try:
        while url is None:
            line = lines.get(timeout=180)
            seen.append(line)
            if line.startswith("Curation workbench: "):
                url = line.split(": ", 1)[1].strip()
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        with socket.create_connection(("127.0.0.1", port), timeout=30):
            pass  # printed only once the server listens
        yield url
    except queue.Empty:
        pytest.fail("the workbench did not start: " + "".join(seen)[-2000:])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _set(page, placeholder: str, value: str) -> None:
    box = page.locator(f"input[placeholder='{placeholder}']").first
    box.fill(value)
    box.press("Enter")


def _click(page, name: str) -> None:
    page.locator("button", has_text=name).first.click()


def _wait_text(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(timeout=60_000)


def _wait_value(box, value: str, prefix: bool = False, tries: int = 300) -> None:
    """Wait until an input holds ``value`` (or starts with it and has more)."""
    for _ in range(tries):
        current = box.input_value()
        if (current.startswith(value) and len(current) > len(value)) if prefix else current == value:
            return
        box.page.wait_for_timeout(100)
    raise AssertionError(f"the input holds {box.input_value()!r}, expected {value!r}" + (" and more" if prefix else ""))


def _click_bubble(page, bubble, box_input, expected_prefix: str) -> None:
    """Click a map bubble once the plot has stopped moving; click again if plotly had not yet wired its click
    handler (a click lost while the figure is still being laid out after the tab switch), as a user would."""
    last = None
    for _ in range(50):  # wait until the bubble's position is stable
        box = bubble.bounding_box()
        if box is not None and box == last:
            break
        last = box
        page.wait_for_timeout(200)
    for _ in range(3):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            _wait_value(box_input, expected_prefix, prefix=True, tries=50)
            return
        except AssertionError:
            continue
    _wait_value(box_input, expected_prefix, prefix=True)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_curate_in_the_browser(server, run_folder):
    from playwright.sync_api import sync_playwright

    base = server.split("?", 1)[0]
    # no token, a wrong token: refused (Bokeh sends the request to the 403 page)
    assert _status(base) == 403
    assert _status(base + "?token=wrong") == 403
    assert _status(base + "ws") in (403, 400)

    raw = topics.analysis.Analysis.load(run_folder).raw_topics
    real = raw[raw["topic"] != -1].sort_values("topic")["topic"].tolist()
    a, b, c, d = real[:4]
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
        outside: list[str] = []  # the page loads everything from the local server: no CDN, no fonts from outside
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:"))
                else outside.append(r.url)
            ),
        )
        page.goto(server)
        _wait_text(page, "Curation workbench")
        # selection is linked: ticking a row in the topic list, clicking a bubble on the intertopic map
        chosen = page.locator("input[placeholder='e.g. 3, 7']").first
        page.locator(".tabulator-row").nth(1).locator("input[type=checkbox]").click()
        _wait_value(chosen, str(real[1]))
        page.get_by_text("Intertopic map", exact=True).click()
        bubble = page.locator(".scatterlayer .trace .points path.point").first
        bubble.wait_for(timeout=60_000)
        _click_bubble(page, bubble, chosen, f"{real[1]}, ")
        page.get_by_text("Topics", exact=True).first.click()
        _set(page, "e.g. 3, 7", f"{a}, {b}")
        _set(page, "new label", "Substance use")
        _click(page, "Merge")
        _wait_text(page, "say who you are first")  # the author is asked before the first decision
        _set(page, "e.g. A. Expert", "Dr. Browser")
        _click(page, "Set name")
        _wait_text(page, "Decisions are recorded as Dr. Browser")
        _click(page, "Merge")
        _wait_text(page, f"merge {a}, {b} -> 'Substance use'")
        _set(page, "e.g. 3, 7", str(c))
        _set(page, "new label", "<script>alert(1)</script>")
        _click(page, "Rename")
        _wait_text(page, f"rename {c} -> '<script>alert(1)</script>'")
        _wait_value(chosen, "")  # done: the selection is cleared
        _set(page, "e.g. 3, 7", str(c))
        _set(page, "new label", "Substance use")
        _click(page, "Rename")
        _wait_text(page, "already used by topic")  # a conflict is shown at once, nothing written
        _set(page, "e.g. 3, 7", str(d))
        _click(page, "Drop")
        _wait_text(page, f"drop {d} -> outliers")
        _click(page, "Undo")
        _wait_text(page, f"undone: drop {d}")

        page.reload()
        _wait_text(page, "Curation workbench")
        table = page.locator(".tabulator").first
        table.get_by_text("Substance use", exact=True).wait_for(timeout=60_000)
        # the <script> label is shown as text in the topic list, and never ran
        assert table.get_by_text("<script>alert(1)</script>", exact=True).count() == 1
        numbers = [x.strip() for x in table.locator(".tabulator-cell[tabulator-field='topic']").all_inner_texts()]
        assert str(d) in numbers, "the dropped-then-undone topic is back in the list"
        assert str(a) in numbers and str(b) not in numbers, "the merged topic keeps the first number"
        browser.close()
    assert dialogs == []
    assert outside == []

    book = Ledger.load(run_folder / "ledger.yaml")
    assert [(e.op, e.topics, e.label) for e in book.entries] == [
        ("merge", [a, b], "Substance use"),
        ("rename", [c], "<script>alert(1)</script>"),
    ]
    assert all(e.author == "Dr. Browser" and e.time.startswith("20") for e in book.entries)


def _topic_of_row(page, i: int) -> int:
    return int(page.locator(".tabulator-row").nth(i).locator(".tabulator-cell[tabulator-field='topic']").inner_text())


def _wait_ticked(page, n: int) -> None:
    """Wait until exactly ``n`` rows of the topic list are ticked."""
    rows = page.locator(".tabulator-row.tabulator-selected")
    for _ in range(300):
        if rows.count() == n:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{rows.count()} rows ticked, expected {n}")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_selection_resets_and_a_large_drop_asks_first_in_the_browser(server, run_folder):
    """Issue 22 in the real page: a large drop waits for a confirming click; a merge leaves nothing ticked."""
    from playwright.sync_api import sync_playwright

    raw = topics.analysis.Analysis.load(run_folder).raw_topics
    real = raw[raw["topic"] != -1].sort_values("share", ascending=False)
    large: list[int] = []
    for topic, share in zip(real["topic"], real["share"].cumsum(), strict=True):
        large.append(int(topic))
        if share > 0.10:
            break
    n = int(real.set_index("topic")["size"][large].sum())
    ledger = run_folder / "ledger.yaml"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(server)
        _wait_text(page, "Curation workbench")
        _set(page, "e.g. A. Expert", "Dr. Browser")
        _click(page, "Set name")
        _wait_text(page, "Decisions are recorded as Dr. Browser")
        chosen = page.locator("input[placeholder='e.g. 3, 7']").first
        # typing the topics ticks them; the first click on Drop only asks
        _set(page, "e.g. 3, 7", ", ".join(map(str, large)))
        _wait_ticked(page, len(large))
        _click(page, "Drop")
        confirm = page.locator("button", has_text=f"Confirm drop of {n:,} remarks")
        confirm.wait_for(timeout=60_000)
        _wait_text(page, "changing the selection cancels")
        assert not ledger.exists() or Ledger.load(ledger).entries == []
        confirm.click()
        _wait_text(page, f"drop {large[-1]} -> outliers")
        _wait_value(chosen, "")
        _wait_ticked(page, 0)
        assert page.locator("button", has_text="Confirm drop of").count() == 0
        # tick two rows, merge: nothing stays ticked, the label box is empty, the next tick is all that is chosen
        first, second = _topic_of_row(page, 0), _topic_of_row(page, 1)
        page.locator(".tabulator-row").nth(0).locator("input[type=checkbox]").click()
        _wait_value(chosen, str(first))
        page.locator(".tabulator-row").nth(1).locator("input[type=checkbox]").click()
        _wait_value(chosen, f"{first}, {second}")
        _set(page, "new label", "Merged in the browser")
        _click(page, "Merge")
        _wait_text(page, f"merge {first}, {second} -> 'Merged in the browser'")
        _wait_value(chosen, "")
        _wait_ticked(page, 0)
        assert page.locator("input[placeholder='new label']").first.input_value() == ""
        third = _topic_of_row(page, 2)
        page.locator(".tabulator-row").nth(2).locator("input[type=checkbox]").click()
        _wait_value(chosen, str(third))
        _wait_ticked(page, 1)
        page.locator(".tabulator-row").nth(2).locator("input[type=checkbox]").click()
        _wait_value(chosen, "")
        _wait_ticked(page, 0)
        browser.close()
    assert [(e.op, e.topics) for e in Ledger.load(ledger).entries] == [
        *(("drop", [t]) for t in large),
        ("merge", [first, second]),
    ]
