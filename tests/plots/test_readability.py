"""What makes the figures readable: distinct topic colours, zoom to the bulk, labels that do not collide,
one scale for top words, readable transition heatmaps, curated names and visible 0% bars in stability."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from topics import plots
from topics.plots.topics import _place_labels, _short

SCRIPT = "<script>alert(1)</script>"


def lab(hex_color: str) -> np.ndarray:
    """CIELAB (D65) of a hex colour, written out here so that the test does not trust the module's maths."""
    rgb = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz / np.array([0.95047, 1.0, 1.08883])]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_palette_keeps_many_topics_apart():
    colours = [plots.topic_color(t) for t in range(48)]
    assert len(set(colours)) == 48  # 48 topics before any colour repeats (the issue: 10 colours for 32 topics)
    points = np.array([lab(c) for c in colours])
    dist = np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(dist, np.inf)
    assert dist.min() > 20  # any two topics at least 20 CIELAB units apart
    assert np.linalg.norm(lab(plots.topic_color(0)) - lab(plots.topic_color(15))) > 40  # the clash
    assert min(np.linalg.norm(lab(plots.OUTLIER_COLOR) - p) for p in points) > 20  # outliers stay grey


MACHADO = {  # Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def seen_by(hex_color: str, deficiency: str) -> np.ndarray:
    """CIELAB of a colour as a reader with the colour-vision deficiency sees it (simulated)."""
    rgb = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(np.array(MACHADO[deficiency]) @ lin, 0, 1)
    back = np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)
    return lab("#" + "".join(f"{round(v * 255):02x}" for v in back))


def test_topics_a_colour_blind_reader_could_confuse_differ_in_shape():
    """Issue 24: 48 colours cannot all stay apart for colour-blind readers (under a simulated protanopia
    topics 11 and 14 look the same); in the document map such topics also differ in marker shape."""
    confused = []
    for deficiency in MACHADO:
        points = [seen_by(plots.topic_color(t), deficiency) for t in range(48)]
        confused += [(a, b) for a in range(48) for b in range(a + 1, 48) if np.linalg.norm(points[a] - points[b]) < 10]
    assert (11, 14) in confused  # the palette alone does not do it ...
    assert [(a, b) for a, b in confused if plots.topic_symbol(a) == plots.topic_symbol(b)] == []  # ... shapes do
    assert plots.topic_symbol(-1) == "circle" and plots.topic_symbol(48) == plots.topic_symbol(0)


def test_document_map_marks_each_topic_with_its_colour_and_shape(tables):
    _, assignments, layout, _, _ = tables
    fig = plots.document_map(assignments.assign(topic=assignments["topic"] + 5), layout)
    for trace in fig.data[:-1]:
        topic = int(trace.name.split(":")[0])
        assert trace.marker.color == plots.topic_color(topic) and trace.marker.symbol == plots.topic_symbol(topic)
    assert len({tr.marker.symbol for tr in fig.data[:-1]}) > 1


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """20 topics (one in HTML), remarks in a tight blob and one far-off cluster, word scores on two scales."""
    rng = np.random.default_rng(1)
    n_topics = 20
    topics = pd.DataFrame(
        {
            "topic": range(n_topics),
            "label": [SCRIPT] + [f"topic label number {t} with many words" for t in range(1, 20)],
            "size": np.arange(n_topics, 0, -1) * 10,
            "keywords": ["a, b"] * n_topics,
        }
    )
    topics["share"] = topics["size"] / topics["size"].sum()
    topic = np.repeat(np.arange(n_topics), 20)
    xy = rng.normal(size=(len(topic), 2))
    xy[topic == 19] += 60.0  # one far-off cluster (5% of the remarks)
    assignments = pd.DataFrame(
        {
            "utterance_id": [f"u{i}" for i in range(len(topic))],
            "topic": topic,
            "label": topics.set_index("topic").loc[topic, "label"].to_numpy(),
            "text": ["remark"] * len(topic),
        }
    )
    layout = pd.DataFrame({"utterance_id": assignments["utterance_id"], "x": xy[:, 0], "y": xy[:, 1]})
    words = pd.DataFrame(
        [
            {"topic": t, "word": w, "score": s * (10 if t == 0 else 1), "rank": r}
            for t in range(3)
            for r, (w, s) in enumerate([("drinking drinking", 0.5), ("ve", 0.45), ("beer", 0.3), ("wine", 0.2)])
        ]
    )
    emb = rng.normal(size=(n_topics, 8))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    similarity = pd.DataFrame(emb @ emb.T, index=range(n_topics), columns=range(n_topics))
    return topics, assignments, layout, words, similarity


