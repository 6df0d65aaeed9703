"""Neighbourhood rankers: item-based top-N KNN (Deshpande & Karypis 2004, LensKit's ItemKNN design),
RP3beta (Paudel et al. 2016) and user-based top-N KNN.

All keep a sparse item × item (or the user) model and score a history x as x·W.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.ranking.base import INPUTS, Param, RankerSpec, row_contributions
from recommender.ranking.similarity import item_counts, row_normalise, topk_by_blocks

__all__ = ["ITEM_KNN", "RP3_BETA", "USER_KNN", "ItemKNN", "RP3Beta", "UserKNN"]


def _centred(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Ratings minus each row's mean (a rating at the mean is kept as a tiny value)."""
    out = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    counts = np.diff(out.indptr)
    means = np.asarray(out.sum(axis=1)).ravel() / np.maximum(counts, 1)
    out.data = (out.data - np.repeat(means, counts)).astype(np.float32)
    out.data[out.data == 0] = 1e-6
    return out


class ItemKNN:
    """Item-item cosine similarity with shrinkage, s_ij = x_i·x_j / (|x_i||x_j| + shrink); each
    item keeps its ``k`` most similar items (positive only); ``normalise`` makes each item's row
    sum to 1 (D&K's normalisation).

    ``variant="implicit"``: inputs are the ``input`` weights of the ratings and a candidate
    scores Σ_j x_j·s_ji over the history (neighbourhood sum). ``variant="explicit"``: inputs are
    mean-centred ratings and the score is the weighted average Σ_j s_ji·(r_j − r̄) / Σ_j |s_ji|
    over the history items among its neighbours (NaN with fewer than ``min_nb``).
    """

    def __init__(self, k: int = 1000, shrink: float = 20.0, input: str = "loved",
                 variant: str = "implicit", normalise: bool = False, min_nb: int = 1):  # fmt: skip
        self.k, self.shrink, self.input = k, shrink, input
        self.variant, self.normalise, self.min_nb = variant, normalise, min_nb

    def _inputs(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        return _centred(matrix) if self.variant == "explicit" else INPUTS[self.input].apply(matrix)

    def fit(self, matrix: sp.csr_matrix) -> ItemKNN:
        x = self._inputs(matrix)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())

        def cosine(start: int, stop: int, dots: np.ndarray) -> None:
            dots /= norms[start:stop, None] * norms[None, :] + self.shrink + 1e-12

        w = topk_by_blocks(sp.csr_matrix(x.T), x.toarray(), self.k, scale=cosine)
        self.w_ = row_normalise(w) if self.normalise else w
        return self

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray((self._inputs(histories) @ self.w_).toarray(), dtype=np.float32)
        if self.variant == "implicit":
            return scores
        rated = histories.copy()
        rated.data = np.ones_like(rated.data)
        support = (rated @ self.w_).toarray()
        count = (rated @ (self.w_ > 0).astype(np.float32)).toarray()
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = scores / support
        mean[count < self.min_nb] = np.nan
        return mean.astype(np.float32)

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        return row_contributions(self._inputs(history), self.w_, item)


class RP3Beta:
    """Random walks user → item → user → item with transition probabilities raised to ``alpha``
    and the arrival item's popularity divided out to the power ``beta``; each item keeps its
    ``k`` largest entries. Score = history (weighted) · W."""

    def __init__(self, alpha: float = 0.3, beta: float = 0.5, k: int = 1000,
                 input: str = "loved"):  # fmt: skip
        self.alpha, self.beta, self.k, self.input = alpha, beta, k, input

    def fit(self, matrix: sp.csr_matrix) -> RP3Beta:
        x = INPUTS[self.input].apply(matrix)
        p_ui, p_iu = row_normalise(x), row_normalise(sp.csr_matrix(x.T))
        p_ui.data **= self.alpha
        p_iu.data **= self.alpha
        penalty = np.maximum(item_counts(x), 1).astype(np.float64) ** (-self.beta)
        dense = p_ui.toarray() * penalty[None, :].astype(np.float32)
        self.w_ = topk_by_blocks(p_iu, dense, self.k)
        return self

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        x = INPUTS[self.input].apply(histories)
        return np.asarray((x @ self.w_).toarray(), dtype=np.float32)

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        return row_contributions(INPUTS[self.input].apply(history), self.w_, item)


class UserKNN:
    """User-user cosine on the ``input`` weights: a history's ``k`` most similar training users
    vote with sim^power × their weighted ratings. The training matrix is the model."""

    def __init__(self, k: int = 50, power: float = 2.0, input: str = "loved"):
        self.k, self.power, self.input = k, power, input

    def fit(self, matrix: sp.csr_matrix) -> UserKNN:
        x = INPUTS[self.input].apply(matrix)
        self.x_t_ = sp.csr_matrix(x.T)
        self.norms_ = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        self.votes_ = x
        return self

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        h = INPUTS[self.input].apply(histories)
        norms = np.sqrt(np.asarray(h.multiply(h).sum(axis=1)).ravel())
        sims = np.asarray((h @ self.x_t_).toarray())
        sims /= norms[:, None] * self.norms_[None, :] + 1e-12
        k = min(self.k, sims.shape[1])
        cols = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.maximum(np.take_along_axis(sims, cols, axis=1), 0.0) ** self.power
        rows = np.repeat(np.arange(sims.shape[0]), k)
        neighbours = sp.csr_matrix((vals.ravel(), (rows, cols.ravel())), shape=sims.shape)
        return np.asarray((neighbours @ self.votes_).toarray(), dtype=np.float32)

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        return {}  # the evidence is other people, not the visitor's films


_INPUT = Param("input", "w", "loved", "input weighting of the ratings", tuple(INPUTS))
ITEM_KNN = RankerSpec(
    "ItemKNN", "itemknn", "neighbourhood",
    (Param("k", "k", 1000, "neighbours kept per movie"),
     Param("shrink", "s", 20.0, "cosine shrinkage"),
     _INPUT,
     Param("variant", "v", "implicit", "neighbourhood sum of weights, or weighted average of "
           "mean-centred ratings", ("implicit", "explicit")),
     Param("normalise", "n", False, "each movie's similarities sum to 1"),
     Param("min_nb", "b", 1, "explicit: fewest rated neighbours for a score")),
    "Item-based top-N KNN (Deshpande & Karypis 2004)", factory=ItemKNN,
)  # fmt: skip
RP3_BETA = RankerSpec(
    "RP3beta", "rp3beta", "neighbourhood",
    (Param("alpha", "a", 0.3, "exponent of the transition probabilities"),
     Param("beta", "b", 0.5, "popularity penalty exponent"),
     Param("k", "k", 1000, "neighbours kept per movie"), _INPUT),
    "Graph random walks with a popularity penalty (Paudel et al. 2016)", factory=RP3Beta,
)  # fmt: skip
USER_KNN = RankerSpec(
    "UserKNN", "userknn", "neighbourhood",
    (Param("k", "k", 50, "neighbours"), Param("power", "p", 2.0, "similarity exponent"), _INPUT),
    "User-based top-N KNN: neighbours' weighted votes", factory=UserKNN,
)  # fmt: skip
