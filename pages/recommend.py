"""Recommend: rate a few movies, pick a title, or pick an existing user, and get a top-5 with reasons.

The model is fitted once on every rating and shared by all visitors (`recommender.app.cache`); a
visitor's ratings live in their session and are only *folded in*: they never change the model.
The mode and the chosen title / user live in the URL so a view can be shared.

Rate movies also brings a history from another site (preview first, then all or nothing:
`recommender.recommend.history_import`), keeps the profile (ratings, watchlist, hidden movies) in
``?profile=`` so it survives a reload (`recommender.app.profile_state`), and lets the visitor
steer the list: "not interested", the watchlist, popular ↔ obscure (`recommender.recommend.steering`).
Movie night combines the visitor's profile with a pasted one (`recommender.recommend.movie_night`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from recommender.app.cache import (
    crowd_recommender,
    fitting_seconds,
    history_match_index,
    newer_recommender,
    onboarding_picks,
    ready_recommender,
    recommender_choices,
)
from recommender.app.frame import page_frame, plain
from recommender.app.profile_state import (
    RATINGS_KEY,
    add_to_watchlist,
    hide_movie,
    my_hidden,
    my_ratings,
    my_watchlist,
    profile_link,
    profile_problem,
    profile_warnings,
    remove_from_watchlist,
    restore_profile,
    save_profile,
    unhide_movie,
)
from recommender.app.url_state import read_param, write_param
from recommender.app.user_picker import pick_user
from recommender.choice import recommendation_model
from recommender.data import MovieFilters, MovieLens, default_rating
from recommender.models import ModelConfig
from recommender.recommend import (
    Recommender,
    blend_weights,
    movie_links,
)
from recommender.recommend.history_import import (
    HistoryImportError,
    ImportPreview,
    UnknownFormatError,
    import_history,
)
from recommender.recommend.movie_night import Viewer, movie_night, profile_text_from_link
from recommender.recommend.profile_link import decode_profile
from recommender.recommend.ratings_io import export_movie_list_csv, export_ratings_csv
from recommender.recommend.search import closest_titles, search_titles
from recommender.recommend.steering import (
    NOT_INTERESTED_STARS,
    OBSCURITY_MAX,
    OBSCURITY_MIN,
)

MODEL_KEY = "recommend_model_key"  # set by Compare models to hand a configuration over
NOT_SEEN = 0.0
MODES = {
    "rate": "⭐ Rate movies", "title": "🎞️ Pick a title", "user": "👤 Pick a user",
    "night": "🎬 Movie night",
}  # fmt: skip
AGGREGATION_LABELS = {
    "least_misery": "Least misery: nobody sits through a film they'd dislike",
    "average": "Average: the most enjoyment in total",
}
ONBOARDING_SIZE = 12
MAX_EDITABLE = 40  # ratings shown with their own slider; a long imported history goes in a table
OBSCURITY_STEPS = [x / 2 for x in range(int(OBSCURITY_MIN * 2), int(OBSCURITY_MAX * 2) + 1)]
SIGNAL_NAMES = {
    "most_rated": "Most rated",
    "popularity": "Well rated (Bayesian average)",
    "content": "Genres and tags",
    "EASE": "EASE",
    "UserKNN": "UserKNN",
    "ALS": "ALS",
}


def set_rating(movie_id: int, key: str) -> None:
    value = float(st.session_state[key])
    if value == NOT_SEEN:
        my_ratings().pop(movie_id, None)
    else:
        my_ratings()[movie_id] = value


def star_choices(ml: MovieLens) -> list[float]:
    """The ratings this dataset allows (whole stars 1–5 for ml-100k and ml-1m, else half stars)."""
    return list(ml.rating_values)


def rate_from_search(movie_id: int, default: float) -> None:
    """Rate the movie found by the search, then clear the search for the next one."""
    set_rating(movie_id, "rec_search_stars")
    st.session_state["rec_search"] = ""
    st.session_state["rec_search_stars"] = default


def remove_rating(movie_id: int) -> None:
    my_ratings().pop(movie_id, None)


def stars_label(value: float) -> str:
    return "not seen" if value == NOT_SEEN else f"{value:g} ★"


def obscurity_label(alpha: float) -> str:
    if alpha == 0:
        return "as recommended"
    return f"{'more obscure' if alpha > 0 else 'more popular'} (α = {alpha:+g})"


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
        f"Using {model.label}: it alone makes your list once you have rated 10 films (before "
        "that, crowd favourites weigh in)."
    )


# --- Cards ------------------------------------------------------------------------------------


def show_cards(
    frame: pd.DataFrame,
    score_kind: str,
    why_empty: Callable[[], str],
    controls: bool = False,
    movielens_ids: bool = True,
) -> None:
    """Recommendations as bordered cards: title, year, genres, rating/score, reason, links (and,
    with ``controls``, "not interested" and "add to watchlist"); or, for an empty list,
    ``why_empty()`` (the true reason, in plain words)."""
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
            links = movie_links(row.movieId, row.imdbId, row.tmdbId, movielens_ids, row.imdbUrl)
            if links:
                st.markdown(" · ".join(f"[{name}]({url})" for name, url in links.items()))
            if controls:
                card_controls(int(row.movieId), str(row.title))


def more_like_this(movie_id: int, title: str) -> None:
    """Open "Pick a title" on this movie."""
    st.session_state["rec_mode"] = "title"
    st.session_state["rec_title_query"] = title
    st.session_state["rec_title_pick"] = movie_id


def card_controls(movie_id: int, title: str) -> None:
    """A card's "not interested", "add to watchlist" and "more like this" buttons."""
    hide_col, watch_col = st.columns(2)
    hide_col.button(
        "🚫 Not interested", key=f"rec_hide_{movie_id}", on_click=hide_movie, args=(movie_id,),
        help="Hide it from your list; it counts as a dislike (a "
        f"{NOT_INTERESTED_STARS:g}★ rating) for the models.", width="stretch",
    )  # fmt: skip
    watch_col.button(
        "🔖 Add to watchlist", key=f"rec_watch_{movie_id}", on_click=add_to_watchlist,
        args=(movie_id,), help="Keep it for later: it leaves this list for your watchlist.",
        width="stretch",
    )  # fmt: skip
    st.button(
        "🎞️ More like this", key=f"rec_more_{movie_id}", on_click=more_like_this,
        args=(movie_id, title), type="tertiary", help="The movies most like this one",
    )  # fmt: skip


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


