"""The reference results shipped with the package are what the grid computes today.

Compare models shows them on a fresh server before anything is computed, so each number must be
reproducible: a few configurations of every kind are recomputed on one fold and compared with the
file, value by value and user by user (timings excepted: they are measurements, not results).
"""

from __future__ import annotations

import math

import pytest

from recommender.evaluation import GridSettings, evaluate_fold, make_folds, preset
from recommender.evaluation.metrics import METRICS
from recommender.evaluation.reference import reference_path, reference_results
from recommender.evaluation.store import cached_results
from recommender.models import ModelConfig

TIMINGS = {name for name, metric in METRICS.items() if metric.group == "cost"}
RECOMPUTED = (
    ModelConfig("MostPopular"),
    ModelConfig("EASE"),
    ModelConfig("ItemKNN"),
    ModelConfig("KNNBasic", "cosine", user_based=True, k=40, min_k=1),
    ModelConfig("BaselineOnly"),
)


@pytest.fixture(scope="module")
def settings(ml) -> GridSettings:
    return GridSettings(ml.name, len(ml.ratings))


@pytest.fixture(scope="module")
def reference(settings) -> dict:
    if settings.dataset != "ml-latest-small":  # MOVIELENS_DIR may name another dataset
        pytest.skip(f"the package ships no reference for {settings.dataset}")
    return reference_results(settings)


def test_the_reference_covers_the_default_grid(settings, reference):
    assert reference_path(settings).is_file()
    missing = [c.key for c in preset("all") if c.key not in reference]
    assert not missing, f"reference lacks {missing}: run benchmarks/reference_results.py"
    for result in reference.values():
        assert result.ok and len(result.folds) == settings.n_folds
        assert all(f.per_user for f in result.folds if not math.isnan(f.precision))


def test_a_fresh_results_folder_shows_the_reference(settings, reference, tmp_path):
    found = cached_results(settings, preset("all"), tmp_path)
    assert [r.config.key for r in found] == [c.key for c in preset("all")]
    assert all(r.cached for r in found)


def test_other_settings_get_no_reference(settings, reference):
    other = GridSettings(settings.dataset, settings.n_ratings, n_folds=3)
    assert reference_results(other) == {}


@pytest.mark.parametrize("config", RECOMPUTED, ids=lambda c: c.key)
def test_recomputing_a_fold_gives_the_reference_numbers(ml, reference, config):
    folds = make_folds(ml.ratings, 5, 0, ml.movies)
    fresh = evaluate_fold(config, folds[0])
    shipped = next(f for f in reference[config.key].folds if f.fold == fresh.fold)
    for name, value in fresh.values.items():
        if name in TIMINGS:
            continue
        expected = shipped.values.get(name, math.nan)
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12, nan_ok=True), name
    assert fresh.users_evaluated == shipped.users_evaluated
    assert fresh.per_user.keys() == shipped.per_user.keys()
    for name, values in fresh.per_user.items():
        assert values == pytest.approx(shipped.per_user[name], rel=1e-9, abs=1e-12), name
