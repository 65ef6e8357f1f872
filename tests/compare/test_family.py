"""The family of topic contrasts under unequal spread: the "same topic mix" test (bootstrap step-down max-|t|),
the Westfall-Young adjusted p-values, and the ``lopsided`` flag for designs outside what the per-topic test
can handle (a small group far more varied than the other).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.compare import benjamini_hochberg, compare_groups, profile_divergence
from topics.compare.design import FAMILY_SPREAD_RATIO, SKEW_LIMIT, family_message, spread_check
from topics.compare.studentized import max_t_adjusted

K = 20
PI = np.append(0.95 * (w := 1.0 / (np.arange(1, K + 1) + 2.0)) / w.sum(), 0.05)
"""A Zipf-like profile over K topics, then 5% without a topic (as in benchmarks/calibration.py)."""


def dirichlet_sessions(
    n_a: int, n_b: int, c_a: float, c_b: float, seed: int, short_b: bool = False, effects: float = 0.0
) -> pd.DataFrame:
    """Two groups with the same mean profile ``PI`` and session profiles Dirichlet(c_g PI); 20-80 remarks each
    (``short_b``: 6-30 in B, as in designs 11 and 13 of benchmarks/calibration.py; ``effects``: A's profile
    shifted by ``+s/2``, ``+s/2`` and ``-s`` on topics 1, 2 and 0, the others unchanged, as in design 13)."""
    rng = np.random.default_rng(seed)
    frames = []
    profile_a = PI.copy()
    profile_a[[1, 2, 0]] += np.array([0.5, 0.5, -1.0]) * effects
    for group, n, c in (("A", n_a, c_a), ("B", n_b, c_b)):
        theta = rng.dirichlet(c * (profile_a if group == "A" else PI), size=n)
        lo, hi = (6, 30) if short_b and group == "B" else (20, 80)
        for i in range(n):
            counts = rng.multinomial(int(rng.integers(lo, hi + 1)), theta[i] / theta[i].sum())
            cats = np.repeat(np.arange(K + 1), counts)
            topic = np.where(cats == K, -1, cats)
            sid = f"{group}{i:03d}"
            frames.append(
                pd.DataFrame(
                    {
                        "session_id": sid,
                        "turn": np.arange(len(topic)),
                        "grp": group,
                        "topic": topic,
                        "label": [f"t{t}" for t in topic],
                        "text": "remark",
                        "utterance_id": [f"{sid}-{j}" for j in range(len(topic))],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def test_max_t_adjusted_is_the_step_down_of_westfall_and_young():
    t_obs = np.array([3.0, -1.0, 2.0, 0.5])
    t_ref = np.array([[1.0, 2.5, 0.1, 0.2], [0.5, 0.2, 2.2, 0.1], [3.5, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.6]])
    tested = np.array([True, True, True, False])
    adj = max_t_adjusted(t_obs, t_ref, tested)
    # ranked 3.0 (col 0), 2.0 (col 2), 1.0 (col 1); successive maxima over ranks j..m of |T*| per replicate
    m0 = np.abs(t_ref[:, [0, 2, 1]]).max(axis=1)
    m2 = np.abs(t_ref[:, [2, 1]]).max(axis=1)
    m1 = np.abs(t_ref[:, [1]]).max(axis=1)
    p0 = (1 + (m0 >= 3.0).sum()) / 5
    p2 = max(p0, (1 + (m2 >= 2.0).sum()) / 5)
    p1 = max(p2, (1 + (m1 >= 1.0).sum()) / 5)
    np.testing.assert_allclose(adj[[0, 2, 1]], [p0, p2, p1])
    assert np.isnan(adj[3])


def test_same_topic_mix_holds_where_simes_rejected_with_a_small_far_more_varied_group():
    # 10 vs 10 sessions, the same mean profile, B's sessions far more varied (Dirichlet concentration 20 vs 1):
    # Simes' combination of the per-topic tests (the smallest BH q-value over the p-values of permutation and
    # Student's t: the old profile test) rejects in about a quarter of such data sets (6 of these 20); the
    # bootstrap max-|t| test of the whole profile must not
    simes, family = [], []
    for seed in range(20):
        table = compare_groups(dirichlet_sessions(10, 10, 20.0, 1.0, seed), "grp", n_perm=999, seed=seed)
        tested = table["p_value"].notna()
        before = np.fmax(table.loc[tested, "p_permutation"], table.loc[tested, "p_t"]).to_numpy()
        simes.append(float(benjamini_hochberg(before).min()) < 0.05)
        family.append(float(table["p_family"].iloc[0]) < 0.05)
    assert sum(simes) >= 3  # the design is one where the old test fails
    assert sum(family) <= 1


def test_profile_divergence_reports_the_family_test_of_the_contrast_table():
    data = dirichlet_sessions(10, 10, 20.0, 1.0, 3)
    table = compare_groups(data, "grp", n_perm=199, seed=1)
    row = profile_divergence(data, "grp", n_boot=50, n_perm=199, per_topic_tests=table).iloc[0]
    assert row["p_value"] == table["p_family"].iloc[0]
    assert row["p_value"] == np.nanmin(table["p_adjusted"])


def test_q_values_are_the_step_down_adjusted_p_values_and_bh_is_kept_beside_them():
    table = compare_groups(dirichlet_sessions(30, 30, 40.0, 40.0, 8), "grp", n_perm=199)
    tested = table["p_value"].notna()
    np.testing.assert_array_equal(
        table.loc[tested, "q_value"].to_numpy(),
        np.maximum(table.loc[tested, "p_adjusted"], table.loc[tested, "p_value"]).to_numpy(),
    )
    np.testing.assert_allclose(table.loc[tested, "q_bh"], benjamini_hochberg(table.loc[tested, "p_value"].to_numpy()))
    assert (table.loc[tested, "q_value"] >= table.loc[tested, "p_value"] - 1e-12).all()
    assert table.loc[~tested, "q_value"].isna().all()


def test_the_family_test_still_finds_a_real_difference():
    rng = np.random.default_rng(5)
    rows = []
    for group, share in (("A", 0.5), ("B", 0.2)):
        for i in range(25):
            topics = np.where(rng.random(40) < share, 0, rng.integers(1, 4, 40))
            rows += [
                {
                    "session_id": f"{group}{i}",
                    "turn": j,
                    "grp": group,
                    "topic": int(t),
                    "label": f"t{t}",
                    "text": "r",
                    "utterance_id": f"{group}{i}-{j}",
                }
                for j, t in enumerate(topics)
            ]
    table = compare_groups(pd.DataFrame(rows), "grp", n_perm=199)
    assert table["p_family"].iloc[0] < 0.01
    assert table.set_index("topic").loc[0, "p_adjusted"] < 0.01


def test_a_small_far_more_varied_group_is_flagged_outside_what_the_test_can_handle():
    data = dirichlet_sessions(10, 10, 20.0, 1.0, 2)
    table = compare_groups(data, "grp", n_perm=99)
    assert table.attrs["outside_design"] and table["lopsided"].any()
    assert (table.loc[table["lopsided"], "skewness"].abs() >= SKEW_LIMIT).all()
    warning = next(w for w in table.attrs["warnings"] if "outside what the test can handle" in w)
    ratio = table["spread_b"].iloc[0] / table["spread_a"].iloc[0]
    assert ratio > 3 and f"vary {ratio:.1f} times as much" in warning and "add sessions to 'B'" in warning
    check = spread_check(data, "grp")
    assert check.outside and check.ratio > 3 and "outside what the test can handle" in check.message
    assert set(check.lopsided) == set(table.loc[table["lopsided"], "topic"])


def test_equal_spread_and_the_ordinary_spread_ratio_are_not_flagged():
    for n, c_b in ((10, 40.0), (60, 40.0), (60, 10.0)):
        data = dirichlet_sessions(n, n, 40.0, c_b, 4)
        table = compare_groups(data, "grp", n_perm=99)
        assert not table.attrs["outside_design"] and not table["lopsided"].any()
        assert not spread_check(data, "grp").outside


def single_turn_replies(seed: int, prompts: int = 10, per: int = 8) -> pd.DataFrame:
    """Single-remark replies: per prompt a profile Dirichlet(10 PI), 8 replies of A and 8 of B drawn from it (no
    difference; design 7 of benchmarks/calibration.py)."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(prompts):
        profile = rng.dirichlet(10.0 * PI)
        for group in "AB":
            for i, c in enumerate(rng.choice(K + 1, size=per, p=profile)):
                t = -1 if c == K else int(c)
                sid = f"p{p}{group}{i}"
                rows.append(
                    {
                        "session_id": sid,
                        "turn": 0,
                        "grp": group,
                        "prompt": f"p{p}",
                        "topic": t,
                        "label": f"t{t}",
                        "text": "reply",
                        "utterance_id": sid,
                    }
                )
    return pd.DataFrame(rows)


