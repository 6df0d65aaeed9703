"""Which movies a view keeps: one filter type for Explore and Recommend, and its URL codec.

A view of the data is narrowed by three filters:

* ``genres``: keep movies with **any** of these genres (empty: all genres; a movie without genres
  counts as "(no genres listed)");
* ``years``: keep movies released in this inclusive year range (``None``: every movie, including
  the few whose title has no year);
* ``min_ratings``: keep movies with at least this many ratings in the whole dataset.

They live in the URL (``?genres=Comedy,Drama&years=1990-1999&min_ratings=10``) so a view can be
shared. Parsing never raises: unknown genres are dropped, out-of-range numbers are clamped and
unreadable values ignored, each with a warning that names the parameter and the problem (plain
text: callers must show it as text, never as markup).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.data.movielens import NO_GENRES, MovieLens
from recommender.data.tally import counts_by_id, dense_codes

__all__ = [
    "QUERY_KEYS",
    "FilterBounds",
    "MovieFilters",
    "apply_filters",
    "filter_bounds",
    "make_filters",
    "parse_query_params",
    "ratings_per_movie",
    "to_query_params",
]

GENRES_PARAM, YEARS_PARAM, MIN_RATINGS_PARAM = "genres", "years", "min_ratings"
QUERY_KEYS: tuple[str, ...] = (GENRES_PARAM, YEARS_PARAM, MIN_RATINGS_PARAM)

_YEAR_RANGE = re.compile(r"^\s*(-?\d{1,6})\s*(?:[-–:]|\.\.)\s*(-?\d{1,6})\s*$")
_ONE_YEAR = re.compile(r"^\s*(-?\d{1,6})\s*$")


@dataclass(frozen=True)
class FilterBounds:
    """What the filters can take on one dataset: its genres, release years and rating counts."""

    genres: tuple[str, ...]
    first_year: int
    last_year: int
    max_min_ratings: int

    def clamp_year(self, year: int) -> int:
        return min(max(year, self.first_year), self.last_year)


@dataclass(frozen=True)
class MovieFilters:
    """One view of the data; the default (no arguments) is the whole dataset."""

    genres: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    min_ratings: int = 0

    @property
    def is_default(self) -> bool:
        return self == MovieFilters()

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[int, int] | None, int]:
        """A plain hashable tuple (for caches)."""
        return (self.genres, self.years, self.min_ratings)

    def describe(self) -> str:
        """One line for captions: "Comedy or Drama · released 1990–1999 · ≥ 10 ratings"."""
        parts = []
        if self.genres:
            parts.append(" or ".join(self.genres))
        if self.years is not None:
            parts.append(f"released {self.years[0]}–{self.years[1]}")
        if self.min_ratings:
            parts.append(f"≥ {self.min_ratings:,} ratings per movie")
        return " · ".join(parts) if parts else "all movies"

    def mask(self, movies: pd.DataFrame, n_ratings: np.ndarray) -> np.ndarray:
        """Boolean mask over the rows of ``movies`` (with ``genres`` lists and ``year``);
        ``n_ratings`` is each row's number of ratings in the whole dataset."""
        keep = np.ones(len(movies), dtype=bool)
        if self.genres:
            wanted = set(self.genres)
            keep &= np.fromiter(
                (not wanted.isdisjoint(gs or (NO_GENRES,)) for gs in movies["genres"]),
                bool,
                len(movies),
            )
        if self.years is not None:
            lo, hi = self.years
            in_range = movies["year"].ge(lo) & movies["year"].le(hi)
            keep &= in_range.fillna(False).to_numpy(dtype=bool)
        if self.min_ratings > 0:
            keep &= np.asarray(n_ratings) >= self.min_ratings
        return keep


def make_filters(
    bounds: FilterBounds,
    genres: Sequence[str] = (),
    years: tuple[int, int] | None = None,
    min_ratings: int = 0,
) -> MovieFilters:
    """Normalised filters: genres in the dataset's order, a full year range stored as ``None``."""
    wanted = set(genres)
    ordered = tuple(g for g in bounds.genres if g in wanted)
    if years is not None:
        lo, hi = sorted((bounds.clamp_year(int(years[0])), bounds.clamp_year(int(years[1]))))
        years = None if (lo, hi) == (bounds.first_year, bounds.last_year) else (lo, hi)
    min_ratings = min(max(int(min_ratings), 0), bounds.max_min_ratings)
    return MovieFilters(ordered, years, min_ratings)


