"""AppTest of the Recommend page: each mode, bad input, and the shared model left unchanged."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from recommender.app.cache import get_recommender
from recommender.recommend import Recommender
from recommender.settings import ENV_RESULTS_DIR
from tests.conftest import APP_FILE

TIMEOUT = 180
PAGE = "pages/recommend.py"
STAR_WARS, EMPIRE, TOY_STORY, TOY_STORY_2, MATRIX, HEAT = 260, 1196, 1, 3114, 2571, 6
CARD_TITLE = re.compile(r"^\*\*(\d)\. (.+)\*\*$")


@pytest.fixture()
def page_env(app_env, tmp_path, monkeypatch):
    """No cached Compare-models results: the page uses the default model, fitted once."""
    monkeypatch.setenv(ENV_RESULTS_DIR, str(tmp_path / "results"))
    return app_env


def open_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def card_titles(at: AppTest) -> list[str]:
    """Titles of the recommendation cards, in order (markdown escapes removed)."""
    titles = []
    for element in at.markdown:
        match = CARD_TITLE.match(element.value)
        if match:
            titles.append(re.sub(r"\\(.)", r"\1", match.group(2)))
    return titles


def test_zero_ratings_show_five_popular_cards_and_an_onboarding_set(page_env):
    at = open_page()
    assert at.query_params["mode"] == "rate"
    cards = card_titles(at)
    assert len(cards) == 5
    assert any(
        c.value == "💡 popular and well rated" or "popular and well rated" in c.value
        for c in at.caption
    )
    onboarding = [s for s in at.select_slider if str(s.key).startswith("rec_onboard_")]
    assert len(onboarding) == 12
    assert all(s.value == 0.0 for s in onboarding)  # "not seen"


STAR_WARS_AND_INDY = (STAR_WARS, EMPIRE, 1210, 1198, 1291)  # IV, V, VI, Raiders, Last Crusade


def test_a_star_wars_and_indiana_jones_fan_does_not_get_the_zero_ratings_list(page_env):
    at = open_page()
    nobody = card_titles(at)
    for movie_id in STAR_WARS_AND_INDY:
        at.session_state["rec_ratings"][movie_id] = 5.0
    at.run()
    assert not at.exception
    fan = card_titles(at)
    assert len(fan) == 5 and len(set(fan) & set(nobody)) <= 1
    reasons = " ".join(c.value for c in at.caption if c.value.startswith("💡"))
    assert "Star Wars" in reasons or "Raiders" in reasons or "Indiana" in reasons
    matches = [m.value for m in at.markdown if "match" in m.value and m.value.startswith("**")]
    assert len(matches) == 5
    assert not any("Predicted rating" in m.value for m in at.markdown)  # rankers predict no stars


def test_rate_search_edit_remove_and_export(page_env):
    at = open_page()
    # the search forgives "Matrix, The" vs "The Matrix"
    at.text_input(key="rec_search").set_value("the matrix").run()
    assert at.selectbox(key="rec_search_pick").value == MATRIX
    at.select_slider(key="rec_search_stars").set_value(4.5)
    at.button(key="rec_search_add").click().run()
    assert at.session_state["rec_ratings"] == {MATRIX: 4.5}
    # an onboarding slider rates too
    onboard = next(s for s in at.select_slider if str(s.key).startswith("rec_onboard_"))
    onboard_id = int(str(onboard.key).rsplit("_", 1)[1])
    onboard.set_value(5.0).run()
    assert at.session_state["rec_ratings"] == {MATRIX: 4.5, onboard_id: 5.0}
    # edit, then remove
    at.select_slider(key=f"rec_rated_{MATRIX}").set_value(2.0).run()
    assert at.session_state["rec_ratings"][MATRIX] == 2.0
    at.button(key=f"rec_remove_{onboard_id}").click().run()
    assert at.session_state["rec_ratings"] == {MATRIX: 2.0}
    assert at.select_slider(key=f"rec_onboard_{onboard_id}").value == 0.0
    assert not at.exception
    cards = card_titles(at)
    assert len(cards) == 5 and "Matrix, The (1999)" not in cards


def test_unknown_title_shows_closest_matches_that_can_be_used(page_env):
    at = open_page()
    at.text_input(key="rec_search").set_value("Shawshenk Redemptoin").run()
    assert "No title matches" in at.warning[0].value
    suggestion = at.button(key="rec_suggest_318")
    # labels are markdown: the title is escaped so that it shows exactly as written
    assert suggestion.label == "Shawshank Redemption, The \\(1994\\)"
    suggestion.click().run()
    assert at.selectbox(key="rec_search_pick").value == 318


def test_import_rejects_bad_rows_and_reports_missing_movies(page_env):
    at = open_page()
    at.text_input(key="rec_search").set_value("toy story").run()
    at.button(key="rec_search_add").click().run()
    before = dict(at.session_state["rec_ratings"])
    bad = b"movieId,title,rating\n260,Star Wars,5\nxyz,Oops,4\n1196,Empire,9\n"
    at.file_uploader(key="rec_import").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception
    error = at.error[0].value
    assert "not imported" in error and "row 3" in error and "row 4" in error
    assert at.session_state["rec_ratings"] == before  # nothing else changed

    good = b"movieId,title,rating\n260,Star Wars,5\n1196,Empire,4.5\n999999999,Not Here,3\n"
    at.file_uploader(key="rec_import").set_value(("good.csv", good, "text/csv")).run()
    assert not at.exception
    assert at.session_state["rec_ratings"] == {**before, STAR_WARS: 5.0, EMPIRE: 4.5}
    assert "Imported 2 rating(s)" in at.success[0].value
    warning = at.warning[0].value
    assert "row 4: movie 999999999" in warning and "Not Here" in warning


def test_two_sessions_get_different_lists_and_leave_the_shared_model_unchanged(
    page_env, ml, monkeypatch
):
    served_by: set[int] = set()
    real = Recommender.for_new_user

    def spy(self, *args, **kwargs):
        served_by.add(id(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Recommender, "for_new_user", spy)
    first = open_page()
    shared = get_recommender(ml)
    assert served_by == {id(shared)}  # the page used the process-wide cached model
    before = shared.fingerprint()

    second = open_page()
    for movie_id in (STAR_WARS, EMPIRE, MATRIX, 1210, 1240):
        first.session_state["rec_ratings"][movie_id] = 5.0
    for movie_id in (TOY_STORY, TOY_STORY_2, 2355, 4886, 6377):
        second.session_state["rec_ratings"][movie_id] = 5.0
    first.run()
    second.run()
    assert not first.exception and not second.exception
    lists = card_titles(first), card_titles(second)
    assert len(lists[0]) == len(lists[1]) == 5
    assert lists[0] != lists[1]
    assert first.session_state["rec_ratings"] != second.session_state["rec_ratings"]
    assert served_by == {id(shared)}
    assert shared.fingerprint() == before


def test_pick_a_title_shows_both_views_and_puts_the_title_in_the_url(page_env):
    at = open_page(mode="title", movie=str(HEAT))
    assert at.segmented_control(key="rec_mode").value == "title"
    assert at.text_input(key="rec_title_query").value == "Heat (1995)"
    assert at.selectbox(key="rec_title_pick").value == HEAT
    assert at.query_params["movie"] == str(HEAT)
    cards = card_titles(at)
    assert len(cards) == 10 and "Heat (1995)" not in cards
    subheaders = [s.value for s in at.subheader]
    assert (
        "People who liked it also liked" in subheaders and "Similar genres and tags" in subheaders
    )
    assert any("Similarity: **" in m.value for m in at.markdown)

    at.text_input(key="rec_title_query").set_value("toy story").run()
    assert at.query_params["movie"] == str(TOY_STORY)
    at.text_input(key="rec_title_query").set_value("Godfathr").run()
    assert "Closest matches" in at.warning[0].value and "Godfather" in at.warning[0].value
    assert "movie" not in at.query_params


def test_pick_a_user_shows_top5_next_to_their_history(page_env, ml):
    at = open_page(mode="user")
    at.selectbox(key="rec_user").set_value(42).run()
    assert not at.exception
    assert at.query_params["user"] == "42"
    history = at.dataframe[0].value
    rated = ml.ratings[ml.ratings["userId"] == 42]
    assert len(history) == len(rated)
    assert list(history.columns) == ["rating", "title", "year", "genres"]
    cards = card_titles(at)
    assert len(cards) == 5 and not set(cards) & set(history["title"])


def test_filters_apply_to_every_mode_and_nothing_matching_is_a_message(page_env):
    at = open_page()
    at.multiselect(key="rec_genres").set_value(["Documentary"]).run()
    assert len(card_titles(at)) == 5
    badges = [m.value for m in at.markdown if ":gray-badge[" in m.value]
    assert len(badges) == 5 and all("Documentary" in b for b in badges)
    at.number_input(key="rec_min_ratings").set_value(300).run()
    assert not at.exception
    assert card_titles(at) == []
    assert "No movie matches the filters" in at.info[0].value


def test_model_handed_over_by_compare_models_is_used(page_env):
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE)
    at.session_state["recommend_model_key"] = "means-user-cosine-k20-m1"
    at.run()
    assert not at.exception
    model_caption = next(c.value for c in at.caption if c.value.startswith("Models:"))
    assert "KNNWithMeans · item-based · cosine · k=20" in model_caption
    assert "user-based" in at.info[0].value
    assert len(card_titles(at)) == 5

    at.session_state["recommend_model_key"] = "not-a-model"
    at.run()
    assert not at.exception
    assert "could not be used" in at.info[0].value
