"""recommender.data: loading the real dataset, the classic layouts, bad input, quality and cleaning."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.data import (
    DataError,
    MovieLens,
    clean,
    cleaning_changes,
    load_movielens,
    normalize_title,
    quality_report,
    read_dataset,
    resolve_source,
)

# ------------------------------------------------------------------------------------------
# The real ml-latest-small


def test_real_dataset_sizes(ml: MovieLens):
    assert ml.name == "ml-latest-small"
    assert (ml.n_users, ml.n_movies, ml.n_ratings, ml.n_tags) == (610, 9742, 100836, 3683)
    assert len(ml.links) == 9742
    assert ml.n_rated_movies == 9724
    assert ml.sparsity == pytest.approx(1 - 100836 / (610 * 9724))


def test_real_dataset_dtypes(ml: MovieLens):
    assert ml.ratings.dtypes.to_dict() == {
        "userId": np.dtype("int32"),
        "movieId": np.dtype("int32"),
        "rating": np.dtype("float32"),
        "timestamp": pd.DatetimeTZDtype("ns", "UTC"),
    }
    assert ml.movies["movieId"].dtype == np.int32
    assert ml.movies["year"].dtype == pd.Int16Dtype()
    assert ml.tags["timestamp"].dtype == pd.DatetimeTZDtype("ns", "UTC")
    assert ml.links["tmdbId"].dtype == pd.Int32Dtype()


def test_real_dataset_values(ml: MovieLens):
    first = ml.ratings.iloc[0]
    assert (first.userId, first.movieId, first.rating) == (1, 1, 4.0)
    assert first.timestamp == pd.Timestamp(964982703, unit="s", tz="UTC")
    toy = ml.movies.set_index("movieId").loc[1]
    assert toy.title == "Toy Story (1995)"
    assert toy.year == 1995
    assert toy.genres == ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]
    assert toy.title_key == "toy story"
    matrix = ml.movies.set_index("movieId").loc[2571]
    assert matrix.title_key == "the matrix"
    links = ml.links.set_index("movieId")
    assert links.loc[1, "imdbId"] == "0114709"
    assert links.loc[1, "tmdbId"] == 862
    assert links["tmdbId"].isna().sum() == 8
    assert ml.movies["year"].isna().sum() == 12
    assert (ml.movies["genres"].map(len) == 0).sum() == 34


def test_load_reads_the_folder_named_by_environment(movielens_dir, monkeypatch):
    monkeypatch.setenv("MOVIELENS_DIR", str(movielens_dir))
    assert resolve_source() == movielens_dir
    assert load_movielens().n_ratings == 100836


def test_environment_pointing_nowhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIELENS_DIR", str(tmp_path / "nope"))
    with pytest.raises(DataError, match=r"MOVIELENS_DIR=.*nope: no such folder"):
        load_movielens()


def test_earlier_download_under_data_dir_is_used(movielens_dir, monkeypatch, tmp_path):
    monkeypatch.delenv("MOVIELENS_DIR", raising=False)
    shutil.copytree(movielens_dir, tmp_path / "ml-latest-small")
    ml = load_movielens(data_dir=tmp_path)
    assert ml.n_ratings == 100836
    assert ml.source == str(tmp_path / "ml-latest-small")


def test_reads_the_grouplens_zip_directly(movielens_dir, tmp_path):
    archive = tmp_path / "ml-latest-small.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(movielens_dir.iterdir()):
            zf.write(file, f"ml-latest-small/{file.name}")
    ml = load_movielens(archive)
    assert ml.name == "ml-latest-small"
    assert (ml.n_users, ml.n_movies, ml.n_ratings, ml.n_tags) == (610, 9742, 100836, 3683)


# ------------------------------------------------------------------------------------------
# Titles


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Matrix, The (1999)", "the matrix"),
        ("The Matrix", "the matrix"),
        ("  toy STORY (1995) ", "toy story"),
        (
            "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
            "amelie le fabuleux destin d amelie poulain",
        ),
        ("Death Note: Desu nôto (2006–2007)", "death note desu noto"),
        ("Babylon 5", "babylon 5"),
        ("Lord of the Rings: The Two Towers, The (2002)", "the lord of the rings the two towers"),
        ("Bourne Identity, The (1988)", "the bourne identity"),
    ],
)
def test_normalize_title(title, key):
    assert normalize_title(title) == key


# ------------------------------------------------------------------------------------------
# Classic layouts


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def test_reads_ml_100k_layout(tmp_path):
    folder = tmp_path / "ml-100k"
    _write(folder / "u.data", "1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t888550871\n")
    genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
              "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
              "Romance", "Sci-Fi", "Thriller", "War", "Western"]  # fmt: skip
    _write(folder / "u.genre", "".join(f"{g}|{i}\n" for i, g in enumerate(genres)))
    flags_toy = ["0"] * 19
    flags_toy[3] = flags_toy[4] = flags_toy[5] = "1"
    flags_unknown = ["1"] + ["0"] * 18
    _write(
        folder / "u.item",
        "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|"
        + "|".join(flags_toy)
        + "\n"
        + "2|Café Society (1995)|01-Jan-1995||http://x|"
        + "|".join(flags_unknown)
        + "\n",
        encoding="latin-1",
    )
    ml = read_dataset(folder)
    assert ml.name == "ml-100k"
    assert ml.n_ratings == 3 and ml.n_users == 2
    movies = ml.movies.set_index("movieId")
    assert movies.loc[1, "genres"] == ["Animation", "Children's", "Comedy"]
    assert movies.loc[2, "genres"] == []
    assert movies.loc[2, "title"] == "Café Society (1995)"
    assert movies.loc[1, "year"] == 1995
    assert ml.tags.empty and ml.links.empty
    assert ml.ratings["rating"].dtype == np.float32


def test_reads_ml_1m_layout(tmp_path):
    folder = tmp_path / "ml-1m"
    _write(
        folder / "ratings.dat",
        "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n",
    )
    _write(
        folder / "movies.dat",
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n",
        encoding="latin-1",
    )
    ml = read_dataset(folder)
    assert ml.name == "ml-1m"
    assert (ml.n_users, ml.n_movies, ml.n_ratings) == (2, 2, 3)
    assert ml.ratings["timestamp"].iloc[0] == pd.Timestamp(978300760, unit="s", tz="UTC")
    assert ml.movies.set_index("movieId").loc[661, "genres"] == [
        "Animation",
        "Children's",
        "Musical",
    ]


# ------------------------------------------------------------------------------------------
# Bad input: one crafted file per DataError case


GOOD_MOVIES = "movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n2,Heat (1995),Crime\n"
GOOD_RATINGS = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,964982704\n"


def _dataset(
    tmp_path: Path, ratings: str | bytes = GOOD_RATINGS, movies: str | bytes = GOOD_MOVIES
) -> Path:
    folder = tmp_path / "ml-bad"
    folder.mkdir(exist_ok=True)
    for name, content in (("ratings.csv", ratings), ("movies.csv", movies)):
        if content is None:
            continue
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def test_good_crafted_dataset_loads(tmp_path):
    ml = read_dataset(_dataset(tmp_path))
    assert ml.n_ratings == 2 and ml.n_movies == 2 and ml.tags.empty


def test_missing_file(tmp_path):
    folder = _dataset(tmp_path)
    (folder / "ratings.csv").unlink()
    with pytest.raises(DataError, match=r"ratings\.csv: file is missing"):
        read_dataset(folder)


def test_no_movielens_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"no MovieLens files found"):
        read_dataset(tmp_path / "empty")


def test_missing_or_renamed_column(tmp_path):
    folder = _dataset(tmp_path, ratings="user,movieId,rating,timestamp\n1,1,4.0,964982703\n")
    with pytest.raises(
        DataError, match=r"ratings\.csv: missing column\(s\) 'userId'; found 'user'"
    ):
        read_dataset(folder)


def test_non_numeric_id_names_line_and_column(tmp_path):
    folder = _dataset(tmp_path, ratings=GOOD_RATINGS + "x7,1,3.0,964982705\n")
    with pytest.raises(
        DataError, match=r"ratings\.csv, line 4, column 'userId': non-numeric ID 'x7'"
    ):
        read_dataset(folder)


def test_non_numeric_rating_names_line(tmp_path):
    folder = _dataset(tmp_path, ratings=GOOD_RATINGS + "2,1,great,964982705\n")
    with pytest.raises(DataError, match=r"line 4, column 'rating': non-numeric value 'great'"):
        read_dataset(folder)


def test_bad_timestamp_names_line(tmp_path):
    folder = _dataset(tmp_path, ratings=GOOD_RATINGS + "2,1,3.0,yesterday\n")
    with pytest.raises(DataError, match=r"line 4, column 'timestamp': timestamp 'yesterday'"):
        read_dataset(folder)


def test_empty_file(tmp_path):
    folder = _dataset(tmp_path, movies="")
    with pytest.raises(DataError, match=r"movies\.csv: file is empty"):
        read_dataset(folder)


def test_header_only_ratings_file(tmp_path):
    folder = _dataset(tmp_path, ratings="userId,movieId,rating,timestamp\n")
    with pytest.raises(DataError, match=r"the ratings file has no rows"):
        read_dataset(folder)


def test_not_utf8_names_line(tmp_path):
    movies = GOOD_MOVIES.encode() + "3,Amélie (2001),Comedy\n".encode("latin-1")
    folder = _dataset(tmp_path, movies=movies)
    with pytest.raises(DataError, match=r"movies\.csv, line 4: not valid UTF-8 text \(byte 0xe9"):
        read_dataset(folder)


def test_malformed_row(tmp_path):
    folder = _dataset(tmp_path, ratings=GOOD_RATINGS + "1,3,4.0,964982705,extra,fields\n")
    with pytest.raises(
        DataError, match=r"ratings\.csv: malformed CSV \(Expected 4 fields in line 4, saw 6\)"
    ):
        read_dataset(folder)


def test_not_a_zip(tmp_path):
    fake = tmp_path / "ml-latest-small.zip"
    fake.write_text("<html>502 Bad Gateway</html>")
    with pytest.raises(DataError, match=r"ml-latest-small\.zip: not a zip file"):
        read_dataset(fake)


def test_missing_path(tmp_path):
    with pytest.raises(DataError, match=r"no such folder or zip file"):
        read_dataset(tmp_path / "missing")


# ------------------------------------------------------------------------------------------
# Quality report and cleaning


DIRTY_RATINGS = (
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,100\n"
    "1,1,2.0,200\n"  # duplicate of the line above, newer: kept
    "1,2,7.0,100\n"  # off scale
    "2,2,3.3,100\n"  # off the half-star grid
    "2,9,4.0,100\n"  # movie 9 is not in movies.csv
    "3,2,,100\n"  # missing rating
    "3,1,0.5,100\n"
)
DIRTY_MOVIES = (
    "movieId,title,genres\n"
    "1,Toy Story (1995),Animation|Comedy\n"
    "2,Babylon 5,(no genres listed)\n"
    "2,Babylon 5 again,Drama\n"
)


@pytest.fixture()
def dirty(tmp_path) -> MovieLens:
    folder = _dataset(tmp_path, ratings=DIRTY_RATINGS, movies=DIRTY_MOVIES)
    (folder / "tags.csv").write_text(
        "userId,movieId,tag,timestamp\n1,1,  pixar ,100\n1,9,orphan,100\n2,1,,100\n"
    )
    return read_dataset(folder)


def test_quality_report_counts_each_problem(dirty):
    report = quality_report(dirty)
    assert report.count("Duplicate (userId, movieId) ratings") == 1
    assert report.count("Ratings off the 0.5–5 half-star scale") == 2
    assert report.count("Ratings of movies missing from movies") == 1
    assert report.count("Tags of movies missing from movies") == 1
    assert report.count("Duplicate movieIds in movies") == 1
    assert report.count("Titles without a release year") == 2
    assert report.count('Movies with "(no genres listed)"') == 1
    missing = report.missing.set_index(["table", "column"])["missing"]
    assert missing[("ratings", "rating")] == 1
    assert missing[("tags", "tag")] == 1
    assert not report.is_clean


def test_quality_report_of_real_data(ml):
    report = quality_report(ml)
    assert report.is_clean
    assert report.count("Titles without a release year") == 12
    assert report.count('Movies with "(no genres listed)"') == 34
    assert report.missing.set_index(["table", "column"]).loc[("links", "tmdbId"), "missing"] == 8


def test_clean_applies_documented_fixes_without_mutating_input(dirty):
    before = dirty.ratings.copy()
    result = clean(dirty)
    pd.testing.assert_frame_equal(dirty.ratings, before)
    r = result.data.ratings
    assert sorted(zip(r.userId, r.movieId, r.rating, strict=True)) == [(1, 1, 2.0), (3, 1, 0.5)]
    removed = result.changes.set_index("fix")["rows_removed"]
    assert removed["Removed ratings with a missing rating"] == 1
    assert removed["Removed ratings off the 0.5–5 half-star scale"] == 2
    assert removed["Kept the latest of duplicate (userId, movieId) ratings"] == 1
    assert removed["Removed ratings of movies missing from movies"] == 1
    assert removed["Removed duplicate movieIds (kept the first)"] == 1
    assert removed["Removed tags of movies missing from movies"] == 1
    assert removed["Removed tags with no text"] == 1
    assert result.data.tags["tag"].tolist() == ["pixar"]
    assert (
        result.changes.set_index("fix").loc["Stripped spaces around tag text", "rows_changed"] == 1
    )
    assert quality_report(result.data).is_clean
    pd.testing.assert_frame_equal(cleaning_changes(dirty), result.changes)  # without the copy


def test_clean_of_real_data_changes_nothing(ml):
    result = clean(ml)
    assert result.rows_removed == 0
    assert result.data.n_ratings == ml.n_ratings
    assert result.data.ratings is ml.ratings  # nothing to remove: 32M ratings are not copied
    pd.testing.assert_frame_equal(cleaning_changes(ml), result.changes)


def test_headerless_layout_names_the_right_line(tmp_path):
    folder = tmp_path / "ml-1m"
    _write(folder / "ratings.dat", "1::1193::5::978300760\nx::661::3::978302109\n")
    _write(folder / "movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n")
    with pytest.raises(
        DataError, match=r"ratings\.dat, line 2, column 'userId': non-numeric ID 'x'"
    ):
        read_dataset(folder)


def test_off_scale_judges_each_distinct_value_as_the_column_did():
    """Off-scale ratings are found per distinct value and looked up; the same verdicts as
    judging every rating, for half stars, whole stars and a continuous scale."""
    from recommender.data.scale import off_scale

    values = [0.5, 1.0, 3.5, 5.0, 0.0, 5.5, 3.3, -1.0, np.nan, np.inf, -np.inf, 1e9, 2.0]
    ratings = pd.Series(values * 3, dtype=np.float32, index=range(100, 139), name="rating")
    half = off_scale(ratings)
    assert half.index.equals(ratings.index) and half.name == "rating"
    assert half.tolist()[:13] == [False, False, False, False, True, True, True, True, False,
                                  True, True, True, False]  # fmt: skip
    whole = off_scale(ratings, (1.0, 5.0), 1.0)
    assert whole.tolist()[:13] == [True, False, True, False, True, True, True, True, False,
                                   True, True, True, False]  # fmt: skip
    continuous = off_scale(ratings, (0.0, 10.0), 0.0)
    assert continuous.tolist()[:13] == [False] * 5 + [False, False, True, False, True, True,
                                                      True, False]  # fmt: skip
    assert off_scale(ratings.iloc[:0]).tolist() == []
