"""Round 3 rules (topics/clean/deid_chat.py): families of misses, each checked on fresh sentences written for these
tests (none is a row of a fixture), with clean sentences of the same shape that must stay untouched."""

import pytest

from topics.clean.deid_chat import chat_candidates, not_a_date
from topics.clean.deid_rules import NOT_A_NAME


def _found(deid, text, piece, kind):
    spans = deid.find(text)
    start = text.index(piece)
    return any(s.kind == kind and s.start <= start and start + len(piece) <= s.end for s in spans), spans


@pytest.mark.parametrize(
    ("text", "piece", "kind"),
    [
        # a lower-case subject of a human action in a text message
        ("tomasz keeps calling me at 2am and i dont know what to do", "tomasz", "NAME"),
        ("and then keiran told me to just get over it", "keiran", "NAME"),
        ("because ayo said she would come but she never did", "ayo", "NAME"),
        ("ive been a mess since june when brody left", "brody", "NAME"),
        ("i texted jaylen but he left me on read", "jaylen", "NAME"),
        # a lower-case name after a kinship or role word
        ("my bro dami is the only one i trust rn", "dami", "NAME"),
        ("my cousin lupe, who lives w us, found my pills", "lupe", "NAME"),
        ("my little sister hope is scared of him", "hope", "NAME"),
        ("my therapist, lorena, said i should journal", "lorena", "NAME"),
        # a pet after "the dog", "our cat"
        ("the cat biscuit is the only thing keeping me going", "biscuit", "NAME"),
        ("our dog waffles 🐶 sleeps on my bed", "waffles", "NAME"),
        # a self-introduction in chat
        ("hey its kezia again sorry for texting so late", "kezia", "NAME"),
        ("this is marco from yesterday, can we talk", "marco", "NAME"),
        ("its grant from earlier", "grant", "NAME"),
        # a lower-case title before a surname
        ("mr delgado took my phone in class", "delgado", "NAME"),
        ("dr nakamura upped my dose again", "nakamura", "NAME"),
        ("talked to ms whitcombe after school", "whitcombe", "NAME"),
        ("coach reyes benched me again", "reyes", "NAME"),
        ("ur the only one i can talk to besides auntie fola", "fola", "NAME"),
        # naming verbs and the other name contrasted with them
        ("she goes by Dee now, not Deirdre", "Dee", "NAME"),
        ("she goes by Dee now, not Deirdre", "Deirdre", "NAME"),
        ("He prefers to be called Sam instead of Samuel.", "Samuel", "NAME"),
        ("there was a guy named Tavita at the shelter", "Tavita", "NAME"),
        # a name in apposition after a kinship word, a name with an age in brackets
        ("Client's daughter, Amaya (9), was present.", "Amaya", "NAME"),
        ("Client's daughter, Amaya (9), was present.", "9", "AGE"),
        ("Her brother, Tevita, drove her to the appointment.", "Tevita", "NAME"),
        # ages after a pronoun, "will be", a kinship word
        ("hes 15 and already drinking", "15", "AGE"),
        ("i turn 15 in like 2 weeks", "15", "AGE"),
        ("She's forty-two, forty-three in June.", "forty-three", "AGE"),
        ("i'll be 18 next month so they cant stop me", "18", "AGE"),
        ("my gf is 17 and her parents hate me", "17", "AGE"),
        ("They're 13 and 16.", "16", "AGE"),
        # a lower-case month after a time word; a slash date after "to", "for"
        ("things got worse since october when my dad moved out", "october", "DATE"),
        ("i lost my job back in feb", "feb", "DATE"),
        ("court date got pushed to 9/18", "9/18", "DATE"),
        ("Follow-up scheduled for 7/3 with psychiatry.", "7/3", "DATE"),
        # a place named before "clinic", "office"
        ("She attends our Brixton office on Thursdays.", "Brixton", "LOCATION"),
        ("Seen at the Kirkwall clinic for two years.", "Kirkwall", "LOCATION"),
        # postcodes, a day-first date, a surname-first name, the last digits of an account
        ("Address on file: Flat 3, 27 Marlowe Crescent, Leeds LS6 2QT.", "LS6 2QT", "ADDRESS"),
        ("Mailing address: 1402 - 88 Harbour St, Toronto, ON M5J 2L2", "M5J 2L2", "ADDRESS"),
        ("Seen again Tues 14/05 for review.", "14/05", "DATE"),
        ("Okonjo-Reyes, Tamsin — intake 2/14/25", "Okonjo-Reyes", "NAME"),
        ("Okonjo-Reyes, Tamsin — intake 2/14/25", "Tamsin", "NAME"),
        ("SSN ending 4471, card ending in 0093", "4471", "ID"),
        ("C: I was born in, um, ninety-eight.", "ninety-eight", "DATE"),
        # lower-case places, greetings and "X and i" in chat
        ("we get gas at the shell station in millbrook", "millbrook", "LOCATION"),
        ("she lives over in fairhaven now", "fairhaven", "LOCATION"),
        ("you were stopped on stadium road last friday", "stadium road", "LOCATION"),
        ("love u tay ❤️", "tay", "NAME"),
        ("soph and i got into a huge fight", "soph", "NAME"),
        ("me n kai went to the lake saturday", "kai", "NAME"),
        # ages said in passing
        ("C: I'm, uh, thirty-four. Thirty-five in a month.", "Thirty-five", "AGE"),
        ("a pretty healthy guy for fifty-one, I thought", "fifty-one", "AGE"),
    ],
)
def test_chat_families_found(rules, text, piece, kind):
    found, spans = _found(rules, text, piece, kind)
    assert found, spans


