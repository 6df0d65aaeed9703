"""Verified downloads of every layout from a local http.server (no internet here): published MD5 in
both forms, no MD5, wrong MD5, pinned checksums, a dropped connection, a corrupt zip, a full disk,
leftovers of a killed download, and the Parquet copy written beside the dataset."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import http.server
import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from recommender import settings
from recommender.data import (
    CATALOG,
    DataError,
    load_dataset,
    load_movielens,
    read_dataset,
    tempfiles,
    transfer,
)
from recommender.data import catalog as catalog_module
from recommender.data.parquet_cache import cache_root
from recommender.data.transfer import human_bytes

LAYOUTS = Path(__file__).parent / "fixtures" / "datasets" / "layouts"
FOLDERS = {"ml-25m": "ml-25m", "ml-100k": "ml-100k", "ml-1m": "ml-1m", "ml-10m": "ml-10M100K"}


def zip_folder(folder: Path, top: str) -> bytes:
    """A zip like GroupLens's: one top-level folder holding the files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"{top}/{file.name}")
    return buffer.getvalue()


ZIPS = {name: zip_folder(LAYOUTS / folder, folder) for name, folder in FOLDERS.items()}


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``files`` (path -> bytes). ``mode``: ok | drop (hang up a third of the way) |
    slow (pause mid-transfer until ``release`` is set)."""

    files: dict[str, bytes] = {}
    mode = "ok"
    requests: list[str] = []
    release: threading.Event

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.mode == "drop" and self.path.endswith(".zip"):
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        if self.mode == "slow" and self.path.endswith(".zip"):
            self.wfile.write(body[:100])
            self.wfile.flush()
            self.release.wait(10)
            self.wfile.write(body[100:])
            return
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[type[_Handler]]:
    handler = type(
        "Handler", (_Handler,),
        {"files": {}, "mode": "ok", "requests": [], "release": threading.Event()},
    )  # fmt: skip
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield handler
    handler.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in (settings.ENV_DIR, settings.ENV_URL, settings.ENV_DATASET,
                 settings.ENV_PARQUET_CACHE, settings.ENV_DATA_HOME):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def serve(server, name: str, *, md5: str | None = "plain", payload: bytes | None = None) -> bytes:
    body = ZIPS[name] if payload is None else payload
    server.files[f"/{name}.zip"] = body
    digest = hashlib.md5(ZIPS[name]).hexdigest()
    if md5 == "plain":
        server.files[f"/{name}.zip.md5"] = f"{digest}  {name}.zip\n".encode()
    elif md5 == "bsd":
        server.files[f"/{name}.zip.md5"] = f"MD5 ({name}.zip) = {digest}\n".encode()
    elif md5 == "wrong":
        server.files[f"/{name}.zip.md5"] = f"{'0' * 32}  {name}.zip\n".encode()
    return body


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ------------------------------------------------------------------------------ every layout


@pytest.mark.parametrize("name", list(FOLDERS))
@pytest.mark.parametrize("md5", ["plain", "bsd"])
def test_every_layout_downloads_with_its_published_md5(server, tmp_path, name, md5):
    serve(server, name, md5=md5)
    progress: list[tuple[int, int | None]] = []
    ml = load_dataset(name, data_dir=tmp_path, base_url=server.url,
                      progress=lambda d, t: progress.append((d, t)))  # fmt: skip
    assert ml.name == name
    assert listing(tmp_path) == [FOLDERS[name]]
    assert ml.source == str(tmp_path / FOLDERS[name])
    assert server.requests == [f"/{name}.zip", f"/{name}.zip.md5"]
    assert progress[0] == (0, len(ZIPS[name])) and progress[-1] == (len(ZIPS[name]),) * 2
    assert not any("without a published checksum" in w for w in ml.warnings)
    info = CATALOG[name]
    assert (ml.rating_scale, ml.rating_step) == (info.rating_scale, info.rating_step)
    assert ml.has_tags == info.has_tags
    assert ml.movie_ids_are_movielens == info.movie_ids_are_movielens
    # The tiny synthetic copy is flagged: its size is not GroupLens's.
    assert any(f"GroupLens publishes has {info.n_ratings:,}" in w for w in ml.warnings)
    # Second start: the Parquet copy beside it, nothing downloaded.
    again = load_dataset(name, data_dir=tmp_path, base_url=server.url)
    assert len(server.requests) == 2
    pd.testing.assert_frame_equal(again.ratings, ml.ratings)
    pd.testing.assert_frame_equal(again.movies, ml.movies)
    assert (again.warnings, again.key) == (ml.warnings, ml.key)


def test_layout_details_survive_download(server, tmp_path):
    serve(server, "ml-100k")
    ml = load_dataset("ml-100k", data_dir=tmp_path, base_url=server.url)
    movies = ml.movies.set_index("movieId")
    assert movies.loc[3, "year"] == 1995  # "... Great Giving (1995) (V)"
    assert movies.loc[4, "title"] == "Café au Lait (1994)"  # latin-1
    assert movies.loc[1, "imdbUrl"].startswith("http://us.imdb.com/M/title-exact?Toy")
    assert movies.loc[5, "imdbUrl"] == ""
    assert ml.rating_values == (1.0, 2.0, 3.0, 4.0, 5.0)
    serve(server, "ml-10m")
    ten = load_dataset("ml-10m", data_dir=tmp_path, base_url=server.url)
    assert set(ten.ratings["rating"]) - {1.0, 2.0, 3.0, 4.0, 5.0}  # half stars
    assert "dark::comedy" in set(ten.tags["tag"])
    assert ten.rating_values[0] == 0.5 and len(ten.rating_values) == 10


# ------------------------------------------------------------------------------ checksums


def test_wrong_published_md5_is_a_mismatch_and_leaves_nothing(server, tmp_path):
    serve(server, "ml-1m", md5="wrong")
    with pytest.raises(DataError) as caught:
        load_dataset("ml-1m", data_dir=tmp_path, base_url=server.url)
    message = str(caught.value)
    assert "does not match its checksum" in message
    assert f"MD5 expected {'0' * 32}" in message
    assert f"got {hashlib.md5(ZIPS['ml-1m']).hexdigest()}" in message
    assert listing(tmp_path) == []


def test_without_published_md5_a_mirror_download_is_kept_but_flagged(server, tmp_path):
    serve(server, "ml-25m", md5=None)
    ml = load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert any("without a published checksum" in w for w in ml.warnings)
    assert listing(tmp_path) == ["ml-25m"]
    again = load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert any("without a published checksum" in w for w in again.warnings)


def test_md5_that_is_not_an_md5_file_counts_as_unpublished(server, tmp_path):
    serve(server, "ml-25m", md5=None)
    server.files["/ml-25m.zip.md5"] = b"<html>Not here</html>"
    ml = load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert any("without a published checksum" in w for w in ml.warnings)


@pytest.fixture()
def official(server, monkeypatch):
    """Make the local server "GroupLens itself", so the catalogue's pins apply."""
    monkeypatch.setattr(settings, "DEFAULT_BASE_URL", server.url)
    return server


