"""Uploads in the workbench: a file over the size cap is refused in the browser with one line, before it is sent.

Bokeh's file input reads the whole file and sends it, base64-encoded, as one websocket message; a message over
the server's limit (:data:`WEBSOCKET_MAX_BYTES`) makes the server close the connection, and the page stops
answering. :class:`UploadGuard`, a hidden component, hooks every file input of the page in the browser: a file
larger than :data:`MAX_UPLOAD_BYTES` is not read or sent (the input is emptied) and the server is told its
name and size only, so the page says why in one line and goes on working. The server still checks the size of
what it receives (a client without the guard), and the websocket limit admits any upload under the cap.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import param
from panel.reactive import ReactiveHTML

MAX_UPLOAD_BYTES = 5_000_000
"""Largest file the page uploads (the second expert's ledger; a ledger of thousands of decisions is far smaller)."""
WEBSOCKET_MAX_BYTES = 20 * 1024 * 1024
"""The server's websocket message limit (Bokeh's default, set explicitly): over it the connection is closed."""

_SCRIPT = """
state.n = 0;
const limit = data.limit;
const guard = (input) => {
  if (input.__wbGuard) return;
  input.__wbGuard = true;
  // a capturing listener on the input runs before the file input's own, which would read and send the file
  input.addEventListener('change', (e) => {
    for (const f of Array.from(input.files || [])) {
      if (f.size > limit) {
        e.stopImmediatePropagation();
        input.value = '';
        state.n += 1;
        data.refused = JSON.stringify({name: f.name, size: f.size, n: state.n});
        return;
      }
    }
  }, true);
};
const walk = (root) => { for (const el of root.querySelectorAll('*')) {
  if (el.tagName === 'INPUT' && el.type === 'file') guard(el);
  if (el.shadowRoot) walk(el.shadowRoot);
} };
walk(document);
state.timer = setInterval(() => walk(document), 500);  // file inputs drawn later (another tab)
"""


def too_large(name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> str:
    """The one line shown for a refused upload."""
    return (
        f"Not uploaded: {Path(str(name)).name or 'the file'} is {size / 1e6:.1f} MB, larger than the "
        f"{limit / 1e6:.0f} MB a file may be here. Choose the ledger file (.yaml) the other expert sent."
    )


class UploadGuard(ReactiveHTML):
    """Hidden: refuses, in the browser, files over :attr:`limit` in every file input of the page."""

    limit = param.Integer(default=MAX_UPLOAD_BYTES, doc="Largest file uploaded, in bytes.")
    refused = param.String(default="", doc="The last file refused, as JSON: name, size, n.")

    _template = '<div id="upload_guard" style="display:none"></div>'
    _scripts = {"render": _SCRIPT, "remove": "clearInterval(state.timer)"}  # noqa: RUF012 (Panel)

    def __init__(self, on_refused: Callable[[str], None], **params: Any) -> None:
        params.setdefault("height", 0)
        params.setdefault("margin", 0)
        super().__init__(**params)
        self._on_refused = on_refused
        self.param.watch(self._refused, "refused")

    def _refused(self, event: Any) -> None:
        try:
            found = json.loads(event.new or "{}")
            name, size = str(found["name"])[:200], int(found["size"])
        except (ValueError, TypeError, KeyError):
            return  # not from the guard's script: ignored
        self._on_refused(too_large(name, size, self.limit))
