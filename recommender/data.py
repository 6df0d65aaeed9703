"""Loading, validating and cleaning MovieLens datasets.

:func:`load_movielens` reads GroupLens MovieLens data into a :class:`MovieLens` of tidy, tightly typed
DataFrames. It understands three layouts:

* ``ml-latest-small`` / ``ml-latest`` / ``ml-25m``-style CSVs (``ratings.csv``, ``movies.csv``,
  ``tags.csv``, ``links.csv``), from a folder or straight from the GroupLens zip;
* the classic ``ml-100k`` folder (``u.data``, ``u.item``, ``u.genre``);
* the classic ``ml-1m`` folder (``::``-separated ``ratings.dat`` / ``movies.dat``, latin-1).

Anything wrong with the input raises :class:`DataError` with a message that names the file, the line
or column, and the problem, never a bare pandas traceback.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATASET = "ml-latest-small"
DEFAULT_BASE_URL = "https://files.grouplens.org/datasets/movielens/"
ENV_DIR = "MOVIELENS_DIR"
ENV_URL = "MOVIELENS_URL"
ENV_DATA_HOME = "MOVIELENS_DATA_HOME"  # where downloads go; default data/ in the project

RATING_MIN, RATING_MAX = 0.5, 5.0
NO_GENRES = "(no genres listed)"

ProgressCallback = Callable[[int, int | None], None]

CITATION = (
    "F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context. "
    "ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4: 19:1–19:19. "
    "https://doi.org/10.1145/2827872"
)


class DataError(Exception):
    """The dataset is missing, unreadable or malformed; the message says where and why."""


@dataclass(frozen=True)
class MovieLens:
    """One MovieLens dataset as four tidy DataFrames.

    The frames may be shared between sessions (``st.cache_resource``): treat them as read-only.
    """

    name: str
    ratings: pd.DataFrame
    movies: pd.DataFrame
    tags: pd.DataFrame
    links: pd.DataFrame
    source: str = ""

    @property
    def n_users(self) -> int:
        return int(self.ratings["userId"].nunique())

    @property
    def n_movies(self) -> int:
        return len(self.movies)

    @property
    def n_rated_movies(self) -> int:
        return int(self.ratings["movieId"].nunique())

    @property
    def n_ratings(self) -> int:
        return len(self.ratings)

    @property
    def n_tags(self) -> int:
        return len(self.tags)

    @property
    def sparsity(self) -> float:
        """Share of the user × rated-movie matrix with no rating (0..1)."""
        cells = self.n_users * self.n_rated_movies
        return 1.0 - self.n_ratings / cells if cells else 1.0


# --------------------------------------------------------------------------------------------
# Titles


_YEAR_AT_END = re.compile(r"\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")
_ARTICLES = (
    "the", "a", "an", "la", "le", "les", "l'", "il", "el", "los", "las", "die", "der", "das",
    "den", "det", "lo", "gli", "i", "un", "une", "o", "os",
)  # fmt: skip
_TRAILING_ARTICLE = re.compile(
    r"^(?P<body>.*?),\s*(?P<article>" + "|".join(_ARTICLES) + r")$", re.I
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PAREN_GROUP = re.compile(r"\(([^()]*)\)")
_PAREN_STRIP = re.compile(r"\s*\([^()]*\)")


def strip_accents(text: str) -> str:
    """Drop diacritics: "Amélie" -> "Amelie"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _move_article(part: str) -> str:
    if "," not in part:
        return part
    match = _TRAILING_ARTICLE.match(part.strip())
    if not match:
        return part
    article = match["article"]
    sep = "" if article.endswith("'") else " "
    return f"{article}{sep}{match['body']}"


def normalize_title(text: str) -> str:
    """Search key for a title: lower case, no accents, no year, leading article restored.

    >>> normalize_title("Matrix, The (1999)")
    'the matrix'
    >>> normalize_title("City of Lost Children, The (Cité des enfants perdus, La) (1995)")
    'the city of lost children la cite des enfants perdus'
    """
    if not isinstance(text, str):
        return ""
    title = _YEAR_AT_END.sub("", text.strip())
    # A trailing parenthesised group is an alternative title ("Postman, The (Postino, Il)").
    if "(" in title:
        parts = _PAREN_GROUP.findall(title)
        main = _PAREN_STRIP.sub("", title)
        pieces = [_move_article(main)] + [_move_article(p) for p in parts]
    else:
        pieces = [_move_article(title)]
    key = " ".join(pieces)
    key = strip_accents(key).lower().replace("&", " and ")
    return _NON_ALNUM.sub(" ", key).strip()


