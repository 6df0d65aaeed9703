"""Running a grid: every configuration on the same folds, cached results returned without
recomputing, progress reported step by step."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence

import pandas as pd

from recommender.data import RATING_MAX, RATING_MIN
from recommender.evaluation.fold_step import run_step, share_groups
from recommender.evaluation.folds import (
    DEFAULT_FOLDS,
    DEFAULT_RANKING_USERS,
    DEFAULT_SEED,
    Fold,
    make_folds,
    ranking_users_value,
)
from recommender.evaluation.parallel import run_parallel
from recommender.evaluation.results import (
    ConfigResult,
    FoldResult,
    GridResult,
    GridSettings,
    Progress,
    ProgressCallback,
)
from recommender.evaluation.store import load_result, results_dir, save_result
from recommender.models import Engine, ModelConfig

__all__ = ["run_grid"]


class GridRun:
    """The state of one running grid: results so far, progress counts, where to save."""

    def __init__(self, settings: GridSettings, configs: list[ModelConfig], options: dict):
        self.settings = settings
        self.configs = configs
        self.folder = results_dir(options["directory"])
        self.write_cache = options["write_cache"]
        self.progress: ProgressCallback | None = options["progress"]
        self.started = self.since = time.perf_counter()
        self.results: dict[ModelConfig, ConfigResult] = {}
        self.todo: list[ModelConfig] = []
        for config in configs:
            hit = load_result(settings, config, self.folder) if options["use_cache"] else None
            if hit is not None:
                self.results[config] = hit
            else:
                self.todo.append(config)
        self.total = len(configs) * settings.n_folds
        self.done = (len(configs) - len(self.todo)) * settings.n_folds
        self.computed = 0

    def step_done(self, skipped: int = 0) -> None:
        """One configuration × fold computed (and ``skipped`` more that will not be)."""
        self.computed += 1
        self.done += 1 + skipped

    def report(self, current: str) -> None:
        if self.progress is None:
            return
        remaining = None
        if self.computed:
            per_step = (time.perf_counter() - self.since) / self.computed
            remaining = per_step * (self.total - self.done)
        elapsed = time.perf_counter() - self.started
        self.progress(Progress(self.done, self.total, elapsed, remaining, current))

    def finish(self, config: ModelConfig, folds: list[FoldResult], error: str | None) -> None:
        """A configuration is over: keep its result and cache it if it succeeded."""
        ordered = tuple(sorted(folds, key=lambda f: f.fold))
        result = ConfigResult(config, self.settings.engine, ordered, error=error)
        if result.ok and self.write_cache:
            try:
                save_result(self.settings, result, self.folder)
            except OSError as exc:
                warnings.warn(f"Could not cache {config.key} in {self.folder}: {exc}", stacklevel=3)
        self.results[config] = result

    def run_serial(self, folds: Sequence[Fold], step: tuple) -> None:
        """Every configuration still to do, in this process; a share group fold by fold."""
        self.since = time.perf_counter()
        n_folds = self.settings.n_folds
        for group in share_groups(self.todo):
            collected: dict[ModelConfig, list[FoldResult]] = {c: [] for c in group}
            errors: dict[ModelConfig, str] = {}
            for fold in folds:
                active = [c for c in group if c not in errors]
                if not active:
                    break
                self.report(f"{', '.join(c.label for c in active)} · fold {fold.index + 1} of "
                            f"{n_folds}")  # fmt: skip
                for config, outcome in zip(active, run_step(active, fold, *step), strict=True):
                    if isinstance(outcome, str):
                        errors[config] = outcome
                        self.step_done(skipped=n_folds - fold.index - 1)  # not its other folds
                    else:
                        collected[config].append(outcome)
                        self.step_done()
            for config in group:
                self.finish(config, collected[config], errors.get(config))


def run_grid(
    configs: Sequence[ModelConfig],
    ratings: pd.DataFrame,
    dataset_name: str,
    *,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    engine: Engine = "fast",
    ranking: bool = True,
    ranking_users: int | str | None = DEFAULT_RANKING_USERS,
    directory: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    write_cache: bool = True,
    progress: ProgressCallback | None = None,
    folds: Sequence[Fold] | None = None,
    workers: int = 1,
    movies: pd.DataFrame | None = None,
    rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX),
) -> GridResult:
    """Evaluate ``configs`` on the same folds; cached results are returned without recomputing.

    ``use_cache=False`` recomputes everything; ``write_cache=False`` leaves the disk untouched.
    ``workers > 1`` runs configuration × fold steps in that many worker processes, each building
    the same seeded folds once (``folds`` is then unused). ``movies`` (movieId, genres) adds the
    genre diversity of the lists. ``rating_scale`` is the dataset's (``MovieLens.rating_scale``):
    predictions are clipped to it, and it is part of the cached results' settings.

    A configuration that raises is reported with its error (``ConfigResult.error``) and the rest
    go on. Successful results are written to the cache as soon as each configuration finishes.
    """
    configs = list(dict.fromkeys(configs))  # drop duplicates, keep order
    ranking_users = ranking_users_value(ranking_users)
    if not ranking or ranking_users == 0:  # 0 users ranked means no ranking at all
        ranking, ranking_users = False, 0
    settings = GridSettings(dataset_name, len(ratings), n_folds, seed, engine, ranking_users,
                            tuple(rating_scale))  # fmt: skip
    options = {"directory": directory, "use_cache": use_cache, "write_cache": write_cache,
               "progress": progress}  # fmt: skip
    run = GridRun(settings, configs, options)
    if run.todo:
        run.report(f"Preparing {n_folds} folds…")
        step = (engine, ranking, ranking_users)
        if workers > 1:
            run_parallel(run, (ratings, movies), seed, step, workers)
        else:
            if folds is None:
                folds = make_folds(ratings, n_folds, seed, movies, settings.rating_scale)
            elif len(folds) != n_folds:
                raise ValueError(f"Got {len(folds)} folds, expected {n_folds}.")
            run.run_serial(folds, step)
    run.report("Done")
    elapsed = time.perf_counter() - run.started
    return GridResult(settings, [run.results[c] for c in configs], elapsed)
