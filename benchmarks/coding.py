"""Deductive coding against real human codes (issue 26): zero-shot and few-shot learning curves.

Two corpora with human utterance codes (``../shared/corpora``, loaders in :mod:`topics.read.public`):

* AnnoMI therapist behaviour (question, reflection, therapist input, other) on professional MI remarks; codebook
  ``topics/coding/data/annomi_behaviour.toml`` (``therapist_input`` is its ``input``);
* ESConv support strategies (8 codes) on peer supporters' turns; codebook
  ``topics/coding/data/esconv_strategies.toml`` (ESConv's own strategy names).

Held-out remarks are split by session (AnnoMI: 30% of the sessions drawn with the seed; ESConv: conversations
drawn from its own train and test splits), so that no session is both trained on and checked. On the same
held-out remarks: the majority class of the training pool, zero-shot coding (codebook only), few-shot coding
with 10, 25, 50 and 100 labelled remarks per code (several random draws from the training pool; a code with
fewer remarks gives all it has), and the same classifier on every remark of the training pool (the ceiling for
frozen embeddings). Macro-F1 over the human codes and Cohen's kappa against them (forced choice: no "none").

A probe of form: on held-out remarks that humans coded question or reflection, how well does the coder tell the
two apart, against the bare rule "the remark contains a question mark"?

Run: ``.venv/bin/python benchmarks/coding.py [--draws 5] [--esconv-train 220] [--esconv-test 110]``
(default embedder: packaged all-MiniLM-L6-v2, int8 on the CPU, cache in ``.cache/embeddings`` unless
``TOPICS_CACHE_DIR`` is set). Prints the tables as markdown and writes every draw to ``benchmarks/results/coding/results.csv``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from topics.coding import NONE_CODE, Codebook, Coder, agreement, cohen_kappa, macro_f1
from topics.config import EmbeddingConfig
from topics.embed import Embedder
from topics.read.public import load_annomi, load_esconv

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "topics" / "coding" / "data"
SHOTS = (10, 25, 50, 100)
SEED = 26


def annomi_task(test_share: float = 0.3, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, Codebook]:
    a = load_annomi()
    a = a[(a["role"] == "therapist") & a["code"].notna()].copy()
    a["code"] = a["code"].replace({"therapist_input": "input"})
    sessions = np.array(sorted(a["session_id"].unique()))
    test = set(np.random.default_rng(seed).permutation(sessions)[: round(test_share * len(sessions))])
    held = a["session_id"].isin(test)
    return (
        a[~held].reset_index(drop=True),
        a[held].reset_index(drop=True),
        Codebook.load(DATA / "annomi_behaviour.toml"),
    )


def esconv_task(n_train: int, n_test: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, Codebook]:
    e = load_esconv()
    e = e[(e["role"] == "therapist") & e["code"].notna()]
    rng = np.random.default_rng(seed)
    parts = []
    for split, n in (("train", n_train), ("test", n_test)):
        ids = np.array(sorted(e.loc[e["split"] == split, "session_id"].unique()))
        parts.append(e[e["session_id"].isin(set(rng.permutation(ids)[:n]))].reset_index(drop=True))
    return parts[0], parts[1], Codebook.load(DATA / "esconv_strategies.toml")


def draw(pool: pd.DataFrame, k: int, rng: np.random.Generator) -> pd.DataFrame:
    """``k`` labelled remarks per code from the training pool (all of a code that has fewer)."""
    picks = []
    for _, group in pool.groupby("code", sort=True):
        picks.append(group.iloc[rng.permutation(len(group))[:k]])
    return pd.concat(picks)


def ece(correct: np.ndarray, probability: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top probability (equal-width bins)."""
    which = np.clip((probability * bins).astype(int), 0, bins - 1)
    return float(
        sum(
            abs(correct[which == b].mean() - probability[which == b].mean()) * np.mean(which == b)
            for b in range(bins)
            if np.any(which == b)
        )
    )


