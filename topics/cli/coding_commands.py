"""``topics code``: code a run's remarks with an expert's codebook (issue 26), zero-shot or from labels."""

from __future__ import annotations

import json
from pathlib import Path

import click

from topics.cli._common import _elapsed, _run, _step, main
from topics.coding.tables import CODES_DIR  # the folder of a run `topics code` writes, stamped with the model
from topics.errors import InputError

CODER_FILE = "coder.npz"
"""The trained coder in ``RUN/codes/`` (:meth:`topics.coding.Coder.save`: JSON and arrays, no pickle)."""


def _remarks(run: Path):
    """The run's remarks (``utterance_id``, ``session_id``, ``text``) and the embedding settings of its model."""
    import pandas as pd

    from topics._files import read_json_checked
    from topics.config import TopicConfig
    from topics.embed import runtime_of
    from topics.runs import MODEL_DIR, run_fingerprint

    folder = run / MODEL_DIR
    table = folder / "assignments.parquet"
    if not table.is_file() or not (folder / "config.toml").is_file():
        raise InputError(
            f"not a run folder: no {MODEL_DIR}/assignments.parquet and {MODEL_DIR}/config.toml "
            "(make one with `topics fit`)",
            path=run,
        )
    remarks = pd.read_parquet(table)
    missing = [c for c in ("utterance_id", "text") if c not in remarks.columns]
    if missing:
        raise InputError(f"the run's remark table has no {missing} column", path=table)
    config = TopicConfig.from_toml(folder / "config.toml").embedding
    manifest = read_json_checked(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    fitted_with = str(manifest.get("embedding_model", "")) if isinstance(manifest, dict) else ""
    if fitted_with:
        config.runtime = runtime_of(fitted_with, config)
    return remarks.reset_index(drop=True), config, run_fingerprint(run)


@main.command("code")
@click.argument("run", type=click.Path(path_type=Path))
@click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Codebook: .toml, .yaml, .csv, or a REFI-QDA .qdc / .qdpx.",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(path_type=Path),
    help="An expert's labels (.yaml or .csv: utterance_id, code, author, time, rationale). Without it: "
    "zero-shot from the codebook's descriptions and examples.",
)
@click.option(
    "--held-out",
    "held_out",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.0, 0.9),
    help="Share of labelled remarks held back (chosen by id) to check the coder against.",
)
@click.option(
    "--none-threshold",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help='Code "none of these" when the best code\'s probability is below this.',
)
@click.option(
    "--low-confidence",
    default=0.6,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="Flag remarks whose probability is below this.",
)
@click.option(
    "--temperature",
    default=0.05,
    show_default=True,
    type=click.FloatRange(min=1e-4),
    help="Zero-shot: softmax temperature on cosine similarities.",
)
@click.option(
    "--next",
    "n_next",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="Write the N unlabelled remarks the coder is least sure of (label those next).",
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--coder",
    "coder_path",
    type=click.Path(path_type=Path),
    help="Apply a saved coder (a coder.npz that `topics code` wrote) instead of training one; not with --labels.",
)
@click.option(
    "--dask",
    is_flag=True,
    help="A run of the Dask engine: also code every remark of the whole corpus on the cluster "
    "(RUN/distributed/codes/).",
)
@click.option("--scheduler", help="With --dask: address of a running Dask scheduler (default: a local cluster).")
@click.option("--workers", "n_workers", default=2, show_default=True, type=click.IntRange(min=1), help="With --dask.")
def code(
    run,
    codebook_path,
    labels_path,
    held_out,
    none_threshold,
    low_confidence,
    temperature,
    n_next,
    seed,
    coder_path,
    dask,
    scheduler,
    n_workers,
) -> None:
    """Code every remark of RUN with a codebook; write RUN/codes/coded.csv.

    With --labels, a calibrated classifier on the frozen sentence embeddings learns from the labelled remarks
    (the latest label of each); the remarks held back (--held-out) check it: agreement.csv (Cohen's kappa
    with a session-bootstrap interval), per_code.csv, confusion.csv. Also writes codebook.csv, codebook.yaml,
    next_to_label.csv, coder.json and coder.npz (the trained coder, for --coder and --dask);
    RUN/codes/manifest.json records the model the remarks came from. With --coder, a saved coder (trained
    with this codebook, on the same embedding model) codes the remarks as it is.
    """
    import pandas as pd

    from topics._files import export_csv
    from topics.coding import Codebook, Coder, LabelFile, agreement, is_held_out, latest
    from topics.embed import Embedder
    from topics.runs import derived_folder

    if coder_path is not None and labels_path is not None:
        raise click.BadParameter("a saved coder is applied as it is: drop --labels (or --coder to train anew)")
    if (scheduler or n_workers != 2) and not dask:
        raise click.BadParameter("--scheduler and --workers go with --dask")
    if dask and not (run / "distributed" / "assignments").is_dir():
        _run(_raise, InputError("--dask: not a run of the Dask engine (no distributed/assignments)", path=run))
    t0 = _step(f"reading {codebook_path}")
    book = _run(Codebook.load, codebook_path)
    labels = None
    if labels_path is not None:
        if not labels_path.is_file():
            _run(_raise, InputError("no such label file", path=labels_path))
        labels = _run(lambda: latest(LabelFile(labels_path, book.labels).table()))
    remarks, emb_config, fingerprint = _run(_remarks, run)
    if fingerprint is None:
        _run(_raise, InputError("the run has no model to code the remarks of", path=run))
    if labels is not None:
        unknown = labels.loc[~labels["utterance_id"].isin(set(remarks["utterance_id"].astype(str))), "utterance_id"]
        if len(unknown):
            _run(
                _raise,
                InputError(
                    f"{len(unknown)} labelled remark(s) are not remarks of {run}, e.g. {unknown.iloc[0]!r}",
                    path=labels_path,
                ),
            )
    embedder = Embedder(emb_config, show_progress=True)
    _step(f"embedding {len(remarks):,} remarks (cached ones are not embedded again)")
    vectors = embedder.embed(remarks["text"].astype(str).tolist())
    train = check = None
    if coder_path is not None:
        coder = _run(Coder.load, coder_path, book, embedder)
        _step(f"coding with the saved coder {coder_path} ({coder.mode_}, {coder.n_labels_} labels)")
    else:
        coder = Coder(
            book,
            embedder,
            temperature=temperature,
            none_threshold=none_threshold,
            low_confidence=low_confidence,
            seed=seed,
        )
        if labels is not None and len(labels):
            held = is_held_out(labels["utterance_id"], held_out).to_numpy()
            train, check = labels[~held], labels[held]
        _step(f"coding ({'zero-shot' if train is None or not len(train) else f'{len(train)} labelled remarks'})")
        _run(coder.fit, remarks, train, embeddings=vectors)
    coded = coder.predict(remarks, embeddings=vectors)
    if "session_id" in remarks:
        coded.insert(1, "session_id", remarks["session_id"].astype(str).to_numpy())
    if labels is not None:
        coded.insert(
            2, "label", coded["utterance_id"].map(dict(zip(labels["utterance_id"], labels["code"], strict=True)))
        )
    summary = {
        **coder.summary(),
        "run": str(run),
        "remarks": len(coded),
        "codes": coded["code"].value_counts().to_dict(),
        "low_confidence_remarks": int(coded["low_confidence"].sum()),
        "labels_file": str(labels_path) if labels_path else None,
        "coder_file": str(coder_path) if coder_path else None,
        "labels_trained_on": 0 if train is None else len(train),
        "labels_held_out": 0 if check is None else len(check),
    }
    with derived_folder(run / CODES_DIR, fingerprint, written_by="topics code") as tmp:
        export_csv(coded, tmp / "coded.csv")
        export_csv(book.table(), tmp / "codebook.csv")
        (tmp / "codebook.yaml").write_text(book.to_yaml(), encoding="utf-8")  # read back by the REFI-QDA export
        coder.save(tmp / CODER_FILE)
        if n_next:
            export_csv(
                coder.next_to_label(remarks, n_next, labelled=labels, embeddings=vectors), tmp / "next_to_label.csv"
            )
        if check is not None and len(check):
            joined = check.merge(
                coded[["utterance_id", "code", *(["session_id"] if "session_id" in coded else [])]],
                on="utterance_id",
                suffixes=("_label", ""),
            )
            agr = agreement(
                joined["code_label"],
                joined["code"],
                clusters=joined.get("session_id"),
                codes=[c for c in book.labels if c in set(joined["code_label"]) | set(joined["code"])],
                seed=seed,
            )
            export_csv(agr.summary(), tmp / "agreement.csv")
            export_csv(agr.per_code, tmp / "per_code.csv")
            agr.confusion.to_csv(tmp / "confusion.csv")
            summary["agreement"] = agr.summary().iloc[0].to_dict()
            click.echo(
                f"agreement on {agr.n} held-out labels: kappa {agr.kappa:.3f} "
                f"[{agr.kappa_low:.3f}, {agr.kappa_high:.3f}], macro-F1 {agr.macro_f1:.3f}"
            )
        (tmp / "coder.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    with pd.option_context("display.width", 160):
        shares = coded["code"].value_counts(normalize=True).rename("share").round(3)
        click.echo(shares.to_frame().to_string())
    click.echo(
        f"\nwrote {run / CODES_DIR / 'coded.csv'} ({coder.mode_}, {int(coded['low_confidence'].sum())} of "
        f"{len(coded)} remarks low-confidence; {_elapsed(t0)})"
    )
    if dask:
        from topics.distributed import code_distributed

        _step(f"coding every remark of the whole corpus on Dask ({scheduler or f'{n_workers} local workers'})")
        result = _run(
            code_distributed, run, run / CODES_DIR / CODER_FILE, book, scheduler=scheduler, n_workers=n_workers
        )
        click.echo(
            f"wrote {result.folder} ({result.summary['remarks']:,} remarks in {result.summary['partitions']} "
            f"partitions; {_elapsed(t0)})"
        )


def _raise(err: Exception) -> None:
    raise err


from topics.cli import coding_exchange  # noqa: E402, F401 - registers ``code-export`` and ``code-import``
