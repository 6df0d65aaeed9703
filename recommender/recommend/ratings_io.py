"""A visitor's ratings as CSV: export them, import them back with every problem named by row.

The file has a header and one rating per row: ``movieId,title,rating`` (``title`` is informative on
export and optional on import). Row numbers in messages count lines of the file as a spreadsheet
does: the header is row 1, the first rating row 2. The watchlist and the hidden movies export as
``movieId,title`` (:func:`export_movie_list_csv`).

Exports are safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return would be read as a formula, so it is written with a leading single quote
(:func:`recommender.data.export.spreadsheet_safe`, after OWASP's CSV-injection guidance). Plain titles are unchanged.

Import is all or nothing: one bad row rejects the whole file (:class:`RatingsImportError` lists every
bad row), so a half-applied import never silently changes someone's ratings. Well-formed ratings of
movies the dataset does not know are not dropped silently either: they come back in
:attr:`ImportedRatings.missing` for the page to report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from recommender.data import RATING_MAX, RATING_MIN
from recommender.data.export import spreadsheet_safe

__all__ = [
    "COLUMNS",
    "LIST_COLUMNS",
    "MAX_ROWS",
    "ImportedRatings",
    "RatingsImportError",
    "export_movie_list_csv",
    "export_ratings_csv",
    "import_ratings_csv",
]


COLUMNS = ("movieId", "title", "rating")
LIST_COLUMNS = ("movieId", "title")
MAX_ROWS = 10_000


class RatingsImportError(ValueError):
    """The CSV cannot be imported; ``problems`` has one message per bad row or header problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:10]
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__("The ratings file was not imported: " + "; ".join(shown) + more + ".")


@dataclass(frozen=True)
class ImportedRatings:
    """Ratings read from a CSV: ``ratings`` of known movies and ``missing`` rows (row, movieId, title)."""

    ratings: dict[int, float]
    missing: list[tuple[int, int, str]] = field(default_factory=list)


def _titles(movies: pd.DataFrame, movie_ids: Iterable[int]) -> dict[int, str]:
    """Titles of ``movie_ids`` only (the page exports on every run: not the whole catalogue)."""
    wanted = movies[movies["movieId"].isin([int(m) for m in movie_ids])]
    return dict(zip(wanted["movieId"].astype(int), wanted["title"].astype(str), strict=True))


def export_ratings_csv(ratings: Mapping[int, float], movies: pd.DataFrame) -> str:
    """The ratings as CSV text (movieId, title, rating), in the order they were given; titles
    are :func:`spreadsheet_safe`."""
    titles = _titles(movies, ratings)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for movie_id, rating in ratings.items():
        title = spreadsheet_safe(titles.get(int(movie_id), ""))
        writer.writerow([int(movie_id), title, f"{float(rating):g}"])
    return out.getvalue()


def export_movie_list_csv(movie_ids: Iterable[int], movies: pd.DataFrame) -> str:
    """A list of movies (the watchlist, the hidden movies) as CSV text (movieId, title), in the
    order given, each movie once; titles are :func:`spreadsheet_safe`."""
    ids = list(dict.fromkeys(int(m) for m in movie_ids))
    titles = _titles(movies, ids)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LIST_COLUMNS)
    for movie_id in ids:
        writer.writerow([movie_id, spreadsheet_safe(titles.get(movie_id, ""))])
    return out.getvalue()


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RatingsImportError(
            [f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"]
        ) from exc


def _parse_rating(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not RATING_MIN <= value <= RATING_MAX or (value * 2) % 1 != 0:
        return None
    return value


def import_ratings_csv(data: bytes | str, movies: pd.DataFrame) -> ImportedRatings:
    """Parse a ratings CSV exported by :func:`export_ratings_csv` (or written by hand).

    Raises :class:`RatingsImportError` naming every bad row: a movieId that is not a whole number,
    a rating that is not a half-star step between 0.5 and 5, a movie rated twice, a row with the
    wrong number of fields. Nothing is returned unless every row is good.
    """
    text = _decode(data)
    if not text.strip():
        raise RatingsImportError(["the file is empty"])
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    missing_columns = [c for c in ("movieid", "rating") if c not in lowered]
    if missing_columns:
        raise RatingsImportError(
            [
                "the header must name the columns movieId and rating (found "
                + ", ".join(repr(h) for h in header)
                + ")"
            ]
        )
    id_col, rating_col = lowered.index("movieid"), lowered.index("rating")
    title_col = lowered.index("title") if "title" in lowered else None
    if len(rows) - 1 > MAX_ROWS:
        raise RatingsImportError([f"the file has more than {MAX_ROWS:,} ratings"])

    known = dict(zip(movies["movieId"].astype(int), movies["title"], strict=True))
    problems: list[str] = []
    ratings: dict[int, float] = {}
    first_row: dict[int, int] = {}
    missing: list[tuple[int, int, str]] = []
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are harmless
        if len(row) != len(header):
            problems.append(f"row {row_number} has {len(row)} fields, expected {len(header)}")
            continue
        raw_id, raw_rating = row[id_col].strip(), row[rating_col].strip()
        try:
            movie_id = int(raw_id)
        except ValueError:
            problems.append(f"row {row_number}: movieId {raw_id!r} is not a whole number")
            continue
        rating = _parse_rating(raw_rating)
        if rating is None:
            problems.append(
                f"row {row_number}: rating {raw_rating!r} is not a half-star step from 0.5 to 5"
            )
            continue
        if movie_id in first_row:
            problems.append(
                f"row {row_number}: movie {movie_id} is already rated on row {first_row[movie_id]}"
            )
            continue
        first_row[movie_id] = row_number
        if movie_id in known:
            ratings[movie_id] = rating
        else:
            title = row[title_col].strip() if title_col is not None else ""
            missing.append((row_number, movie_id, title))
    if problems:
        raise RatingsImportError(problems)
    return ImportedRatings(ratings, missing)
