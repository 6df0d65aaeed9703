"""Metrics against hand-computed examples."""

import math

import numpy as np
import pytest

from recommender.evaluation.metrics import NO_ITEM, mae, ranking_metrics, rmse, top_n

LOG3 = math.log2(3)


def test_rmse_and_mae_by_hand():
    estimates, truths = np.array([3.0, 4.0, 2.5]), np.array([4.0, 2.0, 2.5])
    assert rmse(estimates, truths) == pytest.approx(math.sqrt((1 + 4 + 0) / 3))
    assert mae(estimates, truths) == pytest.approx(1.0)
    assert math.isnan(rmse(np.array([]), np.array([])))


def _top(scores, excluded=None, popularity=None, ids=None, n=5):
    scores = np.array(scores, dtype=float)
    excluded = np.zeros(scores.shape, bool) if excluded is None else np.array(excluded)
    width = scores.shape[1]
    popularity = np.ones(width) if popularity is None else np.array(popularity)
    ids = np.arange(width) if ids is None else np.array(ids)
    return top_n(scores, excluded, popularity, ids, n).tolist()


def test_top_n_orders_by_score_and_skips_rated_movies():
    assert _top([[0.1, 0.9, 0.5, 0.7, 0.3, 0.8]], [[0, 0, 1, 0, 0, 0]], n=3) == [[1, 5, 3]]


def test_top_n_pads_when_fewer_than_n_candidates():
    result = _top([[0.1, 0.9, 0.5, 0.7]], [[0, 0, 1, 0]])
    assert result == [[1, 3, 0, NO_ITEM, NO_ITEM]]
    assert _top([[1.0, 2.0]], [[1, 1]]) == [[NO_ITEM] * 5]


def test_top_n_breaks_ties_by_popularity_then_smaller_movie_id():
    # items 1 and 2 tie on score and popularity: movieId 20 (item 2) before 30 (item 1);
    # item 0 ties on score but is less popular; item 3 has a lower score despite its popularity.
    ranked = _top([[4.0, 4.0, 4.0, 3.0]], popularity=[1, 5, 5, 9], ids=[10, 30, 20, 40], n=4)
    assert ranked == [[2, 1, 0, 3]]
    # ties straddling the cut: only the best tie-broken ones make it
    assert _top([[5.0, 5.0, 5.0]], popularity=[3, 7, 5], n=2) == [[1, 2]]


def test_top_n_ranks_missing_estimates_last():
    assert _top([[np.nan, 1.0, -2.0]], n=3) == [[1, 2, 0]]


def test_ranking_metrics_by_hand():
    recommended = np.array(
        [
            [0, 1, 2, 3, 4],  # relevant 1 and 4 at ranks 2 and 5; 7 missed
            [5, 6, NO_ITEM, NO_ITEM, NO_ITEM],  # only two candidates; relevant 6 at rank 2
            [0, 5, 8, 9, 2],  # no relevant movie: left out of precision/recall/NDCG/hit rate
        ]
    )
    relevant = [np.array([1, 4, 7]), np.array([6]), np.array([], dtype=int)]
    popularity = np.arange(20)
    m = ranking_metrics(recommended, relevant, popularity, n_catalog=20)

    assert m.users_evaluated == 2
    assert m.users_ranked == 3
    assert m.precision == pytest.approx((2 / 5 + 1 / 2) / 2)
    assert m.recall == pytest.approx((2 / 3 + 1 / 1) / 2)
    ndcg0 = (1 / LOG3 + 1 / math.log2(6)) / (1 + 1 / LOG3 + 1 / 2)
    ndcg1 = (1 / LOG3) / 1
    assert m.ndcg == pytest.approx((ndcg0 + ndcg1) / 2)
    assert m.hit_rate == pytest.approx(1.0)
    # distinct recommended {0,1,2,3,4,5,6,8,9} over a catalogue of 20
    assert m.coverage == pytest.approx(9 / 20)
    # popularity = item index: (0+1+2+3+4) + (5+6) + (0+5+8+9+2) over 12 recommendations
    assert m.mean_popularity == pytest.approx(45 / 12)


def test_hit_rate_counts_users_without_a_hit_and_perfect_list_scores_one():
    recommended = np.array([[3, 2, 1, 0, 4], [9, 8, 7, 6, 5]])
    relevant = [np.array([3, 2]), np.array([0])]
    m = ranking_metrics(recommended, relevant, np.ones(10), n_catalog=10)
    assert m.hit_rate == pytest.approx(0.5)
    assert m.ndcg == pytest.approx((1.0 + 0.0) / 2)
    assert m.recall == pytest.approx((1.0 + 0.0) / 2)
    assert m.precision == pytest.approx((2 / 5 + 0) / 2)


def test_no_user_with_relevant_movies_gives_nan_not_zero():
    m = ranking_metrics(np.array([[0, 1, 2, 3, 4]]), [np.array([], dtype=int)], np.ones(5), 5)
    assert m.users_evaluated == 0
    assert math.isnan(m.precision) and math.isnan(m.ndcg) and math.isnan(m.hit_rate)
    assert m.coverage == pytest.approx(1.0)


def test_ranking_metrics_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="one relevant array per user"):
        ranking_metrics(np.array([[0, 1]]), [np.array([0]), np.array([1])], np.ones(2), 2)
