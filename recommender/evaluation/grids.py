"""Which configurations a grid evaluates: every combination of KNN settings, baselines, presets."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

from recommender.models import (
    BASELINE_ALGORITHMS,
    KNN_ALGORITHMS,
    RANKING_ALGORITHMS,
    SIMILARITIES,
    ModelConfig,
)

__all__ = [
    "PRESETS",
    "PRESET_LABELS",
    "QUICK_PRESET",
    "baseline_configs",
    "knn_grid",
    "preset",
    "ranker_configs",
]


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


# The same models on the binary (watched / not watched) matrix, and item-KNN's explicit
# (mean-centred weighted average) variant: shown beside the shipped ones so the page measures
# what using how much a person liked each film is worth.
COMPARATORS: tuple[ModelConfig, ...] = (
    ModelConfig("EASE", hyper=(("lam", 400.0), ("input", "binary"))),
    ModelConfig("ItemKNN", hyper=(("shrink", 100.0), ("input", "binary"))),
    ModelConfig("ItemKNN", hyper=(("k", 20), ("shrink", 0.0), ("variant", "explicit"),
                                  ("min_nb", 3))),
    ModelConfig("ALS", hyper=(("input", "binary"),)),
)  # fmt: skip


def ranker_configs(
    algorithms: Iterable[str] = RANKING_ALGORITHMS, comparators: bool = True
) -> list[ModelConfig]:
    """Every top-N model at its shipped hyper-parameters (chosen by benchmarks/tune_rankers.py on
    validation splits inside the training folds, never on the reported test folds), and with
    ``comparators`` their binary-input and explicit variants."""
    shipped = [ModelConfig(algorithm) for algorithm in algorithms]
    return shipped + (list(COMPARATORS) if comparators else [])


# User-based KNN, the two rating baselines and every top-N model: a minute on ml-latest-small.
QUICK_PRESET: tuple[ModelConfig, ...] = (
    ModelConfig("KNNBaseline", "pearson_baseline", user_based=True),
    ModelConfig("KNNWithMeans", "msd", user_based=True),
    ModelConfig("KNNBasic", "cosine", user_based=True),
    ModelConfig("BaselineOnly"),
    ModelConfig("NormalPredictor"),
)

PRESET_LABELS = {
    "quick": "Quick (user KNN, baselines, top-N models)",
    "topn": "Top-N models and their baselines",
    "all": "Everything (32 KNN, 3 baselines, top-N models)",
}
PRESETS = tuple(PRESET_LABELS)


def preset(name: str) -> list[ModelConfig]:
    """Configurations of a named preset (:data:`PRESET_LABELS`); ``all`` is the default grid."""
    if name == "quick":
        return list(QUICK_PRESET) + ranker_configs(comparators=False)
    if name == "topn":
        best_knn = ModelConfig("KNNBaseline", "pearson_baseline", user_based=False)
        return ranker_configs() + [best_knn, ModelConfig("BaselineOnly")]
    if name in ("all", "all KNN"):
        return knn_grid() + baseline_configs() + ranker_configs()
    raise ValueError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
