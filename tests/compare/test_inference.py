"""Known answers for the group-comparison inference: the studentized statistic by hand, interval and p agreeing,
one direction everywhere, clusters, strata, single-turn data, the variance floor, and the other outputs'
session-level inference (divergence, prediction, drift, distinctive words, outcomes, the GEE cross-check).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.compare import (
    compare_drift,
    compare_groups,
    distinctive_words,
    drift_scores,
    gee_crosscheck,
    named_contrasts,
    outcome_association,
    predict_group,
    profile_divergence,
    run_comparison,
)
from topics.errors import InputError


def remarks(sessions: list[tuple[str, str, list[int]]], **extra) -> pd.DataFrame:
    """A remark table from (session_id, group, topics of its remarks in order)."""
    rows = []
    for sid, group, topics in sessions:
        for turn, topic in enumerate(topics):
            row = {
                "session_id": sid,
                "turn": turn,
                "grp": group,
                "topic": topic,
                "label": f"t{topic}",
                "text": f"remark {sid} {turn}",
                "utterance_id": f"{sid}-{turn}",
            }
            row.update({k: v(sid) if callable(v) else v for k, v in extra.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def share_sessions(n_in: int, n: int) -> list[int]:
    return [0] * n_in + [1] * (n - n_in)


HAND = remarks(
    [
        ("a1", "A", share_sessions(4, 10)),
        ("a2", "A", share_sessions(2, 10)),
        ("a3", "A", share_sessions(10, 20)),
        ("b1", "B", share_sessions(0, 10)),
        ("b2", "B", share_sessions(4, 10)),
    ]
)
SMALL = {"min_sessions": 2, "min_remarks": 1, "min_topic_sessions": 1}


def test_studentized_difference_by_hand():
    # session shares of topic 0: A 0.4, 0.2, 0.5 (mean 0.36667, s^2 0.023333, V 0.0077778);
    # B 0.0, 0.4 (mean 0.2, s^2 0.08, V 0.04); Welch: se = sqrt(0.0477778) = 0.218581,
    # t = 0.166667 / 0.218581 = 0.762493, df = 0.0477778^2 / (0.0077778^2 / 2 + 0.04^2 / 1) = 1.40023
    row = compare_groups(HAND, "grp", n_perm=99, **SMALL).set_index("topic").loc[0]
    assert row["share_a"] == pytest.approx(0.366667, abs=1e-6)
    assert row["share_b"] == pytest.approx(0.2, abs=1e-12)
    assert row["diff"] == pytest.approx(0.166667, abs=1e-6)
    assert row["se"] == pytest.approx(0.218581, abs=1e-6)
    assert row["t"] == pytest.approx(0.762493, abs=1e-5)
    assert row["df"] == pytest.approx(1.40023, abs=1e-4)
    from scipy import stats

    assert row["p_t"] == pytest.approx(2 * stats.t.sf(0.762493, 1.40023), abs=1e-4)


def test_pooled_estimand_weighs_sessions_by_their_remarks():
    row = compare_groups(HAND, "grp", n_perm=99, estimand="pooled", **SMALL).set_index("topic").loc[0]
    assert row["share_a"] == pytest.approx(16 / 40) and row["share_b"] == pytest.approx(4 / 20)


def test_no_topic_is_a_row_of_its_own_with_all_remarks_as_denominator():
    data = remarks([(f"s{i}", "A" if i < 6 else "B", [0, 1, -1, 1] if i < 6 else [0, 1, 1, 1]) for i in range(12)])
    table = compare_groups(data, "grp", n_perm=99, **SMALL).set_index("topic")
    assert -1 in table.index and table.loc[-1, "label"].startswith("no topic")
    assert table.loc[-1, "share_a"] == pytest.approx(0.25) and table.loc[-1, "share_b"] == 0
    topical = compare_groups(data, "grp", n_perm=99, denominator="topical", **SMALL).set_index("topic")
    assert -1 not in topical.index and topical.loc[0, "share_a"] == pytest.approx(1 / 3)


def synthetic(n_a: int, n_b: int, share_a: float, share_b: float, seed: int = 0, per_session: int = 40):
    rng = np.random.default_rng(seed)
    sessions = []
    for i in range(n_a + n_b):
        group, p = ("A", share_a) if i < n_a else ("B", share_b)
        theta = rng.beta(p * 20, (1 - p) * 20)
        topics = np.where(rng.random(per_session) < theta, 0, rng.integers(1, 4, per_session))
        sessions.append((f"s{i}", group, topics.tolist()))
    return remarks(sessions)


@pytest.mark.parametrize("reference", ["permutation", "bootstrap-t", "both", "auto"])
def test_interval_excludes_zero_exactly_when_p_is_below_05(reference):
    data = synthetic(25, 22, 0.3, 0.22, seed=4)
    table = compare_groups(data, "grp", n_perm=499, reference=reference, min_remarks=1, min_topic_sessions=1)
    tested = table[table["p_value"].notna()]
    excludes = (tested["diff_low"] > 0) | (tested["diff_high"] < 0)
    assert (excludes == (tested["p_value"] < 0.05)).all()
    assert len(tested) >= 3 and ((tested["diff_low"] <= tested["diff"]) & (tested["diff"] <= tested["diff_high"])).all()


def test_direction_is_first_group_minus_second_everywhere():
    data = synthetic(20, 20, 0.5, 0.2, seed=1)
    ab = compare_groups(data, "grp", groups=["A", "B"], n_perm=199).set_index("topic").loc[0]
    ba = compare_groups(data, "grp", groups=["B", "A"], n_perm=199).set_index("topic").loc[0]
    assert ab["contrast"] == "A minus B" and ab["diff"] > 0.2
    assert ab["diff"] == pytest.approx(ab["share_a"] - ab["share_b"])
    assert ba["contrast"] == "B minus A" and ba["diff"] == pytest.approx(-ab["diff"])
    assert ba["diff_low"] == pytest.approx(-ab["diff_high"], abs=0.02)
    named = named_contrasts(compare_groups(data, "grp", groups=["A", "B"], n_perm=99))
    assert {"share_A", "share_B", "A_minus_B"} <= set(named.columns)
    words = distinctive_words(
        data.assign(text=np.where(data["grp"] == "A", "alpha word", "beta word")),
        "grp",
        groups=["A", "B"],
        min_count=1,
        n_perm=99,
    )
    top_a = words[words["group"] == "A"].iloc[0]
    assert top_a["word"] == "alpha" and top_a["z"] > 0


def test_too_few_permutations_are_said():
    table = compare_groups(synthetic(8, 8, 0.3, 0.3), "grp", n_perm=49, min_remarks=1, min_topic_sessions=1)
    assert any("permutations" in w for w in table.attrs["warnings"])
    few = [w for w in table.attrs["warnings"] if "only 8 sessions" in w]
    # issue 27, design 4 of benchmarks/calibration.py (6 vs 6 sessions: 2.0% at p < .05): said, not hidden
    assert len(few) == 2 and all("conservative" in w and "designs 4 and 5" in w for w in few)


def test_a_group_without_the_topic_gets_the_sampling_variance_not_zero():
    # B never uses topic 2: its cluster-robust variance is 0, the multinomial floor keeps t finite
    sessions = [(f"a{i}", "A", [0] * 30 + [2] * (i % 3) + [1] * 9) for i in range(12)]
    sessions += [(f"b{i}", "B", [0] * 30 + [1] * 10) for i in range(12)]
    row = compare_groups(remarks(sessions), "grp", n_perm=199, **SMALL).set_index("topic").loc[2]
    assert row["share_b"] == 0 and row["se"] > 0 and np.isfinite(row["t"])
    pooled = row["share_a"] / 2
    assert row["se"] ** 2 >= pooled * (1 - pooled) * 12 / 40 / 144 - 1e-15


def test_clusters_are_resampled_whole_and_must_be_nested_in_groups():
    data = synthetic(16, 16, 0.3, 0.3, seed=2)
    data["therapist"] = data["session_id"].str[1:].astype(int) // 4
    table = compare_groups(data, "grp", cluster="therapist", n_perm=99, min_remarks=1, min_topic_sessions=1)
    assert table["clusters_a"].iloc[0] == 4 and table["clusters_b"].iloc[0] == 4
    assert table["sessions_a"].iloc[0] == 16
    assert any("only 4 clusters of 'therapist'" in w for w in table.attrs["warnings"])
    crossed = data.assign(therapist=data["session_id"].str[1:].astype(int) % 4)
    with pytest.raises(InputError, match="more than one group"):
        compare_groups(crossed, "grp", cluster="therapist", n_perm=99)


def test_strata_remove_a_difference_that_is_only_a_mix_of_strata():
    # topic 0 is common in problem "x" and rare in "y"; A is mostly "x", B mostly "y"; no group effect within
    rng = np.random.default_rng(3)
    sessions, problem = [], {}
    for i in range(80):
        group = "A" if i < 40 else "B"
        in_x = rng.random() < (0.85 if group == "A" else 0.15)
        problem[f"s{i}"] = "x" if in_x else "y"
        p = 0.5 if in_x else 0.1
        topics = np.where(rng.random(30) < p, 0, 1)
        sessions.append((f"s{i}", group, topics.tolist()))
    data = remarks(sessions, problem=problem.get)
    raw = compare_groups(data, "grp", n_perm=499, seed=1).set_index("topic").loc[0]
    strat = compare_groups(data, "grp", strata="problem", n_perm=499, seed=1).set_index("topic").loc[0]
    assert raw["p_value"] < 0.01 and raw["diff"] > 0.2
    assert abs(strat["diff"]) < 0.06 and strat["p_value"] > 0.05
    comp = run_comparison(data, "grp", strata="problem", n_perm=499, n_boot=100, crosscheck=False)
    assert comp.contrasts_unadjusted is not None
    assert any("Strata (problem) apply to the per-topic contrasts" in w for w in comp.warnings)
    assert any("strongly associated with problem" in c for c in comp.confounds)


def test_single_turn_replies_blocked_by_prompt():
    # every "session" is one reply; 6 prompts answered by 6 replies of each group; topic depends on the prompt
    rng = np.random.default_rng(5)
    sessions, prompt = [], {}
    for k in range(6):
        for j in range(12):
            sid = f"p{k}r{j}"
            prompt[sid] = f"prompt {k}"
            topic = 0 if rng.random() < (0.2 + 0.1 * k) else 1
            sessions.append((sid, "human" if j < 6 else "bot", [topic]))
    data = remarks(sessions, prompt=prompt.get)
    comp = run_comparison(data, "grp", strata="prompt", n_perm=499, n_boot=100, min_sessions=5)
    assert comp.positions.empty and comp.drift.empty
    assert any("single remark" in w for w in comp.warnings)
    row = comp.contrasts.set_index("topic").loc[0]
    assert row["sessions_a"] + row["sessions_b"] == 72 and np.isfinite(row["p_value"])


def test_divergence_is_near_zero_without_a_difference_and_its_test_combines_the_topics():
    same = profile_divergence(synthetic(30, 30, 0.3, 0.3, seed=6), "grp", n_boot=300, n_perm=300)
    row = same.iloc[0]
    assert row["excess_low"] == 0 and row["excess"] < row["jsd"]
    assert row["p_value"] > 0.05
    differ = profile_divergence(synthetic(30, 30, 0.6, 0.2, seed=6), "grp", n_boot=300, n_perm=300).iloc[0]
    assert differ["p_value"] < 0.01 and differ["excess_low"] > 0


def test_prediction_weights_classes_so_the_majority_cannot_win_by_default():
    data = synthetic(60, 12, 0.45, 0.25, seed=7)
    result = predict_group(data, "grp", n_perm=50)
    assert result["class_weight"] == "balanced" and set(result["recall"]) == {"A", "B"}
    assert result["recall"]["B"] > 0.3 and result["balanced_accuracy"] > 0.6


def test_drift_is_recomputed_inside_each_permutation():
    data = synthetic(40, 8, 0.3, 0.3, seed=8)
    drift = drift_scores(data, "grp")
    recomputed = compare_drift(drift, assignments=data, by="grp", n_perm=200, n_boot=100)
    assert drift.attrs["excluded"]["sessions"] == 0
    assert recomputed["p_value"].notna().all() and (recomputed["p_value"] > 0.01).all()
    short = pd.concat([data, remarks([("tiny", "A", [0, 1])])])
    assert drift_scores(short, "grp").attrs["excluded"]["sessions"] == 1


def test_a_word_one_session_repeats_is_not_significant():
    data = synthetic(20, 20, 0.3, 0.3, seed=9)
    data["text"] = "we talk about feelings"
    loud = data["session_id"] == "s0"
    data.loc[loud, "text"] = "zebra zebra zebra"
    words = distinctive_words(data, "grp", n_perm=300, min_count=1)
    zebra = words[words["word"] == "zebra"].iloc[0]
    assert zebra["z"] > 5  # the remark-level z says "very distinctive"
    assert zebra["p_value"] > 0.05  # whole sessions permuted: one session is not a group


def test_outcomes_adjusted_for_group_lose_a_between_group_association():
    rng = np.random.default_rng(10)
    sessions, outcome = [], {}
    for i in range(60):
        group = "A" if i < 30 else "B"
        share = (0.5 if group == "A" else 0.1) + rng.normal(0, 0.02)
        sessions.append((f"s{i}", group, np.where(rng.random(40) < share, 0, 1).tolist()))
        outcome[f"s{i}"] = (2.0 if group == "A" else 0.0) + rng.normal()
    data = remarks(sessions, score=outcome.get)
    plain = outcome_association(data, "score", n_perm=300).set_index("topic").loc[0]
    adjusted = outcome_association(data, "score", by="grp", n_perm=300).set_index("topic").loc[0]
    assert plain["rho"] > 0.5 and plain["p_value"] < 0.01
    assert abs(adjusted["rho"]) < 0.3 and adjusted["p_value"] > 0.05
    assert adjusted["rho_low"] < adjusted["rho"] < adjusted["rho_high"]
    assert "Adjusted for grp" in outcome_association(data, "score", by="grp", n_perm=50).attrs["method"]


def test_gee_crosscheck_agrees_in_direction():
    data = synthetic(25, 25, 0.45, 0.2, seed=11)
    table = gee_crosscheck(data, "grp", groups=["A", "B"]).set_index("topic")
    assert table.loc[0, "odds_ratio"] > 1.5 and table.loc[0, "p_value"] < 0.01
    assert table.loc[0, "or_low"] < table.loc[0, "odds_ratio"] < table.loc[0, "or_high"]


def _with_rare_group(n_rare: int) -> pd.DataFrame:
    """Groups A and B of 12 sessions each, and group C of ``n_rare`` sessions."""
    data = synthetic(12, 12, 0.4, 0.2, seed=12, per_session=10)
    rare = remarks([(f"c{i}", "C", [0, 1, 2, 0, 1]) for i in range(n_rare)])
    return pd.concat([data, rare], ignore_index=True)


@pytest.mark.parametrize("min_sessions", [5, 2])
def test_a_rare_group_is_refused_before_any_resampling_with_its_name_and_the_fix(monkeypatch, min_sessions):
    import topics.compare.comparison as comparison

    def no_resampling(*args, **kwargs):
        raise AssertionError("the permutations ran before the group sizes were checked")

    for name in ("compare_groups", "profile_divergence", "predict_group"):
        monkeypatch.setattr(comparison, name, no_resampling)
    # min_sessions=2: the contrasts would accept 3 sessions, the 5-fold prediction (run after them) would not
    with pytest.raises(InputError) as err:
        run_comparison(_with_rare_group(3), "grp", n_perm=99, n_boot=20, min_sessions=min_sessions)
    message = err.value.message
    assert "'C' (3 sessions)" in message and "fewer than the 5 sessions" in message
    assert "A 12, B 12, C 3" in message
    assert "--groups A,B" in message and 'groups = ["A", "B"]' in message and "merge it" in message
    with pytest.raises(InputError, match=r"group\(s\) \['Z'\] not found in 'grp'; its groups are \(sessions\): A 12"):
        run_comparison(_with_rare_group(3), "grp", groups=["A", "Z"], n_perm=99, min_sessions=min_sessions)


def test_a_rare_group_left_out_with_groups_is_compared():
    comp = run_comparison(_with_rare_group(3), "grp", groups=["B", "A"], n_perm=99, n_boot=20, crosscheck=False)
    assert comp.groups == ["B", "A"] and set(comp.contrasts["contrast"]) == {"B minus A"}
    # asked for A and C: the fix offers the groups that have enough
    with pytest.raises(InputError, match="pass --groups A,B"):
        run_comparison(_with_rare_group(3), "grp", groups=["A", "C"], n_perm=99)
    only_one = _with_rare_group(3)
    only_one = only_one[~only_one["session_id"].isin([f"s{i}" for i in range(12, 21)])]  # B keeps 3 sessions
    with pytest.raises(InputError, match="Fewer than two groups have 5 sessions: merge groups"):
        run_comparison(only_one, "grp", n_perm=99)


def answers_to_questions(nested: bool = True, seed: int = 13) -> pd.DataFrame:
    """Single-answer sessions (CounselChat as one session per answer): 40 questions with 1 to 4 answers each.

    ``nested``: each question is answered in one group only (A for the first 20); else by both groups.
    ``views`` is a per-question number, a measurement that must never be suggested as the cluster.
    """
    rng = np.random.default_rng(seed)
    sessions, question, views = [], {}, {}
    for q in range(40):
        topic_q = int(rng.integers(0, 3))  # answers to one question share its topic: not independent
        for j in range(int(rng.integers(1, 5))):
            sid = f"q{q}a{j}"
            group = ("A" if q < 20 else "B") if nested else ("A" if j % 2 == 0 else "B")
            question[sid], views[sid] = f"Q{q:03d}", 100 + q
            sessions.append((sid, group, [topic_q if rng.random() < 0.8 else 3]))
    return remarks(sessions, questionID=question.get, views=views.get)


def test_a_repeated_question_id_is_suggested_as_the_cluster():
    from topics.compare.design import cluster_hint, shared_columns

    data = answers_to_questions()
    found = shared_columns(data, "grp")
    assert [s.column for s in found] == ["questionID"]  # not views: a number that is not an identifier
    n_sessions = data["session_id"].nunique()
    hint = cluster_hint(data, "grp")
    assert hint.startswith(f"sessions share 'questionID' (40 values over {n_sessions} sessions")
    assert "not independent" in hint and "cluster='questionID' (--cluster questionID" in hint
    comp = run_comparison(data, "grp", n_perm=99, n_boot=20, crosscheck=False)
    assert comp.cluster_hint == hint and hint[0].upper() + hint[1:] in comp.warnings
    # a comparison that already resamples whole questions is not told to
    clustered = run_comparison(data, "grp", cluster="questionID", n_perm=99, n_boot=20, crosscheck=False)
    assert clustered.cluster_hint == "" and not any("--cluster" in w for w in clustered.warnings)


def test_no_cluster_is_suggested_without_a_shared_column():
    from topics.compare.design import cluster_hint

    data = answers_to_questions()
    assert cluster_hint(data.drop(columns="questionID"), "grp") == ""  # views alone: a measurement
    # questions answered in both groups cannot be clusters (they are strata): nothing to suggest
    assert cluster_hint(answers_to_questions(nested=False), "grp") == ""
    # every session its own value: an identifier of sessions, not of a unit above them
    assert cluster_hint(data.assign(questionID=data["session_id"] + "-id"), "grp") == ""
    # a column only one group has describes that group, not a unit of both
    assert cluster_hint(data.assign(questionID=data["questionID"].where(data["grp"] == "A")), "grp") == ""
    # a subcategory of the groups (most of a group's sessions share one value) is not a cluster either
    rank = data.groupby("grp")["session_id"].rank(method="dense").astype(int)
    listed = np.where(
        rank <= 0.7 * data.groupby("grp")["session_id"].transform("nunique"),
        data["grp"] + "-main",
        data["grp"] + "-" + (rank // 2).astype(str),
    )
    assert cluster_hint(data.drop(columns="questionID").assign(listed=listed), "grp") == ""
    assert cluster_hint(
        data.drop(columns="questionID").assign(questionID=data["grp"] + "-" + (rank // 2).astype(str)), "grp"
    ).startswith("sessions share 'questionID'")  # the same pairs without the big value
    comp = run_comparison(
        synthetic(8, 8, 0.4, 0.2, seed=14, per_session=10), "grp", n_perm=99, n_boot=20, crosscheck=False
    )
    assert comp.cluster_hint == ""


def test_topics_compare_prints_the_cluster_suggestion(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from click.testing import CliRunner

    import topics.analysis
    from topics.cli import main
    from topics.config import TopicConfig

    data = answers_to_questions()
    monkeypatch.setattr(
        topics.analysis,
        "load_run",
        lambda run, **kw: SimpleNamespace(assignments=data, config=TopicConfig(), fingerprint="synthetic"),
    )
    args = [
        "compare",
        str(tmp_path),
        "--by",
        "grp",
        "--perm",
        "99",
        "--boot",
        "20",
        "--out",
        str(tmp_path / "c"),
        "--raw-text",
    ]  # a synthetic run (no model to de-identify labels with)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "note: sessions share 'questionID' (40 values over" in result.stdout
    assert "--cluster questionID" in result.stdout
    clustered = CliRunner().invoke(main, [*args, "--cluster", "questionID"])
    assert clustered.exit_code == 0, clustered.output
    assert "sessions share" not in clustered.output


def test_p_value_and_interval_agree_at_the_boundary_whatever_the_rounding_of_alpha():
    """Issue 27 (6): with 999 permutations and alpha = 1 - 0.95 (0.05000000000000004 in floating point), an
    observed |t| with exactly 49 larger permutation values has p = 0.050, so its interval must not exclude 0."""
    from topics.compare.studentized import bootstrap_t_bounds, permutation_critical_value

    rng = np.random.default_rng(3)
    t_perm = rng.normal(size=(999, 1))
    ordered = np.sort(np.abs(t_perm[:, 0]))[::-1]
    observed = (ordered[48] + ordered[49]) / 2  # exactly 49 permutation values are larger
    p = (1 + (np.abs(t_perm[:, 0]) >= observed).sum()) / (999 + 1)
    assert p == pytest.approx(0.05)
    for alpha in (0.05, 1 - 0.95):
        critical = permutation_critical_value(t_perm, alpha)[0]
        assert not observed > critical  # p is not below alpha, so the interval does not exclude 0
    lo_exact, hi_exact = bootstrap_t_bounds(t_perm, 0.05)
    lo_float, hi_float = bootstrap_t_bounds(t_perm, 1 - 0.95)
    assert (lo_exact, hi_exact) == (lo_float, hi_float)
