"""Peak memory of the app with every page visited, per dataset: the measured side of the dataset
picker's "fits Streamlit Community Cloud's 2.7 GB / needs ~N GB: run locally" labels.

For each dataset folder, a fresh Python process (so peaks never mix) drives the real app with
Streamlit's AppTest, ``MOVIELENS_DIR`` set to the folder and ``RECOMMENDER_RESULTS_DIR`` to an
empty temporary folder, after importing what ``streamlit run`` imports first
(``recommender.app.server``: the page modules, ``gc.freeze``):

1. Overview (the first view also starts fitting the default recommender in a background thread
   and compiling the KNN kernels in a child process, as on a fresh server);
2. Explore: every tab unfiltered, then every tab with a genre filter, then every tab with a
   minimum-ratings filter (each filtered view is computed once);
3. Compare models: opened only (the shipped reference results or "no results"; no grid run);
4. Recommend: opened (the crowd favourites at once while the personal models are fitted), then
   the background fit waited for and the page rerun until it shows the fitted models' five cards
   (the page's own polling fragment does not run under AppTest), those five rated through search
   + stars + "Rate it", the personal top 5, then "Pick a user" on the user it opens on.

After each step it records the process's RSS and its peak during the step: VmHWM of
/proc/self/status, reset before every step through /proc/self/clear_refs, and a 0.1 s sampler of
VmRSS summed over the process and its children (the kernel compiler). "fit" says whether the
background fit was still running at the end of the step. Then, over the datasets measured, it fits
peak = base + k · ratings and compares, for every GroupLens dataset in ``recommender.data.CATALOG``,
the line's verdict against Streamlit Cloud's 2.7 GB (``CLOUD_BYTES``) with today's estimate
(``recommender.app.datasets.estimated_bytes``). MB and GB are 10⁶ and 10⁹ bytes, as
``CLOUD_BYTES``. ``--fit-first`` waits for the background fit right after Overview (a visitor who
comes after the server's warm start) instead of browsing while it runs.

``--synthetic N`` adds a dataset of N ratings shaped like ml-32m, built once by
``benchmarks/dataset_load.py``'s ``build`` into ``--work`` (default /tmp/benchmem).

Usage::

    flock /tmp/heavy.lock python benchmarks/page_memory.py \\
        --data ../shared/movielens/ml-latest-small --synthetic 1000000 --synthetic 10000000 \\
        --data /tmp/bench32/ml-32m-synthetic > /tmp/page_memory.log 2>&1

(the 32M set from ``python benchmarks/dataset_load.py --dir /tmp/bench32 --keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc_memory import reset_peak, status_kb  # noqa: E402
from tests.app.test_recommend_page import card_titles, fitting  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "movielens" / "ml-latest-small"
DEFAULT_WORK = Path("/tmp/benchmem")
APP_FILE = str(ROOT / "streamlit_app.py")
MARK = "PAGE_MEMORY "  # the child's result lines on stdout start with this
STEP_TIMEOUT = 900.0  # one script run; the first load of 32M ratings reads ~900 MB of CSV
FIT_TIMEOUT = 1500.0  # waiting for the background fit of the default recommender (~460 s at 32M)
DATASET_TIMEOUT = 1800.0  # the whole child process
SAMPLE_S = 0.1
EXPLORE_TABS = [
    "Ratings", "Popularity", "Genres", "Time", "Top movies", "Tags", "One user", "Data quality",
]  # fmt: skip  # pages/explore.py's TABS (importing the page would run it)
GENRE = "Drama"
MIN_RATINGS = 10
STARS = (5.0, 4.5, 4.0, 2.0, 5.0)  # the five ratings given on Recommend
MB = 1e6


@dataclass
class Step:
    """One measured step of one dataset."""

    name: str
    seconds: float
    rss_mb: float  # the process at the end of the step (MB: 10⁶ bytes)
    peak_mb: float  # the process's peak during the step (VmHWM since the reset)
    total_mb: float  # sampled peak of the process and its children during the step
    fit: str  # the background fit at the end of the step: running, done or -
    note: str = ""


# ------------------------------------------------------------------------------ /proc


def _mb(kib: int) -> float:
    """/proc's "kB" (KiB) in MB (10⁶ bytes, as ``CLOUD_BYTES``)."""
    return kib * 1024 / MB


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (through /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_children(int(child))]
    return found


