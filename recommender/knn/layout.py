"""Everything a fitted KNN model holds, computed once in ``fit``: rating layouts, means, baselines,
neighbour terms and the similarity source.

Two CSR layouts of the training ratings serve every kernel (:mod:`recommender.knn._kernels`):
``xs`` (x -> its y's, ascending y, with similarity values) and ``yr`` (y -> its x's in Surprise's
``yr[y]`` order). ``ur`` / ``ir`` keep the ratings per user / item as Surprise lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.knn import _kernels as kern
from recommender.knn.baselines import baselines
from recommender.knn.formulas import Centers, neighbour_terms
from recommender.knn.similarities import MEASURES

__all__ = ["FittedLayout", "fit_layout"]


@dataclass(frozen=True)
class FittedLayout:
    """The fitted state of one KNN model (read-only after ``fit``)."""

    user_based: bool
    sim_name: str
    n_x: int
    n_y: int
    ur: kern.CSR  # user -> (item, rating), Surprise's ur order
    ir: kern.CSR  # item -> (user, rating), Surprise's ir order
    centers: Centers
    overall_sigma: float
    bu: np.ndarray | None
    bi: np.ndarray | None
    neighbourhood: kern.Neighbourhood
    terms: kern.Terms  # neighbour terms in yr order
    xs_q: np.ndarray  # for each xs rating, its index in yr (bulk scoring's tie order)
    nbrs_csc: sp.csc_matrix | None  # save_nbrs mode: the truncated neighbours by column

    @property
    def bx(self) -> np.ndarray | None:
        """Baselines of the entities compared (b_u if user-based, else b_i)."""
        return self.bu if self.user_based else self.bi

    @property
    def keeps_statistics(self) -> bool:
        return self.neighbourhood.source != kern.SRC_NBRS


def _csr(ptr_of: np.ndarray, n: int, idx: np.ndarray, val: np.ndarray) -> kern.CSR:
    ptr = np.r_[0, np.cumsum(np.bincount(ptr_of, minlength=n))].astype(np.int64)
    return kern.CSR(ptr, np.ascontiguousarray(idx, np.int64), np.ascontiguousarray(val, np.float64))


def _measure(model: Any) -> tuple[str, kern.Measure]:
    name = model.sim_options.get("name", "msd").lower()
    if name not in MEASURES:
        raise NameError(f"Wrong sim name {name}. Allowed values are {', '.join(MEASURES)}.")
    min_support = int(model.sim_options.get("min_support", 1))
    if name == "pearson_baseline":
        min_support = max(2, min_support)
    shrinkage = float(model.sim_options.get("shrinkage", 100))
    return name, kern.Measure(kern.MEASURE_CODES[name], float(min_support), shrinkage)


def _moments(x_idx: np.ndarray, r: np.ndarray, n_x: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-x means and standard deviations (0 spread replaced by the overall one), and the
    overall standard deviation."""
    count = np.bincount(x_idx, minlength=n_x).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(x_idx, weights=r, minlength=n_x) / count
        dev = r - means[x_idx]
        sig = np.sqrt(np.bincount(x_idx, weights=dev * dev, minlength=n_x) / count)
    overall = float(np.std(r))
    return means, np.where(sig == 0.0, overall, sig), overall


def _xs_q(xs: kern.CSR, yr: kern.CSR, n_x: int, n_y: int) -> np.ndarray:
    """For every rating of the ``xs`` layout, its index in the ``yr`` layout."""
    xs_x = np.repeat(np.arange(n_x, dtype=np.int64), np.diff(xs.ptr))
    yr_y = np.repeat(np.arange(n_y, dtype=np.int64), np.diff(yr.ptr))
    key_yr = yr_y * n_x + yr.idx
    order = np.argsort(key_yr, kind="stable")
    return order[np.searchsorted(key_yr, xs.idx * n_x + xs_x, sorter=order)].astype(np.int64)


