"""Explore frames about ratings: headline numbers, the star distribution, long tails."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recommender.data import MovieLens, summarize
from recommender.explore.common import HALF_STARS, ratings_per_movie_counts

__all__ = [
    "headline_numbers",
    "long_tail_stats",
    "rating_center",
    "rating_distribution",
    "ratings_per_movie",
    "ratings_per_user",
    "star_kind_by_year",
]


def _fmt_count(value: int) -> str:
    return f"{value:,}"


def headline_numbers(ml: MovieLens, view: MovieLens) -> pd.DataFrame:
    """Users, movies, ratings, tags, sparsity and date range of the whole data and of the view.

    Columns: ``measure``, ``all_data``, ``view`` (formatted text, ready to show or download).
    """
    rows = []
    summaries = [summarize(ml), summarize(view)]
    for label, get in (
        ("Users", lambda s: _fmt_count(s.users)),
        ("Movies", lambda s: _fmt_count(s.movies)),
        ("Movies with ratings", lambda s: _fmt_count(s.rated_movies)),
        ("Ratings", lambda s: _fmt_count(s.ratings)),
        ("Tags", lambda s: _fmt_count(s.tags)),
        ("Sparsity", lambda s: f"{s.sparsity_percent:.2f} %" if s.ratings else "–"),
        ("Mean rating", lambda s: f"{s.mean_rating:.2f} ★" if s.ratings else "–"),
        ("First rating", lambda s: f"{s.first_rating:%Y-%m-%d}" if s.ratings else "–"),
        ("Last rating", lambda s: f"{s.last_rating:%Y-%m-%d}" if s.ratings else "–"),
    ):
        rows.append((label, *(get(s) for s in summaries)))
    return pd.DataFrame(rows, columns=["measure", "all_data", "view"])


# --------------------------------------------------------------------------------------------
# Ratings


def rating_distribution(ml: MovieLens) -> pd.DataFrame:
    """Ratings per half-star value, every value from 0.5 to 5 present: ``rating, ratings, share``."""
    counts = ml.ratings["rating"].astype(np.float64).round(1).value_counts()
    frame = pd.DataFrame({"rating": HALF_STARS})
    frame["ratings"] = frame["rating"].map(counts).fillna(0).astype(np.int64)
    total = int(frame["ratings"].sum())
    frame["share"] = frame["ratings"] / total if total else 0.0
    return frame


def rating_center(ml: MovieLens) -> pd.DataFrame:
    """Mean and median rating: ``statistic, value`` (NaN when there are no ratings)."""
    ratings = ml.ratings["rating"].astype(np.float64)
    return pd.DataFrame(
        {"statistic": ["mean", "median"], "value": [ratings.mean(), ratings.median()]}
    )


def star_kind_by_year(ml: MovieLens) -> pd.DataFrame:
    """Whole-star vs half-star ratings per calendar year of rating.

    Columns: ``year, ratings, whole_star, half_star, half_star_share`` (share 0..1).
    """
    r = ml.ratings
    if r.empty:
        return pd.DataFrame(
            columns=["year", "ratings", "whole_star", "half_star", "half_star_share"]
        )
    half = (r["rating"].astype(np.float64) % 1) != 0
    frame = (
        pd.DataFrame({"year": r["timestamp"].dt.year.to_numpy(), "half": half.to_numpy()})
        .groupby("year")["half"]
        .agg(ratings="size", half_star="sum")
        .reset_index()
    )
    frame["half_star"] = frame["half_star"].astype(np.int64)
    frame["ratings"] = frame["ratings"].astype(np.int64)
    frame["whole_star"] = frame["ratings"] - frame["half_star"]
    frame["half_star_share"] = frame["half_star"] / frame["ratings"]
    return frame[["year", "ratings", "whole_star", "half_star", "half_star_share"]]


# --------------------------------------------------------------------------------------------
# Long tail


def _ranked(counts: pd.Series, id_name: str) -> pd.DataFrame:
    frame = counts.sort_values(ascending=False, kind="stable").rename("ratings").reset_index()
    frame.columns = [id_name, "ratings"]
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    total = frame["ratings"].sum()
    frame["cumulative_share"] = frame["ratings"].cumsum() / total if total else 0.0
    return frame


def ratings_per_user(ml: MovieLens) -> pd.DataFrame:
    """Users from most to least active: ``rank, userId, ratings, cumulative_share``."""
    return _ranked(ml.ratings["userId"].value_counts(), "userId")


def ratings_per_movie(ml: MovieLens) -> pd.DataFrame:
    """Rated movies from most to least rated: ``rank, movieId, ratings, cumulative_share, title``."""
    frame = _ranked(ml.ratings["movieId"].value_counts(), "movieId")
    titles = ml.movies.set_index("movieId")["title"]
    frame["title"] = frame["movieId"].map(titles).fillna("(unknown movie)").astype("str")
    return frame


def long_tail_stats(ml: MovieLens, top_fraction: float = 0.1, few: int = 5) -> pd.DataFrame:
    """How concentrated ratings are: ``statistic, value``.

    * share (%) of all ratings held by the most-rated ``top_fraction`` of the catalogue's movies
      (rounded up, at least one movie);
    * movies of the catalogue with fewer than ``few`` ratings (unrated movies included), in count
      and percent;
    * share (%) of all ratings given by the most active ``top_fraction`` of users.
    """
    counts = ratings_per_movie_counts(ml).sort_values(ascending=False).to_numpy()
    total = int(counts.sum())
    n_top = max(1, math.ceil(top_fraction * len(counts))) if len(counts) else 0
    top_share = 100.0 * counts[:n_top].sum() / total if total else float("nan")
    n_few = int((counts < few).sum())
    per_user = np.sort(ml.ratings["userId"].value_counts().to_numpy())[::-1]
    n_top_users = max(1, math.ceil(top_fraction * len(per_user))) if len(per_user) else 0
    user_share = 100.0 * per_user[:n_top_users].sum() / total if total else float("nan")
    pct = f"{100 * top_fraction:g} %"
    return pd.DataFrame(
        {
            "statistic": [
                f"Share of ratings on the most-rated {pct} of movies (%)",
                f"Movies with fewer than {few} ratings",
                f"Movies with fewer than {few} ratings (%)",
                "Movies with no rating",
                f"Share of ratings by the most active {pct} of users (%)",
            ],
            "value": [
                top_share,
                float(n_few),
                100.0 * n_few / len(counts) if len(counts) else float("nan"),
                float((counts == 0).sum()),
                user_share,
            ],
        }
    )
