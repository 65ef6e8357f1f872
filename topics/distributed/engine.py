"""The Dask engine: fit on a sample of whole sessions, then assign every remark on a cluster.

>>> from topics.distributed import fit_distributed
>>> run = fit_distributed("big_corpus.parquet", out="runs/big", sample_sessions=2000)     # doctest: +SKIP

The corpus is read lazily (:mod:`dask.dataframe`: CSV / TSV split into blocks, parquet by file or row
group) and is never held whole by this process (the driver):

1. **Sample.** Only the session ids (and the stratum column, when asked) are collected; ``sample_sessions``
   whole sessions are drawn with the config's seed (in proportion to each stratum, at least one per
   stratum). Their utterances, a bounded table, are fitted by the single-process :func:`topics.fit`
   (cleaning, de-identification, embedding, UMAP + HDBSCAN), and the run folder is written as usual.
2. **Assign.** Every partition is cleaned and de-identified with the same rules and each remark is
   assigned by :meth:`topics.model.TopicModel.transform` (nearest topic centroid, the outlier threshold),
   on the workers. Each worker loads the saved model folder once with the safe loader
   (:meth:`TopicModel.load`, no pickle) and embeds through its own
   :class:`~topics.embed.Embedder`, whose cache file is shared by all workers (write-ahead log, retried
   locks; :mod:`topics.embed.cache`). The assignments are written as partitioned parquet.
3. **Aggregate** on the cluster: remarks per session x topic, word counts per topic (the sample's
   vocabulary, as the curated view uses), the drop account of the whole corpus.

What lands in the run folder besides the usual files (``RUN/distributed/``): ``assignments/`` (parquet, one
file per partition), ``session_topic_counts.parquet``, ``sessions.parquet`` (remarks and session-level
metadata per session), ``topic_word_counts.parquet``, ``drop_counts.csv`` and ``summary.json`` (which records the
sample model's ``model_fingerprint``, :func:`topics.runs.model_fingerprint`). Curation and
evaluation read the sample run as they read any run; group comparisons (``topics compare``, the report) use
the whole-corpus session x topic counts (:meth:`DistributedRun.session_counts`,
:func:`topics.compare.compare_distributed`). The whole-corpus tables are read with :func:`load_distributed`.

The cluster: ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) or a ready ``distributed.Client``;
without either, a :class:`distributed.LocalCluster` of ``n_workers`` processes with one thread each is
started on this machine (on localhost only) and closed at the end. Workers of a remote cluster must see the
input files, the run folder and the embedding cache folder at the same paths (a shared file system), and
have this package installed. A script that starts a local cluster needs the ``if __name__ == "__main__":``
guard, since the worker processes import the script.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from topics._files import atomic_folder, read_json_checked
from topics.analysis import Analysis
from topics.config import TopicConfig
from topics.curate import CuratedView
from topics.distributed.aggregate import SESSIONS_FILE, aggregate, peak_memory_mib
from topics.distributed.lazy import draw_sessions, read_lazy
from topics.distributed.workers import assign_partition, preload
from topics.errors import ConfigError, InputError
from topics.pipeline import fit as fit_corpus
from topics.read import REQUIRED_COLUMNS, refuse_reserved
from topics.read.files import _apply_mapping
from topics.runs import DISTRIBUTED_DIR, carry_over_user_files, check_output_folder, model_fingerprint

SPLIT_LABEL = "split in curation: not mapped"
"""Curated label of the counts of a raw topic that a ledger split (counts cannot be split)."""


@dataclass
class DistributedRun:
    """What :func:`fit_distributed` did: the sample's analysis and where the whole-corpus tables are.

    Attributes
    ----------
    analysis : Analysis
        The model fitted on the sample of sessions (as saved in the run folder).
    folder : Path
        The run folder.
    summary : dict
        Utterances, remarks, sessions, partitions, sample sizes, outlier share, timings (``summary.json``).
    """

    analysis: Analysis
    folder: Path
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def assignments_path(self) -> Path:
        """Folder of the partitioned assignment parquet files."""
        return self.folder / DISTRIBUTED_DIR / "assignments"

    def assignments(self) -> Any:
        """The assignments of every remark as a lazy ``dask.dataframe`` (``.compute()`` loads them all)."""
        import dask.dataframe as dd

        return dd.read_parquet(str(self.assignments_path))

    def session_topic_counts(self) -> pd.DataFrame:
        """Remarks per session and topic (``session_id``, [group column], ``topic``, ``n``)."""
        return pd.read_parquet(self.folder / DISTRIBUTED_DIR / "session_topic_counts.parquet")

    def topic_word_counts(self) -> pd.DataFrame:
        """Word counts per topic over the whole corpus (``topic``, ``word``, ``n``)."""
        return pd.read_parquet(self.folder / DISTRIBUTED_DIR / "topic_word_counts.parquet")

    def drop_counts(self) -> pd.DataFrame:
        """The account of every utterance of the whole corpus (as ``drop_counts.csv`` of a run)."""
        return pd.read_csv(self.folder / DISTRIBUTED_DIR / "drop_counts.csv")

    def topic_sizes(self) -> pd.DataFrame:
        """Remarks per topic over the whole corpus, with the topic labels and shares."""
        counts = self.session_topic_counts().groupby("topic")["n"].sum()
        labels = dict(zip(self.analysis.raw_topics["topic"], self.analysis.raw_topics["label"], strict=True))
        labels.setdefault(-1, "outliers")
        table = counts.rename("remarks").reset_index()
        table["label"] = table["topic"].map(labels)
        table["share"] = table["remarks"] / table["remarks"].sum()
        return table.sort_values("remarks", ascending=False, ignore_index=True)

    def sessions(self) -> pd.DataFrame:
        """One row per session of the whole corpus: ``session_id``, ``remarks`` and the session-level metadata.

        A metadata column is session-level when it holds one value in every session (the groups, strata and
        clusters a comparison needs); columns that vary within a session are listed in ``summary.json``
        (``varying_columns``) and left out. Runs written before this table existed give the sessions of the
        session x topic counts.
        """
        path = self.folder / DISTRIBUTED_DIR / SESSIONS_FILE
        if path.is_file():
            return pd.read_parquet(path)
        counts = self.session_topic_counts()
        keys = [c for c in counts.columns if c not in ("topic", "n")]
        return counts.groupby(keys, dropna=False)["n"].sum().rename("remarks").reset_index()

    def session_counts(self, view: CuratedView | None = None) -> pd.DataFrame:
        """Whole-corpus remarks per session and topic, with each session's metadata: what comparisons take.

        Parameters
        ----------
        view : CuratedView, optional
            A curation of the sample's model (``analysis.curation`` of a curated analysis, or
            :func:`topics.curate.apply_ledger`): raw topics are sent where the curation sent their remarks.
            Remarks of a raw topic the ledger split cannot be sent anywhere from counts: they are left out
            (``attrs["unmapped_remarks"]`` says how many). Default: the raw model's topics.

        Returns
        -------
        pandas.DataFrame
            ``session_id``, ``topic``, ``label``, ``n`` (remarks), and every session-level metadata column
            (:meth:`sessions`); ``topic`` -1 holds remarks without a topic (outliers, set aside). Pass it to
            :func:`topics.compare.run_comparison` with ``count_column="n"``.
        """
        counts = self.session_topic_counts()
        counts = counts.groupby(["session_id", "topic"], dropna=False)["n"].sum().reset_index()
        unmapped = 0
        if view is None:
            labels = dict(zip(self.analysis.raw_topics["topic"], self.analysis.raw_topics["label"], strict=True))
            labels.setdefault(-1, "outliers")
            counts["label"] = counts["topic"].map(labels).fillna("not in the model")
        else:
            mapping = _curated_mapping(view.flows)
            counts = counts.rename(columns={"topic": "raw_topic"}).join(mapping, on="raw_topic")
            lost = counts["topic"].isna()
            unmapped = int(counts.loc[lost, "n"].sum())
            counts = counts[~lost].astype({"topic": "int64"})
            counts.loc[counts["bucket"].fillna("") != "", "topic"] = -1
            counts = (
                counts.groupby(["session_id", "topic"], dropna=False)
                .agg(n=("n", "sum"), label=("label", "first"))
                .reset_index()
            )
            curated = dict(zip(view.topics["topic"], view.topics["label"], strict=True))
            counts["label"] = counts["topic"].map(curated).fillna(counts["label"])
        sessions = self.sessions()
        reserved = {"topic", "label", "n", "raw_topic", "bucket", "remarks"}
        metadata = sessions[[c for c in sessions.columns if c not in reserved]]
        table = counts.merge(metadata, on="session_id", how="left")
        table.attrs["unmapped_remarks"] = unmapped
        return table

    def curated_counts(self, ledger: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole-corpus counts in the curated view of a ledger.

        The ledger is replayed on the sample's model (:func:`topics.curate.apply_ledger`), and each raw topic
        is sent where the curation sent its remarks: renamed, merged and dropped topics map one to one. A raw
        topic that the ledger split has no single destination: its rows keep ``topic`` missing and the label
        ``"split in curation: not mapped"`` (the split rule needs the remarks, not counts).

        Parameters
        ----------
        ledger : str or Path, optional
            The ledger; default the run's ``ledger.yaml``.

        Returns
        -------
        sessions : pandas.DataFrame
            ``session_id``, [group column], ``topic``, ``label``, ``bucket``, ``n``: remarks per session and
            curated topic (``bucket`` names where a dropped topic went).
        words : pandas.DataFrame
            ``topic``, ``word``, ``n``: word counts per curated topic (split raw topics left out).

        Raises
        ------
        InputError
            No ledger was given and the run has none.
        """
        from topics.analysis import run_ledger
        from topics.curate import apply_ledger

        chosen = run_ledger(self.folder, ledger)
        if chosen is None:
            raise InputError("no curation ledger: pass one, or write RUN/ledger.yaml first", path=self.folder)
        mapping = _curated_mapping(apply_ledger(self.analysis.model, chosen).flows)
        counts = self.session_topic_counts().rename(columns={"topic": "raw_topic"})
        counts = counts.join(mapping, on="raw_topic")
        unknown = counts["label"].isna()  # a raw topic the sample never used (transform cannot give one)
        counts.loc[unknown, "label"] = "not in the curated view"
        counts["bucket"] = counts["bucket"].fillna("")
        keys = [c for c in counts.columns if c not in ("raw_topic", "n", "topic", "label", "bucket")]
        sessions = counts.groupby([*keys, "topic", "label", "bucket"], dropna=False)["n"].sum().reset_index()
        words = self.topic_word_counts().rename(columns={"topic": "raw_topic"}).join(mapping, on="raw_topic")
        words = words[words["topic"].notna()]
        words = words.groupby(["topic", "word"])["n"].sum().reset_index()
        return sessions, words


