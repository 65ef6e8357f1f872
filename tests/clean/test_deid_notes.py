"""Rules for clinical notes, letters, spoken numbers and lower-case chat (topics/clean/deid_notes.py), issue 23.

The sentences are written for these tests (none is a row of a fixture); rules only, no NER.
"""

import pytest

from topics.clean.deid_notes import propagate_names


@pytest.mark.parametrize(
    ("text", "found", "kind"),
    [
        ("Pt R.K. reports improved sleep.", "R.K", "NAME"),
        ("presented the case of L.T., a teacher", "L.T", "NAME"),
        ("Client D. Okonkwo attended with her mother.", "D. Okonkwo", "NAME"),
        ("F. al-Hassan was seen today.", "F. al-Hassan", "NAME"),
        ("Spoke with Mrs. Van der Berg by phone.", "Van der Berg", "NAME"),
        ("Dear Ms. Ní Dhomhnaill,", "Ní Dhomhnaill", "NAME"),
        ("Re: Tobias Lindqvist, DOB 14/02/1986", "Tobias Lindqvist", "NAME"),
        ("Yours sincerely,\nAoife Ní Chonaill, LCSW", "Aoife Ní Chonaill", "NAME"),
        ("cc: Ms. Rachel Odum", "Rachel Odum", "NAME"),
        ("my cat mochi is the only one who gets me", "mochi", "NAME"),
        ("ily Bee!", "Bee", "NAME"),
        ("Big Al wont let me leave", "Big Al", "NAME"),
        ("Rose and I aren't speaking.", "Rose", "NAME"),
        ("Grace, my sponsor, says one day at a time.", "Grace", "NAME"),
        ("I talked to Oyelaran about it.", "Oyelaran", "NAME"),
        ("C: My birthday's July ninth.", "July ninth", "DATE"),
        ("C: That was, uh, twenty nineteen.", "twenty nineteen", "DATE"),
        ("C: Twenty twenty-one was worse.", "Twenty twenty-one", "DATE"),
        ("Pt last seen 9/3, next appt in June.", "9/3", "DATE"),
        ("Your last overdose was 8/22, right?", "8/22", "DATE"),
        ("its my bday march 3", "march 3", "DATE"),
        ("C: She's sixty-something now.", "sixty-something", "AGE"),
        ("T: How old were you then? C: Um, nine.", "nine", "AGE"),
        ("T: And you were, what, twelve? C: Yeah.", "twelve", "AGE"),
        ("C: he turned seven in the summer", "seven", "AGE"),
        ("I'm (27F) and this is my first post.", "(27F)", "AGE"),
        ("My daughter Ximena, 6, started school.", "6", "AGE"),
        ("im 16 and my mom doesnt get it", "16", "AGE"),
        ("my grandma is like eighty", "eighty", "AGE"),
        ("Our reference: HC/2025/0042", "HC/2025/0042", "ID"),
        ("C: It's four twelve Elm Street, the blue house.", "four twelve Elm Street", "ADDRESS"),
        ("posted by quietmoss2 a while ago", "quietmoss2", "HANDLE"),
        ("replying to sunny_days here", "sunny_days", "HANDLE"),
        ("moonbeam wrote: same, every night", "moonbeam", "HANDLE"),
        ("my old account was fernleaf2009", "fernleaf2009", "HANDLE"),
        ("meet me at the cvs on main st ok", "cvs on main st", "LOCATION"),
        ("meet me at walmart on route 9", "walmart on route 9", "LOCATION"),
        ("we moved to ohio last year", "ohio", "LOCATION"),
        ("i live in fresno now", "fresno", "LOCATION"),
        ("im at jefferson middle rn", "jefferson middle", "ORG"),
        ("I practice at Northgate Behavioral Health.", "Northgate Behavioral Health", "ORG"),
    ],
)
def test_notes_rules(rules, text, found, kind):
    spans = rules.find(text)
    assert any(found in s.text or s.text in found for s in spans if s.kind == kind), spans


@pytest.mark.parametrize(
    "text",
    [
        "I was reading about the Hunter-gatherer diet.",
        "Pt on sertraline 100 mg, PHQ-9 of 14, GAD-7 of 11.",
        "SUDS 7/10, C-SSRS negative, PCL-5 of 38.",
        "Will discuss ERP hierarchy next week. SUDS peaked at 85.",
        "Grandma and Auntie came to the session; Papa stayed home.",
        "With best wishes,\nThe Intake Team",
        "Sincerely,\nClinical Services",
        "Bill of rights for clients was reviewed.",
        "Took vitamin D3 and B12 daily.",
        "C: I called nine one one.",
        "C: They 5150'd me in the spring.",
        "did the 5-4-3-2-1 thing and it helped",
        "So, you've already started by reducing your salt intake.",
        "pick up your medicine as you're on your way out",
        "do you know where you're going to apply to college?",
        "Every day this week you walked for 20 minutes.",
        "Rate it 7/10, and it was 3 out of 10 last week.",
        "I have hope again; summer break helps; will power is not enough.",
    ],
)
def test_notes_rules_leave_ordinary_text(rules, text):
    assert rules.find(text) == [], rules.find(text)


def test_a_name_repeated_in_a_row_is_found_each_time(rules):
    text = "C: My brother Bill, I call him Bill, never listens. Bill is Bill."
    assert rules.scrub(text).count("Bill") == 0, rules.scrub(text)


def test_propagation_only_copies_capitalised_names():
    text = "Told Hana about it. hana is fine. Hana said so."
    assert propagate_names(text, [(5, 9, "NAME")], frozenset()) == [(34, 38)]
