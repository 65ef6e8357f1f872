"""The default CPU runtime: the sentence-transformers model quantized to int8 by NNCF and run by OpenVINO.

``[embedding] runtime = "openvino-int8"`` (the default) embeds on the CPU with an int8 copy of the model;
``runtime = "torch"`` runs the model's own fp32 weights in PyTorch, as sentence-transformers does. On the demo
corpus's 6,560 therapist remarks, on a 2-core machine, the int8 path embeds 2.8 times as many remarks a second
as torch fp32, and the topics it leads to stay within what a change of seed alone does to fp32 topics
(``benchmarks/RESULTS.md``, "Faster CPU embedding": adjusted Rand index, NMI with the utterance codes, NPMI).

The int8 model is built on this machine the first time it is needed (about 30-60 s), once per machine rather
than once per embedding cache folder: it goes into the user's model store (:func:`model_store`:
``$TOPICS_MODEL_DIR`` when set, else ``models/`` in the platform's user cache folder, beside the default
embedding cache), in a folder keyed by the int8 identity and this CPU's instruction set
(:func:`topics.embed.machine.instruction_set`; NNCF measures the activations with this CPU's kernels). It is
built in a child process, so that the torch model, the ONNX export and NNCF's statistics (about 1 GB) are given
back to the system when it ends rather than held by the fitting process:

1. the transformer is exported to ONNX (``torch.onnx.export``) and read by OpenVINO;
2. NNCF post-training quantization (``nncf.quantize``: weights and activations to int8, transformer model
   type so SmoothQuant and fast bias correction, mixed preset) measures the activations on 300 bundled
   client utterances (``topics/embed/data/calibration_texts.json``, public-domain AnnoMI; never therapist
   remarks, the texts the toolkit models);
3. the quantized model is saved as OpenVINO IR (``model.xml`` / ``model.bin``) in the model store, in a folder
   named by its identity (:func:`int8_identity`: the source model's identity, the OpenVINO and NNCF versions
   and a digest of the calibration texts) and the instruction set (:func:`int8_folder`), built under a
   temporary name and renamed into place whole, under a file lock so that processes starting together
   (Dask workers, two notebooks, two projects) build it once, private to the user (folder ``0700``, files
   ``0600``).

The model store is untrusted when read back. ``int8.json`` records the SHA-256 of ``model.xml`` and
``model.bin`` at build time; on load they are hashed again (:func:`model_digests`: 16 ms for MiniLM's 24 MB
from the page cache) and a mismatch (flipped, negated or random weights), or a folder built before digests
were recorded, is rebuilt with a warning. Someone who can write the folder can rewrite ``int8.json`` too, so
the loaded model is also checked by what it does: :data:`CANARY_TEXTS` calibration texts embedded by the int8
model must stay within cosine :data:`CANARY_COSINE` of the source model's own fp32 vectors (shipped for the
packaged model, so no torch is loaded: :mod:`topics.embed.int8_check`), or the model is rebuilt (once; a
rebuilt model that still fails is a :class:`~topics.errors.ConfigError`). OpenVINO's compiled form of the model
is kept in the folder too and checked the same way before it is read (:mod:`topics.embed.compiled_cache`).

At run time the tokenizer is the source model's own; OpenVINO computes the last hidden states (dynamic batch
and length, inference precision f32, the throughput hint with an asynchronous queue of requests, as many
threads as torch uses), and mean pooling and normalisation follow in numpy, as the model's own modules do.
The model must pool by the mean of its token vectors (all-MiniLM-L6-v2 does); other models are refused with
a line that names ``runtime = "torch"``. On CUDA the model runs in torch fp16 whatever ``runtime`` says.

OpenVINO and NNCF send usage telemetry to the vendor unless told otherwise; importing this module turns it off
for the process (:func:`import_openvino`), so nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np

from topics._dist import DISTRIBUTION
from topics._files import PRIVATE_FILE, PRIVATE_FOLDER, atomic_folder, atomic_write_text
from topics.embed.backends import embedding_dimension, load_sentence_transformer
from topics.embed.compiled_cache import COMPILED_DIR, compile_cached, file_sha256
from topics.embed.machine import instruction_set
from topics.errors import ConfigError

RUNTIME_INT8 = "openvino-int8"
RUNTIME_TORCH = "torch"
RUNTIMES = (RUNTIME_INT8, RUNTIME_TORCH)
"""Values of ``[embedding] runtime``."""
MAX_XML_BYTES = 64 << 20
"""Largest ``model.xml`` read back from the cache (MiniLM's is about 1 MB)."""
MAX_BIN_BYTES = 2 << 30
"""Largest ``model.bin`` read back from the cache (MiniLM's int8 weights are about 23 MB)."""
MODEL_FILES = ("model.xml", "model.bin")
"""The IR files whose SHA-256 ``int8.json`` records."""
CANARY_TEXTS = 8
"""Calibration texts embedded by both the int8 and the fp32 model each time the int8 model is loaded."""
CANARY_COSINE = 0.95
"""Lowest cosine allowed between a canary text's int8 and fp32 vectors (the demo's 6,560 remarks: mean 0.996,
300 of them: minimum above 0.95); a model with negated or scrambled weights falls far below."""
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
PERFORMANCE_HINT = "THROUGHPUT"
"""OpenVINO's performance hint for the CPU plugin."""
RUNTIME_CACHE_CAPACITY = 128
"""Entries of the OpenVINO CPU plugin's cache of per-shape executors (default 5,000). Every batch of
length-sorted remarks has a shape of its own, so a long embedding rarely hits the cache, and together with
oneDNN's cache of compiled kernels (:data:`PRIMITIVE_CACHE_CAPACITY`) it grew without bound: about 1 GB after
28,000 remarks. 128 entries keep the shapes that do recur (a topic's keywords, one label at a time: with no
cache each such call compiled its kernels again, 0.5 s under load). The vectors are bit-identical either way
(``benchmarks/RESULTS.md``, "Memory")."""
PRIMITIVE_CACHE_CAPACITY = "128"
"""``ONEDNN_PRIMITIVE_CACHE_CAPACITY`` set (unless the user set it) before OpenVINO is imported: oneDNN's cache of
compiled kernels, one set per batch shape (default 1,024 entries)."""
MMAP_THRESHOLD = 1 << 20
"""glibc's ``M_MMAP_THRESHOLD`` (bytes) fixed when the int8 encoder starts: buffers of 1 MB and more are mapped
and unmapped rather than carved from the heap, which otherwise grows with every new batch shape (glibc raises
the threshold after each large free, so freed inference buffers stay in the heap, fragmented)."""
TOKEN_BUDGET = 2048
"""Most padded tokens in one batch: 64 remarks of up to 32 tokens, 8 texts at MiniLM's 256-token limit. Batches
of 64 texts at full length took the peak memory of embedding the demo's remarks to 2.7 GB (torch fp32: 1.1 GB);
with this budget 1.45 GB, at the same speed (budgets 1024-8192 measured: 1.43-2.06 GB, 470-560 remarks/s)."""


MODEL_DIR_ENV = "TOPICS_MODEL_DIR"
"""Environment variable naming the model store (:func:`model_store`)."""
LAST_BUILD_PEAK_GB: float | None = None
"""Peak resident memory (GB) of the child process of the last int8 build in this process, None before one."""


def model_store() -> Path:
    """The folder where int8 models are built once per machine and user.

    ``$TOPICS_MODEL_DIR`` when set, else ``models`` in the platform's user cache folder
    (``platformdirs.user_cache_dir("therapy-topics")``: ``~/.cache/therapy-topics/models`` on Linux), the folder
    whose ``embeddings`` is the default embedding cache. Every embedding cache folder shares it.

    Returns
    -------
    Path
        The folder; it may not exist yet.
    """
    env = os.environ.get(MODEL_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(DISTRIBUTION, appauthor=False)) / "models"


def import_openvino() -> Any:
    """``openvino``, imported with the vendor's telemetry switched off.

    Importing OpenVINO (and running NNCF) sends usage events to the vendor unless a consent file in the user's
    home says no; here the telemetry package is made unimportable first, and both libraries then fall back to
    their own do-nothing stubs (nothing is sent, no file is written in the home folder).
    """
    _block_telemetry()
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", PRIMITIVE_CACHE_CAPACITY)
    import openvino

    return openvino


def _fixed_mmap_threshold() -> None:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (nothing on other C libraries and systems)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-3, MMAP_THRESHOLD)  # -3: M_MMAP_THRESHOLD


