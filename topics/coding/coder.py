"""Coding remarks with a codebook: zero-shot from the descriptions, few-shot from an expert's labels.

:class:`Coder` follows scikit-learn's habits: settings in ``__init__``, learning in :meth:`Coder.fit`, learned
state in attributes ending in ``_``.

* **Zero-shot** (no labels): each code is the centroid of the unit-length embeddings of its description and
  examples; a remark's probabilities are a softmax of its cosine similarity to each code divided by
  ``temperature``.
* **Few-shot** (labels): a class-weighted logistic regression on the frozen, unit-length sentence embeddings of
  the labelled remarks (plus the codebook's own description and examples, so that a code nobody has labelled
  yet can still be predicted); probabilities calibrated by temperature scaling (Guo et al. 2017: one
  temperature for all codes, fitted to the out-of-fold predictions of a stratified cross-validation) when every
  code has at least :data:`MIN_PER_CODE_TO_CALIBRATE` labels, the regression's own probabilities otherwise.
  One parameter stays stable with ten labels a code, where Platt scaling per code (scikit-learn's
  ``CalibratedClassifierCV``) was measured underconfident (``benchmarks/RESULTS.md``). Deterministic for a seed.

Either way a remark whose best code has a probability below ``none_threshold`` is coded
:data:`~topics.coding.codebook.NONE_CODE`, every remark keeps its probability and every code's, and remarks
below ``low_confidence`` are flagged. :meth:`Coder.next_to_label` lists the unlabelled remarks the coder is
least sure of (uncertainty sampling), optionally mixed with random ones (as a labelling order it did no better
than random remarks in the benchmark).

Sentence embeddings place remarks by what they are about more than by their form: a question and a reflection
on the same subject lie close together, so codes of form (question vs reflection) are where zero-shot coding is
weakest (``benchmarks/RESULTS.md``, issue 26).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from topics.coding.codebook import NONE_CODE, Codebook
from topics.coding.labels import latest
from topics.errors import InputError

MIN_PER_CODE_TO_CALIBRATE = 3
"""Fewest labels of every code for temperature scaling in cross-validation (``cv`` = min(5, fewest))."""
PROBABILITY_PREFIX = "p_"
"""Prefix of the per-code probability columns of :meth:`Coder.predict`."""


class Embeds(Protocol):
    """What a coder needs of an embedder: :class:`topics.embed.Embedder` or anything with ``embed``."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)


