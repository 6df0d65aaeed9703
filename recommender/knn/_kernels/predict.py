"""Aggregates for test pairs grouped by target, and for whole blocks of targets × y's.

Both build each target's similarity row once (:func:`~.stats.load_row`) and then select, for
every y asked for, the top-k among ``yr[y]`` with Surprise's tie order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from recommender.knn._kernels import run_chunks
from recommender.knn._kernels.stats import (
    clear_row,
    gather_acc,
    load_row,
    n_stats,
    reset_acc,
)
from recommender.knn._kernels.topk import topk_pos, topk_sum

__all__ = ["predict_grouped", "score_block"]


@njit(cache=True, nogil=True)
def _longest_row(ptr):
    longest = 1
    for y in range(ptr.size - 1):
        longest = max(longest, ptr[y + 1] - ptr[y])
    return longest


@njit(cache=True, nogil=True)
def _grouped_chunk(c, chunks, targets, pairs, nb, terms, k, out):
    num, den, kk = out
    lazy = nb.source == 0
    acc = np.zeros((nb.n_x if lazy else 1, n_stats(nb.measure.code)))
    simrow = np.zeros(nb.n_x)
    touched = np.empty(nb.n_x + 1, dtype=np.int64)
    tmp = np.empty(_longest_row(nb.yr.ptr))
    hs = np.empty(max(1, k))
    hp = np.empty(max(1, k), dtype=np.int64)
    for t in range(c, targets.size, chunks):
        x = targets[t]
        nt = load_row(x, nb, acc, simrow, touched, False)
        for p in range(pairs.ptr[t], pairs.ptr[t + 1]):
            y = pairs.idx[p]
            lo, hi = nb.yr.ptr[y], nb.yr.ptr[y + 1]
            if lazy:
                gather_acc(acc, x, nb.yr.idx, lo, hi, nb.measure, tmp)
            else:
                for a in range(hi - lo):
                    tmp[a] = simrow[nb.yr.idx[lo + a]]
            num[p], den[p], kk[p], _ = topk_sum(tmp, hi - lo, terms, lo, k, hs, hp)
        if lazy:
            reset_acc(nt, touched, acc)
        elif nb.source == 2:
            clear_row(nt, touched, simrow)
            simrow[x] = 0.0


def predict_grouped(targets, pairs, nb, terms, k, chunks):
    """Aggregates (num, den, kk) for test pairs grouped by target x: the pairs
    ``pairs.ptr[t]:pairs.ptr[t+1]`` have target ``targets[t]`` and the y's ``pairs.idx``; the
    candidates of each are ``yr[y]``. From the statistics, a target's similarities are computed
    once and only for the candidates needed."""
    n_pairs = pairs.idx.size
    out = (np.zeros(n_pairs), np.zeros(n_pairs), np.zeros(n_pairs, dtype=np.int64))
    run_chunks(_grouped_chunk, chunks, targets, pairs, nb, terms, k, out)
    return out


@njit(cache=True, nogil=True, inline="always")
def _aggregate_models(hs, hp, m, lo, terms, num, t, j):
    """Sum sim·term over the m chosen neighbours of (t, j) for every model of ``terms``."""
    for g in range(terms.pv.shape[0]):
        nm = 0.0
        if terms.use_div[g]:
            for a in range(m):
                q = lo + hp[a]
                nm += hs[a] * terms.pv[g, q] / terms.div[g, q]
        else:
            for a in range(m):
                nm += hs[a] * terms.pv[g, lo + hp[a]]
        num[g, t, j] = nm


@njit(cache=True, nogil=True)
def _block_chunk(c, chunks, targets, ys, nb, terms, k, out):
    acc = np.zeros((nb.n_x if nb.source == 0 else 1, n_stats(nb.measure.code)))
    simrow = np.zeros(nb.n_x)
    touched = np.empty(nb.n_x + 1, dtype=np.int64)
    hs = np.empty(max(1, k))
    hp = np.empty(max(1, k), dtype=np.int64)
    for t in range(c, targets.size, chunks):
        x = targets[t]
        nt = load_row(x, nb, acc, simrow, touched, True)
        simrow[x] = 1.0
        for j in range(ys.size):
            lo = nb.yr.ptr[ys[j]]
            m = topk_pos(simrow, nb.yr.idx, lo, nb.yr.ptr[ys[j] + 1], k, hs, hp)
            d = 0.0
            for a in range(m):
                d += hs[a]
            out[1][t, j] = d
            out[2][t, j] = m
            _aggregate_models(hs, hp, m, lo, terms, out[0], t, j)
        if nb.source != 1:
            clear_row(nt, touched, simrow)
            simrow[x] = 0.0


def score_block(targets, ys, nb, terms, k, chunks):
    """Aggregates for every (target x, y) of ``targets`` × ``ys``, candidates ``yr[y]`` as in
    :func:`predict_grouped`, for several models sharing the similarity and k at once (``terms``
    are 2-D: models × ratings): num (n_models, n_t, n_y), den and kk (n_t, n_y); the top-k
    selection is shared by the models."""
    n_t, n_y = targets.size, ys.size
    out = (
        np.zeros((terms.pv.shape[0], n_t, n_y)),
        np.zeros((n_t, n_y)),
        np.zeros((n_t, n_y), dtype=np.int64),
    )
    run_chunks(_block_chunk, chunks, targets, ys, nb, terms, k, out)
    return out
