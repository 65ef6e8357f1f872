"""Remark selection: which therapist utterances the topic model sees, and why others do not.

Nothing is dropped silently: :func:`select_remarks` returns the kept remarks *and* every dropped
therapist utterance with its reason, and :func:`drop_counts` turns those into the table the report shows.
"""

from __future__ import annotations

import re

import pandas as pd

from topics.config import CleaningConfig
from topics.errors import InputError

DROP_REASONS: tuple[str, ...] = ("empty", "too_long", "marker", "backchannel", "too_short", "duplicate")
"""Reasons, in the order in which rules are applied (a remark gets the first that fits).

``marker``: the utterance held nothing but transcription markers (``[laughs]``, ``[inaudible]``).
"""

_MARKER_WORDS = (
    "unintelligible|inaudible|indiscernible|incomprehensible|crosstalk|cross-talk|overlapping(?: speech)?|overtalk"
    "|laughs?|laughter|laughing|chuckles?|chuckling|giggles?|sighs?|sighing|coughs?|coughing|clears throat"
    "|sniffles?|crying|cries|sobbing|pause|long pause|silence|noise|background noise|unclear|foreign language"
    "|no audio|audio cuts out|phone rings|music"
)
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
MARKER_PATTERN = re.compile(
    # [unintelligible 00:01:23], [sighs], [door closes], [00:12:31]: square brackets around lower-case
    # annotation text (placeholders such as [NAME] or [REDACTED] are upper case and stay)
    r"\[\s*(?:"
    + _TIME
    + r"|[a-z][a-z0-9 ,.:;'\-]{0,40}|(?i:"
    + _MARKER_WORDS
    + r")(?:\s+"
    + _TIME
    + r")?)\s*\]"
    # (laughs), (inaudible 00:03): parentheses only around known marker words, since they also hold speech
    + r"|\(\s*(?i:"
    + _MARKER_WORDS
    + r")(?:\s+"
    + _TIME
    + r")?\s*\)"
    # unintelligible 00:01:23 without brackets, and bare hh:mm:ss time stamps
    + r"|\b(?i:unintelligible|inaudible|indiscernible|crosstalk)\s+"
    + _TIME
    + r"|\b\d{1,2}:\d{2}:\d{2}\b"
)
"""Transcription markers: removed from remark text before anything else is done with it."""

_WORD = re.compile(r"(?:[^\W_]|['\u2019])+(?:-(?:[^\W_]|['\u2019])+)*")
"""A word: letters (any script), digits and apostrophes (straight or typographic), inner hyphens."""
_APOSTROPHES = "'\u2019"


def strip_markers(text: str) -> tuple[str, int]:
    """Remove transcription markers (``[unintelligible 00:01:23]``, ``[laughs]``, ``(inaudible)``, time stamps).

    Parameters
    ----------
    text : str
        A remark.

    Returns
    -------
    text : str
        The remark without markers, whitespace collapsed and no space left before punctuation.
    count : int
        Markers removed.

    Examples
    --------
    >>> strip_markers("Yeah, to figure out [unintelligible 00:27:30] anyway, you know.")
    ('Yeah, to figure out anyway, you know.', 1)
    >>> strip_markers("Thanks, [NAME].")
    ('Thanks, [NAME].', 0)
    """
    cleaned, count = MARKER_PATTERN.subn(" ", text)
    if not count:
        return text, 0
    cleaned = re.sub(r"\s+([,.;:?!])", r"\1", " ".join(cleaned.split()))
    return cleaned.strip(), count


def normalise_text(text: str) -> str:
    """Lower-case a remark and collapse its whitespace (the key used for duplicates)."""
    return " ".join(text.lower().split())


def word_count(text: str) -> int:
    """Number of words (letters of any script, digits, apostrophes and inner hyphens) in a text."""
    return len(_WORD.findall(text))


def is_backchannel(text: str, tokens: set[str]) -> bool:
    """Whether a remark consists only of back-channel words (``Mm-hmm.``, ``Okay, I see.``).

    Parameters
    ----------
    text : str
        The remark.
    tokens : set of str
        Lower-case back-channel words.

    Returns
    -------
    bool
        ``True`` if the remark has at least one word and every word is a back-channel word.
    """
    words = [w.strip(_APOSTROPHES).replace("\u2019", "'") for w in _WORD.findall(text.lower())]
    return bool(words) and all(w in tokens for w in words)


