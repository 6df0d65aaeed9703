"""recommender.explore frames: hand-computed values on a tiny dataset, spot checks on ml-latest-small."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from recommender import explore as eda
from recommender.data import NO_GENRES, MovieFilters, MovieLens, summarize


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture()
def tiny() -> MovieLens:
    """4 movies (one without genres, one without year), 3 users, 6 ratings, 4 tags.

    Ratings per movie: 1 -> 3, 2 -> 2, 3 -> 1, 4 -> 0.
    """
    movies = pd.DataFrame(
        {
            "movieId": np.array([1, 2, 3, 4], dtype=np.int32),
            "title": ["A (1990)", "B (1995)", "C (2001)", "D"],
            "genres": pd.Series([["Comedy", "Drama"], ["Drama"], [], ["Comedy"]], dtype=object),
            "year": pd.array([1990, 1995, 2001, None], dtype="Int16"),
            "title_key": ["a", "b", "c", "d"],
        }
    )
    ratings = pd.DataFrame(
        {
            "userId": np.array([1, 1, 1, 2, 2, 3], dtype=np.int32),
            "movieId": np.array([1, 2, 3, 1, 2, 1], dtype=np.int32),
            "rating": np.array([4.0, 3.5, 5.0, 2.0, 4.5, 3.0], dtype=np.float32),
            "timestamp": pd.Series(
                [
                    _utc("2000-01-05"),
                    _utc("2003-06-01"),
                    _utc("2003-06-15"),
                    _utc("2000-02-01"),
                    _utc("2004-01-01"),
                    _utc("2004-03-01"),
                ]
            ).astype("datetime64[ns, UTC]"),
        }
    )
    tags = pd.DataFrame(
        {
            "userId": np.array([1, 2, 3, 2], dtype=np.int32),
            "movieId": np.array([1, 1, 1, 2], dtype=np.int32),
            "tag": pd.Series(["funny", "Funny ", "funny", "dark"], dtype="str"),
            "timestamp": pd.Series([_utc("2010-01-01")] * 4).astype("datetime64[ns, UTC]"),
        }
    )
    links = pd.DataFrame(
        {
            "movieId": np.array([1, 2, 3, 4], dtype=np.int32),
            "imdbId": ["0000001", "0000002", "0000003", "0000004"],
            "tmdbId": pd.array([1, 2, 3, None], dtype="Int32"),
        }
    )
    return MovieLens("tiny", ratings, movies, tags, links, source="memory")


@pytest.fixture()
def nothing(tiny: MovieLens) -> MovieLens:
    """A view that keeps no movie at all."""
    view = eda.apply_filters(tiny, MovieFilters(genres=("Drama",), years=(2001, 2001)))
    assert view.movies.empty and view.ratings.empty
    return view


# --------------------------------------------------------------------------------------------
# Filters


def test_filter_bounds(tiny):
    bounds = eda.filter_bounds(tiny)
    assert bounds.genres == ("Comedy", "Drama", NO_GENRES)
    assert (bounds.first_year, bounds.last_year) == (1990, 2001)
    assert bounds.max_min_ratings == 3


def test_default_filters_return_the_dataset_itself(tiny):
    assert eda.apply_filters(tiny, MovieFilters()) is tiny


@pytest.mark.parametrize(
    ("filters", "movies", "ratings"),
    [
        (MovieFilters(genres=("Comedy",)), [1, 4], 3),
        (MovieFilters(genres=("Comedy", "Drama")), [1, 2, 4], 5),
        (MovieFilters(genres=(NO_GENRES,)), [3], 1),
        (MovieFilters(years=(1990, 1995)), [1, 2], 5),  # movie 4 has no year: out
        (MovieFilters(min_ratings=2), [1, 2], 5),
        (MovieFilters(genres=("Drama",), min_ratings=3), [1], 3),
    ],
)
def test_apply_filters_keeps_movies_and_their_ratings_and_tags(tiny, filters, movies, ratings):
    view = eda.apply_filters(tiny, filters)
    assert view.movies["movieId"].tolist() == movies
    assert len(view.ratings) == ratings
    assert set(view.ratings["movieId"]) <= set(movies)
    assert set(view.tags["movieId"]) <= set(movies)
    assert view.links["movieId"].tolist() == movies
    assert len(tiny.ratings) == 6 and len(tiny.movies) == 4  # input untouched


def test_min_ratings_counts_ratings_in_the_whole_dataset(tiny):
    # Movie 2 has 2 ratings overall; with Drama + min 2 it stays although the filter also
    # narrows by genre.
    view = eda.apply_filters(tiny, MovieFilters(genres=("Drama",), min_ratings=2))
    assert view.movies["movieId"].tolist() == [1, 2]


# --------------------------------------------------------------------------------------------
# Headline and ratings


def test_headline_numbers_compare_all_data_and_view(tiny):
    view = eda.apply_filters(tiny, MovieFilters(genres=("Comedy",)))
    table = eda.headline_numbers(tiny, view).set_index("measure")
    assert table.loc["Ratings", "all_data"] == "6"
    assert table.loc["Ratings", "view"] == "3"
    assert table.loc["Users", "view"] == "3"
    assert table.loc["Movies", "view"] == "2"
    assert table.loc["Tags", "view"] == "3"
    assert table.loc["First rating", "view"] == "2000-01-05"
    assert table.loc["Last rating", "view"] == "2004-03-01"
    # 3 users x 1 rated movie, 3 ratings: nothing missing.
    assert table.loc["Sparsity", "view"] == "0.00 %"
    assert table.loc["Sparsity", "all_data"] == f"{summarize(tiny).sparsity_percent:.2f} %"


def test_headline_numbers_of_an_empty_view(tiny, nothing):
    table = eda.headline_numbers(tiny, nothing).set_index("measure")
    assert table.loc["Ratings", "view"] == "0"
    assert table.loc["First rating", "view"] == "–"
    assert table.loc["Mean rating", "view"] == "–"


def test_rating_distribution_has_every_half_star(tiny):
    dist = eda.rating_distribution(tiny)
    assert dist["rating"].tolist() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
    assert dist["ratings"].tolist() == [0, 0, 0, 1, 0, 1, 1, 1, 1, 1]
    assert dist["share"].sum() == pytest.approx(1.0)
    assert dist.loc[dist["rating"] == 4.0, "share"].item() == pytest.approx(1 / 6)


def test_rating_center(tiny):
    center = eda.rating_center(tiny).set_index("statistic")["value"]
    assert center["mean"] == pytest.approx(22 / 6)
    assert center["median"] == pytest.approx(3.75)


def test_star_kind_by_year(tiny):
    kinds = eda.star_kind_by_year(tiny)
    assert kinds["year"].tolist() == [2000, 2003, 2004]
    assert kinds["ratings"].tolist() == [2, 2, 2]
    assert kinds["half_star"].tolist() == [0, 1, 1]
    assert kinds["whole_star"].tolist() == [2, 1, 1]
    assert kinds["half_star_share"].tolist() == pytest.approx([0.0, 0.5, 0.5])


# --------------------------------------------------------------------------------------------
# Long tail


def test_ratings_per_user_and_movie_are_ranked(tiny):
    users = eda.ratings_per_user(tiny)
    assert users["userId"].tolist() == [1, 2, 3]
    assert users["ratings"].tolist() == [3, 2, 1]
    assert users["rank"].tolist() == [1, 2, 3]
    assert users["cumulative_share"].tolist() == pytest.approx([0.5, 5 / 6, 1.0])
    movies = eda.ratings_per_movie(tiny)
    assert movies["movieId"].tolist() == [1, 2, 3]  # unrated movie 4 is not on a log axis
    assert movies["title"].tolist() == ["A (1990)", "B (1995)", "C (2001)"]


def test_long_tail_stats(tiny):
    stats = eda.long_tail_stats(tiny, top_fraction=0.25, few=2)["value"].tolist()
    # Top 25 % of 4 movies = 1 movie (movie 1, 3 of 6 ratings); movies 3 and 4 have < 2 ratings;
    # top 25 % of 3 users rounds up to 1 user (user 1, 3 of 6 ratings).
    assert stats == pytest.approx([50.0, 2.0, 50.0, 1.0, 50.0])


# --------------------------------------------------------------------------------------------
# Genres


def test_genre_stats(tiny):
    stats = eda.genre_stats(tiny).set_index("genre")
    assert stats.index.tolist() == ["Drama", "Comedy", NO_GENRES]  # most ratings first
    assert stats.loc["Comedy", "movies"] == 2  # movies 1 and 4 (unrated counts)
    assert stats.loc["Comedy", "ratings"] == 3
    assert stats.loc["Comedy", "mean_rating"] == pytest.approx(3.0)
    assert stats.loc["Comedy", "std_rating"] == pytest.approx(1.0)
    assert stats.loc["Comedy", "median"] == pytest.approx(3.0)
    assert stats.loc["Drama", "ratings"] == 5
    assert stats.loc["Drama", "mean_rating"] == pytest.approx(17 / 5)
    assert stats.loc["Drama", "q1"] == pytest.approx(3.0)
    assert stats.loc["Drama", "q3"] == pytest.approx(4.0)
    assert stats.loc["Drama", "lower_whisker"] == pytest.approx(2.0)
    assert stats.loc["Drama", "upper_whisker"] == pytest.approx(4.5)
    assert stats.loc[NO_GENRES, "ratings"] == 1


def test_genre_cooccurrence(tiny):
    pairs = eda.genre_cooccurrence(tiny).set_index(["genre", "other_genre"])
    assert len(pairs) == 4  # Comedy, Drama; movies without genres left out
    assert pairs.loc[("Comedy", "Comedy"), "movies"] == 2
    assert pairs.loc[("Comedy", "Drama"), "movies"] == 1
    assert pairs.loc[("Comedy", "Drama"), "share_of_genre"] == pytest.approx(0.5)
    assert pairs.loc[("Drama", "Comedy"), "share_of_genre"] == pytest.approx(0.5)
    assert pairs.loc[("Drama", "Drama"), "share_of_genre"] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# Time


def test_movies_per_release_year_fills_gaps(tiny):
    per_year = eda.movies_per_release_year(tiny)
    assert per_year["year"].tolist() == list(range(1990, 2002))
    assert per_year["movies"].sum() == 3  # movie 4 has no year
    assert per_year.set_index("year").loc[[1990, 1995, 2001], "movies"].tolist() == [1, 1, 1]


def test_rating_by_release_decade(tiny):
    decades = eda.rating_by_release_decade(tiny)
    assert decades["decade_label"].tolist() == ["1990s", "2000s"]
    assert decades["movies"].tolist() == [2, 1]
    assert decades["ratings"].tolist() == [5, 1]
    assert decades["mean_rating"].tolist() == pytest.approx([3.4, 5.0])


def test_monthly_activity(tiny):
    months = eda.monthly_activity(tiny)
    assert months["month"].iloc[0] == pd.Timestamp("2000-01-01")
    assert months["month"].iloc[-1] == pd.Timestamp("2004-03-01")
    assert len(months) == 51  # every month from Jan 2000 to Mar 2004
    assert months["ratings"].sum() == 6
    june = months.set_index("month").loc[pd.Timestamp("2003-06-01")]
    assert (june["ratings"], june["active_users"]) == (2, 1)
    assert june["mean_rating"] == pytest.approx(4.25)
    assert months.set_index("month").loc[pd.Timestamp("2001-01-01"), "ratings"] == 0


# --------------------------------------------------------------------------------------------
# Top movies


def test_bayesian_top_movies_hand_computed(tiny):
    m = 22 / 6
    top = eda.bayesian_top_movies(tiny, prior_weight=1)
    assert top["movieId"].tolist() == [3, 2, 1]
    assert top["bayesian_average"].tolist() == pytest.approx(
        [(m + 5) / 2, (m + 8) / 3, (m + 9) / 4]
    )
    assert top["rank"].tolist() == [1, 2, 3]
    assert top["title"].tolist() == ["C (2001)", "B (1995)", "A (1990)"]


def test_bayesian_prior_also_sets_the_minimum_ratings(tiny):
    m = 22 / 6
    top = eda.bayesian_top_movies(tiny, prior_weight=2)
    assert top["movieId"].tolist() == [2, 1]  # movie 3 has a single rating
    assert top["bayesian_average"].tolist() == pytest.approx([(2 * m + 8) / 4, (2 * m + 9) / 5])
    assert top["mean_rating"].tolist() == pytest.approx([4.0, 3.0])
    assert eda.bayesian_top_movies(tiny, prior_weight=1, limit=1)["movieId"].tolist() == [3]


# --------------------------------------------------------------------------------------------
# Tags


def test_top_tags_group_case_and_spaces(tiny):
    tags = eda.top_tags(tiny)
    assert tags["tag"].tolist() == ["funny", "dark"]
    assert tags["uses"].tolist() == [3, 1]
    assert tags["movies"].tolist() == [1, 1]
    assert tags["users"].tolist() == [3, 1]


def test_tags_per_movie(tiny):
    per_movie = eda.tags_per_movie(tiny).set_index("tags")["movies"]
    assert per_movie["0"] == 2  # movies 3 and 4
    assert per_movie["1"] == 1
    assert per_movie["2"] == 0
    assert per_movie["3–5"] == 1
    assert per_movie.sum() == 4


# --------------------------------------------------------------------------------------------
# One user


def test_user_choices(tiny):
    users = eda.user_choices(tiny)
    assert users["userId"].tolist() == [1, 2, 3]
    assert users["ratings"].tolist() == [3, 2, 1]


def test_user_rating_histogram(tiny):
    hist = eda.user_rating_histogram(tiny, 1)
    mine = hist[hist["who"] == "This user"].set_index("rating")
    everyone = hist[hist["who"] == "Everyone"].set_index("rating")
    assert len(mine) == len(everyone) == 10
    assert mine.loc[[3.5, 4.0, 5.0], "ratings"].tolist() == [1, 1, 1]
    assert mine["share"].sum() == pytest.approx(1.0)
    assert everyone["ratings"].sum() == 6


def test_user_genre_preferences(tiny):
    prefs = eda.user_genre_preferences(tiny, 1, min_ratings=1).set_index("genre")
    assert prefs.index.tolist() == [NO_GENRES, "Comedy", "Drama"]  # best mean first
    assert prefs.loc["Drama", "ratings"] == 2
    assert prefs.loc["Drama", "mean_rating"] == pytest.approx(3.75)
    assert prefs.loc["Drama", "everyone_mean"] == pytest.approx(3.4)
    assert prefs.loc["Comedy", "difference"] == pytest.approx(1.0)
    only_drama = eda.user_genre_preferences(tiny, 1, min_ratings=2)
    assert only_drama["genre"].tolist() == ["Drama"]


def test_user_recent_ratings(tiny):
    recent = eda.user_recent_ratings(tiny, 1)
    assert recent["title"].tolist() == ["C (2001)", "B (1995)", "A (1990)"]
    assert recent["genres"].tolist() == [NO_GENRES, "Drama", "Comedy, Drama"]
    assert recent["rating"].tolist() == [5.0, 3.5, 4.0]
    assert recent["rated_at"].iloc[0] == pd.Timestamp("2003-06-15")
    assert eda.user_recent_ratings(tiny, 1, limit=1)["title"].tolist() == ["C (2001)"]


# --------------------------------------------------------------------------------------------
# Empty views never raise


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("rating_distribution", ()),
        ("star_kind_by_year", ()),
        ("ratings_per_user", ()),
        ("ratings_per_movie", ()),
        ("genre_stats", ()),
        ("genre_cooccurrence", ()),
        ("movies_per_release_year", ()),
        ("rating_by_release_decade", ()),
        ("monthly_activity", ()),
        ("bayesian_top_movies", (10,)),
        ("top_tags", ()),
        ("user_choices", ()),
        ("user_genre_preferences", (1,)),
        ("user_recent_ratings", (1,)),
    ],
)
def test_empty_view_gives_empty_or_zero_frames(nothing, function, args):
    frame = getattr(eda, function)(nothing, *args)
    assert isinstance(frame, pd.DataFrame)
    if function == "rating_distribution":
        assert frame["ratings"].sum() == 0
    else:
        assert frame.empty


# --------------------------------------------------------------------------------------------
# Real data spot checks


def test_real_rating_distribution(ml):
    dist = eda.rating_distribution(ml)
    assert int(dist["ratings"].sum()) == 100_836
    assert dist.set_index("rating")["ratings"].idxmax() == 4.0
    center = eda.rating_center(ml).set_index("statistic")["value"]
    assert center["mean"] == pytest.approx(3.5016, abs=1e-4)
    assert center["median"] == 3.5


def test_real_half_stars_start_in_2003(ml):
    kinds = eda.star_kind_by_year(ml)
    assert int(kinds.loc[kinds["half_star"] > 0, "year"].min()) == 2003
    assert int(kinds["ratings"].sum()) == 100_836


def test_real_long_tail(ml):
    stats = eda.long_tail_stats(ml).set_index("statistic")["value"]
    top_share = stats.iloc[0]
    counts = ml.ratings["movieId"].value_counts().to_numpy()
    n_top = math.ceil(0.1 * ml.n_movies)
    assert top_share == pytest.approx(100 * np.sort(counts)[::-1][:n_top].sum() / 100_836)
    assert 55 < top_share < 65
    assert stats.iloc[1] == int((eda.ratings_per_movie_counts(ml) < 5).sum())
    assert stats.iloc[3] == ml.n_movies - ml.n_rated_movies == 18


def test_real_genres(ml):
    stats = eda.genre_stats(ml)
    assert len(stats) == 20  # 19 genres + "(no genres listed)"
    assert stats.iloc[0]["genre"] == "Drama"
    assert int(stats.set_index("genre").loc["Drama", "movies"]) == 4361
    pairs = eda.genre_cooccurrence(ml)
    assert len(pairs) == 19 * 19
    assert (pairs["share_of_genre"].between(0, 1)).all()


def test_real_time_frames(ml):
    months = eda.monthly_activity(ml)
    assert int(months["ratings"].sum()) == ml.n_ratings
    assert months["month"].is_monotonic_increasing
    per_year = eda.movies_per_release_year(ml)
    assert int(per_year["movies"].sum()) == int(ml.movies["year"].notna().sum())
    decades = eda.rating_by_release_decade(ml)
    assert decades["decade_label"].iloc[0] == "1900s"


def test_real_bayesian_top_movie_is_shawshank(ml):
    top = eda.bayesian_top_movies(ml, prior_weight=20)
    assert top.iloc[0]["movieId"] == 318
    assert "Shawshank" in top.iloc[0]["title"]
    assert (top["ratings"] >= 20).all()
    assert top["bayesian_average"].is_monotonic_decreasing


def test_real_filters_narrow_everything(ml):
    view = eda.apply_filters(ml, MovieFilters(("Comedy",), (1990, 1999), 10))
    assert 0 < view.n_ratings < ml.n_ratings
    assert view.movies["year"].between(1990, 1999).all()
    assert view.movies["genres"].map(lambda gs: "Comedy" in gs).all()
    counts = eda.ratings_per_movie_counts(ml)
    assert (counts.loc[view.movies["movieId"]] >= 10).all()


def test_view_size(tiny, nothing):
    size = eda.view_size(tiny).iloc[0]
    assert (size["movies"], size["ratings"], size["tags"]) == (4, 6, 4)
    assert size["mean_rating"] == pytest.approx(22 / 6)
    empty = eda.view_size(nothing).iloc[0]
    assert (empty["movies"], empty["ratings"], empty["tags"]) == (0, 0, 0)
    assert math.isnan(empty["mean_rating"])


def test_no_tags_reason_says_why_a_dataset_shows_no_tags(tiny):
    assert eda.no_tags_reason(tiny) is None  # it has tags: the filters decide
    empty = tiny.tags.iloc[:0]
    grouplens = dataclasses.replace(tiny, name="ml-1m", tags=empty, has_tags=False)
    reason = eda.no_tags_reason(grouplens)
    assert reason.startswith("ml-1m comes without tags: GroupLens publishes them with ")
    assert "ml-10m" in reason and "ml-100k" not in reason
    upload = dataclasses.replace(tiny, name="my-upload", tags=empty, has_tags=False)
    assert eda.no_tags_reason(upload) == "my-upload has no tags file, so there are no tags to show."
    blank = dataclasses.replace(tiny, name="my-upload", tags=empty, has_tags=True)
    assert eda.no_tags_reason(blank) == "my-upload's tags file holds no tags."
