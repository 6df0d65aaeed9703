"""The dataset catalogue, the dataset setting, the .md5 forms, rating scales, and every GroupLens
layout read from the tiny synthetic copies in tests/fixtures/datasets/layouts/."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import settings
from recommender.data import (
    CATALOG,
    DataError,
    MovieLens,
    dataset_dir,
    dataset_info,
    default_rating,
    find_dataset,
    infer_scale,
    known_datasets,
    local_copy,
    read_dataset,
    resolve_source,
    scale_label,
)
from recommender.data.catalog import LAYOUTS
from recommender.data.transfer import parse_md5

FIXTURES = Path(__file__).parent / "fixtures" / "datasets" / "layouts"


def test_catalogue_lists_every_grouplens_dataset():
    assert known_datasets() == [
        "ml-100k", "ml-latest-small", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m",
    ]  # fmt: skip
    for name, info in CATALOG.items():
        assert info.name == name and info.zip_name == f"{name}.zip" and info.layout in LAYOUTS
        assert info.zip_bytes > 0 and info.n_ratings > info.n_users > 0 and info.n_movies > 0
        assert info.zip_md5 or info.zip_sha256, name
        assert "Harper & Konstan" in info.licence
        assert info.has_tags == (info.n_tags > 0)
    whole = {n for n, i in CATALOG.items() if i.rating_step == 1.0}
    assert whole == {"ml-100k", "ml-1m"}
    assert all(CATALOG[n].rating_scale == (1.0, 5.0) for n in whole)
    assert all(i.rating_scale == (0.5, 5.0) for n, i in CATALOG.items() if n not in whole)
    assert CATALOG["ml-32m"].n_ratings == 32_000_204 and CATALOG["ml-10m"].folder == "ml-10M100K"
    assert not CATALOG["ml-100k"].movie_ids_are_movielens
    assert "ml-32m — 32,000,204 ratings" in CATALOG["ml-32m"].label


def test_lookup_by_name_or_folder():
    assert find_dataset("ml-10M100K") is CATALOG["ml-10m"]
    assert find_dataset("ml-latest") is None
    with pytest.raises(
        DataError, match=r"Unknown MovieLens dataset 'ml-2m'.*ml-100k, ml-latest-small"
    ):
        dataset_info("ml-2m")


def test_dataset_setting(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.ENV_DATASET, raising=False)
    monkeypatch.delenv(settings.ENV_URL, raising=False)
    assert settings.dataset_name() == "ml-latest-small"
    monkeypatch.setenv(settings.ENV_DATASET, " ml-10m ")
    assert settings.dataset_name() == "ml-10m"
    assert settings.dataset_url() == "https://files.grouplens.org/datasets/movielens/ml-10m.zip"
    assert settings.checksum_url() == settings.dataset_url() + ".md5"
    assert dataset_dir(tmp_path) == tmp_path / "ml-10M100K"
    assert settings.parquet_cache_enabled()
    monkeypatch.setenv(settings.ENV_PARQUET_CACHE, "off")
    assert not settings.parquet_cache_enabled()


def test_resolution_finds_the_chosen_dataset_in_the_data_home(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.ENV_DIR, raising=False)
    monkeypatch.setenv(settings.ENV_DATASET, "ml-10m")
    assert resolve_source(data_dir=tmp_path) is None
    shutil.copytree(FIXTURES / "ml-10M100K", tmp_path / "ml-10M100K")
    assert resolve_source(data_dir=tmp_path) == tmp_path / "ml-10M100K"
    assert local_copy(CATALOG["ml-10m"], tmp_path) == tmp_path / "ml-10M100K"
    monkeypatch.setenv(settings.ENV_DIR, str(FIXTURES / "ml-1m"))  # MOVIELENS_DIR still wins
    assert resolve_source(data_dir=tmp_path) == FIXTURES / "ml-1m"


@pytest.mark.parametrize(
    ("text", "digest"),
    [
        ("0e33842e24a9c977be4e0107933c0723  ml-100k.zip\n", "0e33842e24a9c977be4e0107933c0723"),
        ("MD5 (ml-100k.zip) = 0E33842E24A9C977BE4E0107933C0723\n", "0e33842e24a9c977be4e0107933c0723"),
        ("0e33842e24a9c977be4e0107933c0723 *ml-100k.zip", "0e33842e24a9c977be4e0107933c0723"),
        ("0e33842e24a9c977be4e0107933c0723\n", "0e33842e24a9c977be4e0107933c0723"),
        ("MD5 (ml-1m.zip) = c4d9eecfca2ab87c1945afe126590906\n", None),  # another file's
        ("<html>404</html>", None),
        ("", None),
    ],
)  # fmt: skip
def test_md5_file_forms(text, digest):
    assert parse_md5(text, "ml-100k.zip") == digest


@pytest.mark.parametrize(
    ("ratings", "scale", "step"),
    [
        ([1, 2, 5], (1.0, 5.0), 1.0),
        ([3, 4], (1.0, 5.0), 1.0),
        ([0.5, 3.5, 5], (0.5, 5.0), 0.5),
        ([2.5, 4.0], (0.5, 5.0), 0.5),
        ([0, 3, 10], (0.0, 10.0), 1.0),
        ([1.25, 2.75], (0.25, 5.0), 0.25),
        ([7.3, 1.1], (0.1, 10.0), 0.1),
        ([1.234, 90], (1.234, 90.0), 0.0),
        ([np.nan, 4.0], (1.0, 5.0), 1.0),
    ],
)  # fmt: skip
def test_rating_scale_inference(ratings, scale, step):
    assert infer_scale(np.array(ratings, dtype=float)) == (scale, step)


def test_scale_labels_and_rating_values():
    assert scale_label((0.5, 5.0), 0.5) == "0.5–5 half-star"
    assert scale_label((1.0, 5.0), 1.0) == "1–5 whole-star"
    assert scale_label((1.0, 7.0), 0.0) == "1–7 continuous"
    frames = [pd.DataFrame()] * 4
    assert MovieLens("x", *frames).rating_values == tuple(i / 2 for i in range(1, 11))
    assert MovieLens("x", *frames, rating_scale=(1, 5), rating_step=1).rating_values == (
        1,
        2,
        3,
        4,
        5,
    )
    assert MovieLens("x", *frames, rating_step=0).rating_values == tuple(
        i / 2 for i in range(1, 11)
    )


# ------------------------------------------------------------------------------ every layout


def _zipped(folder: Path, tmp_path: Path) -> Path:
    archive = tmp_path / f"{folder.name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.iterdir()):
            zf.write(file, f"{folder.name}/{file.name}")
        zf.writestr(f"__MACOSX/{folder.name}/._ratings.csv", b"\x00\x05junk")
    return archive


@pytest.mark.parametrize("as_zip", [False, True])
@pytest.mark.parametrize(
    ("folder", "name", "sizes", "tags", "whole"),
    [
        ("ml-25m", "ml-25m", (5, 5, 19), 3, False),
        ("ml-100k", "ml-100k", (4, 5, 16), 0, True),
        ("ml-1m", "ml-1m", (4, 6, 16), 0, True),
        ("ml-10M100K", "ml-10m", (5, 5, 18), 3, False),
    ],
)  # fmt: skip
def test_every_layout_reads(tmp_path, as_zip, folder, name, sizes, tags, whole):
    source = _zipped(FIXTURES / folder, tmp_path) if as_zip else FIXTURES / folder
    ml = read_dataset(source)
    assert ml.name == name
    assert (ml.n_users, ml.n_movies, ml.n_ratings, ml.n_tags) == (*sizes, tags)
    assert ml.has_tags == bool(tags)
    assert ml.rating_step == (1.0 if whole else 0.5)
    assert ml.ratings.dtypes.to_dict() == {
        "userId": np.dtype("int32"), "movieId": np.dtype("int32"),
        "rating": np.dtype("float32"), "timestamp": pd.DatetimeTZDtype("ns", "UTC"),
    }  # fmt: skip
    assert ml.movies["year"].dtype == pd.Int16Dtype()
    assert ml.fingerprint and ml.key.endswith(ml.fingerprint)
    assert ml.warnings == (
        f"This copy of {name} has {sizes[2]:,} ratings; the dataset GroupLens publishes has "
        f"{CATALOG[name].n_ratings:,}.",
    )


def test_latin1_and_utf8_dat_files(tmp_path):
    one = read_dataset(FIXTURES / "ml-1m").movies.set_index("movieId")
    assert one.loc[3, "title"] == "Cité des enfants perdus, La (1995)"
    assert one.loc[2019, "year"] == 1954
    folder = tmp_path / "ml-1m"
    shutil.copytree(FIXTURES / "ml-1m", folder)
    (folder / "movies.dat").write_text("1::Amélie (2001)::Comedy\n", encoding="utf-8")
    assert read_dataset(folder).movies["title"].tolist() == ["Amélie (2001)"]


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("ratings.dat", "1::1::5::978300760\n1::2::5\n", r"ratings\.dat, line 2: expected 4 '::'-separated fields, found 3"),
        ("ratings.dat", "1::1::5::978300760\n1::2::5::1::9::9\n", r"ratings\.dat, line 2: expected 4 '::'-separated fields"),
        ("ratings.dat", "1::1::::978300760\n", r"ratings\.dat, line 1, column 'rating': non-numeric value ''"),
        ("movies.dat", "1::Toy Story (1995)\n", r"movies\.dat, line 1: expected 3 '::'-separated fields, found 2"),
        ("ratings.dat", "", r"ratings\.dat: file is empty"),
    ],
)  # fmt: skip
def test_malformed_dat_lines_are_named(tmp_path, file, content, message):
    folder = tmp_path / "ml-1m"
    shutil.copytree(FIXTURES / "ml-1m", folder)
    (folder / file).write_text(content)
    with pytest.raises(DataError, match=message):
        read_dataset(folder)


def test_malformed_u_item_is_named(tmp_path):
    folder = tmp_path / "ml-100k"
    shutil.copytree(FIXTURES / "ml-100k", folder)
    (folder / "u.item").write_text("1|Toy Story (1995)|01-Jan-1995\n")
    with pytest.raises(
        DataError, match=r"u\.item, line 1: expected 24 '\|'-separated fields, found 3"
    ):
        read_dataset(folder)


def test_hostile_imdb_url_in_u_item_is_dropped(tmp_path):
    folder = tmp_path / "ml-100k"
    shutil.copytree(FIXTURES / "ml-100k", folder)
    item = (
        (folder / "u.item")
        .read_bytes()
        .replace(b"http://us.imdb.com/M/title-exact?GoldenEye%20(1995)", b"javascript:alert(1)")
    )
    (folder / "u.item").write_bytes(item)
    urls = read_dataset(folder).movies.set_index("movieId")["imdbUrl"]
    assert urls[2] == "" and urls[1].startswith("http://us.imdb.com/")


def test_a_zip_in_memory_reads_like_one_on_disk(tmp_path):
    data = _zipped(FIXTURES / "ml-25m", tmp_path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "ml-25m/ratings.csv" in archive.namelist()


def test_a_rating_control_starts_at_a_liked_film_on_every_scale():
    frames = [pd.DataFrame()] * 4
    half = MovieLens("x", *frames).rating_values
    whole = MovieLens("x", *frames, rating_scale=(1, 5), rating_step=1).rating_values
    ten = MovieLens("x", *frames, rating_scale=(1, 10), rating_step=1).rating_values
    assert [default_rating(v) for v in (half, whole, ten)] == [4.0, 4.0, 8.0]
