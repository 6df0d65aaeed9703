"""Recommend: rate a few movies, pick a title, or pick an existing user, and get a top-5 with reasons.

The model is fitted once on every rating and shared by all visitors (`recommender.app.cache`); a
visitor's ratings live in their session and are only *folded in*: they never change the model.
The mode and the chosen title / user live in the URL so a view can be shared.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from recommender.app.cache import get_recommender
from recommender.app.frame import page_frame, plain
from recommender.app.url_state import read_param, write_param
from recommender.choice import recommendation_model
from recommender.data import MovieFilters, MovieLens
from recommender.models import ModelConfig
from recommender.recommend import (
    Recommender,
    blend_weights,
    movie_links,
)
from recommender.recommend.ratings_io import (
    RatingsImportError,
    export_ratings_csv,
    import_ratings_csv,
)
from recommender.recommend.search import closest_titles, search_titles

RATINGS_KEY = "rec_ratings"  # {movieId: stars} of this visitor, in the order they were given
MODEL_KEY = "recommend_model_key"  # set by Compare models to hand a configuration over
STARS = [x / 2 for x in range(1, 11)]
DEFAULT_STARS = 4.0
NOT_SEEN = 0.0
MODES = {"rate": "⭐ Rate movies", "title": "🎞️ Pick a title", "user": "👤 Pick a user"}
ONBOARDING_SIZE = 12
SIGNAL_NAMES = {
    "most_rated": "Most rated",
    "popularity": "Well rated (Bayesian average)",
    "content": "Genres and tags",
    "EASE": "EASE",
    "UserKNN": "UserKNN",
    "ALS": "ALS",
}


def my_ratings() -> dict[int, float]:
    """This visitor's ratings (session state)."""
    return st.session_state.setdefault(RATINGS_KEY, {})


def set_rating(movie_id: int, key: str) -> None:
    value = float(st.session_state[key])
    if value == NOT_SEEN:
        my_ratings().pop(movie_id, None)
    else:
        my_ratings()[movie_id] = value


def rate_from_search(movie_id: int) -> None:
    """Rate the movie found by the search, then clear the search for the next one."""
    set_rating(movie_id, "rec_search_stars")
    st.session_state["rec_search"] = ""
    st.session_state["rec_search_stars"] = DEFAULT_STARS


def remove_rating(movie_id: int) -> None:
    my_ratings().pop(movie_id, None)


def stars_label(value: float) -> str:
    return "not seen" if value == NOT_SEEN else f"{value:g} ★"


def chosen_model() -> tuple[ModelConfig | None, str | None]:
    """The configuration handed over by Compare models (if any, ready to use) and a note."""
    key = st.session_state.get(MODEL_KEY)
    if not key:
        return None, None
    try:
        requested = ModelConfig.from_key(key)
        model = recommendation_model(requested)
    except ValueError as error:  # a bad key, or a model that cannot rank (RecommendChoice)
        return (
            None,
            f"The model chosen on Compare models could not be used ({error}); using the default.",
        )
    if model != requested:
        return model, (
            f"{requested.label} is user-based; recommendations use its item-based counterpart, "
            "which can fold in a new visitor's ratings instantly and explain them."
        )
    return model, (
        f"Using {model.label}, chosen on Compare models: it alone makes your list once you "
        "have rated 10 films (before that, crowd favourites weigh in)."
    )


# --- Cards ------------------------------------------------------------------------------------


