"""Five-seed check of int8 MiniLM against fp32 (follow-up of benchmarks/embedding_speed.py).

Usage: ``.venv/bin/python benchmarks/embedding_int8_seeds.py [--variant torch|openvino]``. Fits the demo's 6,560
remarks on fp32 and on int8 vectors (``torch``: dynamic quantisation of the Linear layers; ``openvino``: the
toolkit's default ``[embedding] runtime = "openvino-int8"``, NNCF post-training quantization run by OpenVINO, built
into an empty cache and embedded by :class:`topics.embed.Embedder`) with seeds 42-46 and prints the
ARI between fp32 fits of different seeds against the ARI between int8 and fp32 fits, with NMI (utterance codes),
NPMI and topic counts per seed.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEEDS = [42, 43, 44, 45, 46]


def main() -> None:
    import argparse

    import embedding_speed as es
    import torch
    from sklearn.metrics import adjusted_rand_score

    from topics.embed import load_sentence_transformer

    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=["torch", "openvino"], default="torch")
    args = parser.parse_args()
    torch.set_num_threads(2)
    table = es.remarks(6560)
    texts = table["text"].astype(str).tolist()
    fp32 = load_sentence_transformer("default", "cpu")
    if args.variant == "torch":
        int8 = torch.ao.quantization.quantize_dynamic(
            load_sentence_transformer("default", "cpu"), {torch.nn.Linear}, dtype=torch.qint8
        )
        int8_vectors = es.run_torch(int8, texts)
    else:
        # the toolkit's own path: runtime = "openvino-int8" built into an empty cache, embedded by the Embedder
        from topics.config import EmbeddingConfig
        from topics.embed import Embedder

        int8_vectors = Embedder(
            EmbeddingConfig(cache_dir=tempfile.mkdtemp(prefix="ov-seeds-")), show_progress=False
        ).embed(texts)
    print(f"int8 variant: {args.variant}")
    vectors = {"fp32": es.run_torch(fp32, texts), "int8": int8_vectors}
    cache = tempfile.mkdtemp()
    labels: dict[tuple[str, int], np.ndarray] = {}
    scores: dict[tuple[str, int], dict] = {}
    for name, vecs in vectors.items():
        for seed in SEEDS:
            labels[name, seed], scores[name, seed] = es.downstream(table, vecs, seed, cache)
    pairs = [adjusted_rand_score(labels["fp32", a], labels["fp32", b]) for a, b in itertools.combinations(SEEDS, 2)]
    same = [adjusted_rand_score(labels["fp32", s], labels["int8", s]) for s in SEEDS]
    other = [adjusted_rand_score(labels["fp32", a], labels["int8", b]) for a in SEEDS for b in SEEDS if a != b]
    print(f"fp32 seed pairs ARI: mean {np.mean(pairs):.3f} min {min(pairs):.3f} max {max(pairs):.3f}")
    print(f"int8 vs fp32 same seed: mean {np.mean(same):.3f} min {min(same):.3f} max {max(same):.3f}")
    print(f"int8 vs fp32 other seeds: mean {np.mean(other):.3f}")
    for key in ("nmi_codes", "npmi", "topics"):
        for name in vectors:
            print(f"{key} {name}: {[round(scores[name, s][key], 3) for s in SEEDS]}")


if __name__ == "__main__":
    main()
