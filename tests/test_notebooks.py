"""The notebooks run headless, top to bottom, without errors."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    figures = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "application/vnd.plotly.v1+json" in o.get("data", {})
    ]
    assert len(figures) >= 4, "the notebook should show its plotly figures inline"


def test_there_is_an_exploration_notebook():
    assert any(p.name == "01_explore.ipynb" for p in NOTEBOOKS)


def test_notebook_figures_survive_an_html_export(tmp_path):
    """The notebooks' setup cell makes figures that an nbconvert HTML export still draws, offline."""
    import json
    import shutil

    from nbconvert import HTMLExporter
    from playwright.sync_api import sync_playwright

    setup = "".join(json.loads((NOTEBOOKS[0]).read_text(encoding="utf-8"))["cells"][1]["source"])
    assert 'pio.renderers.default = "plotly_mimetype+notebook"' in setup
    renderer = next(line for line in setup.splitlines() if line.startswith("pio.renderers.default"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import plotly.io as pio\n" + renderer),
        nbformat.v4.new_code_cell("import plotly.graph_objects as go\ngo.Figure(go.Bar(x=[1, 2], y=[3, 4]))"),
        nbformat.v4.new_code_cell("go.Figure(go.Scatter(x=[1, 2], y=[4, 3]))"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert html.count("Plotly.newPlot") >= 2  # the figure data is in the exported page ...
    page = tmp_path / "export.html"
    page.write_text(html, encoding="utf-8")
    with sync_playwright() as p:  # ... and draws with no network (plotly.js is in the page, not on a CDN)
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        view = browser.new_page()
        view.goto(page.as_uri())
        view.wait_for_timeout(2000)
        drawn = view.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
        browser.close()
    assert drawn >= 4  # two figures, two svg layers each


def test_ipywidgets_is_installed_for_progress_bars_in_notebooks():
    import ipywidgets  # noqa: F401  (tqdm's notebook bar needs it; without it Jupyter warns "IProgress not found")