def _pin(monkeypatch, name: str, **pins) -> None:
    catalog = dict(CATALOG)
    catalog[name] = dataclasses.replace(CATALOG[name], **pins)
    monkeypatch.setattr(catalog_module, "CATALOG", catalog)


def test_pinned_sha256_and_size_verify_when_no_md5_is_published(official, tmp_path, monkeypatch):
    body = serve(official, "ml-1m", md5=None)
    _pin(monkeypatch, "ml-1m", zip_bytes=len(body), zip_md5=None,
         zip_sha256=hashlib.sha256(body).hexdigest())  # fmt: skip
    ml = load_dataset("ml-1m", data_dir=tmp_path)
    assert not any("without a published checksum" in w for w in ml.warnings)


def test_pinned_sha256_mismatch_names_expected_and_got(official, tmp_path, monkeypatch):
    body = serve(official, "ml-1m", md5=None)
    _pin(monkeypatch, "ml-1m", zip_bytes=len(body), zip_md5=None, zip_sha256="ab" * 32)
    with pytest.raises(DataError) as caught:
        load_dataset("ml-1m", data_dir=tmp_path)
    assert f"SHA-256 expected {'ab' * 32}, got {hashlib.sha256(body).hexdigest()}" in str(
        caught.value
    )
    assert "pinned in the catalogue" in str(caught.value)
    assert listing(tmp_path) == []


