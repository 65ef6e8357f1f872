"""Stateful property-based tests of the workbench's action layer, driven through its Panel widgets (no browser).

Hypothesis plays random sequences of what a user does on one page: tick and untick rows of the topic
list, type topic numbers, search the list, fill the label, bucket, note and rationale fields, and press
Merge, Rename, Drop, Note, Split, Undo and Redo. A shadow model keeps the selection the user made and
the drop waiting for confirmation; after every step the page must agree with it:

* the Topics box shows exactly the ticked topics, in the order they were picked;
* an action that is done empties the selection and the label, bucket, note and rationale fields;
* an action that is refused (or a drop that asks first) changes nothing: ledger file, topic list,
  ticks, Topics box, fields;
* a drop of more than a tenth of the remarks is written only by a confirming second click on the same
  selection and bucket, and any change of the selection or the bucket cancels the question.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

pytestmark = pytest.mark.slow

FIELDS = ("label", "bucket", "note_text", "rationale")
TEXTS = ("", "Alpha", "Beta", "small talk", "Part one; Part two", "bad\nline", "x" * 301)
"""Field values: usable ones, a split's two labels, and two the session refuses (a line break, too long)."""
BUTTONS = ("Merge", "Rename", "Drop", "Note", "Split", "Undo", "Redo")


def ticked(page: Any) -> list[int]:
    """The topics whose rows are ticked, in list order."""
    rows = page.table.value["topic"].astype(int).tolist()
    return [rows[i] for i in sorted(page.table.selection)]


def snapshot(page: Any) -> dict[str, Any]:
    """What a refused action must leave as it was."""
    path = Path(page.wb.ledger_path)
    return {
        "ledger": path.read_bytes() if path.exists() else None,
        "entries": [e.describe() for e in page.wb.session.ledger.entries],
        "version": page.wb.session.version,
        "table": page.table.value.copy(),
        "selection": list(page.table.selection),
        "box": page.topics.value,
        "fields": {f: getattr(page, f).value for f in FIELDS},
    }


def drop_share(page: Any, topics: list[int]) -> float:
    """The share of all remarks that dropping ``topics`` would set aside."""
    a = page.wb.session.view.assignments
    return float((a["topic"].isin(topics) & (a["bucket"] == "")).sum() / len(a))


