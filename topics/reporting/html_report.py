"""Self-contained HTML report of a topic analysis, plus static copies of its figures.

:func:`report` reads the run (with its curation ledger), de-identifies what it will show
(:mod:`topics.reporting.redaction`), draws the figures (:mod:`topics.plots`), runs the quality measures
(:mod:`topics.evaluate`) and the group comparison (:mod:`topics.compare`), renders the page
(:mod:`topics.reporting.context`) and writes it atomically, with static figures beside it
(:mod:`topics.reporting.static`). The report inlines plotly.js, so it opens offline and can be mailed as
one file. Without a Chrome-family browser (Debian's ``chromium``) the report is still written and says
that the static figures were skipped.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from topics import plots
from topics._files import atomic_write_text
from topics.analysis import Analysis, load_run
from topics.compare import Comparison, compare_distributed, run_configured
from topics.compare.comparison import MIN_SESSIONS, PREDICTION_FOLDS
from topics.compare.design import check_group_sizes
from topics.distributed import DISTRIBUTED_DIR, DistributedRun, load_distributed
from topics.errors import InputError
from topics.evaluate import evaluate
from topics.reporting.codes import CODES_DIR, report_codes
from topics.reporting.context import render_html
from topics.reporting.redaction import mask_table_words, redact
from topics.reporting.static import export_static
from topics.runs import EVALUATION_DIR, model_fingerprint, stale_reason

log = logging.getLogger(__name__)


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
        from :func:`topics.plots.comparison_figures`. Curated topics are shown when the analysis carries a
        curation (:meth:`topics.analysis.Analysis.curate`).
    """
    cfg = analysis.config
    topics, assignments = analysis.topics, analysis.assignments
    similarity = analysis.topic_similarity()
    figs = {
        "topic_sizes": plots.topic_sizes(topics),
        "top_words": plots.top_words(analysis.word_scores(), topics, weight=_weight_name(analysis)),
        "intertopic_map": plots.intertopic_map(topics, similarity),
        "hierarchy": plots.topic_hierarchy(topics, similarity),
        "document_map": plots.document_map(
            assignments, analysis.document_map, max_points=cfg.report.document_map_max_points, seed=cfg.seed
        ),
    }
    if analysis.curation is not None and not analysis.curation.log.empty:
        figs["curation"] = plots.curation_sankey(analysis.curation.flows)
    return figs


def _weight_name(analysis: Analysis) -> str:
    """What the top-word weights of an analysis are, in words, for the top-words chart."""
    if analysis.config.representation.model == "keybert":
        return "keyword score (KeyBERT: how close the word is to the topic's remarks)"
    return "c-TF-IDF weight (how much more frequent the word is in this topic than in the others)"


def transition_topics(analysis: Analysis, n: int = 15) -> list[int]:
    """The ``n`` largest topics in the order of the topic hierarchy: the rows of the transition heatmaps."""
    largest = analysis.topics[analysis.topics["topic"] != -1].nlargest(n, "size")["topic"].astype(int).tolist()
    return plots.hierarchy_order(analysis.topic_similarity(), keep=largest)


def comparison(analysis: Analysis, whole: DistributedRun | None = None) -> tuple[Comparison | None, str | None]:
    """The group comparison of the report (the ``[compare]`` settings and the seed), or why there is none.

    For a run of the Dask engine (``whole``), over every session of the corpus from its session x topic counts.
    """
    by = analysis.config.compare.by
    if not by:
        return None, None
    try:
        if whole is not None:
            return compare_distributed(whole, analysis=analysis), None
        return run_configured(analysis.assignments, analysis.config), None
    except InputError as err:
        return None, f"No comparison by {by!r}: {err.message}"


def comparison_precheck(analysis: Analysis) -> str | None:
    """Why the report's comparison cannot run, found in a second before anything expensive, or None.

    A grouping column that is not in the data, or a compared group with too few sessions, used to be found
    only when the comparison ran, after the de-identification, the figures and the quality measures. The
    message names the column or the small groups with their sessions, the minimum and the fix (``--groups``
    with the groups that have enough, merging groups); see :func:`topics.compare.design.check_group_sizes`.

    Parameters
    ----------
    analysis : Analysis
        With the ``[compare]`` settings the report uses (``by``, ``groups``).

    Returns
    -------
    str or None
        The sentence the report shows at the top instead of the comparison, or None when it can run (or
        none is asked for).
    """
    c = analysis.config.compare
    if not c.by:
        return None
    try:
        check_group_sizes(
            analysis.assignments, c.by, groups=list(c.groups) or None, min_sessions=max(MIN_SESSIONS, PREDICTION_FOLDS)
        )
    except InputError as err:
        return f"No comparison by {c.by!r}: {err.message}"
    return None


