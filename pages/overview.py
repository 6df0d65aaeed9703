"""Overview: what the app does, the dataset at a glance, and the GroupLens credit."""

import streamlit as st

from recommender.cache import ensure_app_navigation, get_movielens
from recommender.data import CITATION
from recommender.summary import summarize

ensure_app_navigation()
summary = summarize(get_movielens())

st.title("🎬 MovieLens recommender")
st.markdown(
    "Explore the MovieLens ratings, compare collaborative-filtering models on the same "
    "cross-validation folds, and get a personal top-5 by rating a few movies."
)

st.subheader(f"The dataset: {summary.name}")
row1 = st.columns(4)
row1[0].metric("Users", f"{summary.users:,}")
row1[1].metric(
    "Movies", f"{summary.movies:,}", help=f"{summary.rated_movies:,} of them have ratings"
)
row1[2].metric("Ratings", f"{summary.ratings:,}", help=f"Mean rating {summary.mean_rating:.2f} ★")
row1[3].metric("Tags", f"{summary.tags:,}")
row2 = st.columns(4)
row2[0].metric(
    "Sparsity",
    f"{summary.sparsity_percent:.2f} %",
    help="Share of the users × rated-movies matrix with no rating",
)
row2[1].metric("Ratings from", f"{summary.first_rating:%b %Y}")
row2[2].metric("Ratings to", f"{summary.last_rating:%b %Y}")
row2[3].metric("Median ratings per user", f"{summary.median_ratings_per_user:,.0f}")

st.subheader("How to use it")
explore, compare, recommend = st.columns(3)
with explore.container(border=True):
    st.page_link("pages/explore.py", label="**Explore**", icon="🔎")
    st.caption(
        "Data-quality checks and charts of ratings, movies, genres, tags and time, with filters "
        "kept in the URL so a view can be shared."
    )
with compare.container(border=True):
    st.page_link("pages/compare_models.py", label="**Compare models**", icon="⚖️")
    st.caption(
        "Cross-validated RMSE/MAE and top-5 ranking metrics for KNN collaborative filtering "
        "(user- and item-based, four similarities) against baselines, all on the same folds."
    )
with recommend.container(border=True):
    st.page_link("pages/recommend.py", label="**Recommend**", icon="🍿")
    st.caption(
        "Rate a few movies, pick a title, or pick an existing user, and get five "
        "recommendations, each with the reason for it."
    )

st.subheader("Credits")
st.markdown(
    "The data is the **MovieLens** dataset from [GroupLens Research](https://grouplens.org/datasets/movielens/) "
    "at the University of Minnesota, used under its license for non-commercial purposes. "
    "The app is neither endorsed by nor affiliated with GroupLens."
)
st.caption(f"Citation: {CITATION}")
