"""The workbench's Codes view: label remarks for an expert's codebook, retrain the coder, see its agreement.

Available when the workbench is given a codebook (``topics curate app RUN --codebook FILE [--labels FILE]``,
``Workbench(run, codebook=...)``). It drives a :class:`topics.coding.session.LabellingSession` shared by every
page of the workbench:

* a queue of remarks, the ones the coder is least sure of first (for one code, or all codes), each shown
  de-identified as the topic card shows remarks, with the coder's guess and its probability;
* one button per code, "none of these" and "skip": a label is appended to the label file at once, with the
  workbench's author and the time (never rewritten, never dropped);
* "Retrain": the coder is fitted again on the labels in a worker thread (a busy line counts the seconds), on
  the remarks' vectors embedded once when the workbench started;
* the agreement on the labels held back for checking: Cohen's kappa with its interval, per-code precision
  and recall, the confusion matrix, and the labels per code.

Code names come from a file a person wrote: every one is escaped before it reaches HTML, and a label written
from the page can only carry a code of the codebook (one button per code; checked again when written).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from topics.coding import NONE_CODE, Codebook, LabelFile
from topics.coding.session import ALL_CODES, LabellingSession
from topics.errors import InputError
from topics.runs import DERIVED_MANIFEST, is_generated
from topics.workbench.display import esc
from topics.workbench.tasks import SPINNER_CSS, LongTask, message_html

LABELS_NAME = "labels.yaml"
"""The label file a run folder holds by default (a user file: kept when the run is fitted again)."""
QUEUE_SHOWN = 8
"""Remarks listed after the one being labelled."""
SKIP = "skip"
CSS = (
    SPINNER_CSS
    + """