DEFAULT_CHOICE = ""  # the evaluated blend


def pick_recommender() -> None:
    """The visitor's choice of recommender, handed to the model decision like Compare models'."""
    key = st.session_state.get("rec_model_pick", DEFAULT_CHOICE)
    if key:
        st.session_state[MODEL_KEY] = key
    else:
        st.session_state.pop(MODEL_KEY, None)


def render_model_choice(ml: MovieLens) -> None:
    """Which recommender makes the list: the evaluated blend, or one ranker with its measured
    quality beside its name."""
    options = {o.config.key: o.label for o in recommender_choices(ml)}
    current = st.session_state.get(MODEL_KEY, DEFAULT_CHOICE)
    if current and current not in options:  # handed over from Compare models
        try:
            options[current] = f"{ModelConfig.from_key(current).label} (from Compare models)"
        except ValueError:
            current = DEFAULT_CHOICE
    labels = {DEFAULT_CHOICE: "Evaluated blend (default): EASE, UserKNN, ALS, content and "
              "popularity, weighted by how many films you have rated"} | options  # fmt: skip
    st.session_state["rec_model_pick"] = current
    st.selectbox(
        "Recommender", list(labels), format_func=labels.get, key="rec_model_pick",
        on_change=pick_recommender,
        help="Quality: top-5 NDCG and precision measured on Compare models (5 folds, every user "
        "ranked). The blend was chosen for visitors with few ratings (benchmarks/cold_start.py).",
    )  # fmt: skip


def render_header(ml: MovieLens, rec: Recommender, note: str | None) -> str:
    """Model caption and choice, and the mode switch (kept in the URL); returns the mode."""
    if rec.complete:
        st.caption(
            f"Models: **{plain(', '.join(rec.personals_))}** (led by {plain(rec.model_.label)}), "
            f"fitted once on all {len(rec.user_ratings_):,} users' ratings and shared by every "
            "visitor — your ratings are folded in, never used to refit them."
        )
    else:
        wait_for_models(ml, rec)
    render_model_choice(ml)
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
    stars = star_choices(ml)
    if st.session_state.get("rec_search_stars") not in stars:  # new, or from another dataset
        st.session_state["rec_search_stars"] = default_rating(stars)
    stars_col.select_slider("Your rating", stars, format_func=stars_label, key="rec_search_stars")
    add_col.button(
        "Rate it", type="primary", key="rec_search_add", on_click=rate_from_search,
        args=(int(picked), default_rating(stars)), width="stretch",
    )  # fmt: skip


