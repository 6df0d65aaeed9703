"""The :class:`MovieLens` dataset type, its error type and the facts every reader shares."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["CITATION", "NO_GENRES", "RATING_MAX", "RATING_MIN", "DataError", "MovieLens"]

RATING_MIN, RATING_MAX = 0.5, 5.0
NO_GENRES = "(no genres listed)"

CITATION = (
    "F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
    "ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4: 19:1–19:19. "
    "https://doi.org/10.1145/2827872"
)


class DataError(Exception):
    """The dataset is missing, unreadable or malformed; the message says where and why."""


@dataclass(frozen=True)
class MovieLens:
    """One MovieLens dataset as four tidy DataFrames.

    The frames may be shared between sessions (``st.cache_resource``): treat them as read-only.
    """

    name: str
    ratings: pd.DataFrame
    movies: pd.DataFrame
    tags: pd.DataFrame
    links: pd.DataFrame
    source: str = ""

    @property
    def key(self) -> str:
        """Identifies this dataset in caches: name, where it was read from, and size."""
        return f"{self.name}@{self.source}#{self.n_ratings}"

    @property
    def n_users(self) -> int:
        return int(self.ratings["userId"].nunique())

    @property
    def n_movies(self) -> int:
        return len(self.movies)

    @property
    def n_rated_movies(self) -> int:
        return int(self.ratings["movieId"].nunique())

    @property
    def n_ratings(self) -> int:
        return len(self.ratings)

    @property
    def n_tags(self) -> int:
        return len(self.tags)

    @property
    def sparsity(self) -> float:
        """Share of the user × rated-movie matrix with no rating (0..1)."""
        cells = self.n_users * self.n_rated_movies
        return 1.0 - self.n_ratings / cells if cells else 1.0
