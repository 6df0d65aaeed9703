"""Time to load and validate ml-latest-small, next to a bare pandas.read_csv of the same four files.

    python benchmarks/load_data.py [PATH] [--repeat N]

The ratio says what validation, tight dtypes, year parsing and title keys cost on top of parsing.
Both are timed alternately in one run, so machine noise hits them alike; we report the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from recommender.data import read_dataset

FILES = ("ratings.csv", "movies.csv", "tags.csv", "links.csv")


def bare_pandas(folder: Path) -> None:
    for name in FILES:
        pd.read_csv(folder / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get(
        "MOVIELENS_DIR",
        str(Path(__file__).resolve().parents[2] / "shared/movielens/ml-latest-small"),
    )
    parser.add_argument("path", nargs="?", default=default)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    folder = Path(args.path)

    t0 = time.perf_counter()
    ml = read_dataset(folder)
    first = time.perf_counter() - t0

    ours, bare = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        read_dataset(folder)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        bare_pandas(folder)
        bare.append(time.perf_counter() - t0)
    m_ours, m_bare = statistics.median(ours), statistics.median(bare)
    print(
        f"dataset: {ml.name} ({ml.n_ratings:,} ratings, {ml.n_movies:,} movies, {ml.n_tags:,} tags, {len(ml.links):,} links)"
    )
    print(f"first load (cold imports/caches): {first * 1000:7.1f} ms")
    print(f"{'':32}{'median':>10}{'min':>10}")
    print(f"{'load_movielens (validated)':32}{m_ours * 1000:8.1f} ms{min(ours) * 1000:8.1f} ms")
    print(f"{'bare pandas.read_csv x4':32}{m_bare * 1000:8.1f} ms{min(bare) * 1000:8.1f} ms")
    print(
        f"ratio validated / bare: {m_ours / m_bare:.2f}x   target: warm load <= 500 ms -> {'met' if m_ours <= 0.5 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