def show_cards(frame: pd.DataFrame, score_kind: str, why_empty: Callable[[], str]) -> None:
    """Recommendations as bordered cards: title, year, genres, rating/score, reason, links; or,
    for an empty list, ``why_empty()`` (the true reason, in plain words)."""
    if frame.empty:
        st.info(plain(why_empty()), icon="🔍")
        return
    for rank, row in enumerate(frame.itertuples(index=False), start=1):
        with st.container(border=True):
            year = "" if pd.isna(row.year) else f" · {int(row.year)}"
            st.markdown(f"**{rank}. {plain(row.title)}**")
            badges = (
                " ".join(f":gray-badge[{plain(g)}]" for g in row.genres) or ":gray-badge[no genre]"
            )
            st.markdown(badges + f"&nbsp;&nbsp;{row.n_ratings:,} ratings{year}")
            if score_kind == "rating":
                if not pd.isna(row.predicted_rating):
                    st.markdown(f"Predicted rating: **{row.predicted_rating:.1f} ★**")
                if row.match:
                    st.markdown(f"**{plain(row.match.capitalize())}**")
            else:
                st.markdown(f"{score_kind}: **{row.score:.2f}**")
            st.caption(f"💡 {plain(row.reason)}")
            links = movie_links(row.movieId, row.imdbId, row.tmdbId)
            st.markdown(" · ".join(f"[{name}]({url})" for name, url in links.items()))


def schedule_table(schedule) -> pd.DataFrame:
    """The blend weights by number of ratings, readable (a signal not used: 0)."""
    rows = [
        {"From ratings": n} | {label: w.get(name) for name, label in SIGNAL_NAMES.items()}
        for n, w in schedule
    ]
    frame = pd.DataFrame(rows)
    return frame.loc[:, (frame != 0).any(axis=0) | (frame.columns == "From ratings")]


# --- Sidebar filters and the mode ---------------------------------------------------------------


def render_filters(catalog: pd.DataFrame) -> MovieFilters:
    """The sidebar's recommendation filters."""
    years = catalog["year"].dropna()
    first_year, last_year = int(years.min()), int(years.max())
    all_genres = sorted({g for genres in catalog["genres"] for g in genres})
    with st.sidebar:
        st.subheader("Recommendation filters")
        genres = st.multiselect(
            "Genres", all_genres, key="rec_genres", placeholder="All genres",
            help="Recommend only movies with any of these genres.",
        )  # fmt: skip
        year_range = st.slider(
            "Release years", first_year, last_year, (first_year, last_year), key="rec_years"
        )
        min_ratings = st.number_input(
            "Minimum ratings per movie", min_value=0, max_value=int(catalog["n_ratings"].max()),
            value=0, step=5, key="rec_min_ratings",
            help="Recommend only movies with at least this many ratings (more = safer bets).",
        )  # fmt: skip
    return MovieFilters(
        genres=tuple(genres),
        years=None if tuple(year_range) == (first_year, last_year) else tuple(year_range),
        min_ratings=int(min_ratings),
    )


def render_header(rec: Recommender, note: str | None) -> str:
    """Title, model caption and the mode switch (kept in the URL); returns the mode."""
    st.title("🍿 Recommend")
    st.caption(
        f"Models: **{plain(', '.join(rec.personals_))}** (led by {plain(rec.model_.label)}), "
        f"fitted once on all {len(rec.user_ratings_):,} users' ratings and shared by every "
        "visitor — your ratings are folded in, never used to refit them."
    )
    if note:
        st.info(note, icon="ℹ️")
    if "rec_mode" not in st.session_state:
        st.session_state["rec_mode"] = read_param("mode", MODES) or "rate"
    mode = st.segmented_control(
        "What do you want recommendations from?", list(MODES), format_func=MODES.get,
        key="rec_mode", required=True,
    )  # fmt: skip
    write_param("mode", mode)
    return mode


# --- Mode 1: rate movies ----------------------------------------------------------------------


