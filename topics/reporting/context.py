"""The report page: the template context built from an analysis, and the HTML rendered from it.

Every string from transcripts, metadata, labels or configuration is HTML-escaped by Jinja2's
autoescaping; figure data is JSON-encoded by plotly with ``<``, ``>`` and ``&`` escaped.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.offline import get_plotlyjs

from topics._dist import installed_version
from topics._files import safe_file_name
from topics.analysis import Analysis
from topics.clean.remarks import marker_note
from topics.compare import Comparison, resolve_column
from topics.compare.prediction import PREDICTION_MEANING
from topics.model.tables import text_key
from topics.model.words import clean_keywords
from topics.reporting.codes import CodesReport, codes_contents, codes_context, codes_summary_line

TEMPLATES = Path(__file__).parent / "templates"

JSD_PLAIN = "On this scale 0 means the same topic mix and 1 means no topic in common"
"""The Jensen-Shannon divergence (in bits) in words, said beside it on the first screen of a question."""


def accuracy_plain(chance: float) -> str:
    """Balanced accuracy in words for a clinician: what chance is here, and what 100% means."""
    if chance != chance:
        return "100% would mean every session's group is told right"
    if abs(chance - 0.5) < 1e-9:
        return "50% is no better than a coin toss, 100% is always right"
    return f"{chance:.0%} is no better than guessing among {round(1 / chance)} groups, 100% is always right"


def pval_eq(p: object) -> str:
    """A p-value after "p" in a sentence: ``"< 0.001"`` or ``"= 0.034"`` (blank if missing)."""
    text = pval(p)
    return text if not text or text.startswith("<") else f"= {text}"


def _keywords(text: str) -> str:
    """Keywords as the report shows them: each cleaned of contraction residue and fillers, repeats dropped."""
    return clean_keywords(text)


def _distinct(remarks: list[str]) -> list[str]:
    """Remarks without repeats (case, punctuation and spacing ignored), e.g. two that de-identify alike."""
    seen: set[str] = set()
    out = []
    for r in remarks:
        key = text_key(r)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _topic_rows(analysis: Analysis) -> list[dict]:
    t = analysis.topics.copy()
    t["_o"] = (t["topic"] == -1).astype(int)
    rows = []
    for _, r in t.sort_values(["_o", "size"], ascending=[True, False]).iterrows():
        remarks = _distinct(list(r["representative_texts"]))
        raw = r.get("raw_topics")
        first = remarks[0] if remarks else ""
        rows.append(
            {
                "topic": int(r["topic"]),
                "label": r["label"],
                "size": int(r["size"]),
                "share": float(r["share"]),
                "keywords": _keywords(r["keywords"]),
                "remarks": remarks,
                "custom": bool(r.get("custom_label", False)),
                "raw_topics": ", ".join(str(x) for x in raw) if raw is not None else "",
                "notes": r.get("notes", "") or "",
                "first_remark": (first[:110] + "…") if len(first) > 110 else first,
            }
        )
    return rows


def pval(p: object) -> str:
    """A p- or q-value as the report prints it: ``"< 0.001"`` below 0.001, three decimals otherwise, blank if missing."""
    try:
        value = float(p)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if value != value:
        return ""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def permutation_floor(n_perm: int) -> str:
    """The smallest p a permutation test with ``n_perm`` permutations can give, said in words."""
    return f"1/{n_perm + 1:,} = {1 / (n_perm + 1):.4f}"


def at_floor(p: object) -> int | None:
    """The number of permutations when ``p`` is the smallest value they allow (``1/(n+1)``), else None.

    Only round counts (99, 199, 200, 999, 1000, 2000...) are recognised: ``3/201`` is also ``1/67``, and no
    one runs 66 permutations.
    """
    try:
        value = float(p)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not value > 0:
        return None
    n = 1 / value - 1
    k = int(round(n))
    return k if k >= 99 and abs(n - k) < 1e-6 * n and k % 50 in (0, 49) else None


def element_id(name: str) -> str:
    """A safe HTML element id for a figure name that may hold user text (a group value): letters, digits,
    ``-`` and ``_``, plus a short digest when anything had to be replaced, so that two names never collide."""
    slug = safe_file_name(name)
    return slug if slug == name else f"{slug}-{hashlib.sha1(name.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _contrast_rows(table: pd.DataFrame, unadjusted: pd.DataFrame | None) -> list[dict]:
    """Rows of the significant contrasts (q < 0.05), largest difference first, in percentage points."""
    sig = table[table["q_value"] < 0.05].copy()
    sig = sig.reindex(sig["diff"].abs().sort_values(ascending=False).index)
    raw = unadjusted.set_index(["topic", "contrast"]) if unadjusted is not None else None
    rows = []
    for r in sig.itertuples():
        row = {
            "label": f"{r.topic}: {r.label}" if r.topic != -1 else r.label,
            "a": r.share_a * 100,
            "b": r.share_b * 100,
            "diff": r.diff * 100,
            "low": r.diff_low * 100,
            "high": r.diff_high * 100,
            "p": r.p_value,
            "q": r.q_value,
            "contrast": r.contrast,
            "group_a": r.group_a,
            "group_b": r.group_b,
            "lopsided": bool(getattr(r, "lopsided", False)),
        }
        if raw is not None and (r.topic, r.contrast) in raw.index:
            u = raw.loc[(r.topic, r.contrast)]
            row.update(raw_diff=u["diff"] * 100, raw_q=u["q_value"])
        rows.append(row)
    return rows


def _crosscheck_summary(comp: Comparison) -> dict | None:
    """How often the GEE cross-check and the permutation results agree on q < 0.05."""
    if comp.crosscheck.empty:
        return None
    merged = comp.contrasts.merge(
        comp.crosscheck[["topic", "odds_ratio", "or_low", "or_high", "q_value"]], on="topic", suffixes=("", "_gee")
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
        "opposite": int((~same_sign & (perm | gee)).sum()),
        "method": comp.crosscheck.attrs.get("method", "").rstrip("."),
        "rows": merged.assign(or_=merged["odds_ratio"]).to_dict("records"),
    }


def _drift_coverage(comp: Comparison, assignments: pd.DataFrame) -> str:
    """Which sessions the drift table uses, per group, and why the others are left out."""
    if comp.drift.empty or "group" not in comp.drift.columns:
        return ""
    try:
        col = resolve_column(assignments, comp.by)
    except Exception:  # the column is gone from the table: say nothing rather than something wrong
        return ""
    total = assignments.dropna(subset=[col]).groupby(assignments[col].astype(str))["session_id"].nunique()
    used = comp.drift.groupby("group")["session_id"].nunique()
    excluded = comp.drift_summary.attrs.get("excluded", {}) or comp.drift.attrs.get("excluded", {})
    min_remarks = excluded.get("min_remarks", 6)
    parts = [f"{int(used.get(g, 0)):,} of {int(total.get(g, 0)):,} {g} sessions" for g in comp.groups if g in total]
    left = int(sum(total.get(g, 0) for g in comp.groups) - sum(used.get(g, 0) for g in comp.groups))
    text = f"Drift and shift use the sessions with at least {min_remarks} remarks in topics: {', '.join(parts)}."
    if left > 0:
        text += (
            f" The other {left:,} sessions are left out because they are too short: a topic mix of fewer "
            f"than {min_remarks} remarks is mostly noise."
        )
    return text


DRIFT_WORDS = {
    "drift": (
        "Drift",
        "how far a session's topic mix lies from its group's typical mix",
        "0 means every session of the group has the same topic mix; the higher, the more the sessions vary.",
    ),
    "shift": (
        "Shift",
        "how much a session's topic mix changes from its first half to its second",
        "0 means the same mix in both halves; the higher, the more the talk moves on within a session.",
    ),
}
"""Each drift measure's name, what it measures and what its numbers mean, in plain words."""