def render_onboarding(ml: MovieLens) -> None:
    """Popular movies across genres, to rate in one click each."""
    st.subheader("Or rate some popular movies")
    st.caption("Popular, well-rated picks across genres — rate the ones you've seen.")
    grid = st.columns(3)
    picks = onboarding_picks(ml, ONBOARDING_SIZE)
    stars = star_choices(ml)
    for i, row in enumerate(picks.itertuples(index=False)):
        key = f"rec_onboard_{row.movieId}"
        rated = my_ratings().get(int(row.movieId), NOT_SEEN)
        st.session_state[key] = rated
        with grid[i % 3]:
            st.select_slider(
                plain(row.title), sorted({NOT_SEEN, rated, *stars}), format_func=stars_label,
                key=key, on_change=set_rating, args=(int(row.movieId), key),
            )  # fmt: skip


def render_my_ratings(ml: MovieLens, rec: Recommender) -> None:
    """The visitor's ratings: change or remove each (the latest :data:`MAX_EDITABLE`; a long
    imported history is listed in full in a table)."""
    ratings = my_ratings()
    st.subheader(f"Your ratings ({len(ratings)})")
    if not ratings:
        st.caption(
            "Nothing rated yet — rate a few movies, or bring your history from another site."
        )
    editable = list(ratings.items())
    if len(editable) > MAX_EDITABLE:
        editable = editable[-MAX_EDITABLE:][::-1]
        st.caption(f"The {MAX_EDITABLE} latest, to change or remove; the table below has all.")
    box = st.container(height=420) if len(editable) > 8 else st.container()
    choices = star_choices(ml)
    with box:
        for movie_id, stars in editable:
            key = f"rec_rated_{movie_id}"
            st.session_state[key] = stars
            name_col, stars_col, remove_col = st.columns([5, 4, 1], vertical_alignment="center")
            name_col.markdown(plain(rec.title_of(movie_id)))
            stars_col.select_slider(  # an imported 3.5★ stays itself on a whole-star dataset
                "Rating", sorted({stars, *choices}), format_func=stars_label, key=key,
                on_change=set_rating, args=(movie_id, key), label_visibility="collapsed",
            )  # fmt: skip
            remove_col.button(
                "✕", key=f"rec_remove_{movie_id}", help="Remove this rating",
                on_click=remove_rating, args=(movie_id,),
            )  # fmt: skip
    if len(ratings) > MAX_EDITABLE:
        known = rec.known_ratings(ratings)
        table = pd.DataFrame({"title": [rec.title_of(m) for m in known],
                              "rating": list(known.values())})  # fmt: skip
        st.dataframe(table, hide_index=True, width="stretch", height=300, column_config={
            "rating": st.column_config.NumberColumn("Rating", format="%.1f ★")})  # fmt: skip


IMPORT_KEY = "rec_import"  # the file uploader
IMPORT_STATE = "rec_import_state"  # (file_id, ImportPreview | list of problems) of the file shown
IMPORT_DONE = "rec_import_done"  # (file_id, plain-text message) once a preview was applied
MAX_PICKS = 50  # ambiguous rows offered one by one; the others are left out
SKIP_ROW = "— skip this row —"


def render_import(ml: MovieLens) -> None:
    """Bring your history: read the file, preview every match, and only then add the ratings."""
    uploaded = st.file_uploader(
        "Import a rating history (CSV)", type="csv", key=IMPORT_KEY,
        help="Your ratings export from MovieLens.org, IMDb (Your ratings › Export), Letterboxd "
        "(ratings.csv or diary.csv of the data export), or this app's CSV. You see what matches "
        "before anything changes.",
    )  # fmt: skip
    if uploaded is None:
        for key in (IMPORT_STATE, IMPORT_DONE):
            st.session_state.pop(key, None)
        return
    state = st.session_state.get(IMPORT_STATE)
    done = st.session_state.get(IMPORT_DONE)
    if done and done[0] == uploaded.file_id:
        st.success(done[1], icon="✅")  # our own words and counts, no data
        return
    if state is None or state[0] != uploaded.file_id:
        try:
            result = import_history(uploaded.getvalue(), history_match_index(ml))
        except HistoryImportError as error:  # UnknownFormatError too
            result = error
        state = st.session_state[IMPORT_STATE] = (uploaded.file_id, result)
    if isinstance(state[1], ImportPreview):
        render_import_preview(state[0], state[1])
    else:
        show_import_error(state[1])


