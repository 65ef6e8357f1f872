"""The warm rerun's cuts change no result: BERTopic's plotting imported only when drawn, the int8 model checked
without the fp32 model (issue 28)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parents[2]
TABLES = (
    "assignments.csv",
    "topics.csv",
    "document_map.parquet",
    "model/assignments.parquet",
    "model/topics.parquet",
    "model/bertopic/topics.json",
    "model/bertopic/ctfidf.safetensors",
    "model/bertopic/topic_embeddings.safetensors",
)

FIT = """
import json, sys
if sys.argv[3] == "today":
    import bertopic  # imported before the toolkit: its plotting module loads eagerly, as it did before
    import topics.embed.int8_check as check
    check.reference_vectors = lambda *a, **k: None  # the fp32 model's tokenizer and canary, with torch
import pandas as pd
import topics
import topics.embed.openvino_int8 as int8
from topics.config import TopicConfig
loads = []
real = int8.load_sentence_transformer
int8.load_sentence_transformer = lambda *a, **k: loads.append(a) or real(*a, **k)
cfg = TopicConfig()
cfg.embedding.cache_dir = sys.argv[2]
cfg.report.static_formats = []
topics.fit(pd.read_parquet(sys.argv[1]), cfg, out=sys.argv[4])
print(json.dumps({"fp32_loads": len(loads), "figure_factory": "plotly.figure_factory" in sys.modules}))
"""


def fit_in_child(corpus: Path, cache: Path, how: str, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", FIT, str(corpus), str(cache), how, str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def corpus_file(small_corpus, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warm") / "corpus.parquet"
    small_corpus.to_parquet(path)
    return path


def test_the_fit_without_the_fp32_model_and_plotting_gives_todays_run_folder(corpus_file, embedder, tmp_path):
    embedder.model  # noqa: B018 - the int8 model is built in the session's model store (inherited by the children)
    # each fit embeds every remark into a cache of its own, so the vectors themselves are compared too
    today = fit_in_child(corpus_file, tmp_path / "cache-a", "today", tmp_path / "today")
    now = fit_in_child(corpus_file, tmp_path / "cache-b", "now", tmp_path / "now")
    assert today["fp32_loads"] >= 1 and today["figure_factory"]
    assert now["fp32_loads"] == 0 and not now["figure_factory"]
    for name in TABLES:
        assert (tmp_path / "now" / name).read_bytes() == (tmp_path / "today" / name).read_bytes(), name
    topics_table = pd.read_csv(tmp_path / "now" / "topics.csv")
    assert len(topics_table) >= 3  # a real model, not two empty folders


DRAW = """
import json, sys
import numpy as np
from topics.model.backend import make_bertopic
from topics.model.words import make_vectorizer
from topics.config import VectorizerConfig
from topics.embed import Embedder
from topics.config import EmbeddingConfig
from sklearn.cluster import KMeans
from bertopic.dimensionality import BaseDimensionalityReduction
docs = json.loads(open(sys.argv[1]).read())
embedder = Embedder(EmbeddingConfig(cache_dir=sys.argv[2]), show_progress=False)
bt = make_bertopic(embedder, umap_model=BaseDimensionalityReduction(), hdbscan_model=KMeans(5, random_state=0, n_init=3),
                   vectorizer=make_vectorizer(VectorizerConfig(), len(docs)), representation=None, top_n_words=10)
bt.fit_transform(docs, embeddings=embedder.embed(docs))
before = "plotly.figure_factory" in sys.modules
bars = bt.visualize_barchart(top_n_topics=5)
tree = bt.visualize_hierarchy()  # BERTopic draws the hierarchy with plotly's figure factory
print(json.dumps({"before": before, "after": "plotly.figure_factory" in sys.modules,
                  "bars": type(bars).__module__ + "." + type(bars).__name__, "bar_traces": len(bars.data),
                  "tree_traces": len(tree.data)}))
"""


def test_bertopic_draws_its_figures_but_a_fit_does_not_import_them(small_corpus, embedder, tmp_path):
    docs = small_corpus.loc[small_corpus["role"] == "therapist", "text"].astype(str).head(400).tolist()
    (tmp_path / "docs.json").write_text(json.dumps(docs))
    done = subprocess.run(
        [sys.executable, "-c", DRAW, str(tmp_path / "docs.json"), str(embedder.config.cache_dir)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not result["before"] and result["after"]
    assert result["bars"] == "plotly.graph_objs._figure.Figure" and result["bar_traces"] == 5
    assert result["tree_traces"] > 0
