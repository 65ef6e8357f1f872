"""The report page: the template context built from an analysis, and the HTML rendered from it.

Every string from transcripts, metadata, labels or configuration is HTML-escaped by Jinja2's
autoescaping; figure data is JSON-encoded by plotly with ``<``, ``>`` and ``&`` escaped.
"""

from __future__ import annotations

import time
from importlib import metadata
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.offline import get_plotlyjs

from topics.analysis import Analysis
from topics.compare import Comparison

TEMPLATES = Path(__file__).parent / "templates"


def _topic_rows(analysis: Analysis) -> list[dict]:
    t = analysis.topics.copy()
    t["_o"] = (t["topic"] == -1).astype(int)
    rows = []
    for _, r in t.sort_values(["_o", "size"], ascending=[True, False]).iterrows():
        remarks = list(r["representative_texts"])
        raw = r.get("raw_topics")
        rows.append({
            "topic": int(r["topic"]), "label": r["label"], "size": int(r["size"]), "share": float(r["share"]),
            "keywords": r["keywords"], "remarks": remarks, "custom": bool(r.get("custom_label", False)),
            "raw_topics": ", ".join(str(x) for x in raw) if raw is not None else "",
            "notes": r.get("notes", "") or "",
            "first_remark": (remarks[0][:110] + "…") if remarks and len(remarks[0]) > 110 else (remarks[0] if remarks else ""),
        })
    return rows


def _comparison_context(comp: Comparison, div) -> dict:
    c = comp.contrasts
    sig = c[(c["q_value"] < 0.05)].copy()
    sig = sig.reindex(sig["diff"].abs().sort_values(ascending=False).index)
    rows = [{"label": f"{r.topic}: {r.label}", "a": r.share_a * 100, "b": r.share_b * 100, "diff": r.diff * 100,
             "low": r.diff_low * 100, "high": r.diff_high * 100, "q": r.q_value, "contrast": r.contrast}
            for r in sig.itertuples()]
    div_rows = comp.divergence.to_dict("records")
    drift_rows = comp.drift_summary.to_dict("records")
    return {
        "by": comp.by, "groups": comp.groups, "method": c.attrs.get("method", ""), "sig_rows": rows,
        "n_topics": int(c["topic"].nunique()), "n_tested": int(c["p_value"].notna().sum()),
        "n_small": int(c["too_small"].sum()), "divergence": div_rows, "prediction": comp.prediction,
        "drift": drift_rows, "warnings": comp.warnings,
        "forest": div("compare_forest"), "dumbbell": div("compare_dumbbell"), "words": div("compare_words"),
        "positions": [div(f"compare_position_{g}") for g in comp.groups],
        "transitions": [div(f"compare_transitions_{g}") for g in comp.groups[:2]],
    }


def _method_rows(analysis: Analysis) -> list[tuple[str, str]]:
    cfg = analysis.config
    man = analysis.model.manifest_
    versions = man.get("versions", {})
    return [
        ("embedding model", str(man.get("embedding_model"))),
        ("UMAP", f"n_neighbors={cfg.umap.n_neighbors}, n_components={cfg.umap.n_components}, "
                 f"min_dist={cfg.umap.min_dist}, metric={cfg.umap.metric}"),
        ("HDBSCAN", f"min_cluster_size={man.get('min_cluster_size')} (setting: {cfg.hdbscan.min_cluster_size}), "
                    f"min_samples={cfg.hdbscan.min_samples}, selection={cfg.hdbscan.cluster_selection_method}"),
        ("topic words", f"{cfg.representation.model}, n-grams {cfg.vectorizer.ngram_range}, "
                        f"stop words {cfg.vectorizer.stop_words} + {len(cfg.vectorizer.extra_stop_words)} extra"),
        ("outlier reduction", f"{cfg.outliers.strategy}, threshold {cfg.outliers.threshold}" if cfg.outliers.reduce
         else "off"),
        ("cleaning", f"min_words={cfg.cleaning.min_words}, back-channels dropped={cfg.cleaning.drop_backchannels}, "
                     f"duplicates={cfg.cleaning.duplicates}"),
        ("seed", str(cfg.seed)),
        ("data SHA-256", str(man.get("data_sha256"))),
        ("fitted", str(man.get("created"))),
        ("versions", ", ".join(f"{k} {v}" for k, v in versions.items())),
    ]


def render_html(analysis: Analysis, figs: dict[str, go.Figure], *, run_name: str = "",
                static_files: list[str] | None = None, warnings: list[str] | None = None,
                comp: Comparison | None = None, privacy: str = "", quality: dict | None = None) -> str:
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

    Returns
    -------
    str
    """
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("report.html.j2")

    def div(name: str) -> str:
        fig = figs.get(name)
        if fig is None:
            return ""
        return fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{name}",
                           config={"displaylogo": False, "responsive": True})

    curation = analysis.curation
    return template.render(
        title=analysis.config.report.title,
        created=time.strftime("%Y-%m-%d %H:%M"),
        version=metadata.version("topics"),
        run_name=run_name,
        plotlyjs=get_plotlyjs(),
        summary=analysis.summary,
        compare_by=analysis.summary.get("compare_by"),
        n_topics=int((analysis.topics["topic"] != -1).sum()),
        outlier_share=float((analysis.assignments["topic"] == -1).mean()),
        curated=curation is not None and not curation.log.empty,
        curation_mode=curation.mode if curation is not None else "",
        ledger_path=curation.ledger_path if curation is not None else "",
        ledger_rows=curation.log.to_dict("records") if curation is not None else [],
        bucket_rows=curation.buckets.to_dict("records") if curation is not None else [],
        raw_n_topics=int((analysis.raw_topics["topic"] != -1).sum()),
        curation_fig=div("curation"),
        drop_rows=analysis.drop_counts.to_dict("records"),
        topic_rows=_topic_rows(analysis),
        sizes_fig=div("topic_sizes"),
        words_fig=div("top_words"),
        map_fig=div("intertopic_map"),
        hierarchy_fig=div("hierarchy"),
        documents_fig=div("document_map"),
        comp=_comparison_context(comp, div) if comp is not None else None,
        privacy=privacy,
        quality=quality,
        stability_fig=div("quality_stability"),
        grid_fig=div("quality_grid"),
        method_rows=_method_rows(analysis),
        static_files=static_files or [],
        warnings=warnings or [],
    )
