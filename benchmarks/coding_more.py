"""Deductive coding on MIBot and CounselChat (issue 26), the learning curves of all four corpora.

Extends ``benchmarks/coding.py`` (AnnoMI, ESConv) with the same conditions, and shares its functions:

* **MIBot** counsellor remarks (an LLM counsellor, GPT-4o, with real smokers) with their AutoMISC codes R / Q /
  MICO / MIIN / Other, coded with ``topics/coding/data/mibot_misc.toml`` (reflection, question, MI-consistent,
  MI-inconsistent, other). **These codes were assigned by a model (AutoMISC, an LLM), not by human coders**:
  agreement with them is agreement with another model. Held-out remarks: 30% of the sessions, drawn with the
  seed. Also a cross-corpus row: the AnnoMI coder (codebook ``annomi_behaviour.toml``, trained on every AnnoMI
  therapist remark) applied to MIBot's held-out remarks, against MIBot's codes mapped onto AnnoMI's four
  (R -> reflection, Q -> question, MICO and MIIN -> input, Other -> other; and, since MICO is mostly
  affirmation and support, which AnnoMI counts as "other", a second mapping MICO -> other), beside a coder
  trained on MIBot's own pool with the same four codes.
* **CounselChat** answers of licensed therapists, coded with the category the *question* was filed under on the
  forum (``topics/coding/data/counselchat_topics.toml``). Questions listed under two categories are left out;
  categories with fewer than 30 answers are dropped; held-out answers: 30% of the questions of each category
  (answers to one question are never on both sides). Answers are long (median about 800 characters): the
  embedder reads the first ``max_seq_length`` word pieces of each.

Conditions on the same held-out remarks, as in ``coding.py``: the majority class of the pool, BERTopic's
``zeroshot_topic_list`` (code names, min similarity 0.7 and 0.3), zero-shot, few-shot with 10 / 25 / 50 / 100
labelled remarks per code (``--draws`` random draws), the ceiling (every pool label), the ceiling not calibrated.
Kappa and macro-F1 with 95% intervals from a bootstrap over held-out sessions (questions).

Then ``benchmarks/results/coding/learning_curves.html`` (and ``.png`` through kaleido when a browser is there):
kappa against labels per code for all four corpora, AnnoMI and ESConv read from ``results.csv`` (written by
``coding.py``), MIBot and CounselChat from this run's ``results_more.csv``.

Run: ``.venv/bin/python benchmarks/coding_more.py [--draws 5] [--figure-only]``. Prints markdown tables; writes
every draw to ``benchmarks/results/coding/results_more.csv``.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from coding import DATA, PROJECT, SEED, curve, form_probe, print_table, run_task
from plotly.subplots import make_subplots

from topics.coding import Codebook, Coder, cohen_kappa, confusion, macro_f1, per_code
from topics.config import EmbeddingConfig
from topics.embed import Embedder
from topics.read.public import load_annomi, load_counselchat, load_mibot

OUT = PROJECT / "benchmarks" / "results" / "coding"
MISC = {"R": "reflection", "Q": "question", "MICO": "MI-consistent", "MIIN": "MI-inconsistent", "Other": "other"}
"""MIBot's AutoMISC labels -> the code names of ``mibot_misc.toml``."""
TO_ANNOMI = {
    "as briefed (MICO, MIIN -> input)": {
        "R": "reflection",
        "Q": "question",
        "MICO": "input",
        "MIIN": "input",
        "Other": "other",
    },
    "MICO -> other, MIIN -> input": {
        "R": "reflection",
        "Q": "question",
        "MICO": "other",
        "MIIN": "input",
        "Other": "other",
    },
}
"""MIBot's AutoMISC labels -> AnnoMI's behaviour codes, two ways."""
FAMILIES = {
    "depression": "mood",
    "anxiety": "mood",
    "intimacy": "couples",
    "relationships": "couples",
    "marriage": "couples",
    "relationship-dissolution": "couples",
    "parenting": "family",
    "family-conflict": "family",
}
"""CounselChat categories that overlap in meaning, merged to measure what the overlap costs."""


