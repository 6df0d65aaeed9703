"""KNNBasic, KNNWithMeans, KNNWithZScore and KNNBaseline: scikit-surprise's k-NN algorithms with the
same parameters and the same predictions (within 1e-6), computed from sparse data block by block.

Notation (Surprise's): x are the entities compared (users if ``user_based`` else items), y the
others. To predict r_ui with item-based similarity, the neighbours of i are the items j the user u
rated, N^k_u(i) = the k of them most similar to i (ties: first in ``ur[u]`` order, like
``heapq.nlargest``), and only those with sim(i, j) > 0 are aggregated; ``actual_k`` counts them.
If actual_k < min_k, KNNBasic cannot predict (global mean, ``was_impossible``) and the other three
drop the neighbour term. Estimates are clipped to the rating scale.

Nothing of size n_x by n_x is stored: when the full similarity fits ``memory_budget`` it is kept
dense (e.g. 610 users); otherwise only the ratings are kept in two CSR layouts and, at test time,
test pairs are grouped by target x and compiled kernels (:mod:`recommender.knn_kernels`) compute
each target's co-rating statistics in one pass, the similarities of the candidates actually needed,
the top-k with Surprise's tie order and the weighted sums, in Surprise's floating-point order
(bit-identical predictions on MovieLens). ``save_nbrs`` switches to an approximate mode for very
large data: each x keeps only its ``save_nbrs`` most similar neighbours.

Beyond Surprise's API: :meth:`fold_in` (scores for a new user without refitting),
:meth:`explain`, :meth:`similar_items`, :meth:`predict_all_for_user`, :meth:`score_users`
(every item for many users at once, compiled) and :meth:`similarity_block` (public similarity
access: raw or inner ids).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from surprise import AlgoBase, PredictionImpossible, Trainset
from surprise.prediction_algorithms.predictions import Prediction

from recommender import knn_kernels as kern
from recommender.baselines import baselines, fold_in_user_bias
from recommender.similarities import MEASURES, topk_mask

__all__ = [
    "KNNBaseline",
    "KNNBasic",
    "KNNWithMeans",
    "KNNWithZScore",
    "iter_score_blocks",
    "score_users_shared",
]

_UNKNOWN = "User and/or item is unknown."
_NOT_ENOUGH = "Not enough neighbors."


def _csr_order(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return order, indptr


class _SymmetricKNN(AlgoBase):
    """Shared fitting / prediction machinery. Subclasses define ``_values`` and ``_finish``."""

    _uses_baselines = False

    def __init__(
        self,
        k: int = 40,
        min_k: int = 1,
        sim_options: Mapping[str, Any] | None = None,
        bsl_options: Mapping[str, Any] | None = None,
        verbose: bool = True,
        *,
        memory_budget: int = 256 * 2**20,
        save_nbrs: int | None = None,
        **kwargs: Any,
    ) -> None:
        sim_options = dict(sim_options or {})
        bsl_options = dict(bsl_options or {})
        AlgoBase.__init__(self, sim_options=sim_options, bsl_options=bsl_options, **kwargs)
        self.k = k
        self.min_k = min_k
        self.verbose = verbose
        self.memory_budget = memory_budget
        self.save_nbrs = save_nbrs

    # ------------------------------------------------------------------ fitting
    def fit(self, trainset: Trainset) -> _SymmetricKNN:
        """Learn from a Surprise ``Trainset`` (same inner ids and list orders as Surprise)."""
        AlgoBase.fit(self, trainset)
        n_users, n_items = trainset.n_users, trainset.n_items
        n = trainset.n_ratings
        ur_lists = [trainset.ur[uu] for uu in range(n_users)]
        ir_lists = [trainset.ir[ii] for ii in range(n_items)]
        ur_len = np.fromiter(map(len, ur_lists), np.intp, n_users)
        ir_len = np.fromiter(map(len, ir_lists), np.intp, n_items)
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(ur_lists)), float, 2 * n)
        u = np.repeat(np.arange(n_users, dtype=np.intp), ur_len)
        i = flat[0::2].astype(np.intp)
        r = flat[1::2].copy()
        # position of every rating in ir order, to lay the item lists out exactly as Surprise does
        iu = np.fromiter(map(itemgetter(0), chain.from_iterable(ir_lists)), np.intp, n)
        key = i * n_users + u  # (item, user) pairs are unique
        ir_perm = np.argsort(key, kind="stable")
        wanted = np.repeat(np.arange(n_items, dtype=np.intp), ir_len)
        want_key = wanted * n_users + iu
        item_order = ir_perm[np.searchsorted(key[ir_perm], want_key)]
        raw_u = [trainset.to_raw_uid(x) for x in range(n_users)]
        raw_i = [trainset.to_raw_iid(x) for x in range(n_items)]
        return self._fit_arrays(
            u,
            i,
            r,
            raw_u,
            raw_i,
            trainset.rating_scale,
            item_order=item_order,
            global_mean=trainset.global_mean,
        )

    def fit_ratings(
        self,
        users: Iterable[Hashable],
        items: Iterable[Hashable],
        ratings: Iterable[float],
        rating_scale: tuple[float, float] = (0.5, 5.0),
    ) -> _SymmetricKNN:
        """Learn from raw rating arrays without building a Surprise ``Trainset`` (large data).

        Inner ids follow first appearance and lists follow input order, as Surprise would build them.
        """
        self.trainset = None
        self.bu = self.bi = None
        u_codes, raw_u = pd.factorize(pd.Series(users), sort=False)
        i_codes, raw_i = pd.factorize(pd.Series(items), sort=False)
        r = np.asarray(ratings, dtype=np.float64)
        order = np.argsort(u_codes, kind="stable")
        u, i, r = u_codes[order].astype(np.intp), i_codes[order].astype(np.intp), r[order]
        item_order = np.lexsort((order, i))
        return self._fit_arrays(
            u, i, r, list(raw_u), list(raw_i), rating_scale, item_order=item_order, global_mean=None
        )

    def _fit_arrays(
        self,
        u: np.ndarray,
        i: np.ndarray,
        r: np.ndarray,
        raw_u: list[Hashable],
        raw_i: list[Hashable],
        rating_scale: tuple[float, float],
        *,
        item_order: np.ndarray,
        global_mean: float | None,
    ) -> _SymmetricKNN:
        name = self.sim_options.get("name", "msd").lower()
        if name not in MEASURES:
            raise NameError(f"Wrong sim name {name}. Allowed values are {', '.join(MEASURES)}.")
        self.user_based_ = bool(self.sim_options["user_based"])
        self.sim_name_ = name
        self.min_support_ = int(self.sim_options.get("min_support", 1))
        self.shrinkage_ = float(self.sim_options.get("shrinkage", 100))
        n_users, n_items = len(raw_u), len(raw_i)
        self.n_users_, self.n_items_ = n_users, n_items
        self.raw_uids_, self.raw_iids_ = raw_u, raw_i
        self.uid_index_ = {x: n for n, x in enumerate(raw_u)}
        self.iid_index_ = {x: n for n, x in enumerate(raw_i)}
        self.rating_scale_ = tuple(rating_scale)
        self.global_mean_ = float(np.mean(r)) if global_mean is None else float(global_mean)
        # ur lists (ratings in all_ratings order) and ir lists (Surprise's ir order)
        self.ur_ptr_ = np.r_[0, np.cumsum(np.bincount(u, minlength=n_users))]
        self.ur_item_, self.ur_r_ = i, r
        self.ir_ptr_ = np.r_[0, np.cumsum(np.bincount(i, minlength=n_items))]
        self.ir_user_, self.ir_r_ = u[item_order], r[item_order]

        mu = self.global_mean_
        need_bsl = self._uses_baselines or name == "pearson_baseline"
        if need_bsl:
            self.bu_, self.bi_ = baselines(
                self.bsl_options, u, i, r, n_users, n_items, mu, item_order=item_order
            )
            self.bu, self.bi = self.bu_, self.bi_
        else:
            self.bu_ = self.bi_ = None
        ub = self.user_based_
        n_x, n_y = (n_users, n_items) if ub else (n_items, n_users)
        x_idx, y_idx = (u, i) if ub else (i, u)
        self.n_x_, self.n_y_ = n_x, n_y
        # per-x means and standard deviations (KNNWithMeans / KNNWithZScore)
        count = np.bincount(x_idx, minlength=n_x).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.means_ = np.bincount(x_idx, weights=r, minlength=n_x) / count
            dev = r - self.means_[x_idx]
            sig = np.sqrt(np.bincount(x_idx, weights=dev * dev, minlength=n_x) / count)
        self.overall_sigma_ = float(np.std(r))
        self.sigmas_ = np.where(sig == 0.0, self.overall_sigma_, sig)
        bx, by = (self.bu_, self.bi_) if ub else (self.bi_, self.bu_)
        self.bx_, self.by_ = bx, by

        # the similarity value of every rating (ur order): the rating, or Surprise's residual
        if name == "pearson_baseline":
            assert bx is not None and by is not None
            sv = r - ((mu + by[y_idx]) + bx[x_idx])
        else:
            sv = r
        # xs: x -> its y's in ascending y order (Surprise accumulates over yr.items() in y order)
        if y_idx.size and np.all(y_idx[1:] >= y_idx[:-1]):
            xs_order = np.argsort(x_idx, kind="stable")
        else:
            xs_order = np.lexsort((y_idx, x_idx))
        self.xs_ptr_ = np.r_[0, np.cumsum(np.bincount(x_idx, minlength=n_x))].astype(np.int64)
        self.xs_y_ = np.ascontiguousarray(y_idx[xs_order], dtype=np.int64)
        self.xs_v_ = np.ascontiguousarray(sv[xs_order], dtype=np.float64)
        del xs_order
        # yr: y -> its x's in Surprise's yr[y] order, with similarity values and neighbour terms
        if ub:
            self.yr_ptr_, self.yr_x_, yr_r = self.ir_ptr_, self.ir_user_, self.ir_r_
            yr_sv, yr_y = sv[item_order], i[item_order]
        else:
            self.yr_ptr_, self.yr_x_, yr_r = self.ur_ptr_, self.ur_item_, self.ur_r_
            yr_sv, yr_y = sv, u
        self.yr_ptr_ = np.asarray(self.yr_ptr_, dtype=np.int64)
        self.yr_x_ = np.asarray(self.yr_x_, dtype=np.int64)
        self.yr_v_ = np.ascontiguousarray(yr_sv, dtype=np.float64)
        pv, div = self._terms(self.yr_x_, yr_r, 0.0 if by is None else by[yr_y])
        self.yr_pv_ = np.ascontiguousarray(pv, dtype=np.float64)
        self.yr_div_ = np.ascontiguousarray(div if div is not None else np.ones(0), np.float64)
        self.use_div_ = div is not None
        del sv, yr_sv, yr_y, pv, div

        self.sim_full_: np.ndarray | None = None
        self.nbrs_ = None
        self.nbrs_csc_ = None
        if self.verbose:
            print(f"Computing the {name} similarity matrix...")
        if self.save_nbrs is not None:
            counts, ids, vals = kern.truncated_rows(
                self.xs_ptr_,
                self.xs_y_,
                self.xs_v_,
                self.yr_ptr_,
                self.yr_x_,
                self.yr_v_,
                n_x,
                kern.MEASURE_CODES[name],
                float(self.min_support_),
                self.shrinkage_,
                int(max(0, min(self.save_nbrs, n_x - 1))),
                kern.n_chunks(),
            )
            keep = np.arange(ids.shape[1])[None, :] < counts[:, None]
            indptr = np.r_[0, np.cumsum(counts)]
            self.nbrs_ = sp.csr_matrix((vals[keep], ids[keep], indptr), shape=(n_x, n_x))
            del counts, ids, vals, keep
            self.nbrs_csc_ = self.nbrs_.tocsc()
            # the statistics are not kept in this mode (memory)
            self.xs_ptr_ = self.xs_y_ = self.xs_v_ = None
        elif n_x * n_x * 8 * 8 <= self.memory_budget:
            self.sim_full_ = self._sim_rows(np.arange(n_x))
        return self

    # -------------------------------------------------------------- similarity
    def _measure_args(self) -> tuple:
        return (
            kern.MEASURE_CODES[self.sim_name_],
            float(
                max(2, self.min_support_)
                if self.sim_name_ == "pearson_baseline"
                else self.min_support_
            ),
            self.shrinkage_,
        )

    def _sim_rows(self, rows: np.ndarray) -> np.ndarray:
        """Dense rows sim(rows, every x), diagonal 1, from the statistics (compiled kernel)."""
        if self.xs_ptr_ is None:
            raise ValueError("this model (save_nbrs) did not keep the similarity statistics")
        measure, min_support, shrinkage = self._measure_args()
        return kern.sim_rows(
            np.asarray(rows, dtype=np.int64),
            self.xs_ptr_,
            self.xs_y_,
            self.xs_v_,
            True,
            self.yr_ptr_,
            self.yr_x_,
            self.yr_v_,
            self.n_x_,
            measure,
            min_support,
            shrinkage,
            kern.n_chunks(),
        )

    def _sim(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Block sim(rows, cols) with Surprise's diagonal (1)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        if self.sim_full_ is not None:
            return self.sim_full_[np.ix_(rows, cols)]
        if self.nbrs_ is not None:
            if rows.size <= cols.size:
                block = self.nbrs_[rows][:, cols].toarray()
            else:
                block = self.nbrs_csc_[:, cols].toarray()[rows]
            block[rows[:, None] == cols[None, :]] = 1.0
            return block
        # sim is symmetric (bit for bit): compute the shorter side's rows, chunked by the budget
        transpose = rows.size > cols.size
        src, dst = (cols, rows) if transpose else (rows, cols)
        out = np.empty((src.size, dst.size))
        step = max(1, int(self.memory_budget // 4 // max(1, self.n_x_ * 8)))
        for s in range(0, src.size, step):
            out[s : s + step] = self._sim_rows(src[s : s + step])[:, dst]
        return out.T if transpose else out

    def _sim_new_row(self, items: np.ndarray, vals: np.ndarray, bu: float) -> np.ndarray:
        """Similarity of a new user (user-based) with every training user."""
        if self.xs_ptr_ is None:
            raise ValueError("folding a new row into a save_nbrs model needs the statistics")
        if self.sim_name_ == "pearson_baseline":
            assert self.bi_ is not None
            vals = vals - ((self.global_mean_ + self.bi_[items]) + bu)
        order = np.argsort(items, kind="stable")
        measure, min_support, shrinkage = self._measure_args()
        return kern.sim_rows(
            np.zeros(1, dtype=np.int64),
            np.array([0, items.size], dtype=np.int64),
            np.ascontiguousarray(items[order], dtype=np.int64),
            np.ascontiguousarray(vals[order], dtype=np.float64),
            False,
            self.yr_ptr_,
            self.yr_x_,
            self.yr_v_,
            self.n_x_,
            measure,
            min_support,
            shrinkage,
            1,
        )[0]

    # -------------------------------------------------------------- estimation
    def _values(self, cand: np.ndarray, ratings: np.ndarray, y_bias: Any) -> np.ndarray:
        """Neighbour term v_j aggregated as sum sim * v_j / sum sim."""
        raise NotImplementedError

    def _terms(
        self, cand: np.ndarray, ratings: np.ndarray, y_bias: Any
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(numerator term, divisor or None) of each neighbour: Surprise adds sim * t (/ d)."""
        return self._values(cand, ratings, y_bias), None

    def _finish(
        self,
        xs: np.ndarray,
        center: np.ndarray,
        agg: np.ndarray,
        ok: np.ndarray,
        x_sigma: np.ndarray,
    ) -> np.ndarray:
        """Estimate from the center (mean or baseline) and the aggregated neighbour term."""
        raise NotImplementedError

    def _block_budget_rows(self, c: int) -> int:
        return max(1, int(self.memory_budget // 4 // max(1, c * 8 * 12)))

    def _aggregate(
        self,
        targets: np.ndarray,
        cand: np.ndarray,
        ratings: np.ndarray,
        y_bias: Any,
        sim: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every target x, (sum sim*v, sum sim, actual_k) over its top-k candidate neighbours
        (``cand`` in yr order), as Surprise accumulates them."""
        m = targets.size
        num = np.zeros(m)
        den = np.zeros(m)
        kk = np.zeros(m, dtype=np.int64)
        if cand.size == 0 or m == 0:
            return num, den, kk
        pv, div = self._terms(cand, ratings, y_bias)
        pv = np.ascontiguousarray(np.broadcast_to(pv, cand.shape), dtype=np.float64)
        div_a = np.ascontiguousarray(div if div is not None else np.ones(0), dtype=np.float64)
        step = self._block_budget_rows(cand.size)
        for s in range(0, m, step):
            sl = slice(s, min(m, s + step))
            block = sim[sl] if sim is not None else self._sim(targets[sl], cand)
            num[sl], den[sl], kk[sl] = kern.topk_block(
                np.ascontiguousarray(block, dtype=np.float64), pv, div_a, div is not None, self.k
            )
        return num, den, kk

    def _grouped(
        self,
        targets: np.ndarray,
        pair_ptr: np.ndarray,
        pair_y: np.ndarray,
        dense: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Compiled aggregation for pairs grouped by target (see ``knn_kernels.predict_grouped``)."""
        measure, min_support, shrinkage = self._measure_args()
        if dense is None:
            dense = self.sim_full_
        empty_i = np.zeros(1, dtype=np.int64)
        empty_f = np.zeros(1)
        if dense is not None:
            source = kern.SRC_DENSE
        elif self.nbrs_ is not None:
            source = kern.SRC_NBRS
        else:
            source = kern.SRC_STATS
        nb = self.nbrs_
        return kern.predict_grouped(
            np.asarray(targets, dtype=np.int64),
            np.asarray(pair_ptr, dtype=np.int64),
            np.asarray(pair_y, dtype=np.int64),
            source,
            self.xs_ptr_ if self.xs_ptr_ is not None else empty_i,
            self.xs_y_ if self.xs_ptr_ is not None else empty_i,
            self.xs_v_ if self.xs_ptr_ is not None else empty_f,
            self.yr_ptr_,
            self.yr_x_,
            self.yr_v_,
            self.yr_pv_,
            self.yr_div_,
            self.use_div_,
            self.n_x_,
            measure,
            min_support,
            shrinkage,
            int(self.k),
            np.ascontiguousarray(dense, dtype=np.float64)
            if dense is not None
            else np.zeros((1, 1)),
            nb.indptr.astype(np.int64) if nb is not None else empty_i,
            nb.indices.astype(np.int64) if nb is not None else empty_i,
            nb.data if nb is not None else empty_f,
            kern.n_chunks(),
        )

    def _predict_inner(
        self, uu: np.ndarray, ii: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Estimates for inner (u, i) pairs, -1 meaning unknown.

        Returns (est unclipped, actual_k, was_impossible, unknown)."""
        n = uu.size
        known = (uu >= 0) & (ii >= 0)
        xs, ys = (uu, ii) if self.user_based_ else (ii, uu)
        num = np.zeros(n)
        den = np.zeros(n)
        kk = np.zeros(n, dtype=np.int64)
        idx = np.flatnonzero(known)
        if idx.size:
            order = idx[np.argsort(xs[idx], kind="stable")]
            xo = xs[order]
            starts = np.r_[0, np.flatnonzero(np.diff(xo)) + 1]
            num[order], den[order], kk[order] = self._grouped(
                xo[starts], np.r_[starts, xo.size], ys[order]
            )
        return self._assemble(uu, ii, xs, known, num, den, kk)

    def _assemble(
        self,
        uu: np.ndarray,
        ii: np.ndarray,
        xs: np.ndarray,
        known: np.ndarray,
        num: np.ndarray,
        den: np.ndarray,
        kk: np.ndarray,
        center: np.ndarray | None = None,
        x_sigma: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ok = kk >= self.min_k
        with np.errstate(divide="ignore", invalid="ignore"):
            agg = np.where(ok & (den != 0), num / np.where(den == 0, 1, den), 0.0)
        xsafe = np.where(known, xs, 0)
        if center is None:
            center = self._center(uu, ii, xsafe)
        if x_sigma is None:
            x_sigma = self.sigmas_[xsafe]
        est = self._finish(xsafe, center, agg, ok, x_sigma)
        impossible = ~known | (self._impossible_if_few & ~ok)
        est = np.where(known, est, self._unknown_estimate(uu, ii))
        est = np.where(self._impossible_if_few & known & ~ok, self.global_mean_, est)
        return est, kk, impossible, ~known

    _impossible_if_few = False

    def _center(self, uu: np.ndarray, ii: np.ndarray, xs: np.ndarray) -> np.ndarray:
        return self.means_[xs]

    def _unknown_estimate(self, uu: np.ndarray, ii: np.ndarray) -> np.ndarray:
        return np.full(uu.shape, self.global_mean_)

    # ------------------------------------------------------------ Surprise API
    def _inner_ids(self, uids: Iterable[Hashable], iids: Iterable[Hashable]) -> tuple:
        uget, iget = self.uid_index_.get, self.iid_index_.get
        uu = np.fromiter((uget(x, -1) for x in uids), np.intp)
        ii = np.fromiter((iget(x, -1) for x in iids), np.intp)
        return uu, ii

    def _clip(self, est: np.ndarray) -> np.ndarray:
        lo, hi = self.rating_scale_
        return np.maximum(lo, np.minimum(hi, est))

    def test(self, testset: list, verbose: bool = False) -> list[Prediction]:
        """Vectorised ``AlgoBase.test``: same Predictions and details as Surprise."""
        if not testset:
            return []
        uids, iids, rs = zip(*testset, strict=True)
        uu, ii = self._inner_ids(uids, iids)
        est, kk, impossible, unknown = self._predict_inner(uu, ii)
        est = self._clip(est)
        details = self._details
        new = tuple.__new__  # Prediction is a namedtuple: skip its Python-level __new__
        preds = [
            new(
                Prediction,
                (
                    uid,
                    iid,
                    r_ui,
                    e,
                    details(k, imp, unk)
                    if imp or unk
                    else {"actual_k": k, "was_impossible": False},
                ),
            )
            for (uid, iid, r_ui), e, k, imp, unk in zip(
                testset,
                est.tolist(),
                kk.tolist(),
                impossible.tolist(),
                unknown.tolist(),
                strict=True,
            )
        ]
        if verbose:
            for pred in preds:
                print(pred)
        return preds

    def _details(self, kk: int, impossible: bool, unknown: bool) -> dict[str, Any]:
        if unknown:
            if self._uses_baselines:
                return {"was_impossible": False}
            return {"was_impossible": True, "reason": _UNKNOWN}
        if impossible:
            return {"was_impossible": True, "reason": _NOT_ENOUGH}
        return {"actual_k": int(kk), "was_impossible": False}

    def predict(
        self,
        uid: Hashable,
        iid: Hashable,
        r_ui: float | None = None,
        clip: bool = True,
        verbose: bool = False,
    ) -> Prediction:
        uu, ii = self._inner_ids([uid], [iid])
        est, kk, impossible, unknown = self._predict_inner(uu, ii)
        value = float(self._clip(est)[0] if clip else est[0])
        pred = Prediction(uid, iid, r_ui, value, self._details(kk[0], impossible[0], unknown[0]))
        if verbose:
            print(pred)
        return pred

    def estimate(self, u: Any, i: Any) -> Any:
        uu = np.array([u if isinstance(u, int | np.integer) else -1], dtype=np.intp)
        ii = np.array([i if isinstance(i, int | np.integer) else -1], dtype=np.intp)
        est, kk, impossible, unknown = self._predict_inner(uu, ii)
        if unknown[0] and not self._uses_baselines:
            raise PredictionImpossible(_UNKNOWN)
        if impossible[0]:
            raise PredictionImpossible(_NOT_ENOUGH)
        if unknown[0]:
            return float(est[0])
        return float(est[0]), {"actual_k": int(kk[0])}

    def default_prediction(self) -> float:
        return self.global_mean_

    # ------------------------------------------------------------ beyond Surprise
    def predict_all_for_user(self, uid: Hashable, clip: bool = True) -> pd.Series:
        """Estimates for every training item the (training) user ``uid`` has not rated."""
        u = self.uid_index_[uid]
        rated = self.ur_item_[self.ur_ptr_[u] : self.ur_ptr_[u + 1]]
        items = np.setdiff1d(np.arange(self.n_items_), rated)
        if self.user_based_:
            sim_row = self._sim(np.array([u]), np.arange(self.n_users_))[0]
            est = self._user_based_all_items(
                items,
                sim_row,
                self.means_[u],
                self.sigmas_[u],
                None if self.bu_ is None else self.bu_[u],
            )
        else:
            a, b = self.ur_ptr_[u], self.ur_ptr_[u + 1]
            y_bias = 0.0 if self.by_ is None else self.by_[u]
            num, den, kk = self._aggregate(items, self.ur_item_[a:b], self.ur_r_[a:b], y_bias)
            uu = np.full(items.size, u, dtype=np.intp)
            est, _, _, _ = self._assemble(uu, items, items, np.ones(items.size, bool), num, den, kk)
        if clip:
            est = self._clip(est)
        return pd.Series(
            est, index=pd.Index([self.raw_iids_[j] for j in items], name="item"), name="est"
        )

    def _inner_list(self, ids: Iterable[Hashable], index: dict, inner: bool, n: int) -> np.ndarray:
        if inner:
            out = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
            if out.size and (out.min() < 0 or out.max() >= n):
                raise IndexError(f"inner ids must be in [0, {n})")
            return out.reshape(-1)
        return np.fromiter((index[x] for x in ids), np.int64)

    def similarity_block(
        self, rows: Iterable[Hashable], cols: Iterable[Hashable], *, inner: bool = False
    ) -> np.ndarray:
        """Similarities sim(rows, cols) as a dense (len(rows), len(cols)) float64 array.

        Rows and columns are the entities the model compares: **items** for item-based models,
        **users** for user-based ones; raw ids by default (``KeyError`` if unknown), or inner ids
        (``0 .. n_items_ - 1`` / ``n_users_ - 1``) with ``inner=True``. The values are exactly the
        ones predictions use (diagonal 1, 0 below min_support); in ``save_nbrs`` mode only the kept
        neighbours are non-zero. Memory is bounded by ``memory_budget`` besides the result.
        """
        index, n = (
            (self.uid_index_, self.n_users_)
            if self.user_based_
            else (self.iid_index_, self.n_items_)
        )
        return self._sim(
            self._inner_list(rows, index, inner, n), self._inner_list(cols, index, inner, n)
        )

    def score_users(
        self, uids: Iterable[Hashable], *, inner: bool = False, clip: bool = False
    ) -> np.ndarray:
        """Estimates of every training item for the training users ``uids``, in bulk.

        Returns a (len(uids), n_items_) float64 array whose column j is inner item j (raw id
        ``raw_iids_[j]``); rows follow ``uids`` (raw ids, or inner ids with ``inner=True``;
        ``KeyError`` for an unknown raw id). Entry (u, j) equals ``predict(u, j, clip=clip).est``
        (unclipped by default), including the fallbacks of ``predict`` (fewer than ``min_k``
        neighbours: the mean / baseline, or the global mean for KNNBasic's impossible
        predictions); items the user rated in training are NaN.

        Compiled (:func:`recommender.knn_kernels.score_block`): item-based models compute each
        item's similarity row once per block of users and select its top-k for every user of the
        block; user-based models compute each user's row once and select for every item. Users
        are processed in blocks sized by ``memory_budget``. :func:`score_users_shared` does the
        same for several models fitted on the same data with the same similarity, sharing the
        similarity and neighbour selection.
        """
        return score_users_shared([self], uids, inner=inner, clip=clip)[0]

    def _shares_neighbours_with(self, other: _SymmetricKNN) -> bool:
        """True if ``other`` has the same similarities and neighbour selection (same data)."""
        same = (
            self.user_based_ == other.user_based_
            and self.sim_name_ == other.sim_name_
            and self.min_support_ == other.min_support_
            and self.shrinkage_ == other.shrinkage_
            and self.k == other.k
            and (self.sim_full_ is None) == (other.sim_full_ is None)
            and self.nbrs_ is None
            and other.nbrs_ is None
            and self.n_x_ == other.n_x_
            and self.n_y_ == other.n_y_
        )
        if not same or self.xs_ptr_ is None or other.xs_ptr_ is None:
            return False
        return all(
            np.array_equal(a, b)
            for a, b in (
                (self.xs_ptr_, other.xs_ptr_),
                (self.xs_y_, other.xs_y_),
                (self.xs_v_, other.xs_v_),
                (self.yr_ptr_, other.yr_ptr_),
                (self.yr_x_, other.yr_x_),
            )
        )

    def _xs_q(self) -> np.ndarray:
        """For every rating of the ``xs`` layout, its index in the ``yr`` layout (cached)."""
        q = getattr(self, "xs_q_", None)
        if q is None:
            xs_x = np.repeat(np.arange(self.n_x_, dtype=np.int64), np.diff(self.xs_ptr_))
            yr_y = np.repeat(np.arange(self.n_y_, dtype=np.int64), np.diff(self.yr_ptr_))
            key_yr = yr_y * self.n_x_ + self.yr_x_
            order = np.argsort(key_yr, kind="stable")
            key_xs = self.xs_y_ * self.n_x_ + xs_x
            q = order[np.searchsorted(key_yr, key_xs, sorter=order)].astype(np.int64)
            self.xs_q_ = q
        return q

    def _score_block(
        self, targets: np.ndarray, ys: np.ndarray, models: list[_SymmetricKNN]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(num per model, den, kk) for every target x × y (see ``knn_kernels.score_block``)."""
        measure, min_support, shrinkage = self._measure_args()
        empty_i = np.zeros(1, dtype=np.int64)
        empty_f = np.zeros(1)
        if self.sim_full_ is not None:
            source = kern.SRC_DENSE
        elif self.nbrs_ is not None:
            source = kern.SRC_NBRS
        else:
            source = kern.SRC_STATS
        nb = self.nbrs_
        has_stats = self.xs_ptr_ is not None
        pv = np.stack([m.yr_pv_ for m in models])
        div = np.stack([m.yr_div_ if m.use_div_ else np.ones_like(m.yr_pv_) for m in models])
        use_div = np.array([m.use_div_ for m in models], dtype=np.bool_)
        if source != kern.SRC_NBRS:
            xs_q = self._xs_q()
            colmap = np.full(self.n_y_, -1, dtype=np.int64)
            colmap[np.asarray(ys, dtype=np.int64)] = np.arange(len(ys))
            return kern.score_block_sorted(
                np.asarray(targets, dtype=np.int64),
                colmap,
                len(ys),
                source,
                self.xs_ptr_,
                self.xs_y_,
                self.xs_v_,
                xs_q,
                np.ascontiguousarray(pv[:, xs_q]),
                np.ascontiguousarray(div[:, xs_q]),
                self.yr_ptr_,
                self.yr_x_,
                self.yr_v_,
                pv,
                div,
                use_div,
                self.n_x_,
                measure,
                min_support,
                shrinkage,
                int(self.k),
                self.sim_full_ if self.sim_full_ is not None else np.zeros((1, 1)),
                kern.n_chunks(),
            )
        return kern.score_block(
            np.asarray(targets, dtype=np.int64),
            np.asarray(ys, dtype=np.int64),
            source,
            self.xs_ptr_ if has_stats else empty_i,
            self.xs_y_ if has_stats else empty_i,
            self.xs_v_ if has_stats else empty_f,
            self.yr_ptr_,
            self.yr_x_,
            self.yr_v_,
            pv,
            div,
            use_div,
            self.n_x_,
            measure,
            min_support,
            shrinkage,
            int(self.k),
            self.sim_full_ if self.sim_full_ is not None else np.zeros((1, 1)),
            nb.indptr.astype(np.int64) if nb is not None else empty_i,
            nb.indices.astype(np.int64) if nb is not None else empty_i,
            nb.data if nb is not None else empty_f,
            kern.n_chunks(),
        )

    def _fold_in_user(
        self, ratings: Mapping[Hashable, float]
    ) -> tuple[np.ndarray, np.ndarray, float, float, float]:
        pairs = [(self.iid_index_[m], float(r)) for m, r in ratings.items() if m in self.iid_index_]
        items = np.array([p[0] for p in pairs], dtype=np.intp)
        vals = np.array([p[1] for p in pairs], dtype=np.float64)
        mean = float(np.mean(vals)) if vals.size else self.global_mean_
        sigma = float(np.std(vals)) if vals.size else 0.0
        sigma = self.overall_sigma_ if sigma == 0.0 else sigma
        bu = 0.0
        if self.bi_ is not None:
            bu = fold_in_user_bias(self.bsl_options, vals, self.bi_[items], self.global_mean_)
        return items, vals, mean, sigma, bu

    def fold_in(self, ratings: Mapping[Hashable, float], clip: bool = True) -> pd.Series:
        """Estimates, for a new user given ``{raw item id: rating}``, of every other training item.

        Same formulas as :meth:`test`, without refitting. The new user does not change the training
        similarities between items (item-based) nor the other users' means/biases; their own mean,
        sigma and bias (Surprise's user step with the items' biases fixed) come from ``ratings``.
        User-based: the new user's similarity to each training user is computed from their rating
        vector with the same measure. Unknown item ids are ignored.
        """
        items, vals, mean, sigma, bu = self._fold_in_user(ratings)
        targets = np.setdiff1d(np.arange(self.n_items_), items)
        if self.user_based_:
            sim_row = self._sim_new_row(items, vals, bu)
            est = self._user_based_all_items(targets, sim_row, mean, sigma, bu)
        else:
            num, den, kk = self._aggregate(targets, items, vals, bu)
            uu = np.zeros(targets.size, dtype=np.intp)
            center = self._fold_center(targets, mean, bu)
            est, _, _, _ = self._assemble(
                uu, targets, targets, np.ones(targets.size, bool), num, den, kk, center=center
            )
        if clip:
            est = self._clip(est)
        index = pd.Index([self.raw_iids_[j] for j in targets], name="item")
        return pd.Series(est, index=index, name="est")

    def _fold_center(self, targets: np.ndarray, mean: float, bu: float) -> np.ndarray:
        return self.means_[targets]

    def _user_based_all_items(
        self, items: np.ndarray, sim_row: np.ndarray, mean: float, sigma: float, bu: float | None
    ) -> np.ndarray:
        """User-based estimates of ``items`` for one user whose similarity to every training user
        is ``sim_row``: top-k over each item's ``ir`` list, as :meth:`test` does."""
        items = np.asarray(items, dtype=np.int64)
        num, den, kk = self._grouped(
            np.zeros(1, dtype=np.int64),
            np.array([0, items.size], dtype=np.int64),
            items,
            dense=np.asarray(sim_row, dtype=np.float64)[None, :],
        )
        ok = kk >= self.min_k
        with np.errstate(divide="ignore", invalid="ignore"):
            agg = np.where(ok & (den != 0), num / np.where(den == 0, 1, den), 0.0)
        if self._uses_baselines:
            assert self.bi_ is not None and bu is not None
            center = (self.global_mean_ + bu) + self.bi_[items]
        else:
            center = np.full(items.size, mean)
        est = self._finish(
            np.zeros(items.size, np.intp), center, agg, ok, np.full(items.size, sigma)
        )
        if self._impossible_if_few:
            est = np.where(ok, est, self.global_mean_)
        return est

    def explain(
        self,
        iid: Hashable,
        ratings: Mapping[Hashable, float] | None = None,
        uid: Hashable | None = None,
        n: int | None = None,
    ) -> pd.DataFrame:
        """The neighbours aggregated for item ``iid`` and a new user (``ratings``) or a training
        user (``uid``): one row per neighbour (raw id, similarity, rating, weight = sim / sum sim),
        most similar first. Item-based: the user's rated items ("because you rated ...").
        """
        i = self.iid_index_[iid]
        if ratings is not None:
            items, vals, _, _, bu = self._fold_in_user(ratings)
            left = (items, vals, bu) if self.user_based_ else None
        elif uid is not None:
            u = self.uid_index_[uid]
            a, b = self.ur_ptr_[u], self.ur_ptr_[u + 1]
            items, vals, left = self.ur_item_[a:b], self.ur_r_[a:b], None
        else:
            raise ValueError("give either ratings (a new user) or uid (a training user)")
        if self.user_based_:
            a, b = self.ir_ptr_[i], self.ir_ptr_[i + 1]
            cand, cand_r = self.ir_user_[a:b], self.ir_r_[a:b]
            row = (
                self._sim_new_row(*left)
                if left is not None
                else self._sim(np.array([u]), np.arange(self.n_users_))[0]
            )
            sims = row[cand]
            names = [self.raw_uids_[c] for c in cand]
        else:
            cand, cand_r = items, vals
            sims = self._sim(np.array([i]), cand)[0]
            names = [self.raw_iids_[c] for c in cand]
        mask = topk_mask(sims[None, :], self.k)[0]
        sel = np.flatnonzero(mask)
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

    def similar_items(self, iid: Hashable, n: int = 5) -> pd.DataFrame:
        """The ``n`` items most similar to ``iid`` (item-based models), ties by inner id like
        Surprise's ``get_neighbors``."""
        if self.user_based_:
            raise ValueError(
                "similar_items needs an item-based model (sim_options user_based=False)"
            )
        i = self.iid_index_[iid]
        row = self._sim(np.array([i]), np.arange(self.n_items_))[0]
        row[i] = -np.inf
        order = np.lexsort((np.arange(row.size), -row))[: min(n, row.size - 1)]
        return pd.DataFrame({"item": [self.raw_iids_[j] for j in order], "similarity": row[order]})


def score_users_shared(
    models: Sequence[_SymmetricKNN],
    uids: Iterable[Hashable],
    *,
    inner: bool = False,
    clip: bool = False,
) -> list[np.ndarray]:
    """:meth:`_SymmetricKNN.score_users` for several fitted models at once: one array per model.

    Models fitted on the same data with the same similarity settings and k (e.g. the four
    algorithms with one measure) share one similarity computation and one top-k selection per
    (user, item); the others are scored separately. Results equal each model's own
    ``score_users``. :func:`iter_score_blocks` yields the same by blocks (less memory).
    """
    models = list(models)
    if not models:
        return []
    lead = models[0]
    users = lead._inner_list(uids, lead.uid_index_, inner, lead.n_users_)
    outs = [np.empty((users.size, m.n_items_)) for m in models]
    for g, start, block in iter_score_blocks(models, users, clip=clip):
        outs[g][start : start + block.shape[0]] = block
    return outs


def iter_score_blocks(
    models: Sequence[_SymmetricKNN], users: np.ndarray, *, clip: bool = False
) -> Iterator[tuple[int, int, np.ndarray]]:
    """Bulk scores of the inner users ``users`` by several fitted models, block by block:
    yields ``(model index, first row, scores)`` where ``scores`` are the rows
    ``first row : first row + len(scores)`` of that model's :meth:`~_SymmetricKNN.score_users`.
    For each model the blocks come in row order. Models sharing their neighbours (same data,
    similarity and k) are computed together; memory is bounded by the models' ``memory_budget``
    (kernel output) plus one block of scores."""
    models = list(models)
    users = np.asarray(users, dtype=np.int64).reshape(-1)
    groups: list[list[int]] = []
    for n, model in enumerate(models):
        for group in groups:
            if models[group[0]]._shares_neighbours_with(model):
                group.append(n)
                break
        else:
            groups.append([n])
    for group in groups:
        members = [models[n] for n in group]
        for g, start, block in _score_group(members, users, clip):
            yield group[g], start, block


_ASSEMBLE_ROWS = 64  # users assembled at once (bounds the temporaries of _assemble)


def _assemble_rows(
    model: _SymmetricKNN,
    user_based: bool,
    block: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    kk: np.ndarray,
    est: np.ndarray,
) -> None:
    """Estimates through ``model._assemble`` (numpy), a few users at a time."""
    n_items = est.shape[1]
    all_items = np.arange(n_items, dtype=np.int64)
    for r0 in range(0, block.size, _ASSEMBLE_ROWS):
        r1 = min(block.size, r0 + _ASSEMBLE_ROWS)
        rows = block[r0:r1]
        if user_based:
            num_c, den_c, kk_c = num[r0:r1], den[r0:r1], kk[r0:r1]
        else:
            num_c, den_c, kk_c = num[:, r0:r1].T, den[:, r0:r1].T, kk[:, r0:r1].T
        uu = np.repeat(rows, n_items)
        ii = np.tile(all_items, rows.size)
        xs = uu if user_based else ii
        part, _, _, _ = model._assemble(
            uu,
            ii,
            xs,
            np.ones(uu.size, bool),
            num_c.ravel(),
            den_c.ravel(),
            kk_c.ravel().astype(np.int64),
        )
        est[r0:r1] = part.reshape(rows.size, n_items)


def _score_group(
    models: list[_SymmetricKNN], users: np.ndarray, clip: bool
) -> Iterator[tuple[int, int, np.ndarray]]:
    lead = models[0]
    n_items = lead.n_items_
    if users.size and (users.min() < 0 or users.max() >= lead.n_users_):
        raise IndexError(f"inner user ids must be in [0, {lead.n_users_})")
    # kernel output per (user, item) cell: num per model, den (8 B) and kk (4 B)
    per_user = n_items * (8 * len(models) + 12)
    step = max(1, int(lead.memory_budget // per_user))
    all_items = np.arange(n_items, dtype=np.int64)
    for s in range(0, users.size, step):
        block = users[s : s + step]
        m = block.size
        if lead.user_based_:
            num, den, kk = lead._score_block(block, all_items, models)
        else:
            num, den, kk = lead._score_block(all_items, block, models)
        for g, model in enumerate(models):
            est = np.empty((m, n_items))
            kind = _KIND.get(type(model))
            if kind is None:  # a subclass with its own formulas: the generic path
                _assemble_rows(model, lead.user_based_, block, num[g], den, kk, est)
            else:
                zeros = np.zeros(1)
                kern.assemble_scores(
                    num[g],
                    den,
                    kk,
                    lead.user_based_,
                    block,
                    kind,
                    int(model.min_k),
                    float(model.global_mean_),
                    model.means_,
                    model.sigmas_,
                    model.bu_ if model.bu_ is not None else zeros,
                    model.bi_ if model.bi_ is not None else zeros,
                    est,
                )
            if clip:
                est = model._clip(est)
            for row, u in enumerate(block):
                est[row, model.ur_item_[model.ur_ptr_[u] : model.ur_ptr_[u + 1]]] = np.nan
            yield g, s, est
            del est
        del num, den, kk


class KNNBasic(_SymmetricKNN):
    """A basic collaborative filtering algorithm (Surprise's ``KNNBasic``).

    .. math::
        \\hat{r}_{ui} = \\frac{\\sum_{v \\in N^k_i(u)} \\text{sim}(u, v) \\cdot r_{vi}}
        {\\sum_{v \\in N^k_i(u)} \\text{sim}(u, v)}
        \\quad\\text{or}\\quad
        \\hat{r}_{ui} = \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j) \\cdot r_{uj}}
        {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

    Fewer than ``min_k`` positive neighbours: impossible (global mean).
    """

    _impossible_if_few = True

    def _values(self, cand: np.ndarray, ratings: np.ndarray, y_bias: float) -> np.ndarray:
        return ratings

    def _finish(self, xs, center, agg, ok, x_sigma):
        return agg

    def _fold_center(self, targets: np.ndarray, mean: float, bu: float) -> np.ndarray:
        return np.zeros(targets.size)


class KNNWithMeans(_SymmetricKNN):
    """Surprise's ``KNNWithMeans``: the neighbours' mean-centred ratings.

    .. math::
        \\hat{r}_{ui} = \\mu_i + \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j) (r_{uj} - \\mu_j)}
        {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}  \\quad\\text{(item-based; symmetric for users)}

    Fewer than ``min_k`` neighbours: the mean alone.
    """

    def _values(self, cand: np.ndarray, ratings: np.ndarray, y_bias: float) -> np.ndarray:
        return ratings - self.means_[cand]

    def _finish(self, xs, center, agg, ok, x_sigma):
        return center + agg


class KNNWithZScore(_SymmetricKNN):
    """Surprise's ``KNNWithZScore``: z-score normalised neighbours.

    .. math::
        \\hat{r}_{ui} = \\mu_i + \\sigma_i \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)
        (r_{uj} - \\mu_j) / \\sigma_j} {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

    A sigma of 0 is replaced by the standard deviation of all ratings.
    """

    def _values(self, cand: np.ndarray, ratings: np.ndarray, y_bias: float) -> np.ndarray:
        return (ratings - self.means_[cand]) / self.sigmas_[cand]

    def _terms(
        self, cand: np.ndarray, ratings: np.ndarray, y_bias: Any
    ) -> tuple[np.ndarray, np.ndarray | None]:
        # Surprise: sum_ratings += sim * (r - mu_nb) / sigma_nb
        return ratings - self.means_[cand], self.sigmas_[cand]

    def _finish(self, xs, center, agg, ok, x_sigma):
        return center + agg * x_sigma


class KNNBaseline(_SymmetricKNN):
    """Surprise's ``KNNBaseline`` (Koren 2010, eq. 3), baselines b_ui = mu + b_u + b_i.

    .. math::
        \\hat{r}_{ui} = b_{ui} + \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j) (r_{uj} - b_{uj})}
        {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

    Unknown user or item: the baseline of what is known (not "impossible").
    """

    _uses_baselines = True

    def _values(self, cand: np.ndarray, ratings: np.ndarray, y_bias: float) -> np.ndarray:
        return ratings - ((self.global_mean_ + self.bx_[cand]) + y_bias)

    def _finish(self, xs, center, agg, ok, x_sigma):
        return center + agg

    def _center(self, uu: np.ndarray, ii: np.ndarray, xs: np.ndarray) -> np.ndarray:
        return (self.global_mean_ + self.bu_[np.maximum(uu, 0)]) + self.bi_[np.maximum(ii, 0)]

    def _unknown_estimate(self, uu: np.ndarray, ii: np.ndarray) -> np.ndarray:
        est = np.full(uu.shape, self.global_mean_)
        est = est + np.where(uu >= 0, self.bu_[np.maximum(uu, 0)], 0.0)
        return est + np.where(ii >= 0, self.bi_[np.maximum(ii, 0)], 0.0)

    def _fold_center(self, targets: np.ndarray, mean: float, bu: float) -> np.ndarray:
        return (self.global_mean_ + bu) + self.bi_[targets]


# estimate formulas of the compiled assembly (knn_kernels.assemble_scores), by exact class
_KIND: dict[type, int] = {KNNBasic: 0, KNNWithMeans: 1, KNNWithZScore: 2, KNNBaseline: 3}