def render_search(ml: MovieLens, rec: Recommender) -> None:
    """Find a movie by (forgiving) title search and rate it."""
    st.subheader("Find a movie you've seen")
    query = st.text_input(
        "Search titles", key="rec_search", placeholder="e.g. matrix, Amelie, star wars 1977",
        help="Case, accents, the year and 'Matrix, The' vs 'The Matrix' don't matter.",
    )  # fmt: skip
    if not query.strip():
        return
    popularity = rec.catalog_.set_index("movieId")["n_ratings"]
    matches = search_titles(ml.movies, query, limit=10, popularity=popularity)
    if matches.empty:
        suggestions = closest_titles(ml.movies, query)
        if suggestions.empty:
            st.warning(f"No title matches “{plain(query)}”, nor anything spelled like it.")
            return
        st.warning(f"No title matches “{plain(query)}”. Closest matches:")
        for movie_id, title in zip(suggestions["movieId"], suggestions["title"], strict=True):
            st.button(
                plain(title), key=f"rec_suggest_{movie_id}", on_click=st.session_state.__setitem__,
                args=("rec_search", title),
            )  # fmt: skip
        return
    pick_col, stars_col, add_col = st.columns([5, 3, 2], vertical_alignment="bottom")
    picked = pick_col.selectbox(
        f"{len(matches)} match{'es' if len(matches) != 1 else ''}", matches["movieId"].tolist(),
        format_func=rec.title_of, key="rec_search_pick",
    )  # fmt: skip
    stars_col.select_slider(
        "Your rating", STARS, value=DEFAULT_STARS, format_func=stars_label, key="rec_search_stars"
    )
    add_col.button(
        "Rate it", type="primary", key="rec_search_add", on_click=rate_from_search,
        args=(int(picked),), width="stretch",
    )  # fmt: skip


def render_onboarding(rec: Recommender) -> None:
    """Popular movies across genres, to rate in one click each."""
    st.subheader("Or rate some popular movies")
    st.caption("Popular, well-rated picks across genres — rate the ones you've seen.")
    grid = st.columns(3)
    for i, row in enumerate(rec.onboarding(ONBOARDING_SIZE).itertuples(index=False)):
        key = f"rec_onboard_{row.movieId}"
        st.session_state[key] = my_ratings().get(int(row.movieId), NOT_SEEN)
        with grid[i % 3]:
            st.select_slider(
                plain(row.title), [NOT_SEEN, *STARS], format_func=stars_label, key=key,
                on_change=set_rating, args=(int(row.movieId), key),
            )  # fmt: skip


def render_my_ratings(rec: Recommender) -> None:
    """The visitor's ratings: change or remove each."""
    ratings = my_ratings()
    st.subheader(f"Your ratings ({len(ratings)})")
    if not ratings:
        st.caption("Nothing rated yet — your ratings stay in this browser session only.")
    box = st.container(height=420) if len(ratings) > 8 else st.container()
    with box:
        for movie_id, stars in list(ratings.items()):
            key = f"rec_rated_{movie_id}"
            st.session_state[key] = stars
            name_col, stars_col, remove_col = st.columns([5, 4, 1], vertical_alignment="center")
            name_col.markdown(plain(rec.title_of(movie_id)))
            stars_col.select_slider(
                "Rating", STARS, format_func=stars_label, key=key, on_change=set_rating,
                args=(movie_id, key), label_visibility="collapsed",
            )  # fmt: skip
            remove_col.button(
                "✕", key=f"rec_remove_{movie_id}", help="Remove this rating",
                on_click=remove_rating, args=(movie_id,),
            )  # fmt: skip


def render_import_export(ml: MovieLens) -> None:
    """CSV export of the visitor's ratings, and an all-or-nothing import."""
    export_col, import_col = st.columns(2)
    export_col.download_button(
        "⬇️ Export my ratings (CSV)", export_ratings_csv(my_ratings(), ml.movies),
        file_name="my-movielens-ratings.csv", mime="text/csv", disabled=not my_ratings(),
        key="rec_export",
    )  # fmt: skip
    uploaded = import_col.file_uploader(
        "Import ratings (CSV with movieId and rating columns)", type="csv", key="rec_import"
    )
    if uploaded is not None and st.session_state.get("rec_import_done") != uploaded.file_id:
        st.session_state["rec_import_done"] = uploaded.file_id
        try:
            imported = import_ratings_csv(uploaded.getvalue(), ml.movies)
        except RatingsImportError as error:
            st.session_state["rec_import_result"] = ("error", error.problems, [])
        else:
            my_ratings().update(imported.ratings)
            st.session_state["rec_import_result"] = (
                "ok", [f"Imported {len(imported.ratings)} rating(s)."], imported.missing,
            )  # fmt: skip
            st.rerun()
    result = st.session_state.get("rec_import_result")
    if uploaded is not None and result:
        show_import_result(ml, *result)