def parse_year(titles: pd.Series) -> pd.Series:
    """Release year from a "Title (1999)" string; missing where the title has none."""
    years = titles.str.extract(_YEAR_AT_END, expand=False)
    return pd.to_numeric(years, errors="coerce").astype("Int16")


# --------------------------------------------------------------------------------------------
# Sources: a folder or a zip


class _Source:
    """Files of one dataset, in a folder or inside a zip (possibly under a top-level folder)."""

    def __init__(self, location: Path):
        self.location = location
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if location.is_file():
            try:
                self._zip = zipfile.ZipFile(location)
            except (zipfile.BadZipFile, OSError) as exc:
                raise DataError(f"{location}: not a zip file ({exc}).") from exc
            for member in self._zip.namelist():
                base = member.rsplit("/", 1)[-1]
                if base and base not in self._members:
                    self._members[base] = member
            tops = {m.split("/", 1)[0] for m in self._members.values() if "/" in m}
            self.name = tops.pop() if len(tops) == 1 else location.stem
        elif location.is_dir():
            self.name = location.name
        else:
            raise DataError(f"{location}: no such folder or zip file.")

    def has(self, filename: str) -> bool:
        if self._zip is not None:
            return filename in self._members
        return (self.location / filename).is_file()

    def read_bytes(self, filename: str) -> bytes:
        if not self.has(filename):
            raise DataError(f"{self.describe(filename)}: file is missing.")
        try:
            if self._zip is not None:
                return self._zip.read(self._members[filename])
            return (self.location / filename).read_bytes()
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise DataError(f"{self.describe(filename)}: cannot be read ({exc}).") from exc

    def describe(self, filename: str) -> str:
        if self._zip is not None:
            return f"{self.location}!{self._members.get(filename, filename)}"
        return str(self.location / filename)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _decode_check(raw: bytes, where: str, encoding: str) -> None:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{where}, line {line}: not valid {encoding.upper()} text "
            f"(byte 0x{raw[exc.start]:02x} at offset {exc.start})."
        ) from exc


def _read_csv(
    raw: bytes, where: str, required: list[str], dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """Parse a headed CSV, turning every pandas failure into a DataError naming the place."""
    if not raw.strip():
        raise DataError(f"{where}: file is empty.")
    _decode_check(raw, where, "utf-8")
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=dtypes, encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{where}: file is empty.") from exc
    except pd.errors.ParserError as exc:
        detail = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc)).strip()
        raise DataError(f"{where}: malformed CSV ({detail}).") from exc
    except (ValueError, TypeError) as exc:
        raise DataError(f"{where}: cannot parse ({exc}).") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in frame.columns)}."
        )
    return frame


def _as_int32(frame: pd.DataFrame, column: str, where: str, header: bool = True) -> np.ndarray:
    """The column as int32, or a DataError naming the first line with a non-integer value."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        shown = frame[column].iloc[pos]
        problem = "missing value" if pd.isna(shown) else f"non-numeric ID {str(shown)!r}"
        line = pos + (2 if header else 1)
        raise DataError(f"{where}, line {line}, column {column!r}: {problem}.")
    return values.to_numpy().astype(np.int32)


def _as_float(frame: pd.DataFrame, column: str, where: str) -> np.ndarray:
    """The column as float32; missing values stay NaN (reported by quality_report)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{where}, line {pos + 2}, column {column!r}: "
            f"non-numeric value {str(frame[column].iloc[pos])!r}."
        )
    return values.to_numpy(dtype=np.float32)


def _as_utc(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{where}, line {pos + 2}, column {column!r}: "
            f"timestamp {str(frame[column].iloc[pos])!r} is not a number of seconds."
        )
    return pd.to_datetime(values, unit="s", utc=True).astype("datetime64[ns, UTC]")


