"""Reading rating histories exported by other sites: recognise the file, parse every row.

Four layouts are recognised from the header (names compared without case or surrounding spaces):

* **MovieLens.org** ("export ratings" in the profile settings, ``movielens-ratings.csv``):
  ``movie_id,imdb_id,tmdb_id,rating,average_rating,title`` - ``movie_id`` is the id the GroupLens
  datasets use, ``imdb_id`` the digits of the IMDb id (``0114709``, sometimes with ``tt``),
  ``rating`` half stars 0.5-5, ``average_rating`` the community mean (ignored), ``title`` in
  MovieLens style ("Matrix, The (1999)").
* **IMDb** (Your ratings > Export): ``Const,Your Rating,Date Rated,Title,[Original Title,]URL,
  Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors`` - ``Const``
  is the IMDb id (``tt0076759``), ``Your Rating`` 1-10, mapped to stars by halving (7 -> 3.5).
* **Letterboxd** (``ratings.csv`` of the data export; ``diary.csv`` reads the same way):
  ``Date,Name,Year,Letterboxd URI,Rating`` with ``Rating`` 0.5-5; rows without a rating are skipped.
* **this app** (:func:`recommender.recommend.ratings_io.export_ratings_csv`): ``movieId,title,rating``.

Parsing is all or nothing: every malformed value (a rating that is not a number or off the
scale, an id that is not an id, a row with the wrong number of fields) is collected and reported
together by :class:`HistoryImportError`, which names the row (the header is row 1, as in a
spreadsheet), the column and the problem. Empty ratings are not problems: those rows are skipped
and counted. Ratings between half stars are rounded to the nearest half star and counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from recommender.data import RATING_MAX, RATING_MIN
from recommender.recommend.ratings_io import RatingsImportError

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_ROWS",
    "HistoryFormat",
    "HistoryImportError",
    "HistoryRow",
    "ParsedHistory",
    "RoundedRow",
    "SkippedRow",
    "UnknownFormatError",
    "decode_text",
    "detect_format",
    "read_history",
]

MAX_ROWS = 20_000
MAX_BYTES = 8_000_000
_MAX_SHOWN = 40


class HistoryImportError(RatingsImportError):
    """The file cannot be imported; ``problems`` names every bad row, column or header problem."""


class UnknownFormatError(HistoryImportError):
    """The header matches no supported export; the message lists the columns each one has."""


@dataclass(frozen=True)
class HistoryFormat:
    """One supported export: its key, a readable name, the columns it has and those it needs."""

    key: str
    label: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    scale: str

    def describe(self) -> str:
        return f"{self.label}: {', '.join(self.columns)} (needs {', '.join(self.required)})"


MOVIELENS = HistoryFormat(
    "movielens",
    "MovieLens.org ratings export",
    ("movie_id", "imdb_id", "tmdb_id", "rating", "average_rating", "title"),
    ("movie_id", "rating"),
    "half stars 0.5-5",
)
IMDB = HistoryFormat(
    "imdb",
    "IMDb ratings export",
    ("Const", "Your Rating", "Date Rated", "Title", "Original Title", "URL", "Title Type",
     "IMDb Rating", "Runtime (mins)", "Year", "Genres", "Num Votes", "Release Date", "Directors"),
    ("Const", "Your Rating"),
    "1-10, halved to stars",
)  # fmt: skip
LETTERBOXD = HistoryFormat(
    "letterboxd",
    "Letterboxd ratings.csv",
    ("Date", "Name", "Year", "Letterboxd URI", "Rating"),
    ("Name", "Year", "Rating"),
    "half stars 0.5-5",
)
APP = HistoryFormat(
    "app", "this app's ratings CSV", ("movieId", "title", "rating"), ("movieId", "rating"),
    "half stars 0.5-5",
)  # fmt: skip
FORMATS: tuple[HistoryFormat, ...] = (MOVIELENS, IMDB, LETTERBOXD, APP)


@dataclass(frozen=True)
class HistoryRow:
    """One rated film as the file describes it (ids are ``None`` when the file has none):
    ``movie_id`` is the dataset's own id (this app's files), ``movielens_id`` MovieLens.org's."""

    row: int
    stars: float
    title: str = ""
    year: int | None = None
    original_title: str = ""
    movie_id: int | None = None
    movielens_id: int | None = None
    imdb_id: int | None = None
    tmdb_id: int | None = None
    title_type: str = ""

    @property
    def imdb(self) -> str:
        """The IMDb id as IMDb writes it (``tt0076759``), or ``""``."""
        return f"tt{self.imdb_id:07d}" if self.imdb_id is not None else ""


@dataclass(frozen=True)
class SkippedRow:
    """A row left out without being a problem (no rating); ``title`` as the file has it."""

    row: int
    title: str
    reason: str


