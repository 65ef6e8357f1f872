"""Chat, transcript and forum styles: handles, short phones and links, nicknames, two-digit years, ages after a
name, places on roads, and the clinical allow list (tests/fixtures/deid_styles.jsonl)."""

import json
from pathlib import Path

import pytest

from topics.clean.deid_scoring import evaluate_spans
from topics.clean.deid_styles import clinical_terms

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deid_styles.jsonl"
DIRECT = ("NAME", "EMAIL", "PHONE", "URL", "HANDLE", "ADDRESS", "ID")


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_fixture_halves_styles_and_spans(rows):
    assert len({r["id"] for r in rows}) == len(rows)
    for split in ("dev", "test"):
        half = [r for r in rows if r["split"] == split]
        assert len(half) >= 60
        assert sum(not r["spans"] for r in half) >= 30
        assert {r["style"] for r in half} == {"chat", "transcript", "qa"}
        kinds = {s["kind"] for r in half for s in r["spans"]}
        assert {"NAME", "HANDLE", "PHONE", "URL", "EMAIL", "ADDRESS", "ID", "DATE", "AGE", "LOCATION", "ORG"} <= kinds
    for r in rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"]
            assert s["start"] >= prev
            prev = s["end"]


@pytest.mark.parametrize(
    ("text", "found", "kind"),
    [
        ("my insta is kayla.b2 if u want", "kayla.b2", "HANDLE"),
        ("dm me @sadgirl_99 ok", "@sadgirl_99", "HANDLE"),
        ("ask u/throwaway_dad_42 about it", "u/throwaway_dad_42", "HANDLE"),
        ("add ghostkid#4471 on there", "ghostkid#4471", "HANDLE"),
        ("send it to $jdawg22 please", "$jdawg22", "HANDLE"),
        ("call me at 555-0199 tonight", "555-0199", "PHONE"),
        ("the link is bit.ly/3xYzQ7 ok", "bit.ly/3xYzQ7", "URL"),
        ("we left in '09 for good", "09", "DATE"),
        ("and Keisha is 14 now.", "14", "AGE"),
        ("T-Bone was there too.", "T-Bone", "NAME"),
        ("Mo said he would come.", "Mo", "NAME"),
        ("staying at the Motel 6 on Route 9 for now", "Motel 6 on Route 9", "LOCATION"),
    ],
)
def test_style_rules(rules, text, found, kind):
    spans = rules.find(text)
    assert any(s.text.strip("'") == found and s.kind == kind for s in spans), spans


@pytest.mark.parametrize(
    "text",
    [
        "The session is 50 minutes.",
        "Take 100-200 mg with food.",
        "Rate it 7/10, and it was 3 out of 10 last week.",
        "Score is 14 on the PHQ-9.",
        "I wear a T-Shirt and got an X-Ray.",
        "Everything went wrong and Nobody said anything.",
        "He emailed me at 10.30 and again at 12.15.",
        "That is 2.5 mg, and the crisis line is 988.",
    ],
)
def test_style_rules_leave_ordinary_text(rules, text):
    assert rules.find(text) == [], rules.find(text)


def test_clinical_allow_list_loaded():
    terms = clinical_terms()
    assert {"zoloft", "xanax", "lithium", "seasonal affective disorder", "bipolar ii", "dbt", "emdr", "abuela"} <= terms
    assert "lola" not in terms and "tito" not in terms  # given names stay out of the allow list


@pytest.mark.parametrize(
    "text",
    [
        "Seasonal Affective Disorder hits me every winter.",
        "Bipolar II is not a milder Bipolar I.",
        "Abuela always says pray on it.",
        "Faith is a big part of how I cope.",
        "Prozac, Lexapro and Celexa are all SSRIs.",
        "Klonopin as needed, Propranolol before presentations.",
        "Mixes partner and parents together when she is upset.",
    ],
)
def test_clinical_vocabulary_not_scrubbed(deid, text):
    assert deid.find(text) == [], deid.find(text)


