"""The blend: standardised signals summed with weights that depend on how many movies a visitor
rated (:data:`BLEND_SCHEDULE`, chosen with ``benchmarks/cold_start.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLEND_SCHEDULE",
    "PERSONAL_SIGNALS",
    "SIGNALS",
    "BlendWeights",
    "blend_scores",
    "blend_weights",
    "standardise",
]

SIGNALS = ("popularity", "content", "cf_rating", "cf_evidence", "cf_support")
PERSONAL_SIGNALS = SIGNALS[1:]


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the standardised signals (they need not sum to one).

    * ``popularity``: Bayesian-average rating + log number of ratings;
    * ``content``: cosine similarity of the movie's genres and tags to the visitor's profile;
    * ``cf_rating``: the KNN model's predicted rating (fold-in);
    * ``cf_evidence``: similarity-weighted sum of the visitor's ratings above their baselines;
    * ``cf_support``: sum of the movie's similarities to the movies the visitor rated (how
      strongly the neighbourhood connects it to them).
    """

    popularity: float = 0.0
    content: float = 0.0
    cf_rating: float = 0.0
    cf_evidence: float = 0.0
    cf_support: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SIGNALS}


# (minimum number of ratings, weights): the last row whose minimum is <= the visitor's count
# applies. With 0 ratings the page shows popular movies spread across genres. The rest were chosen
# by benchmarks/cold_start.py (seed 0) on 150 tuning users and checked on 150 other report users:
# after 1 rating popularity alone is best; from 3 ratings the KNN neighbourhood (cf_support) and,
# from 10, content and the predicted rating add to it, beating every single method (report users,
# P@5 at n=20: blend 0.43 vs CF neighbours 0.37, popularity 0.35, content 0.07).
BLEND_SCHEDULE: tuple[tuple[int, BlendWeights], ...] = (
    (0, BlendWeights(popularity=1.0)),
    (1, BlendWeights(popularity=1.0)),
    (3, BlendWeights(popularity=1.0, cf_rating=0.1, cf_support=0.1)),
    (5, BlendWeights(popularity=1.0, cf_support=0.1)),
    (10, BlendWeights(popularity=1.0, content=0.25, cf_rating=0.25, cf_support=0.25)),
    (20, BlendWeights(popularity=1.0, content=0.1, cf_evidence=0.1, cf_support=0.25)),
)


def blend_weights(
    n_ratings: int, schedule: Sequence[tuple[int, BlendWeights]] = BLEND_SCHEDULE
) -> BlendWeights:
    """The weights for a visitor who has rated ``n_ratings`` movies."""
    chosen = schedule[0][1]
    for threshold, weights in schedule:
        if n_ratings >= threshold:
            chosen = weights
    return chosen


def standardise(values: np.ndarray, candidates: np.ndarray | None = None) -> np.ndarray:
    """z-scores of ``values`` using the mean and spread over ``candidates`` (a boolean mask or
    indices; None: every value); 0 everywhere when those are constant."""
    values = np.asarray(values, dtype=np.float64)
    pool = values if candidates is None else values[candidates]
    if pool.size == 0:
        return np.zeros_like(values, dtype=np.float64)
    std = float(pool.std())
    if not np.isfinite(std) or std == 0:
        return np.zeros_like(values, dtype=np.float64)
    return (values - float(pool.mean())) / std


def blend_scores(
    signals: Mapping[str, np.ndarray], weights: BlendWeights, candidates: np.ndarray
) -> np.ndarray:
    """Weighted sum of the standardised signals (names as in :data:`SIGNALS`)."""
    total = np.zeros(len(candidates), dtype=np.float64)
    for name, weight in weights.as_dict().items():
        if weight and name in signals:
            total += weight * standardise(np.asarray(signals[name], dtype=np.float64), candidates)
    return total
