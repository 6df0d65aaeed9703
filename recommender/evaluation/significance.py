"""Which differences between models are real: paired comparisons over the same users and folds.

Every model is ranked for the same users on the same folds, and the per-user values of
:data:`~.metrics.PER_USER_METRICS` are kept, so two models can be compared user by user:

* the **mean difference** (model − reference) over every (fold, user) pair both have;
* a **95 % bootstrap confidence interval** of that mean (``n_boot`` resamples of the pairs, seeded:
  the percentile interval);
* the **Wilcoxon signed-rank test** p-value (two-sided, zero differences split between the ranks,
  scipy's ``zero_method="zsplit"``: many users score 0 with both models).

A difference is **tied** when the interval contains 0 or p ≥ ``alpha`` (0.05): the page marks it
"no real difference" instead of ranking the two models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from recommender.evaluation.results import ConfigResult

__all__ = ["Comparison", "compare", "compare_all", "paired_values"]

ALPHA = 0.05


@dataclass(frozen=True)
class Comparison:
    """One model against the reference model on one metric."""

    model: str  # configuration key
    reference: str
    metric: str
    n_pairs: int
    mean_difference: float  # model − reference
    ci_low: float
    ci_high: float
    p_value: float

    @property
    def tied(self) -> bool:
        """No real difference: the interval holds 0, or the test does not reject."""
        if self.n_pairs == 0 or math.isnan(self.p_value):
            return True
        return self.ci_low <= 0 <= self.ci_high or self.p_value >= ALPHA

    @property
    def verdict(self) -> str:
        if self.model == self.reference:
            return "reference"
        if self.tied:
            return "tied"
        return "better" if self.mean_difference > 0 else "worse"


def paired_values(a: ConfigResult, b: ConfigResult, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """The metric's per-user values of two results, aligned on (fold, user) pairs both have."""
    left, right = [], []
    folds_b = {f.fold: f for f in b.folds}
    for fold_a in a.folds:
        fold_b = folds_b.get(fold_a.fold)
        if fold_b is None or metric not in fold_a.per_user or metric not in fold_b.per_user:
            continue
        values_b = dict(zip(fold_b.per_user["user"], fold_b.per_user[metric], strict=True))
        for user, value in zip(fold_a.per_user["user"], fold_a.per_user[metric], strict=True):
            if user in values_b:
                left.append(value)
                right.append(values_b[user])
    return np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)


def _bootstrap_ci(diff: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    for start in range(0, n_boot, 250):  # bounded memory: 250 resamples at a time
        stop = min(n_boot, start + 250)
        picks = rng.integers(0, diff.size, size=(stop - start, diff.size))
        means[start:stop] = diff[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def compare(
    model: ConfigResult, reference: ConfigResult, metric: str, n_boot: int = 2000, seed: int = 0
) -> Comparison:
    """``model`` against ``reference`` on ``metric`` (see the module docstring)."""
    a, b = paired_values(model, reference, metric)
    key, ref = model.config.key, reference.config.key
    if a.size == 0:
        return Comparison(key, ref, metric, 0, math.nan, math.nan, math.nan, math.nan)
    diff = a - b
    if not diff.any():
        return Comparison(key, ref, metric, diff.size, 0.0, 0.0, 0.0, 1.0)
    low, high = _bootstrap_ci(diff, n_boot, seed)
    p_value = float(stats.wilcoxon(diff, zero_method="zsplit").pvalue)
    return Comparison(key, ref, metric, diff.size, float(diff.mean()), low, high, p_value)


def compare_all(
    results: Sequence[ConfigResult], metric: str, n_boot: int = 2000
) -> list[Comparison]:
    """Every result with per-user values against the best one on ``metric`` (highest mean)."""
    usable = [r for r in results if r.ok and any(metric in f.per_user for f in r.folds)]
    if not usable:
        return []
    best = max(usable, key=lambda r: (r.mean(metric), r.config.key))
    return [compare(r, best, metric, n_boot) for r in usable]
