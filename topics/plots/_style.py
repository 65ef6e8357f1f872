"""Shared look of every figure: template, colours per topic, escaped text, topic names."""

from __future__ import annotations

import html
import textwrap

import pandas as pd

TEMPLATE = "plotly_white"
OUTLIER_COLOR = "#c8c8c8"
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#336644",
    "#886600",
    "#ffaa77",
    "#00cc99",
    "#aa0055",
    "#aabb77",
    "#ff7788",
    "#990088",
    "#2288ff",
    "#aabbff",
    "#446600",
    "#eeaa22",
    "#994411",
    "#4444bb",
    "#eeaacc",
    "#774466",
    "#00bbff",
    "#dd88ff",
    "#66aa88",
    "#99cc55",
    "#ccaa55",
    "#ff7755",
    "#777744",
    "#dd3399",
    "#007733",
    "#3355aa",
    "#bb4444",
    "#cc7722",
    "#007777",
    "#dd2255",
    "#bb5577",
    "#ddaaff",
    "#aa88bb",
    "#888800",
    "#cc8888",
    "#9988ff",
    "#994488",
    "#4499bb",
    "#555588",
)
"""48 topic colours: the first nine of Tableau 10, then each next colour the one farthest (CIELAB distance)
from all colours before it, from white and from the outlier grey (greedy farthest-point over a 16-level sRGB
grid, lightness 35-78, chroma 28-75). Any two differ by at least 21 CIELAB units, so topic 0 and topic 15
never share a colour; the palette repeats only after topic 47."""


TOPIC_SYMBOLS = (
    "circle", "circle", "square", "circle", "square", "circle", "square", "circle", "square", "square",
    "diamond", "circle", "square", "diamond", "square", "diamond", "circle", "circle", "circle", "circle",
    "diamond", "square", "circle", "square", "square", "diamond", "square", "circle", "square", "diamond",
    "triangle-up", "square", "square", "diamond", "diamond", "triangle-up", "triangle-up", "triangle-up", "x",
    "square", "square", "diamond", "x", "triangle-up", "triangle-up", "diamond", "triangle-up", "triangle-up",
)  # fmt: skip
"""A marker shape per topic (beside its :data:`PALETTE` colour) for colour-blind readers of the document map.

Under a simulated protanopia, deuteranopia or tritanopia (Machado, Oliveira and Fernandes 2009, full
severity) 109 pairs of the 48 colours lie closer than 12 CIELAB units, and some look the same; every such
pair gets two different shapes (greedy colouring of the confusion graph, topics in order)."""


def topic_symbol(topic: int) -> str:
    """The marker shape of a topic in the document map (a circle for outliers); see :data:`TOPIC_SYMBOLS`."""
    return "circle" if topic == -1 else TOPIC_SYMBOLS[topic % len(TOPIC_SYMBOLS)]


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
    """The colour of a topic in every figure (grey for outliers, and for set-aside buckets).

    Parameters
    ----------
    topic : int
        Topic number; ``-1`` for outliers.

    Returns
    -------
    str
        A hex colour from :data:`PALETTE` (repeating after 48 topics).
    """
    return OUTLIER_COLOR if topic == -1 else PALETTE[topic % len(PALETTE)]


def real_topics(topics: pd.DataFrame) -> pd.DataFrame:
    """Topics without the outliers, largest first."""
    return topics[topics["topic"] != -1].sort_values("size", ascending=False)
