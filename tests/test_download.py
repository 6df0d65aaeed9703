"""The first-start download, against a zip served by http.server on 127.0.0.1 (no internet here)."""

from __future__ import annotations

import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.data import DataError, load_movielens


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``/ml-latest-small.zip``; ``mode`` decides whether it behaves."""

    payload: bytes = b""
    mode: str = "ok"  # ok | drop | notfound | garbage
    requests: int = 0

    def do_GET(self) -> None:
        type(self).requests += 1
        if self.path != "/ml-latest-small.zip" or self.mode == "notfound":
            self.send_error(404, "Not Found")
            return
        body = b"<html>maintenance</html>" * 100 if self.mode == "garbage" else self.payload
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.mode == "drop":
            # Send a third of the file, then hang up as a flaky network would.
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def grouplens_zip(movielens_dir: Path, tmp_path_factory) -> bytes:
    archive = tmp_path_factory.mktemp("zip") / "ml-latest-small.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(movielens_dir.iterdir()):
            zf.write(file, f"ml-latest-small/{file.name}")
    return archive.read_bytes()


@pytest.fixture()
def server(grouplens_zip: bytes) -> Iterator[type[_Handler]]:
    handler = type("Handler", (_Handler,), {"payload": grouplens_zip, "mode": "ok", "requests": 0})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    yield handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def no_local_copy(monkeypatch):
    monkeypatch.delenv("MOVIELENS_DIR", raising=False)
    monkeypatch.delenv("MOVIELENS_URL", raising=False)


def _leftovers(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir()) if data_dir.exists() else []


def test_first_start_downloads_validates_and_reuses(server, tmp_path, no_local_copy):
    progress: list[tuple[int, int | None]] = []
    ml = load_movielens(
        data_dir=tmp_path, base_url=server.url, progress=lambda d, t: progress.append((d, t))
    )
    assert (ml.n_users, ml.n_movies, ml.n_ratings) == (610, 9742, 100836)
    assert _leftovers(tmp_path) == ["ml-latest-small"]  # no temp files left
    assert progress[0][0] == 0
    assert progress[-1] == (len(server.payload), len(server.payload))
    assert all(b >= a for (a, _), (b, _) in zip(progress, progress[1:], strict=False))
    # Second start: the copy under data/ is read, nothing is downloaded again.
    load_movielens(data_dir=tmp_path, base_url=server.url)
    assert server.requests == 1


def test_url_from_environment(server, tmp_path, no_local_copy, monkeypatch):
    monkeypatch.setenv("MOVIELENS_URL", server.url)
    assert load_movielens(data_dir=tmp_path).n_ratings == 100836


def test_connection_dropped_mid_transfer_leaves_nothing_and_retry_succeeds(
    server, tmp_path, no_local_copy
):
    server.mode = "drop"
    with pytest.raises(DataError) as caught:
        load_movielens(data_dir=tmp_path, base_url=server.url)
    message = str(caught.value)
    assert f"{server.url}ml-latest-small.zip" in message
    assert "MOVIELENS_DIR" in message
    assert _leftovers(tmp_path) == []
    server.mode = "ok"
    assert load_movielens(data_dir=tmp_path, base_url=server.url).n_ratings == 100836
    assert _leftovers(tmp_path) == ["ml-latest-small"]


def test_http_error_is_reported_with_url_and_advice(server, tmp_path, no_local_copy):
    server.mode = "notfound"
    with pytest.raises(DataError, match=r"HTTP 404.*MOVIELENS_DIR"):
        load_movielens(data_dir=tmp_path, base_url=server.url)
    assert _leftovers(tmp_path) == []


def test_body_that_is_not_a_zip_is_rejected(server, tmp_path, no_local_copy):
    server.mode = "garbage"
    with pytest.raises(DataError, match=r"not a valid zip"):
        load_movielens(data_dir=tmp_path, base_url=server.url)
    assert _leftovers(tmp_path) == []


def test_unreachable_server_names_the_url(tmp_path, no_local_copy):
    with pytest.raises(
        DataError, match=r"http://127\.0\.0\.1:9/ml-latest-small\.zip.*MOVIELENS_DIR"
    ):
        load_movielens(data_dir=tmp_path, base_url="http://127.0.0.1:9/")
    assert _leftovers(tmp_path) == []


def test_zip_with_invalid_data_is_not_installed(server, tmp_path, no_local_copy, movielens_dir):
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("ml-latest-small/ratings.csv", "user,movie\n1,2\n")
        zf.write(movielens_dir / "movies.csv", "ml-latest-small/movies.csv")
    server.payload = broken.read_bytes()
    data_dir = tmp_path / "data"
    with pytest.raises(DataError, match=r"ratings\.csv: missing column"):
        load_movielens(data_dir=data_dir, base_url=server.url)
    assert _leftovers(data_dir) == []


def test_app_first_start_downloads_then_shows_overview(
    server, tmp_path, no_local_copy, monkeypatch
):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP_FILE

    monkeypatch.setenv("MOVIELENS_URL", server.url)
    monkeypatch.setenv("MOVIELENS_DATA_HOME", str(tmp_path))
    at = AppTest.from_file(APP_FILE, default_timeout=90).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Users"] == "610"
    assert server.requests == 1
    assert _leftovers(tmp_path) == ["ml-latest-small"]


def test_app_shows_network_failure_clearly(server, tmp_path, no_local_copy, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP_FILE

    server.mode = "drop"
    monkeypatch.setenv("MOVIELENS_URL", server.url)
    monkeypatch.setenv("MOVIELENS_DATA_HOME", str(tmp_path))
    at = AppTest.from_file(APP_FILE, default_timeout=90).run()
    assert not at.exception
    assert "Could not download the MovieLens data" in at.error[0].value
    assert "connection closed after" in at.error[0].value
    assert _leftovers(tmp_path) == []
