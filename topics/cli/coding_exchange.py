"""``topics code-export`` and ``topics code-import``: a run's codes to and from REFI-QDA programs (issue 26)."""

from __future__ import annotations

from pathlib import Path

import click

from topics.cli._common import _elapsed, _run, _step, main


@main.command("code-export")
@click.argument("run", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="A .qdpx project (topics and codes, each remark coded with both) or a .qdc codebook (the codes).",
)
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger (default RUN/ledger.yaml if present).")
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    help="The transcripts the run was fitted on (as for `topics export qdpx`): sources hold the full sessions.",
)
@click.option("--raw-text", is_flag=True, help="Write transcripts verbatim (private use only; default de-identified).")
def code_export(run, out, ledger, corpus, raw_text) -> None:
    """Write RUN's codes (RUN/codes/, from `topics code`) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

    A .qdpx holds the run's topics as `topics export qdpx` writes them and, next to them, a parent code
    "Codebook: NAME" with one code per code of the codebook; each remark's selection is coded with its topic
    and its code ("none of these" is not exported). Recode remarks there and bring the changes back with
    `topics code-import`. A .qdc holds the codebook's codes only.
    """
    from topics.cli._common import check_out_path
    from topics.reporting.refiqda_codes import read_run_codes, write_codes_qdc

    suffix = out.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise click.BadParameter("write a .qdpx project or a .qdc codebook", param_hint="--out")
    _run(check_out_path, out, example="codes.qdpx")
    codes = _run(read_run_codes, run)
    if suffix == ".qdc":
        click.echo(f"wrote {_run(write_codes_qdc, codes, out)}")
        return
    from topics.analysis import load_run
    from topics.read import load_corpus
    from topics.reporting.refiqda import write_qdpx

    t0 = _step(f"loading {run}")
    analysis = _run(load_run, run, ledger=ledger)
    table = _run(load_corpus, str(corpus)) if corpus else None
    _step(f"writing {out}" + ("" if raw_text else " (de-identifying remarks)"))
    path = _run(write_qdpx, analysis, out, raw_text=raw_text, corpus=table, codes=codes)
    click.echo(f"wrote {path} ({len(codes.coded):,} remarks, codebook {codes.codebook.name!r}; {_elapsed(t0)})")
    if raw_text:
        click.echo("warning: the project is NOT de-identified; do not share it", err=True)


@main.command("code-import")
@click.argument("project", type=click.Path(path_type=Path))
@click.argument("run", type=click.Path(path_type=Path))
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(path_type=Path),
    required=True,
    help="The label file to append to (.yaml or .csv; created when missing; nothing in it is changed).",
)
@click.option("--author", required=True, help="Who recoded the remarks (recorded in every label).")
@click.option("--ledger", type=click.Path(path_type=Path), help="Curation ledger the project was exported with.")
@click.option("--yes", is_flag=True, help="Append the labels without asking (the changes are still shown).")
@click.option("--dry-run", is_flag=True, help="Show the changes only, write nothing.")
def code_import(project, run, labels_path, author, ledger, yes, dry_run) -> None:
    """Turn the remarks recoded in PROJECT (a .qdpx from `topics code-export`, edited in a QDA program) into
    labels for RUN's codebook: a coding moved to another code, added, or removed ("none of these").

    Exactly the codings that differ from RUN/codes/coded.csv become labels, with --author and the time;
    then retrain with `topics code RUN --codebook FILE --labels LABELS`.
    """
    from topics.analysis import load_run
    from topics.read.refiqda import read_qda
    from topics.reporting.refiqda_codes import import_code_edits, read_run_codes

    qda = _run(read_qda, project)  # a hostile or broken file is refused before the run is loaded
    codes = _run(read_run_codes, run)
    analysis = _run(load_run, run, ledger=ledger)
    changes = _run(import_code_edits, qda, analysis, codes, labels_path, author=author, write=False)
    click.echo(changes.diff())
    if not len(changes.labels) or dry_run:
        click.echo("nothing written" + (" (--dry-run)" if dry_run and len(changes.labels) else ""))
        return
    if not yes:
        click.confirm(f"append these {len(changes.labels)} labels to {labels_path}?", abort=True)
    from topics.coding import LabelFile

    total = _run(LabelFile(labels_path, codes.codebook.labels).append, changes.labels.drop(columns=["was"]))
    click.echo(f"appended {len(changes.labels)} labels to {labels_path} ({total} in the file)")
