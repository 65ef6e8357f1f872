"""Agreement between two experts' ledgers on the same model.

Before a team analyses curated topics, it should know where its experts agree:

* **which remarks end up together** — the adjusted Rand index between the two curated assignments
  (every set-aside bucket and the outliers count as groups of their own), and the plain pairwise
  co-assignment agreement (the share of remark pairs that both experts put together, or both apart);
* **which topics are dropped** — Cohen's kappa over the raw topics (dropped or kept by each expert);
* **what the topics are called** — a side-by-side table of each raw topic's curated label in both ledgers.

Then :func:`merged_ledger` reconciles them: each raw topic is taken from one side, with that side's
entries on it kept verbatim, and the merge recorded in the ledger (:class:`~topics.curate.ledger.MergeRecord`).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics.curate.ledger import Entry, Ledger, LedgerError, now
from topics.curate.provenance import MergeRecord, MergeSource
from topics.curate.replay import apply_ledger, as_model, ledger_mode, model_embeddings, replay_entry
from topics.curate.state import ReplayState
from topics.curate.view import CuratedView
from topics.model import OUTLIER


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


def _as_ledger(ledger: Ledger | str | Path) -> Ledger:
    return ledger if isinstance(ledger, Ledger) else Ledger.load(ledger)


@dataclass
class _Traced:
    """What one ledger entry touches: the raw topics behind its topics, and the topic numbers a split makes."""

    raw: frozenset[int]
    made: list[int]


def trace_raw_topics(ledger: Ledger, raw_topics: list[int]) -> list[frozenset[int]]:
    """The raw topics behind each entry of a ledger written on a model (one that applies strictly to it).

    An entry names topics as they stand when it applies (raw topics, or topics made by earlier entries): a
    merge keeps its first topic's number and gathers the raw topics of all of them, a split keeps the number
    for its largest part and numbers the others after the highest topic so far, each part standing on the
    raw topics of the topic split, and a dropped topic is gone.

    Parameters
    ----------
    ledger : Ledger
    raw_topics : list of int
        The model's raw topics (the outliers, -1, left out).

    Returns
    -------
    list of frozenset of int
        One per entry, in order.

    Raises
    ------
    LedgerError
        An entry names a topic that does not exist at that point (file, line and entry named).
    """
    return [t.raw for t in _trace(ledger, raw_topics)]


def _trace(ledger: Ledger, raw_topics: list[int]) -> list[_Traced]:
    lineage: dict[int, frozenset[int]] = {int(t): frozenset({int(t)}) for t in raw_topics}
    next_id = max(lineage, default=-1) + 1
    out = []
    for number, entry in enumerate(ledger.entries, start=1):
        missing = [t for t in entry.topics if t not in lineage]
        if missing:
            raise LedgerError(
                f"{ledger.where(entry, number)}: {entry.describe()}: topic {missing[0]} does not exist at this point"
            )
        raw = frozenset().union(*(lineage[t] for t in entry.topics))
        made: list[int] = []
        if entry.op == "merge":
            for t in entry.topics[1:]:
                del lineage[t]
            lineage[entry.topics[0]] = raw
        elif entry.op == "drop":
            del lineage[entry.topics[0]]
        elif entry.op == "split":
            made = list(range(next_id, next_id + int(entry.k or 2) - 1))
            next_id += len(made)
            lineage.update({t: raw for t in made})
        out.append(_Traced(raw=raw, made=made))
    return out


def _replay_strict(model: Any, embeddings: np.ndarray, steps: list[tuple[Ledger, Entry, int]]) -> None:
    """Apply entries strictly, each named by its own ledger and number in an error; raise at the first failure."""
    model = as_model(model)
    state = ReplayState(model, embeddings)
    for book, entry, number in steps:
        replay_entry(state, book, entry, number, "strict", int(model.config.seed))


def _authors(book: Ledger) -> list[str]:
    return list(dict.fromkeys(e.author for e in book.entries))


def merged_ledger(
    model: Any, ledger_a: Ledger | str | Path, ledger_b: Ledger | str | Path, choices: dict[int, str], *, author: str
) -> Ledger:
    """A ledger that takes, for each raw topic, the decisions of one of two experts, kept verbatim.

    Each raw topic is taken from the side ``choices`` names for it (``"a"`` unless it says ``"b"``). The
    merged ledger holds every entry of ledger a whose topics stand only on raw topics taken from a, in
    order, then every entry of ledger b whose topics stand only on raw topics taken from b, in order (see
    :func:`trace_raw_topics`): op, label, bucket, k, labels, text, author, time, rationale and fingerprints
    as the expert wrote them. Only the numbers of topics made by splits can change (with the matching
    fingerprint numbers): the merged ledger numbers them after the splits it keeps, so b's follow a's, and
    a split left out shifts the later ones of its side. With every topic from a, the merged entries are
    a's, unchanged. A record of the merge (who merged, when, both sources and the entries taken from each,
    the side of each raw topic) is added to :attr:`Ledger.merged`, after the records of earlier merges the
    two ledgers carry.

    Parameters
    ----------
    model : TopicModel
        The model both ledgers were written on (an :class:`~topics.analysis.Analysis` is accepted).
    ledger_a, ledger_b : Ledger, str or Path
        Not changed.
    choices : dict
        Raw topic -> ``"a"`` or ``"b"``; raw topics not named are taken from a.
    author : str
        Who merged, recorded in the merge record (the entries keep their own authors).

    Returns
    -------
    Ledger
        Not saved; applied strictly to the model before it is returned.

    Raises
    ------
    ValueError
        A choice is not ``"a"`` or ``"b"``, or names a topic the model does not have.
    LedgerError
        A ledger was written on another clustering (a refit) or does not apply to the model; an entry joins
        raw topics taken from different sides (a merge, or a decision on a merged topic: the topics and
        entries are named); or an entry does not apply next to the other side's (e.g. both sides gave two
        different topics the same label).
    """
    from topics.curate.curator import ledger_for

    bad = {t: c for t, c in choices.items() if c not in ("a", "b")}
    if bad:
        raise ValueError(f"choices must be 'a' or 'b', got {bad}")
    m = as_model(model)
    raw_topics = sorted(int(t) for t in m.topics_["topic"] if int(t) != OUTLIER)
    unknown = sorted(int(t) for t in choices if int(t) not in set(raw_topics))
    if unknown:
        raise ValueError(f"choices name raw topics the model does not have: {unknown}")
    side_of = {t: "a" for t in raw_topics} | {int(t): c for t, c in choices.items()}
    books = {"a": _as_ledger(ledger_a), "b": _as_ledger(ledger_b)}
    embeddings = model_embeddings(m)
    for name, book in books.items():
        if ledger_mode(m, book) != "strict":
            raise LedgerError(
                f"ledger {name} ({book.path or 'not saved'}) was written on another clustering of the remarks "
                "(a refit): merge ledgers written on this model"
            )
        _replay_strict(m, embeddings, [(book, e, n) for n, e in enumerate(book.entries, start=1)])

    taken: dict[str, list[int]] = {"a": [], "b": []}
    mixed: list[str] = []
    steps: list[tuple[Ledger, Entry, int]] = []
    entries: list[Entry] = []
    next_id = max(raw_topics, default=-1) + 1
    for name, book in books.items():
        renumber: dict[int, int] = {}
        for number, (entry, traced) in enumerate(zip(book.entries, _trace(book, raw_topics), strict=True), start=1):
            sides = {side_of[t] for t in traced.raw}
            if len(sides) > 1:
                split_up = ", ".join(f"{t}: {side_of[t]}" for t in sorted(traced.raw))
                mixed.append(f"entry {number} of ledger {name} ({entry.describe()}) stands on raw topics {split_up}")
                continue
            if sides != {name}:
                continue
            kept = copy.deepcopy(entry)
            kept.topics = [renumber.get(t, t) for t in entry.topics]
            for fp in kept.fingerprints:
                fp.topic = renumber.get(fp.topic, fp.topic)
            if traced.made:
                renumber.update({old: next_id + i for i, old in enumerate(traced.made)})
                next_id += len(traced.made)
            taken[name].append(number)
            steps.append((book, dataclasses.replace(kept, line=entry.line), number))
            kept.line = None
            entries.append(kept)
    if mixed:
        raise LedgerError(
            f"cannot merge: {'; '.join(mixed)}; take all raw topics an entry stands on from the same side"
        )
    try:
        _replay_strict(m, embeddings, steps)
    except LedgerError as err:
        raise LedgerError(f"cannot merge: after the entries taken from the other ledger, {err}") from None

    book = ledger_for(m)
    book.entries = entries
    record = MergeRecord(
        author=author,
        time=now(),
        a=MergeSource(
            ledger=str(books["a"].path) if books["a"].path else None,
            authors=_authors(books["a"]),
            entries=len(books["a"].entries),
            taken=taken["a"],
        ),
        b=MergeSource(
            ledger=str(books["b"].path) if books["b"].path else None,
            authors=_authors(books["b"]),
            entries=len(books["b"].entries),
            taken=taken["b"],
        ),
        topics_a=[t for t in raw_topics if side_of[t] == "a"],
        topics_b=[t for t in raw_topics if side_of[t] == "b"],
    )
    earlier = [copy.deepcopy(r) for r in books["a"].merged]
    earlier += [copy.deepcopy(r) for r in books["b"].merged if r not in earlier]
    book.merged = [*earlier, record]
    return book
