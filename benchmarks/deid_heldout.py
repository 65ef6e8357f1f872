"""De-identification measured on labelled sets the rules were not written against, half by half.

Usage::

    .venv/bin/python benchmarks/deid_heldout.py [--no-ner] [--errors SET]

Sets (all in ``tests/fixtures/``):

* ``styles-A`` / ``styles-B``: ``deid_styles.jsonl`` (chat and text messages, spoken transcripts, Q&A forum
  answers; social handles, short phone numbers, short links, nicknames, two-digit years, ~31 clean remarks
  full of clinical vocabulary per half). Half A (``split == "dev"``) is the development half the rules were
  tuned on; half B (``split == "test"``) was held out until 2026-12-06 and is now a development half too.
* ``blind``: ``deid_blind.jsonl`` (100 remarks in five more styles: text messages to a crisis line, supervision
  notes, forum posts, spoken transcripts with spelled-out numbers, formal letters), written by someone who never
  saw the rules. It was scored once, blind, on 2026-12-06 and then released as a development set.
* ``blind2``: ``deid_blind2.jsonl`` (200 remarks in eight styles, among them unpunctuated voicemail
  transcriptions, group-therapy notes and intake forms), written by someone who never saw the rules; scored once,
  blind, on 2026-12-06 and then released as a development set (round 4).
* ``blind3``: ``deid_blind3.jsonl`` (200 remarks in eight more styles: couples sessions, telehealth chat, peer-group
  chat exports, Q&A answers, interpreted sessions, discharge summaries, school e-mails, an LLM counsellor), written
  by someone who never saw the rules; scored once, blind, on 2026-12-06 and then released as a development set
  (round 5).
* ``blind4``: ``deid_blind4.jsonl`` (200 remarks in eight more styles: family genograms, recovery-meeting shares,
  veterans' sessions, employee-assistance referrals, dementia caregivers, diarized speech recognition, a teen
  text line, court evaluations), written by someone who never saw the rules; scored once, blind, after round 5
  and then released as a development set (round 6).
* ``blind5``: ``deid_blind5.jsonl`` (200 remarks in eight more styles: a university counselling centre, perinatal
  sessions, refugee resettlement, sports psychology, grief letters, pasted work chat, an LGBTQ youth forum, prison
  re-entry and parole), written by someone who never saw the rules; scored once, blind, after round 6 and then
  released as a development set (round 7).
* ``blind6``: ``deid_blind6.jsonl`` (200 remarks in eight more styles: hospital consult notes, domestic-violence
  advocacy, forwarded e-mail threads, hospice chaplaincy, autism parent coaching, first-responder peer support, a
  gambling helpline, Spanish-English farmworker telehealth), written by someone who never saw the rules; scored
  once, blind, after round 7 and then released as a development set (round 8). ``blind6-A`` and ``blind6-B`` are
  its two halves by style (round 8 wrote its rules on half A and scored half B once before reading its errors).
* ``blind7``: ``deid_blind7.jsonl`` (200 remarks in eight more styles: an eating-disorder programme, telepsychiatry
  medication visits, foster-care casework, sessions through video relay or an ASL interpreter, therapy with a
  gamer, a chronic-pain clinic, psychedelic integration, nurses' peer support), written by someone who never saw the
  rules; scored once, blind, after round 8 and then released as a development set (round 9). ``blind7-A`` and
  ``blind7-B`` are its two halves by style (round 9 wrote its rules on half A and scored half B once before reading
  its errors).
* ``blind8``: ``deid_blind8.jsonl`` (200 remarks in eight more styles: play therapy with young children, an
  insurer's utilisation review, pastoral marriage counselling, gender-affirming care letters, CBT for insomnia with
  sleep diaries, an asylum evaluation, WhatsApp threads pasted into a message, sessions in jail), written by someone
  who never saw the rules; scored once, blind, after round 9 and then released as a development set (round 10).
  ``blind8-A`` and ``blind8-B`` are its two halves by style (round 10 wrote its rules on half A and scored half B
  once before reading its errors).
* ``blind9``: ``deid_blind9.jsonl`` (200 remarks in eight more styles: IEP meetings at a school, a methadone and
  buprenorphine clinic, home visits for hoarding, adoption reunions, dating-app safety, a speech-to-text voice
  journal, chat mixing English with Spanish, Tagalog or Hindi, music and art therapy), written by someone who never
  saw the rules; scored once, blind, after round 10 and then released as a development set (round 11). ``blind9-A``
  and ``blind9-B`` are its two halves by style (round 11 wrote its rules on half A and scored half B once before
  reading its errors).
* ``blind10``: ``deid_blind10.jsonl`` (200 remarks in eight more styles: a military spouse, a tribal behavioural
  health service, sex therapy, an evaluation before weight-loss surgery, a follow-up call after a suicide attempt,
  feedback after neuropsychological testing, an advice-forum thread, a support group of dementia caregivers),
  written by someone who never saw the rules; scored once, blind, after round 11 (measuring only).
* ``heldout-dev`` / ``heldout-test``: ``deid_heldout.jsonl`` (edited real counselling remarks).
* ``labelled``: ``deid_labelled.jsonl`` (the oldest fixture; the first rules were written against it).

For each set: leak recall per kind (a gold span overlapped by any predicted span is scrubbed), overall recall,
direct-identifier recall (names, contacts, handles, IDs, addresses) and the share of clean remarks (no gold
span) in which anything was scrubbed (false-positive rate). ``--errors SET`` lists the misses and false
positives of one set; it refuses ``heldout-test`` and ``blind10``, which are for measuring only (``blind`` to ``blind9`` were too
until they were released as development sets on 2026-12-06 and 2026-12-07).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from topics.clean import Deidentifier  # noqa: E402
from topics.clean.deid_scoring import evaluate_spans  # noqa: E402

FIXTURES = PROJECT / "tests" / "fixtures"
SETS = {
    "styles-A": ("deid_styles.jsonl", "dev"),
    "styles-B": ("deid_styles.jsonl", "test"),
    "heldout-dev": ("deid_heldout.jsonl", "dev"),
    "heldout-test": ("deid_heldout.jsonl", "test"),
    "labelled": ("deid_labelled.jsonl", None),
    "blind": ("deid_blind.jsonl", "blind"),
    "blind2": ("deid_blind2.jsonl", "blind2"),
    "blind3": ("deid_blind3.jsonl", "blind3"),
    "blind4": ("deid_blind4.jsonl", "blind4"),
    "blind5": ("deid_blind5.jsonl", "blind5"),
    "blind6": ("deid_blind6.jsonl", "blind6"),
    "blind6-A": ("deid_blind6.jsonl", "blind6"),
    "blind6-B": ("deid_blind6.jsonl", "blind6"),
    "blind7": ("deid_blind7.jsonl", "blind7"),
    "blind7-A": ("deid_blind7.jsonl", "blind7"),
    "blind7-B": ("deid_blind7.jsonl", "blind7"),
    "blind8": ("deid_blind8.jsonl", "blind8"),
    "blind8-A": ("deid_blind8.jsonl", "blind8"),
    "blind8-B": ("deid_blind8.jsonl", "blind8"),
    "blind9": ("deid_blind9.jsonl", "blind9"),
    "blind9-A": ("deid_blind9.jsonl", "blind9"),
    "blind9-B": ("deid_blind9.jsonl", "blind9"),
    "blind10": ("deid_blind10.jsonl", "blind10"),
}
STYLES = {
    "blind6-A": ("consult_liaison_note", "dv_advocate", "hospice_chaplain", "gambling_helpline"),
    "blind6-B": (
        "forwarded_email_thread",
        "autism_parent_coaching",
        "first_responder_peer_support",
        "farmworker_telehealth",
    ),
    "blind7-A": ("eating_disorder_program", "foster_care_casework", "online_gaming_therapy", "psychedelic_integration"),
    "blind7-B": ("telepsychiatry_med_management", "deaf_vrs_session", "chronic_pain_clinic", "nurse_burnout_peer"),
    "blind8-A": (
        "elementary_play_therapy",
        "pastoral_marriage_counseling",
        "cbt_insomnia_sleep_diary",
        "whatsapp_export_pasted",
    ),
    "blind8-B": (
        "insurance_utilization_review",
        "gender_affirming_care_letter",
        "asylum_psych_evaluation",
        "incarcerated_client_session",
    ),
    "blind9-A": ("school_iep_meeting", "hoarding_home_visit", "speech_to_text_journal", "music_art_therapy"),
    "blind9-B": (
        "mat_clinic_counseling",
        "adoption_reunion_counseling",
        "dating_app_safety_session",
        "code_switching_chat",
    ),
}
"""The two halves of blind6 to blind9 by style (rules written on half A, half B scored once before its errors were
read: round 8 for blind6, round 9 for blind7, round 10 for blind8, round 11 for blind9)."""
MEASURE_ONLY = {"heldout-test", "blind10"}
DIRECT_KINDS = ("NAME", "EMAIL", "PHONE", "URL", "HANDLE", "ADDRESS", "ID")
"""Direct identifiers: target leak recall >= 0.95."""
ORDER = ("NAME", "HANDLE", "EMAIL", "PHONE", "URL", "ADDRESS", "ID", "DATE", "AGE", "LOCATION", "ORG")


def load(name: str) -> list[dict]:
    """The rows of one set, every span checked against its text."""
    file, split = SETS[name]
    rows = [json.loads(line) for line in (FIXTURES / file).read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if split is None or r.get("split") == split]
    if name in STYLES:
        rows = [r for r in rows if r.get("style") in STYLES[name]]
    for r in rows:
        for s in r["spans"]:
            if "text" in s:
                assert r["text"][s["start"] : s["end"]] == s["text"], (r.get("id"), s)
    return rows


def measure(rows: list[dict], deid: Deidentifier) -> tuple[dict, list[list]]:
    """Scores of one set: per-kind leak recall, overall, direct, clean-remark false positives."""
    predicted = deid.find_many([r["text"] for r in rows])
    scores = evaluate_spans([r["spans"] for r in rows], predicted)
    direct = [scores[k] for k in DIRECT_KINDS if k in scores]
    clean = [p for r, p in zip(rows, predicted, strict=True) if not r["spans"]]
    out = {
        "kinds": {k: (scores[k]["leak_found"], scores[k]["gold"]) for k in ORDER if k in scores and scores[k]["gold"]},
        "all": (scores["ALL"]["leak_found"], scores["ALL"]["gold"]),
        "direct": (sum(r["leak_found"] for r in direct), sum(r["gold"] for r in direct)),
        "clean_fp": (sum(bool(p) for p in clean), len(clean)),
        "precision": scores["ALL"]["precision"],
    }
    return out, predicted


def ratio(pair: tuple[int, int]) -> str:
    found, total = pair
    return f"{found / total:.3f} ({found}/{total})" if total else "-"


def errors(rows: list[dict], predicted: list[list]) -> None:
    for row, pred in zip(rows, predicted, strict=True):
        for g in row["spans"]:
            if not any(p.start < g["end"] and g["start"] < p.end for p in pred):
                print(f"  MISS {g['kind']:<8} {row['text'][g['start'] : g['end']]!r:36} {row['text'][:80]!r}")
        for p in pred:
            if not any(p.start < g["end"] and g["start"] < p.end for g in row["spans"]):
                print(f"  FP   {p.kind:<8} {p.text!r:36} {row['text'][:80]!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-ner", action="store_true", help="rules and word lists only")
    parser.add_argument("--errors", choices=sorted(set(SETS) - MEASURE_ONLY), help="list misses and false positives")
    parser.add_argument("--sets", nargs="*", choices=list(SETS), default=list(SETS))
    args = parser.parse_args(argv)
    deid = Deidentifier(use_ner=not args.no_ner)
    results = {}
    for name in args.sets:
        rows = load(name)
        results[name], predicted = measure(rows, deid)
        if args.errors == name:
            print(f"\n{name}: misses and false positives")
            errors(rows, predicted)
    print(f"\nLeak recall per kind (found/gold), NER {'off' if args.no_ner else 'on'}, no known names")
    print(f"{'kind':<10}" + "".join(f"{n:>22}" for n in results))
    for kind in ORDER:
        print(f"{kind:<10}" + "".join(f"{ratio(r['kinds'].get(kind, (0, 0))):>22}" for r in results.values()))
    for key, title in (("all", "overall"), ("direct", "direct ids"), ("clean_fp", "clean FP")):
        print(f"{title:<10}" + "".join(f"{ratio(r[key]):>22}" for r in results.values()))
    print(f"{'precision':<10}" + "".join(f"{r['precision']:>22.3f}" for r in results.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
