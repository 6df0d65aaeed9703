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


def test_rows_sorted_by_user_are_kept_as_they_are_and_no_rows_is_no_user():
    """GroupLens files are sorted by user: 32 million rows are then read in place, not copied."""
    users = np.array([1, 1, 2, 5], dtype=np.int32)
    movies = np.array([10, 11, 10, 12], dtype=np.int32)
    stars = np.array([4.0, 3.5, 5.0, 1.0], dtype=np.float32)
    histories = UserHistories(users, movies, stars)
    assert histories[1] == {10: 4.0, 11: 3.5} and histories[5] == {12: 1.0}
    assert np.shares_memory(histories._movies, movies)
    assert np.shares_memory(histories._ratings, stars)
    empty = UserHistories(users[:0], movies[:0], stars[:0])
    assert len(empty) == 0 and list(empty) == [] and 1 not in empty
