"""One step of a grid: configurations fitted, tested and ranked on one fold."""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recommender.evaluation import metrics
from recommender.evaluation.folds import DEFAULT_RANKING_USERS, Fold
from recommender.evaluation.metrics import PER_USER_METRICS
from recommender.evaluation.ranking import rank_many
from recommender.evaluation.results import FoldResult
from recommender.models import Engine, ModelConfig

__all__ = ["evaluate_fold", "evaluate_fold_group", "run_step", "share_groups"]

RANKING_FIELDS = (
    "precision", "recall", "ndcg", "hit_rate", "coverage", "mean_popularity", "novelty",
    "diversity", "gini",
)  # fmt: skip


@dataclass
class _Fitted:
    """A configuration fitted on a fold, with its rating predictions (empty for rankers)."""

    position: int
    algo: Any
    fit_seconds: float
    test_seconds: float
    estimates: np.ndarray
    truths: np.ndarray


def evaluate_fold(
    config: ModelConfig,
    fold: Fold,
    engine: Engine = "fast",
    ranking: bool = True,
    ranking_users: int | str | None = DEFAULT_RANKING_USERS,
) -> FoldResult:
    """Fit ``config`` on the fold's trainset and measure it on its testset."""
    outcome = evaluate_fold_group([config], fold, engine, ranking, ranking_users)[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _fit_and_test(position: int, config: ModelConfig, fold: Fold, engine: Engine) -> _Fitted:
    """Fit on the training fold; models that predict ratings are also tested on the test fold."""
    algo = config.build(engine)
    start = time.perf_counter()
    if config.is_ranker:
        algo.fit(fold.matrix)
        fitted_at = time.perf_counter()
        return _Fitted(position, algo, fitted_at - start, 0.0, np.empty(0), np.empty(0))
    algo.fit(fold.trainset)
    fitted_at = time.perf_counter()
    predictions = algo.test(fold.testset)
    tested = time.perf_counter()
    count = len(predictions)
    estimates = np.fromiter((p.est for p in predictions), dtype=float, count=count)
    truths = np.fromiter((p.r_ui for p in predictions), dtype=float, count=count)
    return _Fitted(position, algo, fitted_at - start, tested - fitted_at, estimates, truths)


def _fold_result(fold: Fold, fit: _Fitted, result: metrics.RankingMetrics | None,
                 rank_seconds: float, users: np.ndarray | None) -> FoldResult:  # fmt: skip
    values = {"fit_seconds": fit.fit_seconds}
    if fit.estimates.size:
        values |= {
            "rmse": metrics.rmse(fit.estimates, fit.truths),
            "mae": metrics.mae(fit.estimates, fit.truths),
            "test_seconds": fit.test_seconds,
        }
    if result is None:
        return FoldResult(fold.index, values)
    values["rank_seconds"] = rank_seconds
    values |= {m: getattr(result, m) for m in RANKING_FIELDS}
    per_user = {}
    if users is not None and len(result.per_user.get("row", ())):
        rows = result.per_user["row"]
        per_user = {"user": fold.user_ids[users[rows]].tolist()}
        per_user |= {m: np.round(result.per_user[m], 5).tolist() for m in PER_USER_METRICS}
    return FoldResult(fold.index, values, result.users_evaluated, per_user)


def evaluate_fold_group(
    configs: Sequence[ModelConfig],
    fold: Fold,
    engine: Engine = "fast",
    ranking: bool = True,
    ranking_users: int | str | None = DEFAULT_RANKING_USERS,
) -> list[FoldResult | BaseException]:
    """:func:`evaluate_fold` for several configurations on one fold (a result or the exception
    per configuration). Ranking is done for all of them together, so KNN configurations that
    differ only by algorithm share the similarity and neighbour selection; each is charged an
    equal share of that ranking time."""
    fitted: list[_Fitted] = []
    outcomes: list[FoldResult | BaseException | None] = [None] * len(configs)
    for n, config in enumerate(configs):
        try:
            fitted.append(_fit_and_test(n, config, fold, engine))
        except Exception as exc:
            outcomes[n] = exc
    ranked: list[metrics.RankingMetrics | None] = [None] * len(fitted)
    rank_seconds, users = math.nan, None
    if ranking and fitted:
        started = time.perf_counter()
        users = fold.ranking_users(ranking_users)
        try:
            ranked = rank_many([f.algo for f in fitted], fold, ranking_users)
        except Exception as exc:
            for f in fitted:
                outcomes[f.position] = exc
            return outcomes  # type: ignore[return-value]
        rank_seconds = (time.perf_counter() - started) / len(fitted)
    for fit, result in zip(fitted, ranked, strict=True):
        outcomes[fit.position] = _fold_result(fold, fit, result, rank_seconds, users)
    return outcomes  # type: ignore[return-value]


def share_groups(configs: Sequence[ModelConfig]) -> list[list[ModelConfig]]:
    """Configurations that differ only by KNN algorithm, together (their neighbours are shared);
    every other configuration alone. Order of first appearance."""
    groups: dict[Any, list[ModelConfig]] = {}
    for config in configs:
        key = (
            (config.similarity, config.user_based, config.k, config.min_k)
            if config.is_knn
            else config
        )
        groups.setdefault(key, []).append(config)
    return list(groups.values())


def error_text(error: BaseException) -> str:
    where = traceback.extract_tb(error.__traceback__)
    last = f" (at {Path(where[-1].filename).name}:{where[-1].lineno})" if where else ""
    return f"{type(error).__name__}: {error}{last}"


def run_step(
    configs: Sequence[ModelConfig],
    fold: Fold,
    engine: Engine,
    ranking: bool,
    ranking_users: int | str | None,
) -> list[FoldResult | str]:
    """Configurations (one share group) on one fold; the error text for those that fail."""
    try:
        outcomes = evaluate_fold_group(configs, fold, engine, ranking, ranking_users)
    except Exception as exc:  # one failing configuration must not stop the grid
        return [error_text(exc)] * len(configs)
    return [error_text(o) if isinstance(o, BaseException) else o for o in outcomes]


_worker_folds: list[Fold] = []
