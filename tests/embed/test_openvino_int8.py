"""``[embedding] runtime``: the int8 OpenVINO model (the default), built once and cached; fp32 one setting away."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from topics.config import EmbeddingConfig, TopicConfig
from topics.embed import Embedder, model_identity
from topics.embed import openvino_int8 as int8
from topics.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def remarks(demo_corpus) -> list[str]:
    """300 real therapist remarks of the demo corpus (the calibration texts are client utterances)."""
    from topics.clean import select_remarks
    from topics.config import CleaningConfig

    kept, _ = select_remarks(demo_corpus, CleaningConfig())
    return kept["text"].astype(str).iloc[::20].head(300).tolist()


@pytest.fixture(scope="module")
def built_folder(embedder) -> Path:
    """The int8 model folder of the user's model store (built by the session's embedder on first use)."""
    assert embedder.int8
    embedder.model  # noqa: B018 - builds or loads
    folder = int8.int8_folder(int8.model_store(), embedder.identity)
    assert json.loads((folder / "int8.json").read_text())["identity"] == embedder.identity
    return folder


def test_default_runtime_is_int8_and_torch_is_one_setting_away(tmp_path):
    default = Embedder(EmbeddingConfig(cache_dir=str(tmp_path)), show_progress=False)
    fp32 = Embedder(EmbeddingConfig(cache_dir=str(tmp_path), runtime="torch"), show_progress=False)
    assert default.int8 and not fp32.int8
    assert fp32.identity == model_identity("default")
    assert default.identity.startswith(fp32.identity + "|openvino-int8 (openvino ")
    assert "nncf 3.4.0" in default.identity and "calibration " in default.identity
    assert default.cache.path != fp32.cache.path  # int8 and fp32 vectors never share a cache file
    static = Embedder(EmbeddingConfig(model="static", cache_dir=str(tmp_path)), show_progress=False)
    assert not static.int8 and "openvino" not in static.identity
    with pytest.raises(ConfigError, match="runtime"):
        TopicConfig.from_dict({"embedding": {"runtime": "onnx"}})


def test_int8_vectors_are_close_to_fp32_on_real_remarks(embedder, remarks, tmp_path):
    vectors = embedder.embed(remarks)
    fp32 = Embedder(EmbeddingConfig(cache_dir=str(tmp_path), runtime="torch"), show_progress=False).embed(remarks)
    assert vectors.shape == fp32.shape == (300, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(vectors * fp32, axis=1)
    # measured on the demo's 6,560 remarks: mean 0.996 (benchmarks/RESULTS.md); an unnormalised, unpooled or
    # mis-tokenised vector would fall far below
    assert cosine.mean() > 0.99 and cosine.min() > 0.95
    # order and batching do not change a text's vector beyond int8 noise
    again = int8.load_int8_encoder("default", model_identity("default")).encode(remarks[::-1], batch_size=7)[::-1]
    assert np.min(np.sum(again * vectors, axis=1)) > 0.999


def test_cached_model_is_checked_before_it_is_read(built_folder, tmp_path, monkeypatch):
    identity = json.loads((built_folder / "int8.json").read_text())["identity"]
    copy = tmp_path / "copy"
    shutil.copytree(built_folder, copy)
    assert int8._read_cached(copy, identity) is not None
    assert int8._read_cached(copy, identity + "x") is None  # another model's folder
    monkeypatch.setattr(int8, "MAX_BIN_BYTES", 1000)
    assert int8._read_cached(copy, identity) is None  # oversized weights are not read
    monkeypatch.undo()
    (copy / "int8.json").write_text(
        json.dumps({"identity": identity, "normalize": "yes", "max_length": 256, "dimension": 384})
    )
    assert int8._read_cached(copy, identity) is None  # wrong shape
    shutil.copy(built_folder / "int8.json", copy / "int8.json")
    (copy / "model.bin").write_bytes(b"\0" * 100)
    assert int8._read_cached(copy, identity) is None  # truncated weights: OpenVINO refuses, no crash
    (copy / "model.bin").unlink()
    (copy / "model.bin").symlink_to(built_folder / "model.bin")
    assert int8._read_cached(copy, identity) is None  # links are not followed


def test_workers_starting_together_build_the_model_once(built_folder, tmp_path, monkeypatch):
    """Two loaders on an empty cache: the file lock makes the second wait for and reuse the first's build."""
    built = []

    def fake_build(model, folder, identity=""):
        built.append(folder)
        shutil.copytree(built_folder, folder)
        return folder

    monkeypatch.setattr(int8, "build_in_child", fake_build)
    encoders, errors = [], []

    def load():
        try:
            encoders.append(int8.load_int8_encoder("default", model_identity("default"), tmp_path))
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(encoders) == 2 and len(built) == 1


