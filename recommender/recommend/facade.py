"""The Recommender facade: a top-5 with reasons for a new visitor, a title, or an existing user.

Three signals are fitted once on the whole dataset and never changed afterwards (the fitted
:class:`Recommender` is shared by every visitor of the app):

* **popularity** — Bayesian-average rating plus log number of ratings (:mod:`~.popularity`);
* **content** — TF-IDF of genres and tags, cosine similarity to the visitor (:mod:`~.content`);
* **personal** — the recommendation models (:mod:`~.personal`; by default EASE, the best top-N model
  on Compare models, with UserKNN and ALS, which add most with few ratings) scoring the visitor's
  history by fold-in: no refit, no mutation.

**Blend.** Each signal is standardised (z-score over the candidate movies) and summed with weights
that depend on how many movies the visitor has rated (:mod:`~.blend`, chosen by
``benchmarks/cold_start.py``). With 0 ratings the list is popular, well-rated movies spread
across genres. Cards carry a reason and a match in plain words (:mod:`~.reasons`).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from recommender import settings
from recommender.data import RATING_MAX, RATING_MIN, MovieFilters, MovieLens
from recommender.models import ModelConfig
from recommender.recommend.blend import (
    BLEND_SCHEDULE,
    CROWD_SIGNALS,
    DISLIKE_WEIGHT,
    ENSEMBLE,
    TITLE_MODEL,
    BlendWeights,
    blend_scores,
    blend_weights,
    single_model_schedule,
    standardise,
)
from recommender.recommend.catalog import RESULT_COLUMNS, build_catalog, top_rows
from recommender.recommend.content import ContentModel
from recommender.recommend.histories import UserHistories
from recommender.recommend.personal import (
    DISLIKED_BELOW,
    PersonalModel,
    PersonalScores,
    fit_in_order,
)
from recommender.recommend.popularity import PopularityModel, varied_top
from recommender.recommend.reasons import (
    match_words,
    no_neighbours_reason,
    supporting,
    taste_reason,
)
from recommender.recommend.steering import history_with_hidden, steer

__all__ = ["DEFAULT_RECOMMENDER", "NOTHING_LEFT", "NO_MATCH_FILTERS", "Recommender"]

FEW_RATINGS = 5  # below this, "people who liked X" would overstate what a handful of ratings say
NO_MATCH_FILTERS = "No movie matches the filters: widen the genres, years or minimum ratings."
NOTHING_LEFT = (
    "Every movie the model knows is already rated here: there is nothing left to suggest."
)

DEFAULT_RECOMMENDER = ModelConfig("EASE")
"""The best top-N model on Compare models (EASE on rating-weighted inputs: P@5 0.30, NDCG@5 0.345
on the 5-fold protocol): it leads the ensemble and serves "pick a user"."""


class Recommender:
    """Top-N recommendations with reasons; fit once, then query without changing anything.

    ``model``: a model chosen by hand (a ranker or a KNN configuration), used alone with
    :func:`~.blend.single_model_schedule`; by default the :data:`~.blend.ENSEMBLE` led by
    :data:`DEFAULT_RECOMMENDER` with :data:`~.blend.BLEND_SCHEDULE`.
    """

    def __init__(self, model: ModelConfig | None = None, schedule=None):
        self.model = model
        self.schedule = schedule

    @classmethod
    def from_movielens(cls, ml: MovieLens, model: ModelConfig | None = None) -> Recommender:
        """Fit on the whole dataset."""
        return cls(model=model).fit(ml)

    # -- fitting ----------------------------------------------------------------------------

    def fit(
        self, ml: MovieLens, ratings: pd.DataFrame | None = None, tags: pd.DataFrame | None = None
    ) -> Recommender:
        """Learn every signal from ``ratings``/``tags`` (default: all of ``ml``'s)."""
        for _ in self.fit_stages(ml, ratings, tags):
            pass
        return self

    def fit_stages(
        self, ml: MovieLens, ratings: pd.DataFrame | None = None, tags: pd.DataFrame | None = None
    ) -> Iterator[Recommender]:
        """Fit as :meth:`fit` does, one personal model at a time (:func:`~.personal.fit_in_order`),
        yielding after each what is fitted so far: a recommender never changed afterwards that
        answers every visitor whose blend uses only those models (:meth:`serves`); the last is
        ``self``, complete. So a fresh server answers a first rating before EASE is fitted."""
        ratings = ml.ratings if ratings is None else ratings
        tags = ml.tags if tags is None else tags
        self._fit_crowd(ml, ratings)
        self.content_ = ContentModel().fit(ml.movies, tags)
        default = {DEFAULT_RECOMMENDER.algorithm: DEFAULT_RECOMMENDER}
        configs = [self.model] if self.model else [default.get(n, ModelConfig(n)) for n in ENSEMBLE]
        self.planned_ = tuple(c.algorithm for c in configs)
        self.lead_ = configs[0].algorithm  # serves "pick a user" (benchmarks/ranking.py)
        self.model_ = configs[0]  # its fitted configuration once it is fitted (a KNN's resolves)
        # "pick a title": benchmarks/pick_a_title.py; a model chosen by hand serves everything
        self.title_model_ = TITLE_MODEL if TITLE_MODEL in self.planned_ else self.lead_
        self.schedule_ = self.schedule or (
            single_model_schedule(self.lead_) if self.model else BLEND_SCHEDULE
        )
        self._ratings_arrays = tuple(ratings[c].to_numpy() for c in ("userId", "movieId", "rating"))
        self.user_ratings_ = UserHistories(*self._ratings_arrays)
        self.personals_: dict[str, PersonalModel] = {}
        ordered = fit_in_order(configs, self.schedule_, ratings, self.movie_ids_, DISLIKE_WEIGHT)
        for fitted in ordered:
            name = fitted.config.algorithm
            # a new dict, never an update: the snapshots already yielded keep theirs
            self.personals_ = {**self.personals_, name: fitted}
            if name == self.lead_:
                self.model_ = fitted.config_
            if not self.complete:
                yield copy.copy(self)
        yield self

    @classmethod
    def crowd_only(cls, ml: MovieLens) -> Recommender:
        """The crowd favourites alone (catalogue and popularity: about a second at ml-32m), while
        the personal models are fitted: every list it gives is the full recommender's list for
        someone who rated nothing, and :attr:`personalised` is False."""
        rec = cls()
        rec._fit_crowd(ml, ml.ratings)
        rec.personals_ = {}
        rec.planned_ = ()
        rec.schedule_ = BLEND_SCHEDULE[:1]  # zero ratings' weights, whatever was rated
        return rec

    @property
    def personalised(self) -> bool:
        """Whether personal models are fitted (:meth:`crowd_only`: no; a stage of the fit: some)."""
        return bool(self.personals_)

    @property
    def complete(self) -> bool:
        """Whether every personal model is fitted (:meth:`fit` done; never for :meth:`crowd_only`)."""
        return self.personalised and len(self.personals_) == len(self.planned_)

    def serves(self, ratings: Mapping[int, float]) -> bool:
        """Whether :meth:`for_new_user` answers a visitor who rated ``ratings`` exactly as the
        complete recommender would: every personal model their blend weighs is fitted (for
        :meth:`crowd_only`: they rated nothing)."""
        known = self.known_ratings(ratings)
        weights = blend_weights(len(known), self.schedule_)
        fitted = all(name in self.personals_ for name, _ in weights if name in self.planned_)
        return fitted if self.personalised else not known

    def _fit_crowd(self, ml: MovieLens, ratings: pd.DataFrame) -> None:
        """The catalogue, its ids and titles, and the popularity signals."""
        self.catalog_ = build_catalog(ml.movies, ratings, ml.links)
        self.movielens_ids_ = ml.movie_ids_are_movielens  # link cards to movielens.org?
        self.movie_ids_ = self.catalog_["movieId"].to_numpy(np.int64)
        self.index_ = pd.Index(self.movie_ids_)
        self.popularity_ = PopularityModel().fit(ratings, self.movie_ids_)
        self.genres_ = list(self.catalog_["genres"])
        self.titles_ = self.catalog_["title"].to_numpy(object)

    # -- helpers ----------------------------------------------------------------------------

    def row_of(self, movie_id: int) -> int:
        """Catalog row of ``movie_id``; KeyError naming it if unknown."""
        pos = self.index_.get_indexer([int(movie_id)])[0]
        if pos < 0:
            raise KeyError(f"Movie {movie_id} is not in the dataset.")
        return int(pos)

    def title_of(self, movie_id: int) -> str:
        return str(self.titles_[self.row_of(movie_id)])

    def known_ratings(self, ratings: Mapping[int, float]) -> dict[int, float]:
        """The ratings of movies in the dataset (others cannot inform anything)."""
        ids = np.fromiter((int(m) for m in ratings), np.int64, len(ratings))
        known = self.index_.get_indexer(ids) >= 0
        return {int(m): float(ratings[m]) for m, ok in zip(ratings, known, strict=True) if ok}

    def _candidates(self, exclude: Sequence[int], filters: MovieFilters | None) -> np.ndarray:
        n_ratings = self.catalog_["n_ratings"].to_numpy()
        mask = (filters or MovieFilters()).mask(self.catalog_, n_ratings)
        rows = self.index_.get_indexer(np.asarray(list(exclude), dtype=np.int64))
        mask[rows[rows >= 0]] = False
        return mask

    def signals(
        self, ratings: Mapping[int, float], weights: BlendWeights | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, PersonalScores]]:
        """The raw signals of :mod:`~.blend` for a visitor (page, CLI and benchmark); only the
        personal models ``weights`` use are asked (all of them without weights)."""
        wanted = [n for n in self.personals_ if weights is None or weights.get(n)]
        personal = {n: self.personals_[n].score(ratings) for n in wanted}
        signals = {
            "most_rated": self.popularity_.n_ratings_.astype(np.float64),
            "popularity": self.popularity_.scores_,
        }
        if weights is None or weights.get("content"):
            signals["content"] = self.content_.score_profile(ratings)
        return signals | {n: p.scores for n, p in personal.items()}, personal

    # -- queries ----------------------------------------------------------------------------

    def for_new_user(
        self,
        ratings: Mapping[int, float],
        n: int = settings.TOP_N,
        filters: MovieFilters | None = None,
        exclude: Iterable[int] = (),
        obscurity: float = 0.0,
        hidden: Iterable[int] = (),
    ) -> pd.DataFrame:
        """Top-``n`` for someone who rated ``ratings`` ({movieId: 0.5..5}); never a rated movie,
        nor one in ``exclude`` (e.g. the watchlist) or ``hidden`` ("not interested": folded in as
        dislikes, :func:`~.steering.history_with_hidden`; the blend weights still follow the
        number of ratings). ``obscurity`` re-ranks between popular and obscure films
        (:func:`~.steering.steer`; 0 leaves the list as it is)."""
        hidden = list(hidden)
        known = self.known_ratings(ratings)
        weights = blend_weights(len(known), self.schedule_)
        history = self.known_ratings(history_with_hidden(known, hidden))
        excluded = [*ratings, *hidden, *exclude]
        return self._ranked(history, excluded, weights, n, filters, obscurity)

    def visitor_scores(
        self,
        ratings: Mapping[int, float],
        hidden: Iterable[int] = (),
        filters: MovieFilters | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(blended score of every catalogue row, candidate mask) for a visitor, as
        :meth:`for_new_user` ranks them before steering; ``-inf`` where not a candidate (rated,
        hidden, filtered out). Movie night combines two of these."""
        hidden = list(hidden)
        known = self.known_ratings(ratings)
        weights = blend_weights(len(known), self.schedule_)
        candidates = self._candidates([*ratings, *hidden], filters)
        signals, _ = self.signals(self.known_ratings(history_with_hidden(known, hidden)), weights)
        total = blend_scores(signals, weights, candidates)
        total[~candidates] = -np.inf
        return total, candidates

    def onboarding(self, n: int = 12) -> pd.DataFrame:
        """Popular, well-rated movies spread across genres: a first set to rate."""
        candidates = self._candidates([], None)
        rows = varied_top(self.popularity_.scores_, self.genres_, n, candidates)
        return self._frame(rows, self.popularity_.bayes_rating_[rows], {"kind": "popular"})

    def _ranked(self, known: dict[int, float], exclude: list[int], weights: BlendWeights, n: int,
                filters: MovieFilters | None, obscurity: float = 0.0) -> pd.DataFrame:  # fmt: skip
        """The top-``n`` of the blend ``weights`` for ratings ``known``, never a movie in
        ``exclude``, steered by ``obscurity``."""
        candidates = self._candidates(exclude, filters)
        signals, personal = self.signals(known, weights)
        total = blend_scores(signals, weights, candidates)
        total[~candidates] = -np.inf
        total = steer(total, self.popularity_.n_ratings_, candidates, obscurity)
        rows = top_rows(total, n, self.popularity_.n_ratings_)
        context = {"kind": "taste" if weights.personal else "popular", "ratings": known,
                   "weights": weights, "signals": signals, "candidates": candidates,
                   "personal": personal}  # fmt: skip
        return self._frame(rows, total[rows], context)

    def for_user(
        self, user_id: int, n: int = settings.TOP_N, filters: MovieFilters | None = None
    ) -> pd.DataFrame:
        """Top-``n`` for an existing user of the dataset, never a movie they rated."""
        if int(user_id) not in self.user_ratings_:
            raise KeyError(f"User {user_id} is not in the dataset.")
        # The 5-fold protocol measures exactly this case (a user with their whole history):
        # the lead model alone ranks best there.
        history = self.user_ratings_[int(user_id)]
        return self._ranked(history, list(history), BlendWeights(**{self.lead_: 1.0}), n, filters)

    def user_history(self, user_id: int) -> pd.DataFrame:
        """An existing user's ratings with titles, best first."""
        if int(user_id) not in self.user_ratings_:
            raise KeyError(f"User {user_id} is not in the dataset.")
        rated = self.user_ratings_[int(user_id)]
        rows = self.index_.get_indexer(np.fromiter(rated, np.int64, len(rated)))
        history = self.catalog_.iloc[rows][["movieId", "title", "year", "genres"]].copy()
        history["rating"] = list(rated.values())
        return history.sort_values(["rating", "title"], ascending=[False, True]).reset_index(
            drop=True
        )

    def similar_to(
        self,
        movie_id: int,
        n: int = settings.TOP_N,
        filters: MovieFilters | None = None,
        method: str = "collaborative",
    ) -> pd.DataFrame:
        """The ``n`` movies most like ``movie_id``: ``collaborative`` (what the model recommends to
        a fan of the film), ``content`` (genres and tags) or ``blend`` (both, standardised).

        Content similarities tie often (every movie with exactly the same genres and no tags
        scores 1.0), so content ties go to the film the collaborative model prefers for a fan."""
        row = self.row_of(movie_id)
        candidates = self._candidates([movie_id], filters)
        collaborative = self.personals_[self.title_model_].similar(int(movie_id))
        tie_break = self.popularity_.n_ratings_
        if method == "collaborative":
            score = collaborative
        elif method == "content":
            score = np.round(self.content_.similarities(int(movie_id)), 9)  # float noise is a tie
            tie_break = np.where(np.isfinite(collaborative), collaborative, -np.inf)
        elif method == "blend":
            both = {"personal": collaborative, "content": self.content_.similarities(int(movie_id))}
            score = blend_scores(both, BlendWeights(content=1.0, personal=1.0), candidates)
        else:
            raise ValueError(f"Unknown method {method!r}; use collaborative, content or blend.")
        score = np.asarray(score, dtype=np.float64)
        score[row] = np.nan
        ranked = np.where(candidates & np.isfinite(score), score, -np.inf)
        if method != "blend":  # a similarity of 0 says nothing: no padding with noise
            ranked[ranked <= 0] = -np.inf
        rows = top_rows(ranked, n, tie_break)
        return self._frame(
            rows, score[rows], {"kind": f"similar-{method}", "anchor": int(movie_id)}
        )

    def empty_reason(
        self, filters: MovieFilters | None = None, movie_id: int | None = None, method: str = ""
    ) -> str:
        """Why a list came back empty, in plain words: the filters, or (for a picked title) that
        too few people rated it or that it shares no genre or tag with any other film."""
        if movie_id is not None and not self.similar_to(movie_id, 1, None, method).empty:
            return NO_MATCH_FILTERS
        if movie_id is None:
            return NO_MATCH_FILTERS if filters and not filters.is_default else NOTHING_LEFT
        count = int(self.popularity_.n_ratings_[self.row_of(movie_id)])
        has_terms = self.content_.has_terms(int(movie_id))
        return no_neighbours_reason(self.title_of(movie_id), method, count, has_terms)

    # -- results ----------------------------------------------------------------------------

    def _taste_card(self, row: int, context: Mapping[str, Any]) -> tuple:
        """(reason, match words, predicted rating to show) of a personalised card: the reason
        comes from the signal that lifted this movie most."""
        ratings, weights = context["ratings"], context["weights"]
        movie_id = int(self.movie_ids_[row])
        liked = {m: r for m, r in ratings.items() if r >= DISLIKED_BELOW}
        lift = {
            name: w * standardise(context["signals"][name], context["candidates"])[row]
            for name, w in weights
            if name in context["signals"] and name not in CROWD_SIGNALS
        }
        personal_used = any(v > 0 for v in lift.values())
        # explain with the most lifting model that can name the films behind its score
        models = [n for n in sorted(lift, key=lambda n: -lift[n])
                  if n in self.personals_ and lift[n] > 0]  # fmt: skip
        parts: dict[int, float] = {}
        explainer = ""
        for name in models:
            parts = self.personals_[name].contributions(ratings, movie_id)
            if parts:
                explainer = name
                break
        support = supporting(parts)
        predicted = context["personal"][models[0]].predicted if models else None
        estimate = (
            None if predicted is None else float(np.clip(predicted[row], RATING_MIN, RATING_MAX))
        )
        words, shown = match_words(len(support), len(liked), estimate, personal_used)
        best = max(lift, key=lift.get) if lift else None
        if support and best != "content":
            top = parts[support[0]]
            named = [m for m in support[:2] if parts[m] >= 0.5 * top] or support[:1]
            reason = taste_reason([(self.title_of(m), ratings[m]) for m in named], len(support))
            return reason, words, shown, f"taste:{explainer}"
        if best == "content" and lift["content"] > 0:
            anchor = self.content_.closest_rated(movie_id, ratings)
            if anchor is not None:
                explained = self.content_.shared_terms(movie_id, anchor)
                return explained.describe(self.title_of(anchor)), words, shown, "taste:content"
        if personal_used and best in self.personals_:
            reason = "people whose ratings look like yours loved it"
            return reason, words, shown, f"taste:{best}"
        return self._crowd_reason(row), words, shown, "taste:crowd"

    def _crowd_reason(self, row: int) -> str:
        mean, count = self.catalog_["mean_rating"].iat[row], self.catalog_["n_ratings"].iat[row]
        return f"popular and well rated: {mean:.1f}★ average from {count:,} ratings"

    def _card(self, row: int, context: Mapping[str, Any]) -> tuple:
        """(reason, match words, predicted rating to show or None, source) of one card; the
        source names what the reason comes from (e.g. ``taste:EASE``)."""
        kind = context["kind"]
        if kind == "popular":
            return self._crowd_reason(row), "crowd favourite", None, kind
        if kind == "taste":
            return self._taste_card(row, context)
        anchor = context["anchor"]
        if kind == "similar-collaborative":
            count = int(self.popularity_.n_ratings_[self.row_of(anchor)])
            who = ("the only person who rated" if count == 1 else f"the {count} people who rated"
                   if count < FEW_RATINGS else "people who liked")  # fmt: skip
            return f"{who} {self.title_of(anchor)} also liked this", "", None, kind
        movie_id = int(self.movie_ids_[row])
        shared = self.content_.shared_terms(movie_id, anchor)
        return shared.describe(self.title_of(anchor)), "", None, kind

    def _frame(
        self, rows: Sequence[int], scores: np.ndarray, context: Mapping[str, Any]
    ) -> pd.DataFrame:
        rows = list(rows)
        frame = self.catalog_.iloc[rows].copy()
        frame["score"] = np.asarray(scores, dtype=np.float64)
        cards = [self._card(r, context) for r in rows]
        frame["reason"] = [c[0] for c in cards]
        frame["match"] = [c[1] for c in cards]
        frame["predicted_rating"] = [np.nan if c[2] is None else c[2] for c in cards]
        frame["source"] = [c[3] for c in cards]
        return frame[list(RESULT_COLUMNS)].reset_index(drop=True)

    def fingerprint(self) -> str:
        """BLAKE2 digest of every fitted array: equal before and after queries means nothing changed."""
        digest = hashlib.blake2b(digest_size=16)
        arrays = [
            *(a for model in self.personals_.values() for a in model.fitted_arrays()),
            self.popularity_.scores_,
            self.popularity_.bayes_rating_,
            self.content_.features_.data,
            self.content_.features_.indices,
            self.movie_ids_,
            *self._ratings_arrays,
        ]
        for array in arrays:
            digest.update(np.ascontiguousarray(array).view(np.uint8))
        return digest.hexdigest()
