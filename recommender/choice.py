"""Which models the Recommend page and ``python -m recommender recommend`` use: one decision, made
here for both.

The rule: a configuration chosen by hand (Compare models' "Use in Recommend", or ``--model``) is
used alone, a user-based KNN one in its item-based form (fold-in and explanations need item
neighbourhoods); otherwise the default ensemble of :mod:`recommender.recommend` (led by EASE, the
best top-N model measured on Compare models, with weights chosen by ``benchmarks/cold_start.py``).
A configuration that cannot rank for a visitor (Surprise's baselines) is refused with a message.
"""

from __future__ import annotations

from recommender.models import ModelConfig
from recommender.recommend import item_based

__all__ = ["RecommendChoice", "recommendation_model"]


class RecommendChoice(ValueError):
    """A hand-picked configuration Recommend cannot use; the message says why."""


def recommendation_model(requested: ModelConfig | None = None) -> ModelConfig | None:
    """The model to recommend with: ``requested`` (ready to use) or None for the default
    ensemble. Raises :class:`RecommendChoice` for a configuration that cannot rank a visitor."""
    if requested is None:
        return None
    if requested.is_ranker:
        return requested
    if requested.is_knn:
        return item_based(requested)
    raise RecommendChoice(
        f"{requested.label} predicts ratings from a user's id, not from a visitor's ratings: "
        "it cannot rank a top-5 for you."
    )
