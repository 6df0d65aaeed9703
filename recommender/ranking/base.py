"""What every top-N ranker is: fitted once on a users × items matrix of ratings, it scores users
given **only their history rows**, so one function serves a batch of evaluation users and a single
visitor folded in (a 1-row matrix): there is no separate fold-in path.

The matrices are ``scipy.sparse.csr_matrix`` of float32 star ratings (0 = not rated) whose columns
are the fitted items. Scores are higher-is-better numbers with no unit; only their order matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

__all__ = [
    "INPUTS",
    "Param",
    "Ranker",
    "RankerSpec",
    "Weighting",
    "as_history",
    "expand",
    "row_contributions",
]


class Ranker(Protocol):
    """A fitted top-N model (see the module docstring)."""

    def fit(self, matrix: sp.csr_matrix) -> Ranker:
        """Learn from the users × items training ratings."""
        ...

    def score(self, histories: sp.csr_matrix) -> np.ndarray:
        """(rows × items) scores of every item for each history row."""
        ...

    def contributions(self, history: sp.csr_matrix, item: int) -> dict[int, float]:
        """For a 1-row ``history``: each rated item (column) -> its part of ``item``'s score, the
        material of "because you liked …" (empty for models with no such decomposition)."""
        ...


@dataclass(frozen=True)
class Param:
    """One hyper-parameter: its name, the letter code in model keys, default, help text."""

    name: str
    code: str
    default: Any
    help: str = ""
    choices: tuple = ()

    def parse(self, text: str) -> Any:
        """The value written in a key, as the default's type (ValueError if it is not one)."""
        kind = type(self.default)
        value = kind(text) if kind is not bool else text in ("1", "true", "True")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(map(str, self.choices))}")
        if kind in (int, float) and not value >= 0:  # no setting is negative (and keys use "-")
            raise ValueError(f"{self.name} must be zero or more, got {text}")
        return value


@dataclass(frozen=True)
class RankerSpec:
    """A ranking algorithm as the model registry knows it."""

    algorithm: str  # e.g. "EASE"
    short: str  # key prefix, e.g. "ease"
    family: str  # popularity, neighbourhood, linear, factorisation
    params: tuple[Param, ...] = ()
    description: str = ""
    factory: Any = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


def as_history(ratings: dict[int, float], n_items: int) -> sp.csr_matrix:
    """A 1-row history matrix from ``{inner item: stars}`` (unknown items must be dropped)."""
    items = np.fromiter(ratings, np.int64, len(ratings))
    values = np.fromiter(ratings.values(), np.float32, len(ratings))
    order = np.argsort(items)
    indptr = np.array([0, items.size])
    return sp.csr_matrix((values[order], items[order], indptr), shape=(1, n_items))


@dataclass(frozen=True)
class Weighting:
    """How much a rating counts as a model input, by band: ``low`` (< 3★), ``mid`` (3–3.5★),
    ``liked`` (4★) and ``loved`` (4.5–5★). A weight of 0 removes the rating from the input."""

    low: float = 1.0
    mid: float = 1.0
    liked: float = 1.0
    loved: float = 1.0

    def apply(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """The matrix with every star rating replaced by its weight (zeros removed)."""
        out = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
        stars = out.data
        out.data = np.select(
            [stars >= 4.5, stars >= 4.0, stars >= 3.0], [self.loved, self.liked, self.mid], self.low
        ).astype(np.float32)
        out.eliminate_zeros()
        return out


INPUTS: dict[str, Weighting] = {
    "binary": Weighting(),  # watched = 1, whatever the stars
    "liked": Weighting(low=0.0, mid=0.5),  # dislikes dropped, lukewarm half, 4★+ full
    "loved": Weighting(low=0.0, mid=0.5, loved=1.5),  # as liked, 4.5–5★ count 1.5
    "positive": Weighting(low=0.0, mid=0.0),  # only 4★ and more
}
"""Named input weightings: the ``input`` hyper-parameter of the rankers. Relevance is a rating of
4★ or more, so weightings that use how much a film was liked beat the binary matrix
(benchmarks/ranking.py measures both)."""


def expand(scores: np.ndarray, columns: np.ndarray | None, n_items: int) -> np.ndarray:
    """Scores over a column subset -> every item, NaN for items the model does not cover."""
    if columns is None:
        return scores
    full = np.full((scores.shape[0], n_items), np.nan, dtype=np.float32)
    full[:, columns] = scores
    return full


def row_contributions(weighted: sp.csr_matrix, weights: Any, item: int) -> dict[int, float]:
    """For a 1-row weighted history: history column -> value × weights[column, item]."""
    row = weighted.getrow(0)
    column = weights[:, [item]]
    column = column.toarray().ravel() if sp.issparse(column) else np.asarray(column).ravel()
    return {int(j): float(v * column[j]) for j, v in zip(row.indices, row.data, strict=True)}