# --------------------------------------------------------------------------------------------
# Frame builders shared by every layout


def _movies_frame(movie_ids: np.ndarray, titles: pd.Series, genres: pd.Series) -> pd.DataFrame:
    titles = titles.fillna("").astype(str).str.strip()
    genre_lists = [
        [] if (not isinstance(g, str) or g in ("", NO_GENRES)) else g.split("|") for g in genres
    ]
    titles = titles.reset_index(drop=True)
    return pd.DataFrame(
        {
            "movieId": movie_ids.astype(np.int32),
            "title": titles,
            "genres": pd.Series(genre_lists, dtype=object),
            "year": parse_year(titles).reset_index(drop=True),
            "title_key": [normalize_title(t) for t in titles],
        }
    )


def _empty_tags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "userId": np.array([], dtype=np.int32),
            "movieId": np.array([], dtype=np.int32),
            "tag": pd.Series([], dtype=str),
            "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
        }
    )


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "movieId": np.array([], dtype=np.int32),
            "imdbId": pd.Series([], dtype=str),
            "tmdbId": pd.Series([], dtype="Int32"),
        }
    )


def _ratings_frame(
    users: np.ndarray, movies: np.ndarray, ratings: np.ndarray, timestamps: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "userId": users,
            "movieId": movies,
            "rating": ratings,
            "timestamp": timestamps.reset_index(drop=True),
        }
    )


# --------------------------------------------------------------------------------------------
# Layout readers


def _read_latest(src: _Source) -> MovieLens:
    where = src.describe("ratings.csv")
    raw = _read_csv(
        src.read_bytes("ratings.csv"), where, ["userId", "movieId", "rating", "timestamp"]
    )
    ratings = _ratings_frame(
        _as_int32(raw, "userId", where),
        _as_int32(raw, "movieId", where),
        _as_float(raw, "rating", where),
        _as_utc(raw, "timestamp", where),
    )

    where = src.describe("movies.csv")
    raw = _read_csv(
        src.read_bytes("movies.csv"),
        where,
        ["movieId", "title", "genres"],
        {"title": str, "genres": str},
    )
    movies = _movies_frame(_as_int32(raw, "movieId", where), raw["title"], raw["genres"])

    if src.has("tags.csv"):
        where = src.describe("tags.csv")
        raw = _read_csv(
            src.read_bytes("tags.csv"),
            where,
            ["userId", "movieId", "tag", "timestamp"],
            {"tag": str},
        )
        tags = pd.DataFrame(
            {
                "userId": _as_int32(raw, "userId", where),
                "movieId": _as_int32(raw, "movieId", where),
                "tag": raw["tag"].astype("str").where(raw["tag"].notna(), None).to_numpy(),
                "timestamp": _as_utc(raw, "timestamp", where),
            }
        )
    else:
        tags = _empty_tags()

    if src.has("links.csv"):
        where = src.describe("links.csv")
        raw = _read_csv(
            src.read_bytes("links.csv"), where, ["movieId", "imdbId", "tmdbId"], {"imdbId": str}
        )
        tmdb = pd.to_numeric(raw["tmdbId"], errors="coerce")
        links = pd.DataFrame(
            {
                "movieId": _as_int32(raw, "movieId", where),
                "imdbId": raw["imdbId"].fillna("").astype(str).str.strip().str.zfill(7).to_numpy(),
                "tmdbId": tmdb.round().astype("Int32"),
            }
        )
    else:
        links = _empty_links()
    return MovieLens(src.name, ratings, movies, tags, links, source=str(src.location))


