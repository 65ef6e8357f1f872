"""Rebuild the demo corpus, topics/read/data/demo/demo_corpus.parquet, from the public corpora (../shared/corpora).

The demo corpus is every AnnoMI session (public domain; professional counsellors) and every second
MIBot session in participant-id order (CC BY-SA 4.0; GPT-4o counsellor), stacked into one utterance
table. Run from the project root: ``.venv/bin/python corpora/demo/build_demo.py``. The file is package data
(``topics.read.public.DEMO_CORPUS``), so that ``load_corpus("demo")`` works in any installed environment.
"""

from __future__ import annotations

import pandas as pd

from topics.read.public import DEMO_CORPUS, load_annomi, load_mibot


def build() -> pd.DataFrame:
    annomi = load_annomi()
    mibot = load_mibot()
    sessions = sorted(mibot["session_id"].unique())[::2]
    mibot = mibot[mibot["session_id"].isin(sessions)]
    demo = pd.concat([annomi, mibot], ignore_index=True)
    keep = [
        "utterance_id",
        "session_id",
        "turn",
        "role",
        "speaker_id",
        "text",
        "corpus",
        "counselor_type",
        "code",
        "mi_quality",
        "problem",
        "volley",
        "readiness_pre",
        "readiness_post",
        "readiness_change",
    ]
    return demo[keep]


if __name__ == "__main__":
    table = build()
    DEMO_CORPUS.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(DEMO_CORPUS, index=False, compression="zstd")
    print(table.groupby(["corpus", "role"]).size())
    print(table.groupby("corpus")["session_id"].nunique())
