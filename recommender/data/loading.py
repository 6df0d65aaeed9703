"""Where the data comes from: an explicit path, ``$MOVIELENS_DIR``, a copy in the data home, or
GroupLens.

:func:`load_movielens` is the one entry point the app, the command line and the benchmarks use:
``source`` (``--data``) > ``$MOVIELENS_DIR`` > :func:`load_dataset` of ``$MOVIELENS_DATASET``
(default ml-latest-small). :func:`load_dataset` finds a named catalogue dataset in the data home
(``$MOVIELENS_DATA_HOME`` or ``data/``) or downloads it, and keeps a Parquet copy beside it so that
every later start skips the CSV parsing (:mod:`~.parquet_cache`). A path you point at is read as it
is: nothing is ever written beside it.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from recommender import settings
from recommender.data.catalog import DatasetInfo, dataset_info, find_dataset
from recommender.data.download import download_dataset, install_zip, provenance_warnings
from recommender.data.files import DatasetFiles
from recommender.data.layouts import read_dataset, read_files
from recommender.data.movielens import DataError, MovieLens
from recommender.data.parquet_cache import read_cached, write_cached
from recommender.data.transfer import ProgressCallback

__all__ = ["dataset_dir", "load_dataset", "load_movielens", "local_copy", "resolve_source"]

_MARKERS = ("ratings.csv", "u.data", "ratings.dat")


def dataset_dir(data_dir: Path | None = None, name: str | None = None) -> Path:
    """Where a downloaded copy of ``name`` (default ``$MOVIELENS_DATASET``) lives: its zip's folder
    (``ml-10M100K`` for ml-10m) under ``data_dir`` or the data home."""
    name = name or settings.dataset_name()
    info = find_dataset(name)
    return (data_dir or settings.data_home()) / (info.folder if info else name)


def local_copy(info: DatasetInfo, data_dir: Path | None = None) -> Path | None:
    """A copy of ``info`` in ``data_dir`` (or the data home): its folder, or its zip; else None."""
    home = data_dir or settings.data_home()
    for folder in dict.fromkeys((home / info.folder, home / info.name)):
        if any((folder / marker).is_file() for marker in _MARKERS):
            return folder
    archive = home / info.zip_name
    return archive if archive.is_file() else None


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
    name = settings.dataset_name()
    info = find_dataset(name)
    if info is not None:
        return local_copy(info, data_dir)
    local = dataset_dir(data_dir, name)
    return local if any((local / m).is_file() for m in _MARKERS) else None


def _read_home_copy(path: Path, cache: bool) -> MovieLens:
    """Read a dataset of the data home: from its Parquet copy when there is one for these files,
    else from its files (then writing the copy)."""
    if not cache:
        ml = read_dataset(path)
    else:
        src = DatasetFiles(path)
        try:
            ml = read_cached(path, src.fingerprint())
            if ml is None:
                ml = read_files(src)
                write_cached(ml, path)
        finally:
            src.close()
    extra = provenance_warnings(path) if path.is_dir() else ()
    return ml if not extra else _with_warnings(ml, extra)


def _with_warnings(ml: MovieLens, extra: tuple[str, ...]) -> MovieLens:
    return dataclasses.replace(ml, warnings=ml.warnings + extra)


def load_dataset(
    name: str,
    *,
    data_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    base_url: str | None = None,
    cache: bool | None = None,
    published_md5: bool = True,
) -> MovieLens:
    """The catalogue dataset ``name`` (``ml-latest-small``, ``ml-100k`` … ``ml-32m``).

    Looks for a copy in ``data_dir`` (default: the data home); otherwise downloads it from
    ``base_url`` (default ``$MOVIELENS_URL`` or GroupLens), reporting ``progress(bytes_done,
    bytes_total)``, and checks it against the ``.md5`` published beside the zip
    (``published_md5=False``: against the catalogue's pins, asking the ``.md5`` only if they
    disagree). ``cache`` (default ``$MOVIELENS_PARQUET_CACHE``, on) keeps a Parquet copy beside it.
    Raises :class:`DataError` for an unknown name and for anything wrong with the data.
    """
    info = dataset_info(name)
    home = Path(data_dir) if data_dir else settings.data_home()
    use_cache = settings.parquet_cache_enabled() if cache is None else cache
    path = local_copy(info, home)
    if path is None:
        if published_md5:
            path, ml = download_dataset(info.name, home, base_url=base_url, progress=progress)
        else:
            url = settings.dataset_url(info.name, base_url)
            path, ml = install_zip(
                url, home, info=info, progress=progress, md5_url=url + ".md5",
                ask_md5_first=False,
            )  # fmt: skip
        if ml is not None:
            if use_cache:
                write_cached(ml, path)
            return ml
    return _read_home_copy(path, use_cache)


def load_movielens(
    source: str | os.PathLike[str] | None = None,
    *,
    data_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    base_url: str | None = None,
) -> MovieLens:
    """Load a MovieLens dataset, downloading it on first use.

    The source resolves in this order: ``source`` (a folder or zip); the folder or zip named by
    ``$MOVIELENS_DIR``; a copy of ``$MOVIELENS_DATASET`` (default ml-latest-small) downloaded
    earlier under ``data_dir`` (default: the data home, ``$MOVIELENS_DATA_HOME`` or ``data/``);
    otherwise its zip downloaded from ``base_url`` (default ``$MOVIELENS_URL`` or GroupLens) into
    that same folder, reporting ``progress(bytes_done, bytes_total)``. The first start makes one
    request (the zip; see ``published_md5`` of :func:`load_dataset`).
    """
    if source is not None or settings.movielens_dir() is not None:
        path = resolve_source(source, data_dir)
        assert path is not None
        return read_dataset(path)
    name = settings.dataset_name()
    if find_dataset(name) is None:
        path = resolve_source(None, data_dir)
        if path is None:
            dataset_info(name)  # raises: an unknown name, and nothing on disk
        return _read_home_copy(path, settings.parquet_cache_enabled())
    return load_dataset(
        name, data_dir=data_dir, progress=progress, base_url=base_url, published_md5=False
    )
