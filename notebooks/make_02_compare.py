"""Write notebooks/02_compare.ipynb (unexecuted; the test suite executes it).

Usage: ``.venv/bin/python notebooks/make_02_compare.py``
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS: list[tuple[str, str]] = [
    ("md", """\
# 02 · Compare groups of sessions

Do human professionals and an LLM counsellor talk about different things? Do high-quality MI sessions spend
more of their time on some topics than low-quality ones? Does a topic go with a better outcome? This notebook
answers such questions on the bundled demo corpus (133 professional MI sessions from AnnoMI and 53 sessions of
the GPT-4o counsellor MIBot) with the functions of `topics.compare`.

Every function returns a DataFrame (and the `plots` functions a plotly Figure), so each number can be
filtered, joined and exported. The bootstrap and permutation counts below are kept modest so the notebook runs
in a couple of minutes; use the defaults (`n_boot=1000`, `n_perm=2000`) or more for a paper."""),
    ("code", """\
from pathlib import Path

import pandas as pd
import plotly.express as px

import topics
from topics import plots
from topics.compare import (compare_drift, compare_groups, distinctive_words, drift_scores, outcome_association,
                            position_shares, predict_group, profile_divergence, transition_matrix)
from topics.errors import InputError

PROJECT = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
N_BOOT, N_PERM = 500, 2000          # cluster-bootstrap replicates, permutations
pd.set_option("display.max_colwidth", 60)

