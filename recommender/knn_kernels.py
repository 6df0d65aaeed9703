"""Compiled (numba) kernels of :mod:`recommender.knn`: similarity rows in one pass, top-k with ties.

Notation as in :mod:`recommender.knn`: x are the entities compared, y the others. Two CSR layouts of
the training ratings are used:

* ``xs`` (x -> its y's, **ascending y**, with the similarity value of each rating: the rating, or
  Surprise's residual ``r - ((mu + b_y) + b_x)`` for pearson_baseline);
* ``yr`` (y -> its x's in Surprise's ``yr[y]`` order, with the same values).

``_row_accumulate`` computes, for one target row x, all the co-rating statistics Surprise keeps in
n_x-by-n_x arrays, restricted to row x, in a single pass: for each y rated by x (ascending y, as
Surprise iterates ``yr.items()``), for each x' in ``yr[y]``: freq += 1, and per measure the sums of
(r_x - r_x')^2 (msd), r_x r_x', r_x^2, r_x'^2 (cosine, pearson_baseline) and r_x, r_x' (pearson).
Every (x, x') sum is therefore accumulated over the same terms, in the same order and with the
same operations as Surprise's Cython loops, so the similarities are bit-identical. The accumulators
are one (n_x, n_stats) array per thread (one cache line per update); only the touched entries are
finalised and reset, so a row costs O(sum over y in x of |yr[y]|) and no n_x-by-n_x array exists.

``_topk_sum`` reproduces ``heapq.nlargest(k, ..., key=sim)`` (larger similarity first, ties in
``yr[y]`` order) and then Surprise's accumulation loop (only sim > 0 terms, in that order).

Kernels that loop over many rows are ``parallel=True``: rows are dealt round-robin to
``numba.get_num_threads()`` chunks, each with its own buffers; a row's result never depends on the
chunking, so results are deterministic for any thread count.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

__all__ = [
    "MEASURE_CODES",
    "n_chunks",
    "predict_grouped",
    "score_block",
    "sim_rows",
    "topk_block",
    "truncated_rows",
]

MEASURE_CODES = {"msd": 0, "cosine": 1, "pearson": 2, "pearson_baseline": 3}
_N_STATS = (2, 4, 6, 4)  # freq + sums, per measure code

# prediction sources for predict_grouped
SRC_STATS, SRC_DENSE, SRC_NBRS = 0, 1, 2


def n_chunks() -> int:
    return max(1, int(numba.get_num_threads()))


@njit(cache=True, nogil=True)
def _row_accumulate(row_y, row_v, yr_ptr, yr_x, yr_v, measure, acc, touched):
    """Add row x's co-rating statistics with every x' into ``acc`` (columns: freq, sums...).

    Returns the number of distinct x' touched (listed in ``touched``, of length >= n_x + 1)."""
    nt = 0
    for p in range(row_y.size):
        y = row_y[p]
        ri = row_v[p]
        lo = yr_ptr[y]
        hi = yr_ptr[y + 1]
        if measure == 0:
            for q in range(lo, hi):
                x2 = yr_x[q]
                touched[nt] = x2  # branchless: kept only if x2 is new
                nt += acc[x2, 0] == 0.0
                acc[x2, 0] += 1.0
                d = ri - yr_v[q]
                acc[x2, 1] += d * d
        elif measure == 2:
            ri2 = ri * ri
            for q in range(lo, hi):
                x2 = yr_x[q]
                rj = yr_v[q]
                touched[nt] = x2  # branchless: kept only if x2 is new
                nt += acc[x2, 0] == 0.0
                acc[x2, 0] += 1.0
                acc[x2, 1] += ri * rj
                acc[x2, 2] += ri2
                acc[x2, 3] += rj * rj
                acc[x2, 4] += ri
                acc[x2, 5] += rj
        else:
            ri2 = ri * ri
            for q in range(lo, hi):
                x2 = yr_x[q]
                rj = yr_v[q]
                touched[nt] = x2  # branchless: kept only if x2 is new
                nt += acc[x2, 0] == 0.0
                acc[x2, 0] += 1.0
                acc[x2, 1] += ri * rj
                acc[x2, 2] += ri2
                acc[x2, 3] += rj * rj
    return nt


