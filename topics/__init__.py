"""Topic modeling of psychotherapy and counseling transcripts.

The Python API mirrors the ``topics`` command:

>>> import topics
>>> corpus = topics.load_corpus("demo")                       # or a CSV/JSONL/parquet file, a transcript folder
>>> analysis = topics.fit(corpus, topics.TopicConfig(), out="runs/demo")
>>> analysis.topics                                            # per-topic table
>>> analysis.assignments                                       # per-remark table
>>> analysis.model.bertopic_                                   # the BERTopic object
>>> topics.report("runs/demo", out="figures/report.html")
"""

from topics.config import TopicConfig
from topics.errors import ConfigError, CorpusError, InputError
from topics.model import TopicModel
from topics.pipeline import Analysis, fit
from topics.readers import load_corpus
from topics.report import report

__all__ = [
    "Analysis",
    "ConfigError",
    "CorpusError",
    "InputError",
    "TopicConfig",
    "TopicModel",
    "fit",
    "load_corpus",
    "report",
]
