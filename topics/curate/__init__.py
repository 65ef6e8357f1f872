"""Stage 5, curate: a model's topics -> the curated view, through an expert's ledger of decisions.

The raw model is never changed: a ledger (merge, rename, drop, split, note; with author, time and
rationale) is replayed on it, and every later analysis takes the curated view.

* :mod:`topics.curate.ledger`: the YAML ledger format (:class:`Ledger`, :class:`Entry`);
* :mod:`topics.curate.replay`: :func:`apply_ledger`, strict on the model the ledger was written on,
  by fingerprints after a refit;
* :mod:`topics.curate.view`: the curated tables (:class:`CuratedView`);
* :mod:`topics.curate.curator`: :class:`Curator`, one call per decision from a notebook;
* :mod:`topics.curate.worksheet`: the CSV / HTML worksheet for experts who do not code;
* :mod:`topics.curate.agreement`: agreement between two experts' ledgers;
* :mod:`topics.curate.session`: :class:`CurationSession`, action by action with undo and redo (the
  browser workbench's layer);
* :mod:`topics.curate.qda_codes` / :mod:`topics.curate.qda_import` / :mod:`topics.curate.qda_match`: the
  topics as REFI-QDA codes with stable GUIDs, and edits made in qualitative-analysis software brought back as
  entries (:func:`import_qda`), also from files whose GUIDs the program made new.

Curation takes the :class:`~topics.model.TopicModel` alone; an :class:`~topics.analysis.Analysis` is
accepted wherever a model is, for its ``.model``.
"""

from topics.curate.agreement import LedgerAgreement, compare_ledgers, merged_ledger
from topics.curate.curator import Curator, ledger_for
from topics.curate.ledger import Entry, Fingerprint, Ledger, LedgerError
from topics.curate.provenance import MergeRecord, MergeSource
from topics.curate.qda_import import QdaImport, import_qda, qda_entries
from topics.curate.replay import apply_ledger, ledger_mode, topics_hash
from topics.curate.session import ActionResult, CurationConflict, CurationSession
from topics.curate.view import CuratedView
from topics.curate.worksheet import import_worksheet, read_worksheet, sheet_entries, worksheet_table, write_worksheet

__all__ = [
    "ActionResult",
    "CuratedView",
    "CurationConflict",
    "CurationSession",
    "Curator",
    "Entry",
    "Fingerprint",
    "Ledger",
    "MergeRecord",
    "MergeSource",
    "LedgerAgreement",
    "LedgerError",
    "QdaImport",
    "apply_ledger",
    "compare_ledgers",
    "import_qda",
    "import_worksheet",
    "ledger_for",
    "ledger_mode",
    "merged_ledger",
    "qda_entries",
    "read_worksheet",
    "sheet_entries",
    "topics_hash",
    "worksheet_table",
    "write_worksheet",
]
