"""Seed stability of candidate settings (issue 28): mean pairwise ARI over seeds, int8 against fp32, NMI with codes.

For each setting, ``topics.fit`` runs on the same remarks with seeds 42-46 (labels after outlier reduction,
nothing written); the embedding cache makes every fit after the first of a runtime a warm one. Reported per
setting: mean and minimum pairwise adjusted Rand index over the seeds, NMI with the utterance codes (remarks that
have one, outliers kept as a label), topics, and with ``--runtimes openvino-int8,torch`` the mean ARI between the
int8 and the fp32 fit of the same seed (the stand-in for another machine's numerics).

Usage::

    .venv/bin/python benchmarks/seed_stability.py [--size 5000] [--seeds 42,43,44,45,46]
        [--settings "default;hdbscan.consensus_fits=5;hdbscan.min_samples=25"] [--runtimes openvino-int8,torch]
        [--work /tmp/seed-stability]

A setting is ``default`` or ``section.key=value`` joined by ``+`` (``hdbscan.consensus_fits=3+hdbscan.min_samples=25``).
The remarks are those of ``benchmarks/speed_quality.py`` (AnnoMI + MIBot + ESConv + CounselChat counsellor remarks),
a seeded sample of ``--size``. Labels of every fit are kept in ``--work`` (a rerun resumes).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configured(setting: str, seed: int, runtime: str):
    """The default config with ``seed``, ``runtime`` and the setting's changes."""
    from topics.config import TopicConfig

    cfg = TopicConfig()
    cfg.seed = seed
    cfg.embedding.runtime = runtime
    for part in setting.split("+"):
        if part == "default":
            continue
        key, value = part.split("=", 1)
        section, name = key.split(".")
        old = getattr(getattr(cfg, section), name)
        setattr(getattr(cfg, section), name, value if isinstance(old, str) else type(old)(value))
    return cfg


def fit_labels(remarks: pd.DataFrame, setting: str, seeds: list[int], runtime: str, work: Path) -> dict[str, list]:
    """Labels of each seed's fit (resumed from ``work``)."""
    from topics.pipeline import fit

    out = work / f"labels-{len(remarks)}-{setting}-{runtime}.json"
    done = json.loads(out.read_text()) if out.exists() else {}
    for seed in seeds:
        if str(seed) not in done:
            analysis = fit(remarks, configured(setting, seed, runtime))
            labels = analysis.assignments.set_index("utterance_id")["topic"].reindex(remarks["utterance_id"])
            done[str(seed)] = [int(x) for x in labels.fillna(-1)]
            out.write_text(json.dumps(done))
            print(f"  {setting} {runtime} seed {seed}: {len(set(done[str(seed)])) - 1} topics", flush=True)
    return done


def main() -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--seeds", default="42,43,44,45,46")
    parser.add_argument("--settings", default="default;hdbscan.consensus_fits=5;hdbscan.min_samples=25")
    parser.add_argument("--runtimes", default="openvino-int8,torch")
    parser.add_argument("--work", default="/tmp/seed-stability")
    args = parser.parse_args()
    from speed_quality import build_corpus, markdown  # noqa: PLC0415  (benchmarks/ is on the path as a script)

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    remarks = pd.read_parquet(build_corpus(work, ["all"])["all"])
    remarks = remarks.sample(args.size, random_state=0).sort_index().reset_index(drop=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    runtimes = args.runtimes.split(",")
    codes = remarks["code"].astype("string")
    has_code = codes.notna().to_numpy()
    rows = []
    for setting in args.settings.split(";"):
        fits = {rt: fit_labels(remarks, setting, seeds, rt, work) for rt in runtimes}
        for rt, done in fits.items():
            labs = [np.asarray(done[str(s)]) for s in seeds]
            aris = [adjusted_rand_score(a, b) for a, b in itertools.combinations(labs, 2)]
            row = {
                "setting": setting,
                "runtime": rt,
                "seed_ari_mean": round(float(np.mean(aris)), 3),
                "seed_ari_min": round(float(np.min(aris)), 3),
                "nmi_codes": round(
                    float(np.mean([normalized_mutual_info_score(codes[has_code], lab[has_code]) for lab in labs])), 3
                ),
                "topics": round(float(np.mean([len(set(lab)) - (-1 in lab) for lab in labs])), 1),
            }
            if rt != runtimes[0]:
                first = fits[runtimes[0]]
                row[f"ari_to_{runtimes[0]}_same_seed"] = round(
                    float(np.mean([adjusted_rand_score(first[str(s)], done[str(s)]) for s in seeds])), 3
                )
            rows.append(row)
    print(markdown(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
