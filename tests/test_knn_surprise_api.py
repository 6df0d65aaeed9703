"""recommender.knn as a drop-in for scikit-surprise 1.1.5's k-NN classes: Surprise's attributes
(sim, n_x, xr, means, bx ...), get_neighbors, verbose messages, repeated ratings and degenerate data,
each compared with Surprise itself."""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import pickle
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import surprise
from surprise import Dataset, Reader

from recommender import knn

REPO = Path(__file__).resolve().parents[1]
ALGOS = ["KNNBasic", "KNNWithMeans", "KNNWithZScore", "KNNBaseline"]
SIMS = ["cosine", "msd", "pearson", "pearson_baseline"]
CONFIGS = list(itertools.product(ALGOS, SIMS, [True, False]))
STATS_MODE = {"memory_budget": 0}  # nothing dense: similarities from the statistics only


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


def _trainset(df: pd.DataFrame, scale: tuple[float, float] = (0.5, 5.0)):
    frame = df[["userId", "movieId", "rating"]]
    return Dataset.load_from_df(frame, Reader(rating_scale=scale)).build_full_trainset()


@pytest.fixture(scope="module")
def subset() -> pd.DataFrame:
    """120 users × the 250 most rated movies of ml-latest-small."""
    df = _ratings()
    top = df.movieId.value_counts().index[:250]
    df = df[df.movieId.isin(top)]
    return df[df.userId.isin(df.userId.unique()[:120])].reset_index(drop=True)


@pytest.fixture(scope="module")
def with_repeats(subset: pd.DataFrame) -> pd.DataFrame:
    """The subset with 400 (user, movie) rows repeated (some twice), most with another rating, at
    random positions: 16 users repeat 25 of their ratings each, so pairs of users and pairs of
    movies both have repeated ratings on a common movie / user."""
    rng = np.random.default_rng(7)
    users = subset.userId.unique()[::7][:16]
    extra = pd.concat(
        [subset[subset.userId == u].sample(25, random_state=int(u), replace=True) for u in users]
    )
    other = rng.choice(np.arange(0.5, 5.01, 0.5), len(extra))
    same = np.arange(len(extra)) % 5 == 0  # every fifth repeats the rating itself
    extra = extra.assign(rating=np.where(same, extra.rating, other))
    both = pd.concat([subset, extra], ignore_index=True)
    order = rng.permutation(len(both))
    return both.iloc[order].reset_index(drop=True)


def _pair(algo: str, sim: str, user_based: bool, **kw):
    opts = {"name": sim, "user_based": user_based}
    ref = getattr(surprise, algo)(sim_options=dict(opts), verbose=False)
    ours = getattr(knn, algo)(sim_options=dict(opts), verbose=False, **kw)
    return ref, ours


