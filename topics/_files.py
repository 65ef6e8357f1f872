"""Writing files so that nothing half-written is ever left behind, and tables that spreadsheets cannot run.

Every file the toolkit writes goes through here:

* :func:`atomic_write` (any content, streamed) and :func:`atomic_write_text` write into a temporary file
  beside the target and move it into place;
* :func:`atomic_folder` builds a whole folder (a run folder, a distilled model) under a temporary name and
  swaps it in at the end (:func:`replace_folder`), so an interrupted write never destroys the old one;
* :func:`export_csv` writes a table with spreadsheet formula injection guarded;
* :func:`read_json_checked` reads a run's JSON files back, refusing huge or deeply nested ones.

Files and folders are private by default: a file ``0600`` and a folder ``0700`` whatever the umask (``022``
would give ``0644``/``0755``), because run folders and caches hold verbatim transcripts, embeddings and keys
of each remark. The umask can only narrow these further; ``chmod`` a folder to share it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from topics.errors import InputError

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts that make a spreadsheet evaluate the cell as a formula."""


PRIVATE_FILE = 0o600
"""Mode of every file written here (owner read and write only)."""
PRIVATE_FOLDER = 0o700
"""Mode of every folder built here (owner only)."""


def _umask_mode(base: int = PRIVATE_FILE) -> int:
    """``base`` less the process umask (read without changing it for longer than a call)."""
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


def atomic_write(path: str | Path, write: Callable[[BinaryIO], object], *, backup: bool = False) -> Path:
    """Write a file atomically through ``write(fh)`` (a binary file): the complete new file or the old one.

    Parameters
    ----------
    path : str or Path
        The file (its folder is created).
    write : callable
        Writes the content into the open binary file it is given (e.g. a zip archive streamed into it);
        what it returns is ignored.
    backup : bool, default False
        Keep the previous version as ``<name>.bak``.

    Returns
    -------
    Path
    """
    target = Path(path)
    target.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, _umask_mode())
        if backup and target.exists():
            shutil.copy2(target, target.with_name(target.name + ".bak"))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | Path, text: str, *, backup: bool = False) -> Path:
    """Write a text file atomically: a complete new file or the old one, never a truncated one.

    Parameters
    ----------
    path : str or Path
        The file (its folder is created).
    text : str
        UTF-8 content.
    backup : bool, default False
        Keep the previous version as ``<name>.bak``.

    Returns
    -------
    Path
    """
    data = text.encode("utf-8")
    return atomic_write(path, lambda fh: fh.write(data), backup=backup)


def replace_folder(new: Path, target: Path) -> None:
    """Move a complete folder ``new`` to ``target``, replacing an existing ``target`` only at the end."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete the hidden ``.NAME.tmp-PID-*`` / ``.NAME.old-PID-*`` folders a killed process left beside ``target``.

    Only folders whose process is gone are removed, so a run still writing is never disturbed.
    """
    removed = []
    prefix = f".{target.name}."
    for item in target.parent.iterdir():
        if not item.name.startswith(prefix):
            continue
        kind, _, rest = item.name[len(prefix) :].partition("-")
        pid = rest.split("-", 1)[0]
        if (
            kind in ("tmp", "old")
            and pid.isdigit()
            and not _alive(int(pid))
            and item.is_dir()
            and not item.is_symlink()
        ):
            shutil.rmtree(item, ignore_errors=True)
            removed.append(item)
    return removed


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Build a folder under a temporary name beside ``target``; swap it in when the block ends without error.

    Temporary folders left by a killed earlier run are cleaned first (:func:`remove_stale_temporaries`). A full
    disk is an :class:`~topics.errors.InputError` naming the file, and the previous ``target`` is kept.

    Examples
    --------
    >>> with atomic_folder("runs/study") as tmp:      # doctest: +SKIP
    ...     (tmp / "table.csv").write_text("...")
    """
    target = Path(target)
    target.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        os.chmod(tmp, _umask_mode(PRIVATE_FOLDER))
        yield tmp
        replace_folder(tmp, target)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if err.errno == errno.ENOSPC:
            where = err.filename or target
            raise InputError(
                f"no space left on the disk while writing {where}; the previous {target.name} is kept as it was",
                path=target,
            ) from None
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def safe_file_name(name: str) -> str:
    """A file-name stem made of letters, digits, ``-`` and ``_`` only (anything else becomes ``_``)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(name))


def _guard_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def export_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV with spreadsheet formula injection guarded.

    Text cells and column names starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a
    leading apostrophe, so a spreadsheet shows them as text instead of evaluating them (a metadata column
    named ``=HYPERLINK(...)`` reaches the header of ``assignments.csv``).

    Parameters
    ----------
    table : pandas.DataFrame
    path : str or Path

    Returns
    -------
    Path
    """
    safe = table.copy()
    safe.columns = [_guard_cell(str(c)) if isinstance(c, str) else c for c in safe.columns]
    for col in safe.columns:
        if isinstance(safe[col].dtype, pd.CategoricalDtype):  # a guarded value is not one of its categories
            safe[col] = safe[col].astype(object)
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            try:
                risky = safe[col].str.startswith(CSV_FORMULA_PREFIXES, na=False).astype(bool)
            except AttributeError:  # no text in the column at all
                continue
            if risky.any():
                safe[col] = safe[col].where(~risky, safe[col].map(_guard_cell))
    safe.to_csv(path, index=False)
    return Path(path)


JSON_MAX_BYTES = 16 << 20
"""Largest JSON file :func:`read_json_checked` reads by default (16 MiB: a run's manifests are kilobytes)."""

JSON_MAX_DEPTH = 32
"""Deepest nesting of arrays and objects :func:`read_json_checked` accepts by default."""


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (``1`` for ``[]``, ``0`` for a number).

    Walked with a stack, not by recursion, so any depth that parsed is measured.
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read_json_checked(path: str | Path, *, max_bytes: int = JSON_MAX_BYTES, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """Read a JSON file that the toolkit wrote (a run's manifests), refusing one that is huge or deeply nested.

    A run folder can come from someone else; a multi-gigabyte or ten-thousand-deep ``manifest.json`` is an
    :class:`~topics.errors.InputError` naming the file instead of a long wait, a memory error or a
    ``RecursionError``.

    Parameters
    ----------
    path : str or Path
        The JSON file (a regular file).
    max_bytes : int, default :data:`JSON_MAX_BYTES`
        Largest size read.
    max_depth : int, default :data:`JSON_MAX_DEPTH`
        Deepest nesting of arrays and objects accepted.

    Returns
    -------
    Any
        The parsed value.

    Raises
    ------
    InputError
        Missing or not a regular file, larger than ``max_bytes``, not UTF-8, not JSON, or nested deeper than
        ``max_depth``; the message is one line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file (or not a regular file)", path=path)
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"refusing to read a JSON file larger than {max_bytes:,} bytes", path=path)
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text", path=path) from None
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err.msg} (column {err.colno})", path=path, line=err.lineno) from None
    except RecursionError:
        raise InputError(f"refusing a JSON file nested more than {max_depth} levels deep", path=path) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise InputError(f"not valid JSON: {err}", path=path) from None
    if json_depth(value) > max_depth:
        raise InputError(f"refusing a JSON file nested more than {max_depth} levels deep", path=path)
    return value