def _number(value: object) -> float | None:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def drift_rows(summary: pd.DataFrame, groups: list[str]) -> list[dict]:
    """One row per drift measure, each group's mean and interval side by side, the test's p and q once.

    :func:`topics.compare.compare_drift` repeats a measure's p on every group's row (one test per measure);
    the report shows it once, beside the difference it tests.
    """
    if summary.empty or "measure" not in summary.columns:
        return []
    direction = summary.attrs.get("direction") or (f"{groups[0]} minus {groups[1]}" if len(groups) == 2 else "")
    rows = []
    for measure, part in summary.groupby("measure", sort=False):
        by_group = {str(r["group"]): r for r in part.to_dict("records")}
        order = [g for g in groups if g in by_group] + [g for g in by_group if g not in groups]
        first = part.iloc[0]
        name, explain, plain = DRIFT_WORDS.get(str(measure), (str(measure), "", ""))
        difference = _number(first.get("difference")) if len(order) == 2 else None
        rows.append(
            {
                "measure": measure,
                "name": name,
                "explain": explain,
                "plain": plain,
                "groups": [
                    {
                        "group": g,
                        "sessions": int(by_group[g]["sessions"]),
                        "mean": float(by_group[g]["mean"]),
                        "low": float(by_group[g]["low"]),
                        "high": float(by_group[g]["high"]),
                    }
                    for g in order
                ],
                "difference": difference,
                "direction": direction,
                "p": _number(first.get("p_value")),
                "q": _number(first.get("q_value")),
            }
        )
    return rows