def show_import_error(error: HistoryImportError) -> None:
    problems = error.problems
    if isinstance(error, UnknownFormatError):
        heading = "**This file is not a rating export this app knows; nothing was imported.**"
    else:
        heading = "**The file was not imported; your ratings are unchanged.**"
    more = f"\n- … and {len(problems) - 20:,} more" if len(problems) > 20 else ""
    st.error(heading + "\n\n" + "\n".join(f"- {plain(m)}" for m in problems[:20]) + more,
             icon="🚫")  # fmt: skip


def pick_key(file_id: str, row: int) -> str:
    return f"rec_import_pick_{file_id}_{row}"


def import_picks(file_id: str, preview: ImportPreview) -> dict[int, int | None]:
    """The visitor's choice for each ambiguous row shown (None: leave it out)."""
    return {
        a.row: st.session_state.get(pick_key(file_id, a.row)) for a in preview.ambiguous[:MAX_PICKS]
    }


def render_import_preview(file_id: str, preview: ImportPreview) -> None:
    """Counts, a choice for each ambiguous row, the unmatched rows to download, then accept."""
    st.markdown("**Preview — nothing has changed yet.**")
    st.info(plain(preview.summary()), icon="🔎")
    for note in preview.notes:
        st.caption(plain(note))
    if preview.ambiguous:
        st.markdown(f"**{len(preview.ambiguous):,} row(s) could mean several movies: pick one "
                    "or skip it.**")  # fmt: skip
        box = st.container(height=360) if len(preview.ambiguous) > 5 else st.container()
        with box:
            for row in preview.ambiguous[:MAX_PICKS]:
                year = "" if row.year is None else f" ({row.year})"
                titles = {
                    c.movie_id: f"{c.title} · {c.n_ratings:,} ratings" for c in row.candidates
                }
                st.selectbox(
                    plain(f"Row {row.row}: {row.title}{year}, {row.stars:g}★"),
                    [None, *titles], format_func=lambda m, t=titles: t.get(m, SKIP_ROW),
                    key=pick_key(file_id, row.row),
                )  # fmt: skip
        if len(preview.ambiguous) > MAX_PICKS:
            st.caption(f"The other {len(preview.ambiguous) - MAX_PICKS:,} are left out.")
    if preview.unmatched:
        st.download_button(
            f"⬇️ The {len(preview.unmatched):,} unmatched row(s) (CSV)",
            preview.unmatched_csv(),
            file_name="unmatched-ratings.csv", mime="text/csv", key="rec_import_unmatched",
        )  # fmt: skip
    picks = import_picks(file_id, preview)
    count = len(preview.matched) + sum(p is not None for p in picks.values())
    add_col, cancel_col = st.columns(2)
    add_col.button(
        f"Add these {count:,} ratings", type="primary", key="rec_import_accept",
        on_click=accept_import, args=(file_id, preview), disabled=count == 0, width="stretch",
    )  # fmt: skip
    cancel_col.button("Cancel", key="rec_import_cancel", on_click=cancel_import, args=(file_id,),
                      width="stretch")  # fmt: skip


def accept_import(file_id: str, preview: ImportPreview) -> None:
    """All or nothing: the new ratings replace the session's in one assignment."""
    current = my_ratings()
    try:
        updated = preview.apply_to(current, import_picks(file_id, preview))
    except HistoryImportError as error:
        st.session_state[IMPORT_STATE] = (file_id, error)
        return
    added = preview.ratings(import_picks(file_id, preview))
    replaced = sum(1 for m in added if m in current and current[m] != added[m])
    st.session_state[RATINGS_KEY] = updated
    message = f"Added {len(added):,} rating(s) from the file."
    if replaced:
        message += f" {replaced:,} of them replaced a rating you had given."
    st.session_state[IMPORT_DONE] = (file_id, message)
    st.session_state.pop(IMPORT_STATE, None)


