"""Stage 8, reporting: an analysis -> a self-contained HTML report, static figures, de-identified display.

>>> from topics.reporting import report
>>> report("runs/demo", out="figures/report.html")                  # doctest: +SKIP

* :mod:`topics.reporting.html_report`: :func:`report` and the figure set of a report;
* :mod:`topics.reporting.redaction`: what a shared report shows of the transcripts (de-identified
  remarks, names masked in labels and keywords);
* :mod:`topics.reporting.context`: the page's template context and rendering;
* :mod:`topics.reporting.static`: PNG / SVG / PDF copies of the figures through kaleido;
* :mod:`topics.reporting.refiqda`: REFI-QDA project (``.qdpx``) and codebook (``.qdc``) for NVivo,
  ATLAS.ti, MAXQDA, QualCoder and Taguette;
* :mod:`topics.reporting.refiqda_codes`: a run's deductive codes in that project (a parent code per codebook, each
  remark coded) and the way back: remarks recoded in the QDA program become labels (:func:`import_code_edits`);
* :mod:`topics.reporting.codes`: the report's question on codes (coverage, the groups compared on codes, the
  topics the codebook leaves out).
"""

from topics.reporting.html_report import comparison, figures, quality, report
from topics.reporting.redaction import deidentified_tables, mask_names, mask_table_words, redact, text_masker
from topics.reporting.refiqda import write_qdc, write_qdpx
from topics.reporting.refiqda_codes import QdaCodes, import_code_edits, read_run_codes, write_codes_qdc
from topics.reporting.static import browser_available, export_static

__all__ = [
    "QdaCodes",
    "browser_available",
    "comparison",
    "deidentified_tables",
    "export_static",
    "figures",
    "import_code_edits",
    "mask_names",
    "mask_table_words",
    "quality",
    "read_run_codes",
    "redact",
    "report",
    "text_masker",
    "write_codes_qdc",
    "write_qdc",
    "write_qdpx",
]
