"""The design of a comparison, checked before any resampling: enough sessions per group, and sessions that
are not independent.

* :func:`check_group_sizes` raises at once when a compared group has too few sessions, naming the group, its
  sessions, the minimum and the fix (``--groups`` with groups that have enough, or merging groups), instead
  of after minutes of permutations or of drawing a report;
* :func:`spread_check` measures how much each group's sessions vary and says when a small group is so much more
  varied than the other that the per-topic test cannot be trusted (the same flag ``compare_groups`` sets);
* :func:`shared_columns` finds session-level columns whose values recur across sessions of the same group
  (the question several single-answer sessions reply to, the therapist of several sessions), and
  :func:`cluster_hint` turns the best one into a suggestion of ``cluster``: sessions that share it are not
  independent, and a comparison that treats them as independent is too sure of itself.

>>> check_group_sizes(assignments, "counselor_type", min_sessions=5)        # doctest: +SKIP
>>> cluster_hint(assignments, "counselor_type")                              # doctest: +SKIP
"sessions share 'questionID' (815 values over 2,129 sessions): ..."
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from topics.compare.sessions import TOOLKIT_COLUMNS, resolve_column, session_table
from topics.compare.studentized import cluster_data, denominator_counts, difference_skewness, session_shares
from topics.errors import InputError

ID_WORDS: frozenset[str] = frozenset(
    {
        "id",
        "ids",
        "uuid",
        "question",
        "prompt",
        "thread",
        "conversation",
        "dialog",
        "dialogue",
        "therapist",
        "counselor",
        "counsellor",
        "clinician",
        "rater",
        "speaker",
        "client",
        "patient",
    }
)
"""Words in a column name that say it identifies a unit (``questionID``, ``prompt``, ``therapist_id``)."""

CANDIDATE_TOOLKIT_COLUMNS: frozenset[str] = frozenset({"speaker_id"})
"""Columns the toolkit keeps that still describe the data: one therapist's sessions share ``speaker_id``."""


