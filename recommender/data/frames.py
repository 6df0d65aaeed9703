"""The four tidy frames every layout reader builds, with the contract's columns and dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.data.movielens import NO_GENRES
from recommender.data.titles import normalize_title, parse_year

__all__ = [
    "IMDB_TITLE_URL",
    "empty_links",
    "empty_tags",
    "imdb_urls_from_links",
    "links_frame",
    "movies_frame",
    "placeholder_title",
    "ratings_frame",
    "tags_frame",
]

IMDB_TITLE_URL = "https://www.imdb.com/title/tt{}/"


def placeholder_title(movie_id: int) -> str:
    """The title shown for a movie a custom dataset rates but does not name."""
    return f"Movie {int(movie_id)}"


def movies_frame(
    movie_ids: np.ndarray,
    titles: pd.Series,
    genres: pd.Series,
    imdb_urls: pd.Series | None = None,
) -> pd.DataFrame:
    """The movies frame. ``imdbUrl`` is the IMDb page a card links to ("" when unknown): ml-100k's
    u.item gives it; for the CSV layouts :func:`imdb_urls_from_links` fills it from links.csv."""
    titles = titles.fillna("").astype(str).str.strip().reset_index(drop=True)
    if imdb_urls is None:
        imdb_urls = pd.Series([""] * len(titles), dtype=str)
    genre_lists = [
        [] if (not isinstance(g, str) or g in ("", NO_GENRES)) else g.split("|") for g in genres
    ]
    return pd.DataFrame(
        {
            "movieId": np.asarray(movie_ids).astype(np.int32),
            "title": titles,
            "genres": pd.Series(genre_lists, dtype=object),
            "year": parse_year(titles).reset_index(drop=True),
            "title_key": [normalize_title(t) for t in titles],
            "imdbUrl": imdb_urls.reset_index(drop=True).astype(str),
        }
    )


def ratings_frame(
    users: np.ndarray, movies: np.ndarray, ratings: np.ndarray, timestamps: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "userId": users,
            "movieId": movies,
            "rating": ratings,
            "timestamp": timestamps.reset_index(drop=True),
        }
    )


def tags_frame(
    users: np.ndarray, movies: np.ndarray, tags: pd.Series, timestamps: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "userId": users,
            "movieId": movies,
            "tag": tags.astype("str").where(tags.notna(), None).to_numpy(),
            "timestamp": timestamps.reset_index(drop=True),
        }
    )


def empty_tags() -> pd.DataFrame:
    return tags_frame(
        np.array([], dtype=np.int32),
        np.array([], dtype=np.int32),
        pd.Series([], dtype=str),
        pd.Series([], dtype="datetime64[ns, UTC]"),
    )


def links_frame(movie_ids: np.ndarray, imdb_ids: pd.Series, tmdb_ids: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "movieId": np.asarray(movie_ids).astype(np.int32),
            "imdbId": imdb_ids.reset_index(drop=True).astype(str),
            "tmdbId": tmdb_ids.reset_index(drop=True).astype("Int32"),
        }
    )


def imdb_urls_from_links(movies: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """``movies`` with ``imdbUrl`` filled from links.csv's ``imdbId`` where it has one."""
    ids = links.drop_duplicates("movieId").set_index("movieId")["imdbId"]
    urls = ids.map(lambda i: IMDB_TITLE_URL.format(i) if i.strip("0") else "")
    mapped = movies["movieId"].map(urls).astype(object).fillna("").astype(str)
    return movies.assign(imdbUrl=mapped.to_numpy())


def empty_links() -> pd.DataFrame:
    return links_frame(
        np.array([], dtype=np.int32), pd.Series([], dtype=str), pd.Series([], dtype="Int32")
    )
