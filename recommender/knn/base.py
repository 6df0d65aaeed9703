"""The base class of the four KNN algorithms: fitting, ids, fallbacks, clipping and Surprise's API.

Notation (Surprise's): x are the entities compared (users if ``user_based`` else items), y the
others. To predict r_ui with item-based similarity, the neighbours of i are the items j the user u
rated, N^k_u(i) = the k of them most similar to i (ties: first in ``ur[u]`` order, like
``heapq.nlargest``), and only those with sim(i, j) > 0 are aggregated; the estimate is the
algorithm's row of :data:`recommender.knn.formulas.FORMULAS`. Estimates are clipped to the rating
scale.

Nothing of size n_x by n_x is stored unless it fits ``memory_budget`` (e.g. 610 users): only the
ratings in two CSR layouts (:mod:`recommender.knn.layout`), from which compiled kernels compute the
similarities a prediction needs. ``save_nbrs`` switches to an approximate mode for very large data:
each x keeps only its ``save_nbrs`` most similar neighbours.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from surprise import AlgoBase, PredictionImpossible, Trainset
from surprise.prediction_algorithms.predictions import Prediction

from recommender.knn import _kernels as kern
from recommender.knn import scoring
from recommender.knn.bulk import score_users_shared
from recommender.knn.errors import KNNZeroDivisionError
from recommender.knn.formulas import Formula, estimates
from recommender.knn.layout import FittedLayout, fit_layout, occurrence_map
from recommender.knn.surprise_api import SimSlot, SurpriseAPI

__all__ = ["SymmetricKNN"]

_UNKNOWN = "User and/or item is unknown."
_NOT_ENOUGH = "Not enough neighbors."


class SymmetricKNN(SurpriseAPI, AlgoBase):
    """Shared machinery of KNNBasic, KNNWithMeans, KNNWithZScore and KNNBaseline; a subclass only
    names its row of the formula table (``formula``).

    Surprise's fitted attributes (``sim``, ``n_x``, ``xr``, ``means``, ``bx`` ...) and
    ``get_neighbors`` come from :class:`~recommender.knn.surprise_api.SurpriseAPI`; with
    ``verbose`` ``fit`` prints Surprise's messages. A repeated (user, item) rating is kept, as in
    Surprise's Trainset.

    Beyond Surprise's API: :meth:`score_history` (every item for a user given only their ratings:
    the one path for a new visitor's fold-in, a training user's full list and explanations),
    :meth:`score_users` (the same for many training users at once, compiled), :meth:`explain`,
    :meth:`similar_items` and :meth:`similarity_block`. Those live in
    :mod:`recommender.knn.scoring` and :mod:`recommender.knn.bulk`.
    """

    formula: ClassVar[Formula]

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
    def fit(self, trainset: Trainset) -> SymmetricKNN:
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
        # position of every rating in ir order, to lay the item lists out exactly as Surprise does
        # (a repeated (user, item) rating is kept: its k-th copy in ir is its k-th copy in ur)
        iu = np.fromiter(map(itemgetter(0), chain.from_iterable(ir_lists)), np.intp, n)
        want_key = np.repeat(np.arange(n_items, dtype=np.intp), ir_len) * n_users + iu
        item_order = occurrence_map(want_key, i * n_users + u)
        raw_u = [trainset.to_raw_uid(x) for x in range(n_users)]
        raw_i = [trainset.to_raw_iid(x) for x in range(n_items)]
        ratings = (u, i, flat[1::2].copy())
        return self._fit(ratings, (raw_u, raw_i), trainset.rating_scale, item_order,
                         trainset.global_mean)  # fmt: skip

    def fit_ratings(
        self,
        users: Iterable[Hashable],
        items: Iterable[Hashable],
        ratings: Iterable[float],
        rating_scale: tuple[float, float] = (0.5, 5.0),
    ) -> SymmetricKNN:
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
        return self._fit((u, i, r), (list(raw_u), list(raw_i)), rating_scale, item_order, None)

    def _fit(
        self,
        ratings: tuple[np.ndarray, np.ndarray, np.ndarray],
        raw_ids: tuple[list[Hashable], list[Hashable]],
        rating_scale: tuple[float, float],
        item_order: np.ndarray,
        global_mean: float | None,
    ) -> SymmetricKNN:
        """Every fitted attribute, from ratings in ``ur`` order and the ``ir`` permutation."""
        raw_u, raw_i = raw_ids
        self.raw_uids_, self.raw_iids_ = raw_u, raw_i
        self.uid_index_ = {x: n for n, x in enumerate(raw_u)}
        self.iid_index_ = {x: n for n, x in enumerate(raw_i)}
        self.n_users_, self.n_items_ = len(raw_u), len(raw_i)
        self.rating_scale_ = tuple(rating_scale)
        layout = fit_layout(self, ratings, item_order, global_mean)
        self.layout_: FittedLayout = layout
        self._sim_slot = SimSlot()  # the dense .sim, built only if asked for (SurpriseAPI.sim)
        self.user_based_ = layout.user_based
        self.global_mean_ = layout.centers.mu
        self.bu_, self.bi_ = layout.bu, layout.bi
        if layout.bu is not None:
            self.bu, self.bi = layout.bu, layout.bi  # Surprise's attribute names
        self.means_, self.sigmas_ = layout.centers.means, layout.centers.sigmas
        return self

    # ------------------------------------------------------------- estimation
    def _predict_inner(self, uu: np.ndarray, ii: np.ndarray) -> tuple[np.ndarray, ...]:
        """Estimates for inner (u, i) pairs, -1 meaning unknown.

        Returns (est unclipped, actual_k, was_impossible, unknown)."""
        lay = self.layout_
        known = (uu >= 0) & (ii >= 0)
        xs, ys = (uu, ii) if lay.user_based else (ii, uu)
        agg = kern.Aggregates(np.zeros(uu.size), np.zeros(uu.size), np.zeros(uu.size, np.int64))
        idx = np.flatnonzero(known)
        if idx.size:
            order = idx[np.argsort(xs[idx], kind="stable")]
            xo = xs[order]
            starts = np.r_[0, np.flatnonzero(np.diff(xo)) + 1]
            pairs = kern.CSR(np.r_[starts, xo.size].astype(np.int64),
                             ys[order].astype(np.int64), np.zeros(1))  # fmt: skip
            part = kern.predict_grouped(
                xo[starts].astype(np.int64), pairs, lay.neighbourhood, lay.terms, int(self.k),
                kern.n_chunks(),
            )  # fmt: skip
            for whole, got in zip(agg, part, strict=True):
                whole[order] = got
        return self._finish(agg, (np.where(known, xs, 0), uu, ii), known)

    def _finish(
        self, agg: kern.Aggregates, cells: tuple[np.ndarray, np.ndarray, np.ndarray],
        known: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """Estimates of cells (x, u, i) from their aggregates, with the unknown fallback."""
        xs, uu, ii = cells
        safe = tuple(np.ascontiguousarray(np.maximum(a, 0), np.int64) for a in (xs, uu, ii))
        est = estimates(self.formula.code, agg, safe, int(self.min_k), self.layout_.centers)
        if self.formula.impossible_if_few and self.min_k <= 0:
            self._refuse_empty_average(known & (agg.den == 0.0), uu, ii)
        est = np.where(known, est, self._unknown_estimate(uu, ii))
        impossible = ~known | (self.formula.impossible_if_few & (agg.kk < self.min_k))
        return est, agg.kk, impossible, ~known

    def _refuse_empty_average(self, empty: np.ndarray, uu: np.ndarray, ii: np.ndarray) -> None:
        """KNNBasic with ``min_k`` <= 0 and no positive neighbour: Surprise divides 0 by 0."""
        if empty.any():
            n = int(np.flatnonzero(empty)[0])
            raise KNNZeroDivisionError(
                f"division by zero: KNNBasic with min_k={self.min_k} has no neighbour of positive "
                f"similarity for user {self.raw_uids_[uu[n]]!r} and item {self.raw_iids_[ii[n]]!r} "
                "(scikit-surprise raises ZeroDivisionError here too)"
            )

    def _unknown_estimate(self, uu: np.ndarray, ii: np.ndarray) -> np.ndarray:
        """Unknown user or item: the global mean, or for KNNBaseline the baseline of what is
        known."""
        est = np.full(uu.shape, self.global_mean_)
        if not self.formula.uses_baselines:
            return est
        est = est + np.where(uu >= 0, self.bu_[np.maximum(uu, 0)], 0.0)
        return est + np.where(ii >= 0, self.bi_[np.maximum(ii, 0)], 0.0)

    def clip(self, est: np.ndarray) -> np.ndarray:
        """Estimates clipped to the rating scale as Surprise's ``predict`` does it, with Python's
        ``max(lo, min(hi, est))``: a NaN estimate (KNNWithZScore on all-equal ratings) becomes
        ``hi``."""
        lo, hi = self.rating_scale_
        est = np.where(est < hi, est, hi)
        return np.where(est > lo, est, lo)

    # ------------------------------------------------------------ Surprise API
    def inner_ids(self, uids: Iterable[Hashable], iids: Iterable[Hashable]) -> tuple:
        """Inner ids of raw user and item ids (-1 where unknown)."""
        uget, iget = self.uid_index_.get, self.iid_index_.get
        uu = np.fromiter((uget(x, -1) for x in uids), np.intp)
        ii = np.fromiter((iget(x, -1) for x in iids), np.intp)
        return uu, ii

    def test(self, testset: list, verbose: bool = False) -> list[Prediction]:
        """Vectorised ``AlgoBase.test``: same Predictions and details as Surprise."""
        if not testset:
            return []
        uids, iids, _ = zip(*testset, strict=True)
        est, kk, impossible, unknown = self._predict_inner(*self.inner_ids(uids, iids))
        new = tuple.__new__  # Prediction is a namedtuple: skip its Python-level __new__
        preds = [
            new(Prediction, (uid, iid, r_ui, e, self._details(k, imp, unk)))
            for (uid, iid, r_ui), e, k, imp, unk in zip(
                testset, self.clip(est).tolist(), kk.tolist(), impossible.tolist(),
                unknown.tolist(), strict=True,
            )
        ]  # fmt: skip
        if verbose:
            for pred in preds:
                print(pred)
        return preds

    def _details(self, kk: int, impossible: bool, unknown: bool) -> dict[str, Any]:
        if unknown:
            if self.formula.uses_baselines:
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
        est, kk, impossible, unknown = self._predict_inner(*self.inner_ids([uid], [iid]))
        value = float(self.clip(est)[0] if clip else est[0])
        pred = Prediction(uid, iid, r_ui, value, self._details(kk[0], impossible[0], unknown[0]))
        if verbose:
            print(pred)
        return pred

    def estimate(self, u: Any, i: Any) -> Any:
        uu = np.array([u if isinstance(u, int | np.integer) else -1], dtype=np.intp)
        ii = np.array([i if isinstance(i, int | np.integer) else -1], dtype=np.intp)
        est, kk, impossible, unknown = self._predict_inner(uu, ii)
        if unknown[0] and not self.formula.uses_baselines:
            raise PredictionImpossible(_UNKNOWN)
        if impossible[0]:
            raise PredictionImpossible(_NOT_ENOUGH)
        if unknown[0]:
            return float(est[0])
        return float(est[0]), {"actual_k": int(kk[0])}

    def default_prediction(self) -> float:
        return self.global_mean_

    # ------------------------------------------------------------ beyond Surprise
    def score_history(
        self, ratings: Mapping[Hashable, float] | None = None, uid: Hashable | None = None
    ) -> scoring.HistoryScores:
        """Every item not rated, scored from a visitor's ``{raw item id: rating}`` (fold-in, no
        refit; unknown items ignored) or from training user ``uid``'s own history: estimates
        (unclipped), neighbour support and evidence, and the rating that contributed most."""
        return scoring.score_history(self, scoring.history_of(self, ratings, uid))

    def _as_series(self, scores: scoring.HistoryScores, clip: bool) -> pd.Series:
        est = self.clip(scores.estimates) if clip else scores.estimates
        index = pd.Index([self.raw_iids_[j] for j in scores.items], name="item")
        return pd.Series(est, index=index, name="est")

    def fold_in(self, ratings: Mapping[Hashable, float], clip: bool = True) -> pd.Series:
        """Estimates of every other training item for a new user given ``{raw item id: rating}``
        (:meth:`score_history`); the same formulas as :meth:`test`, without refitting."""
        return self._as_series(self.score_history(ratings), clip)

    def predict_all_for_user(self, uid: Hashable, clip: bool = True) -> pd.Series:
        """Estimates for every training item the (training) user ``uid`` has not rated."""
        return self._as_series(self.score_history(uid=uid), clip)

    def explain(
        self,
        iid: Hashable,
        ratings: Mapping[Hashable, float] | None = None,
        uid: Hashable | None = None,
        n: int | None = None,
    ) -> pd.DataFrame:
        """The neighbours aggregated for item ``iid`` and a new user (``ratings``) or a training
        user (``uid``): one row per neighbour (raw id, similarity, rating, weight = sim / sum
        sim), most similar first. Item-based: the user's rated items ("because you rated ...")."""
        if ratings is None and uid is None:
            raise ValueError("give either ratings (a new user) or uid (a training user)")
        return scoring.explain(self, iid, scoring.history_of(self, ratings, uid), n)

    def similar_items(self, iid: Hashable, n: int = 5) -> pd.DataFrame:
        """The ``n`` items most similar to ``iid`` (item-based models), ties by inner id like
        Surprise's ``get_neighbors``."""
        if self.user_based_:
            raise ValueError(
                "similar_items needs an item-based model (sim_options user_based=False)"
            )
        i = self.iid_index_[iid]
        row = scoring.sim_block(self, np.array([i]), np.arange(self.n_items_))[0]
        row[i] = -np.inf
        order = np.lexsort((np.arange(row.size), -row))[: min(n, row.size - 1)]
        return pd.DataFrame({"item": [self.raw_iids_[j] for j in order], "similarity": row[order]})

    def similarity_block(
        self, rows: Iterable[Hashable], cols: Iterable[Hashable], *, inner: bool = False
    ) -> np.ndarray:
        """Similarities sim(rows, cols) as a dense (len(rows), len(cols)) float64 array.

        Rows and columns are the entities the model compares: **items** for item-based models,
        **users** for user-based ones; raw ids by default (``KeyError`` if unknown), or inner ids
        with ``inner=True``. The values are exactly the ones predictions use (diagonal 1, 0 below
        min_support); in ``save_nbrs`` mode only the kept neighbours are non-zero."""
        index, n = (
            (self.uid_index_, self.n_users_)
            if self.user_based_
            else (self.iid_index_, self.n_items_)
        )

        def ids(values: Iterable[Hashable]) -> np.ndarray:
            if not inner:
                return np.fromiter((index[x] for x in values), np.int64)
            out = np.asarray(list(values), dtype=np.int64).reshape(-1)
            if out.size and (out.min() < 0 or out.max() >= n):
                raise IndexError(f"inner ids must be in [0, {n})")
            return out

        return scoring.sim_block(self, ids(rows), ids(cols))

    def score_users(
        self, uids: Iterable[Hashable], *, inner: bool = False, clip: bool = False
    ) -> np.ndarray:
        """Estimates of every training item for the training users ``uids``, in bulk.

        Returns a (len(uids), n_items_) array whose column j is inner item j; rows follow
        ``uids`` (raw ids, or inner ids with ``inner=True``). Entry (u, j) equals
        ``predict(u, j, clip=clip).est`` (fallbacks included); items the user rated are NaN.
        :func:`recommender.knn.bulk.score_users_shared` does the same for several models."""
        return score_users_shared([self], uids, inner=inner, clip=clip)[0]
