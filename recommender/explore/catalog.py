"""Explore frames about the movies: genres, release time, top movies by Bayesian average, tags.

Top movies are ranked by the **Bayesian average** rating of each movie,
``(C·m + Σr) / (C + n)`` (:func:`recommender.data.bayesian_average`), where ``n`` is the movie's
number of ratings, ``Σr`` their sum, ``m`` the mean of all ratings in the view and ``C`` the prior
weight (the minimum-ratings slider).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from recommender.data import (
    CATALOG,
    NO_GENRES,
    MovieLens,
    bayesian_average,
    dense_codes,
    grouped_counts,
    level_stats,
    month_codes,
    movie_rating_stats,
    rating_levels,
)
from recommender.explore.common import movie_genres, timed_ratings

__all__ = [
    "bayesian_top_movies",
    "genre_cooccurrence",
    "genre_stats",
    "monthly_activity",
    "movies_per_release_year",
    "no_tags_reason",
    "rating_by_release_decade",
    "tags_per_movie",
    "top_tags",
]

TAG_COUNT_BINS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "0"), (1, 1, "1"), (2, 2, "2"), (3, 5, "3–5"), (6, 10, "6–10"),
    (11, 20, "11–20"), (21, 50, "21–50"), (51, None, "51+"),
)  # fmt: skip


def genre_stats(ml: MovieLens) -> pd.DataFrame:
    """Movies, ratings and the rating spread per genre, most-rated genre first.

    Columns: ``genre, movies, ratings, mean_rating, std_rating, q1, median, q3, lower_whisker,
    upper_whisker`` (whiskers: the most extreme ratings within 1.5 IQR of the quartiles).
    A movie with several genres counts once in each; so do its ratings. Computed from each
    movie's count of ratings per star level (exact, and linear in the ratings).
    """
    pairs = movie_genres(ml.movies)
    genres = np.sort(pairs["genre"].unique()).astype(str)
    movie_ids = np.sort(ml.movies["movieId"].to_numpy())
    levels, level = rating_levels(ml.ratings["rating"].to_numpy())
    per_movie = grouped_counts(
        dense_codes(ml.ratings["movieId"].to_numpy(), movie_ids), len(movie_ids), level,
        len(levels),
    )  # fmt: skip
    per_genre = np.zeros((len(genres), len(levels)), dtype=np.int64)
    np.add.at(
        per_genre,
        np.searchsorted(genres, pairs["genre"].to_numpy(dtype=str)),
        per_movie[dense_codes(pairs["movieId"].to_numpy(), movie_ids)],
    )
    frame = level_stats(per_genre, levels)
    frame.insert(0, "genre", pd.Series(genres, dtype="str"))
    frame.insert(1, "movies", pairs.groupby("genre").size().reindex(genres).to_numpy(np.int64))
    return frame.sort_values(["ratings", "movies"], ascending=False, kind="stable").reset_index(
        drop=True
    )


def genre_cooccurrence(ml: MovieLens) -> pd.DataFrame:
    """How often two genres are on the same movie, for every ordered pair of genres.

    Columns: ``genre, other_genre, movies`` (movies with both; on the diagonal, movies with the
    genre) and ``share_of_genre`` (that count over the movies of ``genre``, 0..1: "of the Crime
    movies, 35 % are also Thrillers"). Movies without genres are left out.
    """
    pairs = movie_genres(ml.movies)
    pairs = pairs[pairs["genre"] != NO_GENRES]
    if pairs.empty:
        return pd.DataFrame(columns=["genre", "other_genre", "movies", "share_of_genre"])
    genres = np.sort(pairs["genre"].unique()).astype(str)
    movies, _ = pd.factorize(pairs["movieId"])
    onehot = sparse.csr_matrix(
        (np.ones(len(pairs)), (movies, np.searchsorted(genres, pairs["genre"].to_numpy(str)))),
        shape=(movies.max() + 1, len(genres)),
    )  # a sparse movies × genres table: pd.crosstab took 0.5 s on ml-32m's 87,585 movies
    onehot.data[:] = 1.0  # a genre listed twice for a movie counts once
    matrix = (onehot.T @ onehot).toarray().astype(np.int64)
    frame = pd.DataFrame(matrix, index=pd.Index(genres, dtype="str"),
                         columns=pd.Index(genres, dtype="str"))  # fmt: skip
    frame = frame.rename_axis(index="genre", columns="other_genre").stack().rename("movies")
    frame = frame.reset_index()
    totals = pd.Series(np.diag(matrix), index=genres)
    frame["movies"] = frame["movies"].astype(np.int64)
    frame["share_of_genre"] = frame["movies"] / frame["genre"].map(totals)
    return frame


# --------------------------------------------------------------------------------------------
# Time


def movies_per_release_year(ml: MovieLens) -> pd.DataFrame:
    """Movies per release year, gap years included with 0: ``year, movies``."""
    years = ml.movies["year"].dropna().astype(np.int64)
    if years.empty:
        return pd.DataFrame({"year": pd.Series([], dtype=np.int64), "movies": []})
    counts = years.value_counts()
    all_years = np.arange(years.min(), years.max() + 1)
    return pd.DataFrame(
        {"year": all_years, "movies": counts.reindex(all_years, fill_value=0).to_numpy()}
    )


def rating_by_release_decade(ml: MovieLens) -> pd.DataFrame:
    """Mean rating of movies by release decade: ``decade, decade_label, movies, ratings,
    mean_rating`` (movies: rated movies of that decade)."""
    columns = ["decade", "decade_label", "movies", "ratings", "mean_rating"]
    per_movie = movie_rating_stats(ml.ratings)
    years = ml.movies.set_index("movieId")["year"].reindex(per_movie.index)
    per_movie = per_movie[years.notna().to_numpy()]
    if per_movie.empty:
        return pd.DataFrame(columns=columns)
    decade = (years.dropna().to_numpy(np.int64) // 10) * 10
    frame = (
        per_movie.assign(decade=decade)
        .groupby("decade")
        .agg(
            movies=("n_ratings", "size"), ratings=("n_ratings", "sum"), total=("rating_sum", "sum")
        )
        .reset_index()
    )
    frame["mean_rating"] = frame.pop("total") / frame["ratings"]
    frame["ratings"] = frame["ratings"].astype(np.int64)
    frame.insert(1, "decade_label", frame["decade"].astype(str) + "s")
    return frame[columns]


def monthly_activity(ml: MovieLens) -> pd.DataFrame:
    """Rating activity per calendar month (UTC), empty months included with 0.

    Columns: ``month`` (first day of the month, tz-naive datetime), ``ratings``, ``active_users``
    (users who rated in that month), ``mean_rating``.
    """
    r = timed_ratings(ml)
    if r.empty:
        return pd.DataFrame(columns=["month", "ratings", "active_users", "mean_rating"])
    months = month_codes(r["timestamp"])
    first = int(months.min())
    months -= first
    n_months = int(months.max()) + 1
    ratings = np.bincount(months, minlength=n_months)
    values = r["rating"].to_numpy(np.float64)
    known = ~np.isnan(values)  # a missing rating counts as a rating, not in the mean
    totals = np.bincount(months, weights=np.where(known, values, 0.0), minlength=n_months)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = totals / np.bincount(months, weights=known, minlength=n_months)
    return pd.DataFrame(
        {
            "month": (first + np.arange(n_months)).astype("datetime64[M]").astype("datetime64[ns]"),
            "ratings": ratings.astype(np.int64),
            "active_users": _active_users(months, n_months, r["userId"].to_numpy()),
            "mean_rating": np.where(np.isfinite(mean), mean, np.nan),
        }
    )


def _active_users(months: np.ndarray, n_months: int, users: np.ndarray) -> np.ndarray:
    """Distinct users per month code (0 … n_months − 1)."""
    low, span = int(users.min()), int(users.max()) - int(users.min()) + 1
    if n_months * span <= 400_000_000:  # a months × users table of flags (at most 400 MB)
        seen = np.zeros((n_months, span), dtype=bool)
        seen[months, users - low] = True
        return seen.sum(axis=1).astype(np.int64)
    pairs = pd.DataFrame({"month": months, "user": users}).drop_duplicates()
    return np.bincount(pairs["month"].to_numpy(), minlength=n_months).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Top movies


def bayesian_top_movies(ml: MovieLens, prior_weight: int, limit: int = 20) -> pd.DataFrame:
    """Movies with at least ``prior_weight`` ratings, best Bayesian average first.

    ``bayesian_average = (C·m + Σr) / (C + n)`` with ``C = prior_weight``, ``m`` the mean of all
    ratings in ``ml`` and ``n``, ``Σr`` the movie's count and sum of ratings. Columns: ``rank,
    movieId, title, year, ratings, mean_rating, bayesian_average``. Ties keep the more-rated first.
    """
    r = ml.ratings
    columns = ["rank", "movieId", "title", "year", "ratings", "mean_rating", "bayesian_average"]
    if r.empty:
        return pd.DataFrame(columns=columns)
    c = max(int(prior_weight), 0)
    m = float(r["rating"].astype(np.float64).mean())
    per_movie = movie_rating_stats(r)
    per_movie = per_movie[per_movie["n_ratings"] >= max(c, 1)]
    frame = pd.DataFrame(
        {
            "movieId": per_movie.index.to_numpy(),
            "ratings": per_movie["n_ratings"].to_numpy(np.int64),
            "mean_rating": per_movie["mean_rating"].to_numpy(),
            "bayesian_average": bayesian_average(
                per_movie["n_ratings"], per_movie["rating_sum"], m, c
            ),
        }
    )
    frame = frame.sort_values(
        ["bayesian_average", "ratings", "movieId"], ascending=[False, False, True], kind="stable"
    ).head(limit)
    info = ml.movies.set_index("movieId")
    frame["title"] = frame["movieId"].map(info["title"]).fillna("(unknown movie)").astype("str")
    frame["year"] = frame["movieId"].map(info["year"]).astype("Int16")
    frame["rank"] = np.arange(1, len(frame) + 1)
    return frame[columns].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Tags


def no_tags_reason(ml: MovieLens) -> str | None:
    """Why there is no tag to show whatever the filters (the dataset has none), or None."""
    if not ml.tags.empty:
        return None
    if ml.name in CATALOG and not CATALOG[ml.name].has_tags:
        with_tags = ", ".join(n for n, info in CATALOG.items() if info.has_tags)
        return f"{ml.name} comes without tags: GroupLens publishes them with {with_tags}."
    if not ml.has_tags:
        return f"{ml.name} has no tags file, so there are no tags to show."
    return f"{ml.name}'s tags file holds no tags."


def top_tags(ml: MovieLens, limit: int = 20) -> pd.DataFrame:
    """Most used tags, case-insensitive: ``tag, uses, movies, users``.

    ``tag`` is the most common spelling of the group ("Sci-fi" and "sci-fi" count together).
    """
    t = ml.tags
    if t.empty:
        return pd.DataFrame(columns=["tag", "uses", "movies", "users"])
    text = t["tag"].astype("str").str.strip()
    frame = pd.DataFrame(
        {"key": text.str.casefold(), "tag": text, "movieId": t["movieId"], "userId": t["userId"]}
    )
    spelling = (
        frame.groupby(["key", "tag"]).size().rename("n").reset_index()
        .sort_values(["key", "n", "tag"], ascending=[True, False, True])
        .drop_duplicates("key").set_index("key")["tag"]
    )  # fmt: skip
    stats = frame.groupby("key").agg(
        uses=("tag", "size"), movies=("movieId", "nunique"), users=("userId", "nunique")
    )
    stats.insert(0, "tag", spelling.reindex(stats.index).astype("str"))
    stats = stats.reset_index().sort_values(
        ["uses", "movies", "key"], ascending=[False, False, True], kind="stable"
    )
    return stats.drop(columns="key").head(limit).reset_index(drop=True)


def tags_per_movie(ml: MovieLens) -> pd.DataFrame:
    """How many movies of the catalogue have 0, 1, 2, 3–5 … tags: ``tags, movies, share``."""
    counts = ml.movies["movieId"].map(ml.tags["movieId"].value_counts()).fillna(0).astype(np.int64)
    rows = []
    for lo, hi, label in TAG_COUNT_BINS:
        inside = counts >= lo if hi is None else counts.between(lo, hi)
        rows.append((label, int(inside.sum())))
    frame = pd.DataFrame(rows, columns=["tags", "movies"])
    total = len(counts)
    frame["share"] = frame["movies"] / total if total else 0.0
    return frame
