"""The full default evaluation grid: wall time and peak memory, and fast-vs-Surprise RMSE.

1. Runs the default grid (32 KNN configurations + NormalPredictor, BaselineOnly, SVD) on
   ``KFold(n_splits=5, random_state=0)`` with the fast engine, nothing from the cache (results go
   to a temporary folder), and prints its wall time and the peak resident memory of this process
   plus its worker processes (sampled from /proc every 0.1 s and summed: memory counted honestly).
2. Fits the reference configuration (KNNBaseline, item-based, pearson_baseline, k=40) on the same
   five folds with the fast engine and with Surprise's own class, and prints the per-fold RMSE of
   both side by side with their times (Surprise's documented figure is 0.8525).

Usage (heavy: Surprise's item-based fits take minutes and GBs)::

    flock /tmp/heavy.lock python benchmarks/evaluation_grid.py [--data PATH] [--workers 2]
        [--ranking-users 0|N|all] [--skip-grid] [--skip-reference] [--keep-results DIR]

``--ranking-users`` defaults to ``all`` (every training user of every fold is ranked, as the
evaluation's default). Results: docs/knn_benchmarks.md (123.1 s, 1550 MB on the 2-core box).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommender.data import load_movielens  # noqa: E402
from recommender.evaluation import (  # noqa: E402
    evaluate_fold,
    make_folds,
    preset,
    run_grid,
    summary_table,
)
from recommender.models import ModelConfig  # noqa: E402

REFERENCE = ModelConfig("KNNBaseline", "pearson_baseline", user_based=False, k=40, min_k=1)
SURPRISE_DOC_RMSE = 0.8525


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (libraries, numba/LLVM) split between their users."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        return found
    return found + [d for c in found for d in _descendants(c)]


class PeakMemory:
    """Peaks, sampled in a thread: this process's RSS (the app process when the page runs the
    grid); RSS of this process + its workers summed (shared libraries counted once per process);
    and the same sum in PSS (shared pages counted once overall)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_kb = 0
        self.main_peak_kb = 0
        self.pss_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            children = _descendants(me)
            main = _rss_kb(me)
            self.main_peak_kb = max(self.main_peak_kb, main)
            self.peak_kb = max(self.peak_kb, main + sum(_rss_kb(p) for p in children))
            self.pss_peak_kb = max(
                self.pss_peak_kb, _pss_kb(me) + sum(_pss_kb(p) for p in children)
            )
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def run_full_grid(ml, workers: int, ranking_users: int | None, keep: str | None) -> None:
    configs = preset("all")
    ranking = ranking_users != 0
    label = (
        "off"
        if not ranking
        else ("all users" if ranking_users is None else f"{ranking_users} users/fold")
    )
    print(f"== Full default grid: {len(configs)} configurations × 5 folds, fast engine, "
          f"{workers} worker(s), top-5 ranking {label}")  # fmt: skip
    last = [0.0]

    def show(p) -> None:
        if p.elapsed - last[0] >= 15 or p.done == p.total:
            last[0] = p.elapsed
            print(f"  {p.done:>3}/{p.total} steps  {p.elapsed:6.1f} s", flush=True)

    with tempfile.TemporaryDirectory() as scratch, PeakMemory() as memory:
        folder = keep or scratch
        started = time.perf_counter()
        grid = run_grid(
            configs, ml.ratings, ml.name, n_folds=5, seed=0, engine="fast", ranking=ranking,
            ranking_users=ranking_users, directory=folder, use_cache=False, workers=workers,
            progress=show, movies=ml.movies,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    table = summary_table(grid.results).sort_values("rmse")
    knn = table[table["algorithm"].str.startswith("KNN")]
    print(f"wall time            {seconds:7.1f} s   (target ≤ 240 s: KNN + top-N models)")
    print(
        f"peak memory, app process alone   {memory.main_peak_kb / 1024:7.0f} MB  (target ≤ 1536 MB)"
    )
    print(
        f"peak memory, app + workers (PSS) {memory.pss_peak_kb / 1024:7.0f} MB  (shared pages counted once)"
    )
    print(
        f"peak memory, app + workers (RSS) {memory.peak_mb:7.0f} MB  (shared libraries counted per process)"
    )
    print(f"failed               {len(grid.failed)}")
    print(f"best KNN             {knn.iloc[0]['model']}: RMSE {knn.iloc[0]['rmse']:.4f}")
    columns = ["model", "rmse", "mae", "precision", "ndcg", "fit_seconds", "test_seconds"]
    if ranking:
        columns.append("rank_seconds")
    print(table[columns].head(8).to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("\nBest top-5 (NDCG@5):")
    top = table.sort_values("ndcg", ascending=False)[columns].head(8)
    print(top.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print()


def run_reference(ml) -> None:
    print(f"== {REFERENCE.label}: fast engine vs Surprise on KFold(n_splits=5, random_state=0)")
    folds = make_folds(ml.ratings, 5, 0)
    rows = []
    for fold in folds:
        fast = evaluate_fold(REFERENCE, fold, "fast", ranking=False)
        with PeakMemory() as memory:
            reference = evaluate_fold(REFERENCE, fold, "surprise", ranking=False)
        rows.append((fold.index + 1, fast, reference, memory.peak_mb))
        print(
            f"  fold {fold.index + 1}: RMSE fast {fast.rmse:.6f}  surprise {reference.rmse:.6f}  "
            f"|diff| {abs(fast.rmse - reference.rmse):.1e}   time fast "
            f"{fast.fit_seconds + fast.test_seconds:5.1f} s  surprise "
            f"{reference.fit_seconds + reference.test_seconds:6.1f} s  "
            f"(peak RSS during Surprise {memory.peak_mb:.0f} MB)",
            flush=True,
        )
    fast_rmse = np.mean([r[1].rmse for r in rows])
    surprise_rmse = np.mean([r[2].rmse for r in rows])
    fast_s = sum(r[1].fit_seconds + r[1].test_seconds for r in rows)
    surprise_s = sum(r[2].fit_seconds + r[2].test_seconds for r in rows)
    print(f"mean RMSE            fast {fast_rmse:.4f}   surprise {surprise_rmse:.4f}   "
          f"Surprise docs {SURPRISE_DOC_RMSE:.4f}")  # fmt: skip
    print(f"fit+test, 5 folds    fast {fast_s:.1f} s   surprise {surprise_s:.1f} s   "
          f"speed-up ×{surprise_s / fast_s:.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MOVIELENS_DIR"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ranking-users", default="all", help="0 (off), N, or all (default)")
    parser.add_argument("--skip-grid", action="store_true")
    parser.add_argument("--keep-results", metavar="DIR", help="write the grid's cache here")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    ml = load_movielens(args.data or ROOT.parent / "shared" / "movielens" / "ml-latest-small")
    print(f"{ml.name}: {ml.n_ratings:,} ratings, {ml.n_users} users, {os.cpu_count()} CPUs\n")
    if not args.skip_grid:
        users = None if args.ranking_users == "all" else int(args.ranking_users)
        run_full_grid(ml, args.workers, users, args.keep_results)
    if not args.skip_reference:
        run_reference(ml)


if __name__ == "__main__":
    main()
