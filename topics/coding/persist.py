"""A trained :class:`~topics.coding.Coder` saved as numbers and JSON, never as a pickle.

A coder file (``.npz``, written with :func:`numpy.savez`, uncompressed) holds:

* ``meta``: UTF-8 JSON as bytes: format version, mode, settings (temperature, thresholds, regularisation,
  seed), the codes the coder gives in order, the calibration temperature, the embedding model's identity
  (:attr:`topics.embed.Embedder.identity`), the codebook's name and fingerprint
  (:meth:`~topics.coding.Codebook.fingerprint`) and the coder's own fingerprint;
* ``prototypes``: one unit vector per code (zero-shot; kept for a few-shot coder too);
* ``coef``, ``intercept``, ``classes``: the logistic regression of a few-shot coder (``classes`` as the
  codes' positions in :attr:`~topics.coding.Codebook.labels`, so no text array is stored).

A coder file may come from someone else, so :func:`load_state` (behind :meth:`~topics.coding.Coder.load`) reads it as untrusted: the file is refused above
:data:`MAX_CODER_BYTES`, its members must be exactly the expected ones (each below the cap before anything is
decompressed or parsed), arrays are read with ``allow_pickle=False`` and must be float64 or int64 of the right
shapes and finite; the codebook given must have the fingerprint the file records, and an embedder given must
have the file's embedding model. Every refusal is one :class:`~topics.errors.InputError` line naming the file.
The loaded coder gives the same probabilities as the saved one, bit for bit (the regression is rebuilt from its
coefficients and scikit-learn computes them as before).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from topics._files import atomic_write
from topics.coding.codebook import Codebook
from topics.errors import InputError

FORMAT = "topics-coder"
VERSION = 1
MAX_CODER_BYTES = 256 << 20
"""Largest coder file read (256 MiB: 500 codes of 4,096-dimensional vectors, twice, fit in 33 MiB)."""
MAX_META_BYTES = 1 << 20
"""Largest JSON part of a coder file."""
MAX_DIMENSIONS = 16_384
"""The most embedding dimensions a coder file may hold."""
_ARRAYS = ("prototypes", "coef", "intercept", "classes")
_SETTINGS = ("temperature", "none_threshold", "low_confidence", "c", "calibrate", "use_codebook", "seed")


def _identity(embedder: Any) -> str | None:
    value = getattr(embedder, "identity", None)
    return str(value) if value is not None else None


def coder_meta(coder: Any) -> dict[str, Any]:
    """What a coder file records besides its arrays (JSON-ready).

    Parameters
    ----------
    coder : Coder
        A fitted :class:`~topics.coding.Coder`.

    Returns
    -------
    dict
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "mode": coder.mode_,
        "settings": {k: getattr(coder, k) for k in _SETTINGS},
        "classes": list(coder.classes_),
        "n_labels": int(coder.n_labels_),
        "calibrated": bool(coder.calibrated_),
        "calibration_temperature": float(coder.temperature_),
        "embedding_model": getattr(coder, "embedding_model_", None) or _identity(coder.embedder),
        "codebook": coder.codebook.name,
        "codebook_fingerprint": coder.codebook.fingerprint(),
        "fingerprint": coder.fingerprint(),
    }


