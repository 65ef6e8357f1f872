"""Faster CPU embedding at equal quality? MiniLM fp32 against ONNX Runtime, OpenVINO and int8 paths, judged downstream.

Usage::

    .venv/bin/python benchmarks/embedding_speed.py [--n 6560] [--threads 2] [--variants NAME,NAME,...]
        [--out benchmarks/results/embedding_speed]

The ``onnx`` variants need the ``bench`` extra (``pip install onnxruntime==1.32.0``; not installed by ``make``);
OpenVINO, NNCF and onnx are project dependencies (the default ``[embedding] runtime`` uses them). On the demo corpus's therapist remarks (the first ``--n``
after cleaning), for each way of computing the all-MiniLM-L6-v2 vectors:

* ``torch fp32`` - sentence-transformers as the toolkit runs it (batch 64, length-sorted); the reference,
  always measured, whatever ``--variants`` says;
* ``torch int8 (dynamic)`` - ``torch.ao.quantization.quantize_dynamic`` of the Linear layers;
* ``onnx fp32`` - the transformer exported with ``torch.onnx.export``, run by ONNX Runtime (intra-op threads
  ``--threads``, graph optimisations on), mean pooling and normalisation in numpy;
* ``onnx int8 (dynamic)`` - the same graph after ``onnxruntime.quantization.quantize_dynamic`` (QInt8 weights);
* ``openvino fp32`` - the same ONNX file read by OpenVINO and compiled for CPU with dynamic shapes (each
  batch at its own padded length), ``--threads`` inference threads, inference precision f32 (the CPU
  plugin's default on CPUs with bf16 support is bf16, which would be another variant) and the performance
  hint THROUGHPUT (the batches go through an ``AsyncInferQueue`` of the plugin's optimal number of requests),
  run by the toolkit's :class:`~topics.embed.openvino_int8.OpenVINOEncoder`; pooling as for ONNX;
* ``openvino int8`` - the toolkit's default runtime, built by
  :func:`topics.embed.openvino_int8.build_int8_model` (NNCF post-training quantization of weights and
  activations; transformer model type, so SmoothQuant and fast bias correction; mixed preset: symmetric
  weights, asymmetric activations; calibrated on the 300 bundled client utterances, none of them evaluated),
  saved as IR, read back and run as ``openvino fp32``;

``--variants`` (comma-separated names from the list above; default all) measures a subset. The script
times the embedding (remarks per second, after one warm-up batch), then fits the toolkit's topic model on
those vectors (seed 42) and reports, against the fp32 topics of the same seed, the adjusted Rand index; for
scale, the ARI between fp32 fits with seeds 42 and 43/44 (what a seed alone changes); the NMI of the topics
with the corpus's utterance codes; mean NPMI of the topic words; and the mean cosine between each variant's
vectors and fp32's. A variant is "within the fp32 seed-to-seed spread" when its ARI to fp32 is at least the
smallest fp32 seed-to-seed ARI. Prints a markdown table and writes it with a JSON copy under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

BATCH = 64
Embed = Callable[[list[str]], np.ndarray]  # texts -> normalised vectors in their order
VARIANTS = ("torch fp32", "torch int8 (dynamic)", "onnx fp32", "onnx int8 (dynamic)", "openvino fp32", "openvino int8")
REFERENCE = "torch fp32"


def remarks(n: int):
    from topics.clean import select_remarks
    from topics.config import CleaningConfig
    from topics.read import load_demo

    kept, _ = select_remarks(load_demo(), CleaningConfig())
    return kept.head(n).reset_index(drop=True)


def batches(texts: list[str]):
    order = np.argsort([-len(t) for t in texts], kind="stable")
    for start in range(0, len(texts), BATCH):
        idx = order[start : start + BATCH]
        yield idx, [texts[i] for i in idx]


def run_torch(model, texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for idx, part in batches(texts):
        out[idx] = model.encode(part, batch_size=BATCH, convert_to_numpy=True, show_progress_bar=False)
    return out


def export_onnx(model, folder: Path) -> Path:
    """The package's ONNX export (:func:`topics.embed.openvino_int8.export_onnx`) into ``folder``."""
    from topics.embed.openvino_int8 import export_onnx as export

    path = folder / "minilm.onnx"
    export(model, path)
    return path


