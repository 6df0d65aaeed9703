"""Latency of a new visitor's top-5 from 10 ratings, warm (model fitted and cached), vs 100 ms.

Fits the Recommender once on ml-latest-small (as the app does, shared by every visitor), then times
``for_new_user`` on 10 ratings for many different seeded visitors, and compares the median and 95th
percentile with the target. For context it also times the KNN engine's own ``fold_in`` (predicted
ratings only).

Usage::

    flock /tmp/heavy.lock python benchmarks/recommend_latency.py [--data PATH] [--visitors 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.data import load_movielens
from recommender.models import DEFAULT_MODEL
from recommender.recommend import Recommender

TARGET_MS = 100.0
N_RATINGS = 10


def visitors(rec: Recommender, count: int, seed: int) -> list[dict[int, float]]:
    """Seeded visitors rating 10 movies picked among those with >= 20 ratings, random stars."""
    rng = np.random.default_rng(seed)
    pool = rec.catalog_.loc[rec.catalog_["n_ratings"] >= 20, "movieId"].to_numpy()
    stars = np.arange(1, 11) / 2
    return [
        {int(m): float(rng.choice(stars)) for m in rng.choice(pool, N_RATINGS, replace=False)}
        for _ in range(count)
    ]


def timed_ms(function, inputs) -> np.ndarray:
    times = []
    for item in inputs:
        start = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - start) * 1000)
    return np.array(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    ml = load_movielens(args.data)
    start = time.perf_counter()
    rec = Recommender(DEFAULT_MODEL).fit(ml)
    fit_seconds = time.perf_counter() - start
    people = visitors(rec, args.visitors, args.seed)
    for ratings in people[:5]:  # warm-up: first calls pay for JIT compilation and allocations
        rec.for_new_user(ratings)
        rec.collaborative_.algo_.fold_in(ratings)
    facade = timed_ms(lambda r: rec.for_new_user(r, n=5), people)
    engine = timed_ms(lambda r: rec.collaborative_.algo_.fold_in(r), people)

    print(f"{ml.name}: {rec.model_.label}; fitted once in {fit_seconds:.1f} s")
    print(f"top-5 for a new visitor with {N_RATINGS} ratings, {len(people)} visitors, warm:\n")
    print(f"{'':44} {'median':>9} {'p95':>9} {'max':>9}")
    for label, times in (
        ("Recommender.for_new_user (shipped)", facade),
        ("engine KNN fold_in alone (estimates only)", engine),
    ):
        p50, p95, worst = np.percentile(times, [50, 95, 100])
        print(f"{label:44} {p50:7.1f}ms {p95:7.1f}ms {worst:7.1f}ms")
    p50, p95 = np.percentile(facade, [50, 95])
    print(
        f"\ntarget {TARGET_MS:.0f} ms: median is {p50 / TARGET_MS:.2f}x the target "
        f"(p95 {p95 / TARGET_MS:.2f}x) -> {'met' if p95 <= TARGET_MS else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
