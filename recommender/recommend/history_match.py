"""Matching imported rows to the dataset's movies: ids through links.csv first, then title + year.

Order, for each row (:func:`match_row`):

1. **ids** - this app's ``movieId``, MovieLens.org's ``movie_id`` (the GroupLens datasets use
   movielens.org's ids, except where ``MovieLens.movie_ids_are_movielens`` is False, e.g. ml-100k),
   the IMDb id, then the TMDB id, through ``links.csv``. One movie: matched; several (the same id
   on two movies): ambiguous.
2. **exact title** - the title's search key (:func:`recommender.data.normalize_title`: case,
   accents, punctuation and "Matrix, The" vs "The Matrix" do not matter) against each movie's main
   title and each alternative title in brackets ("Amelie (Fabuleux destin d'Amélie Poulain, Le)"
   is found as "Amélie" and as "Le fabuleux destin…"), also without a leading "The/A/An". The
   year must agree, or be one off (release years differ between sites). One movie: matched;
   several: ambiguous; only other years: unmatched, naming them.
3. **forgiving search** - :func:`recommender.recommend.search.search_titles` over the movies whose
   title has every word of the query (as the start of a word) and, when the row has a year, a
   compatible year. One best hit with the year agreeing whose title is the row's plus a subtitle
   ("Star Wars" 1977 -> "Star Wars: Episode IV - A New Hope (1977)"): matched ("close title");
   anything else it finds ("Love" 2015 -> "Love & Mercy (2015)"): ambiguous, up to
   :data:`MAX_CANDIDATES` candidates, best first, for the visitor to confirm or pick.

TV episodes and video games (IMDb's ``Title Type``) are matched by id only: their titles name
episodes, not films. Build the :class:`MatchIndex` once per dataset (:func:`build_match_index`);
it is read-only and can be shared.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.data import MovieLens, normalize_title
from recommender.recommend.history_formats import HistoryRow
from recommender.recommend.search import search_titles

__all__ = [
    "MATCH_METHODS",
    "MAX_CANDIDATES",
    "AmbiguousRow",
    "Candidate",
    "MatchIndex",
    "MatchedRow",
    "UnmatchedRow",
    "build_match_index",
    "match_row",
]

MAX_CANDIDATES = 5
MATCH_METHODS = (
    "movieId",
    "MovieLens id",
    "IMDb id",
    "TMDB id",
    "title and year",
    "title",
    "close title",
)
_ARTICLES = ("the ", "a ", "an ")
_NOT_FILMS = {"tvepisode", "videogame", "podcastepisode", "podcastseries"}
# "(1995)", "(2006–2007)", optionally followed by a short note such as ml-100k's "(V)".
_YEAR_AT_END = re.compile(
    r"\s*\(\d{4}(?:\s*[-–]\s*(?:\d{4})?)?\)(?:\s*\([A-Za-z][A-Za-z' .-]{0,24}\))?\s*$"
)
_BRACKETS = re.compile(r"\(([^()]*)\)")
_BRACKETED = re.compile(r"\s*\([^()]*\)")
_AKA = re.compile(r"^a k a ")
_SUBTITLE = re.compile(r":| - ")


@dataclass(frozen=True)
class Candidate:
    """A movie an ambiguous row may mean: id, dataset title, year and number of ratings."""

    movie_id: int
    title: str
    year: int | None
    n_ratings: int


@dataclass(frozen=True)
class MatchedRow:
    """A row matched to one movie; ``how`` is one of :data:`MATCH_METHODS`."""

    row: int
    movie_id: int
    stars: float
    how: str
    title: str
    movie_title: str


@dataclass(frozen=True)
class AmbiguousRow:
    """A row that may mean any of ``candidates`` (most rated first): the visitor picks one."""

    row: int
    stars: float
    title: str
    year: int | None
    candidates: tuple[Candidate, ...]
    reason: str


@dataclass(frozen=True)
class UnmatchedRow:
    """A row no movie of the dataset matches, with the file's ids and a plain-text reason."""

    row: int
    stars: float
    title: str
    year: int | None
    imdb_id: str
    tmdb_id: int | None
    reason: str


Match = MatchedRow | AmbiguousRow | UnmatchedRow


@dataclass(frozen=True)
class MatchIndex:
    """Lookups over one dataset's movies (positions into ``movies``); build with
    :func:`build_match_index`, never mutate."""

    dataset: str
    movielens_ids: bool
    movies: pd.DataFrame
    ids: tuple[int, ...]
    titles: tuple[str, ...]
    years: tuple[int | None, ...]
    n_ratings: np.ndarray
    position: dict[int, int]
    by_imdb: dict[int, tuple[int, ...]]
    by_tmdb: dict[int, tuple[int, ...]]
    by_title: dict[str, tuple[int, ...]]
    by_bare_title: dict[str, tuple[int, ...]]
    vocabulary: tuple[str, ...]
    word_positions: dict[str, frozenset[int]]
    padded_keys: tuple[str, ...]
    popularity: pd.Series

    def candidate(self, pos: int) -> Candidate:
        return Candidate(self.ids[pos], self.titles[pos], self.years[pos], int(self.n_ratings[pos]))

    def by_popularity(self, positions: Iterable[int]) -> list[int]:
        """Positions most rated first, then smaller movieId."""
        return sorted(set(positions), key=lambda p: (-int(self.n_ratings[p]), self.ids[p]))


