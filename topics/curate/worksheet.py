"""The curation worksheet: a sheet per topic for experts who work in a spreadsheet.

:func:`write_worksheet` writes ``worksheet.csv`` (one row per topic: number, size, keywords, current label,
ten representative remarks, and empty columns ``new_label``, ``merge_into``, ``drop``, ``note``) and
``worksheet.html`` (the same, readable in a browser). The expert fills the empty columns;
:func:`import_worksheet` turns the filled sheet into ledger entries:

* ``new_label``: rename the topic (on a merge, the label of the merged topic goes on the target's row);
* ``merge_into``: the number of another topic to merge this one into;
* ``drop``: ``yes`` (to the outliers) or the name of a set-aside bucket;
* ``note``: a note on the topic.

A malformed sheet is an error naming the file, the line and the column, and nothing is added to the ledger.

Rows are in topic order. To fill the sheet with pandas, read it with :func:`read_worksheet` (every column as
text: a plain ``pandas.read_csv`` reads the empty edit columns as numbers, and pandas then refuses a label
in them) and pass the filled DataFrame to :func:`import_worksheet`, or write it back with ``to_csv``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, select_autoescape

from topics._files import atomic_write_text, export_csv
from topics.clean import Deidentifier, mask_words, name_words
from topics.curate.curator import ledger_for
from topics.curate.ledger import Entry, Ledger, now
from topics.curate.replay import apply_ledger
from topics.curate.view import CuratedView
from topics.errors import InputError
from topics.model import OUTLIER
from topics.model.tables import representatives

EDIT_COLUMNS = ("new_label", "merge_into", "drop", "note")
N_REMARKS = 10
YES = {"yes", "y", "x", "true", "1", "drop", "outliers", "outlier"}
NO = {"", "no", "n", "false", "0", "keep"}

_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Curation worksheet</title>
<style>
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2em; color: #222; max-width: 70em; }
.topic { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1.2em; margin: 1em 0; }
h2 { margin: .2em 0; color: #23395d; font-size: 1.15em; }
.meta { color: #555; font-size: .9em; }
li { margin-bottom: .2em; }
</style></head><body>
<h1>Curation worksheet</h1>
<p>Fill the columns <b>new_label</b>, <b>merge_into</b> (another topic's number), <b>drop</b> (<i>yes</i>, or a
bucket name) and <b>note</b> in <code>worksheet.csv</code>, then run <code>topics curate import</code>.
{{ n_topics }} topics, {{ "{:,}".format(n_remarks) }} remarks.</p>
{% if deidentified %}<p>Remarks, labels and keywords are de-identified (names, places, contact details, dates, ages
and IDs replaced by placeholders). Automatic de-identification misses some identifiers: read before sharing.</p>
{% else %}<p><b>Not de-identified: remarks are shown verbatim. Do not share this worksheet.</b></p>{% endif %}
{% for t in topics %}<div class="topic">
<h2>Topic {{ t.topic }}: {{ t.label }}</h2>
<div class="meta">{{ "{:,}".format(t.size) }} remarks ({{ "%.1f" | format(t.share * 100) }}%) · keywords: {{ t.keywords }}</div>
<ol>{% for r in t.remarks %}<li>{{ r }}</li>{% endfor %}</ol>
</div>{% endfor %}
</body></html>
"""


