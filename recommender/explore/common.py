"""Helpers shared by the Explore frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.data import NO_GENRES, RATING_MAX, RATING_MIN, MovieLens, ratings_per_movie

__all__ = ["HALF_STARS", "movie_genres", "ratings_per_movie_counts", "timed_ratings"]

HALF_STARS: tuple[float, ...] = tuple(np.arange(RATING_MIN, RATING_MAX + 0.25, 0.5).tolist())


def movie_genres(movies: pd.DataFrame) -> pd.DataFrame:
    """One row per (movieId, genre); movies without genres get ``"(no genres listed)"``."""
    lists = movies["genres"].map(lambda gs: list(gs) if len(gs) else [NO_GENRES])
    exploded = pd.DataFrame({"movieId": movies["movieId"].to_numpy(), "genre": lists.to_numpy()})
    exploded = exploded.explode("genre", ignore_index=True)
    exploded["genre"] = exploded["genre"].astype("str")
    return exploded


def ratings_per_movie_counts(ml: MovieLens) -> pd.Series:
    """Number of ratings of every movie of the catalogue (0 for unrated), indexed by movieId."""
    return pd.Series(ratings_per_movie(ml), index=ml.movies["movieId"], name="count")


def timed_ratings(ml: MovieLens) -> pd.DataFrame:
    """The ratings that have a timestamp (an upload may have none): what charts over time use."""
    r = ml.ratings
    return r[r["timestamp"].notna().to_numpy()] if r["timestamp"].hasnans else r