@njit(cache=True, nogil=True, inline="always")
def _sim_of(acc, x2, measure, min_support, shrinkage):
    """Surprise's similarity from row x2 of the accumulators (0 below min_support or if NaN)."""
    f = acc[x2, 0]
    if f < min_support:
        return 0.0
    if measure == 0:
        s = 1.0 / (acc[x2, 1] / f + 1.0)
    elif measure == 1:
        s = acc[x2, 1] / np.sqrt(acc[x2, 2] * acc[x2, 3])
    elif measure == 2:
        si = acc[x2, 4]
        sj = acc[x2, 5]
        num = f * acc[x2, 1] - si * sj
        den = np.sqrt((f * acc[x2, 2] - si * si) * (f * acc[x2, 3] - sj * sj))
        s = 0.0 if den == 0.0 else num / den
    else:
        s = acc[x2, 1] / np.sqrt(acc[x2, 2] * acc[x2, 3])
        s *= (f - 1.0) / (f - 1.0 + shrinkage)
    if np.isnan(s):
        return 0.0
    return s


@njit(cache=True, nogil=True)
def _row_finish(nt, touched, measure, min_support, shrinkage, acc, simrow):
    """Similarities of the touched x' into ``simrow``; resets the accumulators."""
    for t in range(nt):
        x2 = touched[t]
        simrow[x2] = _sim_of(acc, x2, measure, min_support, shrinkage)
        for c in range(acc.shape[1]):
            acc[x2, c] = 0.0


@njit(cache=True, nogil=True)
def _reset(nt, touched, acc):
    for t in range(nt):
        x2 = touched[t]
        for c in range(acc.shape[1]):
            acc[x2, c] = 0.0


@njit(cache=True, nogil=True)
def _clear(nt, touched, simrow):
    for t in range(nt):
        simrow[touched[t]] = 0.0


@njit(cache=True, nogil=True)
def _gather_acc(acc, x, cand, lo, hi, measure, min_support, shrinkage, tmp):
    """tmp[a] = sim(x, cand[lo + a]) from x's accumulators (sim(x, x) = 1)."""
    for a in range(hi - lo):
        x2 = cand[lo + a]
        if x2 == x:
            tmp[a] = 1.0
        else:
            tmp[a] = _sim_of(acc, x2, measure, min_support, shrinkage)


@njit(cache=True, nogil=True)
def _gather_row(simrow, cand, lo, hi, tmp):
    for a in range(hi - lo):
        tmp[a] = simrow[cand[lo + a]]


@njit(cache=True, nogil=True, inline="always")
def _heap_offer(hs, hp, m, k, s, a):
    """Offer similarity ``s`` at position ``a`` to the size-k min-heap ``hs``/``hp`` holding ``m``
    entries; returns the new count. "Worse" = smaller sim or, if equal, later position: as
    candidates arrive in position order, one that ties with the root is never better, which is
    how ``heapq.nlargest`` keeps earlier candidates first among equals."""
    if m < k:
        c = m
        while c > 0:  # sift up
            par = (c - 1) >> 1
            if hs[par] > s or (hs[par] == s and hp[par] < a):
                hs[c] = hs[par]
                hp[c] = hp[par]
                c = par
            else:
                break
        hs[c] = s
        hp[c] = a
        return m + 1
    if s > hs[0]:
        c = 0
        while True:  # replace the root, sift down
            lc = 2 * c + 1
            if lc >= m:
                break
            r = lc + 1
            w = lc
            if r < m and (hs[r] < hs[lc] or (hs[r] == hs[lc] and hp[r] > hp[lc])):
                w = r
            if hs[w] < s or (hs[w] == s and hp[w] > a):
                hs[c] = hs[w]
                hp[c] = hp[w]
                c = w
            else:
                break
        hs[c] = s
        hp[c] = a
    return m


