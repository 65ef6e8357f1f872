"""The report's sixth question, "Which codes, and how do the groups differ on them?" (issue 26): shown when the
run has codes of its model, with the numbers `topics compare --codes` writes; readable in a browser (axe);
codes of an earlier fit left out with a line; a hostile codebook escaped."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

import topics
from topics.cli import main
from topics.coding import LabelFile, example_codebook, example_codebook_path

PER_CODE = 25
AUTHOR = "AnnoMI annotators (demo)"


def label_like_the_demo(run) -> pd.DataFrame:
    """25 remarks per code that AnnoMI's annotators coded, written to RUN/labels.yaml (as the guide shows)."""
    book = example_codebook()
    analysis = topics.load_run(run)
    human = analysis.assignments[["utterance_id", "code"]].dropna().replace({"therapist_input": "input"})
    human = human[human["code"].isin(book.names)]
    chosen = human.groupby("code").sample(PER_CODE, random_state=0)
    LabelFile(run / "labels.yaml", book.labels).append(chosen, author=AUTHOR)
    return chosen


@pytest.fixture(scope="module")
def coded_run(annomi_run, tmp_path_factory):
    run = tmp_path_factory.mktemp("report-codes") / "run"
    shutil.copytree(annomi_run[1], run)
    label_like_the_demo(run)
    result = CliRunner().invoke(
        main, ["code", str(run), "--codebook", str(example_codebook_path()), "--labels", str(run / "labels.yaml")]
    )
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture(scope="module")
def page(coded_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-codes-page") / "report.html"
    topics.report(coded_run, out=out, formats=[], progress=False)
    return out.read_text(encoding="utf-8"), out


@pytest.fixture(scope="module")
def compared(coded_run):
    """`topics compare RUN --codes` with the run's settings (the report's)."""
    result = CliRunner().invoke(main, ["compare", str(coded_run), "--codes"])
    assert result.exit_code == 0, result.output
    return coded_run / "compare-codes-mi_quality", result.output


def _question(html: str) -> str:
    return html[html.index('<section id="q-codes"') : html.index('<section id="q-quality"')]


def _answer(html: str) -> str:
    part = _question(html)
    return part[part.index('<div class="answer">') : part.index('<section id="codeshares"')]


@pytest.mark.slow
def test_the_menu_asks_which_codes_after_the_session_and_before_quality(page):
    html, _ = page
    toc = html[html.index('<nav id="toc"') : html.index("</nav>")]
    links = re.findall(r'<a href="#([a-z-]+)">', toc)
    codes = links.index("q-codes")
    assert links[codes - 2 : codes] == ["q-session", "session"] and links[codes + 5] == "q-quality"
    assert links[codes + 1 : codes + 5] == ["codeshares", "codesession", "codetopics", "codeoutside"]
    assert "Which codes, and how do the groups differ on them?" in toc
    sections = re.findall(
        r'<section id="(code[a-z]+)" class="detail">(<details(?: open)?>)\s*<summary><h3>.*?</h3>'
        r'<p class="lead">(.*?)</p>',
        html,
    )
    assert [s[0] for s in sections] == ["codeshares", "codesession", "codetopics", "codeoutside"]
    for sid, details, lead in sections:
        assert details == "<details>", sid  # folded: the answer shows first
        assert lead.endswith(".") and lead.count(". ") == 0, (sid, lead)  # one sentence


@pytest.mark.slow
def test_the_answer_gives_coverage_the_largest_code_differences_and_the_agreement(page, coded_run, compared):
    html, _ = page
    answer = _answer(html)
    coded = pd.read_csv(coded_run / "codes" / "coded.csv")
    claimed = (coded["code"] != "none of these").mean() * 100
    confident = ((coded["code"] != "none of these") & ~coded["low_confidence"]).mean() * 100
    assert f"claims <b>{claimed:.0f}%</b> of the {len(coded):,} remarks" in answer
    assert f"and {confident:.0f}% with confidence" in answer
    assert f"trained on {json.loads((coded_run / 'codes' / 'coder.json').read_text())['labels_trained_on']:,}" in answer
    low = ((coded["code"] != "none of these") & coded["low_confidence"]).mean() * 100
    assert f"{low:.0f}% of the remarks it codes are low-confidence" in answer
    agreement = pd.read_csv(coded_run / "codes" / "agreement.csv").iloc[0]
    assert f"on {int(agreement['n'])} labelled remarks held back" in answer
    assert f"Cohen's kappa <b>{agreement['kappa']:.2f}</b>" in answer
    assert f"(95% interval {agreement['kappa_low']:.2f}–{agreement['kappa_high']:.2f})" in answer

    folder, output = compared  # the numbers of `topics compare --codes`, in the answer and the table
    contrasts = pd.read_csv(folder / "contrasts.csv")
    assert {"coverage.csv", "topics_by_codes.csv", "outside_codebook.csv", "manifest.json"} <= {
        p.name for p in folder.iterdir()
    }
    tested = contrasts[contrasts["p_value"].notna()]
    biggest = tested.reindex(tested["high_minus_low"].abs().sort_values(ascending=False).index).head(3)
    items = re.findall(r"<li>([^<]*?): ([\d.]+)% of high's remarks, ([\d.]+)% of low's \(([-+\d.]+) points", answer)
    assert [i[0] for i in items] == biggest["label"].tolist()
    for (_, a, b, diff), row in zip(items, biggest.itertuples(), strict=True):
        assert (a, b, diff) == (
            f"{row.share_high * 100:.1f}",
            f"{row.share_low * 100:.1f}",
            f"{row.high_minus_low * 100:+.1f}",
        )
    significant = int((tested["q_value"] < 0.05).sum())
    assert f"{significant} of {len(tested)} tested codes differ in share between high and low" in answer
    assert f"{significant} of {len(tested)} code contrasts at q < 0.05" in output
    table = _question(html)[_question(html).index('<section id="codeshares"') :]
    for row in tested.itertuples():
        assert f'<tr><td>{row.label}</td><td class="num">{row.share_high * 100:.1f}%</td>' in table


def test_what_this_report_found_says_what_the_codes_claim_and_how_they_agree(page, coded_run):
    html, _ = page
    summary = html[
        html.index('<section id="summary">') : html.index("</section>", html.index('<section id="summary">'))
    ]
    coded = pd.read_csv(coded_run / "codes" / "coded.csv")
    claimed = (coded["code"] != "none of these").mean() * 100
    agreement = pd.read_csv(coded_run / "codes" / "agreement.csv").iloc[0]
    line = next(x for x in re.findall(r"<li>(.*?)</li>", summary) if x.startswith("Coded with"))
    assert f"{claimed:.0f}% of the remarks take a code" in line
    assert f"on {int(agreement['n'])} held-back labels: kappa {agreement['kappa']:.2f}" in line
    assert f"[{agreement['kappa_low']:.2f}, {agreement['kappa_high']:.2f}]" in line
    assert re.search(r"\d+ of \d+ tested codes differ in share between high and low \(q &lt; 0.05\)", line)


@pytest.mark.slow
def test_topics_and_codes_side_by_side_and_the_topics_outside_the_codebook(page, coded_run):
    html, _ = page
    question = _question(html)
    detail = question[question.index('<section id="codetopics"') : question.index('<section id="codeoutside"')]
    header = re.findall(r"<th>(.*?)</th>", detail)
    assert header[:3] == ["topic", "label", "remarks"] and header[3:7] == example_codebook().names
    analysis = topics.load_run(coded_run)
    n_topics = int((analysis.topics["topic"] != -1).sum())
    assert (
        len(re.findall(r"<tr><td class=\"num\">-?\d+</td>", detail))
        == n_topics + (analysis.topics["topic"] == -1).any()
    )
    outside = question[question.index('<section id="codeoutside"') :]
    assert "topics fit" in outside  # what it takes to model the unclaimed remarks
    coded = pd.read_csv(coded_run / "codes" / "coded.csv").merge(
        analysis.assignments[["utterance_id", "topic"]], on="utterance_id"
    )
    unsure = (coded["code"].eq("none of these") | coded["low_confidence"]).groupby(coded["topic"]).mean()
    expected = int((unsure.drop(index=-1, errors="ignore") >= 0.5).sum())
    assert len(re.findall(r"<tr><td class=\"num\">\d+</td>", outside)) == expected
    if coded["low_confidence"].mean() > 0.5:  # the coder is unsure of most remarks: no topic is called outside
        assert "The coder is unsure of most remarks" in _answer(html) and "lie mostly outside" not in _answer(html)
    else:
        assert f"{expected} of {n_topics} topics lie mostly outside the codebook" in _answer(html)


@pytest.mark.slow
@pytest.mark.parametrize("width", [1400, 900])
def test_the_codes_question_reads_in_a_browser_without_an_axe_violation(page, width):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    _, path = page
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        view = browser.new_page(viewport={"width": width, "height": 900})
        errors: list[str] = []
        view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        view.on("pageerror", lambda e: errors.append(str(e)))
        view.goto(path.as_uri())
        view.wait_for_timeout(1500)
        view.click("#toc > ol > li > a[href='#q-codes']")
        view.wait_for_timeout(300)
        assert view.locator("#toc a[aria-current='true']").get_attribute("href") == "#q-codes"
        height = view.evaluate(
            "(() => { const q = document.getElementById('q-codes'); "
            "return q.querySelector('.answer').getBoundingClientRect().bottom - q.getBoundingClientRect().top; })()"
        )
        assert height < 900 - 60  # the short answer fits one screen
        view.evaluate("location.hash = '#codeshares'")  # the menu's link (hidden in the 900 px bar)
        view.wait_for_timeout(800)
        width_fig = view.evaluate("document.querySelector('#codeshares .js-plotly-plot').getBoundingClientRect().width")
        assert width_fig > width / 3  # drawn at the section's width once opened
        for state in ("#close-all", "#open-all"):
            view.click(state)
            view.wait_for_timeout(1500)
            found = Axe().run(view, context="#q-codes").response["violations"]
            assert [(v["id"], v["impact"]) for v in found] == []
        assert errors == []
        browser.close()


@pytest.mark.slow
def test_codes_of_another_model_are_left_out_with_a_line(coded_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(coded_run, run)
    manifest = run / "codes" / "manifest.json"
    stamp = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**stamp, "model_fingerprint": "f" * 64}))  # as after a refit
    html = topics.report(run, out=tmp_path / "r.html", formats=[], compare_by=False, progress=False).read_text()
    assert 'id="q-codes"' not in html and 'href="#q-codes"' not in html
    warning = re.search(r'<p class="warn">(Codes are not shown: [^<]*)</p>', html).group(1)
    assert "was coded on another model" in warning and "re-run `topics code" in warning


HOSTILE = """name = "<script>alert('book')</script>"
[[codes]]
name = "<script>alert('code')</script>"
description = "The therapist asks the client a question about drinking or smoking."
[[codes]]
name = '<img src=x onerror=alert(1)> & "reflection"'
description = "The therapist says back what the client said, as a statement."
"""


@pytest.mark.slow
def test_code_names_from_a_hostile_codebook_are_escaped(annomi_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(annomi_run[1], run)
    (tmp_path / "book.toml").write_text(HOSTILE, encoding="utf-8")
    result = CliRunner().invoke(main, ["code", str(run), "--codebook", str(tmp_path / "book.toml")])
    assert result.exit_code == 0, result.output
    html = topics.report(run, out=tmp_path / "r.html", formats=[], compare_by=False, progress=False).read_text()
    assert 'id="q-codes"' in html
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;code&#39;)&lt;/script&gt;" in html  # shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;reflection&#34;" in html