def _total_rss_kb() -> int:
    pid = os.getpid()
    return sum(status_kb(p, "VmRSS") for p in (pid, *_children(pid)))


class Sampler:
    """A daemon thread sampling the RSS of this process and its children every ``interval``."""

    def __init__(self, interval: float = SAMPLE_S):
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_kb = max(self.peak_kb, _total_rss_kb())

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def take_peak(self) -> int:
        """The peak since the last call (and now), in kB; starts the next interval."""
        peak, self.peak_kb = max(self.peak_kb, _total_rss_kb()), 0
        return peak


# ------------------------------------------------------------------------------ the child


def _fit_state() -> str:
    """Whether the background fit (``recommender.app.cache.warm_up``'s futures) is running."""
    from recommender.app import cache

    futures = list(cache._WARMED.values())
    if not futures:
        return "-"
    return "done" if all(f.done() for f in futures) else "running"


def _emit(kind: str, payload: dict) -> None:
    print(MARK + json.dumps({"kind": kind, **payload}), flush=True)


class Recorder:
    """Runs steps, measures each and reports it to the parent as soon as it ends."""

    def __init__(self) -> None:
        self.sampler = Sampler().start()
        self.can_reset = reset_peak()
        self.peak_self_kb = status_kb("self", "VmHWM")
        self.steps: list[Step] = []

    def step(self, name: str, action: Callable[[], str | None]) -> bool:
        """Measure ``action()`` (which returns a note); False if it failed or timed out."""
        self.sampler.take_peak()
        if self.can_reset:
            reset_peak()
        start = time.perf_counter()
        ok, note = True, ""
        try:
            note = action() or ""
        except Exception as error:  # a timeout or a page error: reported, the rest goes on
            ok, note = False, f"FAILED: {type(error).__name__}: {str(error)[:120]}"
        seconds = time.perf_counter() - start
        peak_kb = status_kb("self", "VmHWM")
        self.peak_self_kb = max(self.peak_self_kb, peak_kb)
        step = Step(
            name, seconds, _mb(status_kb("self", "VmRSS")), _mb(peak_kb),
            _mb(self.sampler.take_peak()), _fit_state(), note,
        )  # fmt: skip
        self.steps.append(step)
        _emit("step", asdict(step))
        return ok


def _checked(at):
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].message}")
    return at


def _explore_steps(rec: Recorder, at) -> None:
    def visit(tab: str) -> Callable[[], str]:
        def action() -> str:
            at.session_state["tab"] = tab
            _checked(at.run())
            return f"{len(at.get('plotly_chart'))} charts"

        return action

    def set_filters(genres: list[str], min_ratings: int) -> None:
        at.multiselect(key="explore_genres").set_value(genres)
        at.number_input(key="explore_min_ratings").set_value(min_ratings)

    for label, genres, min_ratings in (
        ("", [], 0), (f" · {GENRE}", [GENRE], 0), (f" · ≥{MIN_RATINGS} ratings", [], MIN_RATINGS),
    ):  # fmt: skip
        if label:
            set_filters(genres, min_ratings)  # applied by the first tab's run
        for tab in EXPLORE_TABS:
            if not rec.step(f"Explore: {tab}{label}", visit(tab)):
                return


def _open_recommend(at) -> str:
    at.switch_page("pages/recommend.py")
    _checked(at.run())
    cards = len(card_titles(at))
    return f"{cards} cards, " + ("crowd favourites while fitting" if fitting(at) else "fitted")


