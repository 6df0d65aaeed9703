"""Cross-validated comparison of model configurations on the same seeded folds, with a disk cache.

Every configuration of a grid is fitted and tested on *the same* K folds (:mod:`~.folds`). Per
configuration and fold it records the metrics of :data:`~.metrics.METRICS` (RMSE, MAE, the top-N
ranking metrics of the protocol in :mod:`~.metrics`, times). Modules: :mod:`~.grids` (which
configurations), :mod:`~.fold_step` (one configuration group on one fold), :mod:`~.ranking`
(scoring every user of a fold), :mod:`~.runner` and :mod:`~.parallel` (the grid, in-process or in
worker processes), :mod:`~.results` and :mod:`~.store` (results and their JSON cache),
:mod:`~.tables` and :mod:`~.charts` (what the Compare models page shows).
"""

from recommender.evaluation.fold_step import evaluate_fold, evaluate_fold_group
from recommender.evaluation.folds import (
    DEFAULT_FOLDS,
    DEFAULT_RANKING_USERS,
    DEFAULT_SEED,
    RANKING_ALL,
    Fold,
    make_folds,
    ranking_users_value,
)
from recommender.evaluation.grids import (
    PRESETS,
    QUICK_PRESET,
    baseline_configs,
    knn_grid,
    preset,
)
from recommender.evaluation.metrics import METRICS, Metric, metrics_in
from recommender.evaluation.ranking import rank_fold, user_scores
from recommender.evaluation.results import (
    ConfigResult,
    FoldResult,
    GridResult,
    GridSettings,
    Progress,
)
from recommender.evaluation.runner import run_grid
from recommender.evaluation.store import (
    all_cached_results,
    best_cached_config,
    cache_path,
    cached_results,
    results_dir,
)
from recommender.evaluation.tables import best_per_metric, fold_table, summary_table

__all__ = [
    "DEFAULT_FOLDS",
    "DEFAULT_RANKING_USERS",
    "DEFAULT_SEED",
    "METRICS",
    "PRESETS",
    "QUICK_PRESET",
    "RANKING_ALL",
    "ConfigResult",
    "Fold",
    "FoldResult",
    "GridResult",
    "GridSettings",
    "Metric",
    "Progress",
    "all_cached_results",
    "baseline_configs",
    "best_cached_config",
    "best_per_metric",
    "cache_path",
    "cached_results",
    "evaluate_fold",
    "evaluate_fold_group",
    "fold_table",
    "knn_grid",
    "make_folds",
    "metrics_in",
    "preset",
    "rank_fold",
    "ranking_users_value",
    "results_dir",
    "run_grid",
    "summary_table",
    "user_scores",
]