@njit(cache=True, nogil=True, inline="always")
def _heap_in_order(hs, hp, m):
    """Sort the heap's ``m`` entries into Surprise's summation order: decreasing sim, then
    increasing position (insertion sort; two stable mergesorts when large)."""
    if m <= 64:
        for a in range(1, m):
            s = hs[a]
            p = hp[a]
            b = a - 1
            while b >= 0 and (hs[b] < s or (hs[b] == s and hp[b] > p)):
                hs[b + 1] = hs[b]
                hp[b + 1] = hp[b]
                b -= 1
            hs[b + 1] = s
            hp[b + 1] = p
    else:
        order = np.argsort(hp[:m], kind="mergesort")
        ps = hp[:m][order].copy()
        ss = hs[:m][order].copy()
        order = np.argsort(-ss, kind="mergesort")
        for a in range(m):
            hs[a] = ss[order[a]]
            hp[a] = ps[order[a]]


@njit(cache=True, nogil=True)
def _topk_sum(tmp, n, pv, div, use_div, lo, k, hs, hp):
    """(sum sim*v, sum sim, actual_k) over the candidates' similarities ``tmp[:n]`` (terms
    ``pv[lo + a]``), exactly as Surprise aggregates ``heapq.nlargest(k, ...)``'s output: the k
    largest, earlier candidates first among equal similarities, in decreasing order, sim > 0 only."""
    if n <= 0 or k <= 0:
        return 0.0, 0.0, 0
    m = 0
    for a in range(n):
        m = _heap_offer(hs, hp, m, k, tmp[a], a)
    _heap_in_order(hs, hp, m)
    num = 0.0
    den = 0.0
    kk = 0
    for a in range(m):
        s = hs[a]
        if s > 0:
            q = lo + hp[a]
            den += s
            if use_div:
                num += s * pv[q] / div[q]
            else:
                num += s * pv[q]
            kk += 1
    return num, den, kk


@njit(cache=True, nogil=True)
def _topk_pos(simrow, cand, lo, hi, k, hs, hp):
    """The neighbours :func:`_topk_sum` aggregates, among the candidates ``cand[lo:hi]`` with
    similarities ``simrow[cand]``: returns their number m, with ``hs[:m]`` / ``hp[:m]`` their
    similarities / positions in summation order. Only positive similarities are heaped: Surprise
    aggregates only sim > 0 terms of the k largest, and those are exactly the k largest positive
    ones (same tie order), so the result is identical while zero / negative similarities cost one
    comparison."""
    if k <= 0:
        return 0
    m = 0
    for a in range(hi - lo):
        s = simrow[cand[lo + a]]
        if s > 0.0:
            m = _heap_offer(hs, hp, m, k, s, a)
    _heap_in_order(hs, hp, m)
    return m


@njit(cache=True, nogil=True, parallel=True)
def predict_grouped(
    targets,
    pair_ptr,
    pair_y,
    source,
    xs_ptr,
    xs_y,
    xs_v,
    yr_ptr,
    yr_x,
    yr_v,
    yr_pv,
    yr_div,
    use_div,
    n_x,
    measure,
    min_support,
    shrinkage,
    k,
    dense,
    nb_ptr,
    nb_idx,
    nb_val,
    chunks,
):
    """Aggregates for test pairs grouped by target x: pairs ``pair_ptr[t]:pair_ptr[t+1]`` have
    target ``targets[t]`` and the y's ``pair_y``; candidates are ``yr[y]``.

    The similarity row of each target comes from the statistics (``source`` 0, computed once per
    target), the dense matrix ``dense`` (1) or the truncated CSR ``nb_*`` (2)."""
    n_pairs = pair_y.size
    num = np.zeros(n_pairs)
    den = np.zeros(n_pairs)
    kk = np.zeros(n_pairs, dtype=np.int64)
    n_t = targets.size
    max_len = 1
    for y in range(yr_ptr.size - 1):
        max_len = max(max_len, yr_ptr[y + 1] - yr_ptr[y])
    n_stats = 6 if measure == 2 else (2 if measure == 0 else 4)
    for c in prange(chunks):
        acc = np.zeros((n_x if source == 0 else 1, n_stats))
        simrow = np.zeros(n_x)
        touched = np.empty(n_x + 1, dtype=np.int64)
        tmp = np.empty(max_len)
        kh = max(1, k)
        hs = np.empty(kh)
        hp = np.empty(kh, dtype=np.int64)
        for t in range(c, n_t, chunks):
            x = targets[t]
            nt = 0
            if source == 0:
                a, b = xs_ptr[x], xs_ptr[x + 1]
                nt = _row_accumulate(
                    xs_y[a:b], xs_v[a:b], yr_ptr, yr_x, yr_v, measure, acc, touched
                )
            elif source == 1:
                simrow[:] = dense[x]
            else:
                for p in range(nb_ptr[x], nb_ptr[x + 1]):
                    touched[nt] = nb_idx[p]
                    simrow[nb_idx[p]] = nb_val[p]
                    nt += 1
                simrow[x] = 1.0
            for p in range(pair_ptr[t], pair_ptr[t + 1]):
                y = pair_y[p]
                lo = yr_ptr[y]
                hi = yr_ptr[y + 1]
                if source == 0:  # similarities computed only for the candidates needed
                    _gather_acc(acc, x, yr_x, lo, hi, measure, min_support, shrinkage, tmp)
                else:
                    _gather_row(simrow, yr_x, lo, hi, tmp)
                r = _topk_sum(tmp, hi - lo, yr_pv, yr_div, use_div, lo, k, hs, hp)
                num[p] = r[0]
                den[p] = r[1]
                kk[p] = r[2]
            if source == 0:
                _reset(nt, touched, acc)
            elif source == 2:
                _clear(nt, touched, simrow)
                simrow[x] = 0.0
    return num, den, kk


