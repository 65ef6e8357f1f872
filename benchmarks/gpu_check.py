"""The whole GPU check in one call: embedding remarks/s in fp16, fp16 vs fp32 agreement, a Dask run end to end.

    python benchmarks/gpu_check.py                         # 1M remarks end to end, within about 8 minutes
    python benchmarks/gpu_check.py --remarks 200000 --embed-remarks 50000 --budget-s 300 --out "$OUT"

Made to be run once on a machine with a CUDA GPU (on a CPU machine it runs the same steps on the CPU, at a
size that fits the budget, which is only a check that the script works). Steps, each timed; a step that
would overrun ``--budget-s`` is shrunk (and the table says so) or skipped:

1. environment: torch, CUDA device, cuML (the optional ``gpu`` extra);
2. embedding throughput: ``--embed-remarks`` distinct real remarks (the demo corpus resampled, a per-copy
   suffix so that nothing repeats) through :class:`topics.embed.Embedder` with ``device = "auto"`` (fp16,
   large length-sorted batches, tokenisation overlapped), into a fresh cache: remarks/s with the cache writes,
   and the bare model's remarks/s;
3. fp16 against fp32 on 2,000 remarks: mean and lowest cosine between the two vectors of a remark;
4. cuML UMAP + HDBSCAN on 100k vectors when cuML is installed (the toolkit's model stage does not use cuML
   yet; this measures what it would gain);
5. end to end: ``topics.fit_distributed`` on ``--remarks`` remarks (a sample of sessions fitted, every remark
   assigned by GPU workers), seconds and remarks/s of the assignment.

Prints a table and writes it, with the JSON, to ``benchmarks/results/gpu_check/`` (or ``--out``), after
every step.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dask_scaling import resampled_corpus, write_parts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "gpu_check"


class Budget:
    """Seconds left of the whole check."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    def left(self) -> float:
        return self.end - time.perf_counter()


def environment() -> dict:
    import torch

    from topics.embed import cuda_available, cuml_available, resolve_device

    row = {
        "torch": torch.__version__,
        "cuda": cuda_available(),
        "device": resolve_device("auto"),
        "cuml": cuml_available(),
        "cpus": os.cpu_count(),
    }
    if row["cuda"]:
        row["gpu"] = torch.cuda.get_device_name(0)
        row["gpu_memory_gib"] = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    return row


def remark_texts(n: int) -> list[str]:
    corpus = resampled_corpus(n)
    return corpus.loc[corpus["role"] == "therapist", "text"].astype(str).tolist()[:n]


def embedding_throughput(n: int, work: Path) -> dict:
    from topics.config import EmbeddingConfig
    from topics.embed import Embedder, encode_overlapped
    from topics.embed.device import batch_size_for

    texts = remark_texts(n)
    embedder = Embedder(EmbeddingConfig(device="auto", cache_dir=str(work / "cache-throughput")), show_progress=False)
    embedder.model  # noqa: B018 - load (and move to the GPU) before the clock starts
    t0 = time.perf_counter()
    embedder.embed(texts)
    with_cache = time.perf_counter() - t0
    ordered = sorted(texts, key=len, reverse=True)
    t0 = time.perf_counter()
    if embedder.device.startswith("cuda"):
        encode_overlapped(embedder.model, ordered, batch_size_for(embedder.device, embedder.config.batch_size))
        import torch

        torch.cuda.synchronize()
    else:
        embedder.model.encode(ordered, batch_size=embedder.config.batch_size)
    bare = time.perf_counter() - t0
    return {
        "embed_remarks": len(texts),
        "device": embedder.device,
        "identity": embedder.identity,
        "remarks_per_s_with_cache": round(len(texts) / with_cache, 1),
        "remarks_per_s_model_only": round(len(texts) / bare, 1),
    }


def fp16_agreement(work: Path) -> dict:
    from topics.embed import load_sentence_transformer
    from topics.embed.device import encode_overlapped, resolve_device

    device = resolve_device("auto")
    if not device.startswith("cuda"):
        return {"fp16_vs_fp32": "skipped (no CUDA: fp16 is used on CUDA only)"}
    texts = remark_texts(2000)
    fp32 = load_sentence_transformer("default", device)
    a = fp32.encode(texts, batch_size=256, convert_to_numpy=True)
    fp16 = load_sentence_transformer("default", device).half()
    b = encode_overlapped(fp16, texts, 512)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {
        "fp16_vs_fp32_mean_cosine": round(float(cos.mean()), 6),
        "fp16_vs_fp32_min_cosine": round(float(cos.min()), 6),
    }


