"""EASE (Steck 2019): an item-item linear model with a closed form, on rating-weighted inputs.

B = argmin ||X - XB||² + λ||B||² with diag(B) = 0, so B = I - P·diag(1/P_jj) with
P = (XᵀX + λI)⁻¹; a history x scores x·B. X holds the input weights of :data:`~.base.INPUTS`
(``liked``: dislikes dropped, lukewarm ratings half, 4★+ full), which is what lifts EASE above its
binary form. B is float32 and n × n: the catalogue is restricted to items with at least
``min_count`` training ratings (default 3; the others score NaN, i.e. rank last) and to the most
rated ones that keep B within :data:`MEMORY_BUDGET` (512 MiB: 11,585 movies); the fit needs
~2× that transiently (the float64 Gram matrix, accumulated over chunks of users from the float32
inputs, inverted in place, then turned into B in its own memory, which shrinks to B's). On
ml-latest-small, min_count = 3
keeps 4,449 of a training fold's 8,975 movies, with the same P@5 / NDCG@5 as all of them
(0.3013 / 0.3456 vs 0.3012 / 0.3451) at a fifth of the fitting time.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.ranking._lapack import spd_inverse_upper, syrk_upper
from recommender.ranking.base import INPUTS, Param, RankerSpec, expand, row_contributions

__all__ = ["EASE", "EASE_SPEC", "MAX_ITEMS", "MEMORY_BUDGET"]

# Bytes for B (float32): 512 MiB = 11,585 items, so the float64 Gram matrix stays at 1 GiB. Not
# more: the OpenBLAS of the NumPy and SciPy wheels (0.3.30/0.3.31) crashed the process
# (segmentation fault) in multi-threaded dsyrk, dgemm and dpotrf on matrices of about 2 GiB and
# over (n ≥ ~15,500 float64; measured on this project's 2-core machine), which a 1 GiB budget
# (16,384 items) reached on ml-20m and larger.
MEMORY_BUDGET = 1 << 29
MAX_ITEMS = int(np.sqrt(MEMORY_BUDGET / 4))  # 11,585 movies: B is MAX_ITEMS² float32


GRAM_ROWS = 1024  # users per chunk when accumulating XᵀX (a dense chunk: rows × items × 8 B)
BLOCK_ROWS = 256  # rows per block: mirroring the upper triangle, writing B over P


def _gram(x: sp.csr_matrix, lam: float) -> np.ndarray:
    """XᵀX + λI as a float64 Fortran-order array, upper triangle only (what LAPACK reads),
    accumulated over chunks of users by BLAS ``dsyrk``: no sparse product, no n × n temporary;
    the GIL is released while BLAS works (see :mod:`recommender.ranking._lapack`)."""
    n = x.shape[1]
    gram = np.zeros((n, n), order="F")
    for start in range(0, x.shape[0], GRAM_ROWS):
        syrk_upper(gram, x[start : start + GRAM_ROWS].toarray())
    gram[np.diag_indices(n)] += lam
    return gram


def _mirror_upper(matrix: np.ndarray) -> None:
    """Copy the upper triangle onto the lower one, block by block (no index arrays of n² pairs)."""
    n = matrix.shape[0]
    for start in range(0, n, BLOCK_ROWS):
        stop = min(n, start + BLOCK_ROWS)
        matrix[start:stop, :start] = matrix[:start, start:stop].T
        block = matrix[start:stop, start:stop]
        matrix[start:stop, start:stop] = np.triu(block) + np.triu(block, 1).T


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive-definite float64 matrix given by its upper triangle, in
    place (Cholesky, LAPACK, without holding the GIL)."""
    spd_inverse_upper(matrix)
    _mirror_upper(matrix)  # dpotri fills the upper triangle only
    return matrix


def _weights_in_place(p: np.ndarray) -> np.ndarray:
    """B_ij = -P_ij / P_jj with a zero diagonal, as float32 in C order (sparse @ B needs no
    copy), written over the float64 P it is made from, whose memory then shrinks to B's: the
    fit's peak is P alone (1 GiB at the item cap) instead of P and a separate B (+0.5 GiB).

    P is symmetric and Fortran-ordered, so row i of B is -(column i of P) / diag(P), read from
    bytes [8in, 8in + 8n) and written to [4in, 4in + 4n): a block of rows overwrites only columns
    already read. The result is bit for bit ``np.ascontiguousarray(B, dtype=np.float32)``."""
    n = p.shape[0]
    if n == 0 or not (p.flags.f_contiguous and p.flags.owndata and p.dtype == np.float64):
        raise ValueError("expected a Fortran-order float64 matrix that owns its memory")
    diag = np.diag(p).copy()
    flat64 = p.reshape(-1, order="F")  # a view: column after column
    flat32 = flat64.view(np.float32)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(n, start + BLOCK_ROWS)
        block = flat64[start * n : stop * n].reshape(stop - start, n)  # columns start..stop
        rows = block / -diag[None, :]  # a copy: rows start..stop of B, in float64
        rows[np.arange(stop - start), np.arange(start, stop)] = 0.0
        flat32[start * n : stop * n] = rows.ravel()
    del flat64, flat32, block, rows
    # No view of P is left: its buffer shrinks to the float32 half in place (realloc).
    p.resize((n * n + 1) // 2, refcheck=False)
    return p.view(np.float32)[: n * n].reshape(n, n)


class EASE:
    """The closed-form EASE ranker (see the module docstring)."""

    def __init__(self, lam: float = 100.0, input: str = "liked", min_count: int = 3):
        self.lam = lam
        self.input = input
        self.min_count = min_count

    def _columns(self, counts: np.ndarray) -> np.ndarray | None:
        """The modelled items: at least ``min_count`` ratings, and no more than the budget."""
        keep = counts >= max(1, self.min_count)
        if keep.sum() > MAX_ITEMS:  # the most-rated items that fit
            keep &= counts >= np.sort(counts)[-MAX_ITEMS]
        return None if keep.all() else np.flatnonzero(keep)

    def _inputs(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        x = INPUTS[self.input].apply(matrix)
        return x if self.columns_ is None else sp.csr_matrix(x[:, self.columns_])

    def fit(self, matrix: sp.csr_matrix) -> EASE:
        self.n_items_ = matrix.shape[1]
        self.columns_ = self._columns(np.bincount(matrix.indices, minlength=self.n_items_))
        gram = _gram(self._inputs(matrix), self.lam)  # the float32 inputs, widened per chunk
        self.b_ = _weights_in_place(_spd_inverse(gram))
        return self

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray(self._inputs(histories) @ self.b_, dtype=np.float32)
        return expand(scores, self.columns_, self.n_items_)

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        cols = self.columns_
        if cols is None:
            return row_contributions(self._inputs(history), self.b_, item)
        pos = int(np.searchsorted(cols, item))
        if pos == cols.size or cols[pos] != item:
            return {}
        shares = row_contributions(self._inputs(history), self.b_, pos)
        return {int(cols[j]): v for j, v in shares.items()}


EASE_SPEC = RankerSpec(
    "EASE",
    "ease",
    "linear",
    (
        Param("lam", "l", 100.0, "L2 regularisation λ"),
        Param("input", "w", "liked", "input weighting of the ratings", tuple(INPUTS)),
        Param("min_count", "m", 3, "only movies with at least this many ratings are modelled"),
    ),
    "Embarrassingly shallow autoencoder (Steck 2019), closed form",
    factory=EASE,
)
