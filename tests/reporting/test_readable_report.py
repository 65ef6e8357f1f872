"""A report a clinician reads without help: a five-line summary, collapsible sections that each open with one
sentence, p-values as "< 0.001" with their permutation floor, the drift table's left-out sessions explained,
a reading aid for NPMI, curated names in the stability chart, no repeated remarks, and progress lines."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

import topics
from topics.reporting.context import _distinct, _keywords, at_floor, pval, stability_names, summary_lines
from topics.runs import stamp_derived


def test_pval_prints_small_values_as_below_a_thousandth():
    assert pval(0.0) == "< 0.001" and pval(0.000999) == "< 0.001"
    assert pval(0.001) == "0.001" and pval(0.0434) == "0.043"
    assert pval(float("nan")) == "" and pval(None) == ""


def test_at_floor_recognises_the_smallest_permutation_p():
    assert at_floor(1 / 201) == 200 and at_floor(1 / 2001) == 2000
    assert at_floor(3 / 201) is None and at_floor(0.05) is None and at_floor(float("nan")) is None


def test_remarks_and_keywords_without_repeats():
    remarks = ["Okay. So, tell me more.", "okay so tell me more", "What else?", "Okay, so tell me more!"]
    assert _distinct(remarks) == ["Okay. So, tell me more.", "What else?"]
    assert _keywords("smoking, ve, drinking drinking, drinking, oh oh, ii diabetes") == "smoking, drinking, diabetes"


@pytest.fixture(scope="module")
def curated_run(annomi_run, tmp_path_factory):
    """A copy of the AnnoMI run with a two-decision ledger and a stability evaluation (one topic at 0%)."""
    from topics.curate import Curator

    analysis, folder = annomi_run
    run = tmp_path_factory.mktemp("readable") / "run"
    shutil.copytree(folder, run)
    raw = analysis.topics[analysis.topics["topic"] != -1].sort_values("size", ascending=False)["topic"].tolist()
    cur = Curator(analysis.model, run / "ledger.yaml", author="test")
    cur.merge([int(raw[0]), int(raw[1])], "Merged largest", rationale="test")
    cur.rename(int(raw[2]), "Renamed third", rationale="test")
    (run / "evaluation").mkdir(exist_ok=True)
    per = pd.DataFrame(
        {"topic": raw, "reappears": [0.0] + [1.0] * (len(raw) - 1), "robust": [False] + [True] * (len(raw) - 1)}
    )
    per.to_csv(run / "evaluation" / "stability_topics.csv", index=False)
    pd.DataFrame({"fit_a": [0, 0, 1], "fit_b": [1, 2, 2], "ari": [0.8, 0.7, 0.75]}).to_csv(
        run / "evaluation" / "stability_pairwise.csv", index=False
    )
    stamp_derived(run / "evaluation", analysis.fingerprint, written_by="test")  # computed on this run's model
    return run, raw


@pytest.fixture(scope="module")
def page(curated_run, tmp_path_factory):
    run, _ = curated_run
    out = tmp_path_factory.mktemp("page") / "report.html"
    topics.report(run, out=out, formats=[])
    return out


@pytest.mark.slow
def test_summary_at_the_top_in_five_lines_with_computed_numbers(page, curated_run):
    html = page.read_text(encoding="utf-8")
    summary = html[html.index('<section id="summary">') : html.index('<section id="corpus">')]
    lines = re.findall(r"<li>(.*?)</li>", summary)
    assert 4 <= len(lines) <= 5
    analysis = topics.load_run(curated_run[0])
    n_topics = int((analysis.topics["topic"] != -1).sum())
    assert f"grouped into {n_topics} topics" in lines[0]
    assert f"{int(analysis.summary['remarks']):,} therapist remarks" in lines[0]
    assert "Merged largest" in lines[1]  # the largest curated topic, by its curated name
    assert "curation turned the model" in lines[2]
    assert "(2 decisions: 2 applied as written, 0 remapped to this model&#39;s topics, 0 not applied)" in lines[2]
    assert "differ in prevalence (q &lt; 0.05)" in lines[3]  # the run compares by mi_quality
    assert "raw topics reappear in at least 80% of refits" in lines[4]
    assert html.index('id="summary"') < html.index('id="corpus"')


@pytest.mark.slow
def test_sections_collapse_and_open_with_one_sentence(page):
    html = page.read_text(encoding="utf-8")
    sections = re.findall(
        r'<section id="([a-z]+)">(<details(?: open)?>)?\s*(<summary><h2>.*?</h2><p class="lead">(.*?)</p>)?', html
    )
    by_id = {s[0]: s for s in sections}
    assert set(by_id) >= {
        "summary",
        "corpus",
        "topics",
        "sizes",
        "map",
        "hierarchy",
        "curation",
        "documents",
        "compare",
        "quality",
        "method",
    }
    for sid, details, _, lead in sections:
        if sid == "summary":
            assert not details  # always open
            continue
        assert details == ("<details open>" if sid == "corpus" else "<details>"), sid
        assert lead.endswith(".") and lead.count(". ") == 0, (sid, lead)  # one sentence


@pytest.mark.slow
def test_p_values_never_print_as_zero_and_the_floor_is_stated(page):
    html = page.read_text(encoding="utf-8")
    assert not re.search(r'<td class="num">0\.000</td>', html)  # (the rendering of "< 0.001": test_pval_...)
    assert "the smallest p it can give is 1/2,001 = 0.0005" in html
    assert "Drift and shift use the sessions with at least 6 remarks in topics" in html


@pytest.mark.slow
def test_quality_has_a_reading_aid_and_the_stability_chart_curated_names(page, curated_run):
    html = page.read_text(encoding="utf-8")
    assert "Reading the NPMI." in html and "benchmarks/RESULTS.md" in html
    _, raw = curated_run
    assert f"raw {raw[0]} \\u2192 " in html or f"raw {raw[0]} → " in html  # raw topics named by their curated topic
    assert '"text":["0%"' in html.replace(" ", "") or '"0%"' in html  # a 0% bar says so


@pytest.mark.slow
def test_stability_names_follow_the_curation(curated_run):
    run, raw = curated_run
    analysis = topics.load_run(run)
    names = stability_names(analysis)
    assert names[int(raw[0])].endswith(": Merged largest") and names[int(raw[1])].endswith(": Merged largest")
    assert names[int(raw[2])].endswith(": Renamed third")
    assert stability_names(topics.load_run(run, raw=True)) == {}


@pytest.mark.slow
def test_summary_lines_without_curation_or_comparison(annomi_run):
    analysis, _ = annomi_run
    lines = summary_lines(analysis, None, None)
    assert len(lines) == 3 and "not curated by an expert" in lines[2]


@pytest.mark.slow
def test_report_prints_progress_with_the_elapsed_time(curated_run, tmp_path, capsys):
    run, _ = curated_run
    topics.report(run, out=tmp_path / "r.html", formats=[], compare_by=False)
    err = capsys.readouterr().err
    steps = [line for line in err.splitlines() if "] report: " in line]
    assert any("loading the run" in s for s in steps) and any("drawing the topic figures" in s for s in steps)
    assert re.search(r"report: written to .*r\.html in \d+\.\d s$", steps[-1])
    topics.report(run, out=tmp_path / "quiet.html", formats=[], compare_by=False, progress=False)
    assert "report:" not in capsys.readouterr().err


@pytest.mark.slow
def test_sections_open_from_the_menu_and_figures_get_their_width(page):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        view = browser.new_page(viewport={"width": 900, "height": 900})
        view.goto(page.as_uri())
        view.wait_for_timeout(1500)
        is_open = "id => document.querySelector('#' + id + ' > details').open"
        assert view.evaluate(is_open, "corpus") and not view.evaluate(is_open, "map")
        view.click("nav a[href='#map']")
        view.wait_for_timeout(800)
        assert view.evaluate(is_open, "map")
        width = view.evaluate("document.querySelector('#map .js-plotly-plot').getBoundingClientRect().width")
        assert width > 600  # drawn at the section's width once opened, not at a hidden container's
        view.click("#open-all")
        assert all(view.evaluate(is_open, s) for s in ("topics", "documents", "quality", "method"))
        height = view.evaluate("document.documentElement.scrollHeight")
        view.click("#close-all")
        assert view.evaluate("document.documentElement.scrollHeight") < height / 3
        browser.close()


def test_long_tables_show_their_first_rows_and_the_document_map_highlights_a_topic(page):
    """Issue 24: a long table is cut to its first rows with a button for the rest; hovering a remark of the
    document map fades the other topics, leaving the map readable with many topics."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        view = browser.new_page(viewport={"width": 1400, "height": 900})
        view.goto(page.as_uri())
        view.wait_for_timeout(1500)
        view.click("#open-all")
        topics_rows = "Array.from(document.querySelectorAll('#topics table tr')).filter(r => r.querySelector('td'))"
        total = view.evaluate(f"{topics_rows}.length")
        assert total > 15  # the AnnoMI run has more topics than the first rows
        assert view.evaluate(f"{topics_rows}.filter(r => !r.hidden).length") == 12
        button = view.locator("#topics button.more-rows")
        assert button.inner_text() == f"show all {total} rows"
        button.click()
        assert view.evaluate(f"{topics_rows}.filter(r => !r.hidden).length") == total
        assert button.get_attribute("aria-expanded") == "true"

        fig = "document.querySelector('[id^=\"fig-document\"]')"
        names = view.evaluate(f"{fig}.data.map(t => t.name)")
        assert names[-1] == "topic numbers" and len(names) > 3
        view.evaluate(f"{fig}.emit('plotly_hover', {{points: [{{curveNumber: 1}}]}})")
        faded = view.evaluate(f"{fig}.data.map(t => t.marker && t.marker.opacity)")
        assert faded[1] == 0.95 and faded[0] == 0.06 and faded[2] == 0.06
        view.evaluate(f"{fig}.emit('plotly_unhover', {{}})")
        assert set(view.evaluate(f"{fig}.data.slice(0, -1).map(t => t.marker.opacity)")) == {0.7}
        browser.close()
