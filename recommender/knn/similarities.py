"""Similarity measures, as ``surprise.similarities`` defines them, and Surprise's neighbour choice.

Let x be the entities compared (users when ``user_based`` else items) and y the others. Over the
y that rated both x and x' (``freq`` of them), with r the ratings and, for pearson_baseline,
d = r - b the baseline residuals, Surprise accumulates ``prods`` = Σ r·r' (Σ d·d'), ``sqi`` = Σ r²,
``sqj`` = Σ r'², ``si`` = Σ r, ``sj`` = Σ r' and sets (0 wherever ``freq < min_support``)::

    cosine            = prods / sqrt(sqi * sqj)
    msd               = 1 / ((sqi + sqj - 2 prods) / freq + 1)
    pearson           = (n prods - si sj) / sqrt((n sqi - si^2) (n sqj - sj^2)),  n = freq; 0 if the
                        denominator is 0
    pearson_baseline  = prods / sqrt(sqi * sqj) * (freq - 1) / (freq - 1 + shrinkage),
                        with min_support raised to at least 2

:mod:`recommender.knn._kernels` computes these in one compiled pass per target row.
:func:`topk_mask` reproduces ``heapq.nlargest``'s tie-breaking on a dense block of similarities:
among equal similarities the neighbour listed first in ``ur``/``ir`` wins.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MEASURES", "topk_mask"]

MEASURES = ("cosine", "msd", "pearson", "pearson_baseline")


def topk_mask(sim: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the neighbours Surprise aggregates, row by row.

    ``heapq.nlargest(k, ...)`` keeps the k largest similarities, earlier columns first among equal
    values; of those, only similarities > 0 are aggregated.
    """
    positive = sim > 0
    m, c = sim.shape
    if c <= k:
        return positive
    rows = np.flatnonzero(positive.sum(axis=1) > k)
    if rows.size == 0:
        return positive
    sub = sim[rows]
    kth = np.partition(sub, c - k, axis=1)[:, c - k][:, None]
    greater = sub > kth
    need = k - greater.sum(axis=1)
    equal = sub == kth
    chosen = greater | (equal & (np.cumsum(equal, axis=1) <= need[:, None]))
    positive[rows] = chosen & (sub > 0)
    return positive
