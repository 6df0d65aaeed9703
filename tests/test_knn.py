"""Parity of recommender.knn with scikit-surprise 1.1.5 on real MovieLens data, plus fold-in API."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import surprise
from surprise import Dataset, Reader
from surprise.model_selection import KFold, cross_validate

from recommender import knn
from recommender.knn.baselines import als, sgd
from recommender.knn.scoring import sim_block

REPO = Path(__file__).resolve().parents[1]
ALGOS = ["KNNBasic", "KNNWithMeans", "KNNWithZScore", "KNNBaseline"]
SIMS = ["cosine", "msd", "pearson", "pearson_baseline"]


def _ratings() -> pd.DataFrame:
    folder = Path(
        os.environ.get("MOVIELENS_DIR", REPO / ".." / "shared" / "movielens" / "ml-latest-small")
    )
    path = folder / "ratings.csv"
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"MovieLens ratings not found at {path} (set MOVIELENS_DIR)")
        pytest.skip(f"MovieLens ratings not found at {path} (set MOVIELENS_DIR)")
    return pd.read_csv(path)


def _fold(df: pd.DataFrame):
    data = Dataset.load_from_df(df[["userId", "movieId", "rating"]], Reader(rating_scale=(0.5, 5)))
    trainset, testset = next(KFold(n_splits=5, random_state=0).split(data))
    # unknown user and unknown item
    testset = [*testset, (df.userId.iloc[0], -12345, 3.0), (-1, df.movieId.iloc[0], 4.0)]
    return trainset, testset


@pytest.fixture(scope="module")
def full_df() -> pd.DataFrame:
    return _ratings()


@pytest.fixture(scope="module")
def small_fold(full_df: pd.DataFrame):
    users = full_df.userId.unique()[:150]
    return _fold(full_df[full_df.userId.isin(users)])


@pytest.fixture(scope="module")
def full_fold(full_df: pd.DataFrame):
    return _fold(full_df)


def _compare(algo: str, sim_options: dict, fold, **kw) -> None:
    trainset, testset = fold
    ref = getattr(surprise, algo)(sim_options=dict(sim_options), verbose=False, **kw)
    ours = getattr(knn, algo)(sim_options=dict(sim_options), verbose=False, **kw)
    expected = ref.fit(trainset).test(testset)
    got = ours.fit(trainset).test(testset)
    assert len(got) == len(expected)
    est_e = np.array([p.est for p in expected])
    est_g = np.array([p.est for p in got])
    assert np.max(np.abs(est_e - est_g)) < 1e-6
    mismatched = [(e, g) for e, g in zip(expected, got, strict=True) if e.details != g.details]
    assert not mismatched, mismatched[:3]
    assert [(p.uid, p.iid, p.r_ui) for p in got] == [(p.uid, p.iid, p.r_ui) for p in expected]


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("algo", ALGOS)
def test_parity_defaults_subset(algo: str, sim: str, user_based: bool, small_fold) -> None:
    _compare(algo, {"name": sim, "user_based": user_based}, small_fold)


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("algo", ALGOS)
def test_parity_k10_mink3_subset(algo: str, user_based: bool, small_fold) -> None:
    sim = "pearson_baseline" if algo == "KNNBaseline" else "msd"
    _compare(algo, {"name": sim, "user_based": user_based}, small_fold, k=10, min_k=3)


@pytest.mark.parametrize(
    "sim_options",
    [
        {"name": "pearson", "user_based": False, "min_support": 3},
        {"name": "pearson_baseline", "user_based": False, "shrinkage": 10, "min_support": 5},
        {"name": "cosine", "user_based": True, "min_support": 4},
    ],
)
def test_parity_min_support_shrinkage(sim_options: dict, small_fold) -> None:
    _compare("KNNBaseline", sim_options, small_fold)


def test_parity_sgd_baselines(small_fold) -> None:
    _compare(
        "KNNBaseline",
        {"name": "pearson_baseline", "user_based": False},
        small_fold,
        bsl_options={"method": "sgd", "n_epochs": 5},
    )


@pytest.mark.slow
@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("algo", ALGOS)
def test_parity_full_data_defaults(algo: str, user_based: bool, full_fold) -> None:
    sim = "pearson_baseline" if algo == "KNNBaseline" else "msd"
    _compare(algo, {"name": sim, "user_based": user_based}, full_fold)


@pytest.mark.parametrize("method", ["als", "sgd"])
def test_baselines_match_surprise(method: str, small_fold) -> None:
    trainset, _ = small_fold
    ref = surprise.BaselineOnly(bsl_options={"method": method}, verbose=False).fit(trainset)
    ur = [(u, i, r) for u in range(trainset.n_users) for i, r in trainset.ur[u]]
    u, i, r = (np.array(x) for x in zip(*ur, strict=True))
    fn = als if method == "als" else sgd
    bu, bi = fn(u, i, r, trainset.n_users, trainset.n_items, trainset.global_mean)
    assert np.max(np.abs(bu - ref.bu)) < 1e-6
    assert np.max(np.abs(bi - ref.bi)) < 1e-6


def test_cross_validate_works(small_fold, full_df: pd.DataFrame) -> None:
    users = full_df.userId.unique()[:60]
    df = full_df[full_df.userId.isin(users)]
    data = Dataset.load_from_df(df[["userId", "movieId", "rating"]], Reader(rating_scale=(0.5, 5)))
    algo = knn.KNNWithMeans(sim_options={"name": "pearson", "user_based": False}, verbose=False)
    res = cross_validate(algo, data, measures=["rmse"], cv=KFold(3, random_state=0))
    assert len(res["test_rmse"]) == 3 and np.all(res["test_rmse"] > 0)


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("algo", ALGOS)
def test_fold_in_equals_training_user_predictions(algo: str, user_based: bool, small_fold) -> None:
    """Folding in a training user's own ratings reproduces the fitted model's predictions when the
    user's statistics do not depend on the fit (item-based means / similarities)."""
    trainset, _ = small_fold
    model = getattr(knn, algo)(
        sim_options={
            "name": "pearson_baseline" if algo == "KNNBaseline" else "msd",
            "user_based": user_based,
        },
        verbose=False,
    ).fit(trainset)
    uid = trainset.to_raw_uid(3)
    ratings = {trainset.to_raw_iid(i): r for i, r in trainset.ur[3]}
    folded = model.fold_in(ratings)
    direct = model.predict_all_for_user(uid)
    assert folded.index.equals(direct.index)
    assert len(folded) == trainset.n_items - len(ratings)
    if not user_based:
        # item-based: only the user's bias is re-estimated (ALS user step) -> identical for ALS
        assert np.max(np.abs(folded.to_numpy() - direct.to_numpy())) < 1e-9
    else:
        assert np.corrcoef(folded.to_numpy(), direct.to_numpy())[0, 1] > 0.8
    # a few spot checks against Surprise-style single predictions
    for iid in list(direct.index[:5]):
        assert abs(model.predict(uid, iid).est - direct[iid]) < 1e-9


