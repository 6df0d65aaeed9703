"""Ranking every test user of a fold: each fitted model scores the whole catalogue for a block of
users, and :func:`recommender.evaluation.metrics.top_n` keeps the top-N by the protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from recommender.evaluation import metrics
from recommender.evaluation.folds import DEFAULT_RANKING_USERS, Fold
from recommender.knn import SymmetricKNN, iter_score_blocks

__all__ = ["rank_fold", "rank_many", "user_scores"]

USER_BATCH = 256  # users scored at once when ranking: 256 × ~9.7k items × 8 B ≈ 20 MB per model
TOP_N_ROWS = 128  # rows of a score block ranked at once (metrics.top_n copies its input)


def user_scores(algo: Any, fold: Fold, users: np.ndarray) -> np.ndarray | None:
    """Unclipped estimates of every training item for ``users`` (inner ids; NaN where the model
    gives none), or None if the model has no vectorised way to produce them."""
    import surprise

    if hasattr(algo, "contributions") and fold.matrix is not None:  # a ranker: from histories
        return algo.score(fold.matrix[np.asarray(users, dtype=np.int64)])
    trainset = algo.trainset
    if hasattr(algo, "score_users"):  # the project's KNN engine: compiled, rated items NaN
        return algo.score_users(np.asarray(users, dtype=np.int64), inner=True)
    mu = trainset.global_mean
    if type(algo) is surprise.BaselineOnly:
        return mu + algo.bu[users][:, None] + algo.bi[None, :]
    if type(algo) is surprise.SVD:
        scores = algo.pu[users] @ algo.qi.T
        if algo.biased:
            scores += mu + algo.bu[users][:, None] + algo.bi[None, :]
        return scores
    if type(algo) is surprise.NormalPredictor:
        # Its estimates are independent normal draws: draw them from a seeded generator.
        rng = np.random.default_rng([int(users[0]), trainset.n_items])
        return rng.normal(mu, algo.sigma, size=(len(users), trainset.n_items))
    return None


def rank_fold(
    algo: Any,
    fold: Fold,
    n_users: int | str | None = DEFAULT_RANKING_USERS,
    n: int = metrics.TOP_N,
) -> metrics.RankingMetrics | None:
    """Top-``n`` ranking metrics of a fitted model on ``fold`` for ``n_users`` sampled users
    (None or "all": every user); None if the model cannot score in bulk."""
    return rank_many([algo], fold, n_users, n)[0]


def rank_many(
    algos: Sequence[Any], fold: Fold, n_users: int | str | None, n: int = metrics.TOP_N
) -> list[metrics.RankingMetrics | None]:
    """:func:`rank_fold` for several fitted models; KNN models sharing a similarity share the
    neighbour computation (:func:`recommender.knn.score_users_shared`)."""
    trainset = fold.trainset
    ranked_users = fold.ranking_users(n_users)
    tops: list[list[np.ndarray] | None] = [[] for _ in algos]
    knn = [m for m, a in enumerate(algos) if isinstance(a, SymmetricKNN)]
    for start in range(0, len(ranked_users), USER_BATCH):
        users = ranked_users[start : start + USER_BATCH]
        excluded = np.zeros((len(users), fold.n_items), dtype=bool)
        for row, u in enumerate(users):
            excluded[row, [i for i, _ in trainset.ur[int(u)]]] = True
        # KNN models: compiled, shared neighbours, block by block (rated items are NaN)
        for g, first, scores in iter_score_blocks([algos[m] for m in knn], users):
            for r0 in range(0, scores.shape[0], TOP_N_ROWS):  # bounded top_n temporaries
                part = scores[r0 : r0 + TOP_N_ROWS]
                rows = slice(first + r0, first + r0 + part.shape[0])
                top = metrics.top_n(part, excluded[rows], fold.popularity, fold.item_ids, n)
                tops[knn[g]].append(top)  # type: ignore[union-attr]
            del scores, part
        for m, algo in enumerate(algos):
            if m in knn or tops[m] is None:
                continue
            scores = user_scores(algo, fold, users)
            if scores is None:
                tops[m] = None
                continue
            tops[m].append(metrics.top_n(scores, excluded, fold.popularity, fold.item_ids, n))
            del scores
    relevant = [fold.relevant[int(u)] for u in ranked_users]
    return [
        None
        if top is None
        else metrics.ranking_metrics(
            np.vstack(top),
            relevant,
            fold.popularity,
            fold.n_items,
            n_users=fold.n_users,
            genres=fold.genres,
        )  # fmt: skip
        for top in tops
    ]
