"""Exploratory analysis of a MovieLens dataset as tidy DataFrames (no Streamlit, no plotting).

Every function takes a :class:`~recommender.data.MovieLens` (usually the filtered view returned by
:func:`apply_filters`) and returns a small, tidy DataFrame: one row per observation, one column per
variable, snake_case names. :mod:`recommender.charts` turns them into figures.

Movies without genres count under ``"(no genres listed)"`` in the per-genre tables.

Top movies are ranked by the **Bayesian average** rating of each movie,
``(C·m + Σr) / (C + n)``, where ``n`` is the movie's number of ratings, ``Σr`` their sum, ``m``
the mean of all ratings in the view and ``C`` the prior weight (the minimum-ratings slider): a movie
is treated as if it also had ``C`` ratings at the global mean, so a few enthusiastic ratings cannot
beat hundreds of good ones.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from recommender.data import NO_GENRES, RATING_MAX, RATING_MIN, MovieLens
from recommender.filters import ExploreFilters, FilterBounds
from recommender.summary import summarize

HALF_STARS: tuple[float, ...] = tuple(np.arange(RATING_MIN, RATING_MAX + 0.25, 0.5).tolist())
TAG_COUNT_BINS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "0"), (1, 1, "1"), (2, 2, "2"), (3, 5, "3–5"), (6, 10, "6–10"),
    (11, 20, "11–20"), (21, 50, "21–50"), (51, None, "51+"),
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Helpers


def movie_genres(movies: pd.DataFrame) -> pd.DataFrame:
    """One row per (movieId, genre); movies without genres get ``"(no genres listed)"``."""
    lists = movies["genres"].map(lambda gs: list(gs) if len(gs) else [NO_GENRES])
    exploded = pd.DataFrame({"movieId": movies["movieId"].to_numpy(), "genre": lists.to_numpy()})
    exploded = exploded.explode("genre", ignore_index=True)
    exploded["genre"] = exploded["genre"].astype("str")
    return exploded


def ratings_per_movie_counts(ml: MovieLens) -> pd.Series:
    """Number of ratings of every movie of the catalogue (0 for unrated), indexed by movieId."""
    counts = ml.ratings["movieId"].value_counts()
    return (
        ml.movies["movieId"].map(counts).fillna(0).astype(np.int64).set_axis(ml.movies["movieId"])
    )


# --------------------------------------------------------------------------------------------
# Filters


def filter_bounds(ml: MovieLens) -> FilterBounds:
    """The genres, release years and largest per-movie rating count of ``ml`` (for the widgets)."""
    genres = movie_genres(ml.movies)["genre"].value_counts()
    ordered = sorted(g for g in genres.index if g != NO_GENRES)
    if NO_GENRES in genres.index:
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


def apply_filters(ml: MovieLens, filters: ExploreFilters) -> MovieLens:
    """The part of ``ml`` the filters keep: their movies, and the ratings and tags of those movies.

    Rating counts for ``min_ratings`` are taken over the whole dataset, before the other filters.
    The input is not modified; with default filters it is returned as is.
    """
    if filters.is_default:
        return ml
    movies = ml.movies
    keep = np.ones(len(movies), dtype=bool)
    if filters.genres:
        wanted = set(filters.genres)
        keep &= (
            movies["genres"]
            .map(lambda gs: not wanted.isdisjoint(gs or (NO_GENRES,)))
            .to_numpy(dtype=bool)
        )
    if filters.years is not None:
        lo, hi = filters.years
        in_range = movies["year"].ge(lo) & movies["year"].le(hi)
        keep &= in_range.fillna(False).to_numpy(dtype=bool)
    if filters.min_ratings > 0:
        keep &= ratings_per_movie_counts(ml).to_numpy() >= filters.min_ratings
    kept = movies["movieId"].to_numpy()[keep]

    def only_kept(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[np.isin(frame["movieId"].to_numpy(), kept)].reset_index(drop=True)

    return dataclasses.replace(
        ml,
        movies=movies[keep].reset_index(drop=True),
        ratings=only_kept(ml.ratings),
        tags=only_kept(ml.tags),
        links=only_kept(ml.links),
    )


# --------------------------------------------------------------------------------------------
# Headline numbers


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


# --------------------------------------------------------------------------------------------
# Genres


def _whiskers(values: pd.Series) -> pd.Series:
    q1, q3 = values.quantile(0.25), values.quantile(0.75)
    iqr = q3 - q1
    inside = values[(values >= q1 - 1.5 * iqr) & (values <= q3 + 1.5 * iqr)]
    return pd.Series({"lower_whisker": inside.min(), "upper_whisker": inside.max()})


def genre_stats(ml: MovieLens) -> pd.DataFrame:
    """Movies, ratings and the rating spread per genre, most-rated genre first.

    Columns: ``genre, movies, ratings, mean_rating, std_rating, q1, median, q3, lower_whisker,
    upper_whisker`` (whiskers: the most extreme ratings within 1.5 IQR of the quartiles).
    A movie with several genres counts once in each; so do its ratings.
    """
    pairs = movie_genres(ml.movies)
    movies = pairs.groupby("genre").size().rename("movies")
    rated = ml.ratings[["movieId", "rating"]].merge(pairs, on="movieId")
    rated["rating"] = rated["rating"].astype(np.float64)
    by_genre = rated.groupby("genre")["rating"]
    stats = by_genre.agg(
        ratings="size",
        mean_rating="mean",
        std_rating="std",
        q1=lambda s: s.quantile(0.25),
        median="median",
        q3=lambda s: s.quantile(0.75),
    )
    whiskers = by_genre.apply(_whiskers).unstack() if len(rated) else None
    frame = pd.concat([movies, stats], axis=1)
    if whiskers is not None:
        frame = frame.join(whiskers)
    else:
        frame["lower_whisker"] = np.nan
        frame["upper_whisker"] = np.nan
    frame["ratings"] = frame["ratings"].fillna(0).astype(np.int64)
    frame = frame.rename_axis("genre").reset_index()
    frame["genre"] = frame["genre"].astype("str")
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
    onehot = pd.crosstab(pairs["movieId"], pairs["genre"]).clip(upper=1)
    matrix = onehot.T.to_numpy() @ onehot.to_numpy()
    genres = onehot.columns.astype("str")
    frame = pd.DataFrame(matrix, index=genres, columns=genres)
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
    years = ml.movies.set_index("movieId")["year"]
    r = ml.ratings[["movieId", "rating"]].copy()
    r["year"] = r["movieId"].map(years)
    r = r[r["year"].notna()]
    if r.empty:
        return pd.DataFrame(columns=["decade", "decade_label", "movies", "ratings", "mean_rating"])
    r["decade"] = (r["year"].astype(np.int64) // 10) * 10
    r["rating"] = r["rating"].astype(np.float64)
    frame = (
        r.groupby("decade")
        .agg(
            movies=("movieId", "nunique"),
            ratings=("rating", "size"),
            mean_rating=("rating", "mean"),
        )
        .reset_index()
    )
    frame.insert(1, "decade_label", frame["decade"].astype(str) + "s")
    return frame


def monthly_activity(ml: MovieLens) -> pd.DataFrame:
    """Rating activity per calendar month (UTC), empty months included with 0.

    Columns: ``month`` (first day of the month, tz-naive datetime), ``ratings``, ``active_users``
    (users who rated in that month), ``mean_rating``.
    """
    r = ml.ratings
    if r.empty:
        return pd.DataFrame(columns=["month", "ratings", "active_users", "mean_rating"])
    months = r["timestamp"].dt.tz_convert(None).dt.to_period("M")
    frame = (
        pd.DataFrame(
            {
                "month": months.to_numpy(),
                "userId": r["userId"].to_numpy(),
                "rating": r["rating"].astype(np.float64).to_numpy(),
            }
        )
        .groupby("month")
        .agg(
            ratings=("rating", "size"),
            active_users=("userId", "nunique"),
            mean_rating=("rating", "mean"),
        )
    )
    full = pd.period_range(frame.index.min(), frame.index.max(), freq="M")
    frame = frame.reindex(full)
    frame["ratings"] = frame["ratings"].fillna(0).astype(np.int64)
    frame["active_users"] = frame["active_users"].fillna(0).astype(np.int64)
    frame.index = frame.index.to_timestamp()
    return frame.rename_axis("month").reset_index()


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
    values = r["rating"].astype(np.float64)
    m = float(values.mean())
    per_movie = values.groupby(r["movieId"]).agg(["size", "sum"])
    per_movie = per_movie[per_movie["size"] >= max(c, 1)]
    frame = pd.DataFrame(
        {
            "movieId": per_movie.index.to_numpy(),
            "ratings": per_movie["size"].to_numpy(np.int64),
            "mean_rating": (per_movie["sum"] / per_movie["size"]).to_numpy(),
            "bayesian_average": ((c * m + per_movie["sum"]) / (c + per_movie["size"])).to_numpy(),
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


# --------------------------------------------------------------------------------------------
# One user


def user_choices(ml: MovieLens) -> pd.DataFrame:
    """Users with at least one rating in ``ml``: ``userId, ratings`` by userId."""
    counts = ml.ratings["userId"].value_counts().sort_index()
    return pd.DataFrame(
        {"userId": counts.index.to_numpy(np.int64), "ratings": counts.to_numpy(np.int64)}
    )


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
    rated = ml.ratings[["userId", "movieId", "rating"]].merge(pairs, on="movieId")
    rated["rating"] = rated["rating"].astype(np.float64)
    everyone = rated.groupby("genre")["rating"].mean()
    mine = rated[rated["userId"] == user_id].groupby("genre")["rating"].agg(["size", "mean"])
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
