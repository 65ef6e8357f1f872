"""OpenVINO's compiled form of the int8 model, kept beside the model and checked before every use.

Compiling the int8 model for the CPU takes 0.5-0.8 s in every process that embeds, a warm rerun included (it
re-embeds a few texts to check the cached vectors). OpenVINO can keep the compiled model (``CACHE_DIR``) and read it
back in about 0.15 s. That file is read by OpenVINO's deserializer, so it is treated like the model files: it lives
in the model's own private folder (``compiled/``), the SHA-256 of each compiled file is recorded when it is written
(``compiled/compiled.json``), and before OpenVINO may read the folder every file in it must be a plain file of a
bounded size whose digest matches the record. Anything else (a file changed, added, linked or unrecorded; a record
that is not one) empties the folder with a warning and the model is compiled again. The int8 model's canary check
(:func:`topics.embed.openvino_int8.load_int8_encoder`) still runs on the compiled model, so vectors that are not the
source model's are found either way. Callers hold the model folder's lock, so that no process reads a compiled file
another is still writing or recording.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path
from typing import Any

from topics._files import PRIVATE_FILE, PRIVATE_FOLDER, atomic_write_text, read_json_checked
from topics.errors import InputError

COMPILED_DIR = "compiled"
"""The folder, inside the int8 model's folder, that OpenVINO keeps the compiled model in."""
RECORD = "compiled.json"
"""The SHA-256 of each compiled file, written when it appears."""
BLOB_NAME = re.compile(r"^[0-9]{1,24}\.blob$")
"""How OpenVINO names a compiled model (a hash of the model, the device and the settings)."""
MAX_BLOBS = 4
"""More compiled files than this (models of older OpenVINO versions piling up) empty the folder."""
MAX_BLOB_BYTES = 1 << 30
"""A compiled file larger than this is not read (the default model's is about 60 MB)."""
MAX_RECORD_BYTES = 64 << 10


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, read in 1 MB blocks."""
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _recorded(folder: Path) -> dict[str, str] | None:
    """The record of ``folder``, or None when it is missing, a link, too large or not a name -> digest mapping."""
    path = folder / RECORD
    if path.is_symlink():
        return None
    try:
        record = read_json_checked(path, max_bytes=MAX_RECORD_BYTES, max_depth=2)
    except (OSError, InputError):
        return None
    ok = isinstance(record, dict) and all(
        isinstance(k, str) and BLOB_NAME.match(k) and isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v)
        for k, v in record.items()
    )
    return record if ok else None


def cache_problem(folder: Path) -> str:
    """Why the compiled files in ``folder`` must not be read (``""`` when they may be, or there are none).

    Parameters
    ----------
    folder : Path
        The compiled-model folder (:data:`COMPILED_DIR` in the int8 model's folder).

    Returns
    -------
    str
    """
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return "it is not a folder"
    if not folder.exists():
        return ""
    entries = [p for p in folder.iterdir() if p.name != RECORD]
    if not entries:
        return ""
    if len(entries) > MAX_BLOBS:
        return f"it holds {len(entries)} files, more than {MAX_BLOBS}"
    record = _recorded(folder)
    if record is None:
        return "its record of SHA-256 digests is missing or unreadable"
    for path in entries:
        if path.is_symlink() or not path.is_file() or not BLOB_NAME.match(path.name):
            return f"{path.name!r} is not a compiled model OpenVINO wrote"
        if path.stat().st_size > MAX_BLOB_BYTES:
            return f"{path.name} is larger than {MAX_BLOB_BYTES >> 20} MB"
        if record.get(path.name) != file_sha256(path):
            return f"{path.name} does not match the SHA-256 recorded when it was written"
    return ""


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of each compiled file in ``folder``."""
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if p.name != RECORD and BLOB_NAME.match(p.name) and p.is_file() and not p.is_symlink()
    }


def _empty(folder: Path) -> None:
    """Remove the plain files and links directly in ``folder`` (what OpenVINO and :func:`compile_cached` wrote)."""
    if folder.is_symlink() or not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)


def compile_cached(core: Any, ov_model: Any, config: dict[str, Any], folder: Path) -> Any:
    """``core.compile_model(ov_model, "CPU", config)`` through OpenVINO's cache in ``folder``, checked first.

    Parameters
    ----------
    core : openvino.Core
        The OpenVINO runtime.
    ov_model : openvino.Model
        The int8 model read from its (checked) IR files.
    config : dict
        The compile settings.
    folder : Path
        The compiled-model folder; created private when missing. The caller holds the model folder's lock.

    Returns
    -------
    openvino.CompiledModel
    """
    problem = cache_problem(folder)
    if problem:
        warnings.warn(f"compiled int8 model in {folder}: {problem}; compiling it again", stacklevel=3)
        _empty(folder)
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return core.compile_model(ov_model, "CPU", config)
    folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    before = _stamps(folder)
    try:
        compiled = core.compile_model(ov_model, "CPU", {**config, "CACHE_DIR": str(folder)})
    except RuntimeError as err:  # a compiled file OpenVINO cannot read after all: compile without the cache
        warnings.warn(f"compiled int8 model in {folder} could not be read ({err}); compiling it again", stacklevel=3)
        _empty(folder)
        return core.compile_model(ov_model, "CPU", config)
    # what OpenVINO wrote (a new compiled file, or one it found unreadable and wrote again) is recorded
    record = _recorded(folder) or {}
    fresh = {name: file_sha256(folder / name) for name, stamp in _stamps(folder).items() if before.get(name) != stamp}
    for name in fresh:
        (folder / name).chmod(PRIVATE_FILE)
    if fresh:
        atomic_write_text(folder / RECORD, json.dumps({**record, **fresh}, indent=1))
    return compiled