def _strip_article(key: str) -> str:
    for article in _ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


def _title_keys(title: str, key: str) -> set[str]:
    """Search keys of a dataset title (``key`` is its ``title_key``): the whole, and when it has
    bracketed alternative titles, the main title and each of them."""
    body = _YEAR_AT_END.sub("", title.strip())
    keys = {key}
    if "(" in body:
        keys.add(normalize_title(_BRACKETED.sub("", body)))
        keys.update(_AKA.sub("", normalize_title(alt)) for alt in _BRACKETS.findall(body))
    keys.discard("")
    return keys


def _grouped(keys: Iterable[object], positions: Iterable[int]) -> dict:
    groups: defaultdict[object, list[int]] = defaultdict(list)
    for key, pos in zip(keys, positions, strict=True):
        groups[key].append(pos)
    return {key: tuple(sorted(set(found))) for key, found in groups.items()}


def _link_lookups(ml: MovieLens, position: dict[int, int]) -> tuple[dict, dict]:
    links = ml.links
    pos = links["movieId"].map(position)
    lookups = []
    for column in ("imdbId", "tmdbId"):
        ids = pd.to_numeric(links[column], errors="coerce")
        keep = (pos.notna() & ids.notna()).to_numpy()
        lookups.append(
            _grouped(ids[keep].astype("int64").tolist(), pos[keep].astype("int64").tolist())
        )
    return lookups[0], lookups[1]


def build_match_index(ml: MovieLens) -> MatchIndex:
    """Every lookup :func:`match_row` needs, for one dataset (about 0.2 s on ml-latest-small)."""
    movies = ml.movies.reset_index(drop=True)
    ids = movies["movieId"].astype(int).tolist()
    position = {movie_id: pos for pos, movie_id in enumerate(ids)}
    counts = ml.ratings.groupby("movieId").size()
    n_ratings = counts.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    by_imdb, by_tmdb = _link_lookups(ml, position)
    title_keys = movies["title_key"].astype(str).tolist()
    pairs = [
        (key, pos)
        for pos, (title, whole) in enumerate(
            zip(movies["title"].astype(str), title_keys, strict=True)
        )
        for key in _title_keys(title, whole)
    ]
    words: defaultdict[str, set[int]] = defaultdict(set)
    for pos, key in enumerate(title_keys):
        for word in key.split():
            words[word].add(pos)
    return MatchIndex(
        dataset=ml.name,
        movielens_ids=bool(getattr(ml, "movie_ids_are_movielens", True)),
        movies=movies,
        ids=tuple(ids),
        titles=tuple(movies["title"].astype(str)),
        years=tuple(None if pd.isna(y) else int(y) for y in movies["year"]),
        n_ratings=n_ratings,
        position=position,
        by_imdb=by_imdb,
        by_tmdb=by_tmdb,
        by_title=_grouped([k for k, _ in pairs], [p for _, p in pairs]),
        by_bare_title=_grouped([_strip_article(k) for k, _ in pairs], [p for _, p in pairs]),
        vocabulary=tuple(sorted(words)),
        word_positions={w: frozenset(p) for w, p in words.items()},
        padded_keys=tuple(f" {k} " for k in title_keys),
        popularity=pd.Series(n_ratings, index=ids),
    )


# -- steps -------------------------------------------------------------------------------------


def _from_positions(row: HistoryRow, index: MatchIndex, found: tuple[int, ...], how: str) -> Match:
    if len(found) == 1:
        return MatchedRow(
            row.row, index.ids[found[0]], row.stars, how, row.title, index.titles[found[0]],
        )  # fmt: skip
    candidates = tuple(index.candidate(p) for p in index.by_popularity(found)[:MAX_CANDIDATES])
    return AmbiguousRow(
        row.row, row.stars, row.title, row.year, candidates, f"the {how} fits several movies"
    )


def _by_ids(row: HistoryRow, index: MatchIndex) -> Match | None:
    if row.movie_id is not None and row.movie_id in index.position:
        return _from_positions(row, index, (index.position[row.movie_id],), "movieId")
    ml_id = row.movielens_id if index.movielens_ids else None
    if ml_id is not None and ml_id in index.position:
        return _from_positions(row, index, (index.position[ml_id],), "MovieLens id")
    if row.imdb_id is not None and row.imdb_id in index.by_imdb:
        return _from_positions(row, index, index.by_imdb[row.imdb_id], "IMDb id")
    if row.tmdb_id is not None and row.tmdb_id in index.by_tmdb:
        return _from_positions(row, index, index.by_tmdb[row.tmdb_id], "TMDB id")
    return None


def _year_fits(index: MatchIndex, found: Iterable[int], year: int | None) -> list[int]:
    """Positions released in ``year``, else one year off; all of them when the year is unknown."""
    found = list(found)
    if year is None:
        return found
    exact = [p for p in found if index.years[p] == year]
    if exact:
        return exact
    return [p for p in found if (y := index.years[p]) is not None and abs(y - year) == 1]


