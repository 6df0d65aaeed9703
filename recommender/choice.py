"""Which models the Recommend page and ``python -m recommender recommend`` use: one decision, made
here for both.

The rule: a configuration chosen by hand (Compare models' "Use in Recommend", or ``--model``) is
used alone, a user-based KNN one in its item-based form (fold-in and explanations need item
neighbourhoods); otherwise the default ensemble of :mod:`recommender.recommend` (led by EASE, the
best top-N model measured on Compare models, with weights chosen by ``benchmarks/cold_start.py``).
A configuration that cannot rank for a visitor (Surprise's baselines) is refused with a message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from recommender.evaluation import ConfigResult
from recommender.models import ModelConfig
from recommender.recommend import item_based

__all__ = ["RankerOption", "RecommendChoice", "ranker_options", "recommendation_model"]


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


@dataclass(frozen=True)
class RankerOption:
    """A model a visitor may choose on Recommend, with its top-5 quality measured on Compare
    models (mean over folds, every user ranked)."""

    config: ModelConfig
    precision: float
    ndcg: float

    @property
    def label(self) -> str:
        return f"{self.config.label} (NDCG@5 {self.ndcg:.3f}, P@5 {self.precision:.3f})"


def ranker_options(results: Sequence[ConfigResult]) -> list[RankerOption]:
    """The evaluated models Recommend can use alone, best NDCG@5 first: the top-N rankers with a
    successful result. Rating-prediction models are left out: the best of them ranks a top-5 at
    NDCG@5 ≈ 0.02, below the most-rated list (Compare models shows them all)."""
    options = [
        RankerOption(r.config, r.mean("precision"), r.mean("ndcg"))
        for r in results
        if r.ok and r.config.is_ranker and math.isfinite(r.mean("ndcg"))
    ]
    return sorted(options, key=lambda o: (-o.ndcg, o.config.key))
