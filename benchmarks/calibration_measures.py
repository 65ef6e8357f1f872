"""Calibration of drift, shift, distinctive words and prediction by simulation, with known truth.

Checks :func:`topics.compare.compare_drift` (on :func:`topics.compare.drift_scores`),
:func:`topics.compare.distinctive_words` and :func:`topics.compare.predict_group` in the designs where the
issue-27 audit found them miscalibrated: session length differing by group, unequal session-to-session spread,
therapists nested in groups, and a planted real difference for power.

Data-generating process
-----------------------
* ``K = 30`` topics, baseline profile ``pi_k ~ 1 / (k + 2)`` (Zipf-like, largest 13%, smallest 1.3%; no
  "no topic" category: drift, shift and prediction use remarks in topics).
* Session ``i`` of group ``g``: true topic mix ``theta_i ~ Dirichlet(c_g * pi_g)`` (``c``: concentration,
  smaller = more spread; 40 "ordinary", 10 "varied"); ``m_i ~ Uniform{lo_g..hi_g}`` remarks; each remark's
  topic ``~ Categorical(theta_i)``, in random order (so the true mix of the first and second half is the same:
  true shift 0), except in ``shift_planted`` where group A's second half uses ``planted(theta_i, +0.10)``
  (topic 6 raised by 20 points, the others scaled down).
* Words (designs ``words_*``): ``V = 300`` word types. Topic ``k`` has a word distribution
  ``phi_k = 0.5 * zipf + 0.5 * psi_k``, ``zipf_v ~ 1 / (v + 5)`` shared by all topics and
  ``psi_k ~ Dirichlet(0.05 * 1_V)`` its own (drawn once, seed 7); a remark of topic ``k`` has 8 words
  ``~ Categorical(phi_k)``. In the planted design topic 6 additionally says the word ``plantedword`` in 30% of
  its words (so a topic shift of +10 points in group A raises that word's rate).
* Therapists (``pred_nested``): 5 therapists per group, 8 sessions each; therapist mix
  ``phi_j ~ Dirichlet(100 * pi)``, session mix ``theta_i ~ Dirichlet(40 * phi_j)``; same ``pi`` in both groups.

Designs (group A first; every difference is A minus B)
------------------------------------------------------
Drift and shift (``compare_drift``, ``n_perm=999``):

* ``length``: 60 vs 60, ``c = 40`` both, A 40-120 remarks, B 6-30: the same process, only lengths differ.
  Null for drift and shift.
* ``spread``: 60 vs 60, 20-80 remarks both, ``c_A = 40``, ``c_B = 10``: B's sessions vary more around the
  same mean mix. A real difference in drift (its estimand is the between-session spread); null for shift.
* ``spread_length``: as ``spread`` but B 6-30 remarks: the drift difference must still be found.
* ``shift_planted``: 60 vs 60, ``c = 40``, 20-80 remarks, A's mix changes in the second half (+20 points
  on topic 6): power of shift (drift is not reported: A's sessions mix two mixes, neither a null nor a known
  truth).

Distinctive words (``distinctive_words``, unigrams, ``min_count=3``, ``n_perm=499``; every word kept is a
tested row):

* ``words_equal``: 60 vs 60, ``c = 40`` both, 20-80 remarks; null.
* ``words_spread``: 133 vs 53, ``c_A = 40``, ``c_B = 10``; null (same mean mix, so every word has the same
  expected rate in both groups).
* ``words_spread_strong``: 133 vs 53, ``c_A = 40``, ``c_B = 3``; null.
* ``words_idiolect_mild`` / ``words_idiolect``: 133 vs 53, ``c = 40`` both, but half of every remark's
  words come from the session's own vocabulary ``~ Dirichlet(c_v * zipf)`` with ``c_v`` 200 (A) vs 50 or 5
  (B): B's sessions differ from each other in word use beyond their topics; null.
* ``words_planted``: as ``words_spread`` with topic 6 +10 points in A: power for ``plantedword``.
  Reference row for each: the previous method (the remark-level log-odds z referred to permutations of
  whole sessions, not studentized per group).

Prediction (``predict_group``, 5 folds, ``n_perm=99``):

* ``pred_equal``: 60 vs 60, ``c = 40`` both; null for everything.
* ``pred_spread``: 133 vs 53, ``c_A = 40``, ``c_B = 10``: same mean mix, different spread: the groups *are*
  distinguishable (the classifier's estimand), the mean mix is not different.
* ``pred_nested``: therapists nested in groups, same mean mix: without ``cluster=`` the classifier learns the
  therapists; with ``cluster="therapist"`` (the toolkit's cluster hint) it is the null.
* ``pred_planted``: 60 vs 60, ``c = 40``, topic 6 +10 points in A: power.

What is counted
---------------
FP = share of data sets (drift, shift, prediction) or of tested words (distinctive words) with ``p < .05``
where the estimand does not differ; ``any q`` = share of data sets with some word at ``q < .05``; coverage =
share of group intervals (drift, shift) containing the group's true value (drift: ``JSD_SCALE * sum_k w_k
pi_gk (1 - pi_gk) / (c_g + 1)`` with the population's weights ``w_k = 1 / pi_k``, the weights a data set's
pooled profile estimates; the jackknife bias-corrected mean is centred on it: bias -0.0001 against a standard
error of 0.0097 in the long-session group of ``length``, 500 data sets; shift: 0 under the designs without a
planted change); power = share of data sets with ``p < .05`` where the estimand differs. Monte Carlo
standard error of a rate near 5% from ``R`` data sets: ``sqrt(0.05 * 0.95 / R)``.

Usage (from the project root): ``benchmarks/calibration.py`` runs these designs together with the prevalence
designs (``--designs measures`` for these only, or their names); this script runs them alone::

    .venv/bin/python benchmarks/calibration.py --designs measures --measure-reps 300 --words-reps 60 \
        --predict-reps 100 --processes 1 --write
    .venv/bin/python benchmarks/calibration_measures.py --reps 5 --designs length,words_spread   # pilot
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import multiprocessing as mp
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from topics.compare import compare_drift, distinctive_words, drift_scores, predict_group  # noqa: E402
from topics.compare.trajectory import JSD_SCALE  # noqa: E402

RESULTS_MD = PROJECT / "benchmarks" / "RESULTS.md"
SECTION = "## Calibration of drift, shift, distinctive words and prediction"

K = 30
PLANTED = 6
V = 300
WORDS_PER_REMARK = 8
ALPHA = 0.05
N_PERM = 999
N_PERM_PREDICT = 99
N_PERM_WORDS = 499
N_BOOT = 1000


def _pi() -> np.ndarray:
    w = 1.0 / (np.arange(1, K + 1) + 2.0)
    return w / w.sum()


PI = _pi()


def planted(profile: np.ndarray, shift: float) -> np.ndarray:
    """``profile`` (rows) with topic ``PLANTED`` raised by ``shift``, every other topic scaled down."""
    if shift == 0:
        return profile.copy()
    p = np.atleast_2d(profile)
    out = p * ((1 - p[:, [PLANTED]] - shift) / (1 - p[:, [PLANTED]]))
    out[:, PLANTED] = p[:, PLANTED] + shift
    return out.reshape(np.shape(profile))


def _word_profiles() -> np.ndarray:
    rng = np.random.default_rng(7)
    zipf = 1.0 / (np.arange(V) + 5.0)
    zipf /= zipf.sum()
    phi = 0.5 * zipf + 0.5 * rng.dirichlet(np.full(V, 0.05), size=K)
    return phi / phi.sum(axis=1, keepdims=True)


PHI = _word_profiles()
WORDS = np.array([f"w{v:03d}" for v in range(V)] + ["plantedword"], dtype=object)


@dataclass
class Design:
    name: str
    title: str
    family: str  # "drift", "words", "predict"
    n: tuple[int, int] = (60, 60)
    c: tuple[float, float] = (40.0, 40.0)
    lengths: tuple[tuple[int, int], tuple[int, int]] = ((20, 80), (20, 80))
    shift: float = 0.0  # planted topic shift in A (whole session; second half only for shift_planted)
    second_half: bool = False
    nested: bool = False
    idiolect: tuple[float, float] | None = None  # session-specific vocabulary: Dirichlet concentration per group
    drift_differs: bool = False
    shift_differs: bool = False


DESIGNS = [
    Design("length", "same process, lengths 40-120 vs 6-30", "drift", lengths=((40, 120), (6, 30))),
    Design("spread", "spread c 40 vs 10, lengths 20-80 both", "drift", c=(40.0, 10.0), drift_differs=True),
    Design(
        "spread_length",
        "spread c 40 vs 10, lengths 20-80 vs 6-30",
        "drift",
        c=(40.0, 10.0),
        lengths=((20, 80), (6, 30)),
        drift_differs=True,
    ),
    Design(
        "shift_planted",
        "A's mix changes in the second half (+20 points)",
        "drift",
        shift=0.20,
        second_half=True,
        shift_differs=True,
    ),
    Design("words_equal", "60 vs 60, equal spread", "words"),
    Design("words_spread", "133 vs 53, c 40 vs 10", "words", n=(133, 53), c=(40.0, 10.0)),
    Design("words_spread_strong", "133 vs 53, c 40 vs 3", "words", n=(133, 53), c=(40.0, 3.0)),
    Design(
        "words_idiolect_mild", "133 vs 53, own vocabulary c 200 vs 50", "words", n=(133, 53), idiolect=(200.0, 50.0)
    ),
    Design("words_idiolect", "133 vs 53, own vocabulary c 200 vs 5", "words", n=(133, 53), idiolect=(200.0, 5.0)),
    Design(
        "words_planted",
        "133 vs 53, c 40 vs 10, topic +10 points in A",
        "words",
        n=(133, 53),
        c=(40.0, 10.0),
        shift=0.10,
    ),
    Design("pred_equal", "60 vs 60, equal spread", "predict"),
    Design("pred_spread", "133 vs 53, c 40 vs 10 (same mean mix)", "predict", n=(133, 53), c=(40.0, 10.0)),
    Design("pred_nested", "5 therapists x 8 sessions per group (same mean mix)", "predict", n=(40, 40), nested=True),
    Design("pred_planted", "60 vs 60, topic +10 points in A", "predict", shift=0.10),
]
BY_NAME = {d.name: d for d in DESIGNS}


def simulate(d: Design, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """Remark table (``session_id``, ``turn``, ``group``, ``topic``, ``label``, ``text``, ``therapist``)."""
    rows: dict[str, list] = {k: [] for k in ("session_id", "turn", "group", "topic", "therapist")}
    thetas = []
    for g, label in enumerate(("A", "B")):
        base = planted(PI, d.shift) if (g == 0 and d.shift and not d.second_half) else PI
        if d.nested:
            theta = np.vstack([rng.dirichlet(40.0 * rng.dirichlet(100.0 * base), size=8) for _ in range(5)])
            therapist = np.repeat([f"t{label}{j}" for j in range(5)], 8)
        else:
            theta = rng.dirichlet(d.c[g] * base, size=d.n[g])
            therapist = np.array([f"t{label}{i}" for i in range(d.n[g])])
        lo, hi = d.lengths[g]
        for i, th in enumerate(theta):
            m = int(rng.integers(lo, hi + 1))
            if d.second_half and g == 0:
                first = rng.choice(K, size=m // 2, p=th)
                second = rng.choice(K, size=m - m // 2, p=planted(th, d.shift))
                topics = np.concatenate([first, second])
            else:
                topics = rng.choice(K, size=m, p=th)
            sid = f"{label}{i:03d}"
            rows["session_id"] += [sid] * m
            rows["turn"] += list(range(m))
            rows["group"] += [label] * m
            rows["topic"] += topics.tolist()
            rows["therapist"] += [therapist[i]] * m
        thetas.append(theta)
    frame = pd.DataFrame(rows)
    frame["label"] = "t" + frame["topic"].astype(str)
    if d.family == "words":
        idiolect = None
        if d.idiolect:
            codes, sessions = pd.factorize(frame["session_id"])
            conc = np.where(pd.Series(sessions).str.startswith("A"), d.idiolect[0], d.idiolect[1])
            idiolect = (codes, conc)
        frame["text"] = _texts(frame["topic"].to_numpy(), rng, plant=d.name == "words_planted", idiolect=idiolect)
    else:
        frame["text"] = "remark"
    return frame, {"thetas": thetas}


def _texts(
    topics: np.ndarray, rng: np.random.Generator, *, plant: bool, idiolect: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """8 words per remark from its topic's word distribution (``plantedword`` in 30% of topic 6's words); with
    ``idiolect`` (session code per remark, concentration per session) half of each remark's words come from the
    session's own vocabulary ``~ Dirichlet(c * zipf)``."""
    words = np.empty((len(topics), WORDS_PER_REMARK), dtype=object)
    if idiolect is not None:
        codes, conc = idiolect
        zipf = 1.0 / (np.arange(V) + 5.0)
        zipf /= zipf.sum()
        for i, c in enumerate(conc):
            idx = np.flatnonzero(codes == i)
            own = rng.dirichlet(c * zipf)
            for j in idx:
                p = 0.5 * PHI[topics[j]] + 0.5 * own
                words[j] = WORDS[rng.choice(V, size=WORDS_PER_REMARK, p=p / p.sum())]
        return np.array([" ".join(w) for w in words], dtype=object)
    for k in np.unique(topics):
        idx = np.flatnonzero(topics == k)
        p = np.append(PHI[k], 0.0)
        if plant and k == PLANTED:
            p = np.append(0.7 * PHI[k], 0.3)
        draws = rng.choice(V + 1, size=(len(idx), WORDS_PER_REMARK), p=p)
        words[idx] = WORDS[draws]
    return np.array([" ".join(w) for w in words], dtype=object)


