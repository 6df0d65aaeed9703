"""The top-N protocol in numpy: choosing each user's list and scoring the lists.

Definitions are in :mod:`recommender.evaluation.metrics` (the module docstring); this module is
their implementation: :func:`top_n` builds the lists, :func:`ranking_metrics` scores them (means,
per-user values for paired comparisons, and the beyond-accuracy measures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["NO_ITEM", "RankingMetrics", "gini", "ranking_metrics", "top_n"]

NO_ITEM = -1  # padding in top-N arrays of users with fewer than N candidates


def top_n(
    scores: np.ndarray,
    excluded: np.ndarray,
    popularity: np.ndarray,
    item_ids: np.ndarray,
    n: int = 5,
) -> np.ndarray:
    """Indices of the top ``n`` candidates of each row, best first, padded with ``NO_ITEM``.

    ``scores`` is (users × items); ``excluded`` a boolean array of the same shape marking
    non-candidates (movies the user already rated). Ties follow the protocol: higher
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
    """Top-N metrics of one model on one fold (definitions: :mod:`~.metrics`).

    ``per_user`` holds, for the users with at least one relevant movie, their row in the lists
    (``"row"``) and their precision, recall and NDCG: the paired comparisons use them."""

    precision: float
    recall: float
    ndcg: float
    hit_rate: float
    coverage: float
    mean_popularity: float
    users_evaluated: int  # users with at least one relevant movie
    users_ranked: int  # users with a top-N list
    novelty: float = float("nan")
    diversity: float = float("nan")
    gini: float = float("nan")
    per_user: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def gini(counts: np.ndarray) -> float:
    """Gini index of non-negative counts (0: all equal; → 1: all on one)."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


def _diversity(lists: list[np.ndarray], genres: sp.csr_matrix) -> float:
    """Mean over lists of the mean pairwise Jaccard distance of their movies' genre sets."""
    values = []
    for items in lists:
        if items.size < 2:
            continue
        g = genres[items].astype(np.float64)
        inter = (g @ g.T).toarray()
        sizes = np.asarray(g.sum(axis=1)).ravel()
        union = sizes[:, None] + sizes[None, :] - inter
        with np.errstate(invalid="ignore", divide="ignore"):
            distance = np.where(union > 0, 1.0 - inter / union, 0.0)
        upper = np.triu_indices(items.size, k=1)
        values.append(distance[upper].mean())
    return float(np.mean(values)) if values else float("nan")


def _per_user_scores(recommended: np.ndarray, relevant: list[np.ndarray]) -> dict[str, list[float]]:
    n = recommended.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, n + 2))
    out: dict[str, list] = {"row": [], "precision": [], "recall": [], "ndcg": [], "hit": []}
    for row_index, (row, rel) in enumerate(zip(recommended, relevant, strict=True)):
        rel = np.asarray(rel)
        if rel.size == 0:
            continue
        shown = int((row != NO_ITEM).sum())
        hit = np.isin(row, rel) & (row != NO_ITEM)
        n_hits = int(hit.sum())
        out["row"].append(row_index)
        out["precision"].append(n_hits / shown if shown else 0.0)
        out["recall"].append(n_hits / rel.size)
        out["ndcg"].append(float((hit * discounts).sum() / discounts[: min(n, rel.size)].sum()))
        out["hit"].append(n_hits > 0)
    return out


def ranking_metrics(
    recommended: np.ndarray,
    relevant: list[np.ndarray],
    popularity: np.ndarray,
    n_catalog: int,
    *,
    n_users: int | None = None,
    genres: sp.csr_matrix | None = None,
) -> RankingMetrics:
    """Score top-N lists against relevant movies.

    ``recommended`` is (users × N) of item indices padded with ``NO_ITEM`` (from :func:`top_n`);
    ``relevant[u]`` holds the relevant item indices of the same user; ``popularity[i]`` the number
    of training ratings of item ``i``; ``n_catalog`` the number of items in the training fold.
    ``n_users`` (training users) gives novelty, ``genres`` (items × genres, 0/1) diversity.
    """
    recommended = np.asarray(recommended, dtype=np.int64)
    if recommended.ndim != 2 or recommended.shape[0] != len(relevant):
        raise ValueError("recommended must be (users × N) with one relevant array per user")
    per = _per_user_scores(recommended, relevant)
    lists = [row[row != NO_ITEM] for row in recommended]
    lists = [items for items in lists if items.size]
    shown = np.concatenate(lists) if lists else np.empty(0, dtype=np.int64)
    popularity = np.asarray(popularity, dtype=np.float64)

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else float("nan")

    novelty = float("nan")
    if n_users and shown.size:
        novelty = float(np.mean(-np.log2(np.maximum(popularity[shown], 1.0) / n_users)))
    return RankingMetrics(
        precision=mean(per["precision"]),
        recall=mean(per["recall"]),
        ndcg=mean(per["ndcg"]),
        hit_rate=mean(per["hit"]),
        coverage=float(np.unique(shown).size / n_catalog) if n_catalog else float("nan"),
        mean_popularity=float(popularity[shown].mean()) if shown.size else float("nan"),
        users_evaluated=len(per["precision"]),
        users_ranked=len(lists),
        novelty=novelty,
        diversity=_diversity(lists, genres) if genres is not None else float("nan"),
        gini=gini(np.bincount(shown, minlength=n_catalog)) if shown.size else float("nan"),
        per_user={k: np.asarray(v) for k, v in per.items() if k != "hit"},
    )
