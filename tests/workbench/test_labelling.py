"""The workbench's Codes view without a browser: labels appended and never lost, hostile code names escaped,
the progress line while retraining, where a label file may live, and the ``curate app`` options.

One workbench on a copy of the fitted test run is opened for the module (loading a run takes a while); each
test gives it a labelling session of its own (a new label file, the remarks' vectors reused).
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from topics.cli import main
from topics.coding import NONE_CODE, Codebook, LabelFile, example_codebook, example_codebook_path
from topics.coding.session import LabellingSession
from topics.errors import InputError

pytestmark = pytest.mark.slow

HOSTILE = "<img src=x onerror=alert(1)> & <b>bold</b>"
"""A code name that would run script (and set bold type) if it reached HTML unescaped."""


@pytest.fixture(scope="module")
def codes_wb(workbench_run, tmp_path_factory):
    """A workbench with the example codebook on a private copy of the test run (author set)."""
    from topics.workbench import Workbench

    run = Path(shutil.copytree(workbench_run, tmp_path_factory.mktemp("codes") / "run"))
    return Workbench(run, author="Dr. State", use_ner=False, codebook=example_codebook_path())


def fresh(wb, path: Path, book: Codebook | None = None) -> LabellingSession:
    """A new labelling session of ``wb`` on ``path`` (as a restarted workbench would open it), vectors reused."""
    base = wb.labelling
    session = LabellingSession(
        book or base.codebook, base.remarks, path, embedder=base.embedder, embeddings=base.vectors
    )
    wb.labelling = session
    return session


def test_labels_are_appended_and_never_lost_on_reload(codes_wb, tmp_path):
    """Random sequences of clicks on two pages, retrains, page reloads, workbench restarts and relabels from
    a notebook: the label file holds every label given, in order, with author and time, and only grows."""
    from topics.workbench.labelling import CodesPanel

    path = tmp_path / "state" / "labels.yaml"
    seen: Counter[str] = Counter()
    codes = codes_wb.labelling.codebook.labels

    class Labelling(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            path.parent.mkdir(exist_ok=True)
            path.unlink(missing_ok=True)
            fresh(codes_wb, path)
            self.pages = [CodesPanel(codes_wb), CodesPanel(codes_wb)]
            self.given: list[tuple[str, str, str]] = []
            self.bytes = b""

        @rule(code=st.sampled_from(codes))
        def click_on_the_first_page(self, code: str) -> None:
            self.click_code(0, code)

        @rule(code=st.sampled_from(codes))
        def click_on_the_second_page(self, code: str) -> None:
            self.click_code(1, code)

        @rule()
        def click_the_coders_guess(self) -> None:
            guess = self.pages[0].current["code"]
            self.click_code(0, guess if guess in codes else NONE_CODE)

        def click_code(self, page: int, code: str) -> None:
            panel = self.pages[page]  # its remark may have been labelled on the other page since: labelled again
            uid = panel.current["utterance_id"]
            panel.give(code)
            self.given.append((uid, code, "Dr. State"))
            assert panel.current["utterance_id"] != uid  # the next remark is shown
            assert uid in panel.note.object and "labelled" in panel.note.object
            seen["label"] += 1

        @rule(page=st.integers(0, 1))
        def skip(self, page: int) -> None:
            panel = self.pages[page]
            uid = panel.current["utterance_id"]
            panel.skip()
            assert panel.current["utterance_id"] != uid and uid in panel.skipped
            seen["skip"] += 1

        @rule()
        def retrain(self) -> None:
            self.pages[0].run_retrain()
            assert "Retrained on" in self.pages[0].progress.object or "Zero-shot" in self.pages[0].progress.object
            seen["retrain"] += 1

        @rule(page=st.integers(0, 1))
        def reload_page(self, page: int) -> None:
            self.pages[page] = CodesPanel(codes_wb)
            seen["reload"] += 1

        @rule()
        def restart(self) -> None:
            fresh(codes_wb, path)
            self.pages = [CodesPanel(codes_wb), CodesPanel(codes_wb)]
            seen["restart"] += 1

        @precondition(lambda self: bool(self.given))
        @rule(i=st.integers(0, 1000), code=st.sampled_from(codes))
        def relabel_from_a_notebook(self, i: int, code: str) -> None:
            uid = self.given[i % len(self.given)][0]
            codes_wb.labelling.label(uid, code, author="B. Notebook")
            self.given.append((uid, code, "B. Notebook"))
            seen["relabel"] += 1

        @invariant()
        def the_file_holds_every_label_in_order(self) -> None:
            data = path.read_bytes() if path.exists() else b""
            assert data.startswith(self.bytes)  # appended only: the old bytes unchanged
            self.bytes = data
            table = LabelFile(path, codes).table()
            assert list(zip(table["utterance_id"], table["code"], table["author"], strict=True)) == self.given
            assert table["time"].str.match(r"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d").all()
            latest = dict((u, c) for u, c, _ in self.given)
            counts = codes_wb.labelling.counts().set_index("code")["total"]
            assert counts.to_dict() == {c: sum(v == c for v in latest.values()) for c in codes}

    run_state_machine_as_test(
        Labelling,
        settings=settings(
            max_examples=6,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    assert seen["label"] >= 5 and seen["reload"] + seen["restart"] >= 1, seen


def test_a_hostile_code_name_is_escaped(codes_wb, tmp_path):
    from topics.coding import Code
    from topics.workbench.labelling import CodesPanel

    book = Codebook(
        [*example_codebook().codes, Code(HOSTILE, "Anything at all about the session, the client or the therapist.")]
    )
    session = fresh(codes_wb, tmp_path / "labels.yaml", book)
    remarks = session.remarks["utterance_id"].tolist()
    for uid, code in zip(remarks[:40], [HOSTILE, "question", "reflection", NONE_CODE] * 10, strict=True):
        session.label(uid, code, author="<script>alert(2)</script>")
    session.retrain()
    panel = CodesPanel(codes_wb)
    panel.pick.value = HOSTILE  # the queue for the hostile code: its name in the probability line
    panel.give(HOSTILE)
    shown = "".join(str(p.object) for p in (panel.about, panel.remark, panel.upcoming, panel.agreement, panel.note))
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in shown
    assert "<img" not in shown and "<b>bold" not in shown and "<script" not in shown
    assert shown.count("&lt;img src=x") >= 4  # per-code table, confusion (row and column), counts, P(...)
    # the buttons and the code picker carry the name as plain text (Bokeh sets it as text, not markup)
    assert panel.code_buttons[HOSTILE].label == HOSTILE
    assert panel.pick.options[HOSTILE] == HOSTILE
    assert LabelFile(session.file.path).table()["code"].iloc[-1] == HOSTILE


def test_retrain_shows_a_progress_line_and_keeps_the_page_live(codes_wb, tmp_path):
    """While the coder is fitted (in a worker thread) the button is disabled and a busy line says what runs;
    the page's own thread is free meanwhile (a label can be given)."""
    from topics.workbench.labelling import CodesPanel

    session = fresh(codes_wb, tmp_path / "labels.yaml")
    panel = CodesPanel(codes_wb)
    panel.give("question")
    n = session.summary()["trained_on"]  # 1, or 0 when that remark is held back for checking
    release, started = threading.Event(), threading.Event()
    real = session.retrain

    def slow() -> object:
        coder = real()
        started.set()
        assert release.wait(60)
        return coder

    session.retrain = slow  # type: ignore[method-assign]

    async def scenario() -> None:
        task = asyncio.ensure_future(panel.retrain_async())
        while not started.is_set():
            await asyncio.sleep(0.01)
        assert panel.retrain.disabled and panel.retrain.label == "Retraining..."
        busy = f"Retraining the coder on {n} labels" if n else "Starting the coder from the codebook"
        assert "wb-busy" in panel.progress.object and busy in panel.progress.object
        panel.give("reflection")  # the page answers while the fit runs
        release.set()
        await task

    asyncio.run(scenario())
    assert not panel.retrain.disabled and panel.retrain.label == "Retrain"
    done = f"Retrained on {n} labels" if n else "Zero-shot coder from the codebook"
    assert done in panel.progress.object  # the labels when the fit began: the second came later
    assert len(LabelFile(session.file.path).table()) == 2


