"""Exporting and importing a visitor's ratings as CSV."""

from __future__ import annotations

import pytest

from recommender.recommend.ratings_io import (
    RatingsImportError,
    export_ratings_csv,
    import_ratings_csv,
)


def test_export_then_import_round_trips(ml):
    ratings = {260: 5.0, 1196: 4.5, 1: 0.5}
    text = export_ratings_csv(ratings, ml.movies)
    assert text.splitlines()[0] == "movieId,title,rating"
    assert "Star Wars: Episode IV - A New Hope (1977)" in text
    back = import_ratings_csv(text.encode("utf-8"), ml.movies)
    assert back.ratings == ratings
    assert back.missing == []


def test_titles_with_commas_and_quotes_survive(ml):
    ratings = {2571: 4.0}  # "Matrix, The (1999)" needs quoting
    assert import_ratings_csv(export_ratings_csv(ratings, ml.movies), ml.movies).ratings == ratings


def test_bad_rows_are_all_named_and_nothing_is_imported(ml):
    text = (
        "movieId,title,rating\n"
        "260,Star Wars,5\n"
        "abc,Nope,4\n"  # row 3: id
        "1196,Empire,7\n"  # row 4: off scale
        "1,Toy Story,3.3\n"  # row 5: not a half star
        "260,Star Wars again,4\n"  # row 6: duplicate
        "2,Jumanji\n"  # row 7: wrong field count
    )
    with pytest.raises(RatingsImportError) as info:
        import_ratings_csv(text, ml.movies)
    problems = info.value.problems
    assert [p.split(":")[0].split(" has")[0] for p in problems] == [
        "row 3",
        "row 4",
        "row 5",
        "row 6",
        "row 7",
    ]
    assert "already rated on row 2" in problems[3]
    assert "row 3" in str(info.value)


def test_movies_missing_from_the_dataset_are_reported(ml):
    text = "movieId,title,rating\n260,Star Wars,5\n999999999,Some Future Film,4\n"
    result = import_ratings_csv(text, ml.movies)
    assert result.ratings == {260: 5.0}
    assert result.missing == [(3, 999999999, "Some Future Film")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"title,stars\nA,4\n", "movieId and rating"),
        (b"movieId,rating\n1,\xff\n", "not UTF-8"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(ml, content, message):
    with pytest.raises(RatingsImportError, match=message):
        import_ratings_csv(content, ml.movies)


def test_header_case_and_bom_and_blank_lines_are_tolerated(ml):
    text = "\ufeffMovieID,Rating\n\n260,4.5\n"
    assert import_ratings_csv(text.encode("utf-8"), ml.movies).ratings == {260: 4.5}