def score(truth: pd.Series, coded: np.ndarray | pd.DataFrame, codes: list[str]) -> dict[str, float]:
    """Macro-F1 and kappa; for a coder's table also accuracy, ECE, mean top probability, share below 0.6."""
    if not isinstance(coded, pd.DataFrame):
        return {"macro_f1": macro_f1(truth, coded, codes), "kappa": cohen_kappa(truth, coded)}
    labels = coded["code"].to_numpy()
    correct = labels == truth.to_numpy()
    p = coded["probability"].to_numpy()
    return {
        "macro_f1": macro_f1(truth, labels, codes),
        "kappa": cohen_kappa(truth, labels),
        "accuracy": float(correct.mean()),
        "ece": ece(correct, p),
        "mean_p": float(p.mean()),
        "low_confidence": float(np.mean(p < 0.6)),
    }


def bertopic_zeroshot(
    test: pd.DataFrame, x_test: np.ndarray, book: Codebook, embedder: Embedder, min_similarity: float
) -> np.ndarray:
    """BERTopic's own zero-shot topic modelling with the code names as ``zeroshot_topic_list``.

    A remark goes to the code whose name embedding is most similar when the cosine reaches ``min_similarity``;
    the rest are clustered (UMAP + HDBSCAN) into topics that are no code: they count as "none of these".
    """
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder
    from hdbscan import HDBSCAN
    from umap import UMAP

    class Backend(BaseEmbedder):
        def embed(self, documents, verbose=False):  # noqa: ARG002 - BERTopic's signature
            return embedder.embed([str(d) for d in documents])

    model = BERTopic(
        embedding_model=Backend(),
        zeroshot_topic_list=book.names,
        zeroshot_min_similarity=min_similarity,
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED),
        hdbscan_model=HDBSCAN(min_cluster_size=15, prediction_data=True),
        calculate_probabilities=False,
    )
    topics, _ = model.fit_transform(test["text"].astype(str).tolist(), embeddings=x_test)
    to_code = {tid: book.names[idx] for tid, idx in model._topic_id_to_zeroshot_topic_idx.items()}
    return np.array([to_code.get(t, NONE_CODE) for t in topics], dtype=object)


def run_task(
    name: str,
    pool: pd.DataFrame,
    test: pd.DataFrame,
    book: Codebook,
    embedder: Embedder,
    draws: int,
    bertopic: bool = True,
    active_draws: int = 3,
) -> tuple[pd.DataFrame, dict]:
    t0 = time.perf_counter()
    x_pool = embedder.embed(pool["text"].tolist())
    x_test = embedder.embed(test["text"].tolist())
    embed_s = time.perf_counter() - t0
    codes = book.names
    truth = test["code"]
    rows = []
    majority = pool["code"].value_counts().idxmax()
    rows.append(
        {
            "condition": "majority class",
            "k": np.nan,
            "draw": 0,
            **score(truth, np.full(len(test), majority, dtype=object), codes),
        }
    )
    zero = Coder(book, embedder).fit().predict(test, embeddings=x_test)
    rows.append({"condition": "zero-shot", "k": 0, "draw": 0, **score(truth, zero, codes)})
    for min_similarity in (0.7, 0.3) if bertopic else ():
        try:
            coded = bertopic_zeroshot(test, x_test, book, embedder, min_similarity)
            rows.append(
                {
                    "condition": f"BERTopic zeroshot_topic_list (code names, min similarity {min_similarity})",
                    "k": 0,
                    "draw": 0,
                    **score(truth, coded, codes),
                    "coded_share": float(np.mean(coded != NONE_CODE)),
                }
            )
        except Exception as err:  # a reference: report why it failed instead of stopping the benchmark
            print(f"{name}: BERTopic zero-shot at {min_similarity} failed: {type(err).__name__}: {err}")
    rng = np.random.default_rng(SEED)
    fits = []
    for k in SHOTS:
        for d in range(draws):
            labelled = draw(pool, k, rng)
            idx = pool.index.get_indexer(labelled.index)
            t1 = time.perf_counter()
            coder = Coder(book, embedder, seed=d).fit(
                labelled, labelled[["utterance_id", "code"]], embeddings=x_pool[idx]
            )
            coded = coder.predict(test, embeddings=x_test)
            fits.append(time.perf_counter() - t1)
            rows.append({"condition": "few-shot", "k": k, "draw": d, **score(truth, coded, codes)})
    ceiling = Coder(book, embedder).fit(pool, pool[["utterance_id", "code"]], embeddings=x_pool)
    top = ceiling.predict(test, embeddings=x_test)
    rows.append({"condition": "all training labels (ceiling)", "k": np.nan, "draw": 0, **score(truth, top, codes)})
    plain = Coder(book, embedder, calibrate=False).fit(pool, pool[["utterance_id", "code"]], embeddings=x_pool)
    rows.append(
        {
            "condition": "all training labels, not calibrated",
            "k": np.nan,
            "draw": 0,
            **score(truth, plain.predict(test, embeddings=x_test), codes),
        }
    )
    table = pd.DataFrame(rows)
    table.insert(0, "corpus", name)
    extra = {
        "n_pool": len(pool),
        "n_test": len(test),
        "sessions_pool": pool["session_id"].nunique(),
        "sessions_test": test["session_id"].nunique(),
        "embed_s": embed_s,
        "fit_s": float(np.median(fits)),
        "zero": agreement(truth, zero["code"], clusters=test["session_id"], codes=codes, n_boot=500),
        "ceiling": agreement(truth, top["code"], clusters=test["session_id"], codes=codes, n_boot=500),
        "test": test,
        "zero_coded": zero,
        "ceiling_coded": top,
    }
    if active_draws:
        extra["active"] = active_curve(pool, test, book, embedder, x_pool, x_test, active_draws)
    return table, extra


