"""UMAP and HDBSCAN on the GPU with RAPIDS cuML, when it is installed and a CUDA device is present.

``[umap] backend`` chooses: ``"cpu"`` (umap-learn and hdbscan, as always), ``"cuml"`` (cuML, an error when it
cannot run) or ``"auto"`` (cuML when both cuML and a CUDA device are there, the CPU otherwise). cuML is the
optional extra ``gpu`` (``pip install 'topics[gpu]'``, CUDA 12 wheels from PyPI); BERTopic accepts its
estimators in place of umap-learn's and hdbscan's. The estimators return numpy arrays (``output_type``), so
nothing downstream sees a GPU array.

What differs on the GPU: cuML's UMAP builds an approximate neighbour graph on the GPU (not the exact graph of
:mod:`topics.model.reduction`) and is not bit-for-bit reproducible run to run even with a seed; the reduction
cache is not used. The CPU path stays the reference: same seed + same data = same topics there only.
"""

from __future__ import annotations

from typing import Any

from topics.config import HDBSCANConfig, UMAPConfig
from topics.embed.device import cuda_available, cuml_available
from topics.errors import ConfigError


def use_cuml(backend: str, *, cuml: bool | None = None, cuda: bool | None = None) -> bool:
    """Whether UMAP and HDBSCAN run on cuML for a ``[umap] backend`` value.

    Parameters
    ----------
    backend : {"auto", "cpu", "cuml"}
    cuml, cuda : bool, optional
        Whether cuML is installed and a CUDA device is present; asked when omitted (tests pass them).

    Returns
    -------
    bool

    Raises
    ------
    ConfigError
        ``"cuml"`` where cuML or a CUDA device is missing (never a silent fall-back to the CPU).
    """
    if backend == "cpu":
        return False
    has_cuml = cuml_available() if cuml is None else cuml
    has_cuda = (cuda_available() if cuda is None else cuda) if has_cuml else False
    if backend == "cuml" and not (has_cuml and has_cuda):
        missing = "cuML is not installed (pip install 'topics[gpu]')" if not has_cuml else "no CUDA device is visible"
        raise ConfigError(f"[umap] backend = 'cuml', but {missing}; use 'auto' or 'cpu'", column="umap.backend")
    return has_cuml and has_cuda


def cuml_umap(config: UMAPConfig, seed: int) -> Any:
    """cuML's UMAP with the settings of ``[umap]`` (numpy output)."""
    from cuml.manifold import UMAP

    return UMAP(
        n_neighbors=config.n_neighbors,
        n_components=config.n_components,
        min_dist=config.min_dist,
        metric=config.metric,
        random_state=seed,
        output_type="numpy",
    )


def cuml_hdbscan(config: HDBSCANConfig, min_cluster_size: int, max_cluster_size: int = 0) -> Any:
    """cuML's HDBSCAN with the settings of ``[hdbscan]`` (numpy output, prediction data kept for BERTopic;
    ``max_cluster_size`` as :func:`topics.model.topic_model.max_topic_size`, 0 for no cap)."""
    from cuml.cluster import HDBSCAN

    return HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=None if config.min_samples is None else min(config.min_samples, min_cluster_size),
        metric="euclidean",
        cluster_selection_method=config.cluster_selection_method,
        max_cluster_size=max_cluster_size,
        prediction_data=True,
        output_type="numpy",
    )
