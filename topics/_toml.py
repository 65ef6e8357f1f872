"""Dataclasses to and from TOML tables, with errors that name the file, the line and the key.

The config schema (:mod:`topics.config`) is a tree of dataclasses. :func:`build` turns nested
dictionaries read from TOML into that tree, checking every key and the type of every value against the
dataclass' annotations; a dataclass with a ``check(bad)`` method then checks its values, calling
``bad(key, message)`` to make the error. :func:`to_toml_dict` goes back (TOML has no null: an optional
setting switched off is written as ``false``).
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Literal

import tomli_w

from topics.errors import ConfigError

MAX_CONFIG_BYTES = 1 << 20
"""Largest config file read (1 MiB; a complete config is a few kilobytes, and parsing 200 MB took minutes)."""


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; return its tables and its text (for line numbers in later errors).

    Raises
    ------
    ConfigError
        Missing file, larger than :data:`MAX_CONFIG_BYTES`, not UTF-8, not valid TOML; the message names the
        line where TOML says it.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("no such config file", path=path)
    with open(path, "rb") as fh:
        data_bytes = fh.read(MAX_CONFIG_BYTES + 1)
    if len(data_bytes) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"the config file is larger than {MAX_CONFIG_BYTES:,} bytes; a config is a few "
            "kilobytes (is this the right file?)",
            path=path,
        )
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise ConfigError("the file is not UTF-8 text (TOML must be UTF-8)", path=path, line=line) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as err:
        # Python >= 3.14 has err.lineno / err.msg; before, both sit in the message: "... (at line 3, column 5)"
        lineno: int | None = getattr(err, "lineno", None)
        msg = getattr(err, "msg", None) or str(err)
        found = re.search(r"\s*\(at line (\d+), column \d+\)$", msg)
        if found:
            lineno = lineno if lineno is not None else int(found.group(1))
            msg = msg[: found.start()]
        raise ConfigError(f"invalid TOML: {msg}", path=path, line=lineno) from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise ConfigError(f"invalid TOML: {err}", path=path) from None
    except RecursionError:
        raise ConfigError("invalid TOML: arrays or tables nested too deeply", path=path) from None


def _field_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def to_toml_dict(obj: Any) -> dict[str, Any]:
    """A dataclass tree as nested dictionaries ready for TOML (an optional ``None`` replacing a default: ``false``)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = to_toml_dict(value)
        elif value is None:
            if _field_default(f) is not None:
                out[f.name] = False
        else:
            out[f.name] = _copy(value)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def line_of(text: str | None, section: str | None, key: str) -> int | None:
    """1-based line of ``key`` in ``[section]`` (or at the top level) of a TOML text; None if not found."""
    if text is None:
        return None
    lines = re.split(r"\r?\n", text)  # TOML's newlines only: str.splitlines also breaks at U+2028, form feed, ...
    in_section = section is None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            name = header.group(1).lstrip("[").strip()  # [[key]] (array of tables) as well as [key]
            full = key if section is None else f"{section}.{key}"
            if name == full or name.startswith(full + "."):  # [key] or [section.key] sub-table
                return number
            in_section = name == section
            continue
        if in_section and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
            return number
    return None


def _check_type(value: Any, annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_check_type(value, a) for a in typing.get_args(annotation))
    if origin is Literal:
        return value in typing.get_args(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return isinstance(value, list) and all(_check_type(v, item) for v in value)
    if annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def build(cls: type, data: Any, *, path: str | Path | None, text: str | None, section: str | None) -> Any:
    """Build dataclass ``cls`` from a TOML table, checking keys and value types, then the class' own ``check``.

    Raises
    ------
    ConfigError
        An unknown key, a value of the wrong type or out of range; names the file, the line and the key.
    """
    where = f"[{section}]" if section else "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table", path=path, line=line_of(text, None, section or ""))
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise ConfigError(
                f"unknown key {key!r} in {where}; known keys: {sorted(fields)}",
                path=path,
                line=line_of(text, section, key),
                column=key,
            )
        hint = hints[key]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            kwargs[key] = build(hint, value, path=path, text=text, section=key)
            continue
        if value is False and _is_optional(hint):
            value = None  # TOML has no null: ``key = false`` switches an optional setting off
        if not _check_type(value, hint):
            allowed = typing.get_args(hint) if typing.get_origin(hint) is Literal else None
            expected = f"one of {list(allowed)}" if allowed else _type_name(hint)
            raise ConfigError(
                f"{key} = {value!r} in {where}: expected {expected}",
                path=path,
                line=line_of(text, section, key),
                column=key,
            )
        kwargs[key] = value
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    if check is not None:

        def bad(key: str, message: str) -> ConfigError:
            return ConfigError(f"{key}: {message}", path=path, line=line_of(text, section, key), column=key)

        check(bad)
    return obj


def _type_name(hint: Any) -> str:
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__name__  # "int", not "<class 'int'>"
    return str(hint).replace("typing.", "")


def commented_toml(obj: Any, comments: dict[str, str], *, width: int = 100, comment_column: int = 33) -> str:
    """A dataclass tree as TOML with a comment after each key: the text of ``topics config --defaults``.

    Parameters
    ----------
    obj : dataclass instance
        Top-level scalar fields first, then one ``[section]`` per nested dataclass.
    comments : dict
        ``"section.key"`` (or ``"key"`` at the top level, ``"section"`` for the section header) -> comment.
        A comment for a key whose value is ``None`` is written as a commented-out line (TOML has no null).
    width, comment_column : int
        Lists longer than ``width`` are wrapped; comments start at ``comment_column`` where they fit.

    Returns
    -------
    str
        Valid TOML that reads back to ``to_toml_dict(obj)``.
    """
    data = to_toml_dict(obj)
    lines: list[str] = []

    def value_text(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(value_text(v) for v in value) + "]"
        return tomli_w.dumps({"k": value}).split("=", 1)[1].strip()

    def key_lines(section: str | None, key: str, value: Any) -> None:
        name = f"{section}.{key}" if section else key
        note = comments.get(name, "")
        if value is None:
            lines.append(f"# {key}: not set".ljust(comment_column - 1) + (f" # {note}" if note else ""))
            return
        if isinstance(value, list) and len(f"{key} = {value_text(value)}") > width:
            items = [value_text(v) for v in value]
            lines.append(f"{key} = [".ljust(comment_column - 1) + (f" # {note}" if note else ""))
            row = "    "
            for item in items:
                if len(row) + len(item) + 2 > width and row.strip():
                    lines.append(row.rstrip())
                    row = "    "
                row += item + ", "
            lines.append(row.rstrip())
            lines.append("]")
            return
        text = f"{key} = {value_text(value)}"
        lines.append((text.ljust(comment_column - 1) + f" # {note}") if note else text)

    sections = [f for f in dataclasses.fields(obj) if dataclasses.is_dataclass(getattr(obj, f.name))]
    for f in dataclasses.fields(obj):
        if f not in sections:
            key_lines(None, f.name, data.get(f.name))
    for f in sections:
        lines.append("")
        header = f"[{f.name}]"
        note = comments.get(f.name, "")
        lines.append((header.ljust(comment_column - 1) + f" # {note}") if note else header)
        for sub in dataclasses.fields(getattr(obj, f.name)):
            key_lines(f.name, sub.name, data[f.name].get(sub.name))
    return "\n".join(lines) + "\n"