@dataclass(frozen=True)
class RoundedRow:
    """A rating between half stars, rounded: ``raw`` as in the file, ``stars`` as imported."""

    row: int
    raw: str
    stars: float


@dataclass(frozen=True)
class ParsedHistory:
    """Every row of a recognised file: the rated ones, the skipped ones and plain-text notes."""

    format: HistoryFormat
    rows: tuple[HistoryRow, ...]
    skipped: tuple[SkippedRow, ...]
    rounded: tuple[RoundedRow, ...]
    n_rows: int
    notes: tuple[str, ...] = ()


class _RowProblem(ValueError):
    """A malformed value; the message names the column and the problem (the row is added)."""


def _shown(value: str) -> str:
    """A value from the file, quoted and cut short, for a plain-text message."""
    return repr(value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "…")


def decode_text(data: bytes | str) -> tuple[str, tuple[str, ...]]:
    """The file as text (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) and notes."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), ()
    if len(data) > MAX_BYTES:
        raise HistoryImportError([f"the file is larger than {MAX_BYTES // 1_000_000} MB"])
    if data[:4] == b"PK\x03\x04":
        raise HistoryImportError(
            ["this is a zip or spreadsheet (.xlsx) file: unzip it or save it as CSV first"]
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), ()
        except UnicodeDecodeError:
            raise HistoryImportError(["the file starts like UTF-16 text but is not"]) from None
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise HistoryImportError(
            [f"the file is not text (byte 0x{data[exc.start]:02x} at offset {exc.start})"]
        ) from None
    note = (
        f"The file is not UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}); "
        "it was read as Windows-1252 (Western European)."
    )
    return text, (note,)


def _delimiter(first_line: str) -> str:
    if "," not in first_line:
        for candidate in (";", "\t"):
            if candidate in first_line:
                return candidate
    return ","


def _hint(lowered: set[str]) -> str:
    if "const" in lowered:
        return (
            " It looks like an IMDb list or watchlist, which has no ratings: export your ratings."
        )
    if {"name", "letterboxd uri"} <= lowered:
        return (
            " It looks like Letterboxd's watched.csv or watchlist.csv, which have no ratings: "
            "upload ratings.csv (or diary.csv) from the export."
        )
    return ""


def detect_format(header: list[str]) -> HistoryFormat:
    """The export whose required columns the header has; :class:`UnknownFormatError` otherwise."""
    lowered = {h.strip().lower() for h in header}
    for fmt in FORMATS:
        if all(c.lower() in lowered for c in fmt.required):
            return fmt
    found = ", ".join(_shown(h.strip()) for h in header[:15]) or "none"
    if len(header) > 15:
        found += f" and {len(header) - 15} more"
    expected = "; ".join(f.describe() for f in FORMATS)
    raise UnknownFormatError(
        [
            f"the columns found ({found}) match no supported export.{_hint(lowered)} "
            f"Expected one of: {expected}"
        ]
    )


def _stars(raw: str, column: str, fmt: HistoryFormat) -> float | None:
    """Stars from a rating cell: ``None`` when empty; IMDb's 1-10 halved; rounded to half stars."""
    text = raw.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _RowProblem(f"column {column!r}: rating {_shown(text)} is not a number") from None
    if fmt is IMDB:
        if not (1 <= value <= 10):
            raise _RowProblem(f"column {column!r}: rating {_shown(text)} is not between 1 and 10")
        value /= 2
    elif not (RATING_MIN - 0.25 < value <= RATING_MAX) or not math.isfinite(value):
        raise _RowProblem(f"column {column!r}: rating {_shown(text)} is not between 0.5 and 5")
    return min(RATING_MAX, max(RATING_MIN, math.floor(value * 2 + 0.5) / 2))


_IMDB_ID = re.compile(r"^(?:tt)?(\d{1,10})$", re.I)
_YEAR = re.compile(r"^\d{4}$")
_TITLE_YEAR = re.compile(r"\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")


