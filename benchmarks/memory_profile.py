"""Where the memory of a ``topics.fit`` goes: resident set size sampled over the phases of one fit.

The fit runs in a fresh process (this script started again with ``--worker``). A thread samples the process's
resident set size (``/proc/self/status``: ``VmRSS``, split into ``RssAnon`` and ``RssFile``) every 20 ms, and
the toolkit's phases are wrapped so that each records the RSS when it starts, the highest RSS sampled while it
runs and the RSS when it ends: loading the sentence-transformers model, building the int8 model, compiling it
for OpenVINO, embedding, UMAP, HDBSCAN, KeyBERT, outlier reduction, the document map, saving the run folder.
``VmHWM`` (the kernel's own peak) is reported at the end, with ``modules``: whether torch, transformers,
sentence-transformers, spaCy, UMAP and plotly's figure factory were imported (a warm rerun of the packaged model
needs none of them); when the int8 model is built in a child
process, that child's peak (``build_child_peak_gb``) is reported too.

Usage::

    .venv/bin/python benchmarks/memory_profile.py [--size all] [--cache DIR] [--fresh] [--runtime openvino-int8]
        [--work /tmp/topics-bench] [--out benchmarks/results/memory_profile.json]

``--fresh`` empties ``--cache`` first (a cold run: the int8 model is built and every remark embedded); without
it the cache is used as it is. The corpus is built as :mod:`benchmarks.speed_quality` builds it.
``--cprofile FILE`` profiles the fit with cProfile too (with ``--no-instrument``: without the phase wrappers).
``--vectors N`` instead embeds the first N remarks (no fit) and saves the vectors to ``--save-vectors``, to
check that a change leaves them bit-identical.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _status() -> dict[str, float]:
    """RSS, anonymous and file-backed RSS and the high-water mark of this process, in GB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(rest.split()[0]) / 1024**2
    return out


