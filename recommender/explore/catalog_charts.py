"""Explore figures about the movies: genres, release time, top movies and tags (frames of
:mod:`~.catalog`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recommender.explore.chart_style import (
    ACCENT,
    MUTED,
    PHONE_LABEL_CHARS,
    PRIMARY,
    plotly_text,
    short_title,
    style,
    title_layout,
)

__all__ = [
    "decade_rating_chart",
    "genre_cooccurrence_chart",
    "genre_counts_chart",
    "genre_rating_spread_chart",
    "monthly_activity_chart",
    "movies_per_year_chart",
    "tags_per_movie_chart",
    "top_movies_chart",
    "top_tags_chart",
]


# --------------------------------------------------------------------------------------------
# Genres


def genre_counts_chart(stats: pd.DataFrame) -> go.Figure:
    """Movies and ratings per genre, side by side, most-rated genre on top."""
    stats = stats.sort_values("ratings", kind="stable")
    # no subplot titles: side by side they collide on a phone; the x-axis titles say it all
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03)
    for col, column, colour in ((1, "movies", PRIMARY), (2, "ratings", ACCENT)):
        fig.add_trace(
            go.Bar(
                y=plotly_text(stats["genre"]),
                x=stats[column],
                orientation="h",
                marker_color=colour,
                name=column.capitalize(),
                hovertemplate=f"%{{y}}: %{{x:,}} {column}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_xaxes(title_text="Movies (count)", row=1, col=1)
    fig.update_xaxes(title_text="Ratings (count)", row=1, col=2)
    height = max(360, 26 * len(stats) + 120)
    fig.update_layout(
        title=title_layout("Movies and ratings per genre (a movie counts in each of its genres)"),
        height=height,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"namelength": -1},
    )
    fig.update_yaxes(title_text="Genre", row=1, col=1)
    return fig


def genre_rating_spread_chart(stats: pd.DataFrame) -> go.Figure:
    """Box per genre from the precomputed quartiles and whiskers, with the mean ± std. dev."""
    stats = stats[stats["ratings"] > 0].sort_values("mean_rating", kind="stable")
    fig = go.Figure(
        go.Box(
            y=plotly_text(stats["genre"]),
            q1=stats["q1"],
            median=stats["median"],
            q3=stats["q3"],
            lowerfence=stats["lower_whisker"],
            upperfence=stats["upper_whisker"],
            mean=stats["mean_rating"],
            sd=stats["std_rating"].fillna(0),
            orientation="h",
            marker_color=PRIMARY,
            fillcolor="rgba(59,110,168,0.25)",
            name="Ratings",
            hoverinfo="y+x",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=plotly_text(stats["genre"]),
            x=stats["mean_rating"],
            mode="markers",
            marker={"color": ACCENT, "size": 8, "symbol": "diamond"},
            customdata=np.column_stack([stats["std_rating"].fillna(0), stats["ratings"]]),
            hovertemplate="%{y}: mean %{x:.3f} ★ ± %{customdata[0]:.2f} (std. dev.), %{customdata[1]:,} ratings<extra></extra>",
            name="Mean",
        )
    )
    height = max(360, 26 * len(stats) + 120)
    fig.update_xaxes(range=[0.4, 5.1], dtick=0.5)
    return style(
        fig,
        "Rating spread per genre (sorted by mean rating; box: quartiles and whiskers; ◆ mean)",
        "Rating (stars)",
        "Genre",
        height=height,
    )


def genre_cooccurrence_chart(frame: pd.DataFrame) -> go.Figure:
    """Heatmap: of the row genre's movies, the percent that also have the column genre."""
    order = (
        frame[frame["genre"] == frame["other_genre"]]
        .sort_values("movies", ascending=False, kind="stable")["genre"]
        .tolist()
    )
    share = frame.pivot(index="genre", columns="other_genre", values="share_of_genre")
    counts = frame.pivot(index="genre", columns="other_genre", values="movies")
    share = share.reindex(index=order, columns=order) * 100
    counts = counts.reindex(index=order, columns=order)
    z = share.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(z, np.nan)  # always 100 %: would only stretch the colour scale
    totals = np.diag(counts.to_numpy())
    custom = np.dstack([counts.to_numpy(), np.repeat(totals[:, None], len(order), axis=1)])
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=plotly_text(order),
            y=plotly_text(order),
            customdata=custom,  # no numbers in the cells: unreadable on a phone; hover or the table
            colorscale="Blues",
            zmin=0,
            colorbar={"title": {"text": "% of row genre"}},
            hoverongaps=False,
            hovertemplate=(
                "%{customdata[0]:,} of the %{customdata[1]:,} %{y} movies are also %{x}"
                "<br>(%{z:.1f} %)<extra></extra>"
            ),
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-45)
    size = max(420, 30 * len(order) + 160)
    return style(
        fig,
        "Genre co-occurrence: % of the row genre's movies that also have the column genre",
        "Also has genre",
        "Movies of genre",
        height=size,
    )


# --------------------------------------------------------------------------------------------
# Time


