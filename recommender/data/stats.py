"""Per-movie rating statistics, and the Bayesian average that Explore and Recommend both use."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.data.tally import counts_by_id

__all__ = ["bayesian_average", "movie_rating_stats"]


def bayesian_average(
    count: np.ndarray, total: np.ndarray, prior_mean: float, prior_count: float
) -> np.ndarray:
    """``(C·m + Σr) / (C + n)``: a movie's ``n`` ratings summing to ``Σr`` (``count``, ``total``)
    plus ``C = prior_count`` imaginary ratings at ``m = prior_mean``, so a handful of 5-star
    ratings cannot beat hundreds of 4.5s. ``n = 0`` gives the prior mean."""
    count = np.asarray(count, dtype=np.float64)
    total = np.asarray(total, dtype=np.float64)
    return (prior_count * prior_mean + total) / (prior_count + count)


def movie_rating_stats(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per movie with ratings: ``n_ratings`` (int64), ``rating_sum`` and ``mean_rating`` (float64),
    indexed by movieId (ascending)."""
    values = ratings["rating"].to_numpy(np.float64)
    # as pandas' group-by: every row counts, a missing rating adds nothing to the sum
    ids, count, total = counts_by_id(ratings["movieId"].to_numpy(), np.nan_to_num(values))
    index = pd.Index(ids, dtype=ratings["movieId"].dtype, name="movieId")
    return pd.DataFrame(
        {"n_ratings": count.astype(np.int64), "rating_sum": total, "mean_rating": total / count},
        index=index,
    )
