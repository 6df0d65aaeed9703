"""AppTest of the sidebar dataset picker: ``?dataset=`` in the URL, unknown values, switching to a
dataset that is downloaded (verified) from a local server, a corrupt download, a dataset too big
for the memory available, ``MOVIELENS_DIR`` winning, and a visitor's own upload on every page."""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from recommender import settings
from recommender.app import cache, datasets
from recommender.data import CATALOG
from tests.conftest import APP_FILE, PROJECT_ROOT
from tests.test_datasets_download import ZIPS, _pin, serve, server  # noqa: F401 (fixture)

TIMEOUT = 90
PICKER = "dataset_picker"
UPLOAD = "dataset_upload_files"
UPLOAD_BOX = "dataset_upload_box"
NEWLINE = b"\n"


def picker_options(at: AppTest) -> list[str]:
    """The picker's options (labels); none when there is nothing to choose."""
    return next((s.options for s in at.selectbox if s.key == PICKER), [])


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.main.metric}


@pytest.fixture()
def home(movielens_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No MOVIELENS_DIR: the picker serves the catalogue from a temporary data home that holds
    ml-latest-small (a copy of the real one); anything else comes from MOVIELENS_URL."""
    data_home = tmp_path / "home"
    shutil.copytree(movielens_dir, data_home / "ml-latest-small")
    for name in (settings.ENV_DIR, settings.ENV_DATASET, settings.ENV_URL):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.ENV_DATA_HOME, str(data_home))
    monkeypatch.setenv(settings.ENV_URL, "http://127.0.0.1:9/")  # nothing listens: no downloads
    monkeypatch.setenv(settings.ENV_RESULTS_DIR, str(tmp_path / "results"))
    monkeypatch.chdir(PROJECT_ROOT)
    return data_home


def open_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def leftovers(data_home: Path) -> list[str]:
    """Everything in the data home besides ml-latest-small and its Parquet copy."""
    return sorted(
        p.name
        for p in data_home.iterdir()
        if p.name != "ml-latest-small" and "parquet" not in p.name
    )


# ------------------------------------------------------------------------------ the catalogue


def test_default_dataset_and_catalogue_facts(home):
    at = open_app()
    assert not at.exception
    assert metrics(at)["Ratings"] == "100,836"
    picker = at.selectbox(key=PICKER)
    assert picker.value == "ml-latest-small" and not picker.disabled
    assert picker.options[: len(CATALOG)] == [
        datasets._label(n) for n in ("ml-latest-small", "ml-100k", "ml-1m", "ml-10m", "ml-20m",
                                     "ml-25m", "ml-32m")
    ]  # fmt: skip
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "100,836 ratings · 610 users · 9,742 movies" in captions
    assert "GroupLens usage licence" in captions
    assert "dataset" not in at.query_params  # the default is left out of the URL


def test_big_datasets_are_marked_run_locally():
    labels = {name: datasets._label(name) for name in CATALOG}
    # measured with every page visited (benchmarks/page_memory.py): 10M ratings peaked at 2.37 GB
    small = labels["ml-latest-small"] + labels["ml-100k"] + labels["ml-1m"] + labels["ml-10m"]
    assert "run locally" not in small
    assert labels["ml-20m"].endswith("needs ~3 GB: run locally")
    assert labels["ml-25m"].endswith("needs ~3.5 GB: run locally")
    assert labels["ml-32m"].endswith("needs ~3.5 GB: run locally")
    assert datasets.available_memory_bytes() > 0  # read from /proc and the cgroup on Linux


def test_url_selects_a_dataset_on_disk(home):
    shutil.copytree(PROJECT_ROOT / "tests/fixtures/datasets/layouts/ml-1m", home / "ml-1m")
    at = open_app({"dataset": "ml-1m"})
    assert not at.exception and not at.warning
    assert at.selectbox(key=PICKER).value == "ml-1m"
    assert metrics(at)["Ratings"] == "16"
    assert "ml-1m" in at.sidebar.markdown[0].value
    assert at.query_params["dataset"] == "ml-1m"


@pytest.mark.parametrize("value", ["ml-99m", "<b>x</b> [link](https://evil.example)"])
def test_unknown_url_value_warns_in_plain_text_and_shows_the_default(home, value):
    at = open_app({"dataset": value})
    assert not at.exception
    assert len(at.warning) == 1
    warning = at.warning[0].value
    assert "Unknown dataset" in warning and "ml-latest-small" in warning
    assert "<b>" not in warning and "](" not in warning  # escaped: never markup
    assert metrics(at)["Ratings"] == "100,836"
    assert "dataset" not in at.query_params
    at.run()  # the warning is not repeated once the URL was corrected
    assert not at.warning


def test_movielens_dir_wins_and_the_picker_only_shows_it(app_env):
    at = open_app({"dataset": "ml-1m"})
    assert not at.exception
    assert not picker_options(at)  # nothing to choose: a caption
    assert "Set by MOVIELENS_DIR on this server" in at.sidebar.caption[2].value.replace("\\", "")
    assert "reads the folder MOVIELENS_DIR names" in at.warning[0].value.replace("\\", "")
    assert metrics(at)["Ratings"] == "100,836"


# ------------------------------------------------------------------------------ downloads


def as_grouplens(server, monkeypatch) -> None:  # noqa: F811
    """The local server plays GroupLens itself, and the catalogue pins ml-1m to the fixture's zip
    (size, SHA-256 and MD5), as it pins the real one."""
    body = ZIPS["ml-1m"]
    _pin(monkeypatch, "ml-1m", zip_bytes=len(body), zip_md5=hashlib.md5(body).hexdigest(),
         zip_sha256=hashlib.sha256(body).hexdigest())  # fmt: skip
    monkeypatch.setattr(settings, "DEFAULT_BASE_URL", server.url)
    monkeypatch.setenv(settings.ENV_URL, server.url)


def notes(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption).replace("\\", "")


def test_switching_downloads_verified_and_the_counts_change(home, server, monkeypatch):  # noqa: F811
    serve(server, "ml-1m")
    as_grouplens(server, monkeypatch)
    at = open_app()
    assert metrics(at)["Ratings"] == "100,836"
    at.selectbox(key=PICKER).set_value("ml-1m").run()
    assert not at.exception and not at.error
    assert metrics(at)["Ratings"] == "16" and metrics(at)["Users"] == "4"
    assert at.query_params["dataset"] == "ml-1m"
    assert server.requests == ["/ml-1m.zip"]  # one request, as on the app's first start
    record = (home / "ml-1m" / ".download.json").read_text()
    assert "size and checksums pinned in the catalogue" in record
    assert "without a published checksum" not in notes(at)
    # Explore uses it too; back on the default, the first dataset is back
    at.switch_page("pages/explore.py").run()
    assert not at.exception and metrics(at)["Ratings"] == "16"
    at.selectbox(key=PICKER).set_value("ml-latest-small").run()
    assert metrics(at)["Ratings"] == "100,836"
    assert "dataset" not in at.query_params


def test_a_mirror_download_that_nothing_can_check_says_so(home, server, monkeypatch):  # noqa: F811
    serve(server, "ml-100k", md5=None)
    monkeypatch.setenv(settings.ENV_URL, server.url)
    at = open_app({"dataset": "ml-100k"})
    assert not at.exception and metrics(at)["Ratings"] == "16"
    assert "without a published checksum to check it against" in notes(at)


@pytest.mark.parametrize("corruption", ["checksum", "crc"])
def test_a_corrupt_download_shows_the_error_and_leaves_nothing(home, server, monkeypatch,  # noqa: F811
                                                               corruption):  # fmt: skip
    good = ZIPS["ml-1m"]
    serve(server, "ml-1m", payload=good[:200] + bytes(100) + good[300:])
    if corruption == "checksum":
        as_grouplens(server, monkeypatch)
        expected = "does not match its checksum"
    else:  # a mirror: no pins apply, the zip's own CRCs catch it
        monkeypatch.setenv(settings.ENV_URL, server.url)
        expected = "Could not download the MovieLens data from " + server.url
    at = open_app()
    at.selectbox(key=PICKER).set_value("ml-1m").run()
    assert not at.exception
    assert expected in at.error[0].value
    assert not at.main.metric  # the page stopped
    assert leftovers(home) == []
    at.run()  # the picker went back to the dataset shown before
    assert at.selectbox(key=PICKER).value == "ml-latest-small"
    assert metrics(at)["Ratings"] == "100,836"


def test_a_dataset_too_big_for_the_memory_is_refused(home, server, monkeypatch):  # noqa: F811
    monkeypatch.setenv(settings.ENV_URL, server.url)
    monkeypatch.setattr(datasets, "available_memory_bytes", lambda: 2_000_000_000)
    at = open_app({"dataset": "ml-25m"})
    assert not at.exception
    message = at.error[0].value
    assert "ml-25m needs about 2.8 GB more memory and only 2.0 GB is available" in message
    assert "about 3.5 GB with it" in message
    assert server.requests == [] and leftovers(home) == []
    at.run()  # back on the default, which fits
    assert metrics(at)["Ratings"] == "100,836"
    monkeypatch.setattr(datasets, "available_memory_bytes", lambda: 1000)
    at.run()  # a dataset already loaded is never refused
    assert not at.error and metrics(at)["Ratings"] == "100,836"


# ------------------------------------------------------------------------------ your own dataset


def open_upload(at: AppTest) -> AppTest:
    """Open the sidebar's "Your own dataset" (its uploader is drawn only while it is open)."""
    at.session_state[UPLOAD_BOX] = True
    return at.run()


def synthetic_upload(seed: int = 0) -> tuple[bytes, bytes]:
    """ratings.csv and movies.csv: 60 users × 40 movies, long-tailed, ~700 half-star ratings."""
    rng = np.random.default_rng(seed)
    users, items = rng.integers(1, 61, 1200), rng.zipf(1.3, 1200) % 40 + 1
    rows = {(int(u), int(m)) for u, m in zip(users, items, strict=True)}
    ratings = "userId,movieId,rating,timestamp\n" + "".join(
        f"{u},{m},{rng.integers(1, 11) / 2},{1_500_000_000 + 1000 * i}\n"
        for i, (u, m) in enumerate(sorted(rows))
    )
    movies = "movieId,title,genres\n" + "".join(
        f'{m},"Film {m}, The ({1980 + m})",{"Comedy" if m % 2 else "Drama|Action"}\n'
        for m in range(1, 41)
    )
    return ratings.encode(), movies.encode()


def test_a_good_upload_becomes_this_sessions_dataset_on_every_page(app_env):
    ratings, movies = synthetic_upload()
    n = ratings.count(NEWLINE) - 1
    at = open_app()
    open_upload(at).file_uploader(key=UPLOAD).set_value(
        [("ratings.csv", ratings, "text/csv"), ("movies.csv", movies, "text/csv")]
    ).run()
    assert not at.exception and not at.error
    assert metrics(at)["Ratings"] == f"{n:,}"
    assert at.selectbox(key=PICKER).value == datasets.UPLOAD_CHOICE
    assert "your dataset \\#" in at.sidebar.markdown[0].value
    assert "dataset" not in at.query_params  # an upload is never in a shareable link
    for page in ("pages/explore.py", "pages/compare_models.py", "pages/recommend.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert not at.error, (page, [e.value for e in at.error])
        assert "your dataset" in at.sidebar.markdown[0].value, page
    # everything computed on the upload lives in this session's state, nothing in shared caches
    memo = at.session_state["upload_cache"]
    assert {"_dataset_summary", "_explore_view", "_recommender"} <= {k[0] for k in memo}
    assert not any("upload:" in key for key in cache._WARMED)
    # back to the server's dataset, then forgotten
    at.switch_page(APP_FILE).run()
    at.selectbox(key=PICKER).set_value(datasets.ENV_CHOICE).run()
    assert metrics(at)["Ratings"] == "100,836"
    at.button(key="dataset_forget").click().run()
    assert not picker_options(at)


def test_a_zip_upload_works_like_csvs(app_env):
    ratings, movies = synthetic_upload(1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mine/ratings.csv", ratings)
        archive.writestr("mine/movies.csv", movies)
    at = open_app()
    open_upload(at).file_uploader(key=UPLOAD).set_value(
        ("mine.zip", buffer.getvalue(), "application/zip")
    ).run()
    assert not at.exception and not at.error
    assert metrics(at)["Ratings"] == f"{ratings.count(NEWLINE) - 1:,}"
    assert "mine \\#" in at.sidebar.markdown[0].value


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("ratings.csv", b"userId,movieId,rating\n1,10,4\nabc,20,5\n", "text/csv")],
         "ratings.csv, line 3, column 'userId'"),
        ([("movies.csv", b"movieId,title,genres\n1,A (1995),Comedy\n", "text/csv")],
         "ratings.csv is missing"),
        ([("x.zip", b"not a zip", "application/zip")], "not a zip file"),
    ],
)  # fmt: skip
def test_a_bad_upload_is_named_and_changes_nothing(app_env, files, message):
    at = open_app()
    open_upload(at).file_uploader(key=UPLOAD).set_value(files).run()
    assert not at.exception
    assert message.replace("'", "") in at.error[0].value.replace("\\", "").replace("'", "")
    assert metrics(at)["Ratings"] == "100,836"
    assert not picker_options(at)