# --------------------------------------------------------------------------------------------------- methods


def run_drift(d: Design, frame: pd.DataFrame, seed: int) -> dict:
    scores = drift_scores(frame, "group")
    summary = compare_drift(
        scores, assignments=frame, by="group", groups=["A", "B"], n_boot=N_BOOT, n_perm=N_PERM, seed=seed
    )
    s = summary.set_index(["measure", "group"])
    out = {}
    for measure in ("drift", "shift"):
        differs = d.drift_differs if measure == "drift" else d.shift_differs
        if measure == "drift" and d.second_half:
            continue
        rej = int(s.loc[(measure, "A"), "p_value"] < ALPHA)
        out[f"{measure}_reject"] = rej
        out[f"{measure}_differs"] = int(differs)
        covered, rows = 0, 0
        for g, label in enumerate(("A", "B")):
            if measure == "drift":
                if d.second_half:
                    continue  # A's sessions mix two halves: neither a null nor a closed-form truth
                truth = JSD_SCALE * float(np.sum(PI * (1 - PI) / (d.c[g] + 1) / PI))
            else:
                if d.second_half and g == 0:
                    continue
                truth = 0.0
            row = s.loc[(measure, label)]
            hit = int(row["low"] <= truth <= row["high"])
            covered += hit
            rows += 1
            out[f"{measure}_covered_{label}"], out[f"{measure}_cov_rows_{label}"] = hit, 1
        out[f"{measure}_covered"], out[f"{measure}_cov_rows"] = covered, rows
        out[f"{measure}_diff"] = float(s.loc[(measure, "A"), "difference"])
    out["datasets"] = 1
    return out


