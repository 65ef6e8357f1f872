"""The workbench page's actions: merge, rename, drop (asking first when large), note, split, undo and redo.

:class:`Actions` is mixed into the page (:class:`topics.workbench.page._Page`): each action reads the page's
selection and fields, goes through the shared :class:`~topics.curate.CurationSession` under the workbench's
lock, and is timed (the session's and the whole page's share, for the latency benchmark).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from topics.curate import CurationConflict
from topics.curate.session import ActionResult
from topics.curate.view import decision_summary
from topics.errors import InputError
from topics.workbench.display import esc, remark_list, unique_texts

log = logging.getLogger("topics.workbench")

CONFIRM_DROP_SHARE = 0.10
"""A drop that would set aside more than this share of all remarks asks for a second, confirming click."""


class ConfirmFirst(Exception):  # noqa: N818 (a question put to the user, not an error)
    """An action that waits for a confirming second click; nothing was written."""


class Actions:
    """The action half of a workbench page (it expects the page's widgets, :attr:`wb` and its methods)."""

    wb: Any
    buttons: dict[str, Any]
    chosen: list[int]
    timings: list[dict[str, Any]]
    _pending_drop: tuple[tuple[int, ...], str, int] | None
    # what the page provides (its widgets and methods), declared for the type checker
    label: Any
    bucket: Any
    note_text: Any
    rationale: Any
    k: Any
    preview: Any
    say: Callable[..., None]
    refresh: Callable[..., None]
    choose: Callable[..., None]
    selected: Callable[[], list[int]]

    def act(self, fn: Callable[[], str], reset: bool = True, name: str = "action") -> None:
        """Run one action: when done, say so and (``reset``) clear the selection and the fields; when refused
        (a conflict, or a drop waiting for its confirming click), say why and change nothing else.

        The server-side time is kept in :attr:`timings` (``session``: the action on the session, ledger
        written and view rebuilt; ``page``: all of it, panes included), logged at debug level and put in
        the message line's ``data-`` attributes.
        """
        started = time.perf_counter()
        with self.wb.lock:
            try:
                message = fn()
            except ConfirmFirst as ask:
                self.say(str(ask), ask=True)
                return
            except (CurationConflict, ValueError, InputError) as err:
                self.say(f"Not done: {err}", conflict=True)
                return
            session_s = time.perf_counter() - started
            if reset:
                self.clear_form()
                self.refresh()
        timing = {"session": session_s, "page": time.perf_counter() - started}
        self.timings.append({"action": name, **timing})
        log.debug("workbench %s: session %.3f s, page %.3f s", name, timing["session"], timing["page"])
        self.say(message, timing=timing)

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
            f"{remark_list(self.wb.shown.many(unique_texts(p.remarks, limit=3)))}</div>"
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


def status_text(log: pd.DataFrame, mode: str) -> str:
    """The ledger's replay in plain words: what happened and what the user may do about it.

    Parameters
    ----------
    log : pandas.DataFrame
        The session's replay log (``status``: applied, remapped or unmapped).
    mode : {"strict", "replay"}

    Returns
    -------
    str
    """
    summary = decision_summary(log, mode, explain=False)
    if summary == "no decisions":
        return "No decisions yet: every change you make is saved at once and can be undone."
    if mode == "strict":
        return f"The saved decisions were made on this very model and are all shown: {summary}."
    remapped = int((log["status"] == "remapped").sum()) if "status" in log else 0
    text = (
        "The saved decisions were made on an earlier fit of the model and were matched to this fit's topics by "
        f"their words and example remarks ({summary})."
    )
    if remapped:
        text += (
            f" {remapped} now apply to topics with other numbers: check them in the Decisions tab (column "
            "'applied to') and correct any that no longer fits with a new decision."
        )
    return text
