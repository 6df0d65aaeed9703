"""Peak memory, step by step, of Explore's data-quality check and of the default recommender's fit.

One process reads the dataset, then measures each step on its own: the process's peak (VmHWM of
/proc/self/status, reset before the step through /proc/self/clear_refs) and what it holds after
(VmRSS). The steps: the quality report, the cleaning counts (what Explore's Data quality tab
computes), then the default fit of Recommend as ``Recommender.fit_stages`` runs it: the catalogue
and popularity, the content model, the user histories and shared ratings matrix, and each personal
model in its fitting order.

    python benchmarks/fit_memory.py --data /tmp/bench32/ml-32m-synthetic

(the synthetic ml-32m set that ``benchmarks/dataset_load.py --dir /tmp/bench32 --keep`` leaves
behind: sorted by user then movie, each pair once, as GroupLens's files are; rows in another
order or repeated pairs, as an upload may have, take slower paths).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc_memory import memory, reset_peak  # noqa: E402

GB = 1e9


class Steps:
    """Prints one line per step: seconds, peak during it, held after, peak above the start."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        print(f"{'step':<44}{'seconds':>9}{'peak':>10}{'held':>10}{'peak - before':>15}")

    def mark(self, label: str, before: float, started: float) -> None:
        peak, held = memory()
        print(f"{label:<44}{time.perf_counter() - started:>8.1f}s{peak / GB:>7.2f} GB"
              f"{held / GB:>7.2f} GB{(peak - before) / GB:>+12.2f} GB", flush=True)  # fmt: skip

    def run(self, label: str, work: Callable[[], object]) -> object:
        reset_peak()
        before, started = memory()[1], time.perf_counter()
        result = work()
        self.mark(label, before, started)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MOVIELENS_DIR"))
    args = parser.parse_args()
    if not args.data:
        sys.exit("Pass --data PATH or set MOVIELENS_DIR (a MovieLens folder).")
    from recommender.data import cleaning_changes, load_movielens, quality_report
    from recommender.recommend import Recommender, content, personal

    steps = Steps()
    ml = steps.run("read the dataset", lambda: load_movielens(args.data))
    print(f"{len(ml.ratings):,} ratings; rows sorted by user: "
          f"{bool(ml.ratings['userId'].is_monotonic_increasing)}")  # fmt: skip
    steps.run("Data quality: report", lambda: quality_report(ml))
    steps.run("Data quality: cleaning counts", lambda: cleaning_changes(ml))

    # The fit, cut into the steps fit_stages takes: marks set around its parts.
    marks: dict[str, tuple[float, float]] = {}

    def wrap(owner, name: str, label: Callable[..., str]) -> None:
        real = getattr(owner, name)

        def measured(self, *a, **k):
            steps.mark(f"fit: up to {label(self)}", *marks["last"])
            reset_peak()
            marks["last"] = (memory()[1], time.perf_counter())
            result = real(self, *a, **k)
            steps.mark(f"fit: {label(self)}", *marks["last"])
            reset_peak()
            marks["last"] = (memory()[1], time.perf_counter())
            return result

        setattr(owner, name, measured)

    wrap(content.ContentModel, "fit", lambda _: "content model")
    wrap(personal.PersonalModel, "fit", lambda model: model.config.algorithm)
    reset_peak()
    marks["last"] = (memory()[1], time.perf_counter())
    total = time.perf_counter()
    for stage in Recommender().fit_stages(ml):
        print(f"  stage ready: {', '.join(stage.personals_)}")
    print(f"whole fit: {time.perf_counter() - total:.0f} s; held after: {memory()[1] / GB:.2f} GB")


if __name__ == "__main__":
    main()
