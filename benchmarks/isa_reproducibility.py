"""Which results are bit-identical across instruction sets, and how far topics move when they are not (issue 28).

Usage::

    .venv/bin/python benchmarks/isa_reproducibility.py [--remarks 2000] [--seed 42]

Another kind of CPU is simulated on this one: each embedding runs in a fresh process with the instruction set
capped the way the libraries allow (``ONEDNN_MAX_CPU_ISA`` for oneDNN, which OpenVINO's CPU plugin and torch
use; ``MKL_ENABLE_INSTRUCTIONS`` for MKL, which torch's fp32 matrix products use). The conditions are this
machine's native code path, AVX-512 without AMX, AVX2 (a typical AMD EPYC / older Intel laptop), and the native
path with another batch size ("native batch 16") (the texts are then padded differently: the batch effect behind "40 topics in one
cache, 41 in another"). For both runtimes (``torch`` fp32 and the default ``openvino-int8``) the script prints,
against the native vectors: the share of remarks whose vector is bit-identical, the largest absolute difference,
the lowest cosine, and the adjusted Rand index between topic models fitted (same seed, same config) on the
native vectors and on those. A condition whose vectors are all bit-identical to the native ones shows that the
cap did not change the code path (the library ignored it, or the CPU has nothing better).

Prints a Markdown table with the CPU and its instruction set named.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

CONDITIONS: dict[str, dict[str, str]] = {
    "native": {},
    "AVX-512 (no AMX)": {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_VNNI", "MKL_ENABLE_INSTRUCTIONS": "AVX512_E1"},
    "AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "native batch 16": {"TOPICS_ISA_BATCH": "16"},
}
RUNTIMES = ("torch", "openvino-int8")


def child(runtime: str, texts_file: Path, out: Path) -> None:
    """Embed the texts with ``runtime`` in this process (its environment carries the cap) into ``out``."""
    import torch

    from topics.config import EmbeddingConfig
    from topics.embed import load_sentence_transformer, model_identity
    from topics.embed.openvino_int8 import load_int8_encoder

    torch.set_num_threads(2)
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    batch = int(os.environ.get("TOPICS_ISA_BATCH", "64"))
    cache = os.environ.get("TOPICS_CACHE_DIR") or EmbeddingConfig().cache_dir
    if runtime == "torch":
        encoder = load_sentence_transformer("default", "cpu")
    else:  # the int8 model of the cache (built once there), not the cached vectors
        encoder = load_int8_encoder("default", model_identity("default"), cache, show_progress=False)
    started = time.perf_counter()
    vectors = np.asarray(encoder.encode(texts, batch_size=batch, convert_to_numpy=True), dtype=np.float32)
    np.save(out, vectors)
    print(json.dumps({"seconds": time.perf_counter() - started}))


def cpu_line() -> str:
    from topics.model.provenance import machine_profile

    profile = machine_profile()
    return f"{profile['cpu']} ({profile['arch']}, {profile['instruction_set']}), {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remarks", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--conditions", default=",".join(CONDITIONS), help="Comma-separated conditions to run (native is always run)."
    )
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help="Comma-separated runtimes.")
    parser.add_argument("--child", nargs=3, metavar=("RUNTIME", "TEXTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return

    from sklearn.metrics import adjusted_rand_score

    import topics
    from topics.clean import select_remarks
    from topics.config import TopicConfig
    from topics.model import TopicModel

    remarks, _ = select_remarks(topics.load_corpus("demo"))
    remarks = remarks.sample(n=min(args.remarks, len(remarks)), random_state=args.seed).reset_index(drop=True)
    work = Path(tempfile.mkdtemp(prefix="isa-"))
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps(remarks["text"].astype(str).tolist()), encoding="utf-8")
    config = TopicConfig(seed=args.seed)
    config.umap.cache = False  # the reduction is fitted on each set of vectors, not read from a cache
    print(f"CPU: {cpu_line()}; {len(remarks):,} demo remarks, seed {args.seed}")
    print()
    print("| runtime | condition | bit-identical remarks | max abs diff | min cosine | topics | ARI vs native | s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    chosen = ["native"] + [c for c in args.conditions.split(",") if c in CONDITIONS and c != "native"]
    for runtime in [r for r in args.runtimes.split(",") if r in RUNTIMES]:
        native_vectors = None
        native_topics = None
        for name in chosen:
            cap = CONDITIONS[name]
            out = work / f"{runtime}-{chosen.index(name)}.npy"
            env = {**os.environ, **cap, "TOKENIZERS_PARALLELISM": "false"}
            done = subprocess.run(
                [sys.executable, __file__, "--child", runtime, str(texts_file), str(out)],
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if done.returncode != 0:
                print(f"| {runtime} | {name} | failed: {done.stderr.strip().splitlines()[-1][:120]} |")
                continue
            seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
            vectors = np.load(out)
            model = TopicModel(config).fit(remarks, embeddings=vectors)
            labels = model.assignments_["topic"].to_numpy()
            n_topics = int((model.topics_["topic"] != -1).sum())
            if native_vectors is None:
                native_vectors, native_topics = vectors, labels
            same = np.all(vectors == native_vectors, axis=1).mean()
            diff = float(np.abs(vectors - native_vectors).max())
            unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            native_unit = native_vectors / np.linalg.norm(native_vectors, axis=1, keepdims=True)
            cosine = float((unit * native_unit).sum(axis=1).min())
            ari = adjusted_rand_score(native_topics, labels)
            print(
                f"| {runtime} | {name} | {same:.1%} | {diff:.2e} | {cosine:.6f} | {n_topics} | {ari:.3f} | "
                f"{seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
