"""A saved coder applied by the Dask engine, partition by partition, codes as the coder does in this process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.coding import Coder, example_codebook
from topics.config import EmbeddingConfig, TopicConfig
from topics.distributed import code_distributed, load_distributed_codes
from topics.errors import InputError


def dask_run(corpus: pd.DataFrame, folder, n_parts: int = 3) -> pd.DataFrame:
    """A Dask-engine run folder's partitioned assignments (the remarks cleaned as the engine cleans them)."""
    from topics.clean import select_remarks

    remarks, _ = select_remarks(corpus, TopicConfig().cleaning)
    target = folder / "distributed" / "assignments"
    target.mkdir(parents=True)
    sessions = sorted(remarks["session_id"].unique())
    for i, chunk in enumerate(np.array_split(np.asarray(sessions, dtype=object), n_parts)):
        part = remarks[remarks["session_id"].isin(list(chunk))]
        part[["utterance_id", "session_id", "turn", "text"]].to_parquet(target / f"part.{i}.parquet", index=False)
    return remarks.reset_index(drop=True)


@pytest.mark.slow
def test_saved_coder_on_a_local_cluster_codes_as_in_process(tmp_path, small_corpus, embedder):
    """2 workers, 3 partitions: every remark gets the code and probabilities the in-process coder gives."""
    sessions = sorted(small_corpus["session_id"].unique(), key=lambda s: int(s.split("-")[1]))[:12]
    remarks = dask_run(small_corpus[small_corpus["session_id"].isin(sessions)], tmp_path / "run")
    book = example_codebook()
    human = remarks[["utterance_id", "code"]].dropna().replace({"therapist_input": "input"})
    labels = human[human["code"].isin(book.names)].groupby("code").head(6)  # six human codes per code
    coder = Coder(book, embedder).fit(remarks, labels)
    assert coder.mode_ == "few-shot"
    path = coder.save(tmp_path / "coder.npz")
    expected = coder.predict(remarks).sort_values("utterance_id", ignore_index=True)

    result = code_distributed(
        tmp_path / "run", path, book, n_workers=2, embedding=EmbeddingConfig(cache_dir=str(embedder.config.cache_dir))
    )
    assert result.summary["workers"] == 2 and result.summary["partitions"] == 3
    got = result.coded().compute().sort_values("utterance_id", ignore_index=True)
    assert got["utterance_id"].tolist() == expected["utterance_id"].tolist()  # every remark, once
    assert (got["code"].to_numpy() == expected["code"].to_numpy()).all()
    columns = [c for c in expected.columns if c.startswith("p_")] + ["probability", "margin"]
    np.testing.assert_allclose(got[columns].to_numpy(), expected[columns].to_numpy(), rtol=1e-9, atol=1e-12)
    assert expected["code"].nunique() > 2  # a real coder, not one code for everything

    again = load_distributed_codes(tmp_path / "run")
    counts = again.session_code_counts().set_index(["session_id", "code"])["n"].sort_index()
    session_of = remarks.set_index("utterance_id")["session_id"].astype(str)
    direct = expected.assign(session_id=expected["utterance_id"].map(session_of)).groupby(["session_id", "code"])
    assert counts.to_dict() == direct.size().to_dict()
    assert again.code_sizes()["remarks"].sum() == len(remarks) == again.summary["remarks"]


def test_a_coder_of_another_codebook_is_refused_before_the_cluster_starts(
    tmp_path, small_corpus, fake_coder_file, embedder
):
    path, book = fake_coder_file
    dask_run(small_corpus.head(200), tmp_path / "run", n_parts=1)
    other = example_codebook()
    with pytest.raises(InputError, match="another codebook") as err:
        code_distributed(tmp_path / "run", path, other, embedding=embedder.config)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "run" / "distributed" / "codes").exists()
    with pytest.raises(InputError, match="not a run folder of the Dask engine"):
        code_distributed(tmp_path, path, book)


@pytest.fixture
def fake_coder_file(tmp_path):
    """A zero-shot coder of a two-code codebook, saved, with the codebook."""
    from tests.coding.conftest import BOOK_TOML, WordEmbedder
    from topics.coding import Codebook

    (tmp_path / "toy.toml").write_text(BOOK_TOML, encoding="utf-8")
    book = Codebook.load(tmp_path / "toy.toml")
    return Coder(book, WordEmbedder()).fit().save(tmp_path / "toy.npz"), book
