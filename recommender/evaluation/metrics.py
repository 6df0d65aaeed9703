"""Accuracy and top-N ranking metrics, in plain numpy.

Rating accuracy is the usual RMSE / MAE over the test ratings of a fold.

Ranking metrics judge the top-N list the product shows (N = 5). They follow one precise protocol,
applied identically to every model:

* **Candidates** of a user: every movie of the *training* fold that the user has *not* rated in the
  training fold. Movies that only appear in the test fold cannot be recommended by a collaborative
  model, so they are not candidates.
* **Ranking**: candidates are ordered by the model's estimate (before clipping to the rating scale),
  highest first; ties are broken by popularity (number of ratings in the training fold, highest
  first) and then by the smaller movie id, so the order is fully deterministic. A missing estimate
  (NaN) ranks below every real one. The top-N are the first ``min(N, #candidates)`` movies.
* **Relevant** movies of a user: the user's test-fold ratings of 4.0 stars or more whose movie is a
  candidate.
* **precision@N** = hits / number of recommended movies (``min(N, #candidates)``);
  **recall@N** = hits / number of relevant movies;
  **NDCG@N** uses binary relevance: DCG = Σ hit_r / log2(r + 1) over ranks r = 1..N, divided by the
  ideal DCG of ``min(N, #relevant)`` hits at the top;
  **hit rate@N** = share of users with at least one hit.
  These four are averaged over the users that have at least one relevant movie (the others have
  nothing to find and are left out of these averages, not counted as zeros).
* **catalog coverage** = distinct movies recommended to anyone / number of movies in the training
  fold; **mean popularity** = mean number of training ratings of the recommended movies, over every
  (user, recommended movie) pair. Both use every user that has a top-N, relevant movies or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recommender.settings import TOP_N

__all__ = [
    "METRICS",
    "NO_ITEM",
    "RELEVANCE_THRESHOLD",
    "TOP_N",
    "Metric",
    "RankingMetrics",
    "mae",
    "metrics_in",
    "ranking_metrics",
    "rmse",
    "top_n",
]

RELEVANCE_THRESHOLD = 4.0
NO_ITEM = -1  # padding in top-N arrays of users with fewer than N candidates

MetricGroup = Literal["rating", "ranking", "cost"]


@dataclass(frozen=True)
class Metric:
    """One number the evaluation reports per configuration and fold, and how to show it.

    ``better`` is "lower", "higher" or None: None marks a metric with no winner (a property of a
    list, like its coverage, not a quality)."""

    name: str
    label: str
    group: MetricGroup
    better: Literal["lower", "higher"] | None
    digits: int = 3
    unit: str = ""
    help: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"

    def axis_title(self) -> str:
        """The label with its unit, for a chart axis."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def format(self, mean: float, std: float | None = None) -> str:
        """ "0.8525 ± 0.0040"; "–" for a missing value."""
        if mean != mean:  # NaN
            return "–"
        text = f"{mean:.{self.digits}f}"
        return text if std is None else f"{text} ± {std:.{self.digits}f}"


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("rmse", "RMSE", "rating", "lower", 4, "stars", "Root mean squared error of the test ratings"),
        Metric("mae", "MAE", "rating", "lower", 4, "stars", "Mean absolute error of the test ratings"),
        Metric("precision", f"Precision@{TOP_N}", "ranking", "higher", help="Share of the top-N that the user rated ≥ 4 in the test fold"),
        Metric("recall", f"Recall@{TOP_N}", "ranking", "higher", help="Share of the user's relevant test movies found in the top-N"),
        Metric("ndcg", f"NDCG@{TOP_N}", "ranking", "higher", help="Hits weighted by rank, against a perfect list"),
        Metric("hit_rate", f"Hit rate@{TOP_N}", "ranking", "higher", help="Share of users with at least one hit"),
        Metric("coverage", "Catalog coverage", "ranking", None, help="Share of the movies recommended to anyone"),
        Metric("mean_popularity", "Mean popularity", "ranking", None, 1, "training ratings", "Training ratings per recommended movie"),
        Metric("fit_seconds", "Fit time", "cost", "lower", 2, "s"),
        Metric("test_seconds", "Test time", "cost", "lower", 2, "s"),
        Metric("total_seconds", "Fit + test time", "cost", "lower", 2, "s"),
        Metric("rank_seconds", "Ranking time", "cost", "lower", 2, "s"),
    )
}  # fmt: skip
"""Every reported metric by name, in display order."""


def metrics_in(group: MetricGroup) -> list[Metric]:
    """The metrics of one group, in display order."""
    return [m for m in METRICS.values() if m.group == group]


