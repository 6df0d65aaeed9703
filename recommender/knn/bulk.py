"""Bulk scoring: every item for many training users at once, compiled, for the evaluation grid.

This is the batched form of :func:`recommender.knn.scoring.score_history` for training users (the
tests hold the two equal): item-based models compute each item's similarity row once per block of
users and select its top-k for every user of the block; user-based models compute each user's row
once and select for every item. Models fitted on the same data with the same similarity and k (the
four algorithms with one measure) share one similarity computation and one top-k selection.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from recommender.knn import _kernels as kern
from recommender.knn.formulas import assemble_block

__all__ = ["iter_score_blocks", "score_users_shared", "shares_neighbours"]


def shares_neighbours(a: Any, b: Any) -> bool:
    """True if two fitted models have the same similarities and neighbour selection (same data,
    measure, options and k), so one computation serves both."""
    la, lb = a.layout_, b.layout_
    na, nb = la.neighbourhood, lb.neighbourhood
    same = (
        la.user_based == lb.user_based
        and na.measure == nb.measure
        and a.k == b.k
        and na.source == nb.source != kern.SRC_NBRS
        and (la.n_x, la.n_y) == (lb.n_x, lb.n_y)
    )
    if not same:
        return False
    pairs = ((na.xs.ptr, nb.xs.ptr), (na.xs.idx, nb.xs.idx), (na.xs.val, nb.xs.val),
             (na.yr.ptr, nb.yr.ptr), (na.yr.idx, nb.yr.idx))  # fmt: skip
    return all(np.array_equal(x, y) for x, y in pairs)


def inner_users(model: Any, uids: Iterable[Hashable], inner: bool) -> np.ndarray:
    """Inner user ids from raw ids (KeyError if unknown) or checked inner ids."""
    if not inner:
        return np.fromiter((model.uid_index_[x] for x in uids), np.int64)
    out = np.asarray(list(uids) if not isinstance(uids, np.ndarray) else uids, dtype=np.int64)
    if out.size and (out.min() < 0 or out.max() >= model.n_users_):
        raise IndexError(f"inner ids must be in [0, {model.n_users_})")
    return out.reshape(-1)


def score_users_shared(
    models: Sequence[Any], uids: Iterable[Hashable], *, inner: bool = False, clip: bool = False
) -> list[np.ndarray]:
    """``score_users`` for several fitted models at once: one (users × items) array per model,
    each equal to that model's own ``score_users``. :func:`iter_score_blocks` yields the same by
    blocks (less memory)."""
    models = list(models)
    if not models:
        return []
    users = inner_users(models[0], uids, inner)
    outs = [np.empty((users.size, m.n_items_)) for m in models]
    for g, start, block in iter_score_blocks(models, users, clip=clip):
        outs[g][start : start + block.shape[0]] = block
    return outs


def iter_score_blocks(
    models: Sequence[Any], users: np.ndarray, *, clip: bool = False
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Bulk scores of the inner users ``users`` by several fitted models, block by block: yields
    ``(model index, first row, scores)`` where ``scores`` are rows ``first : first + len`` of that
    model's ``score_users`` (rated items NaN). For each model the blocks come in row order. Memory
    is bounded by the models' ``memory_budget`` (kernel output) plus one block of scores."""
    models = list(models)
    users = np.asarray(users, dtype=np.int64).reshape(-1)
    groups: list[list[int]] = []
    for n, model in enumerate(models):
        for group in groups:
            if shares_neighbours(models[group[0]], model):
                group.append(n)
                break
        else:
            groups.append([n])
    for group in groups:
        for g, start, block in _score_group([models[n] for n in group], users, clip):
            yield group[g], start, block


def _aggregates(models: list[Any], targets: np.ndarray, ys: np.ndarray) -> kern.Aggregates:
    """(num per model, den, kk) for every target x × y (compiled; see ``_kernels``)."""
    lay = models[0].layout_
    nb = lay.neighbourhood
    pv = np.stack([m.layout_.terms.pv for m in models])
    div = np.stack([m.layout_.terms.div if m.layout_.terms.use_div else np.ones_like(m.layout_.terms.pv)
                    for m in models])  # fmt: skip
    use_div = np.array([m.layout_.terms.use_div for m in models], dtype=np.bool_)
    terms = kern.Terms(pv, div, use_div)
    k, chunks = int(models[0].k), kern.n_chunks()
    if nb.source == kern.SRC_NBRS:
        return kern.Aggregates(*kern.score_block(targets, ys, nb, terms, k, chunks))
    colmap = np.full(lay.n_y, -1, dtype=np.int64)
    colmap[ys] = np.arange(ys.size)
    xs_terms = kern.Terms(np.ascontiguousarray(pv[:, lay.xs_q]),
                          np.ascontiguousarray(div[:, lay.xs_q]), use_div)  # fmt: skip
    plan = kern.BlockPlan(colmap, int(ys.size), nb, xs_terms, terms, k)
    return kern.Aggregates(*kern.score_block_sorted(targets, plan, chunks))


def _score_group(
    models: list[Any], users: np.ndarray, clip: bool
) -> Iterator[tuple[int, int, np.ndarray]]:
    lead = models[0]
    n_items = lead.n_items_
    if users.size and (users.min() < 0 or users.max() >= lead.n_users_):
        raise IndexError(f"inner user ids must be in [0, {lead.n_users_})")
    # kernel output per (user, item) cell: num per model, den (8 B) and kk (4 B)
    step = max(1, int(lead.memory_budget // (n_items * (8 * len(models) + 12))))
    all_items = np.arange(n_items, dtype=np.int64)
    user_based = lead.layout_.user_based
    for s in range(0, users.size, step):
        block = users[s : s + step]
        if user_based:
            agg = _aggregates(models, block, all_items)
        else:
            agg = _aggregates(models, all_items, block)
        for g, model in enumerate(models):
            est = np.empty((block.size, n_items))
            assemble_block(model.formula.code, (agg.num[g], agg.den, agg.kk), user_based, block,
                           int(model.min_k), model.layout_.centers, est)  # fmt: skip
            if clip:
                est = model.clip(est)
            ur = model.layout_.ur
            for row, u in enumerate(block):
                est[row, ur.idx[ur.ptr[u] : ur.ptr[u + 1]]] = np.nan
            yield g, s, est
            del est
        del agg
