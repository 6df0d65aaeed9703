"""The frame every page draws first: page config, sidebar navigation, data loading, credit.

Routing is Streamlit's own ``pages/`` discovery with ``streamlit_app.py`` as the home page
(Overview); Streamlit's automatic page list is switched off (``client.showSidebarNavigation =
false``) and :func:`page_frame` draws the navigation with ``st.page_link``, so every page, opened
first on a fresh server or through a shared deep link, shows the same labels and frame from its
first paint. See docs/ARCHITECTURE.md for why this design.
"""

from __future__ import annotations

import streamlit as st

from recommender.app.cache import dataset_summary, warm_up
from recommender.app.datasets import choose_and_load
from recommender.app.text import code_block, plain
from recommender.data import MovieLens

__all__ = ["HOME", "NAV_KEY", "PAGES", "code_block", "page_frame", "plain"]

HOME = "streamlit_app.py"
PAGES: tuple[tuple[str, str, str], ...] = (
    (HOME, "Overview", "🏠"),
    ("pages/explore.py", "Explore", "🔎"),
    ("pages/compare_models.py", "Compare models", "⚖️"),
    ("pages/recommend.py", "Recommend", "🍿"),
)
"""(script, label, icon) of every page, in navigation order."""


NAV_KEY = "app_nav"  # the navigation's container: CSS class st-key-app_nav (browser tests)


def _navigation() -> None:
    with st.sidebar, st.container(key=NAV_KEY):
        for script, label, icon in PAGES:
            st.page_link(script, label=label, icon=icon)


def _dataset_caption(ml: MovieLens, where) -> None:
    summary = dataset_summary(ml)
    with where:
        st.markdown(f"**Dataset:** {plain(summary.name)}")
        st.caption(
            f"{summary.users:,} users · {summary.movies:,} movies · {summary.ratings:,} ratings · "
            f"{summary.tags:,} tags"
        )
        if ml.is_upload:
            st.caption("Data: your own upload, seen by you only, for this session.")
        else:
            st.caption(
                "Data: [MovieLens](https://grouplens.org/datasets/movielens/) by GroupLens Research."
            )
        if ml.warnings:  # found while loading; did not stop it
            with st.expander(f"Notes on this data ({len(ml.warnings)})"):
                for warning in ml.warnings:
                    st.caption(plain(warning))


def page_frame(title: str, icon: str) -> MovieLens:
    """Set up the page (title, wide layout, sidebar navigation) and return the dataset; on a data
    problem, show what went wrong and what to do, and stop the page."""
    st.set_page_config(page_title=f"{title} · MovieLens recommender", page_icon=icon,
                       layout="wide")  # fmt: skip
    _navigation()
    caption = st.sidebar.container()  # above the picker, filled once the data is loaded
    ml = choose_and_load()  # the sidebar picker; a DataError is shown and stops the page
    warm_up(ml)  # the default recommender starts fitting in the background on the first view
    _dataset_caption(ml, caption)
    return ml
