"""A saved coder applied to every remark of a Dask-engine run, partition by partition on the cluster.

>>> from topics.coding import Codebook, Coder
>>> from topics.distributed import code_distributed
>>> book = Codebook.load("codebook.toml")                                                  # doctest: +SKIP
>>> codes = code_distributed("runs/big", "runs/big/codes/coder.npz", book, n_workers=4)     # doctest: +SKIP
>>> codes.session_code_counts()                                                           # doctest: +SKIP

The coder is trained in this process on the sample run's remarks (``topics code RUN``, which saves it as
``RUN/codes/coder.npz``, :mod:`topics.coding.persist`), then every partition of the whole corpus's assignments
(``RUN/distributed/assignments/``, the remarks cleaned and de-identified as the engine cleans them) is coded on
the workers: each worker process loads the coder file once (no pickle; codebook and embedding model checked) and
embeds its partition through its own :class:`~topics.embed.Embedder` on the shared embedding cache, as the engine
embeds remarks for the topics. The codes are written as partitioned parquet and the counts gathered on the
cluster, into ``RUN/distributed/codes/`` (built beside and swapped in whole):

* ``coded/``: one row per remark: ``utterance_id``, ``session_id``, ``code``, ``probability``, ``margin``,
  ``low_confidence`` and ``p_<code>`` for every code (what :meth:`topics.coding.Coder.predict` gives);
* ``session_code_counts.parquet``: remarks per session and code (``session_id``, ``code``, ``n``), what group
  comparisons take with ``count_column="n"``;
* ``summary.json``: the coder's fingerprint, the codebook, remarks per code, partitions, workers.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from topics._files import atomic_folder, read_json_checked
from topics.coding import PROBABILITY_PREFIX, Codebook, Coder
from topics.config import EmbeddingConfig, TopicConfig
from topics.errors import InputError
from topics.runs import DISTRIBUTED_DIR, MODEL_DIR

CODES_DIR = "codes"
"""Folder of ``RUN/distributed/`` that :func:`code_distributed` writes."""

_STATE: dict[tuple[str, str, str, str], Coder] = {}
_LOCK = threading.Lock()


@dataclass
class DistributedCodes:
    """Where :func:`code_distributed` wrote the codes of the whole corpus, and what it did.

    Attributes
    ----------
    folder : Path
        ``RUN/distributed/codes``.
    summary : dict
        ``summary.json``.
    """

    folder: Path
    summary: dict[str, Any] = field(default_factory=dict)

    def coded(self) -> Any:
        """Every remark's code as a lazy ``dask.dataframe`` (``.compute()`` loads them all)."""
        import dask.dataframe as dd

        return dd.read_parquet(str(self.folder / "coded"))

    def session_code_counts(self) -> pd.DataFrame:
        """Remarks per session and code (``session_id``, ``code``, ``n``)."""
        return pd.read_parquet(self.folder / "session_code_counts.parquet")

    def code_sizes(self) -> pd.DataFrame:
        """Remarks per code over the whole corpus (``code``, ``remarks``, ``share``), largest first."""
        counts = self.session_code_counts().groupby("code")["n"].sum().rename("remarks").reset_index()
        counts["share"] = counts["remarks"] / counts["remarks"].sum() if len(counts) else 0.0
        return counts.sort_values(["remarks", "code"], ascending=[False, True], ignore_index=True)


def run_embedding(run: str | Path) -> EmbeddingConfig:
    """The embedding settings the run's model was fitted with (its config, the runtime its manifest records).

    Parameters
    ----------
    run : str or Path

    Returns
    -------
    EmbeddingConfig
    """
    from topics.embed import runtime_of

    folder = Path(run) / MODEL_DIR
    if not (folder / "config.toml").is_file():
        raise InputError(f"not a run folder: no {MODEL_DIR}/config.toml", path=run)
    config = TopicConfig.from_toml(folder / "config.toml").embedding
    manifest = read_json_checked(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    fitted_with = str(manifest.get("embedding_model", "")) if isinstance(manifest, dict) else ""
    if fitted_with:
        config.runtime = runtime_of(fitted_with, config)
    return config


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _worker_coder(coder_path: str, digest: str, codebook: Codebook, embedding: dict[str, Any]) -> Coder:
    """The coder, loaded once per worker process (safe loader) with the worker's own embedder."""
    from topics.embed import Embedder

    key = (coder_path, digest, codebook.fingerprint(), json.dumps(embedding, sort_keys=True))
    with _LOCK:
        if key not in _STATE:
            if _digest(Path(coder_path)) != digest:
                raise InputError("the coder file changed while the corpus was being coded", path=coder_path)
            embedder = Embedder(EmbeddingConfig(**embedding), show_progress=False)
            _STATE[key] = Coder.load(coder_path, codebook, embedder)
        return _STATE[key]


def code_partition(
    part: pd.DataFrame, coder_path: str, digest: str, codebook: Codebook, embedding: dict[str, Any], meta: pd.DataFrame
) -> pd.DataFrame:
    """Code the remarks of one partition of the assignments (embedded on this worker).

    Parameters
    ----------
    part : pandas.DataFrame
        Rows of ``RUN/distributed/assignments``: ``utterance_id``, ``session_id``, ``text``.
    coder_path : str
        The coder file, loaded once per worker.
    digest : str
        SHA-256 prefix of the coder file as the driver read it (a file changed since is refused).
    codebook : Codebook
    embedding : dict
        The embedding settings, cache folder absolute.
    meta : pandas.DataFrame
        Empty frame with the output columns and types.

    Returns
    -------
    pandas.DataFrame
        ``utterance_id``, ``session_id`` and the columns of :meth:`topics.coding.Coder.predict`.
    """
    if part.empty:
        return meta.iloc[:0].copy()
    coder = _worker_coder(coder_path, digest, codebook, embedding)
    remarks = pd.DataFrame(
        {"utterance_id": part["utterance_id"].astype(str).to_numpy(), "text": part["text"].astype(str).to_numpy()}
    )
    coded = coder.predict(remarks)
    coded.insert(1, "session_id", part["session_id"].astype(str).to_numpy())
    return coded[list(meta.columns)].astype(meta.dtypes.to_dict())


def _meta(coder: Coder) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "utterance_id": pd.Series(dtype=str),
        "session_id": pd.Series(dtype=str),
        "code": pd.Series(dtype=str),
        "probability": pd.Series(dtype="float64"),
        "margin": pd.Series(dtype="float64"),
        "low_confidence": pd.Series(dtype=bool),
    }
    for c in coder.classes_:
        columns[PROBABILITY_PREFIX + c] = pd.Series(dtype="float64")
    return pd.DataFrame(columns)


