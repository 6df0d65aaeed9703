"""A fitted KNN model scores every item for a user from that user's ratings: one path for a new
visitor (fold-in, no refit), a training user's full list and the explanations.

The new user does not change the training similarities between items (item-based) nor the other
users' means / baselines; their own mean, spread and bias (Surprise's user step with the items'
biases fixed) come from their ratings. User-based: the visitor's similarity to every training user
is computed from their rating vector with the same measure. Estimates follow the model's row of
:data:`recommender.knn.formulas.FORMULAS`, exactly as ``predict`` computes them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.knn import _kernels as kern
from recommender.knn.baselines import fold_in_user_bias
from recommender.knn.formulas import Centers, estimates, neighbour_terms
from recommender.knn.similarities import topk_mask

__all__ = ["History", "HistoryScores", "history_of", "score_history", "sim_block"]


@dataclass(frozen=True)
class History:
    """One user's ratings in the model's inner item ids, and what the estimates centre on."""

    items: np.ndarray  # inner item ids
    ratings: np.ndarray
    mean: float
    sigma: float
    bias: float  # b_u (0 without baselines)
    user: int = -1  # inner id of a training user, -1 for a visitor


@dataclass(frozen=True)
class HistoryScores:
    """Every item the user has not rated, scored (inner ids; estimates unclipped).

    ``support`` is Σ sim over the neighbours used, ``evidence`` Σ sim·term, ``actual_k`` their
    number; ``top_neighbour`` (item-based) the rated item whose sim·term is the largest positive
    one for each target (-1 for none): the rating that pushed the estimate up the most."""

    items: np.ndarray
    estimates: np.ndarray
    support: np.ndarray
    evidence: np.ndarray
    actual_k: np.ndarray
    top_neighbour: np.ndarray


def history_of(model: Any, ratings: Mapping[Hashable, float] | None = None,
               uid: Hashable | None = None) -> History:  # fmt: skip
    """A visitor's ``{raw item id: rating}`` (unknown items ignored), or training user ``uid``'s
    fitted history and statistics."""
    lay = model.layout_
    if uid is not None:
        u = model.uid_index_[uid]
        a, b = lay.ur.ptr[u], lay.ur.ptr[u + 1]
        mean, sigma = (lay.centers.means[u], lay.centers.sigmas[u]) if lay.user_based else (0, 0)
        bias = 0.0 if lay.bu is None else float(lay.bu[u])
        return History(lay.ur.idx[a:b], lay.ur.val[a:b], float(mean), float(sigma), bias, u)
    pairs = [(model.iid_index_[m], float(r)) for m, r in (ratings or {}).items()
             if m in model.iid_index_]  # fmt: skip
    items = np.array([p[0] for p in pairs], dtype=np.int64)
    vals = np.array([p[1] for p in pairs], dtype=np.float64)
    mean = float(np.mean(vals)) if vals.size else model.global_mean_
    sigma = float(np.std(vals)) if vals.size else 0.0
    bias = 0.0
    if lay.bi is not None:
        bias = fold_in_user_bias(model.bsl_options, vals, lay.bi[items], model.global_mean_)
    return History(items, vals, mean, lay.overall_sigma if sigma == 0.0 else sigma, bias)


def sim_block(model: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Similarities sim(rows, cols) of inner x ids, Surprise's diagonal (1), as predictions use
    them; memory bounded by ``memory_budget`` besides the result."""
    nb = model.layout_.neighbourhood
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    if nb.source == kern.SRC_DENSE:
        return nb.dense[np.ix_(rows, cols)]
    if nb.source == kern.SRC_NBRS:
        if rows.size <= cols.size:
            nbrs = sp.csr_matrix((nb.nbrs.val, nb.nbrs.idx, nb.nbrs.ptr), shape=(nb.n_x, nb.n_x))
            block = nbrs[rows][:, cols].toarray()
        else:
            block = model.layout_.nbrs_csc[:, cols].toarray()[rows]
        block[rows[:, None] == cols[None, :]] = 1.0
        return block
    # sim is symmetric (bit for bit): compute the shorter side's rows, chunked by the budget
    transpose = rows.size > cols.size
    src, dst = (cols, rows) if transpose else (rows, cols)
    out = np.empty((src.size, dst.size))
    step = max(1, int(model.memory_budget // 4 // max(1, nb.n_x * 8)))
    for s in range(0, src.size, step):
        out[s : s + step] = kern.sim_rows(src[s : s + step], nb.xs, True, nb, kern.n_chunks())[
            :, dst
        ]
    return out.T if transpose else out


def _visitor_sim_row(model: Any, history: History) -> np.ndarray:
    """Similarity of a new user (user-based) with every training user."""
    lay = model.layout_
    nb = lay.neighbourhood
    if not lay.keeps_statistics:
        raise ValueError("folding a new user into a save_nbrs model needs the statistics")
    vals = history.ratings
    if lay.sim_name == "pearson_baseline":
        vals = vals - ((model.global_mean_ + lay.bi[history.items]) + history.bias)
    order = np.argsort(history.items, kind="stable")
    own = kern.CSR(np.array([0, history.items.size], dtype=np.int64),
                   np.ascontiguousarray(history.items[order], np.int64),
                   np.ascontiguousarray(vals[order], np.float64))  # fmt: skip
    row = kern.sim_rows(np.zeros(1, dtype=np.int64), own, False, nb, 1)[0]
    # undefined (NaN) where the visitor's values on the common items are all 0 (cosine,
    # pearson_baseline): no similarity, as Surprise has no answer for a user it never fitted
    return np.where(np.isnan(row), 0.0, row)


def _item_based(model: Any, history: History, targets: np.ndarray) -> tuple[np.ndarray, ...]:
    """(num, den, kk, best rated item) for every target: top-k over the user's rated items."""
    lay = model.layout_
    m = targets.size
    out = (np.zeros(m), np.zeros(m), np.zeros(m, np.int64), np.full(m, -1, np.int64))
    if history.items.size == 0 or m == 0:
        return out
    pv, div = neighbour_terms(model.formula, history.ratings, history.items, lay.centers,
                              lay.bx, history.bias)  # fmt: skip
    terms = kern.Terms(np.ascontiguousarray(pv, np.float64),
                       np.ascontiguousarray(div if div is not None else np.ones(0), np.float64),
                       div is not None)  # fmt: skip
    step = max(1, int(model.memory_budget // 4 // max(1, history.items.size * 8 * 12)))
    for s in range(0, m, step):
        block = np.ascontiguousarray(sim_block(model, targets[s : s + step], history.items))
        for whole, part in zip(out, kern.topk_block(block, terms, int(model.k)), strict=True):
            whole[s : s + step] = part
    best = out[3]
    return out[0], out[1], out[2], np.where(best >= 0, history.items[np.maximum(best, 0)], -1)


def _user_based(model: Any, history: History, targets: np.ndarray) -> tuple[np.ndarray, ...]:
    """(num, den, kk, -1) for every target item: top-k over each item's raters."""
    lay = model.layout_
    if history.user >= 0:
        row = sim_block(model, np.array([history.user]), np.arange(model.n_users_))[0]
    else:
        row = _visitor_sim_row(model, history)
    nb = lay.neighbourhood._replace(source=kern.SRC_DENSE, dense=row[None, :])
    pairs = kern.CSR(np.array([0, targets.size], np.int64), targets.astype(np.int64), np.zeros(1))
    num, den, kk = kern.predict_grouped(np.zeros(1, np.int64), pairs, nb, lay.terms,
                                        int(model.k), 1)  # fmt: skip
    return num, den, kk, np.full(targets.size, -1, np.int64)


def score_history(model: Any, history: History) -> HistoryScores:
    """Every item ``history`` has not rated, scored by ``model`` (see the module docstring)."""
    lay = model.layout_
    targets = np.setdiff1d(np.arange(model.n_items_), history.items)
    aggregate = _user_based if lay.user_based else _item_based
    num, den, kk, best = aggregate(model, history, targets)
    c = lay.centers
    zeros = np.zeros(targets.size, np.int64)
    if lay.user_based:  # the user is x: their own mean, spread and bias
        c = Centers(c.mu, np.array([history.mean]), np.array([history.sigma]),
                    np.array([history.bias]), c.bi)  # fmt: skip
        cells = (zeros, zeros, targets.astype(np.int64))
    else:
        c = c._replace(bu=np.array([history.bias]))
        cells = (targets.astype(np.int64), zeros, targets.astype(np.int64))
    est = estimates(model.formula.code, (num, den, kk), cells, int(model.min_k), c)
    return HistoryScores(targets, est, den, num, kk, best)


def explain(model: Any, iid: Hashable, history: History, n: int | None = None) -> pd.DataFrame:
    """The neighbours aggregated for item ``iid`` and this history: one row per neighbour (raw
    id, similarity, rating, weight = sim / sum sim), most similar first. Item-based: the user's
    rated items ("because you rated ..."); user-based: the users who rated ``iid``."""
    lay = model.layout_
    i = model.iid_index_[iid]
    if lay.user_based:
        a, b = lay.ir.ptr[i], lay.ir.ptr[i + 1]
        cand, cand_r = lay.ir.idx[a:b], lay.ir.val[a:b]
        if history.user >= 0:
            row = sim_block(model, np.array([history.user]), np.arange(model.n_users_))[0]
        else:
            row = _visitor_sim_row(model, history)
        sims, names = row[cand], [model.raw_uids_[c] for c in cand]
    else:
        cand, cand_r = history.items, history.ratings
        sims = sim_block(model, np.array([i]), cand)[0]
        names = [model.raw_iids_[c] for c in cand]
    sel = np.flatnonzero(topk_mask(sims[None, :], model.k)[0])
    sel = sel[np.lexsort((sel, -sims[sel]))]
    total = sims[sel].sum()
    out = pd.DataFrame(
        {
            "neighbor": [names[s] for s in sel],
            "similarity": sims[sel],
            "rating": cand_r[sel],
            "weight": sims[sel] / total if total > 0 else sims[sel],
        }
    )
    return out.head(n) if n is not None else out