def test_real_catalogue_pins_reject_a_zip_that_is_not_grouplens(official, tmp_path):
    serve(official, "ml-100k", md5=None)  # our 1 kB synthetic zip is not the 4.9 MB original
    with pytest.raises(DataError, match=r"size expected 4,924,029 bytes, got"):
        load_dataset("ml-100k", data_dir=tmp_path)
    assert listing(tmp_path) == []


def test_pins_out_of_date_defer_to_the_published_md5(official, tmp_path, monkeypatch):
    # load_movielens asks the .md5 only as a second opinion when the pins disagree.
    serve(official, "ml-25m", md5="plain")
    monkeypatch.setenv(settings.ENV_DATASET, "ml-25m")
    ml = load_movielens(data_dir=tmp_path)
    assert ml.name == "ml-25m"
    assert official.requests == ["/ml-25m.zip", "/ml-25m.zip.md5"]


def test_load_movielens_makes_one_request_from_a_mirror(server, tmp_path, monkeypatch):
    serve(server, "ml-1m")
    monkeypatch.setenv(settings.ENV_DATASET, "ml-1m")
    monkeypatch.setenv(settings.ENV_URL, server.url)
    ml = load_movielens(data_dir=tmp_path)
    assert (ml.name, server.requests) == ("ml-1m", ["/ml-1m.zip"])
    assert load_movielens(data_dir=tmp_path).key == ml.key  # read back from the Parquet copy


# ------------------------------------------------------------------------------ broken transfers


def test_connection_cut_mid_transfer_says_so_and_leaves_nothing(server, tmp_path):
    serve(server, "ml-10m")
    server.mode = "drop"
    with pytest.raises(DataError, match=r"connection closed after [\d,]+ of [\d,]+ bytes"):
        load_dataset("ml-10m", data_dir=tmp_path, base_url=server.url)
    assert listing(tmp_path) == []
    server.mode = "ok"
    assert load_dataset("ml-10m", data_dir=tmp_path, base_url=server.url).n_ratings == 18


def _corrupt(body: bytes) -> bytes:
    """Flip bytes inside the compressed data of the first member: CRCs no longer match."""
    archive = zipfile.ZipFile(io.BytesIO(body))
    first = archive.infolist()[0]
    start = first.header_offset + 30 + len(first.filename) + 5
    data = bytearray(body)
    for i in range(start, start + 8):
        data[i] ^= 0xFF
    return bytes(data)


def test_corrupt_zip_with_md5_is_a_checksum_mismatch(server, tmp_path):
    serve(server, "ml-25m", payload=_corrupt(ZIPS["ml-25m"]))
    with pytest.raises(DataError, match="does not match its checksum"):
        load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert listing(tmp_path) == []


def test_corrupt_zip_without_md5_is_caught_by_its_crc(server, tmp_path):
    serve(server, "ml-25m", md5=None, payload=_corrupt(ZIPS["ml-25m"]))
    with pytest.raises(DataError, match=r"the zip is corrupt"):
        load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert listing(tmp_path) == []


def test_zip_holding_another_dataset_is_refused(server, tmp_path):
    serve(server, "ml-1m", md5=None, payload=ZIPS["ml-100k"])
    with pytest.raises(DataError, match=r"holds the folder 'ml-100k', not 'ml-1m'"):
        load_dataset("ml-1m", data_dir=tmp_path, base_url=server.url)
    assert listing(tmp_path) == []


