"""The catalogue the Recommend page draws cards from: one row per movie with its statistics and
links, in a fixed order that every signal's arrays follow."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from recommender.data import movie_rating_stats

__all__ = ["RESULT_COLUMNS", "build_catalog", "movie_links", "top_rows"]

RESULT_COLUMNS = (
    "movieId", "title", "year", "genres", "score", "predicted_rating", "match", "reason", "source",
    "n_ratings", "mean_rating", "imdbId", "tmdbId", "imdbUrl",
)  # fmt: skip
"""Columns of every recommendation frame. ``predicted_rating`` is NaN unless the model predicts
ratings and the estimate agrees with a recommendation; ``match`` says how good a match the movie
is, in plain words."""


def build_catalog(movies: pd.DataFrame, ratings: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """movieId, title, year, genres, n_ratings, mean_rating, imdbId, tmdbId, imdbUrl (the IMDb
    page the dataset itself gives, e.g. ml-100k's u.item) for every movie."""
    stats = movie_rating_stats(ratings)
    catalog = movies[["movieId", "title", "year", "genres"]].copy()
    catalog["n_ratings"] = catalog["movieId"].map(stats["n_ratings"]).fillna(0).astype(int)
    catalog["mean_rating"] = catalog["movieId"].map(stats["mean_rating"]).astype(float)
    link = links.drop_duplicates("movieId").set_index("movieId")
    catalog["imdbId"] = catalog["movieId"].map(link["imdbId"]) if len(link) else None
    catalog["tmdbId"] = catalog["movieId"].map(link["tmdbId"]) if len(link) else None
    catalog["imdbUrl"] = movies["imdbUrl"].to_numpy() if "imdbUrl" in movies else ""
    return catalog.reset_index(drop=True)


def movie_links(
    movie_id: int,
    imdb_id: Any = None,
    tmdb_id: Any = None,
    movielens_ids: bool = True,
    imdb_url: Any = "",
) -> dict[str, str]:
    """MovieLens, IMDb and TMDB pages of a movie (IMDb/TMDB only when links.csv has the id, or
    IMDb from ``imdb_url`` when the dataset gives the page itself, as ml-100k's u.item does;
    MovieLens only when the dataset's movieIds are movielens.org's, not ml-100k's or an upload's)."""
    links = {"MovieLens": f"https://movielens.org/movies/{int(movie_id)}"} if movielens_ids else {}
    if isinstance(imdb_id, str) and imdb_id.strip().strip("0"):
        links["IMDb"] = f"https://www.imdb.com/title/tt{imdb_id.strip()}/"
    elif isinstance(imdb_url, str) and imdb_url.startswith(("http://", "https://")):
        # brackets and spaces encoded: the URL goes into a markdown link
        links["IMDb"] = imdb_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    if tmdb_id is not None and not pd.isna(tmdb_id):
        links["TMDB"] = f"https://www.themoviedb.org/movie/{int(tmdb_id)}"
    return links


def top_rows(scores: np.ndarray, n: int, popularity: np.ndarray) -> list[int]:
    """Rows of the ``n`` highest finite scores, best first; ties go to the more-rated movie, then
    to the lower row (content similarities are often exactly equal)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or n <= 0:
        return []
    if finite.size > n:
        cutoff = np.partition(scores[finite], finite.size - n)[finite.size - n]
        finite = finite[scores[finite] >= cutoff]  # every row tied with the n-th stays in
    order = np.lexsort((finite, -popularity[finite], -scores[finite]))
    return [int(r) for r in finite[order[:n]]]
