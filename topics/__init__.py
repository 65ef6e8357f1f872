"""Topic modeling of psychotherapy and counseling transcripts.

The Python API mirrors the ``topics`` command:

>>> import topics
>>> corpus = topics.load_corpus("demo")                       # or a CSV/JSONL/parquet file, a transcript folder
>>> analysis = topics.fit(corpus, topics.TopicConfig(), out="runs/demo")
>>> analysis.topics                                            # per-topic table
>>> analysis.assignments                                       # per-remark table
>>> analysis.model.bertopic_                                   # the BERTopic object
>>> topics.report("runs/demo", out="figures/report.html")

The package's folders are the data flow, each stage importing only earlier ones:
:mod:`topics.read` -> :mod:`topics.clean` -> :mod:`topics.embed` -> :mod:`topics.model` ->
:mod:`topics.curate` -> :mod:`topics.analysis` / :mod:`topics.pipeline` -> :mod:`topics.compare`,
:mod:`topics.evaluate` -> :mod:`topics.plots` -> :mod:`topics.reporting` -> :mod:`topics.cli`.
"""

from topics._dist import __version__
from topics.analysis import Analysis, load_run
from topics.config import TopicConfig
from topics.distributed import fit_distributed
from topics.errors import ConfigError, CorpusError, InputError
from topics.model import TopicModel
from topics.pipeline import fit
from topics.read import load_corpus
from topics.reporting import report

__all__ = [
    "Analysis",
    "ConfigError",
    "CorpusError",
    "InputError",
    "TopicConfig",
    "TopicModel",
    "__version__",
    "fit",
    "fit_distributed",
    "load_corpus",
    "load_run",
    "report",
]
