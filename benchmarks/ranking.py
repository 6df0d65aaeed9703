"""Every ranking model and the best KNN rating model on the 5-fold top-5 protocol, side by side.

For each model, on the same ``KFold(n_splits=5, random_state=0)`` folds of ml-latest-small, every
training user ranked (the protocol of :mod:`recommender.evaluation.metrics`): precision@5,
recall@5, NDCG@5, catalogue coverage, novelty, fit + scoring seconds for the 5 folds and the peak
extra memory of the process (RSS sampled every 20 ms, minus the RSS before the model).

Outside references, on the same folds through the same protocol: the `implicit` library's own
item-item recommender (``CosineRecommender``, K=100) and its ALS with its defaults (64 factors,
binary confidence), scored with their own user factors / similarity.

Hyper-parameters are the shipped ones (``ModelConfig(algorithm)``), chosen by nested validation
inside the training folds (``benchmarks/tune_rankers.py``), never on these test folds.

Usage::

    flock /tmp/heavy.lock python benchmarks/ranking.py [--data PATH] [--folds 5]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.data import load_movielens
from recommender.evaluation import make_folds, run_grid
from recommender.evaluation.grids import ranker_configs
from recommender.evaluation.metrics import ranking_metrics, top_n
from recommender.models import ModelConfig

BEST_KNN = ModelConfig("KNNBaseline", "pearson_baseline", user_based=False)
TARGET = (0.29, 0.33)  # P@5, NDCG@5 the best shipped model must reach


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PeakMemory:
    """Peak RSS above the level at entry, sampled on a thread."""

    def __enter__(self) -> PeakMemory:
        self.base = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def extra(self) -> float:
        return self.peak - self.base


def implicit_reference(kind: str, folds) -> dict[str, float]:
    """The `implicit` library's own model on the same folds and protocol (binary input)."""
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import CosineRecommender
    from threadpoolctl import threadpool_limits

    totals = {"precision": [], "recall": [], "ndcg": [], "coverage": [], "novelty": []}
    for fold in folds:
        binary = fold.matrix.copy()
        binary.data[:] = 1.0
        with threadpool_limits(1, "blas"):
            if kind == "cosine":
                model = CosineRecommender(K=100)
                model.fit(binary, show_progress=False)
                scores = np.asarray((binary @ model.similarity).toarray())
            else:
                model = AlternatingLeastSquares(factors=64, random_state=0)
                model.fit(binary, show_progress=False)
                scores = model.user_factors @ model.item_factors.T
        excluded = binary.toarray() > 0
        top = top_n(scores, excluded, fold.popularity, fold.item_ids)
        m = ranking_metrics(top, fold.relevant, fold.popularity, fold.n_items,
                            n_users=fold.n_users)  # fmt: skip
        for name in totals:
            totals[name].append(getattr(m, name))
    return {name: float(np.mean(values)) for name, values in totals.items()}


def visitor_latency_ms(config: ModelConfig, matrix: sp.csr_matrix, repeats: int = 50) -> float:
    """Median time to score one 10-rating history over the whole catalogue (model fitted)."""
    model = config.build().fit(matrix)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeats):
        row = matrix[int(rng.integers(matrix.shape[0]))]
        keep = rng.choice(row.indices, size=min(10, row.nnz), replace=False)
        history = sp.csr_matrix((np.full(keep.size, 4.5, np.float32), (np.zeros(keep.size), keep)),
                                shape=(1, matrix.shape[1]))  # fmt: skip
        start = time.perf_counter()
        model.score(history)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    ml = load_movielens(args.data)
    folds = make_folds(ml.ratings, args.folds, 0, ml.movies)
    print(f"{ml.name}: {args.folds} folds (KFold random_state=0), every training user ranked\n")
    header = (f"{'model':58} {'P@5':>6} {'R@5':>6} {'NDCG@5':>7} {'cover':>6} {'novel':>6} "
              f"{'fit+rank s':>10} {'peak MB':>8} {'visitor ms':>10}")  # fmt: skip
    print(header)
    print("-" * len(header))
    rows = {}
    for config in [*ranker_configs(), BEST_KNN]:
        with PeakMemory() as memory:
            started = time.perf_counter()
            result = run_grid([config], ml.ratings, ml.name, n_folds=args.folds, folds=folds,
                              use_cache=False, write_cache=False).results[0]  # fmt: skip
            seconds = time.perf_counter() - started
        latency = visitor_latency_ms(config, folds[0].matrix) if config.is_ranker else float("nan")
        rows[config.key] = result
        print(f"{config.label[:58]:58} {result.mean('precision'):6.3f} {result.mean('recall'):6.3f} "
              f"{result.mean('ndcg'):7.3f} {result.mean('coverage'):6.3f} "
              f"{result.mean('novelty'):6.2f} {seconds:10.1f} {memory.extra:8.0f} "
              f"{latency:10.1f}", flush=True)  # fmt: skip
    for kind, label in (("cosine", "implicit CosineRecommender K=100 (outside reference)"),
                        ("als", "implicit ALS 64 factors, defaults (outside reference)")):  # fmt: skip
        with PeakMemory() as memory:
            started = time.perf_counter()
            ref = implicit_reference(kind, folds)
            seconds = time.perf_counter() - started
        print(f"{label:58} {ref['precision']:6.3f} {ref['recall']:6.3f} {ref['ndcg']:7.3f} "
              f"{ref['coverage']:6.3f} {ref['novelty']:6.2f} {seconds:10.1f} "
              f"{memory.extra:8.0f} {'':>10}")  # fmt: skip
    shipped = rows[ModelConfig("EASE").key]
    p, d = shipped.mean("precision"), shipped.mean("ndcg")
    ok = p >= TARGET[0] and d >= TARGET[1]
    print(
        f"\nShipped model (EASE): P@5 {p:.4f} (target {TARGET[0]}), NDCG@5 {d:.4f} "
        f"(target {TARGET[1]}) -> {'met' if ok else 'NOT met'}"
    )
    best = max(rows.values(), key=lambda r: r.mean("ndcg"))
    print(f"Best NDCG@5: {best.config.label} {best.mean('ndcg'):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
