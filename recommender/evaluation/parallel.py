"""Grid steps in a pool of spawned worker processes, each building the same seeded folds once."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from recommender.evaluation.fold_step import error_text, run_step, share_groups
from recommender.evaluation.folds import Fold, make_folds
from recommender.evaluation.results import FoldResult
from recommender.models import ModelConfig

__all__ = ["run_parallel"]

_worker_folds: list[Fold] = []  # a worker process's own copy of the folds


def share_cores(workers: int) -> None:
    """Give this worker process its share of the cores: numba kernels and BLAS (EASE's solve,
    ALS) each default to every core, so two workers on two cores would run four busy threads
    fighting for them."""
    import numba
    from threadpoolctl import threadpool_limits

    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    threadpool_limits(limits=threads)


def _init_worker(ratings: pd.DataFrame, movies: pd.DataFrame | None, n_folds: int, seed: int,
                 workers: int, rating_scale: tuple[float, float]) -> None:  # fmt: skip
    share_cores(workers)
    _worker_folds[:] = make_folds(ratings, n_folds, seed, movies, rating_scale)


def _worker_step(
    configs: Sequence[ModelConfig], fold_index: int, step: tuple
) -> list[FoldResult | str]:
    return run_step(configs, _worker_folds[fold_index], *step)


def run_parallel(run: Any, data: tuple, seed: int, step: tuple, workers: int) -> None:
    """Run every configuration × fold step still to do in ``run`` (a
    :class:`~recommender.evaluation.runner.GridRun`) in a pool of ``workers`` spawned processes;
    ``data`` = (ratings, movies or None)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    n_folds = run.settings.n_folds
    ratings, movies = data
    frame = ratings[["userId", "movieId", "rating"]].copy()
    genres = None if movies is None else movies[["movieId", "genres"]].copy()
    context = multiprocessing.get_context("spawn")  # no fork of a threaded (Streamlit) process
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(frame, genres, n_folds, seed, workers, run.settings.rating_scale),
    ) as pool:
        pending = {
            pool.submit(_worker_step, group, index, step): (group, index)
            for group in share_groups(run.todo)
            for index in range(n_folds)
        }
        collected: dict[ModelConfig, list[FoldResult]] = {c: [] for c in run.todo}
        failed: dict[ModelConfig, str] = {}
        run.since = time.perf_counter()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                group, index = pending.pop(future)
                if future.cancelled():
                    continue
                try:
                    outcomes = future.result()
                except Exception as exc:  # a crashed worker fails its step, not the grid
                    outcomes = [error_text(exc)] * len(group)
                for config, outcome in zip(group, outcomes, strict=True):
                    run.step_done()
                    if isinstance(outcome, str):
                        failed.setdefault(config, outcome)
                    else:
                        collected[config].append(outcome)
                still = any(g is group for g, _ in pending.values())
                for config in group:
                    if config in failed and not still:
                        run.finish(config, collected[config], failed[config])
                    elif config not in failed and len(collected[config]) == n_folds:
                        run.finish(config, collected[config], None)
                run.report(f"{group[0].label} · fold {index + 1} of {n_folds}")