def _read_100k(src: _Source) -> MovieLens:
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
    ratings = _ratings_frame(
        _as_int32(raw, "userId", where, header=False),
        _as_int32(raw, "movieId", where, header=False),
        _as_float(raw, "rating", where),
        _as_utc(raw, "timestamp", where),
    )
    genre_names = _100k_genres(src)
    where = src.describe("u.item")
    item_bytes = src.read_bytes("u.item")
    text = item_bytes.decode("latin-1")
    rows = [line.split("|") for line in text.splitlines() if line.strip()]
    expected = 5 + len(genre_names)
    for lineno, row in enumerate(rows, start=1):
        if len(row) != expected:
            raise DataError(
                f"{where}, line {lineno}: expected {expected} '|'-separated fields, found {len(row)}."
            )
    items = pd.DataFrame(rows)
    ids = _as_int32(items.rename(columns={0: "movieId"}), "movieId", where, header=False)
    flags = items.iloc[:, 5:].to_numpy() == "1"
    genres = pd.Series(
        ["|".join(g for g, f in zip(genre_names, row, strict=True) if f) for row in flags]
    )
    genres = genres.replace({"unknown": NO_GENRES, "": NO_GENRES})
    movies = _movies_frame(ids, items[1], genres)
    return MovieLens(
        src.name, ratings, movies, _empty_tags(), _empty_links(), source=str(src.location)
    )


