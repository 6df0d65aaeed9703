"""Data-quality checks and the documented cleaning steps (the input is never modified)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recommender.data.integrity import rating_warnings
from recommender.data.movielens import MovieLens
from recommender.data.scale import off_scale, scale_label
from recommender.data.tally import dense_codes, duplicate_pairs, pair_keys

__all__ = [
    "CleaningResult",
    "QualityReport",
    "clean",
    "cleaning_changes",
    "off_scale_check",
    "quality_report",
]


@dataclass(frozen=True)
class QualityReport:
    """Data-quality findings; ``checks`` has one row per check, ``missing`` one per column."""

    checks: pd.DataFrame  # columns: check, table, rows, example
    missing: pd.DataFrame  # columns: table, column, missing

    @property
    def is_clean(self) -> bool:
        """True when :func:`clean` would change nothing (missing TMDB links are not fixable)."""
        fixable = self.checks[self.checks["fixable"]]
        core_missing = self.missing.loc[self.missing["table"] != "links", "missing"]
        return bool((fixable["rows"] == 0).all()) and int(core_missing.sum()) == 0

    def count(self, check: str) -> int:
        row = self.checks.loc[self.checks["check"] == check, "rows"]
        return int(row.iloc[0]) if len(row) else 0


def _example(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> str:
    """The first of the ``rows`` (a boolean mask over ``frame``) as "col=value, …"; "" if none.
    Only that row is read: at 32M ratings a masked copy of every flagged row cost gigabytes."""
    first = np.flatnonzero(rows)[:1]
    if not len(first):
        return ""
    row = frame.iloc[int(first[0])]
    return ", ".join(f"{c}={row[c]}" for c in columns)


def _off_scale(ml: MovieLens, ratings: pd.Series) -> pd.Series:
    return off_scale(ratings, ml.rating_scale, ml.rating_step)


def off_scale_check(ml: MovieLens) -> str:
    """The name of the off-scale check (and of its fix) for this dataset's scale, e.g. "Ratings
    off the 0.5–5 half-star scale" or "Ratings off the 1–5 whole-star scale"."""
    return f"Ratings off the {scale_label(ml.rating_scale, ml.rating_step)} scale"


def quality_report(ml: MovieLens) -> QualityReport:
    """Check a dataset for the problems :func:`clean` can fix, and the ones worth knowing about."""
    r, m, t = ml.ratings, ml.movies, ml.tags
    known = np.unique(m["movieId"].to_numpy())
    repeated, later = duplicate_pairs(r["userId"].to_numpy(), r["movieId"].to_numpy())
    off = _off_scale(ml, r["rating"]).to_numpy()
    nan = r["rating"].isna().to_numpy()
    orphan_r = dense_codes(r["movieId"].to_numpy(), known) < 0
    orphan_t = dense_codes(t["movieId"].to_numpy(), known) < 0
    no_year = m["year"].isna().to_numpy()
    no_genre = (m["genres"].map(len) == 0).to_numpy()
    dup_movies = m["movieId"].duplicated(keep=False).to_numpy()
    count = np.count_nonzero
    rows = [
        ("Duplicate (userId, movieId) ratings", "ratings", count(later),
         _example(r, repeated, ["userId", "movieId"]), True),
        ("Ratings with no value (NaN)", "ratings", count(nan),
         _example(r, nan, ["userId", "movieId"]), True),
        (off_scale_check(ml), "ratings", count(off),
         _example(r, off, ["userId", "movieId", "rating"]), True),
        ("Ratings of movies missing from movies", "ratings", count(orphan_r),
         _example(r, orphan_r, ["userId", "movieId"]), True),
        ("Tags of movies missing from movies", "tags", count(orphan_t),
         _example(t, orphan_t, ["userId", "movieId"]), True),
        ("Duplicate movieIds in movies", "movies", m["movieId"].duplicated().sum(),
         _example(m, dup_movies, ["movieId", "title"]), True),
        ("Titles without a release year", "movies", count(no_year),
         _example(m, no_year, ["movieId", "title"]), False),
        ('Movies with "(no genres listed)"', "movies", count(no_genre),
         _example(m, no_genre, ["movieId", "title"]), False),
    ]  # fmt: skip
    checks = pd.DataFrame(rows, columns=["check", "table", "rows", "example", "fixable"])
    checks["rows"] = checks["rows"].astype(int)
    missing = pd.DataFrame(
        [
            (table, column, int(frame[column].isna().sum()))
            for table, frame in (("ratings", r), ("movies", m), ("tags", t), ("links", ml.links))
            for column in frame.columns
            if column not in ("title_key", "year")  # derived; "year" is its own check
        ],
        columns=["table", "column", "missing"],
    )
    return QualityReport(checks=checks, missing=missing)


@dataclass(frozen=True)
class CleaningResult:
    """The cleaned dataset and one row per fix applied (``changes``: fix, table, rows_removed)."""

    data: MovieLens
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_removed(self) -> int:
        return int(self.changes["rows_removed"].sum()) if len(self.changes) else 0


