"""The floor of `benchmarks/load.py`: what Streamlit and the browser cost with no app behind them.

A title and a sidebar of links, like the app's frame without its data, charts or models. Served
the same way as the app (`streamlit run benchmarks/floor_app.py` from the project root).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Floor · MovieLens recommender", page_icon="🧱", layout="wide")
with st.sidebar:
    st.page_link("https://grouplens.org/datasets/movielens/", label="Overview", icon="🏠")
    st.page_link("https://grouplens.org/datasets/movielens/", label="Explore", icon="🔎")
    st.page_link("https://grouplens.org/datasets/movielens/", label="Compare models", icon="⚖️")
    st.page_link("https://grouplens.org/datasets/movielens/", label="Recommend", icon="🍿")
st.title("🧱 Floor")
