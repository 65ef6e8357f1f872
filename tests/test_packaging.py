"""The distribution a researcher installs into their own environment (issue 25).

Fast checks read the project's files: dependency ranges in ``pyproject.toml`` that the exact versions of
``requirements.lock`` satisfy, the licence, the changelog and the citation file agreeing on the version. The
slow ones build the wheel from a copy of the sources (so that no ``build/`` folder of the checkout leaks stale
files into it), read its contents and metadata, install it with ``pip install --no-deps --target`` and load the
demo corpus from an empty working folder, with the checkout itself not importable.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "topics")
"""What the wheel is built from (copied to a temporary folder first)."""
NOT_LOCKED_EXTRAS = ("gpu", "bench")
"""Extras that ``make`` does not install, so ``requirements.lock`` has no pins for them."""


def lock_pins() -> dict[str, str]:
    """``requirements.lock`` as ``{canonical name: exact version}``."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"requirements.lock: {line!r} is not an exact pin"
            pins[canonicalize_name(name.split("[")[0])] = version.strip()
    return pins


def declared_requirements() -> list[tuple[str, Requirement]]:
    """Every requirement of ``pyproject.toml`` as ``(where, requirement)``."""
    project = PYPROJECT["project"]
    out = [("dependencies", Requirement(r)) for r in project["dependencies"]]
    for extra, reqs in project["optional-dependencies"].items():
        out += [(extra, Requirement(r)) for r in reqs]
    return out


def test_package_metadata_has_ranges_and_the_lock_has_exact_versions_inside_them():
    assert PYPROJECT["project"]["name"] == "therapy-topics"
    assert PYPROJECT["project"]["scripts"] == {"topics": "topics.cli:main"}
    pins = lock_pins()
    for where, req in declared_requirements():
        assert not any(spec.operator in ("==", "===") for spec in req.specifier), f"{where}: exact pin {req}"
        name = canonicalize_name(req.name)
        if where in NOT_LOCKED_EXTRAS:
            continue
        assert name in pins, f"{req.name} ({where}) has no exact version in requirements.lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {req.name}=={pins[name]}, outside {where}'s range {req.specifier}"
        )
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    torch = re.search(r"pip install --quiet torch==(\S+)", makefile)
    assert torch and torch.group(1) == pins["torch"], "the Makefile's torch pin differs from requirements.lock"


def test_licence_changelog_and_citation_agree_on_the_version():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "Copyright (c) 2026 the therapy-topics authors" in licence
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Keep a Changelog" in changelog and "## [Unreleased]" in changelog
    releases = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", changelog, flags=re.MULTILINE)
    assert releases and releases[0][0] == VERSION, f"the newest CHANGELOG release is not {VERSION}"
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert {"cff-version", "message", "title", "authors"} <= set(cff)  # the keys CFF 1.2.0 requires
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == VERSION and str(cff["date-released"]) == releases[0][1]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    assert cff["license"] == "MIT" and cff["type"] == "software"
    assert cff["authors"] and all(isinstance(a, dict) and a.get("name") for a in cff["authors"])
    known = {
        "abstract",
        "authors",
        "cff-version",
        "date-released",
        "keywords",
        "license",
        "message",
        "title",
        "type",
        "version",
        "repository-code",
        "url",
        "doi",
        "identifiers",
        "preferred-citation",
        "references",
        "commit",
        "contact",
        "license-url",
        "repository",
        "repository-artifact",
    }
    assert set(cff) <= known, f"keys outside CFF 1.2.0: {set(cff) - known}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of the current sources, built offline from a clean copy of them."""
    src = tmp_path_factory.mktemp("src")
    for name in WHEEL_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(src), "-w", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_contents_and_metadata(wheel):
    assert wheel.name == f"therapy_topics-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        info = f"therapy_topics-{VERSION}.dist-info"
        metadata = Parser().parsestr(z.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = z.read(f"{info}/entry_points.txt").decode("utf-8")
        licence = z.read(f"{info}/licenses/LICENSE").decode("utf-8")
    for data in (
        "topics/py.typed",
        "topics/read/data/demo/demo_corpus.parquet",
        "topics/read/data/demo/ledger.yaml",
        "topics/read/data/demo/README.md",
        "topics/reporting/templates/report.html.j2",
        "topics/reporting/schemas/Project.xsd",
        "topics/embed/data/calibration_texts.json",
        "topics/clean/data/first_names.txt",
        "topics/coding/data/annomi_behaviour.toml",
    ):
        assert data in names, f"{data} is missing from the wheel"
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "topics").rglob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
    assert not [n for n in names if n.startswith(("tests/", "corpora/", "benchmarks/", "notebooks/"))]
    assert licence.startswith("MIT License")
    assert metadata["Name"] == "therapy-topics" and metadata["Version"] == VERSION
    assert metadata["License-Expression"] and "MIT" in metadata["License-Expression"]
    requires = [Requirement(r) for r in metadata.get_all("Requires-Dist")]
    pinned = [str(r) for r in requires if any(s.operator in ("==", "===") for s in r.specifier)]
    assert requires and not pinned, f"exact pins in the package metadata: {pinned}"
    assert {"torch", "dask", "openvino", "platformdirs"} <= {r.name for r in requires if r.marker is None}
    assert re.search(r"^topics = topics\.cli:main$", entry_points, flags=re.MULTILINE)


