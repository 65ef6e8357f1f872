"""Latency of the curation workbench as a user feels it: mouse-down to the page changed, in a real browser.

For each run folder given, the script serves the workbench (``topics curate app RUN --ledger TMP --author
Benchmark``, a fresh ledger in a temporary folder: the run's own ledger is not touched), drives it with
Playwright and Debian's chromium, and repeats ``--reps`` times: select (tick a row: until its topic card
shows), merge two topics, undo, redo, undo, rename, note, drop and undo (until the topic list changed).

Browser time: from the ``mousedown`` event (a capturing listener in the page) to the animation frame in
which the change is first seen. Server time, beside it: the page's own figures for the same action (the
``data-session-ms`` and ``data-page-ms`` attributes of the message line: ``session`` is the action on the
curation session, ledger written and curated view rebuilt; ``page`` adds every pane the page redraws).
The difference (browser - page) is the transfer, Bokeh's and Tabulator's rendering and the event loop.

Prints n, median, 95th percentile (nearest rank) and max per action kind, as a markdown table, and the
machine's load average when it started and ended (figures on a shared machine are not a benchmark).

Usage::

    .venv/bin/python benchmarks/workbench_latency.py runs/demo [RUN ...] [--reps 20] [--width 1400]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

SETUP = """() => {
  window.__t0 = null;
  document.addEventListener('mousedown', () => { window.__t0 = performance.now(); }, true);
  const deep = (root, test) => { for (const el of root.querySelectorAll('*')) {
      if (test(el)) return el; if (el.shadowRoot) { const f = deep(el.shadowRoot, test); if (f) return f; } }
    return null; };
  window.__deep = deep;
  window.__table = () => {
    if (!window.__tbl || !window.__tbl.isConnected) {
      const col = deep(document, (el) => el.getAttribute && el.getAttribute('tabulator-field') === 'keywords'
                                         && el.classList.contains('tabulator-col'));
      window.__tbl = col ? col.closest('.tabulator').querySelector('.tabulator-tableholder') : null;
    }
    return window.__tbl ? window.__tbl.textContent : '';
  };
  window.__card = () => { const c = deep(document, (el) => el.id === 'card-title'); return c ? c.textContent : ''; };
  window.__said = () => { const m = deep(document, (el) => el.id === 'wb-message');
    return m ? {said: +(m.dataset.said || 0), session: m.dataset.sessionMs, page: m.dataset.pageMs, text: m.textContent}
             : {said: 0}; };
}"""
CHANGED = """([what, before]) => {
  const now = what === 'card' ? window.__card() : window.__table();
  if (now !== before) { window.__t1 = performance.now(); return true; }
  return false;
}"""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, int(np.ceil(q / 100 * len(ordered))) - 1)]


def serve(run: Path, ledger: Path) -> tuple[subprocess.Popen[str], str]:
    """Start the workbench on a free port; return the process and its URL (with the token)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable,
        "-m",
        "topics.cli",
        "curate",
        "app",
        str(run),
        "--no-browser",
        "--port",
        str(port),
        "--ledger",
        str(ledger),
        "--author",
        "Benchmark",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or []], daemon=True).start()
    while True:
        line = lines.get(timeout=600)
        if line.startswith("Curation workbench: "):
            return proc, line.split(": ", 1)[1].strip()


class Driver:
    """One browser page on the workbench; each timed action returns (browser ms, server session ms, page ms)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        page.evaluate(SETUP)

    def said(self) -> dict[str, Any]:
        return dict(self.page.evaluate("() => window.__said()"))

    def timed_click(self, locator: Any, what: str = "table") -> tuple[float, float, float]:
        """Mouse-down on ``locator``; wait for the table (or card) to change and for the server's message."""
        page = self.page
        before = page.evaluate("(w) => w === 'card' ? window.__card() : window.__table()", what)
        said = self.said()["said"]
        box = locator.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.wait_for_function(CHANGED, arg=[what, before], polling="raf", timeout=15_000)
        except Exception as err:
            box_value = page.locator("input[placeholder='e.g. 3, 7']").first.input_value()
            raise RuntimeError(
                f"no change after clicking {locator}: card {page.evaluate('() => window.__card()')!r}, "
                f"Topics box {box_value!r}, message {self.said()}"
            ) from err
        browser_ms = float(page.evaluate("() => window.__t1 - window.__t0"))
        if what == "card":  # a selection says nothing in the message line
            return browser_ms, float("nan"), float("nan")
        page.wait_for_function("(n) => window.__said().said > n", arg=said, timeout=120_000)
        msg = self.said()
        return browser_ms, float(msg.get("session") or "nan"), float(msg.get("page") or "nan")

    def choose(self, topics: list[int]) -> None:
        """Type the topics into the Topics box (not timed) and wait until exactly they are ticked."""
        box = self.page.locator("input[placeholder='e.g. 3, 7']").first
        box.fill(", ".join(map(str, topics)) or " ")  # a space: an empty selection that always reaches the server
        box.press("Enter")
        rows = self.page.locator(".tabulator-row.tabulator-selected")
        for _ in range(600):
            if rows.count() == len(topics):
                return
            self.page.wait_for_timeout(50)
        raise RuntimeError(f"{topics} were not ticked")

    def fill(self, placeholder: str, text: str) -> None:
        self.page.locator(f"input[placeholder='{placeholder}']").first.fill(text)

    def button(self, name: str) -> Any:
        return self.page.locator(".bk-btn", has_text=name).first

    def rows(self) -> list[tuple[int, float]]:
        """(topic, share %) of every listed row."""
        cells = self.page.locator(".tabulator-row")
        topics = [int(x) for x in cells.locator(".tabulator-cell[tabulator-field='topic']").all_inner_texts()]
        shares = [float(x) for x in cells.locator(".tabulator-cell[tabulator-field='share']").all_inner_texts()]
        return list(zip(topics, shares, strict=True))


