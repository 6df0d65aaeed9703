"""Plotly figures: the Explore page (one builder per :mod:`recommender.eda` frame) and Compare models.

Each builder takes the tidy frame its eda function returns and gives a figure with a title, axis
titles with units and hover text with the exact numbers. Callers show a message instead of calling
a builder with an empty frame. :func:`readable_columns` renames a frame's columns for tables.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def _style(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
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


def _short(title: str, width: int = 42) -> str:
    return textwrap.shorten(title, width=width, placeholder="…")


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
    return _style(fig, "Rating distribution (half-star steps)", "Rating (stars)", "Ratings (count)")


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
            annotation_position="top left",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat="d", dtick=2)
    fig.update_yaxes(
        range=[0, 105], tickmode="linear", tick0=0, dtick=20, secondary_y=True, showgrid=False
    )
    _style(fig, "Whole vs half stars by year of rating", "Year of rating", "Ratings (count)")
    fig.update_yaxes(title_text="Half-star share (%)", secondary_y=True)
    return fig


# --------------------------------------------------------------------------------------------
# Long tail


def long_tail_chart(frame: pd.DataFrame, entity: str) -> go.Figure:
    """Ratings per user or per movie against rank, both axes logarithmic.

    ``entity`` is ``"movie"`` (frame from ``ratings_per_movie``, with titles) or ``"user"``.
    """
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
    return _style(
        fig,
        f"Ratings per {entity}: the long tail of {plural}",
        f"Rank of the {entity} (1 = most {'rated' if entity == 'movie' else 'active'}, log scale)",
        f"Ratings per {entity} (count, log scale)",
        height=380,
    )


# --------------------------------------------------------------------------------------------
# Genres


def genre_counts_chart(stats: pd.DataFrame) -> go.Figure:
    """Movies and ratings per genre, side by side, most-rated genre on top."""
    stats = stats.sort_values("ratings", kind="stable")
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03,
        subplot_titles=("Movies per genre", "Ratings per genre"),
    )  # fmt: skip
    for col, column, colour in ((1, "movies", PRIMARY), (2, "ratings", ACCENT)):
        fig.add_trace(
            go.Bar(
                y=stats["genre"],
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
        title={
            "text": "Movies and ratings per genre (a movie counts in each of its genres)",
            "x": 0.0,
        },
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
            y=stats["genre"],
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
            y=stats["genre"],
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
    return _style(
        fig,
        "Rating spread per genre (box: quartiles and whiskers; ◆ mean), by mean rating",
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
    text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.0f}")(np.nan_to_num(z)))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=order,
            y=order,
            customdata=custom,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
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
    return _style(
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
    return _style(fig, "Movies per release year", "Release year", "Movies (count)", height=360)


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
    return _style(
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
    _style(fig, "Rating activity per month", "Month of rating (UTC)", "Ratings (count)")
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
    labels = [f"{r}. {_short(t)}" for r, t in zip(frame["rank"], frame["title"], strict=True)]
    custom = np.column_stack([frame["title"], frame["ratings"], frame["mean_rating"]])
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
    return _style(
        fig,
        "Top movies by Bayesian-average rating",
        "Rating (stars)",
        "",
        height=max(360, 24 * len(frame) + 130),
    )


def top_tags_chart(frame: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            y=frame["tag"],
            x=frame["uses"],
            orientation="h",
            marker_color=PRIMARY,
            customdata=np.column_stack([frame["movies"], frame["users"]]),
            hovertemplate="“%{y}”: used %{x:,} times on %{customdata[0]:,} movies by %{customdata[1]:,} users<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _style(
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
    return _style(
        fig, "Tags per movie", "Tags on the movie (count)", "Movies (count, log scale)", height=380
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
    return _style(
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
            y=frame["genre"],
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
            y=frame["genre"],
            x=frame["everyone_mean"],
            mode="markers",
            marker={"color": ACCENT, "size": 9, "symbol": "diamond"},
            name="Everyone",
            hovertemplate="%{y}: everyone's mean %{x:.2f} ★<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 5.1])
    return _style(
        fig,
        f"User {user_id}'s favourite genres (mean rating)",
        "Mean rating (stars)",
        "Genre",
        height=max(340, 24 * len(frame) + 130),
    )


# --------------------------------------------------------------------------------------------
# Compare models: figures of an evaluation summary table (recommender.evaluation.summary_table)


def _metric_unit(metric: str) -> str:
    if metric.endswith("seconds"):
        return " (s)"
    if metric == "mean_popularity":
        return " (training ratings)"
    if metric in ("rmse", "mae"):
        return " (stars)"
    return ""


def model_metric_chart(
    table: pd.DataFrame, metric: str, metric_name: str, n_folds: int, lower_is_better: bool
) -> go.Figure:
    """Dot per model (mean over folds) with ±1 std whiskers, best model on top.

    Dots, not bars: differences between models are small next to the distance from zero.
    """
    chart = table.dropna(subset=[metric]).sort_values(metric, ascending=lower_is_better)
    fig = go.Figure(
        go.Scatter(
            x=chart[metric],
            y=chart["model"],
            mode="markers",
            marker={"size": 9, "color": PRIMARY},
            error_x={"type": "data", "array": chart[f"{metric}_std"], "visible": True},
            customdata=np.stack([chart[f"{metric}_std"], chart["folds"]], axis=-1),
            hovertemplate="%{y}<br>mean %{x:.4f} ± %{customdata[0]:.4f} (std over "
            "%{customdata[1]} folds)<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"{metric_name} per model (dot = mean over {n_folds} folds, whiskers = ±1 std)",
        xaxis_title=f"{metric_name}{_metric_unit(metric)}",
        yaxis_title="Model",
        yaxis={"autorange": "reversed"},
        height=max(320, 28 * len(chart) + 140),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig


def accuracy_cost_chart(table: pd.DataFrame, kind: pd.Series) -> go.Figure:
    """RMSE against fit + test time per fold, one colour per kind of model."""
    fig = go.Figure()
    for name, part in table.groupby(kind, sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["total_seconds"],
                y=part["rmse"],
                mode="markers",
                name=str(name),
                marker={"size": 11},
                text=part["model"],
                customdata=np.stack([part["fit_seconds"], part["test_seconds"]], axis=-1),
                hovertemplate="%{text}<br>RMSE %{y:.4f}<br>fit %{customdata[0]:.2f} s + test "
                "%{customdata[1]:.2f} s per fold<extra></extra>",
            )
        )
    fig.update_layout(
        title="RMSE against fit + test time per fold",
        xaxis_title="Fit + test time per fold (s)",
        yaxis_title="RMSE (stars, lower is better)",
        legend_title="Kind",
        height=420,
    )
    return fig