def test_the_int8_model_is_built_once_per_machine_not_per_cache_folder(built_folder, tmp_path, monkeypatch):
    """Two projects with their own embedding cache folders share one int8 model in the user's model store."""
    monkeypatch.setenv(int8.MODEL_DIR_ENV, str(tmp_path / "store"))
    built = []

    def fake_build(model, folder, identity=""):
        built.append(Path(folder))
        shutil.copytree(built_folder, folder)
        return Path(folder)

    monkeypatch.setattr(int8, "build_in_child", fake_build)
    for project in ("project-a", "project-b"):
        embedder = Embedder(EmbeddingConfig(cache_dir=str(tmp_path / project)), show_progress=False)
        assert embedder.embed(["How have you been sleeping?"]).shape == (1, 384)
    assert len(built) == 1 and built[0].parent == tmp_path / "store"
    assert not [p for p in (tmp_path / "project-a").iterdir() if p.name.startswith("openvino-int8")]
    assert json.loads((built[0] / "int8.json").read_text())["instruction_set"] == int8.instruction_set()


def test_the_model_is_keyed_by_the_instruction_set(built_folder, tmp_path, monkeypatch):
    """A model built on another kind of CPU (NNCF calibrated it with other kernels) is neither found nor read."""
    identity = json.loads((built_folder / "int8.json").read_text())["identity"]
    here = int8.int8_folder(tmp_path, identity)
    copy = tmp_path / "copy"
    shutil.copytree(built_folder, copy)
    assert int8._read_cached(copy, identity) is not None
    other = "AVX2" if int8.instruction_set() != "AVX2" else "AMX-INT8"
    monkeypatch.setattr(int8, "instruction_set", lambda: other)
    assert int8.int8_folder(tmp_path, identity) != here
    assert int8._read_cached(copy, identity) is None  # copied over from the other machine: rebuilt here


def test_a_build_that_fails_in_the_child_is_one_line(tmp_path):
    with pytest.raises(
        ConfigError, match=r"building the int8 model in .* failed \(.*could not be loaded offline"
    ) as err:
        int8.build_in_child(str(tmp_path / "no-such-model"), tmp_path / "int8", "x")
    assert "\n" not in str(err.value) and not (tmp_path / "int8").exists()


@pytest.mark.slow
def test_damaged_cache_is_rebuilt_with_a_warning(built_folder, tmp_path):
    identity = int8.int8_identity(model_identity("default"))
    folder = int8.int8_folder(tmp_path, identity)
    shutil.copytree(built_folder, folder)
    (folder / "model.xml").write_text("<net><layers><layer id='0' type='Bogus'/></layers></net>")
    with pytest.warns(UserWarning, match="incomplete or unreadable; building the int8 model again"):
        encoder = int8.load_int8_encoder("default", model_identity("default"), tmp_path)
    assert (folder / "model.xml").stat().st_size > 100_000
    vector = encoder.encode(["How have you been sleeping?"])
    assert vector.shape == (1, 384) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]  # nothing half-written left
    # built in a child process: the torch model, the ONNX graph and NNCF's statistics went with it
    assert "nncf" not in sys.modules and int8.LAST_BUILD_PEAK_GB is not None and int8.LAST_BUILD_PEAK_GB > 0.2


def test_models_that_do_not_mean_pool_are_refused_with_the_setting_named():
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling

    from topics.embed import load_sentence_transformer

    mean = load_sentence_transformer("default")
    cls = SentenceTransformer(modules=[mean[0], Pooling(384, pooling_mode="cls")], device="cpu")
    with pytest.raises(ConfigError, match="runtime = 'torch'"):
        int8._mean_pooled(cls, "my-cls-model")
    assert int8._mean_pooled(mean, "default") is True


def test_openvino_telemetry_is_off(built_folder, tmp_path):
    """Importing OpenVINO and embedding sends nothing to the vendor and writes nothing in the home folder.

    Without the block, ``import openvino`` creates ``~/intel`` and sends a DNS query for its analytics host.
    Traced with strace when it is installed: no connection to an outside address, no DNS query.
    """
    home = tmp_path / "home"
    home.mkdir()
    script = tmp_path / "embed.py"
    script.write_text(
        "import sys\nfrom topics.embed import openvino_int8 as m, model_identity\nimport nncf\n"
        f"e = m.load_int8_encoder('default', model_identity('default'), {str(built_folder.parent)!r})\n"
        "print(e.encode(['hello there']).shape, sys.modules['openvino_telemetry'])\n"
    )
    env = {**os.environ, "HOME": str(home)}
    command = [sys.executable, str(script)]
    log = tmp_path / "strace.log"
    if shutil.which("strace"):
        command = ["strace", "-f", "-qq", "-e", "trace=connect,sendto", "-o", str(log), *command]
    done = subprocess.run(command, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "(1, 384) None" in done.stdout
    assert list(home.iterdir()) == []  # no ~/intel consent folder or client id
    if log.exists():
        outside = [
            line
            for line in log.read_text().splitlines()
            if "AF_INET" in line
            and ("htons(53)" in line or not re.search(r'inet_(?:addr|pton)\((?:AF_INET6, )?"(127\.|::1)', line))
        ]
        assert outside == []