def _other_years(index: MatchIndex, found: Iterable[int]) -> str:
    years = sorted({y for p in found if (y := index.years[p]) is not None})
    return ", ".join(map(str, years[:5])) or "no year"


def _by_exact_title(row: HistoryRow, index: MatchIndex, title: str) -> Match | None:
    key = normalize_title(title)
    exact = index.by_title.get(key, ())
    bare = index.by_bare_title.get(_strip_article(key), ())
    if not exact and not bare:
        return None
    fits = _year_fits(index, exact, row.year)
    loose = not fits  # only "The Heat" (2013) for "Heat" (2013): the article differs
    if loose:
        fits = _year_fits(index, bare, row.year)
    if not fits:
        years = _other_years(index, {*exact, *bare})
        return _unmatched(
            row, index, f"{index.dataset} has this title only from another year ({years})"
        )
    if loose and row.year is None:
        candidates = tuple(index.candidate(p) for p in index.by_popularity(fits)[:MAX_CANDIDATES])
        reason = "the title matches only without its article, and the row has no year"
        return AmbiguousRow(row.row, row.stars, row.title, None, candidates, reason)
    return _from_positions(row, index, tuple(fits), "title and year" if row.year else "title")


def _word_candidates(index: MatchIndex, key: str) -> set[int]:
    """Positions whose search key has every word of ``key`` as the start of a word."""
    words = sorted(set(_strip_article(key).split()), key=len, reverse=True)
    if not words:
        return set()
    start = bisect.bisect_left(index.vocabulary, words[0])
    result: set[int] = set()
    for vocab_word in index.vocabulary[start:]:
        if not vocab_word.startswith(words[0]):
            break
        result |= index.word_positions[vocab_word]
    for word in words[1:]:
        needle = " " + word
        result = {p for p in result if needle in index.padded_keys[p]}
    return result


def _drops_subtitle(dataset_title: str, title: str) -> bool:
    """Whether ``title`` is ``dataset_title`` without its subtitle ("Star Wars" for "Star Wars:
    Episode IV - A New Hope (1977)"): a longer title sharing only its first words is another film."""
    main = _SUBTITLE.split(_BRACKETED.sub("", _YEAR_AT_END.sub("", dataset_title)), maxsplit=1)[0]
    key, main_key = normalize_title(title), normalize_title(main)
    return bool(main_key) and _strip_article(main_key) == _strip_article(key)


def _by_search(row: HistoryRow, index: MatchIndex, title: str) -> Match | None:
    positions = _word_candidates(index, normalize_title(title))
    positions = set(_year_fits(index, positions, row.year))
    if not positions:
        return None
    subset = index.movies.iloc[sorted(positions)]
    query = f"{title} ({row.year})" if row.year else title
    hits = search_titles(subset, query, limit=MAX_CANDIDATES, popularity=index.popularity)
    if hits.empty:
        return None
    found = tuple(index.position[int(m)] for m in hits["movieId"])
    best = hits["match"].to_numpy()
    unique_top = len(best) == 1 or best[1] < best[0]
    if (
        row.year
        and best[0] >= 0.9
        and unique_top
        and _drops_subtitle(index.titles[found[0]], title)
    ):
        return _from_positions(row, index, found[:1], "close title")
    candidates = tuple(index.candidate(p) for p in found)
    return AmbiguousRow(
        row.row, row.stars, row.title, row.year, candidates, "only similar titles were found"
    )


def _unmatched(row: HistoryRow, index: MatchIndex, reason: str) -> UnmatchedRow:
    return UnmatchedRow(row.row, row.stars, row.title, row.year, row.imdb, row.tmdb_id, reason)


def _not_found_reason(row: HistoryRow, index: MatchIndex) -> str:
    ids = (row.imdb_id, row.movie_id, row.movielens_id, row.tmdb_id)
    if not row.title and not row.original_title and all(i is None for i in ids):
        return "the row names no film (no title, no id)"
    if row.movie_id is not None and row.imdb_id is None and not row.title:
        return f"movieId {row.movie_id} is not in {index.dataset}"
    if any(i is not None for i in ids):
        return f"not in {index.dataset} (no movie with this id or title)"
    return f"not in {index.dataset} (no movie with this title)"


def match_row(row: HistoryRow, index: MatchIndex) -> Match:
    """Match one row: by id, then exact title + year, then the forgiving search."""
    by_id = _by_ids(row, index)
    if by_id is not None:
        return by_id
    kind = row.title_type.lower().replace(" ", "").replace("-", "")
    if kind in _NOT_FILMS:
        return _unmatched(row, index, f"a {row.title_type} (only films are matched by title)")
    titles = [t for t in dict.fromkeys((row.title, row.original_title)) if t]
    for step in (_by_exact_title, _by_search):
        for title in titles:
            found = step(row, index, title)
            if found is not None:
                return found
    return _unmatched(row, index, _not_found_reason(row, index))
