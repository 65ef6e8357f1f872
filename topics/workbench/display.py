"""What the workbench shows: the topic list, de-identified remarks, escaped HTML, stability and group lifts."""

from __future__ import annotations

import html
import threading
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from topics.clean import Deidentifier, mask_words, name_words
from topics.curate import CuratedView
from topics.errors import InputError
from topics.model import OUTLIER
from topics.model.words import clean_keywords
from topics.runs import EVALUATION_DIR, run_fingerprint, stale_reason

MAX_TABLE_BYTES = 20_000_000
"""Largest evaluation table read from a run folder."""
LIFT = 1.5
"""A group is listed as over-represented in a topic when its share there is at least this times its overall share."""


def esc(text: object) -> str:
    """Escape any text for an HTML pane (transcripts, labels and notes are never trusted as markup)."""
    return html.escape(str(text), quote=True)


class Shown:
    """De-identifies the texts the workbench shows, each text once (results are cached).

    Parameters
    ----------
    deidentify : bool
        False shows remarks verbatim (private use only).
    known_names : list of str
        Names always masked.
    use_ner : bool
        Use spaCy NER as well as the rules.
    """

    def __init__(self, deidentify: bool = True, known_names: Iterable[str] = (), use_ner: bool = True) -> None:
        self.deidentify = deidentify
        self._deid = Deidentifier(known_names=list(known_names), use_ner=use_ner) if deidentify else None
        self._cache: dict[str, str] = {}
        self._names: dict[int, set[str]] = {}
        self._lock = threading.Lock()  # a long task may scrub in a worker thread while the page scrubs
        self._finds: dict[str, list] = {}  # text -> the spans found in it (NER runs once per text)

    @property
    def deidentifier(self) -> Deidentifier | None:
        """The loaded scrubber (None when de-identification is off)."""
        return self._deid

    def many(self, texts: Iterable[str]) -> list[str]:
        """The shown form of each text (scrubbed unless de-identification is off)."""
        texts = [str(t) for t in texts]
        if self._deid is None:
            return texts
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if todo:
                self._cache.update(zip(todo, self._deid.scrub_many(todo), strict=True))
            return [self._cache[t] for t in texts]

    def one(self, text: str) -> str:
        """The shown form of one text."""
        return self.many([text])[0]

    def keywords(self, keywords: Iterable[str], texts: Iterable[str]) -> list[str]:
        """Keywords (or keyword labels) scrubbed, with the names found in ``texts`` (the remarks shown) masked."""
        keywords = [str(k) for k in keywords]
        if self._deid is None:
            return keywords
        texts = list(dict.fromkeys(str(t) for t in texts))
        key = hash(tuple(texts))
        if key not in self._names:
            with self._lock:
                self._names[key] = name_words(_CachedFinds(self._deid, self._finds), texts)  # type: ignore[arg-type]
        return [mask_words(k, self._names[key]) for k in self.many(keywords)]


class _CachedFinds:
    """A de-identifier's ``find_many`` remembered per text, for :func:`topics.clean.name_words`.

    After a merge or split the set of remarks shown changes a little; without this every remark of every
    topic went through NER again (about 0.4 s per action on the demo).
    """

    def __init__(self, deid: Deidentifier, cache: dict[str, list]) -> None:
        self.deid, self.cache = deid, cache
        self.known_names = deid.known_names

    def find_many(self, texts: list[str]) -> list[list]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if todo:
            self.cache.update(zip(todo, self.deid.find_many(todo), strict=True))
        return [self.cache[t] for t in texts]


def read_stability(run: str | Path, fingerprint: str | None = None) -> dict[int, bool]:
    """Robust (True) or fragile (False) per raw topic, from ``RUN/evaluation/stability_topics.csv`` if written.

    Parameters
    ----------
    run : str or Path
        The run folder (``topics evaluate RUN`` writes the file).
    fingerprint : str, optional
        :func:`topics.runs.model_fingerprint` of the model shown; default that of the model in ``run``.

    Returns
    -------
    dict
        Raw topic -> robust; empty when the run has no stability evaluation, or one computed on another model
        (or not saying which: then a warning says to re-run ``topics evaluate``).
    """
    folder = Path(run) / EVALUATION_DIR
    path = folder / "stability_topics.csv"
    if not path.is_file():
        return {}
    fingerprint = run_fingerprint(run) if fingerprint is None else fingerprint
    stale = stale_reason(folder, fingerprint, redo=f"topics evaluate {run}")
    if stale is not None:
        warnings.warn(f"per-topic stability not shown: {stale}", stacklevel=2)
        return {}
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise InputError(f"the stability table is larger than {MAX_TABLE_BYTES:,} bytes", path=path)
    table = pd.read_csv(path)
    if not {"topic", "robust"} <= set(table.columns):
        raise InputError("the stability table needs the columns 'topic' and 'robust'", path=path, line=1)
    robust = table["robust"].astype(str).str.lower().isin({"true", "1", "yes"})
    topics = pd.to_numeric(table["topic"], errors="coerce")
    return {int(t): bool(r) for t, r in zip(topics, robust, strict=True) if pd.notna(t)}