def worksheet_table(
    view: CuratedView, n_remarks: int = N_REMARKS, deidentifier: Deidentifier | None = None
) -> pd.DataFrame:
    """One row per topic (outliers excluded) with remarks and empty edit columns.

    Parameters
    ----------
    view : CuratedView
        The (raw or curated) view the expert works on.
    n_remarks : int
        Representative remarks per topic (closest to the topic centre, distinct texts).
    deidentifier : Deidentifier, optional
        Scrubs the remarks, labels and keywords (names, contacts, addresses, dates, IDs become placeholders);
        ``None`` writes them verbatim.

    Returns
    -------
    pandas.DataFrame
    """
    text_of = dict(zip(view.assignments["utterance_id"].astype(str), view.assignments["text"].astype(str), strict=True))
    scrub = deidentifier.scrub if deidentifier is not None else (lambda text: text)
    topics = [t for t in view.topics.sort_values("topic").itertuples() if t.topic != OUTLIER]
    # keywords and keyword labels: scrubbed, with the names found in the remarks masked (as in the report)
    names = name_words(deidentifier, [text_of[u] for t in topics for u in t.exemplar_ids]) if deidentifier else set()

    def keywords(text: str) -> str:
        return mask_words(scrub(text), names) if deidentifier is not None else text

    rows = []
    for t in topics:
        texts = [text_of[uid] for uid in t.exemplar_ids]
        remarks = [scrub(texts[i]) for i in representatives(range(len(texts)), texts, n_remarks)]
        custom = bool(getattr(t, "custom_label", False))
        row = {
            "topic": int(t.topic),
            "size": int(t.size),
            "share": round(float(t.share), 4),
            "current_label": scrub(t.label) if custom else keywords(t.label),
            "keywords": keywords(t.keywords),
        }
        for i in range(n_remarks):
            row[f"remark_{i + 1}"] = remarks[i] if i < len(remarks) else ""
        row.update({c: "" for c in EDIT_COLUMNS})
        rows.append(row)
    return pd.DataFrame(rows)


def write_worksheet(
    view: CuratedView,
    folder: str | Path,
    n_remarks: int = N_REMARKS,
    *,
    deidentify: bool = True,
    known_names: list[str] | None = None,
    use_ner: bool = True,
) -> list[Path]:
    """Write ``worksheet.csv`` and ``worksheet.html`` into a folder, de-identified unless asked otherwise.

    The worksheet is the file most likely to travel to an outside expert, so its remarks, labels and
    keywords are scrubbed by default (:class:`topics.clean.Deidentifier`); ``deidentify=False`` writes the
    raw text, for private use only.

    Parameters
    ----------
    view : CuratedView
    folder : str or Path
    n_remarks : int
    deidentify : bool, default True
    known_names : list of str, optional
        Names known to occur (always masked), e.g. ``config.deidentify.known_names``.
    use_ner : bool, default True
        Use spaCy NER as well as the rules.

    Returns
    -------
    list of Path
        The two files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    deidentifier = Deidentifier(known_names=known_names or (), use_ner=use_ner) if deidentify else None
    table = worksheet_table(view, n_remarks, deidentifier)
    csv_path = export_csv(table, folder / "worksheet.csv")
    env = Environment(autoescape=select_autoescape(default_for_string=True, default=True))
    topics = [
        {
            "topic": r["topic"],
            "label": r["current_label"],
            "size": r["size"],
            "share": r["share"],
            "keywords": r["keywords"],
            "remarks": [r[f"remark_{i + 1}"] for i in range(n_remarks) if r[f"remark_{i + 1}"]],
        }
        for r in table.to_dict("records")
    ]
    html = env.from_string(_HTML).render(
        topics=topics, n_topics=len(topics), n_remarks=int(view.assignments.shape[0]), deidentified=deidentify
    )
    html_path = atomic_write_text(folder / "worksheet.html", html)
    return [csv_path, html_path]


def read_worksheet(path: str | Path) -> pd.DataFrame:
    """Read a worksheet into pandas with every column as text, ready to be filled.

    A plain ``pandas.read_csv`` reads the empty columns ``new_label``, ``merge_into``, ``drop`` and ``note``
    as float numbers, and pandas then refuses to put a label in them; this reads all columns as strings
    with empty cells as ``""``.

    Parameters
    ----------
    path : str or Path
        ``worksheet.csv``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> sheet = read_worksheet("runs/demo/worksheet.csv")                 # doctest: +SKIP
    >>> sheet.loc[sheet["topic"] == "3", "new_label"] = "Opening the session"   # doctest: +SKIP
    >>> import_worksheet(sheet, analysis, "runs/demo/ledger.yaml", author="A. Expert")  # doctest: +SKIP
    """
    path = Path(path)
    rows, _ = _read_sheet(path)
    return pd.DataFrame(rows, dtype=str)


def _frame_rows(frame: pd.DataFrame) -> tuple[list[dict[str, str]], list[int]]:
    """Rows of a DataFrame sheet as text (missing cells empty), with the CSV line each row would have."""

    def text(value: Any) -> str:
        if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
            return ""
        return str(value).strip()

    frame = frame.rename(columns=lambda c: str(c).strip())
    rows = [{k: text(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    return rows, list(range(2, len(rows) + 2))


def _read_sheet(path: Path) -> tuple[list[dict[str, str]], list[int]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"the sheet is not UTF-8 text ({err.reason}); save it as CSV UTF-8", path=path) from None
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)  # spreadsheets in some locales save with ';'
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    try:
        start = 2
        for row in reader:
            rows.append({(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()})
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"malformed CSV: {err}", path=path, line=reader.line_num) from None
    header = [h.strip() for h in (reader.fieldnames or [])]
    for col in ("topic", *EDIT_COLUMNS):
        if col not in header:
            raise InputError(f"the sheet has no {col!r} column (columns: {header})", path=path, line=1, column=col)
    return rows, lines


def _topic_number(text: str) -> int | None:
    """A topic number written as ``7`` or ``7.0`` (spreadsheets write whole numbers either way); None for
    anything else: ``2.7``, ``inf``, ``nan``, ``1e400``, words."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not np.isfinite(value) or value != int(value) or abs(value) > 1_000_000:
        return None
    return int(value)


