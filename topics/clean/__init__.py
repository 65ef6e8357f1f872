"""Stage 2, clean: the utterance table -> the therapist remarks the model sees, optionally de-identified.

* :mod:`topics.clean.remarks`: which therapist utterances become remarks (:func:`select_remarks`) and
  the count of everything left out, by reason (:func:`drop_counts`);
* :mod:`topics.clean.deidentify`: the de-identification engine (:class:`Deidentifier`), with its rule
  table in :mod:`topics.clean.deid_rules` and its scoring against labelled data in
  :mod:`topics.clean.deid_scoring`; chat and forum styles and the clinical allow list in
  :mod:`topics.clean.deid_styles`; clinical notes, letters and spoken numbers (initials, record numbers,
  spelled-out phone numbers, places) in :mod:`topics.clean.deid_notes`; lower-case chat names, ages, dates and
  places by family in :mod:`topics.clean.deid_chat`;
* :mod:`topics.clean.deid_words`: names masked in topic keywords and keyword labels (:func:`mask_keywords`).
"""

from topics.clean.deid_words import mask_keywords, mask_words, name_words
from topics.clean.deidentify import KINDS, Deidentifier, Span, load_ner
from topics.clean.remarks import DROP_REASONS, drop_counts, select_remarks

__all__ = [
    "DROP_REASONS",
    "KINDS",
    "Deidentifier",
    "Span",
    "drop_counts",
    "load_ner",
    "mask_keywords",
    "mask_words",
    "name_words",
    "select_remarks",
]
