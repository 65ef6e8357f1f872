"""Scaling of the Dask engine: remarks/s with 1 and 2 workers, driver and worker peak memory, by corpus size.

    python benchmarks/dask_scaling.py --remarks 5000 --workers 1,2            # a quick check (minutes)
    python benchmarks/dask_scaling.py --remarks 100000,300000,1000000 --workers 2 --model static   # memory rows

The corpus is resampled from the bundled demo corpus (real AnnoMI and MIBot sessions): whole sessions are
drawn with replacement and every copy gets its own session id and a per-copy suffix on each utterance
(`` (c123)``), so that the embedding cache cannot shortcut a copy. Each configuration runs in a fresh
embedding cache (everything is embedded) on a fresh ``LocalCluster`` of the given number of worker processes
(one thread each). The figures of each run:

* ``assign_remarks_per_s``: remarks cleaned, embedded and assigned per second in the assignment phase (the
  part that grows with the corpus; the sample fit is the same for every worker count);
* ``driver_peak_mib``: peak resident memory of this process (the driver), sample fit included, and the peak
  reached by the end of each phase (``driver_mib_sample_fit``, ``_assign``, ``_aggregate``);
* ``worker_peak_mib``: the largest peak resident memory among the workers.

Results go to ``benchmarks/results/dask_scaling/`` (JSON per run, and a markdown table). The machine should be
quiet: on a shared machine the figures say little (state the load average shown in the table).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "dask_scaling"


def resampled_corpus(n_remarks: int, seed: int = 0) -> pd.DataFrame:
    """Whole demo sessions drawn with replacement until about ``n_remarks`` therapist utterances."""
    from topics.read import load_demo

    demo = load_demo()
    rng = np.random.default_rng(seed)
    sessions = {sid: g for sid, g in demo.groupby("session_id", sort=True)}
    ids = list(sessions)
    frames, therapist = [], 0
    copy = 0
    while therapist < n_remarks:
        sid = ids[int(rng.integers(len(ids)))]
        g = sessions[sid].copy()
        g["session_id"] = f"{sid}~{copy}"
        g["utterance_id"] = g["utterance_id"].astype(str) + f"~{copy}"
        g["speaker_id"] = g["speaker_id"].astype(str) + f"~{copy}"
        g["text"] = g["text"].astype(str) + f" (c{copy})"
        frames.append(g)
        therapist += int((g["role"] == "therapist").sum())
        copy += 1
    return pd.concat(frames, ignore_index=True)


def write_parts(corpus: pd.DataFrame, folder: Path, rows_per_part: int | None = None) -> int:
    """The corpus as parquet files (one partition each) of about ``rows_per_part`` rows, whole sessions per file.

    By default 50,000 rows, or fewer so that there are at least 8 files (work for every worker).
    """
    if rows_per_part is None:
        rows_per_part = min(50_000, max(1_000, len(corpus) // 8))
    folder.mkdir(parents=True, exist_ok=True)
    part, rows, n = [], 0, 0
    for _, g in corpus.groupby("session_id", sort=False):
        part.append(g)
        rows += len(g)
        if rows >= rows_per_part:
            pd.concat(part).to_parquet(folder / f"part-{n:04d}.parquet", index=False)
            part, rows, n = [], 0, n + 1
    if part:
        pd.concat(part).to_parquet(folder / f"part-{n:04d}.parquet", index=False)
        n += 1
    return n


def _peak_mib() -> float:
    """This process's own peak (VmHWM; ru_maxrss would include the parent's size at the fork)."""
    from topics.distributed.aggregate import peak_memory_mib

    return peak_memory_mib()


def run_once(folder: Path, n_workers: int, model: str, sample_sessions: int, work: Path) -> dict:
    """One fit on a fresh cache and a fresh local cluster; the figures of the run."""
    from distributed import Client, LocalCluster

    from topics.config import TopicConfig
    from topics.distributed import fit_distributed

    cfg = TopicConfig()
    cfg.embedding.model = model
    cfg.embedding.cache_dir = str(work / f"cache-{n_workers}")
    if model == "static":  # the distilled model is built once and copied, so that its 13 s do not count
        shared = work / "static-model"
        if not shared.exists():
            from topics.embed import Embedder

            Embedder(cfg.embedding, show_progress=False).model  # noqa: B018 - builds the static model
            shutil.copytree(Path(cfg.embedding.cache_dir), shared)
        else:
            shutil.copytree(shared, Path(cfg.embedding.cache_dir), dirs_exist_ok=True)
        for f in Path(cfg.embedding.cache_dir).glob("embeddings-*.sqlite*"):
            f.unlink()
    with (
        LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        Client(cluster) as client,
    ):
        t0 = time.perf_counter()
        run = fit_distributed(
            folder, cfg, out=work / f"run-{n_workers}", client=client, sample_sessions=sample_sessions
        )
        wall = time.perf_counter() - t0
        worker_peaks = client.run(_peak_mib)
    s = run.summary
    return {
        "remarks": s["remarks"],
        "utterances": s["utterances"],
        "partitions": s["partitions"],
        "workers": n_workers,
        "model": model,
        "sample_sessions": s["sample_sessions"],
        "sample_remarks": s["sample_remarks"],
        "wall_s": round(wall, 1),
        "fit_sample_s": round(s["timings"]["fit_sample_s"], 1),
        "assign_s": round(s["timings"]["assign_s"], 1),
        "aggregate_s": round(s["timings"]["aggregate_s"], 1),
        "assign_remarks_per_s": round(s["remarks"] / s["timings"]["assign_s"], 1),
        "driver_peak_mib": round(_peak_mib(), 0),
        "driver_mib_sample_fit": s["driver_peak_mib"]["after_sample_fit"],
        "driver_mib_assign": s["driver_peak_mib"]["after_assign"],
        "driver_mib_aggregate": s["driver_peak_mib"]["after_aggregate"],
        "worker_peak_mib": round(max(worker_peaks.values()), 0),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def markdown(rows: list[dict]) -> str:
    cols = [
        "remarks",
        "workers",
        "model",
        "partitions",
        "sample_remarks",
        "fit_sample_s",
        "assign_s",
        "assign_remarks_per_s",
        "driver_mib_sample_fit",
        "driver_mib_assign",
        "driver_mib_aggregate",
        "driver_peak_mib",
        "worker_peak_mib",
        "load_average_1min",
        "when",
    ]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--remarks", default="5000", help="comma-separated corpus sizes (therapist utterances)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument(
        "--model",
        default="default",
        choices=["default", "static"],
        help="embedding model (static: the distilled fast model, for the memory rows)",
    )
    parser.add_argument("--sample-sessions", type=int, default=40, help="sessions the model is fitted on")
    parser.add_argument("--tag", default="", help="suffix of the results file names")
    parser.add_argument("--single", nargs=2, metavar=("CORPUS", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:  # one configuration in a process of its own, so that the driver's peak memory is its own
        corpus, workers = Path(args.single[0]), int(args.single[1])
        print(json.dumps(run_once(corpus, workers, args.model, args.sample_sessions, corpus.parent)))
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in [int(x) for x in args.remarks.split(",")]:
        with tempfile.TemporaryDirectory(prefix="dask-scaling-") as tmp:
            work = Path(tmp)
            n_parts = write_parts(resampled_corpus(n), work / "corpus")
            print(f"corpus: about {n:,} therapist remarks in {n_parts} parquet file(s)", flush=True)
            for w in [int(x) for x in args.workers.split(",")]:
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--single",
                        str(work / "corpus"),
                        str(w),
                        "--model",
                        args.model,
                        "--sample-sessions",
                        str(args.sample_sessions),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(json.dumps(row), flush=True)
                rows.append(row)
    stem = f"scaling{('-' + args.tag) if args.tag else ''}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    (RESULTS / f"{stem}.md").write_text(markdown(rows), encoding="utf-8")
    print(markdown(rows))


if __name__ == "__main__":
    main()
