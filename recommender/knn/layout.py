"""Everything a fitted KNN model holds, computed once in ``fit``: rating layouts, means, baselines,
neighbour terms and the similarity source.

Two CSR layouts of the training ratings serve every kernel (:mod:`recommender.knn._kernels`):
``xs`` (x -> its y's, ascending y, with similarity values) and ``yr`` (y -> its x's in Surprise's
``yr[y]`` order). ``ur`` / ``ir`` keep the ratings per user / item as Surprise lists them, a
repeated (user, item) rating included (Surprise's Trainset keeps both; so does every layout here).
With ``verbose``, ``fit`` prints what Surprise prints, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.knn import _kernels as kern
from recommender.knn.baselines import baselines
from recommender.knn.errors import KNNZeroDivisionError
from recommender.knn.formulas import Centers, neighbour_terms
from recommender.knn.similarities import MEASURES

__all__ = ["FittedLayout", "fit_layout", "occurrence_map"]


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


def _measure(model: Any, name: str) -> tuple[str, kern.Measure]:
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


def occurrence_map(from_keys: np.ndarray, to_keys: np.ndarray) -> np.ndarray:
    """For each position of ``from_keys``, the position of the same key in ``to_keys`` (the two
    hold the same keys): the k-th repeat of a key maps to its k-th repeat, in both orders."""
    out = np.empty(from_keys.size, dtype=np.int64)
    out[np.argsort(from_keys, kind="stable")] = np.argsort(to_keys, kind="stable")
    return out


def _xs_q(xs: kern.CSR, yr: kern.CSR, n_x: int, n_y: int) -> np.ndarray:
    """For every rating of the ``xs`` layout, its index in the ``yr`` layout (a repeated rating's
    copies keep their order in both layouts)."""
    xs_x = np.repeat(np.arange(n_x, dtype=np.int64), np.diff(xs.ptr))
    yr_y = np.repeat(np.arange(n_y, dtype=np.int64), np.diff(yr.ptr))
    return occurrence_map(xs.idx * n_x + xs_x, yr_y * n_x + yr.idx)


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
    name = model.sim_options.get("name", "msd").lower()
    ub = bool(model.sim_options["user_based"])
    mu = float(np.mean(r)) if global_mean is None else float(global_mean)
    bu = bi = None
    if model.formula.uses_baselines or name == "pearson_baseline":
        if model.verbose:
            print("Estimating biases using", model.bsl_options.get("method", "als") + "...")
        bu, bi = baselines(model.bsl_options, u, i, r, n_users, n_items, mu, item_order)
    if model.verbose:
        print(f"Computing the {name} similarity matrix...")
    sim_name, measure = _measure(model, name)
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
    _refuse_undefined(model, nb, sim_name, (x_idx, y_idx, sv))
    nb, nbrs_csc = _similarity_source(model, nb)
    if model.verbose:
        print("Done computing similarity matrix.")
    xs_q = _xs_q(xs, yr, n_x, n_y) if nb.source != kern.SRC_NBRS else np.zeros(0, np.int64)
    if nb.source == kern.SRC_NBRS:  # the statistics are not kept in this mode (memory)
        nb = nb._replace(xs=kern.empty_csr())
    return FittedLayout(ub, sim_name, n_x, n_y, ur, ir, centers, overall_sigma, bu, bi, nb, terms,
                        xs_q, nbrs_csc)  # fmt: skip


def _refuse_undefined(
    model: Any, nb: kern.Neighbourhood, code: str,
    ratings: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:  # fmt: skip
    """Raise :class:`KNNZeroDivisionError` where Surprise's similarity matrix divides by zero (it
    raises ``ZeroDivisionError`` from ``fit``): a cosine / pearson_baseline pair whose common
    values are all 0 on one side (only x's with a value of 0 can be in one), a shrinkage term of 0,
    or, with msd or cosine and ``min_support`` <= 0, a pair with no common rating. Free on data
    without such values; otherwise the rows concerned are computed once, memory-bounded."""
    x_idx, y_idx, sv = ratings
    m, n_x = nb.measure, nb.n_x
    if m.min_support <= 0 and code in ("msd", "cosine") and n_x > 1:
        _refuse_disjoint(model, nb, code, (x_idx, y_idx))
    if code not in ("cosine", "pearson_baseline"):
        return
    rows = np.unique(x_idx[sv == 0.0])
    if code == "pearson_baseline" and m.shrinkage <= -1 and float(m.shrinkage).is_integer():
        rows = np.arange(n_x)  # f - 1 + shrinkage = 0 for some support f
    step = max(1, int(model.memory_budget // (4 * 8 * max(1, n_x))))
    for s in range(0, rows.size, step):
        block = kern.sim_rows(rows[s : s + step].astype(np.int64), nb.xs, True, nb,
                              kern.n_chunks())  # fmt: skip
        bad = np.argwhere(np.isnan(block))
        if bad.size:
            pair = sorted((int(rows[s + bad[0, 0]]), int(bad[0, 1])))
            raise KNNZeroDivisionError(
                f"float division: the {code} similarity of {_names(model, pair)} divides by zero "
                "(a zero vector on their common ratings, or a shrinkage term of 0); "
                "scikit-surprise raises ZeroDivisionError here too"
            )


def _refuse_disjoint(model: Any, nb: kern.Neighbourhood, code: str,
                      pairs: tuple[np.ndarray, np.ndarray]) -> None:  # fmt: skip
    """With ``min_support`` <= 0, Surprise computes msd / cosine for pairs without any common
    rating too, and 0 / 0 raises: find the first such pair in Surprise's loop order (the first
    row missing a co-rater; its missing ones are all after it). Blocks of rows of the co-rating
    counts, bounded by ``memory_budget``."""
    x_idx, y_idx = pairs
    n_x, n_y = nb.n_x, nb.yr.ptr.size - 1
    rated = sp.csr_matrix((np.ones(x_idx.size), (x_idx, y_idx)), shape=(n_x, n_y))
    rated_t = rated.T.tocsr()
    step = max(1, int(model.memory_budget // (16 * n_x)))
    for s in range(0, n_x, step):
        co = rated[s : s + step] @ rated_t
        short = np.flatnonzero(np.diff(co.indptr) < n_x)
        if short.size:
            x = s + int(short[0])
            other = int(np.setdiff1d(np.arange(n_x), co[short[0]].indices)[0])
            raise KNNZeroDivisionError(
                f"float division: {_names(model, [x, other])} have no common rating and "
                f"min_support={model.sim_options.get('min_support')} (scikit-surprise computes "
                f"their {code} similarity as 0 / 0 and raises too)"
            )


def _names(model: Any, pair: list[int]) -> str:
    """'users 3 and 7' / 'items 10 and 12' in raw ids."""
    ub = model.sim_options["user_based"]
    raw = model.raw_uids_ if ub else model.raw_iids_
    return f"{'users' if ub else 'items'} {raw[pair[0]]!r} and {raw[pair[1]]!r}"


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
