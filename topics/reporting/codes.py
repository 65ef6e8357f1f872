"""The report's sixth question, "Which codes, and how do the groups differ on them?", from ``RUN/codes``.

Shown only when the run has codes of its current model (``topics code``; :func:`topics.coding.tables.load_codes`
refuses codes of an earlier fit, and the report then says why at the top). The codes go through the same
comparison as the topics (:func:`codes_comparison`, the run's ``[compare]`` settings and seed, so
``topics compare RUN --codes`` prints the same numbers), beside the hybrid tables of
:mod:`topics.coding.tables`: how much of the corpus the codebook claims, the topics x codes table and the topics
outside the codebook.

Code names come from a user's codebook: the template escapes them (Jinja2 autoescaping) and the figures pass
them through :func:`topics.plots._style.safe`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from topics import plots
from topics.analysis import Analysis
from topics.coding.codebook import NONE_CODE
from topics.coding.tables import (
    CODES_DIR,
    NONE_TOPIC,
    RunCodes,
    coverage,
    load_codes,
    outside_codebook,
    topics_by_codes,
)
from topics.compare import Comparison, run_configured
from topics.config import TopicConfig
from topics.errors import InputError
from topics.plots._style import PALETTE, TEMPLATE, safe
from topics.plots.groups import GROUP_A_COLOR, GROUP_B_COLOR

log = logging.getLogger(__name__)

QUESTION = "Which codes, and how do the groups differ on them?"
OUTSIDE_SHARE = 0.5
"""A topic lies outside the codebook when at least this share of its remarks no code claims with confidence."""
UNCLAIMED_FIT = (
    "To find the topics of the remarks the codebook leaves out, fit a model on those remarks alone: keep the rows "
    "of coded.csv coded \u201cnone of these\u201d or low-confidence, select those utterance ids from the corpus "
    "and run topics fit on them into a second run folder (its report then shows the themes the codebook misses)."
)
"""What it takes today to model the unclaimed remarks inductively (said under the topics outside the codebook)."""
SAMPLE_NOTE = (
    "This run was fitted with the Dask engine: the codes are those of the sample's remarks (the remarks "
    "topics code read from the model), so the comparison of codes covers the sample, not the whole corpus."
)


def relabel_none(comp: Comparison) -> Comparison:
    """A comparison of codes whose no-topic rows are called "none of these" (not "no topic")."""

    def table(df: pd.DataFrame) -> pd.DataFrame:
        if df.empty or "topic" not in df.columns or "label" not in df.columns:
            return df
        out = df.copy()
        out.loc[out["topic"] == NONE_TOPIC, "label"] = NONE_CODE
        out.attrs = dict(df.attrs)
        return out

    labels = comp.labels.copy()
    if NONE_TOPIC in labels.index:
        labels[NONE_TOPIC] = NONE_CODE
    return replace(
        comp,
        contrasts=table(comp.contrasts),
        contrasts_unadjusted=None if comp.contrasts_unadjusted is None else table(comp.contrasts_unadjusted),
        positions=table(comp.positions),
        crosscheck=table(comp.crosscheck),
        outcomes={k: table(v) for k, v in comp.outcomes.items()},
        labels=labels,
    )


def codes_comparison(table: pd.DataFrame, config: TopicConfig, **overrides: Any) -> Comparison:
    """:func:`topics.compare.run_configured` on a table of codes (:func:`topics.coding.tables.codes_as_assignments`).

    Parameters
    ----------
    table : pandas.DataFrame
        The codes as topics.
    config : TopicConfig
        The run's config: its ``[compare]`` settings and seed, as for the topics.
    **overrides
        Any keyword of :func:`topics.compare.run_comparison`.

    Returns
    -------
    Comparison
        With "none of these" as the label of the no-topic rows.
    """
    return relabel_none(run_configured(table, config, **overrides))


@dataclass
class CodesReport:
    """What the report shows of a run's codes.

    Attributes
    ----------
    codes : RunCodes
    table : pandas.DataFrame
        The codes as topics, beside each remark's inductive topic.
    coverage : pandas.DataFrame
        :func:`topics.coding.tables.coverage` (per compared group when there is a comparison).
    cross : pandas.DataFrame
        :func:`topics.coding.tables.topics_by_codes` (shares of each topic's remarks).
    outside : pandas.DataFrame
        :func:`topics.coding.tables.outside_codebook`.
    comp : Comparison or None
        The group comparison on codes.
    why_not : str
        Why there is no comparison on codes (``""`` when there is one, or none was asked for).
    figures : dict of str to Figure
    notes : list of str
        Said above the code shares (e.g. that a Dask-engine run's codes are its sample's).
    """

    codes: RunCodes
    table: pd.DataFrame
    coverage: pd.DataFrame
    cross: pd.DataFrame
    outside: pd.DataFrame
    comp: Comparison | None = None
    why_not: str = ""
    figures: dict[str, go.Figure] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def report_codes(
    analysis: Analysis, run_folder: Path | None, warnings: list[str], *, compare: bool = True, sample: bool = False
) -> CodesReport | None:
    """The codes of a run as the report shows them, or None when it has no current codes.

    Parameters
    ----------
    analysis : Analysis
        As the report shows it (de-identified, curated, with the comparison's settings).
    run_folder : Path or None
        The run folder (None: an analysis in memory, which has no codes).
    warnings : list of str
        A line is added when ``RUN/codes`` is stale or unreadable.
    compare : bool, default True
        Compare the groups of ``[compare] by`` on the codes (False: the topics' comparison could not run).
    sample : bool, default False
        A run of the Dask engine: its codes are those of the sample's remarks, and the report says so.

    Returns
    -------
    CodesReport or None
    """
    if run_folder is None or not (run_folder / CODES_DIR).is_dir():
        return None
    try:
        codes = load_codes(run_folder, analysis.fingerprint)  # codes of an earlier fit are refused, in one line
        table = codes.table(analysis.assignments)
    except InputError as err:
        log.warning("%s", err)
        warnings.append(f"Codes are not shown: {err}")
        return None
    by = analysis.config.compare.by if compare else None
    comp, why = None, ""
    if by:
        try:
            comp = codes_comparison(table, analysis.config)
        except InputError as err:
            why = f"No comparison of the codes by {by!r}: {err.message}"
    per_group = coverage(table, comp.by if comp is not None else None)
    if comp is not None:  # all remarks, then the compared groups in order
        per_group = per_group.set_index("group").loc[["all", *[g for g in comp.groups if g in set(per_group["group"])]]]
        per_group = per_group.reset_index()
    out = CodesReport(
        codes=codes,
        table=table,
        coverage=per_group,
        cross=topics_by_codes(table),
        outside=outside_codebook(table, min_share=OUTSIDE_SHARE),
        comp=comp,
        why_not=why,
        notes=[SAMPLE_NOTE] if sample else [],
    )
    out.figures = code_figures(out)
    return out


def _shown_contrasts(comp: Comparison) -> pd.DataFrame:
    """The code contrasts worth showing: a "none of these" row only when some remark is coded so."""
    c = comp.contrasts
    empty = (c["topic"] == NONE_TOPIC) & (c["share_a"].fillna(0) == 0) & (c["share_b"].fillna(0) == 0)
    return c[~empty]


def code_shares(report: CodesReport) -> pd.DataFrame:
    """Each code's share per group, as the comparison estimates it (all remarks pooled without a comparison).

    Returns
    -------
    pandas.DataFrame
        ``code``, ``group``, ``share`` (0 to 1), codes in codebook order ("none of these" last, when used).
    """
    comp = report.comp
    if comp is None or comp.contrasts.empty:
        shares = report.table["label"].value_counts(normalize=True)
        order = [c for c in [*report.codes.codes, NONE_CODE] if c in shares.index or c != NONE_CODE]
        return pd.DataFrame(
            {"code": order, "group": "all remarks", "share": [float(shares.get(c, 0.0)) for c in order]}
        )
    rows: list[dict[str, Any]] = []
    for r in _shown_contrasts(comp).itertuples():
        seen = {x["group"] for x in rows if x["code"] == r.label}
        for group, share in ((r.group_a, r.share_a), (r.group_b, r.share_b)):
            if str(group) in comp.groups and str(group) not in seen:
                rows.append({"code": str(r.label), "group": str(group), "share": float(share)})
                seen.add(str(group))
    return pd.DataFrame(rows, columns=["code", "group", "share"])


def shares_figure(shares: pd.DataFrame, by: str | None, groups: list[str]) -> go.Figure:
    """Grouped bars: each code's share of each group's remarks (the comparison's estimate).

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`code_shares`.
    by : str or None
        The grouping column (None: all remarks, one bar per code).
    groups : list of str
        The groups in the comparison's order (A, then B).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    order = list(dict.fromkeys(shares["code"]))
    names = [safe(c, limit=50) for c in order][::-1]
    fig = go.Figure()
    for i, group in enumerate(groups or list(dict.fromkeys(shares["group"]))):
        part = shares[shares["group"] == group].set_index("code")["share"]
        color = (GROUP_A_COLOR, GROUP_B_COLOR)[i] if i < 2 else PALETTE[(i + 2) % len(PALETTE)]
        fig.add_trace(
            go.Bar(
                x=[float(part.get(c, 0.0)) * 100 for c in order][::-1],
                y=names,
                orientation="h",
                name=safe(group),
                marker_color=color,
                hovertemplate=f"{safe(group)}<br>%{{y}}: %{{x:.1f}}%<extra></extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title="Code shares" + (f" by {safe(by)}" if by else "") + "<br><sup>% of the remarks each code claims</sup>",
        xaxis_title="% of the group's remarks" if by else "% of all remarks",
        yaxis={"title": {"text": "code", "font": {"size": 11}}},
        height=max(320, 30 * len(order) * max(1, len(groups)) + 160),
        margin={"l": 10},
    )
    return fig


def code_figures(report: CodesReport) -> dict[str, go.Figure]:
    """The figures of the codes question, named ``compare_codes_*`` (static copies are a comparison's).

    Returns
    -------
    dict of str to Figure
        ``compare_codes_shares`` and, for remarks with positions, ``compare_codes_position_<group>``.
    """
    comp = report.comp
    figs = {
        "compare_codes_shares": shares_figure(
            code_shares(report), comp.by if comp else None, list(comp.groups) if comp else []
        )
    }
    if comp is not None and not comp.positions.empty:
        for g in comp.groups:
            fig = plots.position_heatmap(comp.positions, group=g)
            for trace in fig.data:  # code names, not "0: question"
                trace.y = [re.sub(r"^-?\d+: ", "", str(y)) for y in trace.y]
            fig.update_layout(
                title=f"Codes by position in the session ({safe(g)})",
                yaxis={"title": {"text": "code", "font": {"size": 11}}},
            )
            figs[f"compare_codes_position_{g}"] = fig
    return figs


def _percent(x: object) -> float | None:
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if value != value else value * 100


def _is_share(value: object) -> bool:
    return isinstance(value, float) and 0.0 <= value <= 1.0


def _code_warnings(comp: Comparison, rows: list[dict]) -> list[str]:
    """The comparison's confounds and warnings that concern codes, said of codes (drift is not shown for codes)."""
    kept = [
        w
        for w in comp.warnings
        if not re.match(r"\d+ topic contrasts are too small", w) and not w.startswith(("Drift", "Drift and shift"))
    ]
    small = sum(1 for r in rows if not r["tested"])
    if small:
        kept.append(f"{small} code contrast{'s are' if small != 1 else ' is'} too small to test.")
    return [*comp.confounds, *kept]


def _agreement(codes: RunCodes) -> dict | None:
    table = codes.agreement
    if table is None or table.empty or "kappa" not in table.columns:
        return None
    row = table.iloc[0]
    return {
        k: (float(row[k]) if k in row and pd.notna(row[k]) else None)
        for k in ("n", "kappa", "kappa_low", "kappa_high", "macro_f1")
    }


def _contrast_rows(comp: Comparison) -> list[dict]:
    rows = []
    for r in _shown_contrasts(comp).itertuples():
        rows.append(
            {
                "code": str(r.label),
                "contrast": str(r.contrast),
                "a": r.share_a * 100,
                "b": r.share_b * 100,
                "diff": r.diff * 100,
                "low": r.diff_low * 100,
                "high": r.diff_high * 100,
                "p": r.p_value,
                "q": r.q_value,
                "tested": bool(r.p_value == r.p_value),
            }
        )
    return rows


def codes_context(report: CodesReport, div: Callable[[str], str]) -> dict:
    """The template context of the codes question (every string escaped by the template).

    Parameters
    ----------
    report : CodesReport
    div : callable
        A figure's HTML by name (:func:`topics.reporting.context.render_html`'s).

    Returns
    -------
    dict
    """
    codes, comp = report.codes, report.comp
    summary = codes.summary
    whole = report.coverage.iloc[0]
    threshold = next(  # coder.json: the threshold (a float), unless the count of flagged remarks replaced it
        (v for v in (summary.get("low_confidence_threshold"), summary.get("low_confidence")) if _is_share(v)), None
    )
    rows = _contrast_rows(comp) if comp is not None else []
    tested = [r for r in rows if r["tested"]]
    biggest = sorted(tested, key=lambda r: -abs(r["diff"]))[:3]
    labels_trained = int(summary.get("labels_trained_on") or summary.get("n_labels") or 0)
    mode = str(summary.get("mode") or "")
    how = (
        f"by a classifier trained on {labels_trained:,} remarks an expert labelled"
        if mode == "few-shot"
        else "zero-shot, from the codes' descriptions and examples alone"
    )
    cross = report.cross
    if NONE_CODE in cross.columns and not cross[NONE_CODE].any():  # no remark coded "none of these"
        cross = cross.drop(columns=NONE_CODE)
    outside = report.outside
    return {
        "codebook": str(summary.get("codebook") or ""),
        "n_codes": len(codes.codes),
        "codes": codes.codes,
        "how": how,
        "remarks": int(whole["remarks"]),
        "claimed": _percent(whole["claimed_share"]),
        "confident": _percent(whole["confident_share"]),
        "low": _percent(whole["low_confidence_share"]),
        "threshold": threshold,
        "coverage": [
            {**r, **{k: _percent(r[k]) for k in ("claimed_share", "confident_share", "low_confidence_share")}}
            for r in report.coverage.to_dict("records")
        ],
        "comp": comp is not None,
        "why_not": report.why_not,
        "by": comp.by if comp is not None else "",
        "groups": list(comp.groups) if comp is not None else [],
        "two_groups": comp is not None and len(comp.groups) == 2,
        "group_a": rows[0]["contrast"].split(" minus ")[0] if rows else "",
        "group_b": rows[0]["contrast"].split(" minus ")[-1] if rows else "",
        "rows": rows,
        "n_tested": len(tested),
        "n_sig": sum(1 for r in tested if r["q"] < 0.05),
        "biggest": biggest,
        "method": comp.method if comp is not None else "",
        "warnings": [*report.notes, *(_code_warnings(comp, rows) if comp is not None else [])],
        "agreement": _agreement(codes),
        "shares_fig": div("compare_codes_shares"),
        "positions": [f for f in (div(f"compare_codes_position_{g}") for g in (comp.groups if comp else [])) if f],
        "cross_codes": [str(c) for c in cross.columns],
        "none_used": bool((report.table["topic"] == NONE_TOPIC).any()),
        "cross_rows": [
            {"topic": int(t), "label": str(lab), "shares": [float(v) * 100 for v in row]}
            for (t, lab), row in zip(cross.index, cross.to_numpy(), strict=True)
        ],
        "cross_sizes": report.table.groupby("inductive_topic").size().to_dict(),
        "outside": outside.to_dict("records"),
        "outside_share": OUTSIDE_SHARE * 100,
        # most remarks coded with low confidence: "outside the codebook" would mostly say the coder is unsure
        "mostly_unsure": float(whole["low_confidence_share"]) > OUTSIDE_SHARE,
        "unclaimed_fit": UNCLAIMED_FIT,
        "n_topics": int((np.unique(report.table["inductive_topic"]) != NONE_TOPIC).sum()),
    }


def codes_summary_line(ctx: dict) -> str:
    """One sentence for "What this report found": the codebook, how much of the talk its codes claim, how
    sure the coder is, the group differences and the agreement with the expert (numbers of ``ctx``).

    Parameters
    ----------
    ctx : dict
        :func:`codes_context`'s context.

    Returns
    -------
    str
    """
    line = f"Coded with {ctx['codebook'] or 'the codebook'} ({ctx['n_codes']} codes, {ctx['how']}): "
    claimed, low = ctx["claimed"], ctx["low"]
    line += f"{claimed:.0f}% of the remarks take a code" if claimed is not None else "coverage not known"
    if low is not None:
        line += f", {low:.0f}% of those with low confidence"
    if ctx["two_groups"] and ctx["n_tested"]:
        line += (
            f"; {ctx['n_sig']} of {ctx['n_tested']} tested codes differ in share between {ctx['group_a']} and "
            f"{ctx['group_b']} (q < 0.05)"
        )
    agreement = ctx["agreement"]
    if agreement and agreement.get("kappa") is not None:
        line += f"; agreement with the expert on {agreement['n']:,.0f} held-back labels: kappa {agreement['kappa']:.2f}"
        if agreement.get("kappa_low") is not None and agreement.get("kappa_high") is not None:
            line += f" [{agreement['kappa_low']:.2f}, {agreement['kappa_high']:.2f}]"
    else:
        line += "; agreement with an expert not measured"
    return line + "."


def codes_contents(ctx: dict) -> dict:
    """The menu entry of the codes question (``id``, ``title``, ``short``, ``parts``)."""
    parts = [("codeshares", "Code shares by group" if ctx["comp"] else "Code shares")]
    if ctx["positions"]:
        parts.append(("codesession", "Codes through the session"))
    parts += [("codetopics", "Topics and codes"), ("codeoutside", "Topics outside the codebook")]
    return {"id": "q-codes", "title": QUESTION, "short": "Codes", "parts": parts}
