"""Keywords and keyword labels go through the same scrubber as the remarks, in the workbench and the worksheet."""

from types import SimpleNamespace

import pandas as pd

from topics.clean import Deidentifier, mask_keywords, mask_words, name_words
from topics.curate.worksheet import worksheet_table
from topics.workbench.display import Shown, topic_list

REMARKS = [
    "Dr. Fields said the panic would pass.",
    "I called Donna again last night about the panic.",
    "Donna thinks I should sleep more.",
    "Call me at 555-123-4567 if the panic comes back.",
]


def view():
    topics = pd.DataFrame(
        {
            "topic": [0, 1],
            "size": [3, 1],
            "share": [0.75, 0.25],
            "label": ["dr fields, panic", "My own label for Donna"],
            "keywords": ["dr fields, panic, donna, fields", "sleep, donna, call"],
            "custom_label": [False, True],
            "notes": ["", ""],
            "exemplar_ids": [["u0", "u1", "u3"], ["u2"]],
            "representative_texts": [[REMARKS[0], REMARKS[1], REMARKS[3]], [REMARKS[2]]],
        }
    )
    assignments = pd.DataFrame({"utterance_id": ["u0", "u1", "u2", "u3"], "text": REMARKS})
    return SimpleNamespace(topics=topics, assignments=assignments)


def test_mask_words_and_titles():
    assert mask_words("dr fields, panic", set()) == "dr [NAME], panic"
    assert mask_words("donna, sleep, Donna's", {"donna"}) == "[NAME], sleep, [NAME]"
    assert mask_words("family, sleep", {"donna"}) == "family, sleep"


def test_name_words_from_remarks_only_when_written_as_names():
    deid = Deidentifier(use_ner=False, known_names=["Kowalski"])
    names = name_words(deid, REMARKS + ["the fields were green", "wide open fields"])
    assert "donna" in names and "kowalski" in names
    assert "fields" not in names  # written in lower case more often than capitalised in these remarks
    assert mask_keywords(deid, ["donna, 555-123-4567"], REMARKS) == ["[NAME], [PHONE]"]


def test_workbench_topic_list_masks_keywords_and_keyword_labels():
    shown = Shown(deidentify=True, use_ner=False)
    table = topic_list(view(), shown, {}, {})
    first, second = table.to_dict("records")
    assert first["label"] == "dr [NAME], panic"
    assert "donna" not in first["keywords"] and "fields" not in first["keywords"]
    assert "panic" in first["keywords"]
    assert second["label"] == "My own label for Donna"  # an expert's label is shown as typed
    raw = topic_list(view(), Shown(deidentify=False), {}, {})
    assert "donna" in raw.loc[0, "keywords"]


def test_worksheet_masks_keywords_and_keyword_labels():
    table = worksheet_table(view(), n_remarks=2, deidentifier=Deidentifier(use_ner=False))
    for column in ("keywords", "current_label"):
        for text in table[column]:
            assert "donna" not in text.lower() and "fields" not in text.lower(), (column, text)
    assert "panic" in table.loc[0, "keywords"]
    raw = worksheet_table(view(), n_remarks=2, deidentifier=None)
    assert raw.loc[0, "keywords"] == "dr fields, panic, donna, fields"
