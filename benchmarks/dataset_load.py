"""CSV load vs the Parquet copy, on a synthetic dataset shaped like ml-32m.

    python benchmarks/dataset_load.py [--ratings 32000204] [--dir /tmp/bench] [--keep]

Builds ratings/movies/tags/links.csv in ml-32m's layout and shape: ~200k users x 87,585 movies,
power-law popularity (movie ranks ~ Zipf) and activity (every user rates at least 20, nobody more
than a third of the catalogue), each (user, movie) pair once and the rows sorted by user then
movie as in GroupLens's files, half stars with MovieLens's skew towards 3–4, timestamps
1995–2023, ~1 tag per 16 ratings. ``--ratings N``
scales everything down proportionally (users, movies, tags), for a quick run.

Then, each step in a fresh Python process (so each peak RSS is its own):

1. CSV load: ``read_dataset`` (pyarrow fast path, validation, title keys, year parsing);
2. Parquet first write: the same CSV load, then ``write_cached`` (the copy beside the dataset);
   the write alone is timed;
3. Parquet load: the loader's path for a dataset with a copy — fingerprint the files, read the copy.

It prints them side by side: seconds and peak resident memory (VmHWM) of each process.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc_memory import peak_mb  # noqa: E402

ML32M = {"ratings": 32_000_204, "users": 200_948, "movies": 87_585, "tags": 2_000_072}
GENRES = [
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
]  # fmt: skip
HALF_STARS = np.arange(1, 11, dtype=np.float32) / 2
STAR_WEIGHTS = np.array([1.6, 3.2, 1.7, 6.8, 5.3, 19.6, 13.2, 26.5, 8.7, 13.4])  # ml-32m-like


def _write(path: Path, columns: dict[str, np.ndarray]) -> None:
    pa_csv.write_csv(pa.table(columns), path)


def activity(n_users: int, n_ratings: int, n_movies: int, rng: np.random.Generator) -> np.ndarray:
    """Ratings per user: at least 20 each, the rest by a heavy-tailed (Pareto) weight, nobody
    above a third of the catalogue (ml-32m's most active user rated ~33k of 87k movies; a set
    scaled far down is denser, up to nine tenths)."""
    per_user = np.full(n_users, min(20, n_ratings // n_users, n_movies), dtype=np.int64)
    cap = n_movies // 3 if n_users * (n_movies // 3) >= 1.5 * n_ratings else n_movies * 9 // 10
    weights = rng.pareto(1.2, n_users) + 1e-3
    for _ in range(50):  # the excess over the cap goes to the others, until none is left
        spare = n_ratings - int(per_user.sum())
        open_ = per_user < cap
        if spare <= 0 or not open_.any():
            break
        per_user[open_] += rng.multinomial(spare, weights[open_] / weights[open_].sum())
        per_user = np.minimum(per_user, cap)
    return per_user


def distinct_movies(per_user: np.ndarray, p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each user in turn, ``per_user[u]`` distinct movie ranks drawn by popularity ``p``
    without replacement (draws in order, repeats skipped), as one array in user order.

    GroupLens's files rate each (user, movie) pair once; drawing with replacement would repeat
    46 % of the pairs at ml-32m's shape. Users short of distinct draws are drawn again, more
    generously, until everyone has their count."""
    chosen: list[np.ndarray] = [np.empty(0, np.int64)] * len(per_user)
    todo, factor = np.flatnonzero(per_user), 1.3
    n_movies = len(p)
    while len(todo):
        draws = np.ceil(per_user[todo] * factor).astype(np.int64) + 8
        owner = np.repeat(np.arange(len(todo)), draws)
        keys = owner * n_movies + rng.choice(n_movies, size=int(draws.sum()), p=p)
        _, first = np.unique(keys, return_index=True)
        first.sort()  # distinct pairs in the order drawn: sampling without replacement
        kept = keys[first]
        owners = kept // n_movies
        start = np.searchsorted(owners, np.arange(len(todo)))
        short = []
        for i, user in enumerate(todo):
            mine = kept[start[i] : start[i + 1] if i + 1 < len(todo) else len(kept)] % n_movies
            if len(mine) >= per_user[user]:
                chosen[user] = mine[: per_user[user]]
            else:
                short.append(user)
        del keys, first, kept, owners
        todo, factor = np.array(short, dtype=np.int64), factor * 2
    return np.concatenate(chosen)


