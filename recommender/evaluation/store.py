"""The on-disk cache of grid results: one JSON file per dataset × settings × configuration.

Files live under :func:`recommender.settings.results_dir` (``$RECOMMENDER_RESULTS_DIR`` or the data
home's ``results/``), are written atomically (temp file + rename) and never pickled; a corrupt file
is ignored with a warning and recomputed. Failed configurations are never cached.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from recommender import settings as app_settings
from recommender.evaluation.reference import reference_results
from recommender.evaluation.results import ConfigResult, FoldResult, GridSettings
from recommender.models import ModelConfig

__all__ = [
    "PROTOCOL",
    "SCHEMA_VERSION",
    "all_cached_results",
    "best_cached_config",
    "cache_path",
    "cached_results",
    "fold_path",
    "load_folds",
    "load_result",
    "results_dir",
    "save_fold",
    "save_result",
]

SCHEMA_VERSION = 2
# Bump when the meaning of a stored number changes (metric definitions, fold construction).
PROTOCOL = "kfold-surprise/top5-train-unrated/relevant>=4.0/v1"


def results_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """``directory`` > ``$RECOMMENDER_RESULTS_DIR`` > the data home's ``results/``."""
    return app_settings.results_dir(directory)


def cache_path(settings: GridSettings, config: ModelConfig, directory: Path) -> Path:
    return directory / settings.dataset_id / settings.folder / f"{config.key}.json"


def fold_path(settings: GridSettings, config: ModelConfig, fold: int, directory: Path) -> Path:
    """Where one finished fold of a configuration waits for the others."""
    return cache_path(settings, config, directory).with_suffix(f".fold{fold}.json")


def save_fold(settings: GridSettings, config: ModelConfig, result: FoldResult,
              directory: Path) -> Path:  # fmt: skip
    """Keep one finished (configuration × fold) at once (atomically), so an interrupted grid
    loses at most the step in flight."""
    path = fold_path(settings, config, result.fold, directory)
    payload = {"schema": SCHEMA_VERSION, "protocol": PROTOCOL, "key": config.key,
               "settings": settings.to_json(), "fold": result.to_json()}  # fmt: skip
    _write_json(path, payload)
    return path


def load_folds(
    settings: GridSettings, config: ModelConfig, directory: Path
) -> dict[int, FoldResult]:
    """The folds of a configuration finished so far (a corrupt or stale file is skipped)."""
    found = {}
    for fold in range(settings.n_folds):
        path = fold_path(settings, config, fold, directory)
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            same = data.get("schema") == SCHEMA_VERSION and data.get("protocol") == PROTOCOL
            if same and data["key"] == config.key and data["settings"] == settings.to_json():
                found[fold] = FoldResult.from_json(data["fold"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # recomputed
    return found


def load_result(
    settings: GridSettings,
    config: ModelConfig,
    directory: Path,
    reference: dict[str, ConfigResult] | None = None,
) -> ConfigResult | None:
    """The cached result, or None if absent, stale or corrupt (warned, then ignored); without
    one, the shipped reference result (``reference``: :func:`~.reference.reference_results`)."""
    path = cache_path(settings, config, directory)
    if path.is_file():
        found = _read_result(path, settings, config)
        if found is not None:
            return found
    return (reference or {}).get(config.key)


def _read_result(path: Path, settings: GridSettings, config: ModelConfig) -> ConfigResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("folds"), list):
            raise ValueError("it is not a results object")
        if data.get("schema") != SCHEMA_VERSION or data.get("protocol") != PROTOCOL:
            return None  # written by another version: recompute
        if data["key"] != config.key or data["settings"] != settings.to_json():
            raise ValueError("it belongs to another configuration or settings")
        folds = tuple(FoldResult.from_json(f) for f in data["folds"])
        if len(folds) != settings.n_folds:
            raise ValueError(f"it holds {len(folds)} folds, expected {settings.n_folds}")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        warnings.warn(f"Ignoring corrupt result cache file {path}: {error}", stacklevel=2)
        return None
    return ConfigResult(config=config, engine=settings.engine, folds=folds, cached=True)


def _write_json(path: Path, payload: dict) -> None:
    """Atomic write (temp file + ``os.replace``); a failure (disk full) leaves nothing behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_in_git(path.parent.parent.parent)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, separators=(",", ":"), allow_nan=False)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def save_result(settings: GridSettings, result: ConfigResult, directory: Path) -> Path:
    """Write one successful result atomically; its per-fold files are then removed."""
    if not result.ok:
        raise ValueError("Only successful results are cached.")
    path = cache_path(settings, result.config, directory)
    payload = {
        "schema": SCHEMA_VERSION,
        "protocol": PROTOCOL,
        "key": result.config.key,
        "config": result.config.to_dict(),
        "settings": settings.to_json(),
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "folds": [f.to_json() for f in result.folds],
    }
    _write_json(path, payload)
    for fold in range(settings.n_folds):
        fold_path(settings, result.config, fold, directory).unlink(missing_ok=True)
    return path


def _ignore_in_git(directory: Path) -> None:
    """Results are recomputable: keep them out of git wherever the directory is."""
    marker = directory / ".gitignore"
    if not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_text("*\n", encoding="utf-8")


def cached_results(
    settings: GridSettings,
    configs: Sequence[ModelConfig],
    directory: str | os.PathLike[str] | None = None,
) -> list[ConfigResult]:
    """The cached results among ``configs`` (in their order), without computing anything."""
    folder = results_dir(directory)
    reference = reference_results(settings)
    found = (load_result(settings, c, folder, reference) for c in configs)
    return [r for r in found if r is not None]


def all_cached_results(
    settings: GridSettings, directory: str | os.PathLike[str] | None = None
) -> list[ConfigResult]:
    """Every cached result of these settings, whatever the configuration (sorted by key)."""
    folder = results_dir(directory) / settings.dataset_id / settings.folder
    configs = []
    for path in sorted(folder.glob("*.json")):
        try:
            configs.append(ModelConfig.from_key(path.stem))
        except ValueError:
            continue
    return cached_results(settings, configs, directory)


def best_cached_config(
    dataset_name: str,
    n_ratings: int | None = None,
    directory: str | os.PathLike[str] | None = None,
) -> ModelConfig | None:
    """The KNN configuration with the lowest mean RMSE in the cache for this dataset, or None.

    Looks at every cached engine / folds / seed of ``dataset_name`` (of size ``n_ratings`` if
    given); when several settings were run, the one with the most KNN configurations is used, so
    the winner was compared against the widest field on the same folds.
    """
    root = results_dir(directory)
    if not root.is_dir():
        return None
    best_field: tuple[int, float, str] | None = None
    winner: ModelConfig | None = None
    for dataset_dir in root.iterdir():
        name, _, size = dataset_dir.name.rpartition("-")
        if name != dataset_name or not size.isdigit():
            continue
        if n_ratings is not None and int(size) != n_ratings:
            continue
        for settings_dir in (d for d in dataset_dir.iterdir() if d.is_dir()):
            settings = GridSettings.from_folder(name, int(size), settings_dir.name)
            if settings is None:
                continue
            knn = [r for r in all_cached_results(settings, root) if r.config.is_knn and r.ok]
            scored = [
                (r.mean("rmse"), r.config.key, r) for r in knn if not math.isnan(r.mean("rmse"))
            ]
            if not scored:
                continue
            rmse, key, result = min(scored)
            rank = (-len(scored), rmse, key)
            if best_field is None or rank < best_field:
                best_field, winner = rank, result.config
    return winner
