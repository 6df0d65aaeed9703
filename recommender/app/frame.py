"""The frame every page draws first: page config, sidebar navigation, data loading, credit.

Routing is Streamlit's own ``pages/`` discovery with ``streamlit_app.py`` as the home page
(Overview); Streamlit's automatic page list is switched off (``client.showSidebarNavigation =
false``) and :func:`page_frame` draws the navigation with ``st.page_link``, so every page, opened
first on a fresh server or through a shared deep link, shows the same labels and frame from its
first paint. See docs/ARCHITECTURE.md for why this design.
"""

from __future__ import annotations

import re

import streamlit as st

from recommender import settings
from recommender.app.cache import get_movielens, warm_up
from recommender.data import DataError, MovieLens, summarize

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


def _load_or_stop() -> MovieLens:
    try:
        return get_movielens()
    except DataError as error:
        st.error(f"**The MovieLens data could not be loaded.**\n\n{code_block(error)}", icon="🚫")
        st.info(
            f"To use a copy you already have, set {settings.ENV_DIR} to its folder or zip and "
            f"restart, e.g. {settings.ENV_DIR}=~/Downloads/ml-latest-small streamlit run "
            "streamlit_app.py",
            icon="💡",
        )
        st.stop()
        raise  # unreachable: st.stop() ends the run


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>&#|~$:{}()!"})
# GitHub-flavoured markdown turns bare "https://…", "www.…" and "a@b.c" into links after escapes
# are resolved, so a backslash cannot stop it; an invisible word joiner after the trigger does.
_AUTOLINK_START = re.compile(r"(?i)(:(?=//)|\bwww(?=\.)|@)")
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def plain(text: object) -> str:
    """``text`` escaped so that Streamlit markdown shows it literally: titles contain '*', ':',
    '[', '$'…, and data or URL values are never markup (links, images, KaTeX, HTML, autolinks)."""
    flat = str(text).replace("\r", " ").replace("\n", " ")
    escaped = _AUTOLINK_START.sub("\\1\u2060", flat).translate(_MARKDOWN_SPECIAL)
    # a leading "-", "+", "=" or "1." would start a list or a heading
    return _BLOCK_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        escaped,
        count=1,
    )


def code_block(text: object) -> str:
    """``text`` as a fenced markdown code block: shown verbatim (paths, file contents), never
    interpreted, whatever backticks it holds."""
    body = str(text)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", body)), default=0))
    return f"{fence}text\n{body}\n{fence}"


def _dataset_caption(ml: MovieLens) -> None:
    summary = summarize(ml)
    with st.sidebar:
        st.markdown(f"**Dataset:** {plain(summary.name)}")
        st.caption(
            f"{summary.users:,} users · {summary.movies:,} movies · {summary.ratings:,} ratings · "
            f"{summary.tags:,} tags"
        )
        st.caption(
            "Data: [MovieLens](https://grouplens.org/datasets/movielens/) by GroupLens Research."
        )


def page_frame(title: str, icon: str) -> MovieLens:
    """Set up the page (title, wide layout, sidebar navigation) and return the dataset; on a data
    problem, show what went wrong and what to do, and stop the page."""
    st.set_page_config(page_title=f"{title} · MovieLens recommender", page_icon=icon,
                       layout="wide")  # fmt: skip
    _navigation()
    ml = _load_or_stop()
    warm_up(ml)  # the default recommender starts fitting in the background on the first view
    _dataset_caption(ml)
    return ml
