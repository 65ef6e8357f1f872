"""Commands on runs: ``fit``, ``report``, ``examples``, ``config``, ``demo``, ``compare``, ``evaluate``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import click

from topics.cli._common import (
    DEMO_REPORT,
    DEMO_RUN,
    _elapsed,
    _load_config,
    _parse_pairs,
    _run,
    _step,
    check_out_path,
    main,
)


@main.command()
@click.argument("corpus")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="TOML config file (see the guide's Configuration page).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Run folder to write.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "jsonl", "parquet", "text"]),
    help="Input format (default: from the file suffix; a folder means text transcripts).",
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=SOURCE",
    help="Column mapping, e.g. --map text=utterance_text --map role=interlocutor. Repeatable.",
)
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="LABEL=ROLE",
    help="Role label mapping, e.g. --role counsellor=therapist. Repeatable.",
)
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    metavar="PREFIX=ROLE",
    help="Speaker prefix of text transcripts, e.g. --prefix Dr=therapist. Repeatable; replaces the defaults.",
)
@click.option(
    "--session-metadata",
    type=click.Path(path_type=Path),
    help="CSV/parquet with a session_id column and per-session metadata (school, quality, ...).",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="Text encoding of the input files (e.g. utf-16, latin-1, cp1252).",
)
@click.option("--seed", type=int, help="Override the config's seed.")
@click.option("--report/--no-report", "make_report", default=False, help="Also write <out>/report.html.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: fit on a sample of whole sessions, then assign every remark on a Dask cluster "
    "(CSV/TSV/parquet file, folder or glob; see the guide's 'Large corpora' page).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --workers processes).",
)
@click.option(
    "--workers",
    "n_workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Worker processes of the local Dask cluster.",
)
@click.option(
    "--sample-sessions",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="With --engine dask: whole sessions the topic model is fitted on.",
)
@click.option("--stratify", metavar="COLUMN", help="With --engine dask: stratify the session sample by this column.")
def fit(
    corpus,
    config_path,
    out,
    fmt,
    mapping,
    roles,
    prefixes,
    session_metadata,
    encoding,
    seed,
    make_report,
    engine,
    scheduler,
    n_workers,
    sample_sessions,
    stratify,
) -> None:
    """Fit topics on the therapist remarks of CORPUS and write a run folder.

    CORPUS is a CSV/TSV/JSONL/parquet file, a plain-text transcript or a folder of them, or a corpus
    name: demo, annomi, mibot, counselchat, esconv, rogers, llms-as-therapists.
    """
    from topics.pipeline import fit as fit_corpus
    from topics.read import load_corpus
    from topics.runs import check_output_folder

    t0 = time.perf_counter()
    _run(check_out_path, out)
    _run(check_output_folder, out)  # before anything is read: a folder of other files is refused at once
    config = _run(_load_config, config_path, seed)
    if engine == "dask":
        _fit_dask(
            corpus,
            config,
            out,
            fmt,
            mapping,
            roles,
            prefixes,
            session_metadata,
            encoding,
            scheduler,
            n_workers,
            sample_sessions,
            stratify,
            t0,
        )
        if make_report:
            from topics.reporting import report as write_report

            click.echo(f"report (the sample's remarks): {_run(write_report, out)}")
        return
    if scheduler or stratify:
        raise click.UsageError("--scheduler and --stratify need --engine dask")
    table = _run(
        load_corpus,
        corpus,
        format=fmt,
        mapping=_parse_pairs(mapping, "--map") or None,
        role_values=_parse_pairs(roles, "--role") or None,
        speaker_prefixes=_parse_pairs(prefixes, "--prefix") or None,
        session_metadata=session_metadata,
        encoding=encoding,
    )
    analysis = _run(fit_corpus, table, config, out=out)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    click.echo(
        f"{analysis.summary['remarks']:,} remarks -> {n_topics} topics, "
        f"{(analysis.assignments['topic'] == -1).mean():.1%} outliers; run folder {out} "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    if make_report:
        from topics.reporting import report as write_report

        click.echo(f"report: {_run(write_report, out)}")


def _fit_dask(
    corpus,
    config,
    out,
    fmt,
    mapping,
    roles,
    prefixes,
    session_metadata,
    encoding,
    scheduler,
    n_workers,
    sample_sessions,
    stratify,
    t0,
) -> None:
    """`topics fit --engine dask`: the lazy reader, the session sample, the cluster (topics.distributed)."""
    if prefixes or session_metadata or fmt in ("text", "jsonl"):
        raise click.UsageError(
            "--engine dask reads CSV/TSV/parquet utterance tables; --prefix, --session-metadata "
            "and --format text/jsonl are for the single-process engine"
        )
    from topics.distributed import fit_distributed

    run = _run(
        fit_distributed,
        corpus,
        config,
        out=out,
        scheduler=scheduler,
        n_workers=n_workers,
        sample_sessions=sample_sessions,
        stratify=stratify,
        mapping=_parse_pairs(mapping, "--map") or None,
        role_values=_parse_pairs(roles, "--role") or None,
        format=fmt,
        encoding=encoding,
    )
    s = run.summary
    click.echo(
        f"{s['remarks']:,} remarks in {s['partitions']} partitions on {s['workers']} workers -> "
        f"{s['topics_used']} topics, {s['outlier_share']:.1%} outliers (model fitted on {s['sample_sessions']:,} "
        f"of {s['sessions']:,} sessions, {s['sample_remarks']:,} remarks); run folder {out} "
        f"({time.perf_counter() - t0:.0f} s)"
    )


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="HTML file (default: RUN/report.html).")
@click.option(
    "--figures",
    "figures_dir",
    type=click.Path(path_type=Path),
    help="Folder for static PNG/SVG figures (default: beside the HTML file).",
)
@click.option(
    "--static",
    "formats",
    multiple=True,
    type=click.Choice(["png", "svg", "pdf"]),
    help="Static formats (default from the config). Repeatable.",
)
@click.option("--no-static", is_flag=True, help="Write no static figures.")
@click.option(
    "--ledger",
    type=click.Path(path_type=Path),
    help="Curation ledger to apply (default: RUN/ledger.yaml when it exists).",
)
@click.option("--raw", is_flag=True, help="Show the raw model's topics even when a ledger exists.")
@click.option(
    "--no-deidentify",
    is_flag=True,
    help="Show remarks verbatim (private analysis only; the report then says so at the top).",
)
@click.option(
    "--compare-by",
    metavar="COLUMN",
    help="Compare groups of this session-level column (or preset) instead of the run's [compare] by; "
    "no refit. 'none' for no comparison.",
)
@click.option(
    "--groups",
    metavar="A,B",
    help="Comma-separated groups to compare, in order (each contrast is the first minus the second), "
    "instead of the run's [compare] groups (default: all groups).",
)
def report(run, out, figures_dir, formats, no_static, ledger, raw, no_deidentify, compare_by, groups) -> None:
    """Write the self-contained HTML report (and static figures) of a run folder RUN.

    The report shows the curated topics when a ledger is given or RUN/ledger.yaml exists.
    """
    from topics.read import refuse_reserved
    from topics.reporting import report as write_report

    t0 = time.perf_counter()
    _run(check_out_path, out, example="report.html")
    _run(check_out_path, figures_dir, "--figures")
    chosen = [] if no_static else (list(formats) or None)
    by = None if compare_by is None else (False if compare_by.lower() == "none" else compare_by)
    _run(refuse_reserved, by)  # --compare-by topic: refused at once, not after minutes of figures
    picked = _group_list(groups)
    if picked is not None and by is False:
        raise click.UsageError("--groups needs a comparison: drop --compare-by none")
    path = _run(
        write_report,
        run,
        out=out,
        figures_dir=figures_dir,
        formats=chosen,
        ledger=ledger,
        raw=raw,
        deidentify=False if no_deidentify else None,
        compare_by=by,
        groups=picked,
    )
    click.echo(f"report: {path} ({_elapsed(t0)})")


def _group_list(groups: str | None) -> list[str] | None:
    """``--groups A,B`` as a list (None when not given); fewer than two different groups is a usage error."""
    if groups is None:
        return None
    picked = [g.strip() for g in groups.split(",") if g.strip()]
    if len(picked) < 2 or len(set(picked)) != len(picked):
        raise click.BadParameter(
            f"name two or more different groups separated by commas, got {groups!r}", param_hint="--groups"
        )
    return picked


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--per-group",
    default=12,
    show_default=True,
    help="Sessions per group: high- and low-quality professional (AnnoMI), LLM (MIBot).",
)
def examples(folder, per_group) -> None:
    """Write example inputs into FOLDER: a CSV with its own column names, T:/C: text transcripts, metadata.

    Real sessions of the bundled demo corpus, to try every reader before bringing your own data
    (see "Your own data" in the guide).
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


