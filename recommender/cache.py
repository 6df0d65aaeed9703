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
