"""Headline numbers of a dataset, shared by the sidebar, the Overview and the Explore page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from recommender.data.movielens import MovieLens

__all__ = ["DatasetSummary", "summarize"]


@dataclass(frozen=True)
class DatasetSummary:
    """Size and shape of a MovieLens dataset."""

    name: str
    users: int
    movies: int
    rated_movies: int
    ratings: int
    tags: int
    sparsity_percent: float
    first_rating: pd.Timestamp
    last_rating: pd.Timestamp
    median_ratings_per_user: float
    median_ratings_per_movie: float
    mean_rating: float

    @property
    def date_range(self) -> str:
        return f"{self.first_rating:%b %Y} – {self.last_rating:%b %Y}"


def summarize(ml: MovieLens) -> DatasetSummary:
    """Compute the headline numbers of ``ml``."""
    r = ml.ratings
    return DatasetSummary(
        name=ml.name,
        users=ml.n_users,
        movies=ml.n_movies,
        rated_movies=ml.n_rated_movies,
        ratings=ml.n_ratings,
        tags=ml.n_tags,
        sparsity_percent=100.0 * ml.sparsity,
        first_rating=r["timestamp"].min(),
        last_rating=r["timestamp"].max(),
        median_ratings_per_user=float(r.groupby("userId").size().median()),
        median_ratings_per_movie=float(r.groupby("movieId").size().median()),
        mean_rating=float(r["rating"].mean()),
    )