def sheet_entries(path: str | Path | pd.DataFrame, view: CuratedView, *, author: str) -> list[Entry]:
    """Turn a filled worksheet into ledger entries (not yet added to any ledger).

    Parameters
    ----------
    path : str, Path or pandas.DataFrame
        The filled ``worksheet.csv`` (comma, semicolon or tab separated), or the sheet filled in pandas
        (see :func:`read_worksheet`).
    view : CuratedView
        The view the sheet was written from.
    author : str

    Returns
    -------
    list of Entry
        Merges first, then renames, drops and notes, each with the topics' fingerprints.

    Raises
    ------
    InputError
        Missing column, unknown topic, a topic listed twice, merge into itself, into a dropped topic or
        into a topic that is itself merged, a row that is both dropped and merged, a label on a merged row.
    """
    if isinstance(path, pd.DataFrame):
        rows, lines = _frame_rows(path)
        missing = [c for c in ("topic", *EDIT_COLUMNS) if rows and c not in rows[0]]
        path = Path("worksheet (DataFrame)")
        if missing:
            raise InputError(f"the sheet has no {missing[0]!r} column", path=path, line=1, column=missing[0])
    else:
        path = Path(path)
        rows, lines = _read_sheet(path)
    known = set(view.topic_ids) - {OUTLIER}
    parsed: dict[int, dict] = {}
    for row, line in zip(rows, lines, strict=True):

        def bad(message: str, column: str, line: int = line) -> InputError:
            return InputError(message, path=path, line=line, column=column)

        raw_topic = row.get("topic", "")
        topic = _topic_number(raw_topic)
        if topic is None:
            raise bad(f"topic must be a whole topic number, got {raw_topic!r}", "topic")
        if topic not in known:
            raise bad(f"no topic {topic} in this model (topics: {sorted(known)})", "topic")
        if topic in parsed:
            raise bad(f"topic {topic} appears twice (first on line {parsed[topic]['line']})", "topic")
        merge_raw = row.get("merge_into", "")
        merge_into = None
        if merge_raw:
            merge_into = _topic_number(merge_raw)
            if merge_into is None:
                raise bad(f"merge_into must be a whole topic number, got {merge_raw!r}", "merge_into")
            if merge_into == topic:
                raise bad("a topic cannot be merged into itself", "merge_into")
            if merge_into not in known:
                raise bad(f"merge_into names topic {merge_into}, which does not exist", "merge_into")
        drop_raw = row.get("drop", "")
        drop: str | None = None
        if drop_raw.lower() not in NO:
            drop = "" if drop_raw.lower() in YES else drop_raw
        if drop is not None and merge_into is not None:
            raise bad("a row cannot both drop and merge its topic", "drop")
        if merge_into is not None and row.get("new_label"):
            raise bad("put the merged topic's label on the target row (the row of the merge_into topic)", "new_label")
        parsed[topic] = {
            "line": line,
            "merge_into": merge_into,
            "drop": drop,
            "label": row.get("new_label", ""),
            "note": row.get("note", ""),
        }
    for topic, p in parsed.items():
        target = p["merge_into"]
        if target is None:
            continue
        t = parsed.get(target, {})
        if t.get("merge_into") is not None:
            raise InputError(
                f"topic {topic} merges into {target}, which itself merges into {t['merge_into']}; "
                "merge all into the final topic",
                path=path,
                line=p["line"],
                column="merge_into",
            )
        if t.get("drop") is not None:
            raise InputError(
                f"topic {topic} merges into {target}, which this sheet drops",
                path=path,
                line=p["line"],
                column="merge_into",
            )

    labels = dict(zip(view.topics["topic"], view.topics["label"], strict=True))
    entries: list[Entry] = []

    def entry(op: str, topics: list[int], **kw) -> Entry:
        return Entry(
            op=op, topics=topics, author=author, time=now(), fingerprints=[view.fingerprint(t) for t in topics], **kw
        )

    targets: dict[int, list[int]] = {}
    for topic, p in parsed.items():
        if p["merge_into"] is not None:
            targets.setdefault(p["merge_into"], []).append(topic)
    for target, sources in targets.items():
        label = parsed.get(target, {}).get("label") or labels[target]
        entries.append(entry("merge", [target, *sorted(sources)], label=label))
    for topic, p in parsed.items():
        if p["label"] and topic not in targets:
            entries.append(entry("rename", [topic], label=p["label"]))
    for topic, p in parsed.items():
        if p["drop"] is not None:
            entries.append(entry("drop", [topic], bucket=p["drop"] or None))
    for topic, p in parsed.items():
        if p["note"]:
            entries.append(entry("note", [topic], text=p["note"]))
    return entries


