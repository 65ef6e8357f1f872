"""Write the demo's example ledger (topics/read/data/demo/ledger.yaml, package data) through the Curator API.

Run after `topics demo` (it reads runs/demo): ``.venv/bin/python corpora/demo/make_ledger.py``.
The labels are the toolkit team's, written in the language an MI supervisor would use; they are an
example of the ledger format, not a validated coding scheme.
"""

from __future__ import annotations

from topics.analysis import Analysis
from topics.curate import Curator
from topics.read.public import DEMO_LEDGER

AUTHOR = "topics demo curator"


def main() -> None:
    analysis = Analysis.load("runs/demo")
    target = DEMO_LEDGER
    target.unlink(missing_ok=True)
    cur = Curator(analysis, target, author=AUTHOR)
    by_words = {row.topic: set(row.words) for row in analysis.topics.itertuples()}

    def find(*words: str) -> int:
        """The topic whose top words include all the given words (robust to renumbering)."""
        hits = [t for t, ws in by_words.items() if t != -1 and all(w in ws for w in words)]
        if len(hits) != 1:
            raise SystemExit(f"expected one topic with {words}, found {hits}")
        return hits[0]

    cur.merge(
        [find("quit smoking"), find("considering quitting")],
        "Smoking cessation: habits and reasons to quit",
        rationale="Both topics are about the client's smoking and the wish to quit; the split between them "
        "followed wording, not clinical content.",
    )
    cur.merge(
        [find("drinking alcohol"), find("drug use")],
        "Alcohol and drug use",
        rationale="Substance use other than tobacco; too small to keep drugs separate.",
    )
    cur.drop(
        find("perfectly fine"),
        bucket="fillers and small talk",
        rationale='Fillers and small-talk fragments ("fine", "pretty good") that survived cleaning; '
        "no clinical content.",
    )
    cur.merge(
        [find("conversation today"), find("session feel"), find("feeling lately")],
        "Opening: greeting and check-in",
        rationale="Session openings: greeting, how are you today.",
    )
    cur.rename(find("appreciate openness"), "Affirming the client's openness")
    cur.rename(find("scale 10"), "Importance and confidence rulers")
    cur.merge([find("making change"), find("small steps")], "Steps toward change")
    cur.merge([find("suggestions"), find("want explore")], "Exploring options and strategies")
    cur.rename(find("makes feel"), "Exploring feelings")
    cur.rename(find("seeking support"), "Offering support")
    cur.rename(find("managing stress"), "Stress and coping")
    cur.rename(find("dr fields"), "Doctors, appointments and referrals")
    cur.merge(
        [find("cholesterol"), find("asthma")],
        "Medication and chronic illness",
        rationale="Medication, heart and lung conditions: one medical topic for this corpus.",
    )
    cur.rename(find("motivations"), "Motivation and progress")
    cur.rename(find("evenings"), "Daily routines and evenings")
    cur.rename(find("talk things"), "Agenda setting")
    cur.rename(find("parents"), "Parents and family")
    cur.rename(find("breathing exercises"), "Relaxation and mindfulness")
    cur.rename(find("crime"), "Legal trouble and consequences")
    cur.rename(find("summarize discussed"), "Summaries")
    cur.rename(find("savings"), "Money and finances")
    cur.rename(find("difficult times"), "Acknowledging difficulty")
    cur.rename(find("health benefits"), "Health benefits of change")
    cur.rename(find("physical activity"), "Physical activity")
    close = find("donna")
    cur.rename(close, "Partner and close relationships")
    cur.note(close, "Top words are personal names from the transcripts: check de-identification before sharing.")
    cur.rename(find("continue conversation"), "Continuing or ending the conversation")
    cur.rename(find("reading writing"), "School and learning")
    cur.rename(find("thank sharing"), "Thanking the client for sharing")
    cur.rename(find("friendships"), "Friends and social life")
    cur.rename(find("concerns"), "Eliciting concerns")
    print(cur.view.log[["entry", "written", "status"]].to_string(index=False))
    print(f"{len(cur.view.topic_ids) - (-1 in cur.view.topic_ids)} curated topics; ledger: {target}")


if __name__ == "__main__":
    main()