class Sampler:
    """Samples RSS in a thread; phases opened with :meth:`phase` record start, peak and end RSS."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.open: list[dict[str, Any]] = []
        self.done: list[dict[str, Any]] = []
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            rss = _status()["VmRSS"]
            with self._lock:
                for p in self.open:
                    p["peak_gb"] = max(p["peak_gb"], rss)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Replace ``owner.name`` by a wrapper that records the phase ``label`` around each call."""
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            extra = ""
            if label == "embed" and args and len(args) > 1:
                extra = f" ({len(args[1])} texts)"
            return self.phase(label + extra, original, *args, **kwargs)

        setattr(owner, name, wrapper)

    def phase(self, label: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        s = _status()
        rec = {"phase": label, "depth": len(self.open), "start_s": time.perf_counter() - self.t0}
        rec.update(rss_start_gb=s["VmRSS"], anon_start_gb=s["RssAnon"], peak_gb=s["VmRSS"])
        with self._lock:
            self.open.append(rec)
        try:
            return fn(*args, **kwargs)
        finally:
            s = _status()
            with self._lock:
                self.open.remove(rec)
            rec.update(rss_end_gb=s["VmRSS"], anon_end_gb=s["RssAnon"], file_end_gb=s["RssFile"])
            rec["peak_gb"] = max(rec["peak_gb"], s["VmRSS"])
            rec["seconds"] = time.perf_counter() - self.t0 - rec["start_s"]
            self.done.append(rec)


def instrument(sampler: Sampler) -> None:
    """Wrap the phases of a fit (imports happen here, outside any phase)."""
    import topics.embed.int8_check as check
    import topics.embed.openvino_int8 as ov8
    import topics.model.layout as layout
    import topics.pipeline as pipeline
    from topics.analysis import Analysis
    from topics.embed.embedder import Embedder
    from topics.model.bertopic_import import import_bertopic
    from topics.model.reduction import CachedUMAP
    from topics.model.topic_model import TopicModel

    # through the toolkit, which defers BERTopic's plotting module and optional parts (topics.model.bertopic_import)
    import_bertopic()
    import hdbscan  # isort: skip
    from bertopic.representation import KeyBERTInspired  # isort: skip

    sampler.wrap(ov8, "load_sentence_transformer", "load sentence-transformers model")
    for name in ("build_int8_model", "build_in_child"):
        if hasattr(ov8, name):
            sampler.wrap(ov8, name, "build int8 model")
    sampler.wrap(ov8.OpenVINOEncoder, "__init__", "compile OpenVINO model")
    sampler.wrap(check, "canary_cosine", "canary check")
    sampler.wrap(Embedder, "embed", "embed")
    sampler.wrap(CachedUMAP, "fit", "UMAP 5-D")
    sampler.wrap(hdbscan.HDBSCAN, "fit", "HDBSCAN")
    sampler.wrap(KeyBERTInspired, "extract_topics", "KeyBERT")
    sampler.wrap(TopicModel, "_reassign_outliers", "outlier reduction")
    sampler.wrap(TopicModel, "_set_topic_state", "topic tables")
    sampler.wrap(TopicModel, "fit", "TopicModel.fit")
    sampler.wrap(pipeline, "document_layout", "document map")
    del layout
    sampler.wrap(Analysis, "save", "save run folder")


def worker(task: dict[str, Any]) -> None:
    import pandas as pd

    t_imports = time.perf_counter()
    sampler = Sampler()
    s0 = _status()
    if task.get("instrument", True):
        instrument(sampler)
    s1 = _status()
    import topics
    from topics.config import TopicConfig

    remarks = pd.read_parquet(task["remarks"])
    config = TopicConfig()
    config.embedding.cache_dir = task["cache"]
    config.embedding.runtime = task["runtime"]
    if task.get("auto_divisor"):
        config.hdbscan.auto_divisor = float(task["auto_divisor"])
    t0 = time.perf_counter()
    imports_s = t0 - t_imports
    if task.get("vectors"):
        from topics.clean import select_remarks
        from topics.embed import Embedder

        kept, _ = select_remarks(remarks, config.cleaning)
        texts = kept["text"].astype(str).tolist()[: int(task["vectors"])]
        import numpy as np

        vectors = Embedder(config.embedding, show_progress=False).embed(texts)
        np.save(task["save_vectors"], vectors)
        result: dict[str, Any] = {"texts": len(texts)}
    else:
        run = Path(task["work"]) / "memory-run"
        shutil.rmtree(run, ignore_errors=True)
        if task.get("cprofile"):
            import cProfile

            profiler = cProfile.Profile()
            analysis = profiler.runcall(topics.fit, remarks, config, out=run)
            profiler.dump_stats(task["cprofile"])
        else:
            analysis = topics.fit(remarks, config, out=run)
        result = {"timings": analysis.timings, "topics": int(len(analysis.model.topic_ids_))}
    result["wall_s"] = time.perf_counter() - t0
    # what a warm rerun need not import (torch: every text cached; the figure factory: BERTopic's plotting;
    # transformers and spaCy: BERTopic's optional representations)
    heavy = ("torch", "transformers", "sentence_transformers", "spacy", "umap", "plotly.figure_factory")
    result["modules"] = {m: m in sys.modules for m in heavy}
    result["imports_s"] = imports_s  # topics, BERTopic, UMAP, HDBSCAN (torch and OpenVINO load later, in "embed")
    end = _status()
    result.update(
        {
            "rss_after_start_gb": s0["VmRSS"],
            "rss_after_imports_gb": s1["VmRSS"],
            "rss_end_gb": end["VmRSS"],
            "anon_end_gb": end["RssAnon"],
            "file_end_gb": end["RssFile"],
            "peak_gb": end["VmHWM"],
            "phases": sorted(sampler.done, key=lambda r: r["start_s"]),
        }
    )
    import topics.embed.openvino_int8 as ov8

    result["build_child_peak_gb"] = getattr(ov8, "LAST_BUILD_PEAK_GB", None)
    Path(task["result"]).write_text(json.dumps(result, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker")
    parser.add_argument("--show", default="", help="print the table of a result file written before")
    parser.add_argument("--size", default="all")
    parser.add_argument("--cache", default=str(ROOT / ".cache" / "embeddings"))
    parser.add_argument("--fresh", action="store_true", help="empty the cache folder first (a cold run)")
    parser.add_argument("--runtime", default="openvino-int8")
    parser.add_argument("--auto-divisor", type=float, default=0.0)
    parser.add_argument("--vectors", type=int, default=0)
    parser.add_argument("--save-vectors", default="")
    parser.add_argument("--cprofile", default="", help="also profile the fit with cProfile into this file")
    parser.add_argument("--no-instrument", action="store_true", help="no phase wrappers (for --cprofile)")
    parser.add_argument("--work", default="/tmp/topics-bench")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "memory_profile.json"))
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    if args.show:
        show(json.loads(Path(args.show).read_text(encoding="utf-8")))
        return
    from speed_quality import build_corpus

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"remarks-{args.size}.parquet"
    if not corpus.exists():
        build_corpus(work, [args.size])
    cache = Path(args.cache)
    if args.fresh:
        shutil.rmtree(cache, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    task = {
        "remarks": str(corpus),
        "cache": str(cache),
        "runtime": args.runtime,
        "work": str(work),
        "result": str(out),
        "auto_divisor": args.auto_divisor,
        "vectors": args.vectors,
        "save_vectors": args.save_vectors,
        "cprofile": args.cprofile,
        "instrument": not args.no_instrument,
    }
    subprocess.run([sys.executable, __file__, "--worker", json.dumps(task)], cwd=ROOT, check=True)
    show(json.loads(out.read_text(encoding="utf-8")))


def show(result: dict[str, Any]) -> None:
    """Print the peak and the table of phases of a result."""
    print(
        f"peak {result['peak_gb']:.2f} GB, end {result['rss_end_gb']:.2f} GB, fit {result['wall_s']:.1f} s "
        f"after {result.get('imports_s', float('nan')):.1f} s of imports"
    )
    if result.get("build_child_peak_gb"):
        print(f"int8 build child peak {result['build_child_peak_gb']:.2f} GB")
    print(f"{'phase':44s} {'start':>6s} {'peak':>6s} {'end':>6s} {'anon_end':>8s} {'s':>6s}")
    for p in merged(result["phases"]):
        name = "  " * p["depth"] + p["phase"] + (f" x{p['calls']}" if p["calls"] > 1 else "")
        print(
            f"{name[:44]:44s} {p['rss_start_gb']:6.2f} {p['peak_gb']:6.2f} {p['rss_end_gb']:6.2f} "
            f"{p['anon_end_gb']:8.2f} {p['seconds']:6.1f}"
        )


def merged(phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive calls of one small phase at one depth (the keyword embeddings of each topic) as one row."""
    rows: list[dict[str, Any]] = []
    for p in phases:
        last = rows[-1] if rows else None
        small = p["phase"].startswith("embed (") and p["depth"] > 0
        if last is not None and small and last["small"] and last["depth"] == p["depth"]:
            last.update(
                calls=last["calls"] + 1,
                peak_gb=max(last["peak_gb"], p["peak_gb"]),
                rss_end_gb=p["rss_end_gb"],
                anon_end_gb=p["anon_end_gb"],
                seconds=last["seconds"] + p["seconds"],
                phase="embed (keywords, labels)",
            )
            continue
        rows.append(dict(p, calls=1, small=small))
    return rows


if __name__ == "__main__":
    main()