def test_the_family_test_takes_the_larger_of_the_bootstrap_and_the_permutation_step_down(monkeypatch):
    # 8 single-remark replies per prompt and group: a bootstrap of so few clusters per cell rejected "same topic
    # mix" in 7.5% of such data sets without a difference (benchmarks/RESULTS.md, design 7); permutations within
    # the prompts are exact there. In this data set the bootstrap alone gives p < .05, the permutations do not.
    import topics.compare.prevalence as prevalence

    calls: list[np.ndarray] = []
    step_down = prevalence.max_t_adjusted

    def recorded(t_obs: np.ndarray, t_ref: np.ndarray, tested: np.ndarray) -> np.ndarray:
        calls.append(step_down(t_obs, t_ref, tested))
        return calls[-1]

    monkeypatch.setattr(prevalence, "max_t_adjusted", recorded)
    table = compare_groups(
        single_turn_replies(17), "grp", groups=["A", "B"], strata="prompt", n_perm=999, seed=17, min_remarks=10
    )
    assert len(calls) == 2  # against the bootstrap and against the permutations
    bootstrap_alone = float(np.nanmin(calls[0]))
    assert bootstrap_alone < 0.05 <= table["p_family"].iloc[0]
    np.testing.assert_allclose(table["p_adjusted"].to_numpy(float), np.fmax(calls[0], calls[1]))


