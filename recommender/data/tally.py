"""Exact counting over millions of ratings with ``np.bincount`` instead of hash group-bys.

Explore's frames reduce ratings to small tables. At ml-32m (32M ratings) pandas' group-bys on
float keys, ``nunique`` and merges that repeat every rating once per genre took 1–50 s per frame.
Ratings take few distinct values and ids are small integers, so everything here turns ids, ratings
and times into dense integer codes and counts them; statistics such as quantiles are then read off
the counts exactly (a rating's value is known from its level), in time linear in the ratings.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "LevelStats",
    "count_distinct",
    "counts_by_id",
    "dense_codes",
    "duplicate_pairs",
    "grouped_counts",
    "level_counts",
    "level_stats",
    "month_codes",
    "pair_keys",
    "rating_levels",
    "year_codes",
]

_TABLE_CELLS = 50_000_000  # lookup tables up to 200 MB (int32); beyond, binary search


def dense_codes(values: np.ndarray, universe: np.ndarray) -> np.ndarray:
    """Index of each of ``values`` in ``universe`` (sorted, unique integers); -1 where a value is
    not in it. int32 (int64 for universes beyond 2**31 entries)."""
    values = np.asarray(values)
    if len(universe) == 0:
        return np.full(len(values), -1, dtype=np.int32)
    low, high = int(universe[0]), int(universe[-1])
    if high - low < _TABLE_CELLS:
        table = np.full(high - low + 1, -1, dtype=np.int32)
        table[np.asarray(universe, dtype=np.int64) - low] = np.arange(len(universe))
        inside = (values >= low) & (values <= high)
        codes = np.full(len(values), -1, dtype=np.int32)
        codes[inside] = table[values[inside] - low]
        return codes
    position = np.searchsorted(universe, values)
    found = position < len(universe)
    found[found] = universe[position[found]] == values[found]
    return np.where(found, position, -1)


def count_distinct(ids: np.ndarray) -> int:
    """Number of distinct integers in ``ids``."""
    ids = np.asarray(ids)
    if len(ids) == 0:
        return 0
    low, high = int(ids.min()), int(ids.max())
    if high - low < _TABLE_CELLS:
        return int(np.count_nonzero(np.bincount(ids - low)))
    return int(pd.unique(ids).size)


def counts_by_id(
    ids: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(distinct ids ascending, rows per id, sum of weights per id or None)``."""
    ids = np.asarray(ids)
    if len(ids) == 0:
        return ids[:0], np.empty(0, np.int64), None if weights is None else np.empty(0)
    low, high = int(ids.min()), int(ids.max())
    if high - low < _TABLE_CELLS:  # counting by id: several times faster than a group-by
        count = np.bincount(ids - low)
        present = np.flatnonzero(count)
        total = None if weights is None else np.bincount(ids - low, weights=weights)[present]
        return (present + low).astype(ids.dtype), count[present].astype(np.int64), total
    distinct, position = np.unique(ids, return_inverse=True)
    total = None if weights is None else np.bincount(position, weights=weights)
    return distinct, np.bincount(position).astype(np.int64), total


def pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One int64 per row of (first, second) integer pairs, ordered as the pairs are (by first,
    then second): equal pairs, equal keys. Arithmetic on the ids; the pairs numbered in order
    instead when such keys would overflow."""
    first, second = np.asarray(first), np.asarray(second)
    if len(first) == 0:
        return np.zeros(0, dtype=np.int64)
    low, span = int(second.min()), int(second.max()) - int(second.min()) + 1
    if (abs(int(first.min())) + abs(int(first.max())) + 1) * span >= 2**62:
        both = pd.DataFrame({"first": first, "second": second})
        return both.groupby(["first", "second"], sort=True).ngroup().to_numpy(np.int64)
    keys = first.astype(np.int64)  # in place from here: one int64 array, no temporaries
    keys *= span
    keys += second
    keys -= low
    return keys


def duplicate_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(repeated, later)`` masks over rows of (first, second) integer pairs, as pandas'
    ``duplicated(keep=False)`` and ``duplicated()``: a row whose pair appears more than once, and
    a row whose pair appeared on an earlier row. Linear when the rows are sorted by pair (as
    GroupLens files are: by user, then movie); else one stable sort."""
    if len(first) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    keys = pair_keys(first, second)
    order = None if bool(np.all(keys[1:] >= keys[:-1])) else np.argsort(keys, kind="stable")
    ordered = keys if order is None else keys[order]
    del keys  # the sorted copy is all that is needed now
    same = ordered[1:] == ordered[:-1]
    later = np.concatenate(([False], same))
    repeated = later | np.concatenate((same, [False]))
    if order is not None:  # back to the rows' own order (stable: the first stays first)
        later[order], repeated[order] = later.copy(), repeated.copy()
    return repeated, later


