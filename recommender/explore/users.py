"""Explore frames about one user: their choices, star histogram, genre tastes, latest ratings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from recommender.data import NO_GENRES, MovieLens, counts_by_id, movie_rating_stats
from recommender.explore.common import movie_genres
from recommender.explore.ratings import rating_distribution

__all__ = [
    "user_choices",
    "user_genre_preferences",
    "user_rating_histogram",
    "user_recent_ratings",
]


def user_choices(ml: MovieLens) -> pd.DataFrame:
    """Users with at least one rating in ``ml``: ``userId, ratings`` by userId."""
    users, ratings, _ = counts_by_id(ml.ratings["userId"].to_numpy())
    return pd.DataFrame({"userId": users.astype(np.int64), "ratings": ratings})


def user_rating_histogram(ml: MovieLens, user_id: int) -> pd.DataFrame:
    """One user's ratings per half star next to everyone's: ``rating, who, ratings, share``.

    ``who`` is ``"This user"`` or ``"Everyone"``; ``share`` (0..1) makes the two comparable.
    """
    mine = dataclasses.replace(ml, ratings=ml.ratings[ml.ratings["userId"] == user_id])
    frames = []
    for who, data in (("This user", mine), ("Everyone", ml)):
        dist = rating_distribution(data)
        dist.insert(1, "who", who)
        frames.append(dist)
    return pd.concat(frames, ignore_index=True)


def user_genre_preferences(ml: MovieLens, user_id: int, min_ratings: int = 3) -> pd.DataFrame:
    """The user's genres, best-liked first, compared with everyone's ratings of that genre.

    Columns: ``genre, ratings, mean_rating, everyone_mean, difference`` (user minus everyone).
    Genres the user rated fewer than ``min_ratings`` times are left out.
    """
    pairs = movie_genres(ml.movies)
    # Everyone's mean per genre from per-movie sums: no copy of every rating per genre.
    per_movie = pairs.join(movie_rating_stats(ml.ratings), on="movieId", how="inner")
    totals = per_movie.groupby("genre")[["rating_sum", "n_ratings"]].sum()
    everyone = totals["rating_sum"] / totals["n_ratings"]
    own = ml.ratings.loc[ml.ratings["userId"].to_numpy() == user_id, ["movieId", "rating"]]
    rated = own.merge(pairs, on="movieId")
    rated["rating"] = rated["rating"].astype(np.float64)
    mine = rated.groupby("genre")["rating"].agg(["size", "mean"])
    mine = mine[mine["size"] >= min_ratings]
    frame = pd.DataFrame(
        {
            "genre": mine.index.astype("str"),
            "ratings": mine["size"].to_numpy(np.int64),
            "mean_rating": mine["mean"].to_numpy(),
            "everyone_mean": everyone.reindex(mine.index).to_numpy(),
        }
    )
    frame["difference"] = frame["mean_rating"] - frame["everyone_mean"]
    return frame.sort_values(
        ["mean_rating", "ratings", "genre"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def user_recent_ratings(ml: MovieLens, user_id: int, limit: int = 10) -> pd.DataFrame:
    """The user's latest ratings, newest first: ``rated_at, title, genres, rating``."""
    r = ml.ratings[ml.ratings["userId"] == user_id]
    r = r.sort_values(["timestamp", "movieId"], ascending=[False, True], kind="stable").head(limit)
    info = ml.movies.set_index("movieId")
    genres = (
        r["movieId"]
        .map(info["genres"])
        .map(lambda gs: ", ".join(gs) if isinstance(gs, list) and gs else NO_GENRES)
    )
    return pd.DataFrame(
        {
            "rated_at": r["timestamp"].dt.tz_convert(None).to_numpy(),
            "title": r["movieId"].map(info["title"]).fillna("(unknown movie)").astype("str"),
            "genres": genres.astype("str").to_numpy(),
            "rating": r["rating"].astype(np.float64).to_numpy(),
        }
    ).reset_index(drop=True)
