"""Every environment variable, path and default of the project, in one place.

Nothing else in the package reads ``os.environ``: modules ask this one. Functions (not constants)
read the environment, so a test or a long-running server sees a changed variable.

| variable | meaning | default |
|---|---|---|
| ``MOVIELENS_DATASET`` | which GroupLens dataset to use (``ml-latest-small``, ``ml-100k`` … ``ml-32m``) | ``ml-latest-small`` |
| ``MOVIELENS_DIR`` | a MovieLens folder or zip to read instead of downloading (wins over the dataset) | unset |
| ``MOVIELENS_URL`` | base URL of the GroupLens downloads | ``https://files.grouplens.org/datasets/movielens/`` |
| ``MOVIELENS_DATA_HOME`` | where downloaded datasets go | the project's ``data/`` |
| ``MOVIELENS_PARQUET_CACHE`` | ``0`` turns off the Parquet copy written beside a dataset in the data home | on |
| ``MOVIELENS_UPLOAD_MB`` | largest dataset a visitor may upload, in MB (invalid values: the default) | ``50`` |
| ``RECOMMENDER_RESULTS_DIR`` | where Compare models keeps its cross-validation results | ``<data home>/results`` |
| ``RECOMMENDER_WORKERS`` | worker processes of a Compare models grid | ``1`` |
| ``RECOMMENDER_SAMPLE_ABOVE`` | above this many ratings, Compare models proposes a seeded sample of users | ``1000000`` |
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DATASET",
    "DEFAULT_SAMPLE_ABOVE",
    "DEFAULT_UPLOAD_MB",
    "DEFAULT_WORKERS",
    "ENV_DATASET",
    "ENV_DATA_HOME",
    "ENV_DIR",
    "ENV_PARQUET_CACHE",
    "ENV_RESULTS_DIR",
    "ENV_SAMPLE_ABOVE",
    "ENV_UPLOAD_MB",
    "ENV_URL",
    "ENV_WORKERS",
    "PROJECT_DATA_DIR",
    "PROJECT_ROOT",
    "TOP_N",
    "base_url",
    "checksum_url",
    "data_home",
    "dataset_name",
    "dataset_url",
    "grid_workers",
    "movielens_dir",
    "parquet_cache_enabled",
    "results_dir",
    "sample_threshold",
    "upload_limit_bytes",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DATA_DIR = PROJECT_ROOT / "data"

ENV_DIR = "MOVIELENS_DIR"
ENV_URL = "MOVIELENS_URL"
ENV_DATA_HOME = "MOVIELENS_DATA_HOME"
ENV_RESULTS_DIR = "RECOMMENDER_RESULTS_DIR"
ENV_DATASET = "MOVIELENS_DATASET"
ENV_PARQUET_CACHE = "MOVIELENS_PARQUET_CACHE"
ENV_UPLOAD_MB = "MOVIELENS_UPLOAD_MB"
ENV_SAMPLE_ABOVE = "RECOMMENDER_SAMPLE_ABOVE"

DEFAULT_DATASET = "ml-latest-small"
DEFAULT_BASE_URL = "https://files.grouplens.org/datasets/movielens/"
DEFAULT_UPLOAD_MB = 50

TOP_N = 5
"""Length of every recommendation list the product shows and evaluates."""


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def movielens_dir() -> Path | None:
    """The folder or zip named by ``$MOVIELENS_DIR``, or None when unset."""
    value = _env(ENV_DIR)
    return Path(value).expanduser() if value else None


def dataset_name() -> str:
    """The GroupLens dataset chosen by ``$MOVIELENS_DATASET`` (default ``ml-latest-small``).

    Only the name: whether it is known is :mod:`recommender.data.catalog`'s business."""
    return _env(ENV_DATASET) or DEFAULT_DATASET


def data_home() -> Path:
    """Folder for downloaded datasets: ``$MOVIELENS_DATA_HOME`` or the project's ``data/``."""
    value = _env(ENV_DATA_HOME)
    return Path(value).expanduser() if value else PROJECT_DATA_DIR


def base_url() -> str:
    """Base URL of the GroupLens downloads: ``$MOVIELENS_URL`` or GroupLens itself."""
    return (_env(ENV_URL) or DEFAULT_BASE_URL).rstrip("/") + "/"


def dataset_url(name: str | None = None, base: str | None = None) -> str:
    """URL of a dataset's zip: ``base`` (or :func:`base_url`) + ``name.zip`` (``name`` defaults to
    :func:`dataset_name`)."""
    return (base or base_url()).rstrip("/") + f"/{name or dataset_name()}.zip"


def checksum_url(name: str | None = None, base: str | None = None) -> str:
    """URL of the MD5 GroupLens publishes beside a dataset's zip: ``name.zip.md5``."""
    return dataset_url(name, base) + ".md5"


def parquet_cache_enabled() -> bool:
    """False when ``$MOVIELENS_PARQUET_CACHE`` is ``0``, ``false``, ``no`` or ``off``."""
    return _env(ENV_PARQUET_CACHE).lower() not in ("0", "false", "no", "off")


def upload_limit_bytes() -> int:
    """Largest upload a visitor may send: ``$MOVIELENS_UPLOAD_MB`` megabytes (10^6 bytes), default
    50. A value that is not a positive number falls back to the default."""
    try:
        megabytes = float(_env(ENV_UPLOAD_MB) or DEFAULT_UPLOAD_MB)
    except ValueError:
        megabytes = DEFAULT_UPLOAD_MB
    if not megabytes > 0 or megabytes == float("inf"):
        megabytes = DEFAULT_UPLOAD_MB
    return int(megabytes * 1_000_000)


def results_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """Folder of cached evaluation results: ``directory`` > ``$RECOMMENDER_RESULTS_DIR`` >
    ``<data home>/results``."""
    if directory is not None:
        return Path(directory)
    value = _env(ENV_RESULTS_DIR)
    return Path(value).expanduser() if value else data_home() / "results"


ENV_WORKERS = "RECOMMENDER_WORKERS"
DEFAULT_WORKERS = 1


def grid_workers() -> int:
    """Worker processes a Compare models grid uses: ``$RECOMMENDER_WORKERS`` (default 1). One
    worker keeps the whole app within 1.2 GB during the default grid (benchmarks/grid_jobs.py: PSS
    1,134 MB with 1 worker, 1,556 MB with 2) at about the same wall time on 2 cores (297 s vs 279 s:
    the server and the visitors need the other core), and suits a fraction of a CPU (Streamlit
    Community Cloud)."""
    try:
        return max(1, int(_env(ENV_WORKERS) or DEFAULT_WORKERS))
    except ValueError:
        return DEFAULT_WORKERS


DEFAULT_SAMPLE_ABOVE = 1_000_000


def sample_threshold() -> int:
    """Above this many ratings Compare models proposes a seeded sample of users
    (``$RECOMMENDER_SAMPLE_ABOVE``, default 1,000,000; invalid values: the default)."""
    try:
        return max(0, int(_env(ENV_SAMPLE_ABOVE) or DEFAULT_SAMPLE_ABOVE))
    except ValueError:
        return DEFAULT_SAMPLE_ABOVE
