"""EASE's two dense kernels called without the GIL (recommender/ranking/_lapack.py) give what
NumPy gives, and refuse what they cannot take."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ranking._lapack import spd_inverse_upper, syrk_upper


def _spd(n: int, seed: int = 0) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(n + 5, n))
    return a.T @ a + n * np.eye(n)


def test_syrk_upper_adds_the_gram_matrix_of_each_block_to_the_upper_triangle():
    rng = np.random.default_rng(1)
    rows = [rng.normal(size=(k, 40)) for k in (7, 1, 30)]
    gram = np.zeros((40, 40), order="F")
    for block in rows:
        syrk_upper(gram, block)
    stacked = np.vstack(rows)
    expected = stacked.T @ stacked
    upper = np.triu_indices(40)
    np.testing.assert_allclose(gram[upper], expected[upper], rtol=1e-12, atol=1e-12)
    assert np.all(gram[np.tril_indices(40, -1)] == 0)  # the lower triangle is left alone


def test_syrk_upper_takes_an_empty_block():
    gram = np.ones((3, 3), order="F")
    syrk_upper(gram, np.zeros((0, 3)))
    assert np.all(gram == 1)


def test_spd_inverse_upper_gives_the_upper_triangle_of_the_inverse():
    matrix = _spd(60)
    work = np.asfortranarray(np.triu(matrix))  # only the upper triangle is read
    spd_inverse_upper(work)
    upper = np.triu_indices(60)
    np.testing.assert_allclose(work[upper], np.linalg.inv(matrix)[upper], rtol=1e-9, atol=1e-12)


def test_a_matrix_that_is_not_positive_definite_raises_linalgerror():
    matrix = np.asfortranarray(-np.eye(4))
    with pytest.raises(np.linalg.LinAlgError, match="Cholesky"):
        spd_inverse_upper(matrix)


@pytest.mark.parametrize(
    "matrix",
    [np.eye(3), np.eye(3, dtype=np.float32, order="F"), np.zeros((3, 4), order="F")],
    ids=["C order", "float32", "not square"],
)
def test_layouts_lapack_cannot_read_are_refused(matrix):
    with pytest.raises(ValueError, match="square float64 matrix in Fortran order"):
        spd_inverse_upper(matrix)


def test_a_block_with_other_items_is_refused():
    with pytest.raises(ValueError, match="items"):
        syrk_upper(np.zeros((3, 3), order="F"), np.ones((2, 4)))


def test_eases_gram_matrix_stays_well_under_two_gib():
    """OpenBLAS crashed in threaded calls on float64 matrices of ~2 GiB (recommender/ranking/
    ease.py): the item cap keeps the Gram matrix at half of that."""
    from recommender.ranking.ease import EASE, MAX_ITEMS, MEMORY_BUDGET

    limit = MAX_ITEMS
    assert limit**2 * 4 <= MEMORY_BUDGET  # B, float32
    assert limit**2 * 8 <= 2**30  # the Gram matrix, float64
    counts = np.arange(1, 20_001)  # 20,000 movies with 1 … 20,000 ratings
    columns = EASE(min_count=1)._columns(counts)
    assert columns is not None and columns.size == limit
    assert counts[columns].min() == 20_000 - limit + 1  # the most rated ones
