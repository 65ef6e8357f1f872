"""Exceptions raised for bad input.

Every error a user can cause by handing the toolkit a bad file or a bad setting is an
:class:`InputError`: it names the file and, where it can, the line and the column, so the
user can open the file and fix it. Nothing is written before such an error is raised.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input from the user: a file, a column, a setting.

    Parameters
    ----------
    message : str
        What is wrong, in plain words.
    path : str or Path, optional
        The file in which the problem lies.
    line : int, optional
        1-based line number in that file (for row-oriented files: the line of the row).
    column : str or int, optional
        The column (or config key) at fault; an int is a character position in the line (as an XML parser
        reports it).
    """

    def __init__(
        self, message: str, *, path: str | Path | None = None, line: int | None = None, column: str | int | None = None
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class CorpusError(InputError):
    """The utterance table does not satisfy the corpus schema."""


class ConfigError(InputError):
    """A configuration file or value is invalid."""