def _older_duplicates(ratings: pd.DataFrame, kept: np.ndarray) -> np.ndarray:
    """Among the ``kept`` rows, those whose (userId, movieId) pair has a more recent kept
    rating (on equal timestamps the earlier row is kept; a missing one is the oldest)."""
    users, movies = ratings["userId"].to_numpy(), ratings["movieId"].to_numpy()
    every = bool(kept.all())  # the usual case: no copy of the id columns
    rows = None if every else np.flatnonzero(kept)
    repeated, _ = duplicate_pairs(*((users, movies) if every else (users[rows], movies[rows])))
    older = np.zeros(len(ratings), dtype=bool)
    if not repeated.any():
        return older
    # usually none; millions in a synthetic set, hence NumPy
    positions = np.flatnonzero(repeated) if every else rows[repeated]
    stamps = ratings["timestamp"].array.asi8[positions]  # NaT: int64's minimum
    pairs = pair_keys(users[positions], movies[positions])
    # by pair, then newest first (~t reverses the order of t without overflow), then row
    order = np.lexsort((positions, ~stamps, pairs))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pairs[order[1:]] != pairs[order[:-1]]
    older[positions] = True
    older[positions[order[first]]] = False
    return older


@dataclass(frozen=True)
class _Fixes:
    """What :func:`clean` keeps of each table, the tag texts it strips, and what it says."""

    ratings: np.ndarray  # rows of ml.ratings kept
    movies: np.ndarray
    tags: np.ndarray
    stripped_tags: pd.Series | None  # the tags' stripped text, when some text changes
    changes: pd.DataFrame


def _fixes(ml: MovieLens) -> _Fixes:
    """The fixes of :func:`clean` as keep-masks over the tables as they are, counted in order
    (a row counts for the first fix that removes it): nothing is copied."""
    changes: list[tuple[str, str, int]] = []
    r, m, t = ml.ratings, ml.movies, ml.tags

    def step(keep: np.ndarray, removed: np.ndarray, fix: str, table: str) -> np.ndarray:
        """``keep`` without the ``removed`` rows, counting those it still had."""
        changes.append((fix, table, int((keep & removed).sum())))
        return keep & ~removed

    keep_r = np.ones(len(r), dtype=bool)
    keep_r = step(keep_r, r["rating"].isna().to_numpy(), "Removed ratings with a missing rating",
                  "ratings")  # fmt: skip
    keep_r = step(keep_r, _off_scale(ml, r["rating"]).to_numpy(),
                  f"Removed {off_scale_check(ml).lower()}", "ratings")  # fmt: skip
    keep_r = step(keep_r, _older_duplicates(r, keep_r),
                  "Kept the latest of duplicate (userId, movieId) ratings", "ratings")  # fmt: skip
    keep_m = step(np.ones(len(m), dtype=bool), m["movieId"].duplicated().to_numpy(),
                  "Removed duplicate movieIds (kept the first)", "movies")  # fmt: skip
    known = np.unique(m["movieId"].to_numpy())
    keep_r = step(keep_r, dense_codes(r["movieId"].to_numpy(), known) < 0,
                  "Removed ratings of movies missing from movies", "ratings")  # fmt: skip
    keep_t = step(np.ones(len(t), dtype=bool), dense_codes(t["movieId"].to_numpy(), known) < 0,
                  "Removed tags of movies missing from movies", "tags")  # fmt: skip
    texts = t["tag"].astype("str").str.strip()
    keep_t = step(keep_t, (t["tag"].isna() | (texts == "")).to_numpy(),
                  "Removed tags with no text", "tags")  # fmt: skip
    changed = int(((texts != t["tag"]).to_numpy() & keep_t).sum())
    changes.append(("Stripped spaces around tag text", "tags", 0))
    frame = pd.DataFrame(changes, columns=["fix", "table", "rows_removed"])
    frame["rows_changed"] = np.where(frame["fix"] == "Stripped spaces around tag text", changed, 0)
    return _Fixes(keep_r, keep_m, keep_t, texts if changed else None, frame)


def _renumbered(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with rows numbered 0…n-1: itself when they are (reset_index would copy it)."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def cleaning_changes(ml: MovieLens) -> pd.DataFrame:
    """What :func:`clean` would change (its ``changes``), without building the cleaned copy."""
    return _fixes(ml).changes


def clean(ml: MovieLens) -> CleaningResult:
    """Apply the documented fixes and say what each changed; the input is not modified.

    Fixes, in order:

    1. ratings with a missing rating (NaN) are removed;
    2. ratings off the dataset's scale (``ml.rating_scale`` in steps of ``ml.rating_step``: 0.5–5
       half stars for most, whole stars 1–5 for ml-100k and ml-1m) are removed;
    3. duplicate (userId, movieId) ratings keep only the most recent one;
    4. ratings and tags of movies missing from ``movies`` are removed;
    5. duplicate movieIds in ``movies`` keep the first row;
    6. tags with no text are removed and tag text is stripped of surrounding spaces.

    Titles without a year and movies without genres are kept: they are facts, not errors.
    """
    fixes = _fixes(ml)
    # Each table is copied once, and only if something is removed (32M ratings: ~640 MB a copy).
    r = ml.ratings if fixes.ratings.all() else ml.ratings[fixes.ratings]
    m = ml.movies if fixes.movies.all() else ml.movies[fixes.movies]
    t = ml.tags if fixes.tags.all() else ml.tags[fixes.tags]
    if fixes.stripped_tags is not None:
        t = t.assign(tag=fixes.stripped_tags[fixes.tags].to_numpy())
    changes_frame = fixes.changes
    cleaned = dataclasses.replace(
        ml,
        ratings=_renumbered(r),
        movies=_renumbered(m),
        tags=_renumbered(t),
        fingerprint=f"{ml.fingerprint}+cleaned",
    )
    stale = set(rating_warnings(ml))  # what cleaning fixed is no longer worth a warning
    kept = tuple(w for w in ml.warnings if w not in stale)
    cleaned = dataclasses.replace(cleaned, warnings=kept + tuple(rating_warnings(cleaned)))
    return CleaningResult(cleaned, changes_frame)