def _block_telemetry() -> None:
    """Make ``openvino_telemetry`` unimportable (unless OpenVINO was imported already, by someone else)."""
    if "openvino" not in sys.modules:
        sys.modules["openvino_telemetry"] = None  # type: ignore[assignment]  # ImportError -> vendor stubs


# turned off as soon as the embed stage is imported, before anything else can import openvino
_block_telemetry()


def calibration_texts() -> list[str]:
    """The 300 bundled calibration texts (client utterances of AnnoMI), in their fixed order."""
    data = resources.files("topics.embed").joinpath("data/calibration_texts.json").read_text(encoding="utf-8")
    texts = json.loads(data)
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise ValueError("topics/embed/data/calibration_texts.json must hold a list of strings")
    return texts


def int8_identity(base_identity: str) -> str:
    """Cache identity of the int8 model built from the model whose identity is ``base_identity``.

    The vectors change when the source weights, OpenVINO, NNCF or the calibration texts change, so all four
    enter it.
    """
    digest = hashlib.sha1(json.dumps(calibration_texts()).encode()).hexdigest()[:8]
    return (
        f"{base_identity}|{RUNTIME_INT8} (openvino {metadata.version('openvino')}, nncf "
        f"{metadata.version('nncf')}, calibration {digest})"
    )


