"""One call for a full group comparison: prevalence contrasts, profile divergence, prediction,
trajectories, distinctive words and (optionally) outcomes, with its tables, figures and CSV export.

>>> comp = run_comparison(analysis.assignments, "counselor_type")
>>> comp.contrasts          # per-topic differences with intervals, p and q
>>> plots.comparison_figures(comp)["forest"]
>>> comp.save_csv("runs/demo/compare-counselor_type")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from topics._files import export_csv, safe_file_name
from topics.compare.divergence import profile_divergence
from topics.compare.outcomes import outcome_association
from topics.compare.prediction import predict_group
from topics.compare.prevalence import compare_groups
from topics.compare.sessions import resolve_column
from topics.compare.trajectory import compare_drift, drift_scores, position_shares, transition_matrix
from topics.compare.words import distinctive_words
from topics.config import VectorizerConfig
from topics.model import make_vectorizer


@dataclass
class Comparison:
    """Everything a group comparison produced.

    Attributes
    ----------
    by : str
        The grouping column.
    groups : list of str
    contrasts : pandas.DataFrame
        :func:`topics.compare.compare_groups`; ``contrasts.attrs["method"]`` says how it was tested.
    divergence : pandas.DataFrame
        :func:`topics.compare.profile_divergence`.
    prediction : dict
        :func:`topics.compare.predict_group`.
    positions : pandas.DataFrame
        :func:`topics.compare.trajectory.position_shares` per group.
    transitions : dict of str to pandas.DataFrame
        Transition matrix per group.
    drift : pandas.DataFrame
        :func:`topics.compare.trajectory.drift_scores`.
    drift_summary : pandas.DataFrame
        :func:`topics.compare.trajectory.compare_drift`.
    words : pandas.DataFrame
        :func:`topics.compare.words.distinctive_words` over all remarks (two groups only; empty otherwise).
    outcomes : dict of str to pandas.DataFrame
        :func:`topics.compare.outcome_association` per outcome column.
    warnings : list of str
    """

    by: str
    groups: list[str]
    contrasts: pd.DataFrame
    divergence: pd.DataFrame
    prediction: dict
    positions: pd.DataFrame
    transitions: dict[str, pd.DataFrame]
    drift: pd.DataFrame
    drift_summary: pd.DataFrame
    words: pd.DataFrame
    outcomes: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    labels: pd.Series = field(default_factory=pd.Series)

    def save_csv(self, folder: str | Path) -> list[Path]:
        """Write every table as CSV (spreadsheet-safe) into a folder; returns the files."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = [export_csv(self.contrasts, folder / "contrasts.csv"),
               export_csv(self.divergence, folder / "divergence.csv"),
               export_csv(pd.DataFrame([self.prediction]), folder / "prediction.csv"),
               export_csv(self.positions, folder / "positions.csv"),
               export_csv(self.drift, folder / "drift.csv"),
               export_csv(self.drift_summary, folder / "drift_summary.csv")]
        if not self.words.empty:
            out.append(export_csv(self.words, folder / "distinctive_words.csv"))
        for g, m in self.transitions.items():
            out.append(export_csv(m.reset_index(), folder / f"transitions_{safe_file_name(g)}.csv"))
        for name, table in self.outcomes.items():
            out.append(export_csv(table, folder / f"outcome_{name}.csv"))
        (folder / "method.txt").write_text(self.contrasts.attrs.get("method", "") + "\n", encoding="utf-8")
        return out


def run_comparison(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    strata: str | None = None,
    outcomes: list[str] | None = None,
    n_boot: int = 1000,
    n_perm: int = 2000,
    seed: int = 0,
    min_sessions: int = 5,
    stop_words: list[str] | None = None,
) -> Comparison:
    """Run the full comparison of groups of sessions on a (curated) assignment table.

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``analysis.assignments`` (curated by default).
    by : str
        Grouping column or preset (``school``, ``counselor_type``, ``quality``).
    groups : list of str, optional
        Groups to compare, in order.
    strata : str, optional
        Stratify the prevalence contrasts (e.g. ``problem``).
    outcomes : list of str, optional
        Session-level outcome columns to relate to topic shares.
    n_boot, n_perm, seed, min_sessions
        See :func:`topics.compare.compare_groups`.
    stop_words : list of str, optional
        Extra stop words for the distinctive words (e.g. the config's ``extra_stop_words``: fillers).

    Notes
    -----
    ``strata`` applies to the per-topic contrasts; divergence, prediction, trajectories and distinctive
    words are computed over all sessions of the compared groups. Drift grows as sessions get shorter
    (fewer remarks give noisier profiles): compare drift between groups with similar session lengths.

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        Missing column, a single group, too few sessions: never a silent empty table.
    """
    col = resolve_column(assignments, by)
    warnings: list[str] = []
    n_missing = int(assignments[col].isna().sum())
    if n_missing:
        warnings.append(f"{n_missing} remarks have no value of {col!r} and are left out of the comparison.")
    contrasts = compare_groups(assignments, col, groups=groups, strata=strata, n_boot=n_boot, n_perm=n_perm,
                               seed=seed, min_sessions=min_sessions)
    warnings.extend(contrasts.attrs.get("warnings", []))
    chosen = groups or sorted(assignments[col].dropna().astype(str).unique())
    sub = assignments[assignments[col].astype(str).isin(chosen)]
    small = int(contrasts["too_small"].sum())
    if small:
        warnings.append(f"{small} topic contrasts are too small to test (see the too_small column).")
    divergence = profile_divergence(sub, col, groups=chosen, n_boot=min(n_boot, 500), seed=seed,
                                    min_sessions=min_sessions)
    prediction = predict_group(sub, col, groups=chosen, n_perm=min(n_perm, 100), seed=seed,
                               min_sessions=min_sessions)
    positions = position_shares(sub, by=col)
    transitions = {g: transition_matrix(sub, group=g, by=col) for g in chosen}
    drift = drift_scores(sub, col)
    drift_summary = compare_drift(drift, n_boot=n_boot, n_perm=n_perm, seed=seed)
    # the fitting vectorizer's stop-word rule, with every word counted (min_df 1)
    vectorizer = make_vectorizer(VectorizerConfig(extra_stop_words=list(stop_words), ngram_range=[1, 2], min_df=1)
                                 ) if stop_words else None
    words = (distinctive_words(sub, col, groups=chosen[:2], vectorizer=vectorizer) if len(chosen) == 2
             else pd.DataFrame())
    outcome_tables = {}
    for name in outcomes or []:
        outcome_tables[name] = outcome_association(sub, name, n_boot=n_boot, n_perm=n_perm, seed=seed)
        warnings.extend(outcome_tables[name].attrs.get("warnings", []))
    labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    return Comparison(by=col, groups=[str(g) for g in chosen], contrasts=contrasts, divergence=divergence,
                      prediction=prediction, positions=positions, transitions=transitions, drift=drift,
                      drift_summary=drift_summary, words=words, outcomes=outcome_tables, warnings=warnings,
                      labels=labels)
