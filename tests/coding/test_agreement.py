"""Agreement numbers on examples whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from topics.coding import agreement, cohen_kappa, confusion, macro_f1, per_code


def test_kappa_on_a_textbook_example():
    # 50 items: both "yes" 20, both "no" 15, A yes / B no 5, A no / B yes 10
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    # p_o = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.4
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert np.isnan(cohen_kappa(["x"] * 4, ["x"] * 4))


def test_precision_recall_f1_and_confusion_by_hand():
    truth = ["q", "q", "q", "r", "r", "o"]
    coded = ["q", "q", "r", "r", "q", "o"]
    table = per_code(truth, coded, ["q", "r", "o"]).set_index("code")
    assert table.loc["q", "precision"] == pytest.approx(2 / 3)
    assert table.loc["q", "recall"] == pytest.approx(2 / 3)
    assert table.loc["r", "precision"] == pytest.approx(1 / 2) and table.loc["r", "recall"] == pytest.approx(1 / 2)
    assert table.loc["o", "f1"] == pytest.approx(1.0)
    assert macro_f1(truth, coded) == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    m = confusion(truth, coded, ["q", "r", "o"])
    assert m.loc["q", "r"] == 1 and m.loc["r", "q"] == 1 and m.loc["q", "q"] == 2 and int(m.to_numpy().sum()) == 6


def test_agreement_interval_covers_kappa_and_resamples_sessions():
    rng = np.random.default_rng(0)
    truth = rng.choice(["a", "b", "c"], 300)
    coded = np.where(rng.random(300) < 0.7, truth, rng.choice(["a", "b", "c"], 300))
    sessions = np.repeat(np.arange(30), 10)
    result = agreement(truth, coded, clusters=sessions, n_boot=300, seed=1)
    assert result.resampled == "sessions" and result.n == 300
    assert result.kappa_low < result.kappa < result.kappa_high
    assert result.kappa_high - result.kappa_low < 0.25
    again = agreement(truth, coded, clusters=sessions, n_boot=300, seed=1)
    assert (again.kappa_low, again.kappa_high) == (result.kappa_low, result.kappa_high)
    assert result.summary().columns.tolist()[:4] == ["n", "kappa", "kappa_low", "kappa_high"]
