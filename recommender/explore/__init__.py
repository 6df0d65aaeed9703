"""Exploratory analysis for the Explore page: tidy frames and the plotly figures drawn from them.

Every frame function takes a :class:`~recommender.data.MovieLens` (usually the filtered view of
:func:`recommender.data.apply_filters`) and returns a small tidy DataFrame (one row per observation,
snake_case columns); a ``*_chart`` builder turns it into a figure with a title, axis titles with
units and exact hover text. No Streamlit here.

Modules: :mod:`~.ratings` / :mod:`~.catalog` / :mod:`~.users` (frames), :mod:`~.rating_charts` /
:mod:`~.catalog_charts` (figures), :mod:`~.chart_style` (shared look, readable column names).
:data:`FRAMES` names every frame function, so the app caches them by name.
"""

from collections.abc import Callable

import pandas as pd

from recommender.data import apply_filters, filter_bounds
from recommender.explore.catalog import (
    bayesian_top_movies,
    genre_cooccurrence,
    genre_stats,
    monthly_activity,
    movies_per_release_year,
    no_tags_reason,
    rating_by_release_decade,
    tags_per_movie,
    top_tags,
)
from recommender.explore.catalog_charts import (
    decade_rating_chart,
    genre_cooccurrence_chart,
    genre_counts_chart,
    genre_rating_spread_chart,
    monthly_activity_chart,
    movies_per_year_chart,
    tags_per_movie_chart,
    top_movies_chart,
    top_tags_chart,
)
from recommender.explore.chart_style import COLUMN_LABELS, readable_columns
from recommender.explore.common import movie_genres, ratings_per_movie_counts
from recommender.explore.rating_charts import (
    long_tail_chart,
    rating_distribution_chart,
    star_kind_chart,
    user_genres_chart,
    user_histogram_chart,
)
from recommender.explore.ratings import (
    headline_column,
    headline_numbers,
    headline_table,
    long_tail_stats,
    rating_center,
    rating_distribution,
    ratings_per_movie,
    ratings_per_user,
    star_kind_by_year,
    view_size,
)
from recommender.explore.users import (
    user_choices,
    user_genre_preferences,
    user_rating_histogram,
    user_recent_ratings,
)

FRAMES: dict[str, Callable[..., pd.DataFrame]] = {
    f.__name__: f
    for f in (
        rating_distribution, rating_center, star_kind_by_year, ratings_per_user,
        ratings_per_movie, long_tail_stats, genre_stats, genre_cooccurrence,
        movies_per_release_year, rating_by_release_decade, monthly_activity,
        bayesian_top_movies, top_tags, tags_per_movie, user_choices, user_rating_histogram,
        user_genre_preferences, user_recent_ratings, view_size,
    )
}  # fmt: skip
"""Every frame function of one view, by name (the app's cache keys them by this name)."""

__all__ = [
    "COLUMN_LABELS",
    "FRAMES",
    "apply_filters",
    "bayesian_top_movies",
    "decade_rating_chart",
    "filter_bounds",
    "genre_cooccurrence",
    "genre_cooccurrence_chart",
    "genre_counts_chart",
    "genre_rating_spread_chart",
    "genre_stats",
    "headline_column",
    "headline_numbers",
    "headline_table",
    "long_tail_chart",
    "long_tail_stats",
    "monthly_activity",
    "monthly_activity_chart",
    "movie_genres",
    "movies_per_release_year",
    "movies_per_year_chart",
    "rating_by_release_decade",
    "rating_center",
    "rating_distribution",
    "rating_distribution_chart",
    "ratings_per_movie",
    "ratings_per_movie_counts",
    "ratings_per_user",
    "readable_columns",
    "star_kind_by_year",
    "star_kind_chart",
    "tags_per_movie",
    "tags_per_movie_chart",
    "top_movies_chart",
    "no_tags_reason",
    "top_tags",
    "top_tags_chart",
    "user_choices",
    "user_genre_preferences",
    "user_genres_chart",
    "user_histogram_chart",
    "user_rating_histogram",
    "user_recent_ratings",
    "view_size",
]
