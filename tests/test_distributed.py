"""The Dask engine: lazy reading, the session sample, and a partitioned run that equals ``TopicModel.transform``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from topics.cli import main
from topics.config import TopicConfig
from topics.distributed import draw_sessions, fit_distributed, load_distributed, read_lazy
from topics.errors import ConfigError, InputError


def sessions_table(n_a: int, n_b: int) -> pd.DataFrame:
    ids = [f"a{i}" for i in range(n_a)] + [f"b{i}" for i in range(n_b)]
    return pd.DataFrame({"session_id": ids, "school": ["A"] * n_a + ["B"] * n_b})


def test_draw_sessions_is_seeded_and_whole():
    table = sessions_table(30, 10)
    first = draw_sessions(table, 8, seed=1)
    assert first == draw_sessions(table, 8, seed=1) and len(set(first)) == 8
    assert first != draw_sessions(table, 8, seed=2)
    assert set(first) <= set(table["session_id"])
    assert draw_sessions(table, 100, seed=1) == sorted(table["session_id"])


def test_draw_sessions_stratified_keeps_the_shares_and_every_stratum():
    chosen = draw_sessions(sessions_table(30, 10), 8, seed=3, stratify="school")
    assert sum(s.startswith("a") for s in chosen) == 6 and sum(s.startswith("b") for s in chosen) == 2
    rare = draw_sessions(sessions_table(97, 3), 5, seed=3, stratify="school")
    assert len(rare) == 5 and any(s.startswith("b") for s in rare)  # 5 * 3% rounds to 0: still one


def write_parts(corpus: pd.DataFrame, folder, n_parts: int = 3) -> list:
    folder.mkdir()
    sessions = sorted(corpus["session_id"].unique())
    paths = []
    for i, chunk in enumerate(np.array_split(np.asarray(sessions, dtype=object), n_parts)):
        path = folder / f"part-{i}.parquet"
        corpus[corpus["session_id"].isin(list(chunk))].to_parquet(path, index=False)
        paths.append(path)
    return paths


def test_read_lazy_checks_files_and_columns(tmp_path, small_corpus):
    with pytest.raises(InputError, match="no such file"):
        read_lazy(tmp_path / "missing.parquet")
    (tmp_path / "x.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="CSV, TSV and parquet"):
        read_lazy(tmp_path / "x.jsonl")
    no_turn = tmp_path / "no_turn.csv"
    small_corpus.drop(columns=["turn"]).head(20).to_csv(no_turn, index=False)
    with pytest.raises(InputError, match="no column for 'turn'"):
        read_lazy(no_turn)
    renamed = tmp_path / "renamed.csv"
    head = small_corpus.head(20).rename(columns={"text": "utterance_text"})
    head.loc[0, "utterance_text"] = "NA"
    head.to_csv(renamed, index=False)
    with pytest.raises(InputError, match="mapping names column"):
        read_lazy(renamed, mapping={"text": "nope"})
    lazy = read_lazy(renamed, mapping={"text": "utterance_text"})
    got = lazy.compute()
    assert "text" in got.columns and got["text"].iloc[0] == "NA"  # a remark "NA" stays text


def test_load_distributed_refuses_what_fit_distributed_does_not_write(tmp_path):
    with pytest.raises(InputError, match="not a run folder of the Dask engine"):
        load_distributed(tmp_path)
    (tmp_path / "distributed").mkdir()
    (tmp_path / "distributed" / "summary.json").write_text("{}", encoding="utf-8")
    (tmp_path / "distributed" / "assignments").symlink_to(tmp_path.parent)
    with pytest.raises(InputError, match="symbolic links"):
        load_distributed(tmp_path)
    (tmp_path / "distributed" / "assignments").unlink()
    (tmp_path / "distributed" / "summary.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="does not hold an object"):
        load_distributed(tmp_path)


def test_dask_engine_refuses_corpus_wide_duplicate_dropping(tmp_path, small_corpus):
    write_parts(small_corpus, tmp_path / "in")
    cfg = TopicConfig()
    cfg.cleaning.duplicates = "drop"
    with pytest.raises(ConfigError, match="not available with the Dask engine"):
        fit_distributed(tmp_path / "in", cfg, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_cli_engine_options_need_the_dask_engine(tmp_path, small_corpus):
    path = tmp_path / "c.parquet"
    small_corpus.to_parquet(path, index=False)
    result = CliRunner().invoke(main, ["fit", str(path), "--out", str(tmp_path / "r"), "--stratify", "mi_quality"])
    assert result.exit_code == 2 and "--engine dask" in result.output
    result = CliRunner().invoke(
        main, ["fit", str(path), "--out", str(tmp_path / "r"), "--engine", "dask", "--prefix", "T=therapist"]
    )
    assert result.exit_code == 2 and "CSV/TSV/parquet" in result.output
    assert not (tmp_path / "r").exists()


def test_csv_blocks_cleaned_partition_by_partition_keep_every_remark_and_drop(tmp_path, small_corpus):
    """A CSV split into blocks (sessions cut across them): the partitions' remarks and drops are the whole's."""
    from topics.clean import drop_counts, select_remarks
    from topics.distributed.workers import clean_partition, drop_partition

    corpus = small_corpus.assign(text=small_corpus["text"].str.replace("\n", " "))  # see Large corpora: CSV blocks
    path = tmp_path / "c.csv"
    corpus.to_csv(path, index=False)
    lazy = read_lazy(path, blocksize=60_000)
    assert lazy.npartitions >= 3
    cfg = TopicConfig()
    parts = [lazy.get_partition(i).compute() for i in range(lazy.npartitions)]
    remarks = pd.concat([clean_partition(p, cfg, None, str(path))[1] for p in parts], ignore_index=True)
    whole, dropped = select_remarks(corpus, cfg.cleaning)
    assert sorted(remarks["utterance_id"]) == sorted(whole["utterance_id"])
    assert remarks.set_index("utterance_id").loc[whole["utterance_id"], "text"].tolist() == whole["text"].tolist()
    account = (
        pd.concat([drop_partition(p, cfg.to_dict(), None, str(path)) for p in parts]).groupby("step")["count"].sum()
    )
    expected = drop_counts(corpus, whole, dropped).set_index("step")["count"]
    assert account.loc[expected.index].tolist() == expected.tolist()


@pytest.mark.slow
def test_partitioned_run_equals_transform_on_the_same_remarks(tmp_path, small_corpus, config):
    """2 workers on a LocalCluster, 3 files in 4 partitions: every remark assigned as ``TopicModel.transform`` assigns it."""
    from topics.clean import select_remarks
    from topics.model import TopicModel

    write_parts(small_corpus, tmp_path / "in")
    (tmp_path / "run" / "model").mkdir(parents=True)  # an earlier run folder (a refit: anything else is refused)
    (tmp_path / "run" / "corpus_summary.json").write_text("{}", encoding="utf-8")
    (tmp_path / "run" / "notes.md").write_text("my notes", encoding="utf-8")  # a user's file: carried over
    run = fit_distributed(
        tmp_path / "in", config, out=tmp_path / "run", n_workers=2, sample_sessions=25, stratify="mi_quality"
    )
    assert run.summary["workers"] == 2 and run.summary["partitions"] == 4  # 3 files, split for 2 x 2 workers
    assert run.summary["sample_sessions"] == 25 and run.summary["sessions"] == small_corpus["session_id"].nunique()
    assert (tmp_path / "run" / "notes.md").read_text(encoding="utf-8") == "my notes"

    assigned = run.assignments().compute().sort_values("utterance_id", ignore_index=True)
    remarks, _ = select_remarks(small_corpus, config.cleaning)
    assert sorted(assigned["utterance_id"]) == sorted(remarks["utterance_id"])  # the same remarks, each once
    model = TopicModel.load(tmp_path / "run" / "model")
    expected = model.transform(assigned["text"])
    assert (assigned["topic"].to_numpy() == expected["topic"].to_numpy()).all()
    np.testing.assert_allclose(assigned["similarity"].to_numpy(), expected["similarity"].to_numpy(), rtol=1e-6)
    assert (assigned["label"].to_numpy() == expected["label"].to_numpy()).all()
    assert assigned["topic"].nunique() > 2  # a real model, not one topic for everything

    # the aggregates agree with the assignments, and the drop account covers every utterance
    again = load_distributed(tmp_path / "run")
    counts = again.session_topic_counts()
    direct = assigned.groupby(["session_id", "topic"]).size()
    assert counts.set_index(["session_id", "topic"])["n"].sort_index().equals(direct.sort_index().rename("n"))
    assert "counselor_type" in counts.columns  # the [compare] by column travels with the counts
    drops = again.drop_counts()
    assert drops["count"].sum() == len(small_corpus)
    assert drops.loc[drops["step"] == "therapist remarks modelled", "count"].item() == len(remarks)
    words = again.topic_word_counts()
    vectorizer = model.make_vectorizer(len(model.assignments_)).fit(model.assignments_["text"].astype(str))
    topic = int(assigned["topic"].value_counts().index[0])
    matrix = vectorizer.transform(assigned.loc[assigned["topic"] == topic, "text"])
    vocab = vectorizer.get_feature_names_out()
    direct_words = dict(zip(vocab, np.asarray(matrix.sum(axis=0)).ravel(), strict=True))
    mine = words[words["topic"] == topic].set_index("word")["n"]
    assert all(direct_words[w] == n for w, n in mine.items()) and mine.sum() == sum(direct_words.values())
    sizes = again.topic_sizes()
    assert sizes["remarks"].sum() == len(assigned) and abs(sizes["share"].sum() - 1) < 1e-9

    # the curated view of the whole corpus: a merge adds up the raw topics' counts, a rename relabels
    from topics.curate import Curator

    with pytest.raises(InputError, match="no curation ledger"):
        again.curated_counts()
    first, second, third = (int(t) for t in sizes.loc[sizes["topic"] != -1, "topic"].iloc[:3])
    curator = Curator(again.analysis.model, tmp_path / "run" / "ledger.yaml", author="test")
    curator.merge([first, second], "merged pair", rationale="test")
    curator.rename(third, "renamed one")
    curated, curated_words = again.curated_counts()
    assert curated["n"].sum() == len(assigned)
    raw = sizes.set_index("topic")["remarks"]
    by_label = curated.groupby("label")["n"].sum()
    assert by_label["merged pair"] == raw[first] + raw[second] and by_label["renamed one"] == raw[third]
    merged = int(curated.loc[curated["label"] == "merged pair", "topic"].iloc[0])
    merged_words = curated_words[curated_words["topic"] == merged].set_index("word")["n"]
    raw_words = words[words["topic"].isin([first, second])].groupby("word")["n"].sum()
    assert merged_words.sort_index().to_dict() == raw_words.sort_index().to_dict()

    # one row per session with the session-level metadata; an utterance-level column is recognised as such
    sessions = again.sessions()
    assert sessions["session_id"].is_unique and len(sessions) == assigned["session_id"].nunique()
    assert sessions["remarks"].sum() == len(assigned)
    assert {"mi_quality", "counselor_type", "problem"} <= set(again.summary["session_columns"])
    assert "code" in again.summary["varying_columns"] and "code" not in sessions.columns
    per_session = assigned.groupby("session_id")["mi_quality"].first()
    assert sessions.set_index("session_id")["mi_quality"].astype(str).equals(per_session.astype(str))

    # whole-corpus comparison from the counts = the comparison of every assigned remark (raw topics)
    from topics.compare import compare_distributed, run_configured

    settings = {"by": "mi_quality", "strata": "problem", "n_perm": 200, "n_boot": 100}
    whole = compare_distributed(again, raw=True, **settings)
    direct_comp = run_configured(assigned, again.analysis.config, **settings)
    columns = [c for c in direct_comp.contrasts.columns if c != "label"]
    pd.testing.assert_frame_equal(whole.contrasts[columns], direct_comp.contrasts[columns])
    pd.testing.assert_frame_equal(whole.divergence, direct_comp.divergence)
    assert "Whole corpus: 40 sessions" in whole.warnings[0]
    # curated: the merged pair is one topic of the comparison, with the two raw topics' remarks
    curated_comp = compare_distributed(again, by="mi_quality", n_perm=200, n_boot=100)
    row = curated_comp.contrasts[curated_comp.contrasts["label"] == "merged pair"]
    assert len(row) == 1 and row["remarks"].item() == raw[first] + raw[second]

    # `topics compare` and the report of a Dask-engine run use every session; --sample the sample's remarks
    result = CliRunner().invoke(
        main, ["compare", str(tmp_path / "run"), "--by", "mi_quality", "--perm", "200", "--boot", "100"]
    )
    assert result.exit_code == 0, result.output
    assert "Whole corpus: 40 sessions" in result.output
    saved = pd.read_csv(tmp_path / "run" / "compare-mi_quality" / "contrasts.csv")
    np.testing.assert_allclose(saved["p_value"], curated_comp.contrasts["p_value"])
    assert (saved["sessions_high"] + saved["sessions_low"]).max() == 40
    result = CliRunner().invoke(
        main,
        [
            "compare",
            str(tmp_path / "run"),
            "--by",
            "mi_quality",
            "--perm",
            "200",
            "--boot",
            "100",
            "--sample",
            "--out",
            str(tmp_path / "sample-compare"),
        ],
    )
    # the 25 sampled sessions hold only 4 low-quality ones: too few to compare, which the whole corpus is not
    assert result.exit_code == 2 and "'low' (4 sessions) of 'mi_quality' has fewer than the 5" in result.output
    assert "(sessions per group: high 21, low 4)" in result.output

    from topics.reporting import report

    html = report(
        tmp_path / "run", out=tmp_path / "report.html", formats=[], progress=False, compare_by="mi_quality"
    ).read_text("utf-8")
    assert "The whole corpus (Dask engine)" in html and f"{len(assigned):,}</b>remarks assigned" in html
    assert f"{len(assigned):,} therapist remarks from 40 sessions were assigned to" in html
    assert "Whole corpus: 40 sessions" in html and 'id="fig-compare_forest"' in html  # the comparison, drawn
    merged_row = html[html.index("merged pair</td>") :][:400]
    assert f">{raw[first] + raw[second]:,}</td>" in merged_row  # the whole corpus' remarks of the merged topic
