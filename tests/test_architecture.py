"""The package's shape: folders are the data flow, imports point from later stages to earlier ones only.

Every import in ``topics/`` counts, at module level or inside a function, under ``TYPE_CHECKING`` or not.
Run it alone with ``python -m pytest tests/test_architecture.py``; it needs nothing but the source.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "topics"
MAX_LINES = 680
"""600 until the code was formatted with ``ruff format`` (issue 25), which writes about 10% more lines for the same
code (run_commands.py: 422 -> 619 lines of the same statements); the concept-size limit is the same."""

STAGES: list[tuple[str, ...]] = [
    ("topics.errors", "topics._dist", "topics._files", "topics._toml", "topics._config_comments", "topics.config"),
    ("topics.read",),
    ("topics.clean",),
    ("topics.embed",),
    ("topics.model",),
    ("topics.coding",),
    ("topics.curate",),
    ("topics.analysis", "topics.runs"),
    ("topics.pipeline", "topics.distributed"),
    ("topics.compare",),
    ("topics.evaluate",),
    ("topics.plots",),
    ("topics.reporting",),
    ("topics.workbench",),
    ("topics.cli",),
    ("topics",),
]
"""The data flow, earliest first. A module may import its own stage and earlier ones, never a later one."""


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def stage_of(module: str) -> int:
    """Index in :data:`STAGES` of the stage a module belongs to (the longest matching prefix)."""
    best, best_len = None, -1
    for i, names in enumerate(STAGES):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best_len:
                best, best_len = i, len(name)
    assert best is not None, f"{module} belongs to no stage of STAGES: add it there"
    return best


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of the package that ``module`` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports(m, p, known) for m, p in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_planted_cycle():
    edges = graph()
    edges["topics.read.schema"] = edges["topics.read.schema"] | {"topics.read.files"}
    assert any("topics.read.schema" in c for c in cycles(edges))


def test_imports_point_from_later_stages_to_earlier_ones():
    backwards = [f"{m} -> {t}" for m, targets in graph().items() for t in targets if stage_of(t) > stage_of(m)]
    assert backwards == []


def test_every_module_belongs_to_a_stage():
    for module in modules():
        stage_of(module)


@pytest.mark.parametrize("module", sorted(modules()))
def test_module_size(module):
    lines = modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by concept (limit {MAX_LINES})"


def test_every_stage_has_a_public_face():
    for names in STAGES[1:-1]:
        for name in names:
            path = PACKAGE.parent / Path(*name.split("."))
            if path.is_dir():
                init = (path / "__init__.py").read_text(encoding="utf-8")
                assert "__all__" in init and init.lstrip().startswith('"""'), f"{name}/__init__.py"


def test_importing_the_package_has_no_side_effects():
    code = (
        "import logging, os; before = dict(os.environ); import topics, topics.cli, topics.reporting; "
        "assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items()); "
        "assert not logging.getLogger('BERTopic').filters; print('clean')"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "TOKENIZERS_"))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "clean"


def test_a_backward_import_is_caught():
    edges = graph()
    edges["topics.model.layout"] = edges["topics.model.layout"] | {"topics.plots.topics"}
    backwards = [f"{m} -> {t}" for m, targets in edges.items() for t in targets if stage_of(t) > stage_of(m)]
    assert backwards == ["topics.model.layout -> topics.plots.topics"]
