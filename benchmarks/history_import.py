"""History import: how long does a 2,000-row IMDb ratings export take to preview? Target: <= 1 s.

The export is generated from real titles of the dataset joined with ``links.csv``, written the way
IMDb writes it (``Const,Your Rating,Date Rated,Title,…``, "The Matrix" rather than "Matrix, The",
ratings 1-10):

* most rows: real films with their real IMDb id (matched through links.csv);
* ``--by-title`` rows: real films under an IMDb id the dataset does not know (matched by title and
  year, as when IMDb merged or renumbered a title);
* ``--ambiguous`` rows: titles several movies share, without a year;
* ``--unmatched`` rows: invented films.

It times :func:`recommender.recommend.history_import.import_history` from the file's bytes to the
preview: cold (building the dataset's match index too) and warm (the index cached, as the app
does), the median of ``--repeat`` runs each, and checks that every real film found the movie it was
generated from.

Usage::

    flock /tmp/heavy.lock python benchmarks/history_import.py [--data PATH] [--rows 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.data import MovieLens, load_movielens
from recommender.recommend.history_import import (
    MatchedRow,
    build_match_index,
    import_history,
)

TARGET_SECONDS = 1.0
HEADER = (
    "Const", "Your Rating", "Date Rated", "Title", "Original Title", "URL", "Title Type",
    "IMDb Rating", "Runtime (mins)", "Year", "Genres", "Num Votes", "Release Date", "Directors",
)  # fmt: skip
_YEAR = re.compile(r"\s*\(\d{4}(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")
_BRACKETS = re.compile(r"\s*\([^()]*\)")
_ARTICLE = re.compile(r"^(?P<body>.*), (?P<article>The|A|An)$")


def imdb_title(title: str) -> str:
    """How IMDb would write a MovieLens title: no year, no alternative titles, article first."""
    main = _BRACKETS.sub("", _YEAR.sub("", title)).strip()
    match = _ARTICLE.match(main)
    return f"{match['article']} {match['body']}" if match else main


def imdb_row(const: str, stars10: int, title: str, year: object, day: int) -> list[str]:
    year_text = "" if pd.isna(year) else str(int(year))
    return [
        const, str(stars10), f"2024-01-{day % 28 + 1:02d}", title, title,
        f"https://www.imdb.com/title/{const}/", "Movie", "7.1", "100", year_text,
        "Drama, Comedy", "12345", f"{year_text}-01-01" if year_text else "", "Some Director",
    ]  # fmt: skip


def build_export(
    ml: MovieLens, rows: int, by_title: int, ambiguous: int, unmatched: int, seed: int
) -> tuple[bytes, dict[int, int]]:
    """The export's bytes and {row number: movieId it was generated from} for real films."""
    rng = np.random.default_rng(seed)
    movies = ml.movies.merge(ml.links[["movieId", "imdbId"]], on="movieId")
    key_year = movies["title_key"] + "|" + movies["year"].astype(str)
    unique = movies[~key_year.duplicated(keep=False) & movies["year"].notna()]
    n_real = rows - ambiguous - unmatched
    real = unique.iloc[rng.choice(len(unique), size=n_real, replace=False)]
    shared = movies[movies["title_key"].duplicated(keep=False)].drop_duplicates("title_key")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    expected: dict[int, int] = {}
    for i, movie in enumerate(real.itertuples(index=False)):
        const = f"tt{90_000_000 + i}" if i < by_title else f"tt{movie.imdbId}"
        stars10 = int(rng.integers(1, 11))
        writer.writerow(imdb_row(const, stars10, imdb_title(movie.title), movie.year, i))
        expected[i + 2] = int(movie.movieId)
    for j in range(ambiguous):
        movie = shared.iloc[j % len(shared)]
        writer.writerow(imdb_row(f"tt{91_000_000 + j}", 6, imdb_title(movie.title), None, j))
    for k in range(unmatched):
        writer.writerow(imdb_row(f"tt{92_000_000 + k}", 7, f"Invented Film No. {k}", 2031, k))
    return out.getvalue().encode("utf-8"), expected


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--by-title", type=int, default=100, dest="by_title")
    parser.add_argument("--ambiguous", type=int, default=40)
    parser.add_argument("--unmatched", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    ml = load_movielens(args.data)
    data, expected = build_export(
        ml, args.rows, args.by_title, args.ambiguous, args.unmatched, args.seed
    )
    print(f"{ml.name}: IMDb export of {args.rows:,} rows ({len(data) / 1024:.0f} KiB): "
          f"{len(expected):,} real films ({args.by_title} under unknown ids), "
          f"{args.ambiguous} shared titles without a year, {args.unmatched} invented")  # fmt: skip
    index_time, index = timed(lambda: build_match_index(ml), args.repeat)
    cold, _ = timed(lambda: import_history(data, ml), args.repeat)
    warm, preview = timed(lambda: import_history(data, index), args.repeat)
    print(preview.summary())
    right = sum(
        1
        for m in preview.matched
        if isinstance(m, MatchedRow) and expected.get(m.row) == m.movie_id
    )
    wrong = sum(1 for m in preview.matched if m.row in expected and expected[m.row] != m.movie_id)
    print(f"Real films matched to the movie they came from: {right:,} of {len(expected):,} "
          f"({wrong} to another movie)")  # fmt: skip
    print(f"\nMedian of {args.repeat} runs:")
    print(
        f"  build_match_index(ml)           {index_time * 1000:7.0f} ms (once per dataset; cached)"
    )
    print(f"  import_history(bytes, ml)       {cold * 1000:7.0f} ms (cold: builds the index)")
    print(f"  import_history(bytes, index)    {warm * 1000:7.0f} ms (warm: the app's case)")
    verdict = "yes" if cold <= TARGET_SECONDS else "NO"
    print(f"\nA {args.rows:,}-row IMDb export previewed in <= {TARGET_SECONDS:g} s, "
          f"even cold: {verdict}")  # fmt: skip
    return 0 if cold <= TARGET_SECONDS and wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
