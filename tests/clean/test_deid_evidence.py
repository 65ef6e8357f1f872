"""Round 5 of issue 23 (``topics/clean/deid_evidence.py``): evidence for what NER proposes, and chat exports.

Every sentence here was written for these tests (none is a row of a fixture). The rule tests pair a sentence whose
identifier a rule must find with a look-alike of the same shape that must stay untouched; the filter tests pair a
look-alike that NER took for a name, place or organisation with a person or place in the same frame.
"""

import pytest


def _has(spans, found, kind):
    return any(s.text == found and s.kind == kind for s in spans)


@pytest.mark.parametrize(
    ("text", "found", "kind", "look_alike"),
    [
        # chat exports: the sender after a bracketed time stamp is a user name or a person
        ("[22:15] quietmoth: cant sleep again", "quietmoth", "HANDLE", "[22:15] Client: cant sleep again"),
        ("[7:40 PM] blue.finch: same here honestly", "blue.finch", "HANDLE", "[7:40 PM] Moderator: same here"),
        ("[08:02] Tomasz W: running late, save me a seat", "Tomasz W", "NAME", "[08:02] Pinned: read the rules"),
        ("[2/11/25, 9:14] Ngaio: made it home", "Ngaio", "NAME", "[9:14] System: call started"),
        # user names after "gamertag / username is"
        ("my gamertag is NightOwlRaider, add me", "NightOwlRaider", "HANDLE", "my gamertag is private now"),
        ("my username is Pebblebrook, dm me", "Pebblebrook", "HANDLE", "my username is private"),
        # ages of profiles and chat
        ("new here, 31M, been lurking a while", "31", "AGE", "Apt 14F has a leak again"),
        ("posted: new here. 29F, Leeds", "29", "AGE", "it got down to 15F overnight"),
        ("I'm 50-something and just starting therapy", "50-something", "AGE", "it was 90-something degrees out"),
        ("DOB 03/14/1979 (46), lives alone", "46", "AGE", None),
        ("Йому дев'ять років, він боїться темряви.", "дев'ять", "AGE", "Через сім днів він повернувся."),
        # an ordinal day after "the", not before a noun
        ("my intake is the 9th. so nervous", "9th", "DATE", "this is the 9th time I tried"),
        # names given in quotes, before a kinship word, or in a self-introduction in another language
        ('Preferred name "Pip" per school records.', "Pip", "NAME", 'Preferred name "none" per records.'),
        ("Grace's dad picked her up early.", "Grace", "NAME", "Grace's role in recovery matters."),
        ("C: اسمي نور. I: My name is Nour.", "نور", "NAME", None),
        ("C: Меня зовут Алёна.", "Алёна", "NAME", None),
        # a user name after a platform word needs a digit, an underscore or a dot inside it
        ("my tiktok is moon.child if u want", "moon.child", "HANDLE", "i watch tiktok at night. then i cant sleep"),
    ],
)
def test_round5_rules_find_and_leave_look_alikes(rules, text, found, kind, look_alike):
    spans = rules.find(text)
    assert _has(spans, found, kind), spans
    if look_alike is not None:
        assert rules.find(look_alike) == [], rules.find(look_alike)


@pytest.mark.parametrize(
    "clean",
    [
        "[20:15] Hope it helps somebody out there",  # a time stamp starts a sentence like a full stop
        "[19:02] Client: Summer camp starts soon and im dreading it",  # a chat turn, not a "Client:" field
        "[10:02] Client: GAD-7 says 12 now",  # a scale is no ID
        "Dinner came by Uber Eats again, zero energy to cook.",  # a platform's service
        "She takes St. John's wort with her Lexapro.",  # an herbal remedy
    ],
)
def test_round5_rules_leave_chat_and_clinical_words(rules, clean):
    assert rules.find(clean) == [], rules.find(clean)


@pytest.mark.parametrize(
    ("clean", "with_name", "name"),
    [
        # a method's eponym; the person after a title stays
        ("That is what Minuchin called enmeshment.", "That is what Dr. Minuchin told my mother.", "Minuchin"),
        ("We practised the Gottman repair attempts all week.", "We practised repair with Adaeze all week.", "Adaeze"),
        # capitalised common words of a worksheet, abbreviations of notes, words of other languages
        ("Circle your Values and your Barriers on the sheet.", "Circle back to Okwudili on the sheet.", "Okwudili"),
        ("Seen in the ER overnight, then OT in the morning.", "Seen by Tavita overnight, then home.", "Tavita"),
        ("The first week on the new dose was BRUTAL.", "The first week Oluwaseun was brutal.", "Oluwaseun"),
        ("C: Tengo miedo de todo. I: She is scared of everything.", "C: Soy Itzel. I: I am Itzel.", "Itzel"),
        ("I: Вона каже: вісім. She says eight.", "I: Вона каже: Оксана. She says Oksana.", "Oksana"),
        ("He interprets Gulf Arabic at the clinic.", "He interprets for Marwan at the clinic.", "Marwan"),
        # runs of common words that nothing marks as a name
        ("He finished the Safe Dates program last month.", "He finished at Blue Door Coffee last month.", "Blue Door"),
        ("She became a Certified Peer Specialist last year.", "She became close to Wairimu last year.", "Wairimu"),
        ("He is a Registered Nurse at the hospital.", "He is with Tevita at the hospital.", "Tevita"),
        ("Dear families, Kindness Week starts Monday!", "Dear families, Mrs. Ferreira starts Monday!", "Ferreira"),
    ],
)
def test_round5_ner_needs_evidence(deid, clean, with_name, name):
    """A look-alike that NER proposes without evidence is no identifier; a person or place in the same frame is."""
    assert [s for s in deid.find(clean) if s.kind in ("NAME", "LOCATION", "ORG")] == [], deid.find(clean)
    assert name not in deid.scrub(with_name), deid.scrub(with_name)


def test_ner_span_over_form_columns_is_cut(deid):
    """NER runs a name into the next column of a form ("Leilani Kapule     Student"); the label is no name, so it
    is not scrubbed, here or where it stands again."""
    text = "Student: Leilani Kapule     Student ID: 5512093     Grade: 9"
    names = [s.text for s in deid.find(text) if s.kind == "NAME"]
    assert names == ["Leilani Kapule"], deid.find(text)


def test_common_words_before_a_noun_are_a_modifier(deid):
    """ "the X program": a run of common words before a noun modifies it (the programme's topic, not its name)."""
    assert deid.find("We tried the Gentle Mornings routine for a week.") == []


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("C: Mwen te viv nan Gonaïves ak tonton mwen. I: I lived in Gonaïves with my uncle.", "Gonaïves"),
        ("C: Man dar Mazar budam. I: I lived in Mazar before.", "Mazar"),
    ],
)
def test_place_found_once_is_found_again(deid, text, place):
    """A place found once (in the interpretation) is scrubbed where it stands again (in the other language)."""
    assert place not in deid.scrub(text), deid.scrub(text)


def test_lower_case_message_after_a_time_stamp_and_tag_is_chat(rules):
    """A message written in lower case after "[19:20] Client:" gets the rules of lower-case chat."""
    assert _has(rules.find("[19:20] Client: my cousin dayo keeps calling me"), "dayo", "NAME")
    assert rules.find("[19:20] Client: my cousin keeps calling me") == []
