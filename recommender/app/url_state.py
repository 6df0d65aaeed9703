"""Page state kept in the URL, so a view can be shared: the one place that reads and writes
``st.query_params``.

Explore's filters go through the tested codec of :mod:`recommender.data.filters`; Explore's tab is
bound by Streamlit itself (``st.tabs(..., bind="query-params")``). Warnings about bad values are
plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from recommender.data import (
    FilterBounds,
    MovieFilters,
    make_filters,
    parse_query_params,
    to_query_params,
)
from recommender.data.filters import QUERY_KEYS

__all__ = ["FilterWidgets", "read_param", "seed_filter_widgets", "write_filters", "write_param"]


class FilterWidgets:
    """Session-state keys of the three filter widgets of a page."""

    def __init__(self, prefix: str):
        self.genres = f"{prefix}_genres"
        self.years = f"{prefix}_years"
        self.min_ratings = f"{prefix}_min_ratings"
        self.written = f"{prefix}_url_written"

    def filters(self, bounds: FilterBounds) -> MovieFilters:
        """The filters the widgets hold now, normalised."""
        state = st.session_state
        return make_filters(
            bounds, state[self.genres], tuple(state[self.years]), state[self.min_ratings]
        )


def seed_filter_widgets(widgets: FilterWidgets, bounds: FilterBounds) -> list[str]:
    """Before the widgets are drawn: on a new or changed URL, set them from it. Returns the
    warnings for URL values that were ignored or fixed (plain text)."""
    url = {k: st.query_params.get_all(k) for k in QUERY_KEYS if k in st.query_params}
    state = st.session_state
    written = {k: [v] for k, v in state.get(widgets.written, {}).items()}
    missing = any(k not in state for k in (widgets.genres, widgets.years, widgets.min_ratings))
    if widgets.written in state and url == written and not missing:
        return []
    filters, warnings = parse_query_params(url, bounds)
    state[widgets.genres] = list(filters.genres)
    state[widgets.years] = filters.years or (bounds.first_year, bounds.last_year)
    state[widgets.min_ratings] = filters.min_ratings
    return warnings


def write_filters(widgets: FilterWidgets, filters: MovieFilters) -> None:
    """After the widgets: the URL shows exactly the filters (defaults left out)."""
    params = to_query_params(filters)
    for name in QUERY_KEYS:
        if name in params:
            if st.query_params.get_all(name) != [params[name]]:
                st.query_params[name] = params[name]
        elif name in st.query_params:
            del st.query_params[name]
    st.session_state[widgets.written] = params


def read_param(name: str, allowed: Collection[str] | None = None) -> str | None:
    """A query parameter's value (the last if repeated), or None if absent or not allowed."""
    value = st.query_params.get(name)
    if value is None or (allowed is not None and value not in allowed):
        return None
    return value


def write_param(name: str, value: str | None) -> None:
    """Set a query parameter, or remove it for None."""
    if value is None:
        st.query_params.pop(name, None)
    elif st.query_params.get(name) != value:
        st.query_params[name] = value
