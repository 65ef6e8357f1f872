"""Stable clustering candidates (issue 28), run directly on the remark vectors (no topic words).

For each candidate clustering of the same remarks this prints: mean and minimum pairwise adjusted Rand index over
five seeds (int8 vectors), the ARI between fits on int8 and on fp32 (torch) vectors of the same seed (the stand-in
for another machine's numerics), the split ARI (three fits on two thirds of the remarks each, every pair compared
on the third they share), NMI with the utterance codes (remarks that have one, outliers kept as a label), topics,
outlier share and seconds per fit.

The remarks are those of ``benchmarks/seed_stability.py`` (the corpus of ``benchmarks/speed_quality.py``, a
seeded sample of ``--size``; ``all`` = every remark), cleaned as ``topics.fit`` cleans them; the vectors come
from the toolkit's embedding cache (``--cache``) and are kept in ``--work`` with every UMAP reduction and every
label vector, so a rerun resumes.

Usage::

    .venv/bin/python benchmarks/stability_candidates.py [--size 5000] [--candidates default,default+smooth,...]
        [--cache .cache/embeddings] [--work /tmp/stab11] [--remarks /tmp/seed15k/remarks-all.parquet]

Candidates (``--list`` prints them): ``default`` is today's ``topics.fit`` clustering reproduced through the
toolkit's own parts (exact neighbour graph, UMAP 5-D on it, HDBSCAN with the ``min_cluster_size`` rule and
``min_samples`` 10, outliers placed by nearest centroid at cosine 0.3).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEEDS = [42, 43, 44, 45, 46]
WORK = Path("/tmp/stab11")


# ----------------------------------------------------------------------------------------------- data
def remarks_of(size: str, source: Path) -> pd.DataFrame:
    """The cleaned remarks of ``seed_stability.py``'s sample (as ``topics.fit`` cleans them)."""
    from topics.clean import select_remarks
    from topics.config import TopicConfig
    from topics.read import validate_corpus

    allr = pd.read_parquet(source)
    part = allr if size == "all" else allr.sample(int(size), random_state=0).sort_index().reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        remarks, _ = select_remarks(validate_corpus(part), TopicConfig().cleaning)
    return remarks.reset_index(drop=True)


def vectors(remarks: pd.DataFrame, size: str, runtime: str, cache: str) -> np.ndarray:
    """The remarks' vectors in ``runtime`` (through the toolkit's embedding cache), kept as ``.npy`` in WORK."""
    path = WORK / f"vec-{size}-{runtime}.npy"
    if path.exists():
        x = np.load(path, allow_pickle=False)
        if x.shape[0] == len(remarks):
            return x
    from topics.config import TopicConfig
    from topics.embed import Embedder

    cfg = TopicConfig()
    cfg.embedding.runtime = runtime
    cfg.embedding.cache_dir = cache
    embedder = Embedder(cfg.embedding, show_progress=True)
    x = np.asarray(embedder.embed(remarks["text"].astype(str).tolist()), dtype=np.float32)
    print(f"  vectors {size} {runtime}: {embedder.n_computed_} computed, {embedder.n_cached_} cached", flush=True)
    np.save(path, x)
    return x