def _mean_pooled(st_model: Any, model: str) -> bool:
    """Whether the sentence-transformers model is transformer, mean pooling, optional normalisation; returns
    whether it normalises. Anything else is a :class:`ConfigError` naming the torch runtime."""
    names = [type(m).__name__ for m in st_model]
    pooling = st_model[1] if len(names) > 1 else None
    mode = str(getattr(pooling, "pooling_mode", "")) if pooling is not None else ""  # sentence-transformers 5
    if names[:2] != ["Transformer", "Pooling"] or mode != "mean" or any(n != "Normalize" for n in names[2:]):
        raise ConfigError(
            f"[embedding] runtime = '{RUNTIME_INT8}' runs models that pool by the mean of their token vectors; "
            f"{model!r} is {' -> '.join(names)} ({mode or 'other'} pooling): set runtime = 'torch'",
            column="embedding.runtime",
        )
    return "Normalize" in names[2:]


def export_onnx(st_model: Any, path: Path) -> None:
    """The transformer of a sentence-transformers model as ONNX (dynamic batch and length), last hidden state out."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    module = LastHidden(st_model[0].auto_model.eval())
    example = st_model.tokenizer(["a short example", "another one here"], padding=True, return_tensors="pt")
    if "token_type_ids" not in example:
        raise ConfigError(
            f"[embedding] runtime = '{RUNTIME_INT8}' needs a BERT-style tokenizer (token type ids); "
            "set runtime = 'torch'",
            column="embedding.runtime",
        )
    axes = {name: {0: "batch", 1: "seq"} for name in (*INPUTS, "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow on shapes
        torch.onnx.export(
            module,
            tuple(example[k] for k in INPUTS),
            str(path),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def build_int8_model(model: str, folder: str | Path, identity: str = "") -> Path:
    """Quantize ``model`` to int8 and save it as OpenVINO IR in ``folder`` (replaced whole, at the end).

    Parameters
    ----------
    model : str
        ``"default"`` (the packaged all-MiniLM-L6-v2) or a local sentence-transformers model with mean pooling.
    folder : str or Path
        Where ``model.xml``, ``model.bin`` and ``int8.json`` go.
    identity : str, optional
        The int8 identity (:func:`int8_identity`), recorded in ``int8.json`` and checked when it is read back.

    Returns
    -------
    Path
        ``folder``.
    """
    import logging

    ov = import_openvino()
    import nncf

    logging.getLogger("nncf").setLevel(logging.WARNING)  # NNCF logs every step at INFO
    st_model = load_sentence_transformer(model, "cpu")
    normalize = _mean_pooled(st_model, model)
    max_length = int(st_model.max_seq_length)
    tokenizer = st_model.tokenizer

    def sample(text: str) -> dict[str, np.ndarray]:
        tokens = tokenizer([text], truncation=True, max_length=max_length, return_tensors="np")
        return {k: tokens[k].astype(np.int64) for k in INPUTS}

    texts = calibration_texts()
    folder = Path(folder)
    with atomic_folder(folder) as tmp:
        export_onnx(st_model, tmp / "model.onnx")
        quantized = nncf.quantize(
            ov.Core().read_model(str(tmp / "model.onnx")),
            nncf.Dataset(texts, sample),
            preset=nncf.QuantizationPreset.MIXED,
            model_type=nncf.ModelType.TRANSFORMER,
            subset_size=len(texts),
        )
        # fp32 constants kept as they are: save_model would halve them to fp16 by default
        ov.save_model(quantized, str(tmp / "model.xml"), compress_to_fp16=False)
        (tmp / "model.onnx").unlink()
        info = {
            "identity": identity,
            "normalize": normalize,
            "max_length": max_length,
            "dimension": embedding_dimension(st_model),
            "calibration_texts": len(texts),
            "instruction_set": instruction_set(),
            "sha256": model_digests(tmp),
        }
        atomic_write_text(tmp / "int8.json", json.dumps(info, indent=1))
    return folder


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock beside ``folder`` (POSIX ``flock``; none where the platform has no fcntl)."""
    folder.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(
        folder.parent / f".{folder.name}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE
    )
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def model_digests(folder: Path) -> dict[str, str]:
    """SHA-256 (hex) of each of :data:`MODEL_FILES` in ``folder``, read in 1 MB blocks."""
    return {name: file_sha256(folder / name) for name in MODEL_FILES}


