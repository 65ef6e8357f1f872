"""Code-quality gates (issue 25): the type checker and the linter pass over the package.

``mypy`` runs with the configuration in ``pyproject.toml`` (``[tool.mypy]``: the ``topics`` package, Python
3.11, third-party imports without types read as ``Any``), ``ruff check`` with ``[tool.ruff]``. Both run as
subprocesses from the repository root, as a developer runs them (both are in the dev extra), so a failure
prints their report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
def test_mypy_finds_no_errors() -> None:
    # no --cache-dir override: the default .mypy_cache makes a second run fast
    done = _run(sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), timeout=900)
    assert done.returncode == 0, f"mypy found errors:\n{done.stdout}{done.stderr}"
    assert "Success: no issues found" in done.stdout


def _ruff() -> str:
    """The ruff of this environment (the dev extra installs it beside the interpreter), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.exists() else shutil.which("ruff") or "ruff"


def test_ruff_check_finds_no_errors() -> None:
    done = _run(_ruff(), "check", ".", timeout=300)
    assert done.returncode == 0, f"ruff check found errors:\n{done.stdout}{done.stderr}"


def test_the_code_is_formatted() -> None:
    """``ruff format --check`` with ``[tool.ruff.format]`` (the code was formatted once, in its own commit)."""
    done = _run(_ruff(), "format", "--check", ".", timeout=300)
    assert done.returncode == 0, f"ruff format would change files (run `ruff format .`):\n{done.stdout}{done.stderr}"


def test_pre_commit_runs_the_same_gates() -> None:
    """The pre-commit hooks are the gates above, with the project's tools (no hook downloaded from the network)."""
    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[1] / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])
    assert hooks["ruff-check"]["entry"].endswith("ruff check")
    assert hooks["ruff-format"]["entry"].endswith("ruff format --check")
    assert hooks["mypy"]["entry"].endswith("-m mypy") and hooks["mypy"]["pass_filenames"] is False
    assert {h["language"] for h in hooks.values()} == {"system"}