def rating_levels(ratings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(levels, codes)``: rating values from the lowest to the highest present (float64, every
    half star in between when the ratings are on a half-star grid, else exactly the distinct
    values) and each rating's index in ``levels`` (-1 for a missing rating)."""
    ratings = np.asarray(ratings)
    finite = np.isfinite(ratings)
    if not finite.all():  # a missing rating (NaN) has no level: code -1, left out of counts
        levels, codes = rating_levels(ratings[finite])
        every = np.full(len(ratings), -1, dtype=np.int32)
        every[finite] = codes
        return levels, every
    if len(ratings) == 0:
        return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int32)
    # Twice a half-star rating is a small integer, exact in float32 as in float64.
    steps = ratings * ratings.dtype.type(2) if ratings.dtype.kind == "f" else ratings * 2.0
    low, high = float(steps.min()), float(steps.max())
    if high - low <= 1_000 and low == math.floor(low):
        steps -= steps.dtype.type(low)
        codes = steps.astype(np.int32)
        if np.array_equal(codes, steps):  # every rating on the half-star grid
            return (low + np.arange(int(high - low) + 1)) / 2.0, codes
    levels, codes = np.unique(ratings.astype(np.float64), return_inverse=True)
    return levels, codes.astype(np.int32)


def grouped_counts(groups: np.ndarray, n_groups: int, levels: np.ndarray, n_levels: int):
    """``counts[g, l]``: how many rows are in group ``g`` at level ``l`` (rows with a negative
    group or level are left out); an ``n_groups × n_levels`` int64 array."""
    keep = (groups >= 0) & (levels >= 0)
    if not keep.all():
        groups, levels = groups[keep], levels[keep]
    flat = groups.astype(np.int64) * n_levels + levels
    return np.bincount(flat, minlength=n_groups * n_levels).reshape(n_groups, n_levels)


def _days(timestamps: pd.Series) -> np.ndarray:
    """Whole days (UTC) since 1970-01-01 of a timestamp column (int64), none missing."""
    stamps = timestamps.to_numpy(dtype="datetime64[ns]")
    if np.isnat(stamps).any():  # NaT is int64's minimum: it would span 10¹⁴ days
        raise ValueError("missing timestamps: keep only the rows that have one")
    return stamps.view(np.int64) // (86_400 * 10**9)


def _by_day(timestamps: pd.Series, unit: str) -> np.ndarray:
    """The calendar ``unit`` ("M" or "Y") of each timestamp, counted from 1970 (int64).

    NumPy's calendar conversion takes ~1 s per 32M timestamps; converting the few thousand
    distinct days once and looking each timestamp's day up takes a tenth of that."""
    days = _days(timestamps)
    if len(days) == 0:
        return days
    first = int(days.min())
    span = np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
    return span.astype(f"datetime64[{unit}]").astype(np.int64)[days - first]


def month_codes(timestamps: pd.Series) -> np.ndarray:
    """Calendar months (UTC) since January 1970 of a timestamp column with none missing
    (int64)."""
    return _by_day(timestamps, "M")


def year_codes(timestamps: pd.Series) -> np.ndarray:
    """Calendar years (UTC) of a timestamp column with none missing (int64)."""
    return _by_day(timestamps, "Y") + 1970


class LevelStats:
    """Statistics of ratings known only by how many fall at each level, exactly as pandas gives
    them on the ratings themselves (``std`` with n − 1; quantiles by linear interpolation)."""

    def __init__(self, counts: np.ndarray, levels: np.ndarray) -> None:
        self.counts = np.asarray(counts, dtype=np.int64)
        self.levels = np.asarray(levels, dtype=np.float64)
        self.n = int(self.counts.sum())
        self._cumulative = np.cumsum(self.counts)

    @property
    def mean(self) -> float:
        return float(self.counts @ self.levels) / self.n if self.n else math.nan

    @property
    def std(self) -> float:
        if self.n < 2:
            return math.nan
        return math.sqrt(float(self.counts @ (self.levels - self.mean) ** 2) / (self.n - 1))

    def _value_at(self, position: int) -> float:
        """The rating at ``position`` (0-based) of the sorted ratings."""
        return float(self.levels[np.searchsorted(self._cumulative, position, side="right")])

    def quantile(self, q: float) -> float:
        if not self.n:
            return math.nan
        h = (self.n - 1) * q
        below = math.floor(h)
        low, high = self._value_at(below), self._value_at(min(below + 1, self.n - 1))
        return low + (h - below) * (high - low)

    def whiskers(self) -> tuple[float, float]:
        """The lowest and highest ratings within 1.5 IQR of the quartiles."""
        if not self.n:
            return math.nan, math.nan
        q1, q3 = self.quantile(0.25), self.quantile(0.75)
        reach = 1.5 * (q3 - q1)
        present = self.levels[self.counts > 0]
        inside = present[(present >= q1 - reach) & (present <= q3 + reach)]
        return (float(inside.min()), float(inside.max())) if len(inside) else (math.nan, math.nan)


def level_counts(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """How many ratings are at each level (codes from :func:`rating_levels`; -1 left out)."""
    return np.bincount(codes[codes >= 0], minlength=n_levels)


def level_stats(counts: np.ndarray, levels: np.ndarray) -> pd.DataFrame:
    """One row per row of ``counts`` (groups × levels): ``ratings, mean_rating, std_rating, q1,
    median, q3, lower_whisker, upper_whisker`` (NaN for a group without ratings)."""
    rows = []
    for row in np.atleast_2d(counts):
        stats = LevelStats(row, levels)
        rows.append(
            (stats.n, stats.mean, stats.std, stats.quantile(0.25), stats.quantile(0.5),
             stats.quantile(0.75), *stats.whiskers())
        )  # fmt: skip
    columns = ["ratings", "mean_rating", "std_rating", "q1", "median", "q3", "lower_whisker",
               "upper_whisker"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame["ratings"] = frame["ratings"].astype(np.int64)
    return frame
