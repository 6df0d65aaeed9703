"""Does fitting the default recommender in the server's background thread stall its visitors?

A pure-Python "visitor" thread counts loop iterations while, in another thread, (a) nothing
happens, (b) SciPy's ``scipy.linalg.lapack.dpotrf``/``dpotri`` invert a symmetric positive-definite
matrix of EASE's size, (c) the project's GIL-free calls of the same routines
(``recommender.ranking._lapack``) do, and (d) the whole default recommender is fitted on the data.
Printed: each case's time and the visitor's throughput as a share of (a). A share near 100 %
means the server keeps serving pages while the model fits; BLAS runs single-threaded in (b) and
(c) so both compare like with like on a 2-core machine.

Usage::

    flock /tmp/heavy.lock python benchmarks/gil_release.py [--data PATH] [--items 4449]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ranking._lapack import spd_inverse_upper


def visitor_share(work: Callable[[], object]) -> tuple[float, float]:
    """(seconds ``work`` took, the visitor thread's loop iterations per second meanwhile)."""
    stop = threading.Event()
    ticks = [0]

    def visitor() -> None:
        while not stop.is_set():
            for _ in range(2000):
                pass
            ticks[0] += 1

    thread = threading.Thread(target=visitor)
    thread.start()
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    stop.set()
    thread.join()
    return elapsed, ticks[0] / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MOVIELENS_DIR"))
    parser.add_argument("--items", type=int, default=4449, help="matrix size (EASE's items)")
    args = parser.parse_args()
    n = args.items
    a = np.random.default_rng(0).normal(size=(n + 10, n))
    spd = np.asfortranarray(a.T @ a + n * np.eye(n))

    def scipy_inverse() -> None:
        factor, _ = scipy.linalg.lapack.dpotrf(spd.copy(order="F"), lower=False, overwrite_a=True)
        scipy.linalg.lapack.dpotri(factor, lower=False, overwrite_c=True)

    def free_inverse() -> None:
        spd_inverse_upper(spd.copy(order="F"))

    _, idle = visitor_share(lambda: time.sleep(1.0))
    rows = [("nothing (1 s sleep)", 1.0, idle)]
    with threadpool_limits(1):
        rows.append((f"scipy dpotrf+dpotri, n={n}", *visitor_share(scipy_inverse)))
        rows.append((f"GIL-free dpotrf+dpotri, n={n}", *visitor_share(free_inverse)))
    if args.data:
        from recommender.data import load_movielens
        from recommender.recommend import Recommender

        ml = load_movielens(args.data)
        Recommender.from_movielens(ml)  # imports and first-call costs out of the way
        rows.append(
            ("default recommender fit", *visitor_share(lambda: Recommender.from_movielens(ml)))
        )
    print(f"{'work in the other thread':<34} {'time':>8} {'visitor throughput':>19}")
    for label, seconds, rate in rows:
        print(f"{label:<34} {seconds:>6.2f} s {100 * rate / idle:>17.0f} %")


if __name__ == "__main__":
    main()