def form_probe(test: pd.DataFrame, coded: pd.DataFrame, a: str = "question", b: str = "reflection") -> dict:
    """Among remarks humans coded ``a`` or ``b``: the coder's accuracy between the two vs the '?' rule."""
    mask = test["code"].isin([a, b]).to_numpy()
    sub, pred = test[mask], coded[mask]
    pa, pb = pred[f"p_{a}"].to_numpy(), pred[f"p_{b}"].to_numpy()
    coder_pick = np.where(pa >= pb, a, b)
    rule = np.where(sub["text"].str.contains("?", regex=False), a, b)
    return {
        "n": int(mask.sum()),
        "coder": float(np.mean(coder_pick == sub["code"].to_numpy())),
        "rule": float(np.mean(rule == sub["code"].to_numpy())),
        "kappa_coder": cohen_kappa(sub["code"], coder_pick),
        "kappa_rule": cohen_kappa(sub["code"], rule),
    }


def active_curve(
    pool: pd.DataFrame,
    test: pd.DataFrame,
    book: Codebook,
    embedder: Embedder,
    x_pool: np.ndarray,
    x_test: np.ndarray,
    draws: int,
    per_code: tuple[int, ...] = (5, 10, 25, 50),
) -> pd.DataFrame:
    """Labelling by uncertainty sampling (:meth:`Coder.next_to_label`) against random labelling, same budget.

    Both start from 2 random remarks per code and add ``5 x codes`` remarks a round (the expert codes whatever
    is shown: the pool's human code); kappa on the held-out remarks at budgets of ``per_code x codes`` labels.
    Random labelling here is unstratified (an expert cannot draw per code before coding), unlike the curve above.
    """
    n_codes = len(book.names)
    step, budgets = 5 * n_codes, [k * n_codes for k in per_code]
    rows = []
    for d in range(draws):
        rng = np.random.default_rng(1000 + d)
        start = draw(pool, 2, rng)
        for strategy in ("uncertainty", "half uncertainty, half random", "random"):
            chosen = list(start.index)
            while len(chosen) < budgets[-1]:
                labelled = pool.loc[chosen]
                idx = pool.index.get_indexer(labelled.index)
                coder = Coder(book, embedder, seed=d).fit(
                    labelled, labelled[["utterance_id", "code"]], embeddings=x_pool[idx]
                )
                n = min(step, min(b for b in budgets if b > len(chosen)) - len(chosen))  # land on each budget
                if strategy != "random":
                    share = 0.5 if strategy.startswith("half") else 0.0
                    nxt = coder.next_to_label(pool, n, labelled=labelled, embeddings=x_pool, random_share=share)
                    chosen += list(pool.index[pool["utterance_id"].isin(set(nxt["utterance_id"]))][:n])
                else:
                    rest = pool.index.difference(chosen)
                    chosen += list(rng.choice(rest, n, replace=False))
                if len(chosen) in budgets:
                    labelled = pool.loc[chosen]
                    idx = pool.index.get_indexer(labelled.index)
                    coded = (
                        Coder(book, embedder, seed=d)
                        .fit(labelled, labelled[["utterance_id", "code"]], embeddings=x_pool[idx])
                        .predict(test, embeddings=x_test)
                    )
                    rows.append(
                        {
                            "strategy": strategy,
                            "labels": len(chosen),
                            "per_code": len(chosen) // n_codes,
                            "draw": d,
                            **score(test["code"], coded, book.names),
                        }
                    )
    return pd.DataFrame(rows)


