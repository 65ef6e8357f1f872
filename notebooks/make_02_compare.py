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

Every function returns a DataFrame or a dict (and the `plots` functions a plotly Figure), so each number can be
filtered, joined and exported. The permutation counts below are the defaults (`n_perm=2000`) where they decide
a q-value, and smaller where they only decorate; the notebook runs in a minute or two."""),
    ("code", """\
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.io as pio

import topics
from topics import plots
from topics.compare import (compare_drift, compare_groups, distinctive_words, drift_scores, named_contrasts,
                            outcome_association, position_shares, predict_group, profile_divergence, run_comparison,
                            transition_matrix)
from topics.errors import InputError
from topics.read.public import DEMO_LEDGER

N_PERM = 2000    # permutations of whole sessions (per-topic tests, outcomes)
N_BOOT = 500     # bootstrap replicates of sessions (divergence bias correction, drift intervals)
GROUPS = ["professional", "llm"]    # every contrast reads "professional minus llm"
pd.set_option("display.max_colwidth", 60)
# figures as plotly JSON (JupyterLab, VS Code) and as HTML with plotly.js included once, offline, so that
# they survive an HTML export (jupyter nbconvert --to html) and show in any viewer
pio.renderers.default = "plotly_mimetype+notebook"

config = topics.TopicConfig()                                          # defaults, seed 42"""),
    ("md", """\
## 1 · Fit the demo corpus and apply the curation ledger

The comparison works on whatever topics you give it: pass the *curated* assignments (after the expert's merges,
renames and drops) for the study's results. The demo ships an example ledger; if it no longer matches the model
(it is written for one fit of the demo data), we fall back to the raw topics."""),
    ("code", """\
corpus = topics.load_corpus("demo")
analysis = topics.fit(corpus, config)
try:
    analysis = analysis.curate(DEMO_LEDGER)    # the example ledger shipped with the demo corpus
    print(f"curated view: {analysis.curation.mode} mode, {len(analysis.curation.log)} ledger entries")
except InputError as err:   # LedgerError is an InputError
    print(f"note: the demo ledger could not be applied, so the raw topics are used ({err})")
assignments = analysis.assignments
print(f"{len(assignments):,} remarks, {(analysis.topics['topic'] != -1).sum()} topics")
assignments.groupby("counselor_type").agg(sessions=("session_id", "nunique"), remarks=("utterance_id", "size"),
                                          without_topic=("topic", lambda t: (t == -1).mean()))"""),
    ("md", """\
## 2 · Which topics differ between professionals and the LLM?

`compare_groups` gives one row per topic. Every contrast reads **"A minus B", the first group of `groups` minus
the second**: with `groups=["professional", "llm"]`, `share_a` is the professionals' share, `share_b` the
LLM's, and `diff = share_a - share_b` is **positive when a topic is more frequent in the professionals'
sessions**.

What a "share" is, is fixed once for every table of the comparison:

- **the average session's share** of the topic (`estimand="session"`): each session's share of its remarks in
  the topic, averaged over the group's sessions, so a long session weighs no more than a short one
  (`estimand="pooled"` gives the share of all the group's remarks instead);
- **of all modelled remarks** (`denominator="all"`): remarks without a topic (outliers and the buckets the
  curation set aside) are not dropped but compared as a row **"no topic"** of their own, so a group's shares
  add up to 1 (`denominator="topical"` drops them).

Each row has a 95% interval (`diff_low`, `diff_high`), the ratio `share_a / share_b`, a p-value and a
q-value adjusted for the ~30 topics tested (explained below); `too_small` marks topics with too few remarks
(< 20) or sessions (< 5) to test, and `lopsided` topics whose difference is too skewed for the test in a small,
very varied group (see the warning, if any).
`named_contrasts` puts the group names into the column headers, as the CSV export does, so the direction cannot
be misread."""),
    ("code", """\
contrasts = compare_groups(assignments, "counselor_type", groups=GROUPS, n_perm=N_PERM, seed=0)
print(contrasts.attrs["method"])
for warning in contrasts.attrs["warnings"]:
    print("warning:", warning)
cols = ["topic", "label", "share_professional", "share_llm", "professional_minus_llm", "diff_low", "diff_high",
        "p_value", "q_value", "sessions_with_topic"]
(named_contrasts(contrasts).assign(abs_t=contrasts["t"].abs())
 .sort_values(["q_value", "abs_t"], ascending=[True, False])[cols].head(12).round(4))"""),
    ("md", """\
The forest plot shows every topic's difference, professional minus llm, in percentage points with its interval:
red markers lie right of 0 (more frequent in the professionals' sessions), blue ones left of it (more frequent
in the LLM's); filled markers have q < 0.05, grey ones were too small to test. The row "no topic" is part of the
picture: a model fitted on both corpora together leaves more of one corpus' remarks without a topic, and that is
a difference between the groups too."""),
    ("code", "plots.forest_plot(contrasts)"),
    ("md", """\
The dumbbell chart shows the two shares themselves (the legend says which colour is which group), so a large
relative difference of a rare topic is not mistaken for a large absolute one."""),
    ("code", "plots.dumbbell(contrasts)"),
    ("md", """\
### Why the session is the unit, and what the numbers mean

**Remarks are not independent.** The remarks of one session share a client, a presenting problem, a counsellor
and a conversation that builds on itself: if a client wants to talk about their drinking, dozens of remarks of
that session fall in the drinking topic. Treating the 6,500 remarks as 6,500 independent observations would
pretend we had far more information than we have — the real replication is across *sessions* (186 here), so
intervals and p-values computed from remark counts (a chi-square test on the topic-by-group table, say) are much
too narrow and find "significant" differences that a new sample of sessions would not reproduce.

- **Studentized difference.** `diff` is divided by its cluster-robust standard error `se`: the spread of the
  sessions' shares around their group's share, with sessions as the independent units (and never below what
  multinomial sampling of the group's remarks alone would give, so a topic that one group almost never uses
  does not get a standard error of 0). The ratio is `t`.
- **Permutation test and Welch t.** Under the null hypothesis "the group does not matter", the group labels of
  whole sessions are exchangeable. We shuffle them `N_PERM` times and recompute `t` each time; the fraction of
  shuffles with |t| at least as large as observed (plus one, over `N_PERM` + 1) is `p_permutation`. Because the
  statistic is studentized, the test stays valid when the groups differ in size and spread (133 against 53
  sessions here, of very different lengths), which a permutation test of the raw difference does not
  (Chung & Romano 2013). The same `t` is also read against Student's t with Welch degrees of freedom (`p_t`).
- **Cluster bootstrap-t.** When both groups have 20 or more sessions, as here, a third reference joins:
  sessions resampled within each group, `t` recomputed around the observed difference (`p_bootstrap_t`). It is
  equal-tailed, so it follows the skewed sampling distribution of a rare topic in a small, varied group.
- **One answer.** `p_value` is the largest of these p-values (on the light side of a skewed difference,
  where the symmetric ones are too cautious, the larger of the bootstrap-t's and its Edgeworth light tail's),
  and the 95% interval `diff_low`–`diff_high` is
  built from the same references (the widest of them), so **an interval excludes 0 exactly when p < 0.05**:
  the table can never show a "significant" p with an interval across 0, or the reverse. There is no separate
  bootstrap percentile interval any more (`n_boot` of `compare_groups` is ignored).
- **Adjusted q.** With some 30 topics tested at once, some small p-values occur by chance. `q_value` is a
  step-down max-|t| adjusted p-value (Westfall-Young): each topic's |t| is compared with the largest |t| over
  the topics in a cluster bootstrap of the whole profile within each group, so it controls the chance of *any*
  false positive among the topics (and so also the false discovery rate), and it keeps each group's own spread.
  Benjamini-Hochberg q-values are kept as `q_bh` (they control the false discovery rate at 5% in the simulations of
  benchmarks/RESULTS.md since the heavy side of a skewed difference is read against an Edgeworth-corrected t;
  before, with unequal spread, they exceeded it). `compare_groups` warns when the number of permutations leaves no q
  below 0.05.

The next cell makes the point concrete. For the largest topics it sets the half-width of the 95% interval beside
that of the naive remark-level binomial interval, 1.96 √(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b) with n the group's
number of remarks — what treating remarks as independent would give. Their ratio is **the price of clustering**:
how much wider an honest interval is because remarks come in sessions. The first line checks the promise above
on every tested row."""),
    ("code", """\
tested = contrasts[~contrasts["too_small"]]
excludes_zero = (tested["diff_low"] > 0) | (tested["diff_high"] < 0)
print(f"interval excludes 0 exactly when p < 0.05, in all {len(tested)} tested rows:",
      bool((excludes_zero == (tested["p_value"] < 0.05)).all()))

remarks = assignments.groupby("counselor_type").size()          # n_a, n_b: remarks per group
n_a, n_b = remarks["professional"], remarks["llm"]
c = tested.nlargest(8, "remarks").copy()
c["naive_halfwidth"] = 1.96 * np.sqrt(c["share_a"] * (1 - c["share_a"]) / n_a + c["share_b"] * (1 - c["share_b"]) / n_b)
c["halfwidth"] = (c["diff_high"] - c["diff_low"]) / 2
c["price_of_clustering"] = c["halfwidth"] / c["naive_halfwidth"]
c[["topic", "label", "diff", "naive_halfwidth", "halfwidth", "price_of_clustering"]].round(4)"""),
    ("md", """\
### The profile as a whole

Two summaries of the whole topic mix (the same shares as above, "no topic" included as one category).

**Jensen-Shannon divergence** between the two groups' profiles (`jsd`: 0 = identical, 1 = disjoint). A divergence
estimated from samples is biased upward, because two samples of the same population differ too:

- `jsd_null` is its mean when whole sessions' group labels are shuffled — the divergence sampling alone produces
  when the groups do not differ;
- `excess` is the **divergence beyond sampling noise**: `jsd` minus its bias as a bootstrap of sessions *within
  each group* measures it (unlike the shuffles, the bootstrap keeps each group's own spread, so `excess` is not
  simply `jsd - jsd_null`), with a 95% interval `excess_low`–`excess_high` that can reach 0 when the groups do
  not differ;
- `p_value`, the test of "same profile", is the **max-|t| test over the topics**: the largest studentized
  topic difference against the same maximum in a cluster bootstrap of the whole profile within each group
  (`p_family`, the smallest adjusted q of the topic contrasts). It keeps each group's own spread, which the
  Simes combination used before did not (it rejected in 26-46% of null data sets with small, very unequally
  varied groups).
  Permuting the divergence itself is not valid when the groups differ in size and spread; its p is kept as
  `p_jsd_permutation` for comparison only.

**Prediction**: how well a session's topic profile predicts its group — a logistic regression with class
weights (so that, with 133 against 53 sessions, always answering "professional" cannot score), scored by
balanced accuracy in 5-fold cross-validation over sessions and compared with the same model on shuffled labels
(`permutation_mean`, `permutation_p`); `recall` says how many sessions of each group were recognised."""),
    ("code", """\
divergence = profile_divergence(assignments, "counselor_type", groups=GROUPS, n_boot=N_BOOT, n_perm=N_PERM, seed=0)
display(divergence[["group_a", "group_b", "jsd", "jsd_null", "excess", "excess_low", "excess_high", "p_value",
                    "p_jsd_permutation"]].round(4))
predict_group(assignments, "counselor_type", groups=GROUPS, n_perm=100, seed=0)"""),
    ("md", """\
## 3 · Distinctive words

Which words separate the groups? Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi
& Quinn 2008) shrink rare words toward zero, so the list is not dominated by words seen twice in one group.
As everywhere, **positive z = typical of the first group** (professional), negative = typical of the LLM.

z treats every occurrence of a word as independent, so a word that a few sessions repeat often gets a large z.
`p_value` and `q_value` are the inference to report: each word's z against permutations of whole sessions'
labels (`sessions_a`, `sessions_b`: how many sessions of each group use the word). The chart is ordered by z.
Note what the list says about the corpora rather than the counsellors: spoken fillers ("um", "uh", "yeah")
occur in AnnoMI's transcribed speech and never in MIBot's typed text. First over all remarks:"""),
    ("code", """\
words = distinctive_words(assignments, "counselor_type", groups=GROUPS, n_perm=1000, seed=0)
print(words.attrs["method"])
display(words[["word", "group", "z", "count_a", "count_b", "sessions_a", "sessions_b", "p_value", "q_value"]]
        .groupby("group", sort=False).head(6).round(4))
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
words_in_topic = distinctive_words(assignments, "counselor_type", groups=GROUPS, topic=shared_topic, n_perm=1000,
                                   seed=0)
plots.distinctive_words_chart(words_in_topic)"""),
    ("md", """\
## 4 · Where in the session: position and transitions

`position_shares` splits each session's remarks into opening, middle and closing thirds and gives each topic's
share of the remarks in each segment (of the remarks in a topic), per group. Openings and closings usually have
their own topics (greeting, agenda, summarising, planning next steps)."""),
    ("code", """\
positions = position_shares(assignments, by="counselor_type")
plots.position_heatmap(positions, group="professional")"""),
    ("code", "plots.position_heatmap(positions, group=\"llm\")"),
    ("md", """\
`transition_matrix` counts which topic follows which in consecutive counsellor remarks of a session (rows: this
remark's topic, columns: the next one's; each row sums to 1). A remark without a topic breaks the chain. A bright
diagonal means the counsellor stays on a topic for several remarks. (MIBot's transcripts are split into thought
units, so several of its "remarks" can belong to one turn of speech: its diagonal is brighter for that reason
alone.)"""),
    ("code", """\
labels = assignments.drop_duplicates("topic").set_index("topic")["label"]
plots.transition_heatmap(transition_matrix(assignments, group="professional", by="counselor_type"), labels,
                         title="Which topic follows which: professional")"""),
    ("code", """\
plots.transition_heatmap(transition_matrix(assignments, group="llm", by="counselor_type"), labels,
                         title="Which topic follows which: llm")"""),
    ("md", """\
## 5 · Drift: how typical is a session, and how much does it change?

`drift_scores` gives, per session, its **drift** (how far the session's true topic mix lies from its group's
typical mix: high = an unusual session for its group) and its **shift** (how far the mix of its first half lies
from that of its second half). Both are chi-square distances between *true* mixes, estimated without bias from
the counts and put on the Jensen-Shannon scale, so they do not grow for short sessions (the Jensen-Shannon
divergence of observed mixes, kept as `drift_jsd` and `shift_jsd` for description, does). Both use the remarks
in a topic, and sessions with fewer than 6 of them are left out (the count is printed below).

`compare_drift` gives each group's mean with a t interval (jackknife standard error) and tests the difference of the means,
professional minus llm, with a permuted Welch t (`p_value` is that one test, shown on both rows of a measure).
A session's drift is measured against its own group's profile, so shuffling the labels changes the profiles as
well: given `assignments` and `by`, **drift is recomputed from the sessions' topic counts inside every
permutation** (permuting the drift values as they are would overstate a difference between groups of unequal
size). Shift belongs to the session alone, so its values are permuted as they are.

Short sessions make single values noisier (a session's drift can even come out below 0), not larger: groups
with the same way of working have the same expected drift whatever their session lengths (calibrated in
benchmarks/RESULTS.md). A group whose sessions vary more around their typical mix has more drift: that is a
real difference in spread, which is what drift measures."""),
    ("code", """\
drift = drift_scores(assignments, "counselor_type")
left_out = drift.attrs["excluded"]
print(f"left out: {left_out['sessions']} sessions with fewer than {left_out['min_remarks']} remarks in a topic")
display(drift.groupby("group")["remarks"].describe()[["count", "mean", "50%"]])
print("Spearman correlation with the session's number of remarks, within group:",
      {g: round(float(d["drift"].corr(d["remarks"], method="spearman")), 2) for g, d in drift.groupby("group")})
compare_drift(drift, assignments=assignments, by="counselor_type", groups=GROUPS, n_boot=N_BOOT, n_perm=1000,
              seed=0).round(4)"""),
    ("code", """\
px.box(drift.melt(id_vars=["session_id", "group"], value_vars=["drift", "shift"], var_name="measure"),
       x="measure", y="value", color="group", points="all",
       title="Drift and shift per session (Jensen-Shannon divergence, base 2)")"""),
    ("md", """\
## 6 · High- vs low-quality MI, within presenting problem

AnnoMI rates each session as high- or low-quality MI; with `groups=["high", "low"]` the contrast reads **high
minus low**. A naive contrast is **confounded by the presenting problem**: the low-quality demonstrations are not
spread over problems like the high-quality ones (no low-quality session is about drug use, recidivism or weight
loss, for instance), so a topic about a problem can look "typical of low-quality MI" only because low-quality
sessions talk about that problem more often.

With `strata="problem"` the shares are **standardised over the problems that hold two or more sessions of each
group** (weighted by their sessions), and permutations stay within problems, so a different mix of problems
cannot produce a difference. A problem with fewer sessions of either group offers no within-problem contrast
with a spread to measure, so its sessions are left out — and counted (`attrs["left_out"]`). Here that is most of
the corpus: few problems have two low-quality sessions. In the stratified table `share_a` and `share_b` are
these standardised shares over the remaining problems, not the shares of all sessions, so the **unstratified
results are kept beside** the stratified ones (as `run_comparison(..., strata="problem")` does in
`comp.contrasts_unadjusted`). With fewer than 20 low-quality sessions left, the bootstrap-t does not join:
permutations and Welch t decide (the `reference` column)."""),
    ("code", """\
annomi = assignments[assignments["corpus"] == "annomi"]
sessions = annomi.groupby("session_id")[["mi_quality", "problem"]].first()
per_problem = pd.crosstab(sessions["problem"], sessions["mi_quality"])
print("problems with two or more sessions of each quality:",
      per_problem[(per_problem >= 2).all(axis=1)].index.tolist())
display(per_problem.sort_values("high", ascending=False).head(10))

QUALITY = ["high", "low"]    # high minus low
plain = compare_groups(annomi, "quality", groups=QUALITY, n_perm=N_PERM, seed=0)
within = compare_groups(annomi, "quality", groups=QUALITY, strata="problem", n_perm=N_PERM, seed=0)
first = within.iloc[0]
print(f"within problems: {first['sessions_a']} high- and {first['sessions_b']} low-quality sessions "
      f"(all sessions: {plain['sessions_a'].iloc[0]} and {plain['sessions_b'].iloc[0]}); "
      f"reference: {first['reference']}")
for reason, n in within.attrs["left_out"].items():
    print(f"left out: {n} sessions, {reason}")
side = (plain.set_index("topic")[["label"]]
        .join(plain.set_index("topic")[["diff", "q_value"]].add_suffix("_all"))
        .join(within.set_index("topic")[["share_a", "share_b", "diff", "diff_low", "diff_high", "q_value",
                                         "too_small"]].add_suffix("_within")))
side.reindex(side["diff_all"].abs().sort_values(ascending=False).index).head(10).round(4)"""),
    ("code", "plots.forest_plot(within)"),
    ("md", """\
Read `diff_all` and `diff_within` together: a difference that shrinks or changes sign within problems was mostly
the problem mix. With a handful of low-quality sessions in a few problems, few differences survive — which is what
the data can honestly say. The stratified test also counts remarks and sessions over the problems it keeps, so a
topic can be tested overall and `too_small` within problems.

## 7 · Topics and outcomes (MIBot)

MIBot's participants rated their readiness to quit smoking before and after the conversation.
`outcome_association` relates each session's share of remarks in a topic to `readiness_change`: Spearman
correlation, a Fisher-z interval (Bonett-Wright standard error), a permutation p and a BH q.

With `by=` the correlation is **adjusted for group**: ranks are centred within each group and the outcomes
permuted within groups (a partial rank correlation), so a topic that is merely more frequent in the group with
better outcomes does not look associated; `run_comparison` always adjusts for its grouping. In this corpus only
MIBot's sessions have a readiness rating, so the rated sessions form one group and the adjustment changes
nothing (the method line counts the groups); it matters when rated sessions come from several groups.
Correlational only: a topic's share reflects the client as much as the counsellor."""),
    ("code", """\
outcome = outcome_association(assignments, "readiness_change", by="counselor_type", n_perm=N_PERM, seed=0)
print(outcome.attrs["method"])
for warning in outcome.attrs["warnings"]:
    print("warning:", warning)
outcome.sort_values("p_value")[["topic", "label", "rho", "rho_low", "rho_high", "p_value", "q_value",
                                "sessions_with_topic"]].head(8).round(3)"""),
    ("code", """\
mibot = assignments[assignments["corpus"] == "mibot"]
top = int(outcome.dropna(subset=["p_value"]).sort_values("p_value")["topic"].iloc[0])
per_session = (mibot.assign(in_topic=mibot["topic"] == top).groupby("session_id")
               .agg(share=("in_topic", "mean"), readiness_change=("readiness_change", "first")))
px.scatter(per_session, x="share", y="readiness_change", hover_name=per_session.index,
           title=f"Share of remarks in topic {top} and change in readiness (one point per MIBot session)",
           labels={"share": f"share of the session's remarks in topic {top}"})"""),
    ("md", """\
## 8 · All of it in one call

`topics.compare.run_comparison` runs every step above for one grouping with the same settings — the groups in
the same order, the same estimand and denominator, the same unit of resampling and seed — and keeps the results
together. It also says out loud what a reader must know before reading any difference:

- `comp.confounds`: columns the grouping coincides with or is strongly associated with. Here it is the whole
  story: every professional session comes from AnnoMI and every LLM session from MIBot, so each difference in
  this notebook is also a difference between two corpora (how they were recorded, transcribed and segmented,
  and which problems they address: MIBot is only about smoking).
- `comp.method`: estimand, denominator, direction, unit of resampling, tests and seed, in words (written beside
  the CSVs and into the report); `comp.warnings`: sessions left out, topics too small to test, and the like.
- `comp.crosscheck`: per topic, a binomial GEE (every remark in the topic or not, exchangeable correlation within
  sessions, robust standard errors), the model journals know, as an odds ratio professional versus llm. It rests
  on a different model (remark-level odds rather than session shares), so its sizes differ, but a topic that is
  clearly different under one and not at all under the other deserves a closer look. A topic that one group
  (almost) never uses has no finite odds ratio, and no GEE estimate."""),
    ("code", """\
comp = run_comparison(assignments, "counselor_type", groups=GROUPS, outcomes=["readiness_change"], n_boot=N_BOOT,
                      n_perm=N_PERM, seed=0)
for line in comp.confounds:
    print("confound:", line)
print("\\nmethod:", comp.method)
for line in comp.warnings:
    print("warning:", line)
print("\\nsame per-topic numbers as in section 2:",
      np.allclose(comp.contrasts[["diff", "p_value"]], contrasts[["diff", "p_value"]], equal_nan=True))"""),
    ("code", """\
check = comp.contrasts.merge(comp.crosscheck[["topic", "odds_ratio", "or_low", "or_high", "q_value"]], on="topic",
                             suffixes=("", "_gee"))
check = check[check["p_value"].notna()]
permutation = pd.Series(np.where(check["q_value"] < 0.05, "q < 0.05", "q >= 0.05"), name="permutation test")
gee = pd.Series(np.where(check["q_value_gee"].isna(), "no estimate",
                         np.where(check["q_value_gee"] < 0.05, "q < 0.05", "q >= 0.05")), name="GEE")
display(pd.crosstab(permutation, gee))
estimated = check["odds_ratio"].notna().to_numpy()
opposite = estimated & (np.sign(check["diff"]) != np.sign(np.log(check["odds_ratio"]))).to_numpy()
print(f"{int((permutation == gee)[estimated].sum())} of {int(estimated.sum())} topics with a GEE estimate agree "
      f"on q < 0.05, {int(opposite.sum())} point in opposite directions; {int((~estimated).sum())} have no GEE "
      f"estimate ('no topic' is not cross-checked)")
check[(permutation != gee).to_numpy()][["topic", "label", "share_a", "share_b", "diff", "q_value", "odds_ratio",
                                        "or_low", "or_high", "q_value_gee"]].round(4)"""),
    ("md", """\
`plots.comparison_figures(comp)` gives every figure of the comparison by name (`forest`, `dumbbell`,
`position_<group>`, `transitions_<group>`, `words`); `save_csv` writes the tables for a paper's supplement (the
contrast columns named `share_professional`, `share_llm`, `professional_minus_llm`), and `topics report` adds
them to the HTML report:

```python
plots.comparison_figures(comp)["forest"]
comp.save_csv("runs/demo/compare-counselor_type")
run_comparison(annomi, "quality", groups=["high", "low"], strata="problem")   # comp.contrasts_unadjusted beside
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
