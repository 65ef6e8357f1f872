"""What every ``topics`` command shares: the command group, progress lines, config loading, clean errors."""

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


SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
"""Folders of the operating system, never a place for the toolkit's output files."""


def check_out_path(path: Path | None, option: str = "--out", *, example: str | None = None) -> Path | None:
    """Refuse at once an output path that the write would fail on, or misuse, after all the work.

    Parameters
    ----------
    path : Path or None
        The option's value (None: not given, nothing to check).
    option : str, default "--out"
        The option, named in the message.
    example : str, optional
        For an option that names a file: an example file name (``report.html``). An existing folder, or
        anything that exists and is not a regular file, is then refused. Without it the option names a folder.

    Returns
    -------
    Path or None
        ``path``.

    Raises
    ------
    InputError
        ``path`` lies under ``/proc``, ``/sys`` or ``/dev`` (symbolic links followed), or is a folder or a
        special file where a file is written.
    """
    if path is None:
        return None
    for where in (path.absolute(), path.resolve()):
        for root in SYSTEM_FOLDERS:
            if where == root or root in where.parents:
                raise InputError(
                    f"refusing to write under {root}, a folder of the operating system; choose another {option}",
                    path=path,
                )
    if example is not None and path.is_dir():
        raise InputError(
            f"{option} names an existing folder; give a file name, e.g. {option} {path / example}", path=path
        )
    if example is not None and path.exists() and not path.is_file():
        raise InputError(
            f"{option} names something that is not a regular file; give a file name such as {example}", path=path
        )
    return path
