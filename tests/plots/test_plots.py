"""Figures: transcript text escaped, stable colours, one mark per topic, seeded samples, known MDS answers.

Small hand-made tables (a few topics, two of them with HTML in their labels) and one real fitted analysis
(``annomi_run``, shared with the other tests) for the similarity table the maps take.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist, squareform

from topics import plots
from topics.compare import Comparison
from topics.model import sample_layout

SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b> talk"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_BOLD = "&lt;b&gt;bold&lt;/b&gt; talk"


def figure_text(fig) -> str:
    """Every piece of text a figure shows: trace text, hover templates, custom data, ticks, titles, annotations."""
    parts: list[str] = []
    for trace in fig.data:
        for key in ("text", "hovertemplate", "customdata", "x", "y", "name"):
            value = getattr(trace, key, None) if key in trace else None
            if value is not None:
                parts.append(str(np.asarray(value, dtype=object).tolist()))
        if trace.type == "sankey":
            parts.append(str(list(trace.node.label)))
    layout = fig.layout
    parts += [str(layout.title.text), str(layout.xaxis.title.text), str(layout.yaxis.ticktext)]
    parts += [str(a.text) for a in layout.annotations]
    return "\n".join(parts)


def assert_escaped(fig) -> None:
    text = figure_text(fig)
    assert "<script>" not in text and "<b>bold" not in text and "<i>" not in text
    assert ESCAPED_SCRIPT in text or ESCAPED_BOLD in text


@pytest.fixture
def topic_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "topic": [-1, 0, 1, 2, 3],
            "label": ["outliers", SCRIPT, BOLD, "sleep, tired, night", "drinking, beer"],
            "size": [7, 40, 30, 20, 10],
            "share": [0.065, 0.37, 0.28, 0.19, 0.095],
            "keywords": ["", "x, <i>y</i>", "b", "c", "d"],
        }
    )


@pytest.fixture
def similarity() -> pd.DataFrame:
    """Topics 0 and 1 nearly the same, 2 and 3 close to each other and far from 0 and 1 (no outlier row)."""
    s = np.array([[1.0, 0.95, 0.1, 0.15], [0.95, 1.0, 0.12, 0.1], [0.1, 0.12, 1.0, 0.8], [0.15, 0.1, 0.8, 1.0]])
    return pd.DataFrame(s, index=[0, 1, 2, 3], columns=[0, 1, 2, 3])


# ---------------------------------------------------------------- the shared look


def test_safe_escapes_shortens_and_wraps():
    assert plots.safe(SCRIPT) == ESCAPED_SCRIPT
    assert plots.safe("a  \n b") == "a b"  # whitespace collapsed
    assert plots.safe("x" * 50, limit=10) == "x" * 9 + "…"
    wrapped = plots.safe("<b> " + "word " * 20, width=20)
    assert "<br>" in wrapped and "<b>" not in wrapped and wrapped.startswith("&lt;b&gt;")
    assert all(len(line) <= 20 for line in wrapped.replace("&lt;", "<").replace("&gt;", ">").split("<br>"))


def test_topic_colours_are_stable_and_outliers_grey():
    assert plots.topic_color(-1) == plots.OUTLIER_COLOR
    assert [plots.topic_color(t) for t in range(5)] == list(plots.PALETTE[:5])
    assert plots.topic_color(len(plots.PALETTE) + 2) == plots.PALETTE[2]  # cycles, never raises
    assert len(set(plots.PALETTE)) == len(plots.PALETTE) and plots.OUTLIER_COLOR not in plots.PALETTE
    assert plots.topic_name(3, "loss, grief") == "3: loss, grief"


# ---------------------------------------------------------------- topics


def test_topic_sizes_escape_labels_leave_out_outliers_and_put_the_largest_on_top(topic_table):
    fig = plots.topic_sizes(topic_table)
    bar = fig.data[0]
    assert list(bar.y) == ["3: drinking, beer", "2: sleep, tired, night", f"1: {ESCAPED_BOLD}", f"0: {ESCAPED_SCRIPT}"]
    assert list(bar.marker.color) == [plots.topic_color(t) for t in (3, 2, 1, 0)]
    assert list(bar.x) == pytest.approx([9.5, 19, 28, 37])
    assert_escaped(fig)
    assert len(plots.topic_sizes(topic_table, max_topics=2).data[0].y) == 2


def test_top_words_escape_words_and_titles(topic_table):
    words = pd.DataFrame(
        {
            "topic": [0, 0, 1, 1, 2],
            "word": ["<b>w</b>", "plain", "sleep", "bed", "night"],
            "score": [0.5, 0.4, 0.3, 0.2, 0.1],
            "rank": [1, 2, 1, 2, 1],
        }
    )
    fig = plots.top_words(words, topic_table, max_topics=3)
    assert len(fig.data) == 3  # one panel per shown topic
    assert list(fig.data[0].y) == ["plain", "&lt;b&gt;w&lt;/b&gt;"]  # best word on top
    assert fig.data[0].marker.color == plots.topic_color(0)
    assert_escaped(fig)


def test_classical_mds_recovers_the_distances_of_a_known_configuration():
    points = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [3.0, 4.0], [1.0, 1.5]])
    distance = squareform(pdist(points))
    coords = plots.classical_mds(distance)
    assert coords.shape == (5, 2)
    assert squareform(pdist(coords)) == pytest.approx(distance, abs=1e-9)
    assert np.array_equal(plots.classical_mds(distance), coords)  # deterministic, signs fixed
    assert coords.mean(axis=0) == pytest.approx([0, 0], abs=1e-9)  # centred
    assert plots.classical_mds(np.zeros((1, 1))).tolist() == [[0.0, 0.0]]


def test_intertopic_map_places_one_escaped_bubble_per_topic(topic_table, similarity):
    fig = plots.intertopic_map(topic_table, similarity)
    assert len(fig.data) == 1
    points = fig.data[0]
    assert list(points.text) == ["0", "1", "2", "3"]
    assert list(points.marker.color) == [plots.topic_color(t) for t in range(4)]
    assert list(points.customdata[:, 0]) == [ESCAPED_SCRIPT, ESCAPED_BOLD, "sleep, tired, night", "drinking, beer"]
    xy = np.column_stack([points.x, points.y])
    d = squareform(pdist(xy))
    assert d[0, 1] < d[0, 2] and d[2, 3] < d[1, 3]  # similar topics lie close
    sizes = np.asarray(points.marker.size)
    assert sizes[0] > sizes[1] > sizes[2] > sizes[3]  # bubble grows with the topic
    assert_escaped(fig)


def test_topic_hierarchy_has_one_leaf_per_topic_and_joins_the_similar_ones_first(topic_table, similarity):
    fig = plots.topic_hierarchy(topic_table, similarity)
    leaves = list(fig.layout.yaxis.ticktext)
    assert sorted(leaves) == sorted(
        ["0: " + ESCAPED_SCRIPT, "1: " + ESCAPED_BOLD, "2: sleep, tired, night", "3: drinking, beer"]
    )
    assert len(fig.data) == 3  # n - 1 merges
    order = [int(x.split(":")[0]) for x in leaves]
    assert abs(order.index(0) - order.index(1)) == 1 and abs(order.index(2) - order.index(3)) == 1
    first_merge = min(max(trace.x) for trace in fig.data)
    assert first_merge == pytest.approx(0.05)  # topics 0 and 1: 1 - 0.95
    assert_escaped(fig)
    one = plots.topic_hierarchy(topic_table, similarity.loc[[0], [0]])
    assert len(one.data) == 0 and "at least two" in one.layout.title.text


@pytest.fixture
def remark_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 100
    topic = np.array([0] * 50 + [1] * 30 + [-1] * 20)
    assignments = pd.DataFrame(
        {
            "utterance_id": [f"u{i}" for i in range(n)],
            "topic": topic,
            "label": np.where(topic == 0, SCRIPT, np.where(topic == 1, "sleep", "outliers")),
            "text": [f"remark {i} <img src=x onerror=alert({i})>" for i in range(n)],
        }
    )
    layout = pd.DataFrame(
        {"utterance_id": assignments["utterance_id"], "x": rng.normal(size=n), "y": rng.normal(size=n)}
    )
    return assignments, layout


def remark_traces(fig) -> list:
    """The traces that draw remarks (not the topic numbers at the centres)."""
    return [t for t in fig.data if t.name != "topic numbers"]


def drawn_ids(fig, layout: pd.DataFrame) -> set[str]:
    by_xy = {(x, y): u for u, x, y in layout.itertuples(index=False)}
    return {by_xy[(x, y)] for trace in remark_traces(fig) for x, y in zip(trace.x, trace.y, strict=True)}


def test_document_map_draws_every_remark_by_topic_outliers_last_and_grey(remark_tables):
    assignments, layout = remark_tables
    fig = plots.document_map(assignments, layout)
    assert [len(t.x) for t in remark_traces(fig)] == [50, 30, 20]
    assert [t.marker.color for t in remark_traces(fig)] == [
        plots.topic_color(0),
        plots.topic_color(1),
        plots.OUTLIER_COLOR,
    ]
    assert fig.data[0].name == "0: " + ESCAPED_SCRIPT
    assert drawn_ids(fig, layout) == set(assignments["utterance_id"])
    assert fig.layout.title.text.startswith("Document map: 100 remarks<br><sup>numbers mark each topic's centre")
    # readable without colour: each topic's number at the median of its remarks, larger topics first
    centres = fig.data[-1]
    assert centres.name == "topic numbers" and list(centres.text) == ["0", "1"] and centres.hoverinfo == "skip"
    xy = layout.set_index("utterance_id").loc[assignments.loc[assignments["topic"] == 1, "utterance_id"]]
    assert (centres.x[1], centres.y[1]) == (xy["x"].median(), xy["y"].median())
    assert fig.layout.legend.itemclick == "toggleothers"  # a click on a topic shows it alone
    text = figure_text(fig)
    assert "<img" not in text and "&lt;img src=x onerror=alert(7)&gt;" in text
    assert_escaped(fig)


def test_document_map_draws_a_seeded_sample_of_at_most_max_points(remark_tables):
    assignments, layout = remark_tables
    fig = plots.document_map(assignments, layout, max_points=30, seed=3)
    drawn = drawn_ids(fig, layout)
    assert len(drawn) == sum(len(t.x) for t in remark_traces(fig)) == 30
    assert "random sample of 30 of 100" in fig.layout.title.text
    assert drawn_ids(plots.document_map(assignments, layout, max_points=30, seed=3), layout) == drawn  # reproducible
    assert drawn == set(sample_layout(assignments, layout, max_points=30, seed=3)["utterance_id"])  # as redaction
    assert drawn_ids(plots.document_map(assignments, layout, max_points=30, seed=4), layout) != drawn


def test_document_map_hover_shows_display_text_when_present(remark_tables):
    assignments, layout = remark_tables
    shown = assignments.assign(display_text=[f"scrubbed {i}" for i in range(len(assignments))])
    hover = [t for trace in remark_traces(plots.document_map(shown, layout)) for t in trace.text]
    assert sorted(hover) == sorted(f"scrubbed {i}" for i in range(len(assignments)))
    raw = [t for trace in remark_traces(plots.document_map(shown, layout, text_column="text")) for t in trace.text]
    assert all(t.startswith("remark ") for t in raw)


def test_curation_sankey_links_raw_to_curated_topics_and_greys_set_aside_buckets():
    flows = pd.DataFrame(
        {
            "raw_topic": [0, 1, 2, -1],
            "raw_label": [SCRIPT, "b", "c", "outliers"],
            "topic": [0, 0, -1, -1],
            "label": ["merged <b>", "merged <b>", "", ""],
            "bucket": ["", "", "off-topic", "outliers"],
            "remarks": [10, 5, 3, 2],
        }
    )
    fig = plots.curation_sankey(flows)
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    assert labels[:4] == ["-1: outliers", "0: " + ESCAPED_SCRIPT, "1: b", "2: c"]
    assert labels[4:] == ["0: merged &lt;b&gt;", "set aside: off-topic", "set aside: outliers"]
    assert list(sankey.node.color)[5:] == [plots.OUTLIER_COLOR] * 2
    assert sorted(sankey.link.value) == [2, 3, 5, 10]
    assert_escaped(fig)


# ---------------------------------------------------------------- groups


@pytest.fixture
def contrast() -> pd.DataFrame:
    """One contrast (a vs <b>b</b>) over four topics, and a second contrast that must not be drawn."""
    rows = []
    for name, scale in (("a vs <b>b</b>", 1.0), ("other", 9.0)):
        rows += [
            {
                "contrast": name,
                "topic": 0,
                "label": SCRIPT,
                "share_a": 0.10,
                "share_b": 0.30,
                "diff": 0.20 * scale,
                "diff_low": 0.10,
                "diff_high": 0.30,
                "q_value": 0.01,
                "too_small": False,
            },
            {
                "contrast": name,
                "topic": 1,
                "label": "sleep",
                "share_a": 0.30,
                "share_b": 0.25,
                "diff": -0.05 * scale,
                "diff_low": -0.10,
                "diff_high": 0.00,
                "q_value": 0.20,
                "too_small": False,
            },
            {
                "contrast": name,
                "topic": 2,
                "label": "tiny",
                "share_a": 0.02,
                "share_b": 0.01,
                "diff": -0.01 * scale,
                "diff_low": -0.03,
                "diff_high": 0.01,
                "q_value": np.nan,
                "too_small": True,
            },
            {
                "contrast": name,
                "topic": 3,
                "label": "work",
                "share_a": 0.20,
                "share_b": 0.10,
                "diff": -0.10 * scale,
                "diff_low": -0.15,
                "diff_high": -0.05,
                "q_value": 0.03,
                "too_small": False,
            },
        ]
    table = pd.DataFrame(rows)
    table["group_a"], table["group_b"] = "a", "<b>b</b>"
    return table


def test_forest_plot_marks_significance_direction_and_small_topics(contrast):
    fig = plots.forest_plot(contrast)
    assert len(fig.data) == 1
    points = fig.data[0]
    # largest absolute difference on top (last), one point per topic of the first contrast only
    assert [y.split(":")[0] for y in points.y] == ["2", "1", "3", "0"]
    assert list(points.x) == pytest.approx([-1, -5, -10, 20])
    assert list(points.marker.symbol) == ["circle-open", "circle-open", "circle", "circle"]  # filled: q < 0.05
    # B's colour where A is lower, A's where A is higher: the same colours as the dumbbell and the word chart
    from topics.plots.groups import GROUP_A_COLOR, GROUP_B_COLOR

    assert list(points.marker.color) == [plots.OUTLIER_COLOR, GROUP_B_COLOR, GROUP_B_COLOR, GROUP_A_COLOR]
    assert GROUP_A_COLOR != GROUP_B_COLOR
    assert list(points.error_x.array) == pytest.approx([2, 5, 5, 10])
    assert list(points.error_x.arrayminus) == pytest.approx([2, 5, 5, 10])
    assert "&lt;b&gt;b&lt;/b&gt;" in fig.layout.xaxis.title.text
    assert_escaped(fig)
    assert len(plots.forest_plot(contrast, max_topics=2).data[0].y) == 2


def test_dumbbell_has_one_line_per_topic_and_one_marker_trace_per_group(contrast):
    fig = plots.dumbbell(contrast)
    assert len(fig.data) == 4 + 2
    lines, group_a, group_b = fig.data[:4], fig.data[4], fig.data[5]
    assert all(t.mode == "lines" and len(t.x) == 2 for t in lines)
    assert (group_a.name, group_b.name) == ("a", "&lt;b&gt;b&lt;/b&gt;")
    assert list(group_a.x) == pytest.approx([2, 20, 30, 10])  # smallest maximum share first (bottom)
    assert list(group_b.x) == pytest.approx([1, 10, 25, 30])
    assert_escaped(fig)


@pytest.fixture
def comparison(contrast) -> Comparison:
    positions = pd.DataFrame(
        [
            {
                "group": g,
                "segment": seg,
                "segment_index": i,
                "topic": t,
                "label": lab,
                "remarks": 5 + i + t,
                "share": 0.5,
            }
            for g in ("a", "<b>b</b>")
            for i, seg in enumerate(("opening", "middle", "closing"))
            for t, lab in ((0, SCRIPT), (1, "sleep"))
        ]
    )
    matrix = pd.DataFrame([[0.2, 0.8], [0.6, 0.4]], index=[0, 1], columns=[0, 1])
    words = pd.DataFrame(
        {
            "group": ["a", "a", "<b>b</b>"],
            "word": ["drink", "<i>beer</i>", "sleep"],
            "z": [3.0, 2.5, -2.8],
            "count_a": [10, 8, 1],
            "count_b": [1, 2, 9],
        }
    )
    return Comparison(
        by="group",
        groups=["a", "<b>b</b>"],
        contrasts=contrast,
        divergence=pd.DataFrame(),
        prediction={},
        positions=positions,
        transitions={"a": matrix},
        drift=pd.DataFrame(),
        drift_summary=pd.DataFrame(),
        words=words,
        labels=pd.Series({0: SCRIPT, 1: "sleep"}),
    )


def test_comparison_figures_by_name_with_their_traces(comparison):
    figs = plots.comparison_figures(comparison)
    assert list(figs) == ["forest", "dumbbell", "position_a", "position_<b>b</b>", "transitions_a", "words"]
    assert {name: len(fig.data) for name, fig in figs.items()} == {
        "forest": 1,
        "dumbbell": 6,
        "position_a": 1,
        "position_<b>b</b>": 1,
        "transitions_a": 1,
        "words": 2,
    }
    heat = figs["position_a"].data[0]
    assert list(heat.x) == ["opening", "middle", "closing"]
    assert list(heat.y) == ["1: sleep", "0: " + ESCAPED_SCRIPT]  # more remarks first
    assert np.asarray(heat.z) == pytest.approx(np.full((2, 3), 50.0))
    transitions = figs["transitions_a"].data[0]
    assert list(transitions.y) == ["0: " + ESCAPED_SCRIPT, "1: sleep"]
    assert np.asarray(transitions.z).tolist() == [[0.2, 0.8], [0.6, 0.4]]
    assert [t.name for t in figs["words"].data] == ["a", "&lt;b&gt;b&lt;/b&gt;"]
    for fig in figs.values():
        assert "<script>" not in figure_text(fig) and "<b>b" not in figure_text(fig)
    no_words = plots.comparison_figures(Comparison(**{**comparison.__dict__, "words": comparison.words.iloc[:0]}))
    assert "words" not in no_words


def test_position_heatmaps_of_the_groups_share_rows_and_colour_scale(comparison):
    """Side by side, the groups' heatmaps show the same topics in the same order on one colour scale."""
    pos = comparison.positions.copy()
    b = pos["group"] == "<b>b</b>"
    pos.loc[b & (pos["topic"] == 0), "share"] = 0.9  # group b: one topic far more common than anything in a
    pos.loc[b & (pos["topic"] == 0), "remarks"] = 50
    extra = pos[b & (pos["topic"] == 1)].assign(topic=2, label="work", share=0.1, remarks=1)  # b only
    figs = plots.comparison_figures(Comparison(**{**comparison.__dict__, "positions": pd.concat([pos, extra])}))
    heat_a, heat_b = figs["position_a"].data[0], figs["position_<b>b</b>"].data[0]
    assert list(heat_a.y) == list(heat_b.y) == ["0: " + ESCAPED_SCRIPT, "1: sleep", "2: work"]
    assert np.asarray(heat_a.z)[2] == pytest.approx([0.0, 0.0, 0.0])  # a never uses topic 2: a row of zeros
    assert heat_a.zmax == heat_b.zmax == pytest.approx(90.0) and heat_a.zmin == heat_b.zmin == 0.0
    alone = plots.position_heatmap(pos, group="a")  # on its own: the group's own rows and scale
    assert alone.data[0].zmax is None and len(alone.data[0].y) == 2