def test_zip_slip_is_refused(server, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ml-1m/ratings.dat", "1::1::5::978300760\n")
        archive.writestr("ml-1m/../../evil.txt", "gotcha")
    serve(server, "ml-1m", md5=None, payload=buffer.getvalue())
    data_dir = tmp_path / "data"
    with pytest.raises(DataError, match="outside its folder"):
        load_dataset("ml-1m", data_dir=data_dir, base_url=server.url)
    assert not (tmp_path / "evil.txt").exists() and listing(data_dir) == []


def test_unknown_dataset_name_lists_the_known_ones(tmp_path):
    with pytest.raises(DataError, match=r"Unknown MovieLens dataset 'ml-99m'.*ml-latest-small"):
        load_dataset("ml-99m", data_dir=tmp_path)


# ------------------------------------------------------------------------------ full disk


def _full_disk_after(monkeypatch, good_writes: int, only_in: str = "") -> None:
    real = transfer._write_chunk
    count = [0]

    def write(out, chunk):
        if only_in and only_in not in str(getattr(out, "name", "")):
            return real(out, chunk)
        count[0] += 1
        if count[0] > good_writes:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(out, chunk)

    monkeypatch.setattr(transfer, "_write_chunk", write)


def test_full_disk_while_downloading(server, tmp_path, monkeypatch):
    serve(server, "ml-25m")
    _full_disk_after(monkeypatch, 0, only_in=".zip.part")
    with pytest.raises(DataError) as caught:
        load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    message = str(caught.value)
    assert message.startswith("The disk is full: downloading")
    assert f"needs about {human_bytes(len(ZIPS['ml-25m']))} free" in message
    assert "MOVIELENS_DATA_HOME" in message
    assert listing(tmp_path) == []


def test_full_disk_while_unpacking(server, tmp_path, monkeypatch):
    serve(server, "ml-25m")
    _full_disk_after(monkeypatch, 1, only_in=".extract-")
    with pytest.raises(DataError) as caught:
        load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(ZIPS["ml-25m"])).infolist())
    assert f"The disk is full: unpacking ml-25m.zip in {tmp_path} needs about" in str(caught.value)
    assert f"needs about {human_bytes(unpacked)} free" in str(caught.value)
    assert listing(tmp_path) == []


def test_not_enough_room_is_refused_before_writing(server, tmp_path, monkeypatch):
    serve(server, "ml-25m")
    usage = type("Usage", (), {"free": 10, "total": 100, "used": 90})
    monkeypatch.setattr(transfer.shutil, "disk_usage", lambda _: usage)
    with pytest.raises(
        DataError, match=r"The disk is full: the download .* only 10 bytes are free"
    ):
        load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert listing(tmp_path) == []


# ------------------------------------------------------------------------------ leftovers


def _leftover(folder: Path, token: str, age: float) -> None:
    part = folder / f".download-{token}.zip.part"
    part.write_bytes(b"half a zip")
    (folder / f".extract-{token}").mkdir()
    (folder / f".extract-{token}" / "ratings.csv").write_text("userId\n")
    old = time.time() - age
    for path in (part, folder / f".extract-{token}"):
        os.utime(path, (old, old))


def test_leftovers_of_a_killed_download_are_cleaned_at_the_next_start(server, tmp_path):
    _leftover(tmp_path, "deadbeef0001", age=2 * 3600)
    _leftover(tmp_path, "deadbeef0002", age=5)  # too fresh: maybe still being created
    serve(server, "ml-1m")
    load_dataset("ml-1m", data_dir=tmp_path, base_url=server.url)
    assert listing(tmp_path) == [
        ".download-deadbeef0002.zip.part",
        ".extract-deadbeef0002",
        "ml-1m",
    ]


def test_a_download_in_progress_is_never_cleaned(tmp_path):
    with tempfiles.temp_download(tmp_path) as tmp:
        old = time.time() - 2 * 3600
        os.utime(tmp.part, (old, old))
        os.utime(tmp.staging, (old, old))
        assert tempfiles.clean_stale(tmp_path) == []  # locked by this download
        assert tmp.part.exists() and tmp.staging.exists()
    assert listing(tmp_path) == []
    _leftover(tmp_path, "cafe", age=2 * 3600)
    assert tempfiles.clean_stale(tmp_path) == [".download-cafe.zip.part", ".extract-cafe"]


