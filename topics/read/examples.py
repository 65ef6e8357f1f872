"""Example input files in the shapes users bring, written from the bundled demo corpus.

``topics examples DIR`` (and :func:`write_examples`) writes a few real sessions of the demo corpus
(AnnoMI, public domain; MIBot, CC BY-SA 4.0) three ways, so that a new user can try every reader before
bringing their own data:

* ``utterances.csv``: one row per utterance with *other* column names (``transcript``, ``line``,
  ``speaker``, ``utterance``) and a role label the toolkit does not know (``Clinician``), so that
  ``--map`` and ``--role`` are needed, as with most real exports;
* ``transcripts/<session>.txt``: one plain-text file per session, ``T:`` / ``C:`` speaker prefixes;
* ``sessions.csv``: per-session metadata (``session_id``, ``counselor_type``, ``mi_quality``, ``problem``)
  to join onto the transcripts with ``--session-metadata``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from topics._files import atomic_folder, export_csv
from topics.errors import InputError
from topics.read.public import load_demo

EXAMPLE_METADATA: tuple[str, ...] = ("counselor_type", "mi_quality", "problem")
"""Session-level columns written to ``sessions.csv``."""


def example_sessions(corpus: pd.DataFrame, *, per_group: int = 12, seed: int = 0) -> list[str]:
    """A seeded choice of sessions: ``per_group`` low- and high-quality AnnoMI sessions and MIBot sessions.

    The high-quality sessions are matched to the low-quality ones by presenting problem where the corpus
    allows, so that a comparison of quality within problem (``strata="problem"``) has levels to work with.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The demo corpus (:func:`topics.read.public.load_demo`).
    per_group : int, default 12
        Sessions per group (fewer when a group has fewer).
    seed : int, default 0

    Returns
    -------
    list of str
        Session ids, in corpus order.
    """
    rng = np.random.default_rng(seed)
    first = corpus.drop_duplicates("session_id")
    professional = first[first["counselor_type"] == "professional"]
    low = professional[professional["mi_quality"] == "low"]
    low = low.iloc[rng.permutation(len(low))[:per_group]]
    high = professional[professional["mi_quality"] == "high"]
    high = high.iloc[rng.permutation(len(high))]
    chosen_high: list[str] = []
    for problem in low["problem"]:
        match = high[(high["problem"] == problem) & ~high["session_id"].isin(chosen_high)]
        if len(match) and len(chosen_high) < per_group:
            chosen_high.append(match["session_id"].iloc[0])
    rest = high[~high["session_id"].isin(chosen_high)]["session_id"]
    chosen_high += list(rest.iloc[: max(0, per_group - len(chosen_high))])
    llm = first[first["counselor_type"] == "llm"]["session_id"].to_numpy()
    chosen = {*low["session_id"], *chosen_high, *rng.choice(llm, size=min(per_group, len(llm)), replace=False)}
    return [s for s in first["session_id"] if s in chosen]


def write_examples(folder: str | Path, *, per_group: int = 12, seed: int = 0) -> list[Path]:
    """Write the example inputs into ``folder`` (created; refused if it exists and is not empty).

    Parameters
    ----------
    folder : str or Path
        Where to write ``utterances.csv``, ``transcripts/`` and ``sessions.csv``.
    per_group : int, default 12
        Sessions per group: high- and low-quality professional (AnnoMI) and LLM (MIBot).
    seed : int, default 0
        Which sessions are chosen.

    Returns
    -------
    list of Path
        The files written (the folder appears whole or not at all).
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError("exists and is not an empty folder; choose a new folder for the examples", path=folder)
    corpus = load_demo()
    sessions = example_sessions(corpus, per_group=per_group, seed=seed)
    rows = corpus[corpus["session_id"].isin(sessions)]
    with atomic_folder(folder) as tmp:
        table = pd.DataFrame(
            {
                "transcript": rows["session_id"],
                "line": rows["turn"],
                "speaker": rows["role"].map({"therapist": "Clinician", "client": "Client"}),
                "utterance": rows["text"],
            }
        )
        export_csv(table, tmp / "utterances.csv")
        meta = rows.drop_duplicates("session_id")[["session_id", *EXAMPLE_METADATA]]
        export_csv(meta, tmp / "sessions.csv")
        (tmp / "transcripts").mkdir()
        for session, utterances in rows.groupby("session_id", sort=False):
            lines = [
                f"{'T' if role == 'therapist' else 'C'}: {' '.join(str(text).split())}"
                for role, text in zip(utterances["role"], utterances["text"], strict=True)
            ]
            (tmp / "transcripts" / f"{session}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [folder / "utterances.csv", folder / "sessions.csv", folder / "transcripts"]
