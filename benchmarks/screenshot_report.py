"""Screenshots of an HTML report in chromium, to look at it the way a reader does.

For each width (default 1400 and 900 px) two full-page PNGs: the page with every detail closed ("close all":
the summary and each question's short answer) and the page with every detail opened ("open all": all
figures drawn at their real width). Uses Playwright with Debian's chromium (no browser download, no
network). A full-page screenshot shows the menu (table of contents) once, at the top; in the browser it
stays on screen while the page scrolls.

Usage::

    .venv/bin/topics demo                                    # writes figures/report.html
    .venv/bin/python benchmarks/screenshot_report.py figures/report.html --out figures/screenshots

Writes ``report-<width>-closed.png`` and ``report-<width>-open.png`` into ``--out`` and prints each file
with the page height in pixels.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def screenshot(report: Path, out: Path, widths: list[int]) -> list[tuple[Path, int]]:
    """Full-page screenshots of ``report`` at each width, closed and opened; returns (file, page height)."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        try:
            for width in widths:
                page = browser.new_page(viewport={"width": width, "height": 1000})
                page.goto(report.resolve().as_uri())
                page.wait_for_load_state("load")
                page.wait_for_timeout(1500)  # plotly draws after load
                for state in ("closed", "open"):
                    page.click("#open-all" if state == "open" else "#close-all")
                    page.wait_for_timeout(2500 if state == "open" else 500)  # figures resize to their section's width
                    path = out / f"report-{width}-{state}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written.append((path, int(page.evaluate("document.documentElement.scrollHeight"))))
                page.close()
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the HTML report")
    parser.add_argument("--out", type=Path, default=Path("figures/screenshots"), help="folder for the PNGs")
    parser.add_argument("--widths", default="1400,900", help="comma-separated viewport widths in px")
    args = parser.parse_args()
    for path, height in screenshot(args.report, args.out, [int(w) for w in args.widths.split(",")]):
        print(f"{path}  ({height:,} px tall)")


if __name__ == "__main__":
    main()
