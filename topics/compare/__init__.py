"""Stage 6, compare: assignment tables -> statistics that contrast groups of sessions.

>>> from topics.compare import run_comparison
>>> comp = run_comparison(analysis.assignments, "counselor_type")       # doctest: +SKIP

Remarks are nested in sessions, so every test and interval resamples whole sessions.

* :mod:`topics.compare.sessions`: topic counts per session, presets of grouping columns, the cluster
  bootstrap and permutation machinery, Benjamini-Hochberg;
* :mod:`topics.compare.prevalence`: per-topic prevalence contrasts (:func:`compare_groups`);
* :mod:`topics.compare.divergence`: Jensen-Shannon divergence of whole profiles;
* :mod:`topics.compare.prediction`: the group predicted from the topic profile;
* :mod:`topics.compare.outcomes`: topic shares against a session-level outcome;
* :mod:`topics.compare.words`: distinctive words (weighted log-odds);
* :mod:`topics.compare.trajectory`: position in the session, transitions, drift;
* :mod:`topics.compare.crosscheck`: a binomial GEE per topic, the cross-check journals know;
* :mod:`topics.compare.studentized`: the estimand, the cluster-robust studentized difference, its permutations;
* :mod:`topics.compare.comparison`: all of it in one call (:func:`run_comparison`), with CSV export;
* :mod:`topics.compare.whole_corpus`: the same over a whole corpus of the Dask engine, from session x topic
  counts (:func:`compare_distributed`).
"""

from topics.compare.comparison import Comparison, named_contrasts, run_comparison, run_configured
from topics.compare.crosscheck import gee_crosscheck
from topics.compare.divergence import jensen_shannon, profile_divergence
from topics.compare.outcomes import outcome_association
from topics.compare.prediction import predict_group
from topics.compare.prevalence import compare_groups
from topics.compare.sessions import PRESETS, SessionTable, benjamini_hochberg, resolve_column, session_table
from topics.compare.trajectory import compare_drift, drift_scores, position_shares, transition_matrix
from topics.compare.whole_corpus import compare_distributed
from topics.compare.words import distinctive_words, log_odds

__all__ = [
    "PRESETS",
    "Comparison",
    "SessionTable",
    "benjamini_hochberg",
    "compare_distributed",
    "compare_drift",
    "compare_groups",
    "gee_crosscheck",
    "distinctive_words",
    "drift_scores",
    "jensen_shannon",
    "log_odds",
    "named_contrasts",
    "outcome_association",
    "position_shares",
    "predict_group",
    "profile_divergence",
    "resolve_column",
    "run_comparison",
    "run_configured",
    "session_table",
    "transition_matrix",
]
