"""Explore: data quality and exploratory analysis, filtered by genre, release year and popularity.

The filters live in the sidebar and in the URL (shareable view); every number comes from
`recommender.eda` through the caches in `recommender.cache`, every figure from `recommender.charts`.
Only the open tab is computed, so a filter change re-renders one section.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender import charts
from recommender.cache import (
    ensure_app_navigation,
    explore_frame,
    explore_headline,
    explore_quality,
    get_explore_bounds,
    get_explore_view,
    get_movielens,
)
from recommender.filters import QUERY_KEYS, make_filters, parse_query_params, to_query_params

GENRES_KEY, YEARS_KEY, MIN_RATINGS_KEY = "explore_genres", "explore_years", "explore_min_ratings"
URL_STATE_KEY = "explore_url_written"
TABS = ["Data quality", "Ratings", "Popularity", "Genres", "Time", "Top movies", "Tags", "One user"]

ensure_app_navigation()
ml = get_movielens()
bounds = get_explore_bounds(ml)
full_years = (bounds.first_year, bounds.last_year)


# --- Filters: URL -> widgets on a new URL, widgets -> URL after every change -----------------

url_params = {k: st.query_params.get_all(k) for k in QUERY_KEYS if k in st.query_params}
written = {k: [v] for k, v in st.session_state.get(URL_STATE_KEY, {}).items()}
url_warnings: list[str] = []
widgets_missing = any(k not in st.session_state for k in (GENRES_KEY, YEARS_KEY, MIN_RATINGS_KEY))
if URL_STATE_KEY not in st.session_state or url_params != written or widgets_missing:
    from_url, url_warnings = parse_query_params(url_params, bounds)
    st.session_state[GENRES_KEY] = list(from_url.genres)
    st.session_state[YEARS_KEY] = from_url.years or full_years
    st.session_state[MIN_RATINGS_KEY] = from_url.min_ratings

with st.sidebar:
    st.subheader("Explore filters")
    st.multiselect(
        "Genres",
        bounds.genres,
        key=GENRES_KEY,
        placeholder="All genres",
        help="Keep movies that have any of the selected genres.",
    )
    st.slider(
        "Release years",
        min_value=bounds.first_year,
        max_value=bounds.last_year,
        key=YEARS_KEY,
        help="Keep movies released in these years (inclusive). At the full range, movies "
        "without a year in their title are kept too.",
    )
    st.number_input(
        "Minimum ratings per movie",
        min_value=0,
        max_value=bounds.max_min_ratings,
        step=1,
        key=MIN_RATINGS_KEY,
        help="Keep movies with at least this many ratings in the whole dataset.",
    )

filters = make_filters(
    bounds,
    st.session_state[GENRES_KEY],
    tuple(st.session_state[YEARS_KEY]),
    st.session_state[MIN_RATINGS_KEY],
)
new_params = to_query_params(filters)
for name in QUERY_KEYS:
    if name in new_params:
        if st.query_params.get_all(name) != [new_params[name]]:
            st.query_params[name] = new_params[name]
    elif name in st.query_params:
        del st.query_params[name]
st.session_state[URL_STATE_KEY] = new_params

view = get_explore_view(ml, filters)


def frame(function: str, *args) -> pd.DataFrame:
    """A cached `recommender.eda` frame of the filtered view."""
    return explore_frame(ml, filters, function, *args)


def download(table: pd.DataFrame, name: str) -> None:
    """A CSV download of ``table`` (already with readable column names)."""
    st.download_button(
        "Download CSV",
        table.to_csv(index=False).encode("utf-8"),
        file_name=f"{ml.name}_{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def show_table(table: pd.DataFrame, name: str, **options) -> None:
    """A table with readable column names and its CSV download."""
    table = charts.readable_columns(table)
    st.dataframe(table, hide_index=True, width="stretch", **options)
    download(table, name)


def show_numbers(table: pd.DataFrame, name: str, label: str = "Numbers behind this chart") -> None:
    """An expander with the table and its CSV download."""
    with st.expander(label):
        show_table(table, name)


def show_chart(figure, table: pd.DataFrame, name: str) -> None:
    st.plotly_chart(figure, key=f"chart_{name}")
    show_numbers(table, name)


def nothing_matches(what: str = "ratings") -> bool:
    """Show a message and return True when the filtered view has no ``what``."""
    empty = view.ratings.empty if what == "ratings" else view.tags.empty
    if empty and not view.movies.empty:  # no movies at all: the warning above the tabs says so
        st.info(
            f"No {what} match the filters ({filters.describe()}). Widen them in the sidebar.",
            icon="🔍",
        )
    return empty


# --- Page -------------------------------------------------------------------------------------

st.title("🔎 Explore the data")
st.caption(
    f"Dataset `{ml.name}` · showing **{filters.describe()}**. "
    "The sidebar filters apply to every tab except Data quality and are kept in the URL: "
    "copy it to share this view."
)
for warning in url_warnings:
    st.warning(warning, icon="⚠️")

headline = explore_headline(ml, filters)
values = dict(zip(headline["measure"], headline["view"], strict=True))
totals = dict(zip(headline["measure"], headline["all_data"], strict=True))
row1, row2 = st.columns(4), st.columns(4)
for col, measure in zip(
    [*row1, *row2],
    (
        "Users",
        "Movies",
        "Ratings",
        "Tags",
        "Sparsity",
        "Mean rating",
        "First rating",
        "Last rating",
    ),
    strict=True,
):
    col.metric(
        measure,
        values[measure],
        help=" ".join(
            [
                "Share of the users × rated-movies matrix with no rating."
                * (measure == "Sparsity"),
                f"{totals[measure]} in all the data." * (not filters.is_default),
            ]
        ).strip()
        or None,
    )
show_numbers(headline, "headline_numbers", "Headline numbers: filtered view vs all data")
if view.movies.empty:
    st.warning(
        f"No movies match the filters ({filters.describe()}). Widen them in the sidebar.",
        icon="🔍",
    )

tabs = dict(zip(TABS, st.tabs(TABS, key="tab", bind="query-params"), strict=True))

with tabs["Data quality"]:
    if tabs["Data quality"].open:
        checks, missing, changes = explore_quality(ml)
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
            st.warning(f"{len(problems)} check(s) found rows that cleaning removes: see below.")
        st.subheader("Quality checks")
        show_table(
            checks,
            "quality_checks",
            column_config={"Example": st.column_config.TextColumn(width="large")},
        )
        left, right = st.columns([2, 3])
        with left:
            st.subheader("Missing values per column")
            # Columns with gaps first: the interesting rows must not hide below the fold.
            missing = missing.sort_values("missing", ascending=False, kind="stable")
            show_table(missing, "missing_values", height=35 * len(missing) + 40)
        with right:
            st.subheader("What cleaning changed")
            show_table(
                changes,
                "cleaning_changes",
                column_config={"Fix": st.column_config.TextColumn(width="medium")},
            )

with tabs["Ratings"]:
    if tabs["Ratings"].open and not nothing_matches():
        dist, center = frame("rating_distribution"), frame("rating_center")
        stats = dict(zip(center["statistic"], center["value"], strict=True))
        st.markdown(
            f"Mean rating **{stats['mean']:.2f} ★**, median **{stats['median']:.1f} ★**. "
            "Whole stars (darker bars) are far more common than half stars."
        )
        show_chart(charts.rating_distribution_chart(dist, center), dist, "rating_distribution")
        kinds = frame("star_kind_by_year")
        st.markdown(
            "MovieLens only offered half stars from 2003: before that every rating is a whole star."
        )
        show_chart(charts.star_kind_chart(kinds), kinds, "whole_vs_half_stars_by_year")

with tabs["Popularity"]:
    if tabs["Popularity"].open and not nothing_matches():
        stats = frame("long_tail_stats")
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
        show_numbers(stats, "long_tail_statistics", "Numbers behind these statistics")
        left, right = st.columns(2)
        with left:
            per_movie = frame("ratings_per_movie")
            show_chart(charts.long_tail_chart(per_movie, "movie"), per_movie, "ratings_per_movie")
        with right:
            per_user = frame("ratings_per_user")
            show_chart(charts.long_tail_chart(per_user, "user"), per_user, "ratings_per_user")

with tabs["Genres"]:
    if tabs["Genres"].open and not nothing_matches():
        genre_stats = frame("genre_stats")
        show_chart(charts.genre_counts_chart(genre_stats), genre_stats, "genre_counts")
        show_chart(
            charts.genre_rating_spread_chart(genre_stats), genre_stats, "genre_rating_spread"
        )
        pairs = frame("genre_cooccurrence")
        if pairs.empty:
            st.info("None of the movies in view has a genre.")
        else:
            st.markdown(
                "Read a row: of the movies of that genre, the percent that also carry the "
                "column's genre (hover for counts)."
            )
            show_chart(charts.genre_cooccurrence_chart(pairs), pairs, "genre_cooccurrence")

with tabs["Time"]:
    if tabs["Time"].open and not nothing_matches():
        left, right = st.columns(2)
        with left:
            per_year = frame("movies_per_release_year")
            if per_year.empty:
                st.info("None of the movies in view has a release year.")
            else:
                show_chart(charts.movies_per_year_chart(per_year), per_year, "movies_per_year")
        with right:
            decades = frame("rating_by_release_decade")
            if decades.empty:
                st.info("None of the rated movies in view has a release year.")
            else:
                show_chart(charts.decade_rating_chart(decades), decades, "rating_by_decade")
        activity = frame("monthly_activity")
        show_chart(charts.monthly_activity_chart(activity), activity, "monthly_activity")

with tabs["Top movies"]:
    if tabs["Top movies"].open and not nothing_matches():
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
            r"(" + f"{view.ratings['rating'].mean():.2f}" + r" ★), so a handful of 5-star "
            "ratings cannot beat hundreds of 4.5s."
        )
        top = frame("bayesian_top_movies", prior, 20)
        if top.empty:
            st.info(f"No movie in view has {prior:,} ratings or more: lower C.", icon="🔍")
        else:
            show_chart(charts.top_movies_chart(top), top, "top_movies")

with tabs["Tags"]:
    if tabs["Tags"].open and not nothing_matches("tags"):
        left, right = st.columns(2)
        with left:
            tags = frame("top_tags", 20)
            show_chart(charts.top_tags_chart(tags), tags, "top_tags")
        with right:
            per_movie = frame("tags_per_movie")
            st.caption(
                "Tags are free text that users attach to movies; most movies have none "
                "(the y axis is logarithmic)."
            )
            show_chart(charts.tags_per_movie_chart(per_movie), per_movie, "tags_per_movie")

with tabs["One user"]:
    if tabs["One user"].open and not nothing_matches():
        users = frame("user_choices")
        counts = dict(zip(users["userId"], users["ratings"], strict=True))
        user_id = st.selectbox(
            "User",
            users["userId"].tolist(),
            format_func=lambda u: f"User {u} ({counts[u]:,} ratings in view)",
            key="explore_user",
            help="Only users with ratings of the movies in view are listed.",
        )
        histogram = frame("user_rating_histogram", user_id)
        left, right = st.columns(2)
        with left:
            show_chart(charts.user_histogram_chart(histogram, user_id), histogram, "user_histogram")
        with right:
            genres = frame("user_genre_preferences", user_id, 3)
            if genres.empty:
                st.info(f"User {user_id} has fewer than 3 ratings in every genre in view.")
            else:
                show_chart(charts.user_genres_chart(genres, user_id), genres, "user_genres")
        st.subheader(f"User {user_id}'s most recent ratings")
        recent = frame("user_recent_ratings", user_id, 10)
        show_table(
            recent,
            "user_recent_ratings",
            column_config={
                "Rated at (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                "Rating (★)": st.column_config.NumberColumn(format="%.1f ★"),
            },
        )
