"""The installed distribution: its name, its version and its folder in the user cache.

The import package is ``topics``; the distribution (what ``pip install`` names) is ``therapy-topics``,
because ``topics`` on PyPI is another project.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import platformdirs

DISTRIBUTION = "therapy-topics"
"""The name the package is installed under (``pip install therapy-topics``)."""


def installed_version() -> str:
    """The version of the installed distribution.

    Returns
    -------
    str
        ``importlib.metadata.version("therapy-topics")``, or ``"0"`` when running from a source tree that
        was never installed.
    """
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0"


__version__ = installed_version()

CACHE_DIR_ENV = "TOPICS_CACHE_DIR"
"""Environment variable naming the embedding cache folder (used when a config does not set ``cache_dir``)."""


def default_cache_dir() -> str:
    """The default embedding cache folder: ``$TOPICS_CACHE_DIR``, else the user cache folder.

    The user cache folder is the platform's (``platformdirs.user_cache_dir("therapy-topics")`` +
    ``/embeddings``: ``~/.cache/therapy-topics/embeddings`` on Linux, or under ``$XDG_CACHE_HOME`` when that is
    set; ``~/Library/Caches/therapy-topics/embeddings`` on macOS; ``%LOCALAPPDATA%\\therapy-topics\\Cache\\embeddings``
    on Windows), so every working folder shares one cache. ``[embedding] cache_dir`` in a config file
    overrides both.

    Returns
    -------
    str
        The folder (``~`` expanded); it may not exist yet (the cache creates it on first use).
    """
    env = os.environ.get(CACHE_DIR_ENV, "").strip()
    if env:
        return str(Path(env).expanduser())
    return str(Path(platformdirs.user_cache_dir(DISTRIBUTION, appauthor=False)) / "embeddings")
