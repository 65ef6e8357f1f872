"""How well a session's topic profile predicts its group: cross-validated over clusters, against permutations.

What the test asks: whether the groups' sessions are *distinguishable* by their topic shares, not whether the
groups' mean topic mix differs. Two groups with the same mean mix whose sessions vary by different amounts
are distinguishable (a session far from the common mix is more likely of the more varied group), and so are
groups whose sessions come from different therapists (the classifier learns therapists) unless ``cluster``
keeps each therapist's sessions in one fold and permutes whole therapists. Measured
(``benchmarks/calibration_measures.py``, 20 data sets a design): same mean mix and spread, p < .05 in 5%;
same mean mix, 133 vs 53 sessions with concentration 40 vs 10, 10% (the issue-27 audit, with its own
generator, 59%); 5 therapists x 8 sessions per group, same mean mix, 65% without ``cluster`` and 0% with
``cluster="therapist"``; a planted +10 points on one topic, 100%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import session_table
from topics.compare.studentized import session_shares

PREDICTION_MEANING = (
    "The permutation p tests whether the groups are distinguishable by their sessions' topic shares, not "
    "whether their mean topic mix differs: groups with the same mean mix whose sessions vary by different "
    "amounts are distinguishable too, and so are groups whose sessions come from different therapists or "
    "answer different prompts, unless the comparison clusters on them (cluster=). For a difference in mean "
    "topic mix, read the per-topic contrasts and the test of the whole profile."
)
"""What :func:`predict_group`'s permutation p tests, said in the report beside it."""


def predict_group(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    folds: int = 5,
    n_perm: int = 100,
    seed: int = 0,
    min_sessions: int = 5,
    cluster: str | None = None,
    denominator: str = "all",
    count_column: str | None = None,
) -> dict[str, float | int | str | dict[str, float]]:
    """How well a session's topic profile predicts its group (cross-validated, class-weighted).

    A multinomial logistic regression with balanced class weights (so that a majority group cannot win by
    being predicted always) on each session's topic shares, scored by balanced accuracy in stratified
    k-fold cross-validation. Sessions are the samples; with ``cluster`` the folds keep each cluster whole
    (no therapist in both training and test). The baseline is the same model on shuffled labels.
    The permutation p tests whether the groups are *distinguishable* (see :data:`PREDICTION_MEANING`): a
    difference in session-to-session spread alone, or therapists nested in the groups without ``cluster``,
    make them so although their mean topic mix is the same.
    ``count_column``: ``assignments`` holds session x topic counts (see :func:`topics.compare.compare_groups`).

    Returns
    -------
    dict
        ``balanced_accuracy``, ``chance`` (1 / number of groups), ``permutation_mean``, ``permutation_p``,
        ``recall`` (per group, from out-of-fold predictions), ``sessions``, ``folds``, ``class_weight``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    st = session_table(
        assignments,
        by,
        groups=groups,
        min_sessions=max(min_sessions, folds),
        cluster=cluster,
        count_column=count_column,
    )
    x, _, _, valid = session_shares(st, estimand="session", denominator=denominator)
    x, y = x[valid], st.sessions["group"].to_numpy()[valid]
    clusters = st.sessions["cluster"].astype(str).to_numpy()[valid]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0, class_weight="balanced"))
    if cluster:
        cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        split_groups = clusters
    else:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        split_groups = None
    rng = np.random.default_rng(seed)
    codes, _ = pd.factorize(clusters)
    cluster_label = pd.Series(y).groupby(codes).first().to_numpy()

    def balanced_accuracy(labels: np.ndarray) -> float:
        return float(
            np.mean(cross_val_score(model, x, labels, groups=split_groups, cv=cv, scoring="balanced_accuracy"))
        )

    with threadpool_limits(1):  # tiny matrices: threads cost more than they save (12x here)
        score = balanced_accuracy(y)
        # the null: whole clusters' labels shuffled (sessions, unless a cluster column is given)
        perm_scores = np.array([balanced_accuracy(rng.permutation(cluster_label)[codes]) for _ in range(n_perm)])
        predicted = cross_val_predict(model, x, y, groups=split_groups, cv=cv)
    p = (np.sum(perm_scores >= score - 1e-12) + 1) / (n_perm + 1)
    recall = {str(g): float((predicted[y == g] == g).mean()) for g in st.groups}
    return {
        "balanced_accuracy": float(score),
        "chance": 1 / len(st.groups),
        "permutation_mean": float(np.mean(perm_scores)),
        "permutation_p": float(p),
        "recall": recall,
        "sessions": int(len(y)),
        "folds": folds,
        "class_weight": "balanced",
    }
