"""The seeded K folds every configuration is evaluated on, built once and shared.

Surprise's ``KFold(n_splits=K, random_state=seed, shuffle=True)`` over the ratings, so the figures
reproduce Surprise's own cross-validation (e.g. KNNBaseline, item-based, pearson_baseline: RMSE
0.8525 on ``KFold(n_splits=5, random_state=0)`` of ml-latest-small). Each fold also carries what
the top-N protocol of :mod:`recommender.evaluation.metrics` needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recommender.data import RATING_MAX, RATING_MIN
from recommender.evaluation import metrics

__all__ = [
    "DEFAULT_FOLDS",
    "DEFAULT_RANKING_USERS",
    "DEFAULT_SEED",
    "RANKING_ALL",
    "Fold",
    "make_folds",
    "ranking_users_value",
]

DEFAULT_FOLDS = 5
DEFAULT_SEED = 0
# ``None`` (or "all") ranks every user, N a seeded sample of N users per fold, 0 nobody. The
# page-facing default is the string "all" (a value of the Compare models page's slider).
RANKING_ALL = "all"
DEFAULT_RANKING_USERS: int | str | None = RANKING_ALL


def ranking_users_value(n: int | str | None) -> int | None:
    """``"all"`` -> None (every user), otherwise the number (None: every user, 0: no ranking)."""
    if n is None or (isinstance(n, str) and n.lower() == RANKING_ALL):
        return None
    return int(n)


@dataclass(frozen=True)
class Fold:
    """One train/test split with what ranking needs, built once and shared by every model.

    Item indices are Surprise inner ids of the trainset. Treat as read-only.
    """

    index: int
    trainset: Any
    testset: list[tuple]
    popularity: np.ndarray  # training ratings per item
    item_ids: np.ndarray  # raw movieId per item (tie-break)
    relevant: list[np.ndarray]  # per training user: relevant item indices (test rating ≥ 4.0)
    seed: int = DEFAULT_SEED

    @property
    def n_items(self) -> int:
        return self.trainset.n_items

    def ranking_users(self, n: int | str | None) -> np.ndarray:
        """Inner ids of the users to rank: all (None / "all"), or a seeded sample of ``n`` (same
        for every model)."""
        n = ranking_users_value(n)
        everyone = np.arange(self.trainset.n_users)
        if n is None or n >= everyone.size:
            return everyone
        rng = np.random.default_rng([self.seed, self.index])
        return np.sort(rng.choice(everyone, size=n, replace=False))

    def inner_items(self, raw_ids: np.ndarray) -> np.ndarray:
        """Inner ids of raw movie ids that are in the training fold."""
        order = np.argsort(self.item_ids, kind="stable")
        return order[np.searchsorted(self.item_ids, raw_ids, sorter=order)]


def make_folds(
    ratings: pd.DataFrame, n_folds: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED
) -> list[Fold]:
    """Surprise's ``KFold(n_splits, random_state=seed, shuffle=True)`` over ``ratings``."""
    from surprise import Dataset, Reader
    from surprise.model_selection import KFold

    if not 2 <= n_folds <= len(ratings):
        raise ValueError(f"Need between 2 and {len(ratings)} folds, got {n_folds}.")
    frame = ratings[["userId", "movieId", "rating"]]
    data = Dataset.load_from_df(frame, Reader(rating_scale=(RATING_MIN, RATING_MAX)))
    splitter = KFold(n_splits=n_folds, random_state=seed, shuffle=True)
    return [
        _fold(index, trainset, testset, seed)
        for index, (trainset, testset) in enumerate(splitter.split(data))
    ]


def _fold(index: int, trainset: Any, testset: list[tuple], seed: int) -> Fold:
    popularity = np.array([len(trainset.ir[i]) for i in range(trainset.n_items)], dtype=np.int64)
    item_ids = np.array([trainset.to_raw_iid(i) for i in range(trainset.n_items)], dtype=np.int64)
    relevant: list[list[int]] = [[] for _ in range(trainset.n_users)]
    rated = [{i for i, _ in trainset.ur[u]} for u in range(trainset.n_users)]
    for raw_user, raw_item, rating in testset:
        if rating < metrics.RELEVANCE_THRESHOLD:
            continue
        if not (trainset.knows_user(u := _inner(trainset.to_inner_uid, raw_user))):
            continue
        i = _inner(trainset.to_inner_iid, raw_item)
        if trainset.knows_item(i) and i not in rated[u]:
            relevant[u].append(i)
    return Fold(
        index=index,
        trainset=trainset,
        testset=testset,
        popularity=popularity,
        item_ids=item_ids,
        relevant=[np.array(sorted(r), dtype=np.int64) for r in relevant],
        seed=seed,
    )


def _inner(convert: Callable[[Any], int], raw: Any) -> int:
    try:
        return convert(raw)
    except ValueError:
        return -1  # unknown: knows_user / knows_item say False