def show_import_result(ml: MovieLens, status: str, messages: list[str], missing: list) -> None:
    if status == "error":
        st.error(
            "**The file was not imported; your ratings are unchanged.**\n\n"
            + "\n".join(f"- {plain(m)}" for m in messages[:20]),
            icon="🚫",
        )
        return
    st.success(messages[0], icon="✅")
    if missing:
        st.warning(
            f"{len(missing)} rating(s) are of movies not in {plain(ml.name)} and were not "
            "imported:\n\n"
            + "\n".join(
                f"- row {r}: movie {m}" + (f" ({plain(t)})" if t else "")
                for r, m, t in missing[:20]
            ),
            icon="⚠️",
        )


def render_top5_for_me(rec: Recommender, filters: MovieFilters) -> None:
    st.subheader("Your top 5")
    known = rec.known_ratings(my_ratings())
    weights = blend_weights(len(known), rec.schedule_)
    if not known:
        st.caption("Rate a few movies to personalise this list. Until then: crowd favourites.")
    elif weights.personal:
        st.caption(f"Personalised from your {len(known)} rating(s).")
    else:
        st.caption(
            f"From your {len(known)} rating(s): still mostly crowd favourites — rate a few "
            "more and your taste takes over."
        )
    show_cards(rec.for_new_user(my_ratings(), n=5, filters=filters), "rating",
               lambda: rec.empty_reason(filters))  # fmt: skip
    with st.expander("How this list is made"):
        st.markdown(
            "Each movie gets a score from every signal below, standardised and added with "
            "weights that depend on how many movies you rated. The weights were chosen by "
            "replaying held-out MovieLens users (`benchmarks/cold_start.py`): with few ratings, "
            "crowd favourites are the best bet; with more, the models that learn from people "
            "with tastes like yours take over. A film you rated under 3★ pushes down what its "
            "fans like. “Strong match” means several of the films you rated point to it."
        )
        st.dataframe(
            schedule_table(rec.schedule_), hide_index=True, width="stretch",
            column_config={"From ratings": st.column_config.NumberColumn(format="%d")},
        )  # fmt: skip


def render_rate_mode(ml: MovieLens, rec: Recommender, filters: MovieFilters) -> None:
    # Search and the top 5 first (side by side, or one above the other on a phone), then the
    # rest: on a narrow screen the list comes right after the rating control.
    left, right = st.columns([3, 2], gap="large")
    with left:
        render_search(ml, rec)
    with right:
        render_top5_for_me(rec, filters)
    render_onboarding(rec)
    ratings_col, io_col = st.columns([3, 2], gap="large")
    with ratings_col:
        render_my_ratings(rec)
    with io_col:
        render_import_export(ml)


# --- Mode 2: pick a title ---------------------------------------------------------------------


def pick_title(ml: MovieLens, rec: Recommender) -> int | None:
    """The movie chosen by title search (seeded from ``?movie=``), or None."""
    url_movie = read_param("movie")
    from_url = int(url_movie) if url_movie and url_movie.isdigit() else None
    if "rec_title_query" not in st.session_state:
        start = rec.title_of(from_url) if from_url is not None and from_url in rec.index_ else ""
        st.session_state["rec_title_query"] = start
    query = st.text_input(
        "Movie title", key="rec_title_query", placeholder="e.g. Heat, the godfather, Amélie",
        help="Case, accents, the year and 'Matrix, The' vs 'The Matrix' don't matter.",
    )  # fmt: skip
    if not query.strip():
        return None
    popularity = rec.catalog_.set_index("movieId")["n_ratings"]
    matches = search_titles(ml.movies, query, limit=10, popularity=popularity)
    if matches.empty:
        suggestions = closest_titles(ml.movies, query)
        names = "; ".join(f"**{plain(t)}**" for t in suggestions["title"])
        st.warning(
            f"No title matches “{plain(query)}”."
            + (f" Closest matches: {names}." if names else " Nothing is spelled like it either.")
        )
        for movie_id, title in zip(suggestions["movieId"], suggestions["title"], strict=True):
            st.button(
                f"Use {plain(title)}", key=f"rec_title_suggest_{movie_id}",
                on_click=st.session_state.__setitem__, args=("rec_title_query", title),
            )  # fmt: skip
        return None
    options = matches["movieId"].astype(int).tolist()
    if from_url in options:
        st.session_state.setdefault("rec_title_pick", from_url)
    return st.selectbox(
        "Which one?" if len(options) > 1 else "Movie", options, format_func=rec.title_of,
        key="rec_title_pick", disabled=len(options) == 1,
    )  # fmt: skip


