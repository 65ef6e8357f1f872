"""Stage 2, clean: the utterance table -> the therapist remarks the model sees, optionally de-identified.

* :mod:`topics.clean.remarks`: which therapist utterances become remarks (:func:`select_remarks`) and
  the count of everything left out, by reason (:func:`drop_counts`);
* :mod:`topics.clean.deidentify`: the de-identification engine (:class:`Deidentifier`), with its rule
  table in :mod:`topics.clean.deid_rules` and its scoring against labelled data in
  :mod:`topics.clean.deid_scoring`.
"""

from topics.clean.deidentify import KINDS, Deidentifier, Span, load_ner
from topics.clean.remarks import DROP_REASONS, drop_counts, select_remarks

__all__ = ["DROP_REASONS", "KINDS", "Deidentifier", "Span", "drop_counts", "load_ner", "select_remarks"]