def select_remarks(corpus: pd.DataFrame, cleaning: CleaningConfig | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pick the therapist remarks to model and account for every one left out.

    Parameters
    ----------
    corpus : pandas.DataFrame
        A validated utterance table.
    cleaning : CleaningConfig, optional
        The rules; defaults to :class:`topics.config.CleaningConfig`.

    Returns
    -------
    remarks : pandas.DataFrame
        Therapist rows kept, all corpus columns, text stripped of whitespace and transcription markers
        (:func:`strip_markers`), plus ``n_words``, ``duplicate_count`` (how many kept remarks share this
        normalised text) and, when any remark held markers, ``markers_removed`` (markers taken out of
        its text).
    dropped : pandas.DataFrame
        Therapist rows left out: ``utterance_id``, ``session_id``, ``reason`` (one of
        :data:`DROP_REASONS`) and ``text``.

    Raises
    ------
    InputError
        The corpus has no therapist utterances, or none survives cleaning.
    """
    cleaning = cleaning or CleaningConfig()
    therapist = corpus[corpus["role"] == "therapist"].copy()
    if therapist.empty:
        raise InputError(
            "the corpus has no therapist utterances; check the role column or its mapping "
            f"(roles found: {sorted(corpus['role'].unique())})",
            column="role",
        )
    therapist["text"] = therapist["text"].fillna("").astype(str).str.strip()
    # a remark longer than max_chars is no remark (a whole transcript pasted in one cell, or an attack):
    # dropped and counted before anything heavier than its length is computed on it
    too_long = therapist["text"].str.len() > cleaning.max_chars
    # transcription markers ("[unintelligible 00:01:23]", "[laughs]") are no words of the therapist: taken
    # out of the text; an utterance that held nothing else is dropped as "marker"
    original = therapist["text"]
    pairs = original.where(~too_long, "").map(strip_markers)
    stripped = original.where(too_long, pairs.str[0])
    markers = pairs.str[1].astype("int64")
    had_text = original != ""
    therapist["text"] = stripped
    therapist["n_words"] = therapist["text"].where(~too_long, "").map(word_count).astype("int64")
    tokens = {t.lower() for t in cleaning.backchannel_tokens}

    reason = pd.Series(pd.NA, index=therapist.index, dtype="object")
    reason[~had_text] = "empty"
    reason[reason.isna() & too_long] = "too_long"
    reason[reason.isna() & had_text & (therapist["text"] == "")] = "marker"
    if cleaning.drop_backchannels:
        back = therapist["text"].map(lambda t: is_backchannel(t, tokens) if len(t) <= cleaning.max_chars else False)
        reason[reason.isna() & back] = "backchannel"
    reason[reason.isna() & (therapist["n_words"] < cleaning.min_words)] = "too_short"

    key = therapist["text"].map(normalise_text)
    if cleaning.duplicates != "keep":
        candidates = reason.isna()
        subset = ["_key", "session_id"] if cleaning.duplicates == "drop_within_session" else ["_key"]
        dup = therapist.assign(_key=key)[candidates].duplicated(subset=subset, keep="first")
        reason[dup[dup].index] = "duplicate"

    kept = therapist[reason.isna()].copy()
    if kept.empty:
        raise InputError(
            f"no therapist remark survives cleaning ({len(therapist)} therapist utterances, all dropped: "
            f"{reason.value_counts().to_dict()}); relax [cleaning] min_words or drop_backchannels"
        )
    kept["duplicate_count"] = key[kept.index].map(key[kept.index].value_counts()).astype("int64")
    if markers[kept.index].any():  # only where there were markers: no constant column in other corpora
        kept["markers_removed"] = markers[kept.index]
    dropped = therapist.loc[reason.notna(), ["utterance_id", "session_id", "text"]].copy()
    marker_rows = reason.fillna("").eq("marker")
    dropped.loc[marker_rows[marker_rows].index, "text"] = original[marker_rows]
    dropped.insert(2, "reason", reason[reason.notna()].astype(str))
    long_rows = dropped["reason"] == "too_long"
    dropped.loc[long_rows, "text"] = dropped.loc[long_rows, "text"].str.slice(0, 200) + " [... cut: too long]"
    return kept.reset_index(drop=True), dropped.reset_index(drop=True)


def drop_counts(corpus: pd.DataFrame, remarks: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    """The account of every utterance: client turns, each drop reason, remarks kept.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The utterance table.
    remarks, dropped : pandas.DataFrame
        The two outputs of :func:`select_remarks`.

    Returns
    -------
    pandas.DataFrame
        Columns ``step``, ``count``, ``share`` (of all utterances); rows add up to the corpus size.
    """
    n = len(corpus)
    rows = [("client utterances (not modelled)", int((corpus["role"] == "client").sum()))]
    counts = dropped["reason"].value_counts()
    labels = {
        "empty": "therapist: empty",
        "too_long": "therapist: too long (over [cleaning] max_chars)",
        "marker": "therapist: transcription markers only ([laughs], [inaudible])",
        "backchannel": "therapist: back-channel only (mm-hmm, okay)",
        "too_short": "therapist: too short",
        "duplicate": "therapist: duplicate text",
    }
    rows += [(labels[r], int(counts.get(r, 0))) for r in DROP_REASONS]
    rows.append(("therapist remarks modelled", len(remarks)))
    table = pd.DataFrame(rows, columns=["step", "count"])
    table["share"] = table["count"] / n if n else 0.0
    return table


def marker_note(remarks: pd.DataFrame) -> str:
    """One sentence on transcription markers removed inside kept remarks (empty when there were none).

    Parameters
    ----------
    remarks : pandas.DataFrame
        Kept remarks (or the per-remark table of a fit), with the ``markers_removed`` column when any
        marker was removed.

    Returns
    -------
    str
    """
    if "markers_removed" not in remarks.columns:
        return ""
    counts = pd.to_numeric(remarks["markers_removed"], errors="coerce").fillna(0)
    if not (counts > 0).any():
        return ""
    return (
        f"Transcription markers ([laughs], [unintelligible 00:01:23], time stamps) were removed from the "
        f"text of {int((counts > 0).sum()):,} modelled remarks ({int(counts.sum()):,} markers)."
    )
