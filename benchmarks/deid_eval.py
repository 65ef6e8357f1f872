"""Recall, precision and throughput of ``topics.clean.deidentify`` on the hand-labelled evaluation set.

Usage::

    .venv/bin/python benchmarks/deid_eval.py [--no-ner] [--errors] [--throughput N] [--check-corpora]

Prints, for the real remarks and the synthetic ones separately, one row per kind of identifier:
gold spans, leak recall (a gold span overlapped by any predicted span: it is scrubbed), typed recall
(overlapped by a predicted span of a compatible kind: same kind, or ADDRESS/LOCATION, or PHONE/ID),
character recall (share of gold identifier characters scrubbed), predicted spans and precision
(predicted spans that overlap some gold span). Then the throughput of ``Deidentifier.scrub_many`` on
N real remarks (default 2,000 therapist and client remarks of the bundled demo corpus, seeded sample).
``--errors`` lists every missed gold span and every predicted span that overlaps no gold span.
``--check-corpora`` checks that each real remark's text is the text of its utterance in the corpus.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from topics.clean import KINDS, Deidentifier, load_ner  # noqa: E402
from topics.clean.deid_scoring import evaluate_spans  # noqa: E402

FIXTURE = PROJECT / "tests" / "fixtures" / "deid_labelled.jsonl"
HELDOUT = PROJECT / "tests" / "fixtures" / "deid_heldout.jsonl"


def load_fixture(path: Path = FIXTURE) -> list[dict]:
    """Read the labelled remarks and check every span against its text."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        last = 0
        for span in sorted(row["spans"], key=lambda s: s["start"]):
            assert span["kind"] in KINDS, (row.get("utterance_id"), span)
            assert last <= span["start"] < span["end"] <= len(row["text"]), (row.get("utterance_id"), span)
            if "text" in span:
                assert row["text"][span["start"] : span["end"]] == span["text"], (row.get("utterance_id"), span)
            last = span["end"]
    return rows


def check_corpora(rows: list[dict]) -> int:
    """Compare each real remark with its utterance in the public corpora; return the number of mismatches."""
    from topics.read import LOADERS

    bad = 0
    for source in sorted({r["source"] for r in rows} - {"synthetic"}):
        corpus = LOADERS[source]().set_index("utterance_id")["text"]
        for r in (r for r in rows if r["source"] == source):
            if corpus.get(r["utterance_id"]) != r["text"]:
                bad += 1
                print(f"text differs from the corpus: {r['utterance_id']}")
    return bad


def fmt(x: float) -> str:
    return "   -" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"


def table(title: str, scores: dict) -> None:
    print(f"\n{title}")
    print(f"{'kind':<9} {'gold':>5} {'leak R':>7} {'typed R':>7} {'char R':>7} {'pred':>5} {'prec':>6}")
    for kind in [*KINDS, "ALL"]:
        r = scores.get(kind)
        if r is None:
            continue
        print(
            f"{kind:<9} {r['gold']:>5} {fmt(r['leak_recall']):>7} {fmt(r['typed_recall']):>7} "
            f"{fmt(r['char_recall']):>7} {r['predicted']:>5} {fmt(r['precision']):>6}"
        )


def errors(rows: list[dict], predicted: list[list]) -> None:
    print("\nMisses (gold spans no prediction overlaps) and false positives (predictions overlapping no gold span):")
    for row, pred in zip(rows, predicted, strict=True):
        for g in row["spans"]:
            if not any(p.start < g["end"] and g["start"] < p.end for p in pred):
                print(f"  MISS {g['kind']:<8} {row['text'][g['start'] : g['end']]!r:40} {row['utterance_id']}")
        for p in pred:
            if not any(p.start < g["end"] and g["start"] < p.end for g in row["spans"]):
                print(f"  FP   {p.kind:<8} {p.text!r:40} {row['utterance_id']}")


DIRECT_KINDS = ("NAME", "EMAIL", "PHONE", "URL", "ADDRESS", "DATE", "ID")
"""Direct identifiers (target recall >= 0.95); ages and organisations are quasi-identifiers (target >= 0.85)."""