def stability_of(view: CuratedView, robust: dict[int, bool]) -> dict[int, str]:
    """``robust`` / ``fragile`` per curated topic: robust when all its raw topics were; empty when unknown."""
    if not robust:
        return {}
    out = {}
    for t, raws in zip(view.topics["topic"], view.topics["raw_topics"], strict=True):
        known = [robust[r] for r in raws if r in robust and r != OUTLIER]
        out[int(t)] = "" if not known else ("robust" if all(known) else "fragile")
    return out


def over_represented(assignments: pd.DataFrame, by: str | None, lift: float = LIFT) -> dict[int, str]:
    """Groups whose share of a topic's remarks is at least ``lift`` times their overall share.

    A descriptive ratio to guide reading, not a test: ``topics compare`` gives the tested contrasts.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Curated per-remark table.
    by : str or None
        The group column (the run's ``[compare] by``).
    lift : float

    Returns
    -------
    dict
        Topic -> ``"llm ×2.1"`` style text (empty dict when there is no group column).
    """
    if not by or by not in assignments.columns:
        return {}
    keep = (assignments["bucket"] == "").to_numpy()
    if not keep.any():
        return {}
    topics, topic_codes = np.unique(assignments["topic"].to_numpy()[keep], return_inverse=True)
    group_codes, groups = pd.factorize(assignments[by].astype(str).to_numpy()[keep])
    counts = np.zeros((len(topics), len(groups)))
    np.add.at(counts, (topic_codes, group_codes), 1)
    overall = counts.sum(axis=0) / counts.sum()
    ratio = counts / counts.sum(axis=1, keepdims=True) / overall
    out = {}
    for i, t in enumerate(topics):
        top = sorted(((v, str(g)) for g, v in zip(groups, ratio[i], strict=True) if v >= lift), reverse=True)
        out[int(t)] = ", ".join(f"{g} ×{v:.1f}" for v, g in top)
    return out


def topic_list(view: CuratedView, shown: Shown, stability: dict[int, str], groups: dict[int, str]) -> pd.DataFrame:
    """The workbench's topic list: one row per curated topic (outliers excluded).

    Columns ``topic``, ``label``, ``size``, ``share`` (percent), ``keywords`` (de-identified), ``stability``,
    ``over_represented``, ``notes``, ``edited`` (a label an expert gave).
    """
    t = view.topics[view.topics["topic"] != OUTLIER].sort_values("topic")
    custom = t["custom_label"].astype(bool).to_numpy()
    labels = t["label"].astype(str).tolist()
    # keywords and keyword labels: scrubbed, and the names found in the topics' remarks masked ("dr [NAME]")
    remarks = [x for texts in t["representative_texts"] for x in texts] if "representative_texts" in t else []
    shown_labels = shown.keywords(labels, remarks)
    return pd.DataFrame(
        {
            "topic": t["topic"].astype(int).to_numpy(),
            "label": [lab if c else s for lab, s, c in zip(labels, shown_labels, custom, strict=True)],
            "size": t["size"].astype(int).to_numpy(),
            "share": np.round(t["share"].to_numpy(dtype=float) * 100, 2),
            "keywords": shown.keywords([clean_keywords(k) for k in t["keywords"].astype(str)], remarks),
            "stability": [stability.get(int(x), "") for x in t["topic"]],
            "over_represented": [groups.get(int(x), "") for x in t["topic"]],
            "notes": t["notes"].astype(str).to_numpy(),
            "edited": custom,
        }
    )


def parse_topics(text: str) -> list[int]:
    """Topic numbers typed as ``3, 7`` or ``3 7``; raises ValueError naming what is not a number."""
    parts = [p for p in str(text).replace(";", ",").replace(",", " ").split() if p]
    out = []
    for p in parts:
        try:
            out.append(int(p))
        except ValueError:
            raise ValueError(f"{p!r} is not a topic number") from None
    return out


def unique_texts(texts: Iterable[str], limit: int | None = None) -> list[str]:
    """The texts without repeats, first occurrence kept, at most ``limit``.

    Two texts are the same when they are equal after lower-casing and collapsing white space (a transcript
    often repeats a long answer word for word, e.g. a remark quoted back). Used for the representative
    remarks of a topic card and a split preview.
    """
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        key = " ".join(str(text).lower().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(str(text))
        if limit is not None and len(out) >= limit:
            break
    return out


def remark_list(texts: Iterable[str]) -> str:
    """An ordered HTML list of (already de-identified) remarks, every one escaped."""
    items = "".join(f"<li>{esc(t)}</li>" for t in texts)
    return f"<ol class='remarks'>{items}</ol>" if items else "<p><i>no remarks</i></p>"
