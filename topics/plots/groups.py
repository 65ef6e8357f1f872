"""Figures of group comparisons: shares per group, forest plot, dumbbell, positions, transitions, words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from topics.plots._style import OUTLIER_COLOR, PALETTE, TEMPLATE, safe, topic_name

GROUP_A_COLOR = "#1f77b4"
"""The first group of a comparison (A in "A minus B"), in every comparison figure; more in A points this way."""
GROUP_B_COLOR = "#ff7f0e"
"""The second group (B), in every comparison figure."""

if TYPE_CHECKING:
    from topics.compare import Comparison


def group_shares(assignments: pd.DataFrame, by: str, max_topics: int = 25) -> go.Figure:
    """Share of each group's remarks in each topic (descriptive; no test).

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with the grouping column.
    by : str
        Metadata column (e.g. ``counselor_type``).
    max_topics : int
        Largest topics shown.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    if by not in assignments.columns:
        raise KeyError(f"no column {by!r} in the assignment table")
    real = assignments[assignments["topic"] != -1]
    top = real["topic"].value_counts().head(max_topics).index
    share = pd.crosstab(assignments[by].astype(str), assignments["topic"], normalize="index")
    labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    fig = go.Figure()
    names = [safe(topic_name(int(t), labels[t]), limit=50) for t in top][::-1]
    for i, group in enumerate(share.index):
        values = [float(share.loc[group, t]) * 100 if t in share.columns else 0.0 for t in top][::-1]
        fig.add_trace(
            go.Bar(
                x=values,
                y=names,
                orientation="h",
                name=safe(group),
                marker_color=PALETTE[i % 10],
                hovertemplate=f"{safe(group)}<br>%{{y}}: %{{x:.1f}}%<extra></extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title=f"Topic shares by {safe(by)} (% of each group's remarks)",
        xaxis_title="% of the group's remarks",
        height=max(400, 26 * len(top) * max(1, len(share)) // 2 + 150),
        margin={"l": 10},
    )
    return fig


def forest_plot(contrast: pd.DataFrame, max_topics: int = 30) -> go.Figure:
    """Forest plot of per-topic prevalence differences with their intervals.

    Parameters
    ----------
    contrast : pandas.DataFrame
        Output of :func:`topics.compare.compare_groups` (one contrast, or the first is shown).
    max_topics : int
        Topics with the largest absolute difference shown.

    Returns
    -------
    plotly.graph_objects.Figure
        Points: difference in percentage points (first group minus second, as the ``contrast`` column
        says), in the first group's colour when it is higher and the second's when lower (the same colours as
        the dumbbell and distinctive-words charts); bars: the 95% interval (it excludes 0 exactly when
        p < 0.05); filled markers: q < 0.05; grey: too small to test.
    """
    name = contrast["contrast"].iloc[0]
    c = contrast[contrast["contrast"] == name].copy()
    c = c.reindex(c["diff"].abs().sort_values(ascending=False).index).head(max_topics).iloc[::-1]
    names = [
        safe(topic_name(int(t), lab) if t != -1 else lab, limit=50)
        for t, lab in zip(c["topic"], c["label"], strict=True)
    ]
    sig = (c["q_value"] < 0.05).fillna(False).to_numpy()
    group_a, group_b = safe(str(c["group_a"].iloc[0])), safe(str(c["group_b"].iloc[0]))
    colors = np.where(c["too_small"], OUTLIER_COLOR, np.where(c["diff"] > 0, GROUP_A_COLOR, GROUP_B_COLOR))
    fig = go.Figure(
        go.Scatter(
            x=c["diff"] * 100,
            y=names,
            mode="markers",
            marker={
                "color": list(colors),
                "size": 10,
                "symbol": ["circle" if s else "circle-open" for s in sig],
                "line": {"width": 2, "color": list(colors)},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (c["diff_high"] - c["diff"]) * 100,
                "arrayminus": (c["diff"] - c["diff_low"]) * 100,
                "color": "#888",
                "thickness": 1.2,
            },
            customdata=np.column_stack([c["share_a"] * 100, c["share_b"] * 100, c["q_value"].fillna(np.nan)]),
            hovertemplate=f"%{{y}}<br>{group_a} minus {group_b}: %{{x:+.1f}} points<br>{group_a} "
            "%{customdata[0]:.1f}% · " + group_b + " %{customdata[1]:.1f}%<br>q = %{customdata[2]:.3f}"
            "<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color="#444", line_width=1)
    fig.update_layout(
        template=TEMPLATE,
        height=max(350, 24 * len(c) + 140),
        margin={"l": 10},
        title=f"Difference in topic prevalence: {safe(name)}<br><sup>percentage points, 95% interval; "
        "filled = q &lt; 0.05</sup>",
        xaxis_title=f"share in {group_a} minus share in {group_b} (points)",
    )
    return fig


def dumbbell(contrast: pd.DataFrame, max_topics: int = 30) -> go.Figure:
    """Topic prevalence in two groups side by side (one line per topic).

    Parameters
    ----------
    contrast : pandas.DataFrame
        Output of :func:`topics.compare.compare_groups` (the first contrast is shown).
    max_topics : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    name = contrast["contrast"].iloc[0]
    c = contrast[contrast["contrast"] == name]
    c = (
        c.assign(_m=c[["share_a", "share_b"]].max(axis=1))
        .sort_values("_m", ascending=False)
        .head(max_topics)
        .iloc[::-1]
    )
    names = [safe(topic_name(int(t), lab), limit=50) for t, lab in zip(c["topic"], c["label"], strict=True)]
    ga, gb = safe(str(c["group_a"].iloc[0])), safe(str(c["group_b"].iloc[0]))
    fig = go.Figure()
    for y, a, b in zip(names, c["share_a"] * 100, c["share_b"] * 100, strict=True):
        fig.add_trace(
            go.Scatter(
                x=[a, b], y=[y, y], mode="lines", line={"color": "#bbb", "width": 3}, showlegend=False, hoverinfo="skip"
            )
        )
    fig.add_trace(
        go.Scatter(
            x=c["share_a"] * 100,
            y=names,
            mode="markers",
            name=ga,
            marker={"size": 11, "color": GROUP_A_COLOR},
            hovertemplate=f"{ga}: %{{x:.1f}}%<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=c["share_b"] * 100,
            y=names,
            mode="markers",
            name=gb,
            marker={"size": 11, "color": GROUP_B_COLOR},
            hovertemplate=f"{gb}: %{{x:.1f}}%<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Topic prevalence: {ga} and {gb} (% of each group's remarks)",
        height=max(350, 24 * len(c) + 140),
        xaxis_title="% of the group's remarks",
        margin={"l": 10},
    )
    return fig


def position_heatmap(
    shares: pd.DataFrame,
    group: str | None = None,
    max_topics: int = 25,
    *,
    topics: Sequence[int] | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """Heatmap of topic shares by position in the session (rows: topics; columns: segments).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topics.compare.position_shares`.
    group : str, optional
        Which group to show (default: the first).
    max_topics : int
        Rows shown when ``topics`` is not given: the group's largest topics.
    topics : sequence of int, optional
        The topics to show, in order (e.g. the same rows for every group, as :func:`comparison_figures` does).
    zmax : float, optional
        Top of the colour scale in percent (default: this group's largest share), so that heatmaps of several
        groups can share one scale.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    g = group if group is not None else sorted(shares["group"].unique())[0]
    s = shares[shares["group"] == g]
    if topics is None:
        top = list(s.groupby("topic")["remarks"].sum().sort_values(ascending=False).head(max_topics).index)
    else:  # every row asked for, a topic this group never uses as a row of zeros
        top = [t for t in topics if t in set(shares["topic"])]
    s = s[s["topic"].isin(top)]
    grid = s.pivot_table(index=["topic", "label"], columns="segment_index", values="share", fill_value=0.0)
    names = shares.drop_duplicates("topic").set_index("topic")["label"]
    grid = grid.reindex(pd.MultiIndex.from_tuples([(t, names[t]) for t in top], names=grid.index.names), fill_value=0.0)
    segs = s.drop_duplicates("segment_index").set_index("segment_index")["segment"].sort_index()
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy() * 100,
            x=[safe(x) for x in segs.reindex(grid.columns)],
            y=[safe(topic_name(int(t), lab), limit=45) for t, lab in grid.index],
            colorscale="Blues",
            zmin=0.0,
            zmax=zmax,
            colorbar={"title": "%"},
            hovertemplate="%{y}<br>%{x}: %{z:.1f}% of remarks<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"Topics by position in the session ({safe(str(g))})",
        yaxis={"autorange": "reversed", "title": {"text": "topic", "font": {"size": 11}}},
        xaxis={"title": {"text": "third of the session's therapist remarks", "font": {"size": 11}}},
        height=max(350, 22 * len(grid) + 140),
        margin={"l": 10},
    )
    return fig


def transition_heatmap(
    matrix: pd.DataFrame,
    labels: pd.Series | None = None,
    title: str = "",
    topics: Sequence[int] | None = None,
    max_topics: int = 15,
) -> go.Figure:
    """Heatmap of topic-to-topic transition probabilities (rows: from, columns: to), for a readable few topics.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`topics.compare.transition_matrix` (rows sum to 1).
    labels : pandas.Series, optional
        Topic labels indexed by topic.
    title : str
    topics : sequence of int, optional
        The topics to show, in this order (e.g. the largest topics in the order of the topic hierarchy, so
        that related topics sit side by side); default the first ``max_topics`` of the matrix.
    max_topics : int
        At most this many topics (rows and columns); the probabilities stay those of all topics, so a
        row shows where remarks of that topic go among the topics shown.

    Returns
    -------
    plotly.graph_objects.Figure
        Cells of 10% or more carry their value as text.
    """

    def name(t: int, limit: int = 42) -> str:
        return safe(topic_name(int(t), labels.get(t, "")) if labels is not None else str(t), limit=limit)

    chosen = [int(t) for t in (topics if topics is not None else matrix.index) if t in matrix.index]
    chosen = chosen[:max_topics]
    m = matrix.loc[chosen, [t for t in chosen if t in matrix.columns]]
    z = m.to_numpy(dtype=float)
    text = np.where(z >= 0.1, np.char.mod("%.0f%%", np.round(z * 100)), "")
    cut = len(matrix) > len(chosen)
    # rows carry the topic's name, columns only its number (the same order): no truncated, rotated labels
    full = np.array([[(name(r, 90), name(c, 90)) for c in m.columns] for r in m.index], dtype=object)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(int(t)) for t in m.columns],
            y=[name(t) for t in m.index],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            colorscale="Blues",
            zmin=0,
            colorbar={"title": "P(next)", "tickformat": ".0%"},
            customdata=full,
            hovertemplate="from %{customdata[0]}<br>to %{customdata[1]}<br>probability %{z:.2f}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    sub = (
        f"{len(chosen)} largest of {len(matrix)} topics, related topics side by side; " if cut else ""
    ) + "row: this remark's topic; column: the next therapist remark's topic (numbered as the rows)"
    fig.update_layout(
        template=TEMPLATE,
        title=f"{title or 'Which topic follows which'}<br><sup>{sub}</sup>",
        yaxis={
            "autorange": "reversed",
            "tickfont": {"size": 11},
            "automargin": True,
            "title": {"text": "this remark's topic", "font": {"size": 11}},
        },
        height=28 * len(chosen) + 290,
        margin={"l": 10, "b": 10, "t": 150},  # the subtitle above the column numbers and their title
        xaxis={
            "tickangle": 0,
            "tickfont": {"size": 11},
            "side": "top",
            "type": "category",
            "title": {"text": "the next remark's topic", "font": {"size": 11}},
        },
    )
    return fig


def distinctive_words_chart(words: pd.DataFrame, n: int = 12) -> go.Figure:
    """Diverging bar chart of the most distinctive words of two groups (z-scores of weighted log-odds).

    Parameters
    ----------
    words : pandas.DataFrame
        Output of :func:`topics.compare.distinctive_words`.
    n : int
        Words per group.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    groups = list(dict.fromkeys(words["group"]))
    fig = go.Figure()
    for i, g in enumerate(groups):
        w = words[words["group"] == g].reindex(words[words["group"] == g]["z"].abs().sort_values(ascending=False).index)
        w = w.head(n).iloc[::-1]
        fig.add_trace(
            go.Bar(
                x=w["z"],
                y=[safe(x) for x in w["word"]],
                orientation="h",
                name=safe(g),
                marker_color=[GROUP_A_COLOR, GROUP_B_COLOR][i % 2],
                customdata=np.column_stack([w["count_a"], w["count_b"]]),
                hovertemplate="%{y}: z = %{x:.1f}<br>counts %{customdata[0]} / %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        barmode="relative",
        height=max(400, 20 * n * 2 + 140),
        title="Distinctive words<br><sup>weighted log-odds with informative Dirichlet prior, z-scores</sup>",
        xaxis_title="z (positive: typical of " + safe(groups[0]) + ")",
        margin={"l": 10},
    )
    return fig


def comparison_figures(comp: Comparison, topic_order: Sequence[int] | None = None) -> dict[str, go.Figure]:
    """Every figure of a group comparison, by name.

    Parameters
    ----------
    comp : Comparison
        From :func:`topics.compare.run_comparison`.
    topic_order : sequence of int, optional
        Topics for the transition heatmaps, in order (see :func:`transition_heatmap`).

    Returns
    -------
    dict of str to Figure
        ``forest``, ``dumbbell``, ``position_<group>`` per group, ``transitions_<group>`` per group with a
        transition matrix, and ``words`` when there are distinctive words (two groups).
    """
    figs = {"forest": forest_plot(comp.contrasts), "dumbbell": dumbbell(comp.contrasts)}
    if not comp.positions.empty:  # empty for single-turn data and for whole-corpus counts
        # the same rows (the largest topics over all groups) on one colour scale, so the groups compare by eye
        pos = comp.positions[comp.positions["group"].isin(comp.groups)]
        rows = list(pos.groupby("topic")["remarks"].sum().sort_values(ascending=False).head(25).index)
        shown = pos.loc[pos["topic"].isin(rows), "share"]
        top = float(shown.max()) * 100 if len(shown) else None
        for g in comp.groups:
            figs[f"position_{g}"] = position_heatmap(comp.positions, group=g, topics=rows, zmax=top)
    for g, m in comp.transitions.items():
        figs[f"transitions_{g}"] = transition_heatmap(
            m, comp.labels, title=f"Which topic follows which: {safe(g)}", topics=topic_order
        )
    if not comp.words.empty:
        figs["words"] = distinctive_words_chart(comp.words)
    return figs