def _last(value: str | Sequence[str] | None) -> str:
    """The value of a query parameter given once or repeated (the last one wins)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value[-1]) if len(value) else ""


def _all_values(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def parse_query_params(
    params: Mapping[str, str | Sequence[str]], bounds: FilterBounds
) -> tuple[MovieFilters, list[str]]:
    """Filters from URL query parameters, plus a warning for every value that was ignored or fixed."""
    warnings: list[str] = []

    known = {g.casefold(): g for g in bounds.genres}
    genres: list[str] = []
    unknown: list[str] = []
    for raw in _all_values(params.get(GENRES_PARAM)):
        for name in raw.split(","):
            name = name.strip()
            if not name:
                continue
            if name.casefold() in known:
                genres.append(known[name.casefold()])
            else:
                unknown.append(name)
    if unknown:
        warnings.append(
            f"Ignored unknown genre(s) in the URL: {', '.join(repr(u) for u in unknown)}."
        )

    years: tuple[int, int] | None = None
    raw_years = _last(params.get(YEARS_PARAM)).strip()
    if raw_years:
        match = _YEAR_RANGE.match(raw_years) or _ONE_YEAR.match(raw_years)
        if match is None:
            warnings.append(
                f"Ignored years={raw_years!r} in the URL: expected a range like 1990-1999."
            )
        else:
            lo = int(match.group(1))
            hi = int(match.group(match.lastindex or 1))
            if lo > hi:
                lo, hi = hi, lo
            clamped = (bounds.clamp_year(lo), bounds.clamp_year(hi))
            if clamped != (lo, hi):
                warnings.append(
                    f"years={raw_years!r} in the URL is outside the data's "
                    f"{bounds.first_year}–{bounds.last_year}; using {clamped[0]}–{clamped[1]}."
                )
            years = clamped

    min_ratings = 0
    raw_min = _last(params.get(MIN_RATINGS_PARAM)).strip()
    if raw_min:
        try:
            value = int(raw_min)
        except ValueError:
            warnings.append(f"Ignored min_ratings={raw_min!r} in the URL: expected a whole number.")
        else:
            min_ratings = min(max(value, 0), bounds.max_min_ratings)
            if min_ratings != value:
                warnings.append(
                    f"min_ratings={raw_min!r} in the URL is outside 0–{bounds.max_min_ratings:,}; "
                    f"using {min_ratings:,}."
                )

    return make_filters(bounds, genres, years, min_ratings), warnings


def to_query_params(filters: MovieFilters) -> dict[str, str]:
    """URL query parameters for ``filters``; parameters at their default are left out."""
    params: dict[str, str] = {}
    if filters.genres:
        params[GENRES_PARAM] = ",".join(filters.genres)
    if filters.years is not None:
        params[YEARS_PARAM] = f"{filters.years[0]}-{filters.years[1]}"
    if filters.min_ratings:
        params[MIN_RATINGS_PARAM] = str(filters.min_ratings)
    return params


# --------------------------------------------------------------------------------------------
# Applying filters to a dataset


def ratings_per_movie(ml: MovieLens) -> np.ndarray:
    """Number of ratings of every row of ``ml.movies`` (0 for unrated), counted by id."""
    ids, counts, _ = counts_by_id(ml.ratings["movieId"].to_numpy())
    position = dense_codes(ml.movies["movieId"].to_numpy(), ids)
    return np.where(position >= 0, counts[position], 0).astype(np.int64)


def filter_bounds(ml: MovieLens) -> FilterBounds:
    """The genres, release years and largest per-movie rating count of ``ml`` (for the widgets)."""
    genres = {g for gs in ml.movies["genres"] for g in gs}
    ordered = sorted(genres)
    if (ml.movies["genres"].map(len) == 0).any():
        ordered.append(NO_GENRES)
    years = ml.movies["year"].dropna()
    first, last = (int(years.min()), int(years.max())) if len(years) else (1900, 2100)
    counts = ml.ratings["movieId"].value_counts()
    return FilterBounds(
        genres=tuple(ordered),
        first_year=first,
        last_year=last,
        max_min_ratings=int(counts.max()) if len(counts) else 0,
    )


def apply_filters(ml: MovieLens, filters: MovieFilters) -> MovieLens:
    """The part of ``ml`` the filters keep: their movies, and the ratings, tags and links of those
    movies. Rating counts for ``min_ratings`` are taken over the whole dataset. The input is not
    modified; with default filters it is returned as is."""
    if filters.is_default:
        return ml
    keep = filters.mask(ml.movies, ratings_per_movie(ml))
    kept = ml.movies["movieId"].to_numpy()[keep]

    kept = np.sort(kept)

    def only_kept(frame: pd.DataFrame) -> pd.DataFrame:
        rows = np.flatnonzero(dense_codes(frame["movieId"].to_numpy(), kept) >= 0)
        return frame.take(rows).reset_index(drop=True)  # take: 3× faster than a boolean mask

    return dataclasses.replace(
        ml,
        movies=ml.movies[keep].reset_index(drop=True),
        ratings=only_kept(ml.ratings),
        tags=only_kept(ml.tags),
        links=only_kept(ml.links),
    )
