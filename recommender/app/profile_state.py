"""A Recommend visitor's profile: ratings, hidden movies and watchlist, in their session and URL.

The profile lives in ``st.session_state`` only, so two visitors never see each other's. After
every run the page writes it to ``?profile=`` (:func:`save_profile`, through
:func:`recommender.recommend.profile_link.encode_profile`): a reload, a server restart or a shared
link brings it back, with nothing stored on the server. On the first run of a session the page
reads ``?profile=`` back (:func:`restore_profile`): what the link holds that is valid is kept, and
the plain-text warnings about the rest are kept for the page to show (as text, never markup).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from recommender.app.frame import HOME, PAGES
from recommender.app.url_state import read_param, write_param
from recommender.recommend.profile_link import (
    PROFILE_PARAM,
    ProfileLinkError,
    decode_profile,
    encode_profile,
    profile_from,
)

__all__ = [
    "HIDDEN_KEY",
    "RATINGS_KEY",
    "WATCHLIST_KEY",
    "add_to_watchlist",
    "hide_movie",
    "my_hidden",
    "my_ratings",
    "my_watchlist",
    "profile_link",
    "profile_problem",
    "profile_warnings",
    "remove_from_watchlist",
    "restore_profile",
    "save_profile",
    "unhide_movie",
]

RATINGS_KEY = "rec_ratings"  # {movieId: stars}, in the order they were given
HIDDEN_KEY = "rec_hidden"  # [movieId] "not interested", in the order they were hidden
WATCHLIST_KEY = "rec_watchlist"  # [movieId] in the order they were added
_RESTORED_KEY = "rec_profile_restored"  # set once ?profile= has been read in this session
_WARNINGS_KEY = "rec_profile_warnings"
_PROBLEM_KEY = "rec_profile_problem"  # why the profile is not in the URL (too large), or None
_TEXT_KEY = "rec_profile_text"
_PAGE_SLUGS = {PurePosixPath(script).stem for script, _, _ in PAGES if script != HOME}


def my_ratings() -> dict[int, float]:
    """This visitor's ratings (session state)."""
    return st.session_state.setdefault(RATINGS_KEY, {})


def my_hidden() -> list[int]:
    """The movies this visitor is not interested in."""
    return st.session_state.setdefault(HIDDEN_KEY, [])


def my_watchlist() -> list[int]:
    """The movies on this visitor's watchlist."""
    return st.session_state.setdefault(WATCHLIST_KEY, [])


def hide_movie(movie_id: int) -> None:
    """Hide the movie ("not interested") and take it off the watchlist."""
    movie_id = int(movie_id)
    if movie_id not in my_hidden():
        my_hidden().append(movie_id)
    remove_from_watchlist(movie_id)


def unhide_movie(movie_id: int) -> None:
    hidden = my_hidden()
    if int(movie_id) in hidden:
        hidden.remove(int(movie_id))


def add_to_watchlist(movie_id: int) -> None:
    movie_id = int(movie_id)
    if movie_id not in my_watchlist():
        my_watchlist().append(movie_id)
    unhide_movie(movie_id)


def remove_from_watchlist(movie_id: int) -> None:
    watchlist = my_watchlist()
    if int(movie_id) in watchlist:
        watchlist.remove(int(movie_id))


def restore_profile(known: Collection[int]) -> None:
    """On this session's first run of the page, add the profile of ``?profile=`` (movies of the
    dataset ``known`` only) to the session; later runs change nothing."""
    state = st.session_state
    if state.get(_RESTORED_KEY):
        return
    state[_RESTORED_KEY] = True
    text = read_param(PROFILE_PARAM)
    if not text:
        return
    decoded = decode_profile(text, known)
    my_ratings().update(decoded.profile.ratings)
    for movie_id in sorted(decoded.profile.hidden):
        if movie_id not in my_hidden():
            my_hidden().append(movie_id)
    for movie_id in decoded.profile.watchlist:
        if movie_id not in my_watchlist():
            my_watchlist().append(movie_id)
    state[_WARNINGS_KEY] = list(decoded.warnings)


def profile_warnings() -> list[str]:
    """Plain-text warnings about the profile link this session started from (show as text)."""
    return list(st.session_state.get(_WARNINGS_KEY, []))


def save_profile() -> str | None:
    """Write the session's profile to ``?profile=`` (removed when the profile is empty) and
    return its text; None when empty or too large for a link (:func:`profile_problem` says)."""
    profile = profile_from(my_ratings(), my_hidden(), my_watchlist())
    text: str | None = None
    problem = None
    if profile.ratings or profile.hidden or profile.watchlist:
        try:
            text = encode_profile(profile)
        except ProfileLinkError as error:
            problem = f"Your profile cannot be kept in a link: {error}. Export it as CSV instead."
    write_param(PROFILE_PARAM, text)
    st.session_state[_PROBLEM_KEY] = problem
    st.session_state[_TEXT_KEY] = text
    return text


def profile_problem() -> str | None:
    """Why the profile is not in the URL (plain text), or None."""
    return st.session_state.get(_PROBLEM_KEY)


def profile_link(page: str = "recommend") -> str | None:
    """The full link to this page with the visitor's profile (as last saved), or None when there
    is nothing to link. Without the browser's address (e.g. in tests) it starts at ``?``."""
    text = st.session_state.get(_TEXT_KEY)
    if not text:
        return None
    query = f"{PROFILE_PARAM}={text}"
    try:
        address = st.context.url or ""
    except Exception:  # no browser behind the session (AppTest)
        address = ""
    parts = urlsplit(address)
    if not parts.scheme or not parts.netloc:
        return f"?{query}"
    segments = parts.path.rstrip("/").split("/")
    if segments[-1] in _PAGE_SLUGS:  # the address of another page of the app
        segments.pop()
    path = "/".join([*segments, page])
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
