"""Remark selection: transcription markers, back-channels, short and empty remarks, duplicates, the drop account."""

from __future__ import annotations

import pandas as pd
import pytest

from topics.clean.remarks import (
    DROP_REASONS,
    drop_counts,
    is_backchannel,
    marker_note,
    select_remarks,
    strip_markers,
    word_count,
)
from topics.config import BACKCHANNEL_TOKENS, CleaningConfig
from topics.errors import InputError
from topics.read import validate_corpus

TOKENS = set(BACKCHANNEL_TOKENS)


def corpus_of(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(session, role, text) rows -> validated corpus, turns in the given order."""
    df = pd.DataFrame(rows, columns=["session_id", "role", "text"])
    df["turn"] = df.groupby("session_id").cumcount()
    df["utterance_id"] = df["session_id"] + ":" + df["turn"].astype(str)
    df["speaker_id"] = df["session_id"] + ":" + df["role"]
    return validate_corpus(df)


CORPUS = [
    ("s1", "therapist", "What brings you here today?"),  # kept
    ("s1", "client", "My drinking."),
    ("s1", "therapist", "Mm-hmm."),  # backchannel
    ("s1", "therapist", "  "),  # empty
    ("s1", "therapist", "Tell me more."),  # kept (3 words)
    ("s1", "therapist", "Go on."),  # too_short
    ("s1", "therapist", "tell me  MORE."),  # same text as turn 4 (case and spacing ignored)
    ("s2", "therapist", "Okay, I see."),  # backchannel
    ("s2", "therapist", "Tell me more."),  # duplicate across sessions
    ("s2", "client", "Okay."),  # client back-channel: not a therapist remark
    ("s2", "therapist", "How has your week been going?"),  # kept
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mm-hmm.", True),
        ("Okay, I see.", True),
        ("Right, right.", True),
        ("Uh-huh, yeah", True),
        ("MMHMM!", True),
        ("Thank you.", True),
        ("Okay, so what happened next?", False),
        ("I see you quit smoking.", False),
        ("", False),
        ("...", False),
    ],
)
def test_is_backchannel(text, expected):
    assert is_backchannel(text, TOKENS) is expected


def test_is_backchannel_with_typographic_apostrophe():
    tokens = TOKENS | {"that's"}
    assert is_backchannel("That's right.", tokens)
    assert is_backchannel("That\u2019s right.", tokens)


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Tell me more.", 3),
        ("I don't know", 3),
        ("I don\u2019t know", 3),  # typographic apostrophe: still one word
        ("well-being matters", 2),
        ("\u00bfC\u00f3mo est\u00e1 usted?", 3),  # accented letters do not split words
        ("\u041a\u0430\u043a \u0434\u0435\u043b\u0430", 2),  # Cyrillic words count
        ("  -- ... ", 0),
        ("10 cigarettes a day", 4),
    ],
)
def test_word_count(text, n):
    assert word_count(text) == n


def test_reasons_with_default_rules():
    corpus = corpus_of(CORPUS)
    remarks, dropped = select_remarks(corpus)
    reason = dict(zip(dropped["utterance_id"], dropped["reason"], strict=True))
    assert reason == {"s1:2": "backchannel", "s1:3": "empty", "s1:5": "too_short", "s2:0": "backchannel"}
    assert list(remarks["utterance_id"]) == ["s1:0", "s1:4", "s1:6", "s2:1", "s2:3"]
    assert (remarks["role"] == "therapist").all()
    assert list(remarks["n_words"]) == [5, 3, 3, 3, 6]
    # duplicates are kept by default but counted (normalised text)
    assert list(remarks["duplicate_count"]) == [1, 3, 3, 3, 1]
    assert list(dropped.columns) == ["utterance_id", "session_id", "reason", "text"]
    assert set(dropped["reason"]) <= set(DROP_REASONS)


def test_texts_are_stripped_and_metadata_kept():
    corpus = corpus_of(CORPUS).assign(school="mi")
    remarks, _ = select_remarks(corpus)
    assert remarks["text"].iloc[0] == "What brings you here today?"
    assert remarks.loc[remarks["utterance_id"] == "s1:6", "text"].item() == "tell me  MORE."
    assert set(remarks["school"]) == {"mi"}


def test_duplicates_drop_within_session():
    remarks, dropped = select_remarks(corpus_of(CORPUS), CleaningConfig(duplicates="drop_within_session"))
    assert dropped.loc[dropped["reason"] == "duplicate", "utterance_id"].tolist() == ["s1:6"]
    assert list(remarks["utterance_id"]) == ["s1:0", "s1:4", "s2:1", "s2:3"]
    assert remarks.loc[remarks["utterance_id"] == "s1:4", "duplicate_count"].item() == 2


def test_duplicates_drop_everywhere():
    remarks, dropped = select_remarks(corpus_of(CORPUS), CleaningConfig(duplicates="drop"))
    assert sorted(dropped.loc[dropped["reason"] == "duplicate", "utterance_id"]) == ["s1:6", "s2:1"]
    assert list(remarks["utterance_id"]) == ["s1:0", "s1:4", "s2:3"]
    assert (remarks["duplicate_count"] == 1).all()


def test_duplicate_of_a_dropped_remark_is_not_a_duplicate():
    rows = [("s", "therapist", "Okay."), ("s", "therapist", "okay."), ("s", "therapist", "What else happened?")]
    _, dropped = select_remarks(corpus_of(rows), CleaningConfig(duplicates="drop"))
    assert list(dropped["reason"]) == ["backchannel", "backchannel"]


def test_rules_can_be_switched_off():
    cleaning = CleaningConfig(min_words=0, drop_backchannels=False)
    remarks, dropped = select_remarks(corpus_of(CORPUS), cleaning)
    assert list(dropped["reason"]) == ["empty"]
    assert "Mm-hmm." in set(remarks["text"])
    assert "Go on." in set(remarks["text"])


def test_min_words_and_custom_tokens():
    cleaning = CleaningConfig(min_words=5, backchannel_tokens=["tell", "me", "more"])
    remarks, dropped = select_remarks(corpus_of(CORPUS), cleaning)
    reasons = dict(zip(dropped["utterance_id"], dropped["reason"], strict=True))
    assert reasons["s1:4"] == "backchannel" and reasons["s1:2"] == "too_short"
    assert list(remarks["utterance_id"]) == ["s1:0", "s2:3"]


@pytest.mark.parametrize("duplicates", ["keep", "drop_within_session", "drop"])
def test_drop_counts_add_up_to_the_corpus(duplicates):
    corpus = corpus_of(CORPUS)
    remarks, dropped = select_remarks(corpus, CleaningConfig(duplicates=duplicates))
    table = drop_counts(corpus, remarks, dropped)
    assert list(table.columns) == ["step", "count", "share"]
    assert table["count"].sum() == len(corpus) == 11
    assert table["share"].sum() == pytest.approx(1.0)
    counts = dict(zip(table["step"], table["count"], strict=True))
    assert counts["client utterances (not modelled)"] == 2
    assert counts["therapist remarks modelled"] == len(remarks)
    assert counts["therapist: duplicate text"] == {"keep": 0, "drop_within_session": 1, "drop": 2}[duplicates]
    assert counts["therapist: back-channel only (mm-hmm, okay)"] == 2
    assert counts["therapist: empty"] == 1
    assert counts["therapist: too short"] == 1


def test_no_therapist_rows():
    corpus = corpus_of([("s", "client", "Hello there, how are you?"), ("s", "client", "Fine.")])
    with pytest.raises(InputError, match="no therapist utterances") as info:
        select_remarks(corpus)
    assert info.value.column == "role"
    assert "client" in str(info.value)


def test_nothing_survives():
    corpus = corpus_of(
        [("s", "therapist", "Mm-hmm."), ("s", "therapist", "Go on."), ("s", "client", "Long answer here.")]
    )
    with pytest.raises(InputError, match="no therapist remark survives") as info:
        select_remarks(corpus)
    assert "backchannel" in str(info.value) and "too_short" in str(info.value)


def test_input_corpus_is_not_modified():
    corpus = corpus_of(CORPUS)
    before = corpus.copy()
    select_remarks(corpus, CleaningConfig(duplicates="drop"))
    pd.testing.assert_frame_equal(corpus, before)


# ---------------------------------------------------------------- transcription markers


@pytest.mark.parametrize(
    ("text", "expected", "n"),
    [
        ("Yeah, to figure out [unintelligible 00:27:30] anyway, you know.", "Yeah, to figure out anyway, you know.", 1),
        ("Hi. You are [unintelligible 00:00:02]?", "Hi. You are?", 1),
        ("Okay. So I hear-- [crosstalk]", "Okay. So I hear--", 1),
        ("[Sighs] Well, I mean, this is hard.", "Well, I mean, this is hard.", 1),
        ("Hi, come in. [door closes] Sit down.", "Hi, come in. Sit down.", 1),
        ("So (laughs) that was it (inaudible 01:02).", "So that was it.", 2),
        ("unintelligible 00:01:23 so yes", "so yes", 1),
        ("[00:12:31] Hello there, 00:12:35 how are you?", "Hello there, how are you?", 2),
        ("[laughter]", "", 1),
        # kept: de-identification placeholders, times of day, parentheses around speech, plain words
        ("Thanks for coming, [NAME].", "Thanks for coming, [NAME].", 0),
        ("We meet at 10:30 (as usual) on Monday.", "We meet at 10:30 (as usual) on Monday.", 0),
        ("It was inaudible to me, really.", "It was inaudible to me, really.", 0),
    ],
)
def test_strip_markers(text, expected, n):
    assert strip_markers(text) == (expected, n)


MARKED = [
    ("s1", "therapist", "So, tell me [unintelligible 00:01:35] about your week."),  # kept, marker removed
    ("s1", "therapist", "[laughs]"),  # only a marker: dropped as such
    ("s1", "therapist", "Mm-hmm. [chuckles]"),  # a back-channel once the marker is gone
    ("s1", "client", "[sighs]"),  # client turns are not modelled at all
    ("s1", "therapist", "[crosstalk] Work [inaudible]?"),  # two markers, too short without them
    ("s1", "therapist", "What would you like to change first?"),  # kept, no marker
]


def test_markers_are_removed_and_marker_only_remarks_dropped_with_their_own_reason():
    remarks, dropped = select_remarks(corpus_of(MARKED))
    reason = dict(zip(dropped["utterance_id"], dropped["reason"], strict=True))
    assert reason == {"s1:1": "marker", "s1:2": "backchannel", "s1:4": "too_short"}
    assert list(remarks["text"]) == ["So, tell me about your week.", "What would you like to change first?"]
    assert list(remarks["markers_removed"]) == [1, 0]
    assert dropped.loc[dropped["reason"] == "marker", "text"].item() == "[laughs]"  # what was dropped, verbatim
    counts = dict(zip(*drop_counts(corpus_of(MARKED), remarks, dropped)[["step", "count"]].T.to_numpy(), strict=True))
    assert counts["therapist: transcription markers only ([laughs], [inaudible])"] == 1
    assert sum(counts.values()) == len(MARKED)
    assert marker_note(remarks) == (
        "Transcription markers ([laughs], [unintelligible 00:01:23], time stamps) were "
        "removed from the text of 1 modelled remarks (1 markers)."
    )


def test_no_marker_column_without_markers():
    remarks, _ = select_remarks(corpus_of(CORPUS))
    assert "markers_removed" not in remarks.columns
    assert marker_note(remarks) == ""


def test_markers_are_removed_from_the_demo_corpus(demo_corpus):
    remarks, dropped = select_remarks(demo_corpus)
    assert (
        not remarks["text"].str.contains(r"\[(?:unintelligible|inaudible|crosstalk|laughs|chuckles)", case=False).any()
    )
    assert not remarks["text"].str.contains(r"\d\d:\d\d:\d\d").any()
    assert (dropped["reason"] == "marker").sum() > 0
    assert remarks["markers_removed"].sum() > 0
