"""Explore figures about ratings and users (one builder per frame of :mod:`~.ratings` / :mod:`~.users`).

Each builder takes the tidy frame its frame function returns and gives a figure with a title, axis
titles with units and hover text with the exact numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recommender.explore.chart_style import ACCENT, MUTED, PRIMARY, plotly_text, style

__all__ = [
    "long_tail_chart",
    "rating_distribution_chart",
    "star_kind_chart",
    "user_genres_chart",
    "user_histogram_chart",
]


# --------------------------------------------------------------------------------------------
# Ratings


def rating_distribution_chart(dist: pd.DataFrame, center: pd.DataFrame) -> go.Figure:
    """Bars of ratings per half star, with the mean and median marked."""
    fig = go.Figure(
        go.Bar(
            x=dist["rating"],
            y=dist["ratings"],
            customdata=np.column_stack([100 * dist["share"]]),
            marker_color=[PRIMARY if r % 1 == 0 else "#7FA7D6" for r in dist["rating"]],
            hovertemplate="%{x:.1f} ★: %{y:,} ratings (%{customdata[0]:.1f} %)<extra></extra>",
            name="Ratings",
        )
    )
    stats = dict(zip(center["statistic"], center["value"], strict=True))
    top = float(dist["ratings"].max()) * 1.05 if len(dist) else 1.0
    for name, dash, digits in (("Mean", "dash", 2), ("Median", "dot", 1)):
        value = stats.get(name.lower())
        if value is not None and np.isfinite(value):
            fig.add_trace(
                go.Scatter(
                    x=[value, value],
                    y=[0, top],
                    mode="lines",
                    line={
                        "color": ACCENT if name == "Mean" else "#2E2E2E",
                        "dash": dash,
                        "width": 2,
                    },
                    name=f"{name} {value:.{digits}f} ★",
                    hovertemplate=f"{name}: {value:.3f} ★<extra></extra>",
                )
            )
    fig.update_xaxes(
        tickmode="array", tickvals=dist["rating"], ticktext=[f"{r:g}" for r in dist["rating"]]
    )
    return style(fig, "Rating distribution (half-star steps)", "Rating (stars)", "Ratings (count)")


def star_kind_chart(frame: pd.DataFrame) -> go.Figure:
    """Whole- vs half-star ratings per year (stacked bars) and the half-star share (line)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for column, name, colour in (
        ("whole_star", "Whole-star ratings", PRIMARY),
        ("half_star", "Half-star ratings", ACCENT),
    ):
        fig.add_trace(
            go.Bar(
                x=frame["year"],
                y=frame[column],
                name=name,
                marker_color=colour,
                hovertemplate=f"%{{x}}: %{{y:,}} {name.lower()}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=frame["year"],
            y=100 * frame["half_star_share"],
            name="Half-star share",
            mode="lines+markers",
            line_color="#2E2E2E",
            hovertemplate="%{x}: %{y:.1f} % of ratings are half stars<extra></extra>",
        ),
        secondary_y=True,
    )
    first_half = frame.loc[frame["half_star"] > 0, "year"]
    if len(first_half):
        year = int(first_half.iloc[0])
        fig.add_vline(
            x=year - 0.5,
            line_dash="dot",
            line_color=MUTED,
            annotation_text=f"first half stars ({year})",
            annotation_position="top right",  # left of the line it met the y axis on a phone
        )
    fig.update_layout(barmode="stack")
    # every year shown gets its label (dtick 2 left a two-year dataset such as ml-100k with one),
    # small enough for 30 years on a phone; the range is the years (autorange added empty ones)
    years = frame["year"].tolist()
    fig.update_xaxes(tickmode="array", tickvals=years, tickformat="d", tickfont_size=10)
    if years:
        fig.update_xaxes(range=[min(years) - 0.6, max(years) + 0.6])
    fig.update_yaxes(
        range=[0, 105], tickmode="linear", tick0=0, dtick=20, secondary_y=True, showgrid=False
    )
    style(fig, "Whole vs half stars by year of rating", "Year of rating", "Ratings (count)")
    fig.update_yaxes(title_text="Half-star share (%)", secondary_y=True)
    return fig


# --------------------------------------------------------------------------------------------
# Long tail


LONG_TAIL_POINTS = 2_000
"""Most points a long-tail curve draws."""


