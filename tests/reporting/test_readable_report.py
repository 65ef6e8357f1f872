"""A report a clinician reads without help: a five-line summary, collapsible sections that each open with one
sentence, p-values as "< 0.001" with their permutation floor, the drift table's left-out sessions explained,
a reading aid for NPMI, curated names in the stability chart, no repeated remarks, and progress lines."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

import topics
from topics.reporting.context import _distinct, _keywords, accuracy_plain, at_floor, drift_rows, pval, summary_lines
from topics.reporting.html_report import stability_names
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
    summary = html[html.index('<section id="summary">') : html.index('<section id="q-talk"')]
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
    assert html.index('id="summary"') < html.index('id="q-talk"') < html.index('id="corpus"')


QUESTIONS = ("q-talk", "q-groups", "q-session", "q-quality", "q-data")
DETAILS = ("topics", "sizes", "map", "hierarchy", "curation", "documents", "compare", "words", "session", "quality")
DETAILS += ("corpus", "method")


@pytest.mark.slow
def test_sections_collapse_and_open_with_one_sentence(page):
    html = page.read_text(encoding="utf-8")
    sections = re.findall(
        r'<section id="([a-z]+)" class="detail">(<details(?: open)?>)\s*<summary><h3>.*?</h3><p class="lead">(.*?)</p>',
        html,
    )
    assert {s[0] for s in sections} == set(DETAILS)
    for sid, details, lead in sections:
        assert details == "<details>", sid  # every detail folded as the page opens: the answers show
        assert lead.endswith(".") and lead.count(". ") == 0, (sid, lead)  # one sentence


@pytest.mark.slow
def test_the_report_answers_one_question_at_a_time_with_a_menu_to_each(page):
    """Issue 24: the report is organised by the questions a clinician asks; each starts with a short answer,
    the detail folded below it; a menu (table of contents) links to every question and every detail."""
    html = page.read_text(encoding="utf-8")
    toc = html[html.index('<nav id="toc"') : html.index("</nav>")]
    links = re.findall(r'<a href="#([a-z-]+)">', toc)
    assert links == ["summary", *[x for q in QUESTIONS for x in (q, *_parts(q))]]
    for q in QUESTIONS:
        start = html.index(f'<section id="{q}" class="question"')
        first_detail = html.index('class="detail"', start)
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", html[start:first_detail]).group(1)
        assert heading.endswith("?"), heading  # a question
        assert '<div class="answer">' in html[start:first_detail], q  # its short answer before the detail
    assert "How do high and low differ?" in html  # the run compares by mi_quality


def _parts(question: str) -> tuple[str, ...]:
    return {
        "q-talk": ("topics", "sizes", "map", "hierarchy", "curation", "documents"),
        "q-groups": ("compare", "words"),
        "q-session": ("session",),
        "q-quality": ("quality",),
        "q-data": ("corpus", "method"),
    }[question]


@pytest.mark.slow
def test_jargon_on_the_first_screen_has_a_plain_sentence_beside_it(page):
    """Issue 24: Jensen-Shannon divergence and balanced accuracy, where a clinician first meets them, say in
    words what their numbers mean."""
    html = page.read_text(encoding="utf-8")
    answer = html[html.index('<section id="q-groups"') : html.index('<section id="compare"')]
    jsd = re.search(r"<li>(?:(?!</li>).)*Jensen-Shannon divergence.*?</li>", answer, re.S).group(0)
    assert "0 means the same topic mix and 1 means no topic in common" in jsd
    accuracy = re.search(r"<li>(?:(?!</li>).)*balanced accuracy.*?</li>", answer, re.S).group(0)
    assert "50% is no better than a coin toss, 100% is always right" in accuracy
    summary = html[html.index('<section id="summary">') : html.index('<section id="q-talk"')]
    assert "balanced accuracy" in summary and "50% is no better than a coin toss" in summary
    drift = html[html.index('<section id="q-session"') : html.index('<section id="session"')]
    assert "0 means every session of the group has the same topic mix" in drift
    assert "0 means the same mix in both halves" in drift


@pytest.mark.slow
def test_the_drift_table_prints_each_test_once_beside_the_difference(page):
    """Issue 24: the drift/shift table repeated one p-value on both group rows; now one row per measure,
    the groups side by side, the difference, and its p and q once."""
    html = page.read_text(encoding="utf-8")
    table = html[html.index('<table class="drift">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", table)
    assert [r[0] for r in rows] == ["Drift", "Shift"]
    header = re.findall(r"<th>(.*?)</th>", table)
    assert header.count("p (Welch t, group labels permuted)") == 1
    assert "high minus low" in header  # the difference the p tests, by direction
    for _, cells in rows:
        assert len(re.findall(r'<td class="num">', cells)) == 7  # 2 groups x (mean, sessions), difference, p, q


def test_drift_rows_put_the_groups_side_by_side_and_the_test_once():
    summary = pd.DataFrame(
        {
            "measure": ["drift", "drift", "shift", "shift"],
            "group": ["b", "a", "a", "b"],
            "sessions": [10, 12, 12, 10],
            "mean": [0.2, 0.1, 0.3, 0.35],
            "low": [0.1, 0.05, 0.2, 0.3],
            "high": [0.3, 0.15, 0.4, 0.4],
            "p_value": [0.04, 0.04, 0.5, 0.5],
            "q_value": [0.08, 0.08, 0.5, 0.5],
            "difference": [-0.1, -0.1, -0.05, -0.05],
        }
    )
    rows = drift_rows(summary, ["a", "b"])
    assert [r["name"] for r in rows] == ["Drift", "Shift"]
    assert [g["group"] for g in rows[0]["groups"]] == ["a", "b"]  # in the comparison's order
    assert rows[0]["groups"][0]["mean"] == 0.1 and rows[0]["p"] == 0.04 and rows[0]["difference"] == -0.1
    assert rows[0]["direction"] == "a minus b"
    three = summary.assign(p_value=float("nan"), difference=float("nan"))
    assert drift_rows(three, ["a", "b", "c"])[0]["p"] is None
    assert drift_rows(pd.DataFrame(), ["a", "b"]) == []


def test_balanced_accuracy_in_plain_words():
    assert accuracy_plain(0.5) == "50% is no better than a coin toss, 100% is always right"
    assert accuracy_plain(1 / 3).startswith("33% is no better than guessing among 3 groups")


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
        view = browser.new_page(viewport={"width": 1400, "height": 900})
        view.goto(page.as_uri())
        view.wait_for_timeout(1500)
        is_open = "id => document.querySelector('#' + id + ' > details').open"
        assert not view.evaluate(is_open, "corpus") and not view.evaluate(is_open, "map")
        view.click("#toc a[href='#map']")
        view.wait_for_timeout(800)
        assert view.evaluate(is_open, "map")
        width = view.evaluate("document.querySelector('#map .js-plotly-plot').getBoundingClientRect().width")
        assert width > 600  # drawn at the section's width once opened, not at a hidden container's
        view.click("#open-all")
        assert all(view.evaluate(is_open, s) for s in DETAILS)
        height = view.evaluate("document.documentElement.scrollHeight")
        view.click("#close-all")
        assert not any(view.evaluate(is_open, s) for s in DETAILS)
        assert view.evaluate("document.documentElement.scrollHeight") < height / 3
        browser.close()


@pytest.mark.slow
@pytest.mark.parametrize("width", [1400, 900])
def test_the_menu_stays_on_screen_and_each_answer_fits_one_screen(page, width):
    """Issue 24: the table of contents stays visible while the page scrolls (a side column at 1400 px, a
    compact bar along the top at 900 px), marks the question being read, and takes the reader there; every
    question's short answer fits on one screen; no console errors and no serious or critical axe violation."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        view = browser.new_page(viewport={"width": width, "height": 900})
        errors: list[str] = []
        view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        view.on("pageerror", lambda e: errors.append(str(e)))
        view.goto(page.as_uri())
        view.wait_for_timeout(1500)
        toc = "document.getElementById('toc').getBoundingClientRect()"
        for q in QUESTIONS:
            view.click(f"#toc > ol > li > a[href='#{q}']")
            view.wait_for_timeout(300)
            box = view.evaluate(f"(() => {{ const r = {toc}; return [r.top, r.left, r.width, r.height]; }})()")
            assert view.evaluate("window.scrollY") > 500  # the page moved ...
            assert box[0] == 0 and box[1] == 0  # ... and the menu is still at the top left, on screen
            if width > 900:
                assert box[2] < 300 and box[3] > 400  # a side column
            else:
                assert box[2] == width and box[3] < 60  # a thin bar along the top
            top = view.evaluate(f"document.getElementById('{q}').getBoundingClientRect().top")
            end = view.evaluate("innerHeight + scrollY >= document.documentElement.scrollHeight - 2")
            assert box[3] * (width <= 900) <= top < (900 if end else 300), (q, top)  # on screen, not under the bar
            current = view.locator("#toc a[aria-current='true']")
            assert current.count() == 1 and current.get_attribute("href") == f"#{q}"
        for q in QUESTIONS:  # the answer (from the question to the end of its answer) fits a 900 px screen
            height = view.evaluate(
                "id => { const q = document.getElementById(id); "
                "return q.querySelector('.answer').getBoundingClientRect().bottom - q.getBoundingClientRect().top; }",
                q,
            )
            assert height < 900 - 60, (q, height)
        for state in ("#close-all", "#open-all"):
            view.click(state)
            view.wait_for_timeout(1500)
            violations = Axe().run(view).response["violations"]
            assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
        assert errors == []
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
