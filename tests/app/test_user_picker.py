"""The user picker: a list for a few thousand users, a typed id (snapped to a real user) beyond."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from recommender.app.user_picker import LIST_LIMIT, nearest_user


def picker_app(n_users: int) -> None:
    import numpy as np
    import streamlit as st

    from recommender.app.user_picker import pick_user

    users = np.arange(1, 2 * n_users, 2)  # odd ids only: every even id is missing
    st.session_state.setdefault("chosen", [])
    st.session_state["chosen"].append(pick_user(users, lambda u: f"User {u} · {u % 7} ratings",
                                                key="who"))  # fmt: skip


def test_nearest_user_snaps_to_the_closest_id():
    users = np.array([3, 10, 11, 500])
    assert [nearest_user(users, w) for w in (0, 3, 6, 7, 10, 12, 300, 9999)] == [
        3, 3, 3, 10, 10, 11, 500, 500,
    ]  # fmt: skip


def test_a_short_list_is_a_select_box():
    at = AppTest.from_function(picker_app, args=(LIST_LIMIT,)).run()
    assert not at.exception
    assert len(at.selectbox) == 1 and not at.number_input
    assert len(at.selectbox[0].options) == LIST_LIMIT
    at.selectbox(key="who").set_value(9).run()
    assert at.session_state["chosen"][-1] == 9


def test_many_users_type_an_id_that_snaps_to_a_real_user():
    at = AppTest.from_function(picker_app, args=(LIST_LIMIT + 1,)).run()
    assert not at.exception
    assert not at.selectbox  # no list of thousands of options sent to the browser
    field = at.number_input(key="who")
    assert field.value == 1 and at.session_state["chosen"][-1] == 1
    field.set_value(42).run()  # no user 42: odd ids only
    assert at.session_state["chosen"][-1] == 41
    assert any("No user 42 here" in c.value for c in at.caption)
    at.run()  # the field itself now shows the real user
    assert at.number_input(key="who").value == 41
    assert at.session_state["chosen"][-1] == 41
    assert any(c.value == "User 41 · 6 ratings" for c in at.caption)