def test_every_figure_gives_a_topic_the_same_colour(tables):
    topics, assignments, layout, words, similarity = tables
    sizes = plots.topic_sizes(topics).data[0]
    by_sizes = dict(zip(sizes.y, sizes.marker.color, strict=True))
    doc = {tr.name.split(":")[0]: tr.marker.color for tr in plots.document_map(assignments, layout).data}
    bubbles = plots.intertopic_map(topics, similarity).data[0]
    word_panels = plots.top_words(words, topics, max_topics=3).data
    for t in (0, 1, 15, 19):
        colour = plots.topic_color(t)
        assert [c for y, c in by_sizes.items() if y.startswith(f"{t}:")] == [colour]
        assert doc[str(t)] == colour
        assert bubbles.marker.color[list(bubbles.text).index(str(t))] == colour
    assert [p.marker.color for p in word_panels] == [plots.topic_color(t) for t in range(3)]


def test_document_map_opens_on_the_bulk_and_keeps_the_far_cluster(tables):
    _, assignments, layout, _, _ = tables
    fig = plots.document_map(assignments, layout)
    x_range, y_range = fig.layout.xaxis.range, fig.layout.yaxis.range
    assert x_range is not None and y_range is not None
    assert x_range[1] < 20 and y_range[1] < 20  # the view stops short of the cluster at +60 ...
    assert max(max(tr.x) for tr in fig.data) > 55  # ... which is still drawn (autoscale shows it)
    assert "double-click" in fig.layout.title.text
    # no far-off cluster: no zoom
    tight = layout.assign(x=np.random.default_rng(2).normal(size=len(layout)))
    tight["y"] = np.random.default_rng(3).normal(size=len(layout))
    assert plots.document_map(assignments, tight).layout.xaxis.range is None


def test_bulk_range_leaves_out_a_far_off_cluster_only():
    lo, hi = plots.bulk_range(np.r_[np.linspace(0, 10, 1000), [500.0] * 50])
    assert -1 < lo < 0 and 10 < hi < 11  # 5% of the values far off: outside the range
    lo, hi = plots.bulk_range(np.r_[np.linspace(0, 10, 1000), [14.0] * 50])
    assert hi > 14  # a neighbouring cluster stays in view


def test_intertopic_map_labels_the_largest_topics_without_collisions(tables):
    topics, _, _, _, similarity = tables
    fig = plots.intertopic_map(topics, similarity, max_labels=8)
    notes = fig.layout.annotations
    assert 1 <= len(notes) <= 8
    assert all(len(html.unescape(a.text)) <= 24 for a in notes)
    assert "&lt;script&gt;" in " ".join(a.text for a in notes) + fig.data[0].customdata[0][0]
    assert "<script>" not in " ".join(a.text for a in notes)


def test_label_placement_never_overlaps_labels():
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 300, size=(30, 2))  # crowded: 30 bubbles in 300 x 300 px
    radius = rng.uniform(6, 30, size=30)
    texts = ["a label of some length"] * 30
    placed = _place_labels(centres, radius, texts, list(range(30)))
    boxes = []
    for i, dx, dy in placed:
        w, h = len(texts[i]) * 6.2 + 8, 15.0
        cx, cy = centres[i][0] + dx, centres[i][1] + dy
        boxes.append((cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2))
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            p, q = boxes[a], boxes[b]
            assert p[1] < q[0] or p[0] > q[1] or p[3] < q[2] or p[2] > q[3]
    assert 0 < len(placed) < 30  # some fit, the rest are left to the hover text
    for i, dx, dy in _place_labels(centres, radius, texts, list(range(30)), area=(300, 300)):
        w = len(texts[i]) * 6.2 + 8
        assert centres[i][0] + dx - w / 2 >= 0 and centres[i][0] + dx + w / 2 <= 300  # never cut at the edge
        assert centres[i][1] + dy - 7.5 >= 0 and centres[i][1] + dy + 7.5 <= 300


def test_short_labels_cut_at_a_word():
    assert _short("Smoking cessation: habits and reasons to quit") == "Smoking cessation…"
    assert _short("Alcohol and drug use") == "Alcohol and drug use"


def test_top_words_share_one_scale_and_drop_contraction_residue(tables):
    topics, _, _, words, _ = tables
    fig = plots.top_words(words, topics, max_topics=3, weight="c-TF-IDF weight")
    for panel in fig.data:
        assert max(panel.x) == pytest.approx(1.0)  # tenfold different raw scales, one relative scale
        assert "ve" not in list(panel.y) and "drinking drinking" not in list(panel.y)
        assert list(panel.y)[-1] == "drinking"  # top word on top
    assert fig.data[0].customdata[-1] == pytest.approx(5.0)  # the raw weight stays on hover
    assert "c-TF-IDF weight" in fig.layout.title.text and "relative" in fig.layout.title.text
    assert all(x.range == (0, 1.05) for x in (fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3))