def test_an_upload_over_the_limit_is_refused(app_env, monkeypatch):
    monkeypatch.setenv(settings.ENV_UPLOAD_MB, "0.0001")  # 100 bytes
    ratings, _ = synthetic_upload()
    at = open_app()
    open_upload(at).file_uploader(key=UPLOAD).set_value(("ratings.csv", ratings, "text/csv")).run()
    assert "the limit for an upload is 100 bytes" in at.error[0].value
    assert metrics(at)["Ratings"] == "100,836"


def test_compare_models_and_recommend_run_on_an_upload(app_env, tmp_path, monkeypatch):
    results = tmp_path / "upload-results"
    monkeypatch.setenv(settings.ENV_RESULTS_DIR, str(results))
    ratings, movies = synthetic_upload(2)
    at = open_app()
    open_upload(at).file_uploader(key=UPLOAD).set_value(
        [("ratings.csv", ratings, "text/csv"), ("movies.csv", movies, "text/csv")]
    ).run()
    name = at.sidebar.markdown[0].value.split("** ", 1)[1].replace("\\", "")
    at.switch_page("pages/compare_models.py").run()
    at.radio(key="cmp_preset").set_value("custom").run()
    at.slider(key="cmp_folds").set_value(2)
    at.multiselect(key="cmp_algorithms").set_value(["KNNWithMeans"])
    at.multiselect(key="cmp_baselines").set_value(["BaselineOnly"])
    at.multiselect(key="cmp_rankers").set_value([]).run()
    at.button(key="cmp_run").click().run()
    deadline = time.monotonic() + 180
    while "cmp_job_id" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    finished = at.success[0].value
    assert finished.startswith("Finished") and "failed" not in finished
    # results of an upload stay in this session's own folder, never in the shared results
    assert not results.exists() or not any(results.iterdir())
    own = Path(at.session_state["dataset_results_folder"].path)
    assert any(name.split(" #")[1] in p.name for p in own.iterdir())
    assert own.parent == Path(tempfile.gettempdir())
    at.switch_page("pages/recommend.py").run()
    assert not at.exception and not at.error