def _comparison_context(comp: Comparison, div, assignments: pd.DataFrame, n_perm: int) -> dict:
    c = comp.contrasts
    a, b = (str(c["group_a"].iloc[0]), str(c["group_b"].iloc[0])) if len(c) else ("A", "B")
    words = comp.words
    return {
        "by": comp.by,
        "groups": comp.groups,
        "group_a": a,
        "group_b": b,
        "two_groups": len(comp.groups) == 2,
        "method": comp.method,
        "seed": comp.seed,
        "confounds": comp.confounds,
        "sig_rows": _contrast_rows(c, comp.contrasts_unadjusted),
        "stratified": comp.contrasts_unadjusted is not None,
        "n_topics": int(c["topic"].nunique()),
        "n_tested": int(c["p_value"].notna().sum()),
        "n_small": int(c["too_small"].sum()),
        "n_lopsided": int(c["lopsided"].sum()) if "lopsided" in c else 0,
        "divergence": comp.divergence.to_dict("records"),
        "prediction": comp.prediction,
        "drift": comp.drift_summary.to_dict("records"),
        "drift_rows": drift_rows(comp.drift_summary, [str(g) for g in comp.groups]),
        "accuracy_plain": accuracy_plain(float(comp.prediction.get("chance", float("nan")))),
        "warnings": comp.warnings,
        "crosscheck": _crosscheck_summary(comp),
        "words_significant": int((words["q_value"] < 0.05).sum()) if "q_value" in words else 0,
        "words_method": words.attrs.get("method", "") if not words.empty else "",
        "forest": div("compare_forest"),
        "dumbbell": div("compare_dumbbell"),
        "words": div("compare_words"),
        "positions": [f for f in (div(f"compare_position_{g}") for g in comp.groups) if f],
        "transitions": [f for f in (div(f"compare_transitions_{g}") for g in comp.groups[:2]) if f],
        "drift_coverage": _drift_coverage(comp, assignments),
        "n_perm": n_perm,
        "perm_floor": permutation_floor(n_perm),
        "prediction_floor": at_floor(comp.prediction.get("permutation_p")),
        "prediction_meaning": PREDICTION_MEANING,
        "prediction_cluster": _prediction_cluster(comp),
    }


def _prediction_cluster(comp: Comparison) -> str:
    """The cluster option offered beside the prediction when sessions share a therapist or prompt, else ``""``."""
    if not comp.cluster_hint:
        return ""
    return (
        "Here sessions share a unit above them, so the classifier can tell the groups apart by it: " + comp.cluster_hint
    )