@njit(cache=True, nogil=True, parallel=True)
def score_block(
    targets,
    ys,
    source,
    xs_ptr,
    xs_y,
    xs_v,
    yr_ptr,
    yr_x,
    yr_v,
    yr_pv,
    yr_div,
    use_div,
    n_x,
    measure,
    min_support,
    shrinkage,
    k,
    dense,
    nb_ptr,
    nb_idx,
    nb_val,
    chunks,
):
    """Aggregates for every (target x, y) of ``targets`` × ``ys``, candidates ``yr[y]`` as in
    :func:`predict_grouped`, for several models sharing the similarity and k at once: ``yr_pv`` /
    ``yr_div`` are (n_models, n_ratings), ``use_div`` (n_models,) booleans. Returns
    num (n_models, n_t, n_y), den (n_t, n_y), kk (n_t, n_y).

    Each target's similarity row is built once (statistics: one pass then finalised into a dense
    row; or copied from ``dense`` / the truncated CSR) and gathered for every y; the top-k
    selection is shared by the models. Targets are dealt round-robin to ``chunks`` threads;
    results do not depend on the chunking."""
    n_t = targets.size
    n_y = ys.size
    n_m = yr_pv.shape[0]
    num = np.zeros((n_m, n_t, n_y))
    den = np.zeros((n_t, n_y))
    kk = np.zeros((n_t, n_y), dtype=np.int64)
    n_stats = 6 if measure == 2 else (2 if measure == 0 else 4)
    for c in prange(chunks):
        acc = np.zeros((n_x if source == 0 else 1, n_stats))
        simrow = np.zeros(n_x)
        touched = np.empty(n_x + 1, dtype=np.int64)
        kh = max(1, k)
        hs = np.empty(kh)
        hp = np.empty(kh, dtype=np.int64)
        for t in range(c, n_t, chunks):
            x = targets[t]
            nt = 0
            if source == 0:
                a, b = xs_ptr[x], xs_ptr[x + 1]
                nt = _row_accumulate(
                    xs_y[a:b], xs_v[a:b], yr_ptr, yr_x, yr_v, measure, acc, touched
                )
                _row_finish(nt, touched, measure, min_support, shrinkage, acc, simrow)
            elif source == 1:
                simrow[:] = dense[x]
            else:
                for p in range(nb_ptr[x], nb_ptr[x + 1]):
                    touched[nt] = nb_idx[p]
                    simrow[nb_idx[p]] = nb_val[p]
                    nt += 1
            simrow[x] = 1.0
            for j in range(n_y):
                y = ys[j]
                lo = yr_ptr[y]
                m = _topk_pos(simrow, yr_x, lo, yr_ptr[y + 1], k, hs, hp)
                d = 0.0
                for a in range(m):
                    d += hs[a]
                den[t, j] = d
                kk[t, j] = m
                for g in range(n_m):
                    nm = 0.0
                    if use_div[g]:
                        for a in range(m):
                            q = lo + hp[a]
                            nm += hs[a] * yr_pv[g, q] / yr_div[g, q]
                    else:
                        for a in range(m):
                            nm += hs[a] * yr_pv[g, lo + hp[a]]
                    num[g, t, j] = nm
            if source != 1:
                _clear(nt, touched, simrow)
                simrow[x] = 0.0
    return num, den, kk


