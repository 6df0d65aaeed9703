"""Block-wise similarity computation, numerically equivalent to ``surprise.similarities``.

Let x be the entities compared (users when ``user_based`` else items) and y the others. With
B the binary x-by-y rating indicator, R the ratings and D = r_xy - b_xy the baseline residuals, all
the co-rating sums Surprise accumulates in dense n_x-by-n_x arrays are matrix products restricted
to the requested rows and columns of the similarity::

    freq  = B_L B_R^T                 prods = R_L R_R^T  (D_L D_R^T for pearson_baseline)
    sqi   = R_L^2 B_R^T               sqj   = B_L (R_R^2)^T
    si    = R_L B_R^T                 sj    = B_L R_R^T

and then, exactly as in Surprise (0 wherever ``freq < min_support``)::

    cosine            = prods / sqrt(sqi * sqj)
    msd               = 1 / ((sqi + sqj - 2 prods) / freq + 1)
    pearson           = (n prods - si sj) / sqrt((n sqi - si^2) (n sqj - sj^2)),  n = freq; 0 if the
                        denominator is 0
    pearson_baseline  = prods / sqrt(sqi * sqj) * (freq - 1) / (freq - 1 + shrinkage),
                        with min_support raised to at least 2

Only an m-by-c block is ever materialised. The per-x statistics are kept dense when they fit the
memory budget (BLAS products; in float32 when every partial sum is exactly representable, i.e.
half-star ratings) and sparse CSR otherwise. ``topk_mask`` reproduces ``heapq.nlargest``'s
tie-breaking: among equal similarities the neighbour listed first in ``ur``/``ir`` wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = [
    "MEASURES",
    "Stats",
    "build_stats",
    "similarity_block",
    "stack_row",
    "topk_mask",
    "topk_mask_segments",
    "truncated_neighbours",
]

MEASURES = ("cosine", "msd", "pearson", "pearson_baseline")

Matrix = np.ndarray | sp.csr_matrix


@dataclass
class Stats:
    """Per-x rows of the co-rating statistics: b (indicator), v (rating or residual), v2 = v**2."""

    b: Matrix
    v: Matrix
    v2: Matrix

    @property
    def dense(self) -> bool:
        return isinstance(self.b, np.ndarray)

    def rows(self, idx: np.ndarray) -> Stats:
        return Stats(self.b[idx], self.v[idx], self.v2[idx])

    @property
    def nbytes(self) -> int:
        if self.dense:
            return self.b.nbytes * 3
        return sum(
            m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (self.b, self.v, self.v2)
        )


def _exact_in_float32(values: np.ndarray, n_y: int) -> bool:
    """True when ratings are multiples of 0.5 and every co-rating sum fits float32's mantissa."""
    if values.size == 0:
        return True
    twice = values * 2
    if not np.array_equal(twice, np.round(twice)):
        return False
    return float(n_y) * float(np.max(np.abs(values))) ** 2 * 4 < 2**24


def build_stats(
    name: str,
    x_idx: np.ndarray,
    y_idx: np.ndarray,
    values: np.ndarray,
    n_x: int,
    n_y: int,
    *,
    dense: bool,
    global_mean: float = 0.0,
    bx: np.ndarray | None = None,
    by: np.ndarray | None = None,
) -> Stats:
    """Statistics matrices (n_x by n_y) for similarity ``name``.

    For pearson_baseline the value is Surprise's residual ``r - ((mu + b_y) + b_x)``.
    """
    values = np.asarray(values, dtype=np.float64)
    if name == "pearson_baseline":
        assert bx is not None and by is not None
        values = values - ((global_mean + by[y_idx]) + bx[x_idx])
        dtype = np.float64
    else:
        dtype = np.float32 if _exact_in_float32(values, n_y) else np.float64
    if dense:
        b = np.zeros((n_x, n_y), dtype=dtype)
        v = np.zeros((n_x, n_y), dtype=dtype)
        b[x_idx, y_idx] = 1
        v[x_idx, y_idx] = values
        return Stats(b, v, v * v)
    shape = (n_x, n_y)
    v = sp.csr_matrix((values, (x_idx, y_idx)), shape=shape)
    v.sort_indices()
    b = v.copy()
    b.data = np.ones_like(b.data)
    v2 = v.copy()
    v2.data = v2.data * v2.data
    return Stats(b, v, v2)


