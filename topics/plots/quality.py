"""Figures of topic quality: the model-selection grid and topic stability across refits."""

from __future__ import annotations

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
    fig = make_subplots(rows=1, cols=4, subplot_titles=["topics", "outlier share", "NPMI (top 10)",
                                                        "NMI with codes"])
    for i, col in enumerate(["topics", "outlier_share", "npmi", "nmi_codes"]):
        fig.add_trace(go.Bar(x=names, y=grid[col], marker_color=PALETTE[i], showlegend=False,
                             hovertemplate="%{x}: %{y:.3f}<extra></extra>"), row=1, col=i + 1)
    fig.update_layout(template=TEMPLATE, title="Model selection: the same remarks and embeddings, other settings",
                      height=420)
    return fig


def stability_chart(per_topic: pd.DataFrame, topics: pd.DataFrame) -> go.Figure:
    """Share of refits in which each topic reappears (robust at 80% or more).

    Parameters
    ----------
    per_topic : pandas.DataFrame
        ``topic``, ``reappears``, ``robust`` (from :func:`topics.evaluate.stability`).
    topics : pandas.DataFrame
        Per-topic table for labels and order.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = per_topic.merge(topics[["topic", "label", "size"]], on="topic").sort_values("size")
    names = [safe(topic_name(int(a), b), limit=50) for a, b in zip(t["topic"], t["label"], strict=True)]
    fig = go.Figure(go.Bar(x=t["reappears"] * 100, y=names, orientation="h",
                           marker_color=["#2ca02c" if r else "#d62728" for r in t["robust"]],
                           hovertemplate="%{y}: reappears in %{x:.0f}% of refits<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title="Topic stability across refits (green: robust, red: fragile)",
                      xaxis_title="% of refits with a matching topic", height=max(350, 22 * len(t) + 140),
                      margin={"l": 10})
    return fig
