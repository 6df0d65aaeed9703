"""The blend: standardised signals summed with weights that depend on how many movies a visitor
rated (:data:`BLEND_SCHEDULE`, chosen with ``benchmarks/cold_start.py``).

Signals (each a score per catalogue movie, standardised over the candidates):

* ``most_rated``: the number of ratings (the crowd's favourites);
* ``popularity``: Bayesian-average rating plus log number of ratings (well rated and known);
* ``content``: cosine similarity of the movie's genres and tags to the visitor's profile;
* one per personal model, named after its algorithm (``EASE``, ``UserKNN``, ``ALS``): the model's
  score for the visitor's history, dislikes pushing down what their fans like.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLEND_SCHEDULE",
    "CROWD_SIGNALS",
    "DISLIKE_WEIGHT",
    "ENSEMBLE",
    "TITLE_MODEL",
    "BlendWeights",
    "blend_scores",
    "blend_weights",
    "fitting_order",
    "single_model_schedule",
    "standardise",
]

CROWD_SIGNALS = ("most_rated", "popularity")
ENSEMBLE = ("EASE", "UserKNN", "ALS")
"""The personal models Recommend blends by default: EASE ranks best once a person has rated a
couple of dozen films (Compare models), UserKNN and ALS add most with a handful of ratings
(benchmarks/cold_start.py)."""

TITLE_MODEL = "ALS"
"""The model behind "pick a title" (what a fan of one film gets). Chosen by
benchmarks/pick_a_title.py on held-out tuning users: the most accurate model whose five are not
mostly the most-rated list (UserKNN scores higher by recommending crowd favourites to everyone)."""


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the standardised signals (they need not sum to one), e.g.
    ``BlendWeights(most_rated=1.0)`` or ``BlendWeights(EASE=1.0, UserKNN=0.5)``."""

    weights: tuple[tuple[str, float], ...] = ()

    def __init__(self, **weights: float):
        kept = tuple((name, float(w)) for name, w in weights.items() if w)
        object.__setattr__(self, "weights", kept)

    def as_dict(self) -> dict[str, float]:
        return dict(self.weights)

    def get(self, name: str) -> float:
        return self.as_dict().get(name, 0.0)

    def __iter__(self) -> Iterator[tuple[str, float]]:
        return iter(self.weights)

    @property
    def personal(self) -> float:
        """Total weight of the visitor's own taste (content and personal models)."""
        return sum(w for name, w in self.weights if name not in CROWD_SIGNALS)


# (minimum number of ratings, weights): the last row whose minimum is <= the visitor's count
# applies. Chosen by benchmarks/cold_start.py (seed 0) on held-out tuning users and checked on
# other held-out report users (that script's docstring has the table).
BLEND_SCHEDULE: tuple[tuple[int, BlendWeights], ...] = (
    (0, BlendWeights(most_rated=1.0)),
    (1, BlendWeights(most_rated=1.0, content=0.25, ALS=0.5)),
    (3, BlendWeights(most_rated=1.0, popularity=0.5, content=0.25, EASE=0.5, ALS=1.0)),
    (5, BlendWeights(most_rated=0.5, popularity=0.5, UserKNN=0.5, ALS=1.0)),
    (10, BlendWeights(content=0.25, UserKNN=0.5, ALS=1.0)),
    (20, BlendWeights(most_rated=0.5, content=0.25, EASE=1.0, UserKNN=0.5, ALS=1.0)),
)
DISLIKE_WEIGHT = 0.25
"""How strongly a dislike (< 3★) pushes down what fans of that film like (every personal model)."""


def single_model_schedule(name: str) -> tuple[tuple[int, BlendWeights], ...]:
    """The schedule when one model is chosen by hand (Compare models' "Use in Recommend"): crowd
    favourites until the visitor has rated a few films, then the model alone."""
    return (
        (0, BlendWeights(most_rated=1.0)),
        (1, BlendWeights(most_rated=0.5, **{name: 1.0})),
        (10, BlendWeights(**{name: 1.0})),
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


def fitting_order(
    names: Sequence[str], schedule: Sequence[tuple[int, BlendWeights]] = BLEND_SCHEDULE
) -> list[str]:
    """``names`` in the order a visitor's growing history first needs them under ``schedule``
    (by the fewest ratings whose weights use each; ties and names it never weighs keep their
    order, the latter last). Fitted in this order, a recommender answers a visitor's first
    ratings before its slowest models are ready (:meth:`~.facade.Recommender.fit_stages`)."""

    def first_needed(name: str) -> float:
        return next((float(n) for n, weights in schedule if weights.get(name)), math.inf)

    return sorted(names, key=first_needed)


def standardise(values: np.ndarray, candidates: np.ndarray | None = None) -> np.ndarray:
    """z-scores of ``values`` using the mean and spread over ``candidates`` (a boolean mask or
    indices; None: every value); 0 everywhere when those are constant. A missing value (NaN: the
    signal knows nothing of the movie) gets the lowest score of the pool."""
    values = np.asarray(values, dtype=np.float64)
    pool = values if candidates is None else values[candidates]
    pool = pool[np.isfinite(pool)]
    if pool.size == 0:
        return np.zeros_like(values, dtype=np.float64)
    std = float(pool.std())
    if not np.isfinite(std) or std == 0:
        return np.zeros_like(values, dtype=np.float64)
    filled = np.where(np.isfinite(values), values, float(pool.min()))
    return (filled - float(pool.mean())) / std


def blend_scores(
    signals: Mapping[str, np.ndarray], weights: BlendWeights, candidates: np.ndarray
) -> np.ndarray:
    """Weighted sum of the standardised signals (a weight whose signal is absent counts 0)."""
    total = np.zeros(len(candidates), dtype=np.float64)
    for name, weight in weights:
        if name in signals:
            total += weight * standardise(np.asarray(signals[name], dtype=np.float64), candidates)
    return total
