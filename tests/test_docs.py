"""The documentation site builds with warnings as errors, has its main pages, and opens offline.

The build is the one ``make docs`` runs (``sphinx-build -W --keep-going -b html docs ...``), into a temporary
folder. "Offline" means that no page loads anything from the network: no script, stylesheet, font, image or
frame with an ``http(s)://`` or ``//`` address (links to other sites are fine; they are followed only when
clicked). The cheap checks (the README's marked sections are all on some page, every public name the API
reference shows has a docstring) run without a build.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

MAIN_PAGES = [
    "index.html",
    "getting_started.html",
    "about.html",
    "guide/index.html",
    "guide/own_data.html",
    "guide/curation.html",
    "guide/comparison.html",
    "guide/qda.html",
    "guide/large_corpora.html",
    "guide/privacy.html",
    "examples/index.html",
    "examples/notebooks/01_explore.html",
    "examples/notebooks/02_compare.html",
    "methods/statistics.html",
    "methods/calibration.html",
    "methods/benchmarks.html",
    "api/index.html",
    "search.html",
    "searchindex.js",
]

API_MODULES = [
    "topics",
    "topics.read",
    "topics.clean",
    "topics.embed",
    "topics.model",
    "topics.coding",
    "topics.curate",
    "topics.compare",
    "topics.evaluate",
    "topics.reporting",
    "topics.workbench",
    "topics.distributed",
    "topics.runs",
]
"""The modules of the API reference (docs/api/*.rst), each documented with ``:members:``."""

REMOTE = re.compile(r"^\s*(https?:)?//", re.I)
LOADING = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "link": ("href",),
}
"""Tags whose attribute makes the browser fetch something while the page loads (``<link>``: stylesheets,
fonts, icons, preloads; a ``<link rel="canonical">`` or similar only names an address and is allowed)."""
LINK_RELS_THAT_LOAD = {
    "stylesheet",
    "icon",
    "shortcut",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "apple-touch-icon",
    "manifest",
}


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and not LINK_RELS_THAT_LOAD & set((attrs.get("rel") or "").lower().split()):
            return
        for name in LOADING.get(tag, ()):
            value = attrs.get(name) or ""
            if any(REMOTE.match(part) for part in value.split(",")):
                self.remote.append(f"<{tag} {name}={value!r}>")
        if tag == "style" or "style" in attrs:
            self._check_css(attrs.get("style") or "")

    def handle_data(self, data):
        if self.lasttag == "style":
            self._check_css(data)

    def _check_css(self, css: str) -> None:
        self.remote += [f"css {u}" for u in remote_css_urls(css)]


def remote_css_urls(css: str) -> list[str]:
    """``url(...)`` and ``@import`` addresses of a stylesheet that point at the network."""
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return [u for u in urls if REMOTE.match(u)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "html"
    env = {k: v for k, v in os.environ.items() if k != "TOPICS_DOCS_EXECUTE"}  # the default: not executed
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, f"the docs build failed or warned:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_the_docs_build_without_warnings_and_have_the_main_pages(site):
    missing = [page for page in MAIN_PAGES if not (site / page).is_file()]
    assert not missing, f"pages missing from the built site: {missing}"
    for module in API_MODULES:
        page = site / "api" / f"{'topics' if module == 'topics' else module.split('.', 1)[1]}.html"
        assert page.is_file(), f"no API page for {module}"
        assert f'id="module-{module}"' in page.read_text(encoding="utf-8"), f"{page.name} does not document {module}"


def test_the_api_reference_shows_the_docstrings(site):
    page = (site / "api" / "read.html").read_text(encoding="utf-8")
    assert 'id="topics.read.load_corpus"' in page
    assert "Parameters" in page  # numpydoc sections rendered


def test_the_readme_sections_and_results_are_included_not_copied(site):
    text = (site / "getting_started.html").read_text(encoding="utf-8")
    assert "Quick start" in text and "Command line" in text
    assert "docs:start" not in text
    calibration = (site / "methods" / "calibration.html").read_text(encoding="utf-8")
    assert "Prevalence contrasts" in calibration
    benchmarks = (site / "methods" / "benchmarks.html").read_text(encoding="utf-8")
    assert "Prevalence contrasts" not in benchmarks  # the calibration section is on its own page only
    assert (site / "_images" / "workbench.png").is_file()  # the README's image, with its relative path


def test_no_page_loads_anything_from_the_network(site):
    remote = {}
    for page in site.rglob("*.html"):
        parser = _Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.remote:
            remote[str(page.relative_to(site))] = parser.remote
    for css in site.rglob("*.css"):
        urls = remote_css_urls(css.read_text(encoding="utf-8", errors="replace"))
        if urls:
            remote[str(css.relative_to(site))] = urls
    assert not remote, f"the site loads from the network: {remote}"


def test_every_readme_section_marked_for_the_docs_is_on_a_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    starts = re.findall(r"<!-- docs:start:([\w-]+) -->", readme)
    ends = re.findall(r"<!-- docs:end:([\w-]+) -->", readme)
    assert starts and sorted(starts) == sorted(ends) and len(set(starts)) == len(starts)
    pages = "\n".join(
        p.read_text(encoding="utf-8")
        for p in DOCS.rglob("*")
        if p.suffix in {".md", ".rst"} and "_build" not in p.parts
    )
    unused = [key for key in starts if f"<!-- docs:start:{key} -->" not in pages]
    assert not unused, f"README sections marked for the docs but included by no page: {unused}"


def _public_names(module) -> list[str]:
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not n.startswith("_")]
    return [
        n
        for n, obj in vars(module).items()
        if not n.startswith("_")
        and getattr(obj, "__module__", None) == module.__name__
        and (inspect.isfunction(obj) or inspect.isclass(obj))
    ]


@pytest.mark.parametrize("name", API_MODULES)
def test_every_public_name_of_the_api_reference_has_a_docstring(name):
    """autodoc leaves a function, class, method or property without a docstring out of the reference silently;
    here that fails (the public methods and properties a class defines itself are checked too)."""
    module = importlib.import_module(name)
    assert inspect.getdoc(module), f"{name} has no module docstring"
    undocumented = []
    for attr in _public_names(module):
        obj = getattr(module, attr)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if not (obj.__doc__ or "").strip():
            undocumented.append(attr)
        if inspect.isclass(obj) and obj.__module__.startswith("topics"):
            for member, value in vars(obj).items():
                function = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
                is_api = not member.startswith("_") and (inspect.isfunction(function) or isinstance(value, property))
                if is_api and not (getattr(function, "__doc__", None) or "").strip():
                    undocumented.append(f"{attr}.{member}")
    assert not undocumented, f"{name}: public names without a docstring: {undocumented}"
