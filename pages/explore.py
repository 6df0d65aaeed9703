"""Explore: data quality and exploratory analysis, filtered by genre, release year and popularity.

The filters live in the sidebar and in the URL (a shareable view); every number comes from
`recommender.explore` through the caches in `recommender.app.cache`. Only the open tab is computed,
so a filter change re-renders one section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from recommender import explore
from recommender.app.cache import (
    explore_frame,
    explore_headline,
    explore_quality,
    get_explore_bounds,
)
from recommender.app.frame import page_frame, plain
from recommender.app.url_state import FilterWidgets, seed_filter_widgets, write_filters
from recommender.app.user_picker import pick_user
from recommender.data import FilterBounds, MovieFilters, MovieLens
from recommender.data.export import csv_bytes

TABS = ["Ratings", "Popularity", "Genres", "Time", "Top movies", "Tags", "One user", "Data quality"]
WIDGETS = FilterWidgets("explore")
HEADLINE = ("Users", "Movies", "Ratings", "Tags", "Sparsity", "Mean rating", "First rating",
            "Last rating")  # fmt: skip


@dataclass(frozen=True)
class ExploreView:
    """The dataset and the filters one run of the page shows. Every number comes from a cached
    frame: a run whose frames are cached never needs the filtered copy of the data."""

    ml: MovieLens
    filters: MovieFilters

    def frame(self, function: str, *args: Any) -> pd.DataFrame:
        """A cached frame of :data:`recommender.explore.FRAMES` on the filtered view."""
        return explore_frame(self.ml, self.filters, function, *args)

    def size(self) -> dict[str, float]:
        """``movies, ratings, tags, mean_rating`` of the filtered view."""
        return self.frame("view_size").iloc[0].to_dict()


# --- Small building blocks -------------------------------------------------------------------


def download(v: ExploreView, table: pd.DataFrame, name: str) -> None:
    """A CSV download of ``table`` (already with readable column names), written only when the
    button is clicked: a page run never pays for files nobody asked for."""
    st.download_button(
        "Download CSV",
        lambda: csv_bytes(table),
        file_name=f"{v.ml.name}_{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def show_table(v: ExploreView, table: pd.DataFrame, name: str, **options: Any) -> None:
    """A table with readable column names and its CSV download."""
    table = explore.readable_columns(table)
    st.dataframe(table, hide_index=True, width="stretch", **options)
    download(v, table, name)


def show_numbers(
    v: ExploreView, table: pd.DataFrame, name: str, label: str = "Numbers behind this chart"
) -> None:
    """An expander with the table and its CSV download, drawn only while it is open (opening it
    reruns the page): closed, it costs the server and the browser nothing."""
    numbers = st.expander(label, key=f"numbers_{name}", on_change="rerun")
    if numbers.open:
        with numbers:
            show_table(v, table, name)


def show_chart(v: ExploreView, figure: Any, table: pd.DataFrame, name: str) -> None:
    st.plotly_chart(figure, key=f"chart_{name}")
    show_numbers(v, table, name)


def nothing_matches(v: ExploreView, what: str = "ratings") -> bool:
    """Show a message and return True when the filtered view has no ``what``."""
    size = v.size()
    empty = size[what] == 0
    if empty and size["movies"] > 0:  # no movies at all: the warning above the tabs says so
        st.info(
            f"No {what} match the filters ({plain(v.filters.describe())}). Widen them in the "
            "sidebar.",
            icon="🔍",
        )
    return empty


# --- Page sections ---------------------------------------------------------------------------


def render_filters(bounds: FilterBounds) -> tuple[MovieFilters, list[str]]:
    """The sidebar filters, seeded from the URL; returns the filters and URL warnings."""
    warnings = seed_filter_widgets(WIDGETS, bounds)
    with st.sidebar:
        st.subheader("Explore filters")
        st.multiselect(
            "Genres", bounds.genres, key=WIDGETS.genres, placeholder="All genres",
            help="Keep movies that have any of the selected genres.",
        )  # fmt: skip
        st.slider(
            "Release years", min_value=bounds.first_year, max_value=bounds.last_year,
            key=WIDGETS.years,
            help="Keep movies released in these years (inclusive). At the full range, movies "
            "without a year in their title are kept too.",
        )  # fmt: skip
        st.number_input(
            "Minimum ratings per movie", min_value=0, max_value=bounds.max_min_ratings, step=1,
            key=WIDGETS.min_ratings,
            help="Keep movies with at least this many ratings in the whole dataset.",
        )  # fmt: skip
    filters = WIDGETS.filters(bounds)
    write_filters(WIDGETS, filters)
    return filters, warnings


def render_header(v: ExploreView, warnings: list[str]) -> None:
    st.title("🔎 Explore the data")
    st.caption(
        f"Dataset {plain(v.ml.name)} · showing **{plain(v.filters.describe())}**. "
        "The sidebar filters apply to every tab except Data quality and are kept in the URL: "
        "copy it to share this view."
    )
    for warning in warnings:
        st.warning(plain(warning), icon="⚠️")  # echoes URL values: plain text, never markup


def render_headline(v: ExploreView) -> None:
    headline = explore_headline(v.ml, v.filters)
    values = dict(zip(headline["measure"], headline["view"], strict=True))
    totals = dict(zip(headline["measure"], headline["all_data"], strict=True))
    for col, measure in zip([*st.columns(4), *st.columns(4)], HEADLINE, strict=True):
        notes = []
        if measure == "Sparsity":
            notes.append("Share of the users × rated-movies matrix with no rating.")
        if not v.filters.is_default:
            notes.append(f"{totals[measure]} in all the data.")
        col.metric(measure, values[measure], help=" ".join(notes) or None)
    show_numbers(v, headline, "headline_numbers", "Headline numbers: filtered view vs all data")
    if v.size()["movies"] == 0:
        st.warning(
            f"No movies match the filters ({plain(v.filters.describe())}). Widen them in the "
            "sidebar.",
            icon="🔍",
        )


def render_quality(v: ExploreView) -> None:
    """The Data quality tab."""
    checks, missing, changes = explore_quality(v.ml)
    st.caption("Checks run on the whole dataset as loaded, before any filter.")
    problems = checks[checks["fixable"] & (checks["rows"] > 0)]
    if problems.empty and int(missing["missing"].sum()) == 0:
        st.success("No duplicates, off-scale ratings or orphan rows: nothing to clean.")
    elif problems.empty:
        st.info(
            f"No duplicates, off-scale ratings or orphan rows; "
            f"{int(missing['missing'].sum()):,} missing value(s), listed below."
        )
    else:
        found = "; ".join(
            f"{c} ({n:,})" for c, n in zip(problems["check"], problems["rows"], strict=True)
        )
        st.warning(f"Cleaning removes rows that fail {len(problems)} check(s): {plain(found)}.")
    st.subheader("Quality checks")
    show_table(
        v,
        checks,
        "quality_checks",
        column_config={"Example": st.column_config.TextColumn(width="large")},
    )
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Missing values per column")
        # Columns with gaps first: the interesting rows must not hide below the fold.
        missing = missing.sort_values("missing", ascending=False, kind="stable")
        show_table(v, missing, "missing_values", height=35 * len(missing) + 40)
    with right:
        st.subheader("What cleaning changed")
        show_table(
            v,
            changes,
            "cleaning_changes",
            column_config={"Fix": st.column_config.TextColumn(width="medium")},
        )


def render_ratings(v: ExploreView) -> None:
    """The Ratings tab."""
    if nothing_matches(v):
        return
    dist, center = v.frame("rating_distribution"), v.frame("rating_center")
    stats = dict(zip(center["statistic"], center["value"], strict=True))
    st.markdown(
        f"Mean rating **{stats['mean']:.2f} ★**, median **{stats['median']:.1f} ★**. "
        "Whole stars (darker bars) are far more common than half stars."
    )
    show_chart(v, explore.rating_distribution_chart(dist, center), dist, "rating_distribution")
    kinds = v.frame("star_kind_by_year")
    st.markdown(
        "MovieLens only offered half stars from 2003: before that every rating is a whole star."
    )
    show_chart(v, explore.star_kind_chart(kinds), kinds, "whole_vs_half_stars_by_year")


def render_popularity(v: ExploreView) -> None:
    """The Popularity tab."""
    if nothing_matches(v):
        return
    stats = v.frame("long_tail_stats")
    value = stats["value"].to_numpy()
    cols = st.columns(3)
    cols[0].metric(
        "Ratings on the most-rated 10 % of movies",
        f"{value[0]:.1f} %",
        help="Most-rated tenth of the movies in view (rounded up), unrated movies included",
    )
    cols[1].metric(
        "Movies with fewer than 5 ratings",
        f"{value[1]:,.0f}",
        help=f"{value[2]:.1f} % of the movies in view; {value[3]:,.0f} have no rating at all",
    )
    cols[2].metric("Ratings by the most active 10 % of users", f"{value[4]:.1f} %")
    show_numbers(v, stats, "long_tail_statistics", "Numbers behind these statistics")
    left, right = st.columns(2)
    with left:
        per_movie = v.frame("ratings_per_movie")
        show_chart(v, explore.long_tail_chart(per_movie, "movie"), per_movie, "ratings_per_movie")
    with right:
        per_user = v.frame("ratings_per_user")
        show_chart(v, explore.long_tail_chart(per_user, "user"), per_user, "ratings_per_user")


def render_genres(v: ExploreView) -> None:
    """The Genres tab."""
    if nothing_matches(v):
        return
    genre_stats = v.frame("genre_stats")
    show_chart(v, explore.genre_counts_chart(genre_stats), genre_stats, "genre_counts")
    show_chart(
        v, explore.genre_rating_spread_chart(genre_stats), genre_stats, "genre_rating_spread"
    )
    pairs = v.frame("genre_cooccurrence")
    if pairs.empty:
        st.info("None of the movies in view has a genre.")
    else:
        st.markdown(
            "Read a row: of the movies of that genre, the percent that also carry the "
            "column's genre (hover for counts)."
        )
        show_chart(v, explore.genre_cooccurrence_chart(pairs), pairs, "genre_cooccurrence")


def render_time(v: ExploreView) -> None:
    """The Time tab."""
    if nothing_matches(v):
        return
    left, right = st.columns(2)
    with left:
        per_year = v.frame("movies_per_release_year")
        if per_year.empty:
            st.info("None of the movies in view has a release year.")
        else:
            show_chart(v, explore.movies_per_year_chart(per_year), per_year, "movies_per_year")
    with right:
        decades = v.frame("rating_by_release_decade")
        if decades.empty:
            st.info("None of the rated movies in view has a release year.")
        else:
            show_chart(v, explore.decade_rating_chart(decades), decades, "rating_by_decade")
    activity = v.frame("monthly_activity")
    show_chart(v, explore.monthly_activity_chart(activity), activity, "monthly_activity")


def render_top_movies(v: ExploreView) -> None:
    """The Top movies tab."""
    if nothing_matches(v):
        return
    prior = st.slider(
        "Minimum ratings (C)",
        min_value=1,
        max_value=200,
        value=20,
        key="explore_prior",
        help="Movies with fewer ratings are not listed; C is also the weight of the prior.",
    )
    st.markdown(
        r"Bayesian average $= \dfrac{C \cdot m + \sum r}{C + n}$: a movie's $n$ ratings "
        r"(sum $\sum r$) plus $C$ imaginary ratings at the mean $m$ of all ratings in view "
        r"(" + f"{v.size()['mean_rating']:.2f}" + r" ★), so a handful of 5-star "
        "ratings cannot beat hundreds of 4.5s."
    )
    top = v.frame("bayesian_top_movies", prior, 20)
    if top.empty:
        st.info(f"No movie in view has {prior:,} ratings or more: lower C.", icon="🔍")
    else:
        show_chart(v, explore.top_movies_chart(top), top, "top_movies")


def render_tags(v: ExploreView) -> None:
    """The Tags tab."""
    missing = explore.no_tags_reason(v.ml)
    if missing:  # not a matter of filters: say so, not "no tags match the filters"
        st.info(plain(missing), icon="🏷️")
        return
    if nothing_matches(v, "tags"):
        return
    left, right = st.columns(2)
    with left:
        tags = v.frame("top_tags", 20)
        show_chart(v, explore.top_tags_chart(tags), tags, "top_tags")
    with right:
        per_movie = v.frame("tags_per_movie")
        st.caption(
            "Tags are free text that users attach to movies; most movies have none "
            "(the y axis is logarithmic)."
        )
        show_chart(v, explore.tags_per_movie_chart(per_movie), per_movie, "tags_per_movie")


def render_one_user(v: ExploreView) -> None:
    """The One user tab."""
    if nothing_matches(v):
        return
    users = v.frame("user_choices")
    ids = users["userId"].to_numpy()
    counts = users["ratings"].to_numpy()
    user_id = pick_user(
        ids,
        lambda u: f"User {u} ({counts[np.searchsorted(ids, u)]:,} ratings in view)",
        key="explore_user",
        help="Only users with ratings of the movies in view are listed.",
    )
    histogram = v.frame("user_rating_histogram", user_id)
    left, right = st.columns(2)
    with left:
        show_chart(v, explore.user_histogram_chart(histogram, user_id), histogram, "user_histogram")
    with right:
        genres = v.frame("user_genre_preferences", user_id, 3)
        if genres.empty:
            st.info(f"User {user_id} has fewer than 3 ratings in every genre in view.")
        else:
            show_chart(v, explore.user_genres_chart(genres, user_id), genres, "user_genres")
    st.subheader(f"User {user_id}'s most recent ratings")
    recent = v.frame("user_recent_ratings", user_id, 10)
    show_table(
        v,
        recent,
        "user_recent_ratings",
        column_config={
            "Rated at (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
            "Rating (★)": st.column_config.NumberColumn(format="%.1f ★"),
        },
    )


RENDER_TAB = {
    "Ratings": render_ratings,
    "Popularity": render_popularity,
    "Genres": render_genres,
    "Time": render_time,
    "Top movies": render_top_movies,
    "Tags": render_tags,
    "One user": render_one_user,
    "Data quality": render_quality,
}


def render_tabs(v: ExploreView) -> None:
    """The tabs; only the open one is computed. The open tab is kept in the URL (``tab=``)."""
    for label, tab in zip(TABS, st.tabs(TABS, key="tab", bind="query-params"), strict=True):
        with tab:
            if tab.open:
                RENDER_TAB[label](v)


ml = page_frame("Explore", "🔎")
filters, url_warnings = render_filters(get_explore_bounds(ml))
view = ExploreView(ml, filters)
render_header(view, url_warnings)
render_headline(view)
render_tabs(view)