# ----------------------------------------------------------------------------------------------- parts
class Data:
    """Vectors of one runtime (or a subset of them) with the shared parts computed once."""

    def __init__(self, name: str, x: np.ndarray) -> None:
        from topics.model.tables import normalise

        self.name = name
        self.x = x
        self.unit = normalise(x.astype(np.float64)).astype(np.float32)
        self._knn: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def knn(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine neighbours (itself first), as the toolkit computes them."""
        from topics.model.reduction import exact_knn

        if k not in self._knn:
            path = WORK / f"knn-{self.name}-{k}.npz"
            if path.exists():
                with np.load(path) as f:
                    self._knn[k] = (f["i"], f["d"])
            else:
                i, d = exact_knn(self.x, k, "cosine")
                np.savez(path, i=i, d=d)
                self._knn[k] = (i, d)
        return self._knn[k]

    def umap(self, seed: int, n_components: int = 5, n_neighbors: int = 15, **extra) -> tuple[np.ndarray, float]:
        """The toolkit's UMAP reduction (exact graph) and the seconds it took when computed."""
        from topics.model.reduction import CachedUMAP

        tag = "-".join(f"{k}{v}" for k, v in sorted(extra.items()))
        path = WORK / f"umap-{self.name}-{seed}-{n_components}-{n_neighbors}-{tag}.npz"
        if path.exists():
            with np.load(path) as f:
                return f["e"], float(f["s"])
        t0 = time.perf_counter()
        if extra:
            from umap import UMAP

            from topics.model.reduction import without_index_warning

            i, d = self.knn(n_neighbors)
            u = UMAP(
                n_neighbors=n_neighbors,
                n_components=n_components,
                min_dist=0.0,
                metric="cosine",
                random_state=seed,
                n_jobs=1,
                low_memory=True,
                precomputed_knn=(i, d, None),
                **extra,
            )
            with without_index_warning():
                e = np.asarray(u.fit_transform(self.x), dtype=np.float32)
        else:
            e = CachedUMAP(n_neighbors=n_neighbors, n_components=n_components, random_state=seed).fit_transform(self.x)
        s = time.perf_counter() - t0
        np.savez(path, e=e, s=s)
        return e, s


def fuzzy_graph(d: Data, k: int = 15):
    """UMAP's fuzzy simplicial set of the exact neighbour graph (what every UMAP fit builds first), once per data."""
    from umap.umap_ import fuzzy_simplicial_set

    cached = d.__dict__.setdefault("_fuzzy", {})
    if k not in cached:
        i, dist = d.knn(k)
        graph, _, _ = fuzzy_simplicial_set(d.x, k, 0, "cosine", knn_indices=i, knn_dists=dist)
        cached[k] = graph.tocoo()
    return cached[k].copy()  # simplicial_set_embedding prunes the graph it is given


def shared_init(d: Data, dims: int = 5, k: int = 15) -> np.ndarray:
    """UMAP's spectral initialisation, computed once (random_state 0) and shared by every member fit."""
    path = WORK / f"init-{d.name}-{dims}-{k}.npy"
    if path.exists():
        return np.load(path)
    from umap.spectral import spectral_layout

    e = spectral_layout(d.x, fuzzy_graph(d, k).tocsr(), dims, np.random.RandomState(0), metric="cosine")
    e = (10.0 * e / np.abs(e).max()).astype(np.float32)
    np.save(path, e)
    return e


def layout(d: Data, seed: int, epochs: int, dims: int = 5, k: int = 15) -> tuple[np.ndarray, float]:
    """One UMAP layout (SGD only) from the shared graph and the shared initialisation."""
    path = WORK / f"lay-{d.name}-{seed}-{epochs}-{dims}-{k}.npz"
    if path.exists():
        with np.load(path) as f:
            return f["e"], float(f["s"])
    from umap.umap_ import find_ab_params, simplicial_set_embedding

    t0 = time.perf_counter()
    graph = fuzzy_graph(d, k)
    init = shared_init(d, dims, k)
    a, b = find_ab_params(1.0, 0.0)
    e, _ = simplicial_set_embedding(
        d.x, graph, dims, 1.0, a, b, 1.0, 5, epochs, init, np.random.RandomState(seed), "cosine", {}, False, {}, False
    )
    e = np.asarray(e, dtype=np.float32)
    s = time.perf_counter() - t0
    np.savez(path, e=e, s=s)
    return e, s


def mcs(n: int) -> int:
    from topics.config import TopicConfig

    return TopicConfig().hdbscan.resolve_min_cluster_size(n)


def hdbscan_labels(z: np.ndarray, n: int, min_samples: int = 10, method: str = "eom") -> np.ndarray:
    from hdbscan import HDBSCAN

    m = mcs(n)
    return (
        HDBSCAN(
            min_cluster_size=m, min_samples=min(min_samples, m), metric="euclidean", cluster_selection_method=method
        )
        .fit(z)
        .labels_
    )


def place_outliers(labels: np.ndarray, d: Data) -> np.ndarray:
    from topics.model.tables import nearest_centroid_labels

    return nearest_centroid_labels(labels, d.unit, 0.3)


def smooth(labels: np.ndarray, d: Data, k: int = 15, rounds: int = 3) -> np.ndarray:
    """Each remark takes the similarity-weighted majority label of its exact neighbours (itself included)."""
    idx, dist = d.knn(k)
    w = (1.0 - dist).astype(np.float64)
    lab = np.asarray(labels).copy()
    n = len(lab)
    for _ in range(rounds):
        _, codes = np.unique(lab, return_inverse=True)
        codes = codes.ravel()
        m = codes.max() + 1
        votes = np.zeros((n, m))
        np.add.at(votes, (np.repeat(np.arange(n), idx.shape[1]), codes[idx].ravel()), w.ravel())
        new_codes = votes.argmax(axis=1)
        uniq = np.unique(lab)
        new = uniq[new_codes]
        if (new == lab).all():
            break
        lab = new
    return lab


def spectral(d: Data, dims: int, k: int = 15) -> np.ndarray:
    """Laplacian eigenmaps of UMAP's fuzzy graph on the exact neighbours (deterministic: no seed)."""
    path = WORK / f"spec-{d.name}-{dims}-{k}.npy"
    if path.exists():
        return np.load(path)
    from scipy.sparse.csgraph import laplacian
    from scipy.sparse.linalg import eigsh
    from umap.umap_ import fuzzy_simplicial_set

    i, dist = d.knn(k)
    graph, _, _ = fuzzy_simplicial_set(d.x, k, 0, "cosine", knn_indices=i, knn_dists=dist)
    lap = laplacian(graph.tocsr().astype(np.float64), normed=True)
    v0 = np.ones(lap.shape[0]) / np.sqrt(lap.shape[0])
    vals, vecs = eigsh(lap, k=dims + 1, sigma=-1e-3, which="LM", v0=v0, tol=1e-8)
    order = np.argsort(vals)
    emb = vecs[:, order[1:]].astype(np.float32)
    # fix each eigenvector's sign (the solver's choice is arbitrary): largest absolute entry positive
    signs = np.sign(emb[np.abs(emb).argmax(axis=0), np.arange(emb.shape[1])])
    emb *= signs
    np.save(path, emb)
    return emb


def knn_graph(d: Data, k: int):
    """Symmetric similarity-weighted kNN graph (scipy sparse)."""
    from scipy.sparse import csr_matrix

    i, dist = d.knn(k)
    n = len(i)
    rows = np.repeat(np.arange(n), k - 1)
    g = csr_matrix(((1.0 - dist[:, 1:]).ravel().clip(1e-6), (rows, i[:, 1:].ravel())), shape=(n, n))
    return g.maximum(g.T)


def louvain(d: Data, seed: int, k: int = 15, resolution: float = 1.0) -> np.ndarray:
    import networkx as nx

    g = nx.from_scipy_sparse_array(knn_graph(d, k))
    comms = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    lab = np.full(len(d.x), -1)
    m = mcs(len(d.x))
    for c, members in enumerate(sorted(comms, key=len, reverse=True)):
        if len(members) >= m:
            lab[list(members)] = c
    return lab


# ----------------------------------------------------------------------------------------------- candidates
Fit = Callable[[Data, int], tuple[np.ndarray, float]]


def c_default(d: Data, seed: int, smooth_k: int = 0, **umap_extra) -> tuple[np.ndarray, float]:
    z, s = d.umap(seed, **umap_extra)
    t0 = time.perf_counter()
    lab = place_outliers(hdbscan_labels(z, len(d.x)), d)
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, s + time.perf_counter() - t0


def c_spectral(d: Data, seed: int, dims: int = 10, smooth_k: int = 0, min_samples: int = 10):
    t0 = time.perf_counter()
    z = spectral(d, dims)
    lab = place_outliers(hdbscan_labels(z, len(d.x), min_samples=min_samples), d)
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, time.perf_counter() - t0


def c_partition(d: Data, seed: int, how: str = "ward", dims: int = 10, k: int = 40, smooth_k: int = 0):
    """Spectral embedding, then k-means (seeded, 10 inits) or Ward's agglomerative clustering into ``k`` topics."""
    from sklearn.cluster import AgglomerativeClustering, KMeans

    t0 = time.perf_counter()
    z = spectral(d, dims)
    z = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    if how == "kmeans":
        lab = KMeans(k, n_init=10, random_state=seed).fit(z).labels_
    else:
        lab = AgglomerativeClustering(k, linkage="ward", connectivity=knn_graph(d, 15)).fit(z).labels_
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, time.perf_counter() - t0


def c_pca(d: Data, seed: int, dims: int = 10, smooth_k: int = 0, min_samples: int = 10):
    """PCA of the unit vectors (SVD, signs fixed), then HDBSCAN: deterministic."""
    t0 = time.perf_counter()
    u = d.unit - d.unit.mean(axis=0)
    _, _, vt = np.linalg.svd(u, full_matrices=False)
    vt = vt[:dims] * np.sign(vt[:dims, np.abs(vt[:dims]).argmax(axis=1)][np.arange(dims), np.arange(dims)])[:, None]
    lab = place_outliers(hdbscan_labels(u @ vt.T, len(d.x), min_samples=min_samples), d)
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, time.perf_counter() - t0


def c_ensemble(d: Data, seed: int, members: int = 5, epochs: int = 100, smooth_k: int = 0, agreement: float = 0.5):
    """Consensus of ``members`` short UMAP layouts from one shared graph and initialisation, HDBSCAN on each."""
    from topics.model.consensus import consensus_labels, consensus_seeds

    t0 = time.perf_counter()
    total = 0.0
    labs = []
    for s in consensus_seeds(seed, members):
        z, us = layout(d, s, epochs)
        total += us
        labs.append(place_outliers(hdbscan_labels(z, len(d.x)), d))
    if members == 1:
        lab = labs[0]
    else:
        lab, _ = consensus_labels(labs, mcs(len(d.x)), agreement)
        lab = place_outliers(lab, d)
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, total + time.perf_counter() - t0


def member_labels(d: Data, seed: int, members: int, epochs: int) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    from topics.model.consensus import consensus_seeds

    total, labs, lays = 0.0, [], []
    for s in consensus_seeds(seed, members):
        z, us = layout(d, s, epochs)
        total += us
        lays.append(z)
        labs.append(place_outliers(hdbscan_labels(z, len(d.x)), d))
    return labs, lays, total


def c_average(d: Data, seed: int, members: int = 5, epochs: int = 100, align: bool = True):
    """HDBSCAN once on the mean of several short layouts (each aligned to the first by orthogonal Procrustes)."""
    from scipy.linalg import orthogonal_procrustes

    from topics.model.consensus import consensus_seeds

    t0 = time.perf_counter()
    total = 0.0
    lays = []
    for s in consensus_seeds(seed, members):
        z, us = layout(d, s, epochs)
        total += us
        z = z - z.mean(axis=0)
        if align and lays:
            r, _ = orthogonal_procrustes(z, lays[0])
            z = z @ r
        lays.append(z)
    lab = place_outliers(hdbscan_labels(np.mean(lays, axis=0), len(d.x)), d)
    return lab, total + time.perf_counter() - t0


def coassoc_components(labs: list[np.ndarray], d: Data, k: int = 15, thr: float = 0.5) -> np.ndarray:
    """Clusters = connected parts of the exact kNN graph keeping the edges whose ends share a topic in > thr of fits."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    i, _ = d.knn(k)
    n = len(i)
    rows = np.repeat(np.arange(n), k - 1)
    cols = i[:, 1:].ravel()
    same = np.mean([(lab[rows] == lab[cols]) & (lab[rows] != -1) for lab in labs], axis=0)
    keep = same > thr
    g = csr_matrix((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(n, n))
    _, comp = connected_components(g, directed=False)
    sizes = np.bincount(comp)
    m = mcs(n)
    order = np.argsort(-sizes, kind="stable")
    rank = np.full(len(sizes), -1)
    big = order[sizes[order] >= m]
    rank[big] = np.arange(len(big))
    return rank[comp]


def c_coassoc(d: Data, seed: int, members: int = 5, epochs: int = 100, k: int = 15, thr: float = 0.5):
    t0 = time.perf_counter()
    labs, _, total = member_labels(d, seed, members, epochs)
    lab = place_outliers(coassoc_components(labs, d, k, thr), d)
    return lab, total + time.perf_counter() - t0


def c_consensus(d: Data, seed: int, fits: int = 5, smooth_k: int = 0, min_samples: int = 10):
    from topics.model.consensus import consensus_labels, consensus_seeds

    t0 = time.perf_counter()
    total = 0.0
    labs = []
    for s in consensus_seeds(seed, fits):
        z, us = d.umap(s)
        total += us
        labs.append(place_outliers(hdbscan_labels(z, len(d.x), min_samples=min_samples), d))
    lab, _ = consensus_labels(labs, mcs(len(d.x)))
    lab = place_outliers(lab, d)
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, total + time.perf_counter() - t0


def c_louvain(d: Data, seed: int, k: int = 15, resolution: float = 1.0, smooth_k: int = 0):
    t0 = time.perf_counter()
    lab = place_outliers(louvain(d, seed, k, resolution), d)
    if smooth_k:
        lab = smooth(lab, d, smooth_k)
    return lab, time.perf_counter() - t0


CANDIDATES: dict[str, tuple[Fit, bool, str]] = {
    # name: (fit, uses the seed, what it does)
    "default": (c_default, True, "UMAP 5-D on the exact graph + HDBSCAN + nearest-centroid outliers (today)"),
    "default+smooth15": (lambda d, s: c_default(d, s, smooth_k=15), True, "default, then 3 rounds of kNN smoothing"),
    "default+smooth30": (lambda d, s: c_default(d, s, smooth_k=30), True, "default, then kNN smoothing, k=30"),
    "spectral10": (c_spectral, False, "Laplacian eigenmaps 10-D of the exact graph + HDBSCAN"),
    "spectral10+smooth15": (lambda d, s: c_spectral(d, s, smooth_k=15), False, "spectral10, then kNN smoothing"),
    "spectral5": (lambda d, s: c_spectral(d, s, dims=5), False, "Laplacian eigenmaps 5-D + HDBSCAN"),
    "spectral15": (lambda d, s: c_spectral(d, s, dims=15), False, "Laplacian eigenmaps 15-D + HDBSCAN"),
    "spectral10+kmeans40": (
        lambda d, s: c_partition(d, s, "kmeans"),
        True,
        "spectral 10-D, rows normalised, k-means 40",
    ),
    "spectral10+ward40": (
        lambda d, s: c_partition(d, s),
        False,
        "spectral 10-D, rows normalised, Ward on the graph, 40",
    ),
    "spectral20+ward40": (lambda d, s: c_partition(d, s, dims=20), False, "spectral 20-D, Ward on the graph, 40"),
    "pca10": (c_pca, False, "PCA 10-D of the unit vectors + HDBSCAN"),
    "pca25": (lambda d, s: c_pca(d, s, dims=25), False, "PCA 25-D of the unit vectors + HDBSCAN"),
    "louvain15": (c_louvain, True, "Louvain (networkx) on the exact 15-NN graph, resolution 1"),
    "louvain15+smooth15": (lambda d, s: c_louvain(d, s, smooth_k=15), True, "louvain15, then kNN smoothing"),
    "consensus5": (c_consensus, True, "consensus of 5 default fits (the toolkit's consensus_labels)"),
    "consensus5+smooth15": (lambda d, s: c_consensus(d, s, smooth_k=15), True, "consensus5, then kNN smoothing"),
    "consensus3+smooth15": (lambda d, s: c_consensus(d, s, 3, smooth_k=15), True, "consensus of 3, smoothing"),
    "ens1e500": (lambda d, s: c_ensemble(d, s, 1, 500), True, "one layout, shared init, 500 epochs"),
    "ens1e100": (lambda d, s: c_ensemble(d, s, 1, 100), True, "one layout, shared init, 100 epochs"),
    "ens5e100": (lambda d, s: c_ensemble(d, s, 5, 100), True, "consensus of 5 layouts x 100 epochs, shared init"),
    "ens10e50": (lambda d, s: c_ensemble(d, s, 10, 50), True, "consensus of 10 layouts x 50 epochs, shared init"),
    "ens10e20": (lambda d, s: c_ensemble(d, s, 10, 20), True, "consensus of 10 layouts x 20 epochs, shared init"),
    "ens10e30": (lambda d, s: c_ensemble(d, s, 10, 30), True, "consensus of 10 layouts x 30 epochs, shared init"),
    "ens20e25": (lambda d, s: c_ensemble(d, s, 20, 25), True, "consensus of 20 layouts x 25 epochs, shared init"),
    "ens20e50": (lambda d, s: c_ensemble(d, s, 20, 50), True, "consensus of 20 layouts x 50 epochs, shared init"),
    **{
        f"ens{k}e{e}a{round(a * 100)}": (
            functools.partial(c_ensemble, members=k, epochs=e, agreement=a),
            True,
            f"consensus of {k} layouts x {e} epochs, agreement {a}"
            + (" (the default since 2026-12-07)" if (k, e, a) == (20, 50, 0.4) else ""),
        )
        for k, e in ((10, 50), (20, 50), (20, 25), (20, 20))
        for a in (0.3, 0.35, 0.4, 0.45, 0.5)
    },
    "ens10e50+smooth15": (lambda d, s: c_ensemble(d, s, 10, 50, smooth_k=15), True, "ens10e50, then kNN smoothing"),
    "avg5e100": (lambda d, s: c_average(d, s, 5, 100), True, "HDBSCAN on the mean of 5 aligned layouts x 100 ep"),
    "avg10e50": (lambda d, s: c_average(d, s, 10, 50), True, "HDBSCAN on the mean of 10 aligned layouts x 50 ep"),
    "coassoc5e100": (lambda d, s: c_coassoc(d, s, 5, 100), True, "kNN edges kept when >50% of 5 fits agree; parts"),
    "coassoc10e50": (lambda d, s: c_coassoc(d, s, 10, 50), True, "the same with 10 layouts x 50 epochs"),
    "umap-epochs1000": (lambda d, s: c_default(d, s, n_epochs=1000), True, "default with 1000 UMAP epochs"),
    "umap-neg15": (lambda d, s: c_default(d, s, negative_sample_rate=15), True, "default, negative_sample_rate 15"),
}


def c_stored(d: Data, seed: int):
    raise SystemExit(f"no stored labels for {d.name} seed {seed}: store them as lab-<data>-<name>-<seed>.npz in --work")


CANDIDATES["fit-consensus5"] = (c_stored, True, "`consensus_fits = 5` through topics.fit (seed_stability.py labels)")
CANDIDATES["fit-consensus3-ms25"] = (c_stored, True, "`consensus_fits = 3` + `min_samples = 25` through topics.fit")


# ----------------------------------------------------------------------------------------------- scoring
def labels_of(name: str, d: Data, seed: int) -> tuple[np.ndarray, float]:
    path = WORK / f"lab-{d.name}-{name}-{seed}.npz"
    if path.exists():
        with np.load(path) as f:
            return f["l"], float(f["s"])
    lab, s = CANDIDATES[name][0](d, seed)
    np.savez(path, l=np.asarray(lab), s=s)
    return np.asarray(lab), s


def evaluate(
    name: str, data: dict[str, Data], codes: np.ndarray, thirds: list[np.ndarray], cross: int = 5, split: bool = True
) -> dict:
    from sklearn.metrics import adjusted_rand_score as ari
    from sklearn.metrics import normalized_mutual_info_score as nmi

    _, seeded, _ = CANDIDATES[name]
    seeds = SEEDS if seeded else SEEDS[:1]
    int8 = {s: labels_of(name, data["int8"], s) for s in seeds}
    labs = [int8[s][0] for s in seeds]
    pair = [ari(a, b) for a, b in itertools.combinations(labs, 2)] or [1.0]
    has = codes != ""
    row: dict = {
        "candidate": name,
        "seed_ari": round(float(np.mean(pair)), 3),
        "seed_min": round(float(np.min(pair)), 3),
    }
    if "fp32" in data:
        row["int8_fp32"] = round(
            float(np.mean([ari(int8[s][0], labels_of(name, data["fp32"], s)[0]) for s in seeds[:cross]])), 3
        )
    if "avx2" in data:
        row["int8_avx2"] = round(
            float(np.mean([ari(int8[s][0], labels_of(name, data["avx2"], s)[0]) for s in seeds[:cross]])), 3
        )
    splits = []
    parts = [data[f"split{j}"] for j in range(3)] if split else []
    members = [np.sort(np.concatenate([thirds[j], thirds[(j + 1) % 3]])) for j in range(3)]
    split_labs = [labels_of(name, p, SEEDS[0])[0] for p in parts]
    for a, b in itertools.combinations(range(len(parts)), 2):
        shared = np.intersect1d(members[a], members[b])
        la = pd.Series(split_labs[a], index=members[a]).reindex(shared).to_numpy()
        lb = pd.Series(split_labs[b], index=members[b]).reindex(shared).to_numpy()
        splits.append(ari(la, lb))
    row["split_ari"] = round(float(np.mean(splits)), 3) if splits else float("nan")
    row["nmi_codes"] = round(float(np.mean([nmi(codes[has], lab[has]) for lab in labs])), 3)
    row["topics"] = round(float(np.mean([len(set(lab.tolist()) - {-1}) for lab in labs])), 1)
    row["outliers_%"] = round(100 * float(np.mean([(lab == -1).mean() for lab in labs])), 1)
    row["seconds"] = round(float(np.mean([int8[s][1] for s in seeds])), 1)
    return row


def main() -> None:
    global WORK, SEEDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="5000")
    parser.add_argument("--candidates", default="default,default+smooth15,spectral10,spectral10+smooth15")
    parser.add_argument("--cache", default=str(ROOT / ".cache" / "embeddings"))
    parser.add_argument("--fp32-cache", default=None, help="embedding cache for the torch vectors (default --cache)")
    parser.add_argument("--remarks", default="/tmp/seed15k/remarks-all.parquet")
    parser.add_argument("--work", default=str(WORK))
    parser.add_argument("--no-fp32", action="store_true")
    parser.add_argument("--no-avx2", action="store_true")
    parser.add_argument("--cross", type=int, default=5, help="seeds compared across int8 / fp32 / AVX2 vectors")
    parser.add_argument("--no-split", action="store_true")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        for name, (_, seeded, what) in CANDIDATES.items():
            print(f"{name:24s} {'seeded' if seeded else 'no seed':8s} {what}")
        return
    WORK = Path(args.work)
    SEEDS = [int(s) for s in args.seeds.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    remarks = remarks_of(args.size, Path(args.remarks))
    codes = remarks["code"].astype("string").fillna("").to_numpy() if "code" in remarks else np.full(len(remarks), "")
    data = {"int8": Data(f"{args.size}-int8", vectors(remarks, args.size, "openvino-int8", args.cache))}
    if not args.no_fp32:
        data["fp32"] = Data(f"{args.size}-fp32", vectors(remarks, args.size, "torch", args.fp32_cache or args.cache))
    avx2 = WORK / f"vec-{args.size}-int8avx2.npy"
    if (
        avx2.exists() and not args.no_avx2
    ):  # int8 vectors embedded with oneDNN capped at AVX2 (/tmp script; another machine's numerics)
        data["avx2"] = Data(f"{args.size}-int8avx2", np.load(avx2, allow_pickle=False))
    perm = np.random.default_rng(0).permutation(len(remarks))
    thirds = [np.sort(t) for t in np.array_split(perm, 3)]
    for j in range(3):
        rows = np.sort(np.concatenate([thirds[j], thirds[(j + 1) % 3]]))
        data[f"split{j}"] = Data(f"{args.size}-int8-split{j}", data["int8"].x[rows])
    thirds_sorted = thirds
    print(f"{len(remarks)} remarks, min_cluster_size {mcs(len(remarks))}", flush=True)
    rows = []
    for name in args.candidates.split(","):
        t0 = time.perf_counter()
        rows.append(evaluate(name, data, codes, thirds_sorted, args.cross, not args.no_split))
        print(json.dumps(rows[-1]), f"({time.perf_counter() - t0:.0f} s)", flush=True)
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
