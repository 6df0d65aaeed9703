"""Data-quality checks and the documented cleaning steps (the input is never modified)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recommender.data.integrity import rating_warnings
from recommender.data.movielens import MovieLens
from recommender.data.scale import off_scale, scale_label

__all__ = ["CleaningResult", "QualityReport", "clean", "off_scale_check", "quality_report"]


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


def _example(frame: pd.DataFrame, columns: list[str]) -> str:
    if frame.empty:
        return ""
    row = frame.iloc[0]
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
    known = m["movieId"].to_numpy()
    dup = r[r.duplicated(["userId", "movieId"], keep=False)]
    off = r[_off_scale(ml, r["rating"])]
    nan = r[r["rating"].isna()]
    orphan_r = r[~np.isin(r["movieId"].to_numpy(), known)]
    orphan_t = t[~np.isin(t["movieId"].to_numpy(), known)]
    no_year = m[m["year"].isna()]
    no_genre = m[m["genres"].map(len) == 0]
    dup_movies = m[m["movieId"].duplicated(keep=False)]
    rows = [
        ("Duplicate (userId, movieId) ratings", "ratings", r.duplicated(["userId", "movieId"]).sum(),
         _example(dup, ["userId", "movieId"]), True),
        ("Ratings with no value (NaN)", "ratings", len(nan), _example(nan, ["userId", "movieId"]), True),
        (off_scale_check(ml), "ratings", len(off), _example(off, ["userId", "movieId", "rating"]), True),
        ("Ratings of movies missing from movies", "ratings", len(orphan_r), _example(orphan_r, ["userId", "movieId"]), True),
        ("Tags of movies missing from movies", "tags", len(orphan_t), _example(orphan_t, ["userId", "movieId"]), True),
        ("Duplicate movieIds in movies", "movies", m["movieId"].duplicated().sum(), _example(dup_movies, ["movieId", "title"]), True),
        ("Titles without a release year", "movies", len(no_year), _example(no_year, ["movieId", "title"]), False),
        ('Movies with "(no genres listed)"', "movies", len(no_genre), _example(no_genre, ["movieId", "title"]), False),
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
    changes: list[tuple[str, str, int]] = []
    r, m, t = ml.ratings, ml.movies, ml.tags

    def step(
        frame: pd.DataFrame, keep: pd.Series | np.ndarray, fix: str, table: str
    ) -> pd.DataFrame:
        keep = np.asarray(keep, dtype=bool)
        changes.append((fix, table, int((~keep).sum())))
        return frame[keep]

    r = step(r, r["rating"].notna(), "Removed ratings with a missing rating", "ratings")
    r = step(r, ~_off_scale(ml, r["rating"]), f"Removed {off_scale_check(ml).lower()}", "ratings")
    latest_first = r.sort_values("timestamp", ascending=False, kind="stable")
    keep_idx = latest_first.drop_duplicates(["userId", "movieId"]).index
    r = step(
        r,
        r.index.isin(keep_idx),
        "Kept the latest of duplicate (userId, movieId) ratings",
        "ratings",
    )
    m = step(m, ~m["movieId"].duplicated(), "Removed duplicate movieIds (kept the first)", "movies")
    known = m["movieId"].to_numpy()
    r = step(
        r,
        np.isin(r["movieId"].to_numpy(), known),
        "Removed ratings of movies missing from movies",
        "ratings",
    )
    t = step(
        t,
        np.isin(t["movieId"].to_numpy(), known),
        "Removed tags of movies missing from movies",
        "tags",
    )
    texts = t["tag"].astype("str").str.strip()
    t = step(t, t["tag"].notna() & (texts != ""), "Removed tags with no text", "tags")
    stripped = t["tag"].astype("str").str.strip()
    changed = int((stripped != t["tag"]).sum())
    if changed:
        t = t.assign(tag=stripped)
    changes.append(("Stripped spaces around tag text", "tags", 0))
    changes_frame = pd.DataFrame(changes, columns=["fix", "table", "rows_removed"])
    changes_frame.loc[changes_frame["fix"] == "Stripped spaces around tag text", "rows_changed"] = (
        changed
    )
    changes_frame["rows_changed"] = changes_frame["rows_changed"].fillna(0).astype(int)
    cleaned = dataclasses.replace(
        ml,
        ratings=r.reset_index(drop=True),
        movies=m.reset_index(drop=True),
        tags=t.reset_index(drop=True),
        fingerprint=f"{ml.fingerprint}+cleaned",
    )
    stale = set(rating_warnings(ml))  # what cleaning fixed is no longer worth a warning
    kept = tuple(w for w in ml.warnings if w not in stale)
    cleaned = dataclasses.replace(cleaned, warnings=kept + tuple(rating_warnings(cleaned)))
    return CleaningResult(cleaned, changes_frame)
