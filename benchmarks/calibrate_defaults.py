"""How many topics and outliers the default settings give on real counselor remarks.

Prints one row per corpus and ``min_cluster_size`` setting: remarks, min_cluster_size used, topics,
outlier share before and after outlier reduction, and fit time. Embeddings come from the default cache
(``$TOPICS_CACHE_DIR``, else the user cache folder), so only the first run pays for embedding.

Usage: ``.venv/bin/python benchmarks/calibrate_defaults.py [annomi|demo|all29k] [auto|INT ...] [--seeds 42,43]``
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from topics.clean import select_remarks
from topics.config import TopicConfig
from topics.embed import Embedder
from topics.model import TopicModel
from topics.read import load_annomi, load_esconv, load_mibot


def corpus(name: str) -> pd.DataFrame:
    if name == "annomi":
        return load_annomi()
    if name == "demo":
        from topics.read import load_demo

        return load_demo()
    return pd.concat([load_annomi(), load_mibot(), load_esconv()], ignore_index=True)


def main() -> None:
    args = sys.argv[1:]
    seeds = [42]
    if "--seeds" in args:
        i = args.index("--seeds")
        seeds = [int(s) for s in args[i + 1].split(",")]
        args = args[:i] + args[i + 2 :]
    name = args[0] if args else "annomi"
    settings = args[1:] or ["auto"]
    config = TopicConfig()
    remarks, dropped = select_remarks(corpus(name), config.cleaning)
    embedder = Embedder(config.embedding)
    t0 = time.perf_counter()
    emb = embedder.embed(remarks["text"].tolist())
    print(f"embedding: {len(remarks)} remarks, {embedder.n_computed_} computed, {time.perf_counter() - t0:.1f} s")
    rows = []
    for s, seed in [(s, seed) for s in settings for seed in seeds]:
        config.hdbscan.min_cluster_size = s if s == "auto" else int(s)
        config.seed = seed
        t0 = time.perf_counter()
        model = TopicModel(config, embedder=embedder).fit(remarks, emb)
        a = model.assignments_
        rows.append(
            {
                "corpus": name,
                "seed": seed,
                "remarks": len(remarks),
                "min_cluster_size": model.min_cluster_size_,
                "min_samples": config.hdbscan.min_samples,
                "topics": model.manifest_["n_topics"],
                "outliers_raw": round(float((a["probability"] == 0).mean() if "probability" in a else 0), 3),
                "outliers": round(model.manifest_["outlier_share"], 3),
                "fit_s": round(time.perf_counter() - t0, 1),
            }
        )
        print(pd.DataFrame(rows).to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
