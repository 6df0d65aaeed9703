"""The four KNN estimate formulas, in one table used by every path of the engine.

With x the entities compared (users when user-based, items otherwise), the neighbours N^k of a
(user, item) pair are the k most similar x' that rated it, and only those with sim > 0 count
(``actual_k`` of them). Every algorithm estimates

    r̂ = center + scale · Σ sim(x, x') · term(x') / Σ sim(x, x')

with, per algorithm (b_ui = μ + b_u + b_i is the baseline, μ_x and σ_x x's mean and spread):

| algorithm | term of a neighbour rating r | center | scale | fewer than min_k neighbours |
|---|---|---|---|---|
| KNNBasic | r | 0 | 1 | impossible: the global mean μ |
| KNNWithMeans | r − μ_x' | μ_x | 1 | the center alone |
| KNNWithZScore | (r − μ_x') / σ_x' | μ_x | σ_x | the center alone |
| KNNBaseline | r − b_x'y | b_ui | 1 | the center alone |

A σ_x of 0 is replaced by the spread of all ratings; if that is 0 too (every rating equal), the
KNNWithZScore estimate is NaN wherever neighbours are aggregated, as in Surprise.

:func:`estimate` is that table in compiled form; the per-prediction path (``test`` / ``predict``),
the score-from-a-history path (fold-in, explanations) and the bulk scorer all call it through
:func:`estimates` or :func:`assemble_block`, and :func:`neighbour_terms` gives the terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from recommender.knn._kernels import n_chunks, run_chunks

__all__ = [
    "FORMULAS",
    "Centers",
    "Formula",
    "assemble_block",
    "estimate",
    "estimates",
    "neighbour_terms",
]

BASIC, WITH_MEANS, WITH_ZSCORE, BASELINE = 0, 1, 2, 3


@dataclass(frozen=True)
class Formula:
    """One row of the table."""

    code: int
    uses_baselines: bool = False  # the center and terms need b_u, b_i
    impossible_if_few: bool = False  # fewer than min_k neighbours: no prediction (global mean)

    @property
    def divides_terms(self) -> bool:
        """Surprise adds sim·(r − μ)/σ term by term (not sim·term with σ folded in)."""
        return self.code == WITH_ZSCORE


FORMULAS: dict[str, Formula] = {
    "KNNBasic": Formula(BASIC, impossible_if_few=True),
    "KNNWithMeans": Formula(WITH_MEANS),
    "KNNWithZScore": Formula(WITH_ZSCORE),
    "KNNBaseline": Formula(BASELINE, uses_baselines=True),
}


class Centers(NamedTuple):
    """What the centers and scales are made of: the global mean, per-x means and spreads, and the
    user / item baselines (length-1 zeros when unused). Indexed by x, u and i of each cell."""

    mu: float
    means: np.ndarray
    sigmas: np.ndarray
    bu: np.ndarray
    bi: np.ndarray


@njit(cache=True, nogil=True, inline="always")
def estimate(code, agg, min_k, c, cell):
    """The table above for one cell: aggregates ``agg`` = (num, den, kk) and ``cell`` =
    (x, user, item)."""
    num, den, kk = agg
    x, u, i = cell
    ok = kk >= min_k
    agg = num / den if (ok and den != 0.0) else 0.0
    if code == BASIC:
        return agg if ok else c.mu
    if code == WITH_MEANS:
        return c.means[x] + agg
    if code == WITH_ZSCORE:
        return c.means[x] + agg * c.sigmas[x]
    return ((c.mu + c.bu[u]) + c.bi[i]) + agg


@njit(cache=True, nogil=True)
def estimates(code, agg, cells, min_k, c):
    """:func:`estimate` for flat arrays: ``agg`` = (num, den, kk), ``cells`` = (x, u, i)."""
    num, den, kk = agg
    xs, us, its = cells
    out = np.empty(num.size)
    for n in range(num.size):
        out[n] = estimate(code, (num[n], den[n], kk[n]), min_k, c, (xs[n], us[n], its[n]))
    return out


@njit(cache=True, nogil=True)
def _assemble_rows(c, chunks, spec, agg, users, cen, out):
    code, user_based, min_k = spec
    num, den, kk = agg
    for r in range(c, out.shape[0], chunks):
        u = users[r]
        for i in range(out.shape[1]):
            if user_based:
                agg_ri = (num[r, i], den[r, i], kk[r, i])
                out[r, i] = estimate(code, agg_ri, min_k, cen, (u, u, i))
            else:
                agg_ir = (num[i, r], den[i, r], kk[i, r])
                out[r, i] = estimate(code, agg_ir, min_k, cen, (i, u, i))


def assemble_block(
    code: int, agg: tuple, user_based: bool, users: np.ndarray, min_k: int, c: Centers,
    out: np.ndarray,
) -> None:  # fmt: skip
    """:func:`estimate` for a bulk block: ``out[r, i]`` for user ``users[r]`` and item i, with
    ``agg`` = (num, den, kk) indexed [r, i] if ``user_based`` else [i, r]."""
    spec = (code, user_based, min_k)
    run_chunks(_assemble_rows, n_chunks(), spec, agg, users, c, out)


def neighbour_terms(
    formula: Formula,
    ratings: np.ndarray,
    neighbours: np.ndarray,
    c: Centers,
    bx: np.ndarray | None,
    y_bias: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(term, divisor or None) of each neighbour rating, by the table: Surprise adds
    sim·term (/ divisor). ``neighbours`` are the x' that gave ``ratings``; ``bx`` the x-side
    baselines (b_u if user-based, b_i if item-based) and ``y_bias`` the other side's."""
    ratings = np.asarray(ratings, dtype=np.float64)
    if formula.code == BASIC:
        return ratings, None
    if formula.code == WITH_MEANS:
        return ratings - c.means[neighbours], None
    if formula.code == WITH_ZSCORE:
        pv, div = ratings - c.means[neighbours], c.sigmas[neighbours]
        zero = div == 0.0  # all ratings equal (a 0 spread is replaced by the overall one)
        if zero.any():  # Surprise's numpy (sim·(r − μ)) / 0 is NaN or ±inf, and so its estimate
            with np.errstate(divide="ignore", invalid="ignore"):
                pv = np.where(zero, pv / div, pv)
            div = np.where(zero, 1.0, div)
        return pv, div
    if bx is None:
        raise ValueError("KNNBaseline terms need the baselines")
    return ratings - ((c.mu + bx[neighbours]) + y_bias), None
