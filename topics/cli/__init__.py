"""The ``topics`` command: ``fit``, ``report``, ``demo``, ``compare``, ``evaluate``, ``curate``
(``worksheet``, ``import``, ``diff``, ``app``, ``agree``), ``export`` (``qdpx``, ``qdc``, ``csv``) and ``code``
(a codebook's codes for every remark).

Each command is a thin layer over the Python API (the same functions, the same defaults), so the CLI,
the report and a notebook give the same answer.

Every bad input ends the command with a one-line message naming the file, line and column (exit code 2),
before anything is written.
"""

from topics.cli import coding_commands, curation_commands, run_commands  # noqa: F401 - the commands register on ``main``
from topics.cli._common import main

__all__ = ["main"]
