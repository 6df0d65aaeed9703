"""The personal signal of Recommend: one model fitted once on every rating, asked for a visitor's
scores by fold-in (no refit, nothing changed), with the contributions behind each score.

The model is a top-N ranker (:mod:`recommender.ranking`; the default is the best one measured on
Compare models) or a Surprise-exact KNN model (:mod:`recommender.knn`, whose estimates are star
ratings). Both score from the visitor's history only: the same code the evaluation folds use.

**Dislikes.** Rankers that see how much a film was liked drop ratings below 3★ from their input,
so a low rating would change nothing. A visitor's dislikes therefore push down what a fan of
those films would get: ``score(liked) − dislike_weight · score(dislikes as if loved)``
(``dislike_weight`` chosen with ``benchmarks/cold_start.py``). KNN models use low ratings
themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.data.tally import counts_by_id, dense_codes
from recommender.models import ModelConfig
from recommender.recommend.blend import BlendWeights, fitting_order
from recommender.recommend.collaborative import CollaborativeModel

__all__ = [
    "DISLIKED_BELOW",
    "PersonalModel",
    "PersonalScores",
    "fit_in_order",
    "rating_matrix",
]

DISLIKED_BELOW = 3.0  # a rating under 3★ is a dislike (MovieLens: "it was OK" is 3★)


@dataclass(frozen=True)
class PersonalScores:
    """Scores of every catalogue row for one history (NaN: unknown to the model, or rated);
    ``predicted`` holds star estimates for models that predict ratings, else None."""

    scores: np.ndarray
    predicted: np.ndarray | None


def rating_matrix(ratings: pd.DataFrame) -> tuple[sp.csr_matrix, np.ndarray]:
    """(users × movies matrix of the star ratings, float32; the movieId of each column,
    ascending): what a ranker is fitted on. Ids become codes by counting, not sorting, and
    indices stay int32 (the 64-bit codes of a sort made ~1 GB of temporaries at ml-32m)."""
    users, movies = ratings["userId"].to_numpy(), ratings["movieId"].to_numpy()
    user_ids, items = counts_by_id(users)[0], counts_by_id(movies)[0].astype(np.int64)
    codes = (dense_codes(users, user_ids), dense_codes(movies, items))
    values = ratings["rating"].to_numpy(np.float32)
    return sp.csr_matrix((values, codes), shape=(len(user_ids), len(items))), items


def fit_in_order(
    configs: Sequence[ModelConfig],
    schedule: Sequence[tuple[int, BlendWeights]],
    ratings: pd.DataFrame,
    catalog_ids: np.ndarray,
    dislike_weight: float,
) -> Iterator[PersonalModel]:
    """Each of ``configs`` fitted on ``ratings``, one at a time, in the order a visitor's
    growing history first needs them under ``schedule`` (:func:`~.blend.fitting_order`); the
    rankers share one :func:`rating_matrix` (at ml-32m: 0.3 GB, built once)."""
    by_name = {c.algorithm: c for c in configs}
    matrix = rating_matrix(ratings) if any(c.is_ranker for c in configs) else None
    for name in fitting_order(list(by_name), schedule):
        yield PersonalModel(by_name[name], dislike_weight).fit(ratings, catalog_ids, matrix)


class PersonalModel:
    """One model's view of a visitor (see the module docstring)."""

    def __init__(self, config: ModelConfig, dislike_weight: float = 0.5):
        self.config = config
        self.dislike_weight = dislike_weight

    def fit(
        self,
        ratings: pd.DataFrame,
        catalog_ids: np.ndarray,
        matrix: tuple[sp.csr_matrix, np.ndarray] | None = None,
    ) -> PersonalModel:
        """Fit on ``ratings``; ``matrix``: their :func:`rating_matrix`, when several models are
        fitted on the same ratings (built once)."""
        self.n_catalog_ = len(catalog_ids)
        self.catalog_index_ = pd.Index(catalog_ids)
        if not self.config.is_ranker:
            self.knn_ = CollaborativeModel(self.config).fit(ratings, catalog_ids)
            self.config_ = self.knn_.config_
            return self
        self.config_ = self.config
        matrix, items = rating_matrix(ratings) if matrix is None else matrix
        self.ranker_ = self.config.build().fit(matrix)
        self.item_of_ = pd.Index(items)  # model item -> movieId
        self.row_of_item_ = pd.Index(catalog_ids).get_indexer(items)  # model item -> catalogue row
        return self

    # -- histories ----------------------------------------------------------------------------

    def _history(self, ratings: Mapping[int, float]) -> sp.csr_matrix:
        """A 1-row history over the model's items (movies it does not know are left out)."""
        ids = np.fromiter((int(m) for m in ratings), np.int64, len(ratings))
        stars = np.fromiter((float(r) for r in ratings.values()), np.float32, len(ratings))
        cols = self.item_of_.get_indexer(ids)
        keep = cols >= 0
        order = np.argsort(cols[keep])
        indptr = np.array([0, int(keep.sum())])
        shape = (1, len(self.item_of_))
        return sp.csr_matrix((stars[keep][order], cols[keep][order], indptr), shape=shape)

    def _to_catalog(self, model_scores: np.ndarray) -> np.ndarray:
        out = np.full(self.n_catalog_, np.nan)
        known = self.row_of_item_ >= 0
        out[self.row_of_item_[known]] = model_scores[known]
        return out

    # -- queries ------------------------------------------------------------------------------

    def score(self, ratings: Mapping[int, float]) -> PersonalScores:
        """Every catalogue movie scored for someone who rated ``ratings`` ({movieId: stars})."""
        if not self.config.is_ranker:
            fold = self.knn_.fold_in(ratings)
            return PersonalScores(fold.estimates, fold.estimates)
        liked = {m: r for m, r in ratings.items() if r >= DISLIKED_BELOW}
        disliked = {m: 5.0 for m, r in ratings.items() if r < DISLIKED_BELOW}
        scores = self.ranker_.score(self._history(liked))[0].astype(np.float64)
        if disliked and self.dislike_weight:
            scores = scores - self.dislike_weight * self.ranker_.score(self._history(disliked))[0]
        return PersonalScores(self._to_catalog(scores), None)

    def contributions(self, ratings: Mapping[int, float], movie_id: int) -> dict[int, float]:
        """Rated movieId -> its part of ``movie_id``'s score (largest first; only the parts
        that raised it): the material of "because you liked X"."""
        if not self.config.is_ranker:
            fold = self.knn_.fold_in(ratings)
            row = self.knn_.catalog_pos_[self.knn_.algo_.iid_index_.get(movie_id, -1)]
            best = int(fold.top_contributor[row]) if row >= 0 else -1
            return {best: 1.0} if best >= 0 else {}
        col = self.item_of_.get_indexer([int(movie_id)])[0]
        if col < 0:
            return {}
        liked = {m: r for m, r in ratings.items() if r >= DISLIKED_BELOW}
        parts = self.ranker_.contributions(self._history(liked), int(col))
        pushed = {int(self.item_of_[j]): v for j, v in parts.items() if v > 0}
        return dict(sorted(pushed.items(), key=lambda kv: -kv[1]))

    def similar(self, movie_id: int) -> np.ndarray:
        """What a fan of ``movie_id`` would get: every catalogue movie scored from a history of
        that one film loved (NaN for the film itself and movies the model does not know)."""
        if not self.config.is_ranker:
            row = int(self.catalog_index_.get_indexer([int(movie_id)])[0])
            return (
                self.knn_.similar_items(row, int(movie_id)) if row >= 0 else self.score({}).scores
            )
        return self.score({int(movie_id): 5.0}).scores

    def fitted_arrays(self) -> list[np.ndarray]:
        """Every fitted array (for the facade's fingerprint)."""
        if not self.config.is_ranker:
            return self.knn_.fitted_arrays()
        state = [v for v in vars(self.ranker_).values() if isinstance(v, np.ndarray | sp.spmatrix)]
        arrays = [a.data if sp.issparse(a) else a for a in state]
        return [*arrays, self.row_of_item_]