def save_coder(coder: Any, path: str | Path) -> Path:
    """Write a fitted :class:`~topics.coding.Coder` to ``path`` (``.npz``) atomically: JSON and float arrays.

    Parameters
    ----------
    coder : Coder
        Fitted (:meth:`~topics.coding.Coder.fit`).
    path : str or Path
        The file to write (conventionally ``coder.npz``); an existing one is replaced whole.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        The coder is not fitted.
    """
    if not hasattr(coder, "mode_"):
        raise InputError("the coder is not fitted: call fit() before save()")
    meta = json.dumps(coder_meta(coder), ensure_ascii=False, sort_keys=True).encode("utf-8")
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(meta, dtype=np.uint8),
        "prototypes": np.asarray(coder.prototypes_, dtype=np.float64),
    }
    if coder.model_ is not None:
        labels = coder.codebook.labels
        arrays["coef"] = np.asarray(coder.model_.coef_, dtype=np.float64)
        arrays["intercept"] = np.asarray(coder.model_.intercept_, dtype=np.float64)
        arrays["classes"] = np.asarray([labels.index(str(c)) for c in coder.model_.classes_], dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    data = buffer.getvalue()
    return atomic_write(Path(path), lambda fh: fh.write(data))


def _members(path: Path) -> dict[str, int]:
    """The zip members of a coder file and their sizes, refused when anything is unexpected.

    Each member is ``NAME.npy``, stored (not compressed), and its ``.npy`` header is read first: an array whose
    header claims more data than the member holds (which would make numpy allocate it) is refused.
    """
    sizes: dict[str, int] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                if not info.filename.endswith(".npy") or (name != "meta" and name not in _ARRAYS) or name in sizes:
                    raise InputError(f"not a coder file: unexpected member {info.filename!r}", path=path)
                if info.file_size > MAX_CODER_BYTES or info.compress_type != zipfile.ZIP_STORED:
                    raise InputError(f"coder file member {info.filename!r} is compressed or too large", path=path)
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version not in ((1, 0), (2, 0)):
                        raise ValueError(f"unsupported .npy version {version}")
                    read = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, _, dtype = read(fh)  # the header only, no data
                if dtype.hasobject or int(np.prod(shape, dtype=np.float64)) * dtype.itemsize > info.file_size:
                    raise InputError(f"coder file member {info.filename!r} is not a plain array of its size", path=path)
                sizes[name] = info.file_size
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise InputError(f"not a coder file (.npz written by Coder.save): {err}", path=path) from None
    if "meta" not in sizes or "prototypes" not in sizes or sum(sizes.values()) > MAX_CODER_BYTES:
        raise InputError("not a coder file: its description or prototypes are missing", path=path)
    return sizes


def _array(data: Any, name: str, path: Path, dtype: str) -> np.ndarray:
    try:
        value = data[name]
    except (ValueError, OSError, EOFError) as err:  # pickled objects are refused by allow_pickle=False
        raise InputError(f"coder file: {name!r} is not a plain array ({err})", path=path) from None
    if value.dtype != np.dtype(dtype):
        raise InputError(f"coder file: {name!r} must be {dtype}, got {value.dtype}", path=path)
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        raise InputError(f"coder file: {name!r} holds values that are not finite", path=path)
    return value


def read_coder_file(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The description and the arrays of a coder file, with every size, type and shape checked.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    meta : dict
        See :func:`coder_meta`.
    arrays : dict
        ``prototypes`` and, for a few-shot coder, ``coef``, ``intercept``, ``classes``.

    Raises
    ------
    InputError
        Missing, too large, not a coder file, or inconsistent; one line naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such coder file", path=path)
    if path.stat().st_size > MAX_CODER_BYTES:
        raise InputError(f"the coder file is larger than {MAX_CODER_BYTES >> 20} MiB; refused", path=path)
    sizes = _members(path)
    if sizes["meta"] > MAX_META_BYTES + 1024:
        raise InputError("coder file: its description is larger than 1 MiB; refused", path=path)
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        raise InputError(f"not a coder file: {err}", path=path) from None
    with data:
        raw = _array(data, "meta", path, "uint8")
        arrays = {"prototypes": _array(data, "prototypes", path, "float64")}
        if "coef" in sizes:
            arrays["coef"] = _array(data, "coef", path, "float64")
            arrays["intercept"] = _array(data, "intercept", path, "float64")
            arrays["classes"] = _array(data, "classes", path, "int64")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise InputError(f"coder file: its description is not JSON ({err})", path=path) from None
    _check_meta(meta, arrays, path)
    return meta, arrays


def _check_meta(meta: Any, arrays: dict[str, np.ndarray], path: Path) -> None:
    def bad(message: str) -> InputError:
        return InputError(f"coder file: {message}", path=path)

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise bad("not written by Coder.save")
    if meta.get("version") != VERSION:
        raise bad(f"format version {meta.get('version')!r} is not {VERSION}")
    if meta.get("mode") not in ("zero-shot", "few-shot"):
        raise bad(f"unknown mode {meta.get('mode')!r}")
    settings, classes = meta.get("settings"), meta.get("classes")
    if not isinstance(settings, dict) or set(settings) != set(_SETTINGS):
        raise bad(f"'settings' must hold exactly {list(_SETTINGS)}")
    for key in ("temperature", "none_threshold", "low_confidence", "c"):
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise bad(f"setting {key!r} must be a finite number")
    if not isinstance(settings["seed"], int) or not isinstance(settings["use_codebook"], bool):
        raise bad("settings 'seed' and 'use_codebook' must be an integer and true/false")
    if settings["calibrate"] not in ("auto", True, False):
        raise bad("setting 'calibrate' must be 'auto', true or false")
    for key in ("calibration_temperature",):
        value = meta.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
            raise bad(f"{key!r} must be a positive number")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        raise bad("'classes' must be a list of code names")
    if not isinstance(meta.get("n_labels"), int) or not isinstance(meta.get("calibrated"), bool):
        raise bad("'n_labels' and 'calibrated' must be an integer and true/false")
    for key in ("codebook_fingerprint", "codebook", "fingerprint"):
        if not isinstance(meta.get(key), str):
            raise bad(f"{key!r} must be text")
    if meta.get("embedding_model") is not None and not isinstance(meta["embedding_model"], str):
        raise bad("'embedding_model' must be text")
    protos = arrays["prototypes"]
    if protos.ndim != 2 or not 0 < protos.shape[1] <= MAX_DIMENSIONS:
        raise bad(f"'prototypes' must be codes x dimensions (at most {MAX_DIMENSIONS}), got shape {protos.shape}")
    few = meta["mode"] == "few-shot"
    if few != ("coef" in arrays):
        raise bad("a few-shot coder has coefficients, a zero-shot one has none")
    if few:
        coef, intercept, positions = arrays["coef"], arrays["intercept"], arrays["classes"]
        n = len(positions)
        rows = 1 if n == 2 else n
        if positions.ndim != 1 or n != len(classes) or n < 2:
            raise bad(f"'classes' must list the {len(classes)} codes, got shape {positions.shape}")
        if coef.shape != (rows, protos.shape[1]) or intercept.shape != (rows,):
            raise bad(
                f"coefficients of shape {coef.shape} and intercepts of shape {intercept.shape} do not fit "
                f"{n} codes of {protos.shape[1]} dimensions"
            )


def load_state(path: str | Path, codebook: Codebook, embedder: Any = None) -> dict[str, Any]:
    """What :meth:`topics.coding.Coder.load` builds a coder from: a coder file checked against a codebook.

    Parameters
    ----------
    path : str or Path
        The coder file.
    codebook : Codebook
        The codebook it was trained with: its fingerprint must be the one the file records.
    embedder : object, optional
        Must have the embedding model the file records (checked by ``identity`` when it has one; a default
        :class:`topics.embed.Embedder` made later is checked when it is made).

    Returns
    -------
    dict
        ``settings`` (the coder's ``__init__`` keywords) and ``fitted`` (its learned attributes, the logistic
        regression rebuilt from its numbers).

    Raises
    ------
    InputError
        The file is missing, too large, not a coder file or inconsistent, or made for another codebook or
        embedding model; one line naming the file.
    """
    path = Path(path)
    meta, arrays = read_coder_file(path)
    if meta["codebook_fingerprint"] != codebook.fingerprint():
        raise InputError(
            f"the coder was trained with another codebook ({meta['codebook']!r}, fingerprint "
            f"{meta['codebook_fingerprint']}); this one has fingerprint {codebook.fingerprint()}",
            path=path,
        )
    wanted, given = meta.get("embedding_model"), _identity(embedder)
    if wanted and given and wanted != given:
        raise InputError(f"the coder was trained on embeddings of {wanted!r}, not of {given!r}", path=path)
    labels = codebook.labels
    classes = meta["classes"]
    unknown = [c for c in classes if c not in labels]
    if unknown or len(set(classes)) != len(classes):
        raise InputError(f"coder file: codes {unknown or classes} are not the codebook's, once each", path=path)
    protos = arrays["prototypes"]
    if protos.shape[0] != len(codebook.names):
        raise InputError(
            f"coder file: {protos.shape[0]} prototypes for a codebook of {len(codebook.names)} codes", path=path
        )
    settings = dict(meta["settings"])
    for key in ("temperature", "none_threshold", "low_confidence", "c"):
        settings[key] = float(settings[key])
    fitted: dict[str, Any] = {
        "prototypes_": protos,
        "classes_": list(classes),
        "mode_": meta["mode"],
        "n_labels_": meta["n_labels"],
        "calibrated_": meta["calibrated"],
        "temperature_": float(meta["calibration_temperature"]),
        "embedding_model_": wanted,
        "model_": None,
    }
    if meta["mode"] == "few-shot":
        positions = arrays["classes"]
        if positions.min() < 0 or positions.max() >= len(labels) or len(set(positions.tolist())) != len(positions):
            raise InputError("coder file: 'classes' points outside the codebook", path=path)
        model_classes = [labels[int(i)] for i in positions]
        if sorted(model_classes) != model_classes or set(model_classes) != set(classes):
            raise InputError("coder file: 'classes' are not the coder's codes in sorted order", path=path)
        fitted["model_"] = _regression(settings, arrays["coef"], arrays["intercept"], model_classes)
    return {"settings": settings, "fitted": fitted}


def _regression(settings: dict[str, Any], coef: np.ndarray, intercept: np.ndarray, classes: list[str]) -> Any:
    """The fitted logistic regression, rebuilt from its numbers (scikit-learn predicts from these alone)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=settings["c"], class_weight="balanced", max_iter=2000, random_state=settings["seed"])
    model.classes_ = np.asarray(classes, dtype=object)
    model.coef_ = np.ascontiguousarray(coef)
    model.intercept_ = np.ascontiguousarray(intercept)
    model.n_features_in_ = coef.shape[1]
    model.n_iter_ = np.zeros(1, dtype=np.int32)
    return model
