"""recommender.data.tally: counting kernels against pandas on random and real data, and the Explore
frames built on them against the plain pandas group-bys they replaced."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import explore as eda
from recommender.data import (
    LevelStats,
    MovieFilters,
    count_distinct,
    counts_by_id,
    dense_codes,
    duplicate_pairs,
    load_movielens,
    month_codes,
    rating_levels,
    tally,
    year_codes,
)

RNG = np.random.default_rng(7)
HOSTILE = Path(__file__).parent / "fixtures" / "datasets" / "hostile" / "ml-hostile"


@pytest.fixture(params=["table", "search"])
def lookup(request, monkeypatch):
    """Both paths: the id lookup table and, for sparse ids, binary search / hashing."""
    if request.param == "search":
        monkeypatch.setattr(tally, "_TABLE_CELLS", 0)
    return request.param


def test_dense_codes_find_every_id_and_flag_the_missing(lookup):
    universe = np.array([3, 10, 11, 500], dtype=np.int32)
    values = np.array([11, 3, 500, 4, 10, 9999, -2], dtype=np.int32)
    assert dense_codes(values, universe).tolist() == [2, 0, 3, -1, 1, -1, -1]
    assert dense_codes(values, universe[:0]).tolist() == [-1] * 7


def test_count_distinct_and_counts_by_id_match_pandas(lookup):
    ids = RNG.integers(-50, 5_000, 20_000).astype(np.int32)
    weights = RNG.random(len(ids))
    assert count_distinct(ids) == pd.Series(ids).nunique()
    distinct, count, total = counts_by_id(ids, weights)
    expected = pd.Series(weights).groupby(ids).agg(["size", "sum"])
    assert distinct.tolist() == expected.index.tolist()
    assert count.tolist() == expected["size"].tolist()
    np.testing.assert_allclose(total, expected["sum"].to_numpy())
    assert count_distinct(ids[:0]) == 0 and len(counts_by_id(ids[:0])[0]) == 0


@pytest.mark.parametrize(
    "values",
    [
        RNG.integers(1, 11, 1_001) / 2,  # half stars
        RNG.integers(1, 6, 10).astype(float),  # whole stars, few ratings
        np.array([4.0]),  # one rating: no spread
        np.array([1.0, 1.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.5]),  # outliers beyond the whiskers
        np.round(RNG.normal(3, 1, 500), 2),  # off the half-star grid
    ],
)
def test_level_stats_equal_pandas_on_the_ratings_themselves(values):
    levels, codes = rating_levels(values)
    assert np.array_equal(levels[codes], values)
    stats = LevelStats(np.bincount(codes, minlength=len(levels)), levels)
    ratings = pd.Series(values)
    assert stats.n == len(ratings)
    assert stats.mean == pytest.approx(ratings.mean())
    assert stats.std == pytest.approx(ratings.std(), nan_ok=True)
    for q in (0.25, 0.5, 0.75):
        assert stats.quantile(q) == pytest.approx(ratings.quantile(q))
    q1, q3 = ratings.quantile(0.25), ratings.quantile(0.75)
    inside = ratings[ratings.between(q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1))]
    assert stats.whiskers() == (inside.min(), inside.max())


def test_month_and_year_codes_match_pandas_calendar():
    stamps = pd.Series(pd.to_datetime(RNG.integers(-(10**9), 2 * 10**9, 5_000), unit="s", utc=True))
    months = stamps.dt.year.to_numpy() * 12 + stamps.dt.month.to_numpy() - 1 - 1970 * 12
    assert month_codes(stamps).tolist() == months.tolist()
    assert year_codes(stamps).tolist() == stamps.dt.year.tolist()
    assert month_codes(stamps.astype("datetime64[s, UTC]")).tolist() == months.tolist()


# ------------------------------------------------------------------ frames against plain pandas


def reference_genre_stats(view) -> pd.DataFrame:
    """The group-by this module replaced: every rating repeated once per genre of its movie."""
    pairs = eda.movie_genres(view.movies)
    rated = view.ratings[["movieId", "rating"]].merge(pairs, on="movieId")
    rated["rating"] = rated["rating"].astype(np.float64)
    grouped = rated.groupby("genre")["rating"]
    return grouped.agg(
        ratings="count", mean_rating="mean", std_rating="std", q1=lambda s: s.quantile(0.25),
        median="median", q3=lambda s: s.quantile(0.75),
    )  # fmt: skip


def reference_monthly(view) -> pd.DataFrame:
    r = view.ratings.assign(rating=view.ratings["rating"].astype(np.float64))
    months = r["timestamp"].dt.tz_convert(None).dt.to_period("M").dt.to_timestamp()
    return r.groupby(months.to_numpy()).agg(
        ratings=("rating", "size"),
        active_users=("userId", "nunique"),
        mean_rating=("rating", "mean"),
    )


FILTERS = [MovieFilters(), MovieFilters(genres=("Comedy",)), MovieFilters(years=(1990, 1999),
           min_ratings=10), MovieFilters(genres=("Film-Noir", "War"))]  # fmt: skip


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_frames_equal_plain_pandas_group_bys_on_real_data(ml, filters):
    view = eda.apply_filters(ml, filters)
    stats = eda.genre_stats(view).set_index("genre")
    expected = reference_genre_stats(view)
    rated = stats[stats["ratings"] > 0]
    assert sorted(rated.index) == sorted(expected.index)
    for column in expected.columns:
        np.testing.assert_allclose(
            rated.loc[expected.index, column].to_numpy(np.float64),
            expected[column].to_numpy(np.float64), rtol=1e-12, err_msg=column,
        )  # fmt: skip

    months = eda.monthly_activity(view).set_index("month")
    expected = reference_monthly(view)
    active = months[months["ratings"] > 0]
    assert active.index.tolist() == expected.index.tolist()
    assert active["ratings"].tolist() == expected["ratings"].tolist()
    assert active["active_users"].tolist() == expected["active_users"].tolist()
    np.testing.assert_allclose(active["mean_rating"], expected["mean_rating"], rtol=1e-12)

    kinds = eda.star_kind_by_year(view).set_index("year")
    r = view.ratings
    by_year = (r["rating"] % 1 != 0).groupby(r["timestamp"].dt.year).agg(["size", "sum"])
    assert kinds.index.tolist() == by_year.index.tolist()
    assert kinds["half_star"].tolist() == by_year["sum"].tolist()
    assert kinds["ratings"].tolist() == by_year["size"].tolist()

    headline = eda.headline_numbers(ml, view).set_index("measure")["view"]
    assert headline["Users"] == f"{r['userId'].nunique():,}"
    assert headline["Movies with ratings"] == f"{r['movieId'].nunique():,}"
    center = eda.rating_center(view).set_index("statistic")["value"]
    assert center["median"] == r["rating"].astype(np.float64).median()
    choices = eda.user_choices(view)
    counts = r["userId"].value_counts().sort_index()
    assert choices["userId"].tolist() == counts.index.tolist()
    assert choices["ratings"].tolist() == counts.tolist()


@pytest.mark.parametrize("sort", [False, True], ids=["shuffled", "sorted by pair"])
def test_duplicate_pairs_match_pandas_duplicated(sort):
    users, movies = RNG.integers(0, 60, 4_000), RNG.integers(-5, 40, 4_000)
    if sort:  # GroupLens files: by user, then movie (the linear path)
        order = np.lexsort((movies, users))
        users, movies = users[order], movies[order]
    repeated, later = duplicate_pairs(users, movies)
    pairs = pd.DataFrame({"userId": users, "movieId": movies})
    assert repeated.tolist() == pairs.duplicated(keep=False).tolist()
    assert later.tolist() == pairs.duplicated().tolist()
    assert [m.tolist() for m in duplicate_pairs(users[:0], movies[:0])] == [[], []]


def test_pair_keys_follow_the_pairs_order_even_for_ids_too_far_apart_for_arithmetic():
    near = (np.array([3, 1, 1, 2]), np.array([0, 9, 2, 9]))
    far = (np.array([3, 1, 1, 2]) * 2**40, np.array([0, 9, 2, 9]) * 2**40)  # keys would overflow
    for first, second in (near, far):
        keys = tally.pair_keys(first, second)
        assert keys.dtype == np.int64
        assert np.argsort(keys, kind="stable").tolist() == [2, 1, 3, 0]  # (1,2) (1,9) (2,9) (3,0)
        repeated, later = duplicate_pairs(np.r_[first, first[:1]], np.r_[second, second[:1]])
        assert repeated.tolist() == [True, False, False, False, True]
        assert later.tolist() == [False, False, False, False, True]


def test_frames_skip_missing_ratings_as_pandas_does():
    """The hostile fixture has NaN and off-scale ratings, as loaded (Explore shows the raw data)."""
    hostile = load_movielens(HOSTILE)
    assert hostile.ratings["rating"].isna().any()
    stats = eda.genre_stats(hostile).set_index("genre")
    expected = reference_genre_stats(hostile)
    rated = stats.loc[expected.index]
    for column in expected.columns:
        np.testing.assert_allclose(rated[column].to_numpy(np.float64),
                                   expected[column].to_numpy(np.float64), rtol=1e-12,
                                   err_msg=column)  # fmt: skip
    months = eda.monthly_activity(hostile)
    assert months["ratings"].sum() == len(hostile.ratings)  # a missing rating is still a rating
    assert months["mean_rating"].dropna().between(0, 10).all()
    center = eda.rating_center(hostile).set_index("statistic")["value"]
    assert center["median"] == hostile.ratings["rating"].astype(np.float64).median()
    assert center["mean"] == pytest.approx(hostile.ratings["rating"].astype(np.float64).mean())


def test_frames_over_time_skip_ratings_without_a_timestamp(ml):
    """An upload may have no timestamps at all (NaT): charts over time leave those ratings out,
    as pandas' group-bys did, instead of spanning 10¹⁴ days."""
    some = ml.ratings.copy()
    some.loc[some.index[::2], "timestamp"] = pd.NaT
    partly = dataclasses.replace(ml, ratings=some)
    timed = some[some["timestamp"].notna()]
    months = eda.monthly_activity(partly)
    assert months["ratings"].sum() == len(timed)
    kinds = eda.star_kind_by_year(partly)
    assert kinds["ratings"].sum() == len(timed)
    none = dataclasses.replace(ml, ratings=some.assign(timestamp=pd.NaT))
    assert eda.monthly_activity(none).empty and eda.star_kind_by_year(none).empty
    headline = eda.headline_numbers(none, none).set_index("measure")["view"]
    assert headline["First rating"] == headline["Last rating"] == "–"
    assert headline["Ratings"] == f"{len(ml.ratings):,}"
    with pytest.raises(ValueError, match="missing timestamps"):
        month_codes(some["timestamp"])
