"""Top-k neighbour selection with Surprise's tie order, and the aggregation over the chosen ones.

:func:`topk_sum` reproduces ``heapq.nlargest(k, ..., key=sim)`` (larger similarity first, ties in
candidate order) and then Surprise's accumulation loop (only sim > 0 terms, in that order).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["heap_in_order", "heap_offer", "select_top", "topk_block", "topk_pos", "topk_sum"]


@njit(cache=True, nogil=True, inline="always")
def heap_offer(hs, hp, m, k, s, a):
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
def heap_in_order(hs, hp, m):
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
def topk_sum(tmp, n, terms, lo, k, hs, hp):
    """(sum sim·term, sum sim, actual_k, best) over the candidates' similarities ``tmp[:n]``
    (terms at ``lo + a`` of the 1-D ``terms``), exactly as Surprise aggregates
    ``heapq.nlargest(k, ...)``'s output: the k largest, earlier candidates first among equal
    similarities, in decreasing order, sim > 0 only. ``best`` is the position of the candidate
    whose sim·term is the largest positive one (-1 if none): who pushed the estimate up most."""
    if n <= 0 or k <= 0:
        return 0.0, 0.0, 0, -1
    m = 0
    for a in range(n):
        m = heap_offer(hs, hp, m, k, tmp[a], a)
    heap_in_order(hs, hp, m)
    num = 0.0
    den = 0.0
    kk = 0
    best = -1
    best_push = 0.0
    for a in range(m):
        s = hs[a]
        if s > 0:
            q = lo + hp[a]
            den += s
            push = s * terms.pv[q] / terms.div[q] if terms.use_div else s * terms.pv[q]
            num += push
            kk += 1
            if push > best_push:
                best, best_push = hp[a], push
    return num, den, kk, best


@njit(cache=True, nogil=True)
def topk_pos(simrow, cand, lo, hi, k, hs, hp):
    """The neighbours :func:`topk_sum` aggregates, among the candidates ``cand[lo:hi]`` with
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
            m = heap_offer(hs, hp, m, k, s, a)
    heap_in_order(hs, hp, m)
    return m


@njit(cache=True, nogil=True)
def select_top(vals, ids, cnt, keep, out_v, out_i):
    """The ``keep`` largest of vals[:cnt] (ties: smaller id first), written sorted by id."""
    if cnt <= keep:
        m = cnt
        out_v[:cnt] = vals[:cnt]
        out_i[:cnt] = ids[:cnt]
    else:
        kth = np.partition(vals[:cnt], cnt - keep)[cnt - keep]
        larger = vals[:cnt] > kth
        m = int(larger.sum())
        out_v[:m] = vals[:cnt][larger]
        out_i[:m] = ids[:cnt][larger]
        if m < keep:  # fill with the smallest ids among those equal to the k-th value
            tied = np.sort(ids[:cnt][vals[:cnt] == kth])[: keep - m]
            out_v[m : m + tied.size] = kth
            out_i[m : m + tied.size] = tied
            m += tied.size
    order = np.argsort(out_i[:m])
    vi = out_i[:m][order].copy()
    vv = out_v[:m][order].copy()
    out_i[:m] = vi
    out_v[:m] = vv
    return m


@njit(cache=True, nogil=True)
def topk_block(block, terms, k):
    """Top-k aggregation for every row of an m-by-c similarity block whose candidates are the
    columns (in their ``yr`` order), with per-candidate terms: (num, den, kk, best column)."""
    m, c = block.shape
    num = np.zeros(m)
    den = np.zeros(m)
    kk = np.zeros(m, dtype=np.int64)
    best = np.full(m, -1, dtype=np.int64)
    hs = np.empty(max(1, k))
    hp = np.empty(max(1, k), dtype=np.int64)
    row = np.empty(max(c, 1))
    for n in range(m):
        row[:c] = block[n]
        num[n], den[n], kk[n], best[n] = topk_sum(row, c, terms, 0, k, hs, hp)
    return num, den, kk, best
