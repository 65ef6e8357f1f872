"""Faster CPU embedding at equal quality? MiniLM fp32 against ONNX Runtime and int8 paths, judged downstream.

Usage::

    .venv/bin/python benchmarks/embedding_speed.py [--n 6560] [--threads 2] [--out benchmarks/results/embedding_speed]

Needs ``onnxruntime`` and ``onnx`` (``pip install onnxruntime==1.32.0 onnx==1.23.2``; not project
dependencies). On the demo corpus's therapist remarks (the first ``--n`` after cleaning), for each way of
computing the all-MiniLM-L6-v2 vectors:

* ``torch fp32`` - sentence-transformers as the toolkit runs it (batch 64, length-sorted);
* ``torch int8 (dynamic)`` - ``torch.ao.quantization.quantize_dynamic`` of the Linear layers;
* ``onnx fp32`` - the transformer exported with ``torch.onnx.export``, run by ONNX Runtime (intra-op threads
  ``--threads``, graph optimisations on), mean pooling and normalisation in numpy;
* ``onnx int8 (dynamic)`` - the same graph after ``onnxruntime.quantization.quantize_dynamic`` (QInt8 weights);

it times the embedding (remarks per second, after one warm-up batch), then fits the toolkit's topic model on
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
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

BATCH = 64


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
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    bert = LastHidden(model[0].auto_model.eval())
    tok = model.tokenizer(["a short example", "another one here"], padding=True, return_tensors="pt")
    path = folder / "minilm.onnx"
    with torch.no_grad():
        torch.onnx.export(
            bert, (tok["input_ids"], tok["attention_mask"], tok["token_type_ids"]), str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={k: {0: "batch", 1: "seq"} for k in ("input_ids", "attention_mask", "token_type_ids")}
            | {"last_hidden_state": {0: "batch", 1: "seq"}},
            opset_version=17, dynamo=False,
        )
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
    parser.add_argument("--out", type=Path, default=PROJECT / "benchmarks" / "results" / "embedding_speed")
    args = parser.parse_args()

    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sklearn.metrics import adjusted_rand_score

    from topics.embed import load_sentence_transformer

    torch.set_num_threads(args.threads)
    table = remarks(args.n)
    texts = table["text"].astype(str).tolist()
    model = load_sentence_transformer("default", "cpu")
    max_len = int(model.max_seq_length)
    work = Path(tempfile.mkdtemp(prefix="embspeed-"))
    fp32_path = export_onnx(model, work)
    int8_path = work / "minilm-int8.onnx"
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sessions = {p: ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"])
                for p in (fp32_path, int8_path)}
    qmodel = torch.ao.quantization.quantize_dynamic(load_sentence_transformer("default", "cpu"), {torch.nn.Linear},
                                                    dtype=torch.qint8)
    variants = {
        "torch fp32": lambda ts: run_torch(model, ts),
        "torch int8 (dynamic)": lambda ts: run_torch(qmodel, ts),
        "onnx fp32": lambda ts: run_onnx(sessions[fp32_path], model.tokenizer, ts, max_len),
        "onnx int8 (dynamic)": lambda ts: run_onnx(sessions[int8_path], model.tokenizer, ts, max_len),
    }
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
        row["mean_cosine_vs_fp32"] = float(np.mean(np.sum(vecs * vectors["torch fp32"], axis=1)))
        row["speedup"] = row["remarks_per_s"] / rows[0]["remarks_per_s"]
        row["within_seed_spread"] = row["ari_vs_fp32_seed42"] >= min(seed_aris)
    header = (f"{len(texts):,} demo remarks, {args.threads} threads, batch {BATCH}, {os.cpu_count()} CPUs; fp32 "
              f"seed-to-seed ARI (42 vs 43, 44): {', '.join(f'{a:.3f}' for a in seed_aris)}")
    lines = [header, "", "| variant | remarks/s | speed-up | cosine to fp32 | ARI to fp32 (seed 42) | within seed spread | "
             "topics | NMI codes | NPMI |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['variant']} | {r['remarks_per_s']:.0f} | {r['speedup']:.2f}x | {r['mean_cosine_vs_fp32']:.4f} | "
                     f"{r['ari_vs_fp32_seed42']:.3f} | {'yes' if r['within_seed_spread'] else 'no'} | {r['topics']} | "
                     f"{r['nmi_codes']:.3f} | {r['npmi']:.3f} |")
    text = "\n".join(lines)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "embedding_speed.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "embedding_speed.json").write_text(json.dumps({"seed_aris": seed_aris, "rows": rows}, indent=1),
                                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