# ---------------------------------------------------------------- sim and get_neighbors
@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("sim", SIMS)
def test_sim_is_surprises_matrix_bit_for_bit(sim: str, user_based: bool, subset) -> None:
    trainset = _trainset(subset)
    ref, dense = _pair("KNNBaseline", sim, user_based)
    ref.fit(trainset)
    dense.fit(trainset)
    np.testing.assert_array_equal(dense.sim, ref.sim)
    _, lazy = _pair("KNNBaseline", sim, user_based, **STATS_MODE)
    np.testing.assert_array_equal(lazy.fit(trainset).sim, ref.sim)


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("sim", SIMS)
def test_get_neighbors_same_ids_and_tie_order_as_surprise(sim: str, user_based: bool, subset):
    trainset = _trainset(subset)
    ref, ours = _pair("KNNBasic", sim, user_based, **STATS_MODE)
    ref.fit(trainset)
    ours.fit(trainset)
    n_x = ref.n_x
    for x in [0, 1, 17, n_x // 2, n_x - 1]:
        for k in [0, 1, 5, 40, n_x + 3]:
            assert ours.get_neighbors(x, k) == ref.get_neighbors(x, k), (x, k)
    assert ours.get_neighbors(np.int64(3), 10) == ref.get_neighbors(3, 10)
    with pytest.raises(IndexError):
        ours.get_neighbors(n_x, 3)


def test_nearest_neighbors_user_and_item_based_differ() -> None:
    """Surprise's own test_nearest_neighbors, on its toy data."""
    rows = [
        ("user0", "item0", 4), ("user0", "item1", 5), ("user1", "item0", 2),
        ("user1", "item2", 1), ("user2", "item1", 3), ("user2", "item2", 4),
        ("user3", "item0", 5), ("user3", "item3", 2), ("user4", "item3", 4),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["userId", "movieId", "rating"])
    trainset = _trainset(df, (1, 5))
    ub = knn.KNNBasic(sim_options={"user_based": True}, verbose=False).fit(trainset)
    ib = knn.KNNBasic(sim_options={"user_based": False}, verbose=False).fit(trainset)
    assert ub.get_neighbors(0, k=10) != ib.get_neighbors(0, k=10)
    ref = surprise.KNNBasic(sim_options={"user_based": True}, verbose=False).fit(trainset)
    assert ub.get_neighbors(0, k=10) == ref.get_neighbors(0, k=10)


def test_sim_built_once_on_first_access_read_only_and_model_untouched(subset, caplog) -> None:
    trainset = _trainset(subset)
    model = knn.KNNWithMeans(sim_options={"name": "pearson"}, verbose=False, **STATS_MODE)
    model.fit(trainset)

    def state() -> tuple:
        lay = model.layout_
        digest = hashlib.blake2b()
        for a in [*lay.ur, *lay.ir, *lay.neighbourhood.xs, *lay.neighbourhood.yr, lay.terms.pv,
                  lay.centers.means, lay.centers.sigmas]:  # fmt: skip
            digest.update(np.ascontiguousarray(a).view(np.uint8))
        return {k: id(v) for k, v in vars(model).items()}, digest.hexdigest()

    before = state()
    got: list[np.ndarray] = []
    with caplog.at_level(logging.WARNING, logger="recommender.knn"):
        threads = [threading.Thread(target=lambda: got.append(model.sim)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(got) == 4 and all(g is got[0] for g in got)
    built = [r for r in caplog.records if ".sim" in r.getMessage()]
    assert len(built) == 1 and "MB" in built[0].getMessage()
    assert model.sim is got[0] and got[0].shape == (model.n_x, model.n_x)
    with pytest.raises(ValueError):
        got[0][0, 1] = 0.5
    with pytest.raises(ValueError):
        model.means[0] = 0.0
    dict(model.xr.items()), dict(model.yr), model.get_neighbors(2, 5), model.sigmas, model.bx
    assert state() == before
    clone = pickle.loads(pickle.dumps(model))
    assert clone.predict(trainset.to_raw_uid(0), trainset.to_raw_iid(3)).est == pytest.approx(
        model.predict(trainset.to_raw_uid(0), trainset.to_raw_iid(3)).est, abs=0
    )
    model.fit(trainset)  # a refit builds the matrix anew
    assert model.sim is not got[0]
    np.testing.assert_array_equal(model.sim, got[0])


def test_sim_in_truncated_mode_holds_the_kept_neighbours(subset) -> None:
    trainset = _trainset(subset)
    opts = {"name": "msd", "user_based": False}
    model = knn.KNNBasic(sim_options=opts, verbose=False, save_nbrs=10).fit(trainset)
    sim = model.sim
    assert np.all(np.diag(sim) == 1.0)
    assert np.all((sim > 0).sum(axis=1) <= 11)
    ref = surprise.KNNBasic(sim_options=opts, verbose=False).fit(trainset)
    kept = sim > 0
    np.testing.assert_array_equal(sim[kept], ref.sim[kept])


# ---------------------------------------------------------------- Surprise's attributes
@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
def test_surprise_attributes(user_based: bool, with_repeats) -> None:
    trainset = _trainset(with_repeats)
    opts = {"name": "pearson_baseline", "user_based": user_based}
    z_ref = surprise.KNNWithZScore(sim_options=dict(opts), verbose=False).fit(trainset)
    b_ref = surprise.KNNBaseline(sim_options=dict(opts), verbose=False).fit(trainset)
    for cls in (knn.KNNWithZScore, knn.KNNBaseline):
        ours = cls(sim_options=dict(opts), verbose=False).fit(trainset)
        assert (ours.n_x, ours.n_y) == (z_ref.n_x, z_ref.n_y)
        assert ours.xr == z_ref.xr and ours.yr == z_ref.yr  # the trainset's ur / ir, repeats kept
        assert len(ours.xr) == ours.n_x and list(ours.xr) == list(range(ours.n_x))
        assert ours.xr[0] == z_ref.xr[0] and isinstance(ours.xr[0][0][0], int)
        with pytest.raises(KeyError):
            ours.xr[ours.n_x]
        np.testing.assert_allclose(ours.means, z_ref.means, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.sigmas, z_ref.sigmas, rtol=0, atol=1e-12)
        assert ours.overall_sigma == z_ref.overall_sigma
        np.testing.assert_allclose(ours.bu, b_ref.bu, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.bi, b_ref.bi, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.bx, b_ref.bx, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.by, b_ref.by, rtol=0, atol=1e-12)
        assert ours.switch("u", "i") == b_ref.switch("u", "i")
    basic = knn.KNNBasic(sim_options={"name": "msd"}, verbose=False).fit(trainset)
    assert basic.bu is None and basic.bx is None and basic.by is None


@pytest.mark.parametrize(
    ("algo", "sim", "bsl_options"),
    [
        ("KNNBasic", "msd", {}),
        ("KNNWithMeans", "pearson_baseline", {}),
        ("KNNWithZScore", "cosine", {}),
        ("KNNBaseline", "pearson", {}),
        ("KNNBaseline", "pearson_baseline", {"method": "sgd", "n_epochs": 2}),
    ],
)
def test_verbose_prints_what_surprise_prints(algo, sim, bsl_options, subset, capsys) -> None:
    trainset = _trainset(subset.iloc[:3000])
    outputs = []
    for module in (surprise, knn):
        opts = {"name": sim, "user_based": False}
        getattr(module, algo)(sim_options=opts, bsl_options=dict(bsl_options)).fit(trainset)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert "Done computing similarity matrix." in outputs[1]
    if sim == "pearson_baseline" or algo == "KNNBaseline":
        assert "Estimating biases using" in outputs[1]


def test_verbose_then_errors_like_surprise(subset, capsys) -> None:
    trainset = _trainset(subset.iloc[:500])
    for module in (surprise, knn):
        with pytest.raises(NameError, match="Wrong sim name"):
            module.KNNBaseline(sim_options={"name": "jaccard"}).fit(trainset)
        out = capsys.readouterr().out
        assert out == "Estimating biases using als...\nComputing the jaccard similarity matrix...\n"


# ---------------------------------------------------------------- repeated ratings
def _outcome(module, algo: str, opts: dict, trainset, testset, **kw) -> tuple:
    """What fitting and predicting gives: ("fit" | "predict", exception type) or ("ok", clipped
    estimates, unclipped estimates, details)."""
    model = getattr(module, algo)(sim_options=dict(opts), verbose=False, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Surprise's numpy 0 / 0
        try:
            model.fit(trainset)
        except Exception as error:  # the exception is what is compared
            return ("fit", type(error))
        try:
            preds = model.test(testset)
            raw = [model.predict(u, i, clip=False).est for u, i, _ in testset]
        except Exception as error:
            return ("predict", type(error))
    return ("ok", [float(p.est) for p in preds], [float(e) for e in raw],
            [p.details for p in preds])  # fmt: skip


def _assert_same(expected: tuple, got: tuple, atol: float, what: str) -> None:
    if expected[0] != "ok":
        assert got[0] == expected[0], (what, expected, got)
        assert issubclass(got[1], expected[1]), (what, expected, got)
        if expected[1] is ZeroDivisionError:  # ours is named, never numba's own
            assert got[1] is knn.KNNZeroDivisionError, (what, got)
        return
    assert got[0] == "ok", (what, expected, got)
    for e, g in zip(expected[1:3], got[1:3], strict=True):
        np.testing.assert_allclose(g, e, rtol=0, atol=atol, equal_nan=True, err_msg=what)
    assert got[3] == expected[3], what


def _grid_testset(df: pd.DataFrame, n_users: int, n_items: int) -> list:
    users = df.userId.unique()[:n_users]
    items = df.movieId.unique()[:n_items]
    test = [(u, i, 3.0) for u in users for i in items]
    return [*test, (users[0], -12345, 3.0), (-1, items[0], 4.0)]


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("sim", SIMS)
@pytest.mark.parametrize("algo", ALGOS)
def test_repeated_ratings_parity(algo: str, sim: str, user_based: bool, with_repeats) -> None:
    trainset = _trainset(with_repeats)
    assert trainset.n_ratings == len(with_repeats)  # Surprise keeps every repeated row
    testset = _grid_testset(with_repeats, 30, 40)
    opts = {"name": sim, "user_based": user_based}
    expected = _outcome(surprise, algo, opts, trainset, testset)
    for kw in ({}, STATS_MODE):
        got = _outcome(knn, algo, opts, trainset, testset, **kw)
        _assert_same(expected, got, 1e-6, f"{algo} {sim} {user_based} {kw}")


@pytest.mark.parametrize("user_based", [True, False], ids=["user", "item"])
@pytest.mark.parametrize("sim", SIMS)
def test_repeated_ratings_sim_bulk_and_fold_in(sim: str, user_based: bool, with_repeats) -> None:
    trainset = _trainset(with_repeats)
    ref, ours = _pair("KNNBaseline", sim, user_based, **STATS_MODE)
    np.testing.assert_array_equal(ours.fit(trainset).sim, ref.fit(trainset).sim)
    users = np.arange(0, trainset.n_users, 9)
    scores = ours.score_users(users, inner=True)
    for row, u in enumerate(users):
        raw_u = trainset.to_raw_uid(int(u))
        for i in range(0, trainset.n_items, 23):
            if not np.isnan(scores[row, i]):
                expected = ours.predict(raw_u, trainset.to_raw_iid(i), clip=False).est
                assert scores[row, i] == pytest.approx(expected, abs=1e-9)
        mine = ours.predict_all_for_user(raw_u, clip=False)
        assert np.allclose(mine.to_numpy(), scores[row, ~np.isnan(scores[row])], atol=1e-9)


# ---------------------------------------------------------------- degenerate data
def _rows(kind: str) -> tuple[list[tuple], tuple[float, float], dict]:
    if kind == "all_equal":  # pearson_baseline: every residual 0; KNNWithZScore: 0 spread
        return [(u, i, 3.0) for u in range(5) for i in range(4) if (u + i) % 4], (1, 5), {}
    if kind == "all_equal_inexact_mean":  # mean 0.10000000000000002: spreads ~1e-17, not 0
        return [(u, i, 0.1) for u in range(4) for i in range(4) if u != i], (0, 1), {}
    if kind == "zero_vector":  # cosine of a user (an item) rated 0 everywhere
        rows = [(0, 0, 0.0), (0, 1, 0.0), (1, 0, 3.0), (1, 1, 4.0), (2, 1, 2.0), (2, 0, 1.0),
                (3, 2, 2.0), (1, 2, 0.0), (3, 3, 0.0), (2, 3, 0.0)]  # fmt: skip
        return rows, (0, 5), {}
    if kind == "single_user":
        return [(0, i, float(1 + i % 5)) for i in range(6)], (1, 5), {}
    if kind == "single_item":
        return [(u, 0, float(1 + u % 5)) for u in range(6)], (1, 5), {}
    if kind == "single_rating":
        return [(0, 0, 4.0)], (1, 5), {}
    rows = [(u, i, float(1 + (u * i) % 5)) for u in range(5) for i in range(4) if (u + i) % 3]
    if kind == "min_support_0":  # msd / cosine compute 0 / 0 for pairs without common ratings
        return rows, (1, 5), {"min_support": 0}
    return rows, (1, 5), {"min_k": 0}  # KNNBasic: 0 / 0 without positive neighbours


@pytest.mark.parametrize(
    "kind",
    ["all_equal", "all_equal_inexact_mean", "zero_vector", "single_user", "single_item",
     "single_rating", "min_support_0", "min_k_0"],
)  # fmt: skip
def test_degenerate_data_behaves_like_surprise(kind: str) -> None:
    rows, scale, options = _rows(kind)
    df = pd.DataFrame(rows, columns=["userId", "movieId", "rating"])
    trainset = _trainset(df, scale)
    testset = _grid_testset(df, 6, 6)
    for algo, sim, user_based in CONFIGS:
        opts = {"name": sim, "user_based": user_based}
        opts.update({k: v for k, v in options.items() if k == "min_support"})
        kw = {k: v for k, v in options.items() if k == "min_k"}
        expected = _outcome(surprise, algo, opts, trainset, testset, **kw)
        for extra in ({}, STATS_MODE):
            got = _outcome(knn, algo, opts, trainset, testset, **kw, **extra)
            _assert_same(expected, got, 1e-9, f"{kind} {algo} {opts} {extra}")


def test_degenerate_error_names_the_pair() -> None:
    rows, scale, _ = _rows("zero_vector")
    df = pd.DataFrame(rows, columns=["userId", "movieId", "rating"])
    model = knn.KNNBasic(sim_options={"name": "cosine", "user_based": True}, verbose=False)
    with pytest.raises(ZeroDivisionError, match=r"float division: the cosine similarity of users"):
        model.fit(_trainset(df, scale))


def test_zero_spread_zscore_predicts_nan_clipped_to_the_top_like_surprise() -> None:
    rows, scale, _ = _rows("all_equal")
    df = pd.DataFrame(rows, columns=["userId", "movieId", "rating"])
    trainset = _trainset(df, scale)
    model = knn.KNNWithZScore(sim_options={"name": "msd"}, verbose=False).fit(trainset)
    assert model.overall_sigma == 0.0
    assert np.isnan(model.predict(0, 0, clip=False).est)
    assert model.predict(0, 0).est == 5.0
    assert model.predict(0, 99).est == 3.0  # unknown item: the global mean
