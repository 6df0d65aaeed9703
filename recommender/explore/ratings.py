"""Explore frames about ratings: headline numbers, the star distribution, long tails."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recommender.data import (
    LevelStats,
    MovieLens,
    count_distinct,
    level_counts,
    rating_levels,
    year_codes,
)
from recommender.explore.common import HALF_STARS, ratings_per_movie_counts, timed_ratings

__all__ = [
    "headline_column",
    "headline_numbers",
    "headline_table",
    "long_tail_stats",
    "rating_center",
    "rating_distribution",
    "ratings_per_movie",
    "ratings_per_user",
    "star_kind_by_year",
    "view_size",
]


def _fmt_count(value: int) -> str:
    return f"{value:,}"


def view_size(ml: MovieLens) -> pd.DataFrame:
    """What a page needs to know about a view before drawing it: one row of ``movies, ratings,
    tags, mean_rating`` (NaN without ratings)."""
    ratings = ml.ratings["rating"].to_numpy(np.float64)
    mean = float(np.nanmean(ratings)) if np.isfinite(ratings).any() else float("nan")
    return pd.DataFrame(
        {"movies": [ml.n_movies], "ratings": [len(ratings)], "tags": [ml.n_tags],
         "mean_rating": [mean]}
    )  # fmt: skip


def headline_numbers(ml: MovieLens, view: MovieLens) -> pd.DataFrame:
    """Users, movies, ratings, tags, sparsity and date range of the whole data and of the view.

    Columns: ``measure``, ``all_data``, ``view`` (formatted text, ready to show or download).
    """
    return headline_table(headline_column(ml), headline_column(view))


def headline_table(all_data: dict[str, str], view: dict[str, str]) -> pd.DataFrame:
    """:func:`headline_numbers` from the two columns (the whole data's is the same for every
    view: the app computes it once)."""
    rows = [(label, all_data[label], view[label]) for label in all_data]
    return pd.DataFrame(rows, columns=["measure", "all_data", "view"])


def headline_column(ml: MovieLens) -> dict[str, str]:
    """The headline numbers of ``ml``, formatted, by label."""
    r = ml.ratings
    users, rated = count_distinct(r["userId"].to_numpy()), count_distinct(r["movieId"].to_numpy())
    numbers = {"Users": users, "Movies": ml.n_movies, "Movies with ratings": rated,
               "Ratings": len(r), "Tags": ml.n_tags}  # fmt: skip
    shown = {label: _fmt_count(value) for label, value in numbers.items()}
    if r.empty:
        return shown | dict.fromkeys(
            ("Sparsity", "Mean rating", "First rating", "Last rating"), "–"
        )
    stamps = timed_ratings(ml)["timestamp"].to_numpy(dtype="datetime64[ns]")  # NumPy: 4× pandas
    first, last = (
        [f"{pd.Timestamp(day):%Y-%m-%d}" for day in (stamps.min(), stamps.max())]
        if len(stamps)
        else ["–", "–"]  # an upload without timestamps
    )
    return shown | {
        "Sparsity": f"{100.0 * (1.0 - len(r) / (users * rated)):.2f} %",
        "Mean rating": f"{view_size(ml)['mean_rating'].iat[0]:.2f} ★",
        "First rating": first,
        "Last rating": last,
    }


# --------------------------------------------------------------------------------------------
# Ratings


def rating_distribution(ml: MovieLens) -> pd.DataFrame:
    """Ratings per half-star value, every value from 0.5 to 5 present: ``rating, ratings, share``."""
    levels, level = rating_levels(ml.ratings["rating"].to_numpy())
    counts = pd.Series(level_counts(level, len(levels)), index=levels.round(1))
    frame = pd.DataFrame({"rating": HALF_STARS})
    frame["ratings"] = frame["rating"].map(counts.groupby(level=0).sum()).fillna(0)
    frame["ratings"] = frame["ratings"].astype(np.int64)
    total = int(frame["ratings"].sum())
    frame["share"] = frame["ratings"] / total if total else 0.0
    return frame


def rating_center(ml: MovieLens) -> pd.DataFrame:
    """Mean and median rating: ``statistic, value`` (NaN when there are no ratings)."""
    levels, level = rating_levels(ml.ratings["rating"].to_numpy())
    stats = LevelStats(level_counts(level, len(levels)), levels)
    return pd.DataFrame(
        {"statistic": ["mean", "median"], "value": [stats.mean, stats.quantile(0.5)]}
    )


def star_kind_by_year(ml: MovieLens) -> pd.DataFrame:
    """Whole-star vs half-star ratings per calendar year of rating.

    Columns: ``year, ratings, whole_star, half_star, half_star_share`` (share 0..1).
    """
    columns = ["year", "ratings", "whole_star", "half_star", "half_star_share"]
    r = timed_ratings(ml)
    if r.empty:
        return pd.DataFrame(columns=columns)
    years = year_codes(r["timestamp"])
    first = int(years.min())
    years -= first
    ratings = np.bincount(years)
    half = np.bincount(years, weights=(r["rating"].to_numpy() % 1) != 0, minlength=len(ratings))
    frame = pd.DataFrame(
        {"year": first + np.arange(len(ratings)), "ratings": ratings, "half_star": half}
    )
    frame = frame[frame["ratings"] > 0].reset_index(drop=True)
    frame["ratings"] = frame["ratings"].astype(np.int64)
    frame["half_star"] = frame["half_star"].astype(np.int64)
    frame["whole_star"] = frame["ratings"] - frame["half_star"]
    frame["half_star_share"] = frame["half_star"] / frame["ratings"]
    return frame[columns]


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