def summary_lines(
    analysis: Analysis,
    comp: Comparison | None,
    quality: dict | None,
    whole: dict | None = None,
    codes: dict | None = None,
) -> list[str]:
    """At most six sentences that say what the report found, every number computed from the analysis.

    Parameters
    ----------
    analysis : Analysis
        As shown (curated when a ledger was applied).
    comp : Comparison, optional
        The group comparison.
    quality : dict, optional
        The quality context (``summary``, and ``stability`` after ``topics evaluate``).
    whole : dict, optional
        The whole corpus of a Dask-engine run: the first line then counts it, and says what the sample is.
    codes : dict, optional
        The codes question's context (:func:`topics.reporting.codes.codes_context`): a sentence on the codes.

    Returns
    -------
    list of str
    """
    topics = analysis.topics[analysis.topics["topic"] != -1].sort_values("size", ascending=False)
    outliers = float((analysis.assignments["topic"] == -1).mean())
    summary = analysis.summary
    lines = [
        f"{int(summary.get('remarks', len(analysis.assignments))):,} therapist remarks from "
        f"{int(summary.get('sessions', 0)):,} sessions were grouped into {len(topics)} topics; "
        f"{outliers:.0%} of the remarks fit no topic"
        + (
            " or were set aside by the curation."
            if analysis.curation is not None and not analysis.curation.log.empty
            else "."
        )
    ]
    if whole is not None:
        lines[0] = (
            f"{whole['remarks']:,} therapist remarks from {whole['sessions']:,} sessions were assigned to "
            f"{len(topics)} topics found in a sample of {whole['sample_sessions']:,} sessions "
            f"({whole['sample_remarks']:,} remarks); {outliers:.0%} of the sample's remarks fit no topic."
        )
    if len(topics):
        top = [f"{r.label} ({r.share:.0%})" for r in topics.head(3).itertuples()]
        lines.append("The largest topics: " + "; ".join(top) + ".")
    curation = analysis.curation
    if curation is not None and not curation.log.empty:
        raw_n = int((analysis.raw_topics["topic"] != -1).sum())
        lines.append(
            f"An expert's curation turned the model's {raw_n} raw topics into {len(topics)} "
            f"({curation.decision_summary()})."
        )
    else:
        lines.append("The topics are the model's own, not curated by an expert: labels are made of keywords.")
    if comp is not None:
        c = comp.contrasts
        sig = c[c["q_value"] < 0.05]
        line = (
            f"Comparing {' and '.join(comp.groups)} ({comp.by}): {len(sig)} of {int(c['p_value'].notna().sum())} "
            f"tested topics differ in prevalence (q < 0.05)"
        )
        if len(sig):
            big = sig.loc[sig["diff"].abs().idxmax()]
            line += (
                f"; the largest difference is {big['label']} ({big['diff'] * 100:+.1f} percentage points, "
                f"{big['group_a']} minus {big['group_b']})"
            )
        acc = comp.prediction.get("balanced_accuracy") if comp.prediction else None
        if acc is not None and acc == acc:
            chance = float(comp.prediction.get("chance", float("nan")))
            line += (
                f"; from its topics alone a session's group is told right {acc:.0%} of the time "
                f"(balanced accuracy {acc:.2f}: {accuracy_plain(chance)})"
            )
        if comp.cluster_hint:
            line += f". Caution: {comp.cluster_hint}"
        lines.append(line.rstrip(".") + ".")
    if quality:
        q = quality["summary"]
        line = f"Topic quality: mean NPMI {q['npmi']:.2f}, topic diversity {q['diversity']:.2f}"
        stab = quality.get("stability")
        line += (
            f"; {stab['robust']} of {stab['topics']} raw topics reappear in at least 80% of refits."
            if stab
            else "; stability across seeds not yet measured (topics evaluate)."
        )
        lines.append(line)
    if codes is not None:
        lines.insert(4 if comp is not None else 3, codes_summary_line(codes))
    return lines[:6]


