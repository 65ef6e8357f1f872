"""Stage 4, model: remark embeddings -> topics (UMAP + HDBSCAN through BERTopic), with tidy tables.

>>> from topics.model import TopicModel
>>> model = TopicModel(config).fit(remarks, embeddings)            # doctest: +SKIP
>>> model.topics_, model.assignments_, model.bertopic_              # doctest: +SKIP

* :mod:`topics.model.topic_model`: :class:`TopicModel` (fit, transform, save and load without pickle);
* :mod:`topics.model.reduction`: the exact neighbour graph and the cached UMAP reduction;
* :mod:`topics.model.consensus`: several seeded fits combined into one clustering;
* :mod:`topics.model.backend`: BERTopic built one way for every fit;
* :mod:`topics.model.bertopic_import`: BERTopic imported without its optional backends (torch, transformers,
  spaCy) until they are used;
* :mod:`topics.model.words`: vectorizer, representation model, keyword labels, c-TF-IDF words;
* :mod:`topics.model.tables`: centroids, similarities, representative remarks, data and clustering hashes;
* :mod:`topics.model.layout`: the 2-D document map and the sample of it that figures draw;
* :mod:`topics.model.provenance`: the machine and package versions a model was fitted with, and what differs
  when it is loaded elsewhere.
"""

from topics.model.layout import document_layout, sample_layout
from topics.model.provenance import machine_profile, provenance_difference
from topics.model.tables import OUTLIER, centroid_similarity, clustering_hash, data_hash
from topics.model.topic_model import TopicModel
from topics.model.words import keyword_label, make_vectorizer, topic_word_scores

__all__ = [
    "OUTLIER",
    "TopicModel",
    "centroid_similarity",
    "clustering_hash",
    "data_hash",
    "document_layout",
    "keyword_label",
    "machine_profile",
    "make_vectorizer",
    "provenance_difference",
    "sample_layout",
    "topic_word_scores",
]
