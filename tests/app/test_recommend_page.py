"""AppTest of the Recommend page: each mode, bad input, and the shared model left unchanged."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recommender.app import cache
from recommender.app.cache import get_recommender
from recommender.recommend import Recommender
from recommender.recommend.profile_link import (
    PROFILE_PARAM,
    Profile,
    decode_profile,
    encode_profile,
)
from recommender.recommend.steering import OBSCURITY_MAX
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
    if fitting(at):  # crowd favourites until the shared models are fitted (tested on its own)
        for future in list(cache._WARMED.values()):
            future.result(timeout=TIMEOUT)
        at.run()
    assert not fitting(at)
    return at


def fitting(at: AppTest) -> bool:
    """Whether the page says the shared models are still being fitted (all of them, or some)."""
    return any("personal models are being fitted" in i.value for i in at.info) or any(
        "models still being fitted" in c.value for c in at.caption
    )


def card_titles(at: AppTest) -> list[str]:
    """Titles of the recommendation cards, in order (markdown escapes removed)."""
    titles = []
    for element in at.markdown:
        match = CARD_TITLE.match(element.value)
        if match:
            titles.append(re.sub(r"\\(.)", r"\1", match.group(2)))
    return titles


def card_ids(at: AppTest) -> list[int]:
    """movieIds of the cards with controls (the visitor's top 5), in order."""
    return [
        int(str(b.key).rsplit("_", 1)[1]) for b in at.button if str(b.key).startswith("rec_hide_")
    ]


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
    """This app's CSV goes through the history importer: a bad file changes nothing; a good one
    is previewed (unmatched rows downloadable) and added only when accepted."""
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
    assert at.session_state["rec_ratings"] == before  # a preview changes nothing
    summary = preview_summary(at)
    assert "2 matched" in summary and "1 not in ml-latest-small" in summary
    unmatched = at.get("download_button")
    assert any("1 unmatched" in b.proto.label for b in unmatched)
    at.button(key="rec_import_accept").click().run()
    assert not at.exception
    assert at.session_state["rec_ratings"] == {**before, STAR_WARS: 5.0, EMPIRE: 4.5}
    assert "Added 2 rating(s)" in at.success[0].value


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "history"
WAR_OF_THE_WORLDS = (34048, 64997)  # two movies titled "War of the Worlds (2005)"


def preview_summary(at: AppTest) -> str:
    return next(i.value for i in at.info if "matched" in i.value)


def upload(at: AppTest, name: str) -> AppTest:
    data = (FIXTURES / name).read_bytes()
    return at.file_uploader(key="rec_import").set_value((name, data, "text/csv")).run()


def test_import_an_imdb_export_preview_pick_the_ambiguous_row_then_accept(page_env):
    at = upload(open_page(), "imdb_ratings.csv")
    assert not at.exception
    assert at.session_state["rec_ratings"] == {}
    summary = preview_summary(at)
    assert "IMDb ratings export" in summary and "7 matched" in summary
    assert "1 ambiguous" in summary and "2 not in ml-latest-small" in summary
    accept = at.button(key="rec_import_accept")
    assert accept.label == "Add these 7 ratings"
    pick = next(s for s in at.selectbox if str(s.key).startswith("rec_import_pick_"))
    assert pick.value is None  # an ambiguous row is skipped unless the visitor picks a movie
    assert len(pick.options) == 3 and pick.options[0] == "— skip this row —"
    assert all(o.startswith("War of the Worlds (2005) · ") for o in pick.options[1:])
    pick.set_value(WAR_OF_THE_WORLDS[0]).run()
    assert at.button(key="rec_import_accept").label == "Add these 8 ratings"
    at.button(key="rec_import_accept").click().run()
    assert not at.exception
    ratings = at.session_state["rec_ratings"]
    assert len(ratings) == 8 and ratings[STAR_WARS] == 4.5 and ratings[MATRIX] == 3.0
    assert WAR_OF_THE_WORLDS[0] in ratings
    assert "Added 8 rating(s)" in at.success[0].value
    assert any(s.value == "Your ratings (8)" for s in at.subheader)
    assert len(card_titles(at)) == 5 and not set(card_titles(at)) & {"Matrix, The (1999)"}


def test_cancel_leaves_the_ratings_unchanged(page_env):
    at = upload(open_page(), "letterboxd_ratings.csv")
    at.button(key="rec_import_cancel").click().run()
    assert not at.exception
    assert at.session_state["rec_ratings"] == {}
    assert "cancelled" in at.success[0].value


def test_a_file_of_unknown_format_names_the_columns_found_and_expected(page_env):
    at = upload(open_page(), "unknown_columns.csv")
    assert not at.exception
    error = at.error[0].value
    assert "nothing was imported" in error
    for column in ("film", "stars", "when", "Const", "Your Rating", "Letterboxd URI", "movieId"):
        assert column in error.replace("\\", "")
    assert at.session_state["rec_ratings"] == {}
    assert not [b for b in at.button if b.key == "rec_import_accept"]


def test_profile_is_written_to_the_url_and_a_new_session_restores_it(page_env):
    at = open_page()
    assert PROFILE_PARAM not in at.query_params
    at.session_state["rec_ratings"].update({STAR_WARS: 5.0, EMPIRE: 4.5, HEAT: 2.0})
    at.run()
    at.button(key=f"rec_watch_{card_ids(at)[0]}").click().run()
    at.button(key=f"rec_hide_{card_ids(at)[0]}").click().run()
    assert not at.exception
    watchlist, hidden = (
        list(at.session_state["rec_watchlist"]),
        list(at.session_state["rec_hidden"]),
    )
    assert len(watchlist) == len(hidden) == 1
    text = at.query_params[PROFILE_PARAM]
    decoded = decode_profile(text)
    assert decoded.profile.ratings == {STAR_WARS: 5.0, EMPIRE: 4.5, HEAT: 2.0}
    assert decoded.profile.watchlist == tuple(watchlist)
    assert decoded.profile.hidden == frozenset(hidden)
    link = next(c.value for c in at.code if PROFILE_PARAM in c.value)
    assert link.endswith(f"?{PROFILE_PARAM}={text}")

    fresh = open_page(**{PROFILE_PARAM: text})  # a reload: a new session, the same address
    assert not fresh.exception
    assert fresh.session_state["rec_ratings"] == {STAR_WARS: 5.0, EMPIRE: 4.5, HEAT: 2.0}
    assert fresh.session_state["rec_watchlist"] == watchlist
    assert fresh.session_state["rec_hidden"] == hidden
    assert any(s.value == "Your ratings (3)" for s in fresh.subheader)
    assert card_titles(fresh) == card_titles(at)
    assert fresh.query_params[PROFILE_PARAM] == text


def test_a_damaged_or_hostile_profile_link_warns_and_keeps_what_is_valid(page_env):
    ratings = {m: 4.0 for m in range(1, 400)}
    text = encode_profile(Profile(ratings))
    at = open_page(**{PROFILE_PARAM: text[: len(text) // 2]})
    assert not at.exception
    kept = at.session_state["rec_ratings"]
    assert 0 < len(kept) < len(ratings) and all(ratings[m] == s for m, s in kept.items())
    assert any("damaged or cut short" in w.value for w in at.warning)

    hostile = open_page(**{PROFILE_PARAM: "<b>[x](javascript:alert(1))</b>"})
    assert not hostile.exception
    assert hostile.session_state["rec_ratings"] == {}
    warning = next(w.value for w in hostile.warning if "profile link" in w.value)
    assert "<b>" not in warning and "javascript" not in warning
    assert PROFILE_PARAM not in hostile.query_params  # nothing valid: the address is cleaned


def test_not_interested_hides_a_card_and_another_takes_its_place(page_env):
    at = open_page()
    before = card_ids(at)
    at.button(key=f"rec_hide_{before[0]}").click().run()
    assert not at.exception
    after = card_ids(at)
    assert len(after) == 5 and before[0] not in after and after[:4] == before[1:]
    assert at.session_state["rec_hidden"] == [before[0]]
    assert at.session_state["rec_ratings"] == {}  # a hidden movie is not a rating
    at.button(key=f"rec_watch_{after[0]}").click().run()
    watched = card_ids(at)
    assert after[0] not in watched and at.session_state["rec_watchlist"] == [after[0]]
    labels = [e.label for e in at.expander]
    assert "🔖 Watchlist (1)" in labels and "🚫 Not interested (1)" in labels
    at.button(key=f"rec_unhide_{before[0]}").click().run()
    assert at.session_state["rec_hidden"] == [] and before[0] in card_ids(at)


def test_more_like_this_opens_pick_a_title_on_the_card_s_movie(page_env):
    at = open_page()
    first = card_ids(at)[0]
    title = card_titles(at)[0]
    at.button(key=f"rec_more_{first}").click().run()
    assert not at.exception
    assert at.segmented_control(key="rec_mode").value == "title"
    assert at.selectbox(key="rec_title_pick").value == first
    assert at.query_params["movie"] == str(first)
    assert len(card_titles(at)) == 10 and title not in card_titles(at)


def test_the_obscurity_control_reranks_towards_less_rated_films(page_env, ml):
    at = open_page()
    for movie_id in STAR_WARS_AND_INDY:
        at.session_state["rec_ratings"][movie_id] = 5.0
    at.run()
    counts = ml.ratings["movieId"].value_counts()
    before = card_ids(at)
    at.select_slider(key="rec_obscurity").set_value(OBSCURITY_MAX).run()
    assert not at.exception
    obscure = card_ids(at)
    assert obscure != before
    assert counts[obscure].median() < counts[before].median()


def test_two_sessions_get_different_lists_and_leave_the_shared_model_unchanged(
    page_env, ml, monkeypatch
):
    served_by: set[int] = set()
    real = Recommender.for_new_user

    def spy(self, *args, **kwargs):
        served_by.add(id(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Recommender, "for_new_user", spy)
    first = open_page()  # on a fresh fit, its first run may be served by a stage of it
    shared = get_recommender(ml)
    served_by.clear()
    first.run()
    assert served_by == {id(shared)}  # the page uses the process-wide cached model
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


def test_two_sessions_never_see_each_other_s_hidden_movies_or_watchlist(page_env):
    first, second = open_page(), open_page()
    shown = card_ids(first)
    first.button(key=f"rec_hide_{shown[0]}").click().run()
    first.button(key=f"rec_watch_{card_ids(first)[0]}").click().run()
    second.run()
    assert not first.exception and not second.exception
    assert second.session_state["rec_hidden"] == [] and second.session_state["rec_watchlist"] == []
    assert card_ids(second) == shown
    assert PROFILE_PARAM in first.query_params and PROFILE_PARAM not in second.query_params


def test_movie_night_combines_my_profile_with_a_pasted_link(page_env):
    friend = encode_profile(Profile({TOY_STORY: 5.0, TOY_STORY_2: 5.0, 2355: 4.5, 4886: 5.0}))
    at = open_page(mode="night")
    assert at.segmented_control(key="rec_mode").value == "night"
    for movie_id in STAR_WARS_AND_INDY:
        at.session_state["rec_ratings"][movie_id] = 5.0
    at.text_input(key="rec_night_name").set_value("Sam <b>*").run()
    at.text_input(key="rec_night_link").set_value(
        f"http://localhost:8501/recommend?profile={friend}"
    ).run()
    assert not at.exception
    cards = card_titles(at)
    assert len(cards) == 5 and "Toy Story (1995)" not in cards
    reasons = [c.value for c in at.caption if c.value.startswith("💡")]
    assert len(reasons) == 5 and all("Sam" in r and "<b>" not in r for r in reasons)
    at.radio(key="rec_night_aggregation").set_value("average").run()
    assert not at.exception and len(card_titles(at)) == 5
    at.text_input(key="rec_night_link").set_value("not a profile!").run()
    assert not at.exception
    assert any("profile link" in w.value for w in at.warning)


def test_a_visitor_can_choose_an_evaluated_recommender_with_its_quality_shown(page_env):
    at = open_page()
    for movie_id in STAR_WARS_AND_INDY:
        at.session_state["rec_ratings"][movie_id] = 5.0
    at.run()
    blend = card_ids(at)
    choice = at.selectbox(key="rec_model_pick")
    assert choice.value == ""  # the evaluated blend by default
    labels = choice.options  # as shown: formatted
    assert any("EASE" in label and "NDCG@5 0.346" in label for label in labels)
    assert not any("KNNBaseline" in label for label in labels)  # rating models do not rank
    choice.set_value("mostpop").run()
    assert not at.exception
    assert at.session_state["recommend_model_key"] == "mostpop"
    most_rated = card_ids(at)
    assert most_rated != blend
    # the most-rated list, minus what the visitor rated: Forrest Gump, Shawshank, Pulp Fiction…
    assert 356 in most_rated and 318 in most_rated
    at.selectbox(key="rec_model_pick").set_value("").run()
    assert "recommend_model_key" not in at.session_state
    assert card_ids(at) == blend


def test_while_the_shared_models_are_fitted_the_page_serves_the_crowd_at_once(
    page_env, monkeypatch
):
    """A visitor who arrives during the background fit (minutes at ml-32m) gets the zero-ratings
    list and the rating controls at once, keeps what they rate, and the page turns personal by
    itself once the models are ready."""
    release = threading.Event()
    fit = cache._fit_default
    monkeypatch.setattr(cache, "_WARMED", {})  # as on a freshly started server
    monkeypatch.setattr(cache, "_STAGES", {})
    monkeypatch.setattr(cache, "_fit_default", lambda ml: (release.wait(120), fit(ml))[1])
    try:
        at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
        at.switch_page(PAGE).run()
        assert not at.exception and fitting(at)
        crowd = card_titles(at)
        onboard = next(s for s in at.select_slider if str(s.key).startswith("rec_onboard_"))
        for movie_id in STAR_WARS_AND_INDY:
            at.session_state["rec_ratings"][movie_id] = 5.0
        at.run()
        assert card_titles(at) == crowd  # nothing personal yet: the crowd list, minus nothing
        assert any("are kept" in c.value for c in at.caption)
        at.session_state["rec_mode"] = "user"
        at.run()
        assert any("needs the personal models" in i.value for i in at.info)
        at.session_state["rec_mode"] = "rate"
    finally:
        release.set()
    next(iter(cache._WARMED.values())).result(timeout=TIMEOUT)
    at.run()
    assert not at.exception and not fitting(at)
    assert at.session_state["rec_ratings"] == dict.fromkeys(STAR_WARS_AND_INDY, 5.0)
    fan = card_titles(at)
    assert len(fan) == 5 and len(set(fan) & set(crowd)) <= 1  # now personalised
    assert onboard.key in at.session_state
    nobody = get_recommender(cache.get_movielens()).for_new_user({}, n=5)
    assert crowd == nobody["title"].tolist()  # the list the fitted models give for no ratings


def test_a_first_rating_is_answered_by_the_models_fitted_so_far(page_env, monkeypatch):
    """On a fresh server the fit stops, here, after its first model (ALS): a visitor's first
    rating already gets the personal list the whole recommender gives it; from three ratings
    (EASE's turn) the page keeps them and serves the crowd until the fit goes on."""
    release = threading.Event()

    def fit_held_after_first_stage(ml):
        rec = None
        for number, rec in enumerate(Recommender().fit_stages(ml)):
            cache._STAGES[ml.key] = rec
            if number == 0:
                release.wait(120)
        return rec

    monkeypatch.setattr(cache, "_WARMED", {})  # as on a freshly started server
    monkeypatch.setattr(cache, "_STAGES", {})
    monkeypatch.setattr(cache, "_fit_default", fit_held_after_first_stage)
    try:
        at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
        at.switch_page(PAGE).run()
        ml = cache.get_movielens()
        deadline = time.monotonic() + TIMEOUT
        while ml.key not in cache._STAGES and time.monotonic() < deadline:
            time.sleep(0.1)
        first, fan = {STAR_WARS: 5.0}, dict.fromkeys(STAR_WARS_AND_INDY, 5.0)
        at.session_state["rec_ratings"].update(first)
        at.run()
        assert not at.exception
        assert any("Personalised from your 1 rating(s)." in c.value for c in at.caption)
        assert any("models still being fitted" in c.value for c in at.caption)
        one = card_titles(at)
        # when the page's polling redraws it: only when what this visitor sees would change
        stage, crowd = cache._STAGES[ml.key], cache.crowd_recommender(ml)
        assert cache.newer_recommender(ml, crowd, first) is stage
        assert cache.newer_recommender(ml, stage, first) is None  # their final list already
        assert cache.newer_recommender(ml, crowd, {}) is None  # the crowd list is final at 0
        assert cache.newer_recommender(ml, crowd, fan) is None  # EASE is not fitted yet
        at.session_state["rec_ratings"].update(fan)
        at.run()
        assert any("are kept" in c.value for c in at.caption)  # EASE is not fitted yet
        assert at.session_state["rec_ratings"] == fan
    finally:
        release.set()
    whole = next(iter(cache._WARMED.values())).result(timeout=TIMEOUT)
    assert one == whole.for_new_user(first, n=5)["title"].tolist()
    assert cache.newer_recommender(ml, stage, first).complete  # the other modes open now
    at.run()
    assert not at.exception and not fitting(at)
    assert card_titles(at) == whole.for_new_user(fan, n=5)["title"].tolist()


def test_a_whole_star_dataset_is_rated_in_whole_stars(page_env, monkeypatch):
    """ml-100k is rated 1–5 in whole stars: every rating control offers those, starting at 4★;
    a half-star rating brought along (an import, a profile link) is kept as it is."""
    layouts = Path(__file__).resolve().parent.parent / "fixtures" / "datasets" / "layouts"
    monkeypatch.setenv("MOVIELENS_DIR", str(layouts / "ml-100k"))
    at = open_page()
    whole = [1.0, 2.0, 3.0, 4.0, 5.0]
    onboarding = [s for s in at.select_slider if str(s.key).startswith("rec_onboard_")]
    assert onboarding and all(s.options == ["not seen", *(f"{v:g} ★" for v in whole)]
                              for s in onboarding)  # fmt: skip
    at.text_input(key="rec_search").set_value("toy story").run()
    stars = at.select_slider(key="rec_search_stars")
    assert stars.options == [f"{v:g} ★" for v in whole] and stars.value == 4.0
    at.button(key="rec_search_add").click().run()
    assert at.session_state["rec_ratings"] == {1: 4.0}
    at.session_state["rec_ratings"][2] = 3.5  # e.g. imported from a 7/10 on IMDb
    at.run()
    assert not at.exception and at.select_slider(key="rec_rated_2").value == 3.5
    assert at.select_slider(key="rec_rated_1").options == [f"{v:g} ★" for v in whole]
