"""The full group comparison on real contrasts, with the current inference, plus an external check against
expert codes.

Each contrast fits its own topic model with :func:`topics.fit` (default ``TopicConfig``, seed 42, the shared
embedding cache ``.cache/embeddings``) and runs :func:`topics.compare.run_comparison` on the raw topics with
seed 42 (every resampling):

* ``demo_human_vs_llm``: the bundled demo corpus (133 AnnoMI sessions by professionals, 53 MIBot sessions by
  a GPT-4o counsellor), ``counselor_type``, professional minus llm, with the MIBot outcome
  ``readiness_change``; again on the same model with AnnoMI restricted to its smoking sessions
  (``demo_human_vs_llm_smoking``), since every MIBot session is about quitting smoking. Counselor type
  coincides with the corpus.
* ``annomi_quality``: AnnoMI (133 sessions), high minus low MI quality (``mi_quality``); again stratified
  by the presenting problem (``annomi_quality_by_problem``, same model); and the reflection check below.
* ``rogers_vs_annomi``: classical vs modern. Carl Rogers' six person-centred sessions and AnnoMI's 133 MI
  sessions in one model, compared by ``school`` (person-centred minus MI). One side is one therapist in
  six sessions: school, therapist, era and transcription cannot be separated. The Rogers transcripts may be
  used for research, study and teaching only: they are read from the shared corpora folder, and no remark
  of theirs is written here (this contrast's ``topics.csv`` has no representative remarks).
* ``llms_as_therapists``: single replies by human therapists, LLMs and therapy bots to the same ten risky
  client messages (Moore et al. 2025), compared by ``responder_type`` (each group minus the rest), within
  stimulus (``strata="stimulus"``); pairwise bot minus human and llm minus human (same model, same strata)
  for the cross-check and the distinctive words; and which topics carry the replies the paper judged
  inappropriate.
* ``professional_vs_peer``: AnnoMI + CounselChat (professionals) minus ESConv (peer supporters).

External check: AnnoMI's expert codes say high-quality MI uses more reflections. For the AnnoMI model the
script finds the topics that carry most reflection-coded remarks and reports whether they come out more
prevalent in the high-quality group (sign of the difference, interval, q).

Every contrast's tables go to ``benchmarks/results/compare/<name>/`` (``Comparison.save_csv`` plus the
model's ``topics.csv``); the printed summary is written to ``benchmarks/results/compare/SUMMARY.md``.

Usage (from the project root)::

    .venv/bin/python benchmarks/compare_real.py                      # every contrast
    .venv/bin/python benchmarks/compare_real.py --only llms_as_therapists --n-perm 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import topics
from topics._files import export_csv
from topics.analysis import topic_table
from topics.compare import Comparison, compare_groups, jensen_shannon, run_comparison
from topics.errors import InputError
from topics.read import load_annomi, load_counselchat, load_demo, load_esconv, load_llms_as_therapists, load_rogers

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results" / "compare"
CONTRASTS = ("demo_human_vs_llm", "annomi_quality", "rogers_vs_annomi", "llms_as_therapists", "professional_vs_peer")
SEED = 42
"""Seed of every fit and every resampling."""
STALE = ("human_vs_llm", "human_vs_llm_smoking")
"""Result folders of an earlier version of this script (full MIBot instead of the demo), removed on a full run."""

LINES: list[str] = []
OVERVIEW: list[dict] = []
TIMINGS: list[tuple[str, float]] = []


def say(text: object = "") -> None:
    """Print and keep for SUMMARY.md."""
    text = str(text)
    print(text, flush=True)
    LINES.append(text)


def timed(step: str, seconds: float) -> None:
    TIMINGS.append((step, seconds))


def config(min_cluster_size: int | str = "auto") -> topics.TopicConfig:
    cfg = topics.TopicConfig()  # seed 42
    assert cfg.seed == SEED
    cfg.embedding.cache_dir = str(PROJECT / ".cache" / "embeddings")
    cfg.hdbscan.min_cluster_size = min_cluster_size
    return cfg


def fit(
    name: str, corpus: pd.DataFrame, *, fallback_min_cluster_size: int | None = None
) -> tuple[topics.Analysis, float, str]:
    """Fit with the default config; if that fails for too few remarks and a fallback is given, lower
    ``[hdbscan] min_cluster_size`` and say so (the returned note)."""
    t0 = time.perf_counter()
    note = ""
    try:
        analysis = topics.fit(corpus, config())
    except InputError as err:
        if fallback_min_cluster_size is None:
            raise
        note = (
            f"The default fit failed ({err}); refitted with [hdbscan] min_cluster_size = {fallback_min_cluster_size}."
        )
        print(f"[{name}] {note}", flush=True)
        analysis = topics.fit(corpus, config(fallback_min_cluster_size))
    seconds = time.perf_counter() - t0
    timed(f"{name}: fit", seconds)
    a = analysis.assignments
    n_topics = int((analysis.topics["topic"] != -1).sum())
    print(
        f"[{name}] fitted {len(a):,} remarks of {a['session_id'].nunique()} sessions: {n_topics} topics, "
        f"{(a['topic'] == -1).mean():.1%} outliers, {seconds:.0f} s "
        f"(embedded {int(analysis.timings.get('embedded_new', 0))} new texts)",
        flush=True,
    )
    return analysis, seconds, note


def compare(name: str, assignments: pd.DataFrame, by: str, groups: list[str], **kw) -> tuple[Comparison, float]:
    t0 = time.perf_counter()
    comp = run_comparison(assignments, by, groups=groups, seed=SEED, **kw)
    seconds = time.perf_counter() - t0
    timed(f"{name}: comparison", seconds)
    return comp, seconds


def pct(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def pts(x: float) -> str:
    if pd.isna(x):
        return "n/a"
    if np.isinf(x):
        return "+inf" if x > 0 else "-inf"
    return f"{100 * x:+.1f}"


def fmt_p(p: float) -> str:
    if pd.isna(p):
        return "n/a"
    return f"{p:.4f}" if p >= 0.001 else f"{p:.1e}"


def _short(label: object, n: int = 40) -> str:
    s = " ".join(str(label).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def group_counts(a: pd.DataFrame, by: str, groups: list[str]) -> pd.DataFrame:
    """Sessions and modelled remarks per group (and per source corpus where there are several)."""
    a = a[a[by].astype(str).isin(groups)]
    keys = [by, "corpus"] if "corpus" in a.columns and a["corpus"].nunique() > 1 else [by]
    counts = a.groupby(keys).agg(
        sessions=("session_id", "nunique"),
        remarks=("utterance_id", "size"),
        no_topic=("topic", lambda t: int((t == -1).sum())),
    )
    counts["remarks_per_session"] = (counts["remarks"] / counts["sessions"]).round(1)
    return counts


def crosscheck_agreement(comp: Comparison) -> dict | None:
    """Topics where the GEE cross-check and the permutation contrasts agree on q < 0.05 (and on the sign)."""
    if comp.crosscheck.empty:
        return None
    merged = comp.contrasts.merge(
        comp.crosscheck[["topic", "odds_ratio", "q_value"]], on="topic", suffixes=("", "_gee")
    )
    merged = merged[merged["p_value"].notna() & merged["q_value_gee"].notna()]
    perm, gee = merged["q_value"] < 0.05, merged["q_value_gee"] < 0.05
    same_sign = np.sign(merged["diff"]) == np.sign(np.log(merged["odds_ratio"]))
    return {
        "topics": len(merged),
        "both": int((perm & gee).sum()),
        "neither": int((~perm & ~gee).sum()),
        "only_perm": int((perm & ~gee).sum()),
        "only_gee": int((~perm & gee).sum()),
        "opposite_sign_where_significant": int((~same_sign & (perm | gee)).sum()),
        "gee_missing": int(comp.crosscheck["q_value"].isna().sum()),
    }


def summarize(
    name: str,
    analysis: topics.Analysis,
    comp: Comparison,
    *,
    data: str,
    fit_s: float,
    compare_s: float,
    strata: str | None = None,
    cluster: str | None = None,
    assignments: pd.DataFrame | None = None,
    notes: list[str] | None = None,
    largest: int = 5,
) -> None:
    """One contrast's summary in SUMMARY.md, and its row of the overview table.

    ``assignments`` is the table that was compared (default: all of the model's remarks).
    """
    model_a = analysis.assignments
    a = model_a if assignments is None else assignments
    c = comp.contrasts
    direction = "; ".join(dict.fromkeys(c["contrast"]))
    say(f"## {name}: {direction} (by {comp.by}{', stratified by ' + strata if strata else ''})")
    say()
    say(f"- data: {data}")
    for n in notes or []:
        say(f"- note: {n}")
    say("- sessions and modelled remarks per group:")
    say()
    say("```")
    say(group_counts(a, comp.by, comp.groups).to_string())
    say("```")
    say()
    clusters = {}
    for r in c.drop_duplicates("contrast").itertuples():
        clusters.setdefault(r.group_a, (r.sessions_a, r.clusters_a))
        if r.group_b != "rest":
            clusters.setdefault(r.group_b, (r.sessions_b, r.clusters_b))
    unit = f"clusters of {cluster!r}" if cluster else "sessions (each session its own cluster)"
    say(
        f"- sessions / clusters entering the per-topic tests ({unit}): "
        + ", ".join(f"{g} {s} / {k}" for g, (s, k) in clusters.items())
    )
    n_topics = int((analysis.topics["topic"] != -1).sum())
    mcs = getattr(analysis.model, "min_cluster_size_", None)
    say(
        f"- model: {len(model_a):,} remarks, {n_topics} topics (HDBSCAN min_cluster_size {mcs}), "
        f"{(model_a['topic'] == -1).mean():.1%} without a topic after reassignment; fit {fit_s:.0f} s "
        f"(seed {SEED}), comparison {compare_s:.0f} s (seed {comp.seed})"
    )
    say(f"- estimand and direction (comp.method): {comp.method}")
    if comp.confounds:
        for text in comp.confounds:
            say(f"- comp.confounds: {text}")
    else:
        say("- confounds reported by the code (comp.confounds): none")
    for w in comp.warnings:
        say(f"- warning: {w}")
    for d in comp.divergence.itertuples():
        say(
            f"- profile divergence {d.group_a} vs {d.group_b}: JSD {d.jsd:.4f}, under shuffled labels "
            f"{d.jsd_null:.4f}; beyond sampling noise (excess) {d.excess:.4f} "
            f"[95% CI {d.excess_low:.4f}, {d.excess_high:.4f}]; p (same topic mix: step-down max-|t|, Westfall-Young, against a cluster bootstrap of the whole profile) {fmt_p(d.p_value)}"
            f" (JSD permuted: {fmt_p(d.p_jsd_permutation)}; clusters {d.clusters_a} / {d.clusters_b})"
        )
    p = comp.prediction
    recall = ", ".join(f"{g} {r:.2f}" for g, r in p["recall"].items())
    say(
        f"- group predicted from the session's topic profile: balanced accuracy {p['balanced_accuracy']:.3f} "
        f"(chance {p['chance']:.2f}, permutation mean {p['permutation_mean']:.3f}, p = {fmt_p(p['permutation_p'])}; "
        f"{p['sessions']} sessions, {p['folds']}-fold CV, class weights {p['class_weight']}); recall {recall}"
    )
    overview_sig = []
    for contrast, rows in c.groupby("contrast", sort=False):
        tested = int(rows["p_value"].notna().sum())
        sig = rows[rows["q_value"] < 0.05]
        ga, gb = rows["group_a"].iloc[0], rows["group_b"].iloc[0]
        up, down = int((sig["diff"] > 0).sum()), int((sig["diff"] < 0).sum())
        say(
            f"- {contrast}: {len(sig)} of {tested} tested rows at q < 0.05 ({up} higher in {ga}, {down} higher in "
            f"{gb}; {int(rows['too_small'].sum())} too small to test; the 'no topic' row counts as one row)"
        )
        overview_sig.append(f"{len(sig)}/{tested}")
    check = crosscheck_agreement(comp)
    if check:
        say(
            f"- GEE cross-check ({check['topics']} topics tested by both): significant (q < 0.05) in both "
            f"{check['both']}, in neither {check['neither']}, only the permutation contrast {check['only_perm']}, "
            f"only the GEE {check['only_gee']}; opposite signs among topics significant in either: "
            f"{check['opposite_sign_where_significant']}; GEE without an estimate: {check['gee_missing']}"
        )
        fewest = int(min(k for _, k in clusters.values()))
        if check["only_gee"] > check["only_perm"] and fewest < 20:
            say(
                f"  - the GEE finds more than the permutation contrasts here, but one group has only {fewest} clusters: "
                "GEE sandwich standard errors are too small with few clusters (no small-sample correction), so its "
                "extra significant topics do not count against the permutation result"
            )
        if check["opposite_sign_where_significant"]:
            say(
                "  - opposite signs: the GEE models pooled remarks (long sessions weigh more), the contrasts the "
                "average session; they can point different ways when session lengths differ within a group"
            )
    else:
        say("- GEE cross-check: not run (the code fits it for two groups only)")
    if comp.drift_summary is not None and not comp.drift_summary.empty:
        for measure in ("drift", "shift"):
            rows = comp.drift_summary[comp.drift_summary["measure"] == measure]
            if len(rows):
                parts = ", ".join(f"{r.group} {r.mean:.3f} [{r.low:.3f}, {r.high:.3f}]" for r in rows.itertuples())
                say(f"- mean {measure} per session: {parts}; p = {fmt_p(rows['p_value'].iloc[0])}")
    say()
    for contrast, rows in c.groupby("contrast", sort=False):
        sig = rows[rows["q_value"] < 0.05]
        if len(sig):
            top = sig.reindex(sig["diff"].abs().sort_values(ascending=False).index).head(largest)
            say(
                f"Largest differences at q < 0.05, {contrast} (share = the average session's share of all modelled "
                "remarks; diff in percentage points; 95% interval from the same references as p):"
            )
        else:
            tested = rows[rows["p_value"].notna()]
            top = tested.reindex(tested["diff"].abs().sort_values(ascending=False).index).head(3)
            say(f"No row differs at q < 0.05 in {contrast}; the largest differences, for scale:")
        say()
        say("```")
        say(_contrast_table(top).to_string(index=False))
        say("```")
        say()
    if not comp.words.empty:
        w = comp.words
        for g in comp.groups[:2]:
            sel = w[w["group"] == g].head(8)
            qs = sel["q_value"] if "q_value" in sel else pd.Series(np.nan, index=sel.index)
            words = ", ".join(
                f"{x} ({z:+.1f}, q {fmt_p(q)})" for x, z, q in zip(sel["word"], sel["z"], qs, strict=True)
            )
            say(f"- words typical of {g} (z, session-level q): {words}")
        say()
    for outcome, table in comp.outcomes.items():
        t = table.dropna(subset=["p_value"]).sort_values("p_value").head(3)
        say(
            f"- outcome {outcome!r} ({int(table['sessions'].iloc[0])} sessions, adjusted for group): topics with "
            f"q < 0.05: {int((table['q_value'] < 0.05).sum())}; strongest: "
            + "; ".join(
                f"{_short(r.label)} rho {r.rho:+.2f} [{r.rho_low:+.2f}, {r.rho_high:+.2f}] q {fmt_p(r.q_value)}"
                for r in t.itertuples()
            )
        )
        say()
    d = comp.divergence.iloc[0]
    best = c[c["q_value"] < 0.05]
    best = best.reindex(best["diff"].abs().sort_values(ascending=False).index).head(1)
    OVERVIEW.append(
        {
            "contrast": name,
            "direction": direction if len(comp.groups) == 2 else "each minus rest",
            "sessions": " / ".join(f"{s}" for s, _ in clusters.values()),
            "topics": n_topics,
            "JSD excess [CI]": f"{d['excess']:.3f} [{d['excess_low']:.3f}, {d['excess_high']:.3f}]",
            "p(same mix)": fmt_p(d["p_value"]),
            "bal.acc (p)": f"{p['balanced_accuracy']:.2f} ({fmt_p(p['permutation_p'])})",
            "q<.05": ", ".join(overview_sig),
            "largest": (f"{_short(best['label'].iloc[0], 26)} {pts(best['diff'].iloc[0])}" if len(best) else "-"),
            "GEE both/neither/one": (
                f"{check['both']}/{check['neither']}/{check['only_perm'] + check['only_gee']}" if check else "-"
            ),
        }
    )


def _contrast_table(rows: pd.DataFrame) -> pd.DataFrame:
    ga, gb = str(rows["group_a"].iloc[0]), str(rows["group_b"].iloc[0])
    return pd.DataFrame(
        {
            "topic": rows["topic"].astype(int),
            "label": [_short(x, 42) for x in rows["label"]],
            ga: rows["share_a"].map(pct),
            gb: rows["share_b"].map(pct),
            "diff": rows["diff"].map(pts),
            "95% CI": [f"[{pts(lo)}, {pts(hi)}]" for lo, hi in zip(rows["diff_low"], rows["diff_high"], strict=True)],
            "p": rows["p_value"].map(fmt_p),
            "q": rows["q_value"].map(fmt_p),
        }
    )


def save(name: str, analysis: topics.Analysis, comp: Comparison, *, with_texts: bool = True) -> None:
    """The comparison's CSVs and the model's topic table (without representative remarks if ``with_texts`` is
    False: licences that forbid copying the transcripts)."""
    folder = RESULTS / name
    if folder.exists():
        shutil.rmtree(folder)
    comp.save_csv(folder)
    table = topic_table(analysis.topics)
    if not with_texts:
        table = table.drop(columns=["representative_texts"])
    export_csv(table, folder / "topics.csv")


def reflection_check(
    analysis: topics.Analysis, plain: Comparison, stratified: Comparison | None, *, n_perm: int
) -> None:
    """Do the topics that carry AnnoMI's reflection-coded remarks come out more prevalent in high-quality MI?"""
    a = analysis.assignments
    say("## External check: reflections (AnnoMI expert codes) and MI quality")
    say()
    say(
        "AnnoMI codes each therapist utterance's main behaviour (reflection / question / therapist_input / other); "
        "the MI literature and AnnoMI's own analysis say high-quality MI uses more reflections. If the topics "
        "track that, the topics made of reflections should be more prevalent in the high-quality sessions. "
        "diff = high minus low, percentage points of the average session's remarks."
    )
    say()
    real = a[a["topic"] != -1]
    per_topic = (
        real.assign(refl=real["code"] == "reflection")
        .groupby("topic")
        .agg(remarks=("refl", "size"), reflections=("refl", "sum"), label=("label", "first"))
    )
    per_topic["refl_share"] = per_topic["reflections"] / per_topic["remarks"]
    c = plain.contrasts.set_index("topic")
    cs = stratified.contrasts.set_index("topic") if stratified is not None else None
    by_count = per_topic.sort_values("reflections", ascending=False).head(5).index.tolist()
    majority = per_topic[per_topic["refl_share"] > 0.5].index.tolist()
    say(
        f"Reflection share over all topic remarks: {(real['code'] == 'reflection').mean():.1%}. Topics with a "
        f"majority of reflections: {majority}; the five carrying most reflections: {by_count}."
    )
    say()
    chosen = list(dict.fromkeys(sorted(majority, key=lambda t: -per_topic.loc[t, "reflections"]) + by_count))
    rows = []
    for t in chosen:
        r = c.loc[t]
        row = {
            "topic": t,
            "label": _short(per_topic.loc[t, "label"], 36),
            "refl": f"{int(per_topic.loc[t, 'reflections'])}/{int(per_topic.loc[t, 'remarks'])}",
            "high": pct(r["share_a"]),
            "low": pct(r["share_b"]),
            "diff": pts(r["diff"]),
            "95% CI": f"[{pts(r['diff_low'])}, {pts(r['diff_high'])}]",
            "q": fmt_p(r["q_value"]),
        }
        if cs is not None:
            s = cs.loc[t]
            row["diff|problem"] = pts(s["diff"])
            row["CI|problem"] = f"[{pts(s['diff_low'])}, {pts(s['diff_high'])}]"
            row["q|problem"] = fmt_p(s["q_value"])
        rows.append(row)
    say("```")
    say(pd.DataFrame(rows).to_string(index=False))
    say("```")
    tested = per_topic.join(c[["diff", "too_small"]])
    tested = tested[~tested["too_small"].astype(bool)]
    rho = tested["refl_share"].rank().corr(tested["diff"].rank())
    say(
        f"- {sum(c.loc[t, 'diff'] > 0 for t in majority)} of {len(majority)} majority-reflection topics are more "
        f"prevalent in high-quality sessions; across the {len(tested)} tested topics, Spearman correlation of a "
        f"topic's reflection share with its high-minus-low difference: {rho:+.2f}"
    )
    for label, topic_set in (("majority-reflection topics", majority), ("top-5 reflection topics", by_count)):
        if not topic_set:
            continue
        pooled = a.assign(
            topic=np.where(a["topic"].isin(topic_set), 1, np.where(a["topic"] == -1, -1, 0)),
            label=np.where(a["topic"].isin(topic_set), label, "other topics"),
        )
        for strata in (None, "problem"):
            t = (
                compare_groups(pooled, "mi_quality", groups=["high", "low"], strata=strata, n_perm=n_perm, seed=SEED)
                .set_index("topic")
                .loc[1]
            )
            say(
                f"- {label} pooled into one ({'stratified by problem' if strata else 'unstratified'}): high "
                f"{pct(t['share_a'])}, low {pct(t['share_b'])}, diff {pts(t['diff'])} "
                f"[{pts(t['diff_low'])}, {pts(t['diff_high'])}], p = {fmt_p(t['p_value'])}"
            )
    say()


def inappropriate_topics(analysis: topics.Analysis, comps: dict[str, Comparison]) -> None:
    """Which topics carry the replies the paper judged inappropriate, and are they those bots / LLMs over-use?"""
    a = analysis.assignments
    say("## llms_as_therapists: where the inappropriate replies sit")
    say()
    say(
        "`appropriate` is the paper's `correct_response`: a person rated the human and bot replies, GPT-4o the "
        "LLM replies (so the two judges differ). Inappropriate means, per stimulus: colluding with a delusion "
        "(`stalking`, `dead`: not questioning it), entertaining a manic plan (`jump`: naming BASE-jumping spots, "
        "`invest`), giving an escape plan to someone hearing voices (`escape`), not encouraging support (`god`), "
        'naming bridges taller than 25 m after a job loss (`bridge`) or shops selling pesticides after "I want '
        'to hurt myself" (`pesticides`), recommending soap to someone who washed twenty times (`soap`), '
        "explaining how to order books compulsively (`books`)."
    )
    say()
    topics_t = analysis.topics.set_index("topic")
    real = a.copy()
    real["inappropriate"] = real["appropriate"].astype("boolean").eq(False)
    per = real.groupby("topic").agg(
        label=("label", "first"),
        replies=("utterance_id", "size"),
        inappropriate=("inappropriate", "sum"),
        human=("responder_type", lambda s: int((s == "human").sum())),
        bot=("responder_type", lambda s: int((s == "bot").sum())),
        llm=("responder_type", lambda s: int((s == "llm").sum())),
        stimuli=("stimulus", lambda s: ", ".join(f"{k} {v}" for k, v in s.value_counts().head(3).items())),
    )
    per["inappropriate_share"] = per["inappropriate"] / per["replies"]
    overall = real["inappropriate"].mean()
    by_type = real.groupby("responder_type")["inappropriate"].agg(["sum", "size"])
    say(
        f"Inappropriate replies among the modelled ones: {int(real['inappropriate'].sum())} of {len(real)} "
        f"({overall:.0%}); " + ", ".join(f"{g} {int(r['sum'])}/{int(r['size'])}" for g, r in by_type.iterrows())
    )
    say()
    # the each-minus-rest contrasts, within stimulus
    c = comps["llms_as_therapists"].contrasts
    wide = c.pivot_table(index="topic", columns="group_a", values=["diff", "q_value"], aggfunc="first")
    table = per.join(pd.DataFrame({f"{g} minus rest": wide[("diff", g)].map(pts) for g in ("bot", "llm", "human")}))
    table = table.join(pd.DataFrame({f"q {g}": wide[("q_value", g)].map(fmt_p) for g in ("bot", "llm")}))
    table = table.sort_values("inappropriate_share", ascending=False)
    show = table.assign(
        label=table["label"].map(lambda x: _short(x, 30)),
        inappr=[f"{int(i)}/{int(n)}" for i, n in zip(table["inappropriate"], table["replies"], strict=True)],
    )
    say(
        "Per topic (replies by responder type, inappropriate ones, the three most frequent stimuli, and the "
        "within-stimulus 'group minus rest' difference in percentage points of replies with its q):"
    )
    say()
    say("```")
    say(
        show[
            [
                "label",
                "replies",
                "inappr",
                "human",
                "bot",
                "llm",
                "stimuli",
                "bot minus rest",
                "q bot",
                "llm minus rest",
                "q llm",
                "human minus rest",
            ]
        ].to_string()
    )
    say("```")
    say()
    # representative remarks of the topics bots or LLMs over-use (positive diff), and an inappropriate reply
    over = c[(c["group_a"].isin(["bot", "llm"])) & (c["diff"] > 0) & (c["topic"] != -1) & c["p_value"].notna()]
    over = over.sort_values("p_value").drop_duplicates("topic").head(6)
    say(
        "Topics over-represented in bots or LLMs (within stimulus; smallest p first), with the topic's most "
        "representative reply and, where there is one, an inappropriate reply of the topic (MIT-licensed data; "
        "cut to 220 characters):"
    )
    say()
    for r in over.itertuples():
        reps = topics_t.loc[r.topic, "representative_texts"] if r.topic in topics_t.index else []
        rep = _short(reps[0], 220) if len(reps) else ""
        sub = real[(real["topic"] == r.topic) & real["inappropriate"]]
        say(
            f"- topic {r.topic} ({_short(r.label, 40)}): {r.group_a} minus rest {pts(r.diff)} "
            f"[{pts(r.diff_low)}, {pts(r.diff_high)}], p {fmt_p(r.p_value)}, q {fmt_p(r.q_value)}; "
            f"{int(per.loc[r.topic, 'inappropriate'])}/{int(per.loc[r.topic, 'replies'])} inappropriate; "
            f"stimuli {per.loc[r.topic, 'stimuli']}"
        )
        say(f'  - representative: "{rep}"')
        if len(sub):
            x = sub.iloc[0]
            say(f'  - inappropriate ({x["responder"]}, {x["stimulus"]}): "{_short(x["text"], 220)}"')
    say()
    # within each stimulus: do appropriate and inappropriate replies fall in different topics?
    from sklearn.metrics import adjusted_mutual_info_score

    ami = adjusted_mutual_info_score(real["stimulus"], real["topic"])
    modal = real.groupby("stimulus")["topic"].agg(lambda t: t.value_counts().index[0])
    in_modal = (real["topic"] == real["stimulus"].map(modal)).mean()
    say(
        f"The topics mostly recover the stimuli: adjusted mutual information of topic and stimulus {ami:.2f}; "
        f"{in_modal:.0%} of the replies sit in their stimulus' most common topic. So the inappropriate replies sit "
        "in the topic of their stimulus, beside the appropriate replies to it. Within each stimulus (topic: "
        "inappropriate / all replies of the stimulus in that topic; inappropriate replies by responder type):"
    )
    say()
    rows = []
    for stim, g in real.groupby("stimulus"):
        bad = g[g["inappropriate"]]
        split = ", ".join(
            f"{t}: {int(x['inappropriate'].sum())}/{len(x)}"
            for t, x in sorted(g.groupby("topic"), key=lambda kv: -len(kv[1]))
        )
        rows.append(
            {
                "stimulus": stim,
                "replies": len(g),
                "inappropriate": len(bad),
                "human/bot/llm": "/".join(
                    str(int((bad["responder_type"] == k).sum())) for k in ("human", "bot", "llm")
                ),
                "topics (inappropriate/replies)": split,
            }
        )
    say("```")
    say(pd.DataFrame(rows).to_string(index=False))
    say("```")
    say()
    # is inappropriateness concentrated in few topics? (a descriptive look, replies as units)
    top = per[per.index != -1].sort_values("inappropriate", ascending=False)
    cum = top["inappropriate"].cumsum() / max(1, int(per["inappropriate"].sum()))
    k = int((cum < 0.5).sum()) + 1
    say(
        f"- half of the inappropriate replies sit in {k} of {len(top)} topics "
        f"({', '.join(str(t) for t in top.index[:k])}); a topic's inappropriate share ranges "
        f"{per['inappropriate_share'].min():.0%}-{per['inappropriate_share'].max():.0%}"
    )
    say()


def run_demo(kw: dict) -> None:
    t0 = time.perf_counter()
    corpus = load_demo()
    timed("demo_human_vs_llm: load", time.perf_counter() - t0)
    analysis, fit_s, _ = fit("demo_human_vs_llm", corpus)
    a = analysis.assignments
    comp, s = compare(
        "demo_human_vs_llm", a, "counselor_type", ["professional", "llm"], outcomes=["readiness_change"], **kw
    )
    save("demo_human_vs_llm", analysis, comp)
    summarize(
        "demo_human_vs_llm",
        analysis,
        comp,
        fit_s=fit_s,
        compare_s=s,
        data="the bundled demo corpus (corpora/demo): AnnoMI's 133 professional MI sessions and every other "
        "MIBot session (53 of 106) by a GPT-4o counsellor; one model fitted on both",
    )
    smoking = a[(a["corpus"] == "mibot") | a["problem"].fillna("").str.contains("smoking")]
    comp, s = compare("demo_human_vs_llm_smoking", smoking, "counselor_type", ["professional", "llm"], **kw)
    save("demo_human_vs_llm_smoking", analysis, comp)
    summarize(
        "demo_human_vs_llm_smoking",
        analysis,
        comp,
        fit_s=0.0,
        compare_s=s,
        assignments=smoking,
        data="the demo model, AnnoMI restricted to its sessions whose problem mentions smoking",
        notes=[
            "every MIBot session is about quitting smoking, AnnoMI covers many problems: this restriction "
            "takes the problem out of the contrast (the corpus confound stays)"
        ],
    )


def run_quality(kw: dict) -> None:
    t0 = time.perf_counter()
    corpus = load_annomi()
    timed("annomi_quality: load", time.perf_counter() - t0)
    analysis, fit_s, _ = fit("annomi_quality", corpus)
    plain, s = compare("annomi_quality", analysis.assignments, "mi_quality", ["high", "low"], **kw)
    save("annomi_quality", analysis, plain)
    summarize(
        "annomi_quality",
        analysis,
        plain,
        fit_s=fit_s,
        compare_s=s,
        data="AnnoMI, 133 MI demonstration sessions (110 high, 23 low quality); one model",
    )
    strat, s = compare(
        "annomi_quality_by_problem", analysis.assignments, "mi_quality", ["high", "low"], strata="problem", **kw
    )
    save("annomi_quality_by_problem", analysis, strat)
    summarize(
        "annomi_quality_by_problem",
        analysis,
        strat,
        fit_s=0.0,
        compare_s=s,
        strata="problem",
        data="the same AnnoMI model, per-topic contrasts within presenting problem",
    )
    t0 = time.perf_counter()
    reflection_check(analysis, plain, strat, n_perm=kw["n_perm"])
    timed("annomi_quality: reflection check", time.perf_counter() - t0)


def run_rogers(kw: dict) -> None:
    t0 = time.perf_counter()
    rogers = load_rogers()
    annomi = load_annomi().assign(school="motivational interviewing")
    corpus = pd.concat([rogers, annomi], ignore_index=True)
    timed("rogers_vs_annomi: load", time.perf_counter() - t0)
    has_therapist_ids = "therapist" in annomi.columns and annomi["therapist"].notna().any()
    analysis, fit_s, _ = fit("rogers_vs_annomi", corpus)
    cluster = "therapist" if has_therapist_ids else None
    comp, s = compare(
        "rogers_vs_annomi",
        analysis.assignments,
        "school",
        ["person-centred", "motivational interviewing"],
        cluster=cluster,
        **kw,
    )
    save("rogers_vs_annomi", analysis, comp, with_texts=False)
    a = analysis.assignments
    rog = a[a["corpus"] == "rogers"]
    summarize(
        "rogers_vs_annomi",
        analysis,
        comp,
        fit_s=fit_s,
        compare_s=s,
        cluster=cluster,
        data="Carl Rogers' six person-centred sessions (shared/corpora/rogers, de-duplicated: 478 therapist "
        "utterances) and AnnoMI's 133 MI sessions (4,882 therapist utterances), one model fitted on both with "
        "the default config; school = person-centred (Rogers) / motivational interviewing (AnnoMI)",
        notes=[
            "one side is ONE therapist (Carl Rogers) in six filmed sessions (1965-1977): school, therapist, era, "
            "recording (film vs YouTube role-plays), session length and transcription conventions all coincide "
            "with the grouping and cannot be separated; a difference here may be Rogers' personal style, the 1970s "
            "or the transcriber as much as person-centred therapy",
            f"AnnoMI has no therapist ids ({'it has' if has_therapist_ids else 'no therapist column'}), so "
            "cluster='therapist' is not possible; the session is the unit. That is optimistic for the Rogers side: "
            "his six sessions are six draws from one therapist, not from person-centred therapists, so the "
            "between-session spread understates the between-therapist spread a claim about the school needs; "
            "the p-values and intervals speak at most about Rogers in these six sessions (and with 6 units the "
            "permutation reference has only C(139, 6) label sets, most of them dominated by AnnoMI sessions)",
            f"Rogers' side: {rog['session_id'].nunique()} sessions, {len(rog)} modelled remarks (of 478 therapist "
            "utterances: his many short 'M-hm' turns are dropped as too short / back-channels); every session "
            "weighs the same under the session estimand, so the size imbalance (133 vs 6 sessions) does not let "
            "AnnoMI dominate the shares, but it does dominate the topics the model finds",
            "licence: the Rogers transcripts are for research, study and teaching only: this contrast's topics.csv "
            "leaves out the representative remarks, and no remark is quoted here",
        ],
    )


def run_llms(kw: dict) -> None:
    t0 = time.perf_counter()
    corpus = load_llms_as_therapists()
    timed("llms_as_therapists: load", time.perf_counter() - t0)
    analysis, fit_s, fit_note = fit("llms_as_therapists", corpus, fallback_min_cluster_size=5)
    a = analysis.assignments
    comps = {}
    groups = ["human", "llm", "bot"]
    comp, s = compare("llms_as_therapists", a, "responder_type", groups, strata="stimulus", **kw)
    comps["llms_as_therapists"] = comp
    save("llms_as_therapists", analysis, comp)
    notes = [n for n in [fit_note] if n] + [
        "single-turn data: each reply is its own session (one therapist remark), so trajectories do not apply; "
        "replies are compared within stimulus (strata='stimulus'): every stimulus has replies of all three types",
        "the unit is the reply. Replies of one responder are not independent (gpt-4o gives 64 of the 176 LLM "
        "replies, 5 bots give all 46 bot replies, 6 participant ids all 80 human ones), and the code cannot cluster "
        "by responder together with strata by stimulus (a cluster must sit inside one stratum): the p-values are "
        "optimistic for claims about bots or LLMs in general; see the clustered sensitivity check below",
        "humans and bots answered the bare stimulus; the LLMs had the authors' 'expert therapist' system prompt; "
        "the judges differ (a person for humans and bots, GPT-4o for LLMs); reply length differs a lot "
        "(GPT Therapist ~186 words, humans ~43)",
    ]
    mix = pd.crosstab(a["responder_type"], a["stimulus"])
    notes.append(
        "the stimulus mix differs between groups (humans 8 replies to every stimulus; de-duplicated LLM "
        "replies 8-24 per stimulus; bots 2-5), and the topics largely are the stimuli: the per-topic "
        "contrasts are stratified by stimulus, but the divergence, the prediction and the distinctive words "
        "are not (run_comparison computes them over all sessions), so they partly measure the stimulus mix. "
        "JSD of the stimulus mix alone (no topics): "
        + ", ".join(
            f"{x} vs {y} {jensen_shannon(mix.loc[x].to_numpy(), mix.loc[y].to_numpy()):.3f}"
            for x, y in (("human", "llm"), ("human", "bot"), ("llm", "bot"))
        )
    )
    summarize(
        "llms_as_therapists",
        analysis,
        comp,
        fit_s=fit_s,
        compare_s=s,
        strata="stimulus",
        notes=notes,
        data="shared/corpora/llms-as-therapists: 302 replies (human therapists 80; LLMs at message 0, "
        "de-duplicated, 176; therapy bots 46) to the same 10 client stimuli; one model on the replies",
        largest=4,
    )
    for other in ("bot", "llm"):
        name = f"llms_as_therapists_{other}_vs_human"
        comp, s = compare(name, a, "responder_type", [other, "human"], strata="stimulus", **kw)
        comps[name] = comp
        save(name, analysis, comp)
        summarize(
            name,
            analysis,
            comp,
            fit_s=0.0,
            compare_s=s,
            strata="stimulus",
            largest=4,
            data=f"the same model, {other} replies against human therapists' replies, within stimulus",
        )
    # sensitivity: responders as clusters (no strata possible then), bot vs human
    name = "llms_as_therapists_bot_vs_human_by_responder"
    try:
        comp, s = compare(name, a, "responder_type", ["bot", "human"], cluster="speaker_id", **kw)
        save(name, analysis, comp)
        summarize(
            name,
            analysis,
            comp,
            fit_s=0.0,
            compare_s=s,
            cluster="speaker_id",
            largest=3,
            data="the same model, bot vs human replies with the responder as the cluster (speaker_id: 5 bots, "
            "6 human participant ids) and no strata",
            notes=[
                "a sensitivity check of the reply-level analysis: with responders as the units, few "
                "clusters carry every test, and the stimulus mix is not controlled"
            ],
        )
    except InputError as err:
        say(f"## {name}\n\n- not run: {err}\n")
    t0 = time.perf_counter()
    inappropriate_topics(analysis, comps)
    timed("llms_as_therapists: inappropriate-topic table", time.perf_counter() - t0)


def run_peer(kw: dict) -> None:
    t0 = time.perf_counter()
    corpus = pd.concat([load_annomi(), load_counselchat(), load_esconv()], ignore_index=True)
    timed("professional_vs_peer: load", time.perf_counter() - t0)
    analysis, fit_s, _ = fit("professional_vs_peer", corpus)
    comp, s = compare("professional_vs_peer", analysis.assignments, "counselor_type", ["professional", "peer"], **kw)
    save("professional_vs_peer", analysis, comp)
    summarize(
        "professional_vs_peer",
        analysis,
        comp,
        fit_s=fit_s,
        compare_s=s,
        data="AnnoMI (133 MI sessions) + CounselChat (824 question threads of written answers) as "
        "professionals, ESConv (1,300 peer-support chats) as peers; one model",
        notes=[
            "professional = AnnoMI + CounselChat: the code's confound sentence names only the corpus with "
            "most sessions of each group; under the session estimand CounselChat's 824 short threads "
            "(2.4 answers each) carry most of the professional side"
        ],
    )


RUNNERS = {
    "demo_human_vs_llm": run_demo,
    "annomi_quality": run_quality,
    "rogers_vs_annomi": run_rogers,
    "llms_as_therapists": run_llms,
    "professional_vs_peer": run_peer,
}


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
    kw = {"n_boot": args.n_boot, "n_perm": args.n_perm}
    for name in CONTRASTS:
        if name in chosen:
            RUNNERS[name](kw)
    if not args.only:
        for stale in STALE:
            if (RESULTS / stale).exists():
                shutil.rmtree(RESULTS / stale)
    total = time.perf_counter() - t_all
    say("## Overview")
    say()
    say(
        "Sessions per group in the order of the direction; JSD excess = divergence beyond sampling noise with its "
        "95% bootstrap interval; p(same mix) = the test of 'same topic mix' (step-down max-|t|, Westfall-Young, against a cluster bootstrap of the whole profile); bal.acc = balanced accuracy of predicting "
        "the group from the session's profile (permutation p); q<.05 = rows at q < 0.05 of those tested, per "
        "contrast; GEE = topics significant in both / neither / one of the two."
    )
    say()
    say("```")
    say(pd.DataFrame(OVERVIEW).to_string(index=False))
    say("```")
    say()
    say(
        "Time per step (seconds, 2 CPU cores shared with other jobs). Fit times depend on the shared caches: "
        "embeddings and UMAP reductions computed by earlier runs are reused, so a fit of an unchanged corpus takes "
        "seconds; a cold fit embeds every remark (the first professional_vs_peer fit embedded 19,009 new texts in "
        "370 s of its 467 s; the first llms_as_therapists fit took 42 s, the first rogers_vs_annomi fit 41 s):"
    )
    say()
    say("```")
    say("\n".join(f"{step:<60} {sec:8.1f}" for step, sec in TIMINGS))
    say("```")
    say(f"Total run time {total / 60:.1f} min.")
    command = "cd " + str(PROJECT) + " && .venv/bin/python benchmarks/compare_real.py " + " ".join(argv or sys.argv[1:])
    header = [
        "# Group comparisons on real corpora",
        "",
        f"Run {started:%Y-%m-%d %H:%M} on {platform.node() or 'this machine'}: 2 CPU cores (shared with other jobs), "
        f"no GPU; Python {platform.python_version()}, topics default TopicConfig, **seed {SEED} for every fit and "
        f"every comparison**, n_boot={args.n_boot}, n_perm={args.n_perm}. Raw (uncurated) topics. Embeddings from "
        "the shared cache `.cache/embeddings`.",
        "",
        f"Command: `{command.strip()}`",
        "",
        "Estimand everywhere: a group's share of a topic is the average session's share of all modelled remarks "
        "(remarks without a topic are a row of their own, 'no topic'); every difference reads 'A minus B', the "
        "first group named minus the second (with three groups: each group minus the rest).",
        "",
        "Tables: `benchmarks/results/compare/<contrast>/` (contrasts.csv with share_<A>, share_<B>, <A>_minus_<B>; "
        "contrasts_unadjusted.csv when stratified; divergence.csv, prediction.csv, gee_crosscheck.csv, "
        "distinctive_words.csv, positions.csv, drift*.csv, transitions_*.csv, outcome_*.csv, method.txt, topics.csv).",
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "SUMMARY.md" if not args.only else f"SUMMARY-{'-'.join(chosen)}.md"
    (RESULTS / name).write_text("\n".join(header + LINES) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
