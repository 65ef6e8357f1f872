"""One page of the curation workbench: the widgets of a browser tab, bound to the shared :class:`Workbench`.

The page owns the selection (exactly the ticked topics), the action forms and their reset rule, the drop
confirmation, the maps and the ledger log; :mod:`topics.workbench.app` holds the run and the session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from topics.curate import CurationConflict
from topics.curate.session import ActionResult
from topics.curate.view import decision_summary
from topics.errors import InputError
from topics.model import OUTLIER
from topics.workbench.display import esc, parse_topics, remark_list
from topics.workbench.experts import ExpertsPanel

MAP_TABS = (1, 2)
"""Positions of the intertopic map and document map tabs: drawn when opened, not after every action."""
CONFIRM_DROP_SHARE = 0.10
"""A drop that would set aside more than this share of all remarks asks for a second, confirming click."""
CSS = """
.wb-message { padding: .4em .8em; border-radius: 4px; background: #eef5ee; border: 1px solid #b7d7b7; }
.wb-message.conflict { background: #fdecea; border-color: #f5c2c0; color: #8a1f11; }
.wb-message.confirm { background: #fff4e0; border-color: #f0c36d; color: #6b4500; }
.remarks li { margin-bottom: .3em; }
"""


class ConfirmFirst(Exception):  # noqa: N818 (a question put to the user, not an error)
    """An action that waits for a confirming second click; nothing was written."""


class _Page:
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
        self.message = pn.pane.HTML("", sizing_mode="stretch_width", name="message")
        self.author = w.TextInput(
            label="Your name (recorded with every decision)",
            value=wb.session.author or "",
            placeholder="e.g. A. Expert",
            width=280,
        )
        self.author_button = w.Button(label="Set name", color="primary", width=100)
        self.search = w.TextInput(label="Search topics (label, keywords)", placeholder="e.g. drinking", width=300)
        self.table = w.Tabulator(
            pd.DataFrame(),
            selectable="checkbox",
            disabled=True,
            show_index=False,
            height=420,
            sizing_mode="stretch_width",
            pagination=None,
            layout="fit_columns",
            hidden_columns=["edited"],
            titles={"share": "share %", "over_represented": "over-represented in"},
            widths={
                "topic": 70,
                "label": 230,
                "size": 70,
                "share": 70,
                "keywords": 300,
                "stability": 90,
                "over_represented": 150,
                "notes": 150,
            },
        )
        self.topics = w.TextInput(label="Topics (numbers)", placeholder="e.g. 3, 7", width=180)
        self.label = w.TextInput(label="Label", placeholder="new label", width=260)
        self.bucket = w.TextInput(label="Drop to bucket (empty: outliers)", placeholder="e.g. small talk", width=220)
        self.note_text = w.TextInput(label="Note", placeholder="a note on the topic", width=300)
        self.rationale = w.TextInput(label="Rationale (optional)", width=300)
        self.k = w.IntInput(label="Split into", value=2, start=2, end=20, width=100)
        self.buttons = {
            name: w.Button(label=name, width=110)
            for name in ("Merge", "Rename", "Drop", "Note", "Preview split", "Split", "Undo", "Redo")
        }
        self.preview = pn.pane.HTML("", sizing_mode="stretch_width")
        self.card = pn.pane.HTML("", sizing_mode="stretch_width", name="card")
        self.card_search = w.TextInput(label="Search in this topic", width=260)
        self.sample_button = w.Button(label="Random sample", width=130)
        self.intertopic = pn.pane.Plotly(None, height=520, sizing_mode="stretch_width")
        self.docmap = pn.pane.Plotly(None, height=620, sizing_mode="stretch_width")
        self.log = w.Tabulator(pd.DataFrame(), disabled=True, show_index=False, height=300, sizing_mode="stretch_width")
        self.outputs = {name: w.Button(label=f"Write {name}", width=160) for name in ("worksheet", "tables", "report")}
        self.out_message = pn.pane.HTML("")
        self.experts = ExpertsPanel(wb, self.say)
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
            self.buttons[name].on_click(lambda e, fn=fn, name=name: self.act(fn, reset=name != "Preview split"))
        for name, button in self.outputs.items():
            button.on_click(lambda e, name=name: self.write(name))

        b = self.buttons
        act_box = pn.Column(
            pn.Row(self.topics, self.label, self.rationale),
            pn.Row(b["Merge"], b["Rename"]),
            pn.Row(self.bucket, b["Drop"]),
            pn.Row(self.note_text, b["Note"]),
            pn.Row(self.k, b["Preview split"], b["Split"]),
            self.preview,
            pn.Row(b["Undo"], b["Redo"]),
        )
        mode = "de-identified" if wb.shown.deidentify else "VERBATIM (not de-identified: do not share the screen)"
        header = pn.pane.HTML(
            f"<h2 style='margin:0'>Curation workbench</h2><div>Run <code>{esc(wb.run.name)}</code> · ledger "
            f"<code>{esc(_shown_path(wb.ledger_path, wb.run))}</code> · remarks {esc(mode)}</div>",
            sizing_mode="stretch_width",
        )
        left = pn.Column(
            self.search, self.table, pn.pane.HTML("<b>Act on the topics</b>"), act_box, sizing_mode="stretch_width"
        )
        right = pn.Column(
            pn.pane.HTML("<b>Topic card</b>"),
            pn.Row(self.card_search, self.sample_button),
            self.card,
            width=520,
        )
        self.tabs = tabs = pn.Tabs(
            ("Topics", pn.Row(left, right, sizing_mode="stretch_width")),
            ("Intertopic map", self.intertopic),
            ("Document map", self.docmap),
            ("Ledger", self.log),
            ("Two experts", self.experts.layout),
            ("Out", pn.Column(pn.Row(*self.outputs.values()), self.out_message)),
            dynamic=False,
            sizing_mode="stretch_width",
        )
        self._maps_dirty = True
        tabs.param.watch(lambda e: self.maps_if_shown(), "active")
        self.status = pn.pane.HTML("", sizing_mode="stretch_width")
        self.layout = pn.Column(
            header,
            self.status,
            pn.Row(self.author, self.author_button),
            self.message,
            tabs,
            sizing_mode="stretch_width",
        )
        self.refresh()

    # ------------------------------------------------------------------ feedback
    def say(self, text: str, conflict: bool = False, ask: bool = False) -> None:
        """Show one message line (escaped): ``conflict`` in red, ``ask`` (a question awaiting a click) in amber."""
        cls = "wb-message conflict" if conflict else "wb-message confirm" if ask else "wb-message"
        self.message.object = f"<div class='{cls}' id='wb-message'>{esc(text)}</div>" if text else ""

    def set_author(self) -> None:
        try:
            name = self.wb.session.set_author(self.author.value)
        except CurationConflict as err:
            self.say(str(err), conflict=True)
            return
        self.author.disabled = self.author_button.disabled = True
        self.say(f"Decisions are recorded as {name}.")

    # ------------------------------------------------------------------ refresh
    def refresh_status(self) -> None:
        """One line on the ledger: how many decisions applied, remapped after a refit, or not applied, and why."""
        s = self.wb.session
        log = s.log
        summary = decision_summary(log, s.mode, explain=False)  # the mode line says why
        text = (
            f"{s.mode} mode ("
            + (
                "ledger written on this model"
                if s.mode == "strict"
                else "ledger written on another fit: decisions found again by fingerprint"
            )
            + ")"
        )
        html = f"<div id='wb-status'>{esc(text)} · {esc(summary)}"
        bad = log[log["status"] == "unmapped"]
        if len(bad):
            items = "".join(
                f"<li>entry {int(r.entry)} ({esc(r.written)}): {esc(r.reason)}</li>" for r in bad.itertuples()
            )
            html += (
                f"<div class='wb-message conflict'><b>{len(bad)} decisions not applied</b> (the Ledger tab "
                f"lists all):<ul>{items}</ul></div>"
            )
        self.status.object = html + "</div>"

    def maps_if_shown(self) -> None:
        """Redraw the maps when their tab is open and the view changed since they were drawn."""
        if self._maps_dirty and self.tabs.active in MAP_TABS:
            self.refresh_maps()
            self._maps_dirty = False

    def refresh(self) -> None:
        self.refresh_status()
        self.refresh_table()
        self._maps_dirty = True
        self.maps_if_shown()
        self.refresh_log()
        self.show_card()
        self.buttons["Undo"].disabled = not self.wb.session.can_undo
        self.buttons["Redo"].disabled = not self.wb.session.can_redo
        if self.wb.session.author:
            self.author.value, self.author.disabled = self.wb.session.author, True
            self.author_button.disabled = True

    def refresh_table(self) -> None:
        """Show the topic list (searched; the chosen topics stay listed) with exactly the chosen topics ticked."""
        table = self.wb.topic_table()
        query = self.search.value.strip().lower()
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
        fig = document_map(a, self.wb.analysis.document_map, seed=self.wb.analysis.config.seed)
        fig.update_layout(dragmode="lasso", title=fig.layout.title.text + " · lasso remarks to select their topics")
        self._doc_traces = [_trace_topic(tr.name) for tr in fig.data]
        self.docmap.object = fig

    def refresh_log(self) -> None:
        log = self.wb.session.log
        cols = ["entry", "written", "applied_to", "status", "reason", "author", "time", "rationale"]
        self.log.value = log[cols].astype(str) if not log.empty else pd.DataFrame(columns=cols)

    def selected(self) -> list[int]:
        """The chosen topics (a copy of :attr:`chosen`)."""
        return list(self.chosen)

    def show_card(self, sample: bool = False) -> None:
        chosen = self.selected()
        if not chosen:
            self.card.object = "<p><i>Select a topic in the list or on a map, or type its number.</i></p>"
            return
        topic = chosen[0]
        rows = self.wb.topic_table().set_index("topic")
        if topic not in rows.index:
            self.card.object = f"<p>No topic {topic} in the current view.</p>"
            return
        r = rows.loc[topic]
        if sample:
            self._sample_seed += 1
        remarks = self.wb.session.remarks(
            topic, search=self.card_search.value.strip(), sample=8 if sample else None, draw=self._sample_seed, limit=12
        )
        texts = self.wb.shown.many(remarks["text"].astype(str))
        what = (
            "a random sample"
            if sample
            else (
                "matching remarks"
                if self.card_search.value.strip()
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
            self.cancel_drop()
            self.preview.object = ""
            self.show_card()

    def tick(self) -> None:
        """Tick exactly the listed rows of the chosen topics."""
        wanted = [i for i, t in enumerate(self._rows) if t in self.chosen]
        if sorted(self.table.selection) != wanted:
            self._syncing = True
            try:
                self.table.selection = wanted
            finally:
                self._syncing = False

    def on_table_select(self, event: Any) -> None:
        """Ticks changed in the list: keep the order the topics were picked in, newly ticked ones last."""
        if self._syncing:
            return
        ticked = [self._rows[i] for i in event.new if 0 <= i < len(self._rows)]
        self.choose([t for t in self.chosen if t in ticked] + [t for t in ticked if t not in self.chosen])

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
        if self.search.value.strip() and any(t not in self._rows for t in self.chosen):
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

    # ------------------------------------------------------------------ actions
    def act(self, fn: Callable[[], str], reset: bool = True) -> None:
        """Run one action: when done, say so and (``reset``) clear the selection and the fields; when refused
        (a conflict, or a drop waiting for its confirming click), say why and change nothing else."""
        with self.wb.lock:
            try:
                message = fn()
            except ConfirmFirst as ask:
                self.say(str(ask), ask=True)
                return
            except (CurationConflict, ValueError, InputError) as err:
                self.say(f"Not done: {err}", conflict=True)
                return
            if reset:
                self.clear_form()
                self.refresh()
        self.say(message)

    def clear_form(self) -> None:
        """Empty the selection, the label, bucket, note and rationale fields, the split preview and a pending drop."""
        self.choose([])
        for box in (self.label, self.bucket, self.note_text, self.rationale):
            box.value = ""
        self.preview.object = ""
        self.cancel_drop()

    def cancel_drop(self) -> None:
        """Forget a drop waiting for confirmation; the Drop button reads "Drop" again."""
        self._pending_drop = None
        button = self.buttons["Drop"]
        button.label, button.button_type, button.width = "Drop", "default", 110

    def do_merge(self) -> str:
        """Merge the chosen topics (two or more) under the label typed."""
        return self.wb.session.merge(self.selected(), self.label.value, rationale=self.rationale.value).message

    def do_rename(self) -> str:
        """Give the one chosen topic the label typed."""
        topics = self.selected()
        if len(topics) != 1:
            raise CurationConflict("rename: choose exactly one topic")
        return self.wb.session.rename(topics[0], self.label.value, rationale=self.rationale.value).message

    def do_drop(self) -> str:
        """Drop the chosen topics; one that sets aside more than a tenth of the remarks asks first."""
        topics = self._one_or_more()
        session = self.wb.session
        if session.author is None:
            raise CurationConflict("say who you are first: the author's name goes into every ledger entry")
        missing = [t for t in topics if t not in set(session.topic_ids())]
        if missing:
            raise CurationConflict(f"drop: no topic {', '.join(map(str, missing))} in the current view")
        a = session.view.assignments
        n = int((a["topic"].isin(topics) & (a["bucket"] == "")).sum())
        share = n / max(len(a), 1)
        key = (tuple(topics), self.bucket.value.strip(), session.version)
        if share > CONFIRM_DROP_SHARE and self._pending_drop != key:
            button = self.buttons["Drop"]
            button.label = f"Confirm drop of {n:,} remarks ({share:.0%})"
            button.button_type, button.width = "danger", 300
            self._pending_drop = key
            where = f"the bucket '{key[1]}'" if key[1] else "the outliers"
            raise ConfirmFirst(
                f"Dropping topic{'s' if len(topics) > 1 else ''} {', '.join(map(str, topics))} sets aside {n:,} "
                f"of {len(a):,} remarks ({share:.0%}) to {where}. Click '{button.label}' to do it; "
                "changing the selection cancels."
            )
        bucket, rationale = self.bucket.value, self.rationale.value
        return self._all_or_nothing(lambda t: session.drop(t, bucket=bucket, rationale=rationale), topics)

    def do_note(self) -> str:
        """Attach the note typed to each chosen topic (all or none)."""
        text = self.note_text.value
        return self._all_or_nothing(lambda t: self.wb.session.note(t, text), self._one_or_more())

    def _all_or_nothing(self, action: Callable[[int], ActionResult], topics: list[int]) -> str:
        """Apply ``action`` to each topic; when one is refused, undo those already written and re-raise."""
        session = self.wb.session
        redo = list(session._redo)  # the first entry written clears the redo list: a rollback restores it
        done: list[str] = []
        try:
            for t in topics:
                done.append(action(t).message)
        except BaseException:
            for _ in done:
                session.undo()
            session._redo[:] = redo
            raise
        return "; ".join(done)

    def do_preview(self) -> str:
        """Show how the one chosen topic would split (nothing written; the selection and fields stay)."""
        topics = self.selected()
        if len(topics) != 1:
            raise CurationConflict("split: choose exactly one topic")
        preview = self.wb.session.split_preview(topics[0], int(self.k.value))
        parts = "".join(
            f"<div><b>Part {int(p.part)}</b>: {int(p.size):,} remarks · {esc(self.wb.shown.one(p.keywords))}"
            f"{remark_list(self.wb.shown.many(p.remarks[:3]))}</div>"
            for p in preview.itertuples()
        )
        self.preview.object = (
            f"<div id='split-preview'><b>Split preview of topic {topics[0]}</b> (nothing written; "
            f"label the parts in this order, separated by ';', then Split){parts}</div>"
        )
        return f"Preview of splitting topic {topics[0]} into {int(self.k.value)}: nothing written yet."

    def do_split(self) -> str:
        """Split the one chosen topic; the label box may name the parts, separated by ';'."""
        topics = self.selected()
        if len(topics) != 1:
            raise CurationConflict("split: choose exactly one topic")
        labels = [x.strip() for x in self.label.value.split(";")] if self.label.value.strip() else None
        result = self.wb.session.split(topics[0], int(self.k.value), labels=labels, rationale=self.rationale.value)
        self.preview.object = ""
        return result.message

    def do_undo(self) -> str:
        """Remove the last ledger entry."""
        return self.wb.session.undo().message

    def do_redo(self) -> str:
        """Put back the entry the last undo removed."""
        return self.wb.session.redo().message

    def _one_or_more(self) -> list[int]:
        topics = self.selected()
        if not topics:
            raise CurationConflict("choose a topic first")
        return topics

    def write(self, what: str) -> None:
        try:
            with self.wb.lock:
                paths = self.wb.write_outputs(what)
        except (InputError, OSError, ValueError) as err:
            self.out_message.object = f"<p class='wb-message conflict'>{esc(err)}</p>"
            return
        self.out_message.object = (
            "<p class='wb-message'>Written: " + ", ".join(f"<code>{esc(p)}</code>" for p in paths) + "</p>"
        )


def _shown_path(path: Path, run: Path) -> str:
    """The ledger's path relative to the run folder when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(run.resolve()))
    except ValueError:
        return str(path)


def _trace_topic(name: Any) -> int | None:
    head = str(name or "").split(":", 1)[0].strip()
    try:
        return int(head)
    except ValueError:
        return None