def test_the_divergence_of_single_turn_groups_is_flagged_and_that_of_sessions_is_not():
    # issue 27: with single-remark replies (design 7 of benchmarks/calibration.py) the divergence's bootstrap bias
    # correction falls short (its interval covered 88% at +5 points); the table, attrs and warning say so, and the
    # comparison passes the warning on. Sessions of many remarks are not flagged.
    replies = single_turn_replies(4)
    table = profile_divergence(replies, "grp", n_boot=50, n_perm=99, seed=1)
    assert table["single_turn"].tolist() == [True] and table.attrs["outside_design"]
    (warning,) = table.attrs["warnings"]
    assert "'A' and 'B' are single-turn" in warning and "80 and 80 clusters" in warning and "strata=" in warning
    # as many remarks per group, in sessions of 20-80 remarks: no flag (10 sessions a group: only the warning that
    # the same-topic-mix p-value is conservative with so few)
    sessions = profile_divergence(dirichlet_sessions(10, 10, 40.0, 40.0, 4), "grp", n_boot=50, n_perm=99, seed=1)
    assert sessions["single_turn"].tolist() == [False] and not sessions.attrs["outside_design"]
    (only,) = sessions.attrs["warnings"]
    assert "single-turn" not in only and "same-topic-mix test (p_family) is conservative" in only


def test_single_turn_groups_are_warned_that_their_per_topic_tests_are_conservative():
    # issue 27, design 7 of benchmarks/calibration.py (10 prompts x 8 single-remark replies a group, strata =
    # prompt): 2.0-2.5% of topics at p < .05 under no difference; the table's warnings say so, and sessions of
    # many remarks get no such warning
    table = compare_groups(single_turn_replies(3), "grp", strata="prompt", n_perm=199, seed=1, min_remarks=10)
    (warning,) = [w for w in table.attrs["warnings"] if "single-turn" in w]
    assert "'A' and 'B'" in warning and "conservative" in warning and "design 7" in warning
    sessions = compare_groups(dirichlet_sessions(30, 30, 40.0, 40.0, 3), "grp", n_perm=199, seed=1)
    assert not any("single-turn" in w or "conservative" in w for w in sessions.attrs["warnings"])


def test_the_heavy_side_of_a_skewed_difference_is_read_against_the_edgeworth_corrected_t():
    # issue 27, designs 11 and 13 of benchmarks/calibration.py: 133 vs 53 sessions, B more varied (concentration
    # 10 against 40) and short (6-30 remarks), no difference. B's mean share of a topic that is not common is
    # right-skewed, so large positive t (A > B) come too often: the per-topic tests were at 6.6-7.0% (nearly all
    # A > B) and Benjamini-Hochberg's FDR at 6.6-9.4%. In this data set the largest of the permutation, Student
    # and bootstrap-t p-values (the p before) rejects topic 6; the Edgeworth-corrected t on the heavy side does not.
    table = compare_groups(dirichlet_sessions(133, 53, 40.0, 10.0, 1, short_b=True), "grp", n_perm=999, seed=1)
    tested = table[~table["too_small"]]
    row = tested.set_index("topic").loc[6]
    before = max(row["p_permutation"], row["p_t"], row["p_bootstrap_t"])
    assert before < 0.05 <= row["p_value"] == row["p_edgeworth"]
    assert row["skewness"] < 0 < row["t"] and not row["lopsided"]
    assert row["q_bh"] >= row["p_value"]
    # the interval agrees with the p-value on every row, the Edgeworth end included
    excludes = (tested["diff_low"] > 0) | (tested["diff_high"] < 0)
    assert (excludes == (tested["p_value"] < 0.05)).all()
    # on the light side (t leaning with the skewness) the p-value is read against the references that follow the
    # skewness alone: the expansion's light tail and the bootstrap-t
    light = tested[np.sign(tested["t"]) == np.sign(tested["skewness"])]
    assert len(light)
    np.testing.assert_array_equal(light["p_value"], np.fmax(light["p_edgeworth"], light["p_bootstrap_t"]))
    assert (light["p_edgeworth"] < light["p_t"]).all()