def _whole(raw: str, column: str, what: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10:
        raise _RowProblem(f"column {column!r}: {what} {_shown(text)} is not a whole number")
    return int(text)


def _imdb(raw: str, column: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    match = _IMDB_ID.match(text)
    if not match:
        raise _RowProblem(f"column {column!r}: {_shown(text)} is not an IMDb id like tt0076759")
    return int(match.group(1))


def _year(raw: str, column: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not _YEAR.match(text):
        raise _RowProblem(f"column {column!r}: {_shown(text)} is not a year")
    return int(text)


def _title_year(title: str) -> int | None:
    match = _TITLE_YEAR.search(title)
    return int(match.group(1)) if match else None


def _unneutralised(title: str) -> str:
    """A title exported spreadsheet-safe ("'=Foo") back as written ("=Foo")."""
    if len(title) > 1 and title[0] == "'" and title[1] in "=+-@\t\r":
        return title[1:]
    return title


Cells = Mapping[str, str]
_RowReader = Callable[[Cells, int, float], HistoryRow]


def _movielens_row(cells: Cells, row: int, stars: float) -> HistoryRow:
    title = cells.get("title", "").strip()
    return HistoryRow(
        row,
        stars,
        title,
        _title_year(title),
        movielens_id=_whole(cells["movie_id"], "movie_id", "movie id"),
        imdb_id=_imdb(cells.get("imdb_id", ""), "imdb_id"),
        tmdb_id=_whole(cells.get("tmdb_id", ""), "tmdb_id", "TMDB id"),
    )


def _imdb_row(cells: Cells, row: int, stars: float) -> HistoryRow:
    imdb_id = _imdb(cells["const"], "Const")
    if imdb_id is None:
        raise _RowProblem("column 'Const': the IMDb id is missing")
    return HistoryRow(
        row,
        stars,
        cells.get("title", "").strip(),
        _year(cells.get("year", ""), "Year"),
        original_title=cells.get("original title", "").strip(),
        imdb_id=imdb_id,
        title_type=cells.get("title type", "").strip(),
    )


def _letterboxd_row(cells: Cells, row: int, stars: float) -> HistoryRow:
    return HistoryRow(row, stars, cells["name"].strip(), _year(cells["year"], "Year"))


def _app_row(cells: Cells, row: int, stars: float) -> HistoryRow:
    movie_id = _whole(cells["movieid"], "movieId", "movieId")
    if movie_id is None:
        raise _RowProblem("column 'movieId': the movie id is missing")
    title = _unneutralised(cells.get("title", "").strip())
    return HistoryRow(row, stars, title, _title_year(title), movie_id=movie_id)


_READERS: dict[str, tuple[_RowReader, str]] = {
    "movielens": (_movielens_row, "rating"),
    "imdb": (_imdb_row, "your rating"),
    "letterboxd": (_letterboxd_row, "rating"),
    "app": (_app_row, "rating"),
}


def _records(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)))
    except csv.Error as exc:
        raise HistoryImportError([f"the file is not readable CSV ({exc})"]) from None


def _check_users(header: list[str], body: list[list[str]]) -> None:
    lowered = [h.strip().lower() for h in header]
    if "userid" not in lowered:
        return
    col = lowered.index("userid")
    users = {r[col].strip() for r in body if len(r) > col and r[col].strip()}
    if len(users) > 1:
        raise HistoryImportError(
            [f"the file holds the ratings of {len(users):,} users (column 'userId'): keep one's"]
        )


def read_history(data: bytes | str) -> ParsedHistory:
    """Recognise and parse a rating history; :class:`HistoryImportError` lists every problem."""
    text, notes = decode_text(data)
    if "\x00" in text:
        raise HistoryImportError(["the file is not text (it contains NUL characters)"])
    records = _records(text)
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)  # blank lines before the header
    if not records:
        raise HistoryImportError(["the file is empty"])
    header = [h.strip() for h in records[0]]
    fmt = detect_format(header)
    body = records[1:]
    if len(body) > MAX_ROWS:
        raise HistoryImportError([f"the file has more than {MAX_ROWS:,} rows"])
    _check_users(header, body)
    return _parse_rows(fmt, header, body, notes)


def _parse_rows(
    fmt: HistoryFormat, header: list[str], body: list[list[str]], notes: tuple[str, ...]
) -> ParsedHistory:
    lowered = [h.lower() for h in header]
    reader, rating_col = _READERS[fmt.key]
    rating_label = header[lowered.index(rating_col)]
    title_col = next((c for c in ("title", "name") if c in lowered), None)
    problems: list[str] = []
    rows: list[HistoryRow] = []
    skipped: list[SkippedRow] = []
    rounded: list[RoundedRow] = []
    n_rows = 0
    for number, record in enumerate(body, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines are harmless
        n_rows += 1
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            problems.append(f"row {number} has {len(record)} fields, expected {len(header)}")
            continue
        if len(record) < len(header):
            record = record + [""] * (len(header) - len(record))
        cells = dict(zip(lowered, record, strict=False))
        try:
            stars = _stars(cells[rating_col], rating_label, fmt)
            if stars is None:
                title = cells.get(title_col, "").strip() if title_col else ""
                skipped.append(SkippedRow(number, title, "no rating"))
                continue
            rows.append(reader(cells, number, stars))
        except _RowProblem as problem:
            problems.append(f"row {number}, {problem}")
            continue
        raw = cells[rating_col].strip()
        if stars != (float(raw) / 2 if fmt is IMDB else float(raw)):
            rounded.append(RoundedRow(number, raw, stars))
    if problems:
        raise HistoryImportError(problems)
    return ParsedHistory(fmt, tuple(rows), tuple(skipped), tuple(rounded), n_rows, notes)
