"""The coder: zero-shot from descriptions, few-shot from labels, determinism, "none of these", uncertainty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.coding import NONE_CODE, Coder
from topics.errors import InputError

LABELS = pd.DataFrame(
    {
        "utterance_id": ["s0-0", "s0-1", "s0-2", "s0-3", "s1-4", "s1-5", "s1-6", "s1-7"],
        "code": ["smoking", "smoking", "drinking", "drinking", "smoking", "drinking", "smoking", "drinking"],
    }
)


def test_zero_shot_codes_by_similarity_to_descriptions(toy_book, remarks, fake_embedder):
    coded = Coder(toy_book, fake_embedder, temperature=0.1).fit().predict(remarks)
    assert coded.columns.tolist()[:5] == ["utterance_id", "code", "probability", "margin", "low_confidence"]
    assert coded["utterance_id"].tolist() == remarks["utterance_id"].tolist()
    by_id = dict(zip(coded["utterance_id"], coded["code"], strict=True))
    assert by_id["s0-0"] == "smoking" and by_id["s0-2"] == "drinking" and by_id["s2-10"] == "drinking"
    probs = coded[["p_smoking", "p_drinking"]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.allclose(coded["probability"], probs.max(axis=1))


def test_none_of_these_below_the_threshold(toy_book, remarks, fake_embedder):
    coded = Coder(toy_book, fake_embedder, temperature=0.1, none_threshold=0.75).fit().predict(remarks)
    by_id = dict(zip(coded["utterance_id"], coded["code"], strict=True))
    assert by_id["s2-8"] == NONE_CODE  # "the weather is nice" shares no word with any code
    assert by_id["s0-0"] == "smoking"
    assert (coded.loc[coded["code"] == NONE_CODE, "probability"] < 0.75).all()
    assert (coded.loc[coded["code"] != NONE_CODE, "probability"] >= 0.75).all()
    flagged = Coder(toy_book, fake_embedder, temperature=0.1, low_confidence=0.75).fit().predict(remarks)
    assert flagged["low_confidence"].tolist() == (flagged["probability"] < 0.75).tolist()


def test_few_shot_learns_from_labels_and_is_deterministic_for_a_seed(toy_book, remarks, fake_embedder):
    runs = [Coder(toy_book, fake_embedder, seed=3).fit(remarks, LABELS).predict(remarks) for _ in range(2)]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    coder = Coder(toy_book, fake_embedder, seed=3).fit(remarks, LABELS)
    assert coder.mode_ == "few-shot" and coder.n_labels_ == 8 and coder.calibrated_
    truth = dict(zip(LABELS["utterance_id"], LABELS["code"], strict=True))
    coded = runs[0].set_index("utterance_id")["code"]
    assert all(coded[u] == c for u, c in truth.items())
    assert coded["s2-9"] == "smoking" and coded["s2-10"] == "drinking"


def test_few_shot_with_a_none_label_can_code_none(toy_book, remarks, fake_embedder):
    labels = pd.concat([LABELS, pd.DataFrame({"utterance_id": ["s2-8", "s2-11"], "code": [NONE_CODE, NONE_CODE]})])
    coder = Coder(toy_book, fake_embedder, calibrate=False).fit(remarks, labels)
    assert coder.classes_ == ["smoking", "drinking", NONE_CODE]
    assert f"p_{NONE_CODE}" in coder.predict(remarks).columns


def test_precomputed_embeddings_give_the_same_codes(toy_book, remarks, fake_embedder):
    vectors = fake_embedder.embed(remarks["text"].tolist())
    a = Coder(toy_book, fake_embedder).fit(remarks, LABELS).predict(remarks)
    b = Coder(toy_book, fake_embedder).fit(remarks, LABELS, embeddings=vectors).predict(remarks, embeddings=vectors)
    pd.testing.assert_frame_equal(a, b)


def test_uncertainty_sampling_lists_the_least_sure_unlabelled_remarks(toy_book, remarks, fake_embedder):
    coder = Coder(toy_book, fake_embedder, temperature=0.1).fit()
    nxt = coder.next_to_label(remarks, n=3, labelled=LABELS)
    assert len(nxt) == 3 and not set(nxt["utterance_id"]) & set(LABELS["utterance_id"])
    assert nxt["probability"].is_monotonic_increasing
    unlabelled = coder.predict(remarks).query("utterance_id not in @LABELS.utterance_id")
    assert nxt["probability"].iloc[0] == pytest.approx(unlabelled["probability"].min())
    assert set(nxt.columns) == {"utterance_id", "text", "code", "probability", "margin", "picked"}
    mixed = coder.next_to_label(remarks, n=4, labelled=LABELS, random_share=0.5)
    assert mixed["picked"].tolist() == ["uncertain", "uncertain", "random", "random"]
    assert (
        mixed["utterance_id"].is_unique
        and mixed["utterance_id"].iloc[:2].tolist() == nxt["utterance_id"].iloc[:2].tolist()
    )


def test_bad_labels_are_refused(toy_book, remarks, fake_embedder):
    with pytest.raises(InputError, match="not in the codebook"):
        Coder(toy_book, fake_embedder).fit(remarks, pd.DataFrame({"utterance_id": ["s0-0"], "code": ["advice"]}))
    with pytest.raises(InputError, match="not among the remarks"):
        Coder(toy_book, fake_embedder).fit(remarks, pd.DataFrame({"utterance_id": ["zz"], "code": ["smoking"]}))
    with pytest.raises(InputError, match="not fitted"):
        Coder(toy_book, fake_embedder).predict(remarks)
    with pytest.raises(InputError, match="temperature"):
        Coder(toy_book, fake_embedder, temperature=0)


def test_temperature_scaling_recovers_a_known_temperature():
    from topics.coding.coder import _fit_temperature, _softmax

    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(4000, 4))
    truth = np.array([rng.choice(4, p=p) for p in _softmax(logits / 2.0)])  # the true probabilities: T = 2
    assert _fit_temperature(logits, truth) == pytest.approx(2.0, rel=0.1)
    assert _fit_temperature(logits * 0.5, truth) == pytest.approx(1.0, rel=0.1)