def _100k_genres(src: _Source) -> list[str]:
    if src.has("u.genre"):
        text = src.read_bytes("u.genre").decode("latin-1")
        pairs = [line.split("|") for line in text.splitlines() if line.strip()]
        return [name for name, _ in sorted(pairs, key=lambda p: int(p[1]))]
    return [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
        "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
        "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ]  # fmt: skip


def _split_dat(raw: bytes, where: str, n_fields: int) -> list[list[str]]:
    text = raw.decode("latin-1")
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("::")
        if len(parts) != n_fields:
            raise DataError(
                f"{where}, line {lineno}: expected {n_fields} '::'-separated fields, found {len(parts)}."
            )
        rows.append(parts)
    if not rows:
        raise DataError(f"{where}: file is empty.")
    return rows


def _read_1m(src: _Source) -> MovieLens:
    where = src.describe("ratings.dat")
    raw_bytes = src.read_bytes("ratings.dat")
    if not raw_bytes.strip():
        raise DataError(f"{where}: file is empty.")
    # "::" separators; reading on ':' with the C engine and keeping every other column is ~20x
    # faster than the python engine's regex separator.
    try:
        raw = pd.read_csv(
            io.BytesIO(raw_bytes), sep=":", header=None, usecols=[0, 2, 4, 6], encoding="latin-1"
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{where}: malformed '::'-separated data ({exc}).") from exc
    raw.columns = ["userId", "movieId", "rating", "timestamp"]
    ratings = _ratings_frame(
        _as_int32(raw, "userId", where, header=False),
        _as_int32(raw, "movieId", where, header=False),
        _as_float(raw, "rating", where),
        _as_utc(raw, "timestamp", where),
    )
    where = src.describe("movies.dat")
    rows = _split_dat(src.read_bytes("movies.dat"), where, 3)
    items = pd.DataFrame(rows, columns=["movieId", "title", "genres"])
    movies = _movies_frame(
        _as_int32(items, "movieId", where, header=False), items["title"], items["genres"]
    )
    return MovieLens(
        src.name, ratings, movies, _empty_tags(), _empty_links(), source=str(src.location)
    )


def read_dataset(location: str | os.PathLike[str]) -> MovieLens:
    """Read a MovieLens folder or zip in any supported layout (no download, no resolution)."""
    src = _Source(Path(location).expanduser())
    try:
        if src.has("ratings.csv") or src.has("movies.csv"):
            ml = _read_latest(src)
        elif src.has("u.data"):
            ml = _read_100k(src)
        elif src.has("ratings.dat"):
            ml = _read_1m(src)
        else:
            raise DataError(
                f"{src.location}: no MovieLens files found (expected ratings.csv and movies.csv, "
                "or u.data and u.item for ml-100k, or ratings.dat and movies.dat for ml-1m)."
            )
    finally:
        src.close()
    if ml.ratings.empty:
        raise DataError(f"{src.location}: the ratings file has no rows.")
    return ml


# --------------------------------------------------------------------------------------------
# Resolution and download


def default_data_dir() -> Path:
    """Folder for downloads: ``$MOVIELENS_DATA_HOME`` or the project's ``data/``."""
    return Path(os.environ.get(ENV_DATA_HOME) or DEFAULT_DATA_DIR).expanduser()


def dataset_dir(data_dir: Path | None = None, name: str = DEFAULT_DATASET) -> Path:
    """Where a downloaded copy of ``name`` lives."""
    return (data_dir or default_data_dir()) / name


def download_url(base_url: str | None = None) -> str:
    """URL of the ml-latest-small zip: ``base_url``, ``$MOVIELENS_URL`` or GroupLens."""
    base = base_url or os.environ.get(ENV_URL) or DEFAULT_BASE_URL
    return base.rstrip("/") + f"/{DEFAULT_DATASET}.zip"


def resolve_source(
    source: str | os.PathLike[str] | None = None, data_dir: Path | None = None
) -> Path | None:
    """The folder or zip to read, or None when the dataset must be downloaded first."""
    if source is not None:
        return Path(source).expanduser()
    env = os.environ.get(ENV_DIR, "").strip()
    if env:
        path = Path(env).expanduser()
        if not path.exists():
            raise DataError(f"{ENV_DIR}={env}: no such folder or zip file.")
        return path
    local = dataset_dir(data_dir)
    if (local / "ratings.csv").is_file():
        return local
    return None


def load_movielens(
    source: str | os.PathLike[str] | None = None,
    *,
    data_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    base_url: str | None = None,
) -> MovieLens:
    """Load a MovieLens dataset, downloading ml-latest-small on first use.

    The source resolves in this order: ``source`` (a folder or zip); the folder or zip named by
    ``$MOVIELENS_DIR``; a copy downloaded earlier under ``data_dir`` (default ``$MOVIELENS_DATA_HOME``
    or ``data/``); otherwise
    ``ml-latest-small.zip`` downloaded from ``base_url`` (default ``$MOVIELENS_URL`` or GroupLens)
    into ``data_dir``, reporting ``progress(bytes_done, bytes_total)``.
    """
    path = resolve_source(source, data_dir)
    if path is None:
        from recommender.download import download_movielens

        url = (base_url or os.environ.get(ENV_URL) or DEFAULT_BASE_URL).rstrip(
            "/"
        ) + f"/{DEFAULT_DATASET}.zip"
        path = download_movielens(url, data_dir or DEFAULT_DATA_DIR, progress=progress)
    return read_dataset(path)


# --------------------------------------------------------------------------------------------
# Quality report and cleaning


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


def _off_scale(ratings: pd.Series) -> pd.Series:
    r = ratings.astype(np.float64)
    return r.notna() & ((r < RATING_MIN) | (r > RATING_MAX) | ((r * 2) % 1 != 0))


def quality_report(ml: MovieLens) -> QualityReport:
    """Check a dataset for the problems :func:`clean` can fix, and the ones worth knowing about."""
    r, m, t = ml.ratings, ml.movies, ml.tags
    known = m["movieId"].to_numpy()
    dup = r[r.duplicated(["userId", "movieId"], keep=False)]
    off = r[_off_scale(r["rating"])]
    orphan_r = r[~np.isin(r["movieId"].to_numpy(), known)]
    orphan_t = t[~np.isin(t["movieId"].to_numpy(), known)]
    no_year = m[m["year"].isna()]
    no_genre = m[m["genres"].map(len) == 0]
    dup_movies = m[m["movieId"].duplicated(keep=False)]
    rows = [
        ("Duplicate (userId, movieId) ratings", "ratings", r.duplicated(["userId", "movieId"]).sum(),
         _example(dup, ["userId", "movieId"]), True),
        ("Ratings off the 0.5–5 half-star scale", "ratings", len(off), _example(off, ["userId", "movieId", "rating"]), True),
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

    1. ratings with a missing rating are removed;
    2. ratings off the 0.5–5 half-star scale are removed (they cannot be real MovieLens ratings);
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
    r = step(
        r, ~_off_scale(r["rating"]), "Removed ratings off the 0.5–5 half-star scale", "ratings"
    )
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
    cleaned = MovieLens(
        ml.name,
        r.reset_index(drop=True),
        m.reset_index(drop=True),
        t.reset_index(drop=True),
        ml.links,
        source=ml.source,
    )
    return CleaningResult(cleaned, changes_frame)
