"""Stage 12, workbench: curate a run's topics in the browser or in JupyterLab (Panel).

``topics curate app RUN`` serves the app on 127.0.0.1 with a random access token; in JupyterLab
``topics.workbench.app("runs/demo")`` returns the same app as a displayable Panel layout. Every action goes
through :class:`topics.curate.CurationSession` and is appended to the run's ledger at once.

* :mod:`topics.workbench.app`: :class:`Workbench` and :func:`app`;
* :mod:`topics.workbench.page`: one browser page (selection, layout, topic card, maps, log, downloads);
* :mod:`topics.workbench.actions`: the page's actions (drop confirmation, all-or-nothing, timing);
* :mod:`topics.workbench.tasks`: long tasks (busy line, disabled button, result line, browser download);
* :mod:`topics.workbench.keys`: keyboard shortcuts, skip link, visible focus, screen-reader repairs;
* :mod:`topics.workbench.server`: :func:`serve` behind the token check;
* :mod:`topics.workbench.display`: the topic list, de-identified remarks, escaping;
* :mod:`topics.workbench.experts`: the two-expert tab (uploaded ledger, merge, switch to the merged ledger).
* :mod:`topics.workbench.ticks`: the topic list's tick boxes, sent by topic number (not by row);
* :mod:`topics.workbench.uploads`: uploads over the size cap refused in the browser, in one line.
* :mod:`topics.workbench.labelling`: the Codes tab (with a codebook): label remarks, retrain the coder, see its
  agreement on held-out labels (:class:`topics.coding.session.LabellingSession`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from topics.workbench.app import Workbench, app
from topics.workbench.server import TokenAuth, new_token, start_server


def serve(
    run: str | Path,
    *,
    port: int | None = None,
    address: str = "127.0.0.1",
    token: str | None = None,
    allow_remote: bool = False,
    show: bool = True,
    threaded: bool = False,
    **kwargs: Any,
) -> tuple[Any, str]:
    """Serve the workbench for a run folder (127.0.0.1 and a random access token by default).

    Parameters
    ----------
    run : str or Path
        The run folder.
    port : int, optional
        Default: a free port.
    address : str
        Interface to bind; another than 127.0.0.1 needs ``allow_remote=True`` (a warning is printed).
    token : str, optional
        Default: a new random token, printed in the URL.
    allow_remote : bool
    show : bool
        Open the browser at the URL.
    threaded : bool
        Return at once with the server running in a thread (else block until Ctrl+C).
    **kwargs
        See :class:`Workbench` (``ledger``, ``author``, ``deidentify``, ``use_ner``, ``codebook``, ``labels``).

    Returns
    -------
    server : object
    url : str
        The local URL with the token.
    """
    wb = Workbench(run, **kwargs)
    return start_server(
        wb.panel, address=address, port=port, token=token, allow_remote=allow_remote, show=show, threaded=threaded
    )


__all__ = ["TokenAuth", "Workbench", "app", "new_token", "serve"]
