"""The two dense kernels of EASE's fit, called without holding Python's GIL.

SciPy's ``scipy.linalg.blas``/``lapack`` wrappers keep the GIL for the whole call: fitting EASE in
the app's background thread then froze every visitor's page for the seconds the inversion took
(measured: a pure-Python thread got 15 % of its throughput during ``dpotrf``/``dpotri``, 0 % during
``dsyrk``). The same Fortran routines, taken from ``scipy.linalg.cython_blas``/``cython_lapack`` and
called through :mod:`ctypes` (which releases the GIL around a foreign call), compute the same
result while other threads run (the same probe: 100 %).

Only what EASE needs: a rank-k update of the upper triangle and the inverse of a symmetric
positive-definite matrix from its upper triangle. Matrices are float64 in Fortran order
(a C-order symmetric matrix is the same bytes), and sizes fit LAPACK's 32-bit integers.
"""

from __future__ import annotations

import ctypes
from functools import cache

import numpy as np
import scipy.linalg.cython_blas
import scipy.linalg.cython_lapack

__all__ = ["spd_inverse_upper", "syrk_upper"]

_INT = ctypes.POINTER(ctypes.c_int)
_DOUBLE = ctypes.POINTER(ctypes.c_double)
_CHAR = ctypes.c_char_p
_PTR = ctypes.c_void_p
_SIGNATURES = {
    # dsyrk(uplo, trans, n, k, alpha, a, lda, beta, c, ldc)
    "dsyrk": (_CHAR, _CHAR, _INT, _INT, _DOUBLE, _PTR, _INT, _DOUBLE, _PTR, _INT),
    # dpotrf / dpotri(uplo, n, a, lda, info)
    "dpotrf": (_CHAR, _INT, _PTR, _INT, _INT),
    "dpotri": (_CHAR, _INT, _PTR, _INT, _INT),
}


@cache
def _routine(name: str):
    """The Fortran routine ``name`` from SciPy's Cython BLAS/LAPACK table, as a ctypes function
    (a ``CFUNCTYPE`` call releases the GIL)."""
    module = scipy.linalg.cython_blas if name == "dsyrk" else scipy.linalg.cython_lapack
    capsule = module.__pyx_capi__[name]
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    address = get_pointer(capsule, get_name(capsule))
    return ctypes.CFUNCTYPE(None, *_SIGNATURES[name])(address)


def _square_fortran(matrix: np.ndarray) -> int:
    n = matrix.shape[0]
    if matrix.shape != (n, n) or matrix.dtype != np.float64 or not matrix.flags.f_contiguous:
        raise ValueError("expected a square float64 matrix in Fortran order")
    if n >= 2**31:
        raise ValueError("matrix too large for 32-bit LAPACK")
    return n


def _int(value: int) -> ctypes.c_int:
    return ctypes.c_int(value)


def syrk_upper(gram: np.ndarray, rows: np.ndarray) -> None:
    """``gram += rowsᵀ rows`` on the upper triangle, in place. ``rows`` is a C-order float64
    (users × items) block: the same bytes as the Fortran-order items × users matrix BLAS reads."""
    n = _square_fortran(gram)
    rows = np.ascontiguousarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != n:
        raise ValueError("rows must be a (users × items) block with the Gram matrix's items")
    if rows.shape[0] == 0:
        return
    one = ctypes.c_double(1.0)
    size, depth = _int(n), _int(rows.shape[0])
    _routine("dsyrk")(b"U", b"N", ctypes.byref(size), ctypes.byref(depth), ctypes.byref(one),
                      rows.ctypes.data, ctypes.byref(size), ctypes.byref(one), gram.ctypes.data,
                      ctypes.byref(size))  # fmt: skip


def spd_inverse_upper(matrix: np.ndarray) -> None:
    """Replace the upper triangle of a symmetric positive-definite matrix (read from its upper
    triangle) by that of its inverse, in place (Cholesky ``dpotrf``, then ``dpotri``). The lower
    triangle is left as it was. Raises :class:`numpy.linalg.LinAlgError` if it is not positive
    definite."""
    n = _square_fortran(matrix)
    size, info = _int(n), _int(0)
    for step in ("dpotrf", "dpotri"):
        _routine(step)(b"U", ctypes.byref(size), matrix.ctypes.data, ctypes.byref(size),
                       ctypes.byref(info))  # fmt: skip
        if info.value != 0:
            what = "Cholesky factorisation" if step == "dpotrf" else "inversion"
            raise np.linalg.LinAlgError(f"{what} failed (info={info.value})")
