"""Sphinx configuration of the therapy-topics documentation site.

Build: ``make docs`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``); the test suite runs the
same build (``tests/test_docs.py``). The site opens offline: no page loads anything from the network.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the package, also when it is not installed

import topics  # noqa: E402

project = "therapy-topics"
author = "the therapy-topics authors"
copyright = "the therapy-topics authors, MIT licence"  # noqa: A001
release = topics.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",  # MyST Markdown pages and Jupyter notebooks (it brings myst_parser with it)
    "sphinx_design",
]

root_doc = "index"
# the docstrings of topics.compare write the absolute t statistic as |t|, which reStructuredText would
# read as a substitution
rst_prolog = r"""
.. |t| replace:: \|t\|
"""
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path: list[str] = []

# ---- MyST --------------------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3  # README links such as [Architecture](#architecture) resolve

# ---- the README's sections, included into the pages below (one source) -----------------------------------
# The README is short (what the toolkit is, the two commands, five lines of Python, links); the guide's pages
# hold their own text. The README's three sections are shown on the pages below: README.md marks each with <!-- docs:start:KEY --> ... <!-- docs:end:KEY -->; the pages include them
# with {include} start-after / end-before. The README's links are relative to the repository root; while a
# page includes the README they are rewritten (rewrite_links): a link to a file that is a page of this
# site goes to that page, a link to a heading goes to the page that includes it, a link to another file of
# the repository becomes a download of that file, and anything else is left alone (and warns, so fails).
README_SECTION_PAGES = {"intro": "index", "quick-start": "getting_started", "five-lines": "index"}
REPO_FILE_PAGES = {  # files of the repository that are pages here (included there)
    "benchmarks/RESULTS.md": "methods/benchmarks",
    "corpora/demo/README.md": "data",
    "tests/fixtures/deid_heldout.md": "methods/deid_evaluation",
    "tests/fixtures/deid_styles.md": "methods/deid_evaluation",
    "README.md": "index",
}

# ---- notebooks (myst-nb) -------------------------------------------------------------------------------
# notebooks/*.ipynb are copied into docs/examples/ (git-ignored) so that they have one source. They are not
# executed by default: fitting the demo corpus takes minutes on a laptop, and the test suite already
# executes every notebook (tests/test_notebooks.py). TOPICS_DOCS_EXECUTE=cache executes them and caches the
# outputs in docs/_build/.jupyter_cache (make docs-executed).
nb_execution_mode = os.environ.get("TOPICS_DOCS_EXECUTE", "off")
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 1800
nb_execution_raise_on_error = True
nb_execution_in_temp = False
if nb_execution_mode != "off":
    # plotly's figures carry their data twice: as plotly JSON, which myst-nb does not know (and says so), and
    # as HTML, which the page shows
    suppress_warnings = ["mystnb.unknown_mime_type"]
    os.environ.setdefault("TQDM_DISABLE", "1")  # no progress-bar widgets in the executed outputs
# Jupyter widgets (tqdm's progress bars) would need require.js and the widget manager from a CDN: not loaded;
# a widget output shows as its plain-text form
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
nb_mime_priority_overrides = [("*", "application/vnd.jupyter.widget-view+json", None)]

EXAMPLES = DOCS / "examples" / "notebooks"


NOT_EXECUTED_NOTE = """```{note}
This page shows the notebook as it is stored, without outputs: the documentation build does not execute the
notebooks (the test suite does; see {doc}`../index`). Run it in Jupyter from the `notebooks/` folder to see
the tables and figures, or build this site with `make docs-executed`.
```"""


def notebook_page(source: Path) -> bytes:
    """The page of ``source``: the notebook, with a note after its title cell when it is not executed."""
    if nb_execution_mode != "off":
        return source.read_bytes()
    nb = json.loads(source.read_text(encoding="utf-8"))
    note = {"cell_type": "markdown", "metadata": {}, "source": NOT_EXECUTED_NOTE.splitlines(keepends=True)}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
        note["id"] = "docs-not-executed"
    nb["cells"].insert(1 if nb["cells"] and nb["cells"][0]["cell_type"] == "markdown" else 0, note)
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _copy_notebooks() -> None:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for stale in EXAMPLES.glob("*.ipynb"):
        if not (ROOT / "notebooks" / stale.name).exists():
            stale.unlink()
    for src in sorted((ROOT / "notebooks").glob("*.ipynb")):
        dst, page = EXAMPLES / src.name, notebook_page(src)
        if not dst.exists() or dst.read_bytes() != page:  # unchanged pages keep their time: no rebuild
            dst.write_bytes(page)


_copy_notebooks()

# ---- API reference (autodoc + numpydoc) -------------------------------------------------------------
autodoc_default_options = {"show-inheritance": True}  # the API pages ask for :members:
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc Parameters sections give the types
autosummary_generate = False
numpydoc_show_class_members = False  # autodoc lists the members; no autosummary stub pages
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# ---- HTML: pydata-sphinx-theme, nothing from the network ----------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"therapy-topics {release}"
html_static_path = ["_static"]
html_css_files = ["topics.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "use_edit_page_button": False,
    "show_version_warning_banner": False,
}
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None


# ---- rewriting the README's links while a page includes it ------------------------------------------------
_SECTION = re.compile(r"<!-- docs:start:([\w-]+) -->(.*?)<!-- docs:end:\1 -->", re.S)
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """The anchor MyST gives a heading (myst_heading_anchors): GitHub's rule."""
    from myst_parser.mdit_to_docutils.base import default_slugify

    return default_slugify(heading)