.wb-remark { font-size: 1.08em; line-height: 1.45; padding: .6em .9em; border: 1px solid #c9d3e6; border-radius: 4px;
  background: #fafbfe; }
.wb-codes table { border-collapse: collapse; margin: .4em 0 .8em; }
.wb-codes th, .wb-codes td { border: 1px solid #d5dbe6; padding: .2em .5em; text-align: left; vertical-align: top; }
.wb-codes caption { text-align: left; font-weight: bold; padding: .2em 0; }
.wb-codes td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""
)


def check_label_path(run: str | Path, path: str | Path) -> Path:
    """Refuse a label file that a refit (or a later stage) would replace: it must outlive the model.

    A label file outside the run folder, or at its top level under a name the toolkit never writes
    (``RUN/labels.yaml``), or in a folder of the user's, is kept when the run is fitted again
    (:func:`topics.runs.carry_over_user_files`). One inside what the fit writes (``model/``, ``topics.csv``, ...)
    or inside a folder a stage rewrites (one with a ``manifest.json``: ``evaluation/``, ``codes/``, ...) is not.

    Parameters
    ----------
    run : str or Path
        The run folder.
    path : str or Path
        The label file.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        The label file lies where a refit or a stage would replace it.
    """
    run, path = Path(run), Path(path)
    try:
        inside = path.resolve().relative_to(run.resolve())
    except ValueError:
        return path
    if not inside.parts:
        raise InputError("the label file is the run folder itself", path=path)
    top = run / inside.parts[0]
    if is_generated(top) or (len(inside.parts) > 1 and (top / DERIVED_MANIFEST).is_file()):
        raise InputError(
            f"a label file in {inside.parts[0]!r} would be replaced when the run is fitted again or the stage "
            f"re-runs; keep it at the top of the run folder (RUN/{LABELS_NAME}) or outside it",
            path=path,
        )
    return path


def labelling_session(
    run: str | Path, analysis: Any, codebook: str | Path | Codebook, labels: str | Path | None = None
) -> LabellingSession:
    """The labelling session of a run: its remarks, embedded once with the run's own embedder (cached vectors).

    Parameters
    ----------
    run : str or Path
    analysis : topics.analysis.Analysis
        The loaded run.
    codebook : str, Path or Codebook
    labels : str or Path, optional
        Default ``RUN/labels.yaml`` (see :func:`check_label_path`).

    Returns
    -------
    LabellingSession
    """
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    path = check_label_path(run, Path(labels) if labels is not None else Path(run) / LABELS_NAME)
    table = analysis.model.assignments_
    columns = ["utterance_id", "text", *(["session_id"] if "session_id" in table.columns else [])]
    return LabellingSession(book, table[columns], LabelFile(path, book.labels), embedder=analysis.model.embedder)


def _number(x: float, digits: int = 2) -> str:
    return "n/a" if x != x else f"{x:.{digits}f}"


def _table(frame: pd.DataFrame, caption: str, table_id: str, *, index: str | None = None) -> str:
    """A small HTML table, every cell and heading escaped (code names come from a user's file)."""
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in ([index] if index else []) + list(frame.columns))
    rows = []
    for key, values in zip(frame.index, frame.to_dict("split")["data"], strict=True):
        values = [v.item() if hasattr(v, "item") else v for v in values]  # numpy scalars as Python numbers
        cells = "".join(
            f"<td class='num'>{_number(v) if isinstance(v, float) else esc(v)}</td>"
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            else f"<td>{esc(v)}</td>"
            for v in values
        )
        lead = f"<th scope='row'>{esc(key)}</th>" if index else ""
        rows.append(f"<tr>{lead}{cells}</tr>")
    return (
        f"<table id='{table_id}'><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _shown_path(path: Path, run: Path) -> str:
    """The label file's path relative to the run folder when inside it, else its name (no server path)."""
    try:
        return str(Path(path).resolve().relative_to(Path(run).resolve()))
    except ValueError:
        return Path(path).name


class CodesPanel:
    """The Codes tab of one page: the queue, the code buttons, Retrain and the agreement panel.

    Parameters
    ----------
    wb : Workbench
        With a :attr:`~topics.workbench.Workbench.labelling` session; its author (``wb.session.author``) is
        recorded with every label.
    """

    def __init__(self, wb: Any) -> None:
        import panel as pn

        self.wb = wb
        self.session: LabellingSession = wb.labelling
        book = self.session.codebook
        w = pn.widgets
        css = [CSS]
        names = {(f"{n} (code)" if n.casefold() == ALL_CODES else n): n for n in book.names}
        self.pick = w.Select(label="Label remarks for", options={ALL_CODES: ALL_CODES, **names}, width=280)
        self.about = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.remark = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.code_buttons = {c: w.Button(label=c, color="primary") for c in book.names}
        self.code_buttons[NONE_CODE] = w.Button(label=NONE_CODE)
        self.skip_button = w.Button(label=SKIP, color="light")
        self.note = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.upcoming = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.retrain = w.Button(label="Retrain", width=160)
        self.progress = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.agreement = pn.pane.HTML("", sizing_mode="stretch_width", stylesheets=css)
        self.task = LongTask(self.retrain, self.progress, "Retraining the coder...", "Retraining...")
        self.skipped: set[str] = set()
        """Remarks skipped on this page (left out of its queue until the page is reloaded)."""
        self.current: dict[str, Any] | None = None
        """The remark being labelled: ``utterance_id``, ``text``, ``code``, ``probability``, ``held_out``."""

        for code, button in self.code_buttons.items():
            button.on_click(self._giver(code))
        # A click disables every answer button in the browser at once, and the server enables them again with
        # the next remark: the second click of a double click (or a click on a stale page) cannot label the
        # remark that replaced the one the expert read.
        answers = {f"b{i}": b for i, b in enumerate([*self.code_buttons.values(), self.skip_button])}
        for button in answers.values():
            button.js_on_click(args=answers, code=f"for (const b of [{', '.join(answers)}]) {{ b.disabled = true }}")
        self.skip_button.on_click(lambda e: self.skip())
        self.pick.param.watch(lambda e: self.refresh(), "value")

        async def retrain(event: Any) -> None:
            await self.retrain_async()

        self.retrain.on_click(retrain)
        flex = {"flex_wrap": "wrap", "sizing_mode": "stretch_width"}
        left = pn.Column(
            self.about,
            self.pick,
            self.remark,
            pn.FlexBox(*self.code_buttons.values(), self.skip_button, **flex),
            self.note,
            self.upcoming,
            styles={"flex": "1 1 560px"},
            min_width=380,
            sizing_mode="stretch_width",
        )
        right = pn.Column(
            pn.pane.HTML("<h2 style='font-size:1.1em;margin:0'>The coder and its agreement</h2>"),
            pn.FlexBox(self.retrain, align_items="center", **flex),
            self.progress,
            self.agreement,
            styles={"flex": "1 1 420px"},
            min_width=340,
            sizing_mode="stretch_width",
        )
        self.layout = pn.FlexBox(left, right, align_items="flex-start", **flex)
        self.refresh()

    # ------------------------------------------------------------------ what is shown
    def refresh(self) -> None:
        """Redraw the header, the remark to label and the queue after it, and the agreement panel."""
        self.refresh_about()
        self.refresh_queue()
        self.refresh_agreement()

    def refresh_about(self) -> None:
        s, wb = self.session, self.wb
        info = s.summary()
        book = s.codebook
        who = wb.session.author
        self.about.object = (
            f"<div class='wb-codes' id='codes-about'><b>Codebook</b> {esc(book.name or 'untitled')} · "
            f"{len(book.names)} codes and {esc(NONE_CODE)} · labels saved in "
            f"<code>{esc(_shown_path(s.file.path, wb.run))}</code> (kept when the run is fitted again) · "
            f"{info['labels']} labels written, {info['labelled_remarks']} remarks labelled"
            + (f" · labelling as <b>{esc(who)}</b>" if who else " · <b>set your name above to label</b>")
            + "</div>"
        )

    def refresh_queue(self) -> None:
        """The remark to label (the coder's least sure) and the next ones, de-identified as the workbench shows."""
        code = self.pick.value if self.pick.value != ALL_CODES else None
        queue = self.session.queue(QUEUE_SHOWN + 1, code, exclude=self.skipped)
        self._enable_answers(not queue.empty)
        if queue.empty:
            self.current = None
            self.remark.object = "<p id='wb-remark'><i>Every remark is labelled or skipped.</i></p>"
            self.upcoming.object = ""
            return
        texts = self.wb.shown.many(queue["text"].astype(str))
        first = queue.iloc[0]
        self.current = {**first.to_dict(), "text": texts[0]}
        doubt = (
            f" · P({esc(code)}) {float(first['p_code']):.2f}" if code is not None and "p_code" in queue.columns else ""
        )
        use = (
            "held back to check the coder (a remark drawn at random)"
            if bool(first["held_out"])
            else "used for training (a remark the coder is least sure of)"
        )
        self.remark.object = (
            f"<div class='wb-codes'><div id='wb-remark' class='wb-remark' "
            f"data-utterance='{esc(first['utterance_id'])}'>{esc(texts[0])}</div>"
            f"<div>Remark <code>{esc(first['utterance_id'])}</code> · the coder's guess: "
            f"<b>{esc(first['code'])}</b> (probability {float(first['probability']):.2f}){doubt} · its label will "
            f"be {use}</div></div>"
        )
        rest = pd.DataFrame(
            {
                "remark": texts[1:],
                "guess": queue["code"].iloc[1:].astype(str).tolist(),
                "probability": queue["probability"].iloc[1:].astype(float).tolist(),
            },
            index=pd.RangeIndex(2, len(queue) + 1),
        )
        what = "all codes" if code is None else f"the code {code}"
        self.upcoming.object = (
            f"<div class='wb-codes'>{_table(rest, f'Next in the queue ({what}, least sure first)', 'codes-queue', index='#')}</div>"
            if len(rest)
            else ""
        )

    def refresh_agreement(self) -> None:
        """Kappa with its interval, per-code precision and recall, confusion matrix and labels per code."""
        s = self.session
        info = s.summary()
        coder = (
            f"few-shot, trained on {info['trained_on']} labels" + (" (calibrated)" if info["calibrated"] else "")
            if info["mode"] == "few-shot"
            else "zero-shot (the codebook's descriptions and examples; no labels trained on yet)"
        )
        parts = [
            f"<p id='codes-coder' data-version='{info['version']}'><b>Coder</b>: {esc(coder)} · "
            f"{info['held_out']} labels held back for checking</p>"
        ]
        result = s.agreement()
        if result is None:
            parts.append(
                "<p id='codes-agreement'>No label is held back for checking yet: about one remark in five (chosen "
                "by its id) is kept out of training to check the coder on. Label more remarks.</p>"
            )
        else:
            level = int(round(result.level * 100))
            summary = pd.DataFrame(
                {
                    "value": [
                        f"{_number(result.kappa)} ({level}% interval {_number(result.kappa_low)} to "
                        f"{_number(result.kappa_high)}, resampling {result.resampled})",
                        _number(result.accuracy),
                        _number(result.macro_f1),
                    ]
                },
                index=["Cohen's kappa", "accuracy", "macro-F1"],
            )
            parts.append(
                _table(summary, f"Agreement on {result.n} held-out labels", "codes-agreement", index="measure")
            )
            per = result.per_code.set_index("code")[["support", "predicted", "precision", "recall"]]
            per.columns = ["labels", "coded", "precision", "recall"]
            parts.append(_table(per, "Per code (held-out labels)", "codes-per-code", index="code"))
            parts.append(
                _table(
                    result.confusion,
                    "Confusion (rows: the labels; columns: the coder)",
                    "codes-confusion",
                    index="label",
                )
            )
        counts = s.counts().set_index("code").rename(columns={"held_out": "held out"})
        parts.append(_table(counts, "Labels per code", "codes-counts", index="code"))
        self.agreement.object = f"<div class='wb-codes' id='codes-check'>{''.join(parts)}</div>"

    def _enable_answers(self, enabled: bool = True) -> None:
        """Set the answer buttons, sent to the browser even where the server's value did not change.

        The browser disabled them itself on the click (see ``__init__``); a value the server already holds would
        not be sent again, so each is set to disabled first.
        """
        for button in [*self.code_buttons.values(), self.skip_button]:
            button.disabled = True
            button.disabled = not enabled

    def say(self, text: str, conflict: bool = False) -> None:
        self.note.object = message_html(text, conflict=conflict)

    # ------------------------------------------------------------------ actions
    def _giver(self, code: str) -> Callable[[Any], None]:
        """The click handler of one code's button (the code is fixed here, never taken from the browser)."""
        return lambda event: self.give(code)

    def give(self, code: str) -> None:
        """Label the remark shown with ``code`` (one of the codebook's, or "none of these"), then show the next."""
        current = self.current
        if current is None:
            self.say("Nothing to label.", conflict=True)
            return
        author = self.wb.session.author
        if not author:
            self._enable_answers()
            self.say("Set your name first (above the tabs): every label records who gave it.", conflict=True)
            return
        try:
            label = self.session.label(str(current["utterance_id"]), code, author=author)
        except InputError as err:
            self._enable_answers()
            self.say(f"Not labelled: {err}", conflict=True)
            return
        use = "held back for checking" if bool(current["held_out"]) else "for training"
        self.refresh()
        self.say(f"Remark {label.utterance_id} labelled {label.code!r} by {label.author} ({use}).")

    def skip(self) -> None:
        """Leave the remark shown unlabelled and show the next (this page only)."""
        if self.current is None:
            return
        self.skipped.add(str(self.current["utterance_id"]))
        uid = self.current["utterance_id"]
        self.refresh_queue()
        self.say(f"Remark {uid} skipped (it comes back when the page is reloaded).")

    async def retrain_async(self) -> None:
        """Retrain the coder in a worker thread (button disabled, a busy line counting the seconds meanwhile)."""
        n = int(self.session.summary()["trained_on"])
        self.task.busy_text = (
            f"Retraining the coder on {n} labels (the remarks are not embedded again)..."
            if n
            else "Starting the coder from the codebook (zero-shot: no labels to train on yet)..."
        )

        def done(coder: Any) -> str:
            self.refresh()
            if coder.mode_ == "few-shot":
                return f"Retrained on {coder.n_labels_} labels in {self.session.fit_seconds:.1f} s."
            return f"Zero-shot coder from the codebook ({self.session.fit_seconds:.1f} s): no labels to train on."

        await self.task.run(self.session.retrain, done)

    def run_retrain(self) -> None:
        """Retrain and wait (scripts and tests; the page's button uses :meth:`retrain_async`)."""
        import asyncio

        asyncio.run(self.retrain_async())
