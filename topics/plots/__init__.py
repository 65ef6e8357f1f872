"""Stage 7, plots: tables -> plotly figures, for Jupyter, the report and the curation workbench.

>>> from topics import plots
>>> plots.topic_sizes(analysis.topics)                                     # doctest: +SKIP
>>> plots.intertopic_map(analysis.topics, analysis.topic_similarity())     # doctest: +SKIP

Every function takes DataFrames and returns a ``plotly.graph_objects.Figure``; text from transcripts and
labels is HTML-escaped before it reaches hover text or tick labels. Plots compute nothing a stage already
computed.

* :mod:`topics.plots.topics`: sizes, top words, intertopic map, hierarchy, document map, curation Sankey;
* :mod:`topics.plots.groups`: group comparisons (forest, dumbbell, positions, transitions, words);
* :mod:`topics.plots.quality`: the model-selection grid and topic stability.
"""

from topics.plots._style import (
    OUTLIER_COLOR,
    PALETTE,
    TEMPLATE,
    TOPIC_SYMBOLS,
    safe,
    topic_color,
    topic_name,
    topic_symbol,
)
from topics.plots.groups import (
    comparison_figures,
    distinctive_words_chart,
    dumbbell,
    forest_plot,
    group_shares,
    position_heatmap,
    transition_heatmap,
)
from topics.plots.quality import quality_grid, stability_chart
from topics.plots.topics import (
    bulk_range,
    classical_mds,
    curation_sankey,
    document_map,
    hierarchy_order,
    intertopic_map,
    top_words,
    topic_hierarchy,
    topic_sizes,
)

__all__ = [
    "OUTLIER_COLOR",
    "PALETTE",
    "TEMPLATE",
    "TOPIC_SYMBOLS",
    "bulk_range",
    "classical_mds",
    "comparison_figures",
    "curation_sankey",
    "distinctive_words_chart",
    "document_map",
    "dumbbell",
    "forest_plot",
    "group_shares",
    "hierarchy_order",
    "intertopic_map",
    "position_heatmap",
    "quality_grid",
    "safe",
    "stability_chart",
    "top_words",
    "topic_color",
    "topic_hierarchy",
    "topic_name",
    "topic_sizes",
    "topic_symbol",
    "transition_heatmap",
]
