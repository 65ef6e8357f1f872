"""An expert labelling remarks for a codebook: the queue, the label file, the coder and its agreement, in one object.

:class:`LabellingSession` is what the workbench's Codes view drives, and what a notebook can drive the same way:

>>> session = LabellingSession(book, remarks, "runs/demo/labels.yaml", embedder=embedder,
...                            author="A. Expert")                               # doctest: +SKIP
>>> session.queue(5)                     # the remarks the coder is least sure of  # doctest: +SKIP
>>> session.label("annomi-12-3", "reflection")   # appended to the label file     # doctest: +SKIP
>>> session.retrain()                    # a few seconds: the embeddings are kept  # doctest: +SKIP
>>> session.agreement().kappa            # on the labels held back for checking   # doctest: +SKIP

* The remarks are embedded **once**, when the session starts (cached vectors are not computed again); every
  retrain and every queue reuses them.
* Every label is **appended** to the label file (:meth:`topics.coding.LabelFile.append`: who, when, the old
  bytes unchanged); the latest label of a remark counts, the history stays in the file.
* Labels of remarks :func:`~topics.coding.is_held_out` are never trained on: they check the coder
  (:meth:`LabellingSession.agreement`). With no labels the coder is zero-shot (the codebook's descriptions and
  examples).
* Safe to share between threads (the pages of one workbench): labelling and swapping the coder take a lock;
  fitting runs outside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topics.coding.agreement import Agreement, agreement
from topics.coding.codebook import Codebook
from topics.coding.coder import Coder, Embeds
from topics.coding.labels import Label, LabelFile, is_held_out, latest, now
from topics.errors import InputError

ALL_CODES = "all codes"
"""The queue over every code (:meth:`LabellingSession.queue` with ``code=None``)."""
QUEUE_COLUMNS = ["utterance_id", "text", "code", "probability", "held_out"]
"""The columns of :meth:`LabellingSession.queue` (plus ``p_code`` when it is for one code)."""
COUNT_COLUMNS = ["code", "trained", "held_out", "total"]
"""The columns of :meth:`LabellingSession.counts`."""


class LabellingSession:
    """Label remarks for a codebook, retrain the coder on the labels, and check it on labels held back.

    Parameters
    ----------
    codebook : Codebook
    remarks : pandas.DataFrame
        ``utterance_id`` and ``text`` of every remark that may be labelled (``session_id`` optional: the
        agreement's bootstrap then resamples sessions). Ids must be unique.
    labels : str, Path or LabelFile
        The label file (``.yaml`` or ``.csv``; created by the first label). Labels already in it are read and
        checked against the codebook at once.
    embedder : Embedder or object with ``embed(texts) -> ndarray``, optional
        Embeds the remarks once (unless ``embeddings`` is given) and the codebook's texts at each fit; default
        :class:`topics.embed.Embedder` with the default settings.
    embeddings : ndarray, optional
        Vectors of ``remarks``, row by row (nothing is embedded for the remarks).
    author : str, optional
        Who labels (recorded with every label; :meth:`label` may name another).
    held_out : float, default 0.2
        Share of labelled remarks held back to check the coder (chosen by id: :func:`is_held_out`).
    n_boot : int, default 1000
        Bootstrap replicates of the kappa interval.
    seed : int, default 0
    **coder_options
        Passed to :class:`Coder` (``temperature``, ``none_threshold``, ``low_confidence``, ``c``, ...).

    Attributes
    ----------
    coder : Coder
        The current coder (zero-shot until trained on labels).
    version : int
        Grows by one with every retrain.
    fit_seconds : float
        How long the last retrain took.
    """

    def __init__(
        self,
        codebook: Codebook,
        remarks: pd.DataFrame,
        labels: str | Path | LabelFile,
        *,
        embedder: Embeds | None = None,
        embeddings: np.ndarray | None = None,
        author: str | None = None,
        held_out: float = 0.2,
        n_boot: int = 1000,
        seed: int = 0,
        **coder_options: Any,
    ) -> None:
        for col in ("utterance_id", "text"):
            if col not in remarks.columns:
                raise InputError(f"the remarks table needs a {col} column", column=col)
        if not 0.0 <= held_out < 1.0:
            raise InputError(f"the held-out share must lie in [0, 1), got {held_out}")
        self.codebook = codebook
        keep = ["utterance_id", "text", *(["session_id"] if "session_id" in remarks.columns else [])]
        self.remarks = remarks[keep].astype(str).reset_index(drop=True)
        repeated = self.remarks["utterance_id"][self.remarks["utterance_id"].duplicated()]
        if len(repeated):
            raise InputError(f"remark ids must be unique; {repeated.iloc[0]!r} is repeated", column="utterance_id")
        self.file = labels if isinstance(labels, LabelFile) else LabelFile(labels, codebook.labels)
        if self.file.codes is None:
            self.file = LabelFile(self.file.path, codebook.labels)
        self.file.read()  # a broken or foreign label file is refused now, in one line, not at the first label
        if embedder is None and embeddings is None:
            from topics.embed import Embedder

            embedder = Embedder(show_progress=False)
        self.embedder = embedder
        if embeddings is None:
            assert embedder is not None
            embeddings = np.asarray(embedder.embed(self.remarks["text"].tolist()))
        embeddings = np.asarray(embeddings)
        if embeddings.ndim != 2 or len(embeddings) != len(self.remarks):
            raise InputError(f"embeddings must have one row per remark ({len(self.remarks)}), got {embeddings.shape}")
        self.vectors = embeddings
        self.author = author
        self.held_out = held_out
        self.n_boot = n_boot
        self.seed = seed
        self.coder_options = dict(coder_options)
        self._known = set(self.remarks["utterance_id"])
        self._row = pd.Series(np.arange(len(self.remarks)), index=self.remarks["utterance_id"].to_numpy())
        # the same words (case and spacing aside) are offered once: a second "How did that feel?" adds no label
        self._text_key = dict(
            zip(self.remarks["utterance_id"], (" ".join(t.lower().split()) for t in self.remarks["text"]), strict=True)
        )
        self._held = is_held_out(self.remarks["utterance_id"], held_out).to_numpy()
        self._held_ids = set(self.remarks["utterance_id"][self._held])
        order = np.random.default_rng(seed).permutation(int(self._held.sum()))
        self._check_order = self.remarks["utterance_id"][self._held].to_numpy()[order].tolist()
        """The remarks held back for checking, in the random order the queue offers them."""
        self._lock = threading.RLock()
        self._agreement: tuple[tuple[Any, ...], Agreement | None] | None = None
        self._read: tuple[Any, pd.DataFrame] | None = None
        self._read_key: Any = None
        self._read_count = 0
        self._current: tuple[Any, pd.DataFrame] | None = None
        self._rankings: dict[tuple[int, str], pd.DataFrame] = {}
        self.version = 0
        self.fit_seconds = 0.0
        self.coder = self._fit(self.training_labels())

    # -- labels ------------------------------------------------------------------------------------------------
    def labels(self) -> pd.DataFrame:
        """Every label in the file, in file order (the whole history: ``utterance_id``, ``code``, ``author``,
        ``time``, ``rationale``).

        The file is read again only when it changed on disk (its size, time or inode), so that a page may ask
        after every click.
        """
        path = self.file.path
        stat = path.stat() if path.is_file() else None
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino) if stat is not None else None
        with self._lock:
            if self._read is None or self._read[0] != key:
                self._read = (key, self.file.table())
                self._read_key = (key, self._read_count + 1)
                self._read_count += 1
            return self._read[1].copy()

    def current(self) -> pd.DataFrame:
        """The latest label of each remark of this session, with ``held_out`` (True: kept back for checking).

        Labels of remarks that are not among the session's remarks (another corpus, remarks cleaned away since)
        are left out; :meth:`summary` counts them.
        """
        history = self.labels()
        with self._lock:
            if self._current is not None and self._current[0] == self._read_key:
                return self._current[1].copy()
        table = latest(history)
        known = np.array([u in self._known for u in table["utterance_id"]], dtype=bool)
        table = table[known].reset_index(drop=True)
        table = table.assign(held_out=is_held_out(table["utterance_id"], self.held_out).to_numpy())
        with self._lock:
            self._current = (self._read_key, table)
        return table.copy()

    def training_labels(self) -> pd.DataFrame:
        """The latest labels the coder trains on (those not held out)."""
        table = self.current()
        return table[~table["held_out"]].reset_index(drop=True)

    def label(self, utterance_id: str, code: str, *, author: str | None = None, rationale: str = "") -> Label:
        """Append one label to the label file (nothing already in it is changed).

        Parameters
        ----------
        utterance_id : str
            One of the session's remarks.
        code : str
            A code of the codebook or :data:`~topics.coding.NONE_CODE`.
        author : str, optional
            Default :attr:`author`.
        rationale : str, optional

        Returns
        -------
        Label
            The label as written (with its time).

        Raises
        ------
        InputError
            An unknown remark or code, no author, or a label file that does not read.
        """
        code, utterance_id = str(code), str(utterance_id)
        if code not in self.codebook.labels:
            raise InputError(f"unknown code {code!r}; the codebook has {self.codebook.labels}", column="code")
        if utterance_id not in self._known:
            raise InputError(f"no remark {utterance_id!r} to label", column="utterance_id")
        who = " ".join(str(author or self.author or "").split())
        if not who:
            raise InputError("say who is labelling first (an author): every label records who gave it")
        new = Label(utterance_id=utterance_id, code=code, author=who, time=now(), rationale=str(rationale or ""))
        with self._lock:
            self.file.append([new])
        return new

    def counts(self) -> pd.DataFrame:
        """Labels per code (latest label of each remark): ``code``, ``trained``, ``held_out``, ``total``.

        One row per label of the codebook (codes, then :data:`~topics.coding.NONE_CODE`), in codebook order.
        """
        table = self.current()
        held = table[table["held_out"]]["code"].value_counts()
        trained = table[~table["held_out"]]["code"].value_counts()
        codes = self.codebook.labels
        out = pd.DataFrame(
            {
                "code": codes,
                "trained": [int(trained.get(c, 0)) for c in codes],
                "held_out": [int(held.get(c, 0)) for c in codes],
            }
        )
        out["total"] = out["trained"] + out["held_out"]
        return out[COUNT_COLUMNS]

    # -- coder -------------------------------------------------------------------------------------------------
    def _fit(self, train: pd.DataFrame) -> Coder:
        started = time.perf_counter()
        coder = Coder(self.codebook, self.embedder, seed=self.seed, **self.coder_options)
        if len(train):
            coder.fit(self.remarks, train[["utterance_id", "code"]], embeddings=self.vectors)
        else:
            coder.fit()
        self.fit_seconds = time.perf_counter() - started
        return coder

    def retrain(self) -> Coder:
        """Fit a new coder on the latest labels that are not held out (zero-shot when there are none) and use it.

        The remarks are not embedded again; only the codebook's descriptions and examples go through the
        embedder (its cache answers them after the first fit).

        Returns
        -------
        Coder
            The new coder (also :attr:`coder`).
        """
        coder = self._fit(self.training_labels())
        with self._lock:
            self.coder, self.version = coder, self.version + 1
        return coder

    def queue(self, n: int = 20, code: str | None = None, *, exclude: Iterable[str] = ()) -> pd.DataFrame:
        """The unlabelled remarks to label next: the ones the coder is least sure of, and some drawn at random to
        check it.

        A remark whose label would train the coder is picked where the coder is least sure (uncertainty sampling);
        a remark whose label would be held back for checking (:func:`is_held_out`) is drawn at random, in a
        fixed order, often enough that about ``held_out`` of the labels are held back. So the labels that check
        the coder are a random sample of the remarks: the agreement on them estimates the agreement on the
        corpus. (Had they been the least sure ones too, they would be the hardest remarks: on the demo's AnnoMI
        remarks 200 labels in that order gave a held-out kappa of 0.01 for a coder whose kappa on the other
        remarks was 0.40.)

        Parameters
        ----------
        n : int, default 20
        code : str, optional
            One code of the codebook: the remarks whose probability of this code is closest to one half (where
            the coder is least sure whether the code applies), with ``p_code``. None (or :data:`ALL_CODES`):
            :meth:`Coder.next_to_label` over every code (lowest probability of the best code first).
        exclude : iterable of str
            Remark ids to leave out (e.g. the ones a page skipped).

        Returns
        -------
        pandas.DataFrame
            :data:`QUEUE_COLUMNS` (``code`` and ``probability``: the coder's guess; ``held_out``: the label would
            check the coder), plus ``p_code`` for one code.
        """
        if code == ALL_CODES:
            code = None
        if code is not None and code not in self.codebook.names:
            raise InputError(f"unknown code {code!r}; the codebook has {self.codebook.names}", column="code")
        with self._lock:
            coder, version = self.coder, self.version
        done = {str(u) for u in exclude} | set(latest(self.labels())["utterance_id"])
        seen = {self._text_key[u] for u in done if u in self._text_key}  # texts labelled, skipped or picked
        pool = self._ranked(version, code or "", lambda: self._rank(coder, code))
        uncertain = iter(u for u in pool["utterance_id"] if u not in done and self._text_key[u] not in seen)
        checks = iter(u for u in self._check_order if u not in done and self._text_key[u] not in seen)
        table = self.current()
        held, total = int(table["held_out"].sum()), len(table)
        picked: list[str] = []
        for _ in range(n):  # a check remark whenever the held-out share would fall below its target
            first, second = (checks, uncertain) if held < self.held_out * (total + 1) else (uncertain, checks)
            uid = next(first, None) or next(second, None)
            if uid is None:
                break
            picked.append(uid)
            seen.add(self._text_key[uid])
            held += int(uid in self._held_ids)
            total += 1
        columns = [*QUEUE_COLUMNS, *(["p_code"] if code is not None else [])]
        if not picked:
            return pd.DataFrame(columns=columns)
        at = self._row.loc[picked].to_numpy()
        rows = self.remarks.iloc[at]
        coded = coder.predict(rows, embeddings=self.vectors[at])
        out = coded[["utterance_id", "code", "probability"]].assign(
            text=rows["text"].to_numpy(), held_out=[u in self._held_ids for u in picked]
        )
        if code is not None:
            column = f"p_{code}"
            out["p_code"] = coded[column].to_numpy() if column in coded else 0.0
        return out[columns].reset_index(drop=True)

    def _rank(self, coder: Coder, code: str | None) -> pd.DataFrame:
        """The remarks whose labels would train the coder, least sure first (all codes, or one code)."""
        rows = self.remarks[~self._held]
        vectors = self.vectors[~self._held]
        if code is None:
            return coder.next_to_label(rows, len(rows), embeddings=vectors)
        coded = coder.predict(rows, embeddings=vectors)
        p = coded[f"p_{code}"] if f"p_{code}" in coded else pd.Series(0.0, index=coded.index)
        coded["doubt"] = (p - 0.5).abs().to_numpy()
        return coded.sort_values(["doubt", "utterance_id"], kind="stable")

    def _ranked(self, version: int, code: str, rank: Any) -> pd.DataFrame:
        """Every remark in queue order for one coder version and code (computed once, then reused)."""
        key = (version, code)
        with self._lock:
            found = self._rankings.get(key)
        if found is None:
            found = rank()
            with self._lock:
                self._rankings = {k: v for k, v in self._rankings.items() if k[0] == version}
                self._rankings[key] = found
        return found

    # -- agreement ---------------------------------------------------------------------------------------------
    def agreement(self) -> Agreement | None:
        """Agreement of the current coder with the labels held back for checking (None when there are none).

        Cohen's kappa with a bootstrap interval (resampling sessions when the remarks have ``session_id``),
        per-code precision and recall, the confusion matrix (rows: the labels; columns: the coder).
        """
        held = self.current()
        held = held[held["held_out"]]
        with self._lock:
            coder, version = self.coder, self.version
        key = (version, tuple(held["utterance_id"]), tuple(held["code"]))
        if self._agreement is not None and self._agreement[0] == key:
            return self._agreement[1]
        result = None
        if len(held):
            rows = self.remarks.set_index("utterance_id").loc[held["utterance_id"]].reset_index()
            order = pd.Series(np.arange(len(self.remarks)), index=self.remarks["utterance_id"])
            vectors = self.vectors[order.loc[held["utterance_id"]].to_numpy()]
            coded = coder.predict(rows, embeddings=vectors)
            truth, guess = held["code"].to_numpy(), coded["code"].to_numpy()
            used = set(truth) | set(guess)
            result = agreement(
                truth,
                guess,
                clusters=rows["session_id"].to_numpy() if "session_id" in rows else None,
                codes=[c for c in self.codebook.labels if c in used],
                n_boot=self.n_boot,
                seed=self.seed,
            )
        self._agreement = (key, result)
        return result

    def summary(self) -> dict[str, Any]:
        """Where the session stands (JSON-ready): the coder, the labels trained on and held out, the label file."""
        history = self.labels()
        everything = latest(history)
        table = self.current()
        return {
            "mode": self.coder.mode_,
            "version": self.version,
            "labels_file": str(self.file.path),
            "labels": int(len(history)),
            "labelled_remarks": int(len(table)),
            "trained_on": int((~table["held_out"]).sum()),
            "held_out": int(table["held_out"].sum()),
            "unknown_remarks": int(len(everything) - len(table)),
            "remarks": int(len(self.remarks)),
            "calibrated": bool(self.coder.calibrated_),
            "fit_seconds": round(self.fit_seconds, 3),
        }
