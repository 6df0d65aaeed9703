"""Readable tables of grid results: one row per configuration, or per configuration × fold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from recommender.evaluation.metrics import METRICS
from recommender.evaluation.results import ConfigResult
from recommender.evaluation.significance import Comparison
from recommender.models import ModelConfig

__all__ = [
    "best_per_metric",
    "display_table",
    "fold_table",
    "model_kind",
    "ranking_view",
    "summary_table",
    "verdict_text",
]


def model_kind(config: ModelConfig) -> str:
    """The family a configuration belongs to, for legends and grouping."""
    if config.is_ranker:
        return "top-N model" if config.spec.family != "popularity" else "popularity baseline"
    if config.is_knn:
        return f"{'user' if config.user_based else 'item'}-based KNN"
    return "rating baseline"


def summary_table(results: Sequence[ConfigResult]) -> pd.DataFrame:
    """One row per configuration: mean and std over folds of every metric, plus the error."""
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "key": r.config.key,
            "model": r.config.label,
            "algorithm": r.config.algorithm,
            "kind": model_kind(r.config),
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
    """Key of the best configuration for each quality metric of :data:`~.metrics.METRICS`: one
    with a winner (``better`` set) that is not a cost (the "fastest" model is always a trivial
    baseline such as NormalPredictor, which is best at nothing that matters)."""
    best = {}
    for metric in METRICS.values():
        name = metric.name
        meaningless = metric.better is None or metric.group == "cost"
        if meaningless or name not in table or table[name].isna().all():
            continue
        column = table[name]
        index = column.idxmin() if metric.lower_is_better else column.idxmax()
        best[name] = str(table.loc[index, "key"])
    return best


def display_table(table: pd.DataFrame, metric_names: list[str]) -> pd.DataFrame:
    """Readable "mean ± std" columns of :func:`summary_table` for the page and its CSV; "—" where
    a metric does not apply (rankers predict no ratings). A Status column only if something
    failed."""
    frame = pd.DataFrame({"Model": table["model"]})
    for name in metric_names:
        metric = METRICS[name]
        frame[metric.label] = [
            metric.format(a, b) for a, b in zip(table[name], table[f"{name}_std"], strict=True)
        ]
    if (table["error"] != "").any():
        frame["Status"] = [f"❌ {e}" if e else "✅" for e in table["error"]]
    return frame.set_axis(table.index)


def verdict_text(comparison: Comparison, digits: int = 3) -> str:
    """A paired comparison in words: "best", "tied with the best (Δ -0.004 [-0.011, 0.003])"…"""
    if comparison.verdict == "reference":
        return "best"
    if comparison.n_pairs == 0:
        return "no per-user values"
    delta = (
        f"Δ {comparison.mean_difference:+.{digits}f} "
        f"[{comparison.ci_low:+.{digits}f}, {comparison.ci_high:+.{digits}f}]"
    )
    words = {"tied": "tied with the best", "worse": "worse", "better": "better"}
    return f"{words[comparison.verdict]} ({delta}, p={comparison.p_value:.2g})"


def ranking_view(
    table: pd.DataFrame, comparisons: Sequence[Comparison], metric_names: list[str]
) -> pd.DataFrame:
    """The top-N table, best NDCG first, with each model's paired comparison to the best."""
    shown = display_table(table, metric_names)
    by_key = {c.model: verdict_text(c) for c in comparisons}
    shown["vs best (NDCG@5, paired)"] = [by_key.get(k, "—") for k in table["key"]]
    order = table["ndcg"].fillna(-1.0).sort_values(ascending=False, kind="stable").index
    return shown.loc[order]
