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


def _wait_value(box, value: str, prefix: bool = False) -> None:
    """Wait until an input holds ``value`` (or starts with it and has more)."""
    for _ in range(300):
        current = box.input_value()
        if (current.startswith(value) and len(current) > len(value)) if prefix else current == value:
            return
        box.page.wait_for_timeout(100)
    raise AssertionError(f"the input holds {box.input_value()!r}, expected {value!r}" + (" and more" if prefix else ""))


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
        box = bubble.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        _wait_value(chosen, f"{real[1]}, ", prefix=True)
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
