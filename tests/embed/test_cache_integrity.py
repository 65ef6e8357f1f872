"""Untrusted caches (issue 23): tampered int8 weights, overwritten or damaged cached vectors, links, file modes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
from pathlib import Path

import numpy as np
import pytest

from topics._files import atomic_folder, atomic_write_text
from topics.config import EmbeddingConfig
from topics.embed import Embedder, EmbeddingCache, model_identity
from topics.embed import openvino_int8 as int8
from topics.embed.compiled_cache import COMPILED_DIR, RECORD
from topics.errors import InputError

PROJECT = Path(__file__).resolve().parents[2]
TEXTS = [
    "What brings you here today?",
    "You are worried about your drinking.",
    "Tell me more about that.",
    "How many cigarettes do you smoke a day?",
    "It sounds like work has been stressful.",
    "What would you like to change?",
    "On a scale from 0 to 10, how ready are you?",
    "You have tried to quit before.",
    "What would your wife say?",
    "That took courage.",
]


class FakeModel:
    """A deterministic stand-in for the model: each text's vector follows from its SHA-256 (unit length)."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts, batch_size=64, show_progress_bar=False, convert_to_numpy=True):
        self.calls += 1
        rows = [
            np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:16].astype(np.float32) - 127.5
            for t in texts
        ]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), 16)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def get_embedding_dimension(self) -> int:
        return 16


def fake_embedder(cache_dir: Path) -> Embedder:
    embedder = Embedder(EmbeddingConfig(cache_dir=str(cache_dir), runtime="torch"), show_progress=False)
    embedder._model = FakeModel()
    return embedder


def rows(path: Path) -> dict[str, tuple[int, bytes]]:
    con = sqlite3.connect(path)
    try:
        return {k: (d, v) for k, d, v in con.execute("SELECT key, dim, vec FROM vectors")}
    finally:
        con.close()


def overwrite(path: Path, values: dict[str, tuple[int, bytes]]) -> None:
    con = sqlite3.connect(path)
    try:
        con.executemany(
            "UPDATE vectors SET dim = ?, vec = ? WHERE key = ?", [(d, v, k) for k, (d, v) in values.items()]
        )
        con.commit()
    finally:
        con.close()


# ---------------------------------------------------------------- the SQLite vector cache


def test_overwritten_vectors_are_detected_and_embedded_again(tmp_path):
    clean = fake_embedder(tmp_path).embed(TEXTS)
    db = fake_embedder(tmp_path).cache.path
    rng = np.random.default_rng(0)
    wrong = {}
    for key, (dim, _) in rows(db).items():  # valid-shaped unit vectors, unrelated to the texts
        vec = rng.normal(size=dim).astype(np.float32)
        wrong[key] = (dim, (vec / np.linalg.norm(vec)).astype(np.float32).tobytes())
    overwrite(db, wrong)
    again = fake_embedder(tmp_path)
    with pytest.warns(RuntimeWarning, match=r"not to be trusted .*lowest cosine.*moved to .*\.mismatch-"):
        vectors = again.embed(TEXTS)
    np.testing.assert_array_equal(vectors, clean)
    assert again.n_computed_ == len(TEXTS) and len(list(tmp_path.glob("*.mismatch-*"))) == 1
    # the rebuilt cache holds the right vectors: the next run trusts it and embeds nothing
    third = fake_embedder(tmp_path)
    np.testing.assert_array_equal(third.embed(TEXTS), clean)
    assert third.n_computed_ == 0


def test_a_partly_overwritten_cache_is_caught_by_the_sample_of_the_texts_used(tmp_path):
    fake_embedder(tmp_path).embed(TEXTS)
    db = fake_embedder(tmp_path).cache.path
    victim = fake_embedder(tmp_path).cache.key(TEXTS[3])
    dim, blob = rows(db)[victim]
    overwrite(db, {victim: (dim, (-np.frombuffer(blob, np.float32)).tobytes())})
    with pytest.warns(RuntimeWarning, match="not to be trusted"):
        fake_embedder(tmp_path).embed([TEXTS[3], TEXTS[0]])  # fewer texts than the sample: all checked


