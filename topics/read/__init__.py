"""Stage 1, read: transcript files and public corpora -> one validated utterance table.

>>> from topics.read import load_corpus
>>> corpus = load_corpus("transcripts.csv", mapping={"text": "utterance"})   # doctest: +SKIP

* :mod:`topics.read.schema`: the utterance table (:func:`validate_corpus`, :func:`corpus_summary`);
* :mod:`topics.read.files`: CSV / TSV / JSONL / parquet tables, plain-text ``T:`` / ``C:`` transcripts,
  session metadata, and :func:`load_corpus`, which picks the right reader;
* :mod:`topics.read.public`: the bundled demo corpus and the public corpora by name.
"""

from topics.read.files import (
    DEFAULT_ROLE_VALUES,
    DEFAULT_SPEAKER_PREFIXES,
    attach_session_metadata,
    load_corpus,
    read_table,
    read_text_transcripts,
)
from topics.read.public import (
    LOADERS,
    load_annomi,
    load_counselchat,
    load_demo,
    load_esconv,
    load_llms_as_therapists,
    load_mibot,
    load_rogers,
)
from topics.read.schema import REQUIRED_COLUMNS, ROLES, corpus_summary, validate_corpus

__all__ = [
    "DEFAULT_ROLE_VALUES",
    "DEFAULT_SPEAKER_PREFIXES",
    "LOADERS",
    "REQUIRED_COLUMNS",
    "ROLES",
    "attach_session_metadata",
    "corpus_summary",
    "load_annomi",
    "load_corpus",
    "load_counselchat",
    "load_demo",
    "load_esconv",
    "load_llms_as_therapists",
    "load_mibot",
    "load_rogers",
    "read_table",
    "read_text_transcripts",
    "validate_corpus",
]