def code_distributed(
    run: str | Path,
    coder: str | Path,
    codebook: Codebook,
    *,
    scheduler: str | None = None,
    client: Any = None,
    n_workers: int = 2,
    embedding: EmbeddingConfig | None = None,
) -> DistributedCodes:
    """Apply a saved coder to every remark of a Dask-engine run, partition by partition on the cluster.

    Parameters
    ----------
    run : str or Path
        A run folder written by :func:`fit_distributed` (``RUN/distributed/assignments``).
    coder : str or Path
        A coder file (:meth:`topics.coding.Coder.save`; ``topics code RUN`` writes ``RUN/codes/coder.npz``).
        Workers of a remote cluster must see it, the run folder and the embedding cache at the same paths.
    codebook : Codebook
        The codebook the coder was trained with (its fingerprint is checked).
    scheduler : str, optional
        Address of a running Dask scheduler. Default: a local cluster.
    client : distributed.Client, optional
        A client to use as it is.
    n_workers : int, default 2
        Worker processes of the local cluster.
    embedding : EmbeddingConfig, optional
        Default: the run's (:func:`run_embedding`); its model must be the coder's.

    Returns
    -------
    DistributedCodes

    Raises
    ------
    InputError
        Not a Dask-engine run, or a coder file that is refused (another codebook or embedding model, broken),
        checked in this process before the cluster starts; nothing is written then.
    """
    from topics.distributed.engine import _client
    from topics.embed import Embedder

    run = Path(run)
    assignments = run / DISTRIBUTED_DIR / "assignments"
    if not assignments.is_dir() or assignments.is_symlink():
        raise InputError("not a run folder of the Dask engine: distributed/assignments is missing", path=run)
    config = embedding if embedding is not None else run_embedding(run)
    settings = dict(vars(config), cache_dir=str(Path(config.cache_dir).expanduser().resolve()))
    coder_path = Path(coder).resolve()
    checked = Coder.load(coder_path, codebook, Embedder(EmbeddingConfig(**settings), show_progress=False))
    digest = _digest(coder_path)
    meta = _meta(checked)
    target = run / DISTRIBUTED_DIR / CODES_DIR
    import dask.dataframe as dd

    with _client(scheduler, client, n_workers) as dask_client, atomic_folder(target) as tmp:
        remarks = dd.read_parquet(str(assignments), columns=["utterance_id", "session_id", "text"])
        coded = remarks.map_partitions(
            code_partition, str(coder_path), digest, codebook, settings, meta, meta=meta, enforce_metadata=False
        )
        coded.to_parquet(str(tmp / "coded"), write_index=False)
        written = dd.read_parquet(str(tmp / "coded"), columns=["session_id", "code"])
        counts = written.groupby(["session_id", "code"]).size().rename("n").reset_index().compute()
        counts = counts.astype({"n": "int64"}).sort_values(["session_id", "code"], ignore_index=True)
        counts.to_parquet(tmp / "session_code_counts.parquet", index=False)
        per_code = counts.groupby("code")["n"].sum()
        summary = {
            "coder": str(coder_path),
            "coder_fingerprint": checked.fingerprint(),
            "mode": checked.mode_,
            "codebook": codebook.name,
            "codebook_fingerprint": codebook.fingerprint(),
            "embedding_model": checked.embedding_model_,
            "remarks": int(per_code.sum()),
            "codes": {str(k): int(v) for k, v in per_code.items()},
            "low_confidence_remarks": int(
                dd.read_parquet(str(tmp / "coded"), columns=["low_confidence"])["low_confidence"].sum().compute()
            ),
            "partitions": int(remarks.npartitions),
            "workers": len(dask_client.nthreads()),
            "scheduler": scheduler or ("client" if client is not None else f"LocalCluster({n_workers} workers)"),
        }
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return DistributedCodes(folder=target, summary=summary)


def load_distributed_codes(run: str | Path) -> DistributedCodes:
    """The codes :func:`code_distributed` wrote for a run.

    Parameters
    ----------
    run : str or Path

    Returns
    -------
    DistributedCodes

    Raises
    ------
    InputError
        The run has no codes of the whole corpus.
    """
    folder = Path(run) / DISTRIBUTED_DIR / CODES_DIR
    path = folder / "summary.json"
    if not path.is_file() or path.is_symlink():
        raise InputError("no codes of the whole corpus: run code_distributed (topics code RUN --dask)", path=run)
    summary = read_json_checked(path, max_bytes=1 << 20)
    if not isinstance(summary, dict):
        raise InputError("distributed/codes/summary.json does not hold an object", path=path)
    return DistributedCodes(folder=folder, summary=summary)
