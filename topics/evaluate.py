"""Topic quality: coherence, diversity, outliers, stability across seeds, agreement with external codes.

Every measure is computed on the corpus itself and says how:

* **NPMI coherence** of each topic's top-k words (k = 10) with document-level co-occurrence: a
  "document" is one remark; ``P(w)`` is the share of remarks containing w, ``P(w1, w2)`` the share
  containing both; NPMI = log(P(w1,w2) / (P(w1) P(w2))) / -log P(w1,w2), -1 for pairs that never
  co-occur, averaged over the word pairs of a topic (Bouma 2009; Röder et al. 2015 ``C_NPMI``).
  Multi-word keywords count as present when every word of them is.
* **Topic diversity**: share of unique words among the top-k words of all topics (Dieng et al. 2020).
* **Outlier share** and the **size distribution** of topics.
* **Stability**: the model is refit with other seeds (and once with the remark order shuffled) on the
  cached embeddings; mean pairwise adjusted Rand index of the remark assignments, and for each topic
  how often a matching topic reappears (the refit topic holding most of its remarks, with Jaccard overlap
  of at least 0.5). Topics that reappear in at least 80% of refits are ``robust``, others ``fragile``.
* **External codes**: normalised mutual information between topics and an utterance-level code column
  (AnnoMI's therapist behaviour, MIBot's MISC labels, ESConv's strategies), and per topic its dominant
  code and purity.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from topics._files import export_csv
from topics.analysis import Analysis
from topics.config import TopicConfig
from topics.model import TopicModel
from topics.runs import EVALUATION_DIR, derived_folder

TOP_K = 10
EVALUATION_TABLES = ("summary", "per_topic", "stability_pairwise", "stability_topics", "grid")
"""The tables of ``RUN/evaluation`` (``NAME.csv``), as :func:`save_evaluation` writes them."""


def _doc_sets(texts: list[str], words: set[str]) -> dict[str, np.ndarray]:
    """For each needed single word, the boolean vector of remarks containing it."""
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(vocabulary=sorted(words), token_pattern=r"(?u)\b\w\w+\b", lowercase=True, binary=True)
    m = vec.fit_transform(texts).tocsc()
    return {w: (m[:, i].toarray().ravel() > 0) for w, i in vec.vocabulary_.items()}


def npmi_coherence(topic_words: dict[int, list[str]], texts: list[str], top_k: int = TOP_K) -> pd.DataFrame:
    """NPMI coherence of each topic's top-k words over the remarks (document-level co-occurrence).

    Parameters
    ----------
    topic_words : dict of int to list of str
        Top words (or phrases) per topic, best first.
    texts : list of str
        The reference corpus (the remarks).
    top_k : int

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``npmi`` (mean over word pairs), ``pairs`` (pairs scored).
    """
    heads = {t: [w.lower() for w in ws[:top_k]] for t, ws in topic_words.items()}
    singles = {part for ws in heads.values() for w in ws for part in w.split()}
    present = _doc_sets(texts, singles)
    n = len(texts)

    def occurs(phrase: str) -> np.ndarray:
        found = [present.get(p) for p in phrase.split()]
        parts = [p for p in found if p is not None]
        if len(parts) < len(found) or not parts:
            return np.zeros(n, dtype=bool)
        out = parts[0].copy()
        for p in parts[1:]:
            out &= p
        return out

    rows = []
    for t, ws in heads.items():
        vecs = [occurs(w) for w in ws]
        scores = []
        for a, b in itertools.combinations(range(len(ws)), 2):
            pa, pb = vecs[a].mean(), vecs[b].mean()
            pab = (vecs[a] & vecs[b]).mean()
            if pa == 0 or pb == 0:
                continue
            if pab == 0:
                scores.append(-1.0)
            elif pab == 1:
                scores.append(1.0)
            else:
                scores.append(float(np.log(pab / (pa * pb)) / -np.log(pab)))
        rows.append({"topic": int(t), "npmi": float(np.mean(scores)) if scores else np.nan, "pairs": len(scores)})
    return pd.DataFrame(rows)


def topic_diversity(topic_words: dict[int, list[str]], top_k: int = TOP_K) -> float:
    """Share of unique words among the top-k words of all topics (1 = no word shared)."""
    words = [w.lower() for ws in topic_words.values() for w in ws[:top_k]]
    return len(set(words)) / len(words) if words else float("nan")


def code_agreement(assignments: pd.DataFrame, code: str = "code") -> tuple[float, pd.DataFrame]:
    """Normalised mutual information between topics and an utterance-level code, and per-topic purity.

    Remarks without a topic or without a code are left out.

    Returns
    -------
    nmi : float
    per_topic : pandas.DataFrame
        ``topic``, ``dominant_code``, ``purity`` (share of the topic's coded remarks with that code),
        ``coded_remarks``.
    """
    from sklearn.metrics import normalized_mutual_info_score

    a = assignments[(assignments["topic"] != -1) & assignments[code].notna()]
    if a.empty or a[code].nunique() < 2:
        return float("nan"), pd.DataFrame(columns=["topic", "dominant_code", "purity", "coded_remarks"])
    nmi = float(normalized_mutual_info_score(a[code].astype(str), a["topic"]))
    table = pd.crosstab(a["topic"], a[code].astype(str))
    per = pd.DataFrame(
        {
            "topic": table.index,
            "dominant_code": table.idxmax(axis=1).to_numpy(),
            "purity": (table.max(axis=1) / table.sum(axis=1)).to_numpy(),
            "coded_remarks": table.sum(axis=1).to_numpy(),
        }
    )
    return nmi, per.reset_index(drop=True)


def match_topics(reference: np.ndarray, other: np.ndarray, min_jaccard: float = 0.5) -> dict[int, int | None]:
    """For each reference topic, the topic of ``other`` holding most of its remarks, if their Jaccard >= threshold."""
    out: dict[int, int | None] = {}
    for t in np.unique(reference):
        if t == -1:
            continue
        members = reference == t
        cand, counts = np.unique(other[members], return_counts=True)
        keep = cand != -1
        if not keep.any():
            out[int(t)] = None
            continue
        best = int(cand[keep][counts[keep].argmax()])
        jacc = (members & (other == best)).sum() / (members | (other == best)).sum()
        out[int(t)] = best if jacc >= min_jaccard else None
    return out


def _remarks_and_embeddings(analysis: Analysis) -> tuple[pd.DataFrame, np.ndarray]:
    """The remarks the model was fitted on (without its output columns) and their cached embeddings."""
    base = analysis.raw_assignments.reset_index(drop=True)
    cols = [c for c in base.columns if c not in ("topic", "label", "probability", "similarity", "outlier_reassigned")]
    remarks = base[cols]
    return remarks, analysis.model.embed(remarks["text"].astype(str).tolist())


@dataclass
class Stability:
    """Stability of a model across refits.

    Attributes
    ----------
    mean_ari : float
        Mean pairwise adjusted Rand index over all fits (the original included).
    pairwise : pandas.DataFrame
        ``fit_a``, ``fit_b``, ``ari``.
    per_topic : pandas.DataFrame
        ``topic``, ``reappears`` (share of refits with a matching topic), ``robust``.
    fits : list of str
        What each fit was (``seed 42``, ``seed 43``, ``seed 42, shuffled order``...).
    """

    mean_ari: float
    pairwise: pd.DataFrame
    per_topic: pd.DataFrame
    fits: list[str] = field(default_factory=list)


def stability(
    analysis: Analysis,
    seeds: list[int] | None = None,
    shuffle: bool = True,
    robust_share: float = 0.8,
    *,
    show_progress: bool = True,
) -> Stability:
    """Refit the analysis' model with other seeds (and shuffled order) and measure agreement.

    Only clustering is repeated: embeddings come from the cache.

    Parameters
    ----------
    analysis : Analysis
    seeds : list of int, optional
        Extra seeds (default: the next two after the model's seed).
    shuffle : bool
        Also refit with the model's seed on the remarks in shuffled order (BERTopic issue #2276).
    robust_share : float
        A topic is robust when a matching topic reappears in at least this share of refits.
    show_progress : bool, default True
        A progress bar over the refits (each takes seconds to minutes).

    Returns
    -------
    Stability
    """
    from sklearn.metrics import adjusted_rand_score

    base = analysis.raw_assignments.reset_index(drop=True)
    remarks, emb = _remarks_and_embeddings(analysis)
    seed0 = analysis.config.seed
    seeds = seeds if seeds is not None else [seed0 + 1, seed0 + 2]
    labelings = {f"seed {seed0}": base["topic"].to_numpy()}
    runs: list[tuple[str, int, np.ndarray | None]] = [
        (f"seed {s}" + (f" (refit {i + 1})" if s == seed0 or seeds[:i].count(s) else ""), s, None)
        for i, s in enumerate(seeds)
    ]
    if shuffle:
        runs.append((f"seed {seed0}, shuffled order", seed0, np.random.default_rng(seed0).permutation(len(remarks))))
    for name, seed, order in tqdm(runs, desc="Stability refits", unit="fit", disable=not show_progress):
        cfg = TopicConfig.from_dict(analysis.config.to_dict())
        cfg.seed = seed
        rows = order if order is not None else np.arange(len(remarks))
        model = TopicModel(cfg, embedder=analysis.model.embedder).fit(
            remarks.iloc[rows].reset_index(drop=True), emb[rows]
        )
        topics = np.empty(len(remarks), dtype=np.int64)
        topics[rows] = model.assignments_["topic"].to_numpy()
        labelings[name] = topics
    names = list(labelings)
    pairwise = pd.DataFrame(
        [
            {"fit_a": a, "fit_b": b, "ari": float(adjusted_rand_score(labelings[a], labelings[b]))}
            for a, b in itertools.combinations(names, 2)
        ]
    )
    ref = labelings[names[0]]
    matches = [match_topics(ref, labelings[n]) for n in names[1:]]
    per_topic = pd.DataFrame(
        [{"topic": t, "reappears": float(np.mean([m[t] is not None for m in matches]))} for t in sorted(matches[0])]
    )
    per_topic["robust"] = per_topic["reappears"] >= robust_share
    return Stability(mean_ari=float(pairwise["ari"].mean()), pairwise=pairwise, per_topic=per_topic, fits=names)


def evaluate(analysis: Analysis, *, code: str | None = "code", top_k: int = TOP_K) -> dict[str, Any]:
    """The cheap quality measures of an analysis (no refit): coherence, diversity, outliers, sizes, codes.

    Parameters
    ----------
    analysis : Analysis
        Raw or curated (the measures follow :attr:`Analysis.topics`).
    code : str, optional
        Utterance-level code column for NMI (skipped when absent).
    top_k : int

    Returns
    -------
    dict
        ``summary`` (one-row DataFrame: topics, outlier_share, npmi, diversity, nmi, median/min/max size),
        ``per_topic`` (DataFrame: topic, label, size, npmi, dominant_code, purity).
    """
    topics = analysis.topics
    a = analysis.assignments
    real = topics[topics["topic"] != -1]
    words = {int(t): list(w) for t, w in zip(real["topic"], real["words"], strict=True)}
    coh = npmi_coherence(words, a["text"].astype(str).tolist(), top_k=top_k)
    nmi, purity = (
        code_agreement(a, code)
        if code and code in a.columns
        else (float("nan"), pd.DataFrame(columns=["topic", "dominant_code", "purity", "coded_remarks"]))
    )
    per = real[["topic", "label", "size"]].merge(coh, on="topic", how="left").merge(purity, on="topic", how="left")
    sizes = real["size"]
    summary = pd.DataFrame(
        [
            {
                "topics": len(real),
                "outlier_share": float((a["topic"] == -1).mean()),
                "npmi": float(coh["npmi"].mean()),
                "diversity": topic_diversity(words, top_k),
                "nmi_codes": nmi,
                "size_median": float(sizes.median()) if len(sizes) else np.nan,
                "size_min": int(sizes.min()) if len(sizes) else 0,
                "size_max": int(sizes.max()) if len(sizes) else 0,
            }
        ]
    )
    return {"summary": summary, "per_topic": per.sort_values("size", ascending=False).reset_index(drop=True)}


def model_grid(
    analysis: Analysis,
    *,
    min_cluster_size: list[int | str] | None = None,
    n_neighbors: list[int] | None = None,
    code: str | None = "code",
    show_progress: bool = True,
) -> pd.DataFrame:
    """Refit over a small grid of settings (embeddings from the cache) and score each fit.

    Parameters
    ----------
    analysis : Analysis
        Supplies the remarks, the embeddings and the base config.
    min_cluster_size : list, optional
        HDBSCAN ``min_cluster_size`` values (integers or ``"auto"``); default the current one.
    n_neighbors : list of int, optional
        UMAP ``n_neighbors`` values; default the current one.
    code : str, optional
        Code column for NMI.
    show_progress : bool, default True
        A progress bar over the settings.

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``min_cluster_size``, ``n_neighbors``, ``topics``, ``outlier_share``,
        ``npmi``, ``diversity``, ``nmi_codes``, ``fit_s``.
    """
    import time
    from dataclasses import replace as dc_replace

    remarks, emb = _remarks_and_embeddings(analysis)
    rows = []
    grid = list(
        itertools.product(
            min_cluster_size or [analysis.config.hdbscan.min_cluster_size],
            n_neighbors or [analysis.config.umap.n_neighbors],
        )
    )
    for mcs, nn in tqdm(grid, desc="Model grid", unit="fit", disable=not show_progress):
        cfg = TopicConfig.from_dict(analysis.config.to_dict())
        cfg.hdbscan.min_cluster_size = mcs
        cfg.umap.n_neighbors = nn
        t0 = time.perf_counter()
        model = TopicModel(cfg, embedder=analysis.model.embedder).fit(remarks, emb)
        fit_s = time.perf_counter() - t0
        trial = dc_replace(analysis, model=model, curation=None)
        s = evaluate(trial, code=code)["summary"].iloc[0]
        rows.append(
            {
                "min_cluster_size": model.min_cluster_size_,
                "setting": str(mcs),
                "n_neighbors": nn,
                "topics": int(s["topics"]),
                "outlier_share": s["outlier_share"],
                "npmi": s["npmi"],
                "diversity": s["diversity"],
                "nmi_codes": s["nmi_codes"],
                "fit_s": round(fit_s, 1),
            }
        )
    return pd.DataFrame(rows)


def save_evaluation(run: str | Path, analysis: Analysis, tables: dict[str, pd.DataFrame]) -> Path:
    """Write evaluation tables into ``RUN/evaluation``, stamped with the model they were computed on.

    The folder is written atomically with a ``manifest.json`` holding :attr:`Analysis.fingerprint`; the report
    and the workbench read it only while the run holds that model (:func:`topics.runs.stale_reason`). Tables
    of an earlier evaluation of the same model that are not given again are kept; those of another model are
    dropped.

    Parameters
    ----------
    run : str or Path
        The run folder ``analysis`` was loaded from.
    analysis : Analysis
        The raw analysis the tables were computed on.
    tables : dict of str to pandas.DataFrame
        Tables by name, from :data:`EVALUATION_TABLES` (``summary`` and ``per_topic`` from :func:`evaluate`,
        ``stability_pairwise`` and ``stability_topics`` from :func:`stability`, ``grid`` from :func:`model_grid`).

    Returns
    -------
    Path
        The evaluation folder.

    Raises
    ------
    ValueError
        A table name that is not one of :data:`EVALUATION_TABLES`.
    """
    unknown = sorted(set(tables) - set(EVALUATION_TABLES))
    if unknown:
        raise ValueError(f"unknown evaluation table(s) {unknown}; expected names from {list(EVALUATION_TABLES)}")
    folder = Path(run) / EVALUATION_DIR
    with derived_folder(folder, analysis.fingerprint, written_by="topics evaluate") as tmp:
        for name, table in tables.items():
            export_csv(table, tmp / f"{name}.csv")
    return folder
