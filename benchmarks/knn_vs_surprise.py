"""Run Surprise's and our KNN engines on the same 5 folds, each engine in its own child process.

Prints per configuration: RMSE / MAE of each engine, max |delta prediction|, wall time of each and
the speed-up, and the peak RSS (ru_maxrss) of each child process.

"time" is the whole 5-fold loop (building each fold's Trainset with Surprise's KFold, fit, test);
"fold s" is the part of it spent building the folds (identical work for both engines) and "x fit+test"
the speed-up without it. Our engine's numba kernels are compiled (or loaded from numba's on-disk
cache) once per child process *before* the timed loop, on a 30-user subset; that one-off cost is
printed separately ("JIT warm-up").

    flock /tmp/heavy.lock python benchmarks/knn_vs_surprise.py [--configs all|issue] [--folds 5]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ISSUE = [
    ("KNNBasic", "msd", False),
    ("KNNWithMeans", "pearson", False),
    ("KNNBaseline", "pearson_baseline", False),
    ("KNNBaseline", "pearson_baseline", True),
]


def _data_dir() -> Path:
    return Path(
        os.environ.get("MOVIELENS_DIR", REPO / ".." / "shared" / "movielens" / "ml-latest-small")
    )


def _run(engine: str, algo: str, sim: str, user_based: bool, folds: int, queue: mp.Queue) -> None:
    import pandas as pd
    import surprise
    from surprise import Dataset, Reader
    from surprise.model_selection import KFold

    from recommender import knn

    df = pd.read_csv(_data_dir() / "ratings.csv")
    data = Dataset.load_from_df(df[["userId", "movieId", "rating"]], Reader(rating_scale=(0.5, 5)))
    module = surprise if engine == "surprise" else knn
    warm = 0.0
    if engine != "surprise":  # compile / load the numba kernels outside the timed region
        t = time.perf_counter()
        small = df[df.userId.isin(df.userId.unique()[:30])]
        small_data = Dataset.load_from_df(
            small[["userId", "movieId", "rating"]], Reader(rating_scale=(0.5, 5))
        )
        tr, te = next(KFold(n_splits=5, random_state=0).split(small_data))
        opts = {"name": sim, "user_based": user_based}
        getattr(module, algo)(sim_options=opts, verbose=False).fit(tr).test(te)
        warm = time.perf_counter() - t
    est: list[float] = []
    true: list[float] = []
    split_s = 0.0
    start = time.perf_counter()
    folds_iter = iter(KFold(n_splits=folds, random_state=0).split(data))
    while True:
        t = time.perf_counter()
        fold = next(folds_iter, None)
        split_s += time.perf_counter() - t
        if fold is None:
            break
        trainset, testset = fold
        algo_obj = getattr(module, algo)(
            sim_options={"name": sim, "user_based": user_based}, verbose=False
        )
        preds = algo_obj.fit(trainset).test(testset)
        est.extend(p.est for p in preds)
        true.extend(p.r_ui for p in preds)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((np.array(est), np.array(true), wall, peak_mb, split_s, warm))


def _child(*args) -> tuple:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _rmse(est: np.ndarray, true: np.ndarray) -> float:
    return float(np.sqrt(np.mean((est - true) ** 2)))


def _mae(est: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean(np.abs(est - true)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configs", choices=["issue", "all"], default="issue")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--engines", default="surprise,fast")
    args = parser.parse_args()
    if args.configs == "all":
        configs = [
            (a, s, ub)
            for a in ("KNNBasic", "KNNWithMeans", "KNNWithZScore", "KNNBaseline")
            for s in ("cosine", "msd", "pearson", "pearson_baseline")
            for ub in (True, False)
        ]
    else:
        configs = ISSUE
    head = (
        f"{'configuration':42} {'RMSE S':>7} {'RMSE F':>7} {'MAE S':>7} {'MAE F':>7} "
        f"{'max|d|':>8} {'time S':>7} {'time F':>7} {'x':>6} {'fold s':>6} {'x fit+test':>10} "
        f"{'MB S':>6} {'MB F':>6}"
    )
    print(f"{args.folds}-fold CV, KFold(random_state=0); S = scikit-surprise, F = recommender.knn")
    print(head)
    warm_ups = []
    for algo, sim, ub in configs:
        est_s, true, t_s, m_s, sp_s, _ = _child("surprise", algo, sim, ub, args.folds)
        est_f, _, t_f, m_f, sp_f, warm = _child("fast", algo, sim, ub, args.folds)
        warm_ups.append(warm)
        split = (sp_s + sp_f) / 2

        name = f"{algo}, {'user' if ub else 'item'}, {sim}"
        print(
            f"{name:42} {_rmse(est_s, true):7.4f} {_rmse(est_f, true):7.4f} {_mae(est_s, true):7.4f} {_mae(est_f, true):7.4f} "
            f"{np.max(np.abs(est_s - est_f)):8.1e} {t_s:7.1f} {t_f:7.1f} {t_s / t_f:6.1f} "
            f"{split:6.1f} {(t_s - sp_s) / (t_f - sp_f):10.1f} {m_s:6.0f} {m_f:6.0f}",
            flush=True,
        )
    print(
        "JIT warm-up of recommender.knn per child, outside the timed loop (compile, or load from "
        f"numba's cache): {', '.join(f'{w:.1f}' for w in warm_ups)} s"
    )


if __name__ == "__main__":
    main()