def _code_demo(run: Path, analysis) -> None:
    """Code the demo run with the example codebook (AnnoMI's behaviour codes), from 25 remarks per code that AnnoMI's
    annotators coded, written as the run's label file (never over a label file already there)."""
    from topics.cli.coding_commands import code as code_command
    from topics.coding import LabelFile, example_codebook, example_codebook_path

    labels_file = run / "labels.yaml"
    if not labels_file.exists():
        book = example_codebook()
        human = analysis.assignments[["utterance_id", "code"]].dropna().replace({"therapist_input": "input"})
        human = human[human["code"].isin(book.names)].groupby("code").sample(25, random_state=0)
        _run(LabelFile(labels_file, book.labels).append, human, author="AnnoMI annotators (demo)")
        click.echo(f"labels: {labels_file} (25 remarks per code as AnnoMI's annotators coded them)")
    click.get_current_context().invoke(
        code_command, run=run, codebook_path=example_codebook_path(), labels_path=labels_file
    )


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=DEMO_RUN, show_default=True, help="Run folder to write."
)
@click.option(
    "--report-file",
    type=click.Path(path_type=Path),
    default=DEMO_REPORT,
    show_default=True,
    help="HTML report; static figures go beside it.",
)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="TOML config file.")
@click.option("--no-static", is_flag=True, help="Write no static PNG/SVG figures (no browser needed).")
def demo(out, report_file, config_path, no_static) -> None:
    """Fit the bundled demo corpus (AnnoMI professionals vs MIBot LLM counsellor) and write the report.

    The example curation ledger that ships with the demo corpus is copied into the run folder (unless one is
    already there) and applied, so the report shows curated topics. The remarks are then coded with the example
    codebook (AnnoMI's therapist behaviour codes), trained on 25 remarks per code that AnnoMI's annotators coded
    (RUN/labels.yaml), so the report also compares the groups on codes. The curated topics are also written as a
    REFI-QDA project, demo.qdpx beside the report (for NVivo, ATLAS.ti, MAXQDA, QualCoder).
    """
    from topics.pipeline import fit as fit_corpus
    from topics.read import load_corpus
    from topics.read.public import DEMO_LEDGER
    from topics.reporting import report as write_report
    from topics.runs import check_output_folder

    _run(check_out_path, out)
    _run(check_output_folder, out)  # refused before the fit, not after it
    _run(check_out_path, report_file, "--report-file", example="report.html")
    t0 = time.perf_counter()
    config = _run(_load_config, config_path, None)
    table = _run(load_corpus, "demo")
    click.echo(f"demo corpus: {table['session_id'].nunique()} sessions, {len(table):,} utterances")
    analysis = _run(fit_corpus, table, config, out=out)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    click.echo(
        f"{analysis.summary['remarks']:,} remarks -> {n_topics} topics, "
        f"{(analysis.assignments['topic'] == -1).mean():.1%} outliers "
        f"(embedded {int(analysis.timings.get('embedded_new', 0)):,} new texts)"
    )
    run_ledger = Path(out) / "ledger.yaml"
    if not run_ledger.exists() and DEMO_LEDGER.exists():
        shutil.copy2(DEMO_LEDGER, run_ledger)
        click.echo(f"curation ledger: {run_ledger} (copied from the demo's example {DEMO_LEDGER.name})")
    _code_demo(Path(out), analysis)
    path = _run(write_report, out, out=report_file, formats=[] if no_static else None)
    click.echo(f"report: {path}")
    from topics.analysis import load_run
    from topics.reporting.refiqda import write_qdpx
    from topics.reporting.refiqda_codes import read_run_codes

    qdpx = Path(path).parent / "demo.qdpx"
    t1 = _step(f"writing {qdpx}: the curated topics and the codes as a REFI-QDA project (de-identified remarks)")
    _run(write_qdpx, _run(load_run, out), qdpx, codes=_run(read_run_codes, out))
    click.echo(f"REFI-QDA project: {qdpx} ({_elapsed(t1)}; {time.perf_counter() - t0:.0f} s in all)")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option(
    "--by", help="Grouping column or preset: school, counselor_type, quality (default: the run's [compare] by)."
)
@click.option("--groups", help="Comma-separated groups in order: each contrast is the first minus the second.")
@click.option("--strata", help="Compare within levels of this column (e.g. problem).")
@click.option("--cluster", help="Resample whole clusters of sessions (e.g. therapist) instead of sessions.")
@click.option(
    "--estimand",
    type=click.Choice(["session", "pooled"]),
    help="A group's share: the average session's (session) or of its remarks (pooled).",
)
@click.option(
    "--denominator",
    type=click.Choice(["all", "topical"]),
    help="Shares of all modelled remarks (all) or only of remarks in a topic (topical).",
)
@click.option("--outcome", "outcomes", multiple=True, help="Session-level outcome column. Repeatable.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the CSV tables (default RUN/compare-BY).")
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger (default RUN/ledger.yaml if present).")
@click.option("--raw", is_flag=True, help="Compare the raw model's topics, ignoring any ledger.")
@click.option(
    "--boot",
    "n_boot",
    default=1000,
    show_default=True,
    help="Bootstrap replicates (divergence, drift and position intervals).",
)
@click.option("--perm", "n_perm", type=int, help="Permutations (default: the run's [compare] n_perm).")
@click.option("--seed", type=int, help="Seed of every resampling (default: the run's seed, as in its report).")
@click.option(
    "--sample",
    "sample_only",
    is_flag=True,
    help="A Dask-engine run: compare the sample's remarks (with positions, drift, words), not every session.",
)
@click.option(
    "--raw-text",
    is_flag=True,
    help="Keep topic labels and distinctive words verbatim (private use only); by default they are "
    "de-identified as in the report.",
)
@click.option(
    "--codes",
    "on_codes",
    is_flag=True,
    help="Compare the codes of RUN/codes (from `topics code`) instead of the topics; writes RUN/compare-codes-BY.",
)
def compare(
    run,
    by,
    groups,
    strata,
    cluster,
    estimand,
    denominator,
    outcomes,
    out,
    ledger,
    raw,
    n_boot,
    n_perm,
    seed,
    sample_only,
    raw_text,
    on_codes,
) -> None:
    """Compare groups of sessions in RUN: topic prevalence with session-level statistics, and more.

    Uses the run's [compare] settings and seed (the report's numbers) unless an option says otherwise.
    Writes contrasts.csv (per topic, "A minus B": shares, difference with interval, p, BH q, too-small
    flag; labels de-identified unless --raw-text), divergence.csv, prediction.csv, positions.csv, transitions_*.csv, drift*.csv,
    distinctive_words.csv, gee_crosscheck.csv and outcome_*.csv, and prints the significant topics.
    A run of the Dask engine is compared over every session of the corpus (session x topic counts), unless
    --sample. With --codes the same tables compare the codes of `topics code` (one per remark; "none of
    these" in place of "no topic"), plus coverage.csv, topics_by_codes.csv and outside_codebook.csv; codes of
    an earlier fit of RUN are refused.
    """
    from topics.cli.comparing import compare_run
    from topics.read import refuse_reserved

    _run(refuse_reserved, by, strata, cluster, *outcomes)  # "topic" is the model's: refused before loading RUN
    _run(check_out_path, out)
    settings = {
        "by": by,
        "groups": [g.strip() for g in groups.split(",")] if groups else None,
        "strata": strata,
        "cluster": cluster,
        "estimand": estimand,
        "denominator": denominator,
        "outcomes": list(outcomes) or None,
        "n_boot": n_boot,
        "n_perm": n_perm,
        "seed": seed,
    }
    compare_run(
        run, settings, out=out, ledger=ledger, raw=raw, sample_only=sample_only, raw_text=raw_text, codes=on_codes
    )


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
    embeddings); optionally a model-selection grid. RUN/evaluation/manifest.json records the model's
    fingerprint: the report and the workbench show the tables only while RUN holds that model.
    """
    from topics import evaluate as ev
    from topics.analysis import Analysis

    t0 = _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    tables = _evaluation_tables(analysis, seeds, no_stability, no_shuffle, grid_mcs, grid_nn, code)
    folder = ev.save_evaluation(run, analysis, tables)
    click.echo(f"\nwrote {folder} ({_elapsed(t0)})")


def _evaluation_tables(analysis, seeds, no_stability, no_shuffle, grid_mcs, grid_nn, code) -> dict:
    """The tables of `topics evaluate` by name (see topics.evaluate.EVALUATION_TABLES), printed as they come."""
    import pandas as pd

    from topics import evaluate as ev

    _step("coherence, diversity, outliers, agreement with codes")
    result = ev.evaluate(analysis, code=code)
    tables = {"summary": result["summary"], "per_topic": result["per_topic"]}
    with pd.option_context("display.width", 200):
        click.echo(result["summary"].round(4).to_string(index=False))
    if not no_stability:
        extra = [int(x) for x in seeds.split(",") if x.strip()] or None
        stab = ev.stability(analysis, seeds=extra, shuffle=not no_shuffle)
        tables.update(stability_pairwise=stab.pairwise, stability_topics=stab.per_topic)
        click.echo(
            f"\nstability: mean pairwise ARI {stab.mean_ari:.3f} over {len(stab.fits)} fits; "
            f"{int(stab.per_topic['robust'].sum())} of {len(stab.per_topic)} topics robust"
        )
    if grid_mcs or grid_nn:
        mcs = [x.strip() if x.strip() == "auto" else int(x) for x in grid_mcs.split(",") if x.strip()] or None
        nn = [int(x) for x in grid_nn.split(",") if x.strip()] or None
        tables["grid"] = ev.model_grid(analysis, min_cluster_size=mcs, n_neighbors=nn, code=code)
        with pd.option_context("display.width", 200):
            click.echo("\n" + tables["grid"].round(4).to_string(index=False))
    return tables
