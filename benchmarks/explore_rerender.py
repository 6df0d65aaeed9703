"""How long the Explore page takes to re-render after a filter change, cold vs warm cache.

Drives the real page with Streamlit's AppTest on ml-latest-small (MOVIELENS_DIR, or the shared
copy), one tab at a time. For every tab it applies three filter changes never seen before (cold:
the filtered view and the tab's frames are computed) and then the same three again (warm: served
from st.cache_resource / st.cache_data), timing each `at.run()` — the full script run, including
the figures and the messages sent to the browser, but not the browser's own drawing.

    MOVIELENS_DIR=../shared/movielens/ml-latest-small python benchmarks/explore_rerender.py
    MOVIELENS_DIR=/tmp/bench32/ml-32m-synthetic python benchmarks/explore_rerender.py --budget 2

(the second on the synthetic ml-32m that ``benchmarks/dataset_load.py --dir /tmp/bench32 --keep``
leaves behind). The first page view starts fitting the recommender in the background, as on a
fresh server: by default the tabs are measured while it runs beside them; ``--fit-first`` waits for
it (a visitor after the server's warm start). The process's peak memory while the tabs are
measured (VmHWM, reset after the first load) is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc_memory import memory, reset_peak  # noqa: E402

os.environ.setdefault(
    "MOVIELENS_DIR", str(ROOT.parent / "shared" / "movielens" / "ml-latest-small")
)

from streamlit.testing.v1 import AppTest  # noqa: E402

TABS = ["Data quality", "Ratings", "Popularity", "Genres", "Time", "Top movies", "Tags", "One user"]
BUDGET_S = 1.0  # ml-latest-small; the budget at ml-32m is 2 s (--budget 2)
TIMEOUT = 900  # the first load of a 32M-rating dataset reads ~900 MB of CSV


def reset_filters(at: AppTest) -> None:
    years = at.sidebar.slider[0]
    at.sidebar.multiselect[0].set_value([])
    years.set_value((years.min, years.max))
    at.sidebar.number_input[0].set_value(0)
    at.run()


def timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].message}")
    return elapsed


def measure_tab(tab: str) -> tuple[list[float], list[float]]:
    """Cold and warm re-render times (s) of the three filter changes on ``tab``.

    A fresh AppTest per tab shares the process-wide caches, so the filter values are made unique
    per tab (a different genre each time) to keep the first pass cold.
    """
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/explore.py")
    at.session_state["tab"] = tab
    at.run()
    genre = ["Comedy", "Drama", "Action", "Thriller", "Romance", "Adventure", "Crime", "Sci-Fi"][
        TABS.index(tab)
    ]
    cold, warm = [], []
    for passes, times in ((0, cold), (1, warm)):
        if passes:
            reset_filters(at)
        at.sidebar.multiselect[0].set_value([genre])
        times.append(timed_run(at))
        at.sidebar.slider[0].set_value((1990, 1999))
        times.append(timed_run(at))
        at.sidebar.number_input[0].set_value(10)
        times.append(timed_run(at))
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", nargs="*", default=TABS, help="tabs to measure")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds per re-render")
    parser.add_argument("--fit-first", action="store_true",
                        help="wait for the background fit before measuring")  # fmt: skip
    args = parser.parse_args()
    budget = args.budget

    # Warm the process: imports, the dataset itself and the default view (not what we measure).
    start = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/explore.py").run()
    print(f"first page load (dataset read, imports): {time.perf_counter() - start:.2f} s")
    if args.fit_first:
        from recommender.app import cache

        start = time.perf_counter()
        for future in list(cache._WARMED.values()):
            future.result()
        print(f"background fit of the recommender waited for: {time.perf_counter() - start:.0f} s")
    reset_peak()  # the peak from here on
    print()

    header = f"{'tab':<14}{'cold median':>12}{'cold max':>10}{'warm median':>13}{'warm max':>10}{'cold/warm':>11}{'peak so far':>14}  ≤ {budget:g} s"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for tab in args.tabs:
        cold, warm = measure_tab(tab)
        worst = max(worst, *cold, *warm)
        ratio = statistics.median(cold) / statistics.median(warm)
        ok = "yes" if max(cold + warm) <= budget else "NO"
        print(
            f"{tab:<14}{statistics.median(cold):>11.3f}s{max(cold):>9.3f}s"
            f"{statistics.median(warm):>12.3f}s{max(warm):>9.3f}s{ratio:>10.1f}×"
            f"{memory()[0] / 1e9:>11.2f} GB  {ok}"
        )
    print(f"\nslowest re-render after a filter change: {worst:.3f} s (budget {budget:g} s)")
    peak, now = memory()
    print(f"process memory while measuring: peak {peak / 1e9:.2f} GB, now {now / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
