"""Static copies of report figures (PNG, SVG, PDF) through kaleido and a Chrome-family browser, offline.

Kaleido drives a headless Chromium; left to itself, Chromium looks up and contacts update, account, CDN and
DNS hosts while it draws. :func:`offline_browser` starts it through a small wrapper that adds the switches
that stop every such connection (no background networking, no component updates, no pings, no DNS
prefetch, and host resolution mapped to nothing except localhost), so drawing a figure sends nothing
anywhere.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from topics._files import safe_file_name


def browser_available() -> bool:
    """Whether kaleido can find a Chrome-family browser for static export."""
    if any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome")):
        return True
    return bool(os.environ.get("BROWSER_PATH"))


OFFLINE_SWITCHES = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-default-apps",
    "--disable-sync",
    "--no-pings",
    "--dns-prefetch-disable",
    "--no-first-run",
    "--metrics-recording-only",
    "--disable-features=OptimizationHints,MediaRouter,Translate,NetworkTimeServiceQuerying,AutofillServerCommunication",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
)
"""Chromium switches that keep it from contacting any host while it draws figures."""


def _browser_path() -> str | None:
    found = os.environ.get("BROWSER_PATH")
    if found:
        return found
    return next(
        (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome") if shutil.which(b)), None
    )


@contextmanager
def offline_browser() -> Iterator[str | None]:
    """Point kaleido (through ``BROWSER_PATH``) at a wrapper that starts the browser with :data:`OFFLINE_SWITCHES`."""
    browser = _browser_path()
    if browser is None:
        yield None
        return
    before = os.environ.get("BROWSER_PATH")
    with tempfile.TemporaryDirectory(prefix="topics-browser-") as folder:
        wrapper = Path(folder) / "chromium-offline"
        command = " ".join(shlex.quote(x) for x in (browser, *OFFLINE_SWITCHES)) + ' "$@"'
        # in a network namespace of its own where the system allows one (then no socket can reach out at
        # all: kaleido talks to the browser through pipes); with the switches alone elsewhere
        wrapper.write_text(
            f"#!/bin/sh\nif unshare -rn true 2>/dev/null; then exec unshare -rn -- {command}; fi\nexec {command}\n",
            encoding="utf-8",
        )
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        os.environ["BROWSER_PATH"] = str(wrapper)
        try:
            yield str(wrapper)
        finally:
            if before is None:
                os.environ.pop("BROWSER_PATH", None)
            else:
                os.environ["BROWSER_PATH"] = before


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
        with offline_browser():
            pio.write_images(
                [f for f, _ in items],
                tmp_paths,
                width=[1200] * len(items),
                height=[f.layout.height or 600 for f, _ in items],
            )
        for src, (_, dst) in zip(tmp_paths, items, strict=True):
            os.replace(src, dst)
    return [p for _, p in items]
