"""Every Streamlit cache of the app, in one place.

Objects returned by ``st.cache_resource`` functions are shared by every visitor: callers treat
them as read-only (copy a DataFrame before changing it; never fit a shared model on one visitor's
ratings). Cache keys use :attr:`recommender.data.MovieLens.key`, never the frames themselves.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from recommender import explore, settings
from recommender.choice import recommendation_model
from recommender.data import (
    FilterBounds,
    MovieFilters,
    MovieLens,
    apply_filters,
    clean,
    download_movielens,
    filter_bounds,
    quality_report,
    read_dataset,
    resolve_source,
)
from recommender.evaluation import make_folds
from recommender.models import ModelConfig
from recommender.recommend import Recommender

__all__ = [
    "evaluation_folds",
    "explore_frame",
    "explore_headline",
    "explore_quality",
    "get_explore_bounds",
    "get_explore_view",
    "get_movielens",
    "get_recommender",
]


@st.cache_resource(show_spinner="Reading the MovieLens data…", max_entries=2)
def _dataset_at(path: str) -> MovieLens:
    return read_dataset(path)


def _download_with_progress() -> str:
    """Download ml-latest-small into the data home, showing a progress bar on the page."""
    name = settings.DEFAULT_DATASET
    bar = st.progress(0.0, text=f"Downloading {name} from GroupLens (first start only)…")
    shown = [-1]

    def report(done: int, total: int | None) -> None:
        if not total:
            return
        percent = int(100 * done / total)
        if percent != shown[0]:  # one websocket message per percent, not per chunk
            shown[0] = percent
            bar.progress(
                min(percent, 100) / 100,
                text=f"Downloading {name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB",
            )

    try:
        path = download_movielens(settings.dataset_url(), settings.data_home(), progress=report)
    finally:
        bar.empty()
    return str(path)


def get_movielens() -> MovieLens:
    """The dataset for this app process: resolved, downloaded on first start, read once.

    Raises :class:`recommender.data.DataError` for anything wrong with the data.
    """
    path = resolve_source()
    return _dataset_at(str(path) if path is not None else _download_with_progress())


# ------------------------------------------------------------------------------ Explore


@st.cache_data(show_spinner=False, max_entries=4)
def _explore_bounds(_ml: MovieLens, dataset_key: str) -> FilterBounds:
    return filter_bounds(_ml)


def get_explore_bounds(ml: MovieLens) -> FilterBounds:
    """What the Explore filters can take on ``ml``."""
    return _explore_bounds(ml, ml.key)


@st.cache_resource(show_spinner=False, max_entries=16)
def _explore_view(_ml: MovieLens, dataset_key: str, filters_key: tuple) -> MovieLens:
    return apply_filters(_ml, MovieFilters(*filters_key))


def get_explore_view(ml: MovieLens, filters: MovieFilters) -> MovieLens:
    """The part of ``ml`` the filters keep (shared: read-only)."""
    return _explore_view(ml, ml.key, filters.key)


@st.cache_data(show_spinner=False, max_entries=512)
def _explore_frame(
    _view: MovieLens, dataset_key: str, filters_key: tuple, function: str, args: tuple
) -> pd.DataFrame:
    return explore.FRAMES[function](_view, *args)


def explore_frame(ml: MovieLens, filters: MovieFilters, function: str, *args: Any) -> pd.DataFrame:
    """``recommender.explore.FRAMES[function](view, *args)`` on the filtered view, cached per
    filters and arguments."""
    view = get_explore_view(ml, filters)
    return _explore_frame(view, ml.key, filters.key, function, args)


@st.cache_data(show_spinner=False, max_entries=32)
def _explore_headline(_ml: MovieLens, _view: MovieLens, dataset_key: str, filters_key: tuple):
    return explore.headline_numbers(_ml, _view)


def explore_headline(ml: MovieLens, filters: MovieFilters) -> pd.DataFrame:
    """Headline numbers of the whole data next to the filtered view."""
    return _explore_headline(ml, get_explore_view(ml, filters), ml.key, filters.key)


@st.cache_data(show_spinner="Checking data quality…", max_entries=4)
def _explore_quality(_ml: MovieLens, dataset_key: str):
    report = quality_report(_ml)
    return report.checks, report.missing, clean(_ml).changes


def explore_quality(ml: MovieLens) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(checks, missing, changes)``: the quality report's frames and what ``clean`` changed."""
    return _explore_quality(ml, ml.key)


# ------------------------------------------------------------------------------ Compare, Recommend


@st.cache_resource(show_spinner="Building the cross-validation folds…", max_entries=2)
def _evaluation_folds(_ratings: pd.DataFrame, dataset_key: str, n_folds: int, seed: int) -> tuple:
    return tuple(make_folds(_ratings, n_folds, seed))


def evaluation_folds(ml: MovieLens, n_folds: int, seed: int) -> tuple:
    """The seeded K folds of ``ml`` for the Compare models page (shared, read-only)."""
    return _evaluation_folds(ml.ratings, ml.key, n_folds, seed)


@st.cache_resource(
    show_spinner="Fitting the recommender on every rating (once per model)…", max_entries=2
)
def _recommender(_ml: MovieLens, dataset_key: str, model_key: str) -> Recommender:
    return Recommender.from_movielens(_ml, ModelConfig.from_key(model_key))


def get_recommender(ml: MovieLens, model: ModelConfig | None = None) -> Recommender:
    """The Recommend page's :class:`~recommender.recommend.Recommender`, fitted once on all of
    ``ml`` and shared by every visitor: query it, never refit or change it. ``model`` is the
    configuration handed over from Compare models, if any (:func:`recommendation_model` decides)."""
    return _recommender(ml, ml.key, recommendation_model(ml, model).key)