def _old_words_p(frame: pd.DataFrame, seed: int) -> tuple[np.ndarray, list[str]]:
    """The previous method: the remark-level log-odds z against permutations of whole sessions."""
    from sklearn.feature_extraction.text import CountVectorizer

    from topics.compare.words import log_odds

    vec = CountVectorizer(ngram_range=(1, 1))
    matrix = vec.fit_transform(frame["text"])
    keep = np.asarray(matrix.sum(axis=0)).ravel() >= 3
    matrix, vocab = matrix[:, keep], vec.get_feature_names_out()[keep]
    codes, sessions = pd.factorize(frame["session_id"])
    from scipy import sparse

    ind = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(len(sessions), len(codes)))
    per = np.asarray((ind @ matrix).todense(), float)
    in_a = (frame.groupby(codes)["group"].first().to_numpy() == "A").astype(float)
    total = per.sum(axis=0)
    prior = 0.01 * total
    _, z = log_odds((1 - in_a) @ per, in_a @ per, prior)
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(z))
    for _ in range(N_PERM_WORDS):
        m = rng.permutation(in_a)
        _, zp = log_odds((1 - m) @ per, m @ per, prior)
        exceed += np.abs(zp) >= np.abs(z) - 1e-12
    return (exceed + 1) / (N_PERM_WORDS + 1), list(vocab)