@pytest.mark.parametrize(
    "text",
    [
        "May I ask what helped last time?",
        "May consider a taper if sleep improves.",
        "may be worth trying the sleep hygiene handout",
        "anxiety keeps me up every night",
        "and then nothing helped at all",
        "my therapist said to breathe",
        "my mom is so tired all the time",
        "my brother will be home tomorrow",
        "ill touch base with my therapist soon.",
        "its summer here and i hate the heat",
        "its me again sorry",
        "its okay here, i just cant sleep",
        "This is hard to talk about.",
        "She's 5 minutes late every time.",
        "He's 2 weeks sober now.",
        "I'll be 10 minutes late to group.",
        "I'll be 100% honest.",
        "They are 3 sessions in.",
        "Scored 14 on the PHQ-9; down to 6/10 on SUDS.",
        "Mood improved to 7/10 from 3/10.",
        "Cravings went down to 4/5 by the end of the week.",
        "Titrate sertraline to 100 mg. Continue Lexapro. Consider EMDR.",
        "Will power is not enough.",
        "says grace before dinner with Grandma",
        "Dear Colleague,\n\nThank you for the referral.",
        "Dear Sir or Madam,",
        "My PO said I can travel.",
        "Denies SI/HI. NSSI history, no recent SIB.",
        "the dog park was closed so we walked instead",
        "our Main office is closed on Mondays.",
        "the Intake office will call you.",
        "Our Anxiety clinic runs on Tuesdays.",
        "when depression hits it hits hard",
        "so much left to do and no energy",
        "and everyone said it was my fault",
        "Summer break starts Friday; he worries about structure.",
        "it is a technique called Grounding, you name five things",
        "Please reply quoting reference in the subject line.",
        "because you've asked the right question",
        "Patience, Charity and Joy are words on the plaque.",
        "Urges 8/10 on Friday, 3/10 by Sunday.",
        "Sleep: 4/7 nights under 5 hrs.",
        "she's 3 months sober",
        "he's 6 ft tall and scary",
        "thanks everyone for listening",
        "love u guys so much",
        "my sister is my rock",
        "and nobody texted back",
        "we walked down the road to the park",
        "its okey, i will manage",
        "I read a website called Medium and tried a technique called Grounding.",
        "she has a disease called Ulcerative Colitis",
        "I turn 2 pages a day.",
        "you turn left at the light",
        "C: My PCP said my A1C is 7.2.",
        "Discussed DBT skills: TIPP, ACCEPTS, wise mind.",
        "Re: Outpatient Review",
        "Yours sincerely,\nConsultant Clinical Psychologist",
        "PHQ-9 14/27, GAD-7 11/21.",
        "Protective factors: Faith, Family, Future plans.",
    ],
)
def test_chat_families_leave_clean_text(rules, text):
    assert rules.scrub(text) == text


def test_unlisted_lower_case_words_only_in_chat():
    """An unlisted lower-case word is a name only in text written in lower case, not in a capitalised sentence."""
    assert chat_candidates("moreso he keeps asking", NOT_A_NAME) == []  # an English word
    assert chat_candidates("Maybe not so much left out but moreso left behind.", NOT_A_NAME) == []
    assert [k for *_, k, _ in chat_candidates("quillon keeps texting me", NOT_A_NAME)] == ["NAME"]


def test_a_word_addressed_after_a_greeting_stays_a_name(rules):
    assert "Bear" not in rules.scrub("T: Hi, Bear. How was the week?")


def test_modal_may_is_not_a_date():
    assert not_a_date("May consider step-up", 0, 3)
    assert not_a_date("May I ask", 0, 3)
    assert not not_a_date("May was a hard month", 0, 3)
    assert not not_a_date("since May 2024", 6, 9)
