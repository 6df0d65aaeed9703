"""A visitor's own dataset: CSVs or a zip, validated with the same messages, size-limited, inferred
rating scale, placeholder titles — and never written anywhere."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from recommender import settings
from recommender.data import DataError, clean, quality_report, read_upload

RATINGS = b"userId,movieId,rating,timestamp\n1,10,4,100\n1,20,5,101\n2,10,3,102\n2,30,1,103\n"
MOVIES = b"movieId,title,genres\n10,Toy Story (1995),Animation|Comedy\n20,Heat (1995),Crime\n"
HOSTILE = Path(__file__).parent / "fixtures" / "datasets" / "hostile" / "ml-hostile"


def _zip(files: dict[str, bytes], top: str = "mydata") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{top}/{name}" if top else name, data)
    return buffer.getvalue()


def test_csv_upload_with_placeholder_titles_and_inferred_scale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ml = read_upload({"ratings.csv": RATINGS, "movies.csv": MOVIES}, name="Ana's ratings")
    assert (ml.name, ml.source) == ("Ana's ratings", "upload:Ana's ratings")
    assert (ml.n_users, ml.n_ratings, ml.n_movies) == (2, 4, 3)
    assert ml.movies.set_index("movieId").loc[30, "title"] == "Movie 30"
    assert ml.rating_scale == (1.0, 5.0) and ml.rating_step == 1.0
    assert not ml.movie_ids_are_movielens and not ml.has_tags
    assert any(
        "1 rated movies are missing from movies.csv (e.g. movieId 30)" in w for w in ml.warnings
    )
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert ml.key.startswith("Ana's ratings@upload:Ana's ratings#4~")


def test_ratings_only_without_timestamps(tmp_path):
    ml = read_upload({"ratings.csv": b"userId,movieId,rating\n1,1,3.5\n2,1,4.5\n2,2,0.5\n"})
    assert ml.name == "your dataset"
    assert ml.movies["title"].tolist() == ["Movie 1", "Movie 2"]
    assert ml.ratings["timestamp"].isna().all()
    assert ml.rating_scale == (0.5, 5.0) and ml.rating_step == 0.5
    warnings = "\n".join(ml.warnings)
    assert "There is no movies.csv" in warnings and "no timestamps" in warnings


def test_zip_upload_like_grouplens(tmp_path):
    data = _zip({"ratings.csv": RATINGS, "movies.csv": MOVIES, "README.txt": b"hi"})
    ml = read_upload({"mine.zip": data})
    assert ml.name == "mydata" and ml.n_ratings == 4
    assert read_upload(data).n_ratings == 4  # bare bytes work too


def test_ten_point_scale_is_inferred():
    ratings = b"userId,movieId,rating\n1,1,7\n1,2,10\n2,1,3\n"
    ml = read_upload({"ratings.csv": ratings})
    assert ml.rating_scale == (1.0, 10.0) and ml.rating_step == 1.0
    assert ml.rating_values == tuple(float(i) for i in range(1, 11))
    assert quality_report(ml).count("Ratings off the 1–10 whole-star scale") == 0


def test_an_upload_named_like_grouplens_is_not_taken_for_it():
    data = _zip({"ratings.csv": RATINGS, "movies.csv": MOVIES}, top="ml-latest-small")
    ml = read_upload(data)
    assert not any("published" in w for w in ml.warnings)
    assert ml.rating_step == 1.0  # inferred, not the catalogue's half stars


def test_hostile_fixture_uploads_and_cleans():
    files = {p.name: p.read_bytes() for p in HOSTILE.iterdir()}
    ml = read_upload(files, name="hostile")
    assert ml.n_ratings == 60
    # 3.3 is on no coarser grid than 0.1 and 7.0 is within 10: an upload's scale adapts.
    assert ml.rating_step == 0.1 and ml.rating_scale == (0.1, 10.0)
    assert quality_report(ml).count("Ratings with no value (NaN)") == 2
    assert clean(ml).data.n_ratings == 58


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, r"Nothing was uploaded"),
        ({"movies.csv": MOVIES}, r"ratings\.csv is missing"),
        ({"ratings.csv": RATINGS, "notes.txt": b"x"}, r"notes\.txt: not a MovieLens file"),
        ({"ratings.csv": b"user,movie,stars\n1,1,4\n"}, r"^ratings\.csv: missing column\(s\) 'userId', 'movieId', 'rating'"),
        ({"ratings.csv": RATINGS + b"x,1,4,1\n"}, r"^ratings\.csv, line 6, column 'userId': non-numeric ID 'x'"),
        ({"ratings.csv": RATINGS, "movies.csv": b"movieId,title,genres\n"}, r"movies\.csv: the file has a header but no movies"),
        ({"ratings.csv": RATINGS, "movies.csv": "1,Café,x\n".encode("latin-1")}, r"movies\.csv, line 1: not valid UTF-8"),
        ({"data.zip": b"PK\x03\x04 broken"}, r"data\.zip: not a zip file"),
        ({"data.zip": _zip({"notes.txt": b"x"})}, r"no MovieLens files found"),
    ],
)  # fmt: skip
def test_bad_uploads_are_named(files, message):
    with pytest.raises(DataError, match=message):
        read_upload(files)


def test_upload_limit_is_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setenv(settings.ENV_UPLOAD_MB, "0.0001")  # 100 bytes
    with pytest.raises(DataError) as caught:
        read_upload({"ratings.csv": RATINGS + b"3,10,2,104\n" * 10})
    message = str(caught.value)
    assert "The upload is 186 bytes; the limit for an upload is 100 bytes" in message
    assert "MOVIELENS_UPLOAD_MB" in message
    assert read_upload({"ratings.csv": RATINGS}, limit_bytes=1000).n_ratings == 4


def test_zip_bomb_is_refused():
    bomb = _zip({"ratings.csv": b"userId,movieId,rating\n" + b"1,1,4\n" * 200_000})
    assert len(bomb) < 20_000
    with pytest.raises(
        DataError, match=r"unpacked is 1\.2 MB; the limit for an upload is 100\.0 kB"
    ):
        read_upload(bomb, limit_bytes=20_000)


def test_upload_limit_setting(monkeypatch):
    monkeypatch.delenv(settings.ENV_UPLOAD_MB, raising=False)
    assert settings.upload_limit_bytes() == 50_000_000
    for bad in ("lots", "-5", "0", "nan", "inf"):
        monkeypatch.setenv(settings.ENV_UPLOAD_MB, bad)
        assert settings.upload_limit_bytes() == 50_000_000
    monkeypatch.setenv(settings.ENV_UPLOAD_MB, "200")
    assert settings.upload_limit_bytes() == 200_000_000