def _curated_mapping(flows: pd.DataFrame) -> pd.DataFrame:
    """Where each raw topic went in a curation (``topic``, ``label``, ``bucket`` by ``raw_topic``).

    A raw topic the ledger split has more than one destination: ``topic`` missing, label :data:`SPLIT_LABEL`.
    """
    per_raw = flows.groupby("raw_topic").agg(
        destinations=("topic", "size"), topic=("topic", "first"), label=("label", "first"), bucket=("bucket", "first")
    )
    split = per_raw["destinations"] > 1
    per_raw.loc[split, "topic"] = pd.NA
    per_raw.loc[split, "label"] = SPLIT_LABEL
    per_raw.loc[split, "bucket"] = ""
    return per_raw[["topic", "label", "bucket"]].astype({"topic": "Int64"})


# ---------------------------------------------------------------------------------------------- the driver


@contextmanager
def _client(scheduler: str | None, client: Any, n_workers: int):
    """The client to use: the caller's, one connected to ``scheduler``, or a new local cluster's."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as connected:
            yield connected
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as local,
    ):
        yield local


def _meta(ddf: Any) -> pd.DataFrame:
    extra = [c for c in ddf.columns if c not in REQUIRED_COLUMNS]
    columns: dict[str, pd.Series] = {
        "utterance_id": pd.Series(dtype=str),
        "session_id": pd.Series(dtype=str),
        "turn": pd.Series(dtype="int64"),
        "speaker_id": pd.Series(dtype=str),
        "topic": pd.Series(dtype="int64"),
        "label": pd.Series(dtype=str),
        "similarity": pd.Series(dtype="float64"),
        "text": pd.Series(dtype=str),
    }
    for c in extra:
        columns[str(c)] = pd.Series(dtype="string")
    meta = pd.DataFrame(columns)
    return meta


def fit_distributed(
    source: str | Path,
    config: TopicConfig | None = None,
    *,
    out: str | Path,
    scheduler: str | None = None,
    client: Any = None,
    n_workers: int = 2,
    sample_sessions: int = 2000,
    stratify: str | None = None,
    mapping: dict[str, str] | None = None,
    role_values: dict[str, str] | None = None,
    format: str | None = None,
    blocksize: str | int = "32MB",
    encoding: str = "utf-8",
) -> DistributedRun:
    """Fit topics on a sample of whole sessions, then assign every remark of a large corpus on Dask.

    Parameters
    ----------
    source : str or Path
        CSV / TSV / parquet file, folder or glob (:func:`read_lazy`), with ``session_id``, ``turn``, ``role``
        and ``text`` columns (or mapped ones); ``utterance_id`` and ``speaker_id`` are derived when absent.
    config : TopicConfig, optional
        Settings, as for :func:`topics.fit`. ``[cleaning] duplicates = "drop"`` (across the whole corpus) is
        not available here; ``"drop_within_session"`` moves each session into one partition first (a shuffle).
    out : str or Path
        Run folder (written atomically: the old one stays until the new one is complete; a ledger and other
        files of yours in it are carried over, not the old model's outputs); a new or empty folder, or a run
        folder.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``). Default: a local cluster.
    client : distributed.Client, optional
        A client to use as it is (``scheduler`` and ``n_workers`` are then ignored).
    n_workers : int, default 2
        Worker processes of the local cluster (one thread each).
    sample_sessions : int, default 2000
        Whole sessions to fit the topic model on.
    stratify : str, optional
        Column to stratify the sample by (a session-level column such as ``counselor_type``).
    mapping, role_values, format, encoding
        As for :func:`topics.read.read_table`.
    blocksize : str or int, default "32MB"
        CSV / TSV block per partition.

    Returns
    -------
    DistributedRun

    Raises
    ------
    InputError
        Missing files or columns, a stratum column that is not there, too few remarks in the sample; ``out``
        holds files and is not a run folder (checked before anything is read).
    ConfigError
        A setting the Dask engine cannot honour.
    """
    out = check_output_folder(out)  # before anything is read
    config = TopicConfig.from_dict((config or TopicConfig()).to_dict())  # a copy: the caller's stays as it was
    if config.cleaning.duplicates == "drop":
        raise ConfigError(
            "[cleaning] duplicates = 'drop' compares every remark with every other and is not "
            "available with the Dask engine; use 'drop_within_session' or 'keep'",
            column="cleaning.duplicates",
        )
    if sample_sessions < 1:
        raise InputError("--sample-sessions must be at least 1")
    refuse_reserved(config.compare.by, config.compare.strata, config.compare.cluster, stratify)  # "topic" is ours
    source_text = str(source)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    ddf = read_lazy(source, format=format, mapping=mapping, blocksize=blocksize, encoding=encoding)
    if stratify is not None and stratify not in ddf.columns:
        raise InputError(
            f"no column {stratify!r} to stratify the sample by; the columns are {list(ddf.columns)}", column=stratify
        )
    # the workers get the cache folder as an absolute path: their working folder need not be ours
    embedding = dict(vars(config.embedding), cache_dir=str(Path(config.embedding.cache_dir).resolve()))
    config.embedding.cache_dir = embedding["cache_dir"]
    config_dict = config.to_dict()
    with _client(scheduler, client, n_workers) as dask_client:
        # the workers import the model stack (BERTopic, torch: seconds each) while the sample is fitted here
        warm = [dask_client.submit(preload, pure=False, workers=[w]) for w in dask_client.nthreads()]
        # work for every worker: a single parquet file of one row group is one partition until split
        wanted = 2 * len(dask_client.nthreads())
        if ddf.npartitions < wanted:
            ddf = ddf.repartition(npartitions=wanted)
        if config.cleaning.duplicates == "drop_within_session":
            ddf = ddf.shuffle(on="session_id")
        t0 = time.perf_counter()
        keys = ["session_id"] + ([stratify] if stratify else [])
        sessions = ddf[keys].drop_duplicates(subset=["session_id"]).compute()
        chosen = draw_sessions(sessions, sample_sessions, seed=config.seed, stratify=stratify)
        sample = ddf[ddf["session_id"].isin(chosen)].compute()
        corpus = _apply_mapping(
            sample.reset_index(drop=True), path=Path(source_text), lines=None, mapping=None, role_values=role_values
        )
        timings["sample_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        analysis = fit_corpus(corpus, config)
        timings["fit_sample_s"] = time.perf_counter() - t0
        driver_mib = {"after_sample_fit": peak_memory_mib()}
        with atomic_folder(out) as tmp:
            analysis.save(tmp)
            target = tmp / DISTRIBUTED_DIR
            target.mkdir()
            model_dir = str((tmp / "model").resolve())
            meta = _meta(ddf)
            t0 = time.perf_counter()
            dask_client.gather(warm)
            assigned = ddf.map_partitions(
                assign_partition,
                model_dir,
                config_dict,
                embedding,
                role_values,
                source_text,
                meta,
                meta=meta,
                enforce_metadata=False,
            )
            assigned.to_parquet(str(target / "assignments"), write_index=False)
            timings["assign_s"] = time.perf_counter() - t0
            driver_mib["after_assign"] = peak_memory_mib()
            t0 = time.perf_counter()
            summary = aggregate(ddf, target, model_dir, embedding, config, config_dict, role_values, source_text)
            timings["aggregate_s"] = time.perf_counter() - t0
            driver_mib["after_aggregate"] = peak_memory_mib()
            timings["total_s"] = time.perf_counter() - t_all
            summary.update(
                engine="dask",
                scheduler=scheduler or ("client" if client is not None else f"LocalCluster({n_workers} workers)"),
                workers=len(dask_client.nthreads()),
                partitions=int(ddf.npartitions),
                sessions=len(sessions),
                sample_sessions=len(chosen),
                sample_remarks=int(analysis.summary["remarks"]),
                stratify=stratify,
                embedding_cache="one SQLite file per model, shared by all workers (write-ahead log, retried locks)",
                timings=timings,
                driver_peak_mib={k: round(v) for k, v in driver_mib.items()},
                model_fingerprint=model_fingerprint(analysis.raw_assignments),
            )
            (target / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
            carry_over_user_files(out, tmp)
    return DistributedRun(analysis=analysis, folder=out, summary=summary)


def load_distributed(run: str | Path) -> DistributedRun:
    """Read a run folder written by :func:`fit_distributed` (the sample's analysis and the whole-corpus tables).

    Parameters
    ----------
    run : str or Path
        The run folder.

    Returns
    -------
    DistributedRun

    Raises
    ------
    InputError
        The folder is not a run of the Dask engine.
    """
    run = Path(run)
    summary_path = run / DISTRIBUTED_DIR / "summary.json"
    if not summary_path.is_file() or summary_path.is_symlink():
        raise InputError("not a run folder of the Dask engine: distributed/summary.json is missing", path=run)
    linked = [q.name for q in (run / DISTRIBUTED_DIR).rglob("*") if q.is_symlink()]
    if linked:
        raise InputError(
            f"refusing to read distributed/ with symbolic links ({sorted(linked)[:3]}): "
            "fit_distributed writes plain files only",
            path=run,
        )
    if summary_path.stat().st_size > 1 << 20:
        raise InputError("distributed/summary.json is larger than 1 MiB: not written by fit_distributed", path=run)
    summary = read_json_checked(summary_path)
    if not isinstance(summary, dict):
        raise InputError("distributed/summary.json does not hold an object", path=summary_path)
    return DistributedRun(analysis=Analysis.load(run), folder=run, summary=summary)
