"""Stage 8, reporting: an analysis -> a self-contained HTML report, static figures, de-identified display.

>>> from topics.reporting import report
>>> report("runs/demo", out="figures/report.html")                  # doctest: +SKIP

* :mod:`topics.reporting.html_report`: :func:`report` and the figure set of a report;
* :mod:`topics.reporting.redaction`: what a shared report shows of the transcripts (de-identified
  remarks, names masked in labels and keywords);
* :mod:`topics.reporting.context`: the page's template context and rendering;
* :mod:`topics.reporting.static`: PNG / SVG / PDF copies of the figures through kaleido;
* :mod:`topics.reporting.refiqda`: REFI-QDA project (``.qdpx``) and codebook (``.qdc``) for NVivo,
  ATLAS.ti, MAXQDA, QualCoder and Taguette.
"""

from topics.reporting.html_report import comparison, figures, quality, report
from topics.reporting.redaction import deidentified_tables, mask_names, mask_table_words, redact, text_masker
from topics.reporting.refiqda import write_qdc, write_qdpx
from topics.reporting.static import browser_available, export_static

__all__ = [
    "browser_available",
    "comparison",
    "deidentified_tables",
    "export_static",
    "figures",
    "mask_names",
    "mask_table_words",
    "quality",
    "redact",
    "report",
    "text_masker",
    "write_qdc",
    "write_qdpx",
]
