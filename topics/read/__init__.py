"""Stage 1, read: transcript files and public corpora -> one validated utterance table.

>>> from topics.read import load_corpus
>>> corpus = load_corpus("transcripts.csv", mapping={"text": "utterance"})   # doctest: +SKIP

* :mod:`topics.read.schema`: the utterance table (:func:`validate_corpus`, :func:`corpus_summary`);
* :mod:`topics.read.files`: CSV / TSV / JSONL / parquet tables, plain-text ``T:`` / ``C:`` transcripts,
  session metadata, and :func:`load_corpus`, which picks the right reader;
* :mod:`topics.read.public`: the bundled demo corpus and the public corpora by name;
* :mod:`topics.read.convokit_corpus`: ConvoKit corpora in (:func:`convokit`; a dumped folder, JSON only:
  :func:`read_convokit_folder`) and topics back out;
* :mod:`topics.read.refiqda`: REFI-QDA codebooks and projects (NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette).
"""

from topics.read.convokit_corpus import add_topics as convokit_add_topics
from topics.read.convokit_corpus import from_convokit as convokit
from topics.read.convokit_corpus import read_convokit_folder
from topics.read.examples import write_examples
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
from topics.read.refiqda import QdaFile, read_qda
from topics.read.schema import (
    REQUIRED_COLUMNS,
    RESERVED_COLUMNS,
    ROLES,
    corpus_summary,
    refuse_reserved,
    validate_corpus,
)

__all__ = [
    "write_examples",
    "DEFAULT_ROLE_VALUES",
    "DEFAULT_SPEAKER_PREFIXES",
    "LOADERS",
    "QdaFile",
    "convokit",
    "convokit_add_topics",
    "read_convokit_folder",
    "read_qda",
    "REQUIRED_COLUMNS",
    "RESERVED_COLUMNS",
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
    "refuse_reserved",
    "validate_corpus",
]