def cancel_import(file_id: str) -> None:
    st.session_state[IMPORT_DONE] = (file_id, "Import cancelled: your ratings are unchanged.")
    st.session_state.pop(IMPORT_STATE, None)


def render_exports(ml: MovieLens) -> None:
    """CSV exports (safe to open in a spreadsheet) of the ratings, watchlist and hidden movies,
    written when a button is clicked (on another thread: it gets copies of this run's lists)."""
    ratings, watchlist, hidden = dict(my_ratings()), list(my_watchlist()), list(my_hidden())
    exports = (
        ("ratings", lambda: export_ratings_csv(ratings, ml.movies), bool(ratings), "rec_export"),
        ("watchlist", lambda: export_movie_list_csv(watchlist, ml.movies), bool(watchlist),
         "rec_export_watchlist"),
        ("hidden movies", lambda: export_movie_list_csv(hidden, ml.movies), bool(hidden),
         "rec_export_hidden"),
    )  # fmt: skip
    st.caption("Export as CSV (safe to open in a spreadsheet):")
    for column, (what, text, has, key) in zip(st.columns(3), exports, strict=True):
        column.download_button(
            f"⬇️ {what.split()[0].capitalize()}", text,
            file_name=f"my-movielens-{what.replace(' ', '-')}.csv", mime="text/csv",
            disabled=not has, key=key, width="stretch", help=f"Your {what} as CSV",
        )  # fmt: skip


def render_movie_list(rec: Recommender, title: str, movies: list[int], action: tuple) -> None:
    """The watchlist or the hidden movies, each with a button to take it off the list."""
    label, tip, key, callback = action
    with st.expander(f"{title} ({len(movies)})", expanded=bool(movies) and len(movies) <= 5):
        if not movies:
            st.caption("Nothing here yet.")
        for movie_id in list(movies):
            name_col, button_col = st.columns([5, 1], vertical_alignment="center")
            known = movie_id in rec.index_  # a list kept from another dataset
            name_col.markdown(plain(rec.title_of(movie_id) if known else f"movie {movie_id}"))
            button_col.button(label, key=f"{key}_{movie_id}", help=tip, on_click=callback,
                              args=(movie_id,))  # fmt: skip


def render_profile_link() -> None:
    """The link that brings this profile back (the address bar holds it too)."""
    st.subheader("Keep your profile")
    for warning in profile_warnings():
        st.warning(plain(warning), icon="⚠️")
    problem = profile_problem()
    if problem:
        st.warning(plain(problem), icon="⚠️")
        return
    link = profile_link()
    if link is None:
        st.caption("Rate, hide or add a movie to your watchlist: this page's address will keep "
                   "them, with nothing stored on the server.")  # fmt: skip
        return
    st.caption("Your ratings, watchlist and hidden movies are in this page's address: bookmark "
               "it, or copy this link to come back later or share your taste. Nothing is stored "
               "on the server.")  # fmt: skip
    st.code(link, language=None, wrap_lines=True)