@pytest.mark.parametrize("damage", ["nan", "wrong dimension", "short blob"])
def test_nan_or_wrong_dimension_rows_are_dropped_with_a_warning_and_embedded_again(tmp_path, damage):
    clean = fake_embedder(tmp_path).embed(TEXTS)
    db = fake_embedder(tmp_path).cache.path
    victim = fake_embedder(tmp_path).cache.key(TEXTS[5])
    bad = {
        "nan": (16, np.full(16, np.nan, np.float32).tobytes()),
        "wrong dimension": (15, np.ones(15, np.float32).tobytes()),
        "short blob": (16, np.ones(3, np.float32).tobytes()),
    }[damage]
    overwrite(db, {victim: bad})
    again = fake_embedder(tmp_path)
    with pytest.warns(RuntimeWarning, match=r"1 cached vector\(s\) were not whole finite vectors of dimension 16"):
        vectors = again.embed(TEXTS)
    np.testing.assert_array_equal(vectors, clean)
    assert again.n_computed_ == 1 and not list(tmp_path.glob("*.mismatch-*"))  # one row, not the whole file
    assert rows(db)[victim] == (16, clean[5].tobytes())


def test_cache_files_and_folders_are_private_under_umask_022(tmp_path):
    old = os.umask(0o022)
    try:
        embedder = fake_embedder(tmp_path / "cache")
        embedder.embed(TEXTS)
        with atomic_folder(tmp_path / "runs" / "study") as run:
            atomic_write_text(run / "assignments.csv", "remark,topic\n")
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "cache") == 0o700
    assert {mode(p) for p in (tmp_path / "cache").iterdir()} == {0o600}  # the secret, the database (-wal, -shm)
    assert mode(tmp_path / "runs") == 0o700 and mode(tmp_path / "runs" / "study") == 0o700
    assert mode(tmp_path / "runs" / "study" / "assignments.csv") == 0o600


@pytest.mark.parametrize("target", ["missing", "empty"])
def test_a_symlinked_cache_file_is_refused(tmp_path, target):
    cache = EmbeddingCache(tmp_path / "cache", "model")
    cache.folder.mkdir()
    elsewhere = tmp_path / "elsewhere.sqlite"
    if target == "empty":
        elsewhere.write_bytes(b"")
    cache.path.symlink_to(elsewhere)
    with pytest.raises(InputError, match=r"embeddings-.*\.sqlite: the embedding cache is a symbolic link, refused"):
        cache.put({"a": np.ones(4, np.float32)})
    with pytest.raises(InputError, match="symbolic link"):
        cache.get(["a"])
    # no database created at the link's target
    assert (elsewhere.stat().st_size == 0) if target == "empty" else not elsewhere.exists()


def test_a_symlinked_cache_folder_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "cache").symlink_to(tmp_path / "real")
    with pytest.raises(InputError, match="cache: the embedding cache is a symbolic link"):
        fake_embedder(tmp_path / "cache").embed(TEXTS)
    assert list((tmp_path / "real").iterdir()) == []


# ---------------------------------------------------------------- the int8 model folder


def negate_int8_weights(folder: Path) -> None:
    """Negate every int8 constant of ``model.bin`` in place (same size, still a valid IR)."""
    data = bytearray((folder / "model.bin").read_bytes())
    spans = re.findall(
        r'element_type="i8" shape="[^"]*" offset="(\d+)" size="(\d+)"', (folder / "model.xml").read_text()
    )
    assert spans
    for offset, size in ((int(o), int(s)) for o, s in spans):
        weights = np.frombuffer(bytes(data[offset : offset + size]), np.int8).astype(np.int16)
        data[offset : offset + size] = np.clip(-weights, -128, 127).astype(np.int8).tobytes()
    size = (folder / "model.bin").stat().st_size
    (folder / "model.bin").write_bytes(bytes(data))
    assert (folder / "model.bin").stat().st_size == size


