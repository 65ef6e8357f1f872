"""The full group comparison on three real contrasts, plus an external check against expert codes.

Each contrast fits its own topic model (default ``TopicConfig``, seed 42) with :func:`topics.fit` and runs
:func:`topics.compare.run_comparison` on the raw topics:

* ``annomi_quality``: AnnoMI (133 sessions), high- vs low-quality MI (``mi_quality``); again stratified
  by the presenting problem (``annomi_quality_by_problem``, same model).
* ``human_vs_llm``: AnnoMI + all 106 MIBot sessions, professional vs LLM counsellor (``counselor_type``),
  with the MIBot outcome ``readiness_change``; again on the same model with AnnoMI restricted to its smoking
  sessions (``human_vs_llm_smoking``), since every MIBot session is about quitting smoking.
* ``professional_vs_peer``: AnnoMI + CounselChat (professionals) vs ESConv (peer supporters).

External check: AnnoMI's expert codes say high-quality MI uses more reflections. For the AnnoMI model the
script finds the topics that carry most reflection-coded remarks and reports whether they come out more
prevalent in the high-quality group (sign of the difference, interval, q), and the plain remark-level
reflection share by quality group.

Every contrast's tables go to ``benchmarks/results/compare/<name>/`` (``Comparison.save_csv`` plus the
model's ``topics.csv``); the printed summary is also written to ``benchmarks/results/compare/SUMMARY.md``.

Usage (from the project root)::

    .venv/bin/python benchmarks/compare_real.py                      # all three contrasts
    .venv/bin/python benchmarks/compare_real.py --only annomi_quality --n-boot 500 --n-perm 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import topics
from topics._files import export_csv
from topics.analysis import topic_table
from topics.compare import Comparison, compare_groups, run_comparison
from topics.read import load_annomi, load_counselchat, load_esconv, load_mibot

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results" / "compare"
CONTRASTS = ("annomi_quality", "human_vs_llm", "professional_vs_peer")

LINES: list[str] = []


def say(text: object = "") -> None:
    """Print and keep for SUMMARY.md."""
    text = str(text)
    print(text, flush=True)
    LINES.append(text)


def config() -> topics.TopicConfig:
    cfg = topics.TopicConfig()  # seed 42
    cfg.embedding.cache_dir = str(PROJECT / ".cache" / "embeddings")
    return cfg


def fit(name: str, corpus: pd.DataFrame) -> tuple[topics.Analysis, float]:
    t0 = time.perf_counter()
    analysis = topics.fit(corpus, config())
    seconds = time.perf_counter() - t0
    a = analysis.assignments
    n_topics = int((analysis.topics["topic"] != -1).sum())
    print(f"[{name}] fitted {len(a):,} remarks of {a['session_id'].nunique()} sessions: {n_topics} topics, "
          f"{(a['topic'] == -1).mean():.1%} outliers, {seconds:.0f} s "
          f"(embedded {int(analysis.timings.get('embedded_new', 0))} new texts)", flush=True)
    return analysis, seconds


def pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def pts(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:+.1f}"


def fmt_q(q: float) -> str:
    if pd.isna(q):
        return "n/a"
    return f"{q:.4f}" if q >= 0.001 else f"{q:.1e}"


def summarize(name: str, analysis: topics.Analysis, comp: Comparison, *, fit_s: float, compare_s: float,
              strata: str | None = None, assignments: pd.DataFrame | None = None, note: str = "") -> dict:
    """Print one contrast's summary; return its headline numbers for the overview table.

    ``assignments`` is the table that was compared (default: all of the model's remarks).
    """
    model_a = analysis.assignments
    a = model_a if assignments is None else assignments
    c = comp.contrasts
    ga, gb = str(c["group_a"].iloc[0]), str(c["group_b"].iloc[0])
    say(f"## {name}: {gb} vs {ga} (by {comp.by}{', stratified by ' + strata if strata else ''})")
    say()
    if note:
        say(note)
        say()
    # sessions and remarks per group (and per source corpus where there are several)
    keys = [comp.by, "corpus"] if "corpus" in a.columns and a["corpus"].nunique() > 1 else [comp.by]
    counts = a.groupby(keys).agg(sessions=("session_id", "nunique"), remarks=("utterance_id", "size"))
    counts["remarks_per_session"] = (counts["remarks"] / counts["sessions"]).round(1)
    say("```")
    say(counts.to_string())
    say("```")
    n_topics = int((analysis.topics["topic"] != -1).sum())
    say(f"- model: {len(model_a):,} remarks, {n_topics} topics, {(model_a['topic'] == -1).mean():.1%} outliers after "
        f"reassignment (fit {fit_s:.0f} s; comparison {compare_s:.0f} s)")
    if strata:
        used = _strata_used(a, comp.by, strata, [ga, gb])
        say(f"- strata: {used['levels']} levels of {strata!r} hold sessions of both groups "
            f"({used['sessions']} sessions: {used['a']} {ga}, {used['b']} {gb}); the other sessions add nothing "
            "to the stratified difference")
    d = comp.divergence.iloc[0]
    say(f"- Jensen-Shannon divergence of the topic profiles: {d['jsd']:.4f} "
        f"[95% CI {d['jsd_low']:.4f}, {d['jsd_high']:.4f}]; null (shuffled session labels) {d['jsd_null']:.4f} "
        f"({d['jsd'] / d['jsd_null']:.1f}x the null)")
    p = comp.prediction
    say(f"- group from the session's topic profile: balanced accuracy {p['balanced_accuracy']:.3f} "
        f"(permutation mean {p['permutation_mean']:.3f}, p = {p['permutation_p']:.3f}, "
        f"{p['sessions']} sessions, {p['folds']}-fold CV)")
    tested = int(c["p_value"].notna().sum())
    sig = c[c["q_value"] < 0.05]
    up, down = int((sig["diff"] > 0).sum()), int((sig["diff"] < 0).sum())
    say(f"- topics with q < 0.05: {len(sig)} of {tested} tested ({up} more prevalent in {gb}, "
        f"{down} more prevalent in {ga}; {int(c['too_small'].sum())} too small to test)")
    for w in comp.warnings:
        say(f"- warning: {w}")
    drift = comp.drift_summary
    for measure in ("drift", "shift"):
        rows = drift[drift["measure"] == measure]
        parts = ", ".join(f"{r.group} {r.mean:.3f} [{r.low:.3f}, {r.high:.3f}]" for r in rows.itertuples())
        say(f"- mean {measure} per session: {parts}; p = {rows['p_value'].iloc[0]:.4f}")
    say()
    if len(sig):
        top = sig.reindex(sig["diff"].abs().sort_values(ascending=False).index).head(5)
        say(f"Largest significant differences (share of each group's remarks; diff = {gb} minus {ga}, "
            "percentage points, 95% cluster-bootstrap CI):")
        say()
        say("```")
        say(_contrast_table(top, ga, gb).to_string(index=False))
        say("```")
    else:
        say("No topic differs at q < 0.05.")
    if not comp.words.empty:
        w = comp.words
        say()
        for g in (gb, ga):
            words = ", ".join(f"{x} ({z:+.1f})" for x, z in zip(w.loc[w["group"] == g, "word"].head(8),
                                                                   w.loc[w["group"] == g, "z"].head(8), strict=True))
            say(f"- words typical of {g} (z): {words}")
    for outcome, table in comp.outcomes.items():
        t = table.dropna(subset=["p_value"]).sort_values("p_value").head(3)
        say()
        say(f"- outcome {outcome!r} ({int(table['sessions'].iloc[0])} sessions): topics with q < 0.05: "
            f"{int((table['q_value'] < 0.05).sum())}; strongest: "
            + "; ".join(f"{_short(r.label)} rho {r.rho:+.2f} [{r.rho_low:+.2f}, {r.rho_high:+.2f}] q {fmt_q(r.q_value)}"
                        for r in t.itertuples()))
    say()
    best = sig.reindex(sig["diff"].abs().sort_values(ascending=False).index).head(1)
    return {
        "contrast": name, "groups": f"{gb} vs {ga}",
        "sessions": f"{int(c['sessions_b'].iloc[0])} / {int(c['sessions_a'].iloc[0])}",
        "topics": n_topics, "jsd": f"{d['jsd']:.3f} [{d['jsd_low']:.3f}, {d['jsd_high']:.3f}]",
        "jsd_null": f"{d['jsd_null']:.3f}",
        "bal_acc": f"{p['balanced_accuracy']:.2f} (perm {p['permutation_mean']:.2f})",
        "q<0.05": f"{len(sig)}/{tested}",
        "largest": (f"{_short(best['label'].iloc[0], 28)} {pts(best['diff'].iloc[0])}" if len(best) else "-"),
    }


def _short(label: object, n: int = 40) -> str:
    s = str(label)
    return s if len(s) <= n else s[: n - 1] + "…"


def _contrast_table(rows: pd.DataFrame, ga: str, gb: str) -> pd.DataFrame:
    return pd.DataFrame({
        "topic": rows["topic"].astype(int),
        "label": [_short(x, 45) for x in rows["label"]],
        ga: rows["share_a"].map(pct),
        gb: rows["share_b"].map(pct),
        "diff": rows["diff"].map(pts),
        "95% CI": [f"[{pts(lo)}, {pts(hi)}]" for lo, hi in zip(rows["diff_low"], rows["diff_high"], strict=True)],
        "q": rows["q_value"].map(fmt_q),
    })


def _strata_used(a: pd.DataFrame, by: str, strata: str, groups: list[str]) -> dict:
    s = a.groupby("session_id")[[by, strata]].first().astype(str)
    both = s.groupby(strata)[by].agg(lambda v: set(groups) <= set(v))
    s = s[s[strata].isin(both[both].index)]
    return {"levels": int(both.sum()), "sessions": len(s), "a": int((s[by] == groups[0]).sum()),
            "b": int((s[by] == groups[1]).sum())}


def save(name: str, analysis: topics.Analysis, comp: Comparison) -> None:
    folder = RESULTS / name
    comp.save_csv(folder)
    export_csv(topic_table(analysis.topics), folder / "topics.csv")


def reflection_check(analysis: topics.Analysis, plain: Comparison, stratified: Comparison | None, *,
                     n_boot: int, n_perm: int) -> None:
    """Do the topics that carry AnnoMI's reflection-coded remarks come out more prevalent in high-quality MI?"""
    a = analysis.assignments
    say("## External check: reflections (AnnoMI expert codes) and MI quality")
    say()
    say("AnnoMI codes each therapist utterance's main behaviour (reflection / question / therapist_input / other); "
        "the MI literature and AnnoMI's own analysis say high-quality MI uses more reflections. "
        "If the topics track that, the topics made of reflections should be more prevalent in the "
        "high-quality sessions.")
    say()
    # plain remark-level shares, no topics involved
    corpus = load_annomi()
    ther = corpus[corpus["role"] == "therapist"]
    rows = []
    for label, frame in (("all therapist utterances", ther), ("modelled remarks", a)):
        coded = frame[frame["code"].notna()]
        for q in ("high", "low"):
            g = coded[coded["mi_quality"] == q]
            rows.append({"rows": label, "mi_quality": q, "remarks": len(g),
                         "reflection": pct((g["code"] == "reflection").mean()),
                         "question": pct((g["code"] == "question").mean()),
                         "therapist_input": pct((g["code"] == "therapist_input").mean()),
                         "other": pct((g["code"] == "other").mean())})
    say("Remark-level code shares by quality group:")
    say()
    say("```")
    say(pd.DataFrame(rows).to_string(index=False))
    say("```")
    # session-level reflection share, with a session bootstrap interval for the difference
    per = (a.assign(refl=(a["code"] == "reflection").astype(float)).groupby("session_id")
           .agg(q=("mi_quality", "first"), refl=("refl", "mean")))
    rng = np.random.default_rng(0)
    hi, lo = per.loc[per["q"] == "high", "refl"].to_numpy(), per.loc[per["q"] == "low", "refl"].to_numpy()
    boots = np.array([rng.choice(hi, len(hi)).mean() - rng.choice(lo, len(lo)).mean() for _ in range(2000)])
    say(f"Mean per-session reflection share (modelled remarks): high {hi.mean():.1%} ({len(hi)} sessions), "
        f"low {lo.mean():.1%} ({len(lo)} sessions); difference {pts(hi.mean() - lo.mean())} points "
        f"[95% session bootstrap {pts(np.quantile(boots, 0.025))}, {pts(np.quantile(boots, 0.975))}]")
    say()
    # per topic: how many of its remarks are coded reflection
    real = a[a["topic"] != -1]
    per_topic = (real.assign(refl=real["code"] == "reflection").groupby("topic")
                 .agg(remarks=("refl", "size"), reflections=("refl", "sum"), label=("label", "first")))
    per_topic["refl_share"] = per_topic["reflections"] / per_topic["remarks"]
    c = plain.contrasts.set_index("topic")
    cs = stratified.contrasts.set_index("topic") if stratified is not None else None
    overall = (real["code"] == "reflection").mean()
    by_count = per_topic.sort_values("reflections", ascending=False).head(5).index.tolist()
    majority = per_topic[per_topic["refl_share"] > 0.5].index.tolist()
    say(f"Reflection share over all topic remarks: {overall:.1%}. Topics carrying most reflections "
        f"(top 5 by count: {by_count}; reflection share > 50%: {majority}). diff = high minus low, "
        "percentage points; positive = more prevalent in high-quality MI:")
    say()
    chosen = list(dict.fromkeys(by_count + sorted(majority, key=lambda t: -per_topic.loc[t, "reflections"])))
    rows = []
    for t in chosen:
        r = c.loc[t]
        row = {"topic": t, "label": _short(per_topic.loc[t, "label"], 40),
               "refl": f"{int(per_topic.loc[t, 'reflections'])}/{int(per_topic.loc[t, 'remarks'])}",
               "refl%": pct(per_topic.loc[t, "refl_share"]),
               "high": pct(r["share_b"]), "low": pct(r["share_a"]), "diff": pts(r["diff"]),
               "95% CI": f"[{pts(r['diff_low'])}, {pts(r['diff_high'])}]", "q": fmt_q(r["q_value"])}
        if cs is not None:
            s = cs.loc[t]
            row["diff|problem"] = pts(s["diff"])
            row["CI|problem"] = f"[{pts(s['diff_low'])}, {pts(s['diff_high'])}]"
            row["q|problem"] = fmt_q(s["q_value"])
        rows.append(row)
    say("```")
    say(pd.DataFrame(rows).to_string(index=False))
    say("```")
    positive = sum(c.loc[t, "diff"] > 0 for t in chosen)
    sig_pos = sum((c.loc[t, "diff"] > 0) and (c.loc[t, "q_value"] < 0.05) for t in chosen)
    sig_neg = sum((c.loc[t, "diff"] < 0) and (c.loc[t, "q_value"] < 0.05) for t in chosen)
    say(f"- {positive} of {len(chosen)} reflection topics are more prevalent in high-quality sessions "
        f"({sig_pos} at q < 0.05; {sig_neg} significantly less prevalent)")
    # across all topics: does a topic's reflection share go with its high-minus-low difference?
    joined = per_topic.join(c[["diff", "too_small"]])
    joined = joined[~joined["too_small"]]
    rho = joined["refl_share"].rank().corr(joined["diff"].rank())
    say(f"- across the {len(joined)} tested topics, Spearman correlation of a topic's reflection share with its "
        f"high-minus-low difference: {rho:+.2f}")
    # how much of the remark-level reflection gap the topic mix alone reproduces
    r = per_topic["refl_share"]
    exp_high = float((c["share_b"] * r.reindex(c.index)).sum() / c["share_b"].sum())
    exp_low = float((c["share_a"] * r.reindex(c.index)).sum() / c["share_a"].sum())
    act = real.groupby("mi_quality")["code"].apply(lambda v: (v == "reflection").mean())
    say(f"- reflection share implied by the topic mix alone (each topic's pooled reflection share, weighted by the "
        f"group's topic shares): high {exp_high:.1%}, low {exp_low:.1%} (gap {pts(exp_high - exp_low)} points); "
        f"actual: high {act['high']:.1%}, low {act['low']:.1%} (gap {pts(act['high'] - act['low'])} points)")
    say("- note: the top-5-by-count set is dominated by large topics whose remarks are mostly not reflections "
        "(a big content topic carries many reflections by size alone); the > 50% set is the cleaner test")
    # the reflection topics pooled into one: a single session-level test
    for label, topic_set in (("top-5 reflection topics", by_count), ("majority-reflection topics", majority)):
        if not topic_set:
            continue
        pooled = a.assign(topic=np.where(a["topic"].isin(topic_set), 1, np.where(a["topic"] == -1, -1, 0)),
                          label=np.where(a["topic"].isin(topic_set), label, "other topics"))
        for strata in (None, "problem"):
            t = compare_groups(pooled, "mi_quality", groups=["low", "high"], strata=strata, n_boot=n_boot,
                               n_perm=n_perm, seed=0).set_index("topic").loc[1]
            say(f"- {label} pooled ({'stratified by problem' if strata else 'unstratified'}): high "
                f"{pct(t['share_b'])}, low {pct(t['share_a'])}, diff {pts(t['diff'])} "
                f"[{pts(t['diff_low'])}, {pts(t['diff_high'])}], permutation p = {t['p_value']:.4f}")
    say()


def run(name: str, corpus: pd.DataFrame, by: str, groups: list[str], *, n_boot: int, n_perm: int,
        outcomes: list[str] | None = None) -> tuple[dict, topics.Analysis, Comparison]:
    analysis, fit_s = fit(name, corpus)
    t0 = time.perf_counter()
    comp = run_comparison(analysis.assignments, by, groups=groups, outcomes=outcomes, n_boot=n_boot, n_perm=n_perm,
                          seed=0)
    compare_s = time.perf_counter() - t0
    save(name, analysis, comp)
    return summarize(name, analysis, comp, fit_s=fit_s, compare_s=compare_s), analysis, comp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=CONTRASTS, help="run only this contrast (repeatable)")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--n-perm", type=int, default=2000)
    args = parser.parse_args(argv)
    chosen = args.only or list(CONTRASTS)
    os.chdir(PROJECT)
    t_all = time.perf_counter()
    started = dt.datetime.now()
    overview = []
    kw = {"n_boot": args.n_boot, "n_perm": args.n_perm}

    if "annomi_quality" in chosen:
        row, analysis, plain = run("annomi_quality", load_annomi(), "mi_quality", ["low", "high"], **kw)
        overview.append(row)
        t0 = time.perf_counter()
        strat = run_comparison(analysis.assignments, "mi_quality", groups=["low", "high"], strata="problem", seed=0, **kw)
        save("annomi_quality_by_problem", analysis, strat)
        overview.append(summarize("annomi_quality_by_problem", analysis, strat, fit_s=0.0,
                                  compare_s=time.perf_counter() - t0, strata="problem"))
        reflection_check(analysis, plain, strat, **kw)
        del analysis
    if "human_vs_llm" in chosen:
        corpus = pd.concat([load_annomi(), load_mibot()], ignore_index=True)
        row, analysis, _ = run("human_vs_llm", corpus, "counselor_type", ["professional", "llm"],
                               outcomes=["readiness_change"], **kw)
        overview.append(row)
        # every MIBot session is about smoking: the same model, AnnoMI's smoking sessions only
        a = analysis.assignments
        smoking = a[(a["corpus"] == "mibot") | a["problem"].fillna("").str.contains("smoking")]
        t0 = time.perf_counter()
        comp = run_comparison(smoking, "counselor_type", groups=["professional", "llm"], seed=0, **kw)
        save("human_vs_llm_smoking", analysis, comp)
        overview.append(summarize(
            "human_vs_llm_smoking", analysis, comp, fit_s=0.0, compare_s=time.perf_counter() - t0,
            assignments=smoking,
            note="Every MIBot session is about quitting smoking; AnnoMI covers many problems. Same model as "
                 "human_vs_llm, AnnoMI restricted to its sessions whose problem mentions smoking."))
        del analysis
    if "professional_vs_peer" in chosen:
        corpus = pd.concat([load_annomi(), load_counselchat(), load_esconv()], ignore_index=True)
        row, _, _ = run("professional_vs_peer", corpus, "counselor_type", ["professional", "peer"], **kw)
        overview.append(row)

    total = time.perf_counter() - t_all
    say("## Overview")
    say()
    say("```")
    say(pd.DataFrame(overview).to_string(index=False))
    say("```")
    say(f"Total run time {total / 60:.1f} min.")
    command = "cd " + str(PROJECT) + " && .venv/bin/python benchmarks/compare_real.py " + " ".join(argv or sys.argv[1:])
    header = [
        "# Group comparisons on real corpora",
        "",
        f"Run {started:%Y-%m-%d %H:%M} on {platform.node() or 'this machine'}: 2 CPU cores (shared), no GPU; "
        f"Python {platform.python_version()}, topics default TopicConfig (seed 42), n_boot={args.n_boot}, "
        f"n_perm={args.n_perm}, comparison seed 0. Raw (uncurated) topics.",
        "",
        f"Command: `{command.strip()}`",
        "",
        "Tables: `benchmarks/results/compare/<contrast>/` (contrasts.csv, divergence.csv, prediction.csv, "
        "positions.csv, drift*.csv, distinctive_words.csv, transitions_*.csv, outcome_*.csv, method.txt, topics.csv).",
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "SUMMARY.md" if not args.only else f"SUMMARY-{'-'.join(chosen)}.md"
    (RESULTS / name).write_text("\n".join(header + LINES) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
