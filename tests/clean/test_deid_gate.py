"""Round 9 of issue 23 (``topics/clean/deid_gate.py``): what NER alone proposes needs evidence of a proper name, a
job title or an ordinary word standing alone is no name, and a parish named after a title of Mary is an organisation.

Every sentence here was written for these tests (none is a row of a fixture). Each test pairs a look-alike that must
stay untouched with an identifier in the same frame that must still be found.
"""

import pytest


def _has(spans, found, kind):
    return any(s.text == found and s.kind == kind for s in spans)


@pytest.mark.parametrize(
    ("look_alike", "identifier", "found", "kind"),
    [
        # one word opening a sentence, with no given name, listed place or organisation and no context of a person
        ("Rapé, tobacco, the whole thing.", "Rapé, tobacco, the whole thing with Dr. Vukovic.", "Vukovic", "NAME"),
        # a plural of capitals is a class of things
        ("Pt likes FPSs and MMOs.", "Pt likes FPSs and Dmitri Volkov.", "Dmitri Volkov", "NAME"),
        ("Reports cravings for NSAIDs daily.", "Reports cravings, per Dr. Halvorsen.", "Halvorsen", "NAME"),
        # a word after "the" that modifies a lower-case noun other than a head noun of an organisation or place
        (
            "The Kambo ceremony burned.",
            "The ceremony at Quetzal Springs Retreat burned.",
            "Quetzal Springs Retreat",
            "ORG",
        ),
        ("We went to the Sananga circle.", "We went to the circle with Dr. Ferreira.", "Ferreira", "NAME"),
        # a run of capitals after a lower-case letter is an abbreviation of a device or a test
        ("He needed CPAP and then BiPAP.", "He needed CPAP and then Dr. Nakagawa.", "Nakagawa", "NAME"),
        # medicines of pain clinics and of extrapyramidal side effects (clinical_terms.txt, round 9)
        ("Switched from Celebrex to ice packs.", "Switched from Dr. Okafor to ice packs.", "Okafor", "NAME"),
        # a given name that is also a word, opening a sentence without any context of a person
        ("Frank question: does the group run on holidays?", "Frank said the group runs on holidays.", "Frank", "NAME"),
        ("Dawn is the hardest time for me.", "Dawn said it is the hardest time for me.", "Dawn", "NAME"),
    ],
)
def test_round9_ner_needs_evidence(deid, look_alike, identifier, found, kind):
    assert deid.find(look_alike) == [], deid.find(look_alike)
    assert _has(deid.find(identifier), found, kind), deid.find(identifier)


@pytest.mark.parametrize(
    ("look_alike", "identifier", "found", "kind"),
    [
        # a job title standing alone is a role, not a name
        (
            "Dietitian says I need two more exchanges at lunch.",
            "Marisol says I need two more exchanges at lunch.",
            "Marisol",
            "NAME",
        ),
        # a given name that is also a word, without a title, relation, greeting, list, verb of a person or surname
        ("We never skip saying Grace before dinner.", "We never skip dinner with my sister Grace.", "Grace", "NAME"),
        (
            "Frankly Hope is a strange word on a locked ward.",
            "Frankly my daughter Hope is strange on a locked ward.",
            "Hope",
            "NAME",
        ),
    ],
)
def test_round9_roles_and_words_are_no_names(rules, look_alike, identifier, found, kind):
    assert rules.find(look_alike) == [], rules.find(look_alike)
    assert _has(rules.find(identifier), found, kind), rules.find(identifier)


def test_round9_parish_is_an_organisation(rules):
    spans = rules.find("The funeral Mass is at Our Lady of Lourdes on Friday.")
    assert _has(spans, "Our Lady of Lourdes", "ORG"), spans
    assert rules.find("We lit a candle for Our Lady on her feast.") == []
