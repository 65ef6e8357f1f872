"""A trained coder saved without pickle and loaded back: the same probabilities, and hostile files refused."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.coding.conftest import WordEmbedder
from tests.coding.test_cli import run  # noqa: F401 - the minimal run folder fixture
from topics.cli import main
from topics.coding import Coder, example_codebook
from topics.coding.persist import read_coder_file
from topics.errors import InputError

LABELS = [
    "smoking",
    "smoking",
    "drinking",
    "drinking",
    "smoking",
    "drinking",
    "smoking",
    "drinking",
    "none of these",
    "smoking",
    "drinking",
    "none of these",
]


def labelled(remarks: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    table = pd.DataFrame({"utterance_id": remarks["utterance_id"], "code": LABELS})
    return table if n is None else table.head(n)


@pytest.mark.parametrize("n_labels", [None, 12, 4], ids=["zero-shot", "few-shot calibrated", "few-shot two codes"])
def test_a_loaded_coder_gives_identical_probabilities(tmp_path, toy_book, remarks, n_labels):
    labels = None if n_labels is None else labelled(remarks, n_labels)
    coder = Coder(toy_book, WordEmbedder(), temperature=0.2, none_threshold=0.4, calibrate=True, seed=3).fit(
        remarks, labels
    )
    path = coder.save(tmp_path / "coder.npz")
    loaded = Coder.load(path, toy_book, WordEmbedder())
    expected, got = coder.predict(remarks), loaded.predict(remarks)
    assert np.array_equal(got.filter(like="p_").to_numpy(), expected.filter(like="p_").to_numpy())  # bit for bit
    pd.testing.assert_frame_equal(got, expected)
    assert loaded.summary() == coder.summary() and loaded.fingerprint() == coder.fingerprint()
    assert loaded.mode_ == ("zero-shot" if n_labels is None else "few-shot")
    if n_labels == 12:
        assert loaded.calibrated_ and loaded.temperature_ == coder.temperature_ != 1.0
    with zipfile.ZipFile(path) as zf:  # numbers and JSON only: no pickle anywhere in the file
        assert all(b"\x80\x04" not in zf.read(n)[:2] for n in zf.namelist())
    assert read_coder_file(path)[0]["codebook_fingerprint"] == toy_book.fingerprint()


def test_the_embedding_model_is_checked_when_coding(tmp_path, toy_book, remarks):
    path = Coder(toy_book, WordEmbedder()).fit().save(tmp_path / "coder.npz")

    class Other(WordEmbedder):
        identity = "another-model"

    with pytest.raises(InputError, match="trained on embeddings of 'fake-bag-of-words'") as err:
        Coder.load(path, toy_book, Other())
    assert str(path) in str(err.value)
    loaded = Coder.load(path, toy_book)  # no embedder yet: checked when one is given
    loaded.embedder = Other()
    with pytest.raises(InputError, match="not of 'another-model'"):
        loaded.predict(remarks)


def rewrite(path, target, **changes):
    """The coder file with some arrays replaced (a value of None removes one), written by numpy."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    for key, value in changes.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    np.savez(target, **arrays)
    return target


def meta_array(path, **changes) -> np.ndarray:
    meta, _ = read_coder_file(path)
    meta.update(changes)
    return np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)


