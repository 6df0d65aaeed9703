"""Every environment variable, path and default of the project, in one place.

Nothing else in the package reads ``os.environ``: modules ask this one. Functions (not constants)
read the environment, so a test or a long-running server sees a changed variable.

| variable | meaning | default |
|---|---|---|
| ``MOVIELENS_DIR`` | a MovieLens folder or zip to read instead of downloading | unset |
| ``MOVIELENS_URL`` | base URL of the GroupLens downloads | ``https://files.grouplens.org/datasets/movielens/`` |
| ``MOVIELENS_DATA_HOME`` | where downloaded datasets go | the project's ``data/`` |
| ``RECOMMENDER_RESULTS_DIR`` | where Compare models keeps its cross-validation results | ``<data home>/results`` |
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_DATASET",
    "ENV_DATA_HOME",
    "ENV_DIR",
    "ENV_RESULTS_DIR",
    "ENV_URL",
    "PROJECT_DATA_DIR",
    "PROJECT_ROOT",
    "TOP_N",
    "base_url",
    "data_home",
    "dataset_url",
    "movielens_dir",
    "results_dir",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DATA_DIR = PROJECT_ROOT / "data"

ENV_DIR = "MOVIELENS_DIR"
ENV_URL = "MOVIELENS_URL"
ENV_DATA_HOME = "MOVIELENS_DATA_HOME"
ENV_RESULTS_DIR = "RECOMMENDER_RESULTS_DIR"

DEFAULT_DATASET = "ml-latest-small"
DEFAULT_BASE_URL = "https://files.grouplens.org/datasets/movielens/"

TOP_N = 5
"""Length of every recommendation list the product shows and evaluates."""


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def movielens_dir() -> Path | None:
    """The folder or zip named by ``$MOVIELENS_DIR``, or None when unset."""
    value = _env(ENV_DIR)
    return Path(value).expanduser() if value else None


def data_home() -> Path:
    """Folder for downloaded datasets: ``$MOVIELENS_DATA_HOME`` or the project's ``data/``."""
    value = _env(ENV_DATA_HOME)
    return Path(value).expanduser() if value else PROJECT_DATA_DIR


def base_url() -> str:
    """Base URL of the GroupLens downloads: ``$MOVIELENS_URL`` or GroupLens itself."""
    return (_env(ENV_URL) or DEFAULT_BASE_URL).rstrip("/") + "/"


def dataset_url(name: str = DEFAULT_DATASET, base: str | None = None) -> str:
    """URL of a dataset's zip: ``base`` (or :func:`base_url`) + ``name.zip``."""
    return (base or base_url()).rstrip("/") + f"/{name}.zip"


def results_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """Folder of cached evaluation results: ``directory`` > ``$RECOMMENDER_RESULTS_DIR`` >
    ``<data home>/results``."""
    if directory is not None:
        return Path(directory)
    value = _env(ENV_RESULTS_DIR)
    return Path(value).expanduser() if value else data_home() / "results"
