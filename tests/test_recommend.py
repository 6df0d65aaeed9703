"""The Recommender facade, its fold-in, the blend and the command line, on the real data, judged as
a movie fan would: typical profiles get believable lists with true reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.__main__ import main
from recommender.data import MovieFilters, load_movielens
from recommender.models import DEFAULT_MODEL, ModelConfig
from recommender.recommend import (
    BLEND_SCHEDULE,
    ENSEMBLE,
    RESULT_COLUMNS,
    TITLE_MODEL,
    BlendWeights,
    Recommender,
    blend_scores,
    blend_weights,
    fitting_order,
    item_based,
    movie_links,
    standardise,
)

STAR_WARS, EMPIRE, TOY_STORY, HEAT, MATRIX = 260, 1196, 1, 6, 2571
SCI_FI_FAN = {STAR_WARS: 5.0, EMPIRE: 5.0, 1210: 4.5, MATRIX: 5.0, 1240: 4.5,
              541: 4.5, 1200: 5.0, 1214: 5.0, 589: 4.0, 2628: 2.0}  # fmt: skip
KIDS_FAN = {TOY_STORY: 5.0, 3114: 5.0, 2355: 4.5, 4886: 5.0, 6377: 4.5,
            588: 4.5, 364: 5.0, 595: 4.0, 1907: 4.0, 8961: 4.5}  # fmt: skip


TITANIC, INDIANA_JONES, LAST_CRUSADE, JEDI = 1721, 1198, 1291, 1210
STAR_WARS_FAN = {STAR_WARS: 5.0, EMPIRE: 5.0, JEDI: 5.0, INDIANA_JONES: 5.0, LAST_CRUSADE: 4.5}
ROMCOM_FAN = {2424: 5.0, 539: 5.0, 597: 4.5, 1307: 5.0, 2671: 4.5}


@pytest.fixture(scope="module")
def rec(ml) -> Recommender:
    return Recommender().fit(ml)


@pytest.fixture(scope="module")
def knn_rec(ml) -> Recommender:
    """A model that predicts ratings, handed over as Compare models would."""
    return Recommender(DEFAULT_MODEL).fit(ml)


def test_results_have_the_contract_columns_and_no_rated_movie(rec):
    top = rec.for_new_user(SCI_FI_FAN)
    assert list(top.columns) == list(RESULT_COLUMNS)
    assert len(top) == 5
    assert not set(top["movieId"]) & set(SCI_FI_FAN)
    assert top["reason"].str.len().gt(10).all()
    assert top["match"].str.len().gt(5).all()
    assert top["predicted_rating"].isna().all()  # rankers rank: they predict no stars
    assert top["score"].is_monotonic_decreasing
    assert set(rec.personals_) == set(ENSEMBLE) and rec.model_.algorithm == "EASE"


def test_a_star_wars_fan_gets_adventure_not_the_zero_ratings_list(rec):
    fan = rec.for_new_user(STAR_WARS_FAN)
    nobody = rec.for_new_user({})
    assert len(set(fan["movieId"]) & set(nobody["movieId"])) <= 1
    adventure = fan["genres"].map(lambda g: bool({"Adventure", "Sci-Fi", "Action"} & set(g)))
    assert adventure.sum() >= 4
    assert fan["reason"].str.contains("you loved|people who liked", regex=True).sum() >= 3


def test_a_romcom_fan_gets_romance_and_comedy(rec):
    top = rec.for_new_user(ROMCOM_FAN)
    romantic = top["genres"].map(lambda g: bool({"Romance", "Comedy"} & set(g)))
    assert romantic.sum() >= 3


def test_a_single_rating_changes_the_list(rec):
    nobody = list(rec.for_new_user({})["movieId"])
    for ratings in ({MATRIX: 5.0}, {TITANIC: 1.0}, {HEAT: 3.0}):
        assert list(rec.for_new_user(ratings)["movieId"]) != nobody, ratings
    assert list(rec.for_new_user({MATRIX: 5.0})["movieId"]) != list(
        rec.for_new_user({TITANIC: 1.0})["movieId"]
    )


def test_a_low_rating_pushes_similar_movies_down(rec):
    liked = rec.for_new_user(ROMCOM_FAN, n=30)
    disliked = rec.for_new_user({**ROMCOM_FAN, 1: 1.0}, n=30)  # hated Toy Story
    kids = {m for m, g in zip(rec.movie_ids_, rec.genres_, strict=True) if "Children" in g}

    def rank_of_kids(frame):
        return [n for n, m in enumerate(frame["movieId"]) if m in kids]

    assert len(rank_of_kids(disliked)) <= len(rank_of_kids(liked))
    fans_of_toy_story = rec.similar_to(TOY_STORY, n=10)["movieId"]
    pushed = [m for m in fans_of_toy_story if m in set(liked["movieId"])]
    for movie in pushed:
        before = list(liked["movieId"]).index(movie)
        after = list(disliked["movieId"]).index(movie) if movie in set(disliked["movieId"]) else 99
        assert after >= before


def test_every_reason_names_a_contribution_that_is_really_among_the_largest(rec):
    top = rec.for_new_user(STAR_WARS_FAN, n=10)
    checked = 0
    for movie_id, reason, source in zip(top["movieId"], top["reason"], top["source"], strict=True):
        named = sorted(
            (m for m in STAR_WARS_FAN if rec.title_of(m) in reason),
            key=lambda m: reason.index(rec.title_of(m)),
        )
        if not named:
            continue
        model = rec.personals_[source.removeprefix("taste:")]  # the model the reason comes from
        parts = model.contributions(STAR_WARS_FAN, int(movie_id))
        largest = sorted(parts, key=lambda m: -parts[m])[:2]
        assert named[0] == largest[0] and set(named) <= set(largest), (movie_id, reason, source)
        checked += 1
    assert checked >= 3


def test_predicted_ratings_never_contradict_the_list(knn_rec):
    for ratings in ({TITANIC: 1.0}, STAR_WARS_FAN, {MATRIX: 5.0}, {HEAT: 3.0}):
        top = knn_rec.for_new_user(ratings, n=10)
        shown = top["predicted_rating"].dropna()
        assert (shown >= 3.5).all()  # a recommendation never says "you will dislike it"
        assert top["match"].str.len().gt(5).all()


def test_different_tastes_get_different_lists_and_personal_reasons(rec):
    sci_fi = rec.for_new_user(SCI_FI_FAN)
    kids = rec.for_new_user(KIDS_FAN)
    assert set(sci_fi["movieId"]) != set(kids["movieId"])
    kid_genres = {g for genres in kids["genres"] for g in genres}
    assert {"Animation", "Children"} & kid_genres
    reasons = " | ".join(kids["reason"])
    assert "because you" in reasons or "people who liked" in reasons or "shares" in reasons


def test_fold_in_matches_the_engine_and_changes_nothing(ml, rec, knn_rec):
    cf = knn_rec.personals_[knn_rec.lead_].knn_
    mine = pd.Series(cf.fold_in(SCI_FI_FAN).estimates, index=knn_rec.movie_ids_)
    engine = cf.algo_.fold_in(SCI_FI_FAN, clip=False)
    assert np.allclose(mine.reindex(engine.index).to_numpy(), engine.to_numpy(), atol=1e-6)
    for model in (rec, knn_rec):
        before = model.fingerprint()
        for ratings in (SCI_FI_FAN, KIDS_FAN, {}, {TITANIC: 1.0}):
            model.for_new_user(ratings)
        model.similar_to(HEAT)
        model.for_user(42)
        assert model.fingerprint() == before


def test_zero_ratings_give_crowd_favourites_and_onboarding_varies_genres(rec):
    top = rec.for_new_user({}, n=10)
    assert top["reason"].str.startswith("popular and well rated").all()
    assert (top["match"] == "crowd favourite").all()
    assert top["n_ratings"].min() >= 100
    onboarding = rec.onboarding(10)
    assert len({g for genres in onboarding["genres"] for g in genres}) >= 8


def test_filters_apply_and_an_empty_result_is_an_empty_frame(rec):
    filters = MovieFilters(genres=("Comedy",), years=(1990, 1999), min_ratings=20)
    top = rec.for_new_user(SCI_FI_FAN, filters=filters)
    assert len(top) == 5
    assert top["genres"].map(lambda g: "Comedy" in g).all()
    assert top["year"].between(1990, 1999).all()
    assert (top["n_ratings"] >= 20).all()
    nothing = rec.for_new_user(
        SCI_FI_FAN, filters=MovieFilters(years=(1900, 1901), min_ratings=300)
    )
    assert nothing.empty and list(nothing.columns) == list(RESULT_COLUMNS)


def test_unknown_movies_are_ignored_but_never_recommended(rec):
    top = rec.for_new_user({STAR_WARS: 5.0, 999_999_999: 4.0})
    assert len(top) == 5 and STAR_WARS not in set(top["movieId"])
    assert rec.known_ratings({STAR_WARS: 5.0, 999_999_999: 4.0}) == {STAR_WARS: 5.0}


def test_collaborative_reason_names_a_rated_movie(rec):
    reasons = rec.for_new_user(SCI_FI_FAN, n=20)["reason"]
    cf_reasons = reasons[reasons.str.contains("because you|people who liked", regex=True)]
    assert len(cf_reasons) >= 5
    titles = {rec.title_of(m) for m in SCI_FI_FAN}
    assert all(any(t in r for t in titles) for r in cf_reasons)
    assert cf_reasons.str.contains("★").all()


def test_similar_to_gives_both_views_with_scores(rec):
    cf = rec.similar_to(HEAT, method="collaborative")
    content = rec.similar_to(HEAT, method="content")
    for frame in (cf, content):
        assert len(frame) == 5 and HEAT not in set(frame["movieId"])
        assert frame["score"].is_monotonic_decreasing and (frame["score"] > 0).all()
        assert frame["reason"].str.contains("Heat (1995)", regex=False).all()
    assert cf["reason"].str.startswith("people who liked Heat (1995) also liked this").all()
    assert set(cf["movieId"]) != set(content["movieId"])
    assert content["reason"].str.startswith("shares").all()
    blended = rec.similar_to(HEAT, method="blend")
    assert len(blended) == 5
    with pytest.raises(ValueError, match="Unknown method"):
        rec.similar_to(HEAT, method="magic")
    with pytest.raises(KeyError, match="not in the dataset"):
        rec.similar_to(-5)


def test_content_ties_go_to_what_fans_of_the_film_prefer(rec):
    """Heat shares its three genres, and nothing else, with dozens of films (all at 1.00): the
    order among them is what the collaborative model recommends to a fan of Heat."""
    content = rec.similar_to(HEAT, n=5, method="content")
    assert (content["score"] == 1.0).all()
    fans = rec.personals_[rec.title_model_].similar(HEAT)
    preference = fans[rec.index_.get_indexer(content["movieId"])]
    assert list(preference) == sorted(preference, reverse=True)
    tied = rec.similar_to(HEAT, n=200, method="content")
    tied = tied[tied["score"] == 1.0]
    best_tied = fans[rec.index_.get_indexer(tied["movieId"])].max()
    assert preference[0] == best_tied


def test_the_title_model_is_the_one_benchmarks_chose(rec, knn_rec):
    assert rec.title_model_ == TITLE_MODEL == "ALS" and rec.lead_ == "EASE"
    assert knn_rec.title_model_ == knn_rec.lead_  # a hand-picked model serves every mode
    notting_hill = rec.similar_to(2671)  # a romcom fan's next films are romcoms
    assert notting_hill["genres"].map(lambda g: "Romance" in g or "Comedy" in g).all()


def test_empty_lists_say_the_true_reason(ml, rec):
    unrated = int(rec.catalog_.loc[rec.catalog_["n_ratings"] == 0, "movieId"].iloc[0])
    assert rec.similar_to(unrated).empty
    assert rec.empty_reason(None, unrated, "collaborative").startswith("Nobody has rated")
    heat_fans = rec.empty_reason(MovieFilters(years=(1900, 1901)), HEAT, "collaborative")
    assert heat_fans.startswith("No movie matches the filters")
    assert rec.empty_reason(MovieFilters(years=(1900, 1901))).startswith("No movie matches")
    assert "nothing left" in rec.empty_reason(None)
    once = int(rec.catalog_.loc[rec.catalog_["n_ratings"] == 1, "movieId"].iloc[0])
    reasons = rec.similar_to(once)["reason"]
    assert reasons.str.startswith("the only person who rated").all()


def test_for_user_never_recommends_what_they_rated(ml, rec):
    rated = set(ml.ratings.loc[ml.ratings["userId"] == 42, "movieId"])
    top = rec.for_user(42)
    assert len(top) == 5 and not set(top["movieId"]) & rated
    history = rec.user_history(42)
    assert len(history) == len(rated) and history["rating"].is_monotonic_decreasing
    with pytest.raises(KeyError, match="User 99999"):
        rec.for_user(99999)


def test_blend_weights_follow_the_schedule():
    assert blend_weights(0) == BLEND_SCHEDULE[0][1]
    assert blend_weights(4) == dict(BLEND_SCHEDULE)[3]
    assert blend_weights(500) == BLEND_SCHEDULE[-1][1]
    thresholds = [t for t, _ in BLEND_SCHEDULE]
    assert thresholds == sorted(thresholds)
    signals = {name for _, w in BLEND_SCHEDULE for name, _ in w}
    assert signals <= {"most_rated", "popularity", "content", *ENSEMBLE}


def test_blend_is_the_weighted_sum_of_standardised_signals():
    rng = np.random.default_rng(0)
    names = ("popularity", "content", "EASE")
    signals = {name: rng.normal(size=50) * (i + 1) + i for i, name in enumerate(names)}
    signals["EASE"][3] = np.nan  # a movie the model does not know ranks last
    candidates = rng.random(50) > 0.3
    weights = BlendWeights(popularity=1.0, content=0.5, EASE=2.0)
    expected = (
        standardise(signals["popularity"], candidates)
        + 0.5 * standardise(signals["content"], candidates)
        + 2.0 * standardise(signals["EASE"], candidates)
    )
    assert np.allclose(blend_scores(signals, weights, candidates), expected)
    z = standardise(signals["content"], candidates)[candidates]
    assert z.mean() == pytest.approx(0, abs=1e-9) and z.std() == pytest.approx(1)


def test_user_based_configurations_use_their_item_based_counterpart():
    user = ModelConfig("KNNWithMeans", "pearson", user_based=True, k=20)
    assert item_based(user) == ModelConfig("KNNWithMeans", "pearson", False, 20)
    assert item_based(ModelConfig("SVD")) == DEFAULT_MODEL
    assert item_based(DEFAULT_MODEL) is DEFAULT_MODEL


def test_links_point_to_movielens_imdb_and_tmdb(rec):
    row = rec.catalog_.iloc[rec.row_of(TOY_STORY)]
    assert movie_links(row["movieId"], row["imdbId"], row["tmdbId"]) == {
        "MovieLens": "https://movielens.org/movies/1",
        "IMDb": "https://www.imdb.com/title/tt0114709/",
        "TMDB": "https://www.themoviedb.org/movie/862",
    }
    assert list(movie_links(5, None, pd.NA)) == ["MovieLens"]


@pytest.fixture()
def cli(movielens_dir, rec, monkeypatch, capsys):
    """Run ``python -m recommender recommend …`` against the already fitted recommender."""
    monkeypatch.setattr(Recommender, "from_movielens", classmethod(lambda cls, ml, model: rec))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data", str(movielens_dir), "recommend", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_rate(cli, rec):
    code, out, _ = cli("--rate", "260=5", "--rate", "1196=4.5")
    assert code == 0
    lines = [line for line in out.splitlines() if line[:2] in {f"{i}." for i in range(1, 6)}]
    assert len(lines) == 5 and "match" in lines[0]
    assert "Star Wars: Episode IV" not in "\n".join(lines)


def test_cli_similar_and_user(cli):
    code, out, _ = cli("similar", "toy story")
    assert code == 0 and "Most similar to Toy Story (1995)" in out
    assert "Collaborative:" in out and "Content:" in out
    code, out, _ = cli("user", "42")
    assert code == 0 and "Top 5 for user 42" in out


def test_cli_bad_input_is_a_clear_message(cli):
    code, _, err = cli("similar", "Godfathr")
    assert code == 2 and "Did you mean" in err and "Godfather" in err
    code, _, err = cli("user", "99999")
    assert code == 2 and "User 99999" in err
    with pytest.raises(SystemExit):
        cli("--rate", "260=7")


def test_no_movielens_link_where_movie_ids_are_not_movielens_org_ids() -> None:
    # ml-100k's item ids and an upload's ids are not movielens.org's: a link would open a stranger
    assert movie_links(1, "0114709", 862, movielens_ids=False) == {
        "IMDb": "https://www.imdb.com/title/tt0114709/",
        "TMDB": "https://www.themoviedb.org/movie/862",
    }
    assert movie_links(5, None, pd.NA, movielens_ids=False) == {}


def test_ml_100k_cards_link_the_imdb_page_its_u_item_gives() -> None:
    """ml-100k has no links.csv but u.item carries each movie's IMDb URL: the card links it
    (brackets and spaces encoded for the markdown link), and never movielens.org."""
    layouts = Path(__file__).parent / "fixtures" / "datasets" / "layouts"
    ml = load_movielens(layouts / "ml-100k")
    rec = Recommender.crowd_only(ml)
    toy = rec.catalog_.set_index("movieId").loc[1]
    links = movie_links(1, toy["imdbId"], toy["tmdbId"], ml.movie_ids_are_movielens,
                        toy["imdbUrl"])  # fmt: skip
    assert list(links) == ["IMDb"]
    assert links["IMDb"].startswith(("http://", "https://")) and "imdb.com" in links["IMDb"]
    assert not {" ", "(", ")"} & set(links["IMDb"])
    assert movie_links(1, None, None, False, "javascript:alert(1)") == {}


def test_models_are_fitted_in_the_order_a_growing_history_first_needs_them():
    # the schedule weighs ALS from 1 rating, EASE from 3 and UserKNN from 5
    assert fitting_order(ENSEMBLE) == ["ALS", "EASE", "UserKNN"]
    assert fitting_order(("EASE", "UserKNN")) == ["EASE", "UserKNN"]  # ties keep their order
    never = (BLEND_SCHEDULE[0],)  # a schedule that weighs no model: the given order
    assert fitting_order(ENSEMBLE, never) == list(ENSEMBLE)


def test_each_stage_of_the_fit_answers_the_visitors_it_serves_as_the_whole_recommender(ml, rec):
    """A fresh server answers a first rating before EASE is fitted: every stage serves exactly
    the visitors whose blend needs only its models, with the list the complete one gives them,
    and a stage is never changed by the fitting that follows it."""
    one, three, many = {STAR_WARS: 5.0}, dict(list(STAR_WARS_FAN.items())[:3]), STAR_WARS_FAN
    stages, prints = [], []
    whole = Recommender()
    for stage in whole.fit_stages(ml):
        stages.append(stage)
        prints.append(stage.fingerprint())
    assert [list(s.personals_) for s in stages] == [
        ["ALS"],
        ["ALS", "EASE"],
        ["ALS", "EASE", "UserKNN"],
    ]
    assert stages[-1] is whole and whole.complete and not any(s.complete for s in stages[:-1])
    crowd = Recommender.crowd_only(ml)
    assert all(s.personalised for s in stages) and not crowd.complete
    assert crowd.serves({}) and not crowd.serves(one)  # its list is final only for nobody
    assert [s.fingerprint() for s in stages] == prints  # snapshots untouched by later models
    assert [(s.serves({}), s.serves(one), s.serves(three), s.serves(many)) for s in stages] == [
        (True, True, False, False),
        (True, True, True, False),
        (True, True, True, True),
    ]
    assert whole.fingerprint() == rec.fingerprint()  # fit() is the same fit, run to the end
    for stage in stages:
        for visitor in (one, three, many):
            if stage.serves(visitor):
                pd.testing.assert_frame_equal(
                    stage.for_new_user(visitor), rec.for_new_user(visitor)
                )
    assert stages[0].model_ == rec.model_ and stages[0].title_model_ == rec.title_model_


def test_the_crowd_stage_gives_the_zero_ratings_list_of_the_fitted_recommender(ml, rec):
    crowd = Recommender.crowd_only(ml)
    assert not crowd.personalised and rec.personalised
    expected = rec.for_new_user({}, n=5)
    pd.testing.assert_frame_equal(crowd.for_new_user({}, n=5), expected)
    # whatever the visitor rated meanwhile: still the crowd's list, minus what they rated
    fan = crowd.for_new_user({260: 5.0, 1196: 5.0}, n=5)
    assert 260 not in fan["movieId"].tolist() and (fan["source"] == "popular").all()
    pd.testing.assert_frame_equal(crowd.onboarding(12), rec.onboarding(12))
    comedies = MovieFilters(genres=("Comedy",))
    pd.testing.assert_frame_equal(
        crowd.for_new_user({}, n=5, filters=comedies), rec.for_new_user({}, n=5, filters=comedies)
    )