def render_title_mode(ml: MovieLens, rec: Recommender, filters: MovieFilters) -> None:
    anchor = pick_title(ml, rec)
    write_param("movie", None if anchor is None else str(anchor))
    if anchor is None:
        st.caption("Type a title to see the movies most like it.")
        return
    st.caption("🔗 The address bar now links to this view — share it.")
    cf_col, content_col = st.columns(2, gap="large")
    with cf_col:
        st.subheader("People who liked it also liked")
        label = rec.personals_[rec.title_model_].config_.label
        st.caption(f"Collaborative: what {plain(label)} recommends to a fan of this film")
        show_cards(rec.similar_to(anchor, n=5, filters=filters, method="collaborative"),
                   "Similarity", lambda: rec.empty_reason(filters, anchor, "collaborative"))  # fmt: skip
    with content_col:
        st.subheader("Similar genres and tags")
        st.caption("Content-based: cosine similarity of TF-IDF over genres and tags")
        show_cards(rec.similar_to(anchor, n=5, filters=filters, method="content"),
                   "Similarity", lambda: rec.empty_reason(filters, anchor, "content"))  # fmt: skip


# --- Mode 3: pick an existing user ------------------------------------------------------------


def render_user_mode(rec: Recommender, filters: MovieFilters) -> None:
    users = sorted(rec.user_ratings_)
    if "rec_user" not in st.session_state:
        url_user = read_param("user")
        wanted = int(url_user) if url_user and url_user.isdigit() else None
        st.session_state["rec_user"] = wanted if wanted in rec.user_ratings_ else users[0]
    user = st.selectbox(
        "User", users, format_func=lambda u: f"User {u} · {len(rec.user_ratings_[u]):,} ratings",
        key="rec_user",
    )  # fmt: skip
    write_param("user", str(user))
    top_col, history_col = st.columns([2, 3], gap="large")
    with top_col:
        st.subheader(f"Top 5 for user {user}")
        show_cards(rec.for_user(user, n=5, filters=filters), "rating",
                   lambda: rec.empty_reason(filters))  # fmt: skip
    with history_col:
        render_history(rec, user)


def render_history(rec: Recommender, user: int) -> None:
    history = rec.user_history(user)
    st.subheader(f"Their {len(history):,} ratings")
    st.caption(f"Mean {history['rating'].mean():.2f} ★ · best first")
    table = history.assign(genres=history["genres"].map(", ".join))
    st.dataframe(
        table[["rating", "title", "year", "genres"]], hide_index=True, width="stretch",
        height=720,
        column_config={
            "rating": st.column_config.NumberColumn("Rating", format="%.1f ★", width="small"),
            "title": st.column_config.TextColumn("Title", width="medium"),
            "year": st.column_config.NumberColumn("Year", format="%d", width="small"),
            "genres": st.column_config.TextColumn("Genres", width="medium"),
        },
    )  # fmt: skip


def main() -> None:
    ml = page_frame("Recommend", "🍿")
    model, note = chosen_model()
    rec = get_recommender(ml, model)
    filters = render_filters(rec.catalog_)
    mode = render_header(rec, note)
    if mode == "rate":
        render_rate_mode(ml, rec, filters)
    elif mode == "title":
        render_title_mode(ml, rec, filters)
    else:
        render_user_mode(rec, filters)


main()
