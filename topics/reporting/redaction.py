"""What a shared report shows of the transcripts: de-identified remarks and names masked in topic words.

Reports de-identify by default (``[report] deidentify = true``, with the ``[deidentify]`` settings): the representative remarks, the remarks
in the document map's hover text and the worksheet remarks are scrubbed with
:class:`topics.clean.Deidentifier`, and every word that the scrubber recognised as a personal name in
those remarks (plus the configured ``known_names``) is replaced by ``[NAME]`` in topic labels, keywords,
top-word charts and distinctive-word lists. The model, the tables on disk and the analysis in memory are
not changed: only what goes into the HTML (and its static figures).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from topics.analysis import Analysis, assignment_table, topic_table
from topics.clean import Deidentifier, mask_words
from topics.curate import CuratedView, apply_ledger
from topics.model import sample_layout

NAME = "[NAME]"


def mask_names(text: str, names: set[str]) -> str:
    """Replace whole words found in ``names`` (lower case), and a word after "dr", "mr"..., by ``[NAME]``.

    The same rule as the workbench and the worksheet (:func:`topics.clean.mask_words`).
    """
    if not isinstance(text, str):
        return text
    return mask_words(text, names)


def _proper_only(names: set[str], texts: pd.Series) -> set[str]:
    """Keep the words that the corpus writes capitalised more often than not (names, not "family").

    NER now and then tags a common word as a person; masking it everywhere would hide real topic words.
    """
    if not names:
        return names
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names)) + r")\b", re.IGNORECASE)
    upper: dict[str, int] = {}
    lower: dict[str, int] = {}
    for text in texts:
        for m in pattern.finditer(text):
            word = m.group(0)
            bucket = lower if word.islower() else upper
            bucket[word.lower()] = bucket.get(word.lower(), 0) + 1
    return {n for n in names if upper.get(n, 0) >= lower.get(n, 0)}


def redact(
    analysis: Analysis,
    *,
    known_names: list[str] | None = None,
    use_ner: bool = True,
    max_points: int = 5000,
    deidentifier: Deidentifier | None = None,
) -> tuple[Analysis, dict[str, int], set[str]]:
    """A copy of an analysis whose displayed texts are de-identified.

    Parameters
    ----------
    analysis : Analysis
        Raw or curated.
    known_names : list of str, optional
        Names known to occur (whole word, any case).
    use_ner : bool
        Use spaCy NER as well as the rules.
    max_points : int
        Document-map sample size (the same seeded sample as :func:`topics.model.sample_layout`).
    deidentifier : Deidentifier, optional
        Reuse a loaded one.

    Returns
    -------
    analysis : Analysis
        Its ``assignments`` carry ``display_text`` (scrubbed, for the sampled remarks) and masked labels;
        its ``topics`` scrubbed representative remarks and masked labels and keywords.
    counts : dict
        ``remarks_scrubbed``, ``identifiers`` (placeholders inserted), ``name_words`` (distinct words
        masked in labels and keywords).
    names : set of str
        The masked name words (lower case), to mask other tables shown beside these.
    """
    deid = deidentifier or Deidentifier(known_names=known_names or (), use_ner=use_ner)
    known_names = list(dict.fromkeys([*(known_names or []), *deid.known_names]))
    view: CuratedView = analysis.curation if analysis.curation is not None else apply_ledger(analysis.model, None)
    topics = view.topics.copy()
    assignments = view.assignments.copy()

    sample = sample_layout(assignments, analysis.document_map, max_points=max_points, seed=analysis.config.seed)
    shown_ids = sample["utterance_id"].astype(str).tolist()
    text_of = dict(zip(assignments["utterance_id"].astype(str), assignments["text"].astype(str), strict=True))
    rep_texts = [t for texts in topics["representative_texts"] for t in texts]
    texts = list(dict.fromkeys([text_of[u] for u in shown_ids] + rep_texts))
    spans = deid.find_many(texts)
    scrubbed = {t: deid.replace(t, s) for t, s in zip(texts, spans, strict=True)}
    names = {
        w.lower() for s in spans for sp in s if sp.kind == "NAME" for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", sp.text)
    }
    names |= {n.lower() for n in (known_names or []) for n in re.findall(r"[A-Za-z][A-Za-z'\-]*", n)}
    names -= {"i", "a", "the", "and", "mr", "mrs", "ms", "dr"}
    names = _proper_only(names, assignments["text"].astype(str))
    names |= {n.lower() for n in (known_names or []) for n in re.findall(r"[A-Za-z][A-Za-z'\-]*", n)}

    assignments["display_text"] = ""
    shown = assignments["utterance_id"].astype(str).isin(set(shown_ids)).to_numpy()
    assignments.loc[shown, "display_text"] = [scrubbed[t] for t in assignments.loc[shown, "text"].astype(str)]
    topics["representative_texts"] = topics["representative_texts"].map(lambda ts: [scrubbed.get(t, t) for t in ts])
    # what experts typed (their labels, notes, rationales) is scrubbed like remarks: a note may name the client;
    # labels made of keywords only get names masked
    custom = topics["custom_label"].astype(bool) if "custom_label" in topics.columns else pd.Series(False, topics.index)
    typed = _scrub_typed(
        deid,
        names,
        [
            *topics.loc[custom, "label"].astype(str),
            *(topics["notes"].astype(str) if "notes" in topics.columns else []),
            *view.log.get("written", pd.Series(dtype=str)).astype(str),
            *view.log.get("rationale", pd.Series(dtype=str)).astype(str),
        ],
    )

    def label(text: object) -> object:
        return typed.get(text) or mask_names(text, names) if isinstance(text, str) else text

    topics["label"] = topics["label"].map(label)
    assignments["label"] = assignments["label"].map(label)
    topics["keywords"] = topics["keywords"].map(lambda x: mask_names(x, names))
    topics["words"] = topics["words"].map(lambda ws: [mask_names(w, names) for w in ws])
    if "notes" in topics.columns:
        topics["notes"] = topics["notes"].astype(str).map(label)
    log = view.log.copy()
    for col in ("written", "rationale"):
        if col in log.columns:
            log[col] = log[col].astype(str).map(label)
    word_scores = view.word_scores.copy()
    word_scores["word"] = word_scores["word"].map(lambda x: mask_names(x, names))
    flows = view.flows.copy()
    for col in ("raw_label", "label"):
        flows[col] = flows[col].map(label)
    display = replace(view, topics=topics, assignments=assignments, word_scores=word_scores, flows=flows, log=log)
    out = replace(analysis, curation=display)
    counts = {"remarks_scrubbed": len(texts), "identifiers": int(sum(len(s) for s in spans)), "name_words": len(names)}
    return out, counts, names


def _scrub_typed(deid: Deidentifier, names: set[str], texts: list[str]) -> dict[str, str]:
    """Scrubbed (and name-masked) version of every distinct typed text."""
    distinct = list(dict.fromkeys(texts))
    return {t: mask_names(s, names) for t, s in zip(distinct, deid.scrub_many(distinct), strict=True)}


def text_masker(
    analysis: Analysis,
    *,
    known_names: list[str] | None = None,
    use_ner: bool = True,
    deidentifier: Deidentifier | None = None,
) -> Callable[[list[str]], list[str]]:
    """A function that de-identifies topic labels and words the way the report does, for tables that leave the run.

    Each text goes through the scrubber (contacts, handles, places...), then the name words found in the remarks
    the report shows (:func:`redact`, the same set) and any word after a title ("dr fields") are masked.

    Parameters
    ----------
    analysis : Analysis
    known_names : list of str, optional
    use_ner : bool
    deidentifier : Deidentifier, optional

    Returns
    -------
    callable
        List of texts -> the same texts de-identified, in order.
    """
    deid = deidentifier or Deidentifier(known_names=known_names or (), use_ner=use_ner)
    _, _, names = redact(analysis, known_names=known_names, use_ner=use_ner, deidentifier=deid)

    def mask(texts: list[str]) -> list[str]:
        return [mask_words(t, names) for t in deid.scrub_many([str(t) for t in texts])]

    return mask


def mask_table_words(table: pd.DataFrame, column: str, names: set[str]) -> pd.DataFrame:
    """A copy of ``table`` with names masked in one text column."""
    out = table.copy()
    out[column] = out[column].map(lambda x: mask_names(x, names) if isinstance(x, str) else x)
    return out


def deidentified_tables(
    analysis: Analysis,
    *,
    known_names: list[str] | None = None,
    use_ner: bool = True,
    deidentifier: Deidentifier | None = None,
) -> dict[str, pd.DataFrame]:
    """The curated tables as they may leave the run folder: every remark scrubbed, names masked in topic words.

    What the report shows, for every remark rather than a sample: remarks and representative remarks are
    scrubbed; labels, keywords and the experts' typed notes and rationales pass through the same scrubber, and
    the name words found in the remarks are masked in labels and keywords (:func:`redact`).

    Parameters
    ----------
    analysis : Analysis
        Raw or curated (its ``curation`` is used when set).
    known_names : list of str, optional
    use_ner : bool
    deidentifier : Deidentifier, optional
        Reuse a loaded one.

    Returns
    -------
    dict
        ``topics`` (:func:`topics.analysis.topic_table`), ``assignments``
        (:func:`topics.analysis.assignment_table`, ``text`` scrubbed) and ``ledger_log``.
    """
    deid = deidentifier or Deidentifier(known_names=known_names or (), use_ner=use_ner)
    n = len(analysis.curation.assignments if analysis.curation is not None else analysis.raw_assignments)
    shown, _, _ = redact(analysis, known_names=known_names, use_ner=use_ner, max_points=n + 1, deidentifier=deid)
    view = shown.curation
    assert view is not None, "redact() always returns a curated view"
    assignments = view.assignments.copy()
    missing = assignments["display_text"].astype(str) == ""  # remarks the document map does not hold
    if missing.any():
        assignments.loc[missing, "display_text"] = deid.scrub_many(
            assignments.loc[missing, "text"].astype(str).tolist()
        )
    assignments["text"] = assignments.pop("display_text")
    return {"topics": topic_table(view.topics), "assignments": assignment_table(assignments), "ledger_log": view.log}
