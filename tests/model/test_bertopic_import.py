"""BERTopic imported without its optional backends (sentence-transformers, transformers, torch, spaCy) until they
are used: a fit gives today's run folder without them, and every name of BERTopic is the real one (issue 28)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

PROJECT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "sentence_transformers", "spacy")
TABLES = (
    "assignments.csv",
    "topics.csv",
    "document_map.parquet",
    "model/assignments.parquet",
    "model/topics.parquet",
    "model/bertopic/topics.json",
    "model/bertopic/config.json",
    "model/bertopic/ctfidf.safetensors",
    "model/bertopic/ctfidf_config.json",
    "model/bertopic/topic_embeddings.safetensors",
)


def run_child(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=PROJECT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


FIT = """
import json, sys
if sys.argv[3] == "plain":
    import bertopic  # imported before the toolkit: every optional backend is imported, as it was before
import pandas as pd
import topics
from topics.config import TopicConfig
cfg = TopicConfig()
cfg.embedding.cache_dir = sys.argv[2]
cfg.report.static_formats = []
topics.fit(pd.read_parquet(sys.argv[1]), cfg, out=sys.argv[4])
print(json.dumps({m: m in sys.modules for m in ("torch", "transformers", "sentence_transformers", "spacy")}))
"""


@pytest.fixture(scope="module")
def corpus_file(small_corpus, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bertopic-import") / "corpus.parquet"
    small_corpus.to_parquet(path)
    return path


def test_a_fit_imports_neither_torch_nor_transformers_nor_spacy_and_gives_the_plain_imports_run_folder(
    corpus_file, embedder, tmp_path
):
    embedder.model  # noqa: B018 - the int8 model is built in the session's model store (inherited by the children)
    cache = tmp_path / "cache"
    plain = run_child(FIT, str(corpus_file), str(cache), "plain", str(tmp_path / "plain"))
    now = run_child(FIT, str(corpus_file), str(cache), "toolkit", str(tmp_path / "now"))
    assert all(plain[m] for m in HEAVY)  # what BERTopic's own import brings
    assert not any(now.values()), now
    for name in TABLES:
        assert (tmp_path / "now" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name
    assert len(pd.read_csv(tmp_path / "now" / "topics.csv")) >= 3  # a real model, not two empty folders


NAMES = """
import json, sys
how = sys.argv[1]
if how == "plain":
    import bertopic
else:
    if how == "other-version":  # a BERTopic the deferral was not written for: imported the plain way
        import importlib.metadata as md
        real = md.version
        md.version = lambda name: "0.18.0" if name == "bertopic" else real(name)
    from topics.config import RepresentationConfig
    from topics.model.words import representation_model
    representation_model(RepresentationConfig(), 42)  # the toolkit's first use of BERTopic in a fit
heavy_before = {m: m in sys.modules for m in ("torch", "transformers", "sentence_transformers", "spacy")}
import bertopic.backend as backend, bertopic.representation as representation, bertopic._save_utils as save
names = {}
for module in (backend, representation):
    for name in module.__all__:
        value = getattr(module, name)
        names[module.__name__ + "." + name] = type(value).__name__ if type(value).__name__ == "NotInstalled" else (
            value.__module__ + "." + value.__qualname__ if hasattr(value, "__qualname__") else repr(value))
from bertopic.representation import PartOfSpeech, TextGeneration
print(json.dumps({"heavy_before": heavy_before, "names": names, "has_torch": save._has_torch,
                  "pos": PartOfSpeech.__module__, "textgen": TextGeneration.__module__}))
"""


def test_every_bertopic_name_is_the_real_one_and_the_optional_parts_load_when_used():
    plain = run_child(NAMES, "plain")
    now = run_child(NAMES, "toolkit")
    other = run_child(NAMES, "other-version")
    assert all(plain["heavy_before"].values())
    assert not any(now["heavy_before"].values()), now["heavy_before"]
    assert all(other["heavy_before"].values())  # the plain import where the version differs
    assert len(plain["names"]) >= 15
    assert now["names"] == plain["names"] and other["names"] == plain["names"]
    assert now["has_torch"] is plain["has_torch"] is True
    assert now["pos"] == "bertopic.representation._pos" and now["textgen"] == "bertopic.representation._textgeneration"


SAVE = """
import json, sys
import numpy as np
from sklearn.cluster import KMeans
from topics.config import EmbeddingConfig, VectorizerConfig
from topics.embed import Embedder
from topics.model.backend import make_bertopic
from topics.model.words import make_vectorizer
docs = json.loads(open(sys.argv[1]).read())
embedder = Embedder(EmbeddingConfig(cache_dir=sys.argv[2]), show_progress=False)
bt = make_bertopic(embedder, umap_model=None, hdbscan_model=None,
                   vectorizer=make_vectorizer(VectorizerConfig(), len(docs)), representation=None, top_n_words=10)
bt.hdbscan_model = KMeans(4, random_state=0, n_init=3)
bt.fit_transform(docs, embeddings=embedder.embed(docs))
torch_before = "torch" in sys.modules
bt.save(sys.argv[3], serialization="pytorch", save_ctfidf=True, save_embedding_model=False)  # BERTopic's torch format
import torch
state = torch.load(sys.argv[3] + "/topic_embeddings.bin", weights_only=True)
print(json.dumps({"torch_before": torch_before, "torch_after": "torch" in sys.modules,
                  "same": bool(np.allclose(state["topic_embeddings"].numpy(), bt.topic_embeddings_))}))
"""


def test_bertopics_torch_format_still_saves_with_torch_imported_on_first_use(small_corpus, embedder, tmp_path):
    docs = small_corpus.loc[small_corpus["role"] == "therapist", "text"].astype(str).head(300).tolist()
    (tmp_path / "docs.json").write_text(json.dumps(docs))
    result = run_child(SAVE, str(tmp_path / "docs.json"), str(embedder.config.cache_dir), str(tmp_path / "bt"))
    assert not result["torch_before"] and result["torch_after"]
    assert result["same"]
    assert (tmp_path / "bt" / "ctfidf.bin").stat().st_size > 0
