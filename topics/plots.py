"""Plotly figures of a topic analysis.

Every function takes tables (DataFrames, arrays) and returns a ``plotly.graph_objects.Figure``, so
Jupyter shows it, a notebook can change it, and the report embeds it. Transcript text and labels are
HTML-escaped before they go into hover text or tick labels.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def _real(topics: pd.DataFrame) -> pd.DataFrame:
    return topics[topics["topic"] != -1].sort_values("size", ascending=False)


def topic_sizes(topics: pd.DataFrame, max_topics: int = 40) -> go.Figure:
    """Horizontal bar chart of topic shares (largest first).

    Parameters
    ----------
    topics : pandas.DataFrame
        Per-topic table (``topic``, ``label``, ``size``, ``share``).
    max_topics : int
        Topics shown.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _real(topics).head(max_topics).iloc[::-1]
    names = [safe(topic_name(a, b), limit=60) for a, b in zip(t["topic"], t["label"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=t["share"] * 100, y=names, orientation="h", marker_color=[topic_color(x) for x in t["topic"]],
            customdata=t["size"], hovertemplate="%{y}<br>%{x:.1f}% of remarks (%{customdata})<extra></extra>",
        )
    )
    fig.update_layout(template=TEMPLATE, title="Topic sizes", xaxis_title="% of modelled remarks",
                      height=max(300, 22 * len(t) + 120), margin={"l": 10})
    return fig


def top_words(word_scores: pd.DataFrame, topics: pd.DataFrame, max_topics: int = 12, n_words: int = 8,
              cols: int = 4) -> go.Figure:
    """Bar charts of the top words of the largest topics.

    Parameters
    ----------
    word_scores : pandas.DataFrame
        Long table ``topic``, ``word``, ``score``, ``rank`` (see :func:`topics.pipeline.topic_word_scores`).
    topics : pandas.DataFrame
        Per-topic table (for order and labels).
    max_topics, n_words, cols : int
        Topics shown, words per topic, panels per row.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _real(topics).head(max_topics)
    rows = max(1, int(np.ceil(len(t) / cols)))
    titles = [safe(topic_name(a, b), limit=38) for a, b in zip(t["topic"], t["label"], strict=True)]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.12,
                        vertical_spacing=0.4 / rows)
    for i, topic in enumerate(t["topic"]):
        w = word_scores[word_scores["topic"] == topic].sort_values("rank").head(n_words).iloc[::-1]
        fig.add_trace(
            go.Bar(x=w["score"], y=[safe(x) for x in w["word"]], orientation="h", marker_color=topic_color(topic),
                   hovertemplate="%{y}: %{x:.3f}<extra></extra>", showlegend=False),
            row=i // cols + 1, col=i % cols + 1,
        )
    fig.update_layout(template=TEMPLATE, title="Top words per topic (weight from the representation model)",
                      height=260 * rows + 80)
    fig.update_annotations(font_size=12)
    return fig


def classical_mds(distance: np.ndarray, dims: int = 2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling of a distance matrix; deterministic."""
    n = len(distance)
    if n == 1:
        return np.zeros((1, dims))
    j = np.eye(n) - np.ones((n, n)) / n
    b = -0.5 * j @ (distance**2) @ j
    vals, vecs = np.linalg.eigh(b)
    order = np.argsort(vals)[::-1][:dims]
    coords = vecs[:, order] * np.sqrt(np.clip(vals[order], 0, None))
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), range(coords.shape[1])])
    return coords * np.where(signs == 0, 1, signs)


