"""Surprise-exact KNN collaborative filtering, computed from sparse data block by block.

Public face: the four algorithms (subclasses of ``surprise.AlgoBase``, so ``cross_validate`` and
``GridSearchCV`` work), bulk scoring for evaluation and the formula table. Layers, top to bottom:
:mod:`~.algorithms` (the classes) → :mod:`~.base` (ids, fallbacks, clipping, Surprise's API) →
:mod:`~.scoring` (score from a user's history: fold-in, explanations) and :mod:`~.bulk` (many
training users at once) → :mod:`~.formulas` (the four estimate formulas) and :mod:`~.layout`
(fitted state) → the private compiled kernels (:mod:`~._kernels`). :mod:`~.similarities` documents
the measures; :mod:`~.baselines` computes Surprise's b_u, b_i. :mod:`~.surprise_api` gives the
attributes Surprise's own k-NN classes expose (``sim``, ``xr``, ``means``, ``get_neighbors`` ...),
and :class:`KNNZeroDivisionError` is raised where Surprise raises ``ZeroDivisionError``.
"""

from recommender.knn.algorithms import (
    ALGORITHMS,
    KNNBaseline,
    KNNBasic,
    KNNWithMeans,
    KNNWithZScore,
)
from recommender.knn.base import SymmetricKNN
from recommender.knn.bulk import iter_score_blocks, score_users_shared
from recommender.knn.errors import KNNZeroDivisionError
from recommender.knn.formulas import FORMULAS, Formula
from recommender.knn.scoring import HistoryScores
from recommender.knn.similarities import MEASURES
from recommender.knn.surprise_api import RatingLists

__all__ = [
    "ALGORITHMS",
    "FORMULAS",
    "MEASURES",
    "Formula",
    "HistoryScores",
    "KNNBaseline",
    "KNNBasic",
    "KNNWithMeans",
    "KNNWithZScore",
    "KNNZeroDivisionError",
    "RatingLists",
    "SymmetricKNN",
    "iter_score_blocks",
    "score_users_shared",
]
