"""Compiled (numba) kernels of the KNN engine: private to :mod:`recommender.knn`.

Arrays travel in small named bundles (numba compiles named tuples like any tuple), so no kernel
takes more than a handful of arguments:

* :class:`CSR` — a compressed sparse row layout: ``ptr`` (rows + 1), ``idx`` and ``val``;
* :class:`Measure` — the similarity measure's code, min_support and shrinkage;
* :class:`Neighbourhood` — where similarities come from: the co-rating statistics (``xs``/``yr``
  layouts), a dense matrix, or truncated neighbour lists;
* :class:`Terms` — each neighbour rating's term in Surprise's sum (``pv``, ``div``, ``use_div``);
* :class:`Aggregates` — sum sim·term, sum sim and the number of neighbours, per (target, y).

Notation as in :mod:`recommender.knn`: x are the entities compared, y the others. ``xs`` maps
x -> its y's in **ascending y**, with the similarity value of each rating (the rating, or Surprise's
baseline residual for pearson_baseline); ``yr`` maps y -> its x's in Surprise's ``yr[y]`` order,
with the same values. Every (x, x') statistic is accumulated over the same terms, in the same order
and with the same operations as Surprise's Cython loops, so similarities are bit-identical.

Kernels that loop over many rows deal them round-robin to :func:`n_chunks` chunks, each with its
own buffers, run by :func:`run_chunks` on threads (the kernels release the GIL); a row's result
never depends on the chunking, so results are deterministic for any thread count. (Threads rather
than numba's ``prange``: a parallel loop cannot take the named bundles as arguments.)
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numba
import numpy as np

__all__ = [
    "CSR",
    "MEASURE_CODES",
    "SRC_DENSE",
    "SRC_NBRS",
    "SRC_STATS",
    "Aggregates",
    "Measure",
    "Neighbourhood",
    "Terms",
    "empty_csr",
    "n_chunks",
    "run_chunks",
]

MEASURE_CODES = {"msd": 0, "cosine": 1, "pearson": 2, "pearson_baseline": 3}
# where a target's similarity row comes from
SRC_STATS, SRC_DENSE, SRC_NBRS = 0, 1, 2


class CSR(NamedTuple):
    """Rows of (index, value) pairs: row r is ``idx[ptr[r]:ptr[r+1]]`` / ``val[...]``."""

    ptr: np.ndarray  # int64
    idx: np.ndarray  # int64
    val: np.ndarray  # float64


class Measure(NamedTuple):
    """A similarity measure (:data:`MEASURE_CODES`) with Surprise's min_support and shrinkage."""

    code: int
    min_support: float
    shrinkage: float


class Neighbourhood(NamedTuple):
    """Everything needed to get the similarity row of a target x and its candidates."""

    source: int  # SRC_STATS, SRC_DENSE or SRC_NBRS
    xs: CSR  # x -> y's, ascending y (statistics; empty if not kept)
    yr: CSR  # y -> x's in Surprise's yr[y] order
    n_x: int
    measure: Measure
    dense: np.ndarray  # (n_x, n_x) if source == SRC_DENSE, else (1, 1)
    nbrs: CSR  # truncated neighbour rows if source == SRC_NBRS, else empty


class Terms(NamedTuple):
    """Neighbour terms in ``yr`` order: Surprise adds sim·pv (or sim·pv/div when ``use_div``).
    1-D arrays for one model; 2-D (models × ratings) with a bool array ``use_div`` for several."""

    pv: np.ndarray
    div: np.ndarray
    use_div: bool | np.ndarray


class Aggregates(NamedTuple):
    """Per (target, y): sum sim·term (``num``; per model when 3-D), sum sim, number of
    neighbours aggregated."""

    num: np.ndarray
    den: np.ndarray
    kk: np.ndarray


def n_chunks() -> int:
    """How many chunks the parallel kernels deal rows to (one per numba thread)."""
    return max(1, int(numba.get_num_threads()))


_POOL: ThreadPoolExecutor | None = None


def run_chunks(kernel: Callable[..., Any], chunks: int, *args: Any) -> None:
    """Run ``kernel(c, chunks, *args)`` for c = 0 .. chunks-1, on threads when chunks > 1.

    Each chunk handles rows c, c + chunks, ... and writes only those rows of its outputs."""
    global _POOL
    if chunks <= 1:
        kernel(0, 1, *args)
        return
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=n_chunks(), thread_name_prefix="knn-kernel")
    for future in [_POOL.submit(kernel, c, chunks, *args) for c in range(chunks)]:
        future.result()


def empty_csr() -> CSR:
    """A placeholder layout for a bundle field a kernel will not read."""
    return CSR(np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1))


# The kernels (imported last: they use nothing above at import time).
from recommender.knn._kernels.predict import predict_grouped, score_block  # noqa: E402
from recommender.knn._kernels.sorted_block import BlockPlan, score_block_sorted  # noqa: E402
from recommender.knn._kernels.stats import sim_rows, truncated_rows  # noqa: E402
from recommender.knn._kernels.topk import topk_block  # noqa: E402

__all__ += [
    "BlockPlan",
    "predict_grouped",
    "score_block",
    "score_block_sorted",
    "sim_rows",
    "topk_block",
    "truncated_rows",
]
