"""Recommendations with reasons: the :class:`Recommender` facade and the signals it blends.

Modules: :mod:`~.facade` (queries: a visitor's ratings, a title, an existing user),
:mod:`~.blend` (standardised signals and their weights), :mod:`~.collaborative` (KNN fold-in,
asked of the engine), :mod:`~.content` (TF-IDF over genres and tags), :mod:`~.popularity`
(Bayesian average, genre-varied picks), :mod:`~.catalog` (cards' data and links), :mod:`~.search`
(forgiving title search), :mod:`~.ratings_io` (CSV export and import).
"""

from recommender.recommend.blend import (
    BLEND_SCHEDULE,
    PERSONAL_SIGNALS,
    SIGNALS,
    BlendWeights,
    blend_scores,
    blend_weights,
    standardise,
)
from recommender.recommend.catalog import RESULT_COLUMNS, movie_links
from recommender.recommend.collaborative import CollaborativeModel, FoldIn, item_based
from recommender.recommend.facade import Recommender

__all__ = [
    "BLEND_SCHEDULE",
    "PERSONAL_SIGNALS",
    "RESULT_COLUMNS",
    "SIGNALS",
    "BlendWeights",
    "CollaborativeModel",
    "FoldIn",
    "Recommender",
    "blend_scores",
    "blend_weights",
    "item_based",
    "movie_links",
    "standardise",
]
