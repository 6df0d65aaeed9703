"""Which configurations a grid evaluates: every combination of KNN settings, baselines, presets."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

from recommender.models import BASELINE_ALGORITHMS, KNN_ALGORITHMS, SIMILARITIES, ModelConfig

__all__ = ["PRESETS", "QUICK_PRESET", "baseline_configs", "knn_grid", "preset"]


def knn_grid(
    algorithms: Iterable[str] = KNN_ALGORITHMS,
    similarities: Iterable[str] = SIMILARITIES,
    user_based: Iterable[bool] = (True, False),
    ks: Iterable[int] = (40,),
    min_ks: Iterable[int] = (1,),
) -> list[ModelConfig]:
    """Every combination of the given KNN settings (combinations with min_k > k are skipped)."""
    return [
        ModelConfig(algorithm, similarity, ub, k, min_k)
        for algorithm, similarity, ub, k, min_k in product(
            algorithms, similarities, user_based, ks, min_ks
        )
        if min_k <= k
    ]


def baseline_configs(algorithms: Iterable[str] = BASELINE_ALGORITHMS) -> list[ModelConfig]:
    return [ModelConfig(algorithm) for algorithm in algorithms]


# User-based KNN and two baselines: seconds per fold on ml-latest-small (item-based KNN is slower).
QUICK_PRESET: tuple[ModelConfig, ...] = (
    ModelConfig("KNNBaseline", "pearson_baseline", user_based=True),
    ModelConfig("KNNWithMeans", "msd", user_based=True),
    ModelConfig("KNNBasic", "cosine", user_based=True),
    ModelConfig("BaselineOnly"),
    ModelConfig("NormalPredictor"),
)


def preset(name: str) -> list[ModelConfig]:
    """Configurations of a named preset: ``quick`` or ``all`` (32 KNN + 3 baselines)."""
    if name == "quick":
        return list(QUICK_PRESET)
    if name in ("all", "all KNN"):
        return knn_grid() + baseline_configs()
    raise ValueError(f"Unknown preset {name!r}; choose 'quick' or 'all'.")


PRESETS = ("quick", "all")
