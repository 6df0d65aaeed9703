"""Choosing one user of a dataset: a list while it is short, a typed id when it is not.

A select box sends every option to the browser on every run: fine for ml-latest-small's 610 users,
but ml-32m has 200,948 (megabytes per run, and a list nobody can scroll). Above
:data:`LIST_LIMIT` users the picker becomes a number field; an id with no user snaps to the
nearest one, and the page says so.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

__all__ = ["LIST_LIMIT", "nearest_user", "pick_user"]

LIST_LIMIT = 5_000
"""Most users offered as a list; above this, the user types an id."""


def nearest_user(users: np.ndarray, wanted: int) -> int:
    """The id in ``users`` (ascending, not empty) closest to ``wanted`` (the lower on a tie)."""
    pos = int(np.searchsorted(users, wanted))
    candidates = users[max(pos - 1, 0) : pos + 1]
    return int(candidates[np.argmin(np.abs(candidates.astype(np.int64) - wanted))])


def pick_user(
    users: np.ndarray, describe: Callable[[int], str], key: str, help: str | None = None
) -> int:
    """The chosen user among ``users`` (ascending ids, not empty); ``st.session_state[key]``
    holds the id. ``describe(user)`` labels a user ("User 7 · 120 ratings")."""
    if len(users) <= LIST_LIMIT:
        return st.selectbox("User", users.tolist(), format_func=describe, key=key, help=help)
    typed = st.session_state.get(key)
    snapped = None if typed is None else nearest_user(users, int(typed))
    if snapped is not None and snapped != typed:  # set before the field is drawn: allowed
        st.session_state[key] = snapped
    user = st.number_input(
        f"User id (one of {len(users):,}: type it)", min_value=int(users[0]),
        max_value=int(users[-1]), step=1, key=key, help=help,
    )  # fmt: skip
    chosen = nearest_user(users, int(user))
    if snapped is not None and snapped != typed:
        st.caption(f"No user {int(typed):,} here: showing the nearest id.")
    st.caption(describe(chosen))
    return chosen