@pytest.fixture(scope="module")
def clean_folder(request, tmp_path_factory) -> Path:
    """A copy of the model store's int8 model with the digests recorded (built by the session embedder if absent)."""
    identity = int8.int8_identity(model_identity("default"))
    source = int8.int8_folder(int8.model_store(), identity)
    if not (source / "model.bin").is_file():
        request.getfixturevalue("embedder").model  # noqa: B018 - builds it
    copy = tmp_path_factory.mktemp("clean") / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(COMPILED_DIR))
    record_digests(copy)
    return copy


def record_digests(folder: Path) -> None:
    """Write the SHA-256 of the model files into ``int8.json``, as a build does (and as a forger would)."""
    info = json.loads((folder / "int8.json").read_text())
    info["sha256"] = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("model.xml", "model.bin")
    }
    (folder / "int8.json").write_text(json.dumps(info))


@pytest.fixture
def tampered(clean_folder, tmp_path, monkeypatch):
    """A cache folder holding a copy of the clean model, and a build that copies the clean model (no 30 s build)."""
    builds = []

    def fake_build(model, folder, identity=""):
        builds.append(folder)
        with atomic_folder(folder) as tmp:
            for item in clean_folder.iterdir():
                shutil.copy(item, tmp / item.name)
        return folder

    monkeypatch.setattr(int8, "build_in_child", fake_build)
    folder = int8.int8_folder(tmp_path, int8.int8_identity(model_identity("default")))
    shutil.copytree(clean_folder, folder)
    return folder, builds


def clean_vectors(clean_folder: Path) -> np.ndarray:
    from topics.embed.backends import load_sentence_transformer

    ov_model, info = int8._read_cached(clean_folder, int8.int8_identity(model_identity("default")))
    tokenizer = load_sentence_transformer("default").tokenizer
    return int8.OpenVINOEncoder(ov_model, tokenizer, info["max_length"], info["dimension"], info["normalize"]).encode(
        TEXTS
    )


def test_negated_int8_weights_fail_the_digest_and_are_rebuilt(clean_folder, tampered, tmp_path):
    folder, builds = tampered
    negate_int8_weights(folder)
    with pytest.warns(UserWarning, match=r"building the int8 model again \(model.bin do not match the SHA-256"):
        encoder = int8.load_int8_encoder("default", model_identity("default"), tmp_path, show_progress=False)
    assert builds == [folder]
    np.testing.assert_array_equal(encoder.encode(TEXTS), clean_vectors(clean_folder))


def test_negated_weights_with_a_forged_digest_fail_the_canary_texts(clean_folder, tampered, tmp_path):
    folder, builds = tampered
    negate_int8_weights(folder)
    record_digests(folder)  # whoever changed the weights rewrote the record too
    with pytest.warns(UserWarning, match=r"again \(its vectors of the canary texts are not the source model's"):
        encoder = int8.load_int8_encoder("default", model_identity("default"), tmp_path, show_progress=False)
    assert builds == [folder]
    np.testing.assert_array_equal(encoder.encode(TEXTS), clean_vectors(clean_folder))


def test_random_weights_and_a_folder_without_digests_are_rebuilt_with_one_line(tampered, tmp_path):
    folder, builds = tampered
    size = (folder / "model.bin").stat().st_size
    (folder / "model.bin").write_bytes(np.random.default_rng(0).bytes(size))
    with pytest.warns(UserWarning, match="do not match the SHA-256") as caught:
        int8.load_int8_encoder("default", model_identity("default"), tmp_path, show_progress=False)
    assert len(builds) == 1 and all("\n" not in str(w.message) for w in caught)
    info = json.loads((folder / "int8.json").read_text())
    del info["sha256"]  # a folder built before the digests were recorded
    (folder / "int8.json").write_text(json.dumps(info))
    with pytest.warns(UserWarning, match="no SHA-256 of the model files recorded"):
        int8.load_int8_encoder("default", model_identity("default"), tmp_path, show_progress=False)
    assert len(builds) == 2 and "sha256" in json.loads((folder / "int8.json").read_text())


def test_a_model_that_still_fails_after_the_rebuild_is_an_error(tampered, tmp_path, monkeypatch):
    from topics.errors import ConfigError

    monkeypatch.setattr(int8, "CANARY_COSINE", 1.01)  # nothing passes
    with pytest.warns(UserWarning, match="canary"), pytest.raises(ConfigError, match="still gives vectors unlike"):
        int8.load_int8_encoder("default", model_identity("default"), tmp_path, show_progress=False)
    assert len(tampered[1]) == 1


