"""The Recommender facade: a top-5 with reasons for a new visitor, a title, or an existing user.

Three signals are fitted once on the whole dataset and never changed afterwards (the fitted
:class:`Recommender` is shared by every visitor of the app):

* **popularity** — Bayesian-average rating plus log number of ratings (:mod:`recommender.popularity`);
* **content** — TF-IDF over genres and tags, cosine similarity to the visitor's profile
  (:mod:`recommender.content`);
* **collaborative** — the KNN model (item-based KNNBaseline with pearson_baseline by default, or the
  best configuration found on Compare models) scores every movie for a visitor by *folding in*
  their ratings: the item-item similarities and item baselines stay fixed, only the visitor's own
  bias is estimated from their ratings. No refit, no mutation.

**Blend.** Each signal is standardised (z-score over the candidate movies) and summed with weights
that depend on how many movies the visitor has rated (:data:`BLEND_SCHEDULE`). With 0 ratings the
list is popular, well-rated movies spread across genres. The weights and switch points were chosen
with ``benchmarks/cold_start.py`` (precision@5 / NDCG@5 of hidden ratings of held-out users, tuned
on one set of users and reported on another); see that script for the table.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recommender.content import ContentModel
from recommender.data import RATING_MAX, RATING_MIN, MovieLens
from recommender.models import DEFAULT_MODEL, ModelConfig
from recommender.popularity import PopularityModel, varied_top
from recommender.similarities import topk_mask

TOP_N = 5
RESULT_COLUMNS = (
    "movieId", "title", "year", "genres", "score", "predicted_rating", "reason", "source",
    "n_ratings", "mean_rating", "imdbId", "tmdbId",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class Filters:
    """Which movies may be recommended: any of ``genres`` (empty: all), released within
    ``years`` (inclusive; None: any, including movies without a year), with at least
    ``min_ratings`` ratings in the dataset."""

    genres: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    min_ratings: int = 0

    def mask(self, catalog: pd.DataFrame) -> np.ndarray:
        """Boolean mask over the rows of a catalog (movies with ``genres``, ``year``, ``n_ratings``)."""
        keep = np.ones(len(catalog), dtype=bool)
        if self.genres:
            wanted = set(self.genres)
            keep &= np.fromiter(
                (bool(wanted.intersection(g)) for g in catalog["genres"]), bool, len(catalog)
            )
        if self.years is not None:
            year = catalog["year"]
            keep &= ((year >= self.years[0]) & (year <= self.years[1])).fillna(False).to_numpy(bool)
        if self.min_ratings > 0:
            keep &= catalog["n_ratings"].to_numpy() >= self.min_ratings
        return keep


# --------------------------------------------------------------------------------------------
# Blend


SIGNALS = ("popularity", "content", "cf_rating", "cf_evidence", "cf_support")
PERSONAL_SIGNALS = SIGNALS[1:]


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the standardised signals (they need not sum to one).

    * ``popularity``: Bayesian-average rating + log number of ratings;
    * ``content``: cosine similarity of the movie's genres and tags to the visitor's profile;
    * ``cf_rating``: the KNN model's predicted rating (fold-in);
    * ``cf_evidence``: similarity-weighted sum of the visitor's ratings above their baselines;
    * ``cf_support``: sum of the movie's similarities to the movies the visitor rated (how
      strongly the neighbourhood connects it to them).
    """

    popularity: float = 0.0
    content: float = 0.0
    cf_rating: float = 0.0
    cf_evidence: float = 0.0
    cf_support: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SIGNALS}


# (minimum number of ratings, weights): the last row whose minimum is <= the visitor's count
# applies. With 0 ratings the page shows popular movies spread across genres. The rest were chosen
# by benchmarks/cold_start.py (seed 0) on 150 tuning users and checked on 150 other report users:
# after 1 rating popularity alone is best; from 3 ratings the KNN neighbourhood (cf_support) and,
# from 10, content and the predicted rating add to it, beating every single method (report users,
# P@5 at n=20: blend 0.43 vs CF neighbours 0.37, popularity 0.35, content 0.07).
BLEND_SCHEDULE: tuple[tuple[int, BlendWeights], ...] = (
    (0, BlendWeights(popularity=1.0)),
    (1, BlendWeights(popularity=1.0)),
    (3, BlendWeights(popularity=1.0, cf_rating=0.1, cf_support=0.1)),
    (5, BlendWeights(popularity=1.0, cf_support=0.1)),
    (10, BlendWeights(popularity=1.0, content=0.25, cf_rating=0.25, cf_support=0.25)),
    (20, BlendWeights(popularity=1.0, content=0.1, cf_evidence=0.1, cf_support=0.25)),
)


