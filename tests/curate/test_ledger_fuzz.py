"""Property tests over the curation ledger parser: hostile text never escapes as anything but LedgerError."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topics.curate.ledger import OPERATIONS, Entry, Ledger, LedgerError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 50), st.floats(allow_nan=True), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
entries = st.fixed_dictionaries(
    {"op": st.one_of(st.sampled_from(OPERATIONS), st.text(max_size=6))},
    optional={
        "topic": values,
        "topics": values,
        "label": values,
        "bucket": values,
        "k": values,
        "labels": values,
        "text": values,
        "author": values,
        "time": values,
        "rationale": values,
        "fingerprint": values,
        "extra": values,
    },
)


@SETTINGS
@given(st.text(max_size=400))
def test_random_text_only_raises_ledger_error(text):
    try:
        book = Ledger.from_text(text, path="fuzz.yaml")
    except LedgerError as err:
        assert "fuzz.yaml" in str(err)
        return
    assert isinstance(book, Ledger)
    Ledger.from_text(book.to_text())  # whatever parses, writes back readably


@SETTINGS
@given(st.lists(entries, max_size=5), st.one_of(st.none(), values))
def test_structured_ledgers_only_raise_ledger_error(items, model):
    doc = {"topics_ledger": 1, "entries": items}
    if model is not None:
        doc["model"] = model
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        book = Ledger.from_text(text, path="fuzz.yaml")
    except LedgerError as err:
        message = str(err)
        assert "fuzz.yaml" in message
        return
    assert all(isinstance(e, Entry) and e.op in OPERATIONS for e in book.entries)
    again = Ledger.from_text(book.to_text())
    assert [e.to_dict() for e in again.entries] == [e.to_dict() for e in book.entries]


def test_yaml_tags_cannot_build_python_objects(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("topics_ledger: 1\nentries:\n- !!python/object/apply:os.system ['echo owned']\n")
    try:
        Ledger.load(path)
    except LedgerError as err:
        assert "evil.yaml" in str(err)
    else:
        raise AssertionError("a python tag must be refused")
