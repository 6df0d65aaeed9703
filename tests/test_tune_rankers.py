"""benchmarks/tune_rankers.py: the validation split, the grids, and a --quick run on tiny data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.models import ModelConfig

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "tune_rankers.py"


@pytest.fixture(scope="module")
def tune():
    spec = importlib.util.spec_from_file_location("tune_rankers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _ratings(n_users: int = 40, n_movies: int = 60, seed: int = 0) -> pd.DataFrame:
    """Two taste groups, each liking its half of the movies: something to learn."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(1, n_users + 1):
        group = user % 2
        for movie in rng.choice(n_movies, size=int(rng.integers(8, 25)), replace=False):
            liked = (movie % 2) == group
            stars = rng.choice([4.0, 4.5, 5.0] if liked else [1.0, 2.0, 3.0, 3.5])
            rows.append((user, int(movie) + 1, float(stars), 1_000_000_000 + len(rows)))
    return pd.DataFrame(rows, columns=["userId", "movieId", "rating", "timestamp"])


def test_every_grid_holds_its_shipped_default(tune) -> None:
    for family in tune.FAMILIES:
        assert family.default in family.configs(), family.name
        assert family.default == ModelConfig(family.algorithm, hyper=family.fixed)


def test_validation_split_holds_out_a_fifth_of_each_users_ratings(tune) -> None:
    parent = tune.all_data(_ratings())
    split = tune.validation_split(parent, 3, "val")
    counts = np.diff(parent.matrix.indptr)
    kept = np.diff(split.matrix.indptr)
    np.testing.assert_array_equal(kept, counts - np.round(0.2 * counts))
    for user in range(parent.matrix.shape[0]):
        train = set(split.item_ids[split.matrix[user].indices])
        relevant = set(split.item_ids[split.relevant[user]])
        assert not train & relevant  # held-out movies are not in the user's training row
        row = parent.matrix[user]
        stars = dict(zip(parent.item_ids[row.indices], row.data, strict=True))
        assert all(stars[m] >= 4.0 for m in relevant)
    again = tune.validation_split(parent, 3, "val")
    assert (again.matrix != split.matrix).nnz == 0  # seeded


def test_quick_run_prints_every_family(tune, tmp_path, capsys) -> None:
    ratings = _ratings()
    ratings.to_csv(tmp_path / "ratings.csv", index=False)
    movies = pd.DataFrame({"movieId": sorted(ratings["movieId"].unique())})
    movies["title"] = [f"Movie {m} (2000)" for m in movies["movieId"]]
    movies["genres"] = "Drama"
    movies.to_csv(tmp_path / "movies.csv", index=False)
    assert tune.main(["--quick", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    summary = out[out.index("Summary") :]
    for family in tune.FAMILIES:
        assert f"== {family.name} " in out
        assert f"\n{family.name} " in summary
    assert "fold 1:" in out and "fold 2:" not in out  # two outer folds
