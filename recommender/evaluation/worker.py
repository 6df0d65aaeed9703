"""A grid worker process: ``python -m recommender.evaluation.worker DATA N_FOLDS SEED``.

Started by :mod:`~.jobs` with a plain ``subprocess`` (never ``multiprocessing``: a spawned child
would re-import the parent's main module, i.e. Streamlit, in every worker), at low CPU priority so
visitors of the app come first. It reads the ratings (and movie genres) from the Parquet file
``DATA`` and builds the seeded folds one at a time as tasks ask for them (the runner sends tasks
fold by fold; a worker keeps only the fold in hand), answering tasks, one JSON object per line on stdin:
``{"configs": [keys], "fold": i, "engine": ..., "ranking": bool, "ranking_users": n | null}``,
with one line on stdout: ``{"fold": i, "outcomes": [FoldResult JSON or an error text]}``.
Nothing else is written to stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

import pandas as pd

from recommender.evaluation.fold_step import error_text, run_step
from recommender.evaluation.folds import Fold, iter_folds
from recommender.evaluation.results import FoldResult
from recommender.models import ModelConfig

__all__ = ["main", "read_data", "write_data"]

NICENESS = 15


def write_data(path: str, ratings: pd.DataFrame, movies: pd.DataFrame | None) -> None:
    """The worker's input: ratings, and each movie's genres joined by "|" in the same file."""
    frame = ratings[["userId", "movieId", "rating"]].copy()
    frame["genres"] = ""
    if movies is not None:
        genres = movies.set_index("movieId")["genres"].map("|".join)
        extra = pd.DataFrame({"userId": -1, "movieId": genres.index, "rating": float("nan"),
                              "genres": genres.to_numpy()})  # fmt: skip
        frame = pd.concat([frame, extra], ignore_index=True)
    frame.to_parquet(path, index=False)


def read_data(path: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    frame = pd.read_parquet(path)
    movie_rows = frame["userId"] == -1
    ratings = frame.loc[~movie_rows, ["userId", "movieId", "rating"]].reset_index(drop=True)
    if not movie_rows.any():
        return ratings, None
    movies = frame.loc[movie_rows, ["movieId", "genres"]].reset_index(drop=True)
    movies["genres"] = movies["genres"].map(lambda g: g.split("|") if g else [])
    return ratings, movies


class FoldSource:
    """The folds of the worker's data, built in order and kept one at a time: a task for the next
    fold drops the previous one (memory: one fold instead of all); a task for an earlier fold
    starts the seeded split again."""

    def __init__(self, ratings: pd.DataFrame, n_folds: int, seed: int,
                 movies: pd.DataFrame | None, rating_scale: tuple[float, float]):  # fmt: skip
        self._args = (ratings, n_folds, seed, movies, rating_scale)
        self._iterator = iter_folds(*self._args)
        self._current: Fold | None = None

    def __getitem__(self, index: int) -> Fold:
        if self._current is not None and self._current.index == index:
            return self._current
        if self._current is not None and self._current.index > index:
            self._iterator = iter_folds(*self._args)
        self._current = None  # freed before the next one is built
        for fold in self._iterator:
            if fold.index == index:
                self._current = fold
                return fold
        raise IndexError(f"no fold {index} among {self._args[1]}")


def _answer(task: dict, folds: FoldSource) -> dict:
    """One task's outcomes; anything that goes wrong becomes the error text of every
    configuration of the task (the worker itself never stops on a bad task)."""
    try:
        configs = [ModelConfig.from_key(k) for k in task["configs"]]
        outcomes = run_step(configs, folds[task["fold"]], task["engine"], task["ranking"],
                            task["ranking_users"])  # fmt: skip
    except Exception as exc:
        return {"fold": task.get("fold", -1),
                "outcomes": [error_text(exc)] * len(task.get("configs", ()))}  # fmt: skip
    encoded = [o if isinstance(o, str) else o.to_json() for o in outcomes]
    return {"fold": task["fold"], "outcomes": encoded}


def main(argv: list[str] | None = None) -> int:
    path, n_folds, seed, low, high = (argv or sys.argv[1:])[:5]
    with contextlib.suppress(OSError):  # a platform without nice: normal priority
        os.nice(NICENESS)
    ratings, movies = read_data(path)
    folds = FoldSource(ratings, int(n_folds), int(seed), movies, (float(low), float(high)))
    out = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the protocol
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(_answer(json.loads(line), folds)) + "\n")
            out.flush()
    return 0


def decode(outcome: str | dict) -> FoldResult | str:
    """A worker's outcome back into a FoldResult (or the error text)."""
    return outcome if isinstance(outcome, str) else FoldResult.from_json(outcome)


if __name__ == "__main__":
    sys.exit(main())
