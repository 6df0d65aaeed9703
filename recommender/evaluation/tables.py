"""Readable tables of grid results: one row per configuration, or per configuration × fold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from recommender.evaluation.metrics import METRICS
from recommender.evaluation.results import ConfigResult

__all__ = ["best_per_metric", "fold_table", "summary_table"]


def summary_table(results: Sequence[ConfigResult]) -> pd.DataFrame:
    """One row per configuration: mean and std over folds of every metric, plus the error."""
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "key": r.config.key,
            "model": r.config.label,
            "algorithm": r.config.algorithm,
            "similarity": r.config.similarity or "",
            "based": ("user" if r.config.user_based else "item") if r.config.is_knn else "",
            "k": r.config.k if r.config.is_knn else None,
            "min_k": r.config.min_k if r.config.is_knn else None,
            "engine": r.engine,
            "folds": len(r.folds),
            "cached": r.cached,
            "error": r.error or "",
        }
        for metric in METRICS:
            row[metric] = r.mean(metric)
            row[f"{metric}_std"] = r.std(metric)
        rows.append(row)
    table = pd.DataFrame(rows)
    if not rows:
        return table
    table["k"] = table["k"].astype("Int64")
    table["min_k"] = table["min_k"].astype("Int64")
    return table


def fold_table(results: Sequence[ConfigResult]) -> pd.DataFrame:
    """One row per configuration × fold."""
    rows = [
        {
            "key": r.config.key,
            "model": r.config.label,
            "fold": f.fold,
            **{m: f.get(m) for m in METRICS},
            "users_evaluated": f.users_evaluated,
        }
        for r in results
        for f in r.folds
    ]
    return pd.DataFrame(rows)


def best_per_metric(table: pd.DataFrame) -> dict[str, str]:
    """Key of the best configuration for each metric of :data:`~.metrics.METRICS` that has a
    winner (``better`` set)."""
    best = {}
    for metric in METRICS.values():
        name = metric.name
        if metric.better is None or name not in table or table[name].isna().all():
            continue
        column = table[name]
        index = column.idxmin() if metric.lower_is_better else column.idxmax()
        best[name] = str(table.loc[index, "key"])
    return best
