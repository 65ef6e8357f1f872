"""How well a session's topic profile predicts its group: cross-validated over sessions, against permutations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.compare.sessions import session_table


def predict_group(assignments: pd.DataFrame, by: str, *, groups: list[str] | None = None, folds: int = 5,
                  n_perm: int = 100, seed: int = 0, min_sessions: int = 5) -> dict[str, float]:
    """How well a session's topic profile predicts its group (cross-validated over sessions).

    A multinomial logistic regression on each session's topic shares, scored by balanced accuracy in
    stratified k-fold cross-validation (sessions are the samples, so no session is in both train and
    test), against a permutation baseline (the same model on shuffled session labels).

    Returns
    -------
    dict
        ``balanced_accuracy``, ``chance`` (1 / number of groups), ``permutation_mean``,
        ``permutation_p``, ``sessions``, ``folds``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, permutation_test_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    st = session_table(assignments, by, groups=groups, min_sessions=max(min_sessions, folds))
    remarks = st.sessions["remarks"].to_numpy(dtype=float)
    x = st.counts / np.clip(remarks[:, None], 1, None)
    y = st.sessions["group"].to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # tiny matrices: threads cost more than they save (12x here)
        score, perm_scores, p = permutation_test_score(model, x, y, cv=cv, scoring="balanced_accuracy",
                                                       n_permutations=n_perm, random_state=seed)
    return {"balanced_accuracy": float(score), "chance": 1 / len(st.groups), "permutation_mean": float(np.mean(perm_scores)),
            "permutation_p": float(p), "sessions": int(len(y)), "folds": folds}