def _read_cached(folder: Path, identity: str, problems: list[str] | None = None) -> tuple[Any, dict[str, Any]] | None:
    """The saved IR and its facts, or None when the folder is missing, incomplete, oversized or unreadable.

    The cache is untrusted: links are not followed, sizes are capped, the JSON is checked for shape, the model
    files must match the SHA-256 recorded at build time, and only OpenVINO's IR reader touches them (an IR is a
    graph and its weights, nothing it runs as code). Why a folder was not read is appended to ``problems``.
    """
    problems = [] if problems is None else problems
    xml, weights, info_path = folder / "model.xml", folder / "model.bin", folder / "int8.json"
    files = (xml, weights, info_path)
    if folder.is_symlink() or not all(p.is_file() and not p.is_symlink() for p in files):
        return None
    if xml.stat().st_size > MAX_XML_BYTES or weights.stat().st_size > MAX_BIN_BYTES or info_path.stat().st_size > 4096:
        return None
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
        ok = (
            isinstance(info, dict)
            and info.get("identity") == identity
            and info.get("instruction_set") == instruction_set()
            and isinstance(info.get("normalize"), bool)
            and all(isinstance(info.get(k), int) and 0 < info[k] <= 1 << 16 for k in ("max_length", "dimension"))
        )
        if not ok:
            return None
        recorded = info.get("sha256")
        if not isinstance(recorded, dict):
            problems.append("no SHA-256 of the model files recorded: built by an older version")
            return None
        changed = [name for name, digest in model_digests(folder).items() if recorded.get(name) != digest]
        if changed:
            problems.append(f"{' and '.join(changed)} do not match the SHA-256 recorded when it was built")
            return None
        return import_openvino().Core().read_model(str(xml), str(weights)), info
    except (OSError, ValueError, RuntimeError) as err:
        problems.append(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        return None


class OpenVINOEncoder:
    """Sentence vectors from an OpenVINO model of a transformer, mean-pooled (the :class:`Encoder` interface).

    Parameters
    ----------
    ov_model : openvino.Model
        The transformer: ``input_ids``, ``attention_mask``, ``token_type_ids`` in, last hidden state out.
    tokenizer : transformers tokenizer
        The source model's tokenizer.
    max_length : int
        Tokens kept per text (the source model's ``max_seq_length``).
    dimension : int
        Vector dimension.
    normalize : bool
        Scale vectors to unit length (the source model's ``Normalize`` module).
    threads : int, optional
        Inference threads; torch's thread count when omitted (one per Dask worker thread, the cores otherwise).
    compiled_cache : Path, optional
        Keep OpenVINO's compiled form of the model in this folder and read it back, checked
        (:func:`topics.embed.compiled_cache.compile_cached`; the caller holds the model folder's lock).
    """

    def __init__(
        self,
        ov_model: Any,
        tokenizer: Any,
        max_length: int,
        dimension: int,
        normalize: bool,
        threads: int | None = None,
        compiled_cache: Path | None = None,
    ) -> None:
        ov = import_openvino()
        import openvino.properties as props
        import openvino.properties.hint as hints

        if threads is None:
            from topics.embed.int8_check import inference_threads

            threads = inference_threads()
        config = {
            hints.performance_mode: getattr(hints.PerformanceMode, PERFORMANCE_HINT),
            props.inference_num_threads: max(1, int(threads)),
            # the CPU plugin would run bf16 where the CPU supports it: keep the precision that was measured
            hints.inference_precision: ov.Type.f32,
            "CPU_RUNTIME_CACHE_CAPACITY": RUNTIME_CACHE_CAPACITY,
        }
        _fixed_mmap_threshold()
        if compiled_cache is None:
            self.compiled = ov.Core().compile_model(ov_model, "CPU", config)
        else:  # OpenVINO's compiled form, kept beside the model and checked (topics.embed.compiled_cache)
            self.compiled = compile_cached(ov.Core(), ov_model, config, compiled_cache)
        self.queue = ov.AsyncInferQueue(self.compiled, self.compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.dimension = dimension
        self.normalize = normalize
        self._lock = threading.Lock()

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, show_progress_bar: bool = False, convert_to_numpy: bool = True
    ) -> np.ndarray:
        """Vectors of ``texts`` in their order, float32 of shape ``(len(texts), dimension)``.

        Texts go to the model in their order, at most ``batch_size`` and :data:`TOKEN_BUDGET` padded tokens at a
        time, each batch padded to its own longest text; callers that sort texts by length first
        (:class:`~topics.embed.Embedder` does) pad little.
        """
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out

        def pooled(request: Any, job: tuple[list[int], np.ndarray]) -> None:
            rows, mask = job
            hidden = request.get_output_tensor(0).data
            vectors = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            if self.normalize:
                vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
            out[rows] = vectors

        with self._lock:
            self.queue.set_callback(pooled)
            for rows in self._batches(texts, batch_size):
                tokens = self.tokenizer(
                    [texts[i] for i in rows],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="np",
                )
                feeds = {k: tokens[k].astype(np.int64) for k in INPUTS}
                self.queue.start_async(feeds, (rows, feeds["attention_mask"][..., None].astype(np.float32)))
            self.queue.wait_all()
        return out

    def _batches(self, texts: list[str], batch_size: int) -> Iterator[list[int]]:
        """Row numbers of each batch: texts in order, at most ``batch_size`` of them and at most
        :data:`TOKEN_BUDGET` tokens once padded (long texts go in smaller batches; memory stays bounded)."""
        lengths = [len(ids) for ids in self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]]
        batch: list[int] = []
        longest = 0
        for i, n in enumerate(lengths):
            if batch and (len(batch) >= batch_size or max(longest, n) * (len(batch) + 1) > TOKEN_BUDGET):
                yield batch
                batch, longest = [], 0
            batch.append(i)
            longest = max(longest, n)
        if batch:
            yield batch

    def release_memory(self) -> None:
        """Give back the working memory of the inference requests (about 250 MB after the demo's remarks); the
        next :meth:`encode` allocates it again."""
        with self._lock:
            self.compiled.release_memory()

    def get_embedding_dimension(self) -> int:
        """Dimension of the vectors."""
        return self.dimension