@njit(cache=True, nogil=True, parallel=True)
def sim_rows(
    rows, r_ptr, r_y, r_v, diag, yr_ptr, yr_x, yr_v, n_x, measure, min_support, shrinkage, chunks
):
    """Dense similarity rows: row n uses the ratings ``r_ptr[rows[n]]:r_ptr[rows[n]+1]`` (ascending
    y) of ``r_y``/``r_v``; ``diag`` sets sim(x, x) = 1 (rows are training x's)."""
    m = rows.size
    out = np.zeros((m, n_x))
    n_stats = 6 if measure == 2 else (2 if measure == 0 else 4)
    for c in prange(chunks):
        acc = np.zeros((n_x, n_stats))
        touched = np.empty(n_x + 1, dtype=np.int64)
        for n in range(c, m, chunks):
            x = rows[n]
            a, b = r_ptr[x], r_ptr[x + 1]
            nt = _row_accumulate(r_y[a:b], r_v[a:b], yr_ptr, yr_x, yr_v, measure, acc, touched)
            _row_finish(nt, touched, measure, min_support, shrinkage, acc, out[n])
            if diag:
                out[n, x] = 1.0
    return out


@njit(cache=True, nogil=True)
def _select_top(vals, ids, cnt, keep, out_v, out_i):
    """The ``keep`` largest of vals[:cnt] (ties: smaller id first), written sorted by id."""
    if cnt <= keep:
        m = cnt
        for a in range(cnt):
            out_v[a] = vals[a]
            out_i[a] = ids[a]
    else:
        kth = np.partition(vals[:cnt], cnt - keep)[cnt - keep]
        m = 0
        n_eq = 0
        for a in range(cnt):
            if vals[a] > kth:
                out_v[m] = vals[a]
                out_i[m] = ids[a]
                m += 1
            elif vals[a] == kth:
                n_eq += 1
        if m < keep:
            eq = np.empty(n_eq, dtype=np.int64)
            e = 0
            for a in range(cnt):
                if vals[a] == kth:
                    eq[e] = ids[a]
                    e += 1
            eq.sort()
            for e in range(keep - m):
                out_v[m] = kth
                out_i[m] = eq[e]
                m += 1
    order = np.argsort(out_i[:m])
    vi = out_i[:m][order].copy()
    vv = out_v[:m][order].copy()
    out_i[:m] = vi
    out_v[:m] = vv
    return m


@njit(cache=True, nogil=True, parallel=True)
def truncated_rows(
    xs_ptr, xs_y, xs_v, yr_ptr, yr_x, yr_v, n_x, measure, min_support, shrinkage, keep, chunks
):
    """For every x, its ``keep`` most similar positive neighbours (ties: smaller id) plus itself
    (similarity 1), sorted by id: (counts, ids (n_x, keep+1), sims (n_x, keep+1))."""
    width = keep + 1
    counts = np.zeros(n_x, dtype=np.int64)
    out_i = np.zeros((n_x, width), dtype=np.int64)
    out_v = np.zeros((n_x, width))
    n_stats = 6 if measure == 2 else (2 if measure == 0 else 4)
    for c in prange(chunks):
        acc = np.zeros((n_x, n_stats))
        simrow = np.zeros(n_x)
        touched = np.empty(n_x + 1, dtype=np.int64)
        vals = np.empty(n_x)
        ids = np.empty(n_x, dtype=np.int64)
        for x in range(c, n_x, chunks):
            a, b = xs_ptr[x], xs_ptr[x + 1]
            nt = _row_accumulate(xs_y[a:b], xs_v[a:b], yr_ptr, yr_x, yr_v, measure, acc, touched)
            _row_finish(nt, touched, measure, min_support, shrinkage, acc, simrow)
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
            m = _select_top(vals, ids, cnt + 1, keep + 1, out_v[x], out_i[x])
            for a in range(m):
                if out_i[x, a] == x:
                    out_v[x, a] = 1.0
            counts[x] = m
    return counts, out_i, out_v


