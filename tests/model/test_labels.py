"""Topic labels made of keywords: no repeated stems, no contraction residue, no fillers; remarks told apart."""

from __future__ import annotations

import pytest

from topics.model.tables import representatives, text_key
from topics.model.words import clean_keyword, keyword_label


@pytest.mark.parametrize(
    ("keywords", "label"),
    [
        # the soups the issue quotes, and what they become
        (["drinking drinking", "drink", "drinks day", "beer", "alcohol"], "drinking, beer, alcohol"),
        (["oh oh", "quite", "little bit", "oh"], "quite, little bit"),
        (["ve", "ve got", "diabetes", "ii diabetes", "sugar", "insulin"], "got, diabetes, sugar"),
        (["feel", "feeling", "felt", "feelings", "emotions"], "feel, felt, emotions"),
        (["worried", "worries", "worry", "anxious"], "worried, anxious"),
        (["make change", "making changes", "changing", "transition"], "make change, transition"),
        (["don", "didn", "ll", "re"], "(no keywords)"),
        # words that only look alike stay
        (["class", "classes", "glass", "exercise"], "class, glass, exercise"),
    ],
)
def test_keyword_label(keywords, label):
    assert keyword_label(keywords) == label


@pytest.mark.parametrize(
    ("word", "cleaned"),
    [
        ("drinking drinking", "drinking"),
        ("ve got", "got"),
        ("ii diabetes", "diabetes"),
        ("ve", ""),
        ("10 cigarettes", "cigarettes"),
        ("stop smoking", "stop smoking"),
        ("Oh Okay", ""),
    ],
)
def test_clean_keyword(word, cleaned):
    assert clean_keyword(word) == cleaned


def test_representatives_skip_remarks_that_differ_only_in_punctuation_or_case():
    texts = ["Okay. So, tell me more.", "okay so tell me more", "Okay so, tell me MORE!", "What else?", "what else"]
    assert representatives(range(len(texts)), texts, 3) == [0, 3]
    assert text_key("You\u2019re  here.") == text_key("you're here") == "youre here"