def _wait_for_models(at, timeout: float) -> list[str]:
    """Wait for the background fit (the page's fragment polls it every 2 s; AppTest runs no
    fragment on its own), then rerun until the page shows the fitted models' five cards."""
    deadline = time.monotonic() + timeout
    _wait_for_fit(timeout)
    _checked(at.run())
    while (fitting(at) or len(card_titles(at)) < 5) and time.monotonic() < deadline:
        time.sleep(1.0)
        _checked(at.run())
    titles = card_titles(at)
    if fitting(at) or len(titles) < 5:
        raise TimeoutError(f"{len(titles)} cards, still fitting: {fitting(at)}")
    return titles


def _rate(at, titles: list[str]) -> str:
    """Rate each title through the search, the stars and "Rate it"; returns a note."""
    for title, stars in zip(titles, STARS, strict=False):
        _checked(at.text_input(key="rec_search").set_value(title).run())
        at.select_slider(key="rec_search_stars").set_value(stars)
        _checked(at.button(key="rec_search_add").click().run())
    rated = len(at.session_state["rec_ratings"])
    cards = card_titles(at)
    if rated < len(titles) or len(cards) != 5:
        raise RuntimeError(f"{rated} rated, {len(cards)} cards")
    overlap = len(set(cards) & set(titles))
    return f"{rated} rated; personal top 5 ({overlap} of them rated)"


def _pick_user(at) -> str:
    """The "Pick a user" mode on the user it opens on (the first one). Not the most active one:
    a synthetic set's heavy tail gives one user a few % of all ratings, far beyond MovieLens."""
    _checked(at.segmented_control(key="rec_mode").set_value("user").run())
    shown = [h.value for h in at.subheader if h.value.startswith(("Top 5 for user", "Their "))]
    return f"{' · '.join(shown)}: {len(card_titles(at))} cards"


def _wait_for_fit(timeout: float) -> str:
    from recommender.app import cache

    for future in list(cache._WARMED.values()):
        future.result(timeout=timeout)
    return ""


def child(step_timeout: float, fit_timeout: float, fit_first: bool) -> None:
    """Every page, in this process (``MOVIELENS_DIR`` is set by the parent). ``fit_first``: wait
    for the background fit after Overview, as a visitor arriving after the server's warm start."""
    rec = Recorder()
    rec.step("imports (streamlit run's)", _import_server)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP_FILE, default_timeout=step_timeout)
    ratings: list[int] = []

    def overview() -> str:
        _checked(at.run())
        shown = {m.label: m.value for m in at.main.metric}
        ratings.append(int(shown["Ratings"].replace(",", "")))
        return f"{ratings[0]:,} ratings"

    if not rec.step("Overview", overview):
        return
    _emit("dataset", {"ratings": ratings[0]})
    if fit_first:
        rec.step("background fit, waited for", lambda: _wait_for_fit(fit_timeout))

    def open_page(page: str) -> Callable[[], str]:
        def action() -> str:
            at.switch_page(page)
            _checked(at.run())
            return ""

        return action

    if rec.step("Explore: open", open_page("pages/explore.py")):
        _explore_steps(rec, at)

    def compare() -> str:
        open_page("pages/compare_models.py")()
        shown = "no results" if any("No results yet" in i.value for i in at.info) else "results"
        return f"{shown}, {len(at.get('plotly_chart'))} charts"

    rec.step("Compare models: open", compare)

    if not rec.step("Recommend: open", lambda: _open_recommend(at)):
        return
    titles: list[str] = []

    def fitted() -> str:
        titles.extend(_wait_for_models(at, fit_timeout))
        return "5 cards from the fitted models"

    if not rec.step("Recommend: models fitted", fitted):
        return
    if rec.step("Recommend: rate 5, top 5", lambda: _rate(at, titles)):
        rec.step("Recommend: pick a user", lambda: _pick_user(at))
    _emit("done", {"peak_self_mb": _mb(rec.peak_self_kb), "fit": _fit_state()})


def _import_server() -> str:
    import recommender.app.server  # noqa: F401  (what `streamlit run streamlit_app.py` imports)

    return ""


# ------------------------------------------------------------------------------ the parent


