"""Bulk aggregates with the loops flipped: neighbours in decreasing similarity, no heap.

For each target x, its positive neighbours x' are visited in decreasing similarity, and for each y
that x' rated (``xs`` layout) the neighbour is taken if y's column still holds fewer than k. This
selects, for every (x, y), exactly the k largest positive similarities among ``yr[y]`` with
Surprise's tie order: among equal similarities straddling the k-th place, the ones earlier in
``yr[y]`` win (:func:`_resolve_tie`). Sums are accumulated in decreasing similarity; among equal
similarities the order may differ from Surprise's (den identical, num within rounding).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from recommender.knn._kernels import run_chunks
from recommender.knn._kernels.stats import clear_row, load_row, n_stats

__all__ = ["BlockPlan", "score_block_sorted"]


class BlockPlan(NamedTuple):
    """What :func:`score_block_sorted` needs besides the targets."""

    colmap: np.ndarray  # y -> output column, or -1 for a y not asked for
    n_cols: int
    nb: object  # Neighbourhood with the statistics or the dense matrix
    xs_terms: object  # Terms laid out in xs order (2-D: models × ratings)
    yr_terms: object  # the same Terms in yr order (for tie resolution)
    k: int


@njit(cache=True, nogil=True, inline="always")
def _add(num, t, j, s, terms, q):
    """num[g, t, j] += sim·term of rating q, for every model g."""
    for g in range(terms.pv.shape[0]):
        if terms.use_div[g]:
            num[g, t, j] += s * terms.pv[g, q] / terms.div[g, q]
        else:
            num[g, t, j] += s * terms.pv[g, q]


@njit(cache=True, nogil=True)
def _positive_sorted(x, nb, acc, simrow, touched, vals, ids):
    """Target x's similarity row into ``simrow``; its positive neighbours (x' != x) into
    ``ids`` with ``vals`` = -sim. Returns (how many, entries touched)."""
    npos = 0
    nt = load_row(x, nb, acc, simrow, touched, True)
    if nb.source == 0:
        for e in range(nt):
            x2 = touched[e]
            s = simrow[x2]
            if x2 != x and s > 0.0:
                vals[npos] = -s
                ids[npos] = x2
                npos += 1
    else:
        for x2 in range(nb.n_x):
            s = simrow[x2]
            if x2 != x and s > 0.0:
                vals[npos] = -s
                ids[npos] = x2
                npos += 1
    return npos, nt


@njit(cache=True, nogil=True)
def _add_single(plan, out, t, x2, s):
    """A neighbour whose similarity no other neighbour shares: taken wherever there is room."""
    xs = plan.nb.xs
    for p in range(xs.ptr[x2], xs.ptr[x2 + 1]):
        j = plan.colmap[xs.idx[p]]
        if j < 0 or out[2][t, j] >= plan.k:
            continue
        out[1][t, j] += s
        out[2][t, j] += 1
        _add(out[0], t, j, s, plan.xs_terms, p)


@njit(cache=True, nogil=True)
def _resolve_tie(plan, out, saved, t, j, y, s, simrow):
    """Column j would take more than k neighbours of similarity s: restore its state before the
    group and complete it from its own candidate list ``yr[y]``, in yr order (Surprise's tie
    order)."""
    skk, sden, snum = saved[2], saved[3], saved[4]
    out[1][t, j] = sden[j]
    for g in range(snum.shape[0]):
        out[0][g, t, j] = snum[g, j]
    need = plan.k - skk[j]
    yr = plan.nb.yr
    for q in range(yr.ptr[y], yr.ptr[y + 1]):
        if simrow[yr.idx[q]] != s:
            continue
        out[1][t, j] += s
        _add(out[0], t, j, s, plan.yr_terms, q)
        need -= 1
        if need == 0:
            break
    out[2][t, j] = plan.k


@njit(cache=True, nogil=True)
def _add_group(plan, out, saved, t, members, s, simrow):
    """Neighbours sharing one similarity: added as single ones, but each column's state before
    the group is remembered; a column that would exceed k ("straddles" the k-th place) is
    resolved by :func:`_resolve_tie`."""
    gcnt, gcols, skk, sden, snum = saved
    xs = plan.nb.xs
    ng = 0
    for x2 in members:
        for p in range(xs.ptr[x2], xs.ptr[x2 + 1]):
            j = plan.colmap[xs.idx[p]]
            if j < 0:
                continue
            if gcnt[j] == 0:
                if out[2][t, j] >= plan.k:
                    continue
                gcols[ng] = j
                ng += 1
                skk[j] = out[2][t, j]
                sden[j] = out[1][t, j]
                for g in range(snum.shape[0]):
                    snum[g, j] = out[0][g, t, j]
            gcnt[j] += 1
            over = skk[j] + gcnt[j] - plan.k
            if over == 1:  # first member beyond k: resolve the tie by position
                _resolve_tie(plan, out, saved, t, j, xs.idx[p], s, simrow)
            elif over < 1:
                out[1][t, j] += s
                out[2][t, j] += 1
                _add(out[0], t, j, s, plan.xs_terms, p)
    for e in range(ng):
        gcnt[gcols[e]] = 0


@njit(cache=True, nogil=True)
def _sorted_chunk(c, chunks, targets, plan, out):
    nb = plan.nb
    n_m = plan.xs_terms.pv.shape[0]
    acc = np.zeros((nb.n_x if nb.source == 0 else 1, n_stats(nb.measure.code)))
    simrow = np.zeros(nb.n_x)
    touched = np.empty(nb.n_x + 1, dtype=np.int64)
    vals = np.empty(nb.n_x)
    ids = np.empty(nb.n_x, dtype=np.int64)
    saved = (
        np.zeros(plan.n_cols, dtype=np.int64),  # group members per column
        np.empty(plan.n_cols, dtype=np.int64),  # columns touched by the group
        np.zeros(plan.n_cols, dtype=np.int64),  # kk before the group
        np.zeros(plan.n_cols),  # den before the group
        np.zeros((n_m, plan.n_cols)),  # num before the group
    )
    for t in range(c, targets.size, chunks):
        npos, nt = _positive_sorted(targets[t], nb, acc, simrow, touched, vals, ids)
        order = np.argsort(vals[:npos])
        a = 0
        while a < npos:
            s = -vals[order[a]]
            b = a + 1
            while b < npos and -vals[order[b]] == s:
                b += 1
            if b == a + 1:
                _add_single(plan, out, t, ids[order[a]], s)
            else:
                _add_group(plan, out, saved, t, ids[order[a:b]], s, simrow)
            a = b
        if nb.source == 0:
            clear_row(nt, touched, simrow)


def score_block_sorted(targets, plan, chunks):
    """Aggregates for every target x × the y's of ``plan.colmap``: num (models, n_t, n_cols),
    den and kk (n_t, n_cols), as :func:`~.predict.score_block` gives them (see the module)."""
    n_t, n_m = targets.size, plan.xs_terms.pv.shape[0]
    out = (
        np.zeros((n_m, n_t, plan.n_cols)),
        np.zeros((n_t, plan.n_cols)),
        np.zeros((n_t, plan.n_cols), dtype=np.int32),
    )
    run_chunks(_sorted_chunk, chunks, targets, plan, out)
    return out
