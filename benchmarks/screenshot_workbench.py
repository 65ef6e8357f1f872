"""Screenshot of the curation workbench (docs/workbench.png): serves RUN, selects topic 1, saves a PNG.

Usage::

    .venv/bin/topics demo
    .venv/bin/python benchmarks/screenshot_workbench.py runs/demo docs/workbench.png

Playwright with Debian's chromium (no browser download, no network); the app runs on a free local port.
"""

import shutil
import socket
import subprocess
import sys

from playwright.sync_api import sync_playwright

run, out = sys.argv[1], sys.argv[2]
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
proc = subprocess.Popen(
    [sys.executable, "-m", "topics.cli", "curate", "app", run, "--no-browser", "--port", str(port)],
    stdout=subprocess.PIPE,
    stderr=subprocess.STDOUT,
    text=True,
)
assert proc.stdout is not None
url = ""
for line in proc.stdout:
    if line.startswith("Curation workbench: "):
        url = line.split(": ", 1)[1].strip()
        break
try:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = b.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(url)
        page.get_by_text("Curation workbench").first.wait_for(timeout=120000)
        page.wait_for_timeout(4000)
        box = page.locator("input[placeholder='e.g. 3, 7']").first
        box.fill("1")
        box.press("Enter")
        page.get_by_text("representative remarks").first.wait_for(timeout=60000)
        page.wait_for_timeout(3000)
        page.screenshot(path=out)
        b.close()
finally:
    proc.terminate()
print("wrote", out)