PAIRS = [
    ("Are you worried about your drinking?", "You're worried about your drinking."),
    ("Do you feel that smoking helps you relax?", "Smoking helps you relax."),
    (
        "How are things with your wife since you lost the job?",
        "Things with your wife have been hard since you lost the job.",
    ),
    ("Is your daughter the reason you want to quit?", "Your daughter is the reason you want to quit."),
    ("Have you been feeling lonely since the move?", "You've been feeling lonely since the move."),
    ("Does the exercise make a difference to your mood?", "The exercise makes a difference to your mood."),
]
"""Invented (question, reflection) pairs: the same subject, in two forms."""


def pair_probe(embedder: Embedder) -> dict:
    """Mean cosine of a question and a reflection on the same subject, vs two questions (or two reflections)
    on different subjects: which does the embedding put closer together, form or subject?"""
    q = embedder.embed([a for a, _ in PAIRS])
    r = embedder.embed([b for _, b in PAIRS])
    q, r = (v / np.linalg.norm(v, axis=1, keepdims=True) for v in (q, r))
    same_subject = float(np.mean(np.sum(q * r, axis=1)))
    off = ~np.eye(len(PAIRS), dtype=bool)
    same_form = float(np.mean(np.concatenate([(q @ q.T)[off], (r @ r.T)[off]])))
    return {"same_subject_other_form": same_subject, "same_form_other_subject": same_form}


def curve(table: pd.DataFrame) -> pd.DataFrame:
    """Mean, SD, min and max over draws per corpus and condition."""
    g = table.groupby(["corpus", "condition", "k"], dropna=False, sort=False)
    out = g.agg(
        draws=("draw", "size"),
        macro_f1=("macro_f1", "mean"),
        macro_f1_sd=("macro_f1", "std"),
        macro_f1_min=("macro_f1", "min"),
        macro_f1_max=("macro_f1", "max"),
        kappa=("kappa", "mean"),
        kappa_sd=("kappa", "std"),
        kappa_min=("kappa", "min"),
        kappa_max=("kappa", "max"),
        accuracy=("accuracy", "mean"),
        ece=("ece", "mean"),
        mean_p=("mean_p", "mean"),
        low_confidence=("low_confidence", "mean"),
    )
    return out.reset_index()


def fmt(mean: float, sd: float, lo: float, hi: float, n: int) -> str:
    if n <= 1 or not np.isfinite(sd):
        return f"{mean:.3f}"
    return f"{mean:.3f} ± {sd:.3f} ({lo:.3f}–{hi:.3f})"


