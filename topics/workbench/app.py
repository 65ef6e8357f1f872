"""The curation workbench: a Panel app over a run folder, in the browser or in JupyterLab.

:class:`Workbench` holds the run, its :class:`~topics.curate.CurationSession` (the ledger file) and the
de-identifier; :meth:`Workbench.panel` builds one page (a new one for every browser tab, all acting on the
same session and ledger). The page shows the topic list (sortable, searchable), a topic card, the
intertopic map and the document map (click a topic or lasso remarks to select), forms for the actions,
undo and redo, the ledger log with every conflict, the output buttons and the two-expert comparison.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd

from topics._files import export_csv
from topics.analysis import Analysis, assignment_table, run_ledger, topic_table
from topics.curate import CurationConflict, CurationSession, write_worksheet
from topics.errors import InputError
from topics.model import OUTLIER
from topics.workbench.display import (
    Shown,
    esc,
    over_represented,
    parse_topics,
    read_stability,
    remark_list,
    stability_of,
    topic_list,
)
from topics.workbench.experts import ExpertsPanel

MAP_TABS = (1, 2)
"""Positions of the intertopic map and document map tabs: drawn when opened, not after every action."""
CSS = """
.wb-message { padding: .4em .8em; border-radius: 4px; background: #eef5ee; border: 1px solid #b7d7b7; }
.wb-message.conflict { background: #fdecea; border-color: #f5c2c0; color: #8a1f11; }
.remarks li { margin-bottom: .3em; }
"""


class Workbench:
    """A run folder opened for curation.

    Parameters
    ----------
    run : str or Path
        A run folder written by ``topics fit`` / :func:`topics.fit`.
    ledger : str or Path, optional
        The ledger to write (default ``RUN/ledger.yaml``, created by the first action).
    author : str, optional
        The expert's name; else the page asks for it once.
    deidentify : bool, default True
        Show remarks and model-made labels de-identified (names, places, contacts, dates, IDs masked).
    use_ner : bool, optional
        Use spaCy NER in de-identification (default: the run's ``[deidentify] ner``).

    Examples
    --------
    >>> wb = Workbench("runs/demo")     # doctest: +SKIP
    >>> wb.panel()                      # doctest: +SKIP   (in JupyterLab: shows the app in the notebook)
    """

    def __init__(
        self,
        run: str | Path,
        *,
        ledger: str | Path | None = None,
        author: str | None = None,
        deidentify: bool = True,
        use_ner: bool | None = None,
    ) -> None:
        self.run = Path(run)
        self.analysis = Analysis.load(self.run)
        self.ledger_path = run_ledger(self.run, ledger, existing=False)
        self.session = CurationSession(self.analysis.model, self.ledger_path, author=author)
        cfg = self.analysis.config
        self.shown = Shown(deidentify, cfg.deidentify.known_names, cfg.deidentify.ner if use_ner is None else use_ner)
        self.robust = read_stability(self.run)
        self.by = cfg.compare.by if isinstance(cfg.compare.by, str) else None
        self.lock = threading.RLock()
        self._table: tuple[int, pd.DataFrame] | None = None

    def topic_table(self) -> pd.DataFrame:
        """The topic list as the page shows it (see :func:`topics.workbench.display.topic_list`)."""
        view = self.session.view
        if self._table is None or self._table[0] != self.session.version:
            table = topic_list(
                view, self.shown, stability_of(view, self.robust), over_represented(view.assignments, self.by)
            )
            self._table = (self.session.version, table)
        return self._table[1].copy()

    def write_outputs(self, what: str) -> list[Path]:
        """Write ``worksheet`` (CSV + HTML), ``tables`` (curated CSVs) or ``report`` into the run folder."""
        view = self.session.view
        if what == "worksheet":
            cfg = self.analysis.config.deidentify
            return write_worksheet(
                view,
                self.run / "worksheet",
                deidentify=self.shown.deidentify,
                known_names=cfg.known_names,
                use_ner=cfg.ner,
            )
        if what == "tables":
            folder = self.run / "curated"
            folder.mkdir(exist_ok=True)
            return [
                export_csv(topic_table(view.topics), folder / "topics.csv"),
                export_csv(assignment_table(view.assignments), folder / "assignments.csv"),
                export_csv(view.log, folder / "ledger_log.csv"),
            ]
        if what == "report":
            from topics.reporting import report

            return [
                report(
                    self.run,
                    out=self.run / "report.html",
                    ledger=self.ledger_path,
                    formats=[],
                    deidentify=self.shown.deidentify,
                )
            ]
        raise ValueError(f"unknown output {what!r}")

    def panel(self) -> Any:
        """A new page of the app (a Panel layout): display it in JupyterLab or serve it."""
        return _Page(self).layout


def app(run: str | Path, **kwargs: Any) -> Any:
    """The workbench for a run folder as a Panel layout, for JupyterLab (``pn.extension("plotly", "tabulator")``
    first) or ``.servable()``.

    Parameters
    ----------
    run : str or Path
    **kwargs
        See :class:`Workbench`.

    Returns
    -------
    panel.viewable.Viewable
    """
    return Workbench(run, **kwargs).panel()


class _Page:
    """One browser page: widgets bound to the shared workbench."""

    def __init__(self, wb: Workbench) -> None:
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
        self._doc_traces: list[int] = []
        self._sample_seed = 0

        self.author_button.on_click(lambda e: self.set_author())
        self.search.param.watch(lambda e: self.refresh_table(), "value")
        self.table.param.watch(self.on_table_select, "selection")
        self.intertopic.param.watch(self.on_map_click, "click_data")
        self.docmap.param.watch(self.on_lasso, "selected_data")
        self.topics.param.watch(lambda e: self.show_card(), "value")
        self.card_search.param.watch(lambda e: self.show_card(), "value")
        self.sample_button.on_click(lambda e: self.show_card(sample=True))
        actions = {
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
            self.buttons[name].on_click(lambda e, fn=fn: self.act(fn))
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
    def say(self, text: str, conflict: bool = False) -> None:
        cls = "wb-message conflict" if conflict else "wb-message"
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
        counts = log["status"].value_counts()
        parts = [f"{len(log)} decisions", f"{int(counts.get('applied', 0))} applied"]
        if counts.get("remapped", 0):
            parts.append(f"{int(counts['remapped'])} remapped to the refit model's topics")
        text = (
            f"{s.mode} mode ("
            + (
                "ledger written on this model"
                if s.mode == "strict"
                else "ledger written on another fit: decisions found again by fingerprint"
            )
            + ")"
        )
        html = f"<div id='wb-status'>{esc(text)} · {esc(', '.join(parts))}"
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
        table = self.wb.topic_table()
        query = self.search.value.strip().lower()
        if query:
            hit = (
                table["label"].str.lower().str.contains(query, regex=False)
                | table["keywords"].str.lower().str.contains(query, regex=False)
                | (table["topic"].astype(str) == query)
            )
            table = table[hit]
        self._rows = table["topic"].tolist()
        self.table.value = table.reset_index(drop=True)

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
        return parse_topics(self.topics.value)

    def show_card(self, sample: bool = False) -> None:
        try:
            chosen = self.selected()
        except ValueError as err:
            self.card.object = f"<p>{esc(err)}</p>"
            return
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
    def on_table_select(self, event: Any) -> None:
        table = self.table.value
        if table is None or table.empty or not event.new:
            return
        self.topics.value = ", ".join(str(int(table["topic"].iloc[i])) for i in event.new if i < len(table))

    def on_map_click(self, event: Any) -> None:
        points = (event.new or {}).get("points") or []
        if points and str(points[0].get("text", "")).lstrip("-").isdigit():
            topic = int(points[0]["text"])
            current = self.selected() if self.topics.value.strip() else []
            self.topics.value = ", ".join(str(t) for t in dict.fromkeys([*current, topic]))

    def on_lasso(self, event: Any) -> None:
        points = (event.new or {}).get("points") or []
        topics = [
            self._doc_traces[p["curveNumber"]] for p in points if p.get("curveNumber", -1) < len(self._doc_traces)
        ]
        counts = pd.Series([t for t in topics if t is not None and t != OUTLIER]).value_counts()
        if not counts.empty:
            self.topics.value = ", ".join(str(int(t)) for t in counts.index)
            self.say(f"Lasso: {len(points)} remarks from topics " + ", ".join(f"{t} ({n})" for t, n in counts.items()))

    # ------------------------------------------------------------------ actions
    def act(self, fn: Any) -> None:
        with self.wb.lock:
            try:
                message = fn()
            except (CurationConflict, ValueError, InputError) as err:
                self.say(f"Not done: {err}", conflict=True)
                return
            self.refresh()
        self.say(message)

    def do_merge(self) -> str:
        return self.wb.session.merge(self.selected(), self.label.value, rationale=self.rationale.value).message

    def do_rename(self) -> str:
        topics = self.selected()
        if len(topics) != 1:
            raise CurationConflict("rename: choose exactly one topic")
        return self.wb.session.rename(topics[0], self.label.value, rationale=self.rationale.value).message

    def do_drop(self) -> str:
        done = [
            self.wb.session.drop(t, bucket=self.bucket.value, rationale=self.rationale.value).message
            for t in self._one_or_more()
        ]
        self.topics.value = ""
        return "; ".join(done)

    def do_note(self) -> str:
        return "; ".join(self.wb.session.note(t, self.note_text.value).message for t in self._one_or_more())

    def do_preview(self) -> str:
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
        topics = self.selected()
        if len(topics) != 1:
            raise CurationConflict("split: choose exactly one topic")
        labels = [x.strip() for x in self.label.value.split(";")] if self.label.value.strip() else None
        result = self.wb.session.split(topics[0], int(self.k.value), labels=labels, rationale=self.rationale.value)
        self.preview.object = ""
        return result.message

    def do_undo(self) -> str:
        return self.wb.session.undo().message

    def do_redo(self) -> str:
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


__all__ = ["Workbench", "app"]
