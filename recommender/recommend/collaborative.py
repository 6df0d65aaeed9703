"""Collaborative filtering for the Recommend page: an item-based KNN model fitted once on every
rating, asked for a visitor's scores by fold-in (:meth:`recommender.knn.SymmetricKNN.score_history`).

This module only maps the engine's answers (inner item ids) onto the catalogue's rows; the
formulas, the neighbour choice and the contributions are the engine's, never recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.models import DEFAULT_MODEL, ModelConfig

__all__ = ["CollaborativeModel", "FoldIn", "item_based"]


def item_based(config: ModelConfig) -> ModelConfig:
    """The item-based counterpart of a KNN configuration (fold-in and "similar movies" need item
    neighbourhoods); non-KNN configurations map to :data:`DEFAULT_MODEL`."""
    if not config.is_knn:
        return DEFAULT_MODEL
    if not config.user_based:
        return config
    return ModelConfig(config.algorithm, config.similarity, False, config.k, config.min_k)


@dataclass(frozen=True)
class FoldIn:
    """Collaborative scores of every catalogue movie for one set of ratings (catalogue rows).

    ``estimates``: predicted rating, unclipped (NaN where the model knows nothing of the movie or
    it was rated); ``top_contributor``: the rated movieId whose rating pushed the estimate up the
    most (-1 for none); ``support``: sum of the positive similarities to the rated movies used;
    ``evidence``: similarity-weighted sum of the neighbours' terms (how much the visitor's ratings,
    taken together, vouch for the movie)."""

    estimates: np.ndarray
    top_contributor: np.ndarray
    support: np.ndarray
    evidence: np.ndarray


class CollaborativeModel:
    """An item-based KNN model on the project's engine, fitted once, scoring visitors by fold-in.

    A user-based configuration is replaced by its item-based counterpart (:func:`item_based`)."""

    def __init__(self, config: ModelConfig = DEFAULT_MODEL):
        self.config = config

    def fit(self, ratings: pd.DataFrame, catalog_ids: np.ndarray) -> CollaborativeModel:
        """Fit on every rating; ``catalog_ids`` fixes the order of the catalogue rows."""
        self.config_ = item_based(self.config)
        algo = self.config_.build("fast")
        algo.fit_ratings(
            ratings["userId"].to_numpy(np.int64),
            ratings["movieId"].to_numpy(np.int64),
            ratings["rating"].to_numpy(np.float64),
        )
        self.algo_ = algo
        self.global_mean_ = float(algo.global_mean_)
        self.raw_ids_ = np.asarray(algo.raw_iids_, dtype=np.int64)
        self.catalog_pos_ = pd.Index(catalog_ids).get_indexer(self.raw_ids_)  # inner -> row
        self.n_catalog_ = len(catalog_ids)
        return self

    def fold_in(self, ratings: Mapping[int, float]) -> FoldIn:
        """Scores of every catalogue movie for a visitor's ratings; the model is unchanged."""
        n = self.n_catalog_
        out = FoldIn(np.full(n, np.nan), np.full(n, -1, np.int64), np.zeros(n), np.zeros(n))
        scores = self.algo_.score_history({int(m): float(r) for m, r in ratings.items()})
        rows = self.catalog_pos_[scores.items]
        keep = rows >= 0
        rows = rows[keep]
        out.estimates[rows] = scores.estimates[keep]
        out.support[rows] = scores.support[keep]
        out.evidence[rows] = scores.evidence[keep]
        best = scores.top_neighbour[keep]
        out.top_contributor[rows] = np.where(best >= 0, self.raw_ids_[np.maximum(best, 0)], -1)
        return out

    def similar_items(self, catalog_row: int, movie_id: int) -> np.ndarray:
        """Item-item similarity of one catalogue movie with every catalogue movie (NaN: unknown
        to the model, and the movie itself)."""
        out = np.full(self.n_catalog_, np.nan)
        if movie_id not in self.algo_.iid_index_:
            return out
        column = self.algo_.similarity_block(
            np.arange(self.algo_.n_items_), [self.algo_.iid_index_[movie_id]], inner=True
        )[:, 0]
        rows = self.catalog_pos_ >= 0
        out[self.catalog_pos_[rows]] = column[rows]
        out[catalog_row] = np.nan
        return out

    def fitted_arrays(self) -> list[np.ndarray]:
        """Every fitted array, the engine's included (for the facade's fingerprint)."""
        lay = self.algo_.layout_
        arrays = [*lay.ur, *lay.ir, *lay.neighbourhood.xs, *lay.neighbourhood.yr, *lay.terms[:2]]
        arrays += [lay.centers.means, lay.centers.sigmas, lay.centers.bu, lay.centers.bi]
        return [np.asarray(a) for a in arrays] + [self.catalog_pos_]