def machine_for(fresh_page: Callable[[], Any], seen: Counter[str]) -> type[RuleBasedStateMachine]:
    """A state machine class whose every run starts from a new page on an empty ledger.

    Parameters
    ----------
    fresh_page : callable
        Returns a new ``_Page`` on a workbench with an empty ledger.
    seen : collections.Counter
        Counts the outcomes of button presses (``"Merge: done"``, ``"Drop: asks first"``, ...).

    Returns
    -------
    type
        A :class:`hypothesis.stateful.RuleBasedStateMachine` subclass.
    """

    class WorkbenchMachine(RuleBasedStateMachine):
        @initialize()
        def open_page(self) -> None:
            self.page = fresh_page()
            self.expected: list[int] = []
            self.pending: tuple[tuple[int, ...], str] | None = None
            self.fresh = 0

        # ------------------------------------------------------------ what the user does
        def _select(self, topics: list[int]) -> None:
            if topics != self.expected:
                self.pending = None
            self.expected = topics

        @rule(i=st.integers(0, 200))
        def tick(self, i: int) -> None:
            rows = self.page.table.value["topic"].astype(int).tolist()
            if not rows:
                return
            i %= len(rows)
            if i in self.page.table.selection:
                return
            self.page.table.selection = [*self.page.table.selection, i]
            self._select([*self.expected, rows[i]])

        @rule(i=st.integers(0, 200))
        def untick(self, i: int) -> None:
            selection = list(self.page.table.selection)
            if not selection:
                return
            rows = self.page.table.value["topic"].astype(int).tolist()
            gone = selection[i % len(selection)]
            self.page.table.selection = [j for j in selection if j != gone]
            self._select([t for t in self.expected if t != rows[gone]])

        @rule()
        def untick_all(self) -> None:
            self.page.table.selection = []
            self._select([])

        @rule(numbers=st.lists(st.integers(-1, 40), max_size=3))
        def type_topics(self, numbers: list[int]) -> None:
            known = set(self.page.wb.topic_table()["topic"].astype(int))
            self.page.topics.value = " ; ".join(map(str, numbers))  # an odd but valid spelling
            self._select(list(dict.fromkeys(t for t in numbers if t in known)))

        @rule(i=st.integers(0, 200), bogus=st.booleans())
        def click_bubble(self, i: int, bogus: bool) -> None:
            """A click on the intertopic map: a listed topic (added to the selection) or an unknown number."""
            known = self.page.wb.topic_table()["topic"].astype(int).tolist()
            topic = 999 if bogus or not known else known[i % len(known)]
            self.fresh += 1  # plotly sends a new event per click; a new point number makes it a new value here
            self.page.intertopic.click_data = {"points": [{"text": str(topic), "pointNumber": self.fresh}]}
            if topic in known:
                self._select(list(dict.fromkeys([*self.expected, topic])))

        @rule()
        def type_garbage(self) -> None:
            self.page.topics.value = "3, x"
            assert "not a topic number" in self.page.message.object

        @rule(query=st.sampled_from(["", "1", "zzz-no-such-word", "you"]))
        def search(self, query: str) -> None:
            self.page.search.value = query

        @rule(field=st.sampled_from(FIELDS), text=st.sampled_from(TEXTS))
        def fill(self, field: str, text: str) -> None:
            if field == "bucket" and text != self.page.bucket.value:
                self.pending = None
            getattr(self.page, field).value = text

        @rule(name=st.sampled_from(BUTTONS))
        def press(self, name: str) -> None:
            page = self.page
            before = snapshot(page)
            key = (tuple(self.expected), page.bucket.value.strip())
            share = drop_share(page, self.expected)
            page.buttons[name].clicks += 1
            after = snapshot(page)
            if after["version"] != before["version"]:  # done
                seen[f"{name}: done"] += 1
                assert after["entries"] != before["entries"]
                if name == "Drop":
                    assert share <= 0.1 or self.pending == key, "a large drop was written without confirmation"
                assert after["selection"] == [] and after["box"] == "" and page.chosen == []
                assert after["fields"] == dict.fromkeys(FIELDS, "")
                self.expected, self.pending = [], None
                return
            # refused, or asked to confirm: nothing changed
            assert after["ledger"] == before["ledger"] and after["entries"] == before["entries"]
            pd.testing.assert_frame_equal(after["table"], before["table"])
            for what in ("selection", "box", "fields"):
                assert after[what] == before[what], what
            if name == "Drop" and self.expected and share > 0.1 and self.pending != key:
                assert "wb-message confirm" in page.message.object, page.message.object
                assert page.buttons["Drop"].label.startswith("Confirm drop of ")
                self.pending = key
                seen["Drop: asks first"] += 1
            else:
                seen[f"{name}: refused"] += 1
                assert "wb-message conflict" in page.message.object, page.message.object

        @rule(name=st.sampled_from(BUTTONS), picks=st.lists(st.integers(0, 200), min_size=1, max_size=3))
        def tick_fill_and_press(self, name: str, picks: list[int]) -> None:
            """A likely-to-succeed action: tick a few rows, give fresh texts, press (each step as above)."""
            self.untick_all()
            for i in picks[:1] if name in ("Rename", "Split") else picks:
                self.tick(i)
            if name == "Merge" and len(self.expected) < 2:
                self.tick(picks[0] + 1)
            self.fresh += 1
            label = f"Part A{self.fresh}; Part B{self.fresh}" if name == "Split" else f"Label {self.fresh}"
            self.fill("label", label)
            self.fill("note_text", f"note {self.fresh}")
            self.press(name)
            if name == "Drop" and self.pending is not None:
                self.press(name)  # the confirming click

        @rule(confirm=st.booleans())
        def drop_the_largest(self, confirm: bool) -> None:
            """Tick the largest topics until they hold more than a tenth of the remarks, press Drop (twice?)."""
            self.untick_all()
            sizes = self.page.table.value["size"].tolist()
            for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
                self.tick(i)
                if drop_share(self.page, self.expected) > 0.1:
                    break
            self.press("Drop")
            if confirm:
                self.press("Drop")

        # ------------------------------------------------------------ what must always hold
        @invariant()
        def the_topics_box_is_the_ticked_set(self) -> None:
            page = self.page
            assert page.chosen == self.expected
            assert page.topics.value == ", ".join(map(str, self.expected))
            assert sorted(ticked(page)) == sorted(self.expected)

        @invariant()
        def the_drop_button_says_whether_it_waits(self) -> None:
            waiting = self.page.buttons["Drop"].label.startswith("Confirm drop of ")
            assert waiting == (self.pending is not None)

        @invariant()
        def the_ledger_file_holds_the_session_entries(self) -> None:
            from topics.curate import Ledger

            path = Path(self.page.wb.ledger_path)
            if path.exists():
                on_disk = [e.describe() for e in Ledger.load(path).entries]
                assert on_disk == [e.describe() for e in self.page.wb.session.ledger.entries]

    return WorkbenchMachine


def test_random_sessions_keep_selection_and_fields_honest(run_folder, tmp_path):
    from topics.curate import CurationSession
    from topics.workbench import Workbench
    from topics.workbench.page import _Page

    wb = Workbench(run_folder, author="Dr. Property", use_ner=False)
    numbers = itertools.count()
    seen: Counter[str] = Counter()

    def fresh_page() -> Any:
        wb.ledger_path = tmp_path / f"ledger{next(numbers)}.yaml"
        wb.session = CurationSession(wb.analysis.model, wb.ledger_path, author="Dr. Property")
        wb._table = None  # the topic list is cached by the session's version: a new session starts at 0
        return _Page(wb)

    run_state_machine_as_test(
        machine_for(fresh_page, seen),
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            database=None,
            derandomize=True,  # the same sequences on every run: the outcome counts below cannot flake
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(dict(seen))
    # the runs reached the outcomes the properties are about
    for outcome in ("Merge: done", "Drop: done", "Drop: asks first", "Undo: done"):
        assert seen[outcome] > 0, (outcome, dict(seen))
    assert sum(n for outcome, n in seen.items() if outcome.endswith("refused")) >= 5, dict(seen)
