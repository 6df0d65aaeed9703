"""Entry point: `streamlit run streamlit_app.py`.

Loads the dataset once per process (downloading it on first start), shows its name and size in the
sidebar and routes to the pages. Each page is a thin layout over the `recommender` package.
"""

from __future__ import annotations

import streamlit as st

from recommender.cache import get_movielens
from recommender.data import ENV_DIR, DataError
from recommender.summary import summarize

st.set_page_config(page_title="MovieLens recommender", page_icon="🎬", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
    st.Page("pages/explore.py", title="Explore", icon="🔎"),
    st.Page("pages/compare_models.py", title="Compare models", icon="⚖️"),
    st.Page("pages/recommend.py", title="Recommend", icon="🍿"),
]

navigation = st.navigation(PAGES)

try:
    ml = get_movielens()
except DataError as error:
    st.error(f"**The MovieLens data could not be loaded.**\n\n{error}", icon="🚫")
    st.info(
        f"To use a copy you already have, set `{ENV_DIR}` to its folder or zip and restart, e.g. "
        f"`{ENV_DIR}=~/Downloads/ml-latest-small streamlit run streamlit_app.py`."
    )
    st.stop()

summary = summarize(ml)
with st.sidebar:
    st.markdown(f"**Dataset:** `{summary.name}`")
    st.caption(
        f"{summary.users:,} users · {summary.movies:,} movies · {summary.ratings:,} ratings · "
        f"{summary.tags:,} tags"
    )
    st.caption(
        "Data: [MovieLens](https://grouplens.org/datasets/movielens/) by GroupLens Research."
    )

navigation.run()
