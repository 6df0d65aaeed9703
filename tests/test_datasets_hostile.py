"""Hostile data, data side: every oddity gives a named DataError or a documented, reported cleaning
step — nothing is silently accepted. The fixture datasets in tests/fixtures/datasets/hostile/ are
also what the browser tests load (see the README there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.data import (
    CATALOG,
    DataError,
    clean,
    load_movielens,
    parsing,
    quality_report,
    read_dataset,
)

HOSTILE = Path(__file__).parent / "fixtures" / "datasets" / "hostile"


@pytest.fixture(scope="module")
def hostile():
    return read_dataset(HOSTILE / "ml-hostile")


def test_hostile_dataset_loads_with_bom_and_crlf(hostile):
    assert hostile.name == "ml-hostile"
    assert (hostile.n_movies, hostile.n_ratings, hostile.n_tags, len(hostile.links)) == (
        14,
        60,
        5,
        14,
    )
    assert list(hostile.ratings.columns) == ["userId", "movieId", "rating", "timestamp"]  # no BOM
    assert hostile.ratings["userId"].dtype == np.int32
    assert not hostile.movies["title"].str.contains("\r|\n").any()


def test_hostile_titles_are_kept_verbatim_except_control_characters(hostile):
    titles = hostile.movies.set_index("movieId")["title"]
    assert titles[1] == "<script>alert('xss')</script> (1999)"
    assert titles[3].startswith("**Bold** _italic_ [click](javascript:alert(1))")
    assert titles[4] == "# Heading - list item (2003)"  # the line break became a space
    assert titles[5].startswith("$E = mc^2$ and $$")
    assert titles[6] == "שלום עולם (2005)"
    assert "\u202e" not in titles[7] and titles[7].endswith("مرحبا بالعالم (2006)")
    assert titles[8] == "🎬🍿 Movie Night 👩\u200d👩\u200d👧\u200d👦 (2010)"  # ZWJ kept
    assert len(titles[9]) > 2000
    assert titles[14] == "(no year, spaces around)"
    years = hostile.movies.set_index("movieId")["year"]
    assert years[13] == 1995 and years[9] == 2011 and pd.isna(years[14])
    assert hostile.tags["tag"].iloc[0] == "<img src=x onerror=alert(1)>"


def test_hostile_problems_are_reported_not_hidden(hostile):
    warnings = "\n".join(hostile.warnings)
    assert "2 titles held line breaks" in warnings
    assert "2 ratings have no value (NaN), e.g. userId 7, movieId 1" in warnings
    assert "2 ratings are off the 0.5–5 half-star scale, e.g. userId 7, movieId 3: 7" in warnings
    report = quality_report(hostile)
    assert report.count("Ratings with no value (NaN)") == 2
    assert report.count("Ratings off the 0.5–5 half-star scale") == 2
    assert not report.is_clean
    cleaned = clean(hostile)
    removed = cleaned.changes.set_index("fix")["rows_removed"]
    assert removed["Removed ratings with a missing rating"] == 2
    assert removed["Removed ratings off the 0.5–5 half-star scale"] == 2
    assert quality_report(cleaned.data).is_clean
    assert not any("ratings have no value" in w for w in cleaned.data.warnings)
    assert cleaned.data.key != hostile.key


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        ("ml-hostile-latin1", r"movies\.csv, line 3: not valid UTF-8 text \(byte 0xe9"),
        ("ml-hostile-links", r"links\.csv, line 4, column 'imdbId': \"'; DROP TABLE links;--\" is not an IMDb id"),
        ("ml-hostile-header-only", r"movies\.csv: the file has a header but no movies"),
    ],
)  # fmt: skip
def test_hostile_files_that_must_fail_say_where_and_why(folder, message):
    with pytest.raises(DataError, match=message):
        read_dataset(HOSTILE / folder)


def _csv_dataset(tmp_path: Path, **files: str | bytes) -> Path:
    folder = tmp_path / "ml-custom"
    folder.mkdir(exist_ok=True)
    base = {
        "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,100\n1,2,3.5,101\n",
        "movies.csv": "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,Heat (1995),Crime\n",
    }
    for name, content in {**base, **{k.replace("_", "."): v for k, v in files.items()}}.items():
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ("movieId,imdbId,tmdbId\n1,abc,862\n", r"line 2, column 'imdbId': 'abc' is not an IMDb id"),
        ("movieId,imdbId,tmdbId\n1,0114709,8x62\n", r"line 2, column 'tmdbId': '8x62' is not a TMDB id"),
        ("movieId,imdbId,tmdbId\n1,0114709,-5\n", r"'-5' is not a TMDB id"),
        ("movieId,imdbId,tmdbId\n1,99999999999,1\n", r"'99999999999' is not an IMDb id"),
        ("movieId,imdbId,tmdbId\nx1,0114709,1\n", r"line 2, column 'movieId': non-numeric ID 'x1'"),
    ],
)  # fmt: skip
def test_garbage_link_ids_are_named(tmp_path, links, message):
    with pytest.raises(DataError, match=message):
        read_dataset(_csv_dataset(tmp_path, links_csv=links))


def test_good_link_forms_are_accepted(tmp_path):
    links = "movieId,imdbId,tmdbId\n1,tt0114709,862.0\n2,,\n"
    ml = read_dataset(_csv_dataset(tmp_path, links_csv=links))
    assert ml.links["imdbId"].tolist() == ["0114709", ""]
    assert ml.links["tmdbId"].tolist()[0] == 862 and pd.isna(ml.links["tmdbId"].iloc[1])
    assert (
        ml.movies.set_index("movieId").loc[1, "imdbUrl"] == "https://www.imdb.com/title/tt0114709/"
    )
    assert ml.movies.set_index("movieId").loc[2, "imdbUrl"] == ""


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ("userId,movieId,rating,timestamp\n99999999999,1,4.0,100\n", r"line 2, column 'userId': ID '99999999999' is out of range"),
        ("userId,movieId,rating,timestamp\n-3,1,4.0,100\n", r"line 2, column 'userId': ID '-3' is out of range"),
        ("userId,movieId,rating,timestamp\n1,1,4.0,1e20\n", r"line 2, column 'timestamp': timestamp '1e\+?20' is out of range"),
        ("userId,movieId,rating,timestamp\n1,1,four,100\n", r"line 2, column 'rating': non-numeric value 'four'"),
    ],
)  # fmt: skip
def test_hostile_ratings_are_named(tmp_path, ratings, message):
    with pytest.raises(DataError, match=message):
        read_dataset(_csv_dataset(tmp_path, ratings_csv=ratings))


def test_infinite_rating_is_off_scale(tmp_path):
    ml = read_dataset(
        _csv_dataset(
            tmp_path, ratings_csv="userId,movieId,rating,timestamp\n1,1,inf,100\n1,2,4,1\n"
        )
    )
    assert any("1 ratings are off the 0.5–5 half-star scale" in w for w in ml.warnings)


def test_fast_and_careful_readers_agree(movielens_dir, monkeypatch):
    """pyarrow's fast path and the pandas path (taken whenever pyarrow declines) give the same
    frames, so which one ran never shows."""
    fast = read_dataset(movielens_dir)
    monkeypatch.setattr("recommender.data.layouts.read_csv_fast", lambda *a, **k: None)
    careful = read_dataset(movielens_dir)
    for name in ("ratings", "movies", "tags", "links"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(careful, name))
    assert parsing.read_csv_fast(b"a,b\n1,x\n", {"a": "int32", "b": "int32"}) is None


# ------------------------------------------------------------------------------ not the published copy


@pytest.fixture()
def copy_of_small(movielens_dir, tmp_path) -> Path:
    folder = tmp_path / "ml-latest-small"
    shutil.copytree(movielens_dir, folder)
    return folder


def test_the_shared_copy_matches_the_published_checksums(movielens_dir):
    expected = CATALOG["ml-latest-small"].file_sha256
    listed = (movielens_dir.parent / "ml-latest-small.sha256").read_text().split("\n")
    pairs = dict(reversed(line.split()) for line in listed if line.strip())
    assert {k: v for k, v in pairs.items() if k in expected} == expected
    assert read_dataset(movielens_dir).warnings == ()


def test_ratings_cut_mid_line_no_longer_loads_silently(copy_of_small):
    ratings = copy_of_small / "ratings.csv"
    ratings.write_bytes(ratings.read_bytes()[:1_000_000])  # cut in the middle of a line
    ml = read_dataset(copy_of_small)
    assert (ml.n_users, ml.n_ratings) == (288, 42855)  # what it used to load without a word
    warnings = "\n".join(ml.warnings)
    assert (
        "ratings.csv differs from the published ml-latest-small (released 2018-09-26)" in warnings
    )
    assert (
        "SHA-256 expected 80da8b3393dae325bbba5a31f291a6ba55d8d4f4396de3c456f2c1635b1b70e8"
        in warnings
    )
    assert (
        "This copy of ml-latest-small has 42,855 ratings; the dataset GroupLens publishes has 100,836"
        in warnings
    )
    assert "1 ratings have no timestamp, e.g. userId 288, movieId 3926" in warnings


def test_a_missing_file_of_the_published_release_is_flagged(copy_of_small):
    (copy_of_small / "tags.csv").unlink()
    ml = read_dataset(copy_of_small)
    assert not ml.has_tags and ml.tags.empty
    assert any("tags.csv is missing from this copy of ml-latest-small" in w for w in ml.warnings)


def test_edited_copy_in_the_data_home_is_flagged_from_the_parquet_copy_too(
    copy_of_small, monkeypatch
):
    monkeypatch.delenv("MOVIELENS_DIR", raising=False)
    monkeypatch.delenv("MOVIELENS_DATASET", raising=False)
    movies = copy_of_small / "movies.csv"
    movies.write_text(
        movies.read_text(encoding="utf-8").replace("Toy Story", "Toy Storey"), encoding="utf-8"
    )
    first = load_movielens(data_dir=copy_of_small.parent)
    second = load_movielens(data_dir=copy_of_small.parent)  # from the Parquet copy
    for ml in (first, second):
        assert any(
            "movies.csv differs from the published ml-latest-small" in w for w in ml.warnings
        )
