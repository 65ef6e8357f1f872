"""One page of the curation workbench: the widgets of a browser tab, bound to the shared :class:`Workbench`.

The page owns the selection (exactly the ticked topics), the action forms and their reset rule, the drop
confirmation, the maps and the ledger log; :mod:`topics.workbench.app` holds the run and the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from topics.curate import CurationConflict
from topics.model import OUTLIER
from topics.workbench.actions import Actions, status_text
from topics.workbench.display import esc, parse_topics, remark_list, unique_texts
from topics.workbench.experts import ExpertsPanel
from topics.workbench.keys import SHORTCUTS, KeyBar
from topics.workbench.labelling import CodesPanel
from topics.workbench.tasks import SPINNER_CSS, LongTask
from topics.workbench.ticks import TickHook, TickTable

log = logging.getLogger("topics.workbench")

MAP_TABS = (1, 2)
"""Positions of the intertopic map and document map tabs: drawn when opened, not after every action."""
LOG_TAB = 3
"""Position of the ledger tab: its table is refilled when it is opened, not after every action."""
CSS = (
    SPINNER_CSS
    + """
.remarks li { margin-bottom: .3em; }
.wb-status { line-height: 1.4; }
h1.wb-title { font-size: 1.5em; margin: 0; }
"""
)
OUTPUTS = {
    "report": (
        "Write the report",
        "Writing the report: this takes about a minute on a large run...",
        "Writing the report...",
    ),
    "worksheet": ("Write the worksheet", "Writing the worksheet (CSV and HTML)...", "Writing the worksheet..."),
    "tables": (
        "Write the curated tables",
        "Writing the tables (topics, remarks, decisions; de-identified as shown)...",
        "Writing the tables...",
    ),
}
"""Output -> (button label, busy line, button label while it runs)."""
LOG_TITLES = {
    "entry": "#",
    "written": "decision as written",
    "applied_to": "applied to (topics now)",
    "status": "status",
    "reason": "why (if not as written)",
    "author": "by",
    "time": "when",
    "rationale": "rationale",
}
"""The ledger tab's columns, in words."""
STATUS_WORDS = {
    "applied": "applied as written",
    "remapped": "applied to this fit's matching topic",
    "unmapped": "not applied (see why)",
}
"""A decision's status in the ledger tab, in words."""


