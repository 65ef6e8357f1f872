"""The Codes view in a real browser (Debian chromium through Playwright) against ``topics curate app --codebook``.

An expert labels the remarks the page offers by clicking the code the AnnoMI annotators gave each one, retrains,
sees the agreement panel change to the few-shot coder's, reloads the page, and the label file holds every click
with its author and time. The codebook carries a code whose name is markup: it is shown as text and never runs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.workbench.conftest import start_workbench
from topics.coding import NONE_CODE, Codebook, Coder, LabelFile, example_codebook_path, is_held_out
from topics.coding.session import LabellingSession

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")
HOSTILE = "<img src=x onerror=alert(1)>"
HUMAN = {"question": "question", "reflection": "reflection", "therapist_input": "input", "other": "other"}
"""AnnoMI's behaviour codes in the example codebook's names."""


def _wait_attribute(locator, name: str, differs_from: str | None, tries: int = 600) -> str:
    """Wait until the element's attribute is set and differs from ``differs_from``; return it."""
    for _ in range(tries):
        value = locator.get_attribute(name) if locator.count() else None
        if value is not None and value != differs_from:
            return value
        locator.page.wait_for_timeout(100)
    raise AssertionError(f"{name} stayed {differs_from!r}")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_label_retrain_and_read_the_agreement_in_the_browser(run_folder, tmp_path, embedder):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    book_path = tmp_path / "codebook.toml"
    book_path.write_text(
        example_codebook_path().read_text(encoding="utf-8")
        + f'\n[[codes]]\nname = "{HOSTILE}"\ndescription = "A picture of a xylophone in a quartz museum."\n',
        encoding="utf-8",
    )
    remarks = pd.read_parquet(run_folder / "model" / "assignments.parquet")
    truth = {u: HUMAN.get(str(c), NONE_CODE) for u, c in zip(remarks["utterance_id"], remarks["code"], strict=True)}
    proc, url = start_workbench(run_folder, "--author", "Dr. Codes", "--codebook", str(book_path))
    given: list[tuple[str, str]] = []
    dialogs: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
            page.goto(url)
            page.get_by_text("Curation workbench").first.wait_for(timeout=60_000)
            page.get_by_text("Codes", exact=True).first.click()
            remark = page.locator("#wb-remark")
            coder = page.locator("#codes-coder")
            uid = _wait_attribute(remark, "data-utterance", None)
            assert "zero-shot" in coder.inner_text()
            page.wait_for_timeout(1500)  # the key bar's screen-reader repairs run within a second of drawing
            violations = Axe().run(page).response["violations"]
            assert [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")] == []
            # the markup code name is a button's text, as written
            assert page.get_by_role("button", name=HOSTILE, exact=True).count() == 1
            # label as the annotators did, until some labels train the coder and some are held back to check it
            held = trained = 0
            while held < 3 or trained < 10:
                assert len(given) < 80, "the queue never offered remarks held back for checking"
                code = truth[uid]
                page.get_by_role("button", name=code, exact=True).click()
                given.append((uid, code))
                if is_held_out([uid]).iloc[0]:
                    held += 1
                else:
                    trained += 1
                uid = _wait_attribute(remark, "data-utterance", uid)
            page.get_by_text(f"labelled '{given[-1][1]}' by Dr. Codes").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="skip", exact=True).click()  # skipping writes nothing
            uid = _wait_attribute(remark, "data-utterance", uid)
            # a double click labels the remark the expert read, once: not the next one too
            page.get_by_role("button", name=truth[uid], exact=True).dblclick()
            given.append((uid, truth[uid]))
            held, trained = (held + 1, trained) if is_held_out([uid]).iloc[0] else (held, trained + 1)
            uid = _wait_attribute(remark, "data-utterance", uid)
            page.wait_for_timeout(1500)
            assert [
                tuple(r)
                for r in LabelFile(Path(run_folder) / "labels.yaml").table()[["utterance_id", "code"]].to_numpy()
            ] == given
            panel_before = page.locator("#codes-check").inner_text()
            before = page.locator("#codes-agreement").inner_text()
            assert f"Agreement on {held} held-out labels" in before  # the zero-shot coder, checked
            page.get_by_role("button", name="Retrain", exact=True).click()
            page.get_by_text(f"Retrained on {trained} labels").first.wait_for(timeout=120_000)
            _wait_attribute(coder, "data-version", "0")
            assert f"few-shot, trained on {trained} labels" in coder.inner_text()
            after = page.locator("#codes-agreement").inner_text()
            # before: the zero-shot coder's agreement; after: the few-shot coder's, as a notebook computes them
            check = LabellingSession(Codebook.load(book_path), remarks, run_folder / "labels.yaml", embedder=embedder)
            few = check.agreement()
            check.coder, check.version = Coder(check.codebook, embedder).fit(), -1
            zero = check.agreement()
            assert few is not None and zero is not None and few.n == zero.n == held
            for result, text in ((zero, before), (few, after)):
                assert f"Cohen's kappa\t{result.kappa:.2f} (95% interval {result.kappa_low:.2f} to" in text
            assert page.locator("#codes-check").inner_text() != panel_before  # the agreement panel changed
            if f"{few.kappa:.2f}" != f"{zero.kappa:.2f}":
                assert after != before
            page.reload()
            page.get_by_text("Codes", exact=True).first.click()
            counts = page.locator("#codes-counts")
            counts.wait_for(timeout=60_000)
            total = pd.Series([c for _, c in given]).value_counts()
            for code, n in total.items():
                assert counts.locator("tr", has_text=code).first.inner_text().split("\t")[-1] == str(n)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert dialogs == []
    table = LabelFile(Path(run_folder) / "labels.yaml").table()
    assert list(zip(table["utterance_id"], table["code"], strict=True)) == given
    assert set(table["author"]) == {"Dr. Codes"}
    assert table["time"].str.match(r"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$").all()
