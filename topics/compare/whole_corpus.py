"""Group comparisons over a whole corpus fitted with the Dask engine, from its session x topic counts.

>>> from topics.compare import compare_distributed
>>> comp = compare_distributed("runs/big", by="counselor_type")        # doctest: +SKIP

The Dask engine (:func:`topics.distributed.fit_distributed`) fits the model on a sample of sessions and
assigns every remark of the corpus on the cluster; what reaches this process is one row per session and
topic. The per-topic contrasts, the profile divergence and the prediction of the group need nothing more:
computed from counts they are exactly those of the remarks the counts summarise (the test suite checks this
row by row), so they use every session of the corpus. Positions in the session, transitions, drift,
distinctive words, the GEE cross-check and outcomes need the remarks themselves: compare the sample's
remarks (``load_run``) for those.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from topics.analysis import Analysis, load_run
from topics.compare.comparison import Comparison, run_configured
from topics.distributed import DistributedRun, load_distributed

COUNT_COLUMN = "n"
"""The column of :meth:`DistributedRun.session_counts` that holds the remarks of each session and topic."""


def compare_distributed(
    run: DistributedRun | str | Path,
    *,
    analysis: Analysis | None = None,
    ledger: str | Path | None = None,
    raw: bool = False,
    **overrides: Any,
) -> Comparison:
    """Compare groups of sessions over the whole corpus of a Dask-engine run.

    Parameters
    ----------
    run : DistributedRun, str or Path
        The run (or its folder).
    analysis : Analysis, optional
        The sample's analysis whose curation and settings to use (the report passes the one it shows);
        default: the run folder read with ``ledger`` / ``raw`` as :func:`topics.analysis.load_run` reads it.
    ledger : str or Path, optional
        Curation ledger (default ``RUN/ledger.yaml`` when it exists); ignored when ``analysis`` is given.
    raw : bool, default False
        The raw model's topics, whatever ledger there is; ignored when ``analysis`` is given.
    **overrides
        Any keyword of :func:`topics.compare.run_comparison` (``by``, ``groups``, ``strata``, ``cluster``,
        ``n_perm``, ...); the run's ``[compare]`` settings otherwise.

    Returns
    -------
    Comparison
        Contrasts, divergence and prediction over every session of the corpus; the warnings say what the
        comparison rests on and what it leaves out.

    Raises
    ------
    InputError
        Not a Dask-engine run; a grouping, stratum or cluster column that is not session-level metadata of
        the corpus; too few sessions.
    """
    if not isinstance(run, DistributedRun):
        run = load_distributed(run)
    if analysis is None:
        analysis = load_run(run.folder, ledger=ledger, raw=raw)
    counts = run.session_counts(analysis.curation)
    # the labels of the analysis as given (the report passes its de-identified one)
    labels = dict(zip(analysis.topics["topic"], analysis.topics["label"], strict=True))
    counts["label"] = counts["topic"].map(labels).fillna(counts["label"])
    overrides.pop("outcomes", None)
    comp = run_configured(counts, analysis.config, count_column=COUNT_COLUMN, **overrides)
    s = run.summary
    comp.warnings.insert(
        0,
        f"Whole corpus: {s.get('sessions', '?')} sessions and {s.get('remarks', '?')} remarks, each remark in "
        f"the nearest topic of a model fitted on a sample of {s.get('sample_sessions', '?')} sessions "
        f"({s.get('sample_remarks', '?')} remarks).",
    )
    lost = counts.attrs.get("unmapped_remarks", 0)
    if lost:
        comp.warnings.insert(
            1,
            f"{lost} remarks of topics the curation split are left out: a split needs the remarks, and the "
            "whole corpus is here as counts.",
        )
    return comp
