"""Shared look of the Explore figures: colours, readable column names, the common layout."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "ACCENT",
    "COLUMN_LABELS",
    "MUTED",
    "PRIMARY",
    "readable_columns",
    "short_title",
    "style",
]

PRIMARY = "#3B6EA8"  # blue: the data
ACCENT = "#E07B39"  # orange: the thing compared against (mean line, everyone, half stars)
MUTED = "#9AA5B1"
COLUMN_LABELS: dict[str, str] = {
    "measure": "Measure",
    "all_data": "All data",
    "view": "Filtered view",
    "rating": "Rating (★)",
    "ratings": "Ratings",
    "share": "Share",
    "statistic": "Statistic",
    "value": "Value",
    "year": "Year",
    "whole_star": "Whole-star ratings",
    "half_star": "Half-star ratings",
    "half_star_share": "Half-star share",
    "rank": "Rank",
    "userId": "User ID",
    "movieId": "Movie ID",
    "cumulative_share": "Cumulative share of ratings",
    "title": "Title",
    "genre": "Genre",
    "other_genre": "Other genre",
    "movies": "Movies",
    "share_of_genre": "Share of the genre's movies",
    "mean_rating": "Mean rating (★)",
    "std_rating": "Std. dev. (★)",
    "q1": "25th percentile (★)",
    "median": "Median (★)",
    "q3": "75th percentile (★)",
    "lower_whisker": "Lower whisker (★)",
    "upper_whisker": "Upper whisker (★)",
    "decade": "Decade",
    "decade_label": "Release decade",
    "month": "Month",
    "active_users": "Active users",
    "bayesian_average": "Bayesian average (★)",
    "tag": "Tag",
    "uses": "Uses",
    "users": "Users",
    "tags": "Tags on the movie",
    "who": "Who",
    "everyone_mean": "Everyone's mean (★)",
    "difference": "Difference (★)",
    "rated_at": "Rated at (UTC)",
    "genres": "Genres",
    "check": "Check",
    "table": "Table",
    "rows": "Rows",
    "example": "Example",
    "fixable": "Fixed by cleaning",
    "column": "Column",
    "missing": "Missing values",
    "fix": "Fix",
    "rows_removed": "Rows removed",
    "rows_changed": "Rows changed",
}


def readable_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with human-readable column names (for tables and CSV downloads)."""
    return frame.rename(columns={c: COLUMN_LABELS.get(c, c) for c in frame.columns})


def style(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hoverlabel={"namelength": -1},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def short_title(title: str, width: int = 42) -> str:
    return textwrap.shorten(title, width=width, placeholder="…")
