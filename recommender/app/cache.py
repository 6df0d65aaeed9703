"""Every Streamlit cache of the app, in one place.

Objects returned by ``st.cache_resource`` functions are shared by every visitor: callers treat
them as read-only (copy a DataFrame before changing it; never fit a shared model on one visitor's
ratings). Cache keys use :attr:`recommender.data.MovieLens.key`, never the frames themselves.
A visitor's own upload (:attr:`~recommender.data.MovieLens.is_upload`) never enters a shared
cache: the same functions run for it through a memo in that visitor's session state
(:func:`_cached`), gone with the session.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from copy import deepcopy
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from recommender import explore, settings
from recommender.choice import RankerOption, ranker_options, recommendation_model
from recommender.data import (
    DatasetSummary,
    FilterBounds,
    MovieFilters,
    MovieLens,
    ProgressCallback,
    apply_filters,
    cleaning_changes,
    dataset_info,
    download_movielens,
    filter_bounds,
    load_dataset,
    local_copy,
    quality_report,
    read_dataset,
    resolve_source,
    summarize,
)
from recommender.evaluation import GridSettings, cached_results, make_folds, preset
from recommender.evaluation.jobs import JobRunner
from recommender.evaluation.sampling import DataShape, sample_users
from recommender.evaluation.significance import Comparison, compare_all
from recommender.models import ModelConfig
from recommender.recommend import Recommender
from recommender.recommend.history_import import MatchIndex, build_match_index

__all__ = [
    "evaluated_ratings",
    "evaluated_shape",
    "evaluation_folds",
    "explore_frame",
    "explore_headline",
    "explore_quality",
    "get_explore_bounds",
    "get_dataset",
    "get_movielens",
    "crowd_recommender",
    "dataset_summary",
    "fitting_seconds",
    "get_recommender",
    "onboarding_picks",
    "history_match_index",
    "job_runner",
    "paired_comparisons",
    "newer_recommender",
    "ready_recommender",
    "recommender_choices",
    "warm_up",
]


# A visitor's own upload never enters a shared cache: its values live in that session's state
# (bounded), so no other visitor can reach them and they go when the session ends.
_SESSION_MEMO = "upload_cache"
_SESSION_MEMO_SIZE = 32


def _cached(function: Any, ml: MovieLens, *args: Any, copy: bool = False) -> Any:
    """``function(*args)`` through its shared Streamlit cache, or, when ``ml`` is a visitor's
    upload, through this session's memo (``copy``: a fresh copy each call, as ``st.cache_data``
    gives)."""
    if not ml.is_upload:
        return function(*args)
    memo = st.session_state.setdefault(_SESSION_MEMO, OrderedDict())
    key = (function.__name__, *(a for a in args if not isinstance(a, MovieLens)))
    if key not in memo:
        memo[key] = function.__wrapped__(*args)
        while len(memo) > _SESSION_MEMO_SIZE:
            memo.popitem(last=False)
    return deepcopy(memo[key]) if copy else memo[key]


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


_FRESH: dict[tuple[str, str], MovieLens] = {}  # just downloaded and read: handed to the cache
_FRESH_LOCK = threading.Lock()


@st.cache_resource(show_spinner="Reading the MovieLens data…", max_entries=2)
def _catalogue_dataset(name: str, home: str) -> MovieLens:
    with _FRESH_LOCK:
        fresh = _FRESH.pop((name, home), None)
    return fresh if fresh is not None else load_dataset(name, data_dir=Path(home))


def get_dataset(name: str, progress: ProgressCallback | None = None) -> MovieLens:
    """The catalogue dataset ``name``, read once per process (from its Parquet copy when there is
    one). Not in the data home yet: downloaded first, reporting ``progress(bytes_done,
    bytes_total)``, and verified as on the app's first start (one request: from GroupLens, against
    the catalogue's size, SHA-256 and MD5 pins, asking the published ``.md5`` only if they
    disagree; from a mirror, flagged in the dataset's warnings when nothing could be checked).

    Raises :class:`recommender.data.DataError` (unknown name, failed or corrupt download, bad data).
    """
    home = settings.data_home()
    if local_copy(dataset_info(name), home) is None:
        ml = load_dataset(name, data_dir=home, progress=progress, published_md5=False)
        with _FRESH_LOCK:
            _FRESH[(name, str(home))] = ml
    try:
        return _catalogue_dataset(name, str(home))
    finally:
        with _FRESH_LOCK:  # already cached (a copy deleted and fetched again): drop it
            _FRESH.pop((name, str(home)), None)


# ------------------------------------------------------------------------------ Explore


@st.cache_data(show_spinner=False, max_entries=4)
def _explore_bounds(_ml: MovieLens, dataset_key: str) -> FilterBounds:
    return filter_bounds(_ml)


def get_explore_bounds(ml: MovieLens) -> FilterBounds:
    """What the Explore filters can take on ``ml``."""
    return _cached(_explore_bounds, ml, ml, ml.key, copy=True)


# A view holds a copy of the ratings it keeps (up to ~640 MB at ml-32m), so only the last one is
# kept; frames and headlines are cached on their own and need a view only when they are computed
# (going back to a filter seen before redraws from cached frames: no view).
@st.cache_resource(show_spinner=False, max_entries=1)
def _explore_view(_ml: MovieLens, dataset_key: str, filters_key: tuple) -> MovieLens:
    return apply_filters(_ml, MovieFilters(*filters_key))


def _filtered_view(ml: MovieLens, filters: MovieFilters) -> MovieLens:
    """The part of ``ml`` the filters keep (shared: read-only)."""
    return _cached(_explore_view, ml, ml, ml.key, filters.key)


@st.cache_data(show_spinner=False, max_entries=512)
def _explore_frame(
    _ml: MovieLens, dataset_key: str, filters_key: tuple, function: str, args: tuple
) -> pd.DataFrame:
    return explore.FRAMES[function](_filtered_view(_ml, MovieFilters(*filters_key)), *args)


def explore_frame(ml: MovieLens, filters: MovieFilters, function: str, *args: Any) -> pd.DataFrame:
    """``recommender.explore.FRAMES[function](view, *args)`` on the filtered view, cached per
    filters and arguments."""
    return _cached(_explore_frame, ml, ml, ml.key, filters.key, function, args, copy=True)


@st.cache_data(show_spinner=False, max_entries=32)
def _explore_headline(_ml: MovieLens, dataset_key: str, filters_key: tuple) -> dict[str, str]:
    return explore.headline_column(_filtered_view(_ml, MovieFilters(*filters_key)))


def explore_headline(ml: MovieLens, filters: MovieFilters) -> pd.DataFrame:
    """Headline numbers of the whole data (computed once) next to the filtered view."""
    whole = _cached(_explore_headline, ml, ml, ml.key, MovieFilters().key, copy=True)
    view = _cached(_explore_headline, ml, ml, ml.key, filters.key, copy=True)
    return explore.headline_table(whole, view)


@st.cache_data(show_spinner="Checking data quality…", max_entries=4)
def _explore_quality(_ml: MovieLens, dataset_key: str):
    report = quality_report(_ml)
    return report.checks, report.missing, cleaning_changes(_ml)


def explore_quality(ml: MovieLens) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(checks, missing, changes)``: the quality report's frames and what ``clean`` changed."""
    return _cached(_explore_quality, ml, ml, ml.key, copy=True)