def contents(curated: bool, comp: dict | None, quality: dict | None, codes: dict | None = None) -> list[dict]:
    """The questions the report answers, in order, with the folded details under each (the menu).

    ``codes`` (:func:`topics.reporting.codes.codes_context`) adds "Which codes, ...?" after the sessions.

    Each question is a dict with ``id`` (of its section), ``title`` (the question), ``short`` (its name in
    the narrow menu) and ``parts`` (``(id, name)`` of each detail section under it).
    """
    talk = [("topics", "Table of topics"), ("sizes", "Sizes and top words"), ("map", "Intertopic map")]
    talk += [("hierarchy", "Hierarchy")] + ([("curation", "Curation")] if curated else [])
    talk += [("documents", "Document map")]
    out = [{"id": "q-talk", "title": "What do the therapists talk about?", "short": "Topics", "parts": talk}]
    if comp is not None:
        parts = [("compare", f"Comparison by {comp['by']}")] + (
            [("words", "Distinctive words")] if comp["words"] else []
        )
        title = (
            f"How do {comp['group_a']} and {comp['group_b']} differ?"
            if comp["two_groups"]
            else f"How do the groups of {comp['by']} differ?"
        )
        out.append({"id": "q-groups", "title": title, "short": "Groups", "parts": parts})
        if comp["positions"] or comp["drift_rows"]:
            out.append(
                {
                    "id": "q-session",
                    "title": "How does the talk move through a session?",
                    "short": "Through a session",
                    "parts": [("session", "Through the session")],
                }
            )
    if codes is not None:
        out.append(codes_contents(codes))
    if quality:
        out.append(
            {
                "id": "q-quality",
                "title": "How good are the topics?",
                "short": "Quality",
                "parts": [("quality", "Quality")],
            }
        )
    out.append(
        {
            "id": "q-data",
            "title": "What went in, and how was it done?",
            "short": "Data & method",
            "parts": [("corpus", "Corpus"), ("method", "Method")],
        }
    )
    return out


def talk_answer(analysis: Analysis, n_largest: int = 5) -> dict:
    """The short answer to "what do the therapists talk about?": the count, the largest topics, the names."""
    topics = analysis.topics[analysis.topics["topic"] != -1].sort_values("size", ascending=False)
    outliers = float((analysis.assignments["topic"] == -1).mean())
    curated = analysis.curation is not None and not analysis.curation.log.empty
    remarks = int(analysis.summary.get("remarks", len(analysis.assignments)))
    headline = (
        f"The {remarks:,} therapist remarks fall into {len(topics)} topics; {outliers:.0%} fit none"
        + (" or were set aside by the curation" if curated else "")
        + f". The {min(n_largest, len(topics))} largest, with their share of all remarks:"
    )
    largest = [f"{r.label} ({r.share:.0%})" for r in topics.head(n_largest).itertuples()]
    labels = (
        "The names were given by an expert's curation; names in italics in the table of topics are still the "
        "model's keywords."
        if curated
        else "The names are each topic's keywords, not an expert's: read a topic's representative remarks in the "
        "table of topics before trusting its name."
    )
    return {"headline": headline, "largest": largest, "labels": labels}


def _method_rows(analysis: Analysis) -> list[tuple[str, str]]:
    cfg = analysis.config
    man = analysis.model.manifest_
    versions = man.get("versions", {})
    return [
        ("embedding model", str(man.get("embedding_model"))),
        (
            "UMAP",
            f"n_neighbors={cfg.umap.n_neighbors}, n_components={cfg.umap.n_components}, "
            f"min_dist={cfg.umap.min_dist}, metric={cfg.umap.metric}",
        ),
        (
            "HDBSCAN",
            f"min_cluster_size={man.get('min_cluster_size')} (setting: {cfg.hdbscan.min_cluster_size}), "
            f"min_samples={cfg.hdbscan.min_samples}, selection={cfg.hdbscan.cluster_selection_method}",
        ),
        (
            "topic words",
            f"{cfg.representation.model}, n-grams {cfg.vectorizer.ngram_range}, "
            f"stop words {cfg.vectorizer.stop_words} + {len(cfg.vectorizer.extra_stop_words)} extra",
        ),
        (
            "outlier reduction",
            f"{cfg.outliers.strategy}, threshold {cfg.outliers.threshold}" if cfg.outliers.reduce else "off",
        ),
        (
            "cleaning",
            f"min_words={cfg.cleaning.min_words}, back-channels dropped={cfg.cleaning.drop_backchannels}, "
            f"duplicates={cfg.cleaning.duplicates}",
        ),
        ("seed", str(cfg.seed)),
        ("data SHA-256", str(man.get("data_sha256"))),
        ("fitted", str(man.get("created"))),
        ("machine", _machine_line(man.get("machine"))),
        ("versions", ", ".join(f"{k} {v}" for k, v in versions.items())),
    ]


