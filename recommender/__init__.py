"""MovieLens recommender: data loading, KNN collaborative filtering, evaluation and recommendations.

The Streamlit pages are thin layouts over this package; nothing here imports Streamlit except
:mod:`recommender.cache`.
"""

from recommender.data import DataError, MovieLens, load_movielens

__all__ = ["DataError", "MovieLens", "load_movielens"]
__version__ = "0.1.0"