def cuml_timing(n: int = 100_000) -> dict:
    from topics.embed import cuml_available

    if not cuml_available():
        return {"cuml_timing": "skipped: cuML not installed (pip install 'topics[gpu]')"}
    from cuml.cluster import HDBSCAN
    from cuml.manifold import UMAP

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 384)).astype(np.float32)
    t0 = time.perf_counter()
    low = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42).fit_transform(x)
    t_umap = time.perf_counter() - t0
    t0 = time.perf_counter()
    HDBSCAN(min_cluster_size=50).fit(low)
    return {"cuml_n": n, "cuml_umap_s": round(t_umap, 1), "cuml_hdbscan_s": round(time.perf_counter() - t0, 1)}


def end_to_end(n: int, work: Path, sample_sessions: int, workers: int) -> dict:
    from topics.config import TopicConfig
    from topics.distributed import fit_distributed

    n_parts = write_parts(resampled_corpus(n), work / "corpus")
    cfg = TopicConfig()
    cfg.embedding.device = "auto"
    cfg.embedding.cache_dir = str(work / "cache-e2e")
    t0 = time.perf_counter()
    run = fit_distributed(work / "corpus", cfg, out=work / "run", n_workers=workers, sample_sessions=sample_sessions)
    wall = time.perf_counter() - t0
    s = run.summary
    return {
        "e2e_remarks": s["remarks"],
        "e2e_files": n_parts,
        "e2e_partitions": s["partitions"],
        "e2e_workers": s["workers"],
        "e2e_sample_remarks": s["sample_remarks"],
        "e2e_wall_s": round(wall, 1),
        "e2e_fit_sample_s": round(s["timings"]["fit_sample_s"], 1),
        "e2e_assign_s": round(s["timings"]["assign_s"], 1),
        "e2e_assign_remarks_per_s": round(s["remarks"] / s["timings"]["assign_s"], 1),
        "e2e_topics": s["topics_used"],
        "e2e_outlier_share": round(s["outlier_share"], 3),
    }


def save(row: dict, out: Path, stamp: str) -> str:
    """Write the figures so far (after every step: a run cut short by a time limit still leaves them)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"gpu_check-{stamp}.json").write_text(json.dumps(row, indent=2), encoding="utf-8")
    table = "\n".join(["| figure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in row.items()])
    (out / f"gpu_check-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    print(json.dumps(row), flush=True)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--remarks", type=int, default=1_000_000, help="remarks of the end-to-end run")
    parser.add_argument("--embed-remarks", type=int, default=100_000, help="remarks of the throughput step")
    parser.add_argument("--sample-sessions", type=int, default=1000, help="sessions the end-to-end model is fitted on")
    parser.add_argument(
        "--workers",
        type=int,
        default=6,
        help="Dask workers (processes, one thread each) sharing the GPU; cleaning and tokenising "
        "run on their CPU threads",
    )
    parser.add_argument("--budget-s", type=float, default=460, help="stop starting steps after this many seconds")
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="folder for the results (e.g. $OUT on a lent machine)"
    )
    args = parser.parse_args()
    budget = Budget(args.budget_s)
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime())
    row: dict = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        work = Path(tmp)
        row.update(environment())
        save(row, args.out, stamp)
        cpu_only = not row["cuda"]
        embed_n = min(args.embed_remarks, 2000) if cpu_only else args.embed_remarks
        row.update(embedding_throughput(embed_n, work))
        save(row, args.out, stamp)
        row.update(fp16_agreement(work))
        if budget.left() > 120:
            row.update(cuml_timing())
        save(row, args.out, stamp)
        rate = row["remarks_per_s_with_cache"]
        # the assignment embeds every remark once (and cleans, tokenises and caches it: hence the margin);
        # leave room for building the corpus, the sample fit and the start of the workers
        affordable = int(max(0.0, budget.left() - 180) * rate * 0.5)
        n = min(args.remarks, affordable)
        if n < args.remarks:
            row["e2e_note"] = f"--remarks {args.remarks:,} shrunk to {n:,} to fit the budget (at {rate:,.0f} remarks/s)"
        if n >= 5000:
            row.update(end_to_end(n, work, args.sample_sessions, args.workers))
        else:
            row["e2e_note"] = "skipped: " + (
                "--remarks under 5,000" if args.remarks < 5000 else "no time left in the budget"
            )
    row["total_s"] = round(args.budget_s - budget.left(), 1)
    print(save(row, args.out, stamp))


if __name__ == "__main__":
    main()
