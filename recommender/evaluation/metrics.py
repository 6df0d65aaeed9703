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

Beyond accuracy (every user with a top-N; :mod:`~.topn` computes them):

* **novelty** = mean self-information of the recommended movies, −log2(n_i / n_users), with n_i the
  movie's training ratings and n_users the training users (Zhou et al. 2010): higher = less known;
* **intra-list diversity** = mean over users of the mean pairwise Jaccard distance between the
  genre sets of the movies in their list (1 − |G_a ∩ G_b| / |G_a ∪ G_b|; two movies without genres
  are at distance 0, one without genres is at distance 1 from any other);
* **Gini index of exposure** over every training movie's number of appearances in all the lists
  (0: every movie shown equally often; 1: one movie shown to everyone).

These describe a list; none of them is "better" on its own (a random list is novel, diverse and
equal): the page shows them beside accuracy, not as winners.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recommender.evaluation.topn import NO_ITEM, RankingMetrics, ranking_metrics, top_n
from recommender.settings import TOP_N

__all__ = [
    "METRICS",
    "NO_ITEM",
    "PER_USER_METRICS",
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
PER_USER_METRICS = ("precision", "recall", "ndcg")
"""Metrics kept per user and fold, for paired comparisons between models."""

MetricGroup = Literal["rating", "ranking", "beyond", "cost"]


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
        """ "0.8525 ± 0.0040"; "—" for a missing value (the metric does not apply)."""
        if mean != mean:  # NaN
            return "—"
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
        Metric("coverage", "Catalog coverage", "beyond", None, help="Share of the movies recommended to anyone"),
        Metric("mean_popularity", "Mean popularity", "beyond", None, 1, "training ratings", "Training ratings per recommended movie"),
        Metric("novelty", "Novelty", "beyond", None, 2, "bits", "Mean self-information −log2(share of users who rated it) of the recommended movies"),
        Metric("diversity", "Intra-list diversity", "beyond", None, help="Mean pairwise genre (Jaccard) distance within a list"),
        Metric("gini", "Gini of exposure", "beyond", None, help="Inequality of how often each movie is recommended (0 equal, 1 one movie)"),
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