def stack_row(stats_like: Stats, y_idx: np.ndarray, values: np.ndarray) -> Stats:
    """A single new x row (e.g. a folded-in user) in the same layout as ``stats_like``."""
    n_y = stats_like.b.shape[1]
    values = np.asarray(values, dtype=np.float64)
    if stats_like.dense:
        dtype = stats_like.b.dtype
        b = np.zeros((1, n_y), dtype=dtype)
        v = np.zeros((1, n_y), dtype=dtype)
        b[0, y_idx] = 1
        v[0, y_idx] = values
        return Stats(b, v, v * v)
    v = sp.csr_matrix((values, (np.zeros(len(y_idx), dtype=np.intp), y_idx)), shape=(1, n_y))
    v.sort_indices()
    b = v.copy()
    b.data = np.ones_like(b.data)
    v2 = v.copy()
    v2.data = v2.data * v2.data
    return Stats(b, v, v2)


def _prod(a: Matrix, b: Matrix) -> np.ndarray:
    if isinstance(a, np.ndarray):
        return np.asarray(a @ b.T, dtype=np.float64)
    return np.asarray((a @ b.T).toarray(), dtype=np.float64)


def similarity_block(
    name: str, left: Stats, right: Stats, min_support: int = 1, shrinkage: float = 100
) -> np.ndarray:
    """Similarities between the rows of ``left`` and those of ``right`` (an m-by-c float64 block).

    The diagonal convention (sim(x, x) = 1) is the caller's business: it only knows which rows and
    columns are the same entity.
    """
    freq = _prod(left.b, right.b)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "msd":
            sq = _prod(left.v2, right.b) + _prod(left.b, right.v2) - 2 * _prod(left.v, right.v)
            sim = 1 / (sq / freq + 1)
        elif name == "cosine":
            sim = _prod(left.v, right.v) / np.sqrt(
                _prod(left.v2, right.b) * _prod(left.b, right.v2)
            )
        elif name == "pearson":
            si = _prod(left.v, right.b)
            sj = _prod(left.b, right.v)
            num = freq * _prod(left.v, right.v) - si * sj
            den = np.sqrt(
                (freq * _prod(left.v2, right.b) - si * si)
                * (freq * _prod(left.b, right.v2) - sj * sj)
            )
            sim = num / den
            sim[den == 0] = 0
        elif name == "pearson_baseline":
            min_support = max(2, min_support)
            sim = _prod(left.v, right.v) / np.sqrt(
                _prod(left.v2, right.b) * _prod(left.b, right.v2)
            )
            sim *= (freq - 1) / (freq - 1 + shrinkage)
        else:
            raise NameError(f"Wrong sim name {name}. Allowed values are {', '.join(MEASURES)}.")
    sim[freq < min_support] = 0
    sim[np.isnan(sim)] = 0
    return sim


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


def topk_mask_segments(segment: np.ndarray, sim: np.ndarray, k: int) -> np.ndarray:
    """``topk_mask`` for a flat list of candidates grouped by ``segment`` (non-decreasing), each
    segment in its ``ur``/``ir`` order."""
    n = sim.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((np.arange(n), -sim, segment))
    seg_sorted = segment[order]
    starts = np.r_[0, np.flatnonzero(np.diff(seg_sorted)) + 1]
    lengths = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, lengths)
    mask = np.zeros(n, dtype=bool)
    mask[order] = rank < k
    return mask & (sim > 0)


def truncated_neighbours(
    name: str,
    stats: Stats,
    n_neighbours: int,
    *,
    min_support: int = 1,
    shrinkage: float = 100,
    block_bytes: int = 256 * 2**20,
) -> sp.csr_matrix:
    """Keep, for every x, its ``n_neighbours`` most similar positive neighbours (plus itself with
    similarity 1), computing the similarity one block of rows at a time.

    This departs from Surprise: a neighbour outside x's list counts as similarity 0.
    """
    n_x = stats.b.shape[0]
    rows_per_block = max(1, int(block_bytes // (n_x * 8 * 8)))
    indptr = [np.zeros(1, dtype=np.int64)]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    total = 0
    for start in range(0, n_x, rows_per_block):
        rows = np.arange(start, min(n_x, start + rows_per_block))
        sim = similarity_block(name, stats.rows(rows), stats, min_support, shrinkage)
        sim[np.arange(rows.size), rows] = 0
        keep = min(n_neighbours, n_x - 1)
        if keep > 0:
            part = np.argpartition(-sim, keep - 1, axis=1)[:, :keep]
        else:
            part = np.zeros((rows.size, 0), dtype=np.intp)
        vals = np.take_along_axis(sim, part, axis=1)
        cols = np.concatenate([part, rows[:, None]], axis=1)
        vals = np.concatenate([vals, np.ones((rows.size, 1))], axis=1)
        ok = vals > 0
        counts = ok.sum(axis=1)
        indices.append(cols[ok])
        data.append(vals[ok])
        total_counts = np.cumsum(counts) + total
        indptr.append(total_counts)
        total = int(total_counts[-1]) if counts.size else total
    out = sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.concatenate(indptr)), shape=(n_x, n_x)
    )
    out.sort_indices()
    return out
