"""Round 7 of issue 23 (``topics/clean/deid_context.py`` and the round-7 word lists): what makes a candidate
credible in context, and identifiers of forms the earlier rules lacked.

Every sentence here was written for these tests (none is a row of a fixture). Each rule test pairs a sentence whose
identifier a rule must find with a look-alike of the same shape that must stay untouched; each filter test pairs a
look-alike that must stay untouched with an identifier in the same frame.
"""

import pytest


def _has(spans, found, kind):
    return any(s.text == found and s.kind == kind for s in spans)


@pytest.mark.parametrize(
    ("text", "found", "kind", "look_alike"),
    [
        # a name filed "SURNAME, Given"; a pet before "the cat"; a letter "To X:"; a name before a kinship word
        (
            'The form lists "OKONKWO-BELL, Adaeze" as the applicant.',
            "OKONKWO-BELL",
            "NAME",
            "BIPOC, Latinx and queer folks welcome.",
        ),
        ("Mochi the cat sleeps on my pillow now.", "Mochi", "NAME", "Feed the cat before you go."),
        ("Pickles the hamster died last spring.", "Pickles", "NAME", "Cuddle the cat, enjoy the beach."),
        ("To Marlowe: the garden is yours now.", "Marlowe", "NAME", "To do: call the pharmacy."),
        ("Tadesse's wife is due in the spring.", "Tadesse", "NAME", "Mother's family came in the spring."),
        # a nickname in quotes after a companion word; a lower-case name after a greeting; a phone signature
        ('My bunkie "Ghost" got out last week.', "Ghost", "NAME", "My bunkie got out last week."),
        ("Hey nalani. I called your old number again.", "nalani", "NAME", "Hey bestie. I called the old number again."),
        ("Sent from my iPhone / Ysolde Marchetti / Class of 2027", "Ysolde Marchetti", "NAME", None),
        # year and day ranges, ordinal dates with a lower-case month, dates of other calendars
        ("In memory of my brother, 1988 to 2021.", "1988", "DATE", "The count fell from 2040 to 1990 points."),
        ("Camp runs Aug 9-14 at the lake.", "14", "DATE", "Ages 9-14 swim at the lake."),
        ("she was born on the ninth of october", "ninth of october", "DATE", "she lives on the ninth floor"),
        ("He passed on 14 Esfand 1399.", "14 Esfand 1399", "DATE", "He passed 14 tests."),
        # a baby's age in weeks, an age in parentheses with a description, a forum's age tag
        ("she's nine weeks and finally smiling", "nine weeks", "AGE", "she's nine weeks sober and finally smiling"),
        ("he's ten weeks and loud at night", "ten weeks", "AGE", "she's 20 weeks today and the scan was fine"),
        ("my bf Ilan (trans guy, 16) wants to move out", "16", "AGE", "the form (page two, 19 lines) is missing"),
        ("16/f/she-her, new here and nervous", "16", "AGE", "got 16/20 on the quiz, new here and nervous"),
        # an inmate number; a user name after a platform word
        ("DOC # 5512093 on the release form.", "5512093", "ID", "DOC # was not on the release form."),
        (
            "I kept your spotify, velvetmoonrise, on my phone.",
            "velvetmoonrise",
            "HANDLE",
            "I kept your spotify, obviously, on my phone.",
        ),
        # a cemetery or building by name, a team before its age group, a chat server
        ("We scattered his ashes near Oakhurst Cemetery.", "Oakhurst Cemetery", "LOCATION", "We visited the cemetery."),
        (
            "Class is in Pemberton Hollis Building.",
            "Pemberton Hollis Building",
            "LOCATION",
            "Class is in the building.",
        ),
        ("she plays for the Riverside Comets U14 now", "Riverside Comets", "ORG", "she plays for the U14 team now"),
        ("it's the Starfall server on discord", "Starfall", "ORG", "it's the main server on discord"),
    ],
)
def test_round7_rules_find_and_leave_look_alikes(rules, text, found, kind, look_alike):
    spans = rules.find(text)
    assert _has(spans, found, kind), spans
    if look_alike is not None:
        assert rules.find(look_alike) == [], rules.find(look_alike)


@pytest.mark.parametrize(
    ("look_alike", "identifier", "found", "kind"),
    [
        # a pronoun after "named" (the name after it is found); a government form number
        ("we named him after my grandpa", "we named him Bastian after my grandpa", "Bastian", "NAME"),
        ("The I-485 is still pending.", "The file for Ms. Okafor is still pending.", "Okafor", "NAME"),
        # a chat's broadcast mention is no handle
        ('"@here standup moved to 10"', '"@rkwan standup moved to 10"', "@rkwan", "HANDLE"),
        # a lower-case kinship word beside another is a relative
        ("my lolo and lola raised me", "my lolo and Marisol raised me", "Marisol", "NAME"),
        # weeks of gestation in a pregnancy's timeline are no ages; an age at a life event is
        ("Scan at 20 weeks, then induced at 39.", "Diagnosed at 37 with MS.", "37", "AGE"),
        # the newborn's score and its values; academic terms; work-tracking tools; a carrier's name as a word
        ("Apgar was 7 and 9 after delivery.", "Luca was 7 when we moved.", "7", "AGE"),
        (
            "Made Dean's List twice; the Registrar sent a letter.",
            "Made it twice; Nadia sent a letter.",
            "Nadia",
            "NAME",
        ),
        ("Jira says the ticket is late again.", "Kwame says the ticket is late again.", "Kwame", "NAME"),
        (
            "Standup, sprint planning, retro, more meetings.",
            "Standup with Dr. Rosalind Achebe, more meetings.",
            "Rosalind Achebe",
            "NAME",
        ),
    ],
)
def test_round7_look_alikes_go_and_identifiers_stay(rules, look_alike, identifier, found, kind):
    assert rules.find(look_alike) == [], rules.find(look_alike)
    assert _has(rules.find(identifier), found, kind), rules.find(identifier)


@pytest.mark.parametrize(
    ("look_alike", "person"),
    [
        # abbreviations of campus life, sports medicine and work chat that NER took for organisations
        ("My RA and the TA both noticed.", "My RA, Ms. Delacroix, noticed."),
        ("Tore my ACL last season, rehab since.", "Dr. Oyewole saw my ACL scan last season."),
        ("Send me a DM when you are free.", "Send Priyanka a message when you are free."),
        # an ICD-10 diagnosis code
        ("F43.10 was the working diagnosis.", "Dr. Ferreira made the working diagnosis."),
        # a given name that is also an English word, used as the word before a noun and a preposition
        ("Max effort for three sets, then rest.", "Max said he was done after three sets."),
    ],
)
def test_round7_ner_look_alikes_go_and_people_stay(deid, look_alike, person):
    assert deid.find(look_alike) == [], deid.find(look_alike)
    assert any(s.kind == "NAME" for s in deid.find(person)), deid.find(person)


def test_round7_clinical_word_in_an_institution_name(deid):
    """A pregnancy term is vocabulary ("Postpartum support group meets"), but names an institution when a rule finds
    it before an organisation's head word ("Postpartum Support Network")."""
    assert deid.find("Postpartum support group meets on Tuesdays.") == []
    spans = deid.find("She called the Postpartum Support Network helpline.")
    assert any(s.kind == "ORG" and "Postpartum" in s.text for s in spans), spans
