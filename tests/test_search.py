"""Forgiving title search over the real movie titles."""

from __future__ import annotations

import pytest

from recommender.recommend.search import (
    TitleNotFoundError,
    closest_titles,
    parse_query,
    resolve_title,
    search_titles,
)

MATRIX = 2571


@pytest.fixture(scope="module")
def popularity(ml):
    return ml.ratings.groupby("movieId").size()


@pytest.mark.parametrize(
    "query",
    ["The Matrix", "matrix, the", "Matrix, The (1999)", "MATRIX", "  the   matrix ", "matrix 1999"],
)
def test_matrix_is_found_however_it_is_written(ml, popularity, query):
    hits = search_titles(ml.movies, query, popularity=popularity)
    assert int(hits["movieId"].iloc[0]) == MATRIX


def test_accents_do_not_matter(ml, popularity):
    for query in ("Amelie", "amélie", "AMÉLIE"):
        titles = search_titles(ml.movies, query, popularity=popularity)["title"].tolist()
        assert titles and titles[0].startswith("Amelie (Fabuleux destin d'Amélie Poulain")


def test_year_in_query_prefers_that_release(ml, popularity):
    # Two movies are called "Heat": 1995 (Mann) and "Heat, The" (2013).
    assert search_titles(ml.movies, "heat 2013", popularity=popularity)["year"].iloc[0] == 2013
    assert search_titles(ml.movies, "heat (1995)", popularity=popularity)["year"].iloc[0] == 1995


def test_number_titles_are_not_mistaken_for_years():
    assert parse_query("2001").key == "2001" and parse_query("2001").year is None
    assert parse_query("Blade Runner 1982") == parse_query("blade runner (1982)")


def test_partial_words_and_substrings_match(ml, popularity):
    titles = search_titles(ml.movies, "star wars", limit=10, popularity=popularity)["title"]
    assert len(titles) >= 6 and all("Star Wars" in t for t in titles)


def test_unknown_title_gives_closest_matches(ml):
    assert search_titles(ml.movies, "shawshenk redemptoin").empty
    close = closest_titles(ml.movies, "shawshenk redemptoin")
    assert close["title"].iloc[0] == "Shawshank Redemption, The (1994)"
    with pytest.raises(TitleNotFoundError) as info:
        resolve_title(ml.movies, "Godfathr")
    assert "Godfather, The (1972)" in info.value.suggestions
    assert "Did you mean" in str(info.value)


def test_gibberish_has_no_suggestions(ml):
    with pytest.raises(TitleNotFoundError) as info:
        resolve_title(ml.movies, "qqxxzzv")
    assert info.value.suggestions == []


def test_empty_query_matches_nothing(ml):
    assert search_titles(ml.movies, "   ").empty
