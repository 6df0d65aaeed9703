"""recommender.settings: every environment variable, read when asked (never frozen at import)."""

from __future__ import annotations

from pathlib import Path

from recommender import settings


def test_defaults_without_environment(monkeypatch) -> None:
    for name in (settings.ENV_DIR, settings.ENV_URL, settings.ENV_DATA_HOME,
                 settings.ENV_RESULTS_DIR):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    assert settings.movielens_dir() is None
    assert settings.data_home() == settings.PROJECT_DATA_DIR
    assert settings.results_dir() == settings.PROJECT_DATA_DIR / "results"
    assert settings.dataset_url() == (
        "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip"
    )


def test_environment_is_read_at_call_time(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(settings.ENV_DATA_HOME, str(tmp_path / "home"))
    monkeypatch.delenv(settings.ENV_RESULTS_DIR, raising=False)
    assert settings.data_home() == tmp_path / "home"
    assert settings.results_dir() == tmp_path / "home" / "results"  # results follow the home
    monkeypatch.setenv(settings.ENV_RESULTS_DIR, str(tmp_path / "results"))
    assert settings.results_dir() == tmp_path / "results"
    assert settings.results_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.setenv(settings.ENV_URL, "http://127.0.0.1:9/base")
    assert settings.dataset_url("ml-100k") == "http://127.0.0.1:9/base/ml-100k.zip"
    monkeypatch.setenv(settings.ENV_DIR, "  ")
    assert settings.movielens_dir() is None  # blank means unset