def int8_folder(store: str | Path, identity: str) -> Path:
    """Folder of the int8 model with ``identity`` (:func:`int8_identity`) for this CPU's instruction set in ``store``."""
    key = f"{identity}|{instruction_set()}"
    return Path(store) / f"openvino-int8-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def load_int8_encoder(
    model: str, base_identity: str, store: str | Path | None = None, *, show_progress: bool = True
) -> OpenVINOEncoder:
    """The int8 encoder of ``model``: read from the model store, or built there first (:func:`build_in_child`).

    Parameters
    ----------
    model : str
        ``"default"`` or a local sentence-transformers model with mean pooling.
    base_identity : str
        The source model's identity (:func:`topics.embed.model_identity`).
    store : str or Path, optional
        Folder of the int8 models; the user's model store (:func:`model_store`) when omitted.
    show_progress : bool
        Say so (on stderr) when the model has to be built.

    Returns
    -------
    OpenVINOEncoder
    """
    identity = int8_identity(base_identity)
    folder = int8_folder(model_store() if store is None else store, identity)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from topics.embed.int8_check import canary_cosine, default_tokenizer, reference_vectors

    texts = calibration_texts()[:CANARY_TEXTS]
    compiled, rebuild = folder / COMPILED_DIR, ""
    for _ in range(2):
        ov_model, info = _load_or_build(model, folder, identity, show_progress, rebuild)
        # the packaged model: its tokenizer.json and shipped fp32 canary vectors (no torch); others: the source model's
        reference = reference_vectors(base_identity, texts, info["dimension"]) if model == "default" else None
        tokenizer = default_tokenizer() if reference is not None else None
        if tokenizer is None or reference is None:
            st_model = load_sentence_transformer(model, "cpu")
            tokenizer = st_model.tokenizer
            reference = np.asarray(st_model.encode(texts, convert_to_numpy=True, show_progress_bar=False), np.float32)
        with _build_lock(folder):
            encoder = OpenVINOEncoder(
                ov_model, tokenizer, info["max_length"], info["dimension"], info["normalize"], compiled_cache=compiled
            )
        lowest = canary_cosine(encoder, texts, reference)
        if lowest >= CANARY_COSINE:
            return encoder
        rebuild = (
            f"its vectors of the canary texts are not the source model's (cosine {lowest:.3f} < "
            f"{CANARY_COSINE}): the weights were changed"
        )
    raise ConfigError(
        f"the int8 model rebuilt in {folder} still gives vectors unlike the source model's ({rebuild}); "
        "set runtime = 'torch'",
        column="embedding.runtime",
    )