def test_explain_and_similar_items(small_fold) -> None:
    trainset, _ = small_fold
    model = knn.KNNBaseline(
        sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False
    )
    model.fit(trainset)
    ref = surprise.KNNBaseline(
        sim_options={"name": "pearson_baseline", "user_based": False}, verbose=False
    )
    ref.fit(trainset)
    ratings = {trainset.to_raw_iid(i): r for i, r in trainset.ur[0][:10]}
    scores = model.fold_in(ratings)
    best = scores.idxmax()
    why = model.explain(best, ratings=ratings)
    assert set(why.columns) == {"neighbor", "similarity", "rating", "weight"}
    assert set(why.neighbor) <= set(ratings)
    assert np.all(np.diff(why.similarity.to_numpy()) <= 0)
    if len(why):
        assert abs(why.weight.sum() - 1) < 1e-9
    raw = trainset.to_raw_iid(0)
    sim = model.similar_items(raw, n=5)
    expected = [trainset.to_raw_iid(j) for j in ref.get_neighbors(0, 5)]
    assert list(sim["item"]) == expected
    assert np.allclose(sim.similarity, [ref.sim[0, trainset.to_inner_iid(x)] for x in expected])


def test_truncated_mode_close_to_exact(small_fold) -> None:
    trainset, testset = small_fold
    opts = {"name": "pearson_baseline", "user_based": False}
    exact = knn.KNNBaseline(sim_options=opts, verbose=False).fit(trainset).test(testset)
    approx = (
        knn.KNNBaseline(sim_options=opts, verbose=False, save_nbrs=2000).fit(trainset).test(testset)
    )
    err_e = np.sqrt(np.mean([(p.est - p.r_ui) ** 2 for p in exact]))
    err_a = np.sqrt(np.mean([(p.est - p.r_ui) ** 2 for p in approx]))
    assert abs(err_e - err_a) < 0.01


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("sim", ["msd", "pearson", "pearson_baseline"])
def test_score_users_equal_single_predictions_and_are_shared(
    sim: str, user_based: bool, small_fold
) -> None:
    """Bulk scores equal predict(clip=False) (incl. min_k fallbacks and KNNBasic's impossible
    predictions), rated items are NaN, and sharing the neighbours across algorithms changes
    nothing; a small memory budget (several user blocks) neither."""
    trainset, _ = small_fold
    opts = {"name": sim, "user_based": user_based}
    models = [
        getattr(knn, a)(k=10, min_k=3, sim_options=opts, verbose=False).fit(trainset) for a in ALGOS
    ]
    users = np.array([0, 3, 7, 42, 99])
    raw_users = [trainset.to_raw_uid(int(u)) for u in users]
    shared = knn.score_users_shared(models, raw_users)
    rng = np.random.default_rng(0)
    for model, scores in zip(models, shared, strict=True):
        alone = model.score_users(users, inner=True)
        np.testing.assert_array_equal(scores, alone)
        model.memory_budget = 3 * trainset.n_items * 8 * 10  # blocks of a few users
        np.testing.assert_array_equal(model.score_users(users, inner=True), alone)
        for row, u in enumerate(users):
            rated = {i for i, _ in trainset.ur[int(u)]}
            assert all(np.isnan(scores[row, i]) for i in rated)
            unrated = [i for i in range(trainset.n_items) if i not in rated]
            for i in rng.choice(unrated, 25, replace=False):
                expected = model.predict(
                    raw_users[row], trainset.to_raw_iid(int(i)), clip=False
                ).est
                assert scores[row, i] == pytest.approx(expected, abs=1e-9)


def test_similarity_block_raw_and_inner_ids(small_fold) -> None:
    trainset, _ = small_fold
    item = knn.KNNWithMeans(sim_options={"name": "cosine", "user_based": False}, verbose=False)
    item.fit(trainset)
    rows, cols = np.array([0, 5, 9]), np.array([1, 5, 2, 30])
    block = item.similarity_block(rows, cols, inner=True)
    raw = item.similarity_block(
        [trainset.to_raw_iid(int(r)) for r in rows], [trainset.to_raw_iid(int(c)) for c in cols]
    )
    np.testing.assert_array_equal(block, raw)
    np.testing.assert_array_equal(block, sim_block(item, rows, cols))
    assert block[1, 1] == 1.0
    user = knn.KNNBasic(sim_options={"name": "msd", "user_based": True}, verbose=False)
    user.fit(trainset)
    ub = user.similarity_block([trainset.to_raw_uid(0)], [trainset.to_raw_uid(0)])
    assert ub.shape == (1, 1) and ub[0, 0] == 1.0
    with pytest.raises(KeyError):
        item.similarity_block([-987654], [trainset.to_raw_iid(0)])


def test_the_kernel_warm_up_process_runs_every_similarity_and_exits_cleanly():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "recommender.knn.warm"], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