def heldout(split: str, *, use_ner: bool, show_errors: bool) -> int:
    """Recall and precision per kind on one half of the held-out set; errors only on the dev half."""
    if show_errors and split == "test":
        print("refused: the test half is for measuring only; list errors on --heldout dev")
        return 2
    rows = [r for r in load_fixture(HELDOUT) if r["split"] == split]
    deid = Deidentifier(use_ner=use_ner)
    predicted = deid.find_many([r["text"] for r in rows])
    scores = evaluate_spans([r["spans"] for r in rows], predicted)
    print(
        f"Held-out set, {split} half: {len(rows)} remarks, {sum(len(r['spans']) for r in rows)} identifiers; "
        f"NER {'on' if use_ner else 'off'}; no known names."
    )
    table(f"{split} half", scores)
    direct = [scores[k] for k in DIRECT_KINDS if k in scores]
    found = sum(r["leak_found"] for r in direct)
    gold = sum(r["gold"] for r in direct)
    print(f"\ndirect identifiers ({', '.join(DIRECT_KINDS)}): leak recall {found}/{gold} = {found / gold:.3f}")
    if show_errors:
        errors([{**r, "utterance_id": r["id"]} for r in rows], predicted)
    return 0


def throughput(deid: Deidentifier, n: int, load_seconds: float, seed: int = 7) -> None:
    from topics.read import load_demo

    corpus = load_demo()
    texts = corpus["text"].dropna().astype(str)
    texts = texts[texts.str.strip() != ""].sample(n=min(n, len(texts)), random_state=seed).tolist()
    chars = sum(map(len, texts))
    t0 = time.perf_counter()
    deid.scrub_many(texts)
    t_many = time.perf_counter() - t0
    sub = texts[:500]
    t0 = time.perf_counter()
    for t in sub:
        deid.scrub(t)
    t_one = time.perf_counter() - t0
    print(
        f"\nThroughput on {len(texts):,} real remarks of the demo corpus (AnnoMI + MIBot, mean {chars / len(texts):.0f} "
        f"characters), NER {'on' if deid.use_ner else 'off'}:"
    )
    if deid.use_ner:
        print(f"  model load (once per process): {load_seconds:.1f} s")
    print(
        f"  scrub_many: {t_many:.2f} s = {len(texts) / t_many:,.0f} remarks/s ({chars / t_many / 1000:,.0f}k chars/s)"
    )
    print(f"  scrub one at a time (first {len(sub)}): {len(sub) / t_one:,.0f} remarks/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-ner", action="store_true", help="rules and known names only")
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    parser.add_argument("--throughput", type=int, default=2000, metavar="N", help="remarks to time (0: skip)")
    parser.add_argument("--check-corpora", action="store_true", help="compare fixture texts with the corpora")
    parser.add_argument(
        "--heldout",
        choices=["dev", "test"],
        help="measure on a half of the held-out set (tests/fixtures/deid_heldout.jsonl) instead; "
        "--errors is refused on the test half, which is for measuring only",
    )
    args = parser.parse_args(argv)

    if args.heldout:
        return heldout(args.heldout, use_ner=not args.no_ner, show_errors=args.errors)
    rows = load_fixture()
    if args.check_corpora and check_corpora(rows):
        return 1
    deid = Deidentifier(use_ner=not args.no_ner)
    t0 = time.perf_counter()
    if deid.use_ner:
        load_ner()
    load_seconds = time.perf_counter() - t0
    predicted = deid.find_many([r["text"] for r in rows])
    real = [i for i, r in enumerate(rows) if r["source"] != "synthetic"]
    synth = [i for i, r in enumerate(rows) if r["source"] == "synthetic"]
    with_ids = sum(1 for i in real if rows[i]["spans"])
    print(f"Labelled set: {len(real)} real remarks ({with_ids} holding identifiers), {len(synth)} synthetic remarks.")
    print(
        f"NER {'off' if args.no_ner else 'on'}; known_names empty (names come from NER and the title/introduction rules)."
    )
    for title, idx in (("Real remarks", real), ("Synthetic remarks", synth)):
        scores = evaluate_spans([rows[i]["spans"] for i in idx], [predicted[i] for i in idx])
        table(f"{title} ({len(idx)})", scores)
    if args.errors:
        errors(rows, predicted)
    if args.throughput:
        throughput(deid, args.throughput, load_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