def print_table(summary: pd.DataFrame) -> None:
    """The learning-curve summary (:func:`curve`) as the markdown table of RESULTS.md."""
    print(
        "\n| corpus | condition | labels per code | draws | macro-F1 (mean ± SD, min–max) | kappa (mean ± SD, min–max) "
        "| accuracy | ECE | mean top p | share p < 0.6 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in summary.itertuples():
        k = "—" if not np.isfinite(r.k) else str(int(r.k))
        print(
            f"| {r.corpus} | {r.condition} | {k} | {r.draws} | "
            f"{fmt(r.macro_f1, r.macro_f1_sd, r.macro_f1_min, r.macro_f1_max, r.draws)} | "
            f"{fmt(r.kappa, r.kappa_sd, r.kappa_min, r.kappa_max, r.draws)} | "
            + " | ".join(
                "—" if not np.isfinite(v) else f"{v:.3f}" for v in (r.accuracy, r.ece, r.mean_p, r.low_confidence)
            )
            + " |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--esconv-train", type=int, default=220, help="ESConv train conversations (training pool)")
    parser.add_argument("--esconv-test", type=int, default=110, help="ESConv test conversations (held out)")
    parser.add_argument("--no-bertopic", action="store_true", help="skip BERTopic's zero-shot reference")
    parser.add_argument("--active-draws", type=int, default=3, help="draws of the labelling-strategy curve (0: skip)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    cache = os.environ.get("TOPICS_CACHE_DIR") or str(PROJECT / ".cache" / "embeddings")
    embedder = Embedder(EmbeddingConfig(cache_dir=cache), show_progress=False)
    tables, extras = [], {}
    for name, task in (
        ("AnnoMI behaviour", annomi_task()),
        ("ESConv strategies", esconv_task(args.esconv_train, args.esconv_test)),
    ):
        table, extra = run_task(
            name,
            *task,
            embedder=embedder,
            draws=args.draws,
            bertopic=not args.no_bertopic,
            active_draws=args.active_draws,
        )
        tables.append(table)
        extras[name] = extra
    raw = pd.concat(tables, ignore_index=True)
    out = PROJECT / "benchmarks" / "results" / "coding"
    out.mkdir(parents=True, exist_ok=True)
    raw.to_csv(out / "results.csv", index=False)
    summary = curve(raw)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs; embedder {embedder.identity}")
    print(f"total {time.perf_counter() - t0:.0f} s\n")
    for name, extra in extras.items():
        print(
            f"{name}: training pool {extra['n_pool']} remarks / {extra['sessions_pool']} sessions, held out "
            f"{extra['n_test']} remarks / {extra['sessions_test']} sessions; embedding {extra['embed_s']:.0f} s, "
            f"median few-shot fit+predict {extra['fit_s']:.2f} s"
        )
    print_table(summary)
    if "coded_share" in raw:
        for r in raw.dropna(subset=["coded_share"]).itertuples():
            print(
                f"\n{r.corpus}, {r.condition}: {r.coded_share:.1%} of held-out remarks given a code (the rest: "
                "BERTopic topics that are no code)"
            )
    for name, extra in extras.items():
        for which in ("zero", "ceiling"):
            agr = extra[which]
            print(
                f"\n{name}, {which}: kappa {agr.kappa:.3f} [{agr.kappa_low:.3f}, {agr.kappa_high:.3f}] "
                f"(session bootstrap), accuracy {agr.accuracy:.3f}, macro-F1 {agr.macro_f1:.3f}"
            )
            print(agr.per_code.round(3).to_string(index=False))
            print(agr.confusion.to_string())
    annomi = extras["AnnoMI behaviour"]
    for which in ("zero_coded", "ceiling_coded"):
        probe = form_probe(annomi["test"], annomi[which])
        print(f"\nform probe AnnoMI ({which}): {probe}")
    for name, extra in extras.items():
        if "active" in extra and len(extra["active"]):
            g = extra["active"].groupby(["strategy", "per_code"])
            table = g.agg(
                labels=("labels", "first"),
                draws=("draw", "size"),
                kappa=("kappa", "mean"),
                kappa_sd=("kappa", "std"),
                macro_f1=("macro_f1", "mean"),
                macro_f1_sd=("macro_f1", "std"),
            )
            print(f"\n{name}: labelling strategy (same budget, {int(table['draws'].iloc[0])} draws)")
            print(table.round(3).to_string())
    print(f"\npair probe (cosine, {len(PAIRS)} invented pairs): {pair_probe(embedder)}")
    esconv = extras["ESConv strategies"]
    for which in ("zero_coded", "ceiling_coded"):
        probe = form_probe(esconv["test"], esconv[which], "Question", "Restatement or Paraphrasing")
        print(f"form probe ESConv Question vs Restatement ({which}): {probe}")


if __name__ == "__main__":
    main()