def _load_or_build(model: str, folder: Path, identity: str, show_progress: bool, rebuild: str) -> tuple[Any, dict]:
    """The IR and facts in ``folder``, built first (under the lock) when missing, unreadable or ``rebuild`` says why."""
    with _build_lock(folder):
        problems: list[str] = [rebuild] if rebuild else []
        cached = None if rebuild else _read_cached(folder, identity, problems)
        if cached is None:
            if folder.exists() or folder.is_symlink():
                why = f" ({problems[0]})" if problems else ""
                warnings.warn(f"{folder} is incomplete or unreadable; building the int8 model again{why}", stacklevel=3)
            if show_progress:
                print(
                    f"building the int8 embedding model in {folder} (once on this machine, about 30-60 s)",
                    file=sys.stderr,
                    flush=True,
                )
            build_in_child(model, folder, identity)
            cached = _read_cached(folder, identity)
            if cached is None:  # pragma: no cover - just written
                raise ConfigError(
                    f"the int8 model written to {folder} could not be read back", column="embedding.runtime"
                )
    return cached


_CHILD = """
import json, sys
from topics.errors import ConfigError
from topics.embed.openvino_int8 import build_int8_model
try:
    build_int8_model(sys.argv[1], sys.argv[2], sys.argv[3])
except ConfigError as err:
    print(str(err).splitlines()[0] if str(err) else type(err).__name__, file=sys.stderr)
    sys.exit(3)
for line in open("/proc/self/status") if sys.platform.startswith("linux") else ():
    if line.startswith("VmHWM:"):
        print(json.dumps({"peak_gb": int(line.split()[1]) / 1024**2}))
"""


def build_in_child(model: str, folder: str | Path, identity: str) -> Path:
    """:func:`build_int8_model` in a child Python process, so that what the build holds is freed when it ends.

    The torch model, its ONNX export, the OpenVINO graph NNCF quantizes and NNCF's statistics take about 1 GB
    that the allocator would keep in the fitting process after the build; in a child the system gets it back.
    The child's peak resident memory is kept in :data:`LAST_BUILD_PEAK_GB` (Linux).

    Parameters
    ----------
    model : str
        ``"default"`` or a local sentence-transformers model with mean pooling.
    folder : str or Path
        Where the model goes (replaced whole, at the end).
    identity : str
        The int8 identity (:func:`int8_identity`).

    Returns
    -------
    Path
        ``folder``.

    Raises
    ------
    ConfigError
        The child failed; its last line of error output is named.
    """
    global LAST_BUILD_PEAK_GB
    package_root = str(Path(__file__).resolve().parents[2])  # the child imports this same topics package
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, model, str(folder), identity],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ConfigError(
            f"building the int8 model in {folder} failed ({lines[-1].strip() if lines else done.returncode}); "
            "set runtime = 'torch' to embed without it",
            column="embedding.runtime",
        )
    for line in done.stdout.splitlines()[::-1]:
        with contextlib.suppress(ValueError, TypeError, KeyError):
            LAST_BUILD_PEAK_GB = float(json.loads(line)["peak_gb"])
            break
    return Path(folder)
