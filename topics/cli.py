"""The ``topics`` command: ``topics fit``, ``topics report``, ``topics demo``.

Every bad input ends the command with a one-line message naming the file, line and column (exit code 2),
before anything is written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from topics.errors import InputError

DEMO_RUN = Path("runs/demo")
DEMO_REPORT = Path("figures/report.html")


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
        config.seed = seed
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
@click.option("--seed", type=int, help="Override the config's seed.")
@click.option("--report/--no-report", "make_report", default=False, help="Also write <out>/report.html.")
def fit(corpus, config_path, out, fmt, mapping, roles, prefixes, session_metadata, seed, make_report) -> None:
    """Fit topics on the therapist remarks of CORPUS and write a run folder.

    CORPUS is a CSV/TSV/JSONL/parquet file, a plain-text transcript or a folder of them, or a corpus
    name: demo, annomi, mibot, counselchat, esconv.
    """
    from topics.pipeline import fit as fit_corpus
    from topics.readers import load_corpus

    t0 = time.perf_counter()
    config = _run(_load_config, config_path, seed)
    table = _run(
        load_corpus, corpus, format=fmt, mapping=_parse_pairs(mapping, "--map") or None,
        role_values=_parse_pairs(roles, "--role") or None,
        speaker_prefixes=_parse_pairs(prefixes, "--prefix") or None, session_metadata=session_metadata,
    )
    analysis = _run(fit_corpus, table, config, out=out)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    click.echo(f"{analysis.summary['remarks']:,} remarks -> {n_topics} topics, "
               f"{(analysis.assignments['topic'] == -1).mean():.1%} outliers; run folder {out} "
               f"({time.perf_counter() - t0:.0f} s)")
    if make_report:
        from topics.report import report as write_report

        click.echo(f"report: {_run(write_report, out)}")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="HTML file (default: RUN/report.html).")
@click.option("--figures", "figures_dir", type=click.Path(path_type=Path),
              help="Folder for static PNG/SVG figures (default: beside the HTML file).")
@click.option("--static", "formats", multiple=True, type=click.Choice(["png", "svg", "pdf"]),
              help="Static formats (default from the config). Repeatable.")
@click.option("--no-static", is_flag=True, help="Write no static figures.")
def report(run, out, figures_dir, formats, no_static) -> None:
    """Write the self-contained HTML report (and static figures) of a run folder RUN."""
    from topics.report import report as write_report

    chosen = [] if no_static else (list(formats) or None)
    path = _run(write_report, run, out=out, figures_dir=figures_dir, formats=chosen)
    click.echo(f"report: {path}")


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=DEMO_RUN, show_default=True,
              help="Run folder to write.")
@click.option("--report-file", type=click.Path(path_type=Path), default=DEMO_REPORT, show_default=True,
              help="HTML report; static figures go beside it.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="TOML config file.")
def demo(out, report_file, config_path) -> None:
    """Fit the bundled demo corpus (AnnoMI professionals vs MIBot LLM counsellor) and write the report."""
    from topics.pipeline import fit as fit_corpus
    from topics.readers import load_corpus
    from topics.report import report as write_report

    t0 = time.perf_counter()
    config = _run(_load_config, config_path, None)
    table = _run(load_corpus, "demo")
    click.echo(f"demo corpus: {table['session_id'].nunique()} sessions, {len(table):,} utterances")
    analysis = _run(fit_corpus, table, config, out=out)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    click.echo(f"{analysis.summary['remarks']:,} remarks -> {n_topics} topics, "
               f"{(analysis.assignments['topic'] == -1).mean():.1%} outliers "
               f"(embedded {int(analysis.timings.get('embedded_new', 0)):,} new texts)")
    path = _run(write_report, out, out=report_file)
    click.echo(f"report: {path} ({time.perf_counter() - t0:.0f} s in all)")


if __name__ == "__main__":
    main()