@dataclass
class Measured:
    """What one dataset's child reported (possibly partial)."""

    path: Path
    ratings: int | None
    steps: list[Step]
    complete: bool
    error: str = ""

    @property
    def peak_mb(self) -> float:
        """The peak of the process and its children (what a container's limit counts)."""
        return max((max(s.peak_mb, s.total_mb) for s in self.steps), default=0.0)

    @property
    def self_peak_mb(self) -> float:
        """The peak of the app's process alone."""
        return max((s.peak_mb for s in self.steps), default=0.0)

    @property
    def peak_step(self) -> str:
        return max(self.steps, key=lambda s: max(s.peak_mb, s.total_mb)).name if self.steps else ""


def _header() -> str:
    columns = f"{'seconds':>9}{'RSS MB':>9}{'peak MB':>9}{'+children':>11}"
    return f"{'step':<36}{columns}  {'fit':<8}note"


def _row(step: Step) -> str:
    return (
        f"{step.name:<36}{step.seconds:>9.1f}{step.rss_mb:>9,.0f}{step.peak_mb:>9,.0f}"
        f"{step.total_mb:>11,.0f}  {step.fit:<8}{step.note}"
    )


def _lines(process: subprocess.Popen, deadline: float) -> Iterator[str]:
    """The child's stdout lines until it ends or ``deadline`` passes (then it is killed)."""
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), process.kill)
    timer.start()
    try:
        assert process.stdout is not None
        yield from process.stdout
    finally:
        timer.cancel()


def measure(path: Path, args: argparse.Namespace) -> Measured:
    """Run the child on ``path``, printing each step as it comes."""
    print(f"\n== {path}", flush=True)
    print(_header())
    print("-" * 100, flush=True)
    steps: list[Step] = []
    ratings, complete = None, False
    with tempfile.TemporaryDirectory(prefix="page-memory-") as results:
        env = os.environ | {"MOVIELENS_DIR": str(path), "RECOMMENDER_RESULTS_DIR": results}
        log = Path(results) / "stderr.log"
        command = [sys.executable, __file__, "--child", "--step-timeout", str(args.step_timeout),
                   "--fit-timeout", str(args.fit_timeout)]  # fmt: skip
        if args.fit_first:
            command.append("--fit-first")
        with log.open("w") as stderr:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
            )  # fmt: skip
            for line in _lines(process, time.monotonic() + args.dataset_timeout):
                if not line.startswith(MARK):
                    continue
                message = json.loads(line[len(MARK) :])
                kind = message.pop("kind")
                if kind == "step":
                    steps.append(Step(**message))
                    print(_row(steps[-1]), flush=True)
                elif kind == "dataset":
                    ratings = message["ratings"]
                elif kind == "done":
                    complete = True
            code = process.wait()
        error = "" if code == 0 else f"child exited with {code}: {log.read_text()[-600:]}"
    if error:
        print(f"  ! {error}", flush=True)
    measured = Measured(path, ratings, steps, complete and code == 0, error)
    if steps:
        print(f"peak {measured.peak_mb:,.0f} MB at “{measured.peak_step}”", flush=True)
    return measured


def synthetic(work: Path, n_ratings: int) -> Path:
    """The ml-32m-shaped synthetic set of ``n_ratings`` ratings (built once into ``work``)."""
    from benchmarks.dataset_load import build

    folder = work / f"ml-{n_ratings / 1e6:g}m-synthetic"
    if not (folder / "links.csv").is_file():  # build writes links.csv last
        start = time.perf_counter()
        shape = build(folder, n_ratings)
        print(f"built {folder}: {shape['ratings']:,} ratings, {shape['users']:,} users, "
              f"{shape['movies']:,} movies in {time.perf_counter() - start:.0f} s",
              flush=True)  # fmt: skip
    return folder


