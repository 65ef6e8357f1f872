"""How many curation decisions survive a refit, and how long applying a ledger takes.

Fits the demo corpus with the default config (seed 42, embeddings from the cache), applies the demo
ledger (strict mode), then refits with other seeds and replays the same ledger there. Prints one row per
seed: decisions applied / remapped / unmapped, the survival share, and the time to apply the ledger.

Usage: ``.venv/bin/python benchmarks/curation_replay.py [--cache-dir DIR] [SEED ...]`` (default seeds 43 44 45;
``--cache-dir``: the embedding cache, e.g. one filled by a fresh ``make demo``, whose model the demo ledger was
written for).
"""

from __future__ import annotations

import sys
import time

import pandas as pd

import topics
from topics.curate import apply_ledger
from topics.embed import Embedder
from topics.read.public import DEMO_LEDGER

LEDGER = DEMO_LEDGER


def main() -> None:
    args = sys.argv[1:]
    config = topics.TopicConfig()
    if args[:1] == ["--cache-dir"]:
        config.embedding.cache_dir, args = args[1], args[2:]
    seeds = [int(s) for s in args] or [43, 44, 45]
    corpus = topics.load_corpus("demo")
    embedder = Embedder(config.embedding, show_progress=False)
    rows = []
    for seed in [42, *seeds]:
        config.seed = seed
        analysis = topics.fit(corpus, config, embedder=embedder)
        t0 = time.perf_counter()
        view = apply_ledger(analysis, LEDGER)
        elapsed = time.perf_counter() - t0
        status = view.log["status"].value_counts()
        rows.append(
            {
                "seed": seed,
                "mode": view.mode,
                "raw_topics": int((analysis.raw_topics["topic"] != -1).sum()),
                "decisions": len(view.log),
                "applied": int(status.get("applied", 0)),
                "remapped": int(status.get("remapped", 0)),
                "unmapped": int(status.get("unmapped", 0)),
                "survival": round(view.survival, 3),
                "apply_s": round(elapsed, 2),
            }
        )
        print(pd.DataFrame(rows).to_string(index=False), flush=True)
        for _, r in view.log[view.log["status"] == "unmapped"].iterrows():
            print(f"   seed {seed}: unmapped entry {r['entry']} ({r['written']}): {r['reason']}")


if __name__ == "__main__":
    main()
