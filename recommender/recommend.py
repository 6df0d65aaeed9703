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

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the standardised signals; they need not sum to one."""

    popularity: float
    content: float
    collaborative: float

    def as_dict(self) -> dict[str, float]:
        return {
            "popularity": self.popularity,
            "content": self.content,
            "collaborative": self.collaborative,
        }


# (minimum number of ratings, weights): the last row whose minimum is <= the visitor's count
# applies. Chosen by benchmarks/cold_start.py on tuning users (see its output for the table).
BLEND_SCHEDULE: tuple[tuple[int, BlendWeights], ...] = (
    (0, BlendWeights(popularity=1.0, content=0.0, collaborative=0.0)),
    (1, BlendWeights(popularity=1.0, content=0.5, collaborative=0.25)),
    (3, BlendWeights(popularity=1.0, content=0.5, collaborative=0.5)),
    (5, BlendWeights(popularity=1.0, content=0.5, collaborative=0.5)),
    (10, BlendWeights(popularity=1.0, content=0.5, collaborative=1.0)),
    (20, BlendWeights(popularity=1.0, content=0.5, collaborative=1.0)),
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
    """Weighted sum of the standardised signals (``popularity``, ``content``, ``collaborative``)."""
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
    (-1 for none); ``support``: sum of the positive similarities to the rated movies used.
    """

    estimates: np.ndarray
    top_contributor: np.ndarray
    support: np.ndarray


class CollaborativeModel:
    """KNN collaborative filtering on the project's engine, fitted once, scoring visitors by fold-in.

    For item-based models the full item-item similarity is computed once at fit time (float32,
    column-major) so that folding a visitor in is a gather of the columns of the movies they rated
    plus Surprise's aggregation formula: a few milliseconds instead of recomputing similarity blocks
    on every request. The formulas are the engine's (:mod:`recommender.knn`); ``tests/test_recommend``
    checks the results against :meth:`recommender.knn.KNNBaseline.fold_in`. User-based models use
    the engine's own ``fold_in``.
    """

    def __init__(self, config: ModelConfig = DEFAULT_MODEL, block_rows: int = 1024):
        self.config = config
        self.block_rows = block_rows

    def fit(self, ratings: pd.DataFrame, catalog_ids: np.ndarray) -> CollaborativeModel:
        config = self.config if self.config.is_knn else DEFAULT_MODEL
        self.config_ = config
        algo = config.build("fast")
        algo.fit_ratings(
            ratings["userId"].to_numpy(np.int64),
            ratings["movieId"].to_numpy(np.int64),
            ratings["rating"].to_numpy(np.float64),
        )
        self.algo_ = algo
        self.global_mean_ = float(algo.global_mean_)
        self.user_based_ = bool(algo.user_based_)
        raw_ids = np.asarray(algo.raw_iids_, dtype=np.int64)
        self.catalog_pos_ = pd.Index(catalog_ids).get_indexer(raw_ids)  # inner item -> row
        self.inner_of_ = pd.Index(raw_ids).get_indexer(catalog_ids)  # row -> inner item / -1
        self.n_catalog_ = len(catalog_ids)
        self.user_index_ = pd.Index(np.asarray(algo.raw_uids_))
        self.sim_ = None if self.user_based_ else self._full_similarity(algo)
        return self

    def _full_similarity(self, algo: Any) -> np.ndarray:
        """Item x item similarity, block by block (bounded memory), stored as float32."""
        n = algo.n_items_
        out = np.empty((n, n), dtype=np.float32, order="F")
        everything = np.arange(n)
        for start in range(0, n, self.block_rows):
            rows = everything[start : start + self.block_rows]
            out[rows] = algo._sim(rows, everything)
        return out

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
        algo = self.algo_
        ids = np.fromiter((int(m) for m in ratings), np.int64, len(ratings))
        values = np.fromiter((float(r) for r in ratings.values()), np.float64, len(ratings))
        inner = np.fromiter((algo.iid_index_.get(int(m), -1) for m in ids), np.int64, len(ids))
        known = inner >= 0
        ids, values, inner = ids[known], values[known], inner[known]
        rows = self.catalog_pos_ >= 0
        if self.user_based_:
            folded = algo.fold_in(dict(zip(ids.tolist(), values.tolist(), strict=True)), clip=False)
            pos = pd.Index(self.catalog_ids_of(folded.index.to_numpy()))
            estimates[pos] = folded.to_numpy()
            return FoldIn(estimates, contributor, support)
        if user_bias is None:
            user_bias = self._user_bias(values, inner)
        targets = np.arange(algo.n_items_)
        center, terms = self._center_and_values(targets, inner, values, user_bias)
        if inner.size:
            sims = self.sim_[:, inner].astype(np.float64)
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
        estimates[self.catalog_pos_[inner]] = np.nan  # rated: not a prediction target
        return FoldIn(estimates, contributor, support)

    def catalog_ids_of(self, raw_ids: np.ndarray) -> np.ndarray:
        inner = np.fromiter((self.algo_.iid_index_[m] for m in raw_ids), np.int64, len(raw_ids))
        return self.catalog_pos_[inner]

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
        if inner < 0 or self.sim_ is None:
            return out
        column = self.sim_[:, inner].astype(np.float64)
        rows = self.catalog_pos_ >= 0
        out[self.catalog_pos_[rows]] = column[rows]
        out[catalog_row] = np.nan
        return out

    def fitted_arrays(self) -> list[np.ndarray]:
        algo = self.algo_
        arrays = [getattr(algo, name, None) for name in ("bi_", "bu_", "means_", "sigmas_")]
        if self.sim_ is not None:
            arrays.append(self.sim_)
        return [np.asarray(a) for a in arrays if a is not None]


