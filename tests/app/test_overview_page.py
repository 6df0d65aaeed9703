"""AppTest of the app frame and the Overview page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import APP_FILE

TIMEOUT = 60


def test_overview_renders_dataset_summary(app_env):
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Users"] == "610"
    assert metrics["Movies"] == "9,742"
    assert metrics["Ratings"] == "100,836"
    assert metrics["Tags"] == "3,683"
    assert metrics["Sparsity"] == "98.30 %"
    assert metrics["Median ratings per user"] == "70"
    page_text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "GroupLens" in page_text
    assert "Harper" in page_text and "Konstan" in page_text
    assert "ml-latest-small" in at.sidebar.markdown[0].value


def test_bad_data_folder_shows_clear_error_not_traceback(tmp_path, monkeypatch, app_env):
    bad = tmp_path / "ml-broken"
    bad.mkdir()
    (bad / "ratings.csv").write_text("userId,movieId,rating,timestamp\nabc,1,4.0,1\n")
    (bad / "movies.csv").write_text("movieId,title,genres\n1,Toy Story (1995),Comedy\n")
    monkeypatch.setenv("MOVIELENS_DIR", str(bad))
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "line 2, column 'userId': non-numeric ID 'abc'" in at.error[0].value
    assert "MOVIELENS_DIR" in at.info[0].value
    assert not at.metric  # the page did not render on bad data