def test_the_light_side_of_a_skewed_difference_is_no_longer_read_against_the_symmetric_references():
    # issue 27, designs 11 and 13 of benchmarks/calibration.py were conservative (2.6% / 2.5% at p < .05): the
    # heavy side was corrected, but on the light side the permutation and Student's t, symmetric, still rejected
    # about 0.5% of rows against a nominal 2.5%. There the p-value is now the larger of the bootstrap-t and the
    # Edgeworth expansion's light tail, with the matching end of the interval. In this data set (no difference)
    # topic 2 is on the light side; the largest of the symmetric and bootstrap p-values (the p before) is above
    # .05, the new one below, and the interval's light end moves in with it.
    table = compare_groups(dirichlet_sessions(133, 53, 40.0, 10.0, 4, short_b=True), "grp", n_perm=999, seed=1)
    tested = table[~table["too_small"]]
    row = tested.set_index("topic").loc[2]
    assert np.sign(row["t"]) == np.sign(row["skewness"]) != 0  # the light side
    before = max(row["p_permutation"], row["p_t"], row["p_bootstrap_t"])
    assert row["p_value"] < 0.05 <= before
    assert row["p_value"] == max(row["p_edgeworth"], row["p_bootstrap_t"])
    # with skewness < 0 the light side is A < B and the interval's upper end: it excludes 0 now
    assert row["skewness"] < 0 and row["diff"] < row["diff_high"] < 0
    excludes = (tested["diff_low"] > 0) | (tested["diff_high"] < 0)
    assert (excludes == (tested["p_value"] < 0.05)).all()


def test_edgeworth_p_and_critical_value_agree_and_only_the_heavy_side_is_corrected():
    from scipy import stats

    from topics.compare.studentized import edgeworth_heavy_critical, edgeworth_heavy_p

    skew, df = np.array([-0.6, 0.6, 0.0]), np.full(3, 60.0)
    crit = edgeworth_heavy_critical(skew, df, 0.05)
    assert crit[0] == pytest.approx(crit[1]) and crit[0] > stats.t.isf(0.025, 60)
    at = edgeworth_heavy_p(np.array([crit[0], -crit[1], 2.5]), skew, df)
    np.testing.assert_allclose(at[:2], 0.05, rtol=1e-6)
    assert at[2] == 0  # no skewness: nothing to correct
    # heavy side: larger than Student's p; light side: 0
    assert edgeworth_heavy_p(np.array([2.0]), skew[:1], df[:1])[0] > 2 * stats.t.sf(2.0, 60)
    assert (edgeworth_heavy_p(np.array([-3.0, 3.0]), skew[:2], df[:2]) == 0).all()


def test_the_light_edgeworth_p_and_critical_value_agree_and_the_p_never_rises_with_t():
    from scipy import stats

    from topics.compare.studentized import edgeworth_light_critical, edgeworth_light_p

    skew, df = np.array([-0.6, 0.6, 0.0]), np.full(3, 60.0)
    crit = edgeworth_light_critical(skew, df, 0.05)
    # the light side of skewness < 0 is t < 0 (the studentized difference leans with d's skewness)
    assert crit[0] == pytest.approx(crit[1]) and crit[0] < stats.t.isf(0.025, 60)
    assert crit[2] == pytest.approx(stats.t.isf(0.025, 60), rel=1e-6)
    at = edgeworth_light_p(np.array([-crit[0], crit[1]]), skew[:2], df[:2])
    np.testing.assert_allclose(at, 0.05, rtol=1e-6)
    assert (edgeworth_light_p(np.array([3.0, -3.0, 2.0]), skew, df) == 1).all()  # heavy side, no skewness
    # far out the expansion falls below 0: the p is 0 there, and it never rises with |t| (3 is the cap)
    for g in (-3.0, -1.0, -0.2):
        for d in (3.0, 12.0, 200.0):
            t = -np.linspace(0.01, 40, 4000)
            p = edgeworth_light_p(t, np.full_like(t, g), np.full_like(t, d))
            assert (np.diff(p) <= 1e-12).all() and p[-1] == 0 and 0 < p[0] < 1