def _fit_temperature(log_proba: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log loss of ``softmax(log_proba / T)`` (grid search, deterministic)."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 241))
    rows = np.arange(len(truth))
    losses = [-np.mean(np.log(np.clip(_softmax(log_proba / t)[rows, truth], 1e-12, None))) for t in grid]
    return float(grid[int(np.argmin(losses))])


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Coder:
    """Codes remarks with a :class:`~topics.coding.Codebook`, zero-shot or from labelled remarks.

    Parameters
    ----------
    codebook : Codebook
    embedder : Embedder or object with ``embed(texts) -> ndarray``, optional
        Needed unless every call passes ``embeddings``; default :class:`topics.embed.Embedder` with the default
        settings (the packaged model, int8 on the CPU, the user's cache).
    temperature : float, default 0.05
        Zero-shot: softmax temperature on cosine similarities (smaller: sharper).
    none_threshold : float, default 0.0
        A remark whose best probability is below this is coded :data:`NONE_CODE` (0: always the best code).
    low_confidence : float, default 0.6
        Remarks whose probability is below this are flagged ``low_confidence``.
    c : float, default 10.0
        Few-shot: inverse regularisation strength of the logistic regression (features are unit vectors).
    calibrate : {"auto", True, False}, default "auto"
        Few-shot: temperature scaling fitted in cross-validation ("auto": when every code has
        :data:`MIN_PER_CODE_TO_CALIBRATE` labels).
    use_codebook : bool, default True
        Few-shot: train on the codebook's descriptions and examples too.
    seed : int, default 0

    Attributes
    ----------
    mode_ : {"zero-shot", "few-shot"}
    classes_ : list of str
        The codes the coder can give (codebook order; :data:`NONE_CODE` last when labels use it).
    prototypes_ : ndarray
        Zero-shot: one unit vector per code.
    model_ : estimator or None
        Few-shot: the fitted classifier.
    calibrated_ : bool
    temperature_ : float
        Few-shot: the calibration temperature (1.0 when not calibrated).
    n_labels_ : int
        Labelled remarks trained on.
    embedding_model_ : str or None
        The embedding model's identity (:attr:`topics.embed.Embedder.identity`); a coder loaded with
        :meth:`load` refuses an embedder of another model.
    """

    def __init__(
        self,
        codebook: Codebook,
        embedder: Embeds | None = None,
        *,
        temperature: float = 0.05,
        none_threshold: float = 0.0,
        low_confidence: float = 0.6,
        c: float = 10.0,
        calibrate: bool | str = "auto",
        use_codebook: bool = True,
        seed: int = 0,
    ) -> None:
        if temperature <= 0:
            raise InputError(f"temperature must be positive, got {temperature}")
        if not 0.0 <= none_threshold <= 1.0 or not 0.0 <= low_confidence <= 1.0:
            raise InputError("none_threshold and low_confidence must lie in [0, 1]")
        if calibrate not in ("auto", True, False):
            raise InputError(f"calibrate must be 'auto', True or False, got {calibrate!r}")
        self.codebook = codebook
        self.embedder = embedder
        self.temperature = temperature
        self.none_threshold = none_threshold
        self.low_confidence = low_confidence
        self.c = c
        self.calibrate = calibrate
        self.use_codebook = use_codebook
        self.seed = seed

    # -- embedding ---------------------------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.embedder is None:
            from topics.embed import Embedder

            self.embedder = Embedder(show_progress=False)
        wanted, given = getattr(self, "embedding_model_", None), getattr(self.embedder, "identity", None)
        if wanted and given and wanted != given:
            raise InputError(f"the coder was trained on embeddings of {wanted!r}, not of {given!r}")
        return np.asarray(self.embedder.embed([str(t) for t in texts]), dtype=np.float64)

    def _remark_vectors(self, remarks: pd.DataFrame, embeddings: np.ndarray | None) -> np.ndarray:
        missing = [c for c in ("utterance_id", "text") if c not in remarks.columns]
        if embeddings is None and missing:
            raise InputError(f"the remarks table needs the column(s) {missing}", column=missing[0])
        if "utterance_id" not in remarks.columns:
            raise InputError("the remarks table needs an utterance_id column", column="utterance_id")
        if embeddings is not None:
            embeddings = np.asarray(embeddings)
            if embeddings.ndim != 2 or len(embeddings) != len(remarks):
                raise InputError(
                    f"embeddings must have one row per remark ({len(remarks)}), got shape {embeddings.shape}"
                )
            return _unit(embeddings)
        return _unit(self._embed(remarks["text"].astype(str).tolist()))

    # -- fit ---------------------------------------------------------------------------------------------------
    def fit(
        self,
        remarks: pd.DataFrame | None = None,
        labels: pd.DataFrame | None = None,
        *,
        embeddings: np.ndarray | None = None,
    ) -> Coder:
        """Learn the codes: from the codebook alone (zero-shot), or from labelled remarks (few-shot).

        Parameters
        ----------
        remarks : pandas.DataFrame, optional
            ``utterance_id`` and ``text`` of (at least) the labelled remarks.
        labels : pandas.DataFrame, optional
            ``utterance_id`` and ``code`` (e.g. :meth:`topics.coding.LabelFile.table`); the last label of a
            remark counts. None or empty: zero-shot.
        embeddings : ndarray, optional
            Vectors of ``remarks``, row by row (skips the embedder).

        Returns
        -------
        Coder
            ``self``.

        Raises
        ------
        InputError
            A label names a remark missing from ``remarks`` or a code not in the codebook.
        """
        prompts = self.codebook.prompts()
        self.embedding_model_: str | None = None  # a refit may change the embedder
        prompt_vectors = _unit(self._embed(prompts["text"].tolist()))
        identity = getattr(self.embedder, "identity", None)
        self.embedding_model_ = str(identity) if identity is not None else None
        self.prototypes_ = _unit(
            np.vstack([prompt_vectors[(prompts["code"] == c).to_numpy()].mean(axis=0) for c in self.codebook.names])
        )
        self.model_: Any = None
        self.calibrated_ = False
        self.temperature_ = 1.0
        self.n_labels_ = 0
        self.classes_ = list(self.codebook.names)
        self.mode_ = "zero-shot"
        if labels is None or len(labels) == 0:
            return self
        if remarks is None:
            raise InputError("few-shot coding needs the remarks table with the labelled remarks' text")
        for col in ("utterance_id", "code"):
            if col not in labels.columns:
                raise InputError(f"the labels table needs a {col} column", column=col)
        chosen = latest(labels[["utterance_id", "code"]].astype(str))
        unknown = sorted(set(chosen["code"]) - set(self.codebook.labels))
        if unknown:
            raise InputError(f"labels use code(s) not in the codebook: {unknown[:5]}", column="code")
        vectors = self._remark_vectors(remarks, embeddings)
        row_of = pd.Series(np.arange(len(remarks)), index=remarks["utterance_id"].astype(str).to_numpy())
        row_of = row_of[~row_of.index.duplicated()]
        absent = chosen.loc[~chosen["utterance_id"].isin(row_of.index), "utterance_id"]
        if len(absent):
            raise InputError(
                f"{len(absent)} labelled remark(s) are not among the remarks, e.g. {absent.iloc[0]!r}",
                column="utterance_id",
            )
        x = vectors[row_of.loc[chosen["utterance_id"]].to_numpy()]
        y = chosen["code"].to_numpy(dtype=object)
        if self.use_codebook:
            x = np.vstack([x, prompt_vectors])
            y = np.concatenate([y, prompts["code"].to_numpy(dtype=object)])
        self.n_labels_ = len(chosen)
        self.classes_ = [c for c in self.codebook.labels if c in set(y)]
        if len(self.classes_) < 2:
            raise InputError("few-shot coding needs labels (or codebook examples) of at least two codes")
        self.model_, self.temperature_, self.calibrated_ = self._classifier(x, y)
        self.mode_ = "few-shot"
        return self

    def _classifier(self, x: np.ndarray, y: np.ndarray) -> tuple[Any, float, bool]:
        """The logistic regression on all of ``x``, its calibration temperature, and whether it was calibrated."""
        from sklearn.base import clone
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from threadpoolctl import threadpool_limits

        base = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000, random_state=self.seed)
        fewest = int(pd.Series(y).value_counts().min())
        calibrate = self.calibrate is True or (self.calibrate == "auto" and fewest >= MIN_PER_CODE_TO_CALIBRATE)
        with threadpool_limits(1):  # a few thousand rows: BLAS threads only contend (17x slower on 2 busy cores)
            model = clone(base).fit(x, y)
            if not calibrate or fewest < 2:
                return model, 1.0, False
            folds = StratifiedKFold(n_splits=min(5, fewest), shuffle=True, random_state=self.seed)
            out_of_fold = np.zeros((len(y), len(model.classes_)))
            for train, held in folds.split(x, y):  # every code is in every training fold (n_splits <= fewest)
                out_of_fold[held] = clone(base).fit(x[train], y[train]).predict_log_proba(x[held])
        truth = np.searchsorted(model.classes_, y)
        return model, _fit_temperature(out_of_fold, truth), True

    # -- predict -----------------------------------------------------------------------------------------------
    def predict_proba(self, remarks: pd.DataFrame, *, embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Each remark's probability of each code.

        Parameters
        ----------
        remarks : pandas.DataFrame
            ``utterance_id`` and ``text``.
        embeddings : ndarray, optional
            Vectors of ``remarks``, row by row.

        Returns
        -------
        pandas.DataFrame
            Index ``utterance_id``, one column per code in :attr:`classes_`; rows sum to 1.
        """
        if not hasattr(self, "mode_"):
            raise InputError("the coder is not fitted: call fit() first")
        x = self._remark_vectors(remarks, embeddings)
        if self.model_ is None:
            probs = _softmax((x @ self.prototypes_.T) / self.temperature)
        else:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(1):
                raw = _softmax(self.model_.predict_log_proba(x) / self.temperature_)
            order = [list(self.model_.classes_).index(c) for c in self.classes_]
            probs = raw[:, order]
        index = pd.Index(remarks["utterance_id"].astype(str).to_numpy(), name="utterance_id")
        return pd.DataFrame(probs, index=index, columns=list(self.classes_))

    def predict(self, remarks: pd.DataFrame, *, embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Code each remark.

        Parameters
        ----------
        remarks : pandas.DataFrame
            ``utterance_id`` and ``text``.
        embeddings : ndarray, optional
            Vectors of ``remarks``, row by row.

        Returns
        -------
        pandas.DataFrame
            One row per remark, in order: ``utterance_id``, ``code`` (:data:`NONE_CODE` when the best
            probability is below ``none_threshold``), ``probability`` (of the best code), ``margin`` (best minus
            second best), ``low_confidence`` (probability below ``low_confidence``), and ``p_<code>`` for every
            code in :attr:`classes_`.
        """
        probs = self.predict_proba(remarks, embeddings=embeddings)
        values = probs.to_numpy()
        top = values.argmax(axis=1) if len(values) else np.zeros(0, dtype=int)
        best = values.max(axis=1) if len(values) else np.zeros(0)
        second = np.sort(values, axis=1)[:, -2] if values.shape[1] > 1 and len(values) else np.zeros(len(values))
        names = np.asarray(self.classes_, dtype=object)[top]
        code = np.where(best < self.none_threshold, NONE_CODE, names)
        out = pd.DataFrame(
            {
                "utterance_id": probs.index.to_numpy(),
                "code": code,
                "probability": best,
                "margin": best - second,
                "low_confidence": best < self.low_confidence,
            }
        )
        for i, c in enumerate(self.classes_):
            out[PROBABILITY_PREFIX + c] = values[:, i]
        return out

    def next_to_label(
        self,
        remarks: pd.DataFrame,
        n: int = 20,
        *,
        labelled: pd.DataFrame | None = None,
        embeddings: np.ndarray | None = None,
        random_share: float = 0.0,
    ) -> pd.DataFrame:
        """The unlabelled remarks the coder is least sure of: label these next (uncertainty sampling).

        Measured on AnnoMI and ESConv (``benchmarks/RESULTS.md``), labelling in this order was no better than
        labelling random remarks for the same budget (mixing in random ones, ``random_share``, recovered random's
        learning curve at small budgets only): use it to see where the coder is unsure, not to learn faster.

        Parameters
        ----------
        remarks : pandas.DataFrame
            ``utterance_id`` and ``text``.
        n : int, default 20
        labelled : pandas.DataFrame, optional
            Labels so far (``utterance_id``): those remarks are left out.
        embeddings : ndarray, optional
        random_share : float, default 0.0
            Share of the ``n`` remarks drawn at random (seeded by ``seed``) from the other unlabelled remarks.

        Returns
        -------
        pandas.DataFrame
            ``utterance_id``, ``text``, ``code``, ``probability``, ``margin``, ``picked`` (``uncertain`` or
            ``random``): the uncertain ones first, lowest probability first (then smallest margin, then id).
        """
        if not 0.0 <= random_share <= 1.0:
            raise InputError(f"random_share must lie in [0, 1], got {random_share}")
        coded = self.predict(remarks, embeddings=embeddings)
        coded.insert(1, "text", remarks["text"].astype(str).to_numpy() if "text" in remarks else "")
        if labelled is not None and len(labelled):
            coded = coded[~coded["utterance_id"].isin(set(labelled["utterance_id"].astype(str)))]
        coded = coded.sort_values(["probability", "margin", "utterance_id"], kind="stable")
        n_random = int(round(n * random_share))
        uncertain = coded.head(n - n_random).assign(picked="uncertain")
        rest = coded.iloc[len(uncertain) :]
        rng = np.random.default_rng(self.seed)
        chosen = rest.iloc[np.sort(rng.permutation(len(rest))[:n_random])].assign(picked="random")
        out = pd.concat([uncertain, chosen])
        return out[["utterance_id", "text", "code", "probability", "margin", "picked"]].reset_index(drop=True)

    def fingerprint(self) -> str:
        """SHA-256 (16 hex digits) of the codebook, the settings, the mode and the number of labels."""
        settings = {
            "codebook": self.codebook.fingerprint(),
            "temperature": self.temperature,
            "none_threshold": self.none_threshold,
            "C": self.c,
            "calibrate": str(self.calibrate),
            "use_codebook": self.use_codebook,
            "seed": self.seed,
            "mode": getattr(self, "mode_", None),
            "n_labels": getattr(self, "n_labels_", 0),
            "embedder": self._embedder_identity(),
        }
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        """What the coder is: mode, classes, labels trained on, calibration and settings (JSON-ready)."""
        return {
            "mode": getattr(self, "mode_", None),
            "classes": list(getattr(self, "classes_", [])),
            "n_labels": getattr(self, "n_labels_", 0),
            "calibrated": getattr(self, "calibrated_", False),
            "calibration_temperature": getattr(self, "temperature_", 1.0),
            "temperature": self.temperature,
            "none_threshold": self.none_threshold,
            "low_confidence": self.low_confidence,
            "C": self.c,
            "seed": self.seed,
            "codebook": self.codebook.name,
            "codebook_fingerprint": self.codebook.fingerprint(),
            "embedder": getattr(self.embedder, "identity", None) or getattr(self, "embedding_model_", None),
            "fingerprint": self.fingerprint(),
        }

    def _embedder_identity(self) -> str:
        if self.embedder is None and getattr(self, "embedding_model_", None):
            return str(self.embedding_model_)  # a loaded coder before its default embedder is made
        return str(getattr(self.embedder, "identity", type(self.embedder).__name__))

    def save(self, path: str | Path) -> Path:
        """Write the fitted coder to a file (``.npz``: JSON and float arrays, no pickle), atomically.

        See :mod:`topics.coding.persist`.

        Parameters
        ----------
        path : str or Path
            Conventionally ``coder.npz``.

        Returns
        -------
        Path
        """
        from topics.coding.persist import save_coder

        return save_coder(self, path)

    @classmethod
    def load(cls, path: str | Path, codebook: Codebook, embedder: Embeds | None = None) -> Coder:
        """Read a coder saved by :meth:`save`; it codes as the saved one did.

        Parameters
        ----------
        path : str or Path
        codebook : Codebook
            The codebook it was trained with (its fingerprint is checked).
        embedder : Embedder or object with ``embed``, optional
            Must embed with the model the coder was trained on (checked by its ``identity``).

        Returns
        -------
        Coder

        Raises
        ------
        InputError
            Not a coder file, inconsistent, or made for another codebook or embedding model (one line naming
            the file).
        """
        from topics.coding.persist import load_state

        state = load_state(path, codebook, embedder)
        coder = cls(codebook, embedder, **state["settings"])
        for name, value in state["fitted"].items():
            setattr(coder, name, value)
        return coder
