"""Co-rating statistics of one target row in a single pass, and the similarity rows built from them.

:func:`row_accumulate` computes, for one target x, every co-rating statistic Surprise keeps in
n_x-by-n_x arrays, restricted to row x: for each y rated by x (ascending y, as Surprise iterates
``yr.items()``), for each x' in ``yr[y]``: freq += 1 and, per measure, the sums of
(r_x - r_x')^2 (msd), r_x r_x', r_x^2, r_x'^2 (cosine, pearson_baseline) and r_x, r_x' (pearson).
A repeated rating (the same (x, y) twice, which Surprise's Trainset keeps) counts each time.
The accumulators are one (n_x, n_stats) array per thread; only the touched entries are finalised
and reset, so a row costs O(sum over y in x of |yr[y]|) and no n_x-by-n_x array exists.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from recommender.knn._kernels import run_chunks
from recommender.knn._kernels.topk import select_top

__all__ = [
    "clear_row",
    "gather_acc",
    "load_row",
    "n_stats",
    "reset_acc",
    "row_accumulate",
    "row_finish",
    "sim_rows",
    "truncated_rows",
]


@njit(cache=True, nogil=True, inline="always")
def n_stats(code):
    """Accumulator columns per measure: freq plus its sums."""
    return 6 if code == 2 else (2 if code == 0 else 4)


@njit(cache=True, nogil=True, inline="always")
def _add_term(acc, x2, ri, rj, code):
    """One co-rating term of (x, x2): freq += 1 and the measure's sums (ri is x's value)."""
    acc[x2, 0] += 1.0
    if code == 0:
        d = ri - rj
        acc[x2, 1] += d * d
    else:
        acc[x2, 1] += ri * rj
        acc[x2, 2] += ri * ri
        acc[x2, 3] += rj * rj
        if code == 2:
            acc[x2, 4] += ri
            acc[x2, 5] += rj


@njit(cache=True, nogil=True, inline="always")
def _add_repeated(x, row_v, span, yr, code, acc, touched, nt):
    """x rated y more than once (``span`` = (p, e, y), values ``row_v[p:e]``). Surprise
    accumulates a pair (lo, hi) with lo's ratings outer and hi's inner, so x's ratings go outer
    for x2 >= x and inner for x2 < x: the same terms in the same order as Surprise's
    ``stats[min(x, x2), max(x, x2)]``, hence bit-identical (and bit-symmetric) similarities."""
    p, e, y = span
    for a in range(p, e):
        for q in range(yr.ptr[y], yr.ptr[y + 1]):
            x2 = yr.idx[q]
            if x2 >= x:
                touched[nt] = x2
                nt += acc[x2, 0] == 0.0
                _add_term(acc, x2, row_v[a], yr.val[q], code)
    for q in range(yr.ptr[y], yr.ptr[y + 1]):
        x2 = yr.idx[q]
        if x2 < x:
            touched[nt] = x2
            nt += acc[x2, 0] == 0.0
            for a in range(p, e):
                _add_term(acc, x2, row_v[a], yr.val[q], code)
    return nt


@njit(cache=True, nogil=True)
def _accumulate_repeats(x, row_y, row_v, yr, code, acc, touched):
    """:func:`row_accumulate` for a row listing some y more than once (ascending ``row_y``): y by
    y, a repeated one through :func:`_add_repeated`."""
    nt = 0
    n = row_y.size
    p = 0
    while p < n:
        y = row_y[p]
        e = p + 1
        while e < n and row_y[e] == y:
            e += 1
        if e - p > 1:
            nt = _add_repeated(x, row_v, (p, e, y), yr, code, acc, touched, nt)
        else:
            for q in range(yr.ptr[y], yr.ptr[y + 1]):
                x2 = yr.idx[q]
                touched[nt] = x2
                nt += acc[x2, 0] == 0.0
                _add_term(acc, x2, row_v[p], yr.val[q], code)
        p = e
    return nt


@njit(cache=True, nogil=True)
def row_accumulate(x, row_y, row_v, yr, code, acc, touched):
    """Add row x's co-rating statistics with every x' into ``acc`` (columns: freq, sums...).

    ``row_y`` is ascending. A row listing a y twice (a repeated rating, which Surprise keeps) goes
    to :func:`_accumulate_repeats`; the check costs one pass over the row, and the loop below
    stays the tight one. Returns the number of distinct x' touched (listed in ``touched``, of
    length >= n_x + 1)."""
    for p in range(1, row_y.size):
        if row_y[p] == row_y[p - 1]:
            return _accumulate_repeats(x, row_y, row_v, yr, code, acc, touched)
    nt = 0
    for p in range(row_y.size):
        y = row_y[p]
        ri = row_v[p]
        ri2 = ri * ri
        for q in range(yr.ptr[y], yr.ptr[y + 1]):
            x2 = yr.idx[q]
            rj = yr.val[q]
            touched[nt] = x2  # branchless: kept only if x2 is new
            nt += acc[x2, 0] == 0.0
            acc[x2, 0] += 1.0
            if code == 0:
                d = ri - rj
                acc[x2, 1] += d * d
            else:
                acc[x2, 1] += ri * rj
                acc[x2, 2] += ri2
                acc[x2, 3] += rj * rj
                if code == 2:
                    acc[x2, 4] += ri
                    acc[x2, 5] += rj
    return nt


@njit(cache=True, nogil=True, inline="always")
def sim_of(acc, x2, measure):
    """Surprise's similarity from row x2 of the accumulators (0 below min_support; a pearson NaN
    from rounding is 0). NaN where Surprise divides by zero and raises ``ZeroDivisionError``
    (cosine or pearson_baseline of a zero vector, or a shrinkage term of 0): ``fit`` refuses such
    data (:func:`recommender.knn.layout.fit_layout`), so a fitted model never meets one."""
    f = acc[x2, 0]
    if f < measure.min_support:
        return 0.0
    code = measure.code
    if code == 0:
        return 1.0 / (acc[x2, 1] / f + 1.0)
    if code == 2:
        si = acc[x2, 4]
        sj = acc[x2, 5]
        num = f * acc[x2, 1] - si * sj
        den = np.sqrt((f * acc[x2, 2] - si * si) * (f * acc[x2, 3] - sj * sj))
        s = 0.0 if den == 0.0 else num / den
        return 0.0 if np.isnan(s) else s
    den = np.sqrt(acc[x2, 2] * acc[x2, 3])
    if den == 0.0:
        return np.nan
    s = acc[x2, 1] / den
    if code == 3:
        shrunk = f - 1.0 + measure.shrinkage
        if shrunk == 0.0:
            return np.nan
        s *= (f - 1.0) / shrunk
    return s


@njit(cache=True, nogil=True)
def row_finish(nt, touched, measure, acc, simrow):
    """Similarities of the touched x' into ``simrow``; resets the accumulators."""
    for t in range(nt):
        x2 = touched[t]
        simrow[x2] = sim_of(acc, x2, measure)
        for c in range(acc.shape[1]):
            acc[x2, c] = 0.0


