"""Compare models on large data: the seeded user sample and the grid's time estimate
(recommender/evaluation/sampling.py), on the real ml-latest-small."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommender.evaluation import GridSettings, preset
from recommender.evaluation.reference import reference_results
from recommender.evaluation.sampling import (
    REFERENCE_SETTINGS,
    DataShape,
    estimate_seconds,
    sample_name,
    sample_users,
)
from recommender.models import ModelConfig


def test_a_sample_holds_every_rating_of_exactly_n_users(ml):
    sample = sample_users(ml.ratings, 100, seed=0)
    users = sample["userId"].unique()
    assert users.size == 100
    full = ml.ratings[ml.ratings["userId"].isin(users)]
    assert len(sample) == len(full)  # every rating of the chosen users, nobody else's
    assert sample["rating"].sum() == pytest.approx(full["rating"].sum())


def test_the_same_seed_draws_the_same_users_and_another_seed_others(ml):
    first = set(sample_users(ml.ratings, 50, seed=0)["userId"])
    assert first == set(sample_users(ml.ratings, 50, seed=0)["userId"])
    assert first != set(sample_users(ml.ratings, 50, seed=1)["userId"])


def test_a_sample_as_large_as_the_data_is_the_data(ml):
    assert sample_users(ml.ratings, ml.n_users, seed=0) is ml.ratings
    with pytest.raises(ValueError, match="at least 1 user"):
        sample_users(ml.ratings, 0)


def test_the_sample_is_in_the_results_name_so_sampled_and_full_results_never_mix(ml):
    name = sample_name("ml-25m", 5000, 0)
    assert name == "ml-25m~users5000~seed0"
    full = GridSettings("ml-25m", 25_000_095)
    sampled = GridSettings(name, 780_000)
    assert full.dataset_id != sampled.dataset_id


def test_the_shape_of_ml_latest_small_is_the_reference_shape(ml):
    shape = DataShape.of(ml.ratings)
    assert (shape.ratings, shape.users, shape.items) == (100_836, 610, 9_724)
    assert shape.ease_items > 0


def _reference_total(configs) -> float:
    table = reference_results(REFERENCE_SETTINGS)
    return sum(
        sum(
            0.0 if math.isnan(v) else v
            for v in (table[c.key].mean(m) for m in ("fit_seconds", "test_seconds", "rank_seconds"))
        )
        for c in configs
    )


def test_on_the_reference_data_the_estimate_is_the_measured_time(ml):
    configs = preset("all")
    shape = DataShape.of(ml.ratings)
    settings = GridSettings(ml.name, ml.n_ratings)  # 5 folds, every user ranked
    expected = _reference_total(configs) * settings.n_folds
    # EASE's modelled items are counted on all ratings here, on a training fold in the reference
    assert estimate_seconds(configs, settings, shape) == pytest.approx(expected, rel=0.1)
    assert estimate_seconds(configs, settings, shape, workers=2) == pytest.approx(
        estimate_seconds(configs, settings, shape) / 2
    )


def test_the_estimate_grows_with_the_data_and_shrinks_with_a_sample(ml):
    configs = preset("quick")
    settings = GridSettings(ml.name, ml.n_ratings)
    small = DataShape.of(sample_users(ml.ratings, 100))
    full = DataShape.of(ml.ratings)
    bigger = DataShape(full.ratings * 10, full.users * 10, full.items, full.ease_items)
    times = [estimate_seconds(configs, settings, s) for s in (small, full, bigger)]
    assert times[0] < times[1] < times[2]


def test_fewer_ranked_users_and_folds_cost_less(ml):
    configs = preset("quick")
    shape = DataShape.of(ml.ratings)
    every = estimate_seconds(configs, GridSettings(ml.name, ml.n_ratings), shape)
    fewer = estimate_seconds(configs, GridSettings(ml.name, ml.n_ratings, ranking_users=25), shape)
    off = estimate_seconds(configs, GridSettings(ml.name, ml.n_ratings, ranking_users=0), shape)
    two = estimate_seconds(configs, GridSettings(ml.name, ml.n_ratings, n_folds=2), shape)
    assert off < fewer < every
    assert two == pytest.approx(every * 2 / 5)


def test_a_configuration_without_reference_counts_as_its_algorithm(ml):
    shape = DataShape.of(ml.ratings)
    settings = GridSettings(ml.name, ml.n_ratings)
    tuned = ModelConfig("EASE", hyper=(("lam", 777.0),))  # not in the reference results
    assert estimate_seconds([tuned], settings, shape) > 0


def test_cli_evaluate_on_a_user_sample_saves_under_the_sample_name(movielens_dir, tmp_path, capsys):
    from recommender.__main__ import main

    code = main(
        [
            "--data", str(movielens_dir), "evaluate", "--model", "baselineonly", "--folds", "2",
            "--no-ranking", "--workers", "1", "--results-dir", str(tmp_path),
            "--sample-users", "60",
        ]
    )  # fmt: skip
    assert code == 0
    assert "Seeded sample: 60 of 610 users" in capsys.readouterr().err
    (saved,) = tmp_path.rglob("baselineonly.json")
    dataset_dir = saved.parent.parent.name
    assert dataset_dir.startswith("ml-latest-small~users60~seed0-")
    assert 0 < int(dataset_dir.rpartition("-")[2]) < 100_836


def test_the_estimate_caps_ease_at_the_items_ease_models():
    import pandas as pd

    from recommender.ranking import ease

    movies = np.repeat(np.arange(ease.MAX_ITEMS + 100), 3)  # every movie rated 3 times
    ratings = pd.DataFrame({"userId": np.arange(movies.size) % 50, "movieId": movies})
    assert DataShape.of(ratings).ease_items == ease.MAX_ITEMS


def test_offered_and_default_sample_sizes():
    from recommender.evaluation.sampling import default_sample_size, offered_sample_sizes

    assert offered_sample_sizes(610) == []  # ml-latest-small: too few users to sample
    sizes = offered_sample_sizes(200_948)  # ml-32m
    assert sizes == [1_000, 2_000, 5_000, 10_000, 20_000]
    assert default_sample_size(sizes, 200_948, 32_000_204) == 2_000  # ~318,000 ratings
    assert default_sample_size([1_000], 6_040, 100_000_000) == 1_000  # the smallest, at least


def test_rough_duration_reads_like_a_person_would_say_it():
    from recommender.evaluation.sampling import rough_duration

    assert rough_duration(42) == "about 40 s"
    assert rough_duration(1) == "about 5 s"
    assert rough_duration(720) == "about 12 min"
    assert rough_duration(12_600) == "about 3.5 hours"
    assert rough_duration(math.nan) == ""