# --------------------------------------------------------------------------------------------
# The facade


def default_model(dataset_name: str) -> ModelConfig:
    """The best KNN configuration Compare models cached for this dataset, else the default."""
    try:
        from recommender.evaluation import best_cached_config
    except ImportError:
        return DEFAULT_MODEL
    try:
        best = best_cached_config(dataset_name)
    except Exception:  # a broken or half-written cache must not break recommendations
        return DEFAULT_MODEL
    return best if isinstance(best, ModelConfig) else DEFAULT_MODEL


@dataclass(frozen=True)
class Component:
    """One signal's scores for every catalog movie, and what its reasons need."""

    scores: np.ndarray
    detail: dict[str, Any] = field(default_factory=dict)


def _stars(rating: float) -> str:
    return f"{rating:g}★"


class Recommender:
    """Top-N recommendations with reasons; fit once, then query without changing anything.

    Parameters
    ----------
    model:
        KNN configuration for collaborative filtering (item-based; others fall back to the default).
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
    def from_movielens(
        cls, ml: MovieLens, model: ModelConfig | None = None, **kwargs: Any
    ) -> Recommender:
        """Fit on the whole dataset; ``model`` defaults to :func:`default_model`."""
        return cls(model=model or default_model(ml.name), **kwargs).fit(ml)

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
        """The three raw signals for a visitor (used by the page, the CLI and the benchmark)."""
        fold = self.collaborative_.fold_in(ratings)
        cf = np.where(np.isnan(fold.estimates), self.collaborative_.global_mean_, fold.estimates)
        return {
            "popularity": self.popularity_.scores_,
            "content": self.content_.score_profile(ratings),
            "collaborative": cf,
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
        rows = _top_rows(total, n)
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
                {"collaborative": np.nan_to_num(cf), "content": np.nan_to_num(content)},
                BlendWeights(0.0, 1.0, 1.0),
                candidates,
            )
        else:
            raise ValueError(f"Unknown method {method!r}; use collaborative, content or blend.")
        ranked = np.where(candidates & ~np.isnan(score), score, -np.inf)
        # A similarity of 0 says nothing: leave it out rather than pad the list with noise.
        ranked[ranked <= 0] = -np.inf if method != "blend" else ranked[ranked <= 0]
        rows = _top_rows(ranked, n)
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
        parts = {
            name: weight * standardise(np.asarray(signals[name], np.float64), candidates)
            for name, weight in weights.as_dict().items()
            if weight
        }
        return [max(parts, key=lambda name: parts[name][r]) for r in rows]

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


def _top_rows(scores: np.ndarray, n: int) -> list[int]:
    """Rows of the ``n`` highest finite scores, best first (ties: lower row first)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or n <= 0:
        return []
    if finite.size > n:
        part = np.argpartition(-scores[finite], n - 1)[:n]
        finite = finite[part]
    order = np.lexsort((finite, -scores[finite]))
    return [int(r) for r in finite[order]]
