"""Agreement between two experts' ledgers on the same model.

Before a team analyses curated topics, it should know where its experts agree:

* **which remarks end up together** — the adjusted Rand index between the two curated assignments
  (every set-aside bucket and the outliers count as groups of their own), and the plain pairwise
  co-assignment agreement (the share of remark pairs that both experts put together, or both apart);
* **which topics are dropped** — Cohen's kappa over the raw topics (dropped or kept by each expert);
* **what the topics are called** — a side-by-side table of each raw topic's curated label in both ledgers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics.curate.ledger import Ledger
from topics.curate.replay import apply_ledger, as_model
from topics.curate.view import CuratedView


@dataclass
class LedgerAgreement:
    """How far two ledgers agree.

    Attributes
    ----------
    adjusted_rand : float
        Adjusted Rand index of the two curated groupings of remarks (1 = identical, about 0 = chance).
    pair_agreement : float
        Share of remark pairs on which both ledgers agree (together in both, or apart in both).
    drop_kappa : float
        Cohen's kappa of the drop decisions over raw topics (NaN when neither expert's decisions vary).
    drop_agreement : float
        Share of raw topics with the same drop decision.
    labels : pandas.DataFrame
        ``raw_topic``, ``raw_label``, ``remarks``, ``label_a``, ``dropped_a``, ``label_b``, ``dropped_b``,
        ``same_decision``.
    """

    adjusted_rand: float
    pair_agreement: float
    drop_kappa: float
    drop_agreement: float
    labels: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """The four numbers as a small table."""
        return pd.DataFrame(
            {
                "measure": [
                    "adjusted Rand index (remarks grouped together)",
                    "pairwise co-assignment agreement",
                    "Cohen's kappa (drop decisions per raw topic)",
                    "drop decisions identical (share of topics)",
                ],
                "value": [self.adjusted_rand, self.pair_agreement, self.drop_kappa, self.drop_agreement],
            }
        )


def _groups(view: CuratedView) -> np.ndarray:
    a = view.assignments
    keys = np.where(
        a["bucket"].astype(str) != "", "bucket:" + a["bucket"].astype(str), "topic:" + a["topic"].astype(str)
    )
    return pd.factorize(keys)[0]


def pair_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Rand index: share of item pairs grouped alike (together in both or apart in both) by two labelings."""
    n = len(a)
    if n < 2:
        return 1.0
    table = pd.crosstab(a, b).to_numpy().astype(np.float64)
    comb = lambda x: x * (x - 1) / 2  # noqa: E731
    together_both = comb(table).sum()
    together_a = comb(table.sum(axis=1)).sum()
    together_b = comb(table.sum(axis=0)).sum()
    total = comb(float(n))
    return float((total + 2 * together_both - together_a - together_b) / total)


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two binary/categorical ratings; NaN when expected agreement is 1 (no variation)."""
    a, b = np.asarray(a), np.asarray(b)
    cats = np.union1d(a, b)
    po = float((a == b).mean())
    pe = float(sum((a == c).mean() * (b == c).mean() for c in cats))
    return float("nan") if pe >= 1 else (po - pe) / (1 - pe)


def _decisions(view: CuratedView) -> pd.DataFrame:
    a = view.assignments
    dropped = a["bucket"].astype(str) != ""
    per = (
        a.assign(dropped=dropped)
        .groupby("raw_topic")
        .agg(
            remarks=("utterance_id", "size"),
            dropped=("dropped", "mean"),
            label=("label", lambda s: s.value_counts().index[0]),
        )
    )
    per["dropped"] = per["dropped"] > 0.5
    return per


def compare_ledgers(model: Any, ledger_a: Ledger | str | Path, ledger_b: Ledger | str | Path) -> LedgerAgreement:
    """Compare two ledgers applied to the same model.

    Parameters
    ----------
    model : TopicModel
        The fitted model (an :class:`~topics.analysis.Analysis` is accepted for its ``.model``).
    ledger_a, ledger_b : Ledger, str or Path

    Returns
    -------
    LedgerAgreement
    """
    from sklearn.metrics import adjusted_rand_score

    va, vb = apply_ledger(model, ledger_a), apply_ledger(model, ledger_b)
    ga, gb = _groups(va), _groups(vb)
    da, db = _decisions(va), _decisions(vb)
    raw = as_model(model).topics_.set_index("topic")["label"]
    table = pd.DataFrame(
        {
            "raw_topic": da.index,
            "raw_label": raw.reindex(da.index).to_numpy(),
            "remarks": da["remarks"].to_numpy(),
            "label_a": da["label"].to_numpy(),
            "dropped_a": da["dropped"].to_numpy(),
            "label_b": db["label"].reindex(da.index).to_numpy(),
            "dropped_b": db["dropped"].reindex(da.index).to_numpy(),
        }
    )
    table["same_decision"] = (table["dropped_a"] == table["dropped_b"]) & (
        table["dropped_a"] | (table["label_a"].str.lower() == table["label_b"].str.lower())
    )
    real = table[table["raw_topic"] != -1]
    return LedgerAgreement(
        adjusted_rand=float(adjusted_rand_score(ga, gb)),
        pair_agreement=pair_agreement(ga, gb),
        drop_kappa=cohen_kappa(real["dropped_a"].to_numpy(), real["dropped_b"].to_numpy()),
        drop_agreement=float((real["dropped_a"] == real["dropped_b"]).mean()),
        labels=table,
    )


def merged_ledger(
    model: Any,
    ledger_a: Ledger | str | Path,
    ledger_b: Ledger | str | Path,
    choices: dict[int, str],
    *,
    author: str,
) -> Ledger:
    """A ledger that takes, for each raw topic, the decision of one of two experts.

    Each raw topic gets the decision (kept with a label, or dropped to a bucket) of the side chosen for
    it, ``"a"`` unless ``choices`` says ``"b"``; raw topics that end with the same label are merged. The
    entries are written on the raw topics, with fingerprints. A raw topic that an expert split is given
    the label most of its remarks got.

    Parameters
    ----------
    model : TopicModel
        The model both ledgers were written on (an :class:`~topics.analysis.Analysis` is accepted).
    ledger_a, ledger_b : Ledger, str or Path
    choices : dict
        Raw topic -> ``"a"`` or ``"b"``.
    author : str
        Recorded with every entry (e.g. ``"A. Expert (merged from A and B)"``).

    Returns
    -------
    Ledger
        Not saved; checked by applying it to the model.
    """
    from topics.curate.curator import ledger_for
    from topics.curate.ledger import Entry, now

    bad = {t: c for t, c in choices.items() if c not in ("a", "b")}
    if bad:
        raise ValueError(f"choices must be 'a' or 'b', got {bad}")
    labels = compare_ledgers(model, ledger_a, ledger_b).labels
    raw_view = apply_ledger(model, None)
    raw_label = dict(zip(raw_view.topics["topic"], raw_view.topics["label"], strict=True))
    book = ledger_for(model)
    stamp = now()

    def entry(op: str, topics: list[int], **kw: Any) -> Entry:
        return Entry(
            op=op,
            topics=topics,
            author=author,
            time=stamp,
            fingerprints=[raw_view.fingerprint(t) for t in topics],
            **kw,
        )

    kept: dict[str, list[tuple[int, str]]] = {}
    for r in labels[labels["raw_topic"] != -1].itertuples():
        side = choices.get(int(r.raw_topic), "a")
        dropped, label = (r.dropped_a, r.label_a) if side == "a" else (r.dropped_b, r.label_b)
        if dropped:
            book.append(entry("drop", [int(r.raw_topic)], bucket=None if label == "outliers" else str(label)))
        elif str(label) != raw_label.get(int(r.raw_topic)):
            kept.setdefault(str(label).strip().lower(), []).append((int(r.raw_topic), str(label)))
    for group in kept.values():
        topics = sorted(t for t, _ in group)
        label = group[0][1]
        if len(topics) > 1:
            book.append(entry("merge", topics, label=label))
        else:
            book.append(entry("rename", topics, label=label))
    apply_ledger(model, book, mode="strict")
    return book