def render_top5_for_me(rec: Recommender, filters: MovieFilters) -> None:
    st.subheader("Your top 5")
    known = rec.known_ratings(my_ratings())
    weights = blend_weights(len(known), rec.schedule_)
    if not known:
        st.caption("Rate a few movies to personalise this list. Until then: crowd favourites.")
    elif not rec.personalised:
        st.caption(f"Your {len(known)} rating(s) are kept: this list is personalised as soon as "
                   "the models are fitted. Until then: crowd favourites.")  # fmt: skip
    elif weights.personal:
        st.caption(f"Personalised from your {len(known)} rating(s).")
    else:
        st.caption(
            f"From your {len(known)} rating(s): still mostly crowd favourites — rate a few "
            "more and your taste takes over."
        )
    obscurity = st.select_slider(
        "Popular ↔ obscure", OBSCURITY_STEPS, value=0.0, format_func=obscurity_label,
        key="rec_obscurity",
        help="Re-ranks the list: score − α · z(log number of ratings), both standardised over "
        "the candidate movies; α > 0 favours films fewer people rated, α < 0 better-known ones.",
    )  # fmt: skip
    top = rec.for_new_user(my_ratings(), n=5, filters=filters, exclude=my_watchlist(),
                           obscurity=obscurity, hidden=my_hidden())  # fmt: skip
    show_cards(top, "rating", lambda: rec.empty_reason(filters), True, rec.movielens_ids_)
    explained = st.expander("How this list is made", key="rec_how", on_change="rerun")
    if not explained.open:  # drawn only while open: a closed expander costs nothing
        return
    with explained:
        st.markdown(
            "Each movie gets a score from every signal below, standardised and added with "
            "weights that depend on how many movies you rated. The weights were chosen by "
            "replaying held-out MovieLens users (`benchmarks/cold_start.py`): with few ratings, "
            "crowd favourites are the best bet; with more, the models that learn from people "
            "with tastes like yours take over. A film you rated under 3★ pushes down what its "
            "fans like; so does a film you are not interested in (it counts as a "
            f"{NOT_INTERESTED_STARS:g}★ rating). Your watchlist is left out of the list. "
            "“Strong match” means several of the films you rated point to it. The popular ↔ "
            "obscure control re-ranks the list: score − α · z(log number of ratings), with the "
            "score and the log popularity standardised over the candidate movies."
        )
        st.dataframe(
            schedule_table(rec.schedule_), hide_index=True, width="stretch",
            column_config={"From ratings": st.column_config.NumberColumn(format="%d")},
        )  # fmt: skip


def render_rate_mode(ml: MovieLens, rec: Recommender, model: ModelConfig | None,
                     filters: MovieFilters) -> None:  # fmt: skip
    # Search and the top 5 first (side by side, or one above the other on a phone), then the
    # rest: on a narrow screen the list comes right after the rating control.
    left, right = st.columns([3, 2], gap="large")
    with left:
        render_search(ml, rec)
    with right:
        render_top5_for_me(rec, filters)
    render_onboarding(ml)
    ratings_col, io_col = st.columns([3, 2], gap="large")
    with ratings_col:
        render_my_ratings(ml, rec)
    with io_col:
        st.subheader("Bring your history")
        render_import(ml)
        unwatch = ("✕", "Take it off the watchlist", "rec_unwatch", remove_from_watchlist)
        render_movie_list(rec, "🔖 Watchlist", my_watchlist(), unwatch)
        render_movie_list(rec, "🚫 Not interested", my_hidden(),
                          ("↩", "Show it again", "rec_unhide", unhide_movie))  # fmt: skip
        render_exports(ml)
        render_profile_link()


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
                   "Similarity", lambda: rec.empty_reason(filters, anchor, "collaborative"),
                   movielens_ids=rec.movielens_ids_)  # fmt: skip
    with content_col:
        st.subheader("Similar genres and tags")
        st.caption("Content-based: cosine similarity of TF-IDF over genres and tags")
        show_cards(rec.similar_to(anchor, n=5, filters=filters, method="content"),
                   "Similarity", lambda: rec.empty_reason(filters, anchor, "content"),
                   movielens_ids=rec.movielens_ids_)  # fmt: skip


# --- Mode 3: pick an existing user ------------------------------------------------------------


def render_user_mode(rec: Recommender, filters: MovieFilters) -> None:
    users = rec.user_ratings_.ids
    if "rec_user" not in st.session_state:
        url_user = read_param("user")
        wanted = int(url_user) if url_user and url_user.isdigit() else None
        st.session_state["rec_user"] = wanted if wanted in rec.user_ratings_ else int(users[0])
    user = pick_user(
        users, lambda u: f"User {u} · {rec.user_ratings_.count(u):,} ratings", key="rec_user"
    )
    write_param("user", str(user))
    top_col, history_col = st.columns([2, 3], gap="large")
    with top_col:
        st.subheader(f"Top 5 for user {user}")
        show_cards(rec.for_user(user, n=5, filters=filters), "rating",
                   lambda: rec.empty_reason(filters), movielens_ids=rec.movielens_ids_)  # fmt: skip
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


# --- Mode 4: movie night for two ----------------------------------------------------------------


