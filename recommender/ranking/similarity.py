"""Sparse top-k similarity matrices, built block by block (memory: one dense block at a time)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["item_counts", "row_normalise", "topk_by_blocks"]


def item_counts(matrix: sp.csr_matrix) -> np.ndarray:
    """Number of stored entries of every column."""
    return np.bincount(matrix.indices, minlength=matrix.shape[1])


def row_normalise(matrix: sp.csr_matrix, power: float = 1.0) -> sp.csr_matrix:
    """Each row divided by (its sum of absolute values)^power (empty rows stay empty)."""
    sums = np.asarray(abs(matrix).sum(axis=1)).ravel()
    scale = np.divide(1.0, sums**power, out=np.zeros_like(sums, dtype=float), where=sums > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ matrix)


def _topk_rows(block: np.ndarray, k: int, first_row: int) -> tuple[np.ndarray, ...]:
    """(rows, cols, values) of the k largest positive entries of each row (diagonal excluded)."""
    rows = np.arange(block.shape[0])
    block[rows, rows + first_row] = 0.0
    k = min(k, block.shape[1])
    cols = np.argpartition(-block, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(block, cols, axis=1)
    keep = vals > 0
    # int32 / float32 at once: k entries per row for every row are kept until the matrix is built
    rows_kept = (np.repeat(rows, k).reshape(-1, k)[keep] + first_row).astype(np.int32)
    return rows_kept, cols[keep].astype(np.int32), vals[keep].astype(np.float32)


def topk_by_blocks(left: sp.csr_matrix, right: np.ndarray, k: int, block: int = 256,
                   scale=None) -> sp.csr_matrix:  # fmt: skip
    """The n × n matrix ``left @ right`` (``scale(start, stop, dots)`` may rescale each dense
    block in place) keeping each row's ``k`` largest positive entries, diagonal excluded."""
    n = left.shape[0]
    parts = []
    for start in range(0, n, block):
        stop = min(start + block, n)
        dots = np.asarray(left[start:stop] @ right)
        if scale is not None:
            scale(start, stop, dots)
        parts.append(_topk_rows(dots, k, start))
    rows, cols, vals = (np.concatenate(x) for x in zip(*parts, strict=True))
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, right.shape[1]))