def test_names_beside_clinical_words_still_found(deid):
    assert "Rosa" not in deid.scrub("My abuela, Rosa, takes Zoloft.")
    assert "Kowalski" not in deid.scrub("My PO, Officer Kowalski, wants me there.")
    assert deid.scrub("My PO, Officer Kowalski, wants me there.").count("Officer") == 1


def _scores(deid, rows, split):
    half = [r for r in rows if r["split"] == split]
    predicted = deid.find_many([r["text"] for r in half])
    scores = evaluate_spans([r["spans"] for r in half], predicted)
    direct = sum(scores[k]["leak_found"] for k in DIRECT if k in scores) / sum(
        scores[k]["gold"] for k in DIRECT if k in scores
    )
    clean = [p for r, p in zip(half, predicted, strict=True) if not r["spans"]]
    return direct, scores["ALL"]["leak_recall"], sum(bool(p) for p in clean) / len(clean)


def test_targets_on_the_dev_half(deid, rows):
    """Targets of issue 23 on half A (the rules were tuned on it): direct >= 0.95, overall >= 0.9, FP <= 5%."""
    direct, overall, fp = _scores(deid, rows, "dev")
    assert direct >= 0.95 and overall >= 0.9 and fp <= 0.05


def test_targets_on_the_second_dev_half(deid, rows):
    """Half B was held out until 2026-12-06 (direct 0.941, overall 0.923, FP 1/31); since then it is a development
    half too (its misses were read while writing ``deid_notes.py``). Measured after: 0.971 (33/34), 0.981 (51/52),
    1/31 clean remarks; after round 3 (``deid_chat.py``, 2026-12-06): 0.971, 0.981, 0/31."""
    direct, overall, fp = _scores(deid, rows, "test")
    assert direct >= 0.95 and overall >= 0.95 and fp <= 0.05


# -- the old blind set (tests/fixtures/deid_blind.jsonl, see deid_blind.md): scored once, blind, on 2026-12-06, then
# released as a development set (round 3 listed its errors); its figures below are floors at what was measured --------

BLIND = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind.jsonl"


@pytest.fixture(scope="module")
def blind_rows():
    return [json.loads(line) for line in BLIND.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind(deid, blind_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind_rows)


def test_blind_fixture_counts(blind_rows):
    assert len(blind_rows) == 100 and len({r["id"] for r in blind_rows}) == 100
    assert {r["split"] for r in blind_rows} == {"blind"}
    assert {r["style"] for r in blind_rows} == {"sms", "supervision", "forum", "transcript", "letter"}
    assert sum(len(r["spans"]) for r in blind_rows) == 135
    assert sum(not r["spans"] for r in blind_rows) == 35
    for r in blind_rows:
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"]


def test_blind_figures_as_measured(blind):
    """The old blind set, a development set since 2026-12-06 (NER on). Scored blind once: direct identifiers 68/75,
    overall 122/135, false positives in 2 of 35 clean remarks; after round 3 (tuned on it): 75/75, 135/135, 0 of 35.
    These are floors: a change that loses a found identifier or adds a false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind
    assert (direct_gold, gold, clean) == (75, 135, 35)
    assert direct >= 75 and found >= 135 and fp <= 0


def test_blind_targets(blind):
    """Issue 23's targets, met on the old blind set since it became a development set (it no longer measures
    generalisation: see deid_blind.md)."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the second blind set (tests/fixtures/deid_blind2.jsonl, see deid_blind2.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-06 after round 3 (counts only), then released as a development set in
# round 4 (its misses and false positives were read while writing deid_speech.py and deid_filters.py) --------------

BLIND2 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind2.jsonl"


