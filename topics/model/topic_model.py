"""The topic model: config -> BERTopic (UMAP + HDBSCAN), fitted on therapist remarks.

:class:`TopicModel` follows scikit-learn's habits: parameters in ``__init__``, learning in
:meth:`TopicModel.fit`, learned state in attributes ending in ``_``. The fitted BERTopic object stays
reachable as ``model.bertopic_`` so everything BERTopic offers can be used on it.

What the toolkit adds around BERTopic:

* a size-aware ``min_cluster_size`` and outlier reassignment by default, so the model has a number of
  topics an expert can curate;
* topic centroids (mean remark embedding) as topic embeddings, and :meth:`TopicModel.transform` by
  cosine similarity to them, the same rule before and after saving;
* tidy tables: :attr:`TopicModel.assignments_` (one row per remark) and :attr:`TopicModel.topics_`
  (one row per topic);
* save and load without pickle (BERTopic's safetensors format plus parquet, TOML and JSON).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics._files import read_json_checked
from topics.config import TopicConfig
from topics.embed import Embedder, runtime_of
from topics.errors import InputError
from topics.model.backend import load_bertopic, make_bertopic
from topics.model.provenance import machine_profile, package_versions, provenance_difference
from topics.model.tables import (
    OUTLIER,
    central_order,
    centroid_similarity,
    centroids,
    data_hash,
    nearest_centroid_labels,
    normalise,
    representatives,
)
from topics.model.words import keyword_label, make_vectorizer, representation_model, topic_word_scores

MAX_TOPIC_SHARE = 0.5
"""No topic may hold more than this share of the remarks (from :data:`CAPPED_FROM` remarks on): HDBSCAN's
excess-of-mass selection can take a parent cluster of most of the data for one UMAP seed (15,000 counselor
remarks, seed 45: one topic of 83% and 9 topics, against 35-43 topics for seeds 42-46; 2026-12-06). With the cap
it selects that cluster's children instead; fits whose largest topic is under the cap are unchanged."""
CAPPED_FROM = 1000
"""Smaller corpora may have a topic of more than half the remarks (two or three topics in all)."""


def max_topic_size(n_remarks: int) -> int:
    """HDBSCAN's ``max_cluster_size`` for ``n_remarks`` remarks (:data:`MAX_TOPIC_SHARE`; 0, no cap, below
    :data:`CAPPED_FROM`)."""
    return int(MAX_TOPIC_SHARE * n_remarks) if n_remarks >= CAPPED_FROM else 0


PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin")
MODEL_FILES = ("bertopic", "assignments.parquet", "topics.parquet", "config.toml", "manifest.json")
"""What a saved model folder holds."""
BERTOPIC_FILES = frozenset(
    {"config.json", "topics.json", "ctfidf_config.json", "topic_embeddings.safetensors", "ctfidf.safetensors"}
)
"""The only files BERTopic's safetensors folder may hold; ``topic_embeddings.safetensors`` must be there (without
it BERTopic falls back to ``torch.load``, which unpickles)."""


def check_model_folder(folder: Path) -> None:
    """Refuse a model folder that is not exactly what :meth:`TopicModel.save` writes, before anything reads it.

    Every entry must be a regular file or folder inside ``folder`` (no symbolic link, no device, no pipe);
    ``bertopic`` must be a folder holding only the safetensors and JSON files BERTopic writes. A pickle, a
    ``.bin`` or ``.pt`` file, a file where the folder should be (``BERTopic.load`` unpickles a file path) or a
    link out of the run folder is an :class:`~topics.errors.InputError`, raised before any loader sees it.
    """
    for name in MODEL_FILES:
        if not (folder / name).exists() and not (folder / name).is_symlink():
            raise InputError(f"not a saved topic model: {name} is missing", path=folder)
    for entry in [folder, *folder.rglob("*")]:
        if entry.is_symlink():
            raise InputError(
                "refusing to load: a symbolic link in the model folder "
                f"({entry.relative_to(folder.parent)}); saved models hold plain files only",
                path=entry,
            )
        if not (entry.is_file() or entry.is_dir()):
            raise InputError("refusing to load: not a regular file or folder", path=entry)
    bertopic = folder / "bertopic"
    if not bertopic.is_dir():
        raise InputError(
            "refusing to load: 'bertopic' must be the folder of safetensors and JSON files that "
            "`topics fit` writes; a file there could be a pickle, and loading one runs code",
            path=bertopic,
        )
    found = {p.name for p in bertopic.iterdir()}
    unexpected = sorted(found - BERTOPIC_FILES)
    if unexpected or any(p.is_dir() for p in bertopic.iterdir()):
        raise InputError(
            f"refusing to load: unexpected file(s) {unexpected or sorted(found)} in the BERTopic folder; "
            f"it may hold only {sorted(BERTOPIC_FILES)}",
            path=bertopic,
        )
    if "topic_embeddings.safetensors" not in found:
        raise InputError(
            "refusing to load: topic_embeddings.safetensors is missing (BERTopic would look for a "
            "pickled file instead)",
            path=bertopic,
        )


