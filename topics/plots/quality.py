"""Figures of topic quality: the model-selection grid and topic stability across refits."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from topics.plots._style import PALETTE, TEMPLATE, safe, topic_name


def quality_grid(grid: pd.DataFrame) -> go.Figure:
    """Model-selection chart: topics, outliers, NPMI and NMI for each setting of a grid.

    Parameters
    ----------
    grid : pandas.DataFrame
        Output of :func:`topics.evaluate.model_grid`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    names = [f"mcs {m} · nn {n}" for m, n in zip(grid["min_cluster_size"], grid["n_neighbors"], strict=True)]
    fig = make_subplots(rows=1, cols=4, subplot_titles=["topics", "outlier share", "NPMI (top 10)", "NMI with codes"])
    for i, col in enumerate(["topics", "outlier_share", "npmi", "nmi_codes"]):
        fig.add_trace(
            go.Bar(
                x=names,
                y=grid[col],
                marker_color=PALETTE[i],
                showlegend=False,
                hovertemplate="%{x}: %{y:.3f}<extra></extra>",
            ),
            row=1,
            col=i + 1,
        )
    fig.update_layout(
        template=TEMPLATE, title="Model selection: the same remarks and embeddings, other settings", height=420
    )
    return fig


def stability_chart(per_topic: pd.DataFrame, topics: pd.DataFrame, names: Mapping[int, str] | None = None) -> go.Figure:
    """Share of refits in which each topic reappears (robust at 80% or more).

    Parameters
    ----------
    per_topic : pandas.DataFrame
        ``topic``, ``reappears``, ``robust`` (from :func:`topics.evaluate.stability`).
    topics : pandas.DataFrame
        Per-topic table for labels and order (the raw topics that stability measures).
    names : mapping of int to str, optional
        Display name of a topic instead of ``"3: label"`` (e.g. the curated topic a raw topic went into).

    Returns
    -------
    plotly.graph_objects.Figure
        Every bar carries its percentage as text, so a topic that never reappears shows "0%" (and a marker
        at zero) rather than an empty row.
    """
    t = per_topic.merge(topics[["topic", "label", "size"]], on="topic").sort_values("size")
    names = names or {}
    shown = [
        safe(names.get(int(a), topic_name(int(a), b)), limit=60) for a, b in zip(t["topic"], t["label"], strict=True)
    ]
    pct = t["reappears"].to_numpy(dtype=float) * 100
    colors = ["#2ca02c" if r else "#d62728" for r in t["robust"]]
    fig = go.Figure(
        go.Bar(
            x=pct,
            y=shown,
            orientation="h",
            marker_color=colors,
            text=[f"{p:.0f}%" for p in pct],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: reappears in %{x:.0f}% of refits<extra></extra>",
        )
    )
    zero = pct == 0
    if zero.any():
        fig.add_trace(
            go.Scatter(
                x=pct[zero],
                y=[n for n, z in zip(shown, zero, strict=True) if z],
                mode="markers",
                marker={"symbol": "x", "size": 9, "color": "#d62728"},
                showlegend=False,
                hovertemplate="%{y}: never reappears<extra></extra>",
            )
        )
    fig.add_vline(x=80, line_dash="dot", line_color="#888")
    fig.update_layout(
        template=TEMPLATE,
        title="Topic stability across refits<br><sup>green: robust, reappears in 80% or more of refits; "
        "red: fragile</sup>",
        xaxis={"title": "% of refits with a matching topic", "range": [-3, 112]},
        height=max(350, 22 * len(t) + 140),
        margin={"l": 10},
        showlegend=False,
    )
    return fig
