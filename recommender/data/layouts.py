"""Readers of the GroupLens layouts, and :func:`read_dataset`, which picks the right one.

The ml-latest-style CSVs (ml-latest-small, ml-20m, ml-25m, ml-32m) are read here; the classic
``u.data`` (ml-100k) and ``.dat`` (ml-1m, ml-10m) layouts in :mod:`~.classic`. Each reader turns
one layout into the same frames (int32 ids, float32 ratings, UTC timestamps, parsed years, genre
lists, title search keys); :func:`~.integrity.identify` then says what the dataset is (its rating
scale, whether it matches the published files) and what looked wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.data.classic import read_100k, read_dat
from recommender.data.files import DatasetFiles
from recommender.data.frames import (
    empty_links,
    empty_tags,
    imdb_urls_from_links,
    links_frame,
    movies_frame,
    placeholder_title,
    ratings_frame,
    tags_frame,
)
from recommender.data.integrity import identify
from recommender.data.movielens import DataError, MovieLens
from recommender.data.parsing import (
    as_float,
    as_int32,
    as_link_ids,
    as_utc,
    read_csv_fast,
    read_headed_csv,
)

__all__ = ["read_csv_layout", "read_dataset", "read_files"]


def _table(
    src: DatasetFiles, filename: str, columns: dict[str, str], required: list[str]
) -> tuple[pd.DataFrame, str]:
    """The file's columns: pyarrow's fast path, or pandas with located errors when it declines."""
    where = src.describe(filename)
    path = src.path_of(filename)
    fast = read_csv_fast(path if path is not None else src.read_bytes(filename), columns)
    if fast is not None and len(fast):
        return fast, where
    strings = {name: str for name, kind in columns.items() if kind == "str"}
    return read_headed_csv(src.read_bytes(filename), where, required, strings), where


def _ratings(src: DatasetFiles, custom: bool) -> pd.DataFrame:
    columns = {"userId": "int32", "movieId": "int32", "rating": "float32", "timestamp": "int64"}
    required = ["userId", "movieId", "rating"] + ([] if custom else ["timestamp"])
    raw, where = _table(src, "ratings.csv", columns, required)
    if "timestamp" in raw.columns:
        stamps = as_utc(raw, "timestamp", where)
    else:  # a custom dataset may leave the time out
        stamps = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    return ratings_frame(
        as_int32(raw, "userId", where), as_int32(raw, "movieId", where),
        as_float(raw, "rating", where), stamps,
    )  # fmt: skip


def _movies(src: DatasetFiles) -> pd.DataFrame:
    columns = {"movieId": "int32", "title": "str", "genres": "str"}
    raw, where = _table(src, "movies.csv", columns, list(columns))
    if raw.empty:
        raise DataError(
            f"{where}: the file has a header but no movies. Add the movies, or (for your own "
            'dataset) leave movies.csv out and titles will read "Movie 123".'
        )
    return movies_frame(as_int32(raw, "movieId", where), raw["title"], raw["genres"])


def _tags(src: DatasetFiles) -> pd.DataFrame:
    if not src.has("tags.csv"):
        return empty_tags()
    columns = {"userId": "int32", "movieId": "int32", "tag": "str", "timestamp": "int64"}
    raw, where = _table(src, "tags.csv", columns, list(columns))
    return tags_frame(
        as_int32(raw, "userId", where), as_int32(raw, "movieId", where),
        raw["tag"], as_utc(raw, "timestamp", where),
    )  # fmt: skip


def _links(src: DatasetFiles) -> pd.DataFrame:
    if not src.has("links.csv"):
        return empty_links()
    columns = {"movieId": "int32", "imdbId": "str", "tmdbId": "str"}
    raw, where = _table(src, "links.csv", columns, list(columns))
    return links_frame(
        as_int32(raw, "movieId", where),
        as_link_ids(raw, "imdbId", where, imdb=True),
        as_link_ids(raw, "tmdbId", where, imdb=False),
    )


def _placeholder_movies(ratings: pd.DataFrame) -> pd.DataFrame:
    ids = np.unique(ratings["movieId"].to_numpy())
    titles = pd.Series([placeholder_title(i) for i in ids], dtype=str)
    return movies_frame(ids, titles, pd.Series([""] * len(ids), dtype=object))


def read_csv_layout(src: DatasetFiles, *, custom: bool = False) -> MovieLens:
    """ratings/movies/tags/links.csv. ``custom`` (a visitor's own data): timestamps and movies.csv
    are optional; movies rated but not named get the title "Movie 123" (reported in warnings)."""
    ratings = _ratings(src, custom)
    warnings: tuple[str, ...] = ()
    if custom and not src.has("movies.csv"):
        movies = _placeholder_movies(ratings)
        warnings = (
            'There is no movies.csv: every title reads "Movie 123" and no genres are known.',
        )
    else:
        movies = _movies(src)
    if custom:
        unnamed = np.setdiff1d(ratings["movieId"].to_numpy(), movies["movieId"].to_numpy())
        if len(unnamed) and src.has("movies.csv"):
            extra = _placeholder_movies(ratings[ratings["movieId"].isin(unnamed)])
            movies = pd.concat([movies, extra], ignore_index=True)
            warnings += (
                f"{len(unnamed):,} rated movies are missing from movies.csv (e.g. movieId "
                f'{int(unnamed[0])}): they are titled "{placeholder_title(unnamed[0])}".',
            )
    links = _links(src)
    movies = imdb_urls_from_links(movies, links)
    return MovieLens(
        src.name, ratings, movies, _tags(src), links,
        source=str(src.location), has_tags=src.has("tags.csv"), warnings=warnings,
    )  # fmt: skip


def read_files(src: DatasetFiles, *, custom: bool = False) -> MovieLens:
    """Read an opened dataset in whichever layout its files show, then :func:`identify` it."""
    if src.has("ratings.csv") or src.has("movies.csv"):
        ml = read_csv_layout(src, custom=custom)
    elif src.has("u.data"):
        ml = read_100k(src)
    elif src.has("ratings.dat"):
        ml = read_dat(src)
    else:
        raise DataError(
            f"{src.location}: no MovieLens files found (expected ratings.csv and movies.csv, "
            "or u.data and u.item for ml-100k, or ratings.dat and movies.dat for ml-1m and ml-10m)."
        )
    if ml.ratings.empty:
        raise DataError(f"{src.location}: the ratings file has no rows.")
    return identify(ml, src, custom=custom)


def read_dataset(location: str | os.PathLike[str]) -> MovieLens:
    """Read a MovieLens folder or zip in any supported layout (no download, no resolution)."""
    src = DatasetFiles(Path(location).expanduser())
    try:
        return read_files(src)
    finally:
        src.close()