# ------------------------------------------------------------------------------ Compare, Recommend


@st.cache_resource(show_spinner="Building the cross-validation folds…", max_entries=2)
def _evaluation_folds(_ml: MovieLens, dataset_key: str, n_folds: int, seed: int) -> tuple:
    return tuple(make_folds(_ml.ratings, n_folds, seed, _ml.movies, _ml.rating_scale))


def evaluation_folds(ml: MovieLens, n_folds: int, seed: int) -> tuple:
    """The seeded K folds of ``ml`` for the Compare models page (shared, read-only)."""
    return _cached(_evaluation_folds, ml, ml, ml.key, n_folds, seed)


@st.cache_resource(
    show_spinner="Fitting the recommender on every rating (once per model)…", max_entries=2
)
def _recommender(_ml: MovieLens, dataset_key: str, model_key: str) -> Recommender:
    if not model_key and not _ml.is_upload:  # fitted in the background since the first view
        return warm_up(_ml).result()
    return Recommender.from_movielens(_ml, ModelConfig.from_key(model_key) if model_key else None)


# One background thread fits the default recommender as soon as a dataset is loaded, so the first
# visitor to reach Recommend finds it ready. The KNN kernels (Compare models, a hand-picked KNN
# model) are compiled in a low-priority process of their own: compiling in the server would hold the
# interpreter lock for seconds and stall every page.
_WARM_UP = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-up")
_WARMED: dict[str, Future] = {}
_STAGES: dict[str, Recommender] = {}  # what each dataset's background fit has fitted so far
_WARM_STARTED: dict[str, float] = {}  # when each dataset's fit was queued (monotonic seconds)
_WARM_LOCK = threading.Lock()
_KERNELS: list[subprocess.Popen] = []


