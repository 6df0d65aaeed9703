"""The trivial baselines every ranking model must beat: the most-rated list and the best-rated list
(Bayesian average). Every user gets the same list, minus what they have seen."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.data import bayesian_average
from recommender.ranking.base import Param, RankerSpec

__all__ = ["MOST_POPULAR", "TOP_RATED", "MostPopular", "TopRated"]


class _SameForEveryone:
    """Shared scoring of the non-personal lists: ``item_scores_`` repeated for every row."""

    item_scores_: np.ndarray

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        return np.tile(self.item_scores_, (histories.shape[0], 1))

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        return {}


class MostPopular(_SameForEveryone):
    """Score = the movie's number of training ratings."""

    def fit(self, matrix: sp.csr_matrix) -> MostPopular:
        self.item_scores_ = np.diff(matrix.tocsc().indptr).astype(np.float64)
        return self


class TopRated(_SameForEveryone):
    """Score = Bayesian-average rating ``(C·m + Σr) / (C + n)`` with m the mean of all training
    ratings and C = ``prior`` pseudo-ratings (0: the median number of ratings per rated movie)."""

    def __init__(self, prior: int = 0):
        self.prior = prior

    def fit(self, matrix: sp.csr_matrix) -> TopRated:
        count = np.diff(matrix.tocsc().indptr).astype(np.float64)
        total = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        mean = float(matrix.data.mean()) if matrix.nnz else 0.0
        prior = float(self.prior)
        if prior <= 0:
            prior = max(1.0, float(np.median(count[count > 0]))) if matrix.nnz else 1.0
        self.item_scores_ = bayesian_average(count, total, mean, prior)
        return self


MOST_POPULAR = RankerSpec(
    "MostPopular", "mostpop", "popularity", (), "The most-rated movies", factory=MostPopular
)
TOP_RATED = RankerSpec(
    "TopRated",
    "toprated",
    "popularity",
    (Param("prior", "c", 0, "pseudo-ratings at the mean (0: median ratings per movie)"),),
    "The best Bayesian-average rating",
    factory=TopRated,
)