@njit(cache=True, nogil=True)
def reset_acc(nt, touched, acc):
    for t in range(nt):
        x2 = touched[t]
        for c in range(acc.shape[1]):
            acc[x2, c] = 0.0


@njit(cache=True, nogil=True)
def clear_row(nt, touched, simrow):
    for t in range(nt):
        simrow[touched[t]] = 0.0


@njit(cache=True, nogil=True)
def gather_acc(acc, x, cand, lo, hi, measure, tmp):
    """tmp[a] = sim(x, cand[lo + a]) from x's accumulators (sim(x, x) = 1)."""
    for a in range(hi - lo):
        x2 = cand[lo + a]
        if x2 == x:
            tmp[a] = 1.0
        else:
            tmp[a] = sim_of(acc, x2, measure)


@njit(cache=True, nogil=True)
def load_row(x, nb, acc, simrow, touched, finish):
    """Make target x's similarities available; returns how many entries were touched.

    Statistics: accumulated into ``acc`` (and finalised into ``simrow`` when ``finish``); dense:
    copied into ``simrow``; truncated neighbours: scattered into ``simrow`` with sim(x, x) = 1."""
    nt = 0
    if nb.source == 0:
        a, b = nb.xs.ptr[x], nb.xs.ptr[x + 1]
        nt = row_accumulate(x, nb.xs.idx[a:b], nb.xs.val[a:b], nb.yr, nb.measure.code, acc,
                            touched)  # fmt: skip
        if finish:
            row_finish(nt, touched, nb.measure, acc, simrow)
    elif nb.source == 1:
        simrow[:] = nb.dense[x]
    else:
        for p in range(nb.nbrs.ptr[x], nb.nbrs.ptr[x + 1]):
            touched[nt] = nb.nbrs.idx[p]
            simrow[nb.nbrs.idx[p]] = nb.nbrs.val[p]
            nt += 1
        simrow[x] = 1.0
    return nt


