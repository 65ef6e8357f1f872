"""This CPU's vector instruction set, as it bears on the embedding arithmetic (the int8 model is keyed by it).

:func:`instruction_set` names the best tier of this CPU that changes how the embedding model computes (AMX,
AVX-512 VNNI, AVX2, ...); :mod:`topics.model.provenance` records it in every model's manifest, and
:mod:`topics.embed.openvino_int8` keys the int8 model it builds once per machine by it.
"""

from __future__ import annotations

import platform
from pathlib import Path

# The tiers that change the embedding arithmetic, best first: (name, CPU flags that must all be present).
# Linux flag names (/proc/cpuinfo); numpy's CPU-feature table is the fall-back on other systems.
_TIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AMX-INT8", ("amx_int8", "amx_tile")),
    ("AVX-512 VNNI", ("avx512f", "avx512_vnni")),
    ("AVX-512", ("avx512f",)),
    ("AVX-VNNI", ("avx2", "avx_vnni")),
    ("AVX2", ("avx2", "fma")),
    ("AVX", ("avx",)),
)
_NUMPY_NAMES = {"avx512f": "AVX512F", "avx512_vnni": "AVX512VNNI", "avx2": "AVX2", "fma": "FMA3", "avx": "AVX"}


def cpu_flags_and_name(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[set[str], str]:
    """The CPU's flags (Linux names) and its model name; numpy's feature table where there is no ``cpuinfo``."""
    flags: set[str] = set()
    name = ""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")[:1_000_000]
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("flags", "features") and not flags:
            flags = set(value.split())
        elif key == "model name" and not name:
            name = value.strip()
    if not flags:  # not Linux: numpy's table of the features it detected
        try:
            from numpy._core._multiarray_umath import __cpu_features__ as features
        except ImportError:  # pragma: no cover - numpy < 2
            features = {}
        flags = {flag for flag, np_name in _NUMPY_NAMES.items() if features.get(np_name)}
        if features.get("ASIMD") or features.get("NEON"):
            flags.add("neon")
    return flags, name or platform.processor() or "unknown"


def instruction_set(flags: set[str] | None = None) -> str:
    """The best vector instruction set of this CPU that changes embedding arithmetic.

    Parameters
    ----------
    flags : set of str, optional
        CPU flags as Linux names them (``/proc/cpuinfo``); this machine's when omitted.

    Returns
    -------
    str
        ``"AMX-INT8"``, ``"AVX-512 VNNI"``, ``"AVX-512"``, ``"AVX-VNNI"``, ``"AVX2"``, ``"AVX"``, ``"NEON"``
        (ARM) or ``"baseline"``.
    """
    if flags is None:
        flags = cpu_flags_and_name()[0]
    for name, needed in _TIERS:
        if all(f in flags for f in needed):
            return name
    return "NEON" if {"neon", "asimd"} & flags else "baseline"