def run_words(d: Design, frame: pd.DataFrame, seed: int, *, reference: bool) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer

    table = distinctive_words(
        frame,
        "group",
        groups=["A", "B"],
        vectorizer=CountVectorizer(ngram_range=(1, 1)),
        top_n=10_000,
        min_count=3,
        n_perm=N_PERM_WORDS,
        seed=seed,
    )
    flagged = int(bool(table.attrs.get("warnings")))
    table = table[table["group"] == "A"]  # top_n covers every word: each word once
    out = _word_counts(d, table["word"].tolist(), table["p_value"].to_numpy(float), table["t"].to_numpy(float), "main")
    out["flagged"] = flagged
    if not flagged:
        out.update({f"unflagged_{k.removeprefix('main_')}": v for k, v in out.items() if k.startswith("main_")})
        out["unflagged_datasets"] = 1
    if reference:
        p, vocab = _old_words_p(frame, seed)
        z_sign = np.ones(len(p))  # the planted word's direction is checked on the main method only
        out.update(_word_counts(d, vocab, p, z_sign, "old"))
    return out


def _word_counts(d: Design, words: list[str], p: np.ndarray, t: np.ndarray, key: str) -> dict:
    planted_row = np.array([w == "plantedword" for w in words])
    # with a topic shift every word's rate moves: no null rows then
    null_rows = ~planted_row if d.shift == 0 else np.zeros(len(words), bool)
    q = stats.false_discovery_control(p) if len(p) else p
    return {
        f"{key}_rows": int(null_rows.sum()),
        f"{key}_reject": int((p[null_rows] < ALPHA).sum()),
        f"{key}_anyq": int((q < ALPHA).any()) if d.shift == 0 else 0,
        f"{key}_power": int(bool(planted_row.any() and (p[planted_row] < ALPHA).all() and (t[planted_row] > 0).all())),
        "datasets": 1,
    }


