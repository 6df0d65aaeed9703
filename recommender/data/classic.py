"""Readers of the classic GroupLens layouts: ml-100k (``u.data``, ``u.item``, ``u.genre``) and the
``::``-separated ``.dat`` files of ml-1m and ml-10m.

The ``.dat`` and ``u.*`` files are latin-1 in ml-100k and ml-1m; a file that is valid UTF-8 is read
as UTF-8 (ml-10m), anything else as latin-1, so accented titles come out right either way. ml-1m's
``users.dat`` (demographics) is not read: nothing in the app uses it.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from recommender.data.files import DatasetFiles
from recommender.data.frames import (
    empty_links,
    empty_tags,
    movies_frame,
    ratings_frame,
    tags_frame,
)
from recommender.data.movielens import NO_GENRES, DataError, MovieLens
from recommender.data.parsing import as_float, as_int32, as_utc

__all__ = ["decode_text", "read_100k", "read_dat"]

GENRES_100K = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
]  # fmt: skip
_SAFE_URL = re.compile(r"https?://[^\s\"'<>]+")


def decode_text(raw: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else latin-1 (which decodes any byte)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _ratings_from(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    return ratings_frame(
        as_int32(raw, "userId", where, header=False),
        as_int32(raw, "movieId", where, header=False),
        as_float(raw, "rating", where, header=False),
        as_utc(raw, "timestamp", where, header=False),
    )


# ------------------------------------------------------------------------------------- ml-100k


def read_100k(src: DatasetFiles) -> MovieLens:
    where = src.describe("u.data")
    raw_bytes = src.read_bytes("u.data")
    if not raw_bytes.strip():
        raise DataError(f"{where}: file is empty.")
    try:
        raw = pd.read_csv(
            io.BytesIO(raw_bytes), sep="\t", header=None,
            names=["userId", "movieId", "rating", "timestamp"],
        )  # fmt: skip
    except pd.errors.ParserError as exc:
        raise DataError(f"{where}: malformed tab-separated data ({exc}).") from exc
    ratings = _ratings_from(raw, where)
    genre_names = _100k_genres(src)
    where = src.describe("u.item")
    rows = [line.split("|") for line in decode_text(src.read_bytes("u.item")).splitlines()]
    expected = 5 + len(genre_names)
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if "".join(row).strip()]
    for lineno, row in numbered:
        if len(row) != expected:
            raise DataError(
                f"{where}, line {lineno}: expected {expected} '|'-separated fields, found {len(row)}."
            )
    if not numbered:
        raise DataError(f"{where}: file is empty.")
    items = pd.DataFrame([row for _, row in numbered])
    ids = as_int32(items.rename(columns={0: "movieId"}), "movieId", where, header=False)
    flags = items.iloc[:, 5:].to_numpy() == "1"
    genres = pd.Series(
        ["|".join(g for g, f in zip(genre_names, row, strict=True) if f) for row in flags]
    )
    genres = genres.replace({"unknown": NO_GENRES, "": NO_GENRES})
    # u.item's IMDb URLs (old us.imdb.com title searches) are kept for the cards; only http(s)
    # URLs, so a hostile "javascript:" link can never reach a page. The ids are ml-100k's own.
    urls = items[4].str.strip().map(lambda u: u if _SAFE_URL.fullmatch(u) else "")
    movies = movies_frame(ids, items[1], genres, urls)
    return MovieLens(
        src.name, ratings, movies, empty_tags(), empty_links(), source=str(src.location),
        has_tags=False, movie_ids_are_movielens=False,
    )  # fmt: skip


def _100k_genres(src: DatasetFiles) -> list[str]:
    if not src.has("u.genre"):
        return GENRES_100K
    where = src.describe("u.genre")
    pairs = [line.split("|") for line in decode_text(src.read_bytes("u.genre")).splitlines()]
    pairs = [p for p in pairs if "".join(p).strip()]
    if any(len(p) != 2 or not p[1].strip().isdigit() for p in pairs):
        raise DataError(f"{where}: expected lines 'genre|number'.")
    return [name for name, _ in sorted(pairs, key=lambda p: int(p[1]))]


# ------------------------------------------------------------------------------- ml-1m, ml-10m


def _split_dat(raw: bytes, where: str, n_fields: int, text_field: int | None) -> list[list[str]]:
    """Lines split on '::'. The free-text field (a title, a tag) may itself hold '::'; the fields
    around it are fixed, so the extra pieces are joined back into it. Without a text field (the
    ratings) a line must have exactly ``n_fields``."""
    rows = []
    for lineno, line in enumerate(decode_text(raw).splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("::")
        extra = len(parts) - n_fields
        if extra > 0 and text_field is not None:
            joined = "::".join(parts[text_field : text_field + extra + 1])
            parts = parts[:text_field] + [joined] + parts[text_field + extra + 1 :]
        if len(parts) != n_fields:
            raise DataError(
                f"{where}, line {lineno}: expected {n_fields} '::'-separated fields, "
                f"found {len(parts)}."
            )
        rows.append(parts)
    if not rows:
        raise DataError(f"{where}: file is empty.")
    return rows


def _dat_ratings(src: DatasetFiles) -> pd.DataFrame:
    where = src.describe("ratings.dat")
    raw_bytes = src.read_bytes("ratings.dat")
    if not raw_bytes.strip():
        raise DataError(f"{where}: file is empty.")
    # "::" separators: reading on ':' with the C engine and keeping every other column is ~20x
    # faster than the python engine's regex separator. It is taken only when every line has
    # exactly three "::" and no other ':' (counted in C); otherwise the line-by-line split reads
    # the file and names the first malformed line.
    body = raw_bytes.rstrip(b"\r\n")
    lines = body.count(b"\n") + 1
    regular = body.count(b"::") == 3 * lines and body.count(b":") == 6 * lines
    raw = None
    if regular and b"\n\n" not in body:
        try:
            raw = pd.read_csv(
                io.BytesIO(raw_bytes), sep=":", header=None, usecols=[0, 2, 4, 6],
                encoding="latin-1", names=range(7),
            )  # fmt: skip
        except (pd.errors.ParserError, ValueError):
            raw = None
    if raw is None or len(raw) != lines or raw.isna().to_numpy().any():
        raw = pd.DataFrame(_split_dat(raw_bytes, where, 4, None))
    raw.columns = ["userId", "movieId", "rating", "timestamp"]
    return _ratings_from(raw, where)


def read_dat(src: DatasetFiles) -> MovieLens:
    """ml-1m (whole stars) and ml-10m (half stars, tags.dat) share this layout."""
    ratings = _dat_ratings(src)
    where = src.describe("movies.dat")
    rows = _split_dat(src.read_bytes("movies.dat"), where, 3, 1)
    items = pd.DataFrame(rows, columns=["movieId", "title", "genres"])
    movies = movies_frame(
        as_int32(items, "movieId", where, header=False), items["title"], items["genres"]
    )
    tags = empty_tags()
    if src.has("tags.dat"):
        where = src.describe("tags.dat")
        raw_tags = src.read_bytes("tags.dat")
        rows = _split_dat(raw_tags, where, 4, 2) if raw_tags.strip() else []
        raw = pd.DataFrame(rows, columns=["userId", "movieId", "tag", "timestamp"])
        if len(raw):
            tags = tags_frame(
                as_int32(raw, "userId", where, header=False),
                as_int32(raw, "movieId", where, header=False),
                raw["tag"],
                as_utc(raw, "timestamp", where, header=False),
            )
    return MovieLens(
        src.name, ratings, movies, tags, empty_links(),
        source=str(src.location), has_tags=src.has("tags.dat"),
    )  # fmt: skip
