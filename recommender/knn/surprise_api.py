"""What code written for scikit-surprise's k-NN algorithms reads on a fitted model, served from the
engine's compact fitted state (:class:`recommender.knn.layout.FittedLayout`).

Surprise's ``SymmetricAlgo`` and its subclasses keep, after ``fit``: ``n_x``, ``n_y``, ``xr``,
``yr`` (``trainset.ur`` / ``trainset.ir``, dicts of ``[(inner id, rating), ...]`` lists), ``means``,
``sigmas``, ``overall_sigma``, ``bx``, ``by`` and the dense similarity matrix ``sim``, and offer
``switch`` and ``get_neighbors``. :class:`SurpriseAPI` gives all of them with Surprise's values
(x are users when user-based, else items), as read-only properties computed from the fitted
arrays: nothing is added to a model after ``fit``, so a shared fitted model is never mutated.

* ``xr`` / ``yr`` are :class:`RatingLists` views: each list is built when it is read, never
  stored (a list of tuples takes about 7 times the memory of the two arrays it comes from).
* ``get_neighbors`` needs one similarity row, computed alone (never the whole matrix).
* ``sim`` is the whole n_x-by-n_x matrix: see :meth:`SurpriseAPI.sim` for when it is built and
  how it is kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from recommender.knn import _kernels as kern
from recommender.knn.scoring import sim_block

__all__ = ["RatingLists", "SimSlot", "SurpriseAPI"]

log = logging.getLogger(__name__)


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class RatingLists(Mapping):
    """Surprise's ``ur`` / ``ir`` layout, ``{x: [(y, rating), ...]}`` (inner ids, Surprise's list
    order, a repeated rating listed each time), as a read-only mapping over a CSR layout: a list
    is built from the arrays each time it is read. An id outside ``range(len(self))`` is a
    ``KeyError`` (Surprise's ``defaultdict`` would insert an empty list)."""

    __slots__ = ("_csr",)

    def __init__(self, csr: kern.CSR) -> None:
        self._csr = csr

    def __getitem__(self, x: Any) -> list[tuple[int, float]]:
        ptr = self._csr.ptr
        if not isinstance(x, int | np.integer) or not 0 <= x < ptr.size - 1:
            raise KeyError(x)
        a, b = ptr[x], ptr[x + 1]
        return list(zip(self._csr.idx[a:b].tolist(), self._csr.val[a:b].tolist(), strict=True))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self)))

    def __len__(self) -> int:
        return int(self._csr.ptr.size - 1)

    def __repr__(self) -> str:
        return f"RatingLists({len(self)} lists, {self._csr.idx.size} ratings)"


class SimSlot:
    """Where a fitted model keeps the dense matrix :attr:`SurpriseAPI.sim` builds on first
    access: created empty by ``fit`` (so no attribute is ever added after it), filled once under
    its lock (simultaneous first reads build it once). Pickled or copied empty: the matrix is
    rebuilt on demand rather than saved."""

    __slots__ = ("_lock", "matrix")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.matrix: np.ndarray | None = None

    def get(self, build: Callable[[], np.ndarray]) -> np.ndarray:
        """The matrix, built by ``build()`` the first time."""
        with self._lock:
            if self.matrix is None:
                self.matrix = build()
            return self.matrix

    def __reduce__(self) -> tuple:
        return (SimSlot, ())