def intertopic_map(topics: pd.DataFrame, topic_ids: Sequence[int], topic_embeddings: np.ndarray) -> go.Figure:
    """Intertopic distance map: topics placed by classical MDS of centroid cosine distances.

    Parameters
    ----------
    topics : pandas.DataFrame
        Per-topic table.
    topic_ids : sequence of int
        Topic of each row of ``topic_embeddings``.
    topic_embeddings : numpy.ndarray
        Topic centroids.

    Returns
    -------
    plotly.graph_objects.Figure
        Bubble area proportional to topic size; nearby bubbles are topics with similar remarks.
    """
    keep = [i for i, t in enumerate(topic_ids) if t != -1]
    ids = [int(topic_ids[i]) for i in keep]
    emb = np.asarray(topic_embeddings, dtype=np.float64)[keep]
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    coords = classical_mds(np.clip(1 - emb @ emb.T, 0, 2))
    info = topics.set_index("topic").loc[ids]
    size = info["size"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Scatter(
            x=coords[:, 0], y=coords[:, 1], mode="markers+text", text=[str(t) for t in ids],
            textposition="middle center",
            marker={"size": 12 + 48 * np.sqrt(size / size.max()), "color": [topic_color(t) for t in ids],
                    "opacity": 0.6, "line": {"width": 1, "color": "white"}},
            customdata=np.column_stack([[safe(x, limit=80) for x in info["label"]], info["size"],
                                        [safe(x, width=60, limit=160) for x in info["keywords"]]]),
            hovertemplate="<b>%{text}: %{customdata[0]}</b><br>%{customdata[1]} remarks<br>%{customdata[2]}"
                          "<extra></extra>",
        )
    )
    fig.update_layout(template=TEMPLATE, title="Intertopic distance map (MDS of topic centroid distances)",
                      xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"}, height=600)
    return fig


def topic_hierarchy(topics: pd.DataFrame, topic_ids: Sequence[int], topic_embeddings: np.ndarray) -> go.Figure:
    """Dendrogram of topics (average linkage on centroid cosine distance): candidates for merging.

    Parameters
    ----------
    topics : pandas.DataFrame
        Per-topic table.
    topic_ids : sequence of int
        Topic of each row of ``topic_embeddings``.
    topic_embeddings : numpy.ndarray
        Topic centroids.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.figure_factory as ff
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    keep = [i for i, t in enumerate(topic_ids) if t != -1]
    ids = [int(topic_ids[i]) for i in keep]
    emb = np.asarray(topic_embeddings, dtype=np.float64)[keep]
    labels = topics.set_index("topic").loc[ids, "label"]
    names = [safe(topic_name(t, lab), limit=55) for t, lab in zip(ids, labels, strict=True)]
    if len(ids) < 2:
        fig = go.Figure()
        fig.update_layout(template=TEMPLATE, title="Topic hierarchy (needs at least two topics)")
        return fig
    fig = ff.create_dendrogram(
        emb, orientation="left", labels=names,
        distfun=lambda x: pdist(x, metric="cosine"), linkagefun=lambda d: linkage(d, method="average"),
    )
    fig.update_layout(template=TEMPLATE, title="Topic hierarchy (average linkage, cosine distance of centroids)",
                      height=max(400, 20 * len(ids) + 120), xaxis_title="cosine distance", showlegend=False,
                      margin={"l": 10})
    return fig


def sample_for_map(assignments: pd.DataFrame, layout: pd.DataFrame, max_points: int = 5000,
                   seed: int = 0) -> pd.DataFrame:
    """The remarks the document map draws: all of them, or a seeded sample of ``max_points``."""
    cols = [c for c in ("utterance_id", "topic", "label", "text", "display_text") if c in assignments.columns]
    df = layout.merge(assignments[cols], on="utterance_id")
    return df.sample(n=max_points, random_state=seed) if len(df) > max_points else df


def document_map(assignments: pd.DataFrame, layout: pd.DataFrame, max_points: int = 5000, seed: int = 0,
                 text_column: str | None = None) -> go.Figure:
    """Scatter of remarks in 2-D, coloured by topic; hover shows the remark.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (``utterance_id``, ``topic``, ``label``, text).
    layout : pandas.DataFrame
        ``utterance_id``, ``x``, ``y``.
    max_points : int
        Above this, a seeded random sample is drawn (the title says so).
    seed : int
        Seed of that sample.
    text_column : str, optional
        Column shown on hover (default ``display_text`` when present, i.e. de-identified, else ``text``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    text_column = text_column or ("display_text" if "display_text" in assignments.columns else "text")
    df = sample_for_map(assignments, layout, max_points=max_points, seed=seed)
    title = f"Document map: {len(df):,} remarks"
    if len(layout) > max_points:
        title = f"Document map: random sample of {max_points:,} of {len(layout):,} remarks"
    fig = go.Figure()
    order = df.groupby("topic").size().sort_values(ascending=False).index
    for topic in sorted(order, key=lambda t: (t == -1, -int((df["topic"] == t).sum()))):
        part = df[df["topic"] == topic]
        name = safe(topic_name(int(topic), part["label"].iloc[0]), limit=45)
        fig.add_trace(
            go.Scattergl(
                x=part["x"], y=part["y"], mode="markers", name=name,
                marker={"size": 4, "color": topic_color(int(topic)), "opacity": 0.7},
                text=[safe(t, width=70, limit=280) for t in part[text_column]],
                hovertemplate=f"<b>{name}</b><br>%{{text}}<extra></extra>",
            )
        )
    fig.update_layout(template=TEMPLATE, title=title, xaxis={"visible": False}, yaxis={"visible": False},
                      height=700, legend={"itemsizing": "constant", "font": {"size": 10}})
    return fig


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
        fig.add_trace(go.Bar(x=values, y=names, orientation="h", name=safe(group), marker_color=PALETTE[i % 10],
                             hovertemplate=f"{safe(group)}<br>%{{y}}: %{{x:.1f}}%<extra></extra>"))
    fig.update_layout(template=TEMPLATE, barmode="group", title=f"Topic shares by {safe(by)} (% of each group's remarks)",
                      xaxis_title="% of the group's remarks", height=max(400, 26 * len(top) * max(1, len(share)) // 2 + 150),
                      margin={"l": 10})
    return fig


def curation_sankey(flows: pd.DataFrame, max_links: int = 400) -> go.Figure:
    """Sankey diagram from raw topics (left) to curated topics and set-aside buckets (right).

    Parameters
    ----------
    flows : pandas.DataFrame
        ``raw_topic``, ``raw_label``, ``topic``, ``label``, ``bucket``, ``remarks`` (see
        :attr:`topics.curation.CuratedView.flows`).
    max_links : int
        Largest flows drawn.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    f = flows.sort_values("remarks", ascending=False).head(max_links)
    left = [(int(r), lab) for r, lab in f[["raw_topic", "raw_label"]].drop_duplicates().itertuples(index=False)]
    left.sort()
    right_keys = []
    for t, lab, b in f[["topic", "label", "bucket"]].drop_duplicates().itertuples(index=False):
        key = ("bucket", b) if b else ("topic", int(t), lab)
        if key not in right_keys:
            right_keys.append(key)
    right_keys.sort(key=lambda k: (k[0] == "bucket", k[1]))
    names = [safe(topic_name(r, lab), limit=45) for r, lab in left]
    names += [safe(f"set aside: {k[1]}" if k[0] == "bucket" else topic_name(k[1], k[2]), limit=45) for k in right_keys]
    colors = [topic_color(r) for r, _ in left] + [OUTLIER_COLOR if k[0] == "bucket" else topic_color(k[1])
                                                  for k in right_keys]
    li = {r: i for i, (r, _) in enumerate(left)}
    ri = {k: len(left) + i for i, k in enumerate(right_keys)}
    src, dst, val = [], [], []
    for r, t, lab, b, n in f[["raw_topic", "topic", "label", "bucket", "remarks"]].itertuples(index=False):
        key = ("bucket", b) if b else ("topic", int(t), lab)
        src.append(li[int(r)])
        dst.append(ri[key])
        val.append(int(n))
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": names, "color": colors, "pad": 6, "thickness": 14},
        link={"source": src, "target": dst, "value": val, "color": "rgba(120,120,120,0.25)"},
    ))
    fig.update_layout(template=TEMPLATE, title="From raw topics (left) to curated topics (right)",
                      height=max(450, 18 * max(len(left), len(right_keys)) + 120), font_size=10)
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
        Points: difference in percentage points (second group minus first); bars: interval; filled
        markers: q < 0.05; grey: too small to test.
    """
    name = contrast["contrast"].iloc[0]
    c = contrast[contrast["contrast"] == name].copy()
    c = c.reindex(c["diff"].abs().sort_values(ascending=False).index).head(max_topics).iloc[::-1]
    names = [safe(topic_name(int(t), lab), limit=50) for t, lab in zip(c["topic"], c["label"], strict=True)]
    sig = (c["q_value"] < 0.05).fillna(False).to_numpy()
    colors = np.where(c["too_small"], OUTLIER_COLOR, np.where(c["diff"] > 0, "#d62728", "#1f77b4"))
    fig = go.Figure(go.Scatter(
        x=c["diff"] * 100, y=names, mode="markers",
        marker={"color": list(colors), "size": 10, "symbol": ["circle" if s else "circle-open" for s in sig],
                "line": {"width": 2, "color": list(colors)}},
        error_x={"type": "data", "symmetric": False, "array": (c["diff_high"] - c["diff"]) * 100,
                 "arrayminus": (c["diff"] - c["diff_low"]) * 100, "color": "#888", "thickness": 1.2},
        customdata=np.column_stack([c["share_a"] * 100, c["share_b"] * 100, c["q_value"].fillna(np.nan)]),
        hovertemplate="%{y}<br>difference %{x:.1f} points<br>" + safe(str(c["group_a"].iloc[0]))
                      + " %{customdata[0]:.1f}% · " + safe(str(c["group_b"].iloc[0]))
                      + " %{customdata[1]:.1f}%<br>q = %{customdata[2]:.3f}<extra></extra>",
    ))
    fig.add_vline(x=0, line_color="#444", line_width=1)
    fig.update_layout(template=TEMPLATE, height=max(350, 24 * len(c) + 140), margin={"l": 10},
                      title=f"Difference in topic prevalence: {safe(name)} (percentage points, 95% cluster-bootstrap "
                            "interval; filled = q &lt; 0.05)",
                      xaxis_title=f"share in {safe(str(c['group_b'].iloc[0]))} minus share in "
                                  f"{safe(str(c['group_a'].iloc[0]))} (points)")
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
    c = c.assign(_m=c[["share_a", "share_b"]].max(axis=1)).sort_values("_m", ascending=False).head(max_topics).iloc[::-1]
    names = [safe(topic_name(int(t), lab), limit=50) for t, lab in zip(c["topic"], c["label"], strict=True)]
    ga, gb = safe(str(c["group_a"].iloc[0])), safe(str(c["group_b"].iloc[0]))
    fig = go.Figure()
    for y, a, b in zip(names, c["share_a"] * 100, c["share_b"] * 100, strict=True):
        fig.add_trace(go.Scatter(x=[a, b], y=[y, y], mode="lines", line={"color": "#bbb", "width": 3},
                                 showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=c["share_a"] * 100, y=names, mode="markers", name=ga,
                             marker={"size": 11, "color": "#1f77b4"}, hovertemplate=f"{ga}: %{{x:.1f}}%<extra></extra>"))
    fig.add_trace(go.Scatter(x=c["share_b"] * 100, y=names, mode="markers", name=gb,
                             marker={"size": 11, "color": "#ff7f0e"}, hovertemplate=f"{gb}: %{{x:.1f}}%<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=f"Topic prevalence: {ga} and {gb} (% of each group's remarks)",
                      height=max(350, 24 * len(c) + 140), xaxis_title="% of the group's remarks", margin={"l": 10})
    return fig


def position_heatmap(shares: pd.DataFrame, group: str | None = None, max_topics: int = 25) -> go.Figure:
    """Heatmap of topic shares by position in the session (rows: topics; columns: segments).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topics.trajectory.position_shares`.
    group : str, optional
        Which group to show (default: the first).
    max_topics : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    g = group if group is not None else sorted(shares["group"].unique())[0]
    s = shares[shares["group"] == g]
    top = s.groupby("topic")["remarks"].sum().sort_values(ascending=False).head(max_topics).index
    s = s[s["topic"].isin(top)]
    grid = s.pivot_table(index=["topic", "label"], columns="segment_index", values="share", fill_value=0.0)
    grid = grid.loc[[i for t in top for i in grid.index if i[0] == t]]
    segs = s.drop_duplicates("segment_index").set_index("segment_index")["segment"].sort_index()
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy() * 100, x=[safe(x) for x in segs.reindex(grid.columns)],
        y=[safe(topic_name(int(t), lab), limit=45) for t, lab in grid.index], colorscale="Blues",
        colorbar={"title": "%"}, hovertemplate="%{y}<br>%{x}: %{z:.1f}% of remarks<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=f"Topics by position in the session ({safe(str(g))})",
                      yaxis={"autorange": "reversed"}, height=max(350, 22 * len(grid) + 140), margin={"l": 10})
    return fig


def transition_heatmap(matrix: pd.DataFrame, labels: pd.Series | None = None, title: str = "") -> go.Figure:
    """Heatmap of topic-to-topic transition probabilities (rows: from, columns: to).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`topics.trajectory.transition_matrix`.
    labels : pandas.Series, optional
        Topic labels indexed by topic.
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    def name(t: int) -> str:
        return safe(topic_name(int(t), labels.get(t, "")) if labels is not None else str(t), limit=35)

    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(), x=[name(t) for t in matrix.columns], y=[name(t) for t in matrix.index],
        colorscale="Viridis", colorbar={"title": "P(next)"},
        hovertemplate="from %{y}<br>to %{x}<br>probability %{z:.2f}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title or "Which topic follows which (next therapist remark)",
                      yaxis={"autorange": "reversed"}, height=max(450, 20 * len(matrix) + 200),
                      xaxis={"tickangle": 45})
    return fig


def distinctive_words_chart(words: pd.DataFrame, n: int = 12) -> go.Figure:
    """Diverging bar chart of the most distinctive words of two groups (z-scores of weighted log-odds).

    Parameters
    ----------
    words : pandas.DataFrame
        Output of :func:`topics.distinctive.distinctive_words`.
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
        fig.add_trace(go.Bar(x=w["z"], y=[safe(x) for x in w["word"]], orientation="h", name=safe(g),
                             marker_color=["#ff7f0e", "#1f77b4"][i % 2],
                             customdata=np.column_stack([w["count_a"], w["count_b"]]),
                             hovertemplate="%{y}: z = %{x:.1f}<br>counts %{customdata[0]} / %{customdata[1]}"
                                           "<extra></extra>"))
    fig.update_layout(template=TEMPLATE, barmode="relative", height=max(400, 20 * n * 2 + 140),
                      title="Distinctive words (weighted log-odds with informative Dirichlet prior, z-scores)",
                      xaxis_title="z (positive: typical of " + safe(groups[0]) + ")", margin={"l": 10})
    return fig


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