def test_group_shares_per_group_and_unknown_column(remark_tables):
    assignments, _ = remark_tables
    grouped = assignments.assign(school=np.where(np.arange(len(assignments)) % 2, "<b>cbt</b>", "mi"))
    fig = plots.group_shares(grouped, "school")
    assert [t.name for t in fig.data] == ["&lt;b&gt;cbt&lt;/b&gt;", "mi"]
    assert sum(fig.data[1].x) == pytest.approx(80)  # 80% of each group's remarks are in topics 0 and 1
    assert_escaped(fig)
    with pytest.raises(KeyError, match="no column 'therapist'"):
        plots.group_shares(grouped, "therapist")


# ---------------------------------------------------------------- quality


def test_quality_grid_and_stability_chart():
    grid = pd.DataFrame(
        {
            "min_cluster_size": [10, 20],
            "n_neighbors": [15, 30],
            "topics": [12, 7],
            "outlier_share": [0.1, 0.2],
            "npmi": [0.05, 0.07],
            "nmi_codes": [0.3, 0.2],
        }
    )
    fig = plots.quality_grid(grid)
    assert len(fig.data) == 4
    assert list(fig.data[0].x) == ["mcs 10 · nn 15", "mcs 20 · nn 30"] and list(fig.data[0].y) == [12, 7]
    per_topic = pd.DataFrame({"topic": [0, 1], "reappears": [0.9, 0.4], "robust": [True, False]})
    topics = pd.DataFrame({"topic": [0, 1], "label": [SCRIPT, "sleep"], "size": [40, 10]})
    chart = plots.stability_chart(per_topic, topics)
    assert list(chart.data[0].marker.color) == ["#d62728", "#2ca02c"]  # smallest first; fragile red, robust green
    assert list(chart.data[0].x) == pytest.approx([40, 90])
    assert_escaped(chart)


# ---------------------------------------------------------------- on a real fitted analysis


def test_maps_take_the_analysis_topic_similarity(annomi_run):
    analysis, _ = annomi_run
    similarity = analysis.topic_similarity()
    real = sorted(int(t) for t in analysis.topics["topic"] if t != -1)
    assert sorted(int(t) for t in similarity.index) == real and list(similarity.index) == list(similarity.columns)
    points = plots.intertopic_map(analysis.topics, similarity).data[0]
    assert sorted(int(t) for t in points.text) == real
    leaves = plots.topic_hierarchy(analysis.topics, similarity).layout.yaxis.ticktext
    assert sorted(int(x.split(":")[0]) for x in leaves) == real
