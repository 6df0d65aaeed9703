"""Shared fixtures: the real MovieLens data, and a live `streamlit run` server with a headless browser.

Tests that need the real data use the folder named by ``MOVIELENS_DIR`` (``.ci/run`` points it at
``../shared/movielens/ml-latest-small``). Without it they skip locally, but with ``CI=true`` they
fail: CI must never pass by skipping the real-data tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.data import DataError, MovieLens, load_movielens

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_COPY = PROJECT_ROOT.parent / "shared" / "movielens" / "ml-latest-small"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# AppTest resolves relative script paths against the calling test file: always pass this one.
APP_FILE = str(PROJECT_ROOT / "streamlit_app.py")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: real-data and browser tests must run, not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def movielens_dir() -> Path:
    """Folder of the real ml-latest-small: $MOVIELENS_DIR, the shared copy, or data/ (downloaded)."""
    env = os.environ.get("MOVIELENS_DIR")
    if env:
        path = Path(env)
    elif (SHARED_COPY / "ratings.csv").is_file() or _in_ci():
        path = SHARED_COPY
    else:
        # A developer's fresh clone: fetch the dataset into data/ once, as the app would.
        try:
            path = Path(load_movielens().source)
        except DataError as error:
            _need(f"real MovieLens data unavailable: {error}")
    if not (path / "ratings.csv").is_file():
        _need(f"real MovieLens data not found at {path}; set MOVIELENS_DIR")
    return path


@pytest.fixture(scope="session")
def ml(movielens_dir: Path) -> MovieLens:
    """The real ml-latest-small dataset (shared by tests: do not mutate)."""
    return load_movielens(movielens_dir)


# ------------------------------------------------------------------------------------------
# AppTest


@pytest.fixture()
def app_env(movielens_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Environment for AppTest runs: the real data, never a download; results in a temp folder."""
    monkeypatch.setenv("MOVIELENS_DIR", str(movielens_dir))
    monkeypatch.setenv("RECOMMENDER_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.chdir(PROJECT_ROOT)
    return movielens_dir


# ------------------------------------------------------------------------------------------
# Real browser end to end


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {process.returncode} before becoming healthy"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url}/_stcore/health did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def running_app(
    movielens_dir: Path,
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    script: str = "streamlit_app.py",
) -> Iterator[str]:
    """Run `streamlit run <script>` (the app by default) on a free localhost port until the block ends.

    Evaluation results go to a folder beside ``log_path``, never to the project's data/.
    """
    port = free_port()
    env = {
        **os.environ,
        "MOVIELENS_DIR": str(movielens_dir),
        "RECOMMENDER_RESULTS_DIR": str(log_path.parent / "results"),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],  # fmt: skip
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            yield url
        except Exception:
            print(log_path.read_text())
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def app_server(movielens_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `streamlit run streamlit_app.py` shared by the session's browser tests; its base URL."""
    with running_app(movielens_dir, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        _need(f"chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _need("playwright is not installed")
    # expect()'s 5 s default is shorter than one script rerun on a busy 2-core CI machine; a real
    # failure still fails, only later
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],  # fmt: skip
        )
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, app_server: str):
    """A fresh browser page (1400×1000) with the app's base URL as ``page.app_url``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.app_url = app_server
    yield tab
    context.close()


def wait_for_app(tab, timeout: float = 60_000) -> None:
    """Wait until the app shell is up and no script run is shown as in progress.

    Streamlit shows its status widget only some time after a run starts, so this can return before
    the page's content exists: assert with ``playwright.sync_api.expect``, which retries.
    """
    tab.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