def fit_line(points: list[tuple[int, float]]) -> tuple[float, float] | None:
    """(base bytes, bytes per rating) of peak = base + k · ratings, least squares."""
    if len({n for n, _ in points}) < 2:
        return None
    ratings, peaks = np.array(points, dtype=float).T
    k, base = np.polyfit(ratings, peaks, 1)
    return float(base), float(k)


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def summary(results: list[Measured]) -> None:
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # no "No runtime found" warnings from the imports
    from recommender.app.datasets import CLOUD_BYTES, estimated_bytes
    from recommender.data import CATALOG

    done = [r for r in results if r.ratings and r.steps]
    print(f"\n== Summary (Streamlit Community Cloud: {_gb(CLOUD_BYTES)})")
    line = fit_line([(r.ratings, r.peak_mb * MB) for r in done if r.complete])
    print(f"{'dataset':<22}{'ratings':>12}{'app alone':>11}{'peak':>10}{'B/rating':>10}"
          f"{'estimate':>11}  {'measured':<10}peak step")  # fmt: skip
    for r in done:
        peak = r.peak_mb * MB
        per = f"{(peak - line[0]) / r.ratings:,.0f}" if line else "-"
        verdict = "fits" if peak <= CLOUD_BYTES else "too big"
        partial = "" if r.complete else " (partial)"
        print(f"{r.path.name:<22}{r.ratings:>12,}{_gb(r.self_peak_mb * MB):>11}{_gb(peak):>10}"
              f"{per:>10}{_gb(estimated_bytes(r.ratings)):>11}  {verdict:<10}"
              f"{r.peak_step}{partial}")  # fmt: skip
    print("(peak: the app's process and its children, the KNN kernel compiler; B/rating: above "
          "the fitted base)")  # fmt: skip
    if line is None:
        print("(fewer than two complete datasets: no line fitted)")
        return
    base, k = line
    print(f"\nfitted line: peak = {base / MB:,.0f} MB + {k:,.1f} B × ratings; beside it, the "
          "app's own estimate (recommender.app.datasets.estimated_bytes)")  # fmt: skip
    print(f"\n{'GroupLens dataset':<18}{'ratings':>12}{'fitted':>11}  {'by measurement':<16}"
          f"{'estimate':>10}  by today's estimate")  # fmt: skip
    for info in sorted(CATALOG.values(), key=lambda i: i.n_ratings):
        fitted = base + k * info.n_ratings
        estimate = estimated_bytes(info.n_ratings)
        print(f"{info.name:<18}{info.n_ratings:>12,}{_gb(fitted):>11}  "
              f"{_verdict(fitted, CLOUD_BYTES):<16}{_gb(estimate):>10}  "
              f"{_verdict(estimate, CLOUD_BYTES)}")  # fmt: skip


def _verdict(need: float, cloud: int) -> str:
    return "fits" if need <= cloud else f"needs ~{max(1, round(need / 1e9))} GB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, action="append", default=[],
                        help="a dataset folder (repeatable; default: ml-latest-small)")  # fmt: skip
    parser.add_argument("--synthetic", type=int, action="append", default=[], metavar="RATINGS",
                        help="also an ml-32m-shaped synthetic set of this many ratings")  # fmt: skip
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where synthetic sets go")
    parser.add_argument("--step-timeout", type=float, default=STEP_TIMEOUT)
    parser.add_argument("--fit-timeout", type=float, default=FIT_TIMEOUT)
    parser.add_argument("--dataset-timeout", type=float, default=DATASET_TIMEOUT)
    parser.add_argument("--fit-first", action="store_true",
                        help="wait for the background fit before Explore (default: browse while "
                        "it runs, as the first visitor of a fresh server)")  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.step_timeout, args.fit_timeout, args.fit_first)
        sys.stdout.flush()
        os._exit(0)  # not waiting at exit for a background fit still running after a failure
    paths = list(args.data) or ([] if args.synthetic else [DEFAULT_DATA])
    paths += [synthetic(args.work, n) for n in args.synthetic]
    start = time.perf_counter()
    results = [measure(path.resolve(), args) for path in paths]
    summary(sorted(results, key=lambda r: r.ratings or 0))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    return 0 if all(r.complete for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
