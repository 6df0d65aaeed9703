"""Compile (or load from numba's on-disk cache) the KNN kernels, in a process of their own.

The app starts ``python -m recommender.knn.warm`` once, at low CPU priority, when it first loads a
dataset. Compiling holds the interpreter lock for seconds at a time, so compiling inside the server
would stall every visitor's page; done here, the kernels land in numba's cache (``cache=True``) and
the server and the Compare models workers load them in milliseconds when they first need them.
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np

from recommender.knn.algorithms import ALGORITHMS
from recommender.knn.similarities import MEASURES

__all__ = ["compile_kernels", "main"]

NICENESS = 19


def compile_kernels(seed: int = 0) -> None:
    """A tiny fit and bulk scoring of every similarity, user- and item-based, and a fold-in:
    every kernel is compiled (or loaded) once."""
    rng = np.random.default_rng(seed)
    pairs = np.unique(rng.integers(0, 60 * 80, size=1500))  # distinct (user, item) pairs
    users, items = pairs // 80, pairs % 80
    ratings = rng.integers(1, 11, size=pairs.size) / 2
    for name in MEASURES:
        for user_based in (False, True):
            model = ALGORITHMS["KNNBaseline"](
                k=20, min_k=1, sim_options={"name": name, "user_based": user_based}, verbose=False
            )
            model.fit_ratings(users, items, ratings)
            model.score_users(np.unique(users)[:3])
            model.fold_in({int(items[0]): 5.0, int(items[1]): 2.0})


def main() -> int:
    with contextlib.suppress(OSError):  # a platform without nice: normal priority
        os.nice(NICENESS)
    compile_kernels()
    return 0


if __name__ == "__main__":
    sys.exit(main())