def fit_layout(
    model: Any,
    ratings: tuple[np.ndarray, np.ndarray, np.ndarray],
    item_order: np.ndarray,
    global_mean: float | None,
) -> FittedLayout:
    """The fitted state of ``model`` (its options: sim/bsl options, k, budget, save_nbrs) for
    ratings (u, i, r) in ``ur`` order; ``item_order`` permutes them into ``ir`` order."""
    u, i, r = ratings
    n_users, n_items = model.n_users_, model.n_items_
    sim_name, measure = _measure(model)
    ub = bool(model.sim_options["user_based"])
    mu = float(np.mean(r)) if global_mean is None else float(global_mean)
    bu = bi = None
    if model.formula.uses_baselines or sim_name == "pearson_baseline":
        bu, bi = baselines(model.bsl_options, u, i, r, n_users, n_items, mu, item_order)
    n_x, n_y = (n_users, n_items) if ub else (n_items, n_users)
    x_idx, y_idx = (u, i) if ub else (i, u)
    bx, by = (bu, bi) if ub else (bi, bu)
    means, sigmas, overall_sigma = _moments(x_idx, r, n_x)
    zeros = np.zeros(1)
    centers = Centers(mu, means, sigmas, zeros if bu is None else bu, zeros if bi is None else bi)
    # the similarity value of every rating (ur order): the rating, or Surprise's residual
    sv = r - ((mu + by[y_idx]) + bx[x_idx]) if sim_name == "pearson_baseline" else r
    # xs: x -> its y's in ascending y order (Surprise accumulates over yr.items() in y order)
    if y_idx.size and np.all(y_idx[1:] >= y_idx[:-1]):
        xs_order = np.argsort(x_idx, kind="stable")
    else:
        xs_order = np.lexsort((y_idx, x_idx))
    xs = _csr(x_idx, n_x, y_idx[xs_order], sv[xs_order])
    ur = _csr(u, n_users, i, r)
    ir = _csr(i, n_items, u[item_order], r[item_order])
    # yr: y -> its x's in Surprise's yr[y] order, with similarity values and neighbour terms
    if ub:
        yr = kern.CSR(ir.ptr, ir.idx, np.ascontiguousarray(sv[item_order], np.float64))
        yr_r, yr_y = ir.val, i[item_order]
    else:
        yr = kern.CSR(ur.ptr, ur.idx, np.ascontiguousarray(sv, np.float64))
        yr_r, yr_y = ur.val, u
    pv, div = neighbour_terms(model.formula, yr_r, yr.idx, centers, bx,
                              0.0 if by is None else by[yr_y])  # fmt: skip
    terms = kern.Terms(np.ascontiguousarray(pv, np.float64),
                       np.ascontiguousarray(div if div is not None else np.ones(0), np.float64),
                       div is not None)  # fmt: skip
    nb = kern.Neighbourhood(kern.SRC_STATS, xs, yr, n_x, measure, np.zeros((1, 1)),
                            kern.empty_csr())  # fmt: skip
    nb, nbrs_csc = _similarity_source(model, nb)
    xs_q = _xs_q(xs, yr, n_x, n_y) if nb.source != kern.SRC_NBRS else np.zeros(0, np.int64)
    if nb.source == kern.SRC_NBRS:  # the statistics are not kept in this mode (memory)
        nb = nb._replace(xs=kern.empty_csr())
    return FittedLayout(ub, sim_name, n_x, n_y, ur, ir, centers, overall_sigma, bu, bi, nb, terms,
                        xs_q, nbrs_csc)  # fmt: skip


def _similarity_source(
    model: Any, nb: kern.Neighbourhood
) -> tuple[kern.Neighbourhood, sp.csc_matrix | None]:
    """Where similarities will come from: truncated neighbours (``save_nbrs``), the dense matrix
    (when it fits ``memory_budget``) or the statistics, computed as needed."""
    n_x = nb.n_x
    if model.save_nbrs is not None:
        keep = int(max(0, min(model.save_nbrs, n_x - 1)))
        counts, ids, vals = kern.truncated_rows(nb, keep, kern.n_chunks())
        mask = np.arange(ids.shape[1])[None, :] < counts[:, None]
        indptr = np.r_[0, np.cumsum(counts)]
        nbrs = sp.csr_matrix((vals[mask], ids[mask], indptr), shape=(n_x, n_x))
        csr = kern.CSR(nbrs.indptr.astype(np.int64), nbrs.indices.astype(np.int64), nbrs.data)
        return nb._replace(source=kern.SRC_NBRS, nbrs=csr), nbrs.tocsc()
    if n_x * n_x * 8 * 8 <= model.memory_budget:
        rows = np.arange(n_x, dtype=np.int64)
        dense = kern.sim_rows(rows, nb.xs, True, nb, kern.n_chunks())
        return nb._replace(source=kern.SRC_DENSE, dense=dense), None
    return nb, None