def test_concurrent_start_does_not_clean_a_running_download(server, tmp_path):
    serve(server, "ml-100k")
    server.mode = "slow"
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(
            load_dataset("ml-100k", data_dir=tmp_path, base_url=server.url)
        )
    )
    worker.start()
    deadline = time.time() + 10
    while not any(n.endswith(".zip.part") for n in listing(tmp_path)) and time.time() < deadline:
        time.sleep(0.02)
    for item in tmp_path.iterdir():  # make it look abandoned by age: only the lock protects it
        old = time.time() - 2 * 3600
        os.utime(item, (old, old))
    assert tempfiles.clean_stale(tmp_path) == []
    server.release.set()
    worker.join(20)
    assert results and listing(tmp_path) == ["ml-100k"]


# ------------------------------------------------------------------------------ Parquet copy


def test_parquet_copy_is_rewritten_when_the_files_change(server, tmp_path):
    serve(server, "ml-25m")
    first = load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    folder = tmp_path / "ml-25m"
    assert [p.name for p in cache_root(folder).iterdir()] == [first.fingerprint]
    ratings = folder / "ratings.csv"
    ratings.write_text(ratings.read_text() + "9,1,4.5,1500009999\n")
    second = load_dataset("ml-25m", data_dir=tmp_path, base_url=server.url)
    assert second.n_ratings == first.n_ratings + 1 and second.key != first.key
    assert [p.name for p in cache_root(folder).iterdir()] == [second.fingerprint]


def test_parquet_cache_can_be_turned_off(server, tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_PARQUET_CACHE, "0")
    serve(server, "ml-1m")
    load_dataset("ml-1m", data_dir=tmp_path, base_url=server.url)
    assert not cache_root(tmp_path / "ml-1m").exists()


def test_a_folder_pointed_at_is_never_written_to(tmp_path, monkeypatch):
    folder = tmp_path / "ml-1m"
    folder.mkdir()
    for file in (LAYOUTS / "ml-1m").iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    monkeypatch.setenv(settings.ENV_DIR, str(folder))
    load_movielens()
    load_movielens(folder)
    assert listing(folder) == ["movies.dat", "ratings.dat", "users.dat"]


def test_parquet_copy_matches_the_csv_read_of_real_data(movielens_dir, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "ml-latest-small").mkdir()
    for file in movielens_dir.iterdir():
        (home / "ml-latest-small" / file.name).write_bytes(file.read_bytes())
    fresh = load_dataset("ml-latest-small", data_dir=home)
    cached = load_dataset("ml-latest-small", data_dir=home)
    direct = read_dataset(movielens_dir)
    for name in ("ratings", "movies", "tags", "links"):
        pd.testing.assert_frame_equal(getattr(cached, name), getattr(direct, name))
        pd.testing.assert_frame_equal(getattr(fresh, name), getattr(direct, name))
    assert cached.warnings == direct.warnings == ()
    assert (cached.n_users, cached.n_ratings) == (610, 100836)
    assert isinstance(cached.movies["genres"].iloc[0], list)


def test_a_data_home_that_cannot_be_written_is_a_clear_error(server, tmp_path):
    serve(server, "ml-1m")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data home should be")
    with pytest.raises(
        DataError, match=r"Could not store the MovieLens data in .*MOVIELENS_DATA_HOME"
    ):
        load_dataset("ml-1m", data_dir=blocked, base_url=server.url)


def test_unknown_dataset_setting_without_a_copy_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_DATASET, "ml-latest")
    with pytest.raises(DataError, match=r"Unknown MovieLens dataset 'ml-latest'"):
        load_movielens(data_dir=tmp_path)
    (tmp_path / "ml-latest").mkdir()
    for file in (LAYOUTS / "ml-25m").iterdir():
        (tmp_path / "ml-latest" / file.name).write_bytes(file.read_bytes())
    ml = load_movielens(data_dir=tmp_path)  # a folder of that name in the data home is read
    assert (ml.name, ml.n_ratings, ml.warnings) == ("ml-latest", 19, ())
