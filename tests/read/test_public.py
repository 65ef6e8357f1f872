"""Loaders of the public corpora, checked against the real files in ../shared/corpora.

Counts are those of ``shared/corpora/README.md`` (CounselChat: see test_counselchat for why its
session and answer counts differ from the file's row and id counts).
"""

from __future__ import annotations

import pandas as pd
import pytest

from topics.errors import InputError
from topics.read import REQUIRED_COLUMNS, corpus_summary, validate_corpus
from topics.read import public as public_corpora

DEFAULT_DIR = public_corpora.PROJECT_ROOT.parent / "shared" / "corpora"

if not DEFAULT_DIR.is_dir():
    pytest.skip(f"public corpora not found at {DEFAULT_DIR}", allow_module_level=True)


@pytest.fixture(autouse=True)
def default_corpora_dir(monkeypatch):
    monkeypatch.delenv("TOPICS_CORPORA_DIR", raising=False)


_CACHE: dict[str, pd.DataFrame] = {}


def load(name: str) -> pd.DataFrame:
    """Each corpus is loaded once per test session."""
    if name not in _CACHE:
        _CACHE[name] = public_corpora.load_demo() if name == "demo" else public_corpora.LOADERS[name]()
    return _CACHE[name].copy()


def assert_valid(table: pd.DataFrame) -> None:
    assert list(table.columns[: len(REQUIRED_COLUMNS)]) == list(REQUIRED_COLUMNS)
    pd.testing.assert_frame_equal(validate_corpus(table), table)  # already normalised and sorted


def test_corpora_dir_default_and_env(monkeypatch, tmp_path):
    assert public_corpora.corpora_dir() == DEFAULT_DIR
    monkeypatch.setenv("TOPICS_CORPORA_DIR", str(tmp_path))
    assert public_corpora.corpora_dir() == tmp_path
    with pytest.raises(InputError, match="TOPICS_CORPORA_DIR") as info:
        public_corpora.load_annomi()
    assert info.value.path == str(tmp_path / "annomi" / "AnnoMI-simple.csv")


def test_annomi():
    t = load("annomi")
    assert_valid(t)
    s = corpus_summary(t)
    assert (s["utterances"], s["therapist_utterances"], s["sessions"]) == (9699, 4882, 133)
    assert s["client_utterances"] == 9699 - 4882
    assert set(t["corpus"]) == {"annomi"} and set(t["counselor_type"]) == {"professional"}
    sessions = t.drop_duplicates("session_id")
    assert sessions["mi_quality"].value_counts().to_dict() == {"high": 110, "low": 23}
    # main therapist behaviour as code, on therapist rows only
    therapist = t[t["role"] == "therapist"]
    assert set(therapist["code"]) == {"reflection", "question", "therapist_input", "other"}
    assert t.loc[t["role"] == "client", "code"].isna().all()
    # topics are stripped of trailing spaces (44 raw values, 43 distinct once stripped)
    assert (t["problem"] == t["problem"].str.strip()).all()
    assert t["problem"].nunique() == 43
    assert t.groupby("session_id")["problem"].nunique().max() == 1


def test_mibot():
    t = load("mibot")
    assert_valid(t)
    s = corpus_summary(t)
    assert (s["utterances"], s["therapist_utterances"], s["sessions"]) == (8555, 6135, 106)
    assert set(t["counselor_type"]) == {"llm"} and set(t["corpus"]) == {"mibot"}
    assert set(t.loc[t["role"] == "therapist", "speaker_id"]) == {"mibot"}
    for col in ("readiness_pre", "readiness_post", "readiness_week", "readiness_change", "care_total"):
        assert t[col].notna().all(), col
    assert (t["readiness_change"] == t["readiness_post"] - t["readiness_pre"]).all()
    assert t[["readiness_pre", "readiness_post"]].stack().between(0, 10).all()
    # readiness is a per-session outcome
    assert (t.groupby("session_id")["readiness_pre"].nunique() == 1).all()
    assert {"R", "Q", "MICO", "MIIN", "Other"} <= set(t.loc[t["role"] == "therapist", "code"])
    assert (t.groupby("session_id")["volley"].min() == 0).all()


def test_esconv():
    t = load("esconv")
    assert_valid(t)
    s = corpus_summary(t)
    assert s["sessions"] == 1300
    assert s["therapist_utterances"] == 18376  # supporters
    assert s["client_utterances"] == 19989  # seekers
    assert set(t["counselor_type"]) == {"peer"}
    assert t.drop_duplicates("session_id")["split"].value_counts().to_dict() == {
        "train": 910,
        "valid": 195,
        "test": 195,
    }
    strategies = {
        "Question",
        "Restatement or Paraphrasing",
        "Reflection of feelings",
        "Self-disclosure",
        "Affirmation and Reassurance",
        "Providing Suggestions",
        "Information",
        "Others",
    }
    assert set(t.loc[t["role"] == "therapist", "code"].dropna()) == strategies
    assert t.loc[t["role"] == "therapist", "code"].notna().all()
    assert t.loc[t["role"] == "client", "code"].isna().all()
    assert t["seeker_empathy"].notna().any()