def test_where_a_label_file_may_live(codes_wb, tmp_path):
    """RUN/labels.yaml is the user's (kept on refit); a file inside what the fit or a stage rewrites is refused."""
    from topics.runs import carry_over_user_files
    from topics.workbench.labelling import LABELS_NAME, check_label_path, labelling_session

    run = codes_wb.run
    assert check_label_path(run, run / LABELS_NAME) == run / LABELS_NAME
    assert check_label_path(run, tmp_path / "mine.csv") == tmp_path / "mine.csv"
    (run / "experts").mkdir(exist_ok=True)
    check_label_path(run, run / "experts" / "labels.yaml")  # a folder of the user's
    (run / "codes").mkdir(exist_ok=True)
    (run / "codes" / "manifest.json").write_text("{}")  # a stage's folder: replaced when it re-runs
    for bad in (run / "model" / "labels.yaml", run / "codes" / "labels.yaml", run / "topics.csv"):
        with pytest.raises(InputError, match="would be replaced"):
            check_label_path(run, bad)
    with pytest.raises(InputError, match="would be replaced"):
        labelling_session(run, codes_wb.analysis, example_codebook_path(), run / "model" / "labels.yaml")
    # a refit keeps the label file (what `topics fit --out RUN` copies into the new run folder)
    LabelFile(run / LABELS_NAME).append([{"utterance_id": "x-1", "code": "question"}], author="A")
    new = tmp_path / "refit"
    new.mkdir()
    carry_over_user_files(run, new)
    assert (new / LABELS_NAME).read_bytes() == (run / LABELS_NAME).read_bytes()


def test_curate_app_options(tmp_path):
    result = CliRunner().invoke(main, ["curate", "app", str(tmp_path), "--labels", "l.yaml", "--no-browser"])
    assert result.exit_code == 2 and "--labels needs --codebook" in result.output
    result = CliRunner().invoke(main, ["curate", "app", "--help"])
    assert "--codebook" in result.output and "RUN/labels.yaml" in result.output