def movies_per_year_chart(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=frame["year"],
            y=frame["movies"],
            marker_color=PRIMARY,
            hovertemplate="%{x}: %{y:,} movies<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat="d", dtick=10)
    return style(fig, "Movies per release year", "Release year", "Movies (count)", height=360)


def decade_rating_chart(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Scatter(
            x=frame["decade_label"],
            y=frame["mean_rating"],
            mode="lines+markers+text",
            text=[f"{v:.2f}" for v in frame["mean_rating"]],
            textposition="top center",
            marker={"size": 9, "color": PRIMARY},
            line={"color": PRIMARY},
            customdata=np.column_stack([frame["movies"], frame["ratings"]]),
            hovertemplate="Movies of the %{x}: mean %{y:.3f} ★<br>%{customdata[1]:,} ratings of %{customdata[0]:,} movies<extra></extra>",
        )
    )
    lo = float(frame["mean_rating"].min())
    hi = float(frame["mean_rating"].max())
    fig.update_yaxes(range=[max(0.5, lo - 0.3), min(5.0, hi + 0.3)])
    return style(
        fig, "Mean rating by release decade", "Release decade", "Mean rating (stars)", height=360
    )


def monthly_activity_chart(frame: pd.DataFrame) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=frame["month"],
            y=frame["ratings"],
            name="Ratings",
            marker_color=PRIMARY,
            hovertemplate="%{x|%b %Y}: %{y:,} ratings<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=frame["month"],
            y=frame["active_users"],
            name="Active users",
            mode="lines",
            line={"color": ACCENT, "width": 1.5},
            hovertemplate="%{x|%b %Y}: %{y:,} active users<extra></extra>",
        ),
        secondary_y=True,
    )
    style(fig, "Rating activity per month", "Month of rating (UTC)", "Ratings (count)")
    fig.update_xaxes(type="date", tickformat="%Y", dtick="M24")
    fig.update_yaxes(
        title_text="Active users (count)",
        secondary_y=True,
        showgrid=False,
        rangemode="tozero",
        tickmode="auto",
    )
    return fig


# --------------------------------------------------------------------------------------------
# Top movies, tags, one user


def top_movies_chart(frame: pd.DataFrame) -> go.Figure:
    """Dot plot (not bars: the axis does not start at 0) of Bayesian average vs plain mean."""
    titles = plotly_text(frame["title"])
    # shortened before escaping (never cut inside "&amp;"); short enough to leave a phone a plot
    labels = plotly_text(
        f"{r}. {short_title(str(t), PHONE_LABEL_CHARS)}"
        for r, t in zip(frame["rank"], frame["title"], strict=True)
    )
    custom = np.column_stack([titles, frame["ratings"], frame["mean_rating"]])
    fig = go.Figure()
    for pair in zip(frame["bayesian_average"], frame["mean_rating"], labels, strict=True):
        fig.add_trace(
            go.Scatter(
                x=pair[:2],
                y=[pair[2], pair[2]],
                mode="lines",
                line={"color": MUTED, "width": 1},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=frame["bayesian_average"],
            mode="markers+text",
            marker={"color": PRIMARY, "size": 11},
            name="Bayesian average",
            customdata=custom,
            text=[f"{v:.2f}" for v in frame["bayesian_average"]],
            textposition="middle left",
            hovertemplate="%{customdata[0]}<br>Bayesian average %{x:.3f} ★<br>"
            "mean %{customdata[2]:.3f} ★ over %{customdata[1]:,} ratings<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=frame["mean_rating"],
            mode="markers",
            marker={"color": ACCENT, "size": 9, "symbol": "diamond"},
            name="Plain mean",
            customdata=custom,
            hovertemplate="%{customdata[0]}<br>plain mean %{x:.3f} ★ over "
            "%{customdata[1]:,} ratings<extra></extra>",
        )
    )
    lo = float(min(frame["bayesian_average"].min(), frame["mean_rating"].min()))
    fig.update_xaxes(range=[max(0.0, lo - 0.25), 5.05])
    fig.update_yaxes(autorange="reversed")
    return style(
        fig,
        "Top movies by Bayesian-average rating",
        "Rating (stars)",
        "",
        height=max(360, 24 * len(frame) + 130),
    )


def top_tags_chart(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            y=plotly_text(frame["tag"]),
            x=frame["uses"],
            orientation="h",
            marker_color=PRIMARY,
            customdata=np.column_stack([frame["movies"], frame["users"]]),
            hovertemplate="“%{y}”: used %{x:,} times on %{customdata[0]:,} movies by %{customdata[1]:,} users<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return style(
        fig,
        "Most used tags (case-insensitive)",
        "Uses (count)",
        "Tag",
        height=max(360, 22 * len(frame) + 130),
    )


def tags_per_movie_chart(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=frame["tags"],
            y=frame["movies"],
            marker_color=PRIMARY,
            customdata=np.column_stack([100 * frame["share"]]),
            hovertemplate="%{x} tags: %{y:,} movies (%{customdata[0]:.1f} %)<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(type="log", dtick=1, tickformat=",")
    return style(
        fig, "Tags per movie", "Tags on the movie (count)", "Movies (count, log scale)", height=380
    )
