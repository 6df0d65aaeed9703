"""Top-N rankers: models built to rank a user's next movies, not to predict their stars.

Every ranker scores users from their history rows only (:mod:`~.base`), so evaluation folds and a
visitor's fold-in are one code path. :data:`RANKERS` registers each with its hyper-parameters (the
key codes of :class:`recommender.models.ModelConfig`); the defaults are the shipped values, chosen
by ``benchmarks/ranking.py`` on validation splits inside the training folds.
"""

from recommender.ranking.base import INPUTS, Param, Ranker, RankerSpec, Weighting, as_history
from recommender.ranking.ease import EASE, EASE_SPEC
from recommender.ranking.factorisation import ALS, ALS_SPEC, BPR, BPR_SPEC
from recommender.ranking.neighbours import ITEM_KNN, RP3_BETA, USER_KNN, ItemKNN, RP3Beta, UserKNN
from recommender.ranking.popular import MOST_POPULAR, TOP_RATED, MostPopular, TopRated

RANKERS: dict[str, RankerSpec] = {
    spec.algorithm: spec
    for spec in (
        MOST_POPULAR, TOP_RATED, ITEM_KNN, USER_KNN, RP3_BETA, EASE_SPEC, ALS_SPEC, BPR_SPEC,
    )
}  # fmt: skip
"""Every ranker by algorithm name."""

__all__ = [
    "ALS",
    "BPR",
    "EASE",
    "ItemKNN",
    "RP3Beta",
    "UserKNN",
    "INPUTS",
    "RANKERS",
    "MostPopular",
    "Param",
    "Ranker",
    "RankerSpec",
    "TopRated",
    "Weighting",
    "as_history",
]
