"""The work of ``topics compare``: topics or (``--codes``) the codes of ``topics code``, tables written and printed.

The command itself (its options) is in :mod:`topics.cli.run_commands`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from topics.cli._common import _elapsed, _run, _step


def compare_run(
    run: Path,
    settings: dict[str, Any],
    *,
    out: Path | None,
    ledger: Path | None,
    raw: bool,
    sample_only: bool,
    raw_text: bool,
    codes: bool = False,
) -> None:
    """Compare the groups of a run on its topics, or on its codes; write the tables and print the findings.

    Parameters
    ----------
    run : Path
    settings : dict
        Keywords of :func:`topics.compare.run_configured` (``by``, ``groups``, ``strata``, ...; None: the run's).
    out : Path, optional
        Folder of the tables (default ``RUN/compare-BY``, with ``codes`` ``RUN/compare-codes-BY``).
    ledger, raw :
        The curation to apply (as :func:`topics.analysis.load_run`).
    sample_only : bool
        A Dask-engine run: compare the sample's remarks, not every session.
    raw_text : bool
        Keep labels and distinctive words verbatim (else de-identified as in the report).
    codes : bool, default False
        Compare the codes of ``RUN/codes`` (refused, in one line, when they were coded on another model).
    """
    import pandas as pd

    from topics.analysis import load_run
    from topics.compare import run_configured
    from topics.distributed import DISTRIBUTED_DIR
    from topics.runs import stamp_derived

    t0 = _step(f"loading {run}")
    analysis = _run(load_run, run, ledger=ledger, raw=raw)
    whole = (run / DISTRIBUTED_DIR / "summary.json").is_file()
    table = None
    if codes:
        from topics.coding.tables import load_codes

        found = _run(load_codes, run, analysis.fingerprint)
        table = _run(found.table, analysis.assignments)
        if whole:
            click.echo("note: a Dask-engine run: its codes are the sample's remarks, compared as such", err=True)
    _step(f"comparing groups on the {'codes' if codes else 'topics'} (permutations and bootstrap)")
    if codes:
        from topics.reporting.codes import codes_comparison

        comp = _run(codes_comparison, table, analysis.config, **settings)
    elif whole and not sample_only:
        from topics.compare import compare_distributed

        comp = _run(compare_distributed, run, analysis=analysis, **settings)
    else:
        comp = _run(run_configured, analysis.assignments, analysis.config, **settings)
    target = out or run / f"compare-{'codes-' if codes else ''}{comp.by}"
    mask = None
    if not raw_text:  # the tables may be shared: labels and words de-identified as the report shows them
        from topics.reporting.redaction import text_masker

        settings_d = analysis.config.deidentify
        _step("de-identifying labels and words (--raw-text keeps them verbatim)")
        mask = _run(text_masker, analysis, known_names=settings_d.known_names, use_ner=settings_d.ner)
        # a code's name is the codebook's, not a transcript's: only the distinctive words are masked
        comp = replace(comp, words=comp.masked(mask).words) if codes else comp.masked(mask)
    files = comp.save_csv(target)
    if codes and table is not None:
        files += _hybrid_tables(table, comp.by, comp.groups, target, mask)
    stamp_derived(target, analysis.fingerprint, written_by=f"topics compare{' --codes' if codes else ''}")
    hint = comp.cluster_hint[:1].upper() + comp.cluster_hint[1:]
    for w in [*comp.confounds, *comp.warnings]:
        if w != hint:  # the cluster suggestion is printed with the results, below
            click.echo(f"warning: {w}", err=True)
    c = comp.contrasts
    sig = c[c["q_value"] < 0.05].sort_values("q_value")
    what = "code" if codes else "topic"
    with pd.option_context("display.width", 200, "display.max_colwidth", 45):
        click.echo(comp.method + "\n")
        click.echo(f"{len(sig)} of {int(c['p_value'].notna().sum())} {what} contrasts at q < 0.05 (seed {comp.seed}):")
        if len(sig):
            columns = ["topic", "label", "contrast", "share_a", "share_b", "diff", "diff_low", "diff_high", "q_value"]
            shown = sig[columns].rename(columns={"topic": "code", "label": "name"} if codes else {})
            click.echo(shown.round(4).to_string(index=False))
    if comp.cluster_hint:
        click.echo(f"\nnote: {comp.cluster_hint}")
    click.echo(f"\nwrote {len(files)} files to {target} ({_elapsed(t0)})")


def _hybrid_tables(table, by: str, groups: list[str], folder: Path, mask) -> list[Path]:
    """coverage.csv, topics_by_codes.csv and outside_codebook.csv beside the comparison of codes."""
    from topics._files import export_csv
    from topics.coding.tables import coverage, outside_codebook, topics_by_codes

    per_group = coverage(table, by)
    per_group = per_group[per_group["group"].isin(["all", *groups])]
    cross = topics_by_codes(table).add_prefix("share_").reset_index()  # share_<code>: no clash with topic, label
    outside = outside_codebook(table)
    if mask is not None:  # topic labels are made of the transcripts' words
        for frame in (cross, outside):
            if len(frame):
                frame["label"] = mask(frame["label"].astype(str).tolist())
    return [
        export_csv(per_group, folder / "coverage.csv"),
        export_csv(cross, folder / "topics_by_codes.csv"),
        export_csv(outside, folder / "outside_codebook.csv"),
    ]
