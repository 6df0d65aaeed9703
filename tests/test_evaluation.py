"""The cross-validated grid on real data: shared folds, engine parity, cache, failures, CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from recommender import evaluation, settings
from recommender.__main__ import main
from recommender.evaluation import (
    GridSettings,
    best_cached_config,
    cache_path,
    make_folds,
    rank_fold,
    results_dir,
    run_grid,
    summary_table,
    user_scores,
)
from recommender.models import ModelConfig
from recommender.settings import ENV_RESULTS_DIR

USER_KNN = ModelConfig("KNNWithMeans", "msd", user_based=True)
ITEM_KNN = ModelConfig("KNNBaseline", "pearson_baseline", user_based=False)
BASELINE = ModelConfig("BaselineOnly")


@pytest.fixture(scope="module")
def small(ml) -> pd.DataFrame:
    """The real ratings of the first 80 users (~9k ratings): a grid runs in seconds."""
    return ml.ratings[ml.ratings["userId"] <= 80].reset_index(drop=True)


@pytest.fixture(scope="module")
def folds(small):
    return make_folds(small, n_folds=3, seed=0)


def test_folds_partition_the_ratings_and_relevant_movies_follow_the_protocol(small, folds):
    tests = [len(f.testset) for f in folds]
    assert sum(tests) == len(small) and max(tests) - min(tests) <= 1
    seen = {(u, i) for f in folds for u, i, _ in f.testset}
    assert len(seen) == len(small)  # every rating is tested exactly once
    fold = folds[0]
    trainset = fold.trainset
    test_ratings = {(u, i): r for u, i, r in fold.testset}
    some = 0
    for u, items in enumerate(fold.relevant):
        rated = {i for i, _ in trainset.ur[u]}
        for i in items:
            raw = (trainset.to_raw_uid(u), trainset.to_raw_iid(int(i)))
            assert test_ratings[raw] >= 4.0 and int(i) not in rated
            some += 1
    assert some > 100
    assert fold.popularity.sum() == trainset.n_ratings


@pytest.mark.parametrize("config", [USER_KNN, ITEM_KNN], ids=lambda c: c.key)
def test_the_same_folds_give_the_fast_engine_surprises_rmse(folds, config):
    fast = evaluation.evaluate_fold(config, folds[1], "fast", ranking=False)
    reference = evaluation.evaluate_fold(config, folds[1], "surprise", ranking=False)
    assert fast.rmse == pytest.approx(reference.rmse, abs=1e-6)
    assert fast.mae == pytest.approx(reference.mae, abs=1e-6)


@pytest.mark.parametrize(
    "config", [USER_KNN, ITEM_KNN, BASELINE, ModelConfig("SVD")], ids=lambda c: c.key
)
def test_bulk_scores_equal_single_predictions(folds, config):
    fold = folds[0]
    algo = config.build("fast")
    algo.fit(fold.trainset)
    users = np.array([0, 5])
    scores = user_scores(algo, fold, users)
    rng = np.random.default_rng(1)
    for row, u in enumerate(users):
        rated = {i for i, _ in fold.trainset.ur[u]}
        items = [i for i in rng.choice(fold.n_items, 30, replace=False) if i not in rated]
        for i in items:
            expected = algo.predict(
                fold.trainset.to_raw_uid(u), fold.trainset.to_raw_iid(int(i)), clip=False
            ).est
            assert scores[row, i] == pytest.approx(expected, abs=1e-9)


def test_ranking_never_recommends_a_training_movie_and_sample_is_shared(folds):
    fold = folds[0]
    assert np.array_equal(fold.ranking_users(10), fold.ranking_users(10))
    assert len(fold.ranking_users(10)) == 10
    assert len(fold.ranking_users(None)) == fold.trainset.n_users
    algo = BASELINE.build("fast")
    algo.fit(fold.trainset)
    metrics = rank_fold(algo, fold, n_users=None)
    assert metrics is not None
    assert metrics.users_ranked == fold.trainset.n_users
    assert 0 < metrics.precision <= 1 and 0 < metrics.coverage <= 1


def test_small_grid_end_to_end_with_cache_and_one_failure(small, tmp_path, monkeypatch):
    broken = ModelConfig("KNNBasic", "cosine", user_based=True)
    real_build = ModelConfig.build

    def build(self, engine="fast"):
        if self == broken:
            raise RuntimeError("simulated failure")
        return real_build(self, engine)

    monkeypatch.setattr(ModelConfig, "build", build)
    seen = []
    configs = [USER_KNN, broken, BASELINE, ModelConfig("NormalPredictor")]
    grid = run_grid(
        configs, small, "subset", n_folds=3, ranking_users=20, directory=tmp_path,
        progress=seen.append,
    )  # fmt: skip
    assert [r.config for r in grid.results] == configs
    failed = grid.results[1]
    assert not failed.ok and "simulated failure" in failed.error
    assert all(r.ok and len(r.folds) == 3 for r in grid.results if r is not failed)
    assert seen[-1].done == seen[-1].total == 12
    assert [p.done for p in seen] == sorted(p.done for p in seen)

    table = summary_table(grid.results).set_index("key")
    assert table.loc[USER_KNN.key, "rmse"] < table.loc["normal", "rmse"]
    assert table.loc[broken.key, "error"].startswith("RuntimeError")
    assert math.isnan(table.loc[broken.key, "rmse"])

    settings = grid.settings
    assert cache_path(settings, USER_KNN, tmp_path).is_file()
    assert not cache_path(settings, broken, tmp_path).exists()  # failures are never cached
    assert not list(tmp_path.rglob("*.tmp"))
    stored = json.loads(cache_path(settings, BASELINE, tmp_path).read_text())
    assert stored["key"] == "baselineonly" and len(stored["folds"]) == 3

    # Second run: everything that succeeded comes from disk, without fitting anything.
    monkeypatch.setattr(ModelConfig, "build", lambda self, engine="fast": 1 / 0)
    again = run_grid(configs[::2], small, "subset", n_folds=3, ranking_users=20, directory=tmp_path)
    assert all(r.cached and r.ok for r in again.results)

    # assert_equal treats NaN as equal: diversity is NaN when the fixture has no genres.
    def as_plain(folds):
        return [(f.fold, f.users_evaluated, f.values) for f in folds]

    np.testing.assert_equal(as_plain(again.results[0].folds), as_plain(grid.results[0].folds))

    assert best_cached_config("subset", directory=tmp_path) == USER_KNN
    assert best_cached_config("subset", n_ratings=1, directory=tmp_path) is None
    assert best_cached_config("another-dataset", directory=tmp_path) is None


def test_corrupt_cache_file_is_ignored_with_a_warning(small, tmp_path):
    settings = GridSettings("subset", len(small), 3, 0, "fast", 0)
    path = cache_path(settings, BASELINE, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"schema": 2, "protocol": ', encoding="utf-8")
    with pytest.warns(UserWarning, match="corrupt result cache"):
        grid = run_grid([BASELINE], small, "subset", n_folds=3, ranking=False, directory=tmp_path)
    assert grid.results[0].ok and not grid.results[0].cached
    assert json.loads(path.read_text())["key"] == "baselineonly"  # rewritten atomically


def test_results_dir_comes_from_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_RESULTS_DIR, str(tmp_path / "env"))
    assert results_dir() == tmp_path / "env"
    assert results_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv(ENV_RESULTS_DIR)
    assert results_dir() == settings.data_home() / "results"


def test_best_cached_config_without_cache_is_none(tmp_path):
    assert best_cached_config("ml-latest-small", directory=tmp_path / "nothing") is None


def test_cli_evaluate_writes_the_same_cache(movielens_dir, tmp_path, capsys):
    code = main(
        [
            "--data", str(movielens_dir), "evaluate", "--model", "baselineonly",
            "--folds", "2", "--no-ranking", "--workers", "1", "--results-dir", str(tmp_path),
        ]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "BaselineOnly" in out and "1 configurations (0 from cache)" in out
    assert len(list(tmp_path.rglob("baselineonly.json"))) == 1
    assert main(["evaluate", "--model", "nonsense-key"]) == 2


def test_two_worker_processes_give_the_same_results(small, tmp_path):
    configs = [USER_KNN, BASELINE]
    kwargs = dict(n_folds=3, ranking_users=10, use_cache=False, write_cache=False)
    alone = run_grid(configs, small, "subset", **kwargs)
    seen = []
    pooled = run_grid(configs, small, "subset", workers=2, progress=seen.append, **kwargs)

    def scores(grid):  # everything but the timings
        return [
            [(f.fold, f.rmse, f.mae, f.precision, f.ndcg, f.coverage) for f in r.folds]
            for r in grid.results
        ]

    assert all(r.ok for r in pooled.results)
    assert scores(pooled) == scores(alone)
    assert seen[-1].done == seen[-1].total == 6


def test_best_highlighting_skips_costs_and_properties():
    """NormalPredictor fits fastest but is best at nothing that matters."""
    table = pd.DataFrame(
        {
            "key": ["normal", "ease"],
            "rmse": [1.42, np.nan],
            "ndcg": [0.01, 0.35],
            "fit_seconds": [0.01, 3.0],
            "coverage": [0.9, 0.03],
        }
    )
    best = evaluation.best_per_metric(table)
    assert best == {"rmse": "normal", "ndcg": "ease"}


def test_a_worker_keeps_one_fold_and_builds_the_same_folds_in_any_order(small, folds):
    from recommender.evaluation.worker import FoldSource

    source = FoldSource(small, 3, 0, None, (0.5, 5.0))
    for index in (0, 1, 1, 2, 0, 2):  # forward, repeated, and back to an earlier fold
        fold = source[index]
        assert fold.index == index
        assert fold.testset == folds[index].testset
        assert (fold.matrix != folds[index].matrix).nnz == 0
    with pytest.raises(IndexError):
        source[3]


def test_a_whole_star_dataset_is_evaluated_on_its_own_scale(small, tmp_path):
    """ml-100k and ml-1m are rated 1–5 in whole stars: predictions clip at 1, as Surprise's own
    cross-validation with ``Reader(rating_scale=(1, 5))`` does (not at 0.5), and the results are
    cached apart from those of the usual 0.5–5 scale."""
    from surprise import Dataset, Reader
    from surprise.model_selection import KFold, cross_validate

    whole = small.assign(rating=np.ceil(small["rating"]).astype(np.float32))
    data = Dataset.load_from_df(whole[["userId", "movieId", "rating"]], Reader(rating_scale=(1, 5)))
    splitter = KFold(n_splits=3, random_state=0, shuffle=True)
    surprise = cross_validate(USER_KNN.build("surprise"), data, ["rmse", "mae"], cv=splitter)
    grid = run_grid([USER_KNN], whole, "whole-stars", n_folds=3, seed=0, ranking=False,
                    directory=tmp_path, rating_scale=(1.0, 5.0))  # fmt: skip
    (result,) = grid.results
    assert result.ok and grid.settings.rating_scale == (1.0, 5.0)
    assert result.values("rmse") == pytest.approx(surprise["test_rmse"], abs=1e-6)
    assert result.values("mae") == pytest.approx(surprise["test_mae"], abs=1e-6)
    on_half_stars = run_grid([USER_KNN], whole, "whole-stars", n_folds=3, seed=0, ranking=False,
                             directory=tmp_path)  # fmt: skip
    assert not on_half_stars.results[0].cached  # another scale: not served from the cache above
    assert on_half_stars.results[0].mean("mae") != pytest.approx(result.mean("mae"), abs=1e-9)
    assert best_cached_config("whole-stars", directory=tmp_path) == USER_KNN
