"""The Dask engine: fit on a sample of whole sessions, then assign every remark of a large corpus on a cluster.

>>> from topics.distributed import fit_distributed
>>> run = fit_distributed("big_corpus.parquet", out="runs/big", sample_sessions=2000)     # doctest: +SKIP

* :mod:`topics.distributed.lazy`: the corpus read lazily (CSV / TSV / parquet) and the session sample;
* :mod:`topics.distributed.workers`: what runs on the workers (cleaning, assignment, counts per partition);
* :mod:`topics.distributed.aggregate`: the whole-corpus tables (session x topic counts, sessions, words, drops);
* :mod:`topics.distributed.engine`: :func:`fit_distributed`, the run folder, :func:`load_distributed`;
* :mod:`topics.distributed.coding`: :func:`code_distributed`, a saved coder applied to every remark.

This stage sits beside :mod:`topics.pipeline` (it calls :func:`topics.fit` on the sample). Dask is imported
only when the engine runs, so ``import topics`` does not pay for it.
"""

from topics.distributed.coding import DistributedCodes, code_distributed, load_distributed_codes
from topics.distributed.engine import DISTRIBUTED_DIR, DistributedRun, fit_distributed, load_distributed
from topics.distributed.lazy import LAZY_FORMATS, draw_sessions, read_lazy

__all__ = [
    "DISTRIBUTED_DIR",
    "DistributedCodes",
    "LAZY_FORMATS",
    "DistributedRun",
    "code_distributed",
    "draw_sessions",
    "fit_distributed",
    "load_distributed",
    "load_distributed_codes",
    "read_lazy",
]
