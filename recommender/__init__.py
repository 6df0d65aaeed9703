"""MovieLens recommender: data loading, KNN collaborative filtering, evaluation and recommendations.

Subpackages, lowest layer first (each imports only from the ones before it): :mod:`~.settings`
and :mod:`~.data`; :mod:`~.explore` and :mod:`~.knn`; :mod:`~.models`; :mod:`~.evaluation` and
:mod:`~.recommend`; :mod:`~.choice`; :mod:`~.app` (the only Streamlit code, with the pages).
"""

from recommender.data import DataError, MovieLens, load_movielens

__all__ = ["DataError", "MovieLens", "load_movielens"]
__version__ = "0.1.0"