def test_the_int8_model_folder_is_private_under_umask_022(clean_folder, tmp_path, monkeypatch):
    def fake_build(model, folder, identity=""):
        with atomic_folder(folder) as tmp:
            for item in clean_folder.iterdir():
                shutil.copyfile(item, tmp / item.name)
        return folder

    monkeypatch.setattr(int8, "build_in_child", fake_build)
    old = os.umask(0o022)
    try:
        int8.load_int8_encoder("default", model_identity("default"), tmp_path / "cache", show_progress=False)
    finally:
        os.umask(old)
    folder = int8.int8_folder(tmp_path / "cache", int8.int8_identity(model_identity("default")))
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "cache") == mode(folder) == 0o700
    assert mode(tmp_path / "cache" / f".{folder.name}.lock") == 0o600


def test_keys_are_keyed_by_the_folder_secret_not_an_unsalted_hash(tmp_path):
    embedder = fake_embedder(tmp_path)
    embedder.embed(TEXTS)
    stored = set(rows(embedder.cache.path))
    unsalted = {hashlib.sha1(t.encode()).hexdigest() for t in TEXTS}
    plain = {hashlib.sha256(t.encode()).hexdigest() for t in TEXTS}
    assert stored and not stored & (unsalted | plain)  # a guessed sentence cannot be looked up in a copied file
    secret = (tmp_path / "cache.key").read_text()
    assert len(secret) == 64 and stat.S_IMODE((tmp_path / "cache.key").stat().st_mode) == 0o600
    assert stored == {embedder.cache.key(t) for t in TEXTS}


def test_an_older_unsalted_cache_is_deleted_with_a_warning_and_rebuilt(tmp_path):
    clean = fake_embedder(tmp_path).embed(TEXTS)
    db = fake_embedder(tmp_path).cache.path
    con = sqlite3.connect(db)  # what an older version wrote: SHA-1 keys, no 'keying' row
    con.execute("DELETE FROM vectors")
    con.execute("DELETE FROM meta WHERE key = 'keying'")
    con.executemany(
        "INSERT INTO vectors VALUES (?, ?, ?)",
        [(hashlib.sha1(t.encode()).hexdigest(), 16, v.tobytes()) for t, v in zip(TEXTS, clean, strict=True)],
    )
    con.commit()
    con.close()
    again = fake_embedder(tmp_path)
    with pytest.warns(RuntimeWarning, match="older version .unsalted SHA-1 keys.; deleted and rebuilt"):
        np.testing.assert_array_equal(again.embed(TEXTS), clean)
    assert again.n_computed_ == len(set(TEXTS))
    keys = set(rows(db))
    assert not keys & {hashlib.sha1(t.encode()).hexdigest() for t in TEXTS} and len(keys) == len(set(TEXTS))
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name or ".mismatch-" in p.name]  # not kept


def test_a_cache_file_under_another_secret_is_rebuilt_and_a_bad_secret_is_one_line(tmp_path):
    fake_embedder(tmp_path).embed(TEXTS)
    (tmp_path / "cache.key").unlink()  # the secret lost (or the file copied into another folder)
    again = fake_embedder(tmp_path)
    with pytest.warns(RuntimeWarning, match="written under another secret; deleted and rebuilt"):
        again.embed(TEXTS)
    assert again.n_computed_ == len(set(TEXTS))
    (tmp_path / "cache.key").write_text("not hex")
    with pytest.raises(InputError, match=r"cache\.key: the embedding cache's secret is not 64 hex digits"):
        fake_embedder(tmp_path).embed(TEXTS)


