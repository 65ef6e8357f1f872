"""Codebooks from TOML, YAML, CSV and REFI-QDA, and hostile or broken files refused in one line."""

from __future__ import annotations

import pytest

from topics.coding import NONE_CODE, Codebook, example_codebook, example_codebook_path
from topics.coding import codebook as cb
from topics.errors import InputError

CNS = "urn:QDA-XML:codebook:1.0"


def _one_line(err, path):
    text = str(err.value)
    assert "\n" not in text and str(path) in text
    return text


def test_the_packaged_example_codebook_loads():
    book = example_codebook()
    assert book.names == ["question", "reflection", "input", "other"]
    assert book.labels[-1] == NONE_CODE
    assert all(c.description and len(c.examples) >= 3 for c in book.codes)
    assert len(book.prompts()) == 4 + sum(len(c.examples) for c in book.codes)


def test_toml_yaml_and_csv_give_the_same_codebook(tmp_path):
    (tmp_path / "b.toml").write_text(
        'name = "t"\n[[codes]]\nname = "a"\ndescription = "alpha"\n'
        'examples = ["x one", "x two"]\n[[codes]]\nname = "b"\ndescription = "beta"\n'
    )
    (tmp_path / "b.yaml").write_text(
        "name: t\ncodes:\n- name: a\n  description: alpha\n  examples: [x one, x two]\n- name: b\n  description: beta\n"
    )
    (tmp_path / "b.csv").write_text('name,description,examples\na,alpha,"x one | x two"\nb,beta,\n')
    books = [Codebook.load(tmp_path / f"b.{s}") for s in ("toml", "yaml", "csv")]
    assert books[0].codes == books[1].codes == books[2].codes
    assert books[0].codes[0].examples == ("x one", "x two")
    assert books[0].fingerprint() == books[2].fingerprint()
    assert books[0].table()["n_examples"].tolist() == [2, 0]


def test_a_qdc_codebook_comes_in_with_descriptions(tmp_path):
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{CNS}"><Codes>'
        '<Code guid="c848ae16-c486-512f-8c22-f14c9fe60dfe" name="question" isCodable="true">'
        "<Description>asks something</Description>"
        '<Code guid="c848ae16-c486-512f-8c22-f14c9fe60dff" name="open question" isCodable="true"/></Code>'
        '<Code guid="c848ae16-c486-512f-8c22-f14c9fe60df0" name="group only" isCodable="false"/>'
        "</Codes></CodeBook>"
    )
    path = tmp_path / "book.qdc"
    path.write_text(body, encoding="utf-8")
    book = Codebook.load(path)
    assert book.names == ["question", "open question"]
    assert book.codes[0].description == "asks something"
    assert book.codes[1].description == "open question"  # a code with a name only stands for itself


@pytest.mark.parametrize(
    "name, body, needle, line",
    [
        ("b.toml", '[[codes]]\nname = "a"\ndescription = "x"\n[[codes]]\nname = "b"\nwhat = 1\n', "unknown key", 4),
        ("b.toml", '[[codes]]\nname = "a"\ndescription = \n', "invalid TOML", 3),
        ("b.toml", '[[codes]]\nname = "a"\n', "needs a description or at least one example", 1),
        (
            "b.toml",
            '[[codes]]\nname = "a"\ndescription = "x"\n[[codes]]\nname = "A"\ndescription = "y"\n',
            "used twice",
            None,
        ),
        ("b.toml", '[[codes]]\nname = "none of these"\ndescription = "x"\n', "implicit", None),
        ("b.toml", "codes = 3\n", "'codes' must be a list", 1),
        ("b.yaml", "codes:\n- name: a\n  description: &x alpha\n- name: b\n  description: *x\n", "aliases", 3),
        ("b.yaml", "codes:\n- name: a\n  description: [unclosed\n", "not valid YAML", None),
        ("b.yaml", "codes:\n- name: a\n  description: x\n- just text\n", "code 2", 4),
        ("b.csv", "name,description\na,alpha\nb\n", "1 fields where the header has 2", 3),
        ("b.csv", "name,examples\na,x\n", r"missing \['description'\]", 1),
        ("b.csv", 'name,description\na,"alpha\n', "not valid CSV", None),
        ("b.csv", "name,description\n,alpha\n", "'name' is empty", 2),
        ("b.txt", "a", "unknown codebook format", None),
    ],
)
def test_broken_codebooks_are_refused_in_one_line(tmp_path, name, body, needle, line):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        Codebook.load(path)
    text = _one_line(err, path)
    if line is not None:
        assert f"line {line}" in text


