"""Baseline estimates b_ui = mu + b_u + b_i, computed exactly as scikit-surprise 1.1.5 does.

ALS (Surprise's default) alternates, for ``n_epochs`` epochs::

    b_i = sum_{u in U_i} (r_ui - mu - b_u) / (reg_i + |U_i|)     for every item
    b_u = sum_{i in I_u} (r_ui - mu - b_i) / (reg_u + |I_u|)     for every user

It is vectorised with ``np.bincount`` over ratings laid out in Surprise's ``ir`` / ``ur`` order, so the
sums are accumulated in the same order as Surprise's Cython loops.

SGD runs ``n_epochs`` passes over the ratings in ``trainset.all_ratings()`` order::

    err = r_ui - (mu + b_u + b_i);  b_u += lr (err - reg b_u);  b_i += lr (err - reg b_i)

This recursion is inherently sequential, so it reuses Surprise's own compiled kernel on a thin shim
of the rating arrays (bit-identical by construction).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from surprise.prediction_algorithms.optimize_baselines import baseline_sgd

__all__ = ["als", "baselines", "fold_in_user_bias", "sgd"]


def als(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    global_mean: float,
    *,
    item_order: np.ndarray | None = None,
    n_epochs: int = 10,
    reg_u: float = 15,
    reg_i: float = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """ALS baselines. ``users/items/ratings`` are in ``ur`` order; ``item_order`` permutes them into
    ``ir`` order (default: a stable sort by item)."""
    users = np.asarray(users, dtype=np.intp)
    items = np.asarray(items, dtype=np.intp)
    ratings = np.asarray(ratings, dtype=np.float64)
    if item_order is None:
        item_order = np.argsort(items, kind="stable")
    iu, ii, ir_ = users[item_order], items[item_order], ratings[item_order]
    n_i = np.bincount(ii, minlength=n_items).astype(np.float64)
    n_u = np.bincount(users, minlength=n_users).astype(np.float64)
    bu = np.zeros(n_users)
    bi = np.zeros(n_items)
    r_mu_i = ir_ - global_mean
    r_mu_u = ratings - global_mean
    for _ in range(n_epochs):
        bi = np.bincount(ii, weights=r_mu_i - bu[iu], minlength=n_items) / (reg_i + n_i)
        bu = np.bincount(users, weights=r_mu_u - bi[items], minlength=n_users) / (reg_u + n_u)
    return bu, bi


@dataclass
class _ShimTrainset:
    users: list[int]
    items: list[int]
    ratings: list[float]
    n_users: int
    n_items: int
    global_mean: float

    def all_ratings(self) -> Iterator[tuple[int, int, float]]:
        return zip(self.users, self.items, self.ratings, strict=True)


@dataclass
class _ShimAlgo:
    trainset: _ShimTrainset
    bsl_options: Mapping[str, Any]


def sgd(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    global_mean: float,
    *,
    n_epochs: int = 20,
    reg: float = 0.02,
    learning_rate: float = 0.005,
) -> tuple[np.ndarray, np.ndarray]:
    """SGD baselines over ratings given in ``all_ratings()`` (``ur``) order (Surprise's kernel)."""
    shim = _ShimAlgo(
        _ShimTrainset(
            np.asarray(users).tolist(),
            np.asarray(items).tolist(),
            np.asarray(ratings, dtype=np.float64).tolist(),
            n_users,
            n_items,
            global_mean,
        ),
        {"n_epochs": n_epochs, "reg": reg, "learning_rate": learning_rate},
    )
    bu, bi = baseline_sgd(shim)
    return np.asarray(bu), np.asarray(bi)


def baselines(
    bsl_options: Mapping[str, Any],
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    global_mean: float,
    item_order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dispatch on ``bsl_options['method']`` (``als`` | ``sgd``) with Surprise's defaults."""
    method = bsl_options.get("method", "als")
    if method == "als":
        return als(
            users,
            items,
            ratings,
            n_users,
            n_items,
            global_mean,
            item_order=item_order,
            n_epochs=bsl_options.get("n_epochs", 10),
            reg_u=bsl_options.get("reg_u", 15),
            reg_i=bsl_options.get("reg_i", 10),
        )
    if method == "sgd":
        return sgd(
            users,
            items,
            ratings,
            n_users,
            n_items,
            global_mean,
            n_epochs=bsl_options.get("n_epochs", 20),
            reg=bsl_options.get("reg", 0.02),
            learning_rate=bsl_options.get("learning_rate", 0.005),
        )
    raise ValueError(
        f"Invalid method {method} for baseline computation. Available methods are als and sgd."
    )


def fold_in_user_bias(
    bsl_options: Mapping[str, Any], ratings: np.ndarray, item_bias: np.ndarray, global_mean: float
) -> float:
    """Bias of a new user with the items' biases held fixed.

    ALS: the user step of Surprise's last epoch, ``b_u = sum(r - mu - b_i) / (reg_u + n)``.
    SGD: Surprise's ``n_epochs`` updates of ``b_u`` over the user's ratings in the given order,
    with ``b_i`` frozen.
    """
    ratings = np.asarray(ratings, dtype=np.float64)
    item_bias = np.asarray(item_bias, dtype=np.float64)
    if ratings.size == 0:
        return 0.0
    method = bsl_options.get("method", "als")
    if method == "als":
        reg_u = bsl_options.get("reg_u", 15)
        return float(np.sum(ratings - global_mean - item_bias) / (reg_u + ratings.size))
    if method == "sgd":
        reg = bsl_options.get("reg", 0.02)
        lr = bsl_options.get("learning_rate", 0.005)
        bu = 0.0
        for _ in range(bsl_options.get("n_epochs", 20)):
            for r, b in zip(ratings.tolist(), item_bias.tolist(), strict=True):
                err = r - (global_mean + bu + b)
                bu += lr * (err - reg * bu)
        return bu
    raise ValueError(f"Invalid method {method} for baseline computation.")