@pytest.fixture(scope="module")
def blind2_rows():
    return [json.loads(line) for line in BLIND2.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind2(deid, blind2_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind2_rows)


def _blind_counts(deid, rows):
    predicted = deid.find_many([r["text"] for r in rows])
    scores = evaluate_spans([r["spans"] for r in rows], predicted)
    direct = [scores[k] for k in DIRECT if k in scores]
    clean = [p for r, p in zip(rows, predicted, strict=True) if not r["spans"]]
    return (
        (sum(r["leak_found"] for r in direct), sum(r["gold"] for r in direct)),
        (scores["ALL"]["leak_found"], scores["ALL"]["gold"]),
        (sum(bool(p) for p in clean), len(clean)),
    )


def test_blind2_fixture_counts(blind2_rows):
    assert len(blind2_rows) == 200 and len({r["id"] for r in blind2_rows}) == 200
    assert {r["split"] for r in blind2_rows} == {"blind2"}
    assert len({r["style"] for r in blind2_rows}) == 8
    assert sum(len(r["spans"]) for r in blind2_rows) == 399
    assert sum(not r["spans"] for r in blind2_rows) == 72
    for r in blind2_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind2_figures_as_measured(blind2):
    """Scored once, blind, on 2026-12-06 with NER (rules of round 3): direct identifiers 204/230 = 0.887, overall
    341/399 = 0.855, false positives in 10 of 72 clean remarks (13.9%). Released as a development set in round 4;
    after round 4 (tuned on it): 230/230, 397/399, 0 of 72. Floors: a change that loses a found identifier or adds a
    false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind2
    assert (direct_gold, gold, clean) == (230, 399, 72)
    assert direct >= 230 and found >= 397 and fp <= 0


def test_blind2_targets(blind2):
    """Issue 23's targets, met on the second blind set since round 4 made it a development set (it no longer
    measures generalisation: see deid_blind2.md; the third blind set does)."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind2
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the third blind set (tests/fixtures/deid_blind3.jsonl, see deid_blind3.md): written by a helper that never saw the
# rules, scored once, blind, on 2026-12-06 after round 4 (counts only), then released as a development set in round 5
# (its misses and false positives were read while writing deid_evidence.py) -----------------------------------------

BLIND3 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind3.jsonl"