def _name_words(name: str) -> set[str]:
    """The words of a column name: ``questionID`` -> {question, id}, ``therapist_id`` -> {therapist, id}."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def looks_like_id(name: str) -> bool:
    """Whether a column name says it identifies a unit (a question, a prompt, a therapist), see :data:`ID_WORDS`."""
    return bool(_name_words(name) & ID_WORDS)


def _per_session(assignments: pd.DataFrame, column: str) -> pd.Series | None:
    """One value of ``column`` per session (sessions without one left out), or None if a session has two."""
    a = assignments[["session_id", column]].dropna(subset=[column])
    if a.empty:
        return pd.Series(dtype=object)
    values = a[column].astype(str)
    if (values.groupby(a["session_id"]).nunique() > 1).any():
        return None
    return values.groupby(a["session_id"]).first()


def group_sessions(assignments: pd.DataFrame, by: str) -> pd.Series:
    """Sessions per group of ``by`` (a column or preset), largest first.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (or session x topic counts) with ``session_id``.
    by : str
        Grouping column or preset.

    Returns
    -------
    pandas.Series
        Indexed by group (as text); sessions without a value are not counted.
    """
    col = resolve_column(assignments, by)
    a = assignments.dropna(subset=[col])
    per_session = a[col].astype(str).groupby(a["session_id"]).first()
    counts = per_session.value_counts()
    return counts.sort_index().sort_values(ascending=False, kind="stable")


def _groups_option(groups: Sequence[str]) -> str:
    """``--groups A,B`` as it is typed in a shell (quoted where a name has spaces or quotes)."""
    return f"--groups {shlex.quote(','.join(groups))}"


def check_group_sizes(
    assignments: pd.DataFrame, by: str, *, groups: Sequence[str] | None = None, min_sessions: int = 5
) -> None:
    """Raise at once when a compared group has fewer than ``min_sessions`` sessions.

    Session-level statistics (permutations, bootstrap, cross-validated prediction) need a few sessions per
    group; without this check a comparison found out after its most expensive step. The message names each
    small group with its sessions, the minimum, and the fix: compare only the groups that have enough
    (``--groups``; config ``[compare] groups``), or merge groups in the session metadata.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (or session x topic counts) with ``session_id``.
    by : str
        Grouping column or preset.
    groups : sequence of str, optional
        The groups compared; default all groups of ``by``.
    min_sessions : int, default 5
        Sessions each compared group needs.

    Raises
    ------
    InputError
        A group asked for is not in the data (the message lists the groups there are, with their sessions),
        or a compared group has too few sessions.
    """
    col = resolve_column(assignments, by)
    sizes = group_sessions(assignments, col)
    listed = ", ".join(f"{g} {int(n):,}" for g, n in sizes.items())
    chosen = [str(g) for g in groups] if groups else [str(g) for g in sizes.index]
    unknown = [g for g in chosen if g not in sizes.index]
    if unknown and len(sizes):
        raise InputError(f"group(s) {unknown} not found in {col!r}; its groups are (sessions): {listed}", column=col)
    small = [g for g in chosen if g in sizes.index and int(sizes[g]) < min_sessions]
    if not small:
        return
    enough = [g for g in chosen if g not in small]
    if len(enough) < 2:  # the groups asked for do not have two with enough: offer every group that has
        enough = [str(g) for g in sizes.index if int(sizes[g]) >= min_sessions]
    named = ", ".join(f"{g!r} ({int(sizes[g])} session{'s' if int(sizes[g]) != 1 else ''})" for g in small)
    message = (
        f"group{'s' if len(small) > 1 else ''} {named} of {col!r} "
        f"{'have' if len(small) > 1 else 'has'} fewer than the {min_sessions} sessions each compared "
        f"group needs (sessions per group: {listed}); the comparison was not run. "
    )
    if len(enough) >= 2:
        config_list = ", ".join(f'"{g}"' for g in enough)
        message += (
            f"To compare the groups that have enough, pass {_groups_option(enough)} "
            f"(`topics report` or `topics compare`; config: [compare] groups = [{config_list}]), "
            f"or merge {'them' if len(small) > 1 else 'it'} into a larger group in the session metadata."
        )
    else:
        message += (
            f"Fewer than two groups have {min_sessions} sessions: merge groups in the session metadata, "
            "or compare by another column (--compare-by for `topics report`, --by for `topics compare`)."
        )
    raise InputError(message, column=col)


@dataclass(frozen=True)
class SharedColumn:
    """A session-level column whose values recur across sessions of the same group.

    Attributes
    ----------
    column : str
    values : int
        Distinct values among the compared sessions.
    sessions : int
        Compared sessions with a value.
    shared : int
        Sessions whose value at least one other session has.
    """

    column: str
    values: int
    sessions: int
    shared: int

    def suggestion(self) -> str:
        """The sentence that suggests this column as ``cluster``."""
        c = self.column
        return (
            f"sessions share {c!r} ({self.values:,} values over {self.sessions:,} sessions; {self.shared:,} "
            f"sessions share their value with another): sessions with the same {c} (answers to the same "
            "question or prompt, sessions of the same therapist) are not independent, and treating them as "
            "independent makes intervals too narrow and p-values too small; consider "
            f"cluster={c!r} (--cluster {shlex.quote(c)}; config: [compare] cluster)."
        )


def shared_columns(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: Sequence[str] | None = None,
    exclude: Iterable[str | None] = (),
    min_share: float = 0.5,
) -> list[SharedColumn]:
    """Session-level columns that look like a unit above the session, nested in the groups of ``by``.

    A column qualifies when it is metadata (not a column the toolkit writes; ``speaker_id`` is allowed), is
    constant within every session, and over the compared sessions:

    * has a value for at least half of them, in every compared group (a column only one group has, such
      as the problem of professional sessions beside LLM ones, describes that group, not a unit of both);
    * has fewer distinct values than sessions, and at least ``min_share`` of the sessions share their value
      with another session (two or more values recurring);
    * has many values: at least the square root of the number of sessions, or, for a column whose name says
      it identifies something (``questionID``, ``prompt``, ``therapist``: :func:`looks_like_id`), three
      and more than the groups; a number that is not named as an identifier (a year, a count of views) is
      a measurement and never qualifies;
    * is nested in the groups: the sessions of each value are all in one group (else ``cluster`` cannot be
      used: permuting whole clusters would not separate group from cluster);
    * splits every group into units: no value holds more than half of a group's sessions (a value that does
      is a subcategory of the group, such as a question's listed topics under its first topic).

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (or session x topic counts) with ``session_id``.
    by : str
        Grouping column or preset.
    groups : sequence of str, optional
        The compared groups (default all).
    exclude : iterable of str
        Columns not to consider (the strata, a cluster already used).
    min_share : float, default 0.5
        Share of sessions that must share their value with another session.

    Returns
    -------
    list of SharedColumn
        Best first: identifier-like names, then the larger share of sessions that share a value.
    """
    if "session_id" not in assignments.columns:
        return []
    col = resolve_column(assignments, by)
    a = assignments.dropna(subset=[col])
    a = a[a[col].astype(str).isin([str(g) for g in groups])] if groups else a
    group_of = a[col].astype(str).groupby(a["session_id"]).first()
    n_groups = group_of.nunique()
    skip = (set(TOOLKIT_COLUMNS) - CANDIDATE_TOOLKIT_COLUMNS) | {col, "session_id", *(e for e in exclude if e)}
    found: list[SharedColumn] = []
    for column in a.columns:
        if column in skip:
            continue
        values = a[column]
        named = looks_like_id(str(column))
        if pd.api.types.is_bool_dtype(values) or (pd.api.types.is_numeric_dtype(values) and not named):
            continue
        if values.dtype == object and values.map(lambda v: isinstance(v, (list, dict, set, tuple))).any():
            continue
        per_session = _per_session(a, column)
        if per_session is None or len(per_session) < 4:
            continue
        covered = group_of.reindex(per_session.index)
        if len(per_session) < 0.5 * len(group_of) or covered.nunique() < n_groups:
            continue
        sizes = per_session.value_counts()
        n_sessions, n_values = len(per_session), len(sizes)
        recurring = sizes[sizes >= 2]
        if n_values >= n_sessions or len(recurring) < 2 or recurring.sum() < min_share * n_sessions:
            continue
        many = n_values >= math.sqrt(n_sessions) or (named and n_values >= 3 and n_values > n_groups)
        if not many:
            continue
        nested = covered.groupby(per_session.to_numpy()).nunique()
        if (nested > 1).any():
            continue
        largest = per_session.groupby(covered.to_numpy()).agg(lambda v: v.value_counts(normalize=True).iloc[0])
        if (largest > 0.5).any():
            continue
        found.append(
            SharedColumn(
                column=str(column), values=int(n_values), sessions=int(n_sessions), shared=int(recurring.sum())
            )
        )
    return sorted(found, key=lambda s: (not looks_like_id(s.column), -s.shared / s.sessions))


def cluster_hint(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: Sequence[str] | None = None,
    cluster: str | None = None,
    strata: str | None = None,
) -> str:
    """A suggestion of ``cluster`` when sessions share a unit above them and the comparison ignores it.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table (or session x topic counts) with ``session_id``.
    by : str
        Grouping column or preset.
    groups : sequence of str, optional
        The compared groups (default all).
    cluster : str, optional
        The cluster the comparison uses: with one, there is nothing to suggest.
    strata : str, optional
        The strata (never suggested as the cluster).

    Returns
    -------
    str
        The sentence of :meth:`SharedColumn.suggestion` for the best column of :func:`shared_columns`, or
        ``""``.
    """
    if cluster:
        return ""
    found = shared_columns(assignments, by, groups=groups, exclude=[strata])
    return found[0].suggestion() if found else ""


SKEW_LIMIT = 1.0
"""A topic whose difference has an estimated skewness (:func:`topics.compare.studentized.difference_skewness`)
of this size or more is flagged ``lopsided`` (by :func:`topics.compare.compare_groups` and :func:`spread_check`):
in simulations (``benchmarks/calibration.py``) such topics' tests rejected far more often than 5% under no
difference (a small group far more varied than the other, the topic not common; 10-20 vs 10-20 sessions at
Dirichlet concentration 20 vs 1), while no topic of the calibrated designs reached it."""


def spread_message(
    group_a: str,
    group_b: str,
    spread_a: float,
    spread_b: float,
    n_a: int,
    n_b: int,
    topics: Sequence[str],
    max_skew: float,
    *,
    unit: str = "sessions",
) -> str:
    """The warning for a design outside what the per-topic test can handle, with the spreads it measured.

    Parameters
    ----------
    group_a, group_b : str
        The two sides of the contrast.
    spread_a, spread_b : float
        Their spreads (:func:`topics.compare.studentized.group_spread`).
    n_a, n_b : int
        Their clusters (sessions, unless a cluster column is used).
    topics : sequence of str
        The flagged topics' labels.
    max_skew : float
        The largest estimated skewness among them.
    unit : str
        What the clusters are, in words.

    Returns
    -------
    str
    """
    varied, steady = (group_a, group_b) if spread_a >= spread_b else (group_b, group_a)
    n_varied = n_a if varied == group_a else n_b
    hi, lo = max(spread_a, spread_b), min(spread_a, spread_b)
    ratio = f"{hi / lo:.1f} times" if lo > 0 else "far more than"
    shown = ", ".join(repr(t) for t in list(topics)[:5]) + (f" and {len(topics) - 5} more" if len(topics) > 5 else "")
    return (
        f"{group_a} vs {group_b}: outside what the test can handle. The {unit} of {varied!r} vary {ratio} as "
        f"much as those of {steady!r} (spread of the topic shares {hi:.3f} vs {lo:.3f}) and {varied!r} has only "
        f"{n_varied} {unit}: for {len(topics)} topic{'s' if len(topics) != 1 else ''} ({shown}) the few "
        f"{unit} that hold the topic carry the share of {varied!r}, the difference's sampling distribution is "
        f"lopsided (estimated skewness up to {max_skew:.1f}) and its p-value, q-value and interval are not "
        f"reliable (in simulations of such designs, two to seven times the nominal 5% false positives, nearly "
        f"all on one side). "
        f"These rows are flagged 'lopsided'. What to do: add {unit} to {varied!r}, merge small topics into "
        f"larger ones, or report those topics descriptively; the test that 'the topic mix is the same' "
        f"(p_family) stays valid."
    )


FAMILY_SPREAD_RATIO = 2.0
"""From this ratio of the groups' spreads (the larger over the smaller), :func:`family_message` warns that the
same-topic-mix test is conservative: in ``benchmarks/calibration.py`` the designs with a 2-4-fold ratio (133 vs
53 sessions, Dirichlet concentration 40 vs 10) gave it 0.5-4.5% of data sets at p < .05 under no difference,
those with equal spreads (ratio at most 1.7) 3.0-4.5%."""


def family_message(
    group_a: str,
    group_b: str,
    spread_a: float,
    spread_b: float,
    n_a: int,
    n_b: int,
    *,
    min_clusters: int,
    unit: str = "sessions",
) -> str:
    """The warning that the same-topic-mix test (``p_family``) of a contrast is conservative, or ``""``.

    The test (step-down max-|t| against the bootstrap of the whole profile and the permutations, the larger
    p-value) is valid in every simulated design, but below its nominal level in two kinds of design, measured in
    ``benchmarks/calibration.py`` (200 data sets each): a group with fewer than ``min_clusters`` clusters
    (designs 4, 5 and 14: 6, 5 and 10 a group, 1.5%), and groups whose spreads differ
    :data:`FAMILY_SPREAD_RATIO`-fold or more (designs 2, 3 and 11-13: 0.5-4.5%; 8-10, 5-14-fold: 0-0.5%; the bootstrap's maximum is
    set by the heavy tails of the varied group's sparse topics). There a p_family above .05 does not show that
    the topic mixes are the same.

    Parameters
    ----------
    group_a, group_b : str
        The two sides of the contrast.
    spread_a, spread_b : float
        Their spreads (:func:`topics.compare.studentized.group_spread`).
    n_a, n_b : int
        Their clusters (sessions, unless a cluster column is used).
    min_clusters : int
        The clusters a group needs for the bootstrap to join the permutations
        (:data:`topics.compare.prevalence.BOOTSTRAP_MIN_CLUSTERS`).
    unit : str
        What the clusters are, in words.

    Returns
    -------
    str
    """
    lead = f"{group_a} vs {group_b}: the same-topic-mix test (p_family) is conservative here"
    tail = (
        ", against a nominal 5%): a real difference in the topic mix is less likely to be found, and a p_family "
        "above .05 does not show that the mixes are the same. Read the per-topic contrasts beside it."
    )
    if min(n_a, n_b) < min_clusters:
        return (
            f"{lead}: {min(n_a, n_b)} {unit} in the smaller group, fewer than {min_clusters} (in simulations with "
            f"5-10 {unit} a group, 1.5% of data sets at p < .05 under no difference; benchmarks/RESULTS.md "
            f"designs 4, 5 and 14{tail}"
        )
    hi, lo = max(spread_a, spread_b), min(spread_a, spread_b)
    if not (lo > 0 and hi / lo >= FAMILY_SPREAD_RATIO) and not (hi > 0 and lo == 0):
        return ""
    ratio = f"{hi / lo:.1f}-fold" if lo > 0 else "far"
    return (
        f"{lead}: the groups' spreads differ {ratio} (spread of the topic shares {spread_a:.3f} vs "
        f"{spread_b:.3f}; in simulations with a 2-4-fold difference, 0.5-4.5% of data sets at p < .05 under no "
        f"difference, with a 5-14-fold one 0-0.5%; benchmarks/RESULTS.md designs 2, 3, 11-13 and 8-10{tail}"
    )


@dataclass(frozen=True)
class SpreadCheck:
    """How much each group's sessions vary, and whether that puts the comparison outside its test's range.

    Attributes
    ----------
    spread_a, spread_b : float
        Spread of the topic shares in each group (1: every session in one topic; about ``1 / m`` for remarks
        falling at random, ``m`` remarks per session).
    ratio : float
        The larger spread over the smaller.
    skewness : pandas.Series
        Estimated skewness of each topic's difference (indexed by topic; ``-1`` = no topic).
    lopsided : list of int
        Topics whose skewness reaches :data:`SKEW_LIMIT`.
    message : str
        The warning (empty when no topic is lopsided).
    """

    spread_a: float
    spread_b: float
    ratio: float
    skewness: pd.Series
    lopsided: list[int]
    message: str

    @property
    def outside(self) -> bool:
        """Whether some topic's test is outside what it can handle."""
        return bool(self.lopsided)


def spread_check(
    assignments: pd.DataFrame,
    by: str,
    *,
    groups: Sequence[str] | None = None,
    cluster: str | None = None,
    min_sessions: int = 2,
    min_remarks: int = 20,
    min_topic_sessions: int = 5,
) -> SpreadCheck:
    """Measure each group's spread and flag the topics whose per-topic test cannot be trusted, before resampling.

    The flag is the one :func:`topics.compare.compare_groups` sets (column ``lopsided``): the skewness of the
    difference estimated from the two groups' spreads pooled over topics
    (:func:`topics.compare.studentized.difference_skewness`) reaches :data:`SKEW_LIMIT`. It is 0 for groups of the
    same size and spread, and large when a small group is much more varied than the other (10 vs 10 sessions
    at Dirichlet concentration 20 vs 1).

    Parameters
    ----------
    assignments : pandas.DataFrame
        Per-remark table with ``session_id`` and ``topic``.
    by : str
        Grouping column or preset; two groups (the first two of ``groups`` or of the sorted groups).
    groups : sequence of str, optional
        The two groups compared.
    cluster : str, optional
        The unit of resampling above the session.
    min_sessions : int
        Sessions each group needs.
    min_remarks, min_topic_sessions : int
        As for :func:`topics.compare.compare_groups`: topics with fewer remarks or sessions are not tested, and
        not flagged.

    Returns
    -------
    SpreadCheck
    """
    st = session_table(
        assignments, by, groups=list(groups) if groups else None, min_sessions=min_sessions, cluster=cluster
    )
    shares, weights, columns, _ = session_shares(st)
    cd = cluster_data(st, shares, weights, columns, totals=denominator_counts(st, "all"))
    name_a, name_b = st.groups[0], st.groups[1]
    in_a, in_b = cd.group == name_a, cd.group == name_b
    skew, rho_a, rho_b = difference_skewness(cd, in_a, in_b)
    counts = np.column_stack([st.counts, st.no_topic])
    tested = (counts.sum(axis=0) >= min_remarks) & ((counts > 0).sum(axis=0) >= min_topic_sessions)
    series = pd.Series(np.where(tested, skew, np.nan), index=columns)
    flagged = [int(t) for t in series.index[tested] if abs(series[t]) >= SKEW_LIMIT]
    message = ""
    if flagged:
        labels = (
            assignments.drop_duplicates("topic").set_index("topic")["label"]
            if "label" in assignments.columns
            else pd.Series(dtype=object)
        )
        message = spread_message(
            name_a,
            name_b,
            rho_a,
            rho_b,
            int(in_a.sum()),
            int(in_b.sum()),
            [str(labels.get(t, t)) for t in flagged],
            float(series[flagged].abs().max()),
            unit=f"clusters of {cluster!r}" if cluster else "sessions",
        )
    ratio = max(rho_a, rho_b) / min(rho_a, rho_b) if min(rho_a, rho_b) > 0 else float("inf")
    return SpreadCheck(spread_a=rho_a, spread_b=rho_b, ratio=ratio, skewness=series, lopsided=flagged, message=message)
