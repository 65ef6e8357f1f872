"""Loaders for the bundled demo corpus and the public counseling corpora.

Each loader maps a published corpus into the utterance table of :mod:`topics.read.schema` and adds the
same metadata columns, so corpora can be stacked and compared:

``corpus``
    Name of the source corpus (``annomi``, ``mibot``, ``counselchat``, ``esconv``, ``rogers``,
    ``llms-as-therapists``).
``counselor_type``
    ``professional`` (AnnoMI, CounselChat, Rogers, the human therapists of llms-as-therapists), ``llm``
    (MIBot, the LLMs of llms-as-therapists), ``bot`` (the commercial therapy bots of llms-as-therapists)
    or ``peer`` (ESConv).
``code``
    The corpus' own per-utterance annotation where it has one: AnnoMI's main therapist behaviour
    (reflection / question / therapist_input / other), MIBot's AutoMISC label, ESConv's support
    strategy. Missing (NaN) where the corpus has none.

plus the corpus' session labels and outcomes (``mi_quality`` and ``problem`` in AnnoMI, readiness
rulers in MIBot, seeker ratings in ESConv, ...). The public corpora are read from the folder named by
the environment variable ``TOPICS_CORPORA_DIR``, or else ``../shared/corpora`` beside the project.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from topics.errors import InputError
from topics.read.schema import validate_corpus

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
"""The demo corpus and its example ledger, package data (``corpora/demo/`` holds their card and build scripts)."""
DEMO_CORPUS = DEMO_DIR / "demo_corpus.parquet"
DEMO_LEDGER = DEMO_DIR / "ledger.yaml"


def corpora_dir() -> Path:
    """Folder holding the public corpora (``TOPICS_CORPORA_DIR`` or ``../shared/corpora``).

    Returns
    -------
    Path
        The folder; it may not exist (loaders then raise :class:`InputError`).
    """
    env = os.environ.get("TOPICS_CORPORA_DIR")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "corpora"


def _need(path: Path) -> Path:
    if not path.exists():
        raise InputError(
            "corpus file not found; set TOPICS_CORPORA_DIR to the folder that holds the public corpora", path=path
        )
    return path


def load_annomi(root: str | Path | None = None) -> pd.DataFrame:
    """Load AnnoMI: 133 professional MI demonstration sessions (Wu et al. 2022, 2023).

    Parameters
    ----------
    root : str or Path, optional
        Folder with ``AnnoMI-simple.csv``; default ``corpora_dir() / "annomi"``.

    Returns
    -------
    pandas.DataFrame
        Utterance table; metadata ``corpus``, ``counselor_type`` (professional), ``mi_quality``
        (high/low), ``problem`` (the session's target behaviour), ``code`` (main therapist behaviour),
        ``client_talk_type``, ``video_url``.
    """
    path = _need(Path(root or corpora_dir() / "annomi") / "AnnoMI-simple.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    session = "annomi-" + raw["transcript_id"]
    role = raw["interlocutor"].str.strip()
    table = pd.DataFrame(
        {
            "utterance_id": session + "-" + raw["utterance_id"],
            "session_id": session,
            "turn": raw["utterance_id"].astype(int),
            "role": role,
            "speaker_id": session + ":" + role,
            "text": raw["utterance_text"],
            "corpus": "annomi",
            "counselor_type": "professional",
            "mi_quality": raw["mi_quality"],
            "problem": raw["topic"].str.strip(),
            "code": raw["main_therapist_behaviour"].replace("n/a", np.nan),
            "client_talk_type": raw["client_talk_type"].replace("n/a", np.nan),
            "video_url": raw["video_url"],
        }
    )
    return validate_corpus(table, path=path)


def load_mibot(root: str | Path | None = None) -> pd.DataFrame:
    """Load MIBot: 106 MI sessions by a GPT-4o counsellor with real smokers (Mahmood et al. 2025).

    Rows are the corpus' thought units (``turn`` orders them; ``volley`` numbers the turns of
    speech they belong to, counted from 0 within the session).

    Parameters
    ----------
    root : str or Path, optional
        Folder with ``transcripts/*.json`` and ``data.csv``; default ``corpora_dir() / "mibot"``.

    Returns
    -------
    pandas.DataFrame
        Utterance table; metadata ``corpus``, ``counselor_type`` (llm), ``code`` (AutoMISC label),
        ``volley``, readiness rulers before / after / a week later (``readiness_pre``,
        ``readiness_post``, ``readiness_week``), ``readiness_change`` (post minus pre),
        ``care_total`` (sum of the ten CARE items), ``liked_bot``, ``found_bot_helpful``.
    """
    folder = Path(root or corpora_dir() / "mibot")
    files = sorted(_need(folder / "transcripts").glob("*.json"))
    if not files:
        raise InputError("no transcripts found", path=folder / "transcripts")
    records = []
    for file in files:
        doc = json.loads(file.read_text(encoding="utf-8"))
        session = "mibot-" + doc["participant_id"][:12]
        first_volley = min(u["volley_number"] for u in doc["utterances"])
        for u in doc["utterances"]:
            role = "therapist" if u["speaker"] == "counsellor" else "client"
            records.append(
                {
                    "utterance_id": f"mibot-{u['utterance_number']}",
                    "session_id": session,
                    "turn": u["utterance_number"],
                    "role": role,
                    "speaker_id": "mibot" if role == "therapist" else f"{session}:client",
                    "text": u["text"],
                    "participant_id": doc["participant_id"],
                    "volley": u["volley_number"] - first_volley,
                    "code": u.get("auto_misc_label"),
                }
            )
    table = pd.DataFrame.from_records(records)
    table.insert(6, "corpus", "mibot")
    table.insert(7, "counselor_type", "llm")
    survey = pd.read_csv(_need(folder / "data.csv"))
    care = [f"CAREQ{i}" for i in range(1, 11)]
    outcomes = pd.DataFrame(
        {
            "participant_id": survey["ParticipantID"],
            "readiness_pre": survey["PreRulerReadiness"],
            "readiness_post": survey["PostRulerReadiness"],
            "readiness_week": survey["WeekLaterRulerReadiness"],
            "readiness_change": survey["PostRulerReadiness"] - survey["PreRulerReadiness"],
            "care_total": survey[care].sum(axis=1, min_count=len(care)),
            "liked_bot": survey["LikedBot"],
            "found_bot_helpful": survey["FoundBotHelpful"],
        }
    )
    table = table.merge(outcomes, on="participant_id", how="left", validate="many_to_one")
    return validate_corpus(table.drop(columns="participant_id"))


def load_esconv(root: str | Path | None = None) -> pd.DataFrame:
    """Load ESConv: 1,300 emotional-support chats by crowd-worker peer supporters (Liu et al. 2021).

    Licence: CC BY-NC 4.0, academic research only.

    Parameters
    ----------
    root : str or Path, optional
        Folder with ``train.jsonl``, ``valid.jsonl``, ``test.jsonl``; default
        ``corpora_dir() / "esconv"``.

    Returns
    -------
    pandas.DataFrame
        Utterance table (supporter = therapist, seeker = client); metadata ``corpus``,
        ``counselor_type`` (peer), ``code`` (support strategy), ``split``, ``problem``, ``emotion``,
        ``experience_type``, seeker ratings ``seeker_empathy``, ``seeker_relevance``,
        ``emotion_intensity_pre``, ``emotion_intensity_post``.
    """
    folder = Path(root or corpora_dir() / "esconv")
    records = []
    for split in ("train", "valid", "test"):
        path = _need(folder / f"{split}.jsonl")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            conv = json.loads(line)
            session = f"esconv-{split}-{number:04d}"
            seeker = (conv.get("survey_score") or {}).get("seeker") or {}

            def score(key: str, seeker: dict = seeker) -> float:
                value = seeker.get(key)
                if value is None:
                    return float("nan")
                try:
                    return float(value)
                except (TypeError, ValueError):
                    return float("nan")

            meta = {
                "split": split,
                "problem": conv.get("problem_type"),
                "emotion": conv.get("emotion_type"),
                "experience_type": conv.get("experience_type"),
                "seeker_empathy": score("empathy"),
                "seeker_relevance": score("relevance"),
                "emotion_intensity_pre": score("initial_emotion_intensity"),
                "emotion_intensity_post": score("final_emotion_intensity"),
            }
            for turn, utt in enumerate(conv["dialog"]):
                role = "therapist" if utt["speaker"] == "sys" else "client"
                records.append(
                    {
                        "utterance_id": f"{session}-{turn}",
                        "session_id": session,
                        "turn": turn,
                        "role": role,
                        "speaker_id": f"{session}:{role}",
                        "text": utt["text"],
                        "corpus": "esconv",
                        "counselor_type": "peer",
                        "code": utt.get("strategy"),
                        **meta,
                    }
                )
    return validate_corpus(pd.DataFrame.from_records(records))


def load_counselchat(root: str | Path | None = None) -> pd.DataFrame:
    """Load CounselChat: written answers of licensed therapists to client questions (Bertagnolli 2020).

    Each question is a session: the client's question (title and text) is turn 0, the therapists'
    answers follow in file order.

    A question is identified by its page (``questionLink``), not by ``questionID``: in the published
    file (2,129 rows, 815 ``questionID`` values) some ids are reused for different questions (18 ids
    cover two questions each) and nine questions are listed under two topics with two ids, their
    answers repeated. The loader gives 824 question sessions and 2,009 distinct answers; an answer
    listed twice (same question, therapist and text) is kept once.

    Parameters
    ----------
    root : str or Path, optional
        Folder with ``20200325_counsel_chat.csv``; default ``corpora_dir() / "counsel-chat"``.

    Returns
    -------
    pandas.DataFrame
        Utterance table; metadata ``corpus``, ``counselor_type`` (professional), ``problem``
        (the site's topic; the first listed where a question has two), ``topics`` (all its topics,
        ``;``-joined), ``question_id`` (the file's ``questionID`` values of the question, ``;``-joined),
        ``upvotes``, ``views``.
    """
    path = _need(Path(root or corpora_dir() / "counsel-chat") / "20200325_counsel_chat.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    link = raw["questionLink"].str.strip().str.rstrip("/")
    # questions without a link (none in the published file) fall back to their id
    raw = raw.assign(_question=link.where(link != "", "id:" + raw["questionID"]))
    by_question = raw.groupby("_question", sort=False)
    ids = by_question["questionID"].agg(lambda v: ";".join(dict.fromkeys(v)))
    topics = by_question["topic"].agg(lambda v: ";".join(dict.fromkeys(v)))
    raw = raw.drop_duplicates(subset=["_question", "therapistURL", "answerText"], keep="first")
    records = []
    for question_key, group in raw.groupby("_question", sort=False):
        slug = question_key.rsplit("/", 1)[-1].replace(":", "-")
        session = f"counselchat-{slug}"
        first = group.iloc[0]
        base = {
            "corpus": "counselchat",
            "counselor_type": "professional",
            "problem": first["topic"],
            "topics": topics[question_key],
            "question_id": ids[question_key],
        }
        question = " ".join(p for p in (first["questionTitle"].strip(), first["questionText"].strip()) if p)
        records.append(
            {
                "utterance_id": f"{session}-q",
                "session_id": session,
                "turn": 0,
                "role": "client",
                "speaker_id": f"{session}:client",
                "text": question,
                **base,
                "upvotes": np.nan,
                "views": np.nan,
            }
        )
        for turn, (_, answer) in enumerate(group.iterrows(), start=1):
            therapist = answer["therapistURL"].rstrip("/").rsplit("/", 1)[-1] or answer["therapistInfo"][:40]
            records.append(
                {
                    "utterance_id": f"{session}-a{turn}",
                    "session_id": session,
                    "turn": turn,
                    "role": "therapist",
                    "speaker_id": f"counselchat:{therapist}",
                    "text": answer["answerText"],
                    **base,
                    "upvotes": pd.to_numeric(answer["upvotes"], errors="coerce"),
                    "views": pd.to_numeric(answer["views"], errors="coerce"),
                }
            )
    return validate_corpus(pd.DataFrame.from_records(records), path=path)


ROGERS_SESSIONS = ("Gloria", "Sylvia_4th", "Sylvia_5th", "Kathy", "Dione_1st", "Dione_2nd")
"""Rogers' six sessions, in the order of the published file."""


def load_rogers(root: str | Path | None = None) -> pd.DataFrame:
    """Load Carl Rogers' six person-centred sessions (Brodley & Lietaer, *Transcripts of Carl Rogers'
    Therapy Sessions*, Vol. 12): Gloria 1965, Sylvia 4th and 5th, Kathy (1975), Dione 1st and 2nd (1977).

    The published CSV repeats sessions: the ``Gloria`` and ``Kathy`` blocks run on into copies of the
    sessions that follow them (2,118 rows, 977 distinct). As the corpus README prescribes, each session
    keeps its rows up to the first backwards jump of ``turn_number``, and the appended post-session
    commentary, a footnote and the ``[Words lost]`` / ``[The remainder is not on the film ...]`` notes
    are cut from the text. Result: 977 utterances, 478 by Rogers (8,990 words) and 499 by the clients.

    Licence: the transcripts are "available for purposes of research, study and teaching. They may not be
    sold"; the parsed CSV comes with no licence. Read them from the shared corpora folder; never copy them
    into a project or a demo.

    Parameters
    ----------
    root : str or Path, optional
        Folder with ``all_sessions_combined.csv``; default ``corpora_dir() / "rogers"``.

    Returns
    -------
    pandas.DataFrame
        Utterance table (``session_id`` ``rogers-<session>``, ``turn`` = position in the session's
        de-duplicated rows, from 0); metadata ``corpus`` (rogers), ``counselor_type`` (professional),
        ``school`` (person-centred), ``therapist`` (Carl Rogers), ``session`` (``Gloria``, ``Sylvia_4th``,
        ...), ``client`` (the client's code name), ``year`` (film year), ``source_turn`` (the response
        number printed in the source: not unique, it may skip or repeat).
    """
    path = _need(Path(root or corpora_dir() / "rogers") / "all_sessions_combined.csv")
    raw = pd.read_csv(
        path, dtype={"session": str, "speaker": str, "speaker_name": str, "text": str}, keep_default_na=False
    )
    # each duplicated block starts with a backwards jump in turn_number: keep every session up to its first
    back = raw.groupby("session", sort=False)["turn_number"].diff().lt(0)
    raw = raw[back.groupby(raw["session"]).cumsum().eq(0)].copy()
    text = (
        raw["text"]
        .str.replace(r"\s*END(?: of FILM and AUDIORECORDING)? Rogers’ Post-Session Commentary.*$", "", regex=True)
        .str.replace(r"\s*\d This Sylvia, in session #4,.*$", "", regex=True)
        .str.replace(r"\[(?:Words lost|The remainder is not on the film[^\]]*)\]\s*", "", regex=True)
        .str.strip()
    )
    session = "rogers-" + raw["session"]
    role = raw["speaker"].str.strip().str.lower()
    turn = raw.groupby("session", sort=False).cumcount()
    # the client's code name: the session label without its number (Sylvia_4th -> Sylvia)
    client = raw["session"].str.split("_").str[0]
    table = pd.DataFrame(
        {
            "utterance_id": session + "-" + turn.astype(str),
            "session_id": session,
            "turn": turn,
            "role": role,
            "speaker_id": np.where(role == "therapist", "carl-rogers", session + ":client"),
            "text": text,
            "corpus": "rogers",
            "counselor_type": "professional",
            "school": "person-centred",
            "therapist": "Carl Rogers",
            "session": raw["session"],
            "client": client,
            "year": raw["year"].astype(int),
            "source_turn": raw["turn_number"].astype(int),
        }
    )
    return validate_corpus(table, path=path)


LLMS_AS_THERAPISTS_BOTS = ("Pi", "7cups Noni", "GPT Therapist", "CharacterAI Therapist", "Serena")
"""The commercial therapy bots of llms-as-therapists (``participant_type`` values, newline replaced)."""


def _stimulus_turns(interjection: str) -> list[str]:
    """The client message(s) of a stimulus: one text, or the scripted turns of ``pesticides``.

    ``pesticides`` is a five-turn script written as a Python list; the LLM rows' version parses with
    :func:`ast.literal_eval`, the human and bot rows' hand-typed one does not (apostrophes inside single
    quotes), so that one is split on the ``', '`` between items.
    """
    s = interjection.strip()
    if not (s.startswith("[") and s.endswith("]")):
        return [s]
    try:
        items = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        items = [part.strip() for part in re.split(r"""['"]\s*,\s+['"]""", s[1:-1].strip())]
        items = [part.strip("'\"") for part in items]
    return [str(item).strip() for item in items] if isinstance(items, list) and items else [s]


def load_llms_as_therapists(root: str | Path | None = None) -> pd.DataFrame:
    """Load llms-as-therapists: single replies by human therapists, LLMs and therapy bots to the same
    ten risky client messages (Moore et al., FAccT 2025, Experiment 2; MIT licence).

    Every reply is its own session: the client stimulus (turn 0, role client) and the reply (turn 1, role
    therapist), so each session has exactly one therapist remark. Rows as the corpus README prescribes:
    empty replies and the placeholders ``None`` / ``None (refused)`` are left out; LLM replies are those
    with ``message_number == 0`` (the stimulus right after the system prompt, the same bare stimulus humans
    and bots saw; later message numbers followed transcript context that is not in the data), with verbatim
    repeats of a reply to the same stimulus by the same model kept once. Result: 302 replies (human
    therapists 80; bots: Pi 10, GPT Therapist 10, 7cups Noni 9, CharacterAI Therapist 9, Serena 8; LLMs:
    gpt-4o 64, llama3.1-405b 42, llama3.1-70b 32, llama3.1-8b 22, llama2-70b 16).

    The ``pesticides`` stimulus is a scripted exchange (client, scripted helper reply, client, scripted
    helper reply, client); it is kept as one client turn with the scripted helper replies marked
    ``[scripted helper reply] ...``, so that the responder's reply stays the only therapist remark.

    Parameters
    ----------
    root : str or Path, optional
        Folder with ``all_combined.csv``; default ``corpora_dir() / "llms-as-therapists"``.

    Returns
    -------
    pandas.DataFrame
        Utterance table; metadata ``corpus`` (llms-as-therapists), ``counselor_type`` (professional / llm /
        bot), ``responder_type`` (human / bot / llm), ``responder`` (``human_therapist`` or the model or
        bot name), ``stimulus`` (the stimulus id: stalking, dead, jump, invest, escape, god, bridge,
        pesticides, soap, books; use it as strata), ``condition`` (delusions, mania, hallucinations,
        suicidal ideation, compulsive/obsessive behaviour), ``appropriate`` (the paper's
        ``correct_response``: the rater's answer matched the appropriate one), ``judge`` (``human`` for
        human and bot replies, ``gpt-4o`` for LLM replies), ``participant_id`` (human therapists only; an
        id may stand for more than one person).
    """
    path = _need(Path(root or corpora_dir() / "llms-as-therapists") / "all_combined.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    responder = raw["participant_type"].str.replace(r"\s*\n\s*", " ", regex=True).str.strip()
    kind = np.where(
        responder == "human_therapist", "human", np.where(responder.isin(LLMS_AS_THERAPISTS_BOTS), "bot", "llm")
    )
    raw = raw.assign(x_responder=responder, x_kind=kind, x_reply=raw["model_response"].str.strip())
    real = ~raw["x_reply"].str.fullmatch(r"(?:None(?: \(refused\))?)?")  # empty cells and placeholders
    bare = (raw["x_kind"] != "llm") | (pd.to_numeric(raw["message_number"], errors="coerce") == 0)
    raw = raw[real & bare].drop_duplicates(["x_responder", "id", "x_reply"], keep="first")
    records = []
    counter: dict[tuple[str, str], int] = {}
    for r in raw.itertuples(index=False):
        key = (r.x_responder, r.id)
        counter[key] = counter.get(key, 0) + 1
        slug = re.sub(r"[^a-z0-9.]+", "-", r.x_responder.lower()).strip("-")
        session = f"llmther-{slug}-{r.id}-{counter[key]:02d}"
        stimulus = _stimulus_turns(r.interjection)
        client_text = "\n".join(t if i % 2 == 0 else f"[scripted helper reply] {t}" for i, t in enumerate(stimulus))
        human = r.x_kind == "human"
        pid = str(r.participant_id).strip()
        pid = pid[:-2] if pid.endswith(".0") else pid
        therapist = f"human-therapist-{pid}" if human and pid else f"llms-as-therapists:{slug}"
        meta = {
            "corpus": "llms-as-therapists",
            "counselor_type": {"human": "professional", "bot": "bot", "llm": "llm"}[r.x_kind],
            "responder_type": r.x_kind,
            "responder": r.x_responder,
            "stimulus": r.id,
            "condition": r.condition,
            "appropriate": {"True": True, "False": False}.get(str(r.correct_response).strip()),
            "judge": "gpt-4o" if r.x_kind == "llm" else "human",
            "participant_id": pid if human and pid else None,
        }
        records.append(
            {
                "utterance_id": f"{session}-0",
                "session_id": session,
                "turn": 0,
                "role": "client",
                "speaker_id": f"{session}:client",
                "text": client_text,
                **meta,
            }
        )
        records.append(
            {
                "utterance_id": f"{session}-1",
                "session_id": session,
                "turn": 1,
                "role": "therapist",
                "speaker_id": therapist,
                "text": r.x_reply,
                **meta,
            }
        )
    table = pd.DataFrame.from_records(records)
    table["appropriate"] = table["appropriate"].astype("boolean")
    return validate_corpus(table, path=path)


def load_demo() -> pd.DataFrame:
    """Load the bundled demo corpus (AnnoMI professionals and MIBot LLM counsellor).

    It is package data (``topics/read/data/demo/``), so it loads in any installed environment; see the corpus
    card ``corpora/demo/README.md`` of the repository for its source, licences and counts.

    Returns
    -------
    pandas.DataFrame
        A validated utterance table.
    """
    if not DEMO_CORPUS.is_file():
        raise InputError(
            "the demo corpus is missing from the installed package; reinstall therapy-topics", path=DEMO_CORPUS
        )
    return validate_corpus(pd.read_parquet(DEMO_CORPUS), path=DEMO_CORPUS)


LOADERS: dict[str, Callable[[], pd.DataFrame]] = {
    "annomi": load_annomi,
    "mibot": load_mibot,
    "counselchat": load_counselchat,
    "esconv": load_esconv,
    "rogers": load_rogers,
    "llms-as-therapists": load_llms_as_therapists,
}
"""Public corpora by name, as accepted by :func:`topics.read.load_corpus`."""