def run_predict(d: Design, frame: pd.DataFrame, seed: int) -> dict:
    out = {"datasets": 1}
    variants = [("main", None)] + ([("cluster", "therapist")] if d.nested else [])
    for key, cluster in variants:
        r = predict_group(frame, "group", groups=["A", "B"], n_perm=N_PERM_PREDICT, seed=seed, cluster=cluster)
        out[f"{key}_reject"] = int(r["permutation_p"] < ALPHA)
        out[f"{key}_accuracy"] = float(r["balanced_accuracy"])
    return out


def replicate(task: tuple[str, int, int]) -> tuple[str, dict]:
    name, rep, seed = task
    d = BY_NAME[name]
    rng = np.random.default_rng([seed, rep, sum(map(ord, name))])
    frame, _ = simulate(d, rng)
    if d.family == "drift":
        return name, run_drift(d, frame, seed + rep)
    if d.family == "words":
        return name, run_words(d, frame, seed + rep, reference=True)
    return name, run_predict(d, frame, seed + rep)


# --------------------------------------------------------------------------------------------------- tables


def pct(k: float, n: float, digits: int = 1) -> str:
    return f"{100 * k / n:.{digits}f}" if n else "-"


def mc_se(rate: float, n: int) -> float:
    return 100 * float(np.sqrt(max(rate * (1 - rate), 0.0025 * 0.9975) / max(n, 1)))


