"""Oversized uploads (issue 24): one line in the page, and the connection stays alive.

Bokeh's file input sends the whole file base64-encoded in one websocket message, and the server closes the
connection on a message over its limit (20 MiB): the page then stopped answering. The page now refuses a file
over the cap in the browser, before reading it, and says so in one line; the server's own checks remain.
"""

from __future__ import annotations

import json
import math
import shutil

import pytest

from topics.errors import InputError
from topics.workbench import server as server_module
from topics.workbench.experts import MAX_LEDGER_BYTES, read_upload
from topics.workbench.uploads import MAX_UPLOAD_BYTES, WEBSOCKET_MAX_BYTES, too_large


def test_the_server_admits_every_upload_under_the_cap_in_one_message(monkeypatch):
    """The server is built with an explicit websocket limit that holds the largest upload the page sends
    (base64 plus Bokeh's framing), and refuses what is over the cap in one line when it arrives anyway."""
    import panel as pn

    captured: dict = {}
    monkeypatch.setattr(server_module, "_start_thread", lambda factory, options, url: captured.update(options))
    server_module.start_server(lambda: pn.pane.Markdown("x"), threaded=True)
    built = server_module._build(lambda: pn.pane.Markdown("x"), captured)
    try:
        limit = built._tornado.settings["websocket_max_message_size"]
    finally:
        built.stop()
    assert limit == WEBSOCKET_MAX_BYTES
    assert 4 * math.ceil(MAX_UPLOAD_BYTES / 3) + 64_000 < limit
    assert MAX_LEDGER_BYTES <= MAX_UPLOAD_BYTES
    with pytest.raises(InputError, match="larger than") as err:
        read_upload(b"x" * (MAX_LEDGER_BYTES + 1), "/home/someone/big.yaml")
    assert "\n" not in str(err.value) and "/home/someone" not in str(err.value)


@pytest.mark.slow
def test_a_refused_upload_is_said_in_one_line_and_forgets_the_file(run_folder):
    from topics.workbench import Workbench
    from topics.workbench.page import _Page

    page = _Page(Workbench(run_folder, author="Dr. Big", use_ner=False))
    guard = page.experts.guard
    guard.refused = json.dumps({"name": "C:\\Users\\me\\big <b>.yaml", "size": 21_500_000, "n": 1})
    line = page.experts.summary.object
    assert "Not uploaded: " in line and "21.5 MB" in line and "5 MB" in line and "conflict" in line
    assert "&lt;b&gt;" in line and "<b>" not in line, "the file name is escaped"
    assert line.count("<div") == 1 and "Traceback" not in line
    before = page.experts.summary.object
    guard.refused = "not json"  # not from the page's script: ignored
    guard.refused = json.dumps({"size": 3})
    assert page.experts.summary.object == before
    assert too_large("a/b/theirs.yaml", 5_000_001).startswith("Not uploaded: theirs.yaml is 5.0 MB")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_an_oversized_upload_gets_one_line_and_the_page_goes_on(authored_server, tmp_path):
    """A file one byte over the cap, then one of 21 MB (over the websocket limit: the old page lost its
    connection): each is refused at once in one line, and the page still answers (a ledger is compared)."""
    from playwright.sync_api import sync_playwright

    (tmp_path / "theirs.yaml").write_text("entries: []\n")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(authored_server)
        page.locator(".tabulator-row").first.wait_for(timeout=120_000)
        page.locator(".bk-tab", has_text="Two experts").first.click()
        chooser = page.locator("input[type=file]").first
        for size, shown in ((MAX_UPLOAD_BYTES + 1, "5.0 MB"), (21 * 1024 * 1024, "22.0 MB")):
            chooser.set_input_files({"name": "big.yaml", "mimeType": "text/yaml", "buffer": b"#" * size})
            page.locator(".wb-message.conflict", has_text=f"Not uploaded: big.yaml is {shown}").first.wait_for(
                timeout=30_000
            )
            assert page.locator(".wb-message.conflict", has_text="Not uploaded").count() == 1
        # the connection is alive: a real ledger is uploaded and compared
        chooser.set_input_files(str(tmp_path / "theirs.yaml"))
        page.wait_for_timeout(1000)
        page.locator("button", has_text="Compare").first.click()
        page.locator("#agreement").first.wait_for(timeout=60_000)
        assert page.locator(".wb-message.conflict", has_text="Not uploaded").count() == 0
        browser.close()
