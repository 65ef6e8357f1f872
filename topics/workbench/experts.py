"""The workbench's two-expert tab: load a second ledger, see agreement and disagreements, adopt one side per topic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from topics.curate import Ledger, LedgerError, compare_ledgers, merged_ledger
from topics.errors import InputError
from topics.workbench.display import esc, parse_topics
from topics.workbench.tasks import SPINNER_CSS, LongTask, message_html
from topics.workbench.uploads import MAX_UPLOAD_BYTES, UploadGuard

MAX_LEDGER_BYTES = MAX_UPLOAD_BYTES
"""Largest second ledger read (a ledger of thousands of decisions is far smaller); the browser refuses a larger
file before sending it (:class:`topics.workbench.uploads.UploadGuard`)."""


def read_upload(data: bytes | None, filename: str | None) -> Ledger:
    """Parse the second expert's ledger as uploaded in the browser (size-checked, read as YAML, never run).

    Parameters
    ----------
    data : bytes or None
        The file's bytes (None: nothing uploaded).
    filename : str or None
        Its name on the user's computer (used in messages only, never as a path here).

    Returns
    -------
    Ledger

    Raises
    ------
    InputError
        Nothing uploaded, too large, or not UTF-8 text.
    LedgerError
        Not a ledger (the safe ledger loader's one-line reason).
    """
    name = Path(str(filename or "the file")).name
    if not data:
        raise InputError("choose the second expert's ledger file (a .yaml file) first")
    if len(data) > MAX_LEDGER_BYTES:
        raise InputError(f"{name} is larger than {MAX_LEDGER_BYTES:,} bytes: not a ledger")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{name} is not a text file: choose the ledger (.yaml)") from None
    return Ledger.from_text(text, path=name)


class ExpertsPanel:
    """Compare the open ledger ("mine", a) with a second expert's ("theirs", b, uploaded) and merge them.

    Parameters
    ----------
    wb : Workbench
    say : callable
        Shows a line in the page's message area.
    on_switch : callable, optional
        Called after the workbench switched to the merged ledger (the page redraws everything).
    """

    def __init__(self, wb: Any, say: Callable[..., None], on_switch: Callable[[], None] | None = None) -> None:
        import panel as pn

        self.wb, self.say, self.on_switch = wb, say, on_switch
        w = pn.widgets
        css = [SPINNER_CSS]
        self.upload = w.FileInput(accept=".yaml,.yml", multiple=False, width=320, name="Second expert's ledger")
        self.guard = UploadGuard(self.refuse_upload, limit=MAX_LEDGER_BYTES)
        self.compare = w.Button(label="Compare", color="primary", width=130)
        self.summary = pn.pane.HTML("", stylesheets=css)
        self.table = w.Tabulator(
            pd.DataFrame(), disabled=True, show_index=False, height=320, sizing_mode="stretch_width"
        )
        self.topics = w.TextInput(label="Raw topics", placeholder="e.g. 12, 15", width=160)
        self.side = w.RadioButtonGroup(options=["mine", "theirs"], value="theirs", width=160, name="Side to adopt")
        self.adopt = w.Button(label="Adopt for these topics", width=180)
        self.write = w.Button(label="Merge the two ledgers", color="primary", width=200)
        self.result = pn.pane.HTML("", stylesheets=css)
        self.download = w.FileDownload(label="Download the merged ledger", visible=False, width=260, embed=False)
        self.switch = w.Button(label="Curate the merged ledger now", color="primary", visible=False, width=260)
        self.merged_path: Path | None = None
        self.other: Ledger | None = None
        self.choices: dict[int, str] = {}
        self.compare_task = LongTask(self.compare, self.summary, "Comparing the two ledgers...", "Comparing...")
        self.merge_task = LongTask(
            self.write, self.result, "Merging the two ledgers...", "Merging...", download=self.download
        )

        async def compare(event: Any) -> None:
            await self.compare_async()

        async def merge(event: Any) -> None:
            await self.merge_async()

        self.compare.on_click(compare)
        self.adopt.on_click(lambda e: self.adopt_side())
        self.write.on_click(merge)
        self.switch.on_click(lambda e: self.switch_to_merged())
        self.layout = pn.Column(
            pn.pane.HTML(
                "<p>Mine = the ledger this workbench writes; theirs = a second expert's ledger on the same "
                "run, chosen from your computer below. Agreement: adjusted Rand index of the curated groupings "
                "of remarks, Cohen's kappa of the drop decisions per raw topic. Disagreements are listed by raw "
                "topic; adopt one side per topic (mine by default), then merge: the merged ledger keeps each "
                "adopted decision as its expert wrote it (author, time, rationale, notes) and records who "
                "merged, when, and the side of each topic. A decision that joins topics adopted from "
                "different sides (a merge) must be adopted from one side for all of them. Your own ledger is "
                "never changed: you may download the merged one, or go on curating it here.</p>"
            ),
            pn.pane.HTML("<label><b>Second expert's ledger</b> (the .yaml file they sent you)</label>"),
            pn.Row(self.upload, self.compare),
            self.guard,
            self.summary,
            self.table,
            pn.FlexBox(self.topics, self.side, self.adopt, self.write, flex_wrap="wrap"),
            self.result,
            pn.Row(self.download, self.switch),
            sizing_mode="stretch_width",
        )

    def refuse_upload(self, line: str) -> None:
        """A file over the cap was refused in the browser (nothing was sent): say so in one line."""
        self.upload.clear()  # a file chosen before is not compared in its place
        self.table.value = pd.DataFrame()
        self.summary.object = message_html(line, conflict=True)

    # ------------------------------------------------------------------ compare
    def _compare(self) -> tuple[Ledger, Any]:
        other = read_upload(self.upload.value, self.upload.filename)
        with self.wb.lock:
            mine = self.wb.session.ledger
        return other, compare_ledgers(self.wb.analysis.model, mine, other)

    async def compare_async(self) -> None:
        """Compare with the uploaded ledger in a worker thread (button disabled, busy line meanwhile)."""
        self.table.value = pd.DataFrame()
        self.result.object = ""
        self._hide_merged()
        found = await self.compare_task.run(self._compare, lambda r: "")
        if found is not None:
            self._show(*found)

    def run_compare(self) -> None:
        """Compare with the uploaded ledger at once (no worker thread): a refusal is shown in one line."""
        try:
            found = self._compare()
        except (InputError, LedgerError, ValueError) as err:
            self.summary.object = message_html(f"Not done: {err}", conflict=True)
            return
        self._show(*found)

    def _show(self, other: Ledger, agreement: Any) -> None:
        self.other = other
        s = agreement.summary()
        rows = "".join(
            f"<tr><th scope='row'>{esc(m)}</th><td>{v:.3f}</td></tr>"
            for m, v in zip(s["measure"], s["value"], strict=True)
        )
        self.summary.object = f"<table id='agreement'><caption>Agreement</caption>{rows}</table>"
        table = agreement.labels
        diff = table[(~table["same_decision"]) & (table["raw_topic"] != -1)].copy()
        shown = self.wb.shown
        for column in ("raw_label", "label_a", "label_b"):  # keyword labels may hold names: shown like remarks
            diff[column] = shown.many(diff[column].astype(str))
        diff = diff.rename(
            columns={"label_a": "mine", "dropped_a": "mine_dropped", "label_b": "theirs", "dropped_b": "theirs_dropped"}
        )
        self.table.value = diff[
            ["raw_topic", "raw_label", "remarks", "mine", "mine_dropped", "theirs", "theirs_dropped"]
        ].reset_index(drop=True)
        self.choices = {}
        self.result.object = f"<p>{len(diff)} raw topics with different decisions.</p>"

    def adopt_side(self) -> None:
        try:
            topics = parse_topics(self.topics.value or "")
        except ValueError as err:
            self.result.object = message_html(f"Not understood: {err}", conflict=True)
            return
        for t in topics:
            self.choices[t] = "a" if self.side.value == "mine" else "b"
        theirs = sorted(t for t, c in self.choices.items() if c == "b")
        self.result.object = (
            f"<p>Adopting theirs for raw topics {esc(', '.join(map(str, theirs)) or 'none')}; mine for all others.</p>"
        )

    # ------------------------------------------------------------------ merge
    def _merge(self) -> tuple[Path, Ledger]:
        if self.other is None:
            raise InputError("compare with the second expert's ledger first")
        author = self.wb.session.author or "unknown"
        with self.wb.lock:
            book = merged_ledger(
                self.wb.analysis.model, self.wb.session.ledger, self.other, self.choices, author=author
            )
            path = book.save(Path(self.wb.ledger_path).with_suffix(".merged.yaml"))
        return Path(path), book

    def _merged_message(self, found: tuple[Path, Ledger]) -> str:
        path, book = found
        record = book.merged[-1]
        self.merged_path = path
        self.merge_task.offer(path.name, path.read_bytes(), f"Download the merged ledger ({path.name})")
        self.switch.visible = True
        return (
            f"The two ledgers are merged into {path.name} in the run folder: {len(book.entries)} decisions as "
            f"their experts wrote them ({len(record.a.taken)} of mine, {len(record.b.taken)} of theirs). Your "
            "ledger is unchanged. Download the merged ledger, or curate it here from now on."
        )

    async def merge_async(self) -> None:
        """Merge in a worker thread (button disabled, busy line meanwhile); then offer download and switch."""
        self._hide_merged()
        await self.merge_task.run(self._merge, self._merged_message)

    def write_merged(self) -> None:
        """Merge at once (no worker thread); a refusal is shown in one line."""
        self._hide_merged()
        try:
            found = self._merge()
        except (InputError, LedgerError, ValueError) as err:
            self.result.object = message_html(f"Not done: {err}", conflict=True)
            return
        self.result.object = message_html(self._merged_message(found))

    def _hide_merged(self) -> None:
        self.download.visible = self.switch.visible = False

    def switch_to_merged(self) -> None:
        """Curate the merged ledger in this workbench from now on (every page of it)."""
        if self.merged_path is None:
            return
        try:
            self.wb.switch_ledger(self.merged_path)
        except (InputError, LedgerError, ValueError) as err:
            self.result.object = message_html(f"Not switched: {err}", conflict=True)
            return
        self.switch.visible = False
        name = self.merged_path.name
        self.result.object = message_html(f"You are now curating the merged ledger ({name}); yours is kept as it was.")
        self.say(f"Now curating the merged ledger {name}: new decisions are written to it.")
        if self.on_switch is not None:
            self.on_switch()