SMOKE = """
import json, os, sys
from pathlib import Path
import topics
from topics.config import TopicConfig
from topics.read.public import DEMO_LEDGER
corpus = topics.load_corpus("demo")
print(json.dumps({"file": topics.__file__, "version": topics.__version__, "ledger": DEMO_LEDGER.is_file(),
                  "rows": len(corpus), "sessions": int(corpus["session_id"].nunique()),
                  "groups": sorted(corpus["counselor_type"].unique()),
                  "cache_dir": TopicConfig().embedding.cache_dir}))
"""


@pytest.mark.slow
def test_installed_wheel_loads_the_demo_from_any_folder(wheel, tmp_path):
    """`pip install` the wheel, then `topics.load_corpus("demo")` in a folder that is not the checkout."""
    site = tmp_path / "site"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    work = tmp_path / "anywhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TOPICS_CACHE_DIR", "PYTHONPATH")}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp_path / "xdg"), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-c", SMOKE], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(got["file"]).is_relative_to(site), f"imported {got['file']}, not the installed wheel"
    assert got["version"] == VERSION  # the distribution's metadata is found under its new name
    assert got["ledger"] and got["rows"] == 14_050 and got["sessions"] == 186
    assert got["groups"] == ["llm", "professional"]
    if sys.platform.startswith("linux"):  # the user cache folder, not the working folder
        assert Path(got["cache_dir"]) == tmp_path / "xdg" / "therapy-topics" / "embeddings"
    assert not any(work.iterdir()), "loading the demo wrote into the working folder"
    cli = subprocess.run(
        [sys.executable, "-m", "topics.cli", "config", "--defaults"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert f'cache_dir = "{got["cache_dir"]}"' in cli.stdout


@pytest.mark.slow
def test_the_sdist_builds_offline_and_holds_the_sources_and_the_demo(tmp_path):
    """The source distribution (PEP 517 ``build_sdist`` of setuptools, no network, no extra build tool)."""
    import tarfile

    src = tmp_path / "src"
    src.mkdir()
    for name in WHEEL_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path / "dist"
    out.mkdir()
    code = f"from setuptools import build_meta; print(build_meta.build_sdist({str(out)!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=src, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    sdist = out / done.stdout.strip().splitlines()[-1]
    assert sdist.name == f"therapy_topics-{VERSION}.tar.gz"
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {
        "pyproject.toml",
        "LICENSE",
        "README.md",
        "topics/__init__.py",
        "topics/read/data/demo/demo_corpus.parquet",
        "topics/read/data/demo/ledger.yaml",
        "topics/py.typed",
        "topics/coding/data/annomi_behaviour.toml",
    } <= names


NOTEBOOK_SMOKE = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "load-demo",
            "metadata": {},
            "outputs": [],
            "source": 'import topics\ncorpus = topics.load_corpus("demo")\nprint("LOADED", topics.__file__, len(corpus))',
        }
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.mark.slow
def test_the_wheel_in_a_fresh_virtual_environment_runs_the_demo_and_a_notebook(wheel, tmp_path):
    """Issue 25's "done when": ``pip install`` the wheel into a new venv, then ``topics demo`` in an empty folder.

    The venv is made the way a researcher makes one (``python -m venv``, no access to this checkout's
    packages); pip resolves the wheel's dependency ranges from the package index, constrained to the versions
    of ``requirements.lock`` (and torch installed first, pinned, as the Makefile does: an unpinned torch would
    be the multi-GB CUDA build). ``ipykernel`` and ``nbclient`` stand for the researcher's Jupyter; a notebook
    run by that venv's kernel loads the demo. The embeddings come from the suite's cache (``TOPICS_CACHE_DIR``)
    so that the demo does not embed its 8,012 remarks again; everything else is written in the empty folder.
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    lock = str(ROOT / "requirements.lock")
    for args in (["torch==" + lock_pins()["torch"]], [str(wheel), "ipykernel", "nbclient", "nbformat", "-c", lock]):
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *args], env=env, capture_output=True, text=True, timeout=1200
        )
        assert done.returncode == 0, f"pip install {' '.join(args)}:\n{done.stderr[-3000:]}"
    work = tmp_path / "anywhere"
    work.mkdir()
    demo = subprocess.run(
        [str(venv / "bin" / "topics"), "demo", "--no-static"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert demo.returncode == 0, f"topics demo:\n{demo.stdout[-2000:]}\n{demo.stderr[-3000:]}"
    report = work / "figures" / "report.html"
    assert report.stat().st_size > 100_000 and (work / "figures" / "demo.qdpx").is_file()
    assert (work / "runs" / "demo" / "ledger.yaml").is_file()  # the demo's ledger, from the package data
    assert sorted(p.name for p in work.iterdir()) == ["figures", "runs"]
    assert not list((work / "figures").glob("*.png")), "--no-static wrote static figures"
    assert "<script" in report.read_text(encoding="utf-8")[:2_000_000]

    notebook = work / "smoke.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK_SMOKE), encoding="utf-8")
    run_notebook = (
        "import sys, nbformat; from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=600, kernel_name='python3').execute()\n"
        "print(''.join(o.get('text', '') for o in nb.cells[0].outputs if o.get('name') == 'stdout'))\n"
    )
    done = subprocess.run(
        [str(python), "-c", run_notebook, str(notebook)], cwd=work, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = [line.split() for line in done.stdout.splitlines() if line.startswith("LOADED ")]
    assert len(loaded) == 1, done.stdout
    file, rows = loaded[0][1:]
    assert Path(file).is_relative_to(venv) and int(rows) == 14_050, done.stdout
