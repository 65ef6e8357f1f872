"""Group comparisons: known answers, bad input, and a planted-effect check on the real AnnoMI extract."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from topics import plots
from topics.compare import (
    benjamini_hochberg,
    compare_groups,
    distinctive_words,
    drift_scores,
    jensen_shannon,
    log_odds,
    outcome_association,
    position_shares,
    predict_group,
    profile_divergence,
    run_comparison,
    transition_matrix,
)
from topics.errors import InputError


def synthetic(n_sessions=20, per_session=30, share_a=0.2, share_b=0.5, seed=0):
    """Sessions in two groups; topic 0 has a known share in each group, the rest is topic 1."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_sessions):
        group = "a" if s < n_sessions // 2 else "b"
        p = share_a if group == "a" else share_b
        topics = rng.random(per_session) < p
        for t, is0 in enumerate(topics):
            rows.append(
                {
                    "utterance_id": f"s{s}-{t}",
                    "session_id": f"s{s}",
                    "turn": t,
                    "group": group,
                    "topic": 0 if is0 else 1,
                    "label": "zero" if is0 else "one",
                    "text": "alpha beta" if is0 else "gamma delta",
                    "stratum": "x" if s % 2 else "y",
                }
            )
    return pd.DataFrame(rows)


def test_benjamini_hochberg_known_answer():
    p = np.array([0.01, 0.04, 0.03, 0.20, np.nan])
    # sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.053, 0.053, 0.20
    q = benjamini_hochberg(p)
    assert q[:4] == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.20])
    assert np.isnan(q[4])


def test_jensen_shannon_known_answers():
    assert jensen_shannon([1, 0], [0, 1]) == pytest.approx(1.0)
    assert jensen_shannon([1, 1], [1, 1]) == pytest.approx(0.0)
    assert jensen_shannon([1, 0], [1, 1]) == pytest.approx(0.311278, abs=1e-6)


def test_contrast_recovers_a_known_difference():
    data = synthetic(n_sessions=40, per_session=50, share_a=0.2, share_b=0.5)
    table = compare_groups(data, "group", n_boot=300, n_perm=300, seed=1, min_remarks=5)
    row = table.set_index("topic").loc[0]
    true_a = (data[data.group == "a"].topic == 0).mean()
    true_b = (data[data.group == "b"].topic == 0).mean()
    assert row["share_a"] == pytest.approx(true_a) and row["share_b"] == pytest.approx(true_b)
    assert row["contrast"] == "a minus b"
    assert row["diff"] == pytest.approx(true_a - true_b)  # first group minus second
    assert row["diff_low"] < row["diff"] < row["diff_high"]
    assert row["diff_low"] > -0.45 and row["diff_high"] < -0.15  # around the planted -0.3
    assert row["q_value"] < 0.01
    assert row["ratio"] == pytest.approx(true_a / true_b)
    assert "Unit of resampling: sessions" in table.attrs["method"]


def test_no_difference_gives_large_p():
    data = synthetic(n_sessions=40, per_session=50, share_a=0.3, share_b=0.3, seed=3)
    table = compare_groups(data, "group", n_boot=200, n_perm=500, seed=2, min_remarks=5)
    assert table.set_index("topic").loc[0, "p_value"] > 0.05


def test_stratified_contrast_runs_within_strata():
    data = synthetic(n_sessions=40, per_session=40, share_a=0.2, share_b=0.5)
    table = compare_groups(data, "group", strata="stratum", n_boot=200, n_perm=200, seed=1, min_remarks=5)
    row = table.set_index("topic").loc[0]
    assert row["diff"] == pytest.approx(-0.3, abs=0.08)
    assert row["diff"] == pytest.approx(row["share_a"] - row["share_b"])  # standardised shares
    assert row["diff_low"] < row["diff"] < row["diff_high"]
    assert "within strata" in table.attrs["method"]