def import_worksheet(path: str | Path | pd.DataFrame, model: Any, ledger: str | Path, *, author: str) -> Ledger:
    """Add the decisions of a filled worksheet to a ledger file (created if missing).

    The sheet is read against the current curated view (the model with the ledger so far). The new
    entries are checked by applying the whole ledger before anything is written; on any error the
    ledger file is left as it was.

    Parameters
    ----------
    path : str, Path or pandas.DataFrame
        Filled ``worksheet.csv``, or the sheet filled in pandas (see :func:`read_worksheet`).
    model : TopicModel
        The model of the run the sheet was written for (an :class:`~topics.analysis.Analysis` is accepted).
    ledger : str or Path
        Ledger file.
    author : str

    Returns
    -------
    Ledger
        The saved ledger.
    """
    ledger_path = Path(ledger)
    book = Ledger.load(ledger_path) if ledger_path.exists() else ledger_for(model)
    book.path = ledger_path
    view = apply_ledger(model, book)
    new = sheet_entries(path, view, author=author)
    if not new:
        raise InputError(
            "the sheet has no decisions (new_label, merge_into, drop and note are all empty)",
            path=path if not isinstance(path, pd.DataFrame) else None,
        )
    trial = Ledger(entries=[*book.entries, *new], model=book.model, path=book.path)
    apply_ledger(model, trial)  # raises before anything is written
    for e in new:
        book.append(e)
    book.save()
    return book
