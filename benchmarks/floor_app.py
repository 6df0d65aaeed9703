"""The floor of `benchmarks/load.py`: what Streamlit and the browser cost with no app behind them.

A title and a sidebar of links, like the app's frame without its data, charts or models. Served
the same way as the app (`streamlit run benchmarks/floor_app.py` from the project root). With
``?chart=1`` it also draws one small plotly bar chart (ten bars, like Explore's first chart): the
floor of any page that shows a plotly chart.
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
if st.query_params.get("chart"):
    import plotly.graph_objects as go

    stars = [0.5 * i for i in range(1, 11)]
    figure = go.Figure(go.Bar(x=stars, y=[1, 3, 2, 7, 5, 13, 26, 19, 9, 13]))
    figure.update_layout(title="Ratings per star value", xaxis_title="Rating (stars)",
                         yaxis_title="Ratings (thousands)")  # fmt: skip
    st.plotly_chart(figure)
