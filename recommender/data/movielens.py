"""The :class:`MovieLens` dataset type, its error type and the facts every reader shares."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from recommender.data.tally import count_distinct

__all__ = [
    "CITATION",
    "NO_GENRES",
    "RATING_MAX",
    "RATING_MIN",
    "UPLOAD_SOURCE",
    "DataError",
    "MovieLens",
]

RATING_MIN, RATING_MAX = 0.5, 5.0
NO_GENRES = "(no genres listed)"
UPLOAD_SOURCE = "upload:"  # how a visitor's own dataset's ``source`` starts

CITATION = (
    "F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
    "ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4: 19:1–19:19. "
    "https://doi.org/10.1145/2827872"
)


class DataError(Exception):
    """The dataset is missing, unreadable or malformed; the message says where and why."""


@dataclass(frozen=True)
class MovieLens:
    """One MovieLens dataset as four tidy DataFrames, and what a page needs to know about it.

    The frames may be shared between sessions (``st.cache_resource``): treat them as read-only.

    ``rating_scale`` and ``rating_step`` come from the catalogue for a GroupLens dataset (ml-100k
    and ml-1m: whole stars 1–5) or are inferred from the ratings for any other.
    ``movie_ids_are_movielens`` is False where movieIds are not movielens.org ids (ml-100k's item
    ids; uploads), so no movielens.org link may be built from them. ``warnings`` are problems found
    while loading that did not stop it (a copy that differs from the published files, missing or
    off-scale ratings, an unverified download): the app shows them. ``fingerprint`` identifies the
    exact source files (empty when unknown).
    """

    name: str
    ratings: pd.DataFrame
    movies: pd.DataFrame
    tags: pd.DataFrame
    links: pd.DataFrame
    source: str = ""
    rating_scale: tuple[float, float] = (RATING_MIN, RATING_MAX)
    rating_step: float = 0.5
    has_tags: bool = True
    movie_ids_are_movielens: bool = True
    warnings: tuple[str, ...] = ()
    fingerprint: str = ""

    @property
    def key(self) -> str:
        """Identifies this dataset in caches: name, where it was read from, size and, when known,
        the fingerprint of its files (a changed copy at the same place gets a new key)."""
        key = f"{self.name}@{self.source}#{self.n_ratings}"
        return f"{key}~{self.fingerprint}" if self.fingerprint else key

    @property
    def is_upload(self) -> bool:
        """A visitor's own dataset (:func:`recommender.data.read_upload`): it belongs to one
        session and is never kept in anything shared."""
        return self.source.startswith(UPLOAD_SOURCE)

    @property
    def rating_values(self) -> tuple[float, ...]:
        """Every rating a visitor may give on this dataset's scale (0.5, 1.0 … 5.0; or 1 … 5 for
        ml-100k and ml-1m); half steps across a continuous scale (``rating_step`` 0)."""
        low, high = self.rating_scale
        step = self.rating_step if self.rating_step > 0 else 0.5
        count = int(round((high - low) / step)) + 1
        return tuple(round(low + i * step, 6) for i in range(count))

    @property
    def n_users(self) -> int:
        return count_distinct(self.ratings["userId"].to_numpy())

    @property
    def n_movies(self) -> int:
        return len(self.movies)

    @property
    def n_rated_movies(self) -> int:
        return count_distinct(self.ratings["movieId"].to_numpy())

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