def split_sessions(table: pd.DataFrame, share: float, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pool and the held-out remarks: ``share`` of the sessions drawn with ``seed``."""
    sessions = np.array(sorted(table["session_id"].unique()))
    test = set(np.random.default_rng(seed).permutation(sessions)[: round(share * len(sessions))])
    held = table["session_id"].isin(test)
    return table[~held].reset_index(drop=True), table[held].reset_index(drop=True)


def mibot_task(test_share: float = 0.3, max_sessions: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, Codebook]:
    """MIBot counsellor remarks with their AutoMISC code (``misc``) and the codebook name (``code``)."""
    m = load_mibot()
    m = m[(m["role"] == "therapist") & m["code"].isin(list(MISC))].copy()
    if max_sessions:
        keep = np.random.default_rng(SEED).permutation(np.array(sorted(m["session_id"].unique())))[:max_sessions]
        m = m[m["session_id"].isin(set(keep))]
    m["misc"] = m["code"]
    m["code"] = m["code"].map(MISC)
    pool, test = split_sessions(m, test_share)
    return pool, test, Codebook.load(DATA / "mibot_misc.toml")


def counselchat_task(
    test_share: float = 0.3, min_answers: int = 30
) -> tuple[pd.DataFrame, pd.DataFrame, Codebook, dict]:
    """CounselChat answers coded with their question's category (one-category questions, frequent categories)."""
    c = load_counselchat()
    a = c[c["role"] == "therapist"].copy()
    info: dict = {"answers": len(a), "questions": a["session_id"].nunique()}
    two = a["topics"].str.contains(";", regex=False)
    info["two_category_questions"] = a.loc[two, "session_id"].nunique()
    info["two_category_answers"] = int(two.sum())
    a = a[~two]
    counts = a["problem"].value_counts()
    kept = counts[counts >= min_answers]
    dropped = counts[counts < min_answers]
    info.update(
        categories_seen=len(counts),
        categories_kept=len(kept),
        categories_dropped=len(dropped),
        answers_dropped=int(dropped.sum()),
        dropped=", ".join(f"{k} {v}" for k, v in dropped.items()),
    )
    a = a[a["problem"].isin(set(kept.index))].copy()
    a["code"] = a["problem"]
    full = Codebook.load(DATA / "counselchat_topics.toml")
    book = Codebook([code for code in full.codes if code.name in set(kept.index)], name=full.name)
    missing = set(kept.index) - set(book.names)
    if missing:
        raise SystemExit(f"counselchat_topics.toml lacks the categories {sorted(missing)}")
    pool, test = split_questions(a, test_share)
    sizes = a.groupby("session_id").size()
    info.update(
        n=len(a),
        questions_kept=a["session_id"].nunique(),
        answers_per_question=f"median {sizes.median():.0f}, max {sizes.max()}",
    )
    return pool, test, book, info


def split_questions(table: pd.DataFrame, share: float, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like :func:`split_sessions`, stratified by code: ``share`` of each category's questions held out.

    A question has one category, so every category is on both sides (a plain draw of questions left one
    category with no held-out answer).
    """
    rng = np.random.default_rng(seed)
    test: set[str] = set()
    for _, group in table.groupby("code", sort=True):
        questions = np.array(sorted(group["session_id"].unique()))
        test |= set(rng.permutation(questions)[: max(1, round(share * len(questions)))])
    held = table["session_id"].isin(test)
    return table[~held].reset_index(drop=True), table[held].reset_index(drop=True)


def intervals(
    truth: pd.Series | np.ndarray,
    predicted: np.ndarray,
    clusters: pd.Series,
    codes: list[str],
    n_boot: int = 500,
    seed: int = 0,
) -> dict[str, float]:
    """Kappa and macro-F1 with 95% intervals from a bootstrap over clusters (sessions or questions)."""
    t = np.asarray(truth, dtype=object).astype(str)
    p = np.asarray(predicted, dtype=object).astype(str)
    members = list(pd.Series(np.arange(len(t))).groupby(np.asarray(clusters).astype(str)).indices.values())
    rng = np.random.default_rng(seed)
    kappas, f1s = [], []
    for _ in range(n_boot):
        idx = np.concatenate([members[j] for j in rng.integers(0, len(members), len(members))])
        kappas.append(cohen_kappa(t[idx], p[idx]))
        f1s.append(macro_f1(t[idx], p[idx], codes))
    k_lo, k_hi = np.nanquantile(kappas, [0.025, 0.975])
    f_lo, f_hi = np.nanquantile(f1s, [0.025, 0.975])
    return {
        "kappa": cohen_kappa(t, p),
        "kappa_low": float(k_lo),
        "kappa_high": float(k_hi),
        "macro_f1": macro_f1(t, p, codes),
        "macro_f1_low": float(f_lo),
        "macro_f1_high": float(f_hi),
        "accuracy": float(np.mean(t == p)),
    }


def cross_corpus(
    embedder: Embedder, pool: pd.DataFrame, test: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The AnnoMI coder on MIBot's held-out remarks, against MIBot's codes mapped to AnnoMI's four."""
    book = Codebook.load(DATA / "annomi_behaviour.toml")
    a = load_annomi()
    a = a[(a["role"] == "therapist") & a["code"].notna()].copy()
    a["code"] = a["code"].replace({"therapist_input": "input"})
    x_a = embedder.embed(a["text"].tolist())
    x_pool = embedder.embed(pool["text"].tolist())
    x_test = embedder.embed(test["text"].tolist())
    coded = {
        "AnnoMI codebook, zero-shot": Coder(book, embedder).fit().predict(test, embeddings=x_test)["code"],
        f"trained on all {len(a):,} AnnoMI remarks": Coder(book, embedder)
        .fit(a, a[["utterance_id", "code"]], embeddings=x_a)
        .predict(test, embeddings=x_test)["code"],
    }
    rows, crosstabs = [], {}
    for mapping, to in TO_ANNOMI.items():
        own = pool.assign(code=pool["misc"].map(to))
        coded_own = (
            Coder(book, embedder)
            .fit(own, own[["utterance_id", "code"]], embeddings=x_pool)
            .predict(test, embeddings=x_test)["code"]
        )
        truth = test["misc"].map(to)
        for condition, labels in {**coded, f"trained on MIBot's pool ({len(pool):,} remarks)": coded_own}.items():
            rows.append(
                {
                    "mapping": mapping,
                    "condition": condition,
                    **intervals(truth, labels.to_numpy(), test["session_id"], book.names),
                }
            )
    for condition, labels in coded.items():
        crosstabs[condition] = pd.crosstab(
            test["misc"].rename("MIBot AutoMISC"), labels.to_numpy(), colnames=["AnnoMI coder"]
        )
    return pd.DataFrame(rows), crosstabs


def family_cost(test: pd.DataFrame, coded: pd.Series, codes: list[str]) -> dict[str, float]:
    """Kappa and macro-F1 before and after merging the overlapping categories of :data:`FAMILIES`."""
    t, p = test["code"].to_numpy(dtype=object), coded.to_numpy(dtype=object)
    merged_codes = sorted({FAMILIES.get(c, c) for c in codes})
    tm = np.array([FAMILIES.get(c, c) for c in t], dtype=object)
    pm = np.array([FAMILIES.get(c, c) for c in p], dtype=object)
    return {
        "kappa": cohen_kappa(t, p),
        "macro_f1": macro_f1(t, p, codes),
        "accuracy": float(np.mean(t == p)),
        "kappa_merged": cohen_kappa(tm, pm),
        "macro_f1_merged": macro_f1(tm, pm, merged_codes),
        "accuracy_merged": float(np.mean(tm == pm)),
        "errors_within_families": float(np.mean((t != p) & (tm == pm)) / max(np.mean(t != p), 1e-12)),
    }


def top_confusions(test: pd.DataFrame, coded: pd.Series, codes: list[str], n: int = 10) -> pd.DataFrame:
    """The most frequent (true category, coded category) errors, with their share of the true category."""
    table = confusion(test["code"], coded, codes)
    rows = [
        {"true": t, "coded": p, "n": int(table.loc[t, p]), "share_of_true": table.loc[t, p] / table.loc[t].sum()}
        for t in table.index
        for p in table.columns
        if t != p and t in codes and p in codes and table.loc[t, p] > 0
    ]
    return pd.DataFrame(rows).sort_values("n", ascending=False).head(n).reset_index(drop=True)


CORPORA = ("AnnoMI behaviour", "ESConv strategies", "MIBot MISC (AutoMISC codes)", "CounselChat categories")
"""The four corpora of the figure, in panel order."""
TITLES = {
    "AnnoMI behaviour": "AnnoMI behaviour (4 codes, human)",
    "ESConv strategies": "ESConv strategies (8 codes, human)",
    "MIBot MISC (AutoMISC codes)": "MIBot MISC (5 codes assigned by an LLM)",
    "CounselChat categories": "CounselChat question categories (16, forum)",
}
"""Panel titles: who assigned the codes."""


def learning_curve_figure(raw: pd.DataFrame) -> go.Figure:
    """Kappa against labelled remarks per code, one panel per corpus, zero-shot and ceiling as lines.

    Parameters
    ----------
    raw : pandas.DataFrame
        Every draw (``corpus``, ``condition``, ``k``, ``kappa``) as written to the results CSVs.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    corpora = [c for c in CORPORA if c in set(raw["corpus"])]
    corpora += sorted(set(raw["corpus"]) - set(corpora))
    rows = (len(corpora) + 1) // 2
    fig = make_subplots(
        rows=rows,
        cols=2,
        subplot_titles=[TITLES.get(c, c) for c in corpora],
        horizontal_spacing=0.08,
        vertical_spacing=0.14,
    )
    for i, corpus in enumerate(corpora):
        r, c = i // 2 + 1, i % 2 + 1
        t = raw[raw["corpus"] == corpus]
        few = t[t["condition"] == "few-shot"].groupby("k")["kappa"].agg(["mean", "std", "size"]).reset_index()
        first = i == 0
        fig.add_trace(
            go.Scatter(
                x=few["k"],
                y=few["mean"],
                error_y={"type": "data", "array": few["std"].fillna(0), "visible": True},
                mode="lines+markers",
                name="few-shot (mean ± SD over draws)",
                legendgroup="few",
                showlegend=first,
                line={"color": "#1f77b4"},
                customdata=few["size"],
                hovertemplate="%{x} labels per code: kappa %{y:.3f} (%{customdata} draws)<extra></extra>",
            ),
            row=r,
            col=c,
        )
        for condition, name, dash, color in (
            ("zero-shot", "zero-shot (codebook only)", "dash", "#ff7f0e"),
            ("all training labels (ceiling)", "all pool labels (ceiling)", "dot", "#2ca02c"),
        ):
            level = t.loc[t["condition"] == condition, "kappa"]
            if level.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[8, 125],
                    y=[float(level.mean())] * 2,
                    mode="lines",
                    name=name,
                    legendgroup=condition,
                    showlegend=first,
                    line={"color": color, "dash": dash},
                    hovertemplate=f"{name}: kappa %{{y:.3f}}<extra></extra>",
                ),
                row=r,
                col=c,
            )
            fig.add_annotation(
                x=np.log10(125),
                y=float(level.mean()),
                text=f"{float(level.mean()):.2f}",
                showarrow=False,
                xanchor="left",
                font={"color": color, "size": 11},
                row=r,
                col=c,
            )
        fig.update_xaxes(
            type="log",
            tickvals=[10, 25, 50, 100],
            range=[np.log10(7), np.log10(175)],
            title_text="labelled remarks per code",
            row=r,
            col=c,
        )
        fig.update_yaxes(title_text="Cohen's kappa" if c == 1 else None, range=[0, 0.8], row=r, col=c)
    fig.update_layout(
        title="Deductive coding: agreement with the corpus codes against labels per code (held-out remarks)",
        height=360 * rows + 120,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def write_figure(fig: go.Figure, folder: Path) -> list[Path]:
    """``learning_curves.html`` (plotly.js from its CDN) and, when kaleido finds a browser, ``.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    target = folder / "learning_curves.html"
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
        tmp.write(fig.to_html(include_plotlyjs="cdn", full_html=True))
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)
    written.append(target)
    try:
        from topics.reporting.static import export_static

        written += export_static({"learning_curves": fig}, folder, ["png"])
    except Exception as err:  # the html stands alone; a static copy needs kaleido and a browser
        print(f"no static copy of the figure: {type(err).__name__}: {err}")
    return written


def interval_line(name: str, which: str, iv: dict[str, float]) -> str:
    return (
        f"{name}, {which}: kappa {iv['kappa']:.3f} [{iv['kappa_low']:.3f}, {iv['kappa_high']:.3f}], macro-F1 "
        f"{iv['macro_f1']:.3f} [{iv['macro_f1_low']:.3f}, {iv['macro_f1_high']:.3f}], accuracy {iv['accuracy']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--mibot-sessions", type=int, default=0, help="cap on MIBot sessions (0: all 106)")
    parser.add_argument("--no-bertopic", action="store_true", help="skip BERTopic's zero-shot reference")
    parser.add_argument("--figure-only", action="store_true", help="redraw the figure from the CSVs and stop")
    args = parser.parse_args()
    raw_path = OUT / "results_more.csv"
    if not args.figure_only:
        run(args, raw_path)
    parts = [pd.read_csv(p) for p in (OUT / "results.csv", raw_path) if p.exists()]
    written = write_figure(learning_curve_figure(pd.concat(parts, ignore_index=True)), OUT)
    print("\nfigure: " + ", ".join(str(p.relative_to(PROJECT)) for p in written))


def run(args: argparse.Namespace, raw_path: Path) -> None:
    t0 = time.perf_counter()
    cache = os.environ.get("TOPICS_CACHE_DIR") or str(PROJECT / ".cache" / "embeddings")
    embedder = Embedder(EmbeddingConfig(cache_dir=cache), show_progress=False)
    mibot = mibot_task(max_sessions=args.mibot_sessions)
    *chat, chat_info = counselchat_task()
    tables, extras, seconds, codes_of = [], {}, {}, {}
    for name, task in (("MIBot MISC (AutoMISC codes)", mibot), ("CounselChat categories", tuple(chat))):
        codes_of[name] = task[2].names
        t1 = time.perf_counter()
        table, extra = run_task(
            name, *task, embedder=embedder, draws=args.draws, bertopic=not args.no_bertopic, active_draws=0
        )
        seconds[name] = time.perf_counter() - t1
        tables.append(table)
        extras[name] = extra
    t1 = time.perf_counter()
    cross, crosstabs = cross_corpus(embedder, mibot[0], mibot[1])
    seconds["cross-corpus"] = time.perf_counter() - t1
    raw = pd.concat(tables, ignore_index=True)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=OUT, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
        raw.to_csv(tmp, index=False)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, raw_path)
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs; embedder {embedder.identity}")
    print(f"total {time.perf_counter() - t0:.0f} s; " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    print(
        f"\nCounselChat: {chat_info['answers']} answers to {chat_info['questions']} questions; left out "
        f"{chat_info['two_category_answers']} answers to the {chat_info['two_category_questions']} questions listed "
        f"under two categories; {chat_info['categories_seen']} categories remain, {chat_info['categories_kept']} "
        f"with >= 30 answers kept, {chat_info['categories_dropped']} dropped ({chat_info['answers_dropped']} answers: "
        f"{chat_info['dropped']}); {chat_info['n']} answers to {chat_info['questions_kept']} questions coded "
        f"(answers per question: {chat_info['answers_per_question']})"
    )
    for name, extra in extras.items():
        print(
            f"{name}: training pool {extra['n_pool']} remarks / {extra['sessions_pool']} sessions, held out "
            f"{extra['n_test']} remarks / {extra['sessions_test']} sessions; embedding {extra['embed_s']:.0f} s, "
            f"median few-shot fit+predict {extra['fit_s']:.2f} s"
        )
        print("held-out codes: " + extra["test"]["code"].value_counts().to_string().replace("\n", "; "))
    print_table(curve(raw))
    if "coded_share" in raw:
        for r in raw.dropna(subset=["coded_share"]).itertuples():
            print(f"\n{r.corpus}, {r.condition}: {r.coded_share:.1%} of held-out remarks given a code")
    for name, extra in extras.items():
        test, codes = extra["test"], codes_of[name]
        for which in ("zero", "ceiling"):
            coded = extra[f"{which}_coded"]["code"]
            iv = intervals(test["code"], coded.to_numpy(), test["session_id"], codes)
            print("\n" + interval_line(name, which, iv) + " (95% bootstrap over held-out sessions, 500)")
            print(per_code(test["code"], coded, codes).round(3).to_string(index=False))
            if name.startswith("MIBot"):
                print(confusion(test["code"], coded, codes).to_string())
            else:
                print(top_confusions(test, coded, codes).round(3).to_string(index=False))
                print(f"overlap cost ({FAMILIES}): {family_cost(test, coded, codes)}")
    mibot_extra = extras["MIBot MISC (AutoMISC codes)"]
    for which in ("zero_coded", "ceiling_coded"):
        probe = form_probe(mibot_extra["test"], mibot_extra[which])
        print(f"form probe MIBot question vs reflection ({which}): {probe}")
    print("\nCross-corpus: AnnoMI-coded behaviour on MIBot's held-out remarks (95% bootstrap over sessions, 500)")
    print("| mapping of MIBot codes | coder | kappa [95%] | macro-F1 [95%] | accuracy |")
    print("|---|---|---|---|---|")
    for r in cross.itertuples():
        print(
            f"| {r.mapping} | {r.condition} | {r.kappa:.3f} [{r.kappa_low:.3f}, {r.kappa_high:.3f}] | "
            f"{r.macro_f1:.3f} [{r.macro_f1_low:.3f}, {r.macro_f1_high:.3f}] | {r.accuracy:.3f} |"
        )
    for condition, table in crosstabs.items():
        print(f"\nMIBot AutoMISC code (rows) against the AnnoMI coder ({condition}):\n{table.to_string()}")


if __name__ == "__main__":
    main()
