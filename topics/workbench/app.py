"""The curation workbench: a Panel app over a run folder, in the browser or in JupyterLab.

:class:`Workbench` holds the run, its :class:`~topics.curate.CurationSession` (the ledger file) and the
de-identifier; :meth:`Workbench.panel` builds one page (:class:`~topics.workbench.page._Page`, a new one for
every browser tab, all acting on the same session and ledger). The page shows the topic list (sortable,
searchable), a topic card, the intertopic map and the document map (click a topic or lasso remarks to
select), forms for the actions, undo and redo, the ledger log with every conflict, the output buttons and
the two-expert comparison.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from topics._files import export_csv
from topics.analysis import Analysis, assignment_table, run_ledger, topic_table
from topics.curate import CurationSession, write_worksheet
from topics.workbench.display import Shown, over_represented, read_stability, stability_of, topic_list
from topics.workbench.page import CONFIRM_DROP_SHARE, ConfirmFirst, _Page

__all__ = ["CONFIRM_DROP_SHARE", "ConfirmFirst", "Workbench", "app"]

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
            tables = {"topics": topic_table(view.topics), "assignments": assignment_table(view.assignments),
                      "ledger_log": view.log}
            if self.shown.deidentify:  # as shown: remarks scrubbed, names masked in labels and keywords
                from topics.reporting.redaction import deidentified_tables

                cfg = self.analysis.config.deidentify
                tables = deidentified_tables(replace(self.analysis, curation=view), known_names=cfg.known_names,
                                             deidentifier=self.shown.deidentifier)
            return [export_csv(table, folder / f"{name}.csv") for name, table in tables.items()]
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
