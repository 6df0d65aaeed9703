"""Every user's ratings as a compact mapping (recommender/recommend/histories.py): the same
answers as the dict of dicts it replaces, on the real data."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.recommend.histories import UserHistories


def test_it_answers_as_the_dict_of_dicts_did(ml):
    r = ml.ratings
    histories = UserHistories(
        r["userId"].to_numpy(), r["movieId"].to_numpy(), r["rating"].to_numpy()
    )
    expected = {
        int(u): dict(zip(g["movieId"].astype(int), g["rating"].astype(float), strict=True))
        for u, g in r.groupby("userId")
    }
    assert len(histories) == len(expected) == 610
    assert list(histories) == sorted(expected)
    for user in (1, 414, 610):
        assert histories[user] == expected[user]
        assert histories.count(user) == len(expected[user])
    assert 1 in histories and 611 not in histories and "x" not in histories
    with pytest.raises(KeyError):
        histories[611]


def test_a_repeated_pair_keeps_its_last_rating():
    histories = UserHistories(np.array([7, 3, 7, 7]), np.array([1, 1, 2, 1]),
                              np.array([2.0, 4.0, 3.0, 5.0]))  # fmt: skip
    assert histories[7] == {1: 5.0, 2: 3.0}
    assert histories[3] == {1: 4.0}
    assert list(histories) == [3, 7]
