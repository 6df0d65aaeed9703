"""Forgiving title search: case, accents, the year and "Matrix, The" vs "The Matrix" don't matter.

Queries are normalised with :func:`recommender.data.normalize_title`, the same function that built the
movies' ``title_key`` column, so "the matrix", "Matrix, The (1999)", "MATRIX" and "matrix 1999" all
find *The Matrix (1999)*. A year in the query (with or without parentheses) ranks that year's
release first. When nothing contains the query, :func:`closest_titles` suggests near spellings.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.data import normalize_title

__all__ = [
    "TitleNotFoundError",
    "TitleQuery",
    "closest_titles",
    "parse_query",
    "resolve_title",
    "search_titles",
]


_QUERY_YEAR = re.compile(r"[\s,]*\(?\s*((?:19|20)\d{2})\s*\)?\s*$")


@dataclass(frozen=True)
class TitleQuery:
    """A parsed search: the normalised key and the release year, if the query named one."""

    key: str
    year: int | None


def parse_query(text: str) -> TitleQuery:
    """Split a trailing year off the query and normalise the rest like ``title_key``."""
    text = (text or "").strip()
    year = None
    match = _QUERY_YEAR.search(text)
    # "2001" or "1984" alone are titles, not years.
    if match and match.start() > 0:
        year = int(match.group(1))
        text = text[: match.start()]
    return TitleQuery(normalize_title(text), year)


def _strip_article(key: str) -> str:
    for article in ("the ", "a ", "an "):
        if key.startswith(article):
            return key[len(article) :]
    return key


def search_titles(
    movies: pd.DataFrame, query: str, limit: int = 10, popularity: pd.Series | None = None
) -> pd.DataFrame:
    """Movies whose title matches ``query``, best first, with a ``match`` column (0..1).

    Ranking: exact title > title starting with the query > query as whole words > query as a
    substring > every query word present; ties go to the query's year, then to ``popularity``
    (e.g. number of ratings, indexed by movieId). Empty when nothing matches: see
    :func:`closest_titles`.
    """
    parsed = parse_query(query)
    if not parsed.key:
        return movies.iloc[0:0].assign(match=pd.Series(dtype=float))
    keys = movies["title_key"].astype(str)
    q = parsed.key
    q_bare = _strip_article(q)
    bare = keys.map(_strip_article)
    padded = " " + keys + " "
    words = q.split()
    exact = (keys == q) | (bare == q_bare)
    prefix = keys.str.startswith(q) | bare.str.startswith(q_bare)
    whole = padded.str.contains(" " + q + " ", regex=False)
    substring = keys.str.contains(q, regex=False)
    all_words = pd.Series(True, index=keys.index)
    for word in words:
        all_words &= padded.str.contains(" " + word, regex=False)
    match = np.select(
        [exact, prefix, whole, substring, all_words], [1.0, 0.9, 0.8, 0.7, 0.6], default=0.0
    )
    found = movies.assign(match=match)
    found = found[found["match"] > 0]
    if found.empty:
        return found
    year_hit = (
        (found["year"] == parsed.year).fillna(False).astype(bool)
        if parsed.year is not None
        else pd.Series(False, index=found.index)
    )
    pop = (
        found["movieId"].map(popularity).fillna(0).to_numpy(dtype=float)
        if popularity is not None
        else np.zeros(len(found))
    )
    found = found.assign(_year=year_hit.to_numpy(), _pop=pop)
    found = found.sort_values(["match", "_year", "_pop"], ascending=False, kind="stable")
    return found.drop(columns=["_year", "_pop"]).head(limit)


def closest_titles(
    movies: pd.DataFrame, query: str, n: int = 5, cutoff: float = 0.55
) -> pd.DataFrame:
    """The ``n`` titles spelled most like ``query`` (for "did you mean…?"), with a ``match`` ratio."""
    parsed = parse_query(query)
    if not parsed.key:
        return movies.iloc[0:0].assign(match=pd.Series(dtype=float))
    keys = movies["title_key"].astype(str).tolist()
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(parsed.key)
    scored = []
    q_len = len(parsed.key)
    for pos, key in enumerate(keys):
        # Compare with the start of long titles too, so "godfathr" finds "the godfather part ii".
        best = 0.0
        for candidate in {key, _strip_article(key), key[: q_len + 4]}:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            best = max(best, matcher.ratio())
        if best >= cutoff:
            scored.append((best, pos))
    scored.sort(key=lambda item: -item[0])
    positions = [pos for _, pos in scored[:n]]
    return movies.iloc[positions].assign(match=[score for score, _ in scored[:n]])


class TitleNotFoundError(LookupError):
    """No title matches; ``suggestions`` holds the closest spellings (possibly empty)."""

    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No movie title matches {query!r}.{hint}")


def resolve_title(movies: pd.DataFrame, query: str, popularity: pd.Series | None = None) -> int:
    """The movieId best matching ``query``; raises :class:`TitleNotFoundError` with suggestions."""
    hits = search_titles(movies, query, limit=1, popularity=popularity)
    if len(hits):
        return int(hits["movieId"].iloc[0])
    close = closest_titles(movies, query)
    raise TitleNotFoundError(query, close["title"].tolist())
