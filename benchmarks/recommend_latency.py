"""Latency of a new visitor's top-5 from 10 ratings, warm (models fitted and cached), vs 50 ms,
and the memory of the fitted Recommender vs 1.0 GB.

Fits the Recommender once on ml-latest-small (as the app does, shared by every visitor: the EASE,
UserKNN and ALS ensemble, content and popularity), then times ``for_new_user`` on 10 ratings for
many different seeded visitors, ``for_user`` and ``similar_to``, and compares the median and 95th
percentile with the target. It also prints the process's resident memory before and after fitting.

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
from recommender.recommend import Recommender

TARGET_MS = 50.0
TARGET_MB = 1024.0


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


N_RATINGS = 10


def visitors(
    rec: Recommender, count: int, seed: int, n_ratings: int = N_RATINGS
) -> list[dict[int, float]]:
    """Seeded visitors rating ``n_ratings`` movies picked among those with >= 20 ratings, random
    stars (also used by benchmarks/steering.py)."""
    rng = np.random.default_rng(seed)
    pool = rec.catalog_.loc[rec.catalog_["n_ratings"] >= 20, "movieId"].to_numpy()
    stars = np.arange(1, 11) / 2
    return [
        {int(m): float(rng.choice(stars)) for m in rng.choice(pool, n_ratings, replace=False)}
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
    before = rss_mb()
    start = time.perf_counter()
    rec = Recommender().fit(ml)
    fit_seconds = time.perf_counter() - start
    after = rss_mb()
    people = visitors(rec, args.visitors, args.seed)
    for ratings in people[:5]:  # warm-up: first calls pay for allocations
        rec.for_new_user(ratings)
    facade = timed_ms(lambda r: rec.for_new_user(r, n=5), people)
    users = sorted(rec.user_ratings_)[: args.visitors]
    existing = timed_ms(lambda u: rec.for_user(u, n=5), users)
    titles = rec.catalog_.nlargest(args.visitors, "n_ratings")["movieId"].tolist()
    similar = timed_ms(lambda m: rec.similar_to(m, n=5), titles)

    print(f"{ml.name}: models {', '.join(rec.personals_)}; fitted once in {fit_seconds:.1f} s")
    print(
        f"resident memory: {before:.0f} MB with the data, {after:.0f} MB with every model "
        f"fitted (target {TARGET_MB:.0f} MB) -> {'met' if after <= TARGET_MB else 'NOT met'}"
    )
    print(f"top-5 for a new visitor with {N_RATINGS} ratings, {len(people)} visitors, warm:\n")
    print(f"{'':44} {'median':>9} {'p95':>9} {'max':>9}")
    for label, times in (
        ("for_new_user, 10 ratings (shipped)", facade),
        ("for_user, an existing user", existing),
        ("similar_to, a popular title", similar),
    ):
        p50, p95, worst = np.percentile(times, [50, 95, 100])
        print(f"{label:44} {p50:7.1f}ms {p95:7.1f}ms {worst:7.1f}ms")
    p50, p95 = np.percentile(facade, [50, 95])
    print(
        f"\ntarget {TARGET_MS:.0f} ms: median is {p50 / TARGET_MS:.2f}x the target "
        f"(p95 {p95 / TARGET_MS:.2f}x) -> {'met' if p50 <= TARGET_MS else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
