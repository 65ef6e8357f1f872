"""One call for a full group comparison: prevalence contrasts, profile divergence, prediction, trajectories,
distinctive words, a GEE cross-check and (optionally) outcomes, with confounds said out loud and CSV export.

>>> comp = run_comparison(analysis.assignments, "counselor_type", groups=["professional", "llm"])
>>> comp.contrasts          # per topic: professional minus llm, interval, p and q
>>> plots.comparison_figures(comp)["forest"]
>>> comp.save_csv("runs/demo/compare-counselor_type")

Every output uses the same settings: groups in the same order ("A minus B"), the same estimand and
denominator, the same cluster level and the same seed, all stated in :attr:`Comparison.method`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from topics._files import export_csv, safe_file_name
from topics.compare.crosscheck import gee_crosscheck
from topics.compare.design import check_group_sizes, cluster_hint
from topics.compare.divergence import profile_divergence
from topics.compare.outcomes import outcome_association
from topics.compare.prediction import predict_group
from topics.compare.prevalence import compare_groups
from topics.compare.sessions import resolve_column
from topics.compare.studentized import check_options
from topics.compare.trajectory import compare_drift, drift_scores, position_shares, transition_matrix
from topics.compare.words import distinctive_words
from topics.config import TopicConfig, VectorizerConfig
from topics.errors import InputError
from topics.model import make_vectorizer
from topics.model.words import CONTRACTION_RESIDUE
from topics.read import refuse_reserved

SOURCE_COLUMNS = ("corpus", "source", "dataset")
"""Columns that name where a session comes from; a grouping that coincides with one is confounded with it."""

MIN_SESSIONS = 5
"""Sessions each compared group needs by default (``min_sessions`` of :func:`run_comparison`)."""
PREDICTION_FOLDS = 5
"""Cross-validation folds of the prediction of the group: each compared group needs at least this many sessions."""


@dataclass
class Comparison:
    """Everything a group comparison produced.

    Attributes
    ----------
    by : str
        The grouping column.
    groups : list of str
        In order: every contrast is the first minus the second (or each group minus the rest).
    contrasts : pandas.DataFrame
        :func:`topics.compare.compare_groups` (stratified when ``strata`` was given).
    contrasts_unadjusted : pandas.DataFrame or None
        The same without strata, shown beside the adjusted ones.
    divergence : pandas.DataFrame
        :func:`topics.compare.profile_divergence`.
    prediction : dict
        :func:`topics.compare.predict_group`.
    positions : pandas.DataFrame
        :func:`topics.compare.position_shares` per group (empty for single-turn data).
    transitions : dict of str to pandas.DataFrame
        Transition matrix per group.
    drift : pandas.DataFrame
        :func:`topics.compare.drift_scores`.
    drift_summary : pandas.DataFrame
        :func:`topics.compare.compare_drift`.
    words : pandas.DataFrame
        :func:`topics.compare.distinctive_words` over all remarks (two groups only; empty otherwise).
    crosscheck : pandas.DataFrame
        :func:`topics.compare.crosscheck.gee_crosscheck` (two groups; empty otherwise).
    outcomes : dict of str to pandas.DataFrame
        :func:`topics.compare.outcome_association` per outcome column, adjusted for group.
    confounds : list of str
        What the grouping coincides with (corpus source, a stratum), said at the top of the report.
    warnings : list of str
    method : str
        Settings shared by every output: direction, estimand, denominator, cluster level, strata, seed.
    seed : int
    cluster_hint : str
        When the comparison ran without ``cluster`` and sessions share a unit above them (the question
        several answers reply to, a therapist): the suggestion of :func:`topics.compare.design.cluster_hint`,
        also among the warnings; ``""`` otherwise.
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
    crosscheck: pd.DataFrame = field(default_factory=pd.DataFrame)
    contrasts_unadjusted: pd.DataFrame | None = None
    confounds: list[str] = field(default_factory=list)
    method: str = ""
    seed: int = 0
    cluster_hint: str = ""

    def masked(self, mask: Callable[[list[str]], list[str]]) -> Comparison:
        """A copy whose topic labels and words passed through ``mask`` (a de-identified export).

        Parameters
        ----------
        mask : callable
            Takes a list of texts, returns them masked, in order (for example names masked as in the report:
            :func:`topics.reporting.redaction.text_masker`).

        Returns
        -------
        Comparison
            Every ``label`` column, the ``word`` column of the distinctive words and the ``labels`` series
            masked; the numbers unchanged.
        """

        def table(df: pd.DataFrame) -> pd.DataFrame:
            cols = [c for c in ("label", "raw_label", "word") if c in df.columns]
            if not cols or df.empty:
                return df
            out = df.copy()
            for c in cols:
                done = out[c].notna()
                out.loc[done, c] = mask(out.loc[done, c].astype(str).tolist())
            out.attrs = dict(df.attrs)
            return out

        labels = self.labels.copy()
        if not labels.empty:
            labels[:] = mask(labels.astype(str).tolist())
        return replace(
            self,
            contrasts=table(self.contrasts),
            divergence=table(self.divergence),
            positions=table(self.positions),
            words=table(self.words),
            crosscheck=table(self.crosscheck),
            labels=labels,
            contrasts_unadjusted=None if self.contrasts_unadjusted is None else table(self.contrasts_unadjusted),
            outcomes={k: table(v) for k, v in self.outcomes.items()},
        )

    def save_csv(self, folder: str | Path) -> list[Path]:
        """Write every table as CSV (spreadsheet-safe) into a folder; returns the files.

        In ``contrasts.csv`` the share columns carry the group names (``share_<A>``, ``share_<B>``) and the
        difference is named ``<A>_minus_<B>``, so the direction cannot be misread in a spreadsheet.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        prediction = {k: v for k, v in self.prediction.items() if k != "recall"}
        prediction.update({f"recall_{g}": r for g, r in self.prediction.get("recall", {}).items()})
        out = [
            export_csv(named_contrasts(self.contrasts), folder / "contrasts.csv"),
            export_csv(self.divergence, folder / "divergence.csv"),
            export_csv(pd.DataFrame([prediction]), folder / "prediction.csv"),
            export_csv(self.positions, folder / "positions.csv"),
            export_csv(self.drift, folder / "drift.csv"),
            export_csv(self.drift_summary, folder / "drift_summary.csv"),
        ]
        if self.contrasts_unadjusted is not None:
            out.append(export_csv(named_contrasts(self.contrasts_unadjusted), folder / "contrasts_unadjusted.csv"))
        if not self.words.empty:
            out.append(export_csv(self.words, folder / "distinctive_words.csv"))
        if not self.crosscheck.empty:
            out.append(export_csv(self.crosscheck, folder / "gee_crosscheck.csv"))
        for g, m in self.transitions.items():
            out.append(export_csv(m.reset_index(), folder / f"transitions_{safe_file_name(g)}.csv"))
        for name, table in self.outcomes.items():
            out.append(export_csv(table, folder / f"outcome_{safe_file_name(name)}.csv"))
        text = "\n\n".join([self.method, *self.confounds, *self.warnings])
        (folder / "method.txt").write_text(text + "\n", encoding="utf-8")
        return out


def named_contrasts(contrasts: pd.DataFrame) -> pd.DataFrame:
    """The contrast table with group names in the column headers (one contrast; the first otherwise)."""
    if contrasts.empty or contrasts["contrast"].nunique() != 1:
        return contrasts
    a, b = str(contrasts["group_a"].iloc[0]), str(contrasts["group_b"].iloc[0])
    return contrasts.rename(
        columns={
            "share_a": f"share_{a}",
            "share_b": f"share_{b}",
            "diff": f"{a}_minus_{b}",
            "sessions_a": f"sessions_{a}",
            "sessions_b": f"sessions_{b}",
            "clusters_a": f"clusters_{a}",
            "clusters_b": f"clusters_{b}",
        }
    )


def confounds(assignments: pd.DataFrame, by: str, groups: list[str], strata: str | None) -> list[str]:
    """Sentences naming the columns the grouping coincides with (exactly) or is strongly associated with
    (Cramer's V >= 0.5 over sessions)."""
    sessions = assignments.drop_duplicates("session_id")
    sessions = sessions[sessions[by].astype(str).isin(groups)]
    out = []
    for column in [c for c in (*SOURCE_COLUMNS, strata) if c and c in sessions.columns and c != by]:
        values = sessions[column].astype(str)
        table = pd.crosstab(sessions[by].astype(str), values)
        if table.shape[1] < 2:
            continue  # one corpus (or one stratum) throughout: nothing to be confounded with
        observed = table.to_numpy(float)
        expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
        chi2 = float(((observed - expected) ** 2 / expected).sum())
        v = float(np.sqrt(chi2 / (observed.sum() * (min(observed.shape) - 1))))
        if v >= 0.999:
            members = "; ".join(f"{g} = {', '.join(table.columns[table.loc[g] > 0])}" for g in table.index)
            out.append(
                f"The groups of {by} coincide with {column} ({members}): "
                f"every difference below may come from the {column} (how its sessions were recorded, "
                f"transcribed, segmented, which problems they address) as much as from {by}."
            )
        elif v >= 0.5:
            out.append(
                f"The groups of {by} are strongly associated with {column} (Cramer's V = {v:.2f} over "
                f"sessions): read the "
                f"{'stratified results, which compare within ' + column if column == strata else 'differences'} "
                f"with that in mind."
            )
    return out


class _SharedSettings(TypedDict):
    """The settings that every test of :func:`run_comparison` gets alike."""

    cluster: str | None
    estimand: str
    denominator: str
    seed: int
    min_sessions: int
    count_column: str | None


def run_comparison(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: list[str] | None = None,
    strata: str | None = None,
    cluster: str | None = None,
    estimand: str = "session",
    denominator: str = "all",
    outcomes: list[str] | None = None,
    n_boot: int = 1000,
    n_perm: int = 2000,
    seed: int = 0,
    min_sessions: int = MIN_SESSIONS,
    stop_words: list[str] | None = None,
    crosscheck: bool = True,
    count_column: str | None = None,
) -> Comparison:
    """Run the full comparison of groups of sessions on a (curated) assignment table.

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``analysis.assignments`` (curated by default).
    by : str
        Grouping column or preset (``school``, ``counselor_type``, ``quality``).
    groups : list of str, optional
        Groups to compare, in order: the first minus the second. Default: sorted.
    strata : str, optional
        Stratify the per-topic contrasts (e.g. ``problem``); the unstratified contrasts are kept beside them.
    cluster : str, optional
        Unit of resampling above the session (``therapist``; the prompt of single-turn replies).
    estimand, denominator :
        See :func:`topics.compare.compare_groups`.
    outcomes : list of str, optional
        Session-level outcome columns to relate to topic shares (adjusted for group).
    n_boot, n_perm, seed, min_sessions :
        Bootstrap replicates (divergence, drift and position intervals), permutations, seed, sessions per group.
    stop_words : list of str, optional
        Extra stop words for the distinctive words (e.g. the config's ``extra_stop_words``: fillers).
    crosscheck : bool, default True
        Fit the per-topic GEE cross-check (two groups).
    count_column : str, optional
        ``assignments`` holds session x topic counts instead of remarks (one row per session and topic with
        ``count_column`` remarks: the whole-corpus counts of the Dask engine). The per-topic contrasts, the
        divergence and the prediction are then exactly those of the remarks the counts summarise; positions,
        transitions, drift, distinctive words, the GEE cross-check and outcomes need the remarks themselves
        and are left out, with a note.

    Notes
    -----
    ``strata`` applies to the per-topic contrasts; divergence, prediction, trajectories and distinctive
    words are computed over all sessions of the compared groups, and the comparison says so.
    Single-turn data (every session one remark) have no trajectory: positions, transitions and drift are
    left out, with a note.

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        Missing column, a single group, too few sessions: never a silent empty table. Too few sessions in a
        group (``min_sessions``, and at least the folds of the prediction) is found before any resampling,
        and the message names the group and the fix (:func:`topics.compare.design.check_group_sizes`).
    """
    check_options(estimand, denominator)
    refuse_reserved(strata, cluster, *(outcomes or []))  # the toolkit's own columns are no metadata (at once)
    col = resolve_column(assignments, by)
    # before any resampling: a small group is said at once, with the fix, not after the permutations
    check_group_sizes(assignments, col, groups=groups, min_sessions=max(min_sessions, PREDICTION_FOLDS))
    warnings: list[str] = []
    missing = assignments[col].isna()
    n_missing = int(assignments.loc[missing, count_column].sum() if count_column else missing.sum())
    if n_missing:
        warnings.append(f"{n_missing} remarks have no value of {col!r} and are left out of the comparison.")
    shared: _SharedSettings = {
        "cluster": cluster,
        "estimand": estimand,
        "denominator": denominator,
        "seed": seed,
        "min_sessions": min_sessions,
        "count_column": count_column,
    }
    contrasts = compare_groups(assignments, col, groups=groups, strata=strata, n_perm=n_perm, **shared)
    unadjusted = compare_groups(assignments, col, groups=groups, n_perm=n_perm, **shared) if strata else None
    warnings.extend(contrasts.attrs.get("warnings", []))
    chosen = groups or sorted(assignments[col].dropna().astype(str).unique())
    sub = assignments[assignments[col].astype(str).isin(chosen)]
    hint = cluster_hint(sub, col, groups=chosen, cluster=cluster, strata=strata)
    if hint:
        warnings.append(hint[0].upper() + hint[1:])
    small = int(contrasts["too_small"].sum())
    if small:
        warnings.append(f"{small} topic contrasts are too small to test (see the too_small column).")
    for reason, n in contrasts.attrs.get("left_out", {}).items():
        warnings.append(f"{n} sessions left out: {reason}.")
    if strata:
        warnings.append(
            f"Strata ({strata}) apply to the per-topic contrasts (unstratified ones are shown beside "
            "them), to the test of the whole profile (it combines them) and to the GEE cross-check "
            f"({strata} as a covariate); the divergence value, prediction, trajectories and distinctive "
            "words use all sessions and so also reflect the mix of strata."
        )
    divergence = profile_divergence(
        sub,
        col,
        groups=chosen,
        n_boot=min(n_boot, 1000),
        n_perm=max(1000, 20 * len(chosen)),
        strata=strata,
        per_topic_tests=contrasts if len(chosen) == 2 else None,
        **shared,
    )
    warnings.extend(divergence.attrs.get("warnings", []))  # single-turn pairs: the divergence's size not to be read
    prediction = predict_group(
        sub,
        col,
        groups=chosen,
        folds=PREDICTION_FOLDS,
        n_perm=min(n_perm, 200),
        seed=seed,
        min_sessions=min_sessions,
        cluster=cluster,
        denominator=denominator,
        count_column=count_column,
    )
    labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
    if count_column:
        warnings.append(
            "Computed from session x topic counts: positions in the session, transitions, drift, "
            "distinctive words, the GEE cross-check and outcomes need the remarks themselves and are "
            "left out here (compare a run's remarks for them)."
        )
        return Comparison(
            by=col,
            groups=[str(g) for g in chosen],
            contrasts=contrasts,
            divergence=divergence,
            prediction=prediction,
            positions=pd.DataFrame(),
            transitions={},
            drift=pd.DataFrame(),
            drift_summary=pd.DataFrame(),
            words=pd.DataFrame(),
            outcomes={},
            warnings=warnings,
            labels=labels,
            crosscheck=pd.DataFrame(),
            contrasts_unadjusted=unadjusted,
            confounds=confounds(sub, col, [str(g) for g in chosen], strata),
            method=contrasts.attrs.get("method", ""),
            seed=seed,
            cluster_hint=hint,
        )
    single_turn = bool(sub.groupby("session_id").size().max() <= 1)
    positions, transitions, drift, drift_summary = _trajectories(
        sub, col, chosen, single_turn, n_boot, n_perm, seed, warnings, denominator
    )
    # contraction residue ("don", "ll", "ve") is never a distinctive word, with or without the run's stop words
    vectorizer = make_vectorizer(
        VectorizerConfig(
            extra_stop_words=[*(stop_words or []), *sorted(CONTRACTION_RESIDUE)], ngram_range=[1, 2], min_df=1
        )
    )
    words = (
        distinctive_words(
            sub, col, groups=chosen[:2], vectorizer=vectorizer, n_perm=min(n_perm, 1000), seed=seed, cluster=cluster
        )
        if len(chosen) == 2
        else pd.DataFrame()
    )
    warnings.extend(words.attrs.get("warnings", []))  # per-word p-values flagged under very unequal spread
    check = (
        gee_crosscheck(sub, col, groups=chosen, cluster=cluster, denominator=denominator, strata=strata)
        if crosscheck and len(chosen) == 2
        else pd.DataFrame()
    )
    outcome_tables = {}
    for name in outcomes or []:
        outcome_tables[name] = outcome_association(sub, name, by=col, n_perm=n_perm, seed=seed)
        warnings.extend(outcome_tables[name].attrs.get("warnings", []))
    return Comparison(
        by=col,
        groups=[str(g) for g in chosen],
        contrasts=contrasts,
        divergence=divergence,
        prediction=prediction,
        positions=positions,
        transitions=transitions,
        drift=drift,
        drift_summary=drift_summary,
        words=words,
        outcomes=outcome_tables,
        warnings=warnings,
        labels=labels,
        crosscheck=check,
        contrasts_unadjusted=unadjusted,
        confounds=confounds(sub, col, [str(g) for g in chosen], strata),
        method=contrasts.attrs.get("method", ""),
        seed=seed,
        cluster_hint=hint,
    )


def _trajectories(
    sub: pd.DataFrame,
    col: str,
    chosen: list[str],
    single_turn: bool,
    n_boot: int,
    n_perm: int,
    seed: int,
    warnings: list[str],
    denominator: str,
) -> tuple[pd.DataFrame, dict, pd.DataFrame, pd.DataFrame]:
    """Positions, transitions and drift (empty for single-turn data, with a note)."""
    if single_turn:
        warnings.append(
            "Every session is a single remark: positions in the session, transitions and drift do "
            "not apply and are left out."
        )
        return pd.DataFrame(), {}, pd.DataFrame(), pd.DataFrame()
    # the same denominator as the contrasts: with "all", remarks without a topic count (and show as a row)
    positions = position_shares(sub, by=col, n_boot=min(n_boot, 500), seed=seed, include_outliers=denominator == "all")
    transitions = {g: transition_matrix(sub, group=g, by=col) for g in chosen}
    try:
        drift = drift_scores(sub, col)
    except Exception as err:  # no session long enough: say so instead of failing the whole comparison
        warnings.append(f"Drift left out: {err}.")
        return positions, transitions, pd.DataFrame(), pd.DataFrame()
    excluded = drift.attrs.get("excluded", {})
    if excluded.get("sessions"):
        warnings.append(
            f"Drift and shift leave out {excluded['sessions']} sessions with fewer than "
            f"{excluded['min_remarks']} remarks in topics (their profiles are too noisy); session length "
            "differs between groups when this count does."
        )
    summary = compare_drift(
        drift, assignments=sub, by=col, groups=chosen, n_boot=n_boot, n_perm=min(n_perm, 1000), seed=seed
    )
    return positions, transitions, drift, summary


def run_configured(assignments: pd.DataFrame, config: TopicConfig, **overrides) -> Comparison:
    """:func:`run_comparison` with the settings of a config (``[compare]``, ``seed``, stop words), overridable.

    The report, ``topics compare`` and a notebook that call this with the same config get the same numbers.

    Parameters
    ----------
    assignments : pandas.DataFrame
    config : TopicConfig
        ``[compare]`` gives ``by``, ``groups``, ``strata``, ``cluster``, ``estimand``, ``denominator`` and
        ``n_perm``; the top-level ``seed`` seeds every resampling; ``[vectorizer] extra_stop_words`` are
        left out of the distinctive words.
    **overrides
        Any keyword of :func:`run_comparison`; ``None`` values are ignored.

    Returns
    -------
    Comparison
    """
    c = config.compare
    settings: dict[str, Any] = {
        "by": c.by,
        "groups": list(c.groups) or None,
        "strata": c.strata,
        "cluster": c.cluster,
        "estimand": c.estimand,
        "denominator": c.denominator,
        "n_perm": c.n_perm,
        "seed": config.seed,
        "stop_words": config.vectorizer.extra_stop_words,
    }
    settings.update({k: v for k, v in overrides.items() if v is not None})
    if not settings["by"]:
        raise InputError("no grouping column: set [compare] by in the config, or pass by=")
    by = settings.pop("by")
    return run_comparison(assignments, by, **settings)
