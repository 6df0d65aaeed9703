"""recommender.data.filters: URL round trip, normalisation, and bad URL values never raising."""

from __future__ import annotations

import pytest

from recommender.data import (
    FilterBounds,
    MovieFilters,
    make_filters,
    parse_query_params,
    to_query_params,
)

BOUNDS = FilterBounds(
    genres=("Action", "Comedy", "Drama", "Sci-Fi", "(no genres listed)"),
    first_year=1902,
    last_year=2018,
    max_min_ratings=329,
)


def test_default_filters_have_no_query_params():
    assert MovieFilters().is_default
    assert to_query_params(MovieFilters()) == {}
    assert parse_query_params({}, BOUNDS) == (MovieFilters(), [])


@pytest.mark.parametrize(
    "filters",
    [
        MovieFilters(genres=("Comedy", "Sci-Fi")),
        MovieFilters(years=(1990, 1999)),
        MovieFilters(min_ratings=50),
        MovieFilters(("Action", "(no genres listed)"), (1902, 1950), 1),
    ],
)
def test_round_trip(filters):
    params = to_query_params(filters)
    assert parse_query_params(params, BOUNDS) == (filters, [])


def test_query_param_format():
    params = to_query_params(MovieFilters(("Comedy", "Drama"), (1990, 1999), 10))
    assert params == {"genres": "Comedy,Drama", "years": "1990-1999", "min_ratings": "10"}


def test_make_filters_normalises():
    filters = make_filters(BOUNDS, ["Drama", "Action"], (2018, 1902), 5000)
    assert filters.genres == ("Action", "Drama")  # dataset order
    assert filters.years is None  # full range means "no year filter"
    assert filters.min_ratings == 329


def test_parse_accepts_lists_case_and_repeats():
    filters, warnings = parse_query_params(
        {"genres": ["comedy", "DRAMA"], "years": ["1900-1910", "1995"]}, BOUNDS
    )
    assert warnings == []
    assert filters.genres == ("Comedy", "Drama")
    assert filters.years == (1995, 1995)  # the last value wins


def test_invalid_values_are_ignored_with_warnings():
    filters, warnings = parse_query_params(
        {"genres": "Nope,Comedy", "years": "abc", "min_ratings": "many"}, BOUNDS
    )
    assert filters == MovieFilters(genres=("Comedy",))
    assert len(warnings) == 3
    assert "'Nope'" in warnings[0]
    assert "years='abc'" in warnings[1]
    assert "min_ratings='many'" in warnings[2]


def test_out_of_range_values_are_clamped_with_warnings():
    filters, warnings = parse_query_params({"years": "1800-1950", "min_ratings": "-3"}, BOUNDS)
    assert filters.years == (1902, 1950)
    assert filters.min_ratings == 0
    assert len(warnings) == 2
    assert "1902–1950" in warnings[0]


def test_reversed_year_range_is_swapped():
    filters, warnings = parse_query_params({"years": "1999-1990"}, BOUNDS)
    assert filters.years == (1990, 1999)
    assert warnings == []


def test_describe():
    assert MovieFilters().describe() == "all movies"
    text = MovieFilters(("Comedy", "Drama"), (1990, 1999), 10).describe()
    assert text == "Comedy or Drama · released 1990–1999 · ≥ 10 ratings per movie"
