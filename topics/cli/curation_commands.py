"""Commands of expert curation and exchange: ``curate`` (``worksheet``, ``import``, ``diff``, ``app``, ``agree``) and
``export`` (``qdpx``, ``qdc``, ``csv``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from topics.cli._common import _elapsed, _parse_pairs, _run, _step, check_out_path, main


@main.group()
def curate() -> None:
    """Expert curation: worksheets, importing decisions, diffs and agreement between ledgers."""


@curate.command("worksheet")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Folder for worksheet.csv/.html (default RUN).")
@click.option(
    "--ledger",
    type=click.Path(path_type=Path),
    help="Start from the view after this ledger (default RUN/ledger.yaml if it exists).",
)
@click.option(
    "--raw-text", is_flag=True, help="Write remarks verbatim (private use only; by default they are de-identified)."
)
def curate_worksheet(run, out, ledger, raw_text) -> None:
    """Write a worksheet (CSV + HTML, one row per topic with 10 remarks) for an expert to fill in.

    Remarks, labels and keywords are de-identified with the run's [deidentify] settings unless --raw-text.
    """
    from topics.analysis import Analysis, run_ledger
    from topics.curate import apply_ledger, write_worksheet

    _run(check_out_path, out)
    t0 = _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    _step("applying the ledger")
    view = _run(apply_ledger, analysis.model, run_ledger(run, ledger))
    settings = analysis.config.deidentify
    _step("writing the worksheet" + ("" if raw_text else " (de-identifying remarks)"))
    for path in _run(
        write_worksheet,
        view,
        out or run,
        deidentify=not raw_text,
        known_names=settings.known_names,
        use_ner=settings.ner,
    ):
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
@click.option(
    "--renamed",
    multiple=True,
    metavar="LABEL=NEW",
    help="REFI-QDA files: a code renamed where the file names codes only by name (Taguette). Repeatable.",
)
def curate_import(sheet, run, ledger, author, yes, dry_run, renamed) -> None:
    """Turn a filled worksheet SHEET (.csv), or a REFI-QDA file edited in NVivo, ATLAS.ti, MAXQDA, QualCoder
    or Taguette (.qdpx / .qdc), into ledger entries (nothing is written if anything is invalid).

    A REFI-QDA file is compared with the run's codes and the differences are shown as a diff first.
    """
    from topics.analysis import Analysis, run_ledger
    from topics.curate import Ledger, import_worksheet

    if sheet.suffix.lower() in (".qdpx", ".qdc"):
        _import_qda(sheet, run, ledger, author, yes=yes, dry_run=dry_run, renamed=_parse_pairs(renamed, "--renamed"))
        return
    if renamed:
        raise click.BadParameter("only for REFI-QDA files (.qdpx, .qdc)", param_hint="--renamed")
    if not sheet.is_file():
        inside = run / sheet.name
        hint = (
            f"; did you mean {inside} (`topics curate worksheet` writes the worksheet into the run folder)?"
            if inside.is_file()
            else ""
        )
        click.echo(f"error: {sheet}: no such file{hint}", err=True)
        sys.exit(2)
    t0 = _step(f"loading {run}")
    analysis = _run(Analysis.load, run)
    target = run_ledger(run, ledger, existing=False)
    before = len(_run(Ledger.load, target).entries) if target.exists() else 0
    _step(f"checking and importing {sheet}")
    book = _run(import_worksheet, sheet, analysis.model, target, author=author)
    click.echo(f"added {len(book.entries) - before} entries to {book.path} ({_elapsed(t0)})")


def _import_qda(
    path: Path,
    run: Path,
    ledger: Path | None,
    author: str,
    *,
    yes: bool,
    dry_run: bool,
    renamed: dict[str, str] | None = None,
) -> None:
    """`topics curate import FILE.qdpx|.qdc`: show the diff, then write the entries when confirmed."""
    from topics.analysis import Analysis, run_ledger
    from topics.curate.qda_import import import_qda
    from topics.read.refiqda import read_qda

    qda = _run(read_qda, path)  # a hostile or broken file is refused before the run is loaded
    analysis = _run(Analysis.load, run)
    target = run_ledger(run, ledger, existing=False)
    book, changes = _run(import_qda, qda, analysis.model, target, author=author, write=False, renamed=renamed)
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
        click.echo(f"ledger mode: {view.mode}; {view.decision_summary()}\n")
        click.echo(view.log[["entry", "line", "written", "status", "applied_to", "reason"]].to_string(index=False))
        moved = view.flows[
            (view.flows["raw_topic"] != view.flows["topic"]) | (view.flows["raw_label"] != view.flows["label"])
        ]
        click.echo("\nraw topic -> curated topic (changed only):")
        click.echo(moved[["raw_topic", "raw_label", "topic", "label", "remarks"]].to_string(index=False))


@curate.command("app")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: a free one).")
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
@click.option(
    "--codebook",
    "codebook",
    type=click.Path(path_type=Path),
    help="An expert's codebook (.toml, .yaml, .csv, .qdc, .qdpx): adds the Codes tab to label remarks for it.",
)
@click.option(
    "--labels",
    "labels",
    type=click.Path(path_type=Path),
    help="Label file the Codes tab appends to (.yaml or .csv; default RUN/labels.yaml, kept on refit).",
)
def curate_app(run, port, no_browser, ledger, author, host, allow_remote, raw_text, codebook, labels) -> None:
    """Open the curation workbench for RUN in the browser (local web app; stop with Ctrl+C).

    It listens on 127.0.0.1 with a random access token and prints its URL (with the token). Every
    merge, rename, drop, split and note is written to the ledger at once; undo and redo remove and restore
    the last entry. With --codebook, the Codes tab labels remarks for the codebook (each label appended to
    --labels with your name and the time), retrains the coder and shows its agreement on held-out labels.
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
    if port is not None:
        from topics.workbench.server import check_port_free

        _run(check_port_free, host, port)  # before loading RUN, not as a traceback from the server
    if labels is not None and codebook is None:
        click.echo("error: --labels needs --codebook (the codes the labels may use)", err=True)
        sys.exit(2)
    _step(f"loading {run}" + (" and embedding its remarks for the Codes tab (cached vectors)" if codebook else ""))
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
        **({"codebook": codebook, "labels": labels} if codebook is not None else {}),
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

    _run(check_out_path, out, example="labels.csv")
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
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    help="The transcripts the run was fitted on (a table with the standard column names, or a corpus "
    "name such as demo): sources then hold the full sessions, client turns included.",
)
@click.option("--raw-text", is_flag=True, help="Write transcripts verbatim (private use only; default de-identified).")
def export_qdpx(run, out, ledger, corpus, raw_text) -> None:
    """Write RUN as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder: one code per curated
    topic, one text source per session, each modelled remark a selection coded with its topic."""
    from topics.analysis import load_run
    from topics.read import load_corpus
    from topics.reporting.refiqda import write_qdpx

    _run(check_out_path, out, example="project.qdpx")
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

    _run(check_out_path, out, example="codebook.qdc")
    analysis = _run(load_run, run, ledger=ledger)
    click.echo(f"wrote {_run(write_qdc, analysis, out, raw_text=raw_text)}")


@export.command("csv")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .csv file to write.")
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger (default RUN/ledger.yaml if present).")
@click.option("--raw-text", is_flag=True, help="Keep names in labels, keywords and rationales (default: masked).")
def export_csv_codebook(run, out, ledger, raw_text) -> None:
    """Write RUN's curated topics as the CSV codebook Taguette imports (tag, description).

    Taguette exports the edited codebook as REFI-QDA (.qdc), which `topics curate import` reads back.
    """
    from topics.analysis import load_run
    from topics.reporting.refiqda import write_codebook_csv

    _run(check_out_path, out, example="codebook.csv")
    analysis = _run(load_run, run, ledger=ledger)
    click.echo(f"wrote {_run(write_codebook_csv, analysis, out, raw_text=raw_text)}")