def test_transition_heatmap_shows_a_readable_few_topics_in_the_given_order():
    ids = list(range(30))
    matrix = pd.DataFrame(np.full((30, 30), 1 / 30), index=ids, columns=ids)
    matrix.loc[3, :] = 0.0
    matrix.loc[3, 7] = 1.0
    labels = pd.Series({t: f"label {t}" for t in ids})
    fig = plots.transition_heatmap(matrix, labels, topics=[7, 3, 12, 5], max_topics=3)
    heat = fig.data[0]
    assert list(heat.y) == ["7: label 7", "3: label 3", "12: label 12"]
    assert list(heat.x) == ["7", "3", "12"]  # columns: the same topics by number, never rotated or truncated
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis.type == "category"
    assert tuple(heat.customdata[1][0]) == ("3: label 3", "7: label 7")  # hover names both topics in full
    assert np.asarray(heat.text).tolist()[1] == ["100%", "", ""]  # values of 10% or more written in the cell
    assert "3 largest of 30 topics" in fig.layout.title.text
    assert fig.layout.height < 500


def test_heatmaps_and_word_panels_name_their_axes(tables):
    """Issue 24 (axis labels): both axes of the session heatmaps say what they hold, and the word panels
    say what the bar length is."""
    ids = [0, 1, 2]
    matrix = pd.DataFrame(np.full((3, 3), 1 / 3), index=ids, columns=ids)
    fig = plots.transition_heatmap(matrix, pd.Series({t: f"label {t}" for t in ids}))
    assert fig.layout.yaxis.title.text == "this remark's topic"
    assert fig.layout.xaxis.title.text == "the next remark's topic"
    shares = pd.DataFrame(
        [
            {
                "group": "a",
                "topic": t,
                "label": f"label {t}",
                "segment_index": i,
                "segment": seg,
                "share": 0.5,
                "remarks": 4,
            }
            for t in ids
            for i, seg in enumerate(["opening", "middle", "closing"])
        ]
    )
    fig = plots.position_heatmap(shares)
    assert fig.layout.xaxis.title.text == "third of the session's therapist remarks"
    assert fig.layout.yaxis.title.text == "topic"
    topics, _, _, words, _ = tables
    panels = plots.top_words(words, topics)
    titled = [k for k in panels.layout if k.startswith("xaxis") and panels.layout[k].title.text]
    assert titled and all(panels.layout[k].title.text == "weight (top word = 1)" for k in titled)


def test_hierarchy_order_puts_similar_topics_side_by_side():
    s = np.array([[1.0, 0.1, 0.95, 0.1], [0.1, 1.0, 0.12, 0.8], [0.95, 0.12, 1.0, 0.1], [0.1, 0.8, 0.1, 1.0]])
    order = plots.hierarchy_order(pd.DataFrame(s, index=[0, 1, 2, 3], columns=[0, 1, 2, 3]))
    assert sorted(order) == [0, 1, 2, 3]
    assert abs(order.index(0) - order.index(2)) == 1 and abs(order.index(1) - order.index(3)) == 1
    assert sorted(plots.hierarchy_order(pd.DataFrame(s, index=[0, 1, 2, 3], columns=[0, 1, 2, 3]), keep=[0, 1])) == [
        0,
        1,
    ]


def test_stability_chart_uses_given_names_and_shows_zero_bars():
    per_topic = pd.DataFrame({"topic": [0, 1, 2], "reappears": [0.9, 0.0, 0.5], "robust": [True, False, False]})
    raw = pd.DataFrame({"topic": [0, 1, 2], "label": ["smoking quit", "oh oh", "ve"], "size": [40, 5, 10]})
    names = {0: "raw 0 → 0: Smoking cessation", 1: f"raw 1 → {SCRIPT}"}
    fig = plots.stability_chart(per_topic, raw, names=names)
    bars = fig.data[0]
    assert list(bars.y) == ["raw 1 → &lt;script&gt;alert(1)&lt;/script&gt;", "2: ve", "raw 0 → 0: Smoking cessation"]
    assert list(bars.text) == ["0%", "50%", "90%"]  # a 0% bar says so
    zero = fig.data[1]
    assert list(zero.x) == [0] and list(zero.y) == [bars.y[0]]  # and carries a marker
