"""One call for a full group comparison: prevalence contrasts, profile divergence, prediction,
trajectories, distinctive words and (optionally) outcomes, with its tables, figures and CSV export.

>>> comp = run_comparison(analysis.assignments, "counselor_type")
>>> comp.contrasts          # per-topic differences with intervals, p and q
>>> comp.figures()["forest"]
>>> comp.save_csv("runs/demo/compare-counselor_type")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from topics import plots
from topics.compare import compare_groups, outcome_association, predict_group, profile_divergence, resolve_column
from topics.distinctive import distinctive_words
from topics.trajectory import compare_drift, drift_scores, position_shares, transition_matrix


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
        :func:`topics.trajectory.position_shares` per group.
    transitions : dict of str to pandas.DataFrame
        Transition matrix per group.
    drift : pandas.DataFrame
        :func:`topics.trajectory.drift_scores`.
    drift_summary : pandas.DataFrame
        :func:`topics.trajectory.compare_drift`.
    words : pandas.DataFrame
        :func:`topics.distinctive.distinctive_words` over all remarks (two groups only; empty otherwise).
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

    def figures(self) -> dict[str, go.Figure]:
        """Forest plot, dumbbell chart, position heatmaps, transition heatmaps, distinctive words."""
        figs = {"forest": plots.forest_plot(self.contrasts), "dumbbell": plots.dumbbell(self.contrasts)}
        for g in self.groups:
            figs[f"position_{g}"] = plots.position_heatmap(self.positions, group=g)
        for g, m in self.transitions.items():
            figs[f"transitions_{g}"] = plots.transition_heatmap(m, self.labels, title=f"Which topic follows which: {g}")
        if not self.words.empty:
            figs["words"] = plots.distinctive_words_chart(self.words)
        return figs

    def save_csv(self, folder: str | Path) -> list[Path]:
        """Write every table as CSV (spreadsheet-safe) into a folder; returns the files."""
        from topics.pipeline import export_csv

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
            safe_name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in g)
            out.append(export_csv(m.reset_index(), folder / f"transitions_{safe_name}.csv"))
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
    vectorizer = None
    if stop_words:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

        vectorizer = CountVectorizer(stop_words=sorted(set(ENGLISH_STOP_WORDS) | {w.lower() for w in stop_words}),
                                     ngram_range=(1, 2))
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
