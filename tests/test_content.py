"""Content similarity (TF-IDF over genres and tags) and popularity on the real ml-latest-small."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.recommend.content import ContentModel, movie_documents
from recommender.recommend.popularity import PopularityModel, bayesian_average, varied_top

HEAT, TOY_STORY, TOY_STORY_2, PULP_FICTION = 6, 1, 3114, 296


@pytest.fixture(scope="module")
def content(ml) -> ContentModel:
    return ContentModel().fit(ml.movies, ml.tags)


def test_documents_hold_genres_and_lowercased_tags(ml):
    docs = movie_documents(ml.movies, ml.tags)
    pulp = docs[int(np.flatnonzero(ml.movies["movieId"] == PULP_FICTION)[0])]
    assert "genre:Crime" in pulp
    assert any(t.startswith("tag:") and t == t.lower() for t in pulp)
    assert len(docs) == len(ml.movies)


def test_similarity_is_cosine_between_unit_rows(content):
    sims = content.similarities(TOY_STORY)
    assert sims.shape == (len(content.movie_ids_),)
    assert sims[content.positions([TOY_STORY])[0]] == pytest.approx(1.0, abs=1e-5)
    assert sims.min() >= -1e-6 and sims.max() <= 1 + 1e-6
    top = content.movie_ids_[np.argsort(-sims)[1:6]]
    assert TOY_STORY_2 in top  # same genres and many shared tags (pixar, animation…)


def test_unknown_movie_raises_key_error(content):
    with pytest.raises(KeyError, match="not in the content model"):
        content.similarities(-1)


def test_profile_leans_toward_liked_and_away_from_disliked(content):
    liked = content.score_profile({HEAT: 5.0})
    disliked = content.score_profile({HEAT: 1.0})
    alike = content.similarities(HEAT) > 0.5
    assert liked[alike].mean() > 0 > disliked[alike].mean()
    assert np.all(content.score_profile({}) == 0)
    assert np.all(content.score_profile({-1: 5.0}) == 0)  # unknown movies carry no content


def test_explanation_names_shared_genres_and_tags(content):
    text = content.shared_terms(TOY_STORY_2, TOY_STORY).describe("Toy Story (1995)")
    assert text.startswith("shares ") and text.endswith("with Toy Story (1995)")
    assert "Animation" in text and "the tag" in text


def test_bayesian_average_shrinks_small_counts_toward_the_mean(ml):
    stats = bayesian_average(ml.ratings, prior_count=10)
    mean = ml.ratings["rating"].mean()
    one = stats[stats["n_ratings"] == 1].iloc[0]
    assert abs(one["bayes_rating"] - mean) < abs(one["mean_rating"] - mean) + 1e-9
    many = stats.loc[318]  # Shawshank: hundreds of ratings, barely shrunk
    assert many["bayes_rating"] == pytest.approx(many["mean_rating"], abs=0.05)


def test_varied_top_spreads_genres(ml):
    model = PopularityModel().fit(ml.ratings, ml.movies["movieId"].to_numpy())
    genres = list(ml.movies["genres"])
    plain = np.argsort(-model.scores_)[:12]
    varied = varied_top(model.scores_, genres, 12)
    assert len(varied) == 12 and len(set(varied)) == 12
    n_genres = lambda rows: len({g for r in rows for g in genres[r]})  # noqa: E731
    assert n_genres(varied) >= n_genres(plain)
    first_genres = pd.Series([g for r in varied for g in genres[r]]).value_counts()
    assert first_genres.iloc[0] <= 8  # no single genre on (almost) every pick