def test_three_groups_give_one_vs_rest():
    data = synthetic(n_sessions=30)
    data.loc[data["session_id"].isin([f"s{i}" for i in range(20, 30)]), "group"] = "c"
    table = compare_groups(data, "group", n_boot=50, n_perm=50, min_sessions=5, min_remarks=5)
    assert sorted(table["contrast"].unique()) == ["a minus rest", "b minus rest", "c minus rest"]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.drop(columns="group"), "no grouping column"),
        (lambda d: d.assign(group="a"), "only one group"),
        (lambda d: d.assign(group=np.nan), "every value"),
        (lambda d: d[d["session_id"].isin(["s0", "s1", "s15"])], "fewer than 5 sessions"),
    ],
)
def test_bad_grouping_is_a_clear_error(mutate, message):
    with pytest.raises(InputError, match=message):
        compare_groups(mutate(synthetic()), "group", n_boot=10, n_perm=10)


def test_missing_group_labels_are_reported_not_silently_dropped():
    data = synthetic(n_sessions=20)
    data.loc[data["session_id"] == "s0", "group"] = np.nan
    comp = run_comparison(data, "group", n_boot=20, n_perm=20, min_sessions=5)
    assert any("no value of 'group'" in w for w in comp.warnings)
    assert comp.contrasts["sessions_a"].iloc[0] == 9


def test_too_few_permutations_for_many_tests_are_flagged():
    data = synthetic(n_sessions=20)
    table = compare_groups(data, "group", n_boot=10, n_perm=10, min_remarks=5)
    assert any("smallest attainable q-value" in w for w in table.attrs["warnings"])


def test_small_topics_are_flagged_not_tested():
    data = synthetic(n_sessions=20, per_session=30)
    data.loc[data.index[:3], ["topic", "label"]] = [7, "rare"]
    table = compare_groups(data, "group", n_boot=20, n_perm=20)
    rare = table.set_index("topic").loc[7]
    assert rare["too_small"] and np.isnan(rare["p_value"]) and np.isnan(rare["q_value"])


def test_log_odds_known_answer():
    # by hand (Monroe et al. eq. 16-22): n_a = 20, n_b = 30, alpha = 1 each, alpha0 = 3
    # word 0: log(11/22) - log(11/12) = -0.6061, var = 2/11, z = -1.4215 (relatively more frequent in a)
    # word 2: log(11/22) - log(1/22) = 2.3979, var = 1/11 + 1, z = 2.2958 (only in b)
    delta, z = log_odds(np.array([10, 10, 0]), np.array([10, 10, 10]), np.array([1.0, 1.0, 1.0]))
    assert delta == pytest.approx([-0.60614, -0.60614, 2.39790], abs=1e-4)
    assert z == pytest.approx([-1.42151, -1.42151, 2.29581], abs=1e-4)


def test_distinctive_words_find_the_planted_words():
    data = synthetic(n_sessions=20)
    data.loc[data["group"] == "a", "text"] = "relapse prevention plan"
    data.loc[data["group"] == "b", "text"] = "breathing exercise practice"
    words = distinctive_words(data, "group", groups=["a", "b"], top_n=3)
    assert set(words.loc[words["group"] == "b", "word"]) & {"breathing", "exercise", "practice"}
    # z is "a versus b": positive = typical of the first group
    assert (words.loc[words["group"] == "a", "z"] > 0).all() and (words.loc[words["group"] == "b", "z"] < 0).all()


def test_transitions_and_positions_known_answer():
    rows = [
        {"utterance_id": f"u{i}", "session_id": "s", "turn": i, "topic": t, "label": str(t), "g": "x"}
        for i, t in enumerate([0, 0, 1, 0, 1, 1])
    ]
    data = pd.DataFrame(rows)
    m = transition_matrix(data, normalize=False)
    assert m.loc[0, 0] == 1 and m.loc[0, 1] == 2 and m.loc[1, 0] == 1 and m.loc[1, 1] == 1
    shares = position_shares(data, bins=3).set_index(["segment", "topic"])["share"]
    assert shares[("opening", 0)] == 1.0 and shares[("closing", 1)] == 1.0


def test_outcome_association_known_direction():
    data = synthetic(n_sessions=30, per_session=40, share_a=0.1, share_b=0.6)
    share0 = data.groupby("session_id")["topic"].apply(lambda t: (t == 0).mean())
    data["outcome"] = data["session_id"].map(share0 * 10)
    table = outcome_association(data, "outcome", n_boot=200, seed=0).set_index("topic")
    assert table.loc[0, "rho"] == pytest.approx(1.0)
    assert table.loc[0, "q_value"] < 0.05


