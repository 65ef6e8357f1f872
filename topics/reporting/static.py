"""Static copies of report figures (PNG, SVG, PDF) through kaleido and a Chrome-family browser."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from topics._files import safe_file_name


def browser_available() -> bool:
    """Whether kaleido can find a Chrome-family browser for static export."""
    if any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome")):
        return True
    return bool(os.environ.get("BROWSER_PATH"))


def export_static(figs: dict[str, go.Figure], folder: str | Path, formats: list[str]) -> list[Path]:
    """Write static copies of figures (one file per figure and format) through kaleido.

    Parameters
    ----------
    figs : dict of str to Figure
    folder : str or Path
        Target folder (created).
    formats : list of str
        ``png``, ``svg``, ``pdf``, ...

    Returns
    -------
    list of Path
        Files written.

    Raises
    ------
    RuntimeError
        No browser for kaleido, or the export failed.
    """
    if not formats or not figs:
        return []
    if not browser_available():
        raise RuntimeError("no Chrome-family browser found for kaleido (install Debian's chromium)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    items = [(fig, folder / f"{safe_file_name(name)}.{fmt}") for name, fig in figs.items() for fmt in formats]
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmp_paths = [Path(tmp) / p.name for _, p in items]
        pio.write_images([f for f, _ in items], tmp_paths,
                         width=[1200] * len(items), height=[f.layout.height or 600 for f, _ in items])
        for src, (_, dst) in zip(tmp_paths, items, strict=True):
            os.replace(src, dst)
    return [p for _, p in items]
