"""AppTest of the Explore page: every tab renders, every filter changes the numbers, URLs round-trip."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from recommender.data import load_movielens
from tests.conftest import APP_FILE, PROJECT_ROOT

TIMEOUT = 90
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "datasets" / "layouts"
PAGE = "pages/explore.py"
CHARTS_PER_TAB = {
    "Ratings": 2,
    "Popularity": 2,
    "Genres": 3,
    "Time": 3,
    "Top movies": 1,
    "Tags": 2,
    "One user": 2,
}


def open_explore(query: dict[str, str] | None = None, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if tab:
        at.session_state["tab"] = tab
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.main.metric}


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def values(data) -> list:
    """Plotly JSON arrays, plain or typed ({"dtype": "i8", "bdata": base64})."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def numbers_keys(at: AppTest) -> list[str]:
    """The keys of the "numbers behind" expanders on the page."""
    return [e.key for e in at.expander if e.key and e.key.startswith("numbers_")]


def bar_total(at: AppTest) -> int:
    """Sum of the bars of the first chart (the rating distribution on the Ratings tab)."""
    bars = [t for t in figure(at)["data"] if t["type"] == "bar"]
    return int(sum(values(bars[0]["y"])))


@pytest.fixture(scope="module")
def data(movielens_dir):
    return load_movielens(movielens_dir)


def test_default_view_shows_whole_dataset_and_quality_checks(app_env):
    at = open_explore()
    assert not at.exception
    shown = metrics(at)
    assert shown["Users"] == "610"
    assert shown["Ratings"] == "100,836"
    assert shown["Sparsity"] == "98.30 %"
    assert shown["First rating"] == "1996-03-29"
    assert not at.warning
    assert dict(at.query_params) == {}
    # The page opens on its first chart tab (Ratings), not on a table of zeros.
    assert len(at.get("plotly_chart")) == CHARTS_PER_TAB["Ratings"]
    # Data quality: quality checks, missing values, cleaning log.
    at.session_state["tab"] = "Data quality"
    at.run()
    tables = [d.value for d in at.main.dataframe]
    checks = next(t for t in tables if "Check" in t.columns)
    assert checks.set_index("Check").loc["Titles without a release year", "Rows"] == 12
    missing = next(t for t in tables if "Missing values" in t.columns)
    assert int(missing["Missing values"].sum()) == 8  # links.tmdbId
    assert any("Fix" in t.columns for t in tables)
    assert "8 missing value" in at.info[0].value


def test_every_tab_renders_its_charts_with_numbers_to_download(app_env):
    at = open_explore()
    for tab, expected in CHARTS_PER_TAB.items():
        at.session_state["tab"] = tab
        at.run()
        assert not at.exception, tab
        assert len(at.get("plotly_chart")) == expected, tab
        # The numbers behind each chart are drawn only once their expander is opened.
        closed = [e for e in at.expander if e.label == "Numbers behind this chart"]
        assert len(closed) == expected, tab
        assert sum(len(e.get("download_button")) + len(e.dataframe) for e in closed) == 0, tab
        for key in numbers_keys(at):
            at.session_state[key] = True
        at.run()
        assert not at.exception, tab
        opened = [e for e in at.expander if e.label == "Numbers behind this chart"]
        assert all(len(e.dataframe) == 1 for e in opened), tab
        assert sum(len(e.get("download_button")) for e in opened) == expected, tab
        for key in numbers_keys(at):
            at.session_state[key] = False


def test_genre_filter_changes_numbers_and_url(app_env, data):
    at = open_explore(tab="Ratings")
    assert bar_total(at) == 100_836
    at.sidebar.multiselect[0].select("Comedy").run()
    assert not at.exception
    comedies = data.movies["genres"].map(lambda gs: "Comedy" in gs)
    expected = int(data.ratings["movieId"].isin(data.movies.loc[comedies, "movieId"]).sum())
    assert metrics(at)["Ratings"] == f"{expected:,}"
    assert metrics(at)["Movies"] == f"{int(comedies.sum()):,}"
    assert bar_total(at) == expected  # the chart follows the filter
    assert at.query_params["genres"] == "Comedy"


def test_year_filter_changes_numbers_and_url(app_env, data):
    at = open_explore(tab="Time")
    at.sidebar.slider[0].set_value((1990, 1999)).run()
    assert not at.exception
    expected = int(data.movies["year"].between(1990, 1999).sum())
    assert metrics(at)["Movies"] == f"{expected:,}"
    assert at.query_params["years"] == "1990-1999"
    per_year = next(
        t
        for t in (figure(at, i) for i in range(len(at.get("plotly_chart"))))
        if t["layout"]["title"]["text"] == "Movies per release year"
    )
    assert values(per_year["data"][0]["x"]) == list(range(1990, 2000))


