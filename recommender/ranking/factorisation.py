"""Implicit-feedback matrix factorisation from the `implicit` library: ALS (Hu, Koren & Volinsky
2008) and BPR (Rendle et al. 2009), on rating-weighted inputs.

Both score a history by folding it in against the fixed item factors, so evaluation users and
visitors go through the same code: ALS with implicit's exact ``recalculate_user`` step, BPR (which
has no fold-in in `implicit`) with the equivalent weighted ridge step. BLAS is held to one thread
around implicit's calls (implicit runs its own threads: nested pools would oversubscribe).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from recommender.ranking.base import INPUTS, Param, RankerSpec

__all__ = ["ALS", "ALS_SPEC", "BPR", "BPR_SPEC"]

THREADS = 2
_BLAS = ThreadpoolController()  # built once: a fresh controller per call costs ~1.5 ms


def _one_blas_thread():
    """BLAS held to one thread (implicit runs its own threads)."""
    return _BLAS.limit(limits=1, user_api="blas")


def _confidence(matrix: sp.csr_matrix, input: str, alpha: float) -> sp.csr_matrix:
    """Hu et al.'s confidence as implicit takes it: 1 + alpha·weight for every kept rating."""
    c = INPUTS[input].apply(matrix)
    c.data = (1.0 + alpha * c.data).astype(np.float32)
    return c


class ALS:
    """implicit's AlternatingLeastSquares with rating-based confidence."""

    def __init__(self, factors: int = 128, reg: float = 30.0, alpha: float = 3.0,
                 iterations: int = 15, input: str = "loved", seed: int = 0):  # fmt: skip
        self.factors, self.reg, self.alpha = factors, reg, alpha
        self.iterations, self.input, self.seed = iterations, input, seed

    def fit(self, matrix: sp.csr_matrix) -> ALS:
        from implicit.cpu.als import AlternatingLeastSquares

        with _one_blas_thread():
            model = AlternatingLeastSquares(
                factors=self.factors, regularization=self.reg, alpha=1.0,
                iterations=self.iterations, num_threads=THREADS, random_state=self.seed,
            )  # fmt: skip
            model.fit(_confidence(matrix, self.input, self.alpha), show_progress=False)
        # Fold-in is one small solve per history row: on one thread it takes ~0.4 ms a visitor,
        # on implicit's thread pool ~20 ms (start-up and spinning; worse on a busy server).
        model.num_threads = 1
        self.model_ = model  # its user factors are kept only for tests: histories are folded in
        return self

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        conf = _confidence(histories, self.input, self.alpha)
        with _one_blas_thread():
            users = self.model_.recalculate_user(np.arange(histories.shape[0]), conf)
        return np.asarray(users @ self.model_.item_factors.T, dtype=np.float32)

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        """implicit's ``explain`` (Hu et al. §5: the history's items, weighted through the
        user's folded-in factors), which folds the history in exactly as ``score`` does."""
        conf = _confidence(history, self.input, self.alpha)
        if conf.nnz == 0:
            return {}
        with _one_blas_thread():
            _, top, _ = self.model_.explain(0, conf, item, N=conf.nnz)
        return {int(j): float(v) for j, v in top}


class BPR:
    """implicit's BayesianPersonalizedRanking on the ratings the ``input`` keeps (positives).

    Fold-in: the user vector minimising Σ_i c_i (p_i − b_i − v_i·u)² + reg|u|², p = 1 on the
    history with confidence 1 + ``fold_alpha``, 0 elsewhere with confidence 1 (an ALS half-step
    against BPR's item factors and biases): an approximation, not BPR's own objective.
    """

    def __init__(self, factors: int = 64, lr: float = 0.01, reg: float = 0.1,
                 iterations: int = 100, input: str = "positive", seed: int = 0):  # fmt: skip
        self.factors, self.lr, self.reg = factors, lr, reg
        self.iterations, self.input, self.seed = iterations, input, seed
        self.fold_reg, self.fold_alpha = 1.0, 10.0

    def fit(self, matrix: sp.csr_matrix) -> BPR:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        with _one_blas_thread():
            model = BayesianPersonalizedRanking(
                factors=self.factors, learning_rate=self.lr, regularization=self.reg,
                iterations=self.iterations, num_threads=THREADS, random_state=self.seed,
            )  # fmt: skip
            model.fit(INPUTS[self.input].apply(matrix), show_progress=False)
        # implicit keeps factors + 1 columns: the last user column is 1, the last item one a bias
        self.v_ = np.ascontiguousarray(model.item_factors[:, :-1])
        self.bias_ = np.ascontiguousarray(model.item_factors[:, -1])
        self.vtv_ = self.v_.T @ self.v_
        return self

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        x = INPUTS[self.input].apply(histories)
        out = np.empty((x.shape[0], self.v_.shape[0]), dtype=np.float32)
        eye = self.fold_reg * np.eye(self.v_.shape[1], dtype=np.float32)
        vtb = self.v_.T @ self.bias_
        for row in range(x.shape[0]):
            items = x.indices[x.indptr[row] : x.indptr[row + 1]]
            v, bias = self.v_[items], self.bias_[items]
            a = self.vtv_ + self.fold_alpha * (v.T @ v) + eye
            b = (1.0 + self.fold_alpha) * (v.T @ (1.0 - bias)) + v.T @ bias - vtb
            out[row] = self.v_ @ np.linalg.solve(a, b) + self.bias_
        return out

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        return {}


ALS_SPEC = RankerSpec(
    "ALS", "als", "factorisation",
    (Param("factors", "f", 128, "latent factors"), Param("reg", "r", 30.0, "regularisation"),
     Param("alpha", "a", 3.0, "confidence = 1 + alpha × input weight"),
     Param("iterations", "i", 15, "ALS sweeps"),
     Param("input", "w", "loved", "input weighting of the ratings", tuple(INPUTS))),
    "Implicit-feedback ALS (Hu, Koren & Volinsky 2008), `implicit` library", factory=ALS,
)  # fmt: skip
BPR_SPEC = RankerSpec(
    "BPR", "bpr", "factorisation",
    (Param("factors", "f", 64, "latent factors"), Param("lr", "l", 0.01, "learning rate"),
     Param("reg", "r", 0.1, "regularisation"), Param("iterations", "i", 100, "epochs"),
     Param("input", "w", "positive", "which ratings count as positives", tuple(INPUTS))),
    "Bayesian personalised ranking (Rendle et al. 2009), `implicit` library", factory=BPR,
)  # fmt: skip
