"""Figures of the topics themselves: sizes, top words, intertopic map, hierarchy, document map, curation flows.

Every function takes tables and returns a ``plotly.graph_objects.Figure``; none recomputes what a stage
already computed (similarities come from ``analysis.topic_similarity()``, the document-map sample from
:func:`topics.model.sample_layout`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from topics.model import sample_layout
from topics.model.words import clean_keyword, clean_keywords
from topics.plots._style import OUTLIER_COLOR, TEMPLATE, real_topics, safe, topic_color, topic_name, topic_symbol


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
            x=t["share"] * 100,
            y=names,
            orientation="h",
            marker_color=[topic_color(x) for x in t["topic"]],
            customdata=t["size"],
            hovertemplate="%{y}<br>%{x:.1f}% of remarks (%{customdata})<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Topic sizes",
        xaxis_title="% of modelled remarks",
        height=max(300, 22 * len(t) + 120),
        margin={"l": 10},
    )
    return fig


def top_words(
    word_scores: pd.DataFrame,
    topics: pd.DataFrame,
    max_topics: int = 12,
    n_words: int = 8,
    cols: int = 3,
    weight: str = "c-TF-IDF weight",
) -> go.Figure:
    """Bar charts of the top words of the largest topics, on one scale (the topic's top word = 1).

    Parameters
    ----------
    word_scores : pandas.DataFrame
        Long table ``topic``, ``word``, ``score``, ``rank`` (see :func:`topics.model.topic_word_scores`).
    topics : pandas.DataFrame
        Per-topic table (for order and labels).
    max_topics, n_words, cols : int
        Topics shown, words per topic, panels per row.
    weight : str
        What the scores are, for the subtitle (e.g. ``"c-TF-IDF weight"``).

    Returns
    -------
    plotly.graph_objects.Figure
        Each bar is a word's weight (c-TF-IDF, or the representation model's score) divided by the weight of
        its topic's top word, so every panel runs from 0 to 1 and panels compare; the raw weight is on hover.
        Words and titles are shortened so that panels do not overlap at 900 px.
    """
    t = real_topics(topics).head(max_topics)
    rows = max(1, int(np.ceil(len(t) / cols)))
    titles = [safe(topic_name(a, b), limit=30) for a, b in zip(t["topic"], t["label"], strict=True)]
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.2, vertical_spacing=min(0.12, 0.45 / rows)
    )
    for i, topic in enumerate(t["topic"]):
        w = word_scores[word_scores["topic"] == topic].sort_values("rank")
        w = w.assign(word=w["word"].map(clean_keyword))  # no "ve", "oh oh" or "drinking drinking"
        w = w[w["word"] != ""].drop_duplicates("word").head(n_words).iloc[::-1]
        top = float(w["score"].abs().max()) if len(w) else 1.0
        relative = w["score"] / (top or 1.0)
        fig.add_trace(
            go.Bar(
                x=relative,
                y=[safe(x, limit=20) for x in w["word"]],
                orientation="h",
                marker_color=topic_color(topic),
                customdata=w["score"],
                hovertemplate="%{y}: %{x:.2f} of the top word (weight %{customdata:.3f})<extra></extra>",
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_xaxes(range=[0, 1.05], tickvals=[0, 0.5, 1], tickfont_size=10)
    fig.update_xaxes(title={"text": "weight (top word = 1)", "font": {"size": 10}}, row=rows)
    fig.update_yaxes(tickfont_size=11, automargin=False)
    fig.update_layout(
        template=TEMPLATE,
        height=230 * rows + 150,
        margin={"l": 120, "r": 20, "t": 140},
        title={
            "text": f"Top words of the largest topics<br><sup>bar: the word's {safe(weight)},<br>"
            "relative to its topic's top word (1 = the most characteristic word)</sup>"
        },
    )
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


def _place_labels(
    centres: np.ndarray,
    radius: np.ndarray,
    texts: list[str],
    order: list[int],
    char_px: float = 6.2,
    line_px: float = 15.0,
    area: tuple[float, float] | None = None,
) -> list[tuple[int, float, float]]:
    """Greedy label placement in pixels: beside each bubble in ``order``, the first side that is free.

    ``centres`` are bubble centres in pixels (for the narrowest plot the report is read at), ``radius`` their
    radii; ``area`` (width, height), when given, is the plot area a label must stay inside. A side is free
    when its box overlaps no label placed before and no other bubble; failing that, the first side that
    overlaps no label; a label that fits nowhere is left to the hover text. Returns ``(index, x shift,
    y shift)`` in pixels: the label's offset from its bubble's centre. A wider plot only moves bubbles
    apart, so the labels stay clear of each other.
    """
    boxes: list[tuple[float, float, float, float]] = []
    bubbles = [(cx - r, cx + r, cy - r, cy + r) for (cx, cy), r in zip(centres, radius, strict=True)]
    placed: list[tuple[int, float, float]] = []

    def clear(box: tuple[float, float, float, float], others: list[tuple[float, float, float, float]]) -> bool:
        return all(box[1] < o[0] or box[0] > o[1] or box[3] < o[2] or box[2] > o[3] for o in others)

    def inside(box: tuple[float, float, float, float]) -> bool:
        return area is None or (box[0] >= 0 and box[2] >= 0 and box[1] <= area[0] and box[3] <= area[1])

    for i in order:
        w, h, r = len(texts[i]) * char_px + 8, line_px, radius[i] + 2
        sides = [(0, r + h / 2), (0, -r - h / 2), (r + w / 2, 0), (-r - w / 2, 0)]
        cx, cy = centres[i]
        candidates = [
            (side, box)
            for side, box in (
                (s, (cx + s[0] - w / 2, cx + s[0] + w / 2, cy + s[1] - h / 2, cy + s[1] + h / 2)) for s in sides
            )
            if inside(box) and clear(box, boxes)
        ]
        others = [b for j, b in enumerate(bubbles) if j != i]
        free = [c for c in candidates if clear(c[1], others)]
        chosen = free[0] if free else candidates[0] if candidates else None
        if chosen is not None:
            boxes.append(chosen[1])
            placed.append((i, chosen[0][0], chosen[0][1]))
    return placed


def _short(text: str, limit: int = 24) -> str:
    """A label cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    s = " ".join(str(text).split())
    if len(s) <= limit:
        return s
    cut = s[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return (cut or s[: limit - 1]) + "…"


def intertopic_map(topics: pd.DataFrame, similarity: pd.DataFrame, max_labels: int = 10) -> go.Figure:
    """Intertopic distance map: topics placed by classical MDS of centroid cosine distances.

    Parameters
    ----------
    topics : pandas.DataFrame
        Per-topic table.
    similarity : pandas.DataFrame
        Cosine similarity of topic centroids, indexed by topic (``analysis.topic_similarity()``).
    max_labels : int
        The largest topics whose label is written beside their bubble (where it overlaps no other label);
        every topic's label, size and keywords show on hover.

    Returns
    -------
    plotly.graph_objects.Figure
        Bubble area proportional to topic size; nearby bubbles are topics with similar remarks.
    """
    ids, distance = _cosine_distances(similarity)
    coords = classical_mds(distance)
    info = topics.set_index("topic").loc[ids]
    size = info["size"].to_numpy(dtype=float)
    marker_size = 12 + 48 * np.sqrt(size / size.max())
    fig = go.Figure(
        go.Scatter(
            x=coords[:, 0],
            y=coords[:, 1],
            mode="markers+text",
            text=[str(t) for t in ids],
            textposition="middle center",
            marker={
                "size": marker_size,
                "color": [topic_color(t) for t in ids],
                "opacity": 0.6,
                "line": {"width": 1, "color": "white"},
            },
            customdata=np.column_stack(
                [
                    [safe(x, limit=80) for x in info["label"]],
                    info["size"],
                    [safe(clean_keywords(str(x)), width=60, limit=160) for x in info["keywords"]],
                ]
            ),
            hovertemplate="<b>%{text}: %{customdata[0]}</b><br>%{customdata[1]} remarks<br>%{customdata[2]}"
            "<extra></extra>",
        )
    )
    # fixed axis ranges (room for labels around the bubbles), and labels laid out in pixels for the
    # narrowest plot area the report is read in (about 620 x 480 px at a 900 px window)
    span = max(float(np.ptp(coords[:, 0])), float(np.ptp(coords[:, 1])), 1e-9)
    pad = 0.18 * span
    x_range = [float(coords[:, 0].min()) - pad, float(coords[:, 0].max()) + pad]
    y_range = [float(coords[:, 1].min()) - pad, float(coords[:, 1].max()) + pad]
    px = np.column_stack(
        [
            (coords[:, 0] - x_range[0]) * 620 / (x_range[1] - x_range[0]),
            (coords[:, 1] - y_range[0]) * 480 / (y_range[1] - y_range[0]),
        ]
    )
    short = [_short(x) for x in info["label"]]
    order = [int(i) for i in np.argsort(-size, kind="stable")[:max_labels]]
    for i, dx, dy in _place_labels(px, marker_size / 2, short, order, area=(620, 480)):
        fig.add_annotation(
            x=float(coords[i, 0]),
            y=float(coords[i, 1]),
            xshift=dx,
            yshift=dy,
            text=safe(short[i]),
            showarrow=False,
            font={"size": 10, "color": "#222"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_layout(
        template=TEMPLATE,
        height=600,
        margin={"t": 100, "b": 20, "l": 20, "r": 20},
        title="Intertopic distance map<br><sup>bubble area: remarks in the topic; close bubbles: similar remarks "
        "(MDS of centroid distances);<br>the largest topics labelled, hover for every topic</sup>",
        xaxis={"visible": False, "range": x_range},
        yaxis={"visible": False, "range": y_range},
    )
    return fig


def hierarchy_order(similarity: pd.DataFrame, keep: list[int] | None = None) -> list[int]:
    """Topics in the leaf order of the topic hierarchy (average linkage on centroid cosine distance).

    Parameters
    ----------
    similarity : pandas.DataFrame
        Cosine similarity of topic centroids, indexed by topic (``analysis.topic_similarity()``).
    keep : list of int, optional
        Only these topics (e.g. the largest), still in hierarchy order.

    Returns
    -------
    list of int
        Related topics next to each other.
    """
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if keep is not None:
        chosen = [t for t in similarity.index if int(t) in set(keep)]
        similarity = similarity.loc[chosen, chosen]
    ids, distance = _cosine_distances(similarity)
    if len(ids) < 3:
        return ids
    return [ids[i] for i in leaves_list(linkage(squareform(distance, checks=False), method="average"))]


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
        distance,
        orientation="left",
        labels=names,
        distfun=lambda d: squareform(d, checks=False),
        linkagefun=lambda d: linkage(d, method="average"),
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Topic hierarchy (average linkage, cosine distance of centroids)",
        height=max(400, 20 * len(ids) + 120),
        xaxis_title="cosine distance",
        showlegend=False,
        margin={"l": 10},
    )
    return fig


def document_map(
    assignments: pd.DataFrame,
    layout: pd.DataFrame,
    max_points: int = 5000,
    seed: int = 0,
    text_column: str | None = None,
    max_centre_labels: int = 60,
    webgl_numbers: bool = True,
) -> go.Figure:
    """Scatter of remarks in 2-D, coloured by topic and numbered at each topic's centre; hover shows the remark.

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
    max_centre_labels : int
        The largest topics whose number is written at the median of their remarks (so that a topic can be
        found without telling 40 colours apart, also by colour-blind readers; topics whose colours such a
        reader may confuse also differ in marker shape, :data:`topics.plots._style.TOPIC_SYMBOLS`).
    webgl_numbers : bool, default True
        Draw the centre numbers in the remarks' WebGL layer, above them (the report's plotly.js). False draws
        them as an SVG trace, beneath dense clusters: for a page whose plotly.js cannot draw text in WebGL
        (Panel's, in the curation workbench, throws page errors on it).

    Returns
    -------
    plotly.graph_objects.Figure
        The view opens on the bulk of the remarks (:func:`bulk_range` on each axis) when a far-off cluster
        would otherwise squash it; double-click the map (or the autoscale button) to see every remark. A click
        on a legend entry shows that topic alone (``legend.itemclick = "toggleothers"``); the last trace holds
        the centre numbers (``name == "topic numbers"``).
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
                x=part["x"],
                y=part["y"],
                mode="markers",
                name=name,
                marker={
                    "size": 5,
                    "color": topic_color(int(topic)),
                    "symbol": topic_symbol(int(topic)),
                    "opacity": 0.7,
                },
                text=[safe(t, width=70, limit=280) for t in part[text_column]],
                hovertemplate=f"<b>{name}</b><br>%{{text}}<extra></extra>",
            )
        )
    centres = (
        df[df["topic"] != -1]
        .groupby("topic")[["x", "y"]]
        .median()
        .assign(n=df.groupby("topic").size())
        .sort_values("n", ascending=False)
        .head(max_centre_labels)
    )
    if len(centres):  # topic numbers at the cluster centres: the map can be read without telling colours apart
        trace = go.Scattergl if webgl_numbers else go.Scatter
        fig.add_trace(  # in the remarks' WebGL layer, drawn after them: a white disc and the number on top
            trace(
                x=centres["x"],
                y=centres["y"],
                mode="markers+text",
                text=[str(int(t)) for t in centres.index],
                textposition="middle center",
                marker={"size": 20, "color": "rgba(255,255,255,0.85)", "line": {"width": 1, "color": "#555"}},
                textfont={"size": 11, "color": "#111", "family": "Arial Black, Arial, sans-serif"},
                hoverinfo="skip",
                showlegend=False,
                name="topic numbers",
            )
        )
    xaxis: dict = {"visible": False}
    yaxis: dict = {"visible": False}
    zoomed = False
    if len(df) >= 20:
        for axis, col in ((xaxis, "x"), (yaxis, "y")):
            lo, hi = bulk_range(df[col].to_numpy(dtype=float))
            full = float(df[col].max() - df[col].min())
            if full > 1.25 * (hi - lo):
                axis["range"] = [lo, hi]
                zoomed = True
    title += (
        "<br><sup>numbers mark each topic's centre; click a topic in the legend to show it alone, click it "
        "again for all"
        + ("; zoomed to the bulk of the remarks: double-click the map to see far-off ones too" if zoomed else "")
        + "</sup>"
    )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        xaxis=xaxis,
        yaxis=yaxis,
        height=700,
        legend={
            "itemsizing": "constant",
            "font": {"size": 10},
            "itemclick": "toggleothers",
            "itemdoubleclick": "toggle",
        },
    )
    return fig


def bulk_range(values: np.ndarray, fence: float = 3.0, margin: float = 0.05) -> tuple[float, float]:
    """The axis range that holds the bulk of ``values``: everything within Tukey's far-out fences.

    Values more than ``fence`` interquartile ranges beyond the quartiles (a far-off cluster) are left
    outside; the range runs from the smallest to the largest value inside the fences, widened by ``margin``.
    """
    values = np.asarray(values, dtype=float)
    q1, q3 = np.percentile(values, [25, 75])
    iqr = q3 - q1
    inside = values[(values >= q1 - fence * iqr) & (values <= q3 + fence * iqr)]
    lo, hi = (float(inside.min()), float(inside.max())) if len(inside) else (float(q1), float(q3))
    pad = margin * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


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
    right_keys: list[tuple[Any, ...]] = []  # ("bucket", name) or ("topic", id, label)
    for t, lab, b in f[["topic", "label", "bucket"]].drop_duplicates().itertuples(index=False):
        key = ("bucket", b) if b else ("topic", int(t), lab)
        if key not in right_keys:
            right_keys.append(key)
    right_keys.sort(key=lambda k: (k[0] == "bucket", k[1]))
    names = [safe(topic_name(r, lab), limit=45) for r, lab in left]
    names += [safe(f"set aside: {k[1]}" if k[0] == "bucket" else topic_name(k[1], k[2]), limit=45) for k in right_keys]
    colors = [topic_color(r) for r, _ in left] + [
        OUTLIER_COLOR if k[0] == "bucket" else topic_color(k[1]) for k in right_keys
    ]
    li = {r: i for i, (r, _) in enumerate(left)}
    ri = {k: len(left) + i for i, k in enumerate(right_keys)}
    src, dst, val = [], [], []
    for r, t, lab, b, n in f[["raw_topic", "topic", "label", "bucket", "remarks"]].itertuples(index=False):
        key = ("bucket", b) if b else ("topic", int(t), lab)
        src.append(li[int(r)])
        dst.append(ri[key])
        val.append(int(n))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": names,
                "color": colors,
                "pad": 10,
                "thickness": 16,
                "hovertemplate": "%{label}<br>%{value} remarks<extra></extra>",
            },
            link={"source": src, "target": dst, "value": val, "color": "rgba(120,120,120,0.25)"},
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title="From raw topics (left) to curated topics (right)",
        height=max(450, 26 * max(len(left), len(right_keys)) + 120),
        font_size=12,
    )
    return fig