@pytest.fixture(scope="module")
def blind3_rows():
    return [json.loads(line) for line in BLIND3.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind3(deid, blind3_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind3_rows)


def test_blind3_fixture_counts(blind3_rows):
    assert len(blind3_rows) == 200 and len({r["id"] for r in blind3_rows}) == 200
    assert {r["split"] for r in blind3_rows} == {"blind3"}
    assert len({r["style"] for r in blind3_rows}) == 8
    assert sum(len(r["spans"]) for r in blind3_rows) == 374
    assert sum(not r["spans"] for r in blind3_rows) == 72
    for r in blind3_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind3_figures_as_measured(blind3):
    """Scored once, blind, on 2026-12-06 with NER (rules of round 4): direct identifiers 203/218 = 0.931, overall
    343/374 = 0.917, false positives in 19 of 72 clean remarks (26.4%). Released as a development set in round 5;
    after round 5 (tuned on it): 215/218, 364/374, 1 of 72; after round 7: 215/218, 365/374, 1 of 72. Floors: a
    change that loses a found identifier or adds a false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind3
    assert (direct_gold, gold, clean) == (218, 374, 72)
    assert direct >= 215 and found >= 365 and fp <= 0


def test_blind3_targets(blind3):
    """Issue 23's targets, met on the third blind set since round 5 made it a development set (it no longer
    measures generalisation: see deid_blind3.md; the fourth blind set does)."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind3
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the fourth blind set (tests/fixtures/deid_blind4.jsonl, see deid_blind4.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-06 after round 5 (counts only), then released as a development set in
# round 6 (its misses and false positives were read while writing deid_family.py) ------------------------------------

BLIND4 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind4.jsonl"


@pytest.fixture(scope="module")
def blind4_rows():
    return [json.loads(line) for line in BLIND4.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind4(deid, blind4_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind4_rows)


def test_blind4_fixture_counts(blind4_rows):
    assert len(blind4_rows) == 200 and len({r["id"] for r in blind4_rows}) == 200
    assert {r["split"] for r in blind4_rows} == {"blind4"}
    assert len({r["style"] for r in blind4_rows}) == 8
    assert sum(len(r["spans"]) for r in blind4_rows) == 410
    assert sum(not r["spans"] for r in blind4_rows) == 72
    for r in blind4_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind4_figures_as_measured(blind4):
    """Scored once, blind, on 2026-12-06 with NER (rules of round 5): direct identifiers 206/235 = 0.877, overall
    347/410 = 0.846, false positives in 26 of 72 clean remarks (36.1%). Released as a development set in round 6;
    after round 6 (tuned on it): 225/235, 386/410, 3 of 72; after round 7: 225/235, 387/410, 2 of 72; after round
    11: 225/235, 387/410, 1 of 72. Floors: a change that loses a found identifier or adds a false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind4
    assert (direct_gold, gold, clean) == (235, 410, 72)
    assert direct >= 225 and found >= 387 and fp <= 1


def test_blind4_targets(blind4):
    """Issue 23's targets, met on the fourth blind set since round 6 made it a development set (it no longer
    measures generalisation: see deid_blind4.md; the fifth blind set does)."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind4
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the fifth blind set (tests/fixtures/deid_blind5.jsonl, see deid_blind5.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-06 after round 6 (counts only); released as a development set in round 7 --

BLIND5 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind5.jsonl"


@pytest.fixture(scope="module")
def blind5_rows():
    return [json.loads(line) for line in BLIND5.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind5(deid, blind5_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind5_rows)


def test_blind5_fixture_counts(blind5_rows):
    assert len(blind5_rows) == 200 and len({r["id"] for r in blind5_rows}) == 200
    assert {r["split"] for r in blind5_rows} == {"blind5"}
    assert len({r["style"] for r in blind5_rows}) == 8
    assert sum(len(r["spans"]) for r in blind5_rows) == 403
    assert sum(not r["spans"] for r in blind5_rows) == 72
    for r in blind5_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind5_figures_as_measured(blind5):
    """Scored once, blind, on 2026-12-06 with NER (rules of round 6): direct identifiers 219/231 = 0.948, overall
    369/403 = 0.916, false positives in 13 of 72 clean remarks (18.1%). Released as a development set in round 7;
    after round 7 (tuned on it): 229/231, 394/403, 2 of 72; after round 8: 229/231, 395/403, 2 of 72. Floors: a
    change that loses a found identifier or adds a false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind5
    assert (direct_gold, gold, clean) == (231, 403, 72)
    assert direct >= 229 and found >= 395 and fp <= 1


def test_blind5_targets(blind5):
    """Issue 23's targets, met on the fifth blind set since round 7 made it a development set (it no longer
    measures generalisation: see deid_blind5.md; the sixth blind set does)."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind5
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the sixth blind set (tests/fixtures/deid_blind6.jsonl, see deid_blind6.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-06 after round 7 (counts only); released as a development set in round 8
# (rules written on half A by style, half B scored once before its errors were read) ----------------------------------

BLIND6 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind6.jsonl"


@pytest.fixture(scope="module")
def blind6_rows():
    return [json.loads(line) for line in BLIND6.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind6(deid, blind6_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind6_rows)


def test_blind6_fixture_counts(blind6_rows):
    assert len(blind6_rows) == 200 and len({r["id"] for r in blind6_rows}) == 200
    assert {r["split"] for r in blind6_rows} == {"blind6"}
    assert len({r["style"] for r in blind6_rows}) == 8
    assert sum(len(r["spans"]) for r in blind6_rows) == 426
    assert sum(not r["spans"] for r in blind6_rows) == 72
    for r in blind6_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind6_figures_as_measured(blind6):
    """Scored once, blind, on 2026-12-06 with NER (rules of round 7): direct identifiers 224/237 = 0.945, overall
    389/426 = 0.913, false positives in 31 of 72 clean remarks (43.1%). Released as a development set in round 8;
    after round 8 (tuned on half A, then on half B's errors): 228/237, 403/426, 11 of 72; after round 9: 228/237,
    403/426, 9 of 72; after round 10: 229/237, 404/426, 9 of 72; after round 11: 229/237, 404/426, 7 of 72. Floors:
    a change that loses a found identifier or adds a false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind6
    assert (direct_gold, gold, clean) == (237, 426, 72)
    assert direct >= 229 and found >= 404 and fp <= 7


@pytest.mark.xfail(strict=True, reason="issue 23: 7 of 72 clean blind6 remarks still get a false positive (target 3)")
def test_blind6_targets(blind6):
    """Issue 23's targets on the sixth blind set, a development set since round 8: direct identifiers and overall
    recall are met, the false-positive rate (12.5% after round 9) is not."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind6
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the seventh blind set (tests/fixtures/deid_blind7.jsonl, see deid_blind7.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-06 after round 8 (counts only); released as a development set in round 9
# (rules written on half A by style, half B scored once before its errors were read) ----------------------------------

BLIND7 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind7.jsonl"


@pytest.fixture(scope="module")
def blind7_rows():
    return [json.loads(line) for line in BLIND7.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind7(deid, blind7_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind7_rows)


def test_blind7_fixture_counts(blind7_rows):
    assert len(blind7_rows) == 200 and len({r["id"] for r in blind7_rows}) == 200
    assert {r["split"] for r in blind7_rows} == {"blind7"}
    assert len({r["style"] for r in blind7_rows}) == 8
    assert sum(len(r["spans"]) for r in blind7_rows) == 396
    assert sum(not r["spans"] for r in blind7_rows) == 72
    for r in blind7_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind7_figures_as_measured(blind7):
    """Scored once, blind, on 2026-12-06 with NER (rules of round 8): direct identifiers 201/209 = 0.962, overall
    378/396 = 0.955, false positives in 15 of 72 clean remarks (20.8%). Released as a development set in round 9;
    after round 9 (written on half A, then a last fix after reading half B's errors): 201/209, 378/396, 2 of 72;
    after round 11: 201/209, 378/396, 1 of 72. Floors: a change that loses a found identifier or adds a false
    positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind7
    assert (direct_gold, gold, clean) == (209, 396, 72)
    assert direct >= 201 and found >= 378 and fp <= 1


def test_blind7_targets(blind7):
    """Issue 23's targets, met on the seventh blind set since round 9 made it a development set (it no longer
    measures generalisation: see deid_blind7.md; the eighth blind set does). Scored blind with round 8's rules the
    false-positive rate was 21%; half B, scored once with round 9's rules before its errors were read, had 7 of 36."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind7
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the eighth blind set (tests/fixtures/deid_blind8.jsonl, see deid_blind8.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-07 after round 9 (counts only); released as a development set in round 10
# (rules written on half A by style, half B scored once before its errors were read) ---------------------------------

BLIND8 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind8.jsonl"


@pytest.fixture(scope="module")
def blind8_rows():
    return [json.loads(line) for line in BLIND8.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind8(deid, blind8_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind8_rows)


def test_blind8_fixture_counts(blind8_rows):
    assert len(blind8_rows) == 200 and len({r["id"] for r in blind8_rows}) == 200
    assert {r["split"] for r in blind8_rows} == {"blind8"}
    assert len({r["style"] for r in blind8_rows}) == 8
    assert sum(len(r["spans"]) for r in blind8_rows) == 417
    assert sum(not r["spans"] for r in blind8_rows) == 72
    for r in blind8_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind8_figures_as_measured(blind8):
    """Scored once, blind, on 2026-12-07 with NER (rules of round 9): direct identifiers 218/233 = 0.936, overall
    392/417 = 0.940, false positives in 14 of 72 clean remarks (19.4%). Released as a development set in round 10;
    after round 10 (written on half A, then a last fix after reading half B's errors): 222/233, 396/417, 2 of 72;
    after round 11: 222/233, 396/417, 1 of 72. Floors: a change that loses a found identifier or adds a false
    positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind8
    assert (direct_gold, gold, clean) == (233, 417, 72)
    assert direct >= 222 and found >= 396 and fp <= 1


def test_blind8_targets(blind8):
    """Issue 23's targets, met on the eighth blind set since round 10 made it a development set (it no longer
    measures generalisation: see deid_blind8.md). Scored blind with round 9's rules: direct identifiers 0.936 and 14
    of 72 clean remarks with a false positive; half B, scored once with round 10's rules before its errors were read,
    had 112/117 direct identifiers and 4 of 36."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind8
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the ninth blind set (tests/fixtures/deid_blind9.jsonl, see deid_blind9.md): written by a helper that never saw
# the rules, scored once, blind, on 2026-12-07 after round 10 (counts only); released as a development set in round 11
# (rules written on half A by style, half B scored once before its errors were read) ---------------------------------

BLIND9 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind9.jsonl"


@pytest.fixture(scope="module")
def blind9_rows():
    return [json.loads(line) for line in BLIND9.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind9(deid, blind9_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind9_rows)


def test_blind9_fixture_counts(blind9_rows):
    assert len(blind9_rows) == 200 and len({r["id"] for r in blind9_rows}) == 200
    assert {r["split"] for r in blind9_rows} == {"blind9"}
    assert len({r["style"] for r in blind9_rows}) == 8
    assert sum(len(r["spans"]) for r in blind9_rows) == 399
    assert sum(not r["spans"] for r in blind9_rows) == 72
    for r in blind9_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind9_figures_as_measured(blind9):
    """Scored once, blind, on 2026-12-07 with NER (rules of round 10): direct identifiers 216/229 = 0.943, overall
    364/399 = 0.912, false positives in 21 of 72 clean remarks (29.2%); round 9's rules gave the same counts.
    Released as a development set in round 11; after round 11 (written on half A, then a last fix after reading half
    B's errors): 223/229, 371/399, 1 of 72. Floors: a change that loses a found identifier or adds a false positive
    fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind9
    assert (direct_gold, gold, clean) == (229, 399, 72)
    assert direct >= 223 and found >= 371 and fp <= 1


def test_blind9_targets(blind9):
    """Issue 23's targets, met on the ninth blind set since round 11 made it a development set (it no longer
    measures generalisation: see deid_blind9.md). Scored blind with round 10's rules: direct identifiers 0.943 and 21
    of 72 clean remarks with a false positive; half B, scored once with round 11's rules before its errors were read,
    had 113/121 direct identifiers and 7 of 36."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind9
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05


# -- the tenth blind set (tests/fixtures/deid_blind10.jsonl, see deid_blind10.md): written by a helper that never
# saw the rules, scored once, blind, on 2026-12-07 after round 11 (counts only); measuring only ------------------------

BLIND10 = Path(__file__).resolve().parents[1] / "fixtures" / "deid_blind10.jsonl"


@pytest.fixture(scope="module")
def blind10_rows():
    return [json.loads(line) for line in BLIND10.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def blind10(deid, blind10_rows):
    """(direct found, direct gold), (all found, all gold), (clean rows with a false positive, clean rows)."""
    return _blind_counts(deid, blind10_rows)


def test_blind10_fixture_counts(blind10_rows):
    assert len(blind10_rows) == 200 and len({r["id"] for r in blind10_rows}) == 200
    assert {r["split"] for r in blind10_rows} == {"blind10"}
    assert len({r["style"] for r in blind10_rows}) == 8
    assert sum(len(r["spans"]) for r in blind10_rows) == 390
    assert sum(not r["spans"] for r in blind10_rows) == 72
    for r in blind10_rows:
        prev = 0
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"] and s["start"] >= prev
            prev = s["end"]


def test_blind10_figures_as_measured(blind10):
    """Scored once, blind, on 2026-12-07 with NER (rules of round 11): direct identifiers 202/213 = 0.948, overall
    365/390 = 0.936, false positives in 14 of 72 clean remarks (19.4%); round 10's rules gave the same counts. Floors:
    a change that loses a found identifier or adds a false positive fails."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind10
    assert (direct_gold, gold, clean) == (213, 390, 72)
    assert direct >= 202 and found >= 365 and fp <= 14


@pytest.mark.xfail(strict=True, reason="issue 23: 14 of 72 clean blind10 remarks get a false positive (target 3)")
def test_blind10_targets(blind10):
    """Issue 23's targets on text the rules were never tuned on (measuring only: see deid_blind10.md)."""
    (direct, direct_gold), (found, gold), (fp, clean) = blind10
    assert direct / direct_gold >= 0.95
    assert found / gold >= 0.9
    assert fp / clean <= 0.05