def readme_heading_pages(text: str) -> dict[str, str]:
    """``{heading anchor: page that includes it}`` for the README's marked sections."""
    out = {}
    for key, body in _SECTION.findall(text):
        page = README_SECTION_PAGES.get(key)
        for line in body.splitlines():
            if page and line.startswith("#"):
                out[_slug(line.lstrip("#").strip())] = page
    return out


def rewrite_links(text: str, source: Path, docname: str) -> str:
    """The links of an included file of the repository (``source``), made to work in page ``docname``."""
    anchors = readme_heading_pages(text) if source == ROOT / "README.md" else {}

    def fix(match: re.Match) -> str:
        bang, label, target = match.groups()
        if bang or re.match(r"^[a-z][a-z0-9+.-]*:", target):  # images (:relative-images:), URLs
            return match.group(0)
        if target.startswith("#"):
            page = anchors.get(target[1:])
            if page is None or page == docname:
                return match.group(0)
            return f"[{label}](project:/{page}.md{target})"
        path, _, anchor = target.partition("#")
        file = (source.parent / path).resolve()
        if not file.is_file() or not file.is_relative_to(ROOT):
            return match.group(0)
        rel = file.relative_to(ROOT).as_posix()
        if rel.startswith("docs/") and rel.endswith(".md"):  # a page of this site
            page = rel.removeprefix("docs/").removesuffix(".md")
            return f"[{label}](project:/{page}.md{'#' + anchor if anchor else ''})"
        if rel in REPO_FILE_PAGES:
            return f"[{label}](project:/{REPO_FILE_PAGES[rel]}.md{'#' + anchor if anchor else ''})"
        return f"[{label}](path:/../{rel})"  # a download: the site carries a copy of the file

    return _LINK.sub(fix, text)


CALIBRATION_HEADING = "## Calibration of the group comparisons"


def without_calibration(text: str) -> str:
    """``benchmarks/RESULTS.md`` without its calibration section (the calibration page includes that)."""
    start = text.index(CALIBRATION_HEADING)
    end = text.find("\n## ", start + 1)
    note = CALIBRATION_HEADING + "\n\nOn its own page: [calibration tables](project:/methods/calibration.md).\n"
    return text[:start] + note + (text[end:] if end >= 0 else "")


def _on_include_read(app, relative_path, parent_docname, content) -> None:
    source = (DOCS / relative_path).resolve()
    if source.is_relative_to(ROOT) and not source.is_relative_to(DOCS):
        content[0] = rewrite_links(content[0], source, app.env.docname)
    if source == ROOT / "benchmarks" / "RESULTS.md" and app.env.docname == "methods/benchmarks":
        content[0] = without_calibration(content[0])


# plotly's notebook renderer puts a MathJax <script> from a CDN into every figure's HTML (for LaTeX in
# labels, which these figures do not use); taken out, so that executed notebooks open offline too
_PLOTLY_CDN_MATHJAX = re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*"></script>')


def _offline_outputs(app, doctree) -> None:
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        text = node.astext()
        if _PLOTLY_CDN_MATHJAX.search(text):
            node.replace_self(nodes.raw("", _PLOTLY_CDN_MATHJAX.sub("", text), format=node.get("format", "html")))


def setup(app):
    app.connect("include-read", _on_include_read)
    app.connect("doctree-read", _offline_outputs)
