"""Steering the list: how long does a control change take to re-rank a visitor's top-5?
Target: <= 100 ms, printed beside the plain ``for_new_user`` time.

Fits the Recommender once on ml-latest-small (as the app does), then, for seeded visitors with
``--ratings`` ratings and ``--hidden`` "not interested" movies, times:

* ``for_new_user`` as the page first draws the list (no steering);
* a **control change** as the page answers it: the whole list again with the popular ↔ obscure
  control moved (``obscurity``), the hidden movies folded in as dislikes and the watchlist left
  out (``recommender.recommend.steering``) - the page recomputes the list on every change;
* ``steer`` alone (the re-ranking formula over every movie, given the blended scores).

It also prints how much the control moves the list: the share of the unsteered top-5 still in
the list and the median number of ratings of the five films, for a few values of the control.

Usage::

    flock /tmp/heavy.lock python benchmarks/steering.py [--data PATH] [--visitors 100]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommend_latency import timed_ms, visitors  # the same seeded visitors and timer

from recommender.data import load_movielens
from recommender.recommend import Recommender
from recommender.recommend.steering import steer

TARGET_MS = 100.0
STEPS = (-2.0, -1.0, 1.0, 2.0)  # the slider's range: ±3 gave five films with ~1 rating each


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--ratings", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    ml = load_movielens(args.data)
    start = time.perf_counter()
    rec = Recommender().fit(ml)
    fit_seconds = time.perf_counter() - start
    people = visitors(rec, args.visitors, args.seed, args.ratings + args.hidden + 3)
    plans = []
    for person in people:
        ids = list(person)
        rated = {m: person[m] for m in ids[: args.ratings]}
        hidden = ids[args.ratings : args.ratings + args.hidden]
        watchlist = ids[args.ratings + args.hidden :]
        plans.append((rated, hidden, watchlist))
    for rated, _, _ in plans[:5]:  # warm-up: first calls pay for allocations
        rec.for_new_user(rated)

    plain = timed_ms(lambda p: rec.for_new_user(p[0], n=5), plans)
    rng = np.random.default_rng(args.seed)
    moves = [float(rng.choice(STEPS)) for _ in plans]
    changed = timed_ms(
        lambda i: rec.for_new_user(
            plans[i][0], n=5, exclude=plans[i][2], obscurity=moves[i], hidden=plans[i][1],
        ),
        range(len(plans)),
    )  # fmt: skip
    scores = rng.standard_normal(len(rec.movie_ids_))
    candidates = np.ones(len(scores), dtype=bool)
    n_ratings = rec.popularity_.n_ratings_
    formula = timed_ms(lambda a: steer(scores, n_ratings, candidates, a), moves)

    print(f"{ml.name}: models {', '.join(rec.personals_)}; fitted once in {fit_seconds:.1f} s")
    print(
        f"{len(plans)} visitors with {args.ratings} ratings, {args.hidden} hidden movies and "
        f"{len(plans[0][2])} on the watchlist, warm:\n"
    )
    print(f"{'':52} {'median':>9} {'p95':>9} {'max':>9}")
    for label, times in (
        ("for_new_user, 10 ratings (first draw)", plain),
        ("control change: hide + watchlist + obscurity", changed),
        ("steer() alone, every movie", formula),
    ):
        p50, p95, worst = np.percentile(times, [50, 95, 100])
        print(f"{label:52} {p50:7.2f}ms {p95:7.2f}ms {worst:7.2f}ms")
    p50, p95 = np.percentile(changed, [50, 95])
    print(
        f"\ntarget {TARGET_MS:.0f} ms per control change: median {p50:.1f} ms, p95 {p95:.1f} ms "
        f"-> {'met' if p95 <= TARGET_MS else 'NOT met'}\n"
    )
    print("how far the popular <-> obscure control moves the top-5 (first 20 visitors):")
    print(
        f"{'obscurity':>10} {'kept of the unsteered five':>28} {'median ratings of the five':>28}"
    )
    sample = [p[0] for p in plans[:20]]
    base = [set(rec.for_new_user(r, n=5)["movieId"]) for r in sample]
    for alpha in (0.0, *STEPS):
        lists = [rec.for_new_user(r, n=5, obscurity=alpha) for r in sample]
        kept = np.mean([len(set(f["movieId"]) & b) / 5 for f, b in zip(lists, base, strict=True)])
        median = np.median([f["n_ratings"].median() for f in lists])
        print(f"{alpha:>10.1f} {kept:>27.0%} {median:>28.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