def test_min_ratings_filter_changes_numbers_and_url(app_env, data):
    at = open_explore(tab="Popularity")
    at.sidebar.number_input[0].set_value(50).run()
    assert not at.exception
    counts = data.ratings["movieId"].value_counts()
    expected_movies = int((counts >= 50).sum())
    assert metrics(at)["Movies"] == f"{expected_movies:,}"
    assert metrics(at)["Ratings"] == f"{int(counts[counts >= 50].sum()):,}"
    assert at.query_params["min_ratings"] == "50"
    # Every movie in view has >= 50 ratings now.
    assert metrics(at)["Movies with fewer than 5 ratings"] == "0"


def test_shared_url_restores_the_view(app_env):
    at = open_explore({"genres": "Comedy,Drama", "years": "1990-1999", "min_ratings": "10"})
    assert not at.exception
    assert not at.warning
    assert at.sidebar.multiselect[0].value == ["Comedy", "Drama"]
    assert at.sidebar.slider[0].value == (1990, 1999)
    assert at.sidebar.number_input[0].value == 10
    assert "Comedy or Drama · released 1990–1999" in at.caption[0].value


def test_invalid_url_values_warn_and_fall_back(app_env):
    at = open_explore({"genres": "Nope", "years": "abc", "min_ratings": "-4"})
    assert not at.exception
    warnings = unescape(" ".join(w.value for w in at.warning))
    assert "'Nope'" in warnings and "years='abc'" in warnings and "min_ratings='-4'" in warnings
    assert metrics(at)["Ratings"] == "100,836"  # whole dataset, invalid values ignored
    assert at.sidebar.multiselect[0].value == []
    assert dict(at.query_params) == {}  # the URL is cleaned up


def unescape(markdown: str) -> str:
    """What the reader sees: escapes resolved, the invisible word joiners that break autolinks
    dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.mark.parametrize(
    "hostile",
    [
        "[Session expired - log in again](https://evil.example/login)",
        "![](http://host/pixel.png)",
        "$x^2$ **bold** <b>html</b> :red[alarm]",
    ],
)
def test_url_values_echoed_in_warnings_are_plain_text(app_env, hostile):
    """A shared link cannot put a link, an image or formatting in the app's own warning box."""
    at = open_explore({"genres": hostile})
    shown = " ".join(w.value for w in at.warning)
    assert hostile in unescape(shown)  # the visitor sees exactly what the URL held
    for construct in ("](", "![", "**", "<b>", ":red[", "$x"):
        # …and none of it can act as markup: every construct starts with an escape
        assert not re.search(r"(?<!\\)" + re.escape(construct), shown), construct


def test_filters_that_match_nothing_show_a_message_not_empty_charts(app_env):
    at = open_explore({"genres": "Documentary", "years": "1902-1910"}, tab="Genres")
    assert not at.exception
    assert metrics(at)["Movies"] == "0"
    assert any("No movies match the filters" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


def test_top_movies_slider_sets_the_prior(app_env):
    at = open_explore(tab="Top movies")
    at.slider(key="explore_prior").set_value(100)
    at.session_state["numbers_top_movies"] = True  # open "Numbers behind this chart"
    at.run()
    assert not at.exception
    assert any("C \\cdot m" in m.value for m in at.markdown)  # the formula is on the page
    top = next(d.value for d in at.main.dataframe if "Bayesian average (★)" in d.value.columns)
    assert (top["Ratings"] >= 100).all()
    assert top["Title"].iloc[0].startswith("Shawshank")


def test_one_user_section(app_env):
    at = open_explore(tab="One user")
    at.selectbox(key="explore_user").set_value(414).run()
    assert not at.exception
    assert any("User 414's most recent ratings" in s.value for s in at.subheader)
    recent = next(d.value for d in at.main.dataframe if "Rated at (UTC)" in d.value.columns)
    assert len(recent) == 10
    assert recent["Rated at (UTC)"].is_monotonic_decreasing
    assert "User 414" in figure(at, 0)["layout"]["title"]["text"]


@pytest.mark.parametrize("layout", ["ml-100k", "ml-1m"])
def test_a_dataset_without_tags_says_so_on_the_tags_tab(app_env, monkeypatch, layout):
    """ml-100k and ml-1m were published without tags: the Tags tab says that, not that no tag
    matches the filters (which no filter could change)."""
    monkeypatch.setenv("MOVIELENS_DIR", str(FIXTURES / layout))
    at = open_explore(tab="Tags")
    assert not at.exception and not at.get("plotly_chart")
    shown = unescape(" ".join(i.value for i in at.info))
    assert f"{layout} comes without tags: GroupLens publishes them with" in shown
    assert "ml-10m" in shown and "match the filters" not in shown


def test_a_dataset_with_tags_but_none_matching_says_the_filters_are_why(app_env):
    at = open_explore({"genres": "Documentary", "years": "2015-2017"}, tab="Tags")  # 42 movies
    assert not at.exception
    assert any("No tags match the filters" in i.value for i in at.info)