@njit(cache=True, nogil=True)
def _sim_rows_chunk(c, chunks, rows, own, diag, nb, out):
    acc = np.zeros((nb.n_x, n_stats(nb.measure.code)))
    touched = np.empty(nb.n_x + 1, dtype=np.int64)
    for n in range(c, rows.size, chunks):
        x = rows[n]
        a, b = own.ptr[x], own.ptr[x + 1]
        nt = row_accumulate(x, own.idx[a:b], own.val[a:b], nb.yr, nb.measure.code, acc, touched)
        row_finish(nt, touched, nb.measure, acc, out[n])
        if diag:
            out[n, x] = 1.0


def sim_rows(rows, own, diag, nb, chunks):
    """Dense similarity rows: row n uses the ratings ``own`` row ``rows[n]`` (ascending y);
    ``diag`` sets sim(x, x) = 1 (rows are training x's)."""
    out = np.zeros((rows.size, nb.n_x))
    run_chunks(_sim_rows_chunk, chunks, rows, own, diag, nb, out)
    return out


@njit(cache=True, nogil=True)
def _truncated_chunk(c, chunks, nb, keep, out):
    counts, out_i, out_v = out
    acc = np.zeros((nb.n_x, n_stats(nb.measure.code)))
    simrow = np.zeros(nb.n_x)
    touched = np.empty(nb.n_x + 1, dtype=np.int64)
    vals = np.empty(nb.n_x)
    ids = np.empty(nb.n_x, dtype=np.int64)
    for x in range(c, nb.n_x, chunks):
        nt = load_row(x, nb, acc, simrow, touched, True)
        cnt = 0
        for t in range(nt):
            x2 = touched[t]
            s = simrow[x2]
            if x2 != x and s > 0:
                vals[cnt] = s
                ids[cnt] = x2
                cnt += 1
            simrow[x2] = 0.0
        vals[cnt] = 2.0  # itself, always kept (marker replaced by 1 below)
        ids[cnt] = x
        m = select_top(vals, ids, cnt + 1, keep + 1, out_v[x], out_i[x])
        for a in range(m):
            if out_i[x, a] == x:
                out_v[x, a] = 1.0
        counts[x] = m


def truncated_rows(nb, keep, chunks):
    """For every x, its ``keep`` most similar positive neighbours (ties: smaller id) plus itself
    (similarity 1), sorted by id: (counts, ids (n_x, keep+1), sims (n_x, keep+1))."""
    out = (
        np.zeros(nb.n_x, dtype=np.int64),
        np.zeros((nb.n_x, keep + 1), dtype=np.int64),
        np.zeros((nb.n_x, keep + 1)),
    )
    run_chunks(_truncated_chunk, chunks, nb, keep, out)
    return out
