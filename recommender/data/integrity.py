"""What a freshly read dataset is, and what looked wrong with it.

:func:`identify` gives a read dataset its catalogue name, rating scale and step (from the catalogue,
or inferred for a dataset of your own), and its ``warnings``:

* a copy claiming to be a catalogue dataset whose files differ from the published ones (per-file
  SHA-256, recorded for ml-latest-small) or whose rating count differs from GroupLens's. This is a
  **flagged warning, not an error** — a trimmed or edited copy can be deliberate — but the app must
  show it: an ml-latest-small whose ratings.csv was cut mid-line loads as 288 users and 42,855
  ratings, and nobody should mistake that for the published dataset;
* ratings with no value (NaN) and ratings off the dataset's scale: kept as read (the frames are the
  file), listed by :func:`~.quality.quality_report` and removed by :func:`~.quality.clean`;
* titles and tags holding line breaks, control characters or text-direction overrides: those
  characters are replaced (breaks, tabs: a space) or removed, and the count reported. HTML,
  markdown, ``$…$``, right-to-left text and emoji are kept verbatim: the app shows data as plain
  text.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from recommender.data.catalog import DatasetInfo, find_dataset
from recommender.data.files import DatasetFiles
from recommender.data.movielens import MovieLens
from recommender.data.scale import infer_scale, off_scale, scale_label
from recommender.data.titles import normalize_title, parse_year, sanitize_text

__all__ = ["file_warnings", "identify", "rating_warnings"]


def file_warnings(src: DatasetFiles, info: DatasetInfo) -> list[str]:
    """One warning per data file that differs from (or is missing from) the published release."""
    found = []
    for filename, expected in sorted(info.file_sha256.items()):
        if not src.has(filename):
            found.append(
                f"{filename} is missing from this copy of {info.name}: it is not the dataset "
                "GroupLens publishes."
            )
            continue
        got = src.sha256(filename)
        if got != expected:
            found.append(
                f"{src.describe(filename)} differs from the published {info.name} (released "
                f"{info.released}): SHA-256 expected {expected}, got {got} "
                f"({src.size(filename):,} bytes). The copy is modified or cut short, so its "
                "figures will not match GroupLens's."
            )
    return found


def rating_warnings(ml: MovieLens) -> list[str]:
    """Missing and off-scale ratings and missing timestamps, counted, with an example of each."""
    ratings = ml.ratings
    found = []
    missing = int(ratings["rating"].isna().sum())
    if missing:
        row = ratings[ratings["rating"].isna()].iloc[0]
        found.append(
            f"{missing:,} ratings have no value (NaN), e.g. userId {row.userId}, movieId "
            f"{row.movieId}: the data-quality report lists them and cleaning removes them."
        )
    no_time = ratings["timestamp"].isna()
    if no_time.all():
        found.append("The ratings have no timestamps: charts over time stay empty.")
    elif no_time.any():
        row = ratings[no_time.to_numpy()].iloc[0]
        found.append(
            f"{int(no_time.sum()):,} ratings have no timestamp, e.g. userId {row.userId}, movieId "
            f"{row.movieId}: the data-quality report counts them."
        )
    off = off_scale(ratings["rating"], ml.rating_scale, ml.rating_step)
    if off.any():
        row = ratings[off.to_numpy()].iloc[0]
        found.append(
            f"{int(off.sum()):,} ratings are off the {scale_label(ml.rating_scale, ml.rating_step)}"
            f" scale, e.g. userId {row.userId}, movieId {row.movieId}: {row.rating:g}. The "
            "data-quality report lists them and cleaning removes them."
        )
    return found


def _count_warning(ml: MovieLens, info: DatasetInfo) -> list[str]:
    if ml.n_ratings == info.n_ratings:
        return []
    return [
        f"This copy of {info.name} has {ml.n_ratings:,} ratings; the dataset GroupLens publishes "
        f"has {info.n_ratings:,}."
    ]


def _layout_scale(ml: MovieLens, src: DatasetFiles) -> tuple[tuple[float, float], float]:
    """GroupLens's five stars for a dataset in one of its layouts the catalogue does not know:
    whole stars for the ml-100k layout, and for the .dat layout when every rating is whole (as in
    ml-1m); half stars otherwise. Off-scale values are then reported, never absorbed into the
    scale (only a visitor's own upload gets a scale inferred from its ratings)."""
    if src.has("u.data") and not src.has("ratings.csv"):
        return (1.0, 5.0), 1.0
    if src.has("ratings.dat") and not src.has("ratings.csv"):
        values = ml.ratings["rating"].to_numpy(dtype=np.float64)
        if np.all(values[np.isfinite(values)] % 1 == 0):
            return (1.0, 5.0), 1.0
    return (0.5, 5.0), 0.5


def _sanitized(ml: MovieLens) -> tuple[MovieLens, list[str]]:
    """Titles and tags without line breaks, control or bidi-override characters (reported)."""
    found = []
    titles, n_titles = sanitize_text(ml.movies["title"])
    if n_titles:
        changed = titles != ml.movies["title"]
        movies = ml.movies.assign(title=titles)
        movies.loc[changed, "title_key"] = [normalize_title(t) for t in titles[changed]]
        movies.loc[changed, "year"] = parse_year(titles[changed])
        ml = dataclasses.replace(ml, movies=movies)
        found.append(
            f"{n_titles:,} titles held line breaks, tabs, control or text-direction override "
            "characters: line breaks and tabs became spaces, the others were removed."
        )
    if len(ml.tags):
        tags, n_tags = sanitize_text(ml.tags["tag"])
        if n_tags:
            ml = dataclasses.replace(ml, tags=ml.tags.assign(tag=tags))
            found.append(
                f"{n_tags:,} tags held line breaks, tabs, control or text-direction override "
                "characters: line breaks and tabs became spaces, the others were removed."
            )
    return ml, found


def identify(ml: MovieLens, src: DatasetFiles, *, custom: bool = False) -> MovieLens:
    """``ml`` with its catalogue identity (or inferred scale), fingerprint and warnings.

    ``custom``: a visitor's upload, never taken for a catalogue dataset (whatever its folder is
    called), its rating scale inferred from its ratings (:func:`~.scale.infer_scale`) and its
    movieIds never taken for movielens.org ids.
    """
    info = None if custom else find_dataset(ml.name)
    warnings = list(ml.warnings)
    if info is not None:
        ml = dataclasses.replace(
            ml, name=info.name, rating_scale=info.rating_scale, rating_step=info.rating_step,
            movie_ids_are_movielens=info.movie_ids_are_movielens and ml.movie_ids_are_movielens,
        )  # fmt: skip
        warnings += file_warnings(src, info) + _count_warning(ml, info)
    elif custom:
        scale, step = infer_scale(ml.ratings["rating"].to_numpy())
        ml = dataclasses.replace(
            ml, rating_scale=scale, rating_step=step, movie_ids_are_movielens=False
        )
    else:
        scale, step = _layout_scale(ml, src)
        ml = dataclasses.replace(ml, rating_scale=scale, rating_step=step)
    ml, cleaned_text = _sanitized(ml)
    warnings += cleaned_text + rating_warnings(ml)
    return dataclasses.replace(
        ml, warnings=tuple(warnings), fingerprint=src.fingerprint(), has_tags=bool(ml.has_tags)
    )
