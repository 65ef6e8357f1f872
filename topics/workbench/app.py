"""The curation workbench: a Panel app over a run folder, in the browser or in JupyterLab.

:class:`Workbench` holds the run, its :class:`~topics.curate.CurationSession` (the ledger file) and the
de-identifier; :meth:`Workbench.panel` builds one page (:class:`~topics.workbench.page._Page`, a new one for
every browser tab, all acting on the same session and ledger). The page shows the topic list (sortable,
searchable), a topic card, the intertopic map and the document map (click a topic or lasso remarks to
select), forms for the actions, undo and redo, the ledger log with every conflict, the output buttons and
the two-expert comparison.
"""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from topics._files import export_csv
from topics.analysis import Analysis, assignment_table, run_ledger, topic_table
from topics.coding import Codebook
from topics.coding.session import LabellingSession
from topics.curate import CurationSession, write_worksheet
from topics.errors import InputError
from topics.workbench.actions import CONFIRM_DROP_SHARE, ConfirmFirst
from topics.workbench.display import Shown, over_represented, read_stability, stability_of, topic_list
from topics.workbench.labelling import labelling_session
from topics.workbench.page import _Page

__all__ = ["CONFIRM_DROP_SHARE", "ConfirmFirst", "Workbench", "app", "zip_files"]


def zip_files(paths: list[Path]) -> bytes:
    """The files as one zip archive (in memory), each under its own name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=path.name)
    return buffer.getvalue()


def _size(n: int) -> str:
    """A file size in words: ``812 KB``, ``4.6 MB``."""
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


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
    codebook : str, Path or Codebook, optional
        An expert's codebook: adds the Codes tab (label remarks, retrain, agreement;
        :mod:`topics.workbench.labelling`). The run's remarks are embedded once, here (cached vectors).
    labels : str or Path, optional
        The label file the Codes tab appends to (default ``RUN/labels.yaml``, kept when the run is fitted again).

    Attributes
    ----------
    labelling : LabellingSession or None
        The Codes tab's session (shared by every page; a notebook may drive it too), None without a codebook.

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
        codebook: str | Path | Codebook | None = None,
        labels: str | Path | None = None,
    ) -> None:
        self.run = Path(run)
        self.analysis = Analysis.load(self.run)
        self.ledger_path = run_ledger(self.run, ledger, existing=False) or self.run / "ledger.yaml"
        self.session = CurationSession(self.analysis.model, self.ledger_path, author=author)
        cfg = self.analysis.config
        self.shown = Shown(deidentify, cfg.deidentify.known_names, cfg.deidentify.ner if use_ner is None else use_ner)
        self.robust = read_stability(self.run)
        self.by = cfg.compare.by if isinstance(cfg.compare.by, str) else None
        self.lock = threading.RLock()
        self._table: tuple[int, pd.DataFrame] | None = None
        self.labelling: LabellingSession | None = None
        if codebook is not None:
            self.labelling = labelling_session(self.run, self.analysis, codebook, labels)
        elif labels is not None:
            raise InputError("a label file needs its codebook (codebook=... / --codebook)", path=labels)

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
        """Write ``worksheet`` (CSV + HTML), ``tables`` (curated CSVs) or ``report`` into the run folder.

        The curated view is taken under :attr:`lock` at the start; the writing itself runs without it, so
        that a page may run this in a worker thread while its user goes on curating (the report reads the
        ledger file, which every action replaces atomically).
        """
        with self.lock:
            view = self.session.view
            ledger_path = self.ledger_path
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
            tables = {
                "topics": topic_table(view.topics),
                "assignments": assignment_table(view.assignments),
                "ledger_log": view.log,
            }
            if self.shown.deidentify:  # as shown: remarks scrubbed, names masked in labels and keywords
                from topics.reporting.redaction import deidentified_tables

                cfg = self.analysis.config.deidentify
                tables = deidentified_tables(
                    replace(self.analysis, curation=view),
                    known_names=cfg.known_names,
                    deidentifier=self.shown.deidentifier,
                )
            return [export_csv(table, folder / f"{name}.csv") for name, table in tables.items()]
        if what == "report":
            from topics.reporting import report

            return [
                report(
                    self.run,
                    out=self.run / "report.html",
                    ledger=ledger_path,
                    formats=[],
                    deidentify=self.shown.deidentify,
                )
            ]
        raise ValueError(f"unknown output {what!r}")

    def download(self, what: str) -> tuple[str, bytes, str]:
        """Write an output (see :meth:`write_outputs`) and bundle it for a browser download.

        Parameters
        ----------
        what : {"worksheet", "tables", "report"}

        Returns
        -------
        filename : str
            The name the browser saves it under (``report.html``, ``worksheet.zip``, ``curated_tables.zip``).
        data : bytes
        message : str
            What was written, in words, without any server path.
        """
        paths = self.write_outputs(what)
        size = sum(p.stat().st_size for p in paths)
        if what == "report":
            return "report.html", paths[0].read_bytes(), f"The report is written ({_size(size)})."
        name = {"worksheet": "worksheet.zip", "tables": "curated_tables.zip"}[what]
        kind = {"worksheet": "The worksheet (CSV and HTML)", "tables": "The curated tables"}[what]
        files = ", ".join(p.name for p in paths)
        return name, zip_files(paths), f"{kind} {'are' if what == 'tables' else 'is'} written ({files}; {_size(size)})."

    def switch_ledger(self, path: str | Path) -> None:
        """Curate another ledger file from now on (e.g. the merged ledger of two experts), keeping the author.

        Parameters
        ----------
        path : str or Path
            A ledger in the run folder (or anywhere): read, checked and replayed before the switch; on an
            error nothing changes.
        """
        with self.lock:
            session = CurationSession(self.analysis.model, path, author=self.session.author)
            self.session, self.ledger_path, self._table = session, Path(path), None

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
