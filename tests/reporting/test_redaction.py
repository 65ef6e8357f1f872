"""What a shared report shows: names masked as whole words, remarks scrubbed, the analysis itself untouched.

The helpers on small hand-made strings and tables; :func:`redact` on the real AnnoMI analysis shared with
the other tests (``annomi_run``), with an e-mail address, a phone number and a name planted in it, and the
rules-only de-identifier (no spaCy model: fast).
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from topics.clean import Deidentifier
from topics.curate import apply_ledger
from topics.model import sample_layout
from topics.reporting import mask_names, mask_table_words, redact
from topics.reporting.redaction import _proper_only

PLANTED_REMARK = "If it helps, write to jane.doe@example.com or call me on 555-123-4567 before Friday."
PLANTED_SAMPLED = "You said Fiona could reach you at k.smith_1990@yahoo.co.uk, right?"
MAX_POINTS = 200


# ---------------------------------------------------------------- mask_names, mask_table_words, _proper_only


def test_mask_names_replaces_whole_words_in_any_case():
    names = {"fiona", "o'brien", "mary-jo"}
    assert mask_names("Fiona told FIONA and fiona.", names) == "[NAME] told [NAME] and [NAME]."
    assert mask_names("Fionas, Fiona's and Fionaville", names) == "Fionas, [NAME] and Fionaville"  # possessive
    # the rule of the workbench and the worksheet: a word after a title is a name (QDA exports use this too)
    assert mask_names("dr fields, panic, mr. keane", set()) == "dr [NAME], panic, mr. [NAME]"
    assert mask_names("O'Brien met Mary-Jo; Mary stays", names) == "[NAME] met [NAME]; Mary stays"
    assert mask_names("drinking, fiona, sleep", names) == "drinking, [NAME], sleep"


def test_mask_names_leaves_text_alone_without_names_and_non_text_values():
    assert mask_names("Fiona", set()) == "Fiona"
    assert mask_names(None, {"fiona"}) is None
    assert mask_names(3.5, {"fiona"}) == 3.5


def test_mask_table_words_masks_one_column_of_a_copy():
    table = pd.DataFrame(
        {
            "word": ["fiona", "drinking", None, "FIONA smith"],
            "group": ["fiona", "a", "b", "c"],
            "z": [1.0, 2.0, 3.0, 4.0],
        }
    )
    before = table.copy()
    out = mask_table_words(table, "word", {"fiona"})
    assert out["word"].tolist()[:2] == ["[NAME]", "drinking"] and out["word"].iloc[3] == "[NAME] smith"
    assert pd.isna(out["word"].iloc[2])  # a missing value stays missing
    pd.testing.assert_frame_equal(out.drop(columns="word"), table.drop(columns="word"))  # other columns alone
    pd.testing.assert_frame_equal(table, before)  # the table given is not changed


def test_proper_only_keeps_capitalised_names_and_drops_common_words():
    texts = pd.Series(
        [
            "Fiona said her family helps.",
            "My family, and Fiona.",
            "fiona",
            "Family first, family always.",
            "Hope is what Hope said.",
        ]
    )
    # fiona: 2 capitalised, 1 lower case; family: 1 capitalised (sentence start), 3 lower case; hope: a tie
    assert _proper_only({"fiona", "family", "hope"}, texts) == {"fiona", "hope"}
    assert _proper_only({"daryl"}, texts) == {"daryl"}  # never seen in the texts: kept (0 >= 0)
    assert _proper_only(set(), texts) == set()


# ---------------------------------------------------------------- redact on a fitted analysis


@pytest.fixture(scope="module")
def planted(annomi_run):
    """The AnnoMI analysis with a curated view in which the first real topic is labelled with a name and its
    first representative remark, and one remark the document map draws, hold identifiers."""
    analysis, _ = annomi_run
    view = apply_ledger(analysis.model, None)
    topics = view.topics.copy()
    first = topics.index[topics["topic"] != -1][0]
    topic = int(topics.at[first, "topic"])
    topics["representative_texts"] = [
        [PLANTED_REMARK, *texts[1:]] if i == first else list(texts)
        for i, texts in zip(topics.index, topics["representative_texts"], strict=True)
    ]
    topics.loc[first, "label"] = "fiona, drinking, fionas"
    topics.loc[first, "keywords"] = "Fiona, drinking, fionas, cut down"
    topics["words"] = [
        ["fiona", "drinking", "fionas"] if i == first else list(w)
        for i, w in zip(topics.index, topics["words"], strict=True)
    ]
    assignments = view.assignments.copy()
    sampled = sample_layout(assignments, analysis.document_map, max_points=MAX_POINTS, seed=analysis.config.seed)
    planted_id = str(sampled["utterance_id"].iloc[0])
    assignments.loc[assignments["utterance_id"] == planted_id, "text"] = PLANTED_SAMPLED
    assignments.loc[assignments["topic"] == topic, "label"] = "fiona, drinking, fionas"
    planted = replace(analysis, curation=replace(view, topics=topics, assignments=assignments))
    return {
        "analysis": planted,
        "topic": topic,
        "planted_id": planted_id,
        "sampled": set(sampled["utterance_id"].astype(str)),
    }


@pytest.fixture(scope="module")
def redacted(planted):
    before = copy.deepcopy(planted["analysis"].curation)
    out, counts, names = redact(planted["analysis"], known_names=["Fiona"], use_ner=False, max_points=MAX_POINTS)
    return {"out": out, "counts": counts, "names": names, "before": before}


def test_identifiers_are_scrubbed_in_representative_remarks(planted, redacted):
    topics = redacted["out"].topics.set_index("topic")
    remark = topics.at[planted["topic"], "representative_texts"][0]
    assert remark == "If it helps, write to [EMAIL] or call me on [PHONE] before Friday."
    assert "jane.doe" not in str(redacted["out"].topics["representative_texts"].tolist())
    assert redacted["counts"]["identifiers"] >= 2
    # the other representative remarks are the raw ones, scrubbed by the same rules
    rules = Deidentifier(known_names=["Fiona"], use_ner=False)
    raw = planted["analysis"].topics.set_index("topic")["representative_texts"]
    for topic, texts in topics["representative_texts"].items():
        assert texts == [rules.scrub(t) for t in raw[topic]]


def test_display_text_is_set_for_the_sampled_remarks_only(planted, redacted):
    assignments = redacted["out"].assignments
    shown = assignments["display_text"] != ""
    assert set(assignments.loc[shown, "utterance_id"].astype(str)) == planted["sampled"]
    assert shown.sum() == MAX_POINTS < len(assignments)
    row = assignments.set_index("utterance_id").loc[planted["planted_id"]]
    assert row["display_text"] == "You said [NAME] could reach you at [EMAIL], right?"
    assert row["text"] == PLANTED_SAMPLED  # the remark itself is kept; only what is shown is scrubbed
    rules = Deidentifier(known_names=["Fiona"], use_ner=False)
    some = assignments[shown].head(50)
    assert some["display_text"].tolist() == [rules.scrub(t) for t in some["text"]]


def test_a_known_name_is_masked_in_labels_keywords_and_words(planted, redacted):
    out, topic = redacted["out"], planted["topic"]
    row = out.topics.set_index("topic").loc[topic]
    assert row["label"] == "[NAME], drinking, fionas"  # whole words only
    assert row["keywords"] == "[NAME], drinking, fionas, cut down"
    assert list(row["words"]) == ["[NAME]", "drinking", "fionas"]
    assert set(out.assignments.loc[out.assignments["topic"] == topic, "label"]) == {"[NAME], drinking, fionas"}
    assert "fiona" in redacted["names"] and redacted["counts"]["name_words"] == len(redacted["names"])
    # topics without a name keep their labels
    raw = planted["analysis"].topics.set_index("topic")["label"]
    for t, label in out.topics.set_index("topic")["label"].items():
        assert label == mask_names(raw[t], redacted["names"])
    assert not out.curation.word_scores["word"].isin(list(redacted["names"])).any()


def test_redact_leaves_the_analysis_it_was_given_unchanged(planted, redacted, annomi_run):
    given, before = planted["analysis"].curation, redacted["before"]
    for name in ("topics", "assignments", "word_scores", "flows"):
        pd.testing.assert_frame_equal(getattr(given, name), getattr(before, name))
    assert "display_text" not in given.assignments.columns
    assert given.topics.set_index("topic").at[planted["topic"], "representative_texts"][0] == PLANTED_REMARK
    assert redacted["out"].model is planted["analysis"].model  # the model is shared, not copied or changed
    analysis, _ = annomi_run
    assert analysis.curation is None and "display_text" not in analysis.assignments.columns
    assert PLANTED_REMARK not in np.concatenate(analysis.topics["representative_texts"].to_numpy()).tolist()


def test_redact_of_the_raw_analysis_uses_its_raw_view(annomi_run):
    analysis, _ = annomi_run
    raw_topics = analysis.topics.copy()
    out, counts, names = redact(analysis, use_ner=False, max_points=MAX_POINTS)
    assert out.curation is not None and analysis.curation is None
    assert out.topics["topic"].tolist() == raw_topics["topic"].tolist()
    assert (out.assignments["display_text"] != "").sum() == MAX_POINTS
    assert counts["remarks_scrubbed"] >= MAX_POINTS
    pd.testing.assert_frame_equal(analysis.topics, raw_topics)