def test_benjamini_hochberg_kept_as_q_bh_no_longer_makes_a_false_discovery_on_the_heavy_side():
    # issue 27 (q_bh): design 13 of benchmarks/calibration.py, three planted effects (+5, +5 and -10 points on
    # topics 1, 2 and 0), B more varied and short: BH over the p-values before this change had a realised FDR of
    # 6.6-9.4%. In this data set it found the three effects and one topic that does not differ; with the
    # Edgeworth reference in each row's p it finds the three alone.
    table = compare_groups(
        dirichlet_sessions(133, 53, 40.0, 10.0, 0, short_b=True, effects=0.1), "grp", n_perm=999, seed=0
    )
    tested = table["p_value"].notna().to_numpy()
    before = np.fmax(np.fmax(table["p_permutation"], table["p_t"]), table["p_bootstrap_t"]).to_numpy()
    q_before = np.full(len(table), np.nan)
    q_before[tested] = benjamini_hochberg(before[tested])
    planted = table["topic"].isin([0, 1, 2]).to_numpy()
    found_before = set(table.loc[q_before < 0.05, "topic"])
    assert {0, 1, 2} <= found_before and len(found_before) == 4
    (false_before,) = found_before - {0, 1, 2}
    row = table.set_index("topic").loc[false_before]
    assert row["skewness"] < 0 < row["t"]  # on the heavy side
    assert set(table.loc[table["q_bh"] < 0.05, "topic"]) == {0, 1, 2}
    assert not (table.loc[~planted, "q_value"] < 0.05).any()


def test_the_edgeworth_reference_joins_only_where_the_bootstrap_t_does():
    # with fewer than 20 clusters a group the skewness estimated from the spreads over-corrects (10 vs 10 sessions
    # at concentration 40 vs 10: 4.6% false positives before, 1.7% with the correction): the p-value stays the
    # larger of the permutation and Student's t there, and the Edgeworth p is reported beside it
    table = compare_groups(dirichlet_sessions(10, 10, 40.0, 10.0, 4), "grp", n_perm=199, seed=4)
    tested = table[~table["too_small"]]
    assert (tested["reference"] == "permutation").all()
    np.testing.assert_array_equal(tested["p_value"], np.fmax(tested["p_permutation"], tested["p_t"]))
    assert (tested["p_edgeworth"] > tested["p_value"]).any()  # it would have changed some rows


def test_the_same_topic_mix_test_is_warned_conservative_where_it_was_in_simulation():
    # issue 27: p_family (step-down max-|t|, the larger of the bootstrap's and the permutations' p) was valid in
    # every design of benchmarks/calibration.py but at 0.5-2% of data sets under no difference in designs 3, 4, 5,
    # 13 and 14: the groups' spreads 2-4-fold apart, or fewer than 20 clusters a group. There the table, the
    # profile divergence and the comparison say that it is conservative, with the measured rates; with equal
    # spreads and enough sessions they do not.
    spread = compare_groups(dirichlet_sessions(133, 53, 10.0, 40.0, 5), "grp", n_perm=199, seed=1)
    first = spread.iloc[0]
    ratio = max(first["spread_a"], first["spread_b"]) / min(first["spread_a"], first["spread_b"])
    assert ratio >= FAMILY_SPREAD_RATIO
    (warning,) = [w for w in spread.attrs["warnings"] if "p_family" in w]
    assert warning.startswith("A vs B: the same-topic-mix test (p_family) is conservative here")
    assert f"differ {ratio:.1f}-fold" in warning and "designs 2, 3, 11-13 and 8-10" in warning and "0.5-4.5%" in warning
    few = compare_groups(dirichlet_sessions(10, 12, 40.0, 40.0, 6), "grp", n_perm=199, seed=1)
    (warning,) = [w for w in few.attrs["warnings"] if "p_family" in w]
    assert "10 sessions in the smaller group, fewer than 20" in warning and "designs 4, 5 and 14" in warning
    divergence = profile_divergence(dirichlet_sessions(10, 12, 40.0, 40.0, 6), "grp", n_boot=50, n_perm=99, seed=1)
    assert [w for w in divergence.attrs["warnings"] if "p_family" in w] == [warning]
    equal = compare_groups(dirichlet_sessions(40, 40, 40.0, 40.0, 7), "grp", n_perm=199, seed=1)
    assert not any("p_family" in w or "conservative" in w for w in equal.attrs["warnings"])
    assert family_message("A", "B", 0.1, 0.05, 30, 30, min_clusters=20) != ""
    assert family_message("A", "B", 0.1, 0.06, 30, 30, min_clusters=20) == ""
