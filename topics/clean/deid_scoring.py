"""Scoring a de-identifier against hand-labelled identifiers: span recall, typed recall, precision.

Used by the tests and ``benchmarks/deid_eval.py`` to measure :class:`topics.clean.Deidentifier`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

COMPATIBLE_KINDS: frozenset[frozenset[str]] = frozenset(
    {frozenset({"ADDRESS", "LOCATION"}), frozenset({"PHONE", "ID"})}
)
"""Pairs of kinds that count as the same for typed recall: a street address found as a place (or the
reverse), and a phone number found as an ID number (or the reverse)."""


def kinds_compatible(gold: str, predicted: str) -> bool:
    """Whether a predicted kind counts as correct for a gold kind in typed recall.

    Parameters
    ----------
    gold, predicted : str
        Two kinds from :data:`topics.clean.deidentify.KINDS`.

    Returns
    -------
    bool
        True for the same kind and for the pairs in :data:`COMPATIBLE_KINDS`.
    """
    return gold == predicted or frozenset({gold, predicted}) in COMPATIBLE_KINDS


def _field(span: Any, name: str) -> Any:
    return span[name] if isinstance(span, Mapping) else getattr(span, name)


def evaluate_spans(gold: Sequence[Sequence[Any]], predicted: Sequence[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """Span-level recall and precision of predicted identifiers against hand-labelled ones.

    A gold span is *leak-found* when any predicted span overlaps it (it is scrubbed, whatever the
    placeholder says) and *typed-found* when an overlapping predicted span has a compatible kind
    (:func:`kinds_compatible`). A predicted span is *correct* when it overlaps any gold span.
    Character coverage is the share of gold identifier characters that fall inside a predicted span.

    Parameters
    ----------
    gold, predicted : sequence of sequence of Span or mapping
        Per text, the gold and the predicted spans; each has ``start``, ``end`` and ``kind``
        (attributes or keys).

    Returns
    -------
    dict
        ``{kind or "ALL": {"gold", "leak_found", "typed_found", "gold_chars", "covered_chars",
        "predicted", "predicted_correct", "leak_recall", "typed_recall", "char_recall", "precision"}}``;
        rates are NaN where their denominator is zero. Gold counts are by gold kind, predicted
        counts by predicted kind.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} texts, predicted {len(predicted)}")
    counts: dict[str, dict[str, Any]] = {}

    def row(kind: str) -> dict[str, Any]:
        return counts.setdefault(
            kind,
            dict.fromkeys(
                ("gold", "leak_found", "typed_found", "gold_chars", "covered_chars", "predicted", "predicted_correct"),
                0,
            ),
        )

    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        g = [(_field(s, "start"), _field(s, "end"), _field(s, "kind")) for s in gold_spans]
        p = [(_field(s, "start"), _field(s, "end"), _field(s, "kind")) for s in pred_spans]
        for gs, ge, gk in g:
            hits = [pk for ps, pe, pk in p if ps < ge and gs < pe]
            covered = sum(1 for i in range(gs, ge) if any(ps <= i < pe for ps, pe, _ in p))
            for key in (gk, "ALL"):
                r = row(key)
                r["gold"] += 1
                r["leak_found"] += bool(hits)
                r["typed_found"] += any(kinds_compatible(gk, pk) for pk in hits)
                r["gold_chars"] += ge - gs
                r["covered_chars"] += covered
        for ps, pe, pk in p:
            correct = any(gs < pe and ps < ge for gs, ge, _ in g)
            for key in (pk, "ALL"):
                r = row(key)
                r["predicted"] += 1
                r["predicted_correct"] += correct
    nan = float("nan")
    for r in counts.values():
        r["leak_recall"] = r["leak_found"] / r["gold"] if r["gold"] else nan
        r["typed_recall"] = r["typed_found"] / r["gold"] if r["gold"] else nan
        r["char_recall"] = r["covered_chars"] / r["gold_chars"] if r["gold_chars"] else nan
        r["precision"] = r["predicted_correct"] / r["predicted"] if r["predicted"] else nan
    row("ALL")
    for key in ("leak_recall", "typed_recall", "char_recall", "precision"):
        counts["ALL"].setdefault(key, nan)
    return counts
