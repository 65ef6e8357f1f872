"""The workbench's two-expert tab: load a second ledger, see agreement and disagreements, adopt one side per topic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from topics.curate import Ledger, LedgerError, compare_ledgers, merged_ledger
from topics.errors import InputError
from topics.workbench.display import esc, parse_topics

MAX_LEDGER_BYTES = 5_000_000
"""Largest second ledger read (a ledger of thousands of decisions is far smaller)."""


def load_other(path_text: str, run: Path) -> Ledger:
    """Read the second expert's ledger: a path, relative to the run folder or absolute, with a size check."""
    path = Path(path_text.strip()).expanduser()
    if not path.is_absolute():
        path = run / path
    if not path.is_file():
        raise InputError("no such ledger file", path=path)
    if path.stat().st_size > MAX_LEDGER_BYTES:
        raise InputError(f"the ledger is larger than {MAX_LEDGER_BYTES:,} bytes", path=path)
    return Ledger.load(path)


class ExpertsPanel:
    """Compare the open ledger ("mine", a) with a second expert's ("theirs", b) and merge them."""

    def __init__(self, wb: Any, say: Callable[..., None]) -> None:
        import panel as pn

        self.wb, self.say = wb, say
        w = pn.widgets
        self.path = w.TextInput(
            label="Second expert's ledger (path, relative to the run folder or absolute)",
            placeholder="ledger_b.yaml",
            width=420,
        )
        self.compare = w.Button(label="Compare", color="primary", width=110)
        self.summary = pn.pane.HTML("")
        self.table = w.Tabulator(
            pd.DataFrame(), disabled=True, show_index=False, height=320, sizing_mode="stretch_width"
        )
        self.topics = w.TextInput(label="Raw topics", placeholder="e.g. 12, 15", width=160)
        self.side = w.RadioButtonGroup(options=["mine", "theirs"], value="theirs", width=160)
        self.adopt = w.Button(label="Adopt for these topics", width=180)
        self.write = w.Button(label="Write merged ledger", color="success", width=180)
        self.result = pn.pane.HTML("")
        self.other: Ledger | None = None
        self.choices: dict[int, str] = {}
        self.compare.on_click(lambda e: self.run_compare())
        self.adopt.on_click(lambda e: self.adopt_side())
        self.write.on_click(lambda e: self.write_merged())
        self.layout = pn.Column(
            pn.pane.HTML(
                "<p>Mine = the ledger this workbench writes; theirs = a second expert's ledger on the same "
                "run. Agreement: adjusted Rand index of the curated groupings of remarks, Cohen's kappa of "
                "the drop decisions per raw topic. Disagreements are listed by raw topic; adopt one side "
                "per topic (mine by default), then write the merged ledger beside the run's: it keeps each "
                "adopted decision as its expert wrote it (author, time, rationale, notes) and records who "
                "merged, when, and the side of each topic. A decision that joins topics adopted from "
                "different sides (a merge) must be adopted from one side for all of them.</p>"
            ),
            pn.Row(self.path, self.compare),
            self.summary,
            self.table,
            pn.Row(self.topics, self.side, self.adopt, self.write),
            self.result,
            sizing_mode="stretch_width",
        )

    def run_compare(self) -> None:
        try:
            self.other = load_other(self.path.value, self.wb.run)
            agreement = compare_ledgers(self.wb.analysis.model, self.wb.session.ledger, self.other)
        except (InputError, LedgerError, ValueError) as err:
            self.summary.object = f"<p class='wb-message conflict'>{esc(err)}</p>"
            return
        s = agreement.summary()
        rows = "".join(
            f"<tr><td>{esc(m)}</td><td>{v:.3f}</td></tr>" for m, v in zip(s["measure"], s["value"], strict=True)
        )
        self.summary.object = f"<table id='agreement'>{rows}</table>"
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
            topics = parse_topics(self.topics.value)
        except ValueError as err:
            self.result.object = f"<p class='wb-message conflict'>{esc(err)}</p>"
            return
        for t in topics:
            self.choices[t] = "a" if self.side.value == "mine" else "b"
        theirs = sorted(t for t, c in self.choices.items() if c == "b")
        self.result.object = (
            f"<p>Adopting theirs for raw topics {esc(', '.join(map(str, theirs)) or 'none')}; mine for all others.</p>"
        )

    def write_merged(self) -> None:
        if self.other is None:
            self.result.object = "<p class='wb-message conflict'>Compare with a second ledger first.</p>"
            return
        author = self.wb.session.author or "unknown"
        try:
            with self.wb.lock:
                book = merged_ledger(
                    self.wb.analysis.model,
                    self.wb.session.ledger,
                    self.other,
                    self.choices,
                    author=author,
                )
                path = book.save(Path(self.wb.ledger_path).with_suffix(".merged.yaml"))
        except (InputError, LedgerError, ValueError) as err:
            self.result.object = f"<p class='wb-message conflict'>{esc(err)}</p>"
            return
        record = book.merged[-1]
        self.result.object = (
            f"<p class='wb-message'>Merged ledger written: <code>{esc(path)}</code> "
            f"({len(book.entries)} decisions as their experts wrote them: {len(record.a.taken)} of mine, "
            f"{len(record.b.taken)} of theirs). Open it with <code>topics curate app RUN --ledger "
            f"{esc(path.name)}</code>.</p>"
        )
