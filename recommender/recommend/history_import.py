"""Bring your history: import ratings exported by MovieLens.org, IMDb, Letterboxd or this app.

:func:`import_history` reads the file (:mod:`~.history_formats`: which export it is, every row,
every problem), matches each row to a movie of the dataset (:mod:`~.history_match`: ids through
``links.csv`` first, then title + year with the forgiving search) and returns an
:class:`ImportPreview`. Nothing changes anyone's ratings: the page shows the preview, the visitor
picks a movie for each ambiguous row and accepts, and only then does the page store
``preview.apply_to(current, picks)`` - a new dict; ``current`` is never modified.

All or nothing: a malformed file raises :class:`HistoryImportError` (a
:class:`~recommender.recommend.ratings_io.RatingsImportError`) listing every problem by row and
column, or :class:`UnknownFormatError` naming the columns found and those each export has, so
nothing is half-imported.

Duplicates: when two rows name the same film (the same id, the same title and year, or two rows
matched to the same movie), the later row wins and the earlier one is reported in
:attr:`ImportPreview.duplicates`. Rows without a rating are skipped and reported; ratings between
half stars are rounded and reported. Every message is plain text, but it may quote the file: show
it as text, never as markup.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from recommender.data import MovieLens, normalize_title
from recommender.data.export import spreadsheet_safe
from recommender.recommend.history_formats import (
    FORMATS,
    HistoryFormat,
    HistoryImportError,
    HistoryRow,
    RoundedRow,
    SkippedRow,
    UnknownFormatError,
    read_history,
)
from recommender.recommend.history_match import (
    MATCH_METHODS,
    AmbiguousRow,
    Candidate,
    MatchedRow,
    MatchIndex,
    UnmatchedRow,
    build_match_index,
    match_row,
)

__all__ = [
    "FORMATS",
    "MATCH_METHODS",
    "UNMATCHED_COLUMNS",
    "AmbiguousRow",
    "Candidate",
    "DuplicateRow",
    "HistoryFormat",
    "HistoryImportError",
    "ImportPreview",
    "MatchIndex",
    "MatchedRow",
    "RoundedRow",
    "SkippedRow",
    "UnknownFormatError",
    "UnmatchedRow",
    "build_match_index",
    "import_history",
]

UNMATCHED_COLUMNS = ("row", "title", "year", "rating", "imdb_id", "tmdb_id", "reason")


@dataclass(frozen=True)
class DuplicateRow:
    """Row ``row`` names the same film as the later row ``kept_row``, whose rating was kept."""

    row: int
    kept_row: int
    title: str


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, before anything is changed.

    ``matched`` rows have one movie each (``how`` says how it was found); ``ambiguous`` rows list
    their candidates, most rated first, for the visitor to pick; ``unmatched`` rows are films the
    dataset does not have (:meth:`unmatched_csv` for a download). ``skipped`` rows had no rating,
    ``rounded`` ones were rounded to half stars, ``duplicates`` lost to a later row; ``notes`` are
    plain-text remarks about the file (e.g. its encoding).
    """

    format: HistoryFormat
    dataset: str
    n_rows: int
    matched: tuple[MatchedRow, ...]
    ambiguous: tuple[AmbiguousRow, ...]
    unmatched: tuple[UnmatchedRow, ...]
    duplicates: tuple[DuplicateRow, ...] = ()
    skipped: tuple[SkippedRow, ...] = ()
    rounded: tuple[RoundedRow, ...] = ()
    notes: tuple[str, ...] = ()

    def matched_by(self) -> dict[str, int]:
        """How many rows each method matched, in the order of :data:`MATCH_METHODS`."""
        counts = Counter(m.how for m in self.matched)
        return {how: counts[how] for how in MATCH_METHODS if counts[how]}

    def ratings(
        self, picks: Mapping[int, int | None] | None = None, *, most_popular: bool = False
    ) -> dict[int, float]:
        """The accepted ratings {movieId: stars}: every matched row, plus each ambiguous row the
        visitor picked a candidate for (``picks``: row -> movieId, ``None`` leaves it out) or,
        with ``most_popular``, its most rated candidate. Rows apply in file order: the later wins.

        Raises :class:`HistoryImportError` naming every pick that is not one of its row's
        candidates.
        """
        chosen = self._chosen(picks or {}, most_popular)
        events = [(m.row, m.movie_id, m.stars) for m in self.matched] + chosen
        return {movie_id: stars for _, movie_id, stars in sorted(events)}

    def apply_to(
        self,
        current: Mapping[int, float],
        picks: Mapping[int, int | None] | None = None,
        *,
        most_popular: bool = False,
    ) -> dict[int, float]:
        """A new {movieId: stars}: ``current`` updated with :meth:`ratings` (imported ratings
        replace the visitor's for the same movie). ``current`` itself is left untouched."""
        return {**current, **self.ratings(picks, most_popular=most_popular)}

    def _chosen(
        self, picks: Mapping[int, int | None], most_popular: bool
    ) -> list[tuple[int, int, float]]:
        by_row = {a.row: a for a in self.ambiguous}
        problems = [f"row {r} has no choice to make" for r in picks if r not in by_row]
        chosen = []
        for row in self.ambiguous:
            pick = picks.get(row.row)
            if pick is None:
                if most_popular and row.row not in picks and row.candidates:
                    chosen.append((row.row, row.candidates[0].movie_id, row.stars))
                continue
            if pick not in {c.movie_id for c in row.candidates}:
                problems.append(f"row {row.row}: movie {pick} is not one of its candidates")
                continue
            chosen.append((row.row, int(pick), row.stars))
        if problems:
            raise HistoryImportError(problems)
        return chosen

    def summary(self) -> str:
        """One plain-text sentence with every count, e.g. for the page or the command line."""
        how = ", ".join(f"{n:,} by {method}" for method, n in self.matched_by().items())
        parts = [
            f"{len(self.matched):,} matched" + (f" ({how})" if how else ""),
            f"{len(self.ambiguous):,} ambiguous",
            f"{len(self.unmatched):,} not in {self.dataset}",
        ]
        if self.duplicates:
            parts.append(f"{_plural(len(self.duplicates), 'duplicate')} (the later row kept)")
        if self.skipped:
            parts.append(f"{_plural(len(self.skipped), 'row')} without a rating skipped")
        if self.rounded:
            parts.append(f"{_plural(len(self.rounded), 'rating')} rounded to half stars")
        return f"{self.format.label}, {_plural(self.n_rows, 'row')}: " + "; ".join(parts) + "."

    def unmatched_csv(self) -> str:
        """The unmatched rows as CSV (:data:`UNMATCHED_COLUMNS`), safe to open in a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(UNMATCHED_COLUMNS)
        for u in self.unmatched:
            writer.writerow(
                [
                    u.row,
                    spreadsheet_safe(u.title),
                    "" if u.year is None else u.year,
                    f"{u.stars:g}",
                    u.imdb_id,
                    "" if u.tmdb_id is None else u.tmdb_id,
                    spreadsheet_safe(u.reason),
                ]
            )
        return out.getvalue()


def _source_key(row: HistoryRow) -> tuple:
    if row.movie_id is not None:
        return ("movieId", row.movie_id)
    if row.movielens_id is not None:
        return ("movielens", row.movielens_id)
    if row.imdb_id is not None:
        return ("imdb", row.imdb_id)
    if row.tmdb_id is not None:
        return ("tmdb", row.tmdb_id)
    if not row.title:
        return ("row", row.row)  # nothing names the film: never a duplicate
    return ("title", normalize_title(row.title), row.year)


def _latest(rows: tuple[HistoryRow, ...], duplicates: list[DuplicateRow]) -> list[HistoryRow]:
    """One row per film as the file names it: the later row wins; the others are recorded."""
    latest: dict[tuple, HistoryRow] = {}
    for row in rows:
        key = _source_key(row)
        if key in latest:
            duplicates.append(DuplicateRow(latest[key].row, row.row, row.title))
        latest[key] = row
    return sorted(latest.values(), key=lambda r: r.row)


def _one_per_movie(
    matched: list[MatchedRow], duplicates: list[DuplicateRow]
) -> tuple[MatchedRow, ...]:
    kept: dict[int, MatchedRow] = {}
    for match in matched:
        if match.movie_id in kept:
            duplicates.append(DuplicateRow(kept[match.movie_id].row, match.row, match.title))
        kept[match.movie_id] = match
    return tuple(sorted(kept.values(), key=lambda m: m.row))


def import_history(data: bytes | str, source: MovieLens | MatchIndex) -> ImportPreview:
    """Read a rating history and match it to ``source`` (the dataset, or its
    :func:`build_match_index`, which a caller should cache); nothing is changed.

    Raises :class:`HistoryImportError` (or :class:`UnknownFormatError`) listing every problem.
    """
    index = source if isinstance(source, MatchIndex) else build_match_index(source)
    parsed = read_history(data)
    duplicates: list[DuplicateRow] = []
    matched: list[MatchedRow] = []
    ambiguous: list[AmbiguousRow] = []
    unmatched: list[UnmatchedRow] = []
    for row in _latest(parsed.rows, duplicates):
        result = match_row(row, index)
        if isinstance(result, MatchedRow):
            matched.append(result)
        elif isinstance(result, AmbiguousRow):
            ambiguous.append(result)
        else:
            unmatched.append(result)
    kept = _one_per_movie(matched, duplicates)
    return ImportPreview(
        format=parsed.format,
        dataset=index.dataset,
        n_rows=parsed.n_rows,
        matched=kept,
        ambiguous=tuple(ambiguous),
        unmatched=tuple(unmatched),
        duplicates=tuple(sorted(duplicates, key=lambda d: d.row)),
        skipped=parsed.skipped,
        rounded=parsed.rounded,
        notes=parsed.notes,
    )