def _log_spaced(frame: pd.DataFrame, points: int) -> pd.DataFrame:
    """At most about ``points`` rows of ``frame`` (ranked, rank 1 first), evenly spaced in
    log(rank), always with the first and the last."""
    if len(frame) <= points:
        return frame
    ranks = np.unique(np.geomspace(1, len(frame), points).round().astype(np.int64))
    return frame.iloc[ranks - 1]


def long_tail_chart(frame: pd.DataFrame, entity: str) -> go.Figure:
    """Ratings per user or per movie against rank, both axes logarithmic.

    ``entity`` is ``"movie"`` (frame from ``ratings_per_movie``, with titles) or ``"user"``.
    Above :data:`LONG_TAIL_POINTS` ranks, points evenly spaced on the log axis are drawn (the
    first and last included): the same curve, without sending 200,948 points at ml-32m.
    """
    frame = _log_spaced(frame, LONG_TAIL_POINTS)
    if entity == "movie":
        names = frame["title"].astype("str").to_numpy()
        hover = "#%{x:,}: %{customdata[0]}<br>%{y:,} ratings<br>top %{x:,} hold %{customdata[1]:.1f} % of ratings<extra></extra>"
    else:
        names = ("user " + frame["userId"].astype("str")).to_numpy()
        hover = "#%{x:,}: %{customdata[0]}<br>%{y:,} ratings<br>top %{x:,} gave %{customdata[1]:.1f} % of ratings<extra></extra>"
    fig = go.Figure(
        go.Scatter(
            x=frame["rank"],
            y=frame["ratings"],
            mode="lines+markers",
            marker={"size": 4, "color": PRIMARY},
            line={"color": PRIMARY},
            customdata=np.column_stack([names, 100 * frame["cumulative_share"].to_numpy()]),
            hovertemplate=hover,
            name=f"Ratings per {entity}",
        )
    )
    # Only powers of ten as labels: minor "2" and "5" ticks read as values on a log axis.
    fig.update_xaxes(type="log", dtick=1, tickformat=",")
    fig.update_yaxes(type="log", dtick=1, tickformat=",")
    plural = "movies" if entity == "movie" else "users"
    fig.update_layout(showlegend=False)
    return style(
        fig,
        f"Ratings per {entity}: the long tail of {plural}",
        f"Rank of the {entity} (1 = most {'rated' if entity == 'movie' else 'active'}, log scale)",
        f"Ratings per {entity} (count, log scale)",
        height=380,
    )


def user_histogram_chart(frame: pd.DataFrame, user_id: int) -> go.Figure:
    fig = go.Figure()
    for who, colour in (("This user", PRIMARY), ("Everyone", ACCENT)):
        part = frame[frame["who"] == who]
        fig.add_trace(
            go.Bar(
                x=part["rating"],
                y=100 * part["share"],
                name=f"User {user_id}" if who == "This user" else who,
                marker_color=colour,
                customdata=np.column_stack([part["ratings"]]),
                hovertemplate=f"{'User ' + str(user_id) if who == 'This user' else who}: "
                "%{x:.1f} ★ is %{y:.1f} % of ratings (%{customdata[0]:,})<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickmode="array", tickvals=list(np.arange(0.5, 5.01, 0.5)))
    return style(
        fig,
        f"User {user_id}'s ratings against everyone's",
        "Rating (stars)",
        "Share of their ratings (%)",
        height=380,
    )


def user_genres_chart(frame: pd.DataFrame, user_id: int) -> go.Figure:
    frame = frame.iloc[::-1]  # best-liked genre on top
    fig = go.Figure(
        go.Bar(
            y=plotly_text(frame["genre"]),
            x=frame["mean_rating"],
            orientation="h",
            marker_color=PRIMARY,
            name=f"User {user_id}",
            customdata=np.column_stack([frame["ratings"], frame["everyone_mean"]]),
            hovertemplate="%{y}: mean %{x:.2f} ★ over %{customdata[0]:,} ratings (everyone: %{customdata[1]:.2f} ★)<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=plotly_text(frame["genre"]),
            x=frame["everyone_mean"],
            mode="markers",
            marker={"color": ACCENT, "size": 9, "symbol": "diamond"},
            name="Everyone",
            hovertemplate="%{y}: everyone's mean %{x:.2f} ★<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 5.1])
    return style(
        fig,
        f"User {user_id}'s favourite genres (mean rating)",
        "Mean rating (stars)",
        "Genre",
        height=max(340, 24 * len(frame) + 130),
    )
