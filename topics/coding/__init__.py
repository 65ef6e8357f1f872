"""Deductive coding with an expert's codebook (issue 26): codes from descriptions, examples and a few labels.

Topics answer "what do therapists talk about?"; a codebook asks "how often does each of *these* behaviours
occur?". This stage takes remarks (``utterance_id``, ``text``) and a :class:`Codebook`, and returns one code
per remark with its probability:

>>> from topics.coding import Codebook, Coder, example_codebook
>>> book = example_codebook()                                   # doctest: +SKIP
>>> coded = Coder(book).fit().predict(remarks)                  # zero-shot  # doctest: +SKIP
>>> coded = Coder(book).fit(remarks, labels).predict(remarks)   # few-shot   # doctest: +SKIP

* :mod:`~topics.coding.codebook`: :class:`Codebook` from TOML, YAML, CSV or REFI-QDA (``.qdc`` / ``.qdpx``);
* :mod:`~topics.coding.labels`: :class:`LabelFile`, an expert's labels appended like ledger entries;
* :mod:`~topics.coding.coder`: :class:`Coder`, zero-shot (embedding similarity) or few-shot (calibrated
  logistic regression on frozen embeddings), with "none of these" and uncertainty sampling;
* :mod:`~topics.coding.agreement`: Cohen's kappa with a bootstrap interval, per-code precision and recall,
  confusion matrix;
* :mod:`~topics.coding.persist`: a trained coder saved and loaded as JSON and arrays (``Coder.save`` /
  ``Coder.load``; never a pickle), checked against its codebook and embedding model;
* :mod:`~topics.coding.session`: :class:`LabellingSession`, label remarks the coder is least sure of, retrain in
  seconds, agreement on the labels held back (the workbench's Codes tab drives the same class);
* :mod:`~topics.coding.tables`: a run's ``codes/`` folder read (:func:`load_codes`, refusing codes of an earlier
  fit), codes as an assignment table that every comparison takes (:func:`codes_as_assignments`), and the hybrid
  tables beside the topics (:func:`coverage`, :func:`topics_by_codes`, :func:`outside_codebook`).

It reads only earlier stages (read, embed); comparisons and the report may import it.
"""

from importlib import resources
from pathlib import Path

from topics.coding.agreement import Agreement, agreement, cohen_kappa, confusion, macro_f1, per_code
from topics.coding.codebook import NONE_CODE, Code, Codebook
from topics.coding.coder import PROBABILITY_PREFIX, Coder
from topics.coding.labels import Label, LabelFile, is_held_out, labels_table, latest
from topics.coding.session import LabellingSession
from topics.coding.tables import RunCodes, codes_as_assignments, coverage, load_codes, outside_codebook, topics_by_codes

EXAMPLE_CODEBOOK = "annomi_behaviour.toml"
"""The packaged example codebook: AnnoMI's therapist behaviour codes (question, reflection, input, other)."""


def example_codebook_path() -> Path:
    """Path of the packaged example codebook (:data:`EXAMPLE_CODEBOOK`)."""
    return Path(str(resources.files("topics.coding") / "data" / EXAMPLE_CODEBOOK))


def example_codebook() -> Codebook:
    """The packaged AnnoMI therapist behaviour codebook."""
    return Codebook.load(example_codebook_path())


__all__ = [
    "EXAMPLE_CODEBOOK",
    "NONE_CODE",
    "PROBABILITY_PREFIX",
    "Agreement",
    "Code",
    "Codebook",
    "Coder",
    "Label",
    "LabelFile",
    "LabellingSession",
    "RunCodes",
    "agreement",
    "codes_as_assignments",
    "cohen_kappa",
    "confusion",
    "coverage",
    "example_codebook",
    "example_codebook_path",
    "is_held_out",
    "labels_table",
    "load_codes",
    "latest",
    "macro_f1",
    "outside_codebook",
    "per_code",
    "topics_by_codes",
]