def quality(analysis: Analysis, run_folder: Path | None) -> tuple[dict, dict[str, go.Figure]]:
    """Quality measures for the report: always the cheap ones; stability and grid when ``topics evaluate`` ran.

    ``RUN/evaluation`` is read only when its ``manifest.json`` records this run's model
    (:func:`topics.runs.stale_reason`); otherwise the context's ``stale`` says why it is not shown.
    """
    result = evaluate(analysis)
    ctx: dict = {"summary": result["summary"].iloc[0].to_dict(), "per_topic": result["per_topic"].to_dict("records")}
    figs: dict[str, go.Figure] = {}
    folder = run_folder / EVALUATION_DIR if run_folder is not None else None
    if folder is not None and folder.is_dir():
        stale = stale_reason(folder, model_fingerprint(analysis.raw_assignments), redo=f"topics evaluate {run_folder}")
        if stale is not None:
            log.warning("%s", stale)
            ctx["stale"] = f"Stability and model selection are not shown: {stale}."
            folder = None
    if folder is not None and (folder / "stability_topics.csv").exists():
        per = pd.read_csv(folder / "stability_topics.csv")
        pairs = pd.read_csv(folder / "stability_pairwise.csv")
        ctx["stability"] = {
            "mean_ari": float(pairs["ari"].mean()),
            "fits": len(set(pairs["fit_a"]) | set(pairs["fit_b"])),
            "robust": int(per["robust"].sum()),
            "topics": len(per),
        }
        figs["stability"] = plots.stability_chart(per, analysis.raw_topics, names=stability_names(analysis))
    if folder is not None and (folder / "grid.csv").exists():
        grid = pd.read_csv(folder / "grid.csv")
        ctx["grid"] = grid.to_dict("records")
        figs["grid"] = plots.quality_grid(grid)
    ctx["answer"] = quality_answer(ctx)
    return ctx, figs


def quality_answer(quality: dict) -> list[str]:
    """The short answer to "how good are the topics?", each number with what it means."""
    q = quality["summary"]
    lines = []
    if "npmi" in q:
        lines.append(
            f"Coherence {q['npmi']:.2f} (mean NPMI of each topic's top words): how often a topic's words meet in "
            "one remark. For short therapist remarks -0.5 to 0 is usual and above 0 is good."
        )
    if "diversity" in q:
        lines.append(
            f"Diversity {q['diversity']:.2f}: the share of distinct words among all topics' top 10; 1 means no "
            "topic repeats another's words."
        )
    stab = quality.get("stability")
    if stab:
        lines.append(
            f"Stability: {stab['robust']} of {stab['topics']} raw topics reappear in at least 80% of refits with "
            f"other seeds (mean adjusted Rand index {stab['mean_ari']:.2f}; 1 means the same topics every time)."
        )
    else:
        lines.append("Stability across seeds is not measured yet (run topics evaluate on the run folder).")
    nmi = float(q.get("nmi_codes", float("nan")))
    if nmi == nmi:
        lines.append(
            f"Agreement with the corpus' own utterance codes {nmi:.2f} (NMI): 0 means none, 1 the same grouping."
        )
    return lines


def stability_names(analysis: Analysis) -> dict[int, str]:
    """For a curated analysis: each raw topic named by the curated topic (or bucket) most of its remarks went to."""
    curation = analysis.curation
    if curation is None or curation.log.empty or curation.flows.empty:
        return {}
    flows = curation.flows.sort_values("remarks", ascending=False).drop_duplicates("raw_topic")
    names = {}
    for r in flows.itertuples():
        target = f"set aside ({r.bucket})" if r.bucket else f"{int(r.topic)}: {r.label}"
        names[int(r.raw_topic)] = f"raw {int(r.raw_topic)} → {target}"
    return names


