"""Self-contained HTML report of a topic analysis, plus static copies of its figures.

The report inlines plotly.js, so it opens offline and can be mailed as one file. Every string that comes
from transcripts, metadata, labels or configuration is HTML-escaped by the template engine (Jinja2
autoescaping); figure data is JSON-encoded by plotly with ``<``, ``>`` and ``&`` escaped.
Static images (PNG/SVG) are written through kaleido, which needs a Chrome-family browser (Debian's
``chromium``); without one the report is still written and says that the static figures were skipped.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.offline import get_plotlyjs

from topics import plots
from topics.comparison import Comparison, run_comparison
from topics.errors import InputError
from topics.pipeline import Analysis

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"


def figures(analysis: Analysis) -> dict[str, go.Figure]:
    """All report figures of an analysis, by name.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    dict of str to plotly.graph_objects.Figure
        ``topic_sizes``, ``top_words``, ``intertopic_map``, ``hierarchy``, ``document_map``; when a
        curation ledger was applied, ``curation`` (raw -> curated Sankey). The comparison figures come
        from :func:`comparison` (:meth:`topics.comparison.Comparison.figures`). Curated topics are shown when the
        analysis carries a curation (:meth:`topics.pipeline.Analysis.curate`).
    """
    cfg = analysis.config
    topics, assignments = analysis.topics, analysis.assignments
    figs = {
        "topic_sizes": plots.topic_sizes(topics),
        "top_words": plots.top_words(analysis.word_scores(), topics),
        "intertopic_map": plots.intertopic_map(topics, analysis.topic_ids, analysis.topic_embeddings),
        "hierarchy": plots.topic_hierarchy(topics, analysis.topic_ids, analysis.topic_embeddings),
        "document_map": plots.document_map(assignments, analysis.document_map,
                                           max_points=cfg.report.document_map_max_points, seed=cfg.seed),
    }
    if analysis.curation is not None and not analysis.curation.log.empty:
        figs["curation"] = plots.curation_sankey(analysis.curation.flows)
    return figs


def comparison(analysis: Analysis) -> tuple[Comparison | None, str | None]:
    """The group comparison of the report (``config.report.compare_by``), or why there is none."""
    by = analysis.config.report.compare_by
    if not by:
        return None, None
    try:
        return run_comparison(analysis.assignments, by, seed=analysis.config.seed,
                              stop_words=analysis.config.vectorizer.extra_stop_words), None
    except InputError as err:
        return None, f"No comparison by {by!r}: {err.message}"


def quality(analysis: Analysis, run_folder: Path | None) -> tuple[dict, dict[str, go.Figure]]:
    """Quality measures for the report: always the cheap ones; stability and grid when ``topics evaluate`` ran."""
    import pandas as pd

    from topics.evaluate import evaluate

    result = evaluate(analysis)
    ctx: dict = {"summary": result["summary"].iloc[0].to_dict(), "per_topic": result["per_topic"].to_dict("records")}
    figs: dict[str, go.Figure] = {}
    folder = run_folder / "evaluation" if run_folder is not None else None
    if folder is not None and (folder / "stability_topics.csv").exists():
        per = pd.read_csv(folder / "stability_topics.csv")
        pairs = pd.read_csv(folder / "stability_pairwise.csv")
        ctx["stability"] = {"mean_ari": float(pairs["ari"].mean()), "fits": len(set(pairs["fit_a"]) | set(pairs["fit_b"])),
                            "robust": int(per["robust"].sum()), "topics": len(per)}
        figs["stability"] = plots.stability_chart(per, analysis.raw_topics)
    if folder is not None and (folder / "grid.csv").exists():
        grid = pd.read_csv(folder / "grid.csv")
        ctx["grid"] = grid.to_dict("records")
        figs["grid"] = plots.quality_grid(grid)
    return ctx, figs


def browser_available() -> bool:
    """Whether kaleido can find a Chrome-family browser for static export."""
    if any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome")):
        return True
    return bool(os.environ.get("BROWSER_PATH"))


def export_static(figs: dict[str, go.Figure], folder: str | Path, formats: list[str]) -> list[Path]:
    """Write static copies of figures (one file per figure and format) through kaleido.

    Parameters
    ----------
    figs : dict of str to Figure
    folder : str or Path
        Target folder (created).
    formats : list of str
        ``png``, ``svg``, ``pdf``, ...

    Returns
    -------
    list of Path
        Files written.

    Raises
    ------
    RuntimeError
        No browser for kaleido, or the export failed.
    """
    if not formats or not figs:
        return []
    if not browser_available():
        raise RuntimeError("no Chrome-family browser found for kaleido (install Debian's chromium)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    def file_name(name: str) -> str:
        return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)

    items = [(fig, folder / f"{file_name(name)}.{fmt}") for name, fig in figs.items() for fmt in formats]
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmp_paths = [Path(tmp) / p.name for _, p in items]
        pio.write_images([f for f, _ in items], tmp_paths,
                         width=[1200] * len(items), height=[f.layout.height or 600 for f, _ in items])
        for src, (_, dst) in zip(tmp_paths, items, strict=True):
            os.replace(src, dst)
    return [p for _, p in items]


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


def report(
    run: str | Path | Analysis,
    *,
    out: str | Path | None = None,
    figures_dir: str | Path | None = None,
    formats: list[str] | None = None,
    ledger: str | Path | None = None,
    raw: bool = False,
    deidentify: bool | None = None,
) -> Path:
    """Write the HTML report of a run (and static figures).

    Parameters
    ----------
    run : str, Path or Analysis
        A run folder written by :func:`topics.fit` / ``topics fit``, or an :class:`Analysis`.
    out : str or Path, optional
        The HTML file; default ``<run>/report.html``.
    figures_dir : str or Path, optional
        Folder for static figures; default the folder of ``out``.
    formats : list of str, optional
        Static formats; default ``config.report.static_formats``. Empty for none.
    ledger : str or Path, optional
        Curation ledger to apply; default ``<run>/ledger.yaml`` when that file exists.
    raw : bool, default False
        Report the raw model's topics even when a ledger exists.
    deidentify : bool, optional
        De-identify the remarks shown (default ``config.report.deidentify``, on); see :mod:`topics.redact`.

    Returns
    -------
    Path
        The HTML file. It is written to a temporary file and moved into place, so an existing report is
        replaced only by a complete one.
    """
    if isinstance(run, Analysis):
        analysis, run_name = run, "(in memory)"
        if out is None:
            raise ValueError("pass out=... when reporting an in-memory analysis")
    else:
        analysis, run_name = Analysis.load(run), Path(run).name
        out = out or Path(run) / "report.html"
        default_ledger = Path(run) / "ledger.yaml"
        if ledger is None and default_ledger.exists():
            ledger = default_ledger
    if raw:
        analysis = analysis.curate(None)
    elif ledger is not None:
        analysis = analysis.curate(ledger)
    out = Path(out)
    figures_dir = Path(figures_dir) if figures_dir is not None else out.parent
    formats = analysis.config.report.static_formats if formats is None else formats
    warnings: list[str] = []
    cfg = analysis.config.report
    privacy = ""
    names: set[str] = set()
    if cfg.deidentify if deidentify is None else deidentify:
        from topics.redact import mask_table_words, redact

        analysis, counts, names = redact(analysis, known_names=cfg.known_names, use_ner=cfg.deidentify_ner,
                                         max_points=cfg.document_map_max_points)
        privacy = (f"Remarks shown in this report are de-identified: {counts['identifiers']:,} identifiers replaced "
                   f"by placeholders in {counts['remarks_scrubbed']:,} remarks, {counts['name_words']} name words "
                   "masked in labels and keywords. Automatic de-identification misses some identifiers "
                   "(about one in ten in our measurements): read the report before sharing it.")
    else:
        warnings.append("De-identification is OFF: remarks are shown verbatim. Do not share this report.")
    figs = figures(analysis)
    quality_ctx, quality_figs = quality(analysis, None if isinstance(run, Analysis) else Path(run))
    figs.update({f"quality_{k}": v for k, v in quality_figs.items()})
    comp, why = comparison(analysis)
    if why:
        warnings.append(why)
    if comp is not None:
        if names and not comp.words.empty:
            comp.words = mask_table_words(comp.words, "word", names)
        figs.update({f"compare_{k}": v for k, v in comp.figures().items()})
    static: list[Path] = []
    if formats:
        try:
            static = export_static(figs, figures_dir, formats)
        except Exception as err:  # the HTML report is still useful without static images
            log.warning("static figures skipped: %s", err)
            warnings.append(f"Static figure files were not written: {err}")
    html_text = render_html(analysis, figs, run_name=run_name,
                            static_files=[p.name for p in static], warnings=warnings, comp=comp, privacy=privacy,
                            quality=quality_ctx)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html_text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
