"""ConvoKit corpora: a small corpus built here becomes the utterance table, and topics go back as metadata."""

from __future__ import annotations

import pandas as pd
import pytest

from topics.errors import CorpusError, InputError
from topics.read import convokit as from_convokit
from topics.read.convokit_corpus import add_topics

convokit = pytest.importorskip("convokit")


def small_corpus(role_field: str = "role", counselor: str = "counselor") -> convokit.Corpus:
    """Two conversations, a counselor and a client each, replies, timestamps out of order, metadata."""
    speakers = {
        s: convokit.Speaker(id=s, meta={role_field: r})
        for s, r in [("th1", counselor), ("cl1", "client"), ("th2", "therapist"), ("cl2", "patient")]
    }
    rows = [  # id, speaker, conversation, reply_to, timestamp, text, code
        ("a1", "th1", "a1", None, 10, "What brings you in today?", "question"),
        ("a3", "th1", "a1", "a2", 30, "Sounds like work has been a lot. 😀 Très bien", "reflection"),
        ("a2", "cl1", "a1", "a1", 20, "Work stress, mostly.", None),
        ("b1", "th2", "b1", None, None, "How was your week?", "question"),
        ("b2", "cl2", "b1", "b1", None, "Better than last.", None),
    ]
    utterances = [
        convokit.Utterance(
            id=u,
            speaker=speakers[s],
            conversation_id=c,
            reply_to=r,
            timestamp=ts,
            text=x,
            meta={"code": code} if code else {},
        )
        for u, s, c, r, ts, x, code in rows
    ]
    corpus = convokit.Corpus(utterances=utterances)
    corpus.get_conversation("a1").meta["school"] = "MI"
    corpus.get_conversation("b1").meta["school"] = "CBT"
    return corpus


def test_a_convokit_corpus_becomes_the_utterance_table():
    table = from_convokit(small_corpus())
    assert list(table.columns[:6]) == ["utterance_id", "session_id", "turn", "role", "speaker_id", "text"]
    a = table[table["session_id"] == "a1"]
    assert a["utterance_id"].tolist() == ["a1", "a2", "a3"]  # by timestamp, not corpus order
    assert a["role"].tolist() == ["therapist", "client", "therapist"]
    assert a["reply_to"].tolist()[1:] == ["a1", "a2"]
    assert set(table.loc[table["session_id"] == "b1", "school"]) == {"CBT"}
    assert table.loc[table["utterance_id"] == "a3", "code"].item() == "reflection"
    assert table.loc[table["utterance_id"] == "a3", "text"].item().endswith("😀 Très bien")
    assert table.loc[table["session_id"] == "b1", "turn"].tolist() == [0, 1]


def test_roles_from_another_field_or_a_function_and_unknown_roles():
    table = from_convokit(small_corpus("kind"), role="kind")
    assert (table["role"] == "therapist").sum() == 3
    by_id = from_convokit(small_corpus(), role=lambda s: "therapist" if s.id.startswith("th") else "client")
    assert by_id.loc[by_id["speaker_id"] == "cl2", "role"].unique().tolist() == ["client"]
    with pytest.raises(CorpusError, match="'th1' has role 'listener'"):
        from_convokit(small_corpus(counselor="listener"))
    assert (
        from_convokit(small_corpus(counselor="listener"), role_values={"listener": "therapist"})["role"] == "therapist"
    ).sum() == 3
    with pytest.raises(CorpusError, match="no 'role' metadata"):
        from_convokit(small_corpus("kind"))


def test_topics_go_back_as_utterance_metadata():
    corpus = small_corpus()
    assignments = pd.DataFrame(
        {
            "utterance_id": ["a1", "a3", "b1"],
            "topic": [0, -1, 0],
            "label": ["Opening", "outliers", "Opening"],
            "bucket": ["", "outliers", ""],
        }
    )
    out = add_topics(corpus, assignments)
    assert out is corpus
    assert corpus.get_utterance("a1").meta["topic"] == 0 and corpus.get_utterance("a1").meta["topic_label"] == "Opening"
    assert corpus.get_utterance("a3").meta["topic_bucket"] == "outliers"
    assert corpus.get_utterance("a2").meta["topic"] is None  # a client turn was not modelled
    frame = corpus.get_utterances_dataframe()
    assert frame.loc["b1", "meta.topic"] == 0
    assignments.loc[0, "label"] = "Opening, renamed"
    add_topics(corpus, assignments)  # what this function wrote, it may replace
    assert corpus.get_utterance("a1").meta["topic_label"] == "Opening, renamed"


def test_user_topic_metadata_is_never_overwritten():
    corpus = small_corpus()
    corpus.get_utterance("a3").meta["topic"] = "grief (coded by hand)"
    assignments = pd.DataFrame({"utterance_id": ["a1", "a3"], "topic": [0, 1], "label": ["Opening", "Work"]})
    with pytest.raises(
        InputError,
        match=r"utterance 'a3' already has metadata 'topic' that this toolkit did not "
        r"write; it is kept: pass prefix=",
    ):
        add_topics(corpus, assignments)
    assert corpus.get_utterance("a3").meta["topic"] == "grief (coded by hand)"
    assert "topic_label" not in corpus.get_utterance("a1").meta  # nothing written before the refusal
    add_topics(corpus, assignments, prefix="bertopic")
    assert corpus.get_utterance("a3").meta["topic"] == "grief (coded by hand)"
    assert (
        corpus.get_utterance("a3").meta["bertopic"] == 1 and corpus.get_utterance("a3").meta["bertopic_label"] == "Work"
    )
    with pytest.raises(InputError, match="prefix must be a short identifier"):
        add_topics(corpus, assignments, prefix="a b")


@pytest.mark.slow
def test_analysis_to_convokit_round_trip(annomi_run, annomi_extract):
    """The AnnoMI extract as a ConvoKit corpus, then the run's topics written into it."""
    analysis, _ = annomi_run
    part = annomi_extract[annomi_extract["session_id"].isin(["annomi-0", "annomi-1"])]
    speakers = {
        s: convokit.Speaker(id=s, meta={"role": r}) for s, r in zip(part["speaker_id"], part["role"], strict=True)
    }
    utterances = [
        convokit.Utterance(id=u, speaker=speakers[s], conversation_id=c, reply_to=None, timestamp=t, text=x)
        for u, s, c, t, x in zip(
            part["utterance_id"], part["speaker_id"], part["session_id"], part["turn"], part["text"], strict=True
        )
    ]
    corpus = convokit.Corpus(utterances=utterances)
    table = from_convokit(corpus)
    assert table["utterance_id"].tolist() == part.sort_values(["session_id", "turn"])["utterance_id"].tolist()
    analysis.to_convokit(corpus)
    topic_of = dict(zip(analysis.assignments["utterance_id"], analysis.assignments["topic"], strict=True))
    for utt in corpus.iter_utterances():
        assert utt.meta["topic"] == topic_of.get(utt.id)
