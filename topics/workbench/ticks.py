"""The topic list's tick boxes, keyed by topic: a tick means the topic the user saw in that row.

Tabulator reports ticks as row positions in the table the browser shows. The server replaces that table after
every action; a tick that left the browser before the new table arrived names, on the server, whatever topic
now sits at that position (after an undo puts a topic back, the one a row up). So the page does not take the
user's ticks from Tabulator's selection. :class:`TickHook`, a hidden component, hooks into the topic list in
the browser and sends each tick the user makes as topic numbers read from the clicked rows themselves
(``{"add": [...], "remove": [...]}``); changes that Tabulator makes when the server sends ticks or a new
table are not the user's and are not sent. The server keeps the chosen topics by number and sends them back
as ticks, so a click made on a table that has since been replaced still chooses the topic clicked, and
nothing comes back ticked that the server did not choose. A click that lands while the list is being redrawn
is undone by the redraw (Tabulator ignores it), so the ticks still show the server's selection.

A click on a row opens that topic's card, for the same reason sent as the topic number the clicked row shows
(``card``), not as Tabulator's row position. Selections set from Python (``table.selection = [...]``, as in a
notebook or the tests) still choose topics by row of the table the server holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import panel as pn
import param
from panel.reactive import ReactiveHTML

TABLE_CLASS = "wb-topic-list"
"""CSS class of the topic list, by which the hook finds it in the page."""

_SCRIPT = """
state.n = 0;
const find = () => window.Bokeh && window.Bokeh.index.query_one((v) =>
  v.model && v.model.css_classes && v.model.css_classes.includes('TABLE_CLASS'));
const topics = (rows) => (rows || []).map((r) => Number(r.getData().topic)).filter((t) => !Number.isNaN(t));
state.hook = () => {
  const v = find();
  if (!v || !v.tabulator || v.tabulator.__wbTicks) return;
  v.tabulator.__wbTicks = true;
  v.tabulator.on('rowSelectionChanged', (rowsData, rows, selected, deselected) => {
    // ticks set from the server, or a redraw under way (Tabulator then drops the click): not the user's
    if (v._selection_updating || v._initializing) return;
    const add = topics(selected), remove = topics(deselected);
    if (!add.length && !remove.length) return;
    state.n += 1;
    data.report = JSON.stringify({add: add, remove: remove, n: state.n});
  });
  // a click on a row opens that topic's card: sent as the topic the row shows, not the row's position
  v.tabulator.on('rowClick', (e, row) => {
    const t = Number(row.getData().topic);
    if (Number.isNaN(t)) return;
    state.n += 1;
    data.card = JSON.stringify({topic: t, n: state.n});
  });
};
state.hook();
state.timer = setInterval(state.hook, 250);  // the list may be rebuilt (a new Tabulator): hook it again
""".replace("TABLE_CLASS", TABLE_CLASS)


class TickHook(ReactiveHTML):
    """Hidden: sends the user's ticks in the topic list as topic numbers (see the module's text)."""

    report = param.String(default="", doc="The last tick change, as JSON: add, remove (topic numbers), n.")
    card = param.String(default="", doc="The last row clicked, as JSON: topic (its number), n.")

    _template = '<div id="tick_hook" style="display:none"></div>'
    _scripts = {"render": _SCRIPT, "remove": "clearInterval(state.timer)"}  # noqa: RUF012 (Panel)

    def __init__(
        self,
        on_ticks: Callable[[list[int], list[int]], None],
        on_card: Callable[[int], None] | None = None,
        **params: Any,
    ) -> None:
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)
        self._on_ticks = on_ticks
        self._on_card = on_card
        self.param.watch(self._reported, "report")
        self.param.watch(self._clicked, "card")

    def _clicked(self, event: Any) -> None:
        if not event.new or self._on_card is None:
            return
        try:
            topic = int(json.loads(event.new)["topic"])
        except (ValueError, TypeError, KeyError, AttributeError):
            return  # not from the hook's script: ignored
        self._on_card(topic)

    def _reported(self, event: Any) -> None:
        if not event.new:
            return
        try:
            found = json.loads(event.new)
            added = [int(t) for t in found.get("add", [])][:10_000]
            removed = [int(t) for t in found.get("remove", [])][:10_000]
        except (ValueError, TypeError, AttributeError):
            return  # not from the hook's script: ignored
        self._on_ticks(added, removed)


class TickTable(pn.widgets.Tabulator):
    """The topic list: a Tabulator that says whether a selection change came from the browser."""

    def __init__(self, value: Any = None, **params: Any) -> None:
        self._from_browser = False
        params["css_classes"] = [*params.get("css_classes", []), TABLE_CLASS]
        super().__init__(value, **params)

    @property
    def from_browser(self) -> bool:
        """True while a selection the browser sent is being applied (the page takes ticks from the hook)."""
        return self._from_browser

    def _update_selection(self, indices: Any) -> None:  # Panel: the browser's selection, as row positions
        self._from_browser = True
        try:
            super()._update_selection(indices)
        finally:
            self._from_browser = False
