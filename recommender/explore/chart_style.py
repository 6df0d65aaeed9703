"""Shared look of the Explore figures: colours, readable column names, the common layout."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "ACCENT",
    "COLUMN_LABELS",
    "LEGEND",
    "MUTED",
    "PHONE_LABEL_CHARS",
    "PHONE_TITLE_CHARS",
    "PRIMARY",
    "plotly_text",
    "readable_columns",
    "short_title",
    "style",
    "title_layout",
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


PHONE_LABEL_CHARS = 32  # a category label that leaves a 390 px phone room for the plot
PHONE_TITLE_CHARS = 40  # what fits one line of a 390 px phone at the title's font size


LEGEND = {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "xanchor": "left",
          "x": 0.0}  # fmt: skip
"""Legends go under the chart: at the top they wrap into the title on a phone."""


def title_layout(title: str) -> dict:
    """A plotly title that fits a phone: plotly never wraps titles, so a long title's last
    parenthesis (or what follows its first colon) becomes a smaller subtitle line."""
    text, subtitle = title, ""
    if len(title) > PHONE_TITLE_CHARS:
        if title.endswith(")") and " (" in title:
            text, _, rest = title.partition(" (")
            subtitle = rest[:-1]
        elif ": " in title:
            text, _, subtitle = title.partition(": ")
    layout: dict = {"text": text, "x": 0.0, "xanchor": "left"}
    if subtitle:
        layout["subtitle"] = {"text": subtitle}
    return layout


def style(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    """Title (see :func:`title_layout`), axis titles with units, height and margins."""
    fig.update_layout(
        title=title_layout(title),
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hoverlabel={"namelength": -1},
        legend=LEGEND,
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return fig


def short_title(title: str, width: int = 42) -> str:
    return textwrap.shorten(title, width=width, placeholder="…")


def plotly_text(values: Iterable[object]) -> list[str]:
    """Data shown as plain text in a figure: plotly reads a subset of HTML in every label and
    hover text (``<b>``, ``<a href>``…) and LaTeX in a string wrapped in ``$``; this escapes both,
    so a title like ``<b>Heat</b>`` or ``$x$`` shows as typed."""
    out = []
    for value in values:
        text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if text.startswith("$") and text.endswith("$"):
            text = "\u200b" + text  # no longer wrapped in $: plotly does not typeset it
        out.append(text)
    return out
