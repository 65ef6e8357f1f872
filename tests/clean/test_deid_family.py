"""Round 6 of issue 23 (``topics/clean/deid_family.py``): speaker labels of diarized speech, family ages, kinship and
rank titles, lower-case names by context.

Every sentence here was written for these tests (none is a row of a fixture). Each rule test pairs a sentence whose
identifier a rule must find with a look-alike of the same shape that must stay untouched; each filter test pairs a
look-alike with an identifier in the same frame.
"""

import pytest


def _has(spans, found, kind):
    return any(s.text == found and s.kind == kind for s in spans)


@pytest.mark.parametrize(
    ("text", "found", "kind", "look_alike"),
    [
        # ages in family descriptions and case notes
        ("Interviewed B.K., 9, at the school library.", "9", "AGE", "See Room 12, 14, and 16 for chairs."),
        ("R.J., now 13, stays with his aunt.", "13", "AGE", "Yeah, 1,250 people came."),
        ("Dad is 79. He still mows the lawn.", "79", "AGE", "Dad is home. He still mows the lawn."),
        ("Grandpa was 81 when he died.", "81", "AGE", "Grandpa was there when he died."),
        ("She lived with Ms. Ortiz from age 4 to 9.", "4", "AGE", "She slept from 4 to 9."),
        ("She lived with Ms. Ortiz from age 4 to 9.", "9", "AGE", None),
        ("Adopted at 2 from an orphanage abroad.", "2", "AGE", "Arrived at 2 for the session."),
        ("Grandma Oyelaran is eighty-two, sharp as ever.", "eighty-two", "AGE", None),
        ("his girlfriend lives there with her son, 6.", "6", "AGE", "the count went up on Thursdays, seven, um."),
        # names after kinship titles in several languages; the title alone is none
        ("Tita Marisol drove us to the airport.", "Marisol", "NAME", "Tita drove us to the airport."),
        # military and religious titles before a surname
        ("Chaplain Okonjo listened to him first.", "Okonjo", "NAME", "The chaplain listened to him first."),
        ("PFC Tallis Brenner ran the range.", "Tallis Brenner", "NAME", "He was diagnosed with Major Depression."),
        (
            "The guys called him Biscuit the whole tour.",
            "Biscuit",
            "NAME",
            "The guys called him at night the whole tour.",
        ),
        # lower-case names by context in chat and speech recognition
        ("theres this boy tavish who keeps texting me", "tavish", "NAME", "theres this guy who keeps texting me"),
        ("her name's oyelade and she's new", "oyelade", "NAME", "her name's on the list and she's new"),
        ("my daughter kaiyah she's six now", "kaiyah", "NAME", "my daughter she's the one who called"),
        ("spell it please yeah it's z a b r o w s k i", "z a b r o w s k i", "NAME", "it's a b c easy"),
        # spoken and chat handles, local phones, labelled and spoken ids
        ("his insta is bex underscore runs", "bex underscore runs", "HANDLE", "his insta is private now"),
        ("she plays roblox as StarMoth88 every night", "StarMoth88", "HANDLE", "she plays roblox as a team"),
        ("my aunts # is 555 0142 dont call tho", "555 0142", "PHONE", "we were 555 strong and 0142 late"),
        ("Referral for K. Osei, badge no. 770215.", "770215", "ID", "Referral pending, badge no. to follow."),
        ("my claim number is uh r t six one four four nine", "r t six one four four nine", "ID", None),
        ("my student id is on the form, its 4471902 lol", "4471902", "ID", "my student id is on the form lol"),
        # a street alone, named by an ordinal (no date)
        ("She moved to a flat off 12th Street.", "12th Street", "LOCATION", "She moved up to 12th grade."),
        # a named recovery meeting in a text about recovery
        ("Ninety days sober. The Monday Lighthouse group saved me.", "Monday Lighthouse", "ORG", None),
    ],
)
def test_round6_rules_find_and_leave_look_alikes(rules, text, found, kind, look_alike):
    spans = rules.find(text)
    assert _has(spans, found, kind), spans
    if look_alike is not None:
        assert rules.find(look_alike) == [], rules.find(look_alike)


@pytest.mark.parametrize(
    "text",
    [
        # diarized speaker labels, in every common form and mid-line, are not handles or names
        "SPEAKER_00: how was the week SPEAKER_01: long honestly",
        "spk_0: mhm spk_1: right",
        # holidays, courts by kind, service branches, weekday lists, extensions, ordinals before a noun
        "New Year's Eve is always hard for him.",
        "After the Navy he drifted for a while.",
        "Family Court hears these on Mondays.",
        "we got jumped after 4th period",
        "He is a Vietnam veteran and proud of it.",
    ],
)
def test_round6_look_alikes_stay(rules, text):
    assert rules.find(text) == [], rules.find(text)


@pytest.mark.parametrize(
    ("look_alike", "person"),
    [
        # abbreviations of veterans' care, workplace referrals and family courts that NER took for organisations
        ("OEF/OIF, 60% SC for tinnitus; follows at the VAMC.", "Follows with Dr. Amadi at the VAMC."),
        ("The GAL and CASA both attended; EAP referral pending.", "The GAL, Ms. Whitcombe, attended."),
        ("The FOB had one phone line.", "Sgt. Okwuosa had one phone line."),
        # a list of weekdays, a kinship word alone
        ("Group meets Mon/Wed/Fri at noon.", "Group meets with Priyanka at noon."),
        ("Obaachan is doing fine, says everyone.", "Obaachan Sachiko is doing fine."),
    ],
)
def test_round6_ner_look_alikes_go_and_people_stay(deid, look_alike, person):
    assert deid.find(look_alike) == [], deid.find(look_alike)
    assert any(s.kind == "NAME" for s in deid.find(person)), deid.find(person)


def test_round6_speaker_labels_keep_the_speech_around_them(rules):
    text = "SPEAKER_01: my handle is juno_writes SPEAKER_00: got it"
    spans = rules.find(text)
    assert [s.text for s in spans] == ["juno_writes"], spans


def test_round6_extension_is_no_id_but_the_phone_stays(rules):
    spans = rules.find("Call 614-555-0190 ext. 3321 for Ms. Adeyemi.")
    assert _has(spans, "614-555-0190", "PHONE") and not any(s.text == "3321" for s in spans), spans