config = topics.TopicConfig()                                          # defaults, seed 42
config.embedding.cache_dir = str(PROJECT / ".cache" / "embeddings")    # share the embedding cache"""),
    ("md", """\
## 1 · Fit the demo corpus and apply the curation ledger

The comparison works on whatever topics you give it: pass the *curated* assignments (after the expert's merges,
renames and drops) for the study's results. The demo ships an example ledger; if it no longer matches the model
(it is written for one fit of the demo data), we fall back to the raw topics."""),
    ("code", """\
corpus = topics.load_corpus("demo")
analysis = topics.fit(corpus, config)
try:
    analysis = analysis.curate(PROJECT / "corpora" / "demo" / "ledger.yaml")
    print(f"curated view: {analysis.curation.mode} mode, {len(analysis.curation.log)} ledger entries")
except InputError as err:   # LedgerError is an InputError
    print(f"note: the demo ledger could not be applied, so the raw topics are used ({err})")
assignments = analysis.assignments
print(f"{len(assignments):,} remarks, {(analysis.topics['topic'] != -1).sum()} topics")
assignments.groupby("counselor_type").agg(sessions=("session_id", "nunique"), remarks=("utterance_id", "size"))"""),
    ("md", """\
## 2 · Which topics differ between professionals and the LLM?

`compare_groups` gives one row per topic: the share of each group's remarks in the topic (`share_a`,
`share_b`), their difference `diff` (second group minus first, here LLM minus professional) with a 95% interval,
the ratio, a permutation p-value and a Benjamini-Hochberg q-value. `too_small` marks topics with too few remarks
or sessions to test."""),
    ("code", """\
contrasts = compare_groups(assignments, "counselor_type", groups=["professional", "llm"],
                           n_boot=N_BOOT, n_perm=N_PERM, seed=0)
print(contrasts.attrs["method"])
cols = ["topic", "label", "share_a", "share_b", "diff", "diff_low", "diff_high", "q_value", "sessions_with_topic"]
contrasts.sort_values("q_value")[cols].head(12).round(4)"""),
    ("md", """\
The forest plot shows every topic's difference in percentage points with its interval; filled markers have
q < 0.05, red ones are more frequent in the LLM's remarks, blue ones in the professionals'."""),
    ("code", "plots.forest_plot(contrasts)"),
    ("md", "The dumbbell chart shows the two shares themselves, so a large relative difference of a rare topic is not mistaken for a large absolute one."),
    ("code", "plots.dumbbell(contrasts)"),
    ("md", """\
### Why the session is the unit, and what the numbers mean

**Remarks are not independent.** The remarks of one session share a client, a presenting problem, a counsellor
and a conversation that builds on itself: if a client wants to talk about their drinking, dozens of remarks of
that session fall in the drinking topic. Treating the 8,000 remarks as 8,000 independent observations would
pretend we had far more information than we have — the real replication is across *sessions* (186 here), so
intervals and p-values computed from remark counts (a chi-square test on the topic-by-group table, say) are much
too narrow and find "significant" differences that a new sample of sessions would not reproduce.

- **Session-level (cluster) bootstrap.** Each replicate draws sessions with replacement within each group (with
  all of their remarks) and recomputes the shares and their difference; the 2.5% and 97.5% quantiles of the
  replicates are the 95% interval. It answers: how much would the difference move with another sample of
  sessions like these?
- **Permutation test.** Under the null hypothesis "the group does not matter", the group labels of whole
  sessions are exchangeable. We shuffle them `N_PERM` times and count how often a shuffled difference is at
  least as large as the observed one: that fraction (plus one, over `N_PERM` + 1) is the two-sided p-value.
- **Benjamini-Hochberg q.** With 20-40 topics tested at once, some small p-values occur by chance. The q-value of
  a topic is the smallest false discovery rate at which it would be called different: among the topics with
  q < 0.05, we expect at most 5% to be false discoveries. Since the smallest attainable p is 1/(`N_PERM` + 1), the
  smallest attainable q is about (number of tests)/(`N_PERM` + 1): use well over 20 permutations per tested topic.

The next cell makes the point concrete: for the largest topics it compares the interval a naive remark-level
formula would give with the session bootstrap interval. The ratio of the two widths is the price of clustering."""),
    ("code", """\
c = contrasts[~contrasts["too_small"]].nlargest(8, "remarks").copy()
n = assignments.groupby("counselor_type").size()
na, nb = n["professional"], n["llm"]
naive = 1.96 * ((c["share_a"] * (1 - c["share_a"]) / na) + (c["share_b"] * (1 - c["share_b"]) / nb)) ** 0.5
c["naive_halfwidth"] = naive
c["bootstrap_halfwidth"] = (c["diff_high"] - c["diff_low"]) / 2
c["width_ratio"] = c["bootstrap_halfwidth"] / c["naive_halfwidth"]
c[["topic", "label", "diff", "naive_halfwidth", "bootstrap_halfwidth", "width_ratio"]].round(4)"""),
    ("md", """\
### The profile as a whole

Two summaries of the whole topic mix: the **Jensen-Shannon divergence** between the groups' topic
distributions (0 = identical, 1 = disjoint) with a session-bootstrap interval and its value under shuffled
labels (the divergence that sampling alone produces), and how well a session's topic profile **predicts its
group** (cross-validated balanced accuracy against the same model on shuffled labels)."""),
    ("code", """\
display(profile_divergence(assignments, "counselor_type", n_boot=N_BOOT, seed=0).round(4))
predict_group(assignments, "counselor_type", n_perm=50, seed=0)"""),
    ("md", """\
## 3 · Distinctive words

Which words separate the groups? Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi
& Quinn 2008) shrink rare words toward zero, so the list is not dominated by words seen twice in one group;
`z` > 0 means typical of the second group. First over all remarks:"""),
    ("code", """\
words = distinctive_words(assignments, "counselor_type", groups=["professional", "llm"])
plots.distinctive_words_chart(words)"""),
    ("md", """\
Overall differences mix *what* is talked about with *how*. Within one topic the subject is held fixed, so the
words show how the two counsellors phrase the same kind of remark. We take the topic with the most remarks from
both groups:"""),
    ("code", """\
per_group = pd.crosstab(assignments["topic"], assignments["counselor_type"]).drop(index=-1, errors="ignore")
shared_topic = int(per_group.min(axis=1).idxmax())
print(f"topic {shared_topic}: {analysis.topics.set_index('topic').loc[shared_topic, 'label']!r}, "
      f"remarks per group {per_group.loc[shared_topic].to_dict()}")
words_in_topic = distinctive_words(assignments, "counselor_type", groups=["professional", "llm"], topic=shared_topic)
plots.distinctive_words_chart(words_in_topic)"""),
    ("md", """\
## 4 · Where in the session: position and transitions

`position_shares` splits each session's remarks into opening, middle and closing thirds and gives each topic's
share of the remarks in each segment, per group. Openings and closings usually have their own topics
(greeting, agenda, summarising, planning next steps)."""),
    ("code", """\
positions = position_shares(assignments, by="counselor_type")
plots.position_heatmap(positions, group="professional")"""),
    ("code", "plots.position_heatmap(positions, group=\"llm\")"),
    ("md", """\
`transition_matrix` counts which topic follows which in consecutive counsellor remarks of a session (rows: this
remark's topic, columns: the next one's; each row sums to 1). A bright diagonal means the counsellor stays on a
topic for several remarks. (MIBot's transcripts are split into thought units, so several of its "remarks" can
belong to one turn of speech: its diagonal is brighter for that reason alone.)"""),
    ("code", """\
labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
plots.transition_heatmap(transition_matrix(assignments, group="professional", by="counselor_type"), labels,
                         title="Which topic follows which: professional")"""),
    ("code", """\
plots.transition_heatmap(transition_matrix(assignments, group="llm", by="counselor_type"), labels,
                         title="Which topic follows which: llm")"""),
    ("md", """\
## 5 · Drift: how typical is a session, and how much does it change?

`drift_scores` gives, per session, its **drift** (Jensen-Shannon divergence between the session's topic mix and
the pooled mix of the *other* sessions of its group: high = an unusual session for its group) and its **shift**
(divergence between its first and second half). `compare_drift` compares the group means with a session
bootstrap and a permutation test. Both measures are noisier, and so larger, for short sessions: compare
groups with similar session lengths, or look at the `remarks` column first. Here the LLM's sessions have more
than twice as many remarks as the professionals' (MIBot is split into thought units), which by itself lowers
their drift: read the drift difference below as partly a length effect."""),
    ("code", """\
drift = drift_scores(assignments, "counselor_type")
display(drift.groupby("group")["remarks"].describe()[["count", "mean", "50%"]])
print("Spearman correlation with the session's number of remarks, within group:",
      {g: round(d["drift"].corr(d["remarks"], method="spearman"), 2) for g, d in drift.groupby("group")})
compare_drift(drift, n_boot=N_BOOT, n_perm=N_PERM, seed=0).round(4)"""),
    ("code", """\
px.box(drift.melt(id_vars=["session_id", "group"], value_vars=["drift", "shift"], var_name="measure"),
       x="measure", y="value", color="group", points="all",
       title="Drift and shift per session (Jensen-Shannon divergence, base 2)")"""),
    ("md", """\
## 6 · High- vs low-quality MI, within presenting problem

AnnoMI rates each session as high- or low-quality MI. A naive contrast is **confounded by the presenting
problem**: the low-quality demonstrations are not spread over problems like the high-quality ones (no low-quality
session is about drug use, recidivism or weight loss, for instance), so a topic about a
problem can look "typical of low-quality MI" only because low-quality sessions talk about that problem more often.
With `strata="problem"` the difference is computed *within* each problem and averaged (weighted by the
problem's number of sessions), and bootstrap and permutations stay within problems; problems that only one
group has drop out of the difference. Note that `share_a` and `share_b` stay the pooled, unstratified shares:
compare the `diff` columns."""),
    ("code", """\
annomi = assignments[assignments["corpus"] == "annomi"]
sessions = annomi.groupby("session_id")[["mi_quality", "problem"]].first()
display(pd.crosstab(sessions["problem"], sessions["mi_quality"]).sort_values("high", ascending=False).head(10))

plain = compare_groups(annomi, "quality", groups=["low", "high"], n_boot=N_BOOT, n_perm=N_PERM, seed=0)
within = compare_groups(annomi, "quality", groups=["low", "high"], strata="problem", n_boot=N_BOOT, n_perm=N_PERM,
                        seed=0)
side = plain[["topic", "label", "share_a", "share_b", "diff", "q_value"]].merge(
    within[["topic", "diff", "diff_low", "diff_high", "q_value"]], on="topic", suffixes=("", "_within_problem"))
side.reindex(side["diff"].abs().sort_values(ascending=False).index).head(10).round(4)"""),
    ("code", "plots.forest_plot(within)"),
    ("md", """\
Read the two `diff` columns together: a difference that shrinks or changes sign within problems was mostly the
problem mix. With 23 low-quality sessions spread thinly over problems, few differences survive — which is what
the data can honestly say. (A problem with a single low-quality session contributes no bootstrap variation in that
group, so the within-problem intervals can be narrower than the permutation test suggests; trust the q-values.)

## 7 · Topics and outcomes (MIBot)

MIBot's participants rated their readiness to quit smoking before and after the conversation.
`outcome_association` relates each session's share of remarks in a topic to `readiness_change` (Spearman
correlation, session bootstrap interval, permutation p, BH q). Correlational only: a topic's share reflects the
client as much as the counsellor."""),
    ("code", """\
mibot = assignments[assignments["corpus"] == "mibot"]
# n_boot is also the number of permutations here: keep it well above 20x the number of topics, or no q can be < 0.05
outcome = outcome_association(mibot, "readiness_change", n_boot=N_PERM, seed=0)
print(outcome.attrs["method"])
outcome.sort_values("p_value")[["topic", "label", "rho", "rho_low", "rho_high", "p_value", "q_value",
                                "sessions_with_topic"]].head(8).round(3)"""),
    ("code", """\
top = int(outcome.dropna(subset=["p_value"]).sort_values("p_value")["topic"].iloc[0])
per_session = (mibot.assign(in_topic=mibot["topic"] == top).groupby("session_id")
               .agg(share=("in_topic", "mean"), readiness_change=("readiness_change", "first")))
px.scatter(per_session, x="share", y="readiness_change", hover_name=per_session.index,
           title=f"Share of remarks in topic {top} and change in readiness (one point per MIBot session)",
           labels={"share": f"share of the session's remarks in topic {top}"})"""),
    ("md", """\
## 8 · All of it in one call

`topics.compare.run_comparison` runs every step above for one grouping and keeps the tables and figures
together; `save_csv` writes them for a paper's supplement, and `topics report` adds them to the HTML report:

```python
from topics.compare import run_comparison

comp = run_comparison(assignments, "counselor_type", groups=["professional", "llm"],
                      outcomes=["readiness_change"], n_boot=1000, n_perm=2000)
comp.contrasts, comp.divergence, comp.prediction, comp.drift_summary, comp.words
plots.comparison_figures(comp)["forest"]
comp.save_csv("runs/demo/compare-counselor_type")
```

`benchmarks/compare_real.py` runs it on the full public corpora (AnnoMI quality, human vs LLM, professionals vs
peers) and checks the topics against AnnoMI's expert reflection codes."""),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    path = Path(__file__).resolve().parent / "02_compare.ipynb"
    nbformat.write(build(), path)
    print(f"wrote {path}")