def test_an_oversized_codebook_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(cb, "MAX_CODEBOOK_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("codes:\n" + "- name: a\n  description: x\n" * 200)
    with pytest.raises(InputError, match="larger than 1,000 bytes") as err:
        Codebook.load(path)
    _one_line(err, path)


def test_a_billion_laughs_yaml_is_refused_without_expanding(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(lines) + "\ncodes: []\n")
    with pytest.raises(InputError, match="anchors and aliases") as err:
        Codebook.load(path)
    assert "line 1" in _one_line(err, path)


def test_a_hostile_qdc_is_refused_by_the_streaming_parser(tmp_path):
    path = tmp_path / "x.qdc"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<CodeBook xmlns="{CNS}"><Codes/></CodeBook>'
    )
    with pytest.raises(InputError, match="DTD") as err:
        Codebook.load(path)
    _one_line(err, path)


def test_an_oversized_qdc_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cb, "MAX_QDA_BYTES", 100)
    path = tmp_path / "x.qdc"
    path.write_text(f'<CodeBook xmlns="{CNS}"><Codes>' + " " * 200 + "</Codes></CodeBook>")
    with pytest.raises(InputError, match="larger than") as err:
        Codebook.load(path)
    _one_line(err, path)


def test_too_many_codes_and_too_long_descriptions_are_refused(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("name,description\n" + "".join(f"c{i},d\n" for i in range(cb.MAX_CODES + 1)))
    with pytest.raises(InputError, match="more than 500"):
        Codebook.load(path)
    path = tmp_path / "long.csv"
    path.write_text("name,description\na," + "x" * (cb.MAX_TEXT_CHARS + 1) + "\n")
    with pytest.raises(InputError, match="longer than") as err:
        Codebook.load(path)
    assert "line 2" in _one_line(err, path)


def test_a_qdpx_project_gives_its_coded_selections_as_examples(tmp_path):
    import zipfile

    pns = "urn:QDA-XML:project:1.0"
    q, r = "c848ae16-c486-512f-8c22-f14c9fe60d01", "c848ae16-c486-512f-8c22-f14c9fe60d02"
    text = "T: What brings you here?\nT: You feel stuck.\n"
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{pns}" name="p" origin="test">'
        f'<CodeBook><Codes><Code guid="{q}" name="question" isCodable="true"/>'
        f'<Code guid="{r}" name="reflection" isCodable="true"><Description>says back</Description></Code>'
        "</Codes></CodeBook><Sources>"
        '<TextSource guid="c848ae16-c486-512f-8c22-f14c9fe60d10" name="s1" plainTextPath="internal://s1.txt">'
        '<PlainTextSelection guid="c848ae16-c486-512f-8c22-f14c9fe60d11" startPosition="3" endPosition="24">'
        f'<Coding guid="c848ae16-c486-512f-8c22-f14c9fe60d12"><CodeRef targetGUID="{q}"/></Coding>'
        "</PlainTextSelection>"
        '<PlainTextSelection guid="c848ae16-c486-512f-8c22-f14c9fe60d13" startPosition="28" endPosition="44">'
        f'<Coding guid="c848ae16-c486-512f-8c22-f14c9fe60d14"><CodeRef targetGUID="{r}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources></Project>"
    )
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        zf.writestr("sources/s1.txt", text)
    book = Codebook.load(path)
    assert book.names == ["question", "reflection"]
    assert book.codes[0].examples == ("What brings you here?",)
    assert book.codes[0].description == ""  # no description, but an example: enough
    assert book.codes[1].examples == ("You feel stuck.",) and book.codes[1].description == "says back"


def _packaged(name: str) -> Codebook:
    return Codebook.load(example_codebook_path().parent / name)


@pytest.mark.parametrize(
    "name", ["annomi_behaviour.toml", "esconv_strategies.toml", "mibot_misc.toml", "counselchat_topics.toml"]
)
def test_every_packaged_codebook_loads_with_distinct_described_codes(name):
    book = _packaged(name)
    assert len(book.names) >= 4 and len(set(book.names)) == len(book.names)
    assert all(len(code.description.split()) >= 5 for code in book.codes)


def test_the_mibot_codebook_names_the_five_misc_codes_of_the_benchmark():
    """benchmarks/coding_more.py maps AutoMISC's R / Q / MICO / MIIN / Other onto exactly these names."""
    assert set(_packaged("mibot_misc.toml").names) == {
        "reflection",
        "question",
        "MI-consistent",
        "MI-inconsistent",
        "other",
    }


def test_the_counselchat_codebook_covers_every_category_of_the_corpus():
    from topics.read.public import load_counselchat

    try:
        answers = load_counselchat()
    except (FileNotFoundError, InputError):
        pytest.skip("the public CounselChat corpus is not at ../shared/corpora")
    categories = {t for value in answers["topics"].dropna() for t in str(value).split(";") if t}
    assert categories and categories == set(_packaged("counselchat_topics.toml").names)
