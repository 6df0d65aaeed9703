"""Movie night for two: the aggregations, whom each film suits, pasted links, on the real data."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.recommend.facade import Recommender
from recommender.recommend.movie_night import (
    AGGREGATIONS,
    BOTH_WITHIN,
    DEFAULT_AGGREGATION,
    Viewer,
    movie_night,
    profile_text_from_link,
    suits_reason,
)

YOU = Viewer("you", {260: 5.0, 1196: 5.0, 1210: 4.5, 1198: 5.0, 1291: 4.5})  # Star Wars, Indy
SAM = Viewer("Sam", {1: 5.0, 3114: 5.0, 2355: 4.5, 4886: 5.0, 6377: 5.0}, hidden=(2571,))


def test_least_misery_is_the_default_and_takes_the_lower_score():
    assert DEFAULT_AGGREGATION == "least_misery"
    a, b = np.array([2.0, -1.0, 0.5]), np.array([0.0, 3.0, 0.5])
    assert AGGREGATIONS["least_misery"](a, b).tolist() == [0.0, -1.0, 0.5]
    assert AGGREGATIONS["average"](a, b).tolist() == [1.0, 1.0, 0.5]


def test_the_reason_says_whom_the_film_suits():
    assert suits_reason(YOU, 2, SAM, 4) == "suits you both: your #2 and Sam's #4"
    one_sided = suits_reason(YOU, 300, SAM, 1)
    assert one_sided == "Sam's #1 pick; you should be fine with it (your #300)"
    assert "should enjoy it too" in suits_reason(YOU, 3, SAM, BOTH_WITHIN + 1)


@pytest.mark.parametrize(
    "pasted",
    [
        "https://app.example/recommend?profile=AbC-_9",
        "  http://localhost:8501/recommend?mode=rate&profile=AbC-_9  ",
        "?profile=AbC-_9",
        "profile=AbC-_9",
        "AbC-_9",
    ],
)
def test_a_pasted_link_gives_its_profile_text(pasted):
    assert profile_text_from_link(pasted) == "AbC-_9"


@pytest.fixture(scope="module")
def rec(ml):
    return Recommender.from_movielens(ml)


@pytest.mark.parametrize("aggregation", list(AGGREGATIONS))
def test_movie_night_suits_both_and_never_offers_a_seen_or_hidden_film(rec, aggregation):
    before = rec.fingerprint()
    night = movie_night(rec, YOU, SAM, aggregation=aggregation)
    assert len(night) == 5
    offered = set(night["movieId"])
    assert not offered & (set(YOU.ratings) | set(SAM.ratings) | set(SAM.hidden))
    assert night["score"].is_monotonic_decreasing
    assert all("you" in r and "Sam" in r for r in night["reason"])
    assert rec.fingerprint() == before


def test_least_misery_keeps_both_people_in_the_running(rec):
    """Each film of the least-misery list ranks better for the less keen person than the worst
    such rank in the average list: nobody's misery is the price of the other's favourite."""
    you, sam = rec.visitor_scores(YOU.ratings), rec.visitor_scores(SAM.ratings, SAM.hidden)
    both = you[1] & sam[1]

    def worst_rank(frame):
        rows = rec.index_.get_indexer(frame["movieId"])
        ranks = []
        for scores, _ in (you, sam):
            pool = np.sort(scores[both])
            ranks.append(pool.size - np.searchsorted(pool, scores[rows], side="right") + 1)
        return np.maximum(*ranks).max()

    misery = movie_night(rec, YOU, SAM, aggregation="least_misery")
    average = movie_night(rec, YOU, SAM, aggregation="average")
    assert worst_rank(misery) <= worst_rank(average)


def test_unknown_aggregation_is_refused(rec):
    with pytest.raises(ValueError, match="least_misery"):
        movie_night(rec, YOU, SAM, aggregation="max")