def _fit_default(ml: MovieLens) -> Recommender:
    rec = None
    for rec in Recommender().fit_stages(ml):
        _STAGES[ml.key] = rec  # one assignment: a reader sees the previous stage or this one
    return rec


def _compile_knn_kernels() -> None:
    """Start ``python -m recommender.knn.warm`` once per server (numba's on-disk cache keeps the
    result for the server and the grid workers)."""
    if _KERNELS:
        return
    with contextlib.suppress(OSError):  # compiled kernels: a nicety, never a failure
        quiet = dict.fromkeys(("stdin", "stdout", "stderr"), subprocess.DEVNULL)
        _KERNELS.append(subprocess.Popen([sys.executable, "-m", "recommender.knn.warm"], **quiet))


def warm_up(ml: MovieLens) -> Future | None:
    """Start fitting the default recommender for ``ml`` in the background (once per dataset);
    the future it returns gives the fitted :class:`Recommender`. None for a visitor's upload: its
    recommender is fitted when its session asks, and kept in that session only."""
    if ml.is_upload:
        return None
    with _WARM_LOCK:
        future = _WARMED.get(ml.key)
        if future is None or (future.done() and future.exception() is not None):
            future = _WARMED[ml.key] = _WARM_UP.submit(_fit_default, ml)
            _WARM_STARTED[ml.key] = time.monotonic()
            # after the fit: on 2 cores the kernels' process would slow the fit the first
            # visitor is waiting for (nice 15 or not, it shares the cores with their browser)
            future.add_done_callback(lambda _: _compile_knn_kernels())
            while len(_WARMED) > 2:  # the two most recent datasets (memory)
                oldest = next(iter(_WARMED))
                del _WARMED[oldest]
                _STAGES.pop(oldest, None)
        return future


@st.cache_data(show_spinner=False, max_entries=8)
def _dataset_summary(_ml: MovieLens, dataset_key: str) -> DatasetSummary:
    return summarize(_ml)


