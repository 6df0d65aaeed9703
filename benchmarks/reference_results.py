"""Write the reference results shipped with the package (:mod:`recommender.evaluation.reference`).

Runs the default grid (``preset("all")``: 32 KNN configurations, 3 baselines, the top-N models and
their comparators) on the default settings (5 folds, seed 0, fast engine, every user ranked, genre
diversity from the movies) exactly as the Compare models page would, then writes
``recommender/evaluation/reference/<dataset>-<ratings>.json.gz``. A freshly started server (whose
disk was wiped) then shows every result at once instead of after minutes of computing.
``tests/test_reference_results.py`` recomputes configurations and compares every number.

Usage (heavy: the whole grid, a few minutes on 2 cores)::

    flock /tmp/heavy.lock python benchmarks/reference_results.py [--data PATH] [--from DIR]

``--from DIR`` reuses results already computed into DIR (e.g. ``evaluation_grid.py
--keep-results DIR``): only what is missing there is computed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.data import load_movielens
from recommender.evaluation import preset, run_grid
from recommender.evaluation.reference import write_reference


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument("--from", dest="source", help="results folder to reuse (run_grid cache)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    ml = load_movielens(args.data)
    configs = preset("all")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        grid = run_grid(
            configs, ml.ratings, ml.name, directory=args.source or scratch,
            workers=args.workers, movies=ml.movies,
        )  # fmt: skip
    if grid.failed:
        names = ", ".join(r.config.key for r in grid.failed)
        print(f"error: {len(grid.failed)} configuration(s) failed: {names}", file=sys.stderr)
        return 1
    path = write_reference(grid.settings, grid.results)
    print(f"{len(grid.results)} configurations of {ml.name} ({len(ml.ratings):,} ratings) "
          f"in {time.perf_counter() - started:.0f} s -> {path} "
          f"({path.stat().st_size / 1e6:.2f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