def test_small_calls_are_checked_until_one_sample_passed_then_only_large_ones(tmp_path, monkeypatch):
    """The topic model embeds each topic's keywords in a call of its own: checking every such call cost 2.7 s of
    a 16.5 s warm demo fit. One passed sample per embedder is enough for small calls; large calls are checked."""
    from topics.embed import embedder as embedder_module

    fake_embedder(tmp_path).embed(TEXTS)
    again = fake_embedder(tmp_path)
    again.embed(TEXTS[:3])  # the first call with cached texts is checked, however small
    assert again._model.calls == 1 and again.n_verified_ == 3
    again.embed(TEXTS[3:6])
    assert again._model.calls == 1  # small, after a passed sample: not checked
    monkeypatch.setattr(embedder_module, "VERIFY_MIN_HITS", 5)
    again.embed(TEXTS)  # as many cached texts as the threshold: checked
    assert again._model.calls == 2 and again.n_verified_ == 3 + 8


def _load(tmp_path: Path) -> int8.OpenVINOEncoder:
    return int8.load_int8_encoder("default", model_identity("default"), tmp_path, show_progress=False)


def test_the_compiled_model_is_kept_private_and_read_back_with_the_same_vectors(clean_folder, tampered, tmp_path):
    # issue 28: OpenVINO's compiled form is kept beside the model (0.5-0.8 s of compiling saved in every later
    # process); the file and its record are private and the vectors are the uncached encoder's, bit for bit
    folder, builds = tampered
    expected = clean_vectors(clean_folder)
    old = os.umask(0o022)
    try:
        first = _load(tmp_path).encode(TEXTS)
    finally:
        os.umask(old)
    compiled = folder / COMPILED_DIR
    blobs = sorted(p for p in compiled.iterdir() if p.name != RECORD)
    assert len(blobs) == 1 and blobs[0].suffix == ".blob"
    record = json.loads((compiled / RECORD).read_text())
    assert record == {blobs[0].name: hashlib.sha256(blobs[0].read_bytes()).hexdigest()}
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(compiled) == 0o700 and mode(blobs[0]) == mode(compiled / RECORD) == 0o600
    stamp = blobs[0].stat().st_mtime_ns
    second = _load(tmp_path).encode(TEXTS)  # read back, not compiled again
    assert blobs[0].stat().st_mtime_ns == stamp and not builds
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(second, expected)


@pytest.mark.parametrize("damage", ["flipped", "unrecorded", "stray file", "link"])
def test_a_changed_or_unrecorded_compiled_model_is_compiled_again_with_a_warning(
    clean_folder, tampered, tmp_path, damage
):
    folder, _ = tampered
    _load(tmp_path)
    compiled = folder / COMPILED_DIR
    (blob,) = [p for p in compiled.iterdir() if p.name != RECORD]
    outside = tmp_path / "outside.txt"
    outside.write_text("the user's file")
    if damage == "flipped":  # same size, other bytes
        data = bytearray(blob.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 4096] = bytes(4096)
        blob.chmod(0o600)
        blob.write_bytes(bytes(data))
        expected = "does not match the SHA-256 recorded"
    elif damage == "unrecorded":
        (compiled / RECORD).unlink()
        expected = "record of SHA-256 digests is missing"
    elif damage == "stray file":
        (compiled / "notes.txt").write_text("x")
        expected = "'notes.txt' is not a compiled model OpenVINO wrote"
    else:
        (compiled / "123.blob").symlink_to(outside)
        expected = "'123.blob' is not a compiled model OpenVINO wrote"
    with pytest.warns(UserWarning, match=expected) as caught:
        vectors = _load(tmp_path).encode(TEXTS)
    assert all("\n" not in str(w.message) for w in caught)
    np.testing.assert_array_equal(vectors, clean_vectors(clean_folder))
    (fresh,) = [p for p in compiled.iterdir() if p.name != RECORD]
    assert json.loads((compiled / RECORD).read_text()) == {fresh.name: hashlib.sha256(fresh.read_bytes()).hexdigest()}
    assert outside.read_text() == "the user's file"  # a link is removed, never followed


def test_a_compiled_folder_that_is_a_link_is_not_used(clean_folder, tampered, tmp_path):
    folder, _ = tampered
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("the user's file")
    (folder / COMPILED_DIR).symlink_to(elsewhere, target_is_directory=True)
    with pytest.warns(UserWarning, match="it is not a folder"):
        vectors = _load(tmp_path).encode(TEXTS)
    np.testing.assert_array_equal(vectors, clean_vectors(clean_folder))
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