@njit(cache=True, nogil=True)
def topk_block(block, pv, div, use_div, k):
    """Top-k aggregation for every row of an m-by-c similarity block whose candidates are the
    columns (in their ``yr`` order), with per-candidate values ``pv`` (and divisors ``div``)."""
    m, c = block.shape
    num = np.zeros(m)
    den = np.zeros(m)
    kk = np.zeros(m, dtype=np.int64)
    kh = max(1, k)
    hs = np.empty(kh)
    hp = np.empty(kh, dtype=np.int64)
    row = np.empty(max(c, 1))
    for n in range(m):
        row[:c] = block[n]
        r = _topk_sum(row, c, pv, div, use_div, 0, k, hs, hp)
        num[n] = r[0]
        den[n] = r[1]
        kk[n] = r[2]
    return num, den, kk


@njit(cache=True, nogil=True, parallel=True)
def score_block_sorted(
    targets,
    colmap,
    n_cols,
    source,
    xs_ptr,
    xs_y,
    xs_v,
    xs_q,
    xs_pv,
    xs_div,
    yr_ptr,
    yr_x,
    yr_v,
    yr_pv,
    yr_div,
    use_div,
    n_x,
    measure,
    min_support,
    shrinkage,
    k,
    dense,
    chunks,
):
    """:func:`score_block` with the loops flipped: for each target x, its positive neighbours x'
        in decreasing similarity, and for each y that x' rated (``xs`` layout) the neighbour is
        taken if y's column still holds fewer than k. This selects, for every (x, y), exactly the
        k largest positive similarities among ``yr[y]`` with Surprise's tie order (equal
        similarities straddling the k-th place: smaller position in ``yr[y]`` first, via ``xs_q``,
        the ``yr`` index of each ``xs`` rating), without a heap. ``xs_pv`` / ``xs_div`` are ``yr_pv`` /
    ``yr_div`` laid out in ``xs`` order (sequential reads). Sums are accumulated in decreasing
        similarity; among equal similarities the order may differ from Surprise's (den identical,
        num within rounding). ``colmap[y]`` is y's output column or -1. Needs the statistics or the
        dense matrix (``source`` 0 or 1)."""
    n_t = targets.size
    n_m = yr_pv.shape[0]
    num = np.zeros((n_m, n_t, n_cols))
    den = np.zeros((n_t, n_cols))
    kk = np.zeros((n_t, n_cols), dtype=np.int32)
    n_stats = 6 if measure == 2 else (2 if measure == 0 else 4)
    for c in prange(chunks):
        acc = np.zeros((n_x if source == 0 else 1, n_stats))
        simrow = np.zeros(n_x)
        touched = np.empty(n_x + 1, dtype=np.int64)
        vals = np.empty(n_x)
        ids = np.empty(n_x, dtype=np.int64)
        gcnt = np.zeros(n_cols, dtype=np.int64)
        gcols = np.empty(n_cols, dtype=np.int64)
        skk = np.zeros(n_cols, dtype=np.int64)
        sden = np.zeros(n_cols)
        snum = np.zeros((n_m, n_cols))
        for t in range(c, n_t, chunks):
            x = targets[t]
            npos = 0
            if source == 0:
                a0, b0 = xs_ptr[x], xs_ptr[x + 1]
                nt = _row_accumulate(
                    xs_y[a0:b0], xs_v[a0:b0], yr_ptr, yr_x, yr_v, measure, acc, touched
                )
                _row_finish(nt, touched, measure, min_support, shrinkage, acc, simrow)
                for e in range(nt):
                    x2 = touched[e]
                    s = simrow[x2]
                    if x2 != x and s > 0.0:
                        vals[npos] = -s
                        ids[npos] = x2
                        npos += 1
            else:
                for x2 in range(n_x):
                    s = dense[x, x2]
                    simrow[x2] = s
                    if x2 != x and s > 0.0:
                        vals[npos] = -s
                        ids[npos] = x2
                        npos += 1
            order = np.argsort(vals[:npos])
            a = 0
            while a < npos:
                s = -vals[order[a]]
                b = a + 1
                while b < npos and -vals[order[b]] == s:
                    b += 1
                if b == a + 1:
                    x2 = ids[order[a]]
                    for p in range(xs_ptr[x2], xs_ptr[x2 + 1]):
                        j = colmap[xs_y[p]]
                        if j < 0 or kk[t, j] >= k:
                            continue
                        den[t, j] += s
                        kk[t, j] += 1
                        for g in range(n_m):
                            if use_div[g]:
                                num[g, t, j] += s * xs_pv[g, p] / xs_div[g, p]
                            else:
                                num[g, t, j] += s * xs_pv[g, p]
                else:
                    # A group of equal similarities: add as for single neighbours, but remember
                    # each column's state before the group; a column that would exceed k
                    # ("straddles" the k-th place) is restored and completed from its own
                    # candidate list yr[y], in yr order (Surprise's tie order), with the first
                    # group members up to k.
                    ng = 0
                    for e in range(a, b):
                        x2 = ids[order[e]]
                        for p in range(xs_ptr[x2], xs_ptr[x2 + 1]):
                            j = colmap[xs_y[p]]
                            if j < 0:
                                continue
                            if gcnt[j] == 0:
                                if kk[t, j] >= k:
                                    continue
                                gcols[ng] = j
                                ng += 1
                                skk[j] = kk[t, j]
                                sden[j] = den[t, j]
                                for g in range(n_m):
                                    snum[g, j] = num[g, t, j]
                            gcnt[j] += 1
                            over = skk[j] + gcnt[j] - k
                            if over > 1:  # already completed in this group
                                continue
                            if over == 1:  # first member beyond k: resolve the tie by position
                                den[t, j] = sden[j]
                                for g in range(n_m):
                                    num[g, t, j] = snum[g, j]
                                need = k - skk[j]
                                y = xs_y[p]
                                for q in range(yr_ptr[y], yr_ptr[y + 1]):
                                    if simrow[yr_x[q]] != s:
                                        continue
                                    den[t, j] += s
                                    for g in range(n_m):
                                        if use_div[g]:
                                            num[g, t, j] += s * yr_pv[g, q] / yr_div[g, q]
                                        else:
                                            num[g, t, j] += s * yr_pv[g, q]
                                    need -= 1
                                    if need == 0:
                                        break
                                kk[t, j] = k
                                continue
                            den[t, j] += s
                            kk[t, j] += 1
                            for g in range(n_m):
                                if use_div[g]:
                                    num[g, t, j] += s * xs_pv[g, p] / xs_div[g, p]
                                else:
                                    num[g, t, j] += s * xs_pv[g, p]
                    for e in range(ng):
                        gcnt[gcols[e]] = 0
                a = b
            if source == 0:
                _clear(nt, touched, simrow)
    return num, den, kk


