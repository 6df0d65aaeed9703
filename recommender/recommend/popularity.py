"""Popularity for the cold start: Bayesian-average ratings and genre-varied picks.

The Bayesian average (:func:`recommender.data.bayesian_average`) shrinks each movie's mean rating
toward the global mean by ``prior_count`` pseudo-ratings, so a movie with two 5★ ratings does not
beat one with three hundred 4.3★ ratings: ``(C·m + Σr) / (C + n)`` with n the movie's number of
ratings, m the global mean rating and C the prior weight (by default the median number of ratings
per movie among movies with at least one rating, at least 1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from recommender.data import bayesian_average as shrunk_mean
from recommender.data import movie_rating_stats
from recommender.recommend.blend import standardise

__all__ = ["PopularityModel", "bayesian_average", "varied_top"]


def bayesian_average(ratings: pd.DataFrame, prior_count: float | None = None) -> pd.DataFrame:
    """Per movie: ``n_ratings``, ``mean_rating`` and ``bayes_rating``, indexed by movieId."""
    stats = movie_rating_stats(ratings)
    global_mean = float(ratings["rating"].mean()) if len(ratings) else 0.0
    if prior_count is None:
        prior_count = max(1.0, float(stats["n_ratings"].median())) if len(stats) else 1.0
    grouped = stats[["n_ratings", "mean_rating"]].copy()
    grouped["bayes_rating"] = shrunk_mean(
        stats["n_ratings"], stats["rating_sum"], global_mean, prior_count
    )
    return grouped


class PopularityModel:
    """Scores every movie by a blend of Bayesian-average rating and (log) number of ratings.

    Parameters
    ----------
    prior_count:
        Pseudo-ratings at the global mean added to every movie (None: median ratings per movie).
    count_weight:
        How much raw popularity counts next to quality: ``score = bayes + count_weight * log1p(n)``
        on standardised scales. Pure quality (0) favours obscure gems; people starting out
        recognise, and so can rate, popular titles.
    """

    def __init__(self, prior_count: float | None = None, count_weight: float = 0.5):
        self.prior_count = prior_count
        self.count_weight = count_weight

    def fit(self, ratings: pd.DataFrame, movie_ids: Sequence[int]) -> PopularityModel:
        """Learn the per-movie statistics; ``movie_ids`` fixes the order of :attr:`scores_`."""
        stats = bayesian_average(ratings, self.prior_count)
        self.movie_ids_ = np.asarray(movie_ids, dtype=np.int64)
        stats = stats.reindex(self.movie_ids_)
        global_mean = float(ratings["rating"].mean()) if len(ratings) else 0.0
        self.n_ratings_ = stats["n_ratings"].fillna(0).to_numpy(dtype=np.int64)
        self.mean_rating_ = stats["mean_rating"].to_numpy(dtype=np.float64)
        self.bayes_rating_ = stats["bayes_rating"].fillna(global_mean).to_numpy(dtype=np.float64)
        self.scores_ = standardise(self.bayes_rating_) + self.count_weight * standardise(
            np.log1p(self.n_ratings_)
        )
        return self


def varied_top(
    scores: np.ndarray,
    genres: Sequence[Collection[str]],
    n: int,
    candidates: np.ndarray | None = None,
    repeat_penalty: float = 0.8,
    pool: int = 200,
) -> list[int]:
    """Positions of ``n`` high-scoring items spread across genres (greedy, maximal-marginal style).

    Each pick lowers the remaining items' scores by ``repeat_penalty`` × (share of their genres
    already shown), on the scale of the score spread, so the list does not fill up with one genre.
    ``candidates`` is a boolean mask of allowed positions.
    """
    order = np.argsort(-scores, kind="stable")
    if candidates is not None:
        order = order[candidates[order]]
    order = order[: max(pool, n)]
    if len(order) == 0:
        return []
    spread = float(scores[order].std()) or 1.0
    seen: Counter[str] = Counter()
    chosen: list[int] = []
    remaining = list(order)
    while remaining and len(chosen) < n:
        best_i, best_value = 0, -np.inf
        for i, pos in enumerate(remaining):
            g = genres[pos]
            overlap = sum(seen[x] for x in g) / len(g) if len(g) else 0.0
            value = scores[pos] - repeat_penalty * spread * overlap
            if value > best_value:
                best_i, best_value = i, value
        pos = remaining.pop(best_i)
        chosen.append(int(pos))
        seen.update(genres[pos])
    return chosen