def build_tables(totals: dict, designs: list[Design]) -> str:
    lines = []
    drift = [d for d in designs if d.family == "drift"]
    if drift:
        lines += [
            "**Drift and shift** (`compare_drift`; p<.05 = share of data sets; it is a false positive where "
            'the measure\'s estimand is the same in both groups ("null"), power where it differs; cov = share '
            "of the group intervals that contain the group's true value, over the groups with a known truth, "
            "and per group in brackets (each must reach 93%); "
            "+- = Monte Carlo standard error):",
            "",
            "| design | data sets | drift: estimand | drift p<.05 % | drift cov % | shift: estimand "
            "| shift p<.05 % | shift cov % | verdict |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for d in drift:
            t = totals.get(d.name, {})
            n = t.get("datasets", 0)
            cells, fails = [], []
            for m in ("drift", "shift"):
                if f"{m}_reject" not in t:
                    cells += ["not reported (mixes two halves)", "-", "-"]
                    continue
                differs = t.get(f"{m}_differs", 0) > 0
                rate = t.get(f"{m}_reject", 0) / max(n, 1)
                cov = t.get(f"{m}_covered", 0) / max(t.get(f"{m}_cov_rows", 0), 1)
                per_group = {
                    g: t.get(f"{m}_covered_{g}", 0) / t[f"{m}_cov_rows_{g}"]
                    for g in ("A", "B")
                    if t.get(f"{m}_cov_rows_{g}", 0)
                }
                cells += [
                    "differs (power)" if differs else "null (FP)",
                    f"{100 * rate:.1f} +- {mc_se(rate, n):.1f}",
                    pct(t.get(f"{m}_covered", 0), t.get(f"{m}_cov_rows", 0))
                    + " ("
                    + " / ".join(f"{g} {100 * v:.1f}" for g, v in per_group.items())
                    + ")",
                ]
                if not differs and not 0.03 <= rate <= 0.07 and n:
                    fails.append(f"{m} FP {100 * rate:.1f}%")
                if t.get(f"{m}_cov_rows", 0) and cov < 0.93:
                    fails.append(f"{m} coverage {100 * cov:.1f}%")
                fails += [f"{m} coverage group {g} {100 * v:.1f}%" for g, v in per_group.items() if v < 0.93]
            verdict = "**met**" if not fails else "**not met**: " + "; ".join(fails)
            lines.append(f"| {d.title} | {n} | " + " | ".join(cells) + f" | {verdict} |")
        lines.append("")
    words = [d for d in designs if d.family == "words"]
    if words:
        lines += [
            "**Distinctive words** (`distinctive_words`, unigrams; FP = share of all tested words with p < .05 "
            "under no difference; any q = share of data sets with some word at q < .05; power = share of data "
            "sets where `plantedword` has p < .05 in the right direction; flagged = share of data sets whose words "
            'carry the toolkit\'s warning of very unequal spread (`WORD_SPREAD_LIMIT`); "previous" = the remark-level '
            "log-odds z against permutations of whole sessions, the method before this change):",
            "",
            "| design | method | data sets | words/set | flagged % | FP % | any q<.05 % | FP / any q unflagged % "
            "| power % | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for d in words:
            t = totals.get(d.name, {})
            n = t.get("datasets", 0)
            for key, label in (("main", "session-level t, permuted"), ("old", "previous (log-odds z, permuted)")):
                rows = t.get(f"{key}_rows", 0)
                fp = t.get(f"{key}_reject", 0) / max(rows, 1)
                anyq = t.get(f"{key}_anyq", 0) / max(n, 1)
                fails = []
                flagged = t.get("flagged", 0) / max(n, 1)
                un_n, un_rows = t.get("unflagged_datasets", 0), t.get("unflagged_rows", 0)
                un_fp = t.get("unflagged_reject", 0) / max(un_rows, 1)
                un_q = t.get("unflagged_anyq", 0) / max(un_n, 1)
                if d.shift == 0 and n:
                    if not 0.03 <= fp <= 0.07:
                        fails.append(f"FP {100 * fp:.1f}%")
                    if anyq > 0.07:
                        fails.append(f"any q {100 * anyq:.0f}%")
                    if fails and un_n and (un_fp > 0.07 or un_q > 0.07):
                        fails.append(f"unflagged: FP {100 * un_fp:.1f}%, any q {100 * un_q:.0f}%")
                    elif fails:
                        fails = [
                            f"{f} (flagged in {100 * flagged:.0f}% of data sets; calibrated where not flagged)"
                            for f in fails
                        ]
                ok = not fails or all("calibrated where not flagged" in f for f in fails)
                verdict = (
                    "-"
                    if key == "old"
                    else (
                        ("**met**" if not fails else "**flagged**: " + "; ".join(fails))
                        if ok
                        else "**not met**: " + "; ".join(fails)
                    )
                )
                unflagged = (
                    f"{pct(t.get('unflagged_reject', 0), un_rows)} / {pct(t.get('unflagged_anyq', 0), un_n, 0)}"
                    f" ({un_n} sets)"
                    if key == "main" and d.shift == 0
                    else "-"
                )
                lines.append(
                    f"| {d.title if key == 'main' else ''} | {label} | {n} | {rows / max(n, 1):.0f} | "
                    f"{pct(t.get('flagged', 0), n, 0) if key == 'main' else '-'} | "
                    f"{pct(t.get(f'{key}_reject', 0), rows) if d.shift == 0 else '-'} | "
                    f"{pct(t.get(f'{key}_anyq', 0), n) if d.shift == 0 else '-'} | {unflagged} | "
                    f"{pct(t.get(f'{key}_power', 0), n) if d.shift and key == 'main' else '-'} | {verdict} |"
                )
        lines.append("")
    pred = [d for d in designs if d.family == "predict"]
    if pred:
        lines += [
            "**Prediction** (`predict_group`, 5 folds, permutation p from 99 shuffles; p<.05 = share of data "
            "sets; what it means depends on the design: a false positive only where the groups are not "
            "distinguishable):",
            "",
            "| design | method | data sets | mean balanced accuracy | p<.05 % | reading |",
            "|---|---|---|---|---|---|",
        ]
        readings = {
            "pred_equal": "null: false positives",
            "pred_spread": "distinguishable (spread differs), same "
            "mean mix: not a false positive of the classifier, but not a difference in mean topic mix",
            "pred_nested": "therapists differ, groups do not",
            "pred_planted": "power",
        }
        for d in pred:
            t = totals.get(d.name, {})
            n = t.get("datasets", 0)
            for key, label in (("main", "sessions permuted"), ("cluster", 'cluster="therapist"')):
                if f"{key}_reject" not in t:
                    continue
                rate = t[f"{key}_reject"] / max(n, 1)
                reading = readings[d.name]
                if d.name == "pred_nested":
                    reading = (
                        "therapists nested in groups, no cluster: sessions are not independent (the toolkit "
                        "offers cluster=)"
                        if key == "main"
                        else "null: false positives"
                    )
                lines.append(
                    f"| {d.title if key == 'main' else ''} | {label} | {n} | "
                    f"{t.get(f'{key}_accuracy', 0) / max(n, 1):.3f} | {100 * rate:.1f} +- {mc_se(rate, n):.1f} "
                    f"| {reading} |"
                )
        lines.append("")
    return "\n".join(lines)


def add(total: dict, part: dict) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


# --------------------------------------------------------------------------------------------------- shared
# (with benchmarks/calibration.py)


def code_fingerprint(
    files: tuple[str, ...] = ("trajectory.py", "drift_interval.py", "words.py", "prediction.py"),
) -> str:
    """sha256 prefixes of the ``topics/compare/`` files under test (``benchmarks/calibration_measures.py`` too)."""
    parts = []
    for rel in files:
        h = hashlib.sha256((PROJECT / "topics" / "compare" / rel).read_bytes()).hexdigest()[:10]
        parts.append(f"{rel} {h}")
    return ", ".join(parts)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 2**20
    except OSError:
        mem = float("nan")
    import scipy

    return (
        f"this project's VM, {os.cpu_count()} CPU cores ({cpu}), {mem:.0f} GB RAM, no GPU; Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}"
    )


def write_section(text: str, section: str = SECTION) -> None:
    """Replace (or append) the section headed ``section`` of benchmarks/RESULTS.md with ``text``."""
    md = RESULTS_MD.read_text()
    start = md.find(section)
    if start < 0:
        md = md.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        nxt = md.find("\n## ", start + len(section))
        md = md[:start] + text.rstrip("\n") + "\n" + (md[nxt:] if nxt >= 0 else "")
    RESULTS_MD.write_text(md)


class _Serial:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def imap_unordered(self, fn, tasks, chunksize=1):
        return map(fn, tasks)


def run_measures(
    designs: list[Design], *, reps: int, words_reps: int, predict_reps: int, seed: int, processes: int, command: str
) -> str:
    """Run ``designs`` and return the RESULTS.md section (header, tables) as text.

    Shared by this script and ``benchmarks/calibration.py`` (which runs every calibration design)."""
    reps_of = {"drift": reps, "words": words_reps, "predict": predict_reps}
    tasks = [(d.name, r, seed) for d in designs for r in range(reps_of[d.family])]
    tasks.sort(key=lambda t: (t[1], t[0]))  # interleaved: a partial run covers every design
    started = dt.datetime.now(dt.UTC)
    fingerprint = code_fingerprint()
    t0 = time.perf_counter()
    totals: dict = {}
    done = 0
    with mp.get_context("fork").Pool(processes) if processes > 1 else _Serial() as pool:
        try:
            for done, (name, out) in enumerate(pool.imap_unordered(replicate, tasks, chunksize=2), 1):
                add(totals.setdefault(name, {}), out)
                if done % 20 == 0 or done == len(tasks):
                    print(
                        f"  {done}/{len(tasks)} data sets, {time.perf_counter() - t0:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
        except KeyboardInterrupt:  # stopped early (SIGINT): report what was done, said as partial
            print(f"  interrupted after {done} data sets", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0
    ended = dt.datetime.now(dt.UTC)
    header = [
        SECTION,
        "",
        f"**Machine:** {machine()}.",
        f"**Date:** {started:%Y-%m-%d}, {started:%H:%M}-{ended:%H:%M} UTC ({wall / 60:.1f} min wall, "
        f"{processes} process{'es' if processes > 1 else ''}).",
        f"**Command:** `{command.strip()}` (seed {seed}).",
        (
            f"**Stopped early** after {done} of {len(tasks)} data sets (interleaved over the designs; the "
            "counts below are per design). "
            if done < len(tasks)
            else ""
        )
        + "**Replications:** "
        + "; ".join(
            text
            for family, text in (
                ("drift", f"{reps} data sets per drift/shift design, `compare_drift` with `n_perm={N_PERM}`"),
                (
                    "words",
                    f"{words_reps} per words design ({V} word types each, the tested rows), `distinctive_words` "
                    f"with `n_perm={N_PERM_WORDS}`",
                ),
                ("predict", f"{predict_reps} per prediction design, `predict_group` with `n_perm={N_PERM_PREDICT}`"),
            )
            if any(d.family == family for d in designs)
        )
        + ". Monte Carlo standard error of a data-set rate near 5% from R data sets: sqrt(0.05 x 0.95 / R), "
        + ", ".join(
            f"{100 * np.sqrt(0.05 * 0.95 / max(r, 1)):.1f} points at {r}"
            for r in sorted({reps_of[d.family] for d in designs})
        )
        + ".",
        f"**Code under test** (sha256 prefixes of `topics/compare/`): {fingerprint}.",
        "",
        "Data-generating process and designs: see the docstring of `benchmarks/calibration_measures.py`. In "
        "short: 30 Zipf-like topics; session mixes Dirichlet(c x pi) (c = 40 ordinary, 10 varied, 3 very "
        "varied); remarks in random order (true shift 0) unless a second-half change is planted; words drawn "
        "from per-topic word distributions (300 types, 8 words a remark). Targets: 3-7% false positives at "
        "p < .05, interval coverage >= 93%, any q < .05 <= 7% under no difference.",
        "",
    ]
    return "\n".join(header) + "\n" + build_tables(totals, designs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="data sets per design (drift, shift, words)")
    ap.add_argument("--words-reps", type=int, default=None, help="data sets per words design (default --reps)")
    ap.add_argument("--predict-reps", type=int, default=None, help="data sets per prediction design (default --reps)")
    ap.add_argument("--designs", default=",".join(d.name for d in DESIGNS))
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--write", action="store_true", help="replace the section in benchmarks/RESULTS.md")
    ap.add_argument("--out", help="also write the printed text to this file")
    args = ap.parse_args()
    text = run_measures(
        [BY_NAME[n] for n in args.designs.split(",")],
        reps=args.reps,
        words_reps=args.words_reps or args.reps,
        predict_reps=args.predict_reps or args.reps,
        seed=args.seed,
        processes=args.processes,
        command=".venv/bin/python benchmarks/calibration_measures.py " + " ".join(sys.argv[1:]),
    )
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    if args.write:
        write_section(text)
        print(f"written to {RESULTS_MD}", file=sys.stderr)


if __name__ == "__main__":
    main()
