"""Recommendations with reasons: the :class:`Recommender` facade and the signals it blends.

Modules: :mod:`~.facade` (queries: a visitor's ratings, a title, an existing user),
:mod:`~.blend` (standardised signals and their weights), :mod:`~.personal` (the recommendation
model's scores and contributions), :mod:`~.collaborative` (KNN fold-in, asked of the engine),
:mod:`~.reasons` (card texts), :mod:`~.content` (TF-IDF over genres and tags), :mod:`~.popularity`
(Bayesian average, genre-varied picks), :mod:`~.catalog` (cards' data and links), :mod:`~.search`
(forgiving title search), :mod:`~.ratings_io` (CSV export and import), :mod:`~.steering` ("not
interested", the watchlist, popular ↔ obscure), :mod:`~.movie_night` (two profiles, one list).
"""

from recommender.recommend.blend import (
    BLEND_SCHEDULE,
    CROWD_SIGNALS,
    DISLIKE_WEIGHT,
    ENSEMBLE,
    TITLE_MODEL,
    BlendWeights,
    blend_scores,
    blend_weights,
    fitting_order,
    standardise,
)
from recommender.recommend.catalog import RESULT_COLUMNS, movie_links
from recommender.recommend.collaborative import CollaborativeModel, FoldIn, item_based
from recommender.recommend.facade import DEFAULT_RECOMMENDER, Recommender
from recommender.recommend.personal import PersonalModel, PersonalScores

__all__ = [
    "BLEND_SCHEDULE",
    "DEFAULT_RECOMMENDER",
    "CROWD_SIGNALS",
    "DISLIKE_WEIGHT",
    "ENSEMBLE",
    "TITLE_MODEL",
    "RESULT_COLUMNS",
    "BlendWeights",
    "CollaborativeModel",
    "FoldIn",
    "PersonalModel",
    "PersonalScores",
    "Recommender",
    "blend_scores",
    "blend_weights",
    "fitting_order",
    "item_based",
    "movie_links",
    "standardise",
]
