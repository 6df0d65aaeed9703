"""Streamlit caching glue: the only module of the package that imports Streamlit.

Objects returned by ``st.cache_resource`` functions are shared by every visitor of the app: callers
must treat them as read-only (copy a DataFrame before changing it; never fit a shared model on one
visitor's ratings).
"""

from __future__ import annotations

import streamlit as st

from recommender.data import (
    DEFAULT_DATASET,
    MovieLens,
    default_data_dir,
    download_url,
    read_dataset,
    resolve_source,
)


def ensure_app_navigation() -> None:
    """Route this run through ``streamlit_app.py``'s ``st.navigation``; call first on every page.

    Until some session has run ``st.navigation``, a fresh Streamlit server treats a ``pages/``
    folder the old (v1) way: a shared deep link such as ``/explore?genres=Comedy`` opened as the
    server's first request runs ``pages/explore.py`` on its own, without the app's sidebar, data
    loading or layout. The public ``st.navigation`` clears that flag; here we clear it and rerun, and
    the rerun lands on the same page (page ids derive from the URL path) with its query string.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the v1 emulation
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.cache_resource(show_spinner="Reading the MovieLens data…", max_entries=2)
def _dataset_at(path: str) -> MovieLens:
    return read_dataset(path)


def _download_with_progress() -> str:
    """Download ml-latest-small into data/, showing a progress bar on the page."""
    from recommender.download import download_movielens

    url = download_url()
    bar = st.progress(0.0, text=f"Downloading {DEFAULT_DATASET} from GroupLens (first start only)…")
    shown = [-1]

    def report(done: int, total: int | None) -> None:
        if not total:
            return
        percent = int(100 * done / total)
        if percent != shown[0]:  # one websocket message per percent, not per chunk
            shown[0] = percent
            bar.progress(
                min(percent, 100) / 100,
                text=f"Downloading {DEFAULT_DATASET}: {done / 1e6:.1f} of {total / 1e6:.1f} MB",
            )

    try:
        path = download_movielens(url, default_data_dir(), progress=report)
    finally:
        bar.empty()
    return str(path)


def get_movielens() -> MovieLens:
    """The dataset for this app process: resolved, downloaded on first start, read once.

    Raises :class:`recommender.data.DataError` for anything wrong with the data.
    """
    path = resolve_source()
    location = str(path) if path is not None else _download_with_progress()
    return _dataset_at(location)


# --------------------------------------------------------------------------------------------
# Explore page: filtered views and eda frames, keyed by dataset + filters (never by the frames)


def _explore_dataset_key(ml: MovieLens) -> str:
    return f"{ml.name}@{ml.source}"


@st.cache_data(show_spinner=False, max_entries=4)
def _explore_bounds(_ml: MovieLens, dataset_key: str):
    from recommender.eda import filter_bounds

    return filter_bounds(_ml)


def get_explore_bounds(ml: MovieLens):
    """What the Explore filters can take on ``ml`` (a :class:`recommender.filters.FilterBounds`)."""
    return _explore_bounds(ml, _explore_dataset_key(ml))


@st.cache_resource(show_spinner=False, max_entries=16)
def _explore_view(_ml: MovieLens, dataset_key: str, filters_key: tuple) -> MovieLens:
    from recommender.eda import apply_filters
    from recommender.filters import ExploreFilters

    return apply_filters(_ml, ExploreFilters(*filters_key))


def get_explore_view(ml: MovieLens, filters) -> MovieLens:
    """The part of ``ml`` an :class:`~recommender.filters.ExploreFilters` keeps (shared: read-only)."""
    return _explore_view(ml, _explore_dataset_key(ml), filters.key)


@st.cache_data(show_spinner=False, max_entries=512)
def _explore_frame(
    _view: MovieLens, dataset_key: str, filters_key: tuple, function: str, args: tuple
):
    from recommender import eda

    return getattr(eda, function)(_view, *args)


def explore_frame(ml: MovieLens, filters, function: str, *args):
    """``recommender.eda.<function>(view, *args)`` on the filtered view, cached per filters and args."""
    view = get_explore_view(ml, filters)
    return _explore_frame(view, _explore_dataset_key(ml), filters.key, function, args)


@st.cache_data(show_spinner=False, max_entries=32)
def _explore_headline(_ml: MovieLens, _view: MovieLens, dataset_key: str, filters_key: tuple):
    from recommender.eda import headline_numbers

    return headline_numbers(_ml, _view)


def explore_headline(ml: MovieLens, filters):
    """Headline numbers of the whole data next to the filtered view (``eda.headline_numbers``)."""
    view = get_explore_view(ml, filters)
    return _explore_headline(ml, view, _explore_dataset_key(ml), filters.key)


@st.cache_data(show_spinner="Checking data quality…", max_entries=4)
def _explore_quality(_ml: MovieLens, dataset_key: str):
    from recommender.data import clean, quality_report

    report = quality_report(_ml)
    return report.checks, report.missing, clean(_ml).changes


def explore_quality(ml: MovieLens):
    """``(checks, missing, changes)``: the quality report's frames and what ``clean`` changed."""
    return _explore_quality(ml, _explore_dataset_key(ml))


@st.cache_resource(show_spinner="Building the cross-validation folds…", max_entries=2)
def _evaluation_folds(_ratings, dataset_id: str, n_folds: int, seed: int) -> tuple:
    from recommender.evaluation import make_folds

    return tuple(make_folds(_ratings, n_folds, seed))


def evaluation_folds(ml: MovieLens, n_folds: int, seed: int) -> tuple:
    """The seeded K folds of ``ml`` for the Compare models page (shared, read-only)."""
    return _evaluation_folds(ml.ratings, f"{ml.name}-{ml.n_ratings}", n_folds, seed)


@st.cache_resource(
    show_spinner="Fitting the recommender on every rating (once per model)…", max_entries=2
)
def _recommender(_ml: MovieLens, dataset_id: str, model_key: str):
    from recommender.models import ModelConfig
    from recommender.recommend import Recommender

    return Recommender.from_movielens(_ml, ModelConfig.from_key(model_key))


def get_recommender(ml: MovieLens, model=None):
    """The Recommend page's :class:`~recommender.recommend.Recommender`, fitted once on all of
    ``ml`` and shared by every visitor: query it, never refit or change it. ``model`` is a
    ``ModelConfig`` (default: the best configuration cached by Compare models)."""
    from recommender.recommend import default_model, item_based

    config = item_based(model or default_model(ml.name, ml.n_ratings))
    return _recommender(ml, f"{ml.name}-{ml.n_ratings}", config.key)
