"""Stage 3, embed: remark texts -> vectors, through an on-disk cache, with nothing downloaded.

>>> from topics.embed import Embedder
>>> vectors = Embedder().embed(["How have you been sleeping?"])     # doctest: +SKIP

* :mod:`topics.embed.backends`: the :class:`Encoder` interface, the packaged MiniLM and other local
  sentence-transformers models;
* :mod:`topics.embed.static`: the fast mode, a static model distilled locally from MiniLM;
* :mod:`topics.embed.cache`: the SQLite cache, one file per model identity, safe for several processes;
* :mod:`topics.embed.device`: ``[embedding] device = "auto"`` (CUDA in fp16 when present, else CPU);
* :mod:`topics.embed.openvino_int8`: ``[embedding] runtime = "openvino-int8"`` (the default on the CPU), MiniLM
  quantized to int8 by NNCF and run by OpenVINO, built and cached on first use;
* :mod:`topics.embed.int8_check`: the int8 model loaded and checked without torch (the model's own
  ``tokenizer.json``, shipped fp32 canary vectors of the packaged model);
* :mod:`topics.embed.embedder`: :class:`Embedder`, which embeds what the cache does not hold yet.
"""

from topics.embed.backends import DEFAULT_MODEL_PACKAGE, Encoder, default_model_path, load_sentence_transformer
from topics.embed.cache import EmbeddingCache, cache_secret, text_key
from topics.embed.device import cuda_available, cuml_available, encode_overlapped, resolve_device
from topics.embed.embedder import Embedder, model_identity, runtime_of
from topics.embed.openvino_int8 import OpenVINOEncoder, build_int8_model, load_int8_encoder
from topics.embed.static import STATIC_MODEL, StaticModel, distill_static_model, load_static_model

__all__ = [
    "DEFAULT_MODEL_PACKAGE",
    "STATIC_MODEL",
    "Embedder",
    "EmbeddingCache",
    "Encoder",
    "OpenVINOEncoder",
    "StaticModel",
    "cuda_available",
    "cuml_available",
    "build_int8_model",
    "default_model_path",
    "distill_static_model",
    "encode_overlapped",
    "load_int8_encoder",
    "load_sentence_transformer",
    "load_static_model",
    "model_identity",
    "resolve_device",
    "runtime_of",
    "cache_secret",
    "text_key",
]