def run_onnx(session, tokenizer, texts: list[str], max_len: int) -> np.ndarray:
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for idx, part in batches(texts):
        tok = tokenizer(part, padding=True, truncation=True, max_length=max_len, return_tensors="np")
        feeds = {k: tok[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = session.run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    return out


def run_encoder(encoder, texts: list[str]) -> np.ndarray:
    """Vectors from an :class:`~topics.embed.openvino_int8.OpenVINOEncoder`, texts sorted by length as the
    toolkit's Embedder sorts them, returned in their own order."""
    order = np.argsort([-len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), 384), dtype=np.float32)
    out[order] = encoder.encode([texts[i] for i in order], batch_size=BATCH)
    return out


def timed(fn, texts: list[str]) -> tuple[np.ndarray, float]:
    fn(texts[:BATCH])  # warm-up
    t0 = time.perf_counter()
    vecs = fn(texts)
    return vecs, len(texts) / (time.perf_counter() - t0)


def downstream(table, vecs: np.ndarray, seed: int, cache: str) -> tuple[np.ndarray, dict]:
    from sklearn.metrics import normalized_mutual_info_score

    from topics.config import TopicConfig
    from topics.evaluate import npmi_coherence
    from topics.model import TopicModel

    cfg = TopicConfig()
    cfg.seed = seed
    cfg.embedding.cache_dir = cache
    model = TopicModel(cfg).fit(table, vecs)
    labels = model.assignments_["topic"].to_numpy()
    coded = table["code"].notna().to_numpy()
    nmi = normalized_mutual_info_score(table["code"].to_numpy()[coded].astype(str), labels[coded])
    real = model.topics_[model.topics_["topic"] != -1]
    words = {int(t): list(w) for t, w in zip(real["topic"], real["words"], strict=True)}
    npmi = float(npmi_coherence(words, table["text"].astype(str).tolist())["npmi"].mean())
    return labels, {"topics": len(real), "nmi_codes": float(nmi), "npmi": npmi}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=6560)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated, from: {', '.join(VARIANTS)} (default all; {REFERENCE} always runs)",
    )
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results" / "embedding_speed")
    args = parser.parse_args()
    wanted = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in wanted if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; choose from: {', '.join(VARIANTS)}")
    wanted = [REFERENCE] + [v for v in VARIANTS if v in wanted and v != REFERENCE]

    import torch
    from sklearn.metrics import adjusted_rand_score

    from topics.embed import load_sentence_transformer
    from topics.embed.openvino_int8 import import_openvino

    torch.set_num_threads(args.threads)
    table = remarks(args.n)
    texts = table["text"].astype(str).tolist()
    model = load_sentence_transformer("default", "cpu")
    max_len = int(model.max_seq_length)
    work = Path(tempfile.mkdtemp(prefix="embspeed-"))
    fp32_path = export_onnx(model, work) if any(v.startswith(("onnx", "openvino")) for v in wanted) else None

    # each builder prepares its variant (quantization, session, compilation) only when that variant is measured
    def torch_fp32() -> Embed:
        return lambda ts: run_torch(model, ts)

    def torch_int8() -> Embed:
        qmodel = torch.ao.quantization.quantize_dynamic(
            load_sentence_transformer("default", "cpu"), {torch.nn.Linear}, dtype=torch.qint8
        )
        return lambda ts: run_torch(qmodel, ts)

    def onnx_runtime(path: Path) -> Embed:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return lambda ts: run_onnx(session, model.tokenizer, ts, max_len)

    def onnx_int8() -> Embed:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8_path = work / "minilm-int8.onnx"
        quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
        return onnx_runtime(int8_path)

    def openvino(ov_model) -> Embed:
        from topics.embed.openvino_int8 import OpenVINOEncoder

        encoder = OpenVINOEncoder(ov_model, model.tokenizer, max_len, 384, True, threads=args.threads)
        return lambda ts: run_encoder(encoder, ts)

    def openvino_int8() -> Embed:
        # exactly what the toolkit builds for runtime = "openvino-int8" (bundled calibration texts), read back
        from topics.embed.openvino_int8 import build_int8_model, import_openvino

        folder = build_int8_model("default", work / "int8")
        return openvino(import_openvino().Core().read_model(str(folder / "model.xml")))

    builders: dict[str, Callable[[], Embed]] = {
        "torch fp32": torch_fp32,
        "torch int8 (dynamic)": torch_int8,
        "onnx fp32": lambda: onnx_runtime(fp32_path),
        "onnx int8 (dynamic)": onnx_int8,
        "openvino fp32": lambda: openvino(import_openvino().Core().read_model(str(fp32_path))),
        "openvino int8": openvino_int8,
    }
    variants = {name: builders[name]() for name in wanted}
    cache = str(work / "cache")
    rows, vectors = [], {}
    for name, fn in variants.items():
        vecs, rate = timed(fn, texts)
        vectors[name] = vecs
        rows.append({"variant": name, "remarks_per_s": rate})
        print(f"{name}: {rate:.0f} remarks/s", flush=True)
    base_labels, base = downstream(table, vectors["torch fp32"], 42, cache)
    seed_aris = []
    for seed in (43, 44):
        labels, _ = downstream(table, vectors["torch fp32"], seed, cache)
        seed_aris.append(adjusted_rand_score(base_labels, labels))
    for row in rows:
        vecs = vectors[row["variant"]]
        labels, scores = (base_labels, base) if row["variant"] == "torch fp32" else downstream(table, vecs, 42, cache)
        row.update(scores)
        row["ari_vs_fp32_seed42"] = float(adjusted_rand_score(base_labels, labels))
        cosines = np.sum(vecs * vectors["torch fp32"], axis=1)
        row["mean_cosine_vs_fp32"] = float(np.mean(cosines))
        row["min_cosine_vs_fp32"] = float(np.min(cosines))  # JSON only
        row["speedup"] = row["remarks_per_s"] / rows[0]["remarks_per_s"]
        row["within_seed_spread"] = row["ari_vs_fp32_seed42"] >= min(seed_aris)
    ov_note = ", OpenVINO hint THROUGHPUT" if any(v.startswith("openvino") for v in wanted) else ""
    header = (
        f"{len(texts):,} demo remarks, {args.threads} threads, batch {BATCH}, {os.cpu_count()} CPUs{ov_note}; fp32 "
        f"seed-to-seed ARI (42 vs 43, 44): {', '.join(f'{a:.3f}' for a in seed_aris)}"
    )
    lines = [
        header,
        "",
        "| variant | remarks/s | speed-up | cosine to fp32 | ARI to fp32 (seed 42) | within seed spread | "
        "topics | NMI codes | NPMI |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['remarks_per_s']:.0f} | {r['speedup']:.2f}x | {r['mean_cosine_vs_fp32']:.4f} | "
            f"{r['ari_vs_fp32_seed42']:.3f} | {'yes' if r['within_seed_spread'] else 'no'} | {r['topics']} | "
            f"{r['nmi_codes']:.3f} | {r['npmi']:.3f} |"
        )
    text = "\n".join(lines)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "embedding_speed.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "embedding_speed.json").write_text(
        json.dumps({"seed_aris": seed_aris, "rows": rows}, indent=1), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