def dataset_summary(ml: MovieLens) -> DatasetSummary:
    """The headline numbers of ``ml`` (every page shows them: computed once per dataset)."""
    return _cached(_dataset_summary, ml, ml, ml.key, copy=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _onboarding(_ml: MovieLens, dataset_key: str, n: int) -> pd.DataFrame:
    return crowd_recommender(_ml).onboarding(n)


def onboarding_picks(ml: MovieLens, n: int) -> pd.DataFrame:
    """The first set of movies to rate: popular ones across genres, the same for every visitor
    and every model (computed once, without waiting for the personal models)."""
    return _cached(_onboarding, ml, ml, ml.key, n, copy=True)


@st.cache_resource(show_spinner=False, max_entries=2)
def _crowd_recommender(_ml: MovieLens, dataset_key: str) -> Recommender:
    return Recommender.crowd_only(_ml)


def crowd_recommender(ml: MovieLens) -> Recommender:
    """:meth:`Recommender.crowd_only` for ``ml``: what Recommend serves while the personal models
    are being fitted (shared: read-only)."""
    return _cached(_crowd_recommender, ml, ml, ml.key)


def ready_recommender(
    ml: MovieLens, model: ModelConfig | None = None, ratings: Mapping[int, float] | None = None
) -> Recommender | None:
    """:func:`get_recommender`, or None while the shared default recommender is still being
    fitted in the background (the page then serves :func:`crowd_recommender` and polls), unless
    the models fitted so far already answer a visitor who rated ``ratings`` exactly as the whole
    recommender will (:meth:`Recommender.serves`): then that stage of the fit. A hand-picked
    model or an upload is fitted by the asking session, as before."""
    if recommendation_model(model) is None and not ml.is_upload:
        future = warm_up(ml)
        if future is not None and not future.done():
            stage = _STAGES.get(ml.key)
            served = stage is not None and ratings is not None and stage.serves(ratings)
            return stage if served else None
    return get_recommender(ml, model)


def newer_recommender(
    ml: MovieLens, shown: Recommender, ratings: Mapping[int, float]
) -> Recommender | None:
    """What the page should serve instead of ``shown`` (used while the default recommender is
    fitted) to a visitor who rated ``ratings``, or None if nothing they see would change: a
    stage that serves them when ``shown`` did not, or the complete recommender (more modes)."""
    ready = ready_recommender(ml, None, ratings)
    changed = ready is not None and ready is not shown
    return ready if changed and (ready.complete or not shown.serves(ratings)) else None


def fitting_seconds(ml: MovieLens) -> float:
    """Seconds since the background fit of ``ml``'s default recommender started (0 if none)."""
    started = _WARM_STARTED.get(ml.key)
    return 0.0 if started is None else time.monotonic() - started


def get_recommender(ml: MovieLens, model: ModelConfig | None = None) -> Recommender:
    """The Recommend page's :class:`~recommender.recommend.Recommender`, fitted once on all of
    ``ml`` and shared by every visitor: query it, never refit or change it. ``model`` is the
    configuration handed over from Compare models, if any (:func:`recommendation_model` decides;
    :class:`~recommender.choice.RecommendChoice` if it cannot be used)."""
    chosen = recommendation_model(model)
    return _cached(_recommender, ml, ml, ml.key, chosen.key if chosen else "")


@st.cache_data(show_spinner=False, ttl=60, max_entries=4)
def _recommender_choices(
    dataset: str, n_ratings: int, scale: tuple[float, float]
) -> list[RankerOption]:
    settings = GridSettings(dataset, n_ratings, rating_scale=scale)
    return ranker_options(cached_results(settings, preset("all")))


def recommender_choices(ml: MovieLens) -> list[RankerOption]:
    """The rankers a visitor may pick on Recommend, with their quality from Compare models' default
    settings (the shipped reference or newer results; re-read at most once a minute)."""
    return _recommender_choices(ml.name, len(ml.ratings), ml.rating_scale)


@st.cache_data(show_spinner="Comparing every model with the best, user by user…", max_entries=8)
def paired_comparisons(
    settings: GridSettings, keys: tuple[str, ...], directory: str | None = None
) -> list[Comparison]:
    """Every cached result of ``keys`` (in ``directory``, default the shared results) against the
    best one on NDCG@5 (paired over users)."""
    configs = [ModelConfig.from_key(k) for k in keys]
    return compare_all(cached_results(settings, configs, directory), "ndcg")


@st.cache_resource(show_spinner="Drawing the seeded sample of users…", max_entries=4)
def _user_sample(_ml: MovieLens, dataset_key: str, n_users: int, seed: int) -> pd.DataFrame:
    return sample_users(_ml.ratings, n_users, seed)


def evaluated_ratings(ml: MovieLens, n_users: int | None, seed: int) -> pd.DataFrame:
    """The ratings Compare models evaluates on: all of ``ml``'s, or every rating of a seeded
    sample of ``n_users`` users (shared, read-only)."""
    if n_users is None:
        return ml.ratings
    return _cached(_user_sample, ml, ml, ml.key, n_users, seed)


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluated_shape(_ml: MovieLens, dataset_key: str, n_users: int | None, seed: int) -> DataShape:
    return DataShape.of(evaluated_ratings(_ml, n_users, seed))


def evaluated_shape(ml: MovieLens, n_users: int | None, seed: int) -> DataShape:
    """The sizes of :func:`evaluated_ratings` that a grid's time estimate needs."""
    return _cached(_evaluated_shape, ml, ml, ml.key, n_users, seed, copy=True)


@st.cache_resource(show_spinner=False)
def _job_runner(directory: str, workers: int) -> JobRunner:
    return JobRunner(Path(directory), workers)


def job_runner() -> JobRunner:
    """The server's one queue of grid jobs for the results folder (shared by every visitor; jobs
    outlive script runs)."""
    return _job_runner(str(settings.results_dir()), settings.grid_workers())


# ------------------------------------------------------------------------------ History import


@st.cache_resource(show_spinner="Indexing the titles to match your history…", max_entries=2)
def _match_index(_ml: MovieLens, dataset_key: str) -> MatchIndex:
    return build_match_index(_ml)


def history_match_index(ml: MovieLens) -> MatchIndex:
    """The lookups that match an imported history to ``ml``'s movies (ids through links.csv,
    titles), built once per dataset and shared by every visitor: read-only."""
    return _cached(_match_index, ml, ml, ml.key)