def test_on_real_annomi_quality(annomi_run):
    analysis, _ = annomi_run
    comp = run_comparison(analysis.assignments, "quality", n_boot=200, n_perm=200, seed=0)
    assert comp.by == "mi_quality" and comp.groups == ["high", "low"]
    # every topic, plus "no topic" (the remarks without one) as a contrast of its own
    assert len(comp.contrasts) == int((analysis.topics["topic"] != -1).sum()) + 1
    assert -1 in set(comp.contrasts["topic"])
    d = comp.divergence.iloc[0]
    assert 0 < d["jsd"] < 1 and d["excess_low"] <= d["excess"] <= d["excess_high"]
    assert 0 <= comp.prediction["balanced_accuracy"] <= 1
    assert set(comp.drift["group"]) == {"high", "low"}
    assert not comp.words.empty
    assert {"forest", "dumbbell", "words", "position_high", "transitions_low"} <= set(plots.comparison_figures(comp))


FPR_SHUFFLES = 30
DETECTION_SHUFFLES = 20


def test_planted_effect_false_positives_and_detection(annomi_run):
    """Random session labels: q < 0.05 should be rare (near or below nominal); a planted effect must be found.

    Null: AnnoMI's 133 sessions split at random into two groups, 30 times; the share of tested topic
    contrasts with q < 0.05 must stay at or below 0.05 (plus sampling slack), and the share with p < 0.05
    near 0.05. Planted: in one random half, 60% of the remarks of the topic found in most sessions are moved
    to the outliers;
    the topic must come out with p < 0.05 in at least 55% of 20 shuffles, with the right sign.
    """
    analysis, _ = annomi_run
    base = analysis.raw_assignments[["utterance_id", "session_id", "turn", "topic", "label", "text"]]
    sessions = base["session_id"].unique()
    rng = np.random.default_rng(7)
    tested = q_hits = p_hits = 0
    for _ in range(FPR_SHUFFLES):
        half = set(rng.choice(sessions, size=len(sessions) // 2, replace=False))
        data = base.assign(grp=np.where(base["session_id"].isin(half), "b", "a"))
        t = compare_groups(data, "grp", n_boot=20, n_perm=2000, seed=int(rng.integers(1e9)))
        ok = t["p_value"].notna()
        tested += int(ok.sum())
        q_hits += int((t.loc[ok, "q_value"] < 0.05).sum())
        p_hits += int((t.loc[ok, "p_value"] < 0.05).sum())
    fpr_q, fpr_p = q_hits / tested, p_hits / tested
    print(f"\nnull shuffles: {tested} tests, share q<0.05 = {fpr_q:.3f}, share p<0.05 = {fpr_p:.3f}")
    assert fpr_q <= 0.05 + 0.02
    assert 0.01 <= fpr_p <= 0.09

    # the topic present in most sessions: a planted change must stand out against between-session variation
    target = int(base[base["topic"] != -1].groupby("topic")["session_id"].nunique().idxmax())
    found = 0
    for _ in range(DETECTION_SHUFFLES):
        half = set(rng.choice(sessions, size=len(sessions) // 2, replace=False))
        data = base.assign(grp=np.where(base["session_id"].isin(half), "b", "a"))
        in_a = (data["grp"] == "a") & (data["topic"] == target)
        moved = data[in_a].sample(frac=0.6, random_state=int(rng.integers(1e9))).index
        data.loc[moved, "topic"] = -1
        row = (
            compare_groups(data, "grp", n_boot=100, n_perm=2000, seed=int(rng.integers(1e9)))
            .set_index("topic")
            .loc[target]
        )
        found += int(row["p_value"] < 0.05 and row["diff"] < 0)  # a lost 60% of its remarks: a minus b < 0
    print(f"planted effect on topic {target}: detected in {found}/{DETECTION_SHUFFLES}")
    # Power of the per-topic test at p < 0.05 (the figure of the calibration table; the null share above is 0.02).
    # With one planted effect among ~48 topics, Benjamini-Hochberg needs p < 0.001 for q < 0.05, which a topic of
    # about 115 remarks spread over 76 sessions (this model, since transcription markers are cleaned) reaches in
    # 2-4 of 20 shuffles; the broader topic of the earlier model reached it in 13-17. Measured at seed 7 on
    # 2026-11-30: 17/20 at p < 0.05.
    assert found / DETECTION_SHUFFLES >= 0.55


def test_divergence_and_prediction_on_a_clear_difference():
    data = synthetic(n_sessions=40, per_session=40, share_a=0.1, share_b=0.7)
    d = profile_divergence(data, "group", n_boot=100)
    assert d["jsd"].iloc[0] > d["jsd_null"].iloc[0]
    pred = predict_group(data, "group", n_perm=30)
    assert pred["balanced_accuracy"] > 0.9 and pred["permutation_p"] < 0.05
    drift = drift_scores(data, "group")
    assert set(drift.columns) >= {"session_id", "group", "drift", "shift"}


def _as_counts(assignments: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The per-remark table collapsed to session x topic counts (what the Dask engine aggregates)."""
    return (
        assignments.groupby([*keys, "topic", "label"], dropna=False)
        .size()
        .rename("n")
        .reset_index()
        .sample(frac=1.0, random_state=1)
    )  # row order must not matter


@pytest.mark.parametrize("strata", [None, "stratum"])
def test_counts_give_the_same_comparison_as_the_remarks(strata):
    """Session x topic counts (the whole-corpus aggregates of the Dask engine) give exactly the contrasts,
    divergence and prediction of the remarks they summarise."""
    remarks = synthetic(n_sessions=24, share_a=0.25, share_b=0.45, seed=3)
    remarks["therapist"] = remarks["session_id"].map(lambda s: f"t{int(s[1:]) // 2}")
    remarks["stratum"] = remarks["session_id"].map(lambda s: "xy"[(int(s[1:]) // 2) % 2])  # therapists in strata
    counts = _as_counts(remarks, ["session_id", "group", "stratum", "therapist"])
    assert len(counts) < len(remarks) / 5
    kw = {"strata": strata, "cluster": "therapist", "n_perm": 300, "n_boot": 200, "seed": 7}
    by_remark = run_comparison(remarks, "group", **kw)
    by_count = run_comparison(counts, "group", count_column="n", **kw)
    pd.testing.assert_frame_equal(by_remark.contrasts, by_count.contrasts)
    pd.testing.assert_frame_equal(by_remark.divergence, by_count.divergence)
    assert by_remark.prediction == by_count.prediction
    assert by_count.contrasts["p_value"].min() < 0.05  # a real difference, found both ways
    assert by_count.drift.empty and by_count.words.empty and by_count.crosscheck.empty
    assert any("session x topic counts" in w for w in by_count.warnings)


def test_counts_on_the_real_annomi_model(annomi_run):
    analysis, _ = annomi_run
    a = analysis.assignments
    counts = _as_counts(a, ["session_id", "mi_quality"])
    by_remark = compare_groups(a, "quality", n_perm=200, seed=1)
    by_count = compare_groups(counts, "quality", n_perm=200, seed=1, count_column="n")
    pd.testing.assert_frame_equal(by_remark, by_count)


def test_counts_that_are_not_counts_are_refused():
    counts = _as_counts(synthetic(), ["session_id", "group"])
    counts.loc[counts.index[0], "n"] = -3
    with pytest.raises(InputError, match="must hold counts"):
        compare_groups(counts, "group", count_column="n")
    with pytest.raises(InputError, match="no count column"):
        compare_groups(counts, "group", count_column="remarks")


# ------------------------------------------------------------------ columns the toolkit writes (issue 22)

TOOLKIT_TOPIC = (
    "'topic' is a column the toolkit writes (the topic of each remark), not session metadata; "
    "a metadata column of that name is kept as 'meta_topic'"
)


def test_compare_by_topic_is_refused_before_any_resampling():
    """The model's per-remark topic is no grouping: one line naming the user's kept column, at once."""
    data = synthetic()
    data["meta_topic"] = data["group"].map({"a": "depression", "b": "anxiety"})  # the user's, as the reader kept it
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        run_comparison(data, "topic", n_perm=500_000, n_boot=500_000)
    assert time.perf_counter() - t0 < 5
    assert info.value.message == TOOLKIT_TOPIC and info.value.column == "topic"
    assert "\n" not in str(info.value)
    # the user's column under its kept name is what compares
    table = compare_groups(data, "meta_topic", n_perm=200, seed=0)
    assert table.attrs["by"] == "meta_topic"


@pytest.mark.parametrize(
    "option, name",
    [({"strata": "topic"}, "topic"), ({"cluster": "label"}, "label"), ({"strata": "similarity"}, "similarity")],
)
def test_strata_and_clusters_refuse_columns_the_toolkit_wrote(option, name):
    with pytest.raises(InputError, match=f"^column '{name}': '{name}' is a column the toolkit writes"):
        compare_groups(synthetic(), "group", n_perm=200, **option)


def test_an_outcome_the_model_wrote_is_refused():
    data = synthetic()
    data["probability"] = data["session_id"].map(lambda s: int(s[1:]) / 20)  # numeric, one value per session
    with pytest.raises(InputError, match="'probability' is a column the toolkit writes"):
        outcome_association(data, "probability", n_perm=200)
    t0 = time.perf_counter()  # the whole comparison refuses it before any resampling, not after the permutations
    with pytest.raises(InputError, match="'probability' is a column the toolkit writes"):
        run_comparison(data, "group", outcomes=["probability"], n_perm=500_000, n_boot=500_000)
    assert time.perf_counter() - t0 < 5


def test_cli_report_and_compare_refuse_a_toolkit_column_before_loading_the_run(tmp_path):
    from click.testing import CliRunner

    from topics.cli import main

    run = tmp_path / "run"
    run.mkdir()
    for args in (
        ["report", str(run), "--compare-by", "topic"],
        ["compare", str(run), "--by", "topic"],
        ["compare", str(run), "--by", "school", "--strata", "topic"],
        ["compare", str(run), "--by", "school", "--outcome", "topic"],
    ):
        t0 = time.perf_counter()
        result = CliRunner().invoke(main, args)
        assert time.perf_counter() - t0 < 10, args
        assert result.exit_code == 2, (args, result.output)
        assert result.output.strip().splitlines() == [f"error: column 'topic': {TOOLKIT_TOPIC}"], args
    assert list(run.iterdir()) == []


def test_cli_fit_refuses_a_config_that_compares_by_topic(tmp_path):
    """`[compare] by = "topic"` in a config file: refused before the fit, with the user's column named."""
    from click.testing import CliRunner

    from topics.cli import main

    data = tmp_path / "counselchat.csv"
    data.write_text(
        "session_id,role,text,topic\n"
        "q1,client,I feel low all the time,depression\n"
        "q1,therapist,That sounds very hard to carry for so long,depression\n",
        encoding="utf-8",
    )
    config = tmp_path / "study.toml"
    config.write_text('[compare]\nby = "topic"\n', encoding="utf-8")
    with pytest.warns(UserWarning, match="counselchat.csv: metadata column 'topic' .* kept as 'meta_topic'"):
        result = CliRunner().invoke(main, ["fit", str(data), "--config", str(config), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    assert f"error: column 'topic': {TOOLKIT_TOPIC}" in result.output
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_a_real_run_refuses_compare_by_topic_in_seconds(annomi_run):
    """`topics report RUN --compare-by topic` ran 6 minutes and compared topic -1 with 0 and 1; now one line."""
    from click.testing import CliRunner

    from topics.cli import main

    analysis, run = annomi_run
    with pytest.raises(InputError, match="'topic' is a column the toolkit writes"):
        analysis.compared_by("topic")
    t0 = time.perf_counter()
    result = CliRunner().invoke(main, ["report", str(run), "--compare-by", "topic", "--out", str(run / "t.html")])
    assert time.perf_counter() - t0 < 30
    assert result.exit_code == 2 and TOOLKIT_TOPIC in result.output
    assert not (run / "t.html").exists()
