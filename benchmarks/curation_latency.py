"""How long a curation action takes to show in the workbench, against plain BERTopic's equivalent.

For each run folder given (fitted beforehand: the demo, ``topics demo``; the 29k corpus, see
``benchmarks/RESULTS.md``), the script opens a :class:`topics.workbench.Workbench` (de-identification on,
rules only, so that NER's one-off model load does not count) and times, over ``--reps`` seeded random
choices of topics:

* ``merge`` two topics, ``rename`` one, ``drop`` one, each followed by ``undo``: the time from the call to
  the rebuilt curated view and the workbench's topic list (sizes, shares, keywords from the document-term
  matrix cached at fit time, stability, group ratios). The maps are redrawn in the browser after that
  and are not part of the figure.
* the same merge and undo through the app's page object (server side: status, topic list, ledger log,
  topic card rebuilt), and a redraw of the two maps (done when their tab is opened, not after each action);
* plain BERTopic: ``BERTopic.merge_topics(docs, [a, b])`` on a copy of the fitted BERTopic object (it
  re-tokenises every remark to recompute c-TF-IDF), then ``get_topic_info()``; fewer repetitions.

``open (once)`` is the time to open the workbench on the run: load the run folder, tokenise the remarks
once into the document-term matrix (kept for the session), replay the ledger and build the topic list.

Prints median and 95th percentile (nearest rank) per action and run, as a markdown table.

Usage::

    .venv/bin/python benchmarks/curation_latency.py RUN [RUN ...] [--reps 30] [--plain-reps 5]
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from topics.model import OUTLIER
from topics.workbench import Workbench


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, int(np.ceil(q / 100 * len(ordered))) - 1)]


def time_actions(run: Path, reps: int, seed: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        wb = Workbench(run, ledger=Path(tmp) / "ledger.yaml", author="benchmark", use_ner=False)
        wb.topic_table()
        opened = time.perf_counter() - t0
        rng = np.random.default_rng(seed)
        out: dict[str, list[float]] = {"open (once)": [opened], "merge": [], "rename": [], "drop": [], "undo": []}
        s = wb.session
        for i in range(reps):
            ids = [t for t in s.topic_ids() if t != OUTLIER]
            a, b = (int(x) for x in rng.choice(ids, 2, replace=False))
            for op, call in (
                ("merge", lambda a=a, b=b, i=i: s.merge([a, b], f"merged {i}")),
                ("rename", lambda a=a, i=i: s.rename(a, f"renamed {i}")),
                ("drop", lambda a=a: s.drop(a)),
            ):
                t0 = time.perf_counter()
                call()
                wb.topic_table()
                out[op].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                s.undo()
                wb.topic_table()
                out["undo"].append(time.perf_counter() - t0)
        return out


def time_page(run: Path, reps: int, seed: int) -> dict[str, list[float]]:
    """The same through the app's page object (server side): every pane the Topics tab shows is rebuilt."""
    from topics.workbench.app import _Page

    with tempfile.TemporaryDirectory() as tmp:
        wb = Workbench(run, ledger=Path(tmp) / "ledger.yaml", author="benchmark", use_ner=False)
        page = _Page(wb)
        page.refresh_maps()  # the first draw of a figure in a process is slower; not counted
        rng = np.random.default_rng(seed)
        out: dict[str, list[float]] = {"page merge": [], "page undo": [], "page maps redraw": []}
        for i in range(reps):
            ids = [t for t in wb.session.topic_ids() if t != OUTLIER]
            a, b = (int(x) for x in rng.choice(ids, 2, replace=False))
            page.topics.value, page.label.value = f"{a}, {b}", f"merged {i}"
            t0 = time.perf_counter()
            page.act(page.do_merge)
            out["page merge"].append(time.perf_counter() - t0)
            if "Not done" in page.message.object:
                raise RuntimeError(page.message.object)
            t0 = time.perf_counter()
            page.act(page.do_undo)
            out["page undo"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            page.refresh_maps()
            out["page maps redraw"].append(time.perf_counter() - t0)
        return out


def time_plain(run: Path, reps: int, seed: int) -> list[float]:
    from topics.analysis import Analysis

    analysis = Analysis.load(run)
    model = analysis.model.bertopic_
    docs = analysis.raw_assignments["text"].astype(str).tolist()
    topics = [t for t in analysis.raw_topics["topic"].astype(int) if t != OUTLIER]
    rng = np.random.default_rng(seed)
    times = []
    for _ in range(reps):
        a, b = (int(x) for x in rng.choice(topics, 2, replace=False))
        fresh = copy.deepcopy(model)
        t0 = time.perf_counter()
        fresh.merge_topics(docs, [a, b])
        fresh.get_topic_info()
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--plain-reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for run in args.runs:
        from topics.analysis import Analysis

        n = len(Analysis.load(run).raw_assignments)
        timed = {**time_actions(run, args.reps, args.seed), **time_page(run, max(5, args.reps // 3), args.seed)}
        for op, values in timed.items():
            rows.append(
                {
                    "run": run.name,
                    "remarks": n,
                    "action": op if op.startswith(("page", "open")) else f"session {op} + topic list",
                    "n": len(values),
                    "median_s": percentile(values, 50),
                    "p95_s": percentile(values, 95),
                }
            )
        try:
            plain = time_plain(run, args.plain_reps, args.seed)
            rows.append(
                {
                    "run": run.name,
                    "remarks": n,
                    "action": "BERTopic merge_topics + get_topic_info",
                    "n": len(plain),
                    "median_s": percentile(plain, 50),
                    "p95_s": percentile(plain, 95),
                }
            )
        except Exception as err:  # noqa: BLE001 (report why the plain row is missing, keep the others)
            print(f"{run}: plain BERTopic merge failed: {type(err).__name__}: {err}")
        print(markdown(pd.DataFrame(rows)), flush=True)


def markdown(table: pd.DataFrame) -> str:
    """A markdown table, seconds with three decimals."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