class SurpriseAPI:
    """Surprise's fitted attributes and neighbour methods for a :class:`~.base.SymmetricKNN`."""

    layout_: Any
    _sim_slot: SimSlot
    sim_options: dict[str, Any]
    bu: np.ndarray | None
    bi: np.ndarray | None

    def switch(self, u_stuff: Any, i_stuff: Any) -> tuple[Any, Any]:
        """``(x_stuff, y_stuff)``: ``(u, i)`` stuff if user-based, else ``(i, u)`` (Surprise's)."""
        return (u_stuff, i_stuff) if self.sim_options["user_based"] else (i_stuff, u_stuff)

    @property
    def n_x(self) -> int:
        """Number of x's: users if user-based, else items."""
        return self.layout_.n_x

    @property
    def n_y(self) -> int:
        """Number of y's: items if user-based, else users."""
        return self.layout_.n_y

    @property
    def xr(self) -> RatingLists:
        """``{x: [(y, r), ...]}``: Surprise's ``trainset.ur`` if user-based, else ``ir``."""
        lay = self.layout_
        return RatingLists(lay.ur if lay.user_based else lay.ir)

    @property
    def yr(self) -> RatingLists:
        """``{y: [(x, r), ...]}``: Surprise's ``trainset.ir`` if user-based, else ``ur``."""
        lay = self.layout_
        return RatingLists(lay.ir if lay.user_based else lay.ur)

    @property
    def means(self) -> np.ndarray:
        """Mean rating of every x (read-only)."""
        return _read_only(self.layout_.centers.means)

    @property
    def sigmas(self) -> np.ndarray:
        """Standard deviation of every x's ratings, a 0 replaced by ``overall_sigma`` (read-only)."""
        return _read_only(self.layout_.centers.sigmas)

    @property
    def overall_sigma(self) -> float:
        """Standard deviation of all the training ratings."""
        return self.layout_.overall_sigma

    @property
    def bx(self) -> np.ndarray | None:
        """Baselines of the x's (``bu`` if user-based, else ``bi``); None without baselines."""
        return self.switch(self.bu, self.bi)[0]

    @property
    def by(self) -> np.ndarray | None:
        """Baselines of the y's (``bi`` if user-based, else ``bu``); None without baselines."""
        return self.switch(self.bu, self.bi)[1]

    def get_neighbors(self, iid: int, k: int) -> list[int]:
        """The ``k`` nearest neighbours of the x of inner id ``iid`` (a user if user-based, else an
        item), as Surprise's ``AlgoBase.get_neighbors``: the others by decreasing similarity,
        ties to the smaller inner id (``heapq.nlargest``), from one similarity row."""
        n = self.n_x
        if not isinstance(iid, int | np.integer) or not 0 <= iid < n:
            raise IndexError(f"inner id {iid!r} is not in [0, {n})")
        row = sim_block(self, np.array([iid], np.int64), np.arange(n, dtype=np.int64))[0]
        others = np.flatnonzero(np.arange(n) != iid)
        ranked = others[np.lexsort((others, -row[others]))]
        return ranked[: max(0, int(k))].tolist()

    @property
    def sim(self) -> np.ndarray:
        """The dense n_x-by-n_x similarity matrix, Surprise's values (diagonal 1), read-only.

        A model whose matrix fits ``memory_budget`` holds it already: returned as is. Otherwise it
        is built on first access, with a logged warning giving its size, from the co-rating
        statistics (``save_nbrs`` mode: the kept neighbours only, 0 elsewhere).

        Kept, not recomputed: Surprise code reads it element by element (``sim[x, x2]`` in a loop),
        and rebuilding O(n_x²) values per read would make that hopeless. Kept in the model's
        private :class:`SimSlot`, which ``fit`` creates empty: no attribute is set after ``fit``
        and the fitted arrays never change, so a model shared by sessions or threads is not
        mutated in any way a reader could see; the slot's lock makes simultaneous first reads
        build it once; a refit starts a new slot; the matrix is freed with the model and is not
        pickled. The array is read-only, so no reader can change what another sees.
        """
        lay = self.layout_
        if lay.neighbourhood.source == kern.SRC_DENSE:
            return _read_only(lay.neighbourhood.dense)
        return self._sim_slot.get(self._dense_similarities)

    def _dense_similarities(self) -> np.ndarray:
        n = self.n_x
        log.warning(
            "%s.sim: building the dense %d x %d similarity matrix (%.1f MB), kept while the model "
            "lives; get_neighbors() and similarity_block() need no dense matrix",
            type(self).__name__, n, n, n * n * 8 / 2**20,
        )  # fmt: skip
        everyone = np.arange(n, dtype=np.int64)
        return _read_only(sim_block(self, everyone, everyone))
