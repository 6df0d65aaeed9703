"""Compare models on a large dataset: a seeded sample of users, and how long a grid will take.

**User sample.** Cross-validating 47 configurations on ml-25m's 25 million ratings would take days
on a small machine. Above :func:`recommender.settings.sample_threshold` ratings (1,000,000 by
default) Compare models proposes to evaluate on a seeded random sample of users instead: every
rating of ``n`` users drawn without replacement with ``numpy.random.default_rng(seed)`` from the
sorted user ids, so the same ``(n, seed)`` gives the same users on any machine. The sample is part
of the dataset's name in the results (``ml-25m~users5000~seed0``), hence of the cache key and of
every exported CSV: a sampled figure is never mixed with a full one.

**Time estimate.** :func:`estimate_seconds` scales the times measured per configuration and fold
on ml-latest-small (the shipped reference results: 100,836 ratings, 610 users, 9,724 movies) to the
grid asked for: fitting and testing in proportion to the number of ratings (EASE's fit to the
cube of its modelled items), ranking in proportion to ranked users × movies, divided among the
grid's worker processes. A rough guide (the page says so), not a promise: similarity-based models
grow faster than the number of ratings on denser data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.evaluation.folds import DEFAULT_SEED
from recommender.evaluation.reference import reference_results
from recommender.evaluation.results import ConfigResult, GridSettings
from recommender.models import ModelConfig
from recommender.ranking.ease import EASE, EASE_SPEC
from recommender.ranking.ease import MAX_ITEMS as EASE_MAX_ITEMS

__all__ = [
    "REFERENCE_SETTINGS",
    "SAMPLE_SIZES",
    "DataShape",
    "default_sample_size",
    "estimate_seconds",
    "offered_sample_sizes",
    "rough_duration",
    "sample_name",
    "sample_users",
]

SAMPLE_SIZES = (1_000, 2_000, 5_000, 10_000, 20_000)
"""The user-sample sizes Compare models offers on a large dataset."""

REFERENCE_SETTINGS = GridSettings("ml-latest-small", 100_836)
"""Whose measured times the estimate scales (5 folds, every user ranked)."""


def sample_name(dataset: str, n_users: int, seed: int = DEFAULT_SEED) -> str:
    """The name a user sample of ``dataset`` goes by in results, cache keys and exports."""
    return f"{dataset}~users{n_users}~seed{seed}"


def offered_sample_sizes(n_users: int) -> list[int]:
    """The :data:`SAMPLE_SIZES` smaller than the data's ``n_users`` (none: nothing to sample)."""
    return [n for n in SAMPLE_SIZES if n < n_users]


def default_sample_size(sizes: list[int], n_users: int, n_ratings: int) -> int:
    """The largest of ``sizes`` whose expected size is at most half a million ratings."""
    per_user = n_ratings / max(1, n_users)
    return max((n for n in sizes if n * per_user <= 500_000), default=min(sizes))


def rough_duration(seconds: float) -> str:
    """“about 40 s”, “about 12 min”, “about 3.5 hours”; "" when there is no estimate (NaN)."""
    if math.isnan(seconds):
        return ""
    if seconds < 90:
        return f"about {max(5, round(seconds / 5) * 5):.0f} s"
    if seconds < 5400:
        return f"about {seconds / 60:.0f} min"
    return f"about {seconds / 3600:.1f} hours"


def sample_users(ratings: pd.DataFrame, n_users: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Every rating of ``n_users`` users drawn at random (seeded, without replacement) from the
    sorted user ids; all of ``ratings`` if it has no more users than that. Row order is kept."""
    if n_users < 1:
        raise ValueError(f"A user sample needs at least 1 user, got {n_users}.")
    users = np.sort(ratings["userId"].unique())
    if n_users >= users.size:
        return ratings
    chosen = np.random.default_rng(seed).choice(users, size=n_users, replace=False)
    return ratings[ratings["userId"].isin(chosen)].reset_index(drop=True)


@dataclass(frozen=True)
class DataShape:
    """The sizes a grid's cost depends on."""

    ratings: int
    users: int
    items: int
    ease_items: int  # movies EASE would model

    @classmethod
    def of(cls, ratings: pd.DataFrame) -> DataShape:
        counts = ratings["movieId"].value_counts()
        modelled = int((counts >= EASE().min_count).sum())  # what EASE's defaults model
        return cls(len(ratings), int(ratings["userId"].nunique()), int(counts.size),
                   min(modelled, EASE_MAX_ITEMS))  # fmt: skip


_REFERENCE_SHAPE = DataShape(ratings=100_836, users=610, items=9_724, ease_items=4_449)


def _per_fold_seconds(result: ConfigResult) -> tuple[float, float, float]:
    """Mean (fit, test, rank) seconds per fold of a reference result (0 where not measured)."""

    def mean(metric: str) -> float:
        value = result.mean(metric)
        return 0.0 if math.isnan(value) else value

    return mean("fit_seconds"), mean("test_seconds"), mean("rank_seconds")


def _reference_for(config: ModelConfig, table: dict[str, ConfigResult]) -> ConfigResult | None:
    """The reference result of ``config``, or of the slowest configuration of its algorithm."""
    if config.key in table:
        return table[config.key]
    family = [r for k, r in table.items() if ModelConfig.from_key(k).algorithm == config.algorithm]
    return max(family, key=lambda r: sum(_per_fold_seconds(r)), default=None)


def estimate_seconds(configs: Sequence[ModelConfig], settings: GridSettings, shape: DataShape,
                     workers: int = 1) -> float:  # fmt: skip
    """Rough wall time of computing ``configs`` on the folds of ``settings`` for data of ``shape``
    (see the module docstring). Configurations with no reference of their algorithm count as the
    mean reference configuration."""
    table = reference_results(REFERENCE_SETTINGS)
    if not table:
        return math.nan
    ref = _REFERENCE_SHAPE
    fit_test_scale = shape.ratings / ref.ratings
    ranked = shape.users if settings.ranking_users is None else min(settings.ranking_users,
                                                                   shape.users)  # fmt: skip
    rank_scale = (ranked * shape.items) / (ref.users * ref.items)
    typical = np.mean([sum(_per_fold_seconds(r)) for r in table.values()])
    total = 0.0
    for config in configs:
        result = _reference_for(config, table)
        if result is None:
            total += typical * fit_test_scale
            continue
        fit, test, rank = _per_fold_seconds(result)
        if config.algorithm == EASE_SPEC.algorithm:  # a dense inversion: cubic in its movies
            fit *= (shape.ease_items / ref.ease_items) ** 3
        else:
            fit *= fit_test_scale
        total += fit + test * fit_test_scale + (rank * rank_scale if settings.ranking_users != 0
                                                else 0.0)  # fmt: skip
    return total * settings.n_folds / max(1, workers)