def bench(run: Path, reps: int, width: int) -> dict[str, list[tuple[float, float, float]]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = serve(run, Path(tmp) / "ledger.yaml")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": width, "height": 1100})
                page.goto(url)
                page.locator(".tabulator-row").first.wait_for(timeout=300_000)
                page.wait_for_timeout(2000)
                d = Driver(page)
                for i in range(reps):
                    try:
                        one_rep(page, d, out, i)
                    except RuntimeError as err:  # a step that never showed: noted, counted, and the next rep goes on
                        out["failed (count)"].append((float("nan"),) * 3)
                        print(f"  rep {i + 1}: {str(err)[:300]}", file=sys.stderr, flush=True)
                        continue
                    print(f"  rep {i + 1}/{reps} done", file=sys.stderr, flush=True)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return out


def one_rep(page: Any, d: Driver, out: dict[str, list[tuple[float, float, float]]], i: int) -> None:
    """One round of every action kind (rep ``i``)."""
    rows = d.rows()
    a, b = rows[i % 3][0], rows[i % 3 + 1][0]
    for _ in range(5):  # nothing chosen, the card empty: the tick below opens a card
        d.choose([])
        page.wait_for_timeout(300)
        state = page.locator("input[placeholder='e.g. 3, 7']").first.input_value()
        if not state and page.evaluate("() => window.__card()") == "":
            break
        out["reselected (count)"].append((float("nan"),) * 3)
        print(f"  note: topic {state} was chosen again after the undo", file=sys.stderr)
    # the list is scrolled back to its top first, as a user would (a tick further down scrolled it): the
    # first rows drawn are then the first rows on screen (not timed)
    page.evaluate("() => { window.__table(); if (window.__tbl) window.__tbl.scrollTop = 0; }")
    page.wait_for_timeout(300)
    first = page.locator(".tabulator-row").nth(i % 3).locator("input[type=checkbox]")
    out["select"].append(d.timed_click(first, "card"))
    d.choose([a, b])
    d.fill("new label", f"Bench merge {i}")
    out["merge"].append(d.timed_click(d.button("Merge")))
    out["undo"].append(d.timed_click(d.button("Undo")))
    out["redo"].append(d.timed_click(d.button("Redo")))
    out["undo"].append(d.timed_click(d.button("Undo")))
    rows = d.rows()
    small = [t for t, share in rows if share < 5]
    d.choose([rows[i % len(rows)][0]])
    d.fill("new label", f"Bench rename {i}")
    out["rename"].append(d.timed_click(d.button("Rename")))
    d.choose([rows[(i + 1) % len(rows)][0]])
    d.fill("a note on the topic", f"bench note {i}")
    out["note"].append(d.timed_click(d.button("Note")))
    d.choose([small[i % len(small)]])
    out["drop"].append(d.timed_click(d.button("Drop")))
    out["undo"].append(d.timed_click(d.button("Undo")))


def table(run: Path, results: dict[str, list[tuple[float, float, float]]]) -> str:
    lines = [
        f"\n{run} (ms; browser = mouse-down to changed, server = the page's own time for the action)\n",
        "| action | n | browser median | browser p95 | browser max | server page median | server page p95 "
        "| server session median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    failed = len(results.get("failed (count)", []))
    if failed:
        lines.insert(1, f"({failed} rounds stopped at a step whose change never showed: see the script's notes)\n")
    again = len(results.get("reselected (count)", []))
    if again:
        lines.insert(1, f"({again} times a topic was chosen again by itself after an undo: see the script's notes)\n")
    for kind in ("select", "merge", "rename", "drop", "note", "undo", "redo"):
        rows = results.get(kind, [])
        if not rows:
            continue
        browser = [r[0] for r in rows]
        page = [r[2] for r in rows if not np.isnan(r[2])]
        session = [r[1] for r in rows if not np.isnan(r[1])]
        server = (
            f"{np.median(page):.0f} | {percentile(page, 95):.0f} | {np.median(session):.0f}" if page else "- | - | -"
        )
        lines.append(
            f"| {kind} | {len(rows)} | {np.median(browser):.0f} | {percentile(browser, 95):.0f} | "
            f"{max(browser):.0f} | {server} |"
        )
    every = [r[0] for kind, rows in results.items() for r in rows if "(count)" not in kind]
    lines.append(
        f"\nall {len(every)} actions: median {np.median(every):.0f} ms, p95 {percentile(every, 95):.0f} ms, "
        f"max {max(every):.0f} ms, {np.mean(np.array(every) < 500):.0%} under 500 ms"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    raw: dict[str, Any] = {"load_start": os.getloadavg(), "cpus": os.cpu_count()}
    for run in args.runs:
        started = time.perf_counter()
        results = bench(run, args.reps, args.width)
        print(table(run, results), flush=True)
        print(f"({time.perf_counter() - started:.0f} s in all)")
        raw[str(run)] = results
    raw["load_end"] = os.getloadavg()
    print(f"\nload average (1, 5, 15 min): start {raw['load_start']}, end {raw['load_end']}; {raw['cpus']} CPUs")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