def build(folder: Path, n_ratings: int, seed: int = 0) -> dict[str, int]:
    """Write a synthetic ml-32m-shaped dataset of about ``n_ratings`` ratings into ``folder``:
    each (user, movie) pair once, rows sorted by user then movie, as GroupLens writes them."""
    rng = np.random.default_rng(seed)
    scale = n_ratings / ML32M["ratings"]
    n_users = max(10, round(ML32M["users"] * scale))
    n_movies = max(20, round(ML32M["movies"] * scale))
    n_tags = max(5, round(ML32M["tags"] * scale))
    folder.mkdir(parents=True, exist_ok=True)
    per_user = activity(n_users, n_ratings, n_movies, rng)
    n_ratings = int(per_user.sum())
    users = np.repeat(np.arange(1, n_users + 1, dtype=np.int32), per_user)
    popularity = 1.0 / np.arange(1, n_movies + 1) ** 1.05  # Zipf-like ranks
    popularity /= popularity.sum()
    movie_ids = rng.permutation(np.arange(1, n_movies + 1, dtype=np.int32) * 2 - 1)
    movies = movie_ids[distinct_movies(per_user, popularity, rng)]
    order = np.lexsort((movies, users))  # GroupLens's order: by user, then movie
    users, movies = users[order], movies[order]
    del order
    stars = HALF_STARS[rng.choice(10, size=n_ratings, p=STAR_WEIGHTS / STAR_WEIGHTS.sum())]
    stamps = rng.integers(789_000_000, 1_697_000_000, size=n_ratings, dtype=np.int64)
    _write(folder / "ratings.csv", {"userId": users, "movieId": movies, "rating": stars,
                                    "timestamp": stamps})  # fmt: skip
    del users, movies, stars, stamps
    years = rng.integers(1900, 2024, size=n_movies)
    titles = np.array([f"Synthetic Movie {i} ({y})" for i, y in zip(movie_ids, years, strict=True)])
    genres = np.array(["|".join(rng.choice(GENRES, size=rng.integers(1, 4), replace=False))
                       for _ in range(n_movies)])  # fmt: skip
    _write(folder / "movies.csv", {"movieId": movie_ids, "title": titles, "genres": genres})
    words = np.array(["classic", "twist ending", "atmospheric", "funny", "visually appealing",
                      "sci-fi", "based on a book", "dark comedy", "great soundtrack", "boring"])  # fmt: skip
    _write(folder / "tags.csv", {
        "userId": rng.integers(1, n_users + 1, size=n_tags, dtype=np.int32),
        "movieId": movie_ids[rng.choice(n_movies, size=n_tags, p=popularity)],
        "tag": words[rng.integers(0, len(words), size=n_tags)],
        "timestamp": rng.integers(1_100_000_000, 1_697_000_000, size=n_tags, dtype=np.int64),
    })  # fmt: skip
    _write(folder / "links.csv", {
        "movieId": movie_ids,
        "imdbId": np.char.zfill(rng.integers(1, 9_999_999, size=n_movies).astype(str), 7),
        "tmdbId": rng.integers(1, 999_999, size=n_movies).astype(np.int64),
    })  # fmt: skip
    return {"ratings": n_ratings, "users": n_users, "movies": n_movies, "tags": n_tags}


def step(name: str, folder: Path) -> dict[str, float]:
    """One measurement, run in its own process."""
    from recommender.data import read_dataset
    from recommender.data.files import DatasetFiles
    from recommender.data.parquet_cache import read_cached, write_cached

    baseline = peak_mb()
    t0 = time.perf_counter()
    if name == "csv":
        ml = read_dataset(folder)
        seconds = time.perf_counter() - t0
    elif name == "write":
        ml = read_dataset(folder)
        t1 = time.perf_counter()
        assert write_cached(ml, folder), "the Parquet copy was not written"
        seconds = time.perf_counter() - t1
    else:
        src = DatasetFiles(folder)
        ml = read_cached(folder, src.fingerprint())
        assert ml is not None, "no Parquet copy to read"
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": peak_mb(), "baseline_mb": baseline,
            "ratings": ml.n_ratings}  # fmt: skip


def _run(name: str, folder: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, "--dir", str(folder)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=ML32M["ratings"])
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated dataset")
    parser.add_argument("--step", choices=["csv", "write", "parquet"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.dir)))
        return
    work = args.dir or Path(tempfile.mkdtemp(prefix="dataset-load-"))
    folder = work / "ml-32m-synthetic"
    try:
        t0 = time.perf_counter()
        shape = build(folder, args.ratings)
        size = sum(f.stat().st_size for f in folder.glob("*.csv"))
        print(f"built {folder}: {shape['ratings']:,} ratings, {shape['users']:,} users, "
              f"{shape['movies']:,} movies, {shape['tags']:,} tags; {size / 1e6:,.0f} MB of CSV "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        results = {name: _run(name, folder) for name in ("csv", "write", "parquet")}
        copy = sum(f.stat().st_size for f in folder.glob(".parquet/*/*"))
        print(f"Parquet copy: {copy / 1e6:,.0f} MB")
        print(f"{'step':<28}{'seconds':>10}{'peak RSS':>12}{'(imports)':>12}")
        labels = {"csv": "CSV load", "write": "Parquet first write", "parquet": "Parquet load"}
        for name, result in results.items():
            print(f"{labels[name]:<28}{result['seconds']:>10.2f}{result['peak_mb']:>9,.0f} MB"
                  f"{result['baseline_mb']:>9,.0f} MB")  # fmt: skip
        speedup = results["csv"]["seconds"] / results["parquet"]["seconds"]
        print(f"Parquet load is {speedup:.1f}x faster than CSV "
              "(peak RSS of the write step includes the CSV load before it)")  # fmt: skip
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
