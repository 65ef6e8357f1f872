"""Shared look of every figure: template, colours per topic, escaped text, topic names."""

from __future__ import annotations

import html
import textwrap

import pandas as pd

TEMPLATE = "plotly_white"
OUTLIER_COLOR = "#c8c8c8"
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
    "#756bb1", "#636363", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#969696", "#9c9ede", "#cedb9c",
    "#e7ba52", "#e7969c", "#de9ed6",
)


def safe(text: object, width: int | None = None, limit: int | None = None) -> str:
    """Escape a string for plotly text; optionally shorten it and wrap it with ``<br>``."""
    s = " ".join(str(text).split())
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    if width is not None:
        return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(s, width) or [""])
    return html.escape(s, quote=False)


def topic_name(topic: int, label: str) -> str:
    """Display name of a topic: ``"3: loss, grief, mother"``."""
    return f"{topic}: {label}"


def topic_color(topic: int) -> str:
    """Stable colour of a topic (grey for outliers)."""
    return OUTLIER_COLOR if topic == -1 else PALETTE[topic % len(PALETTE)]


def real_topics(topics: pd.DataFrame) -> pd.DataFrame:
    """Topics without the outliers, largest first."""
    return topics[topics["topic"] != -1].sort_values("size", ascending=False)