def blend_weights(
    n_ratings: int, schedule: Sequence[tuple[int, BlendWeights]] = BLEND_SCHEDULE
) -> BlendWeights:
    """The weights for a visitor who has rated ``n_ratings`` movies."""
    chosen = schedule[0][1]
    for threshold, weights in schedule:
        if n_ratings >= threshold:
            chosen = weights
    return chosen


def standardise(values: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """z-scores of ``values`` using the mean and spread over ``candidates`` (0 where constant)."""
    pool = values[candidates]
    if pool.size == 0:
        return np.zeros_like(values, dtype=np.float64)
    std = float(pool.std())
    if not np.isfinite(std) or std == 0:
        return np.zeros_like(values, dtype=np.float64)
    return (values - float(pool.mean())) / std


def blend_scores(
    signals: Mapping[str, np.ndarray], weights: BlendWeights, candidates: np.ndarray
) -> np.ndarray:
    """Weighted sum of the standardised signals (names as in :data:`SIGNALS`)."""
    total = np.zeros(len(candidates), dtype=np.float64)
    for name, weight in weights.as_dict().items():
        if weight and name in signals:
            total += weight * standardise(np.asarray(signals[name], dtype=np.float64), candidates)
    return total


# --------------------------------------------------------------------------------------------
# Collaborative filtering: fold-in on a fitted item-based KNN model


@dataclass(frozen=True)
class FoldIn:
    """Collaborative scores of every catalog movie for one set of ratings.

    ``estimates``: predicted rating (NaN where the model knows nothing of the movie);
    ``top_contributor``: per movie, the rated movieId whose rating pushed the estimate up the most
    (-1 for none); ``support``: sum of the positive similarities to the rated movies used;
    ``evidence``: similarity-weighted sum of the neighbours' terms (how much the visitor's ratings,
    taken together, vouch for the movie: large only for movies close to several liked ones).
    """

    estimates: np.ndarray
    top_contributor: np.ndarray
    support: np.ndarray
    evidence: np.ndarray


class CollaborativeModel:
    """KNN collaborative filtering on the project's engine, fitted once, scoring visitors by fold-in.

    Folding a visitor in takes the similarities of every movie with the movies they rated (one
    block from the engine, ~15 ms) and applies Surprise's aggregation formula; besides the predicted
    rating it keeps what the blend and the reasons need (neighbourhood support, evidence and the
    rated movie that contributed most). The formulas are the engine's (:mod:`recommender.knn`);
    ``tests/test_recommend`` checks the results against :meth:`recommender.knn.KNNBaseline.fold_in`.
    A user-based configuration is replaced by its item-based counterpart (:func:`item_based`).

    ``precompute=True`` stores the full item-item similarity instead (float32, ~380 MB on
    ml-latest-small) for ~6 ms fold-ins; the default keeps the shared model small.
    """

    def __init__(
        self,
        config: ModelConfig = DEFAULT_MODEL,
        precompute: bool = False,
        block_rows: int = 1024,
    ):
        self.config = config
        self.precompute = precompute
        self.block_rows = block_rows

    def fit(self, ratings: pd.DataFrame, catalog_ids: np.ndarray) -> CollaborativeModel:
        config = item_based(self.config)
        self.config_ = config
        algo = config.build("fast")
        algo.fit_ratings(
            ratings["userId"].to_numpy(np.int64),
            ratings["movieId"].to_numpy(np.int64),
            ratings["rating"].to_numpy(np.float64),
        )
        self.algo_ = algo
        self.global_mean_ = float(algo.global_mean_)
        raw_ids = np.asarray(algo.raw_iids_, dtype=np.int64)
        self.catalog_pos_ = pd.Index(catalog_ids).get_indexer(raw_ids)  # inner item -> row
        self.inner_of_ = pd.Index(raw_ids).get_indexer(catalog_ids)  # row -> inner item / -1
        self.n_catalog_ = len(catalog_ids)
        self.user_index_ = pd.Index(np.asarray(algo.raw_uids_))
        self.sim_ = self._full_similarity(algo) if self.precompute else None
        return self

    def _full_similarity(self, algo: Any) -> np.ndarray:
        """Item x item similarity, block by block (bounded memory), stored as float32."""
        n = algo.n_items_
        out = np.empty((n, n), dtype=np.float32, order="F")
        everything = np.arange(n)
        for start in range(0, n, self.block_rows):
            rows = everything[start : start + self.block_rows]
            out[rows] = algo.similarity_block(rows, everything, inner=True)
        return out

    def _sim_columns(self, inner: np.ndarray) -> np.ndarray:
        """Similarity of every training movie (rows) with the movies ``inner`` (columns)."""
        if self.sim_ is not None:
            return self.sim_[:, inner].astype(np.float64)
        return np.asarray(
            self.algo_.similarity_block(np.arange(self.algo_.n_items_), inner, inner=True),
            np.float64,
        )

    def _center_and_values(
        self, targets: np.ndarray, rated: np.ndarray, values: np.ndarray, user_bias: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per the algorithm: each target's centre and each rated movie's neighbour term."""
        algo = self.algo_
        name = self.config_.algorithm
        if name == "KNNBaseline":
            center = (self.global_mean_ + user_bias) + algo.bi_[targets]
            return center, values - ((self.global_mean_ + algo.bi_[rated]) + user_bias)
        if name == "KNNWithMeans":
            return algo.means_[targets], values - algo.means_[rated]
        if name == "KNNWithZScore":
            return algo.means_[targets], (values - algo.means_[rated]) / algo.sigmas_[rated]
        return np.zeros(targets.size), values

    def fold_in(self, ratings: Mapping[int, float], user_bias: float | None = None) -> FoldIn:
        """Scores of every catalog movie for a visitor's ratings; the fitted model is unchanged.

        ``estimates`` are unclipped (the ranking uses them; display clips to 0.5–5).
        """
        n = self.n_catalog_
        estimates = np.full(n, np.nan)
        contributor = np.full(n, -1, dtype=np.int64)
        support = np.zeros(n)
        evidence = np.zeros(n)
        algo = self.algo_
        ids = np.fromiter((int(m) for m in ratings), np.int64, len(ratings))
        values = np.fromiter((float(r) for r in ratings.values()), np.float64, len(ratings))
        inner = np.fromiter((algo.iid_index_.get(int(m), -1) for m in ids), np.int64, len(ids))
        known = inner >= 0
        ids, values, inner = ids[known], values[known], inner[known]
        rows = self.catalog_pos_ >= 0
        if user_bias is None:
            user_bias = self._user_bias(values, inner)
        targets = np.arange(algo.n_items_)
        center, terms = self._center_and_values(targets, inner, values, user_bias)
        if inner.size:
            sims = self._sim_columns(inner)
            mask = topk_mask(sims, algo.k)
            weights = np.where(mask, sims, 0.0)
            num, den = weights @ terms, weights.sum(axis=1)
            actual_k = mask.sum(axis=1)
        else:
            weights = np.zeros((targets.size, 0))
            num = den = np.zeros(targets.size)
            actual_k = np.zeros(targets.size, dtype=np.int64)
        ok = actual_k >= algo.min_k
        with np.errstate(divide="ignore", invalid="ignore"):
            agg = np.where(ok & (den != 0), num / np.where(den == 0, 1, den), 0.0)
        name = self.config_.algorithm
        if name == "KNNWithZScore":
            est = center + agg * algo.sigmas_[targets]
        elif name == "KNNBasic":
            est = np.where(ok, agg, self.global_mean_)
        else:
            est = center + agg
        if inner.size:
            # Who pushed each estimate up the most: weight x (rating above expectation).
            push = weights * terms[None, :]
            best = np.argmax(push, axis=1)
            pushed = push[targets, best] > 0
            contributor[self.catalog_pos_[rows & pushed]] = ids[best[rows & pushed]]
        estimates[self.catalog_pos_[rows]] = est[rows]
        support[self.catalog_pos_[rows]] = den[rows]
        evidence[self.catalog_pos_[rows]] = num[rows]
        estimates[self.catalog_pos_[inner]] = np.nan  # rated: not a prediction target
        return FoldIn(estimates, contributor, support, evidence)

    def _user_bias(self, values: np.ndarray, inner: np.ndarray) -> float:
        algo = self.algo_
        if algo.bi_ is None or values.size == 0:
            return 0.0
        from recommender.baselines import fold_in_user_bias

        return fold_in_user_bias(algo.bsl_options, values, algo.bi_[inner], self.global_mean_)

    def known_user_bias(self, user_id: int) -> float | None:
        """The fitted bias of a training user (None if unknown or the model has no baselines)."""
        bu = getattr(self.algo_, "bu_", None)
        pos = self.user_index_.get_indexer([user_id])[0]
        return float(bu[pos]) if bu is not None and pos >= 0 else None

    def similar_items(self, catalog_row: int) -> np.ndarray:
        """Item-item similarity of one catalog movie with every catalog movie (NaN: unknown)."""
        out = np.full(self.n_catalog_, np.nan)
        inner = self.inner_of_[catalog_row]
        if inner < 0:
            return out
        column = self._sim_columns(np.array([inner]))[:, 0]
        rows = self.catalog_pos_ >= 0
        out[self.catalog_pos_[rows]] = column[rows]
        out[catalog_row] = np.nan
        return out

    def fitted_arrays(self) -> list[np.ndarray]:
        """Every fitted array, the engine's included (for :meth:`Recommender.fingerprint`)."""
        arrays = [v for _, v in sorted(vars(self.algo_).items()) if isinstance(v, np.ndarray)]
        arrays += [self.catalog_pos_, self.inner_of_]
        return arrays + ([self.sim_] if self.sim_ is not None else [])


# --------------------------------------------------------------------------------------------
# The facade


def default_model(dataset_name: str, n_ratings: int | None = None) -> ModelConfig:
    """The best KNN configuration Compare models cached for this dataset, else the default."""
    try:
        from recommender.evaluation import best_cached_config
    except ImportError:
        return DEFAULT_MODEL
    try:
        best = best_cached_config(dataset_name, n_ratings)
    except Exception:  # a broken or half-written cache must not break recommendations
        return DEFAULT_MODEL
    return best if isinstance(best, ModelConfig) and best.is_knn else DEFAULT_MODEL


def item_based(config: ModelConfig) -> ModelConfig:
    """The item-based counterpart of a KNN configuration (fold-in and "similar movies" need item
    neighbourhoods); non-KNN configurations map to :data:`DEFAULT_MODEL`."""
    if not config.is_knn:
        return DEFAULT_MODEL
    if not config.user_based:
        return config
    return ModelConfig(config.algorithm, config.similarity, False, config.k, config.min_k)


def movie_links(movie_id: int, imdb_id: Any = None, tmdb_id: Any = None) -> dict[str, str]:
    """MovieLens, IMDb and TMDB pages of a movie (IMDb/TMDB only when links.csv has the id)."""
    links = {"MovieLens": f"https://movielens.org/movies/{int(movie_id)}"}
    if isinstance(imdb_id, str) and imdb_id.strip().strip("0"):
        links["IMDb"] = f"https://www.imdb.com/title/tt{imdb_id.strip()}/"
    if tmdb_id is not None and not pd.isna(tmdb_id):
        links["TMDB"] = f"https://www.themoviedb.org/movie/{int(tmdb_id)}"
    return links


def _stars(rating: float) -> str:
    return f"{rating:g}★"


class Recommender:
    """Top-N recommendations with reasons; fit once, then query without changing anything.

    Parameters
    ----------
    model:
        KNN configuration for collaborative filtering; a user-based one is used in its item-based
        form (:func:`item_based`), a non-KNN one falls back to :data:`DEFAULT_MODEL`.
    schedule:
        Blend weights by number of ratings (:data:`BLEND_SCHEDULE`).
    precompute_similarity:
        Keep the full item-item similarity in memory (faster fold-ins, ~380 MB on
        ml-latest-small); see :class:`CollaborativeModel`.
    """

    def __init__(
        self,
        model: ModelConfig | None = None,
        schedule: Sequence[tuple[int, BlendWeights]] = BLEND_SCHEDULE,
        precompute_similarity: bool = False,
    ):
        self.model = model
        self.schedule = schedule
        self.precompute_similarity = precompute_similarity

    @classmethod
    def from_movielens(
        cls, ml: MovieLens, model: ModelConfig | None = None, **kwargs: Any
    ) -> Recommender:
        """Fit on the whole dataset; ``model`` defaults to :func:`default_model`."""
        return cls(model=model or default_model(ml.name, ml.n_ratings), **kwargs).fit(ml)

    # -- fitting ----------------------------------------------------------------------------

    def fit(
        self, ml: MovieLens, ratings: pd.DataFrame | None = None, tags: pd.DataFrame | None = None
    ) -> Recommender:
        """Learn every signal from ``ratings``/``tags`` (default: all of ``ml``'s)."""
        ratings = ml.ratings if ratings is None else ratings
        tags = ml.tags if tags is None else tags
        movies = ml.movies
        self.catalog_ = self._catalog(movies, ratings, ml.links)
        self.movie_ids_ = self.catalog_["movieId"].to_numpy(np.int64)
        self.index_ = pd.Index(self.movie_ids_)
        self.popularity_ = PopularityModel().fit(ratings, self.movie_ids_)
        self.content_ = ContentModel().fit(movies, tags)
        self.collaborative_ = CollaborativeModel(
            self.model or DEFAULT_MODEL, precompute=self.precompute_similarity
        ).fit(ratings, self.movie_ids_)
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

    @staticmethod
    def _catalog(movies: pd.DataFrame, ratings: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
        stats = ratings.groupby("movieId")["rating"].agg(["count", "mean"])
        catalog = movies[["movieId", "title", "year", "genres"]].copy()
        catalog["n_ratings"] = catalog["movieId"].map(stats["count"]).fillna(0).astype(int)
        catalog["mean_rating"] = catalog["movieId"].map(stats["mean"]).astype(float)
        link = links.drop_duplicates("movieId").set_index("movieId")
        catalog["imdbId"] = catalog["movieId"].map(link["imdbId"]) if len(link) else None
        catalog["tmdbId"] = catalog["movieId"].map(link["tmdbId"]) if len(link) else None
        return catalog.reset_index(drop=True)

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

    def _candidates(self, exclude: Sequence[int], filters: Filters | None) -> np.ndarray:
        mask = (filters or Filters()).mask(self.catalog_)
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
        self, ratings: Mapping[int, float], n: int = TOP_N, filters: Filters | None = None
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
        rows = _top_rows(total, n, self.popularity_.n_ratings_)
        reasons_from = self._dominant_signal(signals, weights, candidates, rows)
        return self._frame(rows, total[rows], reasons_from, {"ratings": known, "fold": fold})

    def for_user(
        self, user_id: int, n: int = TOP_N, filters: Filters | None = None
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
        n: int = TOP_N,
        filters: Filters | None = None,
        method: str = "collaborative",
    ) -> pd.DataFrame:
        """The ``n`` movies most like ``movie_id``: ``method`` is ``collaborative`` (item-item
        similarity of the KNN model), ``content`` (genres and tags) or ``blend`` (both, standardised)."""
        row = self.row_of(movie_id)
        candidates = self._candidates([movie_id], filters)
        cf = self.collaborative_.similar_items(row)
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
        rows = _top_rows(ranked, n, self.popularity_.n_ratings_)
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


def _top_rows(scores: np.ndarray, n: int, popularity: np.ndarray) -> list[int]:
    """Rows of the ``n`` highest finite scores, best first; ties go to the more-rated movie, then
    to the lower row (content similarities are often exactly equal)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or n <= 0:
        return []
    if finite.size > n:
        cutoff = np.partition(scores[finite], finite.size - n)[finite.size - n]
        finite = finite[scores[finite] >= cutoff]  # every row tied with the n-th stays in
    order = np.lexsort((finite, -popularity[finite], -scores[finite]))
    return [int(r) for r in finite[order[:n]]]


# --------------------------------------------------------------------------------------------
# Command line: python -m recommender recommend ...


def _parse_rating(text: str) -> tuple[int, float]:
    movie, sep, stars = text.partition("=")
    try:
        movie_id, rating = int(movie), float(stars)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected MOVIE_ID=STARS, e.g. 260=5 or 1196=4.5"
        ) from None
    if not sep or not RATING_MIN <= rating <= RATING_MAX or (rating * 2) % 1:
        raise argparse.ArgumentTypeError(f"{text!r}: stars must be a half step from 0.5 to 5")
    return movie_id, rating


def _print_frame(frame: pd.DataFrame, score: str) -> None:
    if frame.empty:
        print("No movie matches.")
        return
    for rank, row in enumerate(frame.itertuples(index=False), start=1):
        value = (
            f"{row.predicted_rating:.1f}★" if score == "rating" else f"similarity {row.score:.2f}"
        )
        print(f"{rank}. {row.title}  [{value}]  {', '.join(row.genres)}")
        print(f"   {row.reason}")


def _cli_filters(args: argparse.Namespace) -> Filters:
    years = tuple(args.years) if args.years else None
    return Filters(tuple(args.genre or ()), years, args.min_ratings)


def _run_cli(args: argparse.Namespace) -> int:
    import sys

    from recommender.data import load_movielens
    from recommender.search import TitleNotFoundError, resolve_title

    ml = load_movielens(args.data)
    model = ModelConfig.from_key(args.model) if args.model else None
    rec = Recommender.from_movielens(ml, model)
    filters = _cli_filters(args)
    if args.mode == "similar":
        popularity = rec.catalog_.set_index("movieId")["n_ratings"]
        try:
            movie_id = resolve_title(ml.movies, args.title, popularity)
        except TitleNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"Most similar to {rec.title_of(movie_id)} ({rec.model_.label}):")
        for method in ("collaborative", "content"):
            print(f"\n{method.capitalize()}:")
            _print_frame(rec.similar_to(movie_id, args.n, filters, method=method), "similarity")
        return 0
    if args.mode == "user":
        try:
            frame = rec.for_user(args.user_id, args.n, filters)
        except KeyError as error:
            print(f"error: {error.args[0]}", file=sys.stderr)
            return 2
        print(f"Top {args.n} for user {args.user_id} ({rec.model_.label}):")
        _print_frame(frame, "rating")
        return 0
    ratings = dict(args.rate or [])
    unknown = [m for m in ratings if m not in rec.index_]
    if unknown:
        print(
            f"warning: not in {ml.name}, ignored: {', '.join(map(str, unknown))}", file=sys.stderr
        )
    print(f"Top {args.n} from {len(ratings) - len(unknown)} rating(s) ({rec.model_.label}):")
    _print_frame(rec.for_new_user(ratings, args.n, filters), "rating")
    return 0


def add_cli(subparsers: Any) -> None:
    """``recommend [--rate ID=STARS ...] | recommend similar TITLE | recommend user ID``."""
    parser = subparsers.add_parser(
        "recommend",
        help="top-N recommendations with reasons",
        description="Recommend movies: from ratings (--rate 260=5 --rate 1196=4.5), for a title "
        '(similar "Toy Story") or for an existing user (user 42).',
    )
    parser.add_argument(
        "--rate", action="append", type=_parse_rating, metavar="ID=STARS", help="a rating"
    )
    parser.add_argument("-n", type=int, default=TOP_N, help="how many (default 5)")
    parser.add_argument("--genre", action="append", help="only movies with this genre (repeat)")
    parser.add_argument("--years", type=int, nargs=2, metavar=("FROM", "TO"))
    parser.add_argument("--min-ratings", type=int, default=0, dest="min_ratings")
    parser.add_argument("--model", help="ModelConfig key (default: best cached, else default)")
    modes = parser.add_subparsers(dest="mode")
    similar = modes.add_parser("similar", help="movies most like a title")
    similar.add_argument("title")
    user = modes.add_parser("user", help="top-N for an existing user")
    user.add_argument("user_id", type=int)
    parser.set_defaults(func=_run_cli, mode=None)
