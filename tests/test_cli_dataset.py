"""The command line's ``--dataset NAME``: a GroupLens dataset downloaded (verified) on first use
into the data home, winning over the environment; ``--data`` and ``--dataset`` do not mix."""

from __future__ import annotations

import pytest

from recommender import settings
from recommender.__main__ import main
from tests.test_datasets_download import serve, server  # noqa: F401 (fixture)


@pytest.fixture()
def home(tmp_path, monkeypatch):
    for name in (settings.ENV_DIR, settings.ENV_DATASET, settings.ENV_URL):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.ENV_DATA_HOME, str(tmp_path / "home"))
    return tmp_path / "home"


def test_dataset_downloads_verified_then_reads_the_copy(home, server, monkeypatch, capsys):  # noqa: F811
    serve(server, "ml-1m")
    monkeypatch.setenv(settings.ENV_URL, server.url)
    monkeypatch.setenv(settings.ENV_DIR, "/nowhere")  # --dataset wins over the environment
    assert main(["--dataset", "ml-1m", "info"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ml-1m: 4 users, 6 movies, 16 ratings, 0 tags")
    assert "Downloading ml-1m:" in err
    assert "MD5 published at" in (home / "ml-1m" / ".download.json").read_text()
    assert main(["--dataset", "ml-1m", "info"]) == 0  # the copy in the data home
    assert sorted(server.requests) == ["/ml-1m.zip", "/ml-1m.zip.md5"]


def test_unknown_dataset_and_both_options_are_usage_errors(home, capsys):
    assert main(["--dataset", "ml-99m", "info"]) == 2
    assert "Unknown MovieLens dataset 'ml-99m'" in capsys.readouterr().err
    assert main(["--data", str(home), "--dataset", "ml-1m", "info"]) == 2
    assert "either --data PATH or --dataset NAME" in capsys.readouterr().err
