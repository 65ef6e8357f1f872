"""The README and the documentation run as copied: every ```python and ```bash block is executed, in order.

The README is short (the two commands and five lines of Python); the worked examples are on the pages of the
documentation (``docs/``). The test reads the README and then those pages in the order of ``DOC_SOURCES``
(the order a new user reads them: getting started, own data, configuration, curation, ...) and runs their
blocks one after another in one fresh folder. Python blocks share one namespace (like a notebook); bash blocks
run with the project's ``topics`` command first on the PATH. Where the text fits a big corpus the test fits a
small one instead: each substitution below names the text it replaces, and the test fails if that text is no
longer there (so the two cannot drift apart). A block preceded by ``<!-- doctest: skip ... -->`` is not
run; the reason is in the comment, and only blocks that are the test suite itself, serve an app until Ctrl+C,
or need a notebook front end may carry one (checked below). TOML blocks must parse as a config, and the block of all keys must equal
``topics config --defaults``; the YAML block must parse as a ledger.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOC_SOURCES = [
    README,
    *(
        ROOT / "docs" / f"{page}.md"
        for page in (
            "getting_started",
            "guide/own_data",
            "guide/configuration",
            "guide/curation",
            "guide/qda",
            "guide/comparison",
            "guide/coding",
            "guide/outputs",
            "methods/performance",
            "guide/large_corpora",
            "guide/privacy",
            "data",
            "api/index",
            "development",
        )
    ),
]
"""The files whose code blocks run, in this order (later blocks use what earlier ones made)."""
BIN = Path(sys.executable).parent

SMALL_DEMO = (
    'corpus = topics.load_corpus("demo")',
    'corpus = topics.load_corpus("demo")\n'
    "from topics.read.examples import example_sessions as _example_sessions\n"
    'corpus = corpus[corpus["session_id"].isin(_example_sessions(corpus, per_group=12))].reset_index(drop=True)',
)
"""The API example fits the whole demo corpus (6,567 remarks); the test fits the 36 sessions of `topics examples`."""
SUBSTITUTIONS: list[tuple[str, str]] = [SMALL_DEMO]

README_CACHE_DIR = "~/.cache/therapy-topics/embeddings"
"""What the README's block of all keys shows for ``[embedding] cache_dir`` (printed as it resolves on a machine)."""
ALLOWED_SKIPS = ("CI runs", "the test suite itself", "serves the app", "notebook front end")
"""Reasons a block may be skipped (a skip marker must give one of them)."""


def readme_blocks() -> list[tuple[str, str, str, str | None]]:
    """``(language, "file:line", code, skip reason or None)`` for every fenced block of ``DOC_SOURCES``, in order.

    MyST directives (```` ```{include} ````, ```` ```{toctree} ````) are not code and are left out.
    """
    out = []
    for source in DOC_SOURCES:
        name = source.relative_to(ROOT).as_posix()
        out += [(lang, f"{name}:{line}", code, skip) for lang, line, code, skip in _fenced_blocks(source)]
    return [block for block in out if not block[0].startswith("{")]


def all_doc_text() -> str:
    """The text of every file of ``DOC_SOURCES``."""
    return "\n".join(source.read_text(encoding="utf-8") for source in DOC_SOURCES)


def _fenced_blocks(path: Path) -> list[tuple[str, int, str, str | None]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\S*)(\s.*)?$", lines[i])
        if not fence:
            i += 1
            continue
        lang, start = fence.group(1), i + 1
        j = start
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        prev = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        skip = re.match(r"<!--\s*doctest:\s*skip\W*(.*?)\s*-->", prev.strip())
        out.append((lang, start, "\n".join(lines[start:j]), skip.group(1) if skip else None))
        i = j + 1
    return out


def test_skips_are_justified():
    for lang, line, _, reason in readme_blocks():
        if reason is not None:
            assert any(r in reason for r in ALLOWED_SKIPS), f"{line}: skip without an allowed reason"
            assert lang in ("bash", "python"), line


def test_substitutions_still_match_the_readme():
    text = all_doc_text()
    for old, _ in SUBSTITUTIONS:
        assert old in text, f"the documentation no longer says {old!r}: update SUBSTITUTIONS in {__file__}"


def test_toml_blocks_are_valid_and_the_defaults_block_is_complete():
    from click.testing import CliRunner

    from topics.cli import main
    from topics.config import TopicConfig, default_cache_dir, defaults_toml

    printed = CliRunner().invoke(main, ["config", "--defaults"]).output
    assert printed == defaults_toml()
    assert tomllib.loads(printed) == TopicConfig().to_dict()
    # the cache folder is printed as it resolves here; the README shows the Linux default in its place
    line = f'cache_dir = "{default_cache_dir()}" '
    assert printed.count(line) == 1, "`topics config --defaults` does not say where the embedding cache is"
    printed = printed.replace(line, f'cache_dir = "{README_CACHE_DIR}" ')
    tomls = [code for lang, _, code, _ in readme_blocks() if lang == "toml"]
    assert tomls, "the documentation has no TOML block"
    for code in tomls:
        TopicConfig.from_dict(tomllib.loads(code))
    assert any(code + "\n" == printed for code in tomls), (
        "the documentation's block of all keys differs from --defaults"
    )


def test_yaml_ledger_block_parses():
    from topics.curate import Ledger

    yamls = [code for lang, _, code, _ in readme_blocks() if lang == "yaml"]
    assert yamls
    for code in yamls:
        assert Ledger.from_text(code, path="docs/guide/curation.md").entries


@pytest.mark.slow
def test_python_and_bash_blocks_run_as_written(tmp_path, monkeypatch):
    from topics.read.public import corpora_dir

    if not (corpora_dir() / "llms-as-therapists").exists():
        pytest.skip("the README's examples use the public corpora of ../shared/corpora")
    # the embeddings cached by the suite: conftest points TOPICS_CACHE_DIR at the checkout's .cache for every block
    assert os.environ["TOPICS_CACHE_DIR"] == str(ROOT / ".cache" / "embeddings")
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}
    namespace: dict = {"__name__": "__readme__"}
    ran = {"python": 0, "bash": 0}
    for lang, line, code, reason in readme_blocks():
        if lang not in ("python", "bash") or reason is not None:
            continue
        for old, new in SUBSTITUTIONS:
            code = code.replace(old, new)
        where = f"{line} (a code block)"
        started = time.perf_counter()
        if lang == "python":
            exec(compile(code, where, "exec"), namespace)  # noqa: S102 - the README's own code
        else:
            done = subprocess.run(
                ["bash", "-e", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
            )
            assert done.returncode == 0, f"{where} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        ran[lang] += 1
        print(f"{where} ({lang}): {time.perf_counter() - started:.1f} s")  # shown with -s or on failure
    assert ran["python"] >= 5 and ran["bash"] >= 2, ran
    assert (tmp_path / "runs" / "study" / "worksheet.csv").exists()  # the curation commands ran on the CSV run
    assert (tmp_path / "runs" / "demo" / "ledger.yaml").exists()  # the Curator wrote its decisions
    assert (tmp_path / "figures" / "report.html").stat().st_size > 100_000
