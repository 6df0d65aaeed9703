"""The Recommender facade: a top-5 with reasons for a new visitor, a title, or an existing user.

Three signals are fitted once on the whole dataset and never changed afterwards (the fitted
:class:`Recommender` is shared by every visitor of the app):

* **popularity** — Bayesian-average rating plus log number of ratings (:mod:`~.popularity`);
* **content** — TF-IDF over genres and tags, cosine similarity to the visitor's profile
  (:mod:`~.content`);
* **collaborative** — an item-based KNN model scores every movie for a visitor by *folding in*
  their ratings (:mod:`~.collaborative`): no refit, no mutation.

**Blend.** Each signal is standardised (z-score over the candidate movies) and summed with weights
that depend on how many movies the visitor has rated (:mod:`~.blend`). With 0 ratings the list is
popular, well-rated movies spread across genres.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from recommender import settings
from recommender.data import RATING_MAX, RATING_MIN, MovieFilters, MovieLens
from recommender.models import DEFAULT_MODEL, ModelConfig
from recommender.recommend.blend import (
    BLEND_SCHEDULE,
    PERSONAL_SIGNALS,
    BlendWeights,
    blend_scores,
    blend_weights,
    standardise,
)
from recommender.recommend.catalog import RESULT_COLUMNS, build_catalog, top_rows
from recommender.recommend.collaborative import CollaborativeModel, FoldIn
from recommender.recommend.content import ContentModel
from recommender.recommend.popularity import PopularityModel, varied_top

__all__ = ["Recommender"]


def _stars(rating: float) -> str:
    return f"{rating:g}★"


class Recommender:
    """Top-N recommendations with reasons; fit once, then query without changing anything.

    Parameters
    ----------
    model:
        KNN configuration for collaborative filtering (default :data:`DEFAULT_MODEL`; the app and
        the command line pass the one :func:`recommender.choice.recommendation_model` picks); a
        user-based one is used in its item-based form (:func:`item_based`), a non-KNN one falls
        back to :data:`DEFAULT_MODEL`.
    schedule:
        Blend weights by number of ratings (:data:`BLEND_SCHEDULE`).
    """

    def __init__(
        self,
        model: ModelConfig | None = None,
        schedule: Sequence[tuple[int, BlendWeights]] = BLEND_SCHEDULE,
    ):
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
        ratings = ml.ratings if ratings is None else ratings
        tags = ml.tags if tags is None else tags
        movies = ml.movies
        self.catalog_ = build_catalog(movies, ratings, ml.links)
        self.movie_ids_ = self.catalog_["movieId"].to_numpy(np.int64)
        self.index_ = pd.Index(self.movie_ids_)
        self.popularity_ = PopularityModel().fit(ratings, self.movie_ids_)
        self.content_ = ContentModel().fit(movies, tags)
        self.collaborative_ = CollaborativeModel(self.model or DEFAULT_MODEL).fit(
            ratings, self.movie_ids_
        )
        self.model_ = self.collaborative_.config_
        self._ratings_arrays = (
            ratings["userId"].to_numpy(),
            ratings["movieId"].to_numpy(),
            ratings["rating"].to_numpy(),
        )
        self.user_ratings_ = {
            int(u): dict(zip(g["movieId"].astype(int), g["rating"].astype(float), strict=True))
            for u, g in ratings.groupby("userId")
        }
        self.genres_ = list(self.catalog_["genres"])
        self.titles_ = self.catalog_["title"].to_numpy(object)
        return self

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
        return {
            int(m): float(r)
            for m, r in ratings.items()
            if self.index_.get_indexer([int(m)])[0] >= 0
        }

    def _candidates(self, exclude: Sequence[int], filters: MovieFilters | None) -> np.ndarray:
        mask = (filters or MovieFilters()).mask(
            self.catalog_, self.catalog_["n_ratings"].to_numpy()
        )
        rows = self.index_.get_indexer(np.asarray(list(exclude), dtype=np.int64))
        mask[rows[rows >= 0]] = False
        return mask

    def signals(self, ratings: Mapping[int, float]) -> tuple[dict[str, np.ndarray], FoldIn]:
        """The raw signals of :data:`SIGNALS` for a visitor (the page, the CLI and the benchmark)."""
        fold = self.collaborative_.fold_in(ratings)
        cf = np.where(np.isnan(fold.estimates), self.collaborative_.global_mean_, fold.estimates)
        return {
            "popularity": self.popularity_.scores_,
            "content": self.content_.score_profile(ratings),
            "cf_rating": cf,
            "cf_evidence": fold.evidence,
            "cf_support": fold.support,
        }, fold

    # -- queries ----------------------------------------------------------------------------

    def for_new_user(
        self,
        ratings: Mapping[int, float],
        n: int = settings.TOP_N,
        filters: MovieFilters | None = None,
    ) -> pd.DataFrame:
        """Top-``n`` for someone who rated ``ratings`` ({movieId: 0.5..5}); never a rated movie."""
        known = self.known_ratings(ratings)
        candidates = self._candidates(list(ratings), filters)
        if not known:
            rows = varied_top(self.popularity_.scores_, self.genres_, n, candidates)
            return self._frame(
                rows, self.popularity_.bayes_rating_[rows], ["popularity"] * len(rows), {}
            )
        signals, fold = self.signals(known)
        weights = blend_weights(len(known), self.schedule)
        total = blend_scores(signals, weights, candidates)
        total[~candidates] = -np.inf
        rows = top_rows(total, n, self.popularity_.n_ratings_)
        reasons_from = self._dominant_signal(signals, weights, candidates, rows)
        return self._frame(rows, total[rows], reasons_from, {"ratings": known, "fold": fold})

    def for_user(
        self, user_id: int, n: int = settings.TOP_N, filters: MovieFilters | None = None
    ) -> pd.DataFrame:
        """Top-``n`` for an existing user of the dataset, never a movie they rated."""
        if int(user_id) not in self.user_ratings_:
            raise KeyError(f"User {user_id} is not in the dataset.")
        return self.for_new_user(self.user_ratings_[int(user_id)], n=n, filters=filters)

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
        """The ``n`` movies most like ``movie_id``: ``method`` is ``collaborative`` (item-item
        similarity of the KNN model), ``content`` (genres and tags) or ``blend`` (both, standardised)."""
        row = self.row_of(movie_id)
        candidates = self._candidates([movie_id], filters)
        cf = self.collaborative_.similar_items(row, int(movie_id))
        content = self.content_.similarities(int(movie_id))
        content[row] = np.nan
        if method == "collaborative":
            score = cf
        elif method == "content":
            score = content
        elif method == "blend":
            score = blend_scores(
                {"cf_rating": np.nan_to_num(cf), "content": np.nan_to_num(content)},
                BlendWeights(content=1.0, cf_rating=1.0),
                candidates,
            )
        else:
            raise ValueError(f"Unknown method {method!r}; use collaborative, content or blend.")
        ranked = np.where(candidates & ~np.isnan(score), score, -np.inf)
        # A similarity of 0 says nothing: leave it out rather than pad the list with noise.
        ranked[ranked <= 0] = -np.inf if method != "blend" else ranked[ranked <= 0]
        rows = top_rows(ranked, n, self.popularity_.n_ratings_)
        source = ["similar-" + method] * len(rows)
        return self._frame(rows, score[rows], source, {"anchor": int(movie_id), "cf": cf})

    # -- results ----------------------------------------------------------------------------

    def _dominant_signal(
        self,
        signals: Mapping[str, np.ndarray],
        weights: BlendWeights,
        candidates: np.ndarray,
        rows: Sequence[int],
    ) -> list[str]:
        """Which signal each row's reason should cite: the personal signal (content or CF) that
        lifted it most, or popularity when no personal signal lifted it at all."""
        parts = {
            name: weight * standardise(np.asarray(signals[name], np.float64), candidates)
            for name, weight in weights.as_dict().items()
            if weight and name in PERSONAL_SIGNALS
        }
        chosen = []
        for r in rows:
            best = max(parts, key=lambda name: parts[name][r], default=None)
            if best is None or parts[best][r] <= 0:
                chosen.append("popularity")
            else:
                chosen.append("content" if best == "content" else "collaborative")
        return chosen

    def _reason(self, row: int, source: str, context: Mapping[str, Any]) -> str:
        movie_id = int(self.movie_ids_[row])
        n_ratings = int(self.catalog_["n_ratings"].iat[row])
        mean = self.catalog_["mean_rating"].iat[row]
        if source == "popularity":
            return f"popular and well rated: {mean:.1f}★ average from {n_ratings:,} ratings"
        if source == "collaborative":
            ratings = context["ratings"]
            fold: FoldIn = context["fold"]
            contributor = int(fold.top_contributor[row])
            if contributor >= 0:
                return (
                    f"because you rated {self.title_of(contributor)} {_stars(ratings[contributor])}"
                )
            return "loved by users whose ratings match yours"
        if source == "content":
            ratings = context["ratings"]
            anchor = self.content_.closest_rated(movie_id, ratings)
            if anchor is None:
                return "matches the genres and tags you like"
            explanation = self.content_.shared_terms(movie_id, anchor)
            return explanation.describe(self.title_of(anchor))
        if source == "similar-content" or source == "similar-blend":
            anchor = context["anchor"]
            return self.content_.shared_terms(movie_id, anchor).describe(self.title_of(anchor))
        if source == "similar-collaborative":
            anchor = context["anchor"]
            return f"people who rated {self.title_of(anchor)} rated this alike"
        return ""

    def _frame(
        self,
        rows: Sequence[int],
        scores: np.ndarray,
        sources: Sequence[str],
        context: Mapping[str, Any],
    ) -> pd.DataFrame:
        rows = list(rows)
        frame = self.catalog_.iloc[rows].copy()
        frame["score"] = np.asarray(scores, dtype=np.float64)
        fold: FoldIn | None = context.get("fold")
        if fold is not None:
            predicted = fold.estimates[rows]
        else:
            predicted = self.popularity_.bayes_rating_[rows]
        frame["predicted_rating"] = np.clip(predicted, RATING_MIN, RATING_MAX)
        frame["reason"] = [self._reason(r, s, context) for r, s in zip(rows, sources, strict=True)]
        frame["source"] = list(sources)
        return frame[list(RESULT_COLUMNS)].reset_index(drop=True)

    def fingerprint(self) -> str:
        """BLAKE2 digest of every fitted array: equal before and after queries means nothing changed."""
        digest = hashlib.blake2b(digest_size=16)
        arrays = [
            *self.collaborative_.fitted_arrays(),
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
