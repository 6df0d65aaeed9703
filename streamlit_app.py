"""Entry point and home page: `streamlit run streamlit_app.py`.

Streamlit discovers the other pages in `pages/`; every page, this one included, first calls
`page_frame` (page config, sidebar navigation, data loading). This page is the Overview: what the
app does, the dataset at a glance, and the GroupLens credit. Imported rather than run (by
`streamlit run`, once per server), the file defines the server, `app`, whose start-up readies the
default dataset and recommender before the first visitor (recommender/app/server.py).
"""

from __future__ import annotations

import streamlit as st

from recommender.app.cache import dataset_summary
from recommender.app.frame import page_frame, plain
from recommender.data import CITATION, DatasetSummary

PAGE_LINKS = (
    ("pages/explore.py", "Explore", "🔎",
     "Data-quality checks and charts of ratings, movies, genres, tags and time, with filters "
     "kept in the URL so a view can be shared."),
    ("pages/compare_models.py", "Compare models", "⚖️",
     "Cross-validated RMSE/MAE and top-5 ranking metrics for KNN collaborative filtering "
     "(user- and item-based, four similarities) against baselines, all on the same folds."),
    ("pages/recommend.py", "Recommend", "🍿",
     "Rate a few movies, pick a title, or pick an existing user, and get five "
     "recommendations, each with the reason for it."),
)  # fmt: skip


def render_intro() -> None:
    st.title("🎬 MovieLens recommender")
    st.markdown(
        "Explore the MovieLens ratings, compare collaborative-filtering models on the same "
        "cross-validation folds, and get a personal top-5 by rating a few movies."
    )


def render_dataset(summary: DatasetSummary) -> None:
    st.subheader(f"The dataset: {plain(summary.name)}")
    row1 = st.columns(4)
    row1[0].metric("Users", f"{summary.users:,}")
    row1[1].metric(
        "Movies", f"{summary.movies:,}", help=f"{summary.rated_movies:,} of them have ratings"
    )
    row1[2].metric(
        "Ratings", f"{summary.ratings:,}", help=f"Mean rating {summary.mean_rating:.2f} ★"
    )
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


def render_page_links() -> None:
    st.subheader("How to use it")
    for column, (script, label, icon, text) in zip(
        st.columns(len(PAGE_LINKS)), PAGE_LINKS, strict=True
    ):
        with column.container(border=True):
            st.page_link(script, label=f"**{label}**", icon=icon)
            st.caption(text)


def render_credits() -> None:
    st.subheader("Credits")
    st.markdown(
        "The data is the **MovieLens** dataset from "
        "[GroupLens Research](https://grouplens.org/datasets/movielens/) at the University of "
        "Minnesota, used under its license for non-commercial purposes. The app is neither "
        "endorsed by nor affiliated with GroupLens."
    )
    st.caption(f"Citation: {CITATION}")


def main() -> None:
    ml = page_frame("Overview", "🏠")
    render_intro()
    render_dataset(dataset_summary(ml))
    render_page_links()
    render_credits()


if __name__ == "__main__":  # a visit: Streamlit runs this file as the Overview page
    main()
else:  # `streamlit run streamlit_app.py` imports this file to serve it: see recommender/app/server.py
    from recommender.app.server import lifespan

    app = st.App("streamlit_app.py", lifespan=lifespan)