def rmse(estimates: np.ndarray, truths: np.ndarray) -> float:
    """Root mean squared error; NaN for no ratings."""
    errors = np.asarray(estimates, dtype=float) - np.asarray(truths, dtype=float)
    return float(np.sqrt(np.mean(errors**2))) if errors.size else float("nan")


def mae(estimates: np.ndarray, truths: np.ndarray) -> float:
    """Mean absolute error; NaN for no ratings."""
    errors = np.asarray(estimates, dtype=float) - np.asarray(truths, dtype=float)
    return float(np.mean(np.abs(errors))) if errors.size else float("nan")


def top_n(
    scores: np.ndarray,
    excluded: np.ndarray,
    popularity: np.ndarray,
    item_ids: np.ndarray,
    n: int = TOP_N,
) -> np.ndarray:
    """Indices of the top ``n`` candidates of each row, best first, padded with ``NO_ITEM``.

    ``scores`` is (users × items); ``excluded`` a boolean array of the same shape marking
    non-candidates (movies the user already rated). Ties follow the module's protocol: higher
    ``popularity``, then smaller ``item_ids``.
    """
    scores = np.asarray(scores, dtype=float)
    n_users, n_items = scores.shape
    result = np.full((n_users, n), NO_ITEM, dtype=np.int64)
    if n_items == 0 or n == 0:
        return result
    # NaN and excluded both become -inf; excluded ones are removed exactly by the mask below.
    ranked = np.where(np.isnan(scores) | excluded, -np.inf, scores)
    kth = min(n, n_items) - 1
    # The n-th best score per row: every item scoring at least that may be in the top n (ties).
    threshold = -np.partition(-ranked, kth, axis=1)[:, kth]
    # Tie-break keys, most significant last for lexsort: score desc, popularity desc, id asc.
    for row in range(n_users):
        # With fewer than n real scores the threshold is -inf and every candidate qualifies.
        candidates = np.flatnonzero((ranked[row] >= threshold[row]) & ~excluded[row])
        order = np.lexsort(
            (item_ids[candidates], -popularity[candidates], -ranked[row, candidates])
        )
        best = candidates[order[:n]]
        result[row, : best.size] = best
    return result


@dataclass(frozen=True)
class RankingMetrics:
    """Top-N metrics of one model on one fold (see the module docstring for definitions)."""

    precision: float
    recall: float
    ndcg: float
    hit_rate: float
    coverage: float
    mean_popularity: float
    users_evaluated: int  # users with at least one relevant movie
    users_ranked: int  # users with a top-N list


def ranking_metrics(
    recommended: np.ndarray,
    relevant: list[np.ndarray],
    popularity: np.ndarray,
    n_catalog: int,
) -> RankingMetrics:
    """Score top-N lists against relevant movies.

    ``recommended`` is (users × N) of item indices padded with ``NO_ITEM`` (from :func:`top_n`);
    ``relevant[u]`` holds the relevant item indices of the same user; ``popularity[i]`` the number
    of training ratings of item ``i``; ``n_catalog`` the number of items in the training fold.
    """
    recommended = np.asarray(recommended, dtype=np.int64)
    if recommended.ndim != 2 or recommended.shape[0] != len(relevant):
        raise ValueError("recommended must be (users × N) with one relevant array per user")
    n = recommended.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, n + 2))
    precisions, recalls, ndcgs, hits_any = [], [], [], []
    shown: list[np.ndarray] = []
    users_ranked = 0
    for row, rel in zip(recommended, relevant, strict=True):
        items = row[row != NO_ITEM]
        if items.size:
            users_ranked += 1
            shown.append(items)
        rel = np.asarray(rel)
        if rel.size == 0:
            continue
        hit = np.isin(row, rel) & (row != NO_ITEM)
        n_hits = int(hit.sum())
        precisions.append(n_hits / items.size if items.size else 0.0)
        recalls.append(n_hits / rel.size)
        ideal = discounts[: min(n, rel.size)].sum()
        ndcgs.append(float((hit * discounts).sum() / ideal))
        hits_any.append(n_hits > 0)
    all_shown = np.concatenate(shown) if shown else np.empty(0, dtype=np.int64)

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else float("nan")

    return RankingMetrics(
        precision=mean(precisions),
        recall=mean(recalls),
        ndcg=mean(ndcgs),
        hit_rate=mean(hits_any),
        coverage=float(np.unique(all_shown).size / n_catalog) if n_catalog else float("nan"),
        mean_popularity=float(np.asarray(popularity)[all_shown].mean())
        if all_shown.size
        else float("nan"),
        users_evaluated=len(precisions),
        users_ranked=users_ranked,
    )