class TopicModel:
    """BERTopic on therapist remarks, configured from one :class:`~topics.config.TopicConfig`.

    Parameters
    ----------
    config : TopicConfig, optional
        All settings; defaults if omitted.
    embedder : Embedder, optional
        Embedding backend with cache; built from ``config.embedding`` if omitted.

    Attributes
    ----------
    bertopic_ : bertopic.BERTopic
        The fitted BERTopic model.
    assignments_ : pandas.DataFrame
        One row per remark: the remark's columns plus ``topic``, ``label``, ``probability`` (HDBSCAN
        membership strength; 0 for remarks HDBSCAN left as outliers), ``similarity`` (cosine to the topic
        centroid), ``outlier_reassigned`` (moved from outliers to a topic by outlier reduction). In the
        consensus mode ``probability`` is the consensus strength (:func:`topics.model.consensus.consensus_labels`).
    topics_ : pandas.DataFrame
        One row per topic (``-1`` = outliers): ``topic``, ``label``, ``size``, ``share``, ``keywords``,
        ``words``, ``representative_ids``, ``representative_texts``.
    topic_embeddings_ : numpy.ndarray
        Topic centroids, rows in the order of ``topic_ids_``.
    topic_ids_ : list of int
    min_cluster_size_ : int
        The HDBSCAN ``min_cluster_size`` actually used.
    manifest_ : dict
        Versions, machine (:func:`topics.model.provenance.machine_profile`), data hash, seed, sizes and timings
        of the fit.
    provenance_note_ : str or None
        After :meth:`load`: what differs between the machine the model was fitted on and this one (the
        instruction set, numeric package versions), in one sentence; None when nothing does, or after a fit.
    """

    _document_terms: tuple[Any, np.ndarray] | None  # cache of document_terms(); None until computed
    provenance_note_: str | None = None

    def __init__(self, config: TopicConfig | None = None, *, embedder: Embedder | None = None) -> None:
        self.config = config or TopicConfig()
        self.embedder = embedder

    # ------------------------------------------------------------------ building blocks
    def _get_embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = Embedder(self.config.embedding)
        return self.embedder

    def reduction_cache_dir(self) -> Path | None:
        """Folder of the neighbour-graph and UMAP cache (``reductions/`` in the embedding cache), or None."""
        if not self.config.umap.cache:
            return None
        return Path(self.config.embedding.cache_dir) / "reductions"

    def embed(self, texts: list[str] | pd.Series) -> np.ndarray:
        """Embeddings of texts with the model's embedding backend (through the cache)."""
        return self._get_embedder().embed([str(t) for t in texts])

    def make_vectorizer(self, n_docs: int) -> Any:
        """A new ``CountVectorizer`` configured as for fitting (stop words, n-grams, ``min_df``)."""
        return make_vectorizer(self.config.vectorizer, n_docs)

    def document_terms(self) -> tuple[Any, np.ndarray]:
        """Word counts of every remark (sparse, rows in :attr:`assignments_` order) and the vocabulary.

        Computed once per model and kept, so that re-describing curated topics (c-TF-IDF of merged or split
        topics) costs no re-tokenisation.
        """
        self._require_fitted()
        terms = getattr(self, "_document_terms", None)
        if terms is None:
            texts = self.assignments_["text"].astype(str).tolist()
            vectorizer = self.make_vectorizer(len(texts))
            matrix = vectorizer.fit_transform(texts)
            terms = self._document_terms = (matrix, np.asarray(vectorizer.get_feature_names_out()))
        return terms

    def word_scores(self) -> pd.DataFrame:
        """Top words per topic with weights: ``topic``, ``word``, ``score``, ``rank``."""
        self._require_fitted()
        return topic_word_scores(self.bertopic_, self.topic_ids_)

    def topic_similarity(self) -> pd.DataFrame:
        """Cosine similarity between topic centroids (outliers left out), indexed by topic."""
        self._require_fitted()
        return centroid_similarity(self.topic_ids_, self.topic_embeddings_)

    def _check_size(self, remarks: pd.DataFrame) -> None:
        n = len(remarks)
        distinct = remarks["text"].nunique()
        need = max(self.config.umap.n_neighbors, self.config.umap.n_components) + 2
        if n < need:
            raise InputError(
                f"{n} remarks are too few to model: UMAP with n_neighbors={self.config.umap.n_neighbors} needs "
                f"at least {need}; add transcripts or lower [umap] n_neighbors"
            )
        if distinct < need:
            raise InputError(
                f"only {distinct} distinct remark texts among {n} remarks; UMAP needs at least {need} distinct texts"
            )
        # topic words come from a bag of words without stop words: with none left, c-TF-IDF has no vocabulary
        analyzer = self.make_vectorizer(n).build_analyzer()
        if not any(analyzer(text) for text in remarks["text"].astype(str)):
            raise InputError(
                f"none of the {n} remarks has a word outside the stop words, so topics cannot get keywords; "
                "check the text column, or shorten [vectorizer] extra_stop_words / set stop_words = false"
            )

    def _reducer(self, seed: int) -> Any:
        from topics.model.gpu import cuml_umap, use_cuml
        from topics.model.reduction import CachedUMAP

        u = self.config.umap
        if use_cuml(u.backend):
            return cuml_umap(u, seed)
        return CachedUMAP(
            n_neighbors=u.n_neighbors,
            n_components=u.n_components,
            min_dist=u.min_dist,
            metric=u.metric,
            random_state=seed,
            cache_dir=self.reduction_cache_dir(),
        )

    def _clusterer(self) -> Any:
        from hdbscan import HDBSCAN

        from topics.model.gpu import cuml_hdbscan, use_cuml

        h = self.config.hdbscan
        if use_cuml(self.config.umap.backend):
            return cuml_hdbscan(h, self.min_cluster_size_, getattr(self, "max_cluster_size_", 0))
        return HDBSCAN(
            min_cluster_size=self.min_cluster_size_,
            min_samples=None if h.min_samples is None else min(h.min_samples, self.min_cluster_size_),
            metric="euclidean",
            cluster_selection_method=h.cluster_selection_method,
            max_cluster_size=getattr(self, "max_cluster_size_", 0),
            prediction_data=True,
        )

    def _bertopic(
        self, vectorizer: Any, representation: Any, *, umap_model: Any = None, hdbscan_model: Any = None
    ) -> Any:
        return make_bertopic(
            self._get_embedder(),
            umap_model=umap_model,
            hdbscan_model=hdbscan_model,
            vectorizer=vectorizer,
            representation=representation,
            top_n_words=self.config.representation.top_n_words,
        )

    def _fit_single(
        self, docs: list[str], embeddings: np.ndarray, vectorizer: Any, representation: Any
    ) -> tuple[Any, np.ndarray, np.ndarray]:
        """One UMAP + HDBSCAN fit through BERTopic."""
        self.reduction_ = self._reducer(self.config.seed)
        bt = self._bertopic(vectorizer, representation, umap_model=self.reduction_, hdbscan_model=self._clusterer())
        raw_topics, probs = bt.fit_transform(docs, embeddings=embeddings)
        return bt, np.asarray(raw_topics), probs

    def _consensus_reductions(self, embeddings: np.ndarray, seeds: list[int]) -> Iterator[np.ndarray]:
        """The reduced embeddings of each consensus fit, one per seed (sets ``reduction_`` to the first fit's).

        Full UMAP fits, or with ``[hdbscan] consensus_epochs`` short layouts from one shared neighbour graph
        and initialisation (:class:`topics.model.ensemble.ShortLayouts`; not with cuML).
        """
        from tqdm.auto import tqdm

        from topics.model.gpu import use_cuml

        u = self.config.umap
        epochs = self.config.hdbscan.consensus_epochs
        if epochs > 0 and not use_cuml(u.backend):
            from topics.model.ensemble import ShortLayouts

            layouts = ShortLayouts(
                n_neighbors=u.n_neighbors,
                n_components=u.n_components,
                min_dist=u.min_dist,
                metric=u.metric,
                epochs=epochs,
                cache_dir=self.reduction_cache_dir(),
            )
            reduced = layouts.fit_layouts(embeddings, seeds)
            self.reduction_ = layouts
            yield from reduced
            return
        for i, seed in enumerate(tqdm(seeds, desc="Consensus fits", unit="fit", disable=len(embeddings) < 2000)):
            reducer = self._reducer(seed)
            reduced_one = reducer.fit_transform(embeddings)
            if i == 0:
                self.reduction_ = reducer
            yield reduced_one

    def _fit_consensus(
        self, docs: list[str], embeddings: np.ndarray, vectorizer: Any, representation: Any
    ) -> tuple[Any, np.ndarray, np.ndarray]:
        """Fit ``consensus_fits`` seeds, combine them (:mod:`topics.model.consensus`) and describe the result with BERTopic."""
        from topics.model.consensus import consensus_labels, consensus_seeds

        cfg = self.config
        seeds = consensus_seeds(cfg.seed, cfg.hdbscan.consensus_fits)
        labelings = []
        unit = normalise(np.asarray(embeddings, dtype=np.float32))
        for reduced in self._consensus_reductions(embeddings, seeds):
            labels = self._clusterer().fit(reduced).labels_
            if cfg.outliers.reduce:
                # each fit as the user would get it: most of HDBSCAN's outliers placed by similarity
                labels = nearest_centroid_labels(labels, unit, cfg.outliers.threshold)
            labelings.append(labels)
        self.consensus_seeds_ = seeds
        labels, strength = consensus_labels(labelings, self.min_cluster_size_, cfg.hdbscan.consensus_agreement)
        if (labels != OUTLIER).sum() == 0:
            raise InputError(
                f"HDBSCAN found no topic among {len(docs)} remarks with min_cluster_size={self.min_cluster_size_} "
                f"that the {len(seeds)} consensus fits agree on; the corpus is too small or too uniform: lower "
                "[hdbscan] min_cluster_size, set consensus_fits = 1 or add transcripts"
            )
        bt = self._bertopic(vectorizer, representation)
        raw_topics, _ = bt.fit_transform(docs, embeddings=embeddings, y=labels)
        return bt, np.asarray(raw_topics), strength

    def _reassign_outliers(
        self,
        bt: Any,
        docs: list[str],
        embeddings: np.ndarray,
        raw_topics: np.ndarray,
        vectorizer: Any,
        representation: Any,
        describe: bool = False,
    ) -> np.ndarray:
        """BERTopic's outlier reduction (``[outliers]``), topic words updated; returns the final topics.

        ``describe``: the fit ran without the representation model; the words are set here even when there is
        no outlier to place.
        """
        cfg = self.config
        topics = raw_topics.copy()
        reduce = cfg.outliers.reduce and bool((topics == OUTLIER).any())
        if reduce:
            topics = np.asarray(
                bt.reduce_outliers(
                    docs,
                    list(topics),
                    strategy=cfg.outliers.strategy,
                    embeddings=embeddings,
                    threshold=cfg.outliers.threshold,
                )
            )
        if reduce or describe:
            bt.update_topics(
                docs,
                topics=list(topics),
                vectorizer_model=vectorizer,
                representation_model=representation,
                top_n_words=cfg.representation.top_n_words,
            )
        return topics

    # ------------------------------------------------------------------ fit / transform
    def fit(self, remarks: pd.DataFrame, embeddings: np.ndarray | None = None) -> TopicModel:
        """Fit BERTopic on the remarks.

        Parameters
        ----------
        remarks : pandas.DataFrame
            Remark table (from :func:`topics.clean.select_remarks`): at least ``utterance_id`` and
            ``text``.
        embeddings : numpy.ndarray, optional
            Precomputed embeddings, one row per remark; computed through the cache if omitted.

        Returns
        -------
        TopicModel
            ``self``, fitted.

        Raises
        ------
        InputError
            Too few (distinct) remarks for UMAP, or no topic found.
        """
        cfg = self.config
        remarks = remarks.reset_index(drop=True)
        self._check_size(remarks)
        docs = remarks["text"].astype(str).tolist()
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        if embeddings is None:
            embeddings = self._get_embedder().embed(docs)
        if len(embeddings) != len(docs):
            raise InputError(f"{len(embeddings)} embeddings for {len(docs)} remarks")
        timings["embed_s"] = time.perf_counter() - t0

        self.min_cluster_size_ = cfg.hdbscan.resolve_min_cluster_size(len(docs))
        self.max_cluster_size_ = max_topic_size(len(docs))
        vectorizer = self.make_vectorizer(len(docs))
        representation = representation_model(cfg.representation, cfg.seed)
        # with outlier reduction the representation model (KeyBERT: seconds) describes the final topics only:
        # its words for the clusters before the reduction were replaced unread (BERTopic 0.17 derives
        # topic_labels_ from the last words), and neither the reduction nor the topic vectors use them
        describe_later = cfg.outliers.reduce and representation is not None
        t0 = time.perf_counter()
        fit_clusters = self._fit_consensus if cfg.hdbscan.consensus_fits > 1 else self._fit_single
        bt, raw_topics, probs = fit_clusters(docs, embeddings, vectorizer, None if describe_later else representation)
        timings["cluster_s"] = time.perf_counter() - t0
        timings["umap_cached"] = float(getattr(self.reduction_, "from_cache_", False))  # cuML: never cached
        if (raw_topics != OUTLIER).sum() == 0:
            raise InputError(
                f"HDBSCAN found no topic among {len(docs)} remarks with min_cluster_size={self.min_cluster_size_}; "
                "the corpus is too small or too uniform: lower [hdbscan] min_cluster_size or add transcripts"
            )
        t0 = time.perf_counter()
        topics = self._reassign_outliers(bt, docs, embeddings, raw_topics, vectorizer, representation, describe_later)
        timings["outliers_s"] = time.perf_counter() - t0

        self.bertopic_ = bt
        self._document_terms = None
        self._set_topic_state(remarks, embeddings, topics, raw_topics, np.asarray(probs, dtype=float))
        self.manifest_ = self._manifest(remarks, topics, timings)
        return self

    def _manifest(self, remarks: pd.DataFrame, topics: np.ndarray, timings: dict[str, float]) -> dict[str, Any]:
        cfg = self.config
        return {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seed": cfg.seed,
            "n_remarks": len(remarks),
            "n_topics": int((self.topics_["topic"] != OUTLIER).sum()),
            "outlier_share": float((topics == OUTLIER).mean()),
            "min_cluster_size": self.min_cluster_size_,
            "consensus_seeds": getattr(self, "consensus_seeds_", None) if cfg.hdbscan.consensus_fits > 1 else None,
            "data_sha256": data_hash(remarks["text"], remarks["utterance_id"]),
            "embedding_model": self._get_embedder().identity,
            "umap_hdbscan": "cuml" if type(self.reduction_).__module__.startswith("cuml") else "umap-learn + hdbscan",
            "versions": package_versions(),
            "machine": machine_profile(),
            "timings": timings,
        }

    def _set_topic_state(
        self,
        remarks: pd.DataFrame,
        embeddings: np.ndarray,
        topics: np.ndarray,
        raw_topics: np.ndarray,
        probs: np.ndarray,
    ) -> None:
        bt = self.bertopic_
        unit = normalise(np.asarray(embeddings, dtype=np.float64))
        ids = sorted(int(t) for t in set(topics.tolist()))
        topic_centroids = centroids(unit, topics, ids)
        bt.topic_embeddings_ = topic_centroids.astype(np.float32)
        self.topic_ids_ = ids
        self.topic_embeddings_ = topic_centroids.astype(np.float32)

        sim_all = unit @ normalise(topic_centroids).T
        col = {t: i for i, t in enumerate(ids)}
        similarity = sim_all[np.arange(len(topics)), [col[int(t)] for t in topics]]

        texts = remarks["text"].astype(str).to_numpy()
        n_rep = self.config.representation.n_representative
        representative: dict[int, list[int]] = {}
        for t in ids:
            members = np.flatnonzero(topics == t)
            representative[t] = representatives(central_order(members, similarity[members]), texts, n_rep)
        bt.representative_docs_ = {t: [texts[i] for i in rows] for t, rows in representative.items()}

        words = {t: [w for w, _ in (bt.get_topic(t) or []) if w] for t in ids}
        labels = {t: ("outliers" if t == OUTLIER else keyword_label(words[t])) for t in ids}
        sizes = pd.Series(topics).value_counts()
        n = len(topics)
        self.topics_ = pd.DataFrame(
            {
                "topic": ids,
                "label": [labels[t] for t in ids],
                "size": [int(sizes.get(t, 0)) for t in ids],
                "share": [float(sizes.get(t, 0)) / n for t in ids],
                "keywords": [", ".join(words[t]) for t in ids],
                "words": [words[t] for t in ids],
                "representative_ids": [[str(remarks["utterance_id"].iat[i]) for i in representative[t]] for t in ids],
                "representative_texts": [[texts[i] for i in representative[t]] for t in ids],
            }
        )
        assignments = remarks.copy()
        assignments["topic"] = topics.astype("int64")
        assignments["label"] = assignments["topic"].map(labels)
        assignments["probability"] = np.where(raw_topics == OUTLIER, 0.0, probs if probs.ndim == 1 else 0.0)
        assignments["similarity"] = similarity.astype(float)
        assignments["outlier_reassigned"] = (raw_topics == OUTLIER) & (topics != OUTLIER)
        self.assignments_ = assignments

    def transform(self, texts: list[str] | pd.Series) -> pd.DataFrame:
        """Assign new remarks to the fitted topics.

        Each remark goes to the topic whose centroid is most similar (cosine); below the outlier
        threshold (``config.outliers.threshold``) it is an outlier (``-1``). The rule only needs the
        saved topic embeddings, so a loaded model gives the same answer as the fitted one.

        Parameters
        ----------
        texts : list of str or pandas.Series
            Remarks.

        Returns
        -------
        pandas.DataFrame
            ``text``, ``topic``, ``label``, ``similarity``.
        """
        self._require_fitted()
        texts = [str(t) for t in texts]
        emb = normalise(self._get_embedder().embed(texts).astype(np.float64))
        keep = [i for i, t in enumerate(self.topic_ids_) if t != OUTLIER]
        cents = normalise(self.topic_embeddings_[keep].astype(np.float64))
        sims = emb @ cents.T
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(len(texts)), best]
        topic_ids = np.asarray([self.topic_ids_[i] for i in keep])[best]
        topic_ids = np.where(best_sim >= self.config.outliers.threshold, topic_ids, OUTLIER)
        labels = dict(zip(self.topics_["topic"], self.topics_["label"], strict=True))
        labels.setdefault(OUTLIER, "outliers")
        return pd.DataFrame(
            {
                "text": texts,
                "topic": topic_ids.astype("int64"),
                "label": [labels[int(t)] for t in topic_ids],
                "similarity": best_sim.astype(float),
            }
        )

    def _require_fitted(self) -> None:
        if not hasattr(self, "topics_"):
            raise RuntimeError("the model is not fitted; call fit() or TopicModel.load()")

    # ------------------------------------------------------------------ persistence
    def save(self, folder: str | Path) -> Path:
        """Write the model to a folder, without pickle.

        Layout: ``bertopic/`` (BERTopic safetensors + JSON), ``assignments.parquet``,
        ``topics.parquet``, ``config.toml``, ``manifest.json``.

        Parameters
        ----------
        folder : str or Path
            Target folder (created; files in it are overwritten).

        Returns
        -------
        Path
            The folder.
        """
        self._require_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.bertopic_.save(
            str(folder / "bertopic"), serialization="safetensors", save_ctfidf=True, save_embedding_model=False
        )
        self.assignments_.to_parquet(folder / "assignments.parquet", index=False)
        self.topics_.to_parquet(folder / "topics.parquet", index=False)
        self.config.to_toml(folder / "config.toml", portable=True)  # no home folder in a run that may be shared
        manifest = dict(self.manifest_, topic_ids=self.topic_ids_)
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, embedder: Embedder | None = None) -> TopicModel:
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        folder : str or Path
            The model folder.
        embedder : Embedder, optional
            Embedding backend; built from the saved config if omitted, in the runtime the model was fitted with
            (a model fitted in fp32 keeps embedding new remarks in fp32: :func:`~topics.embed.runtime_of`).

        Returns
        -------
        TopicModel

        Raises
        ------
        InputError
            A file is missing, or the folder is not exactly what :meth:`save` writes (a pickle-like file, a
            file instead of the BERTopic folder, a symbolic link): refused before anything is read, since
            loading a pickle could run code (:func:`check_model_folder`); a ``manifest.json`` over 16 MiB or nested
            over 32 levels, or without ``topic_ids`` (:func:`topics._files.read_json_checked`).
        """
        folder = Path(folder)
        suspicious = sorted(p.name for p in folder.rglob("*") if p.suffix.lower() in PICKLE_SUFFIXES)
        if suspicious:
            raise InputError(
                f"refusing to load: the model folder holds pickle-like file(s) {suspicious}; "
                "saved models never contain pickles, and loading one could run arbitrary code",
                path=folder,
            )
        check_model_folder(folder)
        config = TopicConfig.from_toml(folder / "config.toml")
        manifest = read_json_checked(folder / "manifest.json")  # size and nesting capped: a run may come from anyone
        if not isinstance(manifest, dict) or not isinstance(manifest.get("topic_ids"), list):
            raise InputError(
                "not a manifest written by `topics fit`: no list of topic_ids", path=folder / "manifest.json"
            )
        fitted_with = str(manifest.get("embedding_model", ""))
        if embedder is None:
            config.embedding.runtime = runtime_of(fitted_with, config.embedding)
        elif fitted_with and embedder.identity != fitted_with:
            warnings.warn(
                f"{folder} was fitted on vectors of {fitted_with}; new remarks will be embedded with "
                f"{embedder.identity}",
                stacklevel=2,
            )
        model = cls(config, embedder=embedder)
        model.bertopic_ = load_bertopic(str(folder / "bertopic"), model._get_embedder())
        model.assignments_ = pd.read_parquet(folder / "assignments.parquet")
        model.topics_ = pd.read_parquet(folder / "topics.parquet")
        for column in ("words", "representative_ids", "representative_texts"):
            model.topics_[column] = model.topics_[column].map(list)
        model.manifest_ = manifest
        model.topic_ids_ = [int(t) for t in model.manifest_["topic_ids"]]
        model.topic_embeddings_ = np.asarray(model.bertopic_.topic_embeddings_, dtype=np.float32)
        model.min_cluster_size_ = int(model.manifest_["min_cluster_size"])
        model._document_terms = None
        model.provenance_note_ = provenance_difference(manifest)
        if model.provenance_note_:
            warnings.warn(f"{folder}: {model.provenance_note_}", stacklevel=2)
        return model
