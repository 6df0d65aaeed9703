"""The seeded K folds every configuration is evaluated on, built once and shared.

Surprise's ``KFold(n_splits=K, random_state=seed, shuffle=True)`` over the ratings, so the figures
reproduce Surprise's own cross-validation (e.g. KNNBaseline, item-based, pearson_baseline: RMSE
0.8525 on ``KFold(n_splits=5, random_state=0)`` of ml-latest-small). Each fold also carries what
the top-N protocol of :mod:`recommender.evaluation.metrics` needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.data import RATING_MAX, RATING_MIN
from recommender.evaluation import metrics

__all__ = [
    "DEFAULT_FOLDS",
    "DEFAULT_RANKING_USERS",
    "DEFAULT_SEED",
    "RANKING_ALL",
    "Fold",
    "iter_folds",
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
    matrix: sp.csr_matrix | None = None  # training ratings, users × items (inner ids)
    genres: sp.csr_matrix | None = None  # items × genres (0/1), when the movies were given

    @property
    def n_items(self) -> int:
        return self.trainset.n_items

    @property
    def n_users(self) -> int:
        return self.trainset.n_users

    @property
    def user_ids(self) -> np.ndarray:
        """Raw userId of every inner user."""
        return np.array(
            [self.trainset.to_raw_uid(u) for u in range(self.trainset.n_users)], dtype=np.int64
        )

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
    ratings: pd.DataFrame,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    movies: pd.DataFrame | None = None,
    rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX),
) -> list[Fold]:
    """Surprise's ``KFold(n_splits, random_state=seed, shuffle=True)`` over ``ratings``; with
    ``movies`` (movieId, genres) the folds also carry the genres (for list diversity).
    ``rating_scale``: the dataset's (``MovieLens.rating_scale``; predictions are clipped to it)."""
    return list(iter_folds(ratings, n_folds, seed, movies, rating_scale))


def iter_folds(
    ratings: pd.DataFrame,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    movies: pd.DataFrame | None = None,
    rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX),
) -> Iterator[Fold]:
    """The folds of :func:`make_folds`, built one at a time (a caller that keeps one fold holds a
    fifth of the memory)."""
    from surprise import Dataset, Reader
    from surprise.model_selection import KFold

    if not 2 <= n_folds <= len(ratings):
        raise ValueError(f"Need between 2 and {len(ratings)} folds, got {n_folds}.")
    frame = ratings[["userId", "movieId", "rating"]]
    data = Dataset.load_from_df(frame, Reader(rating_scale=tuple(rating_scale)))
    splitter = KFold(n_splits=n_folds, random_state=seed, shuffle=True)
    for index, (trainset, testset) in enumerate(splitter.split(data)):
        fold = _fold(index, trainset, testset, seed)
        yield fold if movies is None else replace(fold, genres=_genre_matrix(fold.item_ids, movies))


def _training_matrix(trainset: Any) -> sp.csr_matrix:
    """The fold's training ratings as a users × items CSR matrix (inner ids, float32 stars)."""
    users, items, values = [], [], []
    for u in range(trainset.n_users):
        for i, r in trainset.ur[u]:
            users.append(u)
            items.append(i)
            values.append(r)
    pairs = pd.DataFrame({"u": users, "i": items, "r": values}).drop_duplicates(
        ["u", "i"], keep="last"
    )  # a repeated (user, movie) counts once, with its last rating
    shape = (trainset.n_users, trainset.n_items)
    data = (pairs["r"].to_numpy(np.float32), (pairs["u"].to_numpy(), pairs["i"].to_numpy()))
    return sp.csr_matrix(data, shape=shape)


def _genre_matrix(item_ids: np.ndarray, movies: pd.DataFrame) -> sp.csr_matrix:
    """Items × genres 0/1 matrix for the fold's items, in inner order."""
    genres_of = dict(zip(movies["movieId"].to_numpy(), movies["genres"], strict=True))
    names = sorted({g for gs in movies["genres"] for g in gs})
    column = {g: n for n, g in enumerate(names)}
    rows, cols = [], []
    for inner, raw in enumerate(item_ids):
        for g in genres_of.get(int(raw), ()):
            rows.append(inner)
            cols.append(column[g])
    data = np.ones(len(rows), dtype=np.int8)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(item_ids), max(1, len(names))))


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
        matrix=_training_matrix(trainset),
    )


def _inner(convert: Callable[[Any], int], raw: Any) -> int:
    try:
        return convert(raw)
    except ValueError:
        return -1  # unknown: knows_user / knows_item say False
