"""Paired comparisons and beyond-accuracy metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.results import ConfigResult, FoldResult
from recommender.evaluation.significance import compare, compare_all, paired_values
from recommender.evaluation.topn import gini, ranking_metrics
from recommender.models import ModelConfig


def result(algorithm: str, per_user: dict[int, list[float]]) -> ConfigResult:
    """A result whose fold f has users 0..n-1 with the given NDCG values."""
    folds = tuple(
        FoldResult(f, {"ndcg": float(np.mean(v))}, len(v), {"user": list(range(len(v))), "ndcg": v})
        for f, v in per_user.items()
    )
    return ConfigResult(ModelConfig(algorithm), "fast", folds)


def test_pairs_align_on_fold_and_user() -> None:
    a = result("MostPopular", {0: [0.1, 0.2, 0.3], 1: [0.4]})
    b = ConfigResult(ModelConfig("TopRated"), "fast", (
        FoldResult(0, {}, 2, {"user": [2, 0], "ndcg": [0.9, 0.8]}),
    ))  # fmt: skip
    left, right = paired_values(a, b, "ndcg")
    assert left.tolist() == [0.1, 0.3] and right.tolist() == [0.8, 0.9]


def test_a_clear_improvement_is_significant_and_its_interval_excludes_zero() -> None:
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 0.5, 300)
    better = base + 0.1 + rng.normal(0, 0.01, 300)
    c = compare(result("EASE", {0: better.tolist()}), result("MostPopular", {0: base.tolist()}),
                "ndcg")  # fmt: skip
    assert c.verdict == "better" and not c.tied
    assert c.mean_difference == pytest.approx(0.1, abs=0.005)
    assert c.ci_low > 0.09 and c.ci_high < 0.11 and c.p_value < 1e-10 and c.n_pairs == 300


def test_noise_is_a_tie_and_identical_models_are_tied_with_p_one() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 200)
    noisy = x + rng.normal(0, 0.2, 200)
    noisy -= noisy.mean() - x.mean()  # same mean: no real difference
    c = compare(result("EASE", {0: noisy.tolist()}), result("ALS", {0: x.tolist()}), "ndcg")
    assert c.tied and c.ci_low <= 0 <= c.ci_high
    same = compare(result("EASE", {0: x.tolist()}), result("ALS", {0: x.tolist()}), "ndcg")
    assert same.tied and same.p_value == 1.0 and same.mean_difference == 0.0


def test_compare_all_uses_the_best_mean_as_reference() -> None:
    strong = result("EASE", {0: [0.9] * 50})
    weak = result("MostPopular", {0: [0.1] * 50})
    verdicts = {c.model: c.verdict for c in compare_all([weak, strong], "ndcg")}
    assert verdicts == {"mostpop": "worse", strong.config.key: "reference"}
    without = compare(result("EASE", {0: []}), weak, "ndcg")
    assert without.n_pairs == 0 and without.tied and math.isnan(without.p_value)


def test_beyond_accuracy_by_hand() -> None:
    recommended = np.array([[0, 1], [0, 2]])
    relevant = [np.array([1]), np.array([], dtype=int)]
    popularity = np.array([8, 2, 1, 1])  # training ratings per movie, 8 training users
    genres = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]]))
    m = ranking_metrics(recommended, relevant, popularity, 4, n_users=8, genres=genres)
    # novelty: mean of -log2(n_i / 8) over the 4 shown items: 0, 2, 0, 3
    assert m.novelty == pytest.approx((0 + 2 + 0 + 3) / 4)
    # diversity: list 1 = {A,B} vs {A}: 1 - 1/2; list 2 = {A,B} vs {C}: 1
    assert m.diversity == pytest.approx((0.5 + 1.0) / 2)
    # exposure counts (2, 1, 1, 0): Gini = sum((2i - n - 1) x_i) / (n sum x), sorted ascending
    assert m.gini == pytest.approx(gini(np.array([2, 1, 1, 0])))
    assert gini(np.array([0, 0, 0, 4])) == pytest.approx(0.75)
    assert gini(np.array([1, 1, 1, 1])) == pytest.approx(0.0)
    assert m.per_user["row"].tolist() == [0] and m.per_user["precision"].tolist() == [0.5]