def huge_header(good, bad):
    """A stored member whose .npy header claims a terabyte of data it does not hold (numpy would allocate it)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as zf:
        for name in src.namelist():
            if name == "prototypes.npy":
                head = io.BytesIO()
                np.lib.format.write_array_header_1_0(
                    head, {"descr": "<f8", "fortran_order": False, "shape": (10**9, 1000)}
                )
                zf.writestr(name, head.getvalue() + b"\0" * 64)
            else:
                zf.writestr(name, src.read(name))


def renamed_member(good, bad):
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as zf:
        for name in src.namelist():
            zf.writestr(name.replace("meta.npy", "meta"), src.read(name))


def test_hostile_or_inconsistent_coder_files_are_refused_in_one_line(tmp_path, toy_book, remarks):
    good = Coder(toy_book, WordEmbedder()).fit(remarks, labelled(remarks)).save(tmp_path / "good.npz")
    protos = np.load(good)["prototypes"]
    nan = protos.copy()
    nan[0, 0] = np.nan
    bad = tmp_path / "bad.npz"
    cases = [
        (lambda: bad.write_bytes(b"not a zip"), "not a coder file"),
        (lambda: rewrite(good, bad, prototypes=np.array([{"x": 1}], dtype=object)), "not a plain array"),
        (lambda: rewrite(good, bad, prototypes=nan), "not finite"),
        (lambda: rewrite(good, bad, prototypes=protos[:1]), "1 prototypes for a codebook of 2 codes"),
        (lambda: rewrite(good, bad, prototypes=protos.astype(np.float32)), "must be float64"),
        (lambda: rewrite(good, bad, coef=np.load(good)["coef"][:, :5]), "do not fit"),
        (lambda: rewrite(good, bad, coef=None), "few-shot coder has coefficients"),
        (lambda: rewrite(good, bad, meta=meta_array(good, settings={"temperature": 1})), "'settings' must hold"),
        (lambda: rewrite(good, bad, meta=meta_array(good, classes=["smoking", "beer", "x"])), "not the codebook"),
        (lambda: rewrite(good, bad, meta=meta_array(good, format="other")), "not written by Coder.save"),
        (lambda: rewrite(good, bad, classes=np.array([0, 1, 9])), "outside the codebook"),
        (lambda: rewrite(good, bad, extra=np.zeros(3)), "unexpected member 'extra.npy'"),
        (lambda: np.savez_compressed(bad, **dict(np.load(good))), "compressed"),
        (lambda: huge_header(good, bad), "not a plain array of its size"),
        (lambda: renamed_member(good, bad), "unexpected member 'meta'"),
    ]
    for make, needle in cases:
        make()
        with pytest.raises(InputError, match=needle) as err:
            Coder.load(bad, toy_book, WordEmbedder())
        assert str(bad) in str(err.value) and "\n" not in str(err.value), needle
    with pytest.raises(InputError, match="another codebook") as err:
        Coder.load(good, example_codebook())
    assert str(good) in str(err.value)
    with pytest.raises(InputError, match="no such coder file"):
        Coder.load(tmp_path / "missing.npz", toy_book)


def test_cli_saves_the_coder_and_applies_it_without_labels(run, tmp_path):  # noqa: F811
    labels = tmp_path / "labels.csv"
    ids = pd.read_parquet(run / "model" / "assignments.parquet")["utterance_id"].tolist()
    labels.write_text(
        "utterance_id,code,author,time,rationale\n"
        + "".join(f"{u},{c},A,2026-12-06T09:00:00+00:00,\n" for u, c in zip(ids, LABELS, strict=True))
    )
    book = str(tmp_path / "toy.toml")
    result = CliRunner().invoke(main, ["code", str(run), "--codebook", book, "--labels", str(labels)])
    assert result.exit_code == 0, result.output
    saved = tmp_path / "saved.npz"
    saved.write_bytes((run / "codes" / "coder.npz").read_bytes())
    first = pd.read_csv(run / "codes" / "coded.csv").drop(columns=["label"])
    assert (run / "codes" / "codebook.yaml").is_file()

    result = CliRunner().invoke(main, ["code", str(run), "--codebook", book, "--coder", str(saved)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(run / "codes" / "coded.csv"), first)
    assert json.loads((run / "codes" / "coder.json").read_text())["mode"] == "few-shot"

    result = CliRunner().invoke(
        main, ["code", str(run), "--codebook", book, "--coder", str(saved), "--labels", str(labels)]
    )
    assert result.exit_code == 2 and "drop --labels" in result.output
    other = tmp_path / "other.toml"
    other.write_text((tmp_path / "toy.toml").read_text().replace("alcohol drinking", "alcohol"))
    result = CliRunner().invoke(main, ["code", str(run), "--codebook", str(other), "--coder", str(saved)])
    assert result.exit_code == 2 and "another codebook" in result.output and str(saved) in result.output
