"""Figures of the topics themselves: sizes, top words, intertopic map, hierarchy, document map, curation flows.

Every function takes tables and returns a ``plotly.graph_objects.Figure``; none recomputes what a stage
already computed (similarities come from ``analysis.topic_similarity()``, the document-map sample from
:func:`topics.model.sample_layout`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from topics.model import sample_layout
from topics.plots._style import OUTLIER_COLOR, TEMPLATE, real_topics, safe, topic_color, topic_name


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
    t = real_topics(topics).head(max_topics).iloc[::-1]
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
        Long table ``topic``, ``word``, ``score``, ``rank`` (see :func:`topics.model.topic_word_scores`).
    topics : pandas.DataFrame
        Per-topic table (for order and labels).
    max_topics, n_words, cols : int
        Topics shown, words per topic, panels per row.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = real_topics(topics).head(max_topics)
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


def _cosine_distances(similarity: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    """Topics and their cosine distances (0 on the diagonal) from a centroid-similarity table."""
    distance = np.clip(1 - similarity.to_numpy(dtype=np.float64), 0, 2)
    np.fill_diagonal(distance, 0.0)
    return [int(t) for t in similarity.index], distance


def intertopic_map(topics: pd.DataFrame, similarity: pd.DataFrame) -> go.Figure:
    """Intertopic distance map: topics placed by classical MDS of centroid cosine distances.

    Parameters
    ----------
    topics : pandas.DataFrame
        Per-topic table.
    similarity : pandas.DataFrame
        Cosine similarity of topic centroids, indexed by topic (``analysis.topic_similarity()``).

    Returns
    -------
    plotly.graph_objects.Figure
        Bubble area proportional to topic size; nearby bubbles are topics with similar remarks.
    """
    ids, distance = _cosine_distances(similarity)
    coords = classical_mds(distance)
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


def topic_hierarchy(topics: pd.DataFrame, similarity: pd.DataFrame) -> go.Figure:
    """Dendrogram of topics (average linkage on centroid cosine distance): candidates for merging.

    Parameters
    ----------
    topics : pandas.DataFrame
        Per-topic table.
    similarity : pandas.DataFrame
        Cosine similarity of topic centroids, indexed by topic (``analysis.topic_similarity()``).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.figure_factory as ff
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    ids, distance = _cosine_distances(similarity)
    labels = topics.set_index("topic").loc[ids, "label"]
    names = [safe(topic_name(t, lab), limit=55) for t, lab in zip(ids, labels, strict=True)]
    if len(ids) < 2:
        fig = go.Figure()
        fig.update_layout(template=TEMPLATE, title="Topic hierarchy (needs at least two topics)")
        return fig
    # the figure factory calls distfun on its first argument: hand it the distances and read them off
    fig = ff.create_dendrogram(
        distance, orientation="left", labels=names,
        distfun=lambda d: squareform(d, checks=False), linkagefun=lambda d: linkage(d, method="average"),
    )
    fig.update_layout(template=TEMPLATE, title="Topic hierarchy (average linkage, cosine distance of centroids)",
                      height=max(400, 20 * len(ids) + 120), xaxis_title="cosine distance", showlegend=False,
                      margin={"l": 10})
    return fig


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
    df = sample_layout(assignments, layout, max_points=max_points, seed=seed)
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


def curation_sankey(flows: pd.DataFrame, max_links: int = 400) -> go.Figure:
    """Sankey diagram from raw topics (left) to curated topics and set-aside buckets (right).

    Parameters
    ----------
    flows : pandas.DataFrame
        ``raw_topic``, ``raw_label``, ``topic``, ``label``, ``bucket``, ``remarks`` (see
        :attr:`topics.curate.CuratedView.flows`).
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