class _Page(Actions):
    """One browser page: widgets bound to the shared workbench.

    The selection is the list of ticked topics (:attr:`chosen`, in the order they were picked): the
    Topics box always shows exactly it, and the topic list ticks exactly it (a topic chosen stays listed
    while a search hides other rows). Typing in the Topics box, clicking a bubble or lassoing remarks
    changes the selection and the ticks with it. An action that is done clears the selection and the
    label, bucket, note and rationale fields; an action that is refused changes nothing. A drop that would
    set aside more than :data:`CONFIRM_DROP_SHARE` of the remarks waits for a second click on its
    button, which names the count; any change of the selection or the bucket cancels it.
    """

    def __init__(self, wb: Any) -> None:  # a topics.workbench.app.Workbench
        import panel as pn

        pn.extension("plotly", "tabulator", raw_css=[CSS], notifications=False)
        self.pn = pn
        self.wb = wb
        w = pn.widgets
        css = [CSS]
        self.message = pn.pane.HTML("", sizing_mode="stretch_width", name="message", stylesheets=css)
        self.author = w.TextInput(
            label="Your name (recorded with every decision)",
            value=wb.session.author or "",
            placeholder="e.g. A. Expert",
            width=280,
        )
        self.author_button = w.Button(label="Set name", color="primary", width=100)
        self.search = w.TextInput(label="Search topics (label, keywords)", placeholder="e.g. drinking", width=300)
        self.table = TickTable(
            pd.DataFrame(),
            selectable="checkbox",
            disabled=True,
            show_index=False,
            height=480,
            sizing_mode="stretch_width",
            min_width=420,
            pagination=None,
            layout="fit_columns",
            hidden_columns=["edited"],
            titles={"share": "share %", "over_represented": "over-represented in", "stability": "stable?"},
            widths={"topic": 72, "size": 72, "share": 84, "stability": 84},
            formatters={c: {"type": "textarea"} for c in ("label", "keywords", "over_represented", "notes")},
            configuration={"columnDefaults": {"headerWordWrap": True}},
            header_align="left",
        )
        self.topics = w.TextInput(label="Topics (numbers)", placeholder="e.g. 3, 7", width=180)
        self.label = w.TextInput(label="Label", placeholder="new label", width=260)
        self.bucket = w.TextInput(label="Drop to bucket (empty: outliers)", placeholder="e.g. small talk", width=220)
        self.note_text = w.TextInput(label="Note", placeholder="a note on the topic", width=300)
        self.rationale = w.TextInput(label="Rationale (optional)", width=300)
        self.k = w.IntInput(label="Split into", value=2, start=2, end=20, width=100)
        # the shortcuts are listed above the title (a tooltip per button would cover the next button)
        self.buttons = {
            name: w.Button(label=name, width=110)
            for name in ("Merge", "Rename", "Drop", "Note", "Preview split", "Split", "Undo", "Redo")
        }
        self.preview = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.card = pn.pane.HTML("", sizing_mode="stretch_width", name="card", stylesheets=css)
        self._card_topic: int | None = None
        """The topic whose card is open when a row was clicked (else the first chosen topic)."""
        self.card_search = w.TextInput(label="Search in this topic", width=260)
        self.sample_button = w.Button(label="Random sample", width=130)
        self.intertopic = pn.pane.Plotly(None, height=520, sizing_mode="stretch_width")
        self.docmap = pn.pane.Plotly(None, height=620, sizing_mode="stretch_width")
        self.log = w.Tabulator(
            pd.DataFrame(),
            disabled=True,
            show_index=False,
            height=400,
            sizing_mode="stretch_width",
            titles=LOG_TITLES,
            layout="fit_columns",
            formatters={c: {"type": "textarea"} for c in ("written", "reason", "rationale")},
        )
        self.outputs = {name: w.Button(label=label, width=220) for name, (label, _, _) in OUTPUTS.items()}
        self.out_message = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.download = w.FileDownload(label="Download", visible=False, width=320, embed=False, button_type="primary")
        self.tasks = {
            name: LongTask(self.outputs[name], self.out_message, busy, busy_label, download=self.download)
            for name, (_, busy, busy_label) in OUTPUTS.items()
        }
        self.experts = ExpertsPanel(wb, self.say, on_switch=self.refresh)
        self.keys = KeyBar(sizing_mode="stretch_width")
        self.timings: list[dict[str, Any]] = []
        """Server-side time of each action: name, session seconds (ledger and view), page seconds (all panes)."""
        self._said = 0
        self._doc_traces: list[int | None] = []
        self._sample_seed = 0
        self.chosen: list[int] = []
        """The selected topics, in the order they were picked."""
        self._rows: list[int] = []
        self._syncing = False
        self._pending_drop: tuple[tuple[int, ...], str, int] | None = None

        self.author_button.on_click(lambda e: self.set_author())
        self.search.param.watch(lambda e: self.refresh_table(), "value")
        self.table.param.watch(self.on_table_select, "selection")
        self.tick_hook = TickHook(self.on_ticks, self.open_card)  # ticks and row clicks, by topic number
        self.keys.param.watch(self.on_key, "command")
        self.intertopic.param.watch(self.on_map_click, "click_data")
        self.docmap.param.watch(self.on_lasso, "selected_data")
        self.topics.param.watch(self.on_topics_typed, "value")
        self.bucket.param.watch(lambda e: self.cancel_drop(), "value")
        self.card_search.param.watch(lambda e: self.show_card(), "value")
        self.sample_button.on_click(lambda e: self.show_card(sample=True))
        actions: dict[str, Callable[[], str]] = {
            "Merge": self.do_merge,
            "Rename": self.do_rename,
            "Drop": self.do_drop,
            "Note": self.do_note,
            "Preview split": self.do_preview,
            "Split": self.do_split,
            "Undo": self.do_undo,
            "Redo": self.do_redo,
        }
        for name, fn in actions.items():
            # a preview writes nothing: it keeps the selection and the labels typed for the split
            self.buttons[name].on_click(
                lambda e, fn=fn, name=name: self.act(fn, reset=name != "Preview split", name=name)
            )
        for name, button in self.outputs.items():

            async def write(event: Any, name: str = name) -> None:
                await self.write_async(name)

            button.on_click(write)

        b = self.buttons
        flex = {"flex_wrap": "wrap", "sizing_mode": "stretch_width"}
        act_box = pn.Column(
            pn.FlexBox(self.topics, self.label, self.rationale, **flex),
            pn.FlexBox(b["Merge"], b["Rename"], b["Undo"], b["Redo"], **flex),
            pn.FlexBox(self.bucket, b["Drop"], align_items="flex-end", **flex),
            pn.FlexBox(self.note_text, b["Note"], align_items="flex-end", **flex),
            pn.FlexBox(self.k, b["Preview split"], b["Split"], align_items="flex-end", **flex),
            self.preview,
            sizing_mode="stretch_width",
        )
        self.header = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        left = pn.Column(
            pn.pane.HTML("<h2 style='font-size:1.1em;margin:0'>Act on the topics</h2>"),
            act_box,
            self.search,
            self.table,
            styles={"flex": "1 1 600px"},
            min_width=420,
            sizing_mode="stretch_width",
        )
        right = pn.Column(
            pn.pane.HTML("<h2 style='font-size:1.1em;margin:0'>Topic card</h2>"),
            pn.FlexBox(self.card_search, self.sample_button, align_items="flex-end", flex_wrap="wrap"),
            self.card,
            styles={"flex": "1 1 360px"},
            min_width=320,
            max_width=480,
            sizing_mode="stretch_width",
        )
        downloads = pn.Column(
            pn.pane.HTML(
                "<p>Each button writes one output from the decisions so far into the run folder and offers it as "
                "a download: the report (one HTML page), the worksheet (a CSV and an HTML page to review the "
                "topics on paper), the curated tables (topics, remarks and decisions as CSV files, "
                "de-identified as shown here).</p>"
            ),
            pn.FlexBox(*self.outputs.values(), flex_wrap="wrap"),
            self.out_message,
            self.download,
            sizing_mode="stretch_width",
        )
        self.codes = CodesPanel(wb) if wb.labelling is not None else None
        """The Codes tab (label remarks for a codebook), when the workbench was given one."""
        self.tabs = tabs = pn.Tabs(
            (
                "Topics",
                pn.FlexBox(left, right, flex_wrap="wrap", align_items="flex-start", sizing_mode="stretch_width"),
            ),
            ("Intertopic map", self.intertopic),
            ("Document map", self.docmap),
            ("Decisions (ledger)", self.log),
            ("Two experts", self.experts.layout),
            ("Download", downloads),
            *([("Codes", self.codes.layout)] if self.codes is not None else []),
            dynamic=False,
            sizing_mode="stretch_width",
        )
        self._maps_dirty = self._log_dirty = True
        tabs.param.watch(lambda e: self.maps_if_shown(), "active")
        self.status = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.layout = pn.Column(
            self.keys,
            self.header,
            self.status,
            pn.FlexBox(self.author, self.author_button, align_items="flex-end", flex_wrap="wrap"),
            self.message,
            tabs,
            self.tick_hook,
            sizing_mode="stretch_width",
        )
        self.refresh()

    # ------------------------------------------------------------------ feedback
    def say(self, text: str, conflict: bool = False, ask: bool = False, timing: dict[str, Any] | None = None) -> None:
        """Show one message line (escaped): ``conflict`` in red, ``ask`` (a question awaiting a click) in amber.

        The line is announced to screen readers. ``timing`` (an action's server-side seconds) goes into
        ``data-`` attributes of the line, with a counter of lines said, for the latency benchmark.
        """
        cls = "wb-message conflict" if conflict else "wb-message confirm" if ask else "wb-message"
        self._said += 1
        data = f" data-said='{self._said}'"
        if timing:
            data += "".join(f" data-{k}-ms='{1000 * float(v):.1f}'" for k, v in timing.items() if isinstance(v, float))
        self.message.object = (
            f"<div class='{cls}' id='wb-message' role='status' aria-live='polite'{data}>{esc(text)}</div>"
            if text
            else ""
        )

    def set_author(self) -> None:
        try:
            name = self.wb.session.set_author(self.author.value)
        except CurationConflict as err:
            self.say(str(err), conflict=True)
            return
        self.author.disabled = self.author_button.disabled = True
        if self.codes is not None:
            self.codes.refresh_about()
        self.say(f"Decisions are recorded as {name}.")

    # ------------------------------------------------------------------ refresh
    def refresh_status(self) -> None:
        """The ledger's state in words: what was applied as written, what was found again on other topic
        numbers after a refit (and what to check), what could not be applied and why."""
        s = self.wb.session
        log = s.log
        html = f"<div id='wb-status' class='wb-status'>{esc(status_text(log, s.mode))}"
        bad = log[log["status"] == "unmapped"]
        if len(bad):
            items = "".join(
                f"<li>decision {int(r.entry)} ({esc(r.written)}): {esc(r.reason)}</li>" for r in bad.itertuples()
            )
            html += (
                f"<div class='wb-message conflict'><b>{len(bad)} decision{'s' if len(bad) != 1 else ''} could not be "
                "applied</b> to this "
                f"model; they stay in the ledger. Redo them by hand if they still make sense:<ul>{items}</ul></div>"
            )
        self.status.object = html + "</div>"

    def refresh_header(self) -> None:
        """The title line: run, the ledger being written, and whether remarks are de-identified."""
        wb = self.wb
        mode = "de-identified" if wb.shown.deidentify else "VERBATIM (not de-identified: do not share the screen)"
        self.header.object = (
            f"<h1 class='wb-title'>Curation workbench</h1><div>Run <code>{esc(wb.run.name)}</code> · decisions "
            f"are saved in <code>{esc(_shown_path(wb.ledger_path, wb.run))}</code> · remarks {esc(mode)}</div>"
        )

    def maps_if_shown(self) -> None:
        """Redraw the maps, or refill the ledger table, when their tab is open and the view changed since."""
        if self._maps_dirty and self.tabs.active in MAP_TABS:
            self.refresh_maps()
            self._maps_dirty = False
        if self._log_dirty and self.tabs.active == LOG_TAB:
            self.refresh_log()

    def refresh(self) -> None:
        self.refresh_header()
        self.refresh_status()
        self.refresh_table()
        self._maps_dirty = self._log_dirty = True
        self.maps_if_shown()
        self.show_card()
        self.buttons["Undo"].disabled = not self.wb.session.can_undo
        self.buttons["Redo"].disabled = not self.wb.session.can_redo
        if self.wb.session.author:
            self.author.value, self.author.disabled = self.wb.session.author, True
            self.author_button.disabled = True

    def refresh_table(self) -> None:
        """Show the topic list (searched; the chosen topics stay listed) with exactly the chosen topics ticked."""
        table = self.wb.topic_table()
        query = (self.search.value or "").strip().lower()
        if query:
            hit = (
                table["label"].str.lower().str.contains(query, regex=False)
                | table["keywords"].str.lower().str.contains(query, regex=False)
                | (table["topic"].astype(str) == query)
                | table["topic"].isin(self.chosen)
            )
            table = table[hit]
        self._syncing = True
        try:
            self._rows = [int(t) for t in table["topic"]]
            self.table.value = table.reset_index(drop=True)
        finally:
            self._syncing = False
        self.tick()

    def refresh_maps(self) -> None:
        from topics.plots import document_map, intertopic_map

        view = self.wb.session.view
        topics = view.topics.copy()
        topics["label"] = (
            self.wb.topic_table()
            .set_index("topic")["label"]
            .reindex(topics["topic"])
            .fillna("outliers and set aside")
            .to_numpy()
        )
        if len(view.topic_ids) - (OUTLIER in view.topic_ids) >= 3:
            fig = intertopic_map(topics, view.topic_similarity())
            fig.update_layout(clickmode="event+select", title="Intertopic map: click a bubble to select its topic")
            self.intertopic.object = fig
        a = view.assignments.copy()
        label_of = dict(zip(topics["topic"], topics["label"], strict=True))
        a["label"] = [
            label_of.get(int(t), "") if b == "" else str(b) for t, b in zip(a["topic"], a["bucket"], strict=True)
        ]
        a["display_text"] = ""  # remarks are read in the topic card, de-identified; the map shows topics only
        fig = document_map(
            a, self.wb.analysis.document_map, seed=self.wb.analysis.config.seed, webgl_numbers=False
        )  # Panel's plotly.js cannot draw WebGL text
        fig.update_layout(dragmode="lasso", title=fig.layout.title.text + " · lasso remarks to select their topics")
        self._doc_traces = [_trace_topic(tr.name) for tr in fig.data]
        self.docmap.object = fig

    def refresh_log(self) -> None:
        self._log_dirty = False
        log = self.wb.session.log
        cols = list(LOG_TITLES)
        if log.empty:
            self.log.value = pd.DataFrame(columns=cols)
            return
        shown = log[cols].astype(str)
        shown["status"] = shown["status"].map(STATUS_WORDS).fillna(shown["status"])
        self.log.value = shown

    def selected(self) -> list[int]:
        """The chosen topics (a copy of :attr:`chosen`)."""
        return list(self.chosen)

    def show_card(self, sample: bool = False) -> None:
        chosen = self.selected()
        topic = self._card_topic if self._card_topic is not None else (chosen[0] if chosen else None)
        if topic is None:
            self.card.object = (
                "<p><i>Click a topic in the list (or tick it, pick it on a map, or type its number) to open "
                "its card.</i></p>"
            )
            return
        rows = self.wb.topic_table().set_index("topic")
        if topic not in rows.index:
            self.card.object = f"<p>No topic {topic} in the current view.</p>"
            return
        r = rows.loc[topic]
        if sample:
            self._sample_seed += 1
        remarks = self.wb.session.remarks(
            topic,
            search=(self.card_search.value or "").strip(),
            sample=8 if sample else None,
            draw=self._sample_seed,
            limit=40,
        )
        texts = self.wb.shown.many(unique_texts(remarks["text"].astype(str), limit=8 if sample else 12))
        what = (
            "a random sample"
            if sample
            else (
                "matching remarks"
                if (self.card_search.value or "").strip()
                else "representative remarks (closest to the centre)"
            )
        )
        extra = "".join(
            f"<div><b>{esc(title)}</b>: {esc(r[k])}</div>"
            for k, title in (
                ("stability", "stability"),
                ("over_represented", "over-represented in"),
                ("notes", "notes"),
            )
            if str(r[k])
        )
        self.card.object = (
            f"<h3 id='card-title'>Topic {topic}: {esc(r['label'])}</h3>"
            f"<div>{int(r['size']):,} remarks ({float(r['share']):.1f}%) · keywords: "
            f"{esc(r['keywords'])}</div>{extra}<p><b>{esc(what)}</b></p>{remark_list(texts)}"
        )

    # ------------------------------------------------------------------ selection
    def choose(self, topics: list[int]) -> None:
        """Make ``topics`` the selection: the Topics box and the ticks show exactly it.

        A change of the selection cancels a drop waiting for confirmation and clears a split preview.
        """
        topics = list(dict.fromkeys(int(t) for t in topics))
        changed = topics != self.chosen
        self.chosen = topics
        self._syncing = True
        try:
            self.topics.value = ", ".join(str(t) for t in topics)
        finally:
            self._syncing = False
        self.tick()
        if changed:
            self._card_topic = None
            self.cancel_drop()
            self.preview.object = ""
            self.show_card()

    def tick(self, force: bool = False) -> None:
        """Tick exactly the listed rows of the chosen topics (``force``: send them to the browser even when the
        server's copy of the ticks already matches, after the browser reported ticks of its own)."""
        wanted = [i for i, t in enumerate(self._rows) if t in self.chosen]
        if sorted(self.table.selection) != wanted or force:
            self._syncing = True
            try:
                if sorted(self.table.selection) == wanted:
                    self.table.param.trigger("selection")
                else:
                    self.table.selection = wanted
            finally:
                self._syncing = False

    def on_table_select(self, event: Any) -> None:
        """Ticks set from Python (a notebook, the tests): rows of the table the server holds. Ticks made in the
        browser arrive as topic numbers through :meth:`on_ticks` instead (a row position there may name
        another topic once the server has replaced the table)."""
        if self._syncing or self.table.from_browser:
            return
        ticked = [self._rows[i] for i in event.new if 0 <= i < len(self._rows)]
        self.choose([t for t in self.chosen if t in ticked] + [t for t in ticked if t not in self.chosen])

    def on_ticks(self, added: list[int], removed: list[int]) -> None:
        """The user ticked ``added`` and unticked ``removed`` (topic numbers, as the browser showed them): change
        the selection by that much (topics no longer in the view are left out) and send the ticks back."""
        listed = set(self._rows)
        kept = [t for t in self.chosen if t not in removed]
        self.choose(kept + [t for t in dict.fromkeys(added) if t in listed and t not in kept])
        self.tick(force=True)

    def open_card(self, topic: int) -> None:
        """A click on the row of ``topic`` in the topic list (sent by topic number): open its card, if listed."""
        if topic in self._rows:
            self._card_topic = topic
            self.show_card()

    def on_row_click(self, event: Any) -> None:
        """A click on row position ``event.row`` of the table the server holds (from Python): open its card."""
        row = getattr(event, "row", None)
        if row is None or not 0 <= int(row) < len(self._rows):
            return
        self.open_card(self._rows[int(row)])

    def on_key(self, event: Any) -> None:
        """A keyboard shortcut (see :data:`topics.workbench.keys.SHORTCUTS`): press its button, unless disabled."""
        command = str(event.new).split(":", 1)[0]
        if command not in SHORTCUTS:
            return
        button = self.buttons[SHORTCUTS[command][1]]
        if button.disabled:
            self.say(f"{SHORTCUTS[command][1]}: nothing to {command.lower()}.", conflict=True)
            return
        button.clicks += 1

    def on_topics_typed(self, event: Any) -> None:
        """Numbers typed in the Topics box: the listed ones become the selection, others are named and left out."""
        if self._syncing:
            return
        try:
            typed = parse_topics(event.new)
        except ValueError as err:
            self.say(f"Not understood: {err}", conflict=True)
            self.choose(self.chosen)  # the box shows the selection again
            return
        known = set(self.wb.topic_table()["topic"].astype(int))
        unknown = [t for t in dict.fromkeys(typed) if t not in known]
        if unknown:
            self.say(f"No topic {', '.join(map(str, unknown))} in the current view: not selected.", conflict=True)
        self.choose([t for t in typed if t in known])
        if (self.search.value or "").strip() and any(t not in self._rows for t in self.chosen):
            self.refresh_table()  # list the typed topics that the search hides, ticked

    def on_map_click(self, event: Any) -> None:
        """A bubble clicked on the intertopic map adds its topic to the selection."""
        points = (event.new or {}).get("points") or []
        if points and str(points[0].get("text", "")).lstrip("-").isdigit():
            topic = int(points[0]["text"])
            if topic in set(self.wb.topic_table()["topic"].astype(int)):
                self.choose([*self.chosen, topic])
                if topic not in self._rows:
                    self.refresh_table()

    def on_lasso(self, event: Any) -> None:
        """Remarks lassoed on the document map: their topics (most remarks first) become the selection."""
        points = (event.new or {}).get("points") or []
        topics = [
            self._doc_traces[p["curveNumber"]] for p in points if p.get("curveNumber", -1) < len(self._doc_traces)
        ]
        counts = pd.Series([t for t in topics if t is not None and t != OUTLIER]).value_counts()
        if not counts.empty:
            self.choose([int(t) for t in counts.index])
            if any(t not in self._rows for t in self.chosen):
                self.refresh_table()
            self.say(f"Lasso: {len(points)} remarks from topics " + ", ".join(f"{t} ({n})" for t, n in counts.items()))

    async def write_async(self, what: str) -> None:
        """Write an output in a worker thread: button disabled and a busy line meanwhile, then a line saying
        what was written and its download (no server path is shown)."""
        task = self.tasks[what]

        def done(found: tuple[str, bytes, str]) -> str:
            filename, data, message = found
            task.offer(filename, data, f"Download {filename}")
            return f"{message} A copy stays in the run folder; download it with the button below."

        await task.run(lambda: self.wb.download(what), done)

    def write(self, what: str) -> None:
        """Write an output and wait for it (scripts and tests; the page's buttons use :meth:`write_async`)."""
        import asyncio

        asyncio.run(self.write_async(what))


def _shown_path(path: Path, run: Path) -> str:
    """The ledger's path relative to the run folder when it lies inside it, else its name only (no server path)."""
    try:
        return str(Path(path).resolve().relative_to(run.resolve()))
    except ValueError:
        return Path(path).name


def _trace_topic(name: Any) -> int | None:
    head = str(name or "").split(":", 1)[0].strip()
    try:
        return int(head)
    except ValueError:
        return None
