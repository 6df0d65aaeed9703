"""Item-based KNNBaseline (pearson_baseline) on synthetic MovieLens-shaped ratings.

Ratings: users ~ 162k x (n / 25M), items ~ 59k x sqrt(n / 25M) (so 25M is shaped like ml-25m),
user activity lognormal (>= 20 ratings), item popularity a power law, half-star ratings from an item
quality + user offset + noise. Each size runs in its own child process and prints the fit time,
the peak RSS of the process (generation included) and the latency of a new user's top-5 from 10
ratings (fold-in, no refit). The model keeps ``--nbrs`` neighbours per item (``save_nbrs``).
"JIT s" is the one-off numba compile / cache load (a fit on 20k ratings), outside the timed fit.

    flock /tmp/heavy.lock python benchmarks/knn_scale.py --sizes 1e6,5e6,25e6
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def synthetic(n_ratings: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scale = n_ratings / 25_000_000
    n_users = max(100, int(162_541 * scale))
    n_items = max(100, int(59_047 * np.sqrt(scale)))
    activity = 20 + rng.lognormal(mean=4.0, sigma=1.1, size=n_users)
    activity = np.minimum(activity * (n_ratings / activity.sum()), n_items * 0.5).astype(np.int64)
    popularity = 1.0 / (np.arange(n_items) + 10.0) ** 1.1
    popularity /= popularity.sum()
    users = np.repeat(np.arange(n_users), activity)
    items = rng.choice(n_items, size=users.size, p=popularity)
    key = np.unique(users.astype(np.int64) * n_items + items)
    users, items = key // n_items, key % n_items
    quality = rng.normal(3.5, 0.5, n_items)
    offset = rng.normal(0.0, 0.4, n_users)
    raw = quality[items] + offset[users] + rng.normal(0.0, 0.9, users.size)
    ratings = np.clip(np.round(raw * 2) / 2, 0.5, 5.0)
    perm = rng.permutation(users.size)
    return users[perm], items[perm], ratings[perm]


def _run(n_ratings: int, nbrs: int, budget: int, queue: mp.Queue) -> None:
    from recommender.knn import KNNBaseline

    # compile / load the numba kernels outside the timed fit (reported separately)
    t = time.perf_counter()
    wu, wi, wr = synthetic(20_000, seed=1)
    KNNBaseline(
        sim_options={"name": "pearson_baseline", "user_based": False},
        verbose=False,
        save_nbrs=nbrs,
    ).fit_ratings(wu, wi, wr).fold_in({int(wi[0]): 4.0})
    warm = time.perf_counter() - t
    users, items, ratings = synthetic(n_ratings)
    model = KNNBaseline(
        sim_options={"name": "pearson_baseline", "user_based": False},
        verbose=False,
        save_nbrs=nbrs,
        memory_budget=budget,
    )
    start = time.perf_counter()
    model.fit_ratings(users, items, ratings)
    fit_s = time.perf_counter() - start
    rng = np.random.default_rng(1)
    popular = np.bincount(items).argsort()[::-1][:500]
    latencies = []
    for _ in range(5):
        chosen = rng.choice(popular, size=10, replace=False)
        new_user = {int(m): float(rng.choice(np.arange(1, 11) / 2)) for m in chosen}
        t = time.perf_counter()
        top5 = model.fold_in(new_user).nlargest(5)
        latencies.append(time.perf_counter() - t)
        assert len(top5) == 5
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        (
            users.size,
            model.n_users_,
            model.n_items_,
            model.nbrs_.nnz,
            fit_s,
            peak,
            np.median(latencies),
            warm,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1e6,5e6,25e6")
    parser.add_argument("--nbrs", type=int, default=200)
    parser.add_argument("--budget-mb", type=int, default=1024)
    args = parser.parse_args()
    print(
        f"item-based KNNBaseline pearson_baseline, save_nbrs={args.nbrs}, "
        f"memory_budget={args.budget_mb} MB"
    )
    print(
        f"{'target':>8} {'ratings':>10} {'users':>8} {'items':>7} {'kept sims':>10} "
        f"{'fit s':>8} {'peak MB':>8} {'top-5 s':>8} {'JIT s':>6}"
    )
    ctx = mp.get_context("spawn")
    for size in args.sizes.split(","):
        queue = ctx.Queue()
        proc = ctx.Process(
            target=_run, args=(int(float(size)), args.nbrs, args.budget_mb * 2**20, queue)
        )
        proc.start()
        n, nu, ni, kept, fit_s, peak, lat, warm = queue.get()
        proc.join()
        print(
            f"{size:>8} {n:>10} {nu:>8} {ni:>7} {kept:>10} {fit_s:8.1f} {peak:8.0f} {lat:8.3f} "
            f"{warm:6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