def render_night_mode(rec: Recommender, filters: MovieFilters) -> None:
    """Your profile and a friend's (a pasted profile link) -> one top 5 for both."""
    st.subheader("Movie night for two")
    st.caption(
        "Your ratings and hidden movies (from “Rate movies”) and a friend's: paste the profile "
        "link they copied from “Keep your profile” on their Recommend page."
    )
    link_col, name_col = st.columns([3, 1])
    pasted = link_col.text_input(
        "Their profile link", key="rec_night_link", placeholder="https://…/recommend?profile=…"
    )
    name = name_col.text_input("Their name", value="your friend", max_chars=30,
                               key="rec_night_name").strip() or "your friend"  # fmt: skip
    aggregation = st.radio(
        "Combine your two lists by", list(AGGREGATION_LABELS), format_func=AGGREGATION_LABELS.get,
        key="rec_night_aggregation", horizontal=True,
    )  # fmt: skip
    if not pasted.strip():
        st.info("Paste a profile link to see what you could watch together.", icon="🔗")
        return
    decoded = decode_profile(profile_text_from_link(pasted), rec.index_)
    for warning in decoded.warnings:
        st.warning(plain(warning), icon="⚠️")
    them = decoded.profile
    if not (them.ratings or them.hidden):
        st.info("That link holds no ratings to go on.", icon="🔍")
        return
    st.caption(
        f"{plain(name)}: {len(them.ratings):,} rating(s); you: {len(my_ratings()):,} rating(s)."
    )
    you = Viewer("you", my_ratings(), my_hidden())
    friend = Viewer(name, them.ratings, them.hidden)
    show_cards(movie_night(rec, you, friend, aggregation=aggregation, filters=filters),
               "Together", lambda: rec.empty_reason(filters),
               movielens_ids=rec.movielens_ids_)  # fmt: skip
    with st.expander("How this list is made"):
        st.markdown(
            "Each of you gets your own list, scored as “Rate movies” scores it; both are "
            "standardised over the films neither of you has rated or hidden, then combined. "
            "**Least misery** keeps the lower of the two scores, so a film is only as good as "
            "the less keen of you finds it; **average** adds them up, so one person's favourite "
            "can carry a film the other is lukewarm about. Each card says where the film stands "
            "in each person's own list."
        )


@st.fragment(run_every=1)
def wait_for_models(ml: MovieLens, shown: Recommender) -> None:
    """While the shared models are being fitted: say so, and rerun the page when what it shows
    (from ``shown``) would change (:func:`newer_recommender`)."""
    ratings = my_ratings()
    if newer_recommender(ml, shown, ratings) is not None:
        st.rerun()  # the whole page, now with the personal models
    seconds = fitting_seconds(ml)
    if shown.serves(ratings):  # a stage of the fit already gives the list they will get
        st.caption(f"Personal models still being fitted ({seconds:,.0f} s so far): your list "
                   "already uses every model your ratings call for.")  # fmt: skip
        return
    st.info(
        f"The personal models are being fitted on all {len(ml.ratings):,} ratings of this "
        f"dataset ({seconds:,.0f} s so far; this page updates itself when they are "
        "ready). Until then every list here is the crowd's favourites; your ratings are kept.",
        icon="⏳",
    )


def main() -> None:
    ml = page_frame("Recommend", "🍿")
    st.title("🍿 Recommend")  # at once, even while the recommender is still being fitted
    model, note = chosen_model()
    # While the shared models are fitted (minutes at ml-32m; seconds after a restart), the crowd
    # favourites are served at once instead of a blank page.
    crowd = crowd_recommender(ml)
    restore_profile(crowd.index_)  # ?profile= on this session's first run
    save_profile()  # every change came from a callback, already run: the URL holds it all now
    # The models fitted so far may already answer this visitor's ratings (a first rating needs
    # neither EASE nor UserKNN): then they get their personal list before the fit is done.
    rec = ready_recommender(ml, model, my_ratings()) or crowd
    filters = render_filters(rec.catalog_)
    mode = render_header(ml, rec, note)
    if not rec.complete and mode != "rate":
        st.info(f"“{MODES[mode]}” needs the personal models: it opens here once they are fitted.",
                icon="⏳")  # fmt: skip
        return
    if mode == "rate":
        render_rate_mode(ml, rec, model, filters)
    elif mode == "title":
        render_title_mode(ml, rec, filters)
    elif mode == "user":
        render_user_mode(rec, filters)
    else:
        render_night_mode(rec, filters)


main()
