"""Steering the list: the popular <-> obscure formula, "not interested" as a dislike, the
watchlist left out; pure functions first, then the facade on the real data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommender.recommend.blend import standardise
from recommender.recommend.facade import Recommender
from recommender.recommend.steering import (
    NOT_INTERESTED_STARS,
    OBSCURITY_MAX,
    OBSCURITY_MIN,
    history_with_hidden,
    steer,
)

STAR_WARS, EMPIRE, JEDI, RAIDERS, CRUSADE = 260, 1196, 1210, 1198, 1291


def test_zero_obscurity_changes_nothing():
    scores = np.array([3.0, -np.inf, 1.0, 2.0])
    out = steer(scores, np.array([10, 5, 1, 100]), np.array([True, False, True, True]), 0.0)
    assert np.array_equal(out, scores) and out is not scores


def test_steer_is_the_documented_formula():
    scores = np.array([2.0, 1.0, 0.5, 7.0, -1.0])
    counts = np.array([300, 10, 1, 50, 4])
    candidates = np.array([True, True, True, False, True])
    alpha = 1.5
    out = steer(scores, counts, candidates, alpha)
    expected = standardise(scores, candidates) - alpha * standardise(np.log1p(counts), candidates)
    assert np.allclose(out[candidates], expected[candidates])
    assert out[3] == -np.inf  # not a candidate


def test_obscure_favours_less_rated_and_popular_better_known_films():
    scores = np.array([1.0, 0.9, 0.8])  # the most rated film leads by a little
    counts = np.array([1000, 20, 2])
    candidates = np.ones(3, dtype=bool)
    assert int(np.argmax(steer(scores, counts, candidates, 0.0))) == 0
    assert int(np.argmax(steer(scores, counts, candidates, 1.0))) == 1
    assert int(np.argmax(steer(scores, counts, candidates, OBSCURITY_MAX))) == 2
    reverse = np.array([0.8, 0.9, 1.0])
    assert int(np.argmax(steer(reverse, counts, candidates, OBSCURITY_MIN))) == 0


def test_non_finite_scores_stay_out_and_the_range_is_enforced():
    scores = np.array([1.0, np.nan, -np.inf, 0.0])
    out = steer(scores, np.array([1, 2, 3, 4]), np.ones(4, dtype=bool), 2.0)
    assert out[1] == out[2] == -np.inf and np.isfinite(out[[0, 3]]).all()
    for bad in (OBSCURITY_MAX + 0.1, OBSCURITY_MIN - 0.1, math.nan):
        with pytest.raises(ValueError, match="obscurity"):
            steer(scores, np.ones(4), np.ones(4, dtype=bool), bad)


def test_hidden_movies_join_the_history_as_dislikes_and_ratings_win():
    ratings = {1: 4.5, 2: 2.0}
    history = history_with_hidden(ratings, [2, 3])
    assert history == {1: 4.5, 2: 2.0, 3: NOT_INTERESTED_STARS}
    assert ratings == {1: 4.5, 2: 2.0}  # unchanged
    assert NOT_INTERESTED_STARS < 3.0  # a dislike for every model


# -- the facade ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rec(ml):
    return Recommender.from_movielens(ml)


FAN = {STAR_WARS: 5.0, EMPIRE: 5.0, JEDI: 4.5, RAIDERS: 5.0, CRUSADE: 4.5}


def test_watchlist_and_hidden_movies_are_never_recommended(rec):
    first = rec.for_new_user(FAN)["movieId"].tolist()
    watch, hide = first[0], first[1]
    steered = rec.for_new_user(FAN, exclude=[watch], hidden=[hide])["movieId"].tolist()
    assert len(steered) == 5 and watch not in steered and hide not in steered


def test_hiding_with_no_ratings_only_hides(rec):
    crowd = rec.for_new_user({})["movieId"].tolist()
    hidden = rec.for_new_user({}, hidden=[crowd[0]])["movieId"].tolist()
    assert hidden[:4] == crowd[1:]


def test_a_hidden_movie_pushes_down_what_its_fans_like(rec):
    base = rec.for_new_user(FAN, n=20)
    anchor = int(base["movieId"].iloc[0])
    steered = rec.for_new_user(FAN, n=20, hidden=[anchor])
    assert anchor not in set(steered["movieId"])
    assert steered["movieId"].tolist() != base["movieId"].tolist()[1:]  # not just removed


def test_obscurity_moves_the_list_towards_less_rated_films(rec):
    base = rec.for_new_user(FAN)
    obscure = rec.for_new_user(FAN, obscurity=OBSCURITY_MAX)
    popular = rec.for_new_user(FAN, obscurity=OBSCURITY_MIN)
    assert obscure["n_ratings"].median() < base["n_ratings"].median()
    assert popular["n_ratings"].median() >= base["n_ratings"].median()
    assert rec.for_new_user(FAN, obscurity=0.0)["movieId"].tolist() == base["movieId"].tolist()
