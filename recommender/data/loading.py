"""Where the data comes from: an explicit path, ``$MOVIELENS_DIR``, an earlier download, or GroupLens.

:func:`load_movielens` is the one entry point the app, the command line and the benchmarks use; the
locations and URLs come from :mod:`recommender.settings`.
"""

from __future__ import annotations

import os
from pathlib import Path

from recommender import settings
from recommender.data.download import ProgressCallback, download_movielens
from recommender.data.layouts import read_dataset
from recommender.data.movielens import DataError, MovieLens

__all__ = ["dataset_dir", "load_movielens", "resolve_source"]


def dataset_dir(data_dir: Path | None = None, name: str = settings.DEFAULT_DATASET) -> Path:
    """Where a downloaded copy of ``name`` lives (under ``data_dir`` or the data home)."""
    return (data_dir or settings.data_home()) / name


def resolve_source(
    source: str | os.PathLike[str] | None = None, data_dir: Path | None = None
) -> Path | None:
    """The folder or zip to read, or None when the dataset must be downloaded first."""
    if source is not None:
        return Path(source).expanduser()
    env = settings.movielens_dir()
    if env is not None:
        if not env.exists():
            raise DataError(f"{settings.ENV_DIR}={env}: no such folder or zip file.")
        return env
    local = dataset_dir(data_dir)
    if (local / "ratings.csv").is_file():
        return local
    return None


def load_movielens(
    source: str | os.PathLike[str] | None = None,
    *,
    data_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    base_url: str | None = None,
) -> MovieLens:
    """Load a MovieLens dataset, downloading ml-latest-small on first use.

    The source resolves in this order: ``source`` (a folder or zip); the folder or zip named by
    ``$MOVIELENS_DIR``; a copy downloaded earlier under ``data_dir`` (default: the data home,
    ``$MOVIELENS_DATA_HOME`` or ``data/``); otherwise ``ml-latest-small.zip`` downloaded from
    ``base_url`` (default ``$MOVIELENS_URL`` or GroupLens) into that same folder, reporting
    ``progress(bytes_done, bytes_total)``.
    """
    path = resolve_source(source, data_dir)
    if path is None:
        url = settings.dataset_url(settings.DEFAULT_DATASET, base_url)
        path = download_movielens(url, data_dir or settings.data_home(), progress=progress)
    return read_dataset(path)
