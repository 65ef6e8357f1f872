"""Long tasks in the workbench (writing the report, the worksheet, the tables; comparing and merging ledgers).

A task runs in a worker thread (:func:`asyncio.to_thread`) from an ``async`` button callback, so that the
page stays live: while it runs its button is disabled and reads what is being done, the previous result
and download are cleared and a busy line (a spinner and words, announced to screen readers) says what is
happening (with the seconds so far); it ends with one line saying what was written, or why not, and (when there is a file) a
browser download.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from topics.curate import LedgerError
from topics.errors import InputError
from topics.workbench.display import esc

T = TypeVar("T")
log = logging.getLogger("topics.workbench")

EXPECTED = (InputError, LedgerError, OSError, ValueError)
"""Errors a task reports in one line (anything else is reported in one line too, and logged in full)."""

TICK_S = 2.0
"""The busy line counts the seconds so far every this many seconds."""
SPINNER_CSS = """
.wb-busy { padding: .4em .8em; border-radius: 4px; background: #eef2fa; border: 1px solid #9fb3d9; color: #1c2f55; }
.wb-spinner { display: inline-block; width: .9em; height: .9em; margin-right: .5em; vertical-align: -.1em;
  border: 2px solid #9fb3d9; border-top-color: #1c2f55; border-radius: 50%; animation: wb-spin 1s linear infinite; }
@keyframes wb-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .wb-spinner { animation: none; } }
.wb-message { padding: .4em .8em; border-radius: 4px; background: #eef5ee; border: 1px solid #b7d7b7; color: #1d3b1d; }
.wb-message.conflict { background: #fdecea; border-color: #f5c2c0; color: #8a1f11; }
.wb-message.confirm { background: #fff4e0; border-color: #f0c36d; color: #6b4500; }
"""


def busy_html(text: str) -> str:
    """A busy line: a spinner and the words (escaped), announced politely to screen readers."""
    return f"<div class='wb-busy' role='status' aria-live='polite'><span class='wb-spinner'></span>{esc(text)}</div>"


def message_html(text: str, conflict: bool = False) -> str:
    """A result line (escaped): green when done, red when refused or failed."""
    cls = "wb-message conflict" if conflict else "wb-message"
    return f"<div class='{cls}' role='status' aria-live='polite'>{esc(text)}</div>"


class LongTask:
    """One button's long task: busy line, disabled button, result line and an optional download.

    Parameters
    ----------
    button : panel.widgets.Button
        Disabled while the task runs; its label reads ``busy_label`` meanwhile.
    note : panel.pane.HTML
        Shows the busy line, then the result line.
    busy_text : str
        What the busy line says (e.g. "Writing the report: about a minute on a large run...").
    busy_label : str
        The button's label while it runs.
    download : panel.widgets.FileDownload, optional
        Hidden while the task runs; shown with the file when the task returns one.
    """

    def __init__(self, button: Any, note: Any, busy_text: str, busy_label: str, download: Any | None = None) -> None:
        self.button, self.note, self.download = button, note, download
        self.busy_text, self.busy_label = busy_text, busy_label
        self.seconds: float | None = None
        """How long the last run took (server side)."""

    async def run(self, work: Callable[[], T], done: Callable[[T], str]) -> T | None:
        """Run ``work`` in a worker thread, then ``done(result)`` (on the page's thread) for the result line.

        Returns the work's result, or None when it failed (the note then says why, in one line).
        """
        label = self.button.label
        self.button.param.update(disabled=True, label=self.busy_label)
        self.note.object = busy_html(self.busy_text)
        if self.download is not None:
            self.download.visible = False
        started = time.perf_counter()

        async def tick() -> None:  # the seconds so far, so that a long task visibly goes on
            while True:
                await asyncio.sleep(TICK_S)
                self.note.object = busy_html(f"{self.busy_text} ({time.perf_counter() - started:.0f} s so far)")

        ticker = asyncio.ensure_future(tick())
        try:
            result = await asyncio.to_thread(work)
        except EXPECTED as err:
            self.note.object = message_html(f"Not done: {err}", conflict=True)
            return None
        except Exception as err:  # one line for the user, the traceback for the log
            log.exception("workbench task failed")
            self.note.object = message_html(f"Failed: {type(err).__name__}: {err}", conflict=True)
            return None
        finally:
            ticker.cancel()
            self.seconds = time.perf_counter() - started
            self.button.param.update(disabled=False, label=label)
        self.note.object = message_html(done(result))
        return result

    def offer(self, filename: str, data: bytes, label: str) -> None:
        """Show the download button with ``data`` saved as ``filename``."""
        if self.download is None:
            return
        self.download.param.update(file=io.BytesIO(data), filename=filename, label=label, visible=True)