def _machine_line(machine: object) -> str:
    """The CPU the model was fitted on (its manifest's ``machine``), in one line."""
    if not isinstance(machine, dict):
        return "not recorded (fitted before the machine was recorded)"
    keys = ("cpu", "arch", "instruction_set", "system")
    cpu, arch, isa, system = (str(machine.get(k, "?"))[:200] for k in keys)  # from the run folder: cut short
    return f"{cpu} ({arch}, {isa}), {system}; a refit on another instruction set gives slightly different topics"


def render_html(
    analysis: Analysis,
    figs: dict[str, go.Figure],
    *,
    run_name: str = "",
    static_files: list[str] | None = None,
    warnings: list[str] | None = None,
    comp: Comparison | None = None,
    privacy: str = "",
    quality: dict | None = None,
    whole: dict | None = None,
    codes: CodesReport | None = None,
) -> str:
    """Render the report as one HTML string (plotly.js inlined).

    Parameters
    ----------
    analysis : Analysis
    figs : dict of str to Figure
        As returned by :func:`figures`.
    run_name : str
        Shown in the header.
    static_files : list of str, optional
        Names of static figure files to list.
    warnings : list of str, optional
        Shown at the top.
    comp : Comparison, optional
        The group comparison (its figures must be in ``figs`` under ``compare_<name>``).
    privacy : str
        What the report did about identifiers.
    quality : dict, optional
        The quality context.
    whole : dict, optional
        For a run of the Dask engine, the whole corpus (:func:`topics.reporting.html_report.whole_corpus_context`).
    codes : CodesReport, optional
        The run's current codes (:func:`topics.reporting.codes.report_codes`; figures in ``figs``).

    Returns
    -------
    str
    """
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["pval"] = pval
    env.filters["pval_eq"] = pval_eq
    template = env.get_template("report.html.j2")

    def div(name: str) -> str:
        fig = figs.get(name)
        if fig is None:
            return ""
        return fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"fig-{element_id(name)}",
            config={"displaylogo": False, "responsive": True},
        )

    curation = analysis.curation
    curated = curation is not None and not curation.log.empty
    comp_ctx = (
        _comparison_context(comp, div, analysis.assignments, analysis.config.compare.n_perm)
        if comp is not None
        else None
    )
    codes_ctx = codes_context(codes, div) if codes is not None else None
    questions = contents(curated, comp_ctx, quality, codes_ctx)
    return template.render(
        contents=questions,
        questions={q["id"]: q for q in questions},
        talk=talk_answer(analysis),
        plain={"jsd": JSD_PLAIN},
        title=analysis.config.report.title,
        created=time.strftime("%Y-%m-%d %H:%M"),
        version=installed_version(),
        run_name=run_name,
        plotlyjs=get_plotlyjs(),
        summary=analysis.summary,
        compare_by=analysis.summary.get("compare_by"),
        n_topics=int((analysis.topics["topic"] != -1).sum()),
        outlier_share=float((analysis.assignments["topic"] == -1).mean()),
        curated=curated,
        curation_mode=curation.mode if curation is not None else "",
        ledger_path=curation.ledger_path if curation is not None else "",
        ledger_rows=curation.log.to_dict("records") if curation is not None else [],
        bucket_rows=curation.buckets.to_dict("records") if curation is not None else [],
        raw_n_topics=int((analysis.raw_topics["topic"] != -1).sum()),
        curation_fig=div("curation"),
        drop_rows=analysis.drop_counts.to_dict("records"),
        marker_note=marker_note(analysis.raw_assignments),
        summary_lines=summary_lines(analysis, comp, quality, whole, codes_ctx),
        whole=whole,
        topic_rows=_topic_rows(analysis),
        sizes_fig=div("topic_sizes"),
        words_fig=div("top_words"),
        map_fig=div("intertopic_map"),
        hierarchy_fig=div("hierarchy"),
        documents_fig=div("document_map"),
        comp=comp_ctx,
        codes=codes_ctx,
        privacy=privacy,
        quality=quality,
        stability_fig=div("quality_stability"),
        grid_fig=div("quality_grid"),
        method_rows=_method_rows(analysis),
        static_files=static_files or [],
        warnings=warnings or [],
    )