@dataclass
class _Shown:
    """What the report shows of an analysis: de-identified or not, and what it says about that."""

    analysis: Analysis
    privacy: str = ""
    names: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _shown(analysis: Analysis, deidentify: bool | None) -> _Shown:
    """The analysis as the report shows it: remarks scrubbed and names masked, unless switched off."""
    cfg = analysis.config
    if not (cfg.report.deidentify if deidentify is None else deidentify):
        return _Shown(
            analysis, warnings=["De-identification is OFF: remarks are shown verbatim. Do not share this report."]
        )
    shown, counts, names = redact(
        analysis,
        known_names=cfg.deidentify.known_names,
        use_ner=cfg.deidentify.ner,
        max_points=cfg.report.document_map_max_points,
    )
    privacy = (
        f"Remarks shown in this report are de-identified: {counts['identifiers']:,} identifiers replaced "
        f"by placeholders in {counts['remarks_scrubbed']:,} remarks, {counts['name_words']} name words "
        "masked in labels and keywords. Automatic de-identification misses some identifiers "
        "(about one in thirty on held-out remarks in familiar styles, one in sixteen on the latest set written in "
        "styles the rules had never seen): read the report before sharing it."
    )
    return _Shown(shown, privacy=privacy, names=names)


class _Progress:
    """Step lines on stderr (``[  12 s] report: drawing the figures``), and the elapsed time at the end."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.t0 = time.perf_counter()

    def step(self, text: str) -> None:
        if self.enabled:
            print(f"[{time.perf_counter() - self.t0:5.0f} s] report: {text}", file=sys.stderr, flush=True)

    def done(self, path: Path) -> None:
        if self.enabled:
            print(
                f"[{time.perf_counter() - self.t0:5.0f} s] report: written to {path} "
                f"in {time.perf_counter() - self.t0:.1f} s",
                file=sys.stderr,
                flush=True,
            )


def whole_corpus(run_folder: Path | None) -> DistributedRun | None:
    """The whole-corpus tables of a run of the Dask engine, or None for a run of one process."""
    if run_folder is None or not (run_folder / DISTRIBUTED_DIR / "summary.json").is_file():
        return None
    return load_distributed(run_folder)


def whole_corpus_context(whole: DistributedRun, analysis: Analysis) -> dict:
    """What the report says about the whole corpus of a Dask-engine run: counts, drop account, topic sizes."""
    counts = whole.session_counts(analysis.curation)
    per_topic = counts.groupby("topic")["n"].sum()
    total = int(per_topic.sum())
    drops = whole.drop_counts()
    s = whole.summary
    return {
        "sessions": int(s.get("sessions", 0)),
        "utterances": int(s.get("utterances", 0)),
        "remarks": int(s.get("remarks", 0)),
        "sample_sessions": int(s.get("sample_sessions", 0)),
        "sample_remarks": int(s.get("sample_remarks", 0)),
        "workers": s.get("workers"),
        "unmapped": int(counts.attrs.get("unmapped_remarks", 0)),
        "sizes": {int(t): (int(n), n / total if total else 0.0) for t, n in per_topic.items()},
        "drop_rows": drops.to_dict("records"),
    }


def _all_figures(
    shown: _Shown,
    run_folder: Path | None,
    progress: _Progress | None = None,
    whole: DistributedRun | None = None,
    why_not: str | None = None,
) -> tuple[dict[str, go.Figure], dict, Comparison | None]:
    """Topic, quality and comparison figures (with the quality context and the comparison).

    ``why_not`` (from :func:`comparison_precheck`): the comparison is not run, and the reason is a warning.
    """
    progress = progress or _Progress(False)
    analysis = shown.analysis
    progress.step("drawing the topic figures")
    figs = figures(analysis)
    progress.step("measuring topic quality (coherence, diversity)")
    quality_ctx, quality_figs = quality(analysis, run_folder)
    figs.update({f"quality_{k}": v for k, v in quality_figs.items()})
    if quality_ctx.get("stale"):
        shown.warnings.append(quality_ctx["stale"])
    if getattr(analysis.model, "provenance_note_", None):  # loaded on another kind of machine
        shown.warnings.append(str(analysis.model.provenance_note_))
    if why_not:
        shown.warnings.append(why_not)
        return figs, quality_ctx, None
    if analysis.config.compare.by:
        progress.step(f"comparing groups by {analysis.config.compare.by} (permutation tests; the longest step)")
    comp, why = comparison(analysis, whole)
    if why:
        shown.warnings.append(why)
    if comp is not None:
        if shown.names and not comp.words.empty:
            comp.words = mask_table_words(comp.words, "word", shown.names)
        order = transition_topics(analysis)
        figs.update({f"compare_{k}": v for k, v in plots.comparison_figures(comp, topic_order=order).items()})
    return figs, quality_ctx, comp


def _static_files(figs: dict[str, go.Figure], folder: Path, formats: list[str], warnings: list[str]) -> list[str]:
    """Write static copies; a failure becomes a warning in the report, not an error."""
    if not formats:
        return []
    try:
        return [p.name for p in export_static(figs, folder, formats)]
    except Exception as err:  # the HTML report is still useful without static images
        log.warning("static figures skipped: %s", err)
        warnings.append(f"Static figure files were not written: {err}")
        return []


def report(
    run: str | Path | Analysis,
    *,
    out: str | Path | None = None,
    figures_dir: str | Path | None = None,
    formats: list[str] | None = None,
    ledger: str | Path | None = None,
    raw: bool = False,
    deidentify: bool | None = None,
    compare_by: str | Literal[False] | None = None,
    groups: list[str] | None = None,
    progress: bool = True,
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
        De-identify the remarks shown (default ``config.report.deidentify``, on); see
        :mod:`topics.reporting.redaction`.
    compare_by : str or False, optional
        Compare by this metadata column (or preset) instead of the run's ``[compare] by``, without a refit;
        ``False``: no comparison.
    groups : list of str, optional
        Compare only these groups, in order (the first minus the second), instead of the run's
        ``[compare] groups`` (default: all groups); with ``compare_by``, groups of that column.
    progress : bool, default True
        Print a line on stderr as each step starts (loading, de-identifying, figures, quality, comparison,
        static figures, writing), with the seconds elapsed, and the total time at the end.

    Returns
    -------
    Path
        The HTML file. It is written to a temporary file and moved into place, so an existing report is
        replaced only by a complete one.

    Raises
    ------
    InputError
        ``groups`` without a comparison (``compare_by=False``), or naming fewer than two groups.

    Notes
    -----
    A comparison that cannot run (no such column; a compared group with too few sessions) is found right
    after loading, said on stderr at once and at the top of the report, which is written without it.

    When ``topics code`` coded the run's remarks (``RUN/codes``, of this model), the report answers a sixth
    question, "Which codes, and how do the groups differ on them?" (:mod:`topics.reporting.codes`); codes of an
    earlier fit are not shown, and the report says so at the top.
    """
    steps = _Progress(progress)
    if isinstance(run, Analysis):
        if out is None:
            raise ValueError("pass out=... when reporting an in-memory analysis")
        analysis, run_name, run_folder = run, "(in memory)", None
        if raw:
            analysis = analysis.curate(None)
        elif ledger is not None:
            analysis = analysis.curate(ledger)
    else:
        steps.step(f"loading the run {run} (model, tables, curation ledger)")
        analysis, run_name, run_folder = load_run(run, ledger=ledger, raw=raw), Path(run).name, Path(run)
        out = out or Path(run) / "report.html"
    out = Path(out)
    if groups is not None:
        groups = [str(g) for g in groups]
        if compare_by is False:
            raise InputError("groups were given but the comparison is switched off (compare_by=False)")
        if len(groups) < 2 or len(set(groups)) != len(groups):
            raise InputError(f"name two or more different groups to compare, got {groups}", column="groups")
    if compare_by is not None or groups is not None:
        by = analysis.config.compare.by if compare_by is None else (compare_by or None)
        if groups is not None and not by:
            raise InputError(
                "groups were given but the run has no grouping column ([compare] by): "
                "name one (--compare-by COLUMN for `topics report`)",
                column="groups",
            )
        analysis = analysis.compared_by(by, groups=groups)
    whole = whole_corpus(run_folder)
    why_not = comparison_precheck(analysis) if whole is None else None
    if why_not:
        steps.step(f"{why_not} The report is written without the comparison.")
    steps.step("de-identifying the remarks shown")
    shown = _shown(analysis, deidentify)
    figs, quality_ctx, comp = _all_figures(shown, run_folder, steps, whole, why_not)
    codes = None
    if run_folder is not None and (run_folder / CODES_DIR).is_dir():  # `topics code` ran: shown when current
        steps.step("reading the codes (RUN/codes) and comparing the groups on them")
        codes = report_codes(shown.analysis, run_folder, shown.warnings, compare=not why_not, sample=whole is not None)
        figs.update(codes.figures if codes is not None else {})
    formats = analysis.config.report.static_formats if formats is None else formats
    if formats:
        steps.step(f"writing static figures ({', '.join(formats)}; a few seconds each)")
    static = _static_files(figs, Path(figures_dir) if figures_dir is not None else out.parent, formats, shown.warnings)
    steps.step("writing the HTML page")
    html_text = render_html(
        shown.analysis,
        figs,
        run_name=run_name,
        static_files=static,
        warnings=shown.warnings,
        comp=comp,
        privacy=shown.privacy,
        quality=quality_ctx,
        whole=whole_corpus_context(whole, shown.analysis) if whole is not None else None,
        codes=codes,
    )
    path = atomic_write_text(out, html_text)
    steps.done(path)
    return path
