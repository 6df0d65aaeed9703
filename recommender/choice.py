"""Which model the Recommend page and ``python -m recommender recommend`` use: one decision, made
here for both.

The rule: the item-based counterpart of the lowest-RMSE KNN configuration that Compare models has
cached for this dataset (the winner compared against the widest field on the same folds), else
:data:`recommender.models.DEFAULT_MODEL`. A broken or half-written results cache never breaks
recommendations: it is ignored.
"""

from __future__ import annotations

from recommender.data import MovieLens
from recommender.evaluation import best_cached_config
from recommender.models import DEFAULT_MODEL, ModelConfig
from recommender.recommend import item_based

__all__ = ["recommendation_model"]


def recommendation_model(ml: MovieLens, requested: ModelConfig | None = None) -> ModelConfig:
    """The configuration to recommend with on ``ml``: ``requested`` (e.g. handed over from
    Compare models) in its item-based form, else the best cached one, else the default."""
    if requested is not None:
        return item_based(requested)
    try:
        best = best_cached_config(ml.name, ml.n_ratings)
    except Exception:  # a broken cache must not break recommendations
        return DEFAULT_MODEL
    return item_based(best) if isinstance(best, ModelConfig) and best.is_knn else DEFAULT_MODEL