@njit(cache=True, nogil=True, parallel=True)
def assemble_scores(num, den, kk, user_based, users, kind, min_k, mu, means, sigmas, bu, bi, out):
    """Estimates from aggregates, as ``knn._SymmetricKNN._assemble`` computes them (same float
    operations): ``out[r, i]`` for user ``users[r]`` and item i. ``num``/``den``/``kk`` are
    indexed [r, i] if ``user_based`` else [i, r]. ``kind``: 0 KNNBasic (impossible -> ``mu``),
    1 KNNWithMeans, 2 KNNWithZScore, 3 KNNBaseline; ``means``/``sigmas`` are per x."""
    m, n_items = out.shape
    for r in prange(m):
        u = users[r]
        for i in range(n_items):
            if user_based:
                nm = num[r, i]
                d = den[r, i]
                kc = kk[r, i]
                x = u
            else:
                nm = num[i, r]
                d = den[i, r]
                kc = kk[i, r]
                x = i
            ok = kc >= min_k
            agg = nm / d if (ok and d != 0.0) else 0.0
            if kind == 0:
                est = agg if ok else mu
            elif kind == 1:
                est = means[x] + agg
            elif kind == 2:
                est = means[x] + agg * sigmas[x]
            else:
                est = ((mu + bu[u]) + bi[i]) + agg
            out[r, i] = est
