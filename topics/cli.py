"""The ``topics`` command: ``fit``, ``report``, ``demo``, ``compare``, ``evaluate`` and ``curate``
(``worksheet``, ``import``, ``diff``, ``agree``).

Each command is a thin layer over the Python API (the same functions, the same defaults), so the CLI,
the report and a notebook give the same answer.

Every bad input ends the command with a one-line message naming the file, line and column (exit code 2),
before anything is written.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from topics.errors import InputError

DEMO_RUN = Path("runs/demo")
DEMO_REPORT = Path("figures/report.html")
DEMO_LEDGER = Path(__file__).resolve().parents[1] / "corpora" / "demo" / "ledger.yaml"


def _parse_pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint=option)
        out[key.strip()] = value.strip()
    return out


def _load_config(path: Path | None, seed: int | None):
    from topics.config import TopicConfig

    config = TopicConfig.from_toml(path) if path else TopicConfig()
    if seed is not None:
        # through the config's own checks, so that --seed -1 fails like `seed = -1` in the file
        data = config.to_dict()
        data["seed"] = seed
        config = TopicConfig.from_dict(data)
    return config


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except InputError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="topics")
def main() -> None:
    """Topic modeling of psychotherapy and counseling transcripts.

    Typical use: `topics fit transcripts.csv --out runs/study`, then `topics report runs/study`.
    """


@main.command()
@click.argument("corpus")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="TOML config file (see README).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Run folder to write.")
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "jsonl", "parquet", "text"]),
              help="Input format (default: from the file suffix; a folder means text transcripts).")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=SOURCE",
              help="Column mapping, e.g. --map text=utterance_text --map role=interlocutor. Repeatable.")
@click.option("--role", "roles", multiple=True, metavar="LABEL=ROLE",
              help="Role label mapping, e.g. --role counsellor=therapist. Repeatable.")
@click.option("--prefix", "prefixes", multiple=True, metavar="PREFIX=ROLE",
              help="Speaker prefix of text transcripts, e.g. --prefix Dr=therapist. Repeatable; replaces the defaults.")
@click.option("--session-metadata", type=click.Path(path_type=Path),
              help="CSV/parquet with a session_id column and per-session metadata (school, quality, ...).")
@click.option("--encoding", default="utf-8", show_default=True,
              help="Text encoding of the input files (e.g. utf-16, latin-1, cp1252).")
@click.option("--seed", type=int, help="Override the config's seed.")
@click.option("--report/--no-report", "make_report", default=False, help="Also write <out>/report.html.")
def fit(corpus, config_path, out, fmt, mapping, roles, prefixes, session_metadata, encoding, seed,
        make_report) -> None:
    """Fit topics on the therapist remarks of CORPUS and write a run folder.

    CORPUS is a CSV/TSV/JSONL/parquet file, a plain-text transcript or a folder of them, or a corpus
    name: demo, annomi, mibot, counselchat, esconv, rogers, llms-as-therapists.
    """
    from topics.pipeline import fit as fit_corpus
    from topics.read import load_corpus

    t0 = time.perf_counter()
    config = _run(_load_config, config_path, seed)
    table = _run(
        load_corpus, corpus, format=fmt, mapping=_parse_pairs(mapping, "--map") or None,
        role_values=_parse_pairs(roles, "--role") or None,
        speaker_prefixes=_parse_pairs(prefixes, "--prefix") or None, session_metadata=session_metadata,
        encoding=encoding,
    )
    analysis = _run(fit_corpus, table, config, out=out)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    click.echo(f"{analysis.summary['remarks']:,} remarks -> {n_topics} topics, "
               f"{(analysis.assignments['topic'] == -1).mean():.1%} outliers; run folder {out} "
               f"({time.perf_counter() - t0:.0f} s)")
    if make_report:
        from topics.reporting import report as write_report

        click.echo(f"report: {_run(write_report, out)}")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="HTML file (default: RUN/report.html).")
@click.option("--figures", "figures_dir", type=click.Path(path_type=Path),
              help="Folder for static PNG/SVG figures (default: beside the HTML file).")
@click.option("--static", "formats", multiple=True, type=click.Choice(["png", "svg", "pdf"]),
              help="Static formats (default from the config). Repeatable.")
@click.option("--no-static", is_flag=True, help="Write no static figures.")
@click.option("--ledger", type=click.Path(path_type=Path),
              help="Curation ledger to apply (default: RUN/ledger.yaml when it exists).")
@click.option("--raw", is_flag=True, help="Show the raw model's topics even when a ledger exists.")
@click.option("--no-deidentify", is_flag=True,
              help="Show remarks verbatim (private analysis only; the report then says so at the top).")
def report(run, out, figures_dir, formats, no_static, ledger, raw, no_deidentify) -> None:
    """Write the self-contained HTML report (and static figures) of a run folder RUN.

    The report shows the curated topics when a ledger is given or RUN/ledger.yaml exists.
    """
    from topics.reporting import report as write_report

    chosen = [] if no_static else (list(formats) or None)
    path = _run(write_report, run, out=out, figures_dir=figures_dir, formats=chosen, ledger=ledger, raw=raw,
                deidentify=False if no_deidentify else None)
    click.echo(f"report: {path}")


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=DEMO_RUN, show_default=True,
              help="Run folder to write.")
@click.option("--report-file", type=click.Path(path_type=Path), default=DEMO_REPORT, show_default=True,
              help="HTML report; static figures go beside it.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="TOML config file.")
def demo(out, report_file, config_path) -> None:
    """Fit the bundled demo corpus (AnnoMI professionals vs MIBot LLM counsellor) and write the report.

    The example curation ledger corpora/demo/ledger.yaml is copied into the run folder (unless one is
    already there) and applied, so the report shows curated topics.
    """
    from topics.pipeline import fit as fit_corpus
    from topics.read import load_corpus
    from topics.reporting import report as write_report

    t0 = time.perf_counter()
    config = _run(_load_config, config_path, None)
    table = _run(load_corpus, "demo")
    click.echo(f"demo corpus: {table['session_id'].nunique()} sessions, {len(table):,} utterances")
    analysis = _run(fit_corpus, table, config, out=out)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    click.echo(f"{analysis.summary['remarks']:,} remarks -> {n_topics} topics, "
               f"{(analysis.assignments['topic'] == -1).mean():.1%} outliers "
               f"(embedded {int(analysis.timings.get('embedded_new', 0)):,} new texts)")
    run_ledger = Path(out) / "ledger.yaml"
    if not run_ledger.exists() and DEMO_LEDGER.exists():
        shutil.copy2(DEMO_LEDGER, run_ledger)
        click.echo(f"curation ledger: {run_ledger} (copied from {DEMO_LEDGER.name} in corpora/demo)")
    path = _run(write_report, out, out=report_file)
    click.echo(f"report: {path} ({time.perf_counter() - t0:.0f} s in all)")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--by", help="Grouping column or preset: school, counselor_type, quality (default: the run's [compare] by).")
@click.option("--groups", help="Comma-separated groups in order: each contrast is the first minus the second.")
@click.option("--strata", help="Compare within levels of this column (e.g. problem).")
@click.option("--cluster", help="Resample whole clusters of sessions (e.g. therapist) instead of sessions.")
@click.option("--estimand", type=click.Choice(["session", "pooled"]),
              help="A group's share: the average session's (session) or of its remarks (pooled).")
@click.option("--denominator", type=click.Choice(["all", "topical"]),
              help="Shares of all modelled remarks (all) or only of remarks in a topic (topical).")
@click.option("--outcome", "outcomes", multiple=True, help="Session-level outcome column. Repeatable.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the CSV tables (default RUN/compare-BY).")
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger (default RUN/ledger.yaml if present).")
@click.option("--raw", is_flag=True, help="Compare the raw model's topics, ignoring any ledger.")
@click.option("--boot", "n_boot", default=1000, show_default=True,
              help="Bootstrap replicates (divergence, drift and position intervals).")
@click.option("--perm", "n_perm", type=int, help="Permutations (default: the run's [compare] n_perm).")
@click.option("--seed", type=int, help="Seed of every resampling (default: the run's seed, as in its report).")
def compare(run, by, groups, strata, cluster, estimand, denominator, outcomes, out, ledger, raw, n_boot, n_perm,
            seed) -> None:
    """Compare groups of sessions in RUN: topic prevalence with session-level statistics, and more.

    Uses the run's [compare] settings and seed (the report's numbers) unless an option says otherwise.
    Writes contrasts.csv (per topic, "A minus B": shares, difference with interval, p, BH q, too-small
    flag), divergence.csv, prediction.csv, positions.csv, transitions_*.csv, drift*.csv,
    distinctive_words.csv, gee_crosscheck.csv and outcome_*.csv, and prints the significant topics.
    """
    import pandas as pd

    from topics.analysis import load_run
    from topics.compare import run_configured

    analysis = _run(load_run, run, ledger=ledger, raw=raw)
    chosen = [g.strip() for g in groups.split(",")] if groups else None
    comp = _run(run_configured, analysis.assignments, analysis.config, by=by, groups=chosen, strata=strata,
                cluster=cluster, estimand=estimand, denominator=denominator, outcomes=list(outcomes) or None,
                n_boot=n_boot, n_perm=n_perm, seed=seed)
    target = out or run / f"compare-{comp.by}"
    files = comp.save_csv(target)
    for w in [*comp.confounds, *comp.warnings]:
        click.echo(f"warning: {w}", err=True)
    c = comp.contrasts
    sig = c[c["q_value"] < 0.05].sort_values("q_value")
    with pd.option_context("display.width", 200, "display.max_colwidth", 45):
        click.echo(comp.method + "\n")
        click.echo(f"{len(sig)} of {int(c['p_value'].notna().sum())} topic contrasts at q < 0.05 (seed {comp.seed}):")
        if len(sig):
            click.echo((sig[["topic", "label", "contrast", "share_a", "share_b", "diff", "diff_low", "diff_high",
                             "q_value"]]).round(4).to_string(index=False))
    click.echo(f"\nwrote {len(files)} files to {target}")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--seeds", default="", help="Comma-separated extra seeds for the stability refits (default: next two).")
@click.option("--no-stability", is_flag=True, help="Skip the refits (only coherence, diversity, outliers, codes).")
@click.option("--no-shuffle", is_flag=True, help="Skip the refit on shuffled remark order.")
@click.option("--grid-mcs", default="", help="Model selection: comma-separated min_cluster_size values (int or auto).")
@click.option("--grid-nn", default="", help="Model selection: comma-separated UMAP n_neighbors values.")
@click.option("--code", default="code", show_default=True, help="Utterance-level code column for NMI.")
def evaluate(run, seeds, no_stability, no_shuffle, grid_mcs, grid_nn, code) -> None:
    """Measure topic quality of RUN and write RUN/evaluation/*.csv (shown in the next report).

    NPMI coherence (top 10 words, remark-level co-occurrence), topic diversity, outlier share and sizes,
    NMI with an external code column; stability across seeds and shuffled order (refits reuse the cached
    embeddings); optionally a model-selection grid.
    """
    import pandas as pd

    from topics import evaluate as ev
    from topics._files import export_csv
    from topics.analysis import Analysis

    analysis = _run(Analysis.load, run)
    folder = run / "evaluation"
    folder.mkdir(exist_ok=True)
    result = ev.evaluate(analysis, code=code)
    export_csv(result["summary"], folder / "summary.csv")
    export_csv(result["per_topic"], folder / "per_topic.csv")
    with pd.option_context("display.width", 200):
        click.echo(result["summary"].round(4).to_string(index=False))
    if not no_stability:
        extra = [int(x) for x in seeds.split(",") if x.strip()] or None
        stab = ev.stability(analysis, seeds=extra, shuffle=not no_shuffle)
        export_csv(stab.pairwise, folder / "stability_pairwise.csv")
        export_csv(stab.per_topic, folder / "stability_topics.csv")
        click.echo(f"\nstability: mean pairwise ARI {stab.mean_ari:.3f} over {len(stab.fits)} fits; "
                   f"{int(stab.per_topic['robust'].sum())} of {len(stab.per_topic)} topics robust")
    if grid_mcs or grid_nn:
        mcs = [x.strip() if x.strip() == "auto" else int(x) for x in grid_mcs.split(",") if x.strip()] or None
        nn = [int(x) for x in grid_nn.split(",") if x.strip()] or None
        grid = ev.model_grid(analysis, min_cluster_size=mcs, n_neighbors=nn, code=code)
        export_csv(grid, folder / "grid.csv")
        with pd.option_context("display.width", 200):
            click.echo("\n" + grid.round(4).to_string(index=False))
    click.echo(f"\nwrote {folder}")


@main.group()
def curate() -> None:
    """Expert curation: worksheets, importing decisions, diffs and agreement between ledgers."""


@curate.command("worksheet")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Folder for worksheet.csv/.html (default RUN).")
@click.option("--ledger", type=click.Path(path_type=Path),
              help="Start from the view after this ledger (default RUN/ledger.yaml if it exists).")
@click.option("--raw-text", is_flag=True,
              help="Write remarks verbatim (private use only; by default they are de-identified).")
def curate_worksheet(run, out, ledger, raw_text) -> None:
    """Write a worksheet (CSV + HTML, one row per topic with 10 remarks) for an expert to fill in.

    Remarks, labels and keywords are de-identified with the run's [deidentify] settings unless --raw-text.
    """
    from topics.analysis import Analysis, run_ledger
    from topics.curate import apply_ledger, write_worksheet

    analysis = _run(Analysis.load, run)
    view = _run(apply_ledger, analysis.model, run_ledger(run, ledger))
    settings = analysis.config.deidentify
    for path in _run(write_worksheet, view, out or run, deidentify=not raw_text, known_names=settings.known_names,
                     use_ner=settings.ner):
        click.echo(f"wrote {path}")
    if raw_text:
        click.echo("warning: the worksheet is NOT de-identified; do not share it", err=True)


@curate.command("import")
@click.argument("sheet", type=click.Path(path_type=Path))
@click.option("--run", "run", type=click.Path(path_type=Path), required=True, help="The run folder.")
@click.option("--ledger", type=click.Path(path_type=Path), help="Ledger file (default RUN/ledger.yaml).")
@click.option("--author", required=True, help="Who made the decisions (recorded in every entry).")
def curate_import(sheet, run, ledger, author) -> None:
    """Turn a filled worksheet SHEET into ledger entries (nothing is written if any row is invalid)."""
    from topics.analysis import Analysis, run_ledger
    from topics.curate import Ledger, import_worksheet

    analysis = _run(Analysis.load, run)
    target = run_ledger(run, ledger, existing=False)
    before = len(_run(Ledger.load, target).entries) if target.exists() else 0
    book = _run(import_worksheet, sheet, analysis.model, target, author=author)
    click.echo(f"added {len(book.entries) - before} entries to {book.path}")


@curate.command("diff")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path), help="Ledger file (default RUN/ledger.yaml).")
def curate_diff(run, ledger) -> None:
    """List what a ledger changes: each decision and its status, then raw -> curated topics."""
    import pandas as pd

    from topics.analysis import Analysis, run_ledger
    from topics.curate import apply_ledger

    analysis = _run(Analysis.load, run)
    view = _run(apply_ledger, analysis.model, run_ledger(run, ledger, existing=False))
    with pd.option_context("display.width", 200, "display.max_colwidth", 70, "display.max_rows", 500):
        click.echo(f"ledger mode: {view.mode}; {len(view.log)} entries, {view.survival:.0%} applied\n")
        click.echo(view.log[["entry", "line", "written", "status", "applied_to", "reason"]].to_string(index=False))
        moved = view.flows[(view.flows["raw_topic"] != view.flows["topic"]) | (view.flows["raw_label"] != view.flows["label"])]
        click.echo("\nraw topic -> curated topic (changed only):")
        click.echo(moved[["raw_topic", "raw_label", "topic", "label", "remarks"]].to_string(index=False))


@curate.command("agree")
@click.argument("run", type=click.Path(path_type=Path))
@click.argument("ledger_a", type=click.Path(path_type=Path))
@click.argument("ledger_b", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="CSV for the side-by-side label table.")
def curate_agree(run, ledger_a, ledger_b, out) -> None:
    """Agreement of two experts' ledgers on RUN: adjusted Rand, co-assignment, kappa on drops, labels."""
    import pandas as pd

    from topics._files import export_csv
    from topics.analysis import Analysis
    from topics.curate import compare_ledgers

    analysis = _run(Analysis.load, run)
    result = _run(compare_ledgers, analysis.model, ledger_a, ledger_b)
    with pd.option_context("display.width", 200, "display.max_colwidth", 45, "display.max_rows", 500):
        click.echo(result.summary().to_string(index=False))
        click.echo("")
        click.echo(result.labels.to_string(index=False))
    if out:
        export_csv(result.labels, out)
        click.echo(f"wrote {out}")


if __name__ == "__main__":
    main()