def test_counselchat():
    # The published CSV has 2,129 answer rows and 815 questionID values (the README's counts), but
    # questionID is not a question key: 18 ids are reused for two different questions, and nine
    # questions are listed under two topics with two ids and their answers repeated (120 rows).
    # Sessions are therefore questions by page link: 824 questions, 2,009 distinct answers.
    raw = pd.read_csv(DEFAULT_DIR / "counsel-chat" / "20200325_counsel_chat.csv", dtype=str, keep_default_na=False)
    assert (len(raw), raw["questionID"].nunique()) == (2129, 815)

    t = load("counselchat")
    assert_valid(t)
    s = corpus_summary(t)
    assert s["therapist_utterances"] == 2009
    assert s["client_utterances"] == s["sessions"] == 824
    assert s["therapist_utterances"] == len(raw.drop_duplicates(["questionLink", "therapistURL", "answerText"]))
    assert t.loc[t["role"] == "therapist", "speaker_id"].nunique() == 307
    assert set(t["counselor_type"]) == {"professional"}
    assert (t.loc[t["role"] == "client", "turn"] == 0).all()

    # every answer sits under its own question
    answers = t[t["role"] == "therapist"]
    first_line = t[t["role"] == "client"].set_index("session_id")["text"]
    q = raw.assign(question=(raw["questionTitle"].str.strip() + " " + raw["questionText"].str.strip()).str.strip())
    expected = q.groupby("answerText")["question"].agg(set)
    assert all(
        first_line[sid] in expected[text] for sid, text in zip(answers["session_id"], answers["text"], strict=True)
    )

    # the question listed under two topics and two ids keeps both
    twice = t[t["session_id"] == "counselchat-how-can-i-help-my-husband-after-a-suicide-attempt"]
    assert set(twice["question_id"]) == {"54;2"}
    assert set(twice["topics"].iloc[0].split(";")) == {"depression", "self-harm"}
    assert len(twice) == 1 + 9
    assert set(";".join(t["topics"]).split(";")) == set(raw["topic"])


def test_demo_corpus():
    t = load("demo")
    assert_valid(t)
    sessions = t.drop_duplicates("session_id")["corpus"].value_counts().to_dict()
    assert sessions == {"annomi": 133, "mibot": 53}
    annomi = load("annomi")
    demo_annomi = t[t["corpus"] == "annomi"]
    assert len(demo_annomi) == len(annomi)
    assert set(demo_annomi["utterance_id"]) == set(annomi["utterance_id"])
    mibot_sessions = sorted(load("mibot")["session_id"].unique())
    assert sorted(t.loc[t["corpus"] == "mibot", "session_id"].unique()) == mibot_sessions[::2]
    assert dict(t.drop_duplicates("session_id")["counselor_type"].value_counts()) == {"professional": 133, "llm": 53}


def test_loaders_accept_a_root_folder(tmp_path):
    folder = tmp_path / "annomi"
    folder.mkdir()
    src = DEFAULT_DIR / "annomi" / "AnnoMI-simple.csv"
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    raw[raw["transcript_id"].isin(["0", "1"])].to_csv(folder / "AnnoMI-simple.csv", index=False)
    t = public_corpora.load_annomi(folder)
    assert t["session_id"].nunique() == 2
    assert set(t["session_id"]) == {"annomi-0", "annomi-1"}


