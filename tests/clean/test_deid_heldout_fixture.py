"""Sanity checks for the held-out de-identification evaluation set (tests/fixtures/deid_heldout.jsonl)."""

import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "deid_heldout.jsonl"
KINDS = {"NAME", "AGE", "ORG", "LOCATION", "ADDRESS", "DATE", "PHONE", "EMAIL", "URL", "ID"}


@pytest.fixture(scope="module")
def rows():
    with FIXTURE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_size_and_unique_ids(rows):
    assert len(rows) >= 300
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))


def test_fields(rows):
    for r in rows:
        assert r["split"] in {"dev", "test"}
        assert r["source"] in {"annomi", "mibot", "counselchat"}
        assert r["role"] in {"therapist", "client"}
        assert r["text"] and r["original"] and r["utterance_id"]


def test_spans_valid_sorted_non_overlapping(rows):
    for r in rows:
        prev_end = 0
        for s in r["spans"]:
            assert s["kind"] in KINDS, (r["id"], s)
            assert 0 <= s["start"] < s["end"] <= len(r["text"]), (r["id"], s)
            assert r["text"][s["start"] : s["end"]] == s["text"], (r["id"], s)
            assert s["start"] >= prev_end, (r["id"], s)
            prev_end = s["end"]


def test_every_kind_in_both_splits(rows):
    seen = {(s["kind"], r["split"]) for r in rows for s in r["spans"]}
    for kind in KINDS:
        for split in ("dev", "test"):
            assert (kind, split) in seen, (kind, split)
