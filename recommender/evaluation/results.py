"""Results of a grid: one configuration on one fold, over every fold, and the whole grid."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from recommender.data import RATING_MAX, RATING_MIN
from recommender.evaluation.folds import DEFAULT_FOLDS, DEFAULT_SEED
from recommender.evaluation.metrics import METRICS
from recommender.models import ModelConfig

__all__ = [
    "ConfigResult",
    "FoldResult",
    "GridResult",
    "GridSettings",
    "Progress",
    "ProgressCallback",
]


@dataclass(frozen=True)
class FoldResult:
    """One configuration on one fold: a value per metric of :data:`~.metrics.METRICS` (NaN where
    it does not apply), readable as attributes (``result.rmse``)."""

    fold: int
    values: Mapping[str, float]
    users_evaluated: int = 0
    # per user with a relevant movie: "user" (raw ids) and one list per PER_USER_METRICS entry
    per_user: Mapping[str, list] = field(default_factory=dict, compare=False, repr=False)

    def __getattr__(self, name: str) -> float:
        if name in METRICS and name != "total_seconds":
            return float(self.values.get(name, math.nan))
        raise AttributeError(name)

    @property
    def total_seconds(self) -> float:
        """Fit + test time (ranking excluded: it depends on how many users are ranked)."""
        return self.fit_seconds + self.test_seconds

    def get(self, metric: str) -> float:
        return float(getattr(self, metric))

    def to_json(self) -> dict[str, Any]:
        values = {k: (None if math.isnan(v) else v) for k, v in self.values.items()}
        out = {"fold": self.fold, **values, "users_evaluated": self.users_evaluated}
        return out | ({"per_user": dict(self.per_user)} if self.per_user else {})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FoldResult:
        values = {k: (math.nan if v is None else float(v)) for k, v in data.items() if k in METRICS}
        per_user = data.get("per_user") or {}
        if not isinstance(per_user, dict):
            raise ValueError("per_user is not an object")
        return cls(int(data["fold"]), values, int(data.get("users_evaluated", 0)), per_user)


@dataclass(frozen=True)
class ConfigResult:
    """One configuration over every fold, or the error that stopped it."""

    config: ModelConfig
    engine: str
    folds: tuple[FoldResult, ...] = ()
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.folds)

    def values(self, metric: str) -> np.ndarray:
        return np.array([getattr(f, metric) for f in self.folds], dtype=float)

    def mean(self, metric: str) -> float:
        values = self.values(metric)
        return float(np.mean(values)) if values.size and not np.isnan(values).all() else math.nan

    def std(self, metric: str) -> float:
        values = self.values(metric)
        return float(np.std(values)) if values.size and not np.isnan(values).all() else math.nan


@dataclass(frozen=True)
class GridSettings:
    """What a cached result depends on besides the configuration."""

    dataset: str
    n_ratings: int
    n_folds: int = DEFAULT_FOLDS
    seed: int = DEFAULT_SEED
    engine: str = "fast"
    ranking_users: int | None = None  # None: every user
    rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX)  # predictions clip to it

    @property
    def dataset_id(self) -> str:
        return f"{self.dataset}-{self.n_ratings}"

    @property
    def folder(self) -> str:
        """``fast-folds5-seed0-rankall``, plus ``-scale1to5`` off the usual 0.5–5 scale."""
        ranked = "all" if self.ranking_users is None else self.ranking_users
        low, high = self.rating_scale
        scale = "" if (low, high) == (RATING_MIN, RATING_MAX) else f"-scale{low:g}to{high:g}"
        return f"{self.engine}-folds{self.n_folds}-seed{self.seed}-rank{ranked}{scale}"

    @classmethod
    def from_folder(cls, dataset: str, n_ratings: int, folder: str) -> GridSettings | None:
        """The settings whose :attr:`folder` is ``folder`` (None for any other name)."""
        try:
            engine, folds, seed, ranked, *scale = folder.split("-")
            if (folds[:5], seed[:4], ranked[:4]) != ("folds", "seed", "rank") or len(scale) > 1:
                return None
            users = None if ranked == "rankall" else int(ranked[4:])
            low_high = scale[0].removeprefix("scale").split("to") if scale else ["0.5", "5"]
            low, high = (float(v) for v in low_high)
            return cls(
                dataset, n_ratings, int(folds[5:]), int(seed[4:]), engine, users, (low, high)
            )
        except ValueError:
            return None

    def to_json(self) -> dict[str, Any]:
        """As stored beside a result (JSON types); the rating scale only when it is not the
        usual 0.5–5, so results stored before datasets carried their scale still match."""
        record = asdict(self)
        scale = tuple(record.pop("rating_scale"))
        if scale != (RATING_MIN, RATING_MAX):
            record["rating_scale"] = list(scale)
        return record


@dataclass
class GridResult:
    settings: GridSettings
    results: list[ConfigResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_cached(self) -> int:
        return sum(r.cached for r in self.results)

    @property
    def failed(self) -> list[ConfigResult]:
        return [r for r in self.results if not r.ok]


@dataclass(frozen=True)
class Progress:
    """Where a grid run is: ``done`` of ``total`` configuration × fold steps."""

    done: int
    total: int
    elapsed: float
    remaining: float | None  # seconds, estimated from the steps computed so far
    current: str


ProgressCallback = Callable[[Progress], None]
