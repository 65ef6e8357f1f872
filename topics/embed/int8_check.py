"""Loading and checking the int8 model without torch, when the packaged model's canary references are shipped.

Each time the int8 model is loaded (:func:`topics.embed.openvino_int8.load_int8_encoder`), the live OpenVINO
model embeds :data:`~topics.embed.openvino_int8.CANARY_TEXTS` calibration texts and its vectors must stay within
cosine :data:`~topics.embed.openvino_int8.CANARY_COSINE` of the source model's fp32 vectors of the same texts.
For the packaged all-MiniLM-L6-v2 those fp32 vectors do not change between runs: they ship with the toolkit
(``data/canary_fp32.json``, computed by ``SentenceTransformer.encode`` with torch on the CPU, keyed by the model
package's identity and the texts' SHA-256), so the check compares the live model against them and needs neither
torch nor the fp32 weights. The tokenizer is the model's own ``tokenizer.json`` run by the ``tokenizers`` library
(:class:`FastTokenizer`), set up as ``transformers`` sets it up for sentence-transformers (truncation to the
model's ``max_seq_length``, padding to the longest text of a batch): the token ids, masks and type ids are the
same (checked on 29,000 counselor remarks), so the int8 vectors are bit-identical. Together with
:class:`~topics.embed.Embedder`'s verification sample (cached texts embedded again by the live model), a warm
run in which every text is cached no longer imports torch, sentence-transformers or transformers.

Any other model, another version of the model package, or a reference file that does not match (identity,
texts, shape, finite values) takes the former path: the sentence-transformers model is loaded and the references
computed with torch, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

REFERENCE_FILE = "data/canary_fp32.json"
"""The shipped fp32 canary vectors of the packaged model (in :mod:`topics.embed`)."""
MAX_REFERENCE_BYTES = 1 << 20
"""Largest reference file read."""


def texts_digest(texts: Sequence[str]) -> str:
    """SHA-256 (hex) of the canary texts as JSON, which the reference file records."""
    return hashlib.sha256(json.dumps(list(texts)).encode()).hexdigest()


def reference_vectors(base_identity: str, texts: Sequence[str], dimension: int) -> np.ndarray | None:
    """The shipped fp32 vectors of ``texts`` by the model with ``base_identity``, or None when none match.

    Parameters
    ----------
    base_identity : str
        The source model's identity (:func:`topics.embed.model_identity`).
    texts : sequence of str
        The canary texts, in order.
    dimension : int
        The model's vector dimension.

    Returns
    -------
    numpy.ndarray or None
        Float32 array of shape ``(len(texts), dimension)`` with finite values; None when the file is missing,
        too large, malformed, or recorded for another model, other texts or another shape.
    """
    path = resources.files("topics.embed").joinpath(REFERENCE_FILE)
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_REFERENCE_BYTES:
            return None
        doc = json.loads(raw)
    except (OSError, ValueError):
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("identity") != base_identity
        or doc.get("texts_sha256") != texts_digest(texts)
        or not isinstance(doc.get("vectors"), list)
    ):
        return None
    try:
        vectors = np.asarray(doc["vectors"], dtype=np.float32)
    except (TypeError, ValueError):
        return None
    if vectors.shape != (len(texts), dimension) or not np.isfinite(vectors).all():
        return None
    return vectors


class FastTokenizer:
    """A model's ``tokenizer.json`` run by the ``tokenizers`` library, called like a ``transformers`` tokenizer.

    Only what :class:`~topics.embed.openvino_int8.OpenVINOEncoder` asks for: ``tokenizer(texts, padding=...,
    truncation=True, max_length=..., return_tensors="np")`` gives padded arrays of ``input_ids``,
    ``attention_mask`` and ``token_type_ids``; without ``return_tensors``, lists of unpadded ids.

    Parameters
    ----------
    path : str or Path
        The ``tokenizer.json`` file.
    pad_token : str, default "[PAD]"
        The padding token (id and type id 0 for BERT vocabularies).
    """

    def __init__(self, path: str | Path, pad_token: str = "[PAD]") -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        pad_id = self._tokenizer.token_to_id(pad_token)
        if pad_id is None:
            raise ValueError(f"{path}: no padding token {pad_token!r} in the vocabulary")
        self._pad = {"pad_id": int(pad_id), "pad_type_id": 0, "pad_token": pad_token}

    def __call__(
        self,
        texts: Sequence[str],
        padding: bool = False,
        truncation: bool = True,
        max_length: int | None = None,
        return_tensors: str | None = None,
    ) -> dict[str, Any]:
        """Token ids, attention masks and token type ids of ``texts`` (special tokens added)."""
        tok = self._tokenizer
        if truncation and max_length is not None:
            tok.enable_truncation(max_length=int(max_length))
        else:
            tok.no_truncation()
        if padding:
            tok.enable_padding(**self._pad)  # to the longest text of the call
        else:
            tok.no_padding()
        encodings = tok.encode_batch([str(t) for t in texts])
        out = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        if return_tensors == "np":
            return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}
        return out


def default_tokenizer() -> FastTokenizer | None:
    """:class:`FastTokenizer` of the packaged model (None when its folder has no ``tokenizer.json``)."""
    from topics.embed.backends import default_model_path

    path = default_model_path() / "tokenizer.json"
    return FastTokenizer(path) if path.is_file() and not path.is_symlink() else None


def inference_threads() -> int:
    """Threads for OpenVINO inference: torch's intra-op thread count, without importing torch for it.

    When torch is loaded already (a Dask worker may have set its count), its count; otherwise torch's default:
    ``MKL_NUM_THREADS`` or ``OMP_NUM_THREADS`` when set, else the physical cores (logical CPUs where the
    topology is unknown). The vectors do not depend on it (bit-identical with 1, 2 and 4 threads).
    """
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "get_num_threads"):
        return max(1, int(torch.get_num_threads()))
    for var in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return physical_cores()


def physical_cores() -> int:
    """Physical CPU cores (Linux: distinct package and core ids in sysfs; elsewhere the logical CPUs)."""
    cores = set()
    for topo in Path("/sys/devices/system/cpu").glob("cpu[0-9]*/topology"):
        try:
            cores.add(((topo / "physical_package_id").read_text().strip(), (topo / "core_id").read_text().strip()))
        except OSError:
            continue
    return max(1, len(cores) or os.cpu_count() or 1)


def canary_cosine(encoder: Any, texts: Sequence[str], reference: np.ndarray) -> float:
    """Lowest cosine between the live encoder's vectors of ``texts`` and their ``reference`` vectors."""
    ours = np.asarray(encoder.encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1)
    cosine = np.sum(ours * reference, axis=1) / np.clip(norms, 1e-12, None)
    return float(np.min(np.nan_to_num(cosine, nan=-1.0)))