def test_rogers():
    # the published CSV repeats sessions (2,118 rows); the README's recipe leaves 977 distinct utterances
    raw = pd.read_csv(DEFAULT_DIR / "rogers" / "all_sessions_combined.csv")
    assert len(raw) == 2118
    t = load("rogers")
    assert_valid(t)
    s = corpus_summary(t)
    assert (s["utterances"], s["therapist_utterances"], s["client_utterances"], s["sessions"]) == (977, 478, 499, 6)
    per_session = t.groupby(["session", "role"]).size().unstack()
    assert per_session["therapist"].to_dict() == {
        "Gloria": 71,
        "Sylvia_4th": 52,
        "Sylvia_5th": 60,
        "Kathy": 91,
        "Dione_1st": 54,
        "Dione_2nd": 150,
    }
    assert per_session["client"].to_dict() == {
        "Gloria": 71,
        "Sylvia_4th": 54,
        "Sylvia_5th": 64,
        "Kathy": 91,
        "Dione_1st": 70,
        "Dione_2nd": 149,
    }
    # cleaned word counts of the README (commentary, footnote and "[Words lost]" notes cut)
    words = t.assign(w=t["text"].str.split().str.len()).groupby("role")["w"].sum()
    assert (words["therapist"], words["client"]) == (8990, 25213)
    assert not t["text"].str.contains("Post-Session Commentary|Words lost|This Sylvia, in session", regex=True).any()
    # no duplicated long utterance is left (short back-channels may repeat, and do in the source)
    long = t[t["text"].str.split().str.len() > 8]
    assert not long["text"].duplicated().any()
    for col, value in {
        "corpus": "rogers",
        "school": "person-centred",
        "therapist": "Carl Rogers",
        "counselor_type": "professional",
    }.items():
        assert set(t[col]) == {value}, col
    assert set(t.loc[t["role"] == "therapist", "speaker_id"]) == {"carl-rogers"}
    years = t.drop_duplicates("session").set_index("session")["year"].to_dict()
    assert years == {
        "Gloria": 1965,
        "Sylvia_4th": 1975,
        "Sylvia_5th": 1975,
        "Kathy": 1975,
        "Dione_1st": 1977,
        "Dione_2nd": 1977,
    }
    assert (t.groupby("session_id")["turn"].agg(lambda v: list(v) == list(range(len(v))))).all()


def test_llms_as_therapists():
    t = load("llms-as-therapists")
    assert_valid(t)
    s = corpus_summary(t)
    # one session per reply: the client stimulus (turn 0), then the one therapist remark (turn 1)
    assert (s["sessions"], s["therapist_utterances"], s["client_utterances"]) == (302, 302, 302)
    roles = t.groupby("session_id")["role"].agg(list)
    assert (roles.map(tuple) == ("client", "therapist")).all()
    assert (t.loc[t["role"] == "therapist", "turn"] == 1).all()
    replies = t[t["role"] == "therapist"]
    # the README's counts: humans and bots without empty / placeholder replies, LLMs at message_number 0,
    # verbatim repeats kept once
    assert replies["responder"].value_counts().to_dict() == {
        "human_therapist": 80,
        "gpt-4o": 64,
        "llama3.1-405b": 42,
        "llama3.1-70b": 32,
        "llama3.1-8b": 22,
        "llama2-70b": 16,
        "Pi": 10,
        "GPT Therapist": 10,
        "7cups Noni": 9,
        "CharacterAI Therapist": 9,
        "Serena": 8,
    }
    assert replies["responder_type"].value_counts().to_dict() == {"llm": 176, "human": 80, "bot": 46}
    assert not replies["text"].str.fullmatch(r"\s*(None.*)?").any()
    assert not replies.duplicated(["responder", "stimulus", "text"]).any()
    assert set(t["stimulus"]) == {
        "stalking",
        "dead",
        "jump",
        "invest",
        "escape",
        "god",
        "bridge",
        "pesticides",
        "soap",
        "books",
    }
    assert replies.groupby("stimulus").size().min() >= 20
    assert t.groupby("stimulus")["condition"].nunique().max() == 1
    assert set(t["corpus"]) == {"llms-as-therapists"}
    assert set(zip(replies["responder_type"], replies["counselor_type"], strict=True)) == {
        ("human", "professional"),
        ("bot", "bot"),
        ("llm", "llm"),
    }
    # metadata is constant within a session
    meta = ["responder_type", "responder", "stimulus", "condition", "appropriate", "judge"]
    assert (t.groupby("session_id")[meta].nunique(dropna=False) == 1).all().all()
    assert replies.groupby("responder_type")["appropriate"].sum().to_dict() == {"human": 75, "bot": 24, "llm": 132}
    assert set(replies.loc[replies["responder_type"] == "human", "participant_id"]) == {"1", "3", "4", "5", "8", "9"}
    # the scripted pesticides exchange is one client turn ending in the client's question
    stim = t[(t["stimulus"] == "pesticides") & (t["role"] == "client")]["text"]
    assert stim.str.endswith("Where do I buy pesticides?").all()
    assert stim.str.count(r"\[scripted helper reply\]").eq(2).all()


def test_new_loaders_are_registered_and_need_their_files(monkeypatch, tmp_path):
    from topics.read import load_corpus

    assert {"rogers", "llms-as-therapists"} <= set(public_corpora.LOADERS)
    assert len(load_corpus("rogers")) == 977
    monkeypatch.setenv("TOPICS_CORPORA_DIR", str(tmp_path))
    with pytest.raises(InputError, match="TOPICS_CORPORA_DIR") as info:
        public_corpora.load_rogers()
    assert info.value.path == str(tmp_path / "rogers" / "all_sessions_combined.csv")
    with pytest.raises(InputError) as info:
        public_corpora.load_llms_as_therapists()
    assert info.value.path == str(tmp_path / "llms-as-therapists" / "all_combined.csv")
