"""The ``topics`` command: ``fit``, ``report``, ``demo``, ``compare``, ``evaluate``, ``curate``
(``worksheet``, ``import``, ``diff``, ``agree``) and ``export`` (``qdpx``, ``qdc``).

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


def _elapsed(t0: float) -> str:
    seconds = time.perf_counter() - t0
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _step(message: str) -> float:
    """Print one progress line on stderr and return the time it started."""
    click.echo(f"{time.strftime('%H:%M:%S')} {message} ...", err=True)
    return time.perf_counter()


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
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: fit on a sample of whole sessions, then assign every remark on a Dask cluster "
                   "(CSV/TSV/parquet file, folder or glob; see README 'Large corpora').")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 "
              "(default: a local cluster of --workers processes).")
@click.option("--workers", "n_workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker processes of the local Dask cluster.")
@click.option("--sample-sessions", type=click.IntRange(min=1), default=2000, show_default=True,
              help="With --engine dask: whole sessions the topic model is fitted on.")
@click.option("--stratify", metavar="COLUMN", help="With --engine dask: stratify the session sample by this column.")
def fit(corpus, config_path, out, fmt, mapping, roles, prefixes, session_metadata, encoding, seed,
        make_report, engine, scheduler, n_workers, sample_sessions, stratify) -> None:
    """Fit topics on the therapist remarks of CORPUS and write a run folder.

    CORPUS is a CSV/TSV/JSONL/parquet file, a plain-text transcript or a folder of them, or a corpus
    name: demo, annomi, mibot, counselchat, esconv, rogers, llms-as-therapists.
    """
    from topics.pipeline import fit as fit_corpus
    from topics.read import load_corpus

    t0 = time.perf_counter()
    config = _run(_load_config, config_path, seed)
    if engine == "dask":
        _fit_dask(corpus, config, out, fmt, mapping, roles, prefixes, session_metadata, encoding, scheduler,
                  n_workers, sample_sessions, stratify, t0)
        if make_report:
            from topics.reporting import report as write_report

            click.echo(f"report (the sample's remarks): {_run(write_report, out)}")
        return
    if scheduler or stratify:
        raise click.UsageError("--scheduler and --stratify need --engine dask")
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


def _fit_dask(corpus, config, out, fmt, mapping, roles, prefixes, session_metadata, encoding, scheduler,
              n_workers, sample_sessions, stratify, t0) -> None:
    """`topics fit --engine dask`: the lazy reader, the session sample, the cluster (topics.distributed)."""
    if prefixes or session_metadata or fmt in ("text", "jsonl"):
        raise click.UsageError("--engine dask reads CSV/TSV/parquet utterance tables; --prefix, --session-metadata "
                               "and --format text/jsonl are for the single-process engine")
    from topics.distributed import fit_distributed

    run = _run(
        fit_distributed, corpus, config, out=out, scheduler=scheduler, n_workers=n_workers,
        sample_sessions=sample_sessions, stratify=stratify, mapping=_parse_pairs(mapping, "--map") or None,
        role_values=_parse_pairs(roles, "--role") or None, format=fmt, encoding=encoding,
    )
    s = run.summary
    click.echo(f"{s['remarks']:,} remarks in {s['partitions']} partitions on {s['workers']} workers -> "
               f"{s['topics_used']} topics, {s['outlier_share']:.1%} outliers (model fitted on {s['sample_sessions']:,} "
               f"of {s['sessions']:,} sessions, {s['sample_remarks']:,} remarks); run folder {out} "
               f"({time.perf_counter() - t0:.0f} s)")


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
@click.option("--compare-by", metavar="COLUMN",
              help="Compare groups of this session-level column (or preset) instead of the run's [compare] by; "
                   "no refit. 'none' for no comparison.")
def report(run, out, figures_dir, formats, no_static, ledger, raw, no_deidentify, compare_by) -> None:
    """Write the self-contained HTML report (and static figures) of a run folder RUN.

    The report shows the curated topics when a ledger is given or RUN/ledger.yaml exists.
    """
    from topics.reporting import report as write_report

    t0 = time.perf_counter()
    chosen = [] if no_static else (list(formats) or None)
    by = None if compare_by is None else (False if compare_by.lower() == "none" else compare_by)
    path = _run(write_report, run, out=out, figures_dir=figures_dir, formats=chosen, ledger=ledger, raw=raw,
                deidentify=False if no_deidentify else None, compare_by=by)
    click.echo(f"report: {path} ({_elapsed(t0)})")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--per-group", default=12, show_default=True,
              help="Sessions per group: high- and low-quality professional (AnnoMI), LLM (MIBot).")
def examples(folder, per_group) -> None:
    """Write example inputs into FOLDER: a CSV with its own column names, T:/C: text transcripts, metadata.

    Real sessions of the bundled demo corpus, to try every reader before bringing your own data
    (see "Your own data in five minutes" in the README).
    """
    from topics.read import write_examples

    for path in _run(write_examples, folder, per_group=per_group):
        click.echo(f"wrote {path}")


@main.command("config")
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--defaults", is_flag=True, help="Print every setting with its default.")
def config_command(source, defaults) -> None:
    """Print settings as commented TOML: the defaults, or those of SOURCE (a TOML file or a run folder).

    `topics config --defaults > study.toml` starts a config file; keep only the keys you change.
    """
    from topics._toml import commented_toml
    from topics.config import DEFAULT_COMMENTS, TopicConfig, defaults_toml

    if defaults or source is None:
        click.echo(defaults_toml(), nl=False)
        return
    path = source / "model" / "config.toml" if source.is_dir() else source
    config = _run(TopicConfig.from_toml, path)
    click.echo(commented_toml(config, DEFAULT_COMMENTS), nl=False)


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
@click.option("--sample", "sample_only", is_flag=True,
              help="A Dask-engine run: compare the sample's remarks (with positions, drift, words), not every session.")
def compare(run, by, groups, strata, cluster, estimand, denominator, outcomes, out, ledger, raw, n_boot, n_perm,
            seed, sample_only) -> None:
    """Compare groups of sessions in RUN: topic prevalence with session-level statistics, and more.

    Uses the run's [compare] settings and seed (the report's numbers) unless an option says otherwise.
    Writes contrasts.csv (per topic, "A minus B": shares, difference with interval, p, BH q, too-small
    flag), divergence.csv, prediction.csv, positions.csv, transitions_*.csv, drift*.csv,
    distinctive_words.csv, gee_crosscheck.csv and outcome_*.csv, and prints the significant topics.
    A run of the Dask engine is compared over every session of the corpus (session x topic counts), unless
    --sample.
    """
    import pandas as pd

    from topics.analysis import load_run
    from topics.compare import run_configured
    from topics.distributed import DISTRIBUTED_DIR

    t0 = _step(f"loading {run}")
    analysis = _run(load_run, run, ledger=ledger, raw=raw)
    _step("comparing groups (permutations and bootstrap)")
    chosen = [g.strip() for g in groups.split(",")] if groups else None
    settings = {"by": by, "groups": chosen, "strata": strata, "cluster": cluster, "estimand": estimand,
                "denominator": denominator, "outcomes": list(outcomes) or None, "n_boot": n_boot, "n_perm": n_perm,
                "seed": seed}
    if (run / DISTRIBUTED_DIR / "summary.json").is_file() and not sample_only:
        from topics.compare import compare_distributed

        comp = _run(compare_distributed, run, analysis=analysis, **settings)
    else:
        comp = _run(run_configured, analysis.assignments, analysis.config, **settings)
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
    click.echo(f"\nwrote {len(files)} files to {target} ({_elapsed(t0)})")


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

    t0 = _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    folder = run / "evaluation"
    folder.mkdir(exist_ok=True)
    _step("coherence, diversity, outliers, agreement with codes")
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
    click.echo(f"\nwrote {folder} ({_elapsed(t0)})")


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

    t0 = _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    _step("applying the ledger")
    view = _run(apply_ledger, analysis.model, run_ledger(run, ledger))
    settings = analysis.config.deidentify
    _step("writing the worksheet" + ("" if raw_text else " (de-identifying remarks)"))
    for path in _run(write_worksheet, view, out or run, deidentify=not raw_text, known_names=settings.known_names,
                     use_ner=settings.ner):
        click.echo(f"wrote {path}")
    click.echo(f"done ({_elapsed(t0)})")
    if raw_text:
        click.echo("warning: the worksheet is NOT de-identified; do not share it", err=True)


@curate.command("import")
@click.argument("sheet", type=click.Path(path_type=Path))
@click.option("--run", "run", type=click.Path(path_type=Path), required=True, help="The run folder.")
@click.option("--ledger", type=click.Path(path_type=Path), help="Ledger file (default RUN/ledger.yaml).")
@click.option("--author", required=True, help="Who made the decisions (recorded in every entry).")
@click.option("--yes", is_flag=True, help="REFI-QDA files: write the entries without asking (the diff is still shown).")
@click.option("--dry-run", is_flag=True, help="REFI-QDA files: show the diff only, write nothing.")
def curate_import(sheet, run, ledger, author, yes, dry_run) -> None:
    """Turn a filled worksheet SHEET (.csv), or a REFI-QDA file edited in NVivo, ATLAS.ti, MAXQDA, QualCoder
    or Taguette (.qdpx / .qdc), into ledger entries (nothing is written if anything is invalid).

    A REFI-QDA file is compared with the run's codes and the differences are shown as a diff first.
    """
    from topics.analysis import Analysis, run_ledger
    from topics.curate import Ledger, import_worksheet

    if sheet.suffix.lower() in (".qdpx", ".qdc"):
        _import_qda(sheet, run, ledger, author, yes=yes, dry_run=dry_run)
        return
    if not sheet.is_file():
        inside = run / sheet.name
        hint = (f"; did you mean {inside} (`topics curate worksheet` writes the worksheet into the run folder)?"
                if inside.is_file() else "")
        click.echo(f"error: {sheet}: no such file{hint}", err=True)
        sys.exit(2)
    t0 = _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    target = run_ledger(run, ledger, existing=False)
    before = len(_run(Ledger.load, target).entries) if target.exists() else 0
    _step(f"checking and importing {sheet}")
    book = _run(import_worksheet, sheet, analysis.model, target, author=author)
    click.echo(f"added {len(book.entries) - before} entries to {book.path} ({_elapsed(t0)})")


def _import_qda(path: Path, run: Path, ledger: Path | None, author: str, *, yes: bool, dry_run: bool) -> None:
    """`topics curate import FILE.qdpx|.qdc`: show the diff, then write the entries when confirmed."""
    from topics.analysis import Analysis, run_ledger
    from topics.curate.qda_import import import_qda

    analysis = _run(Analysis.load, run)
    target = run_ledger(run, ledger, existing=False)
    book, changes = _run(import_qda, path, analysis.model, target, author=author, write=False)
    click.echo(changes.diff())
    if not changes.entries or dry_run:
        click.echo("nothing written" + (" (--dry-run)" if dry_run and changes.entries else ""))
        return
    if not yes:
        click.confirm(f"write these {len(changes.entries)} entries to {target}?", abort=True)
    book.save()
    click.echo(f"added {len(changes.entries)} entries to {book.path}")


@curate.command("diff")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path), help="Ledger file (default RUN/ledger.yaml).")
def curate_diff(run, ledger) -> None:
    """List what a ledger changes: each decision and its status, then raw -> curated topics."""
    import pandas as pd

    from topics.analysis import Analysis, run_ledger
    from topics.curate import apply_ledger

    _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    view = _run(apply_ledger, analysis.model, run_ledger(run, ledger, existing=False))
    with pd.option_context("display.width", 200, "display.max_colwidth", 70, "display.max_rows", 500):
        click.echo(f"ledger mode: {view.mode}; {len(view.log)} entries, {view.survival:.0%} applied\n")
        click.echo(view.log[["entry", "line", "written", "status", "applied_to", "reason"]].to_string(index=False))
        moved = view.flows[(view.flows["raw_topic"] != view.flows["topic"]) | (view.flows["raw_label"] != view.flows["label"])]
        click.echo("\nraw topic -> curated topic (changed only):")
        click.echo(moved[["raw_topic", "raw_label", "topic", "label", "remarks"]].to_string(index=False))


@curate.command("app")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--port", type=int, default=None, help="Port (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; just print the URL.")
@click.option("--ledger", type=click.Path(path_type=Path), help="Ledger file to write (default RUN/ledger.yaml).")
@click.option("--author", default=None, help="Your name, recorded with every decision (else the page asks once).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; anything but 127.0.0.1 needs --allow-remote.",
)
@click.option("--allow-remote", is_flag=True, help="Allow --host other than 127.0.0.1 (prints a warning).")
@click.option("--raw-text", is_flag=True, help="Show remarks verbatim (private use only; de-identified by default).")
def curate_app(run, port, no_browser, ledger, author, host, allow_remote, raw_text) -> None:
    """Open the curation workbench for RUN in the browser (local web app; stop with Ctrl+C).

    It listens on 127.0.0.1 with a random access token and prints its URL (with the token). Every
    merge, rename, drop, split and note is written to the ledger at once; undo and redo remove and restore
    the last entry.
    """
    from topics.workbench import serve

    if host not in ("127.0.0.1", "localhost", "::1") and not allow_remote:
        click.echo(
            f"error: refusing to listen on {host}: the workbench shows transcripts; add --allow-remote to do it anyway",
            err=True,
        )
        sys.exit(2)
    if not run.is_dir():
        click.echo(f"error: {run}: no such run folder", err=True)
        sys.exit(2)
    _step(f"loading {run}")
    _run(
        serve,
        run,
        port=port,
        address=host,
        allow_remote=allow_remote,
        show=not no_browser,
        ledger=ledger,
        author=author,
        deidentify=not raw_text,
    )


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

    _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    result = _run(compare_ledgers, analysis.model, ledger_a, ledger_b)
    with pd.option_context("display.width", 200, "display.max_colwidth", 45, "display.max_rows", 500):
        click.echo(result.summary().to_string(index=False))
        click.echo("")
        click.echo(result.labels.to_string(index=False))
    if out:
        export_csv(result.labels, out)
        click.echo(f"wrote {out}")


@main.group()
def export() -> None:
    """Export a run for other software: REFI-QDA project (qdpx) or codebook (qdc)."""


@export.command("qdpx")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .qdpx file to write.")
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger (default RUN/ledger.yaml if present).")
@click.option("--corpus", type=click.Path(path_type=Path),
              help="The transcripts the run was fitted on (a table with the standard column names, or a corpus "
                   "name such as demo): sources then hold the full sessions, client turns included.")
@click.option("--raw-text", is_flag=True, help="Write transcripts verbatim (private use only; default de-identified).")
def export_qdpx(run, out, ledger, corpus, raw_text) -> None:
    """Write RUN as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder: one code per curated
    topic, one text source per session, each modelled remark a selection coded with its topic."""
    from topics.analysis import load_run
    from topics.read import load_corpus
    from topics.reporting.refiqda import write_qdpx

    analysis = _run(load_run, run, ledger=ledger)
    table = _run(load_corpus, str(corpus)) if corpus else None
    path = _run(write_qdpx, analysis, out, raw_text=raw_text, corpus=table)
    click.echo(f"wrote {path}")
    if raw_text:
        click.echo("warning: the project is NOT de-identified; do not share it", err=True)


@export.command("qdc")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .qdc file to write.")
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger (default RUN/ledger.yaml if present).")
@click.option("--raw-text", is_flag=True, help="Keep names in labels, keywords and notes (default: masked).")
def export_qdc(run, out, ledger, raw_text) -> None:
    """Write RUN's curated topics as a REFI-QDA codebook (.qdc)."""
    from topics.analysis import load_run
    from topics.reporting.refiqda import write_qdc

    analysis = _run(load_run, run, ledger=ledger)
    click.echo(f"wrote {_run(write_qdc, analysis, out, raw_text=raw_text)}")


if __name__ == "__main__":
    main()
