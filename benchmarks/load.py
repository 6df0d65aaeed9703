"""Load, judged against Streamlit's own floor: N concurrent headless-Chromium visitors.

Two servers are started the same way (``streamlit run <script> --server.headless true
--server.port P`` on 127.0.0.1, ``MOVIELENS_DIR`` set, cwd = the project root): the app
(``streamlit_app.py``) and a floor (``benchmarks/floor_app.py``: a title and a sidebar of links),
which is what Streamlit and the browsers themselves cost on this machine. Each gets one warm-up
visit per scenario first. Then, for every N, N sessions — pages of one headless Chromium sharing
one HTTP cache, at most N at once, loopback only — run these phases one after the other:

* ``floor: open``           open the floor app until its title is drawn;
* ``floor: one chart``      open it with ``?chart=1`` until its one plotly chart is drawn (what
                            any page with a chart costs, with no data behind it);
* ``explore: open+genre``   open Explore with a genre filter in the URL (``?genres=G``);
* ``explore: filter``       then add a second genre in the sidebar, until the page is redrawn;
* ``recommend: open``       open Recommend (rate mode) until the crowd top-5 is drawn;
* ``recommend: rate 5``     then find and rate 5 movies (10 reruns) until the personal top-5;
* ``recommend: user``       open Recommend for an existing user (``?mode=user&user=U``).

A step is done when the page shows what it should, Streamlit says the script is not running,
and nothing is stale or still a skeleton. Per phase: p50/p95/max of the sessions' wall times,
errors (timeouts, exceptions on the page), the server's CPU seconds per visit (utime+stime of
the server and its children from ``/proc``, before/after the phase, divided by N) and its peak
RSS (sampled from ``/proc`` every 0.1 s), with the ratios to the floor. The floor's "open" is the
unit every app row is compared with. The browsers share the 2 cores with the server, so wall
times are mostly client rendering; server CPU per visit is the part the app controls.

Then, one visitor alone: the explore, recommend and user visits (``--job-visits`` times each),
without and then with a Compare models grid job running (started from the browser, 4 folds so
no shipped reference result applies; its workers run at nice 15), and the ratio of the two.

Usage::

    flock /tmp/heavy.lock python benchmarks/load.py [--sessions 5,10,20] [--data PATH]
        [--job-visits 2] [--no-job] [--profile /tmp/load-profile.txt]

``--profile`` samples the app server with py-spy during the app phases (timings are then
perturbed: use it for the profile only) and prints where the server's CPU goes.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SCRIPT = "benchmarks/floor_app.py"
CHART_FLOOR = "floor: one chart"  # the floor app with one small plotly chart (?chart=1)
APP_SCRIPT = "streamlit_app.py"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
MAX_SESSIONS = 40  # bounded: never more pages than this at once
STEP_TIMEOUT_MS = 300_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

GENRES = ("Comedy", "Drama", "Action", "Thriller")  # session i: GENRES[i], then GENRES[i + 1]
RATED = {  # search query -> the title it must pick (as tests/e2e/test_recommend_e2e.py)
    "alien 1979": "Alien (1979)",
    "heat": "Heat (1995)",
    "amélie": "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    "Matrix, The": "Matrix, The (1999)",
    "the godfather": "Godfather, The (1972)",
}
TARGETS = {"cpu": 1.5, "p95": 1.3, "rss_gb": 1.5, "job": 1.5}

# Done = the script is not running, nothing is stale or a skeleton, the texts are in the main
# area and at least `count` elements match `selector`.
READY_JS = """({texts, selector, count}) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"], '
        + '[data-testid="stStatusWidget"]')) return false;
    const main = document.querySelector('[data-testid="stMain"]');
    const text = main ? main.textContent : '';
    if (!texts.every(t => text.includes(t))) return false;
    return !selector || document.querySelectorAll(selector).length >= count;
}"""


# --------------------------------------------------------------------------------- /proc


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()  # fields from 3 (state) on


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid``."""
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(_stat_fields(int(entry))[1])].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def cpu_seconds(pid: int) -> float:
    """utime+stime of ``pid``, of its reaped children and of its live descendants (s)."""
    fields = _stat_fields(pid)
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    for child in _children(pid):
        try:
            ticks += sum(int(x) for x in _stat_fields(child)[11:13])
        except (OSError, IndexError, ValueError):
            continue  # it just ended
    return ticks / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * PAGE_SIZE


class RssSampler:
    """Peak RSS of a process (and of it with its descendants), sampled every 0.1 s."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_tree = pid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = rss_bytes(self.pid)
                tree = own + sum(_safe_rss(c) for c in _children(self.pid))
            except OSError:
                return
            self.peak, self.peak_tree = max(self.peak, own), max(self.peak_tree, tree)
            self._stop.wait(0.1)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _safe_rss(pid: int) -> int:
    try:
        return rss_bytes(pid)
    except OSError:
        return 0


# --------------------------------------------------------------------------------- servers


@dataclass
class Server:
    """A `streamlit run` process on 127.0.0.1."""

    name: str
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(name: str, script: str, data: Path, workdir: Path) -> Server:
    """`streamlit run script` as the project runs it; returns once /_stcore/health answers."""
    port = free_port()
    log = workdir / f"{name}.log"
    env = {**os.environ, "MOVIELENS_DIR": str(data), "PYTHONUNBUFFERED": "1",
           "RECOMMENDER_RESULTS_DIR": str(workdir / f"{name}-results")}  # fmt: skip
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise TimeoutError(f"{name} server not healthy within 120 s")


def stop_server(server: Server) -> None:
    """Stop the server and whatever it started (its own process group)."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


# --------------------------------------------------------------------------------- one visitor


async def ready(
    page: Page, texts: tuple[str, ...] = (), selector: str = "", count: int = 0
) -> None:
    """Wait until the page is drawn and idle (see READY_JS); polled every 200 ms, not per frame."""
    await page.wait_for_function(
        READY_JS, arg={"texts": list(texts), "selector": selector, "count": count},
        polling=200, timeout=STEP_TIMEOUT_MS,
    )  # fmt: skip
    if await page.locator("[data-testid='stException']").count():
        text = await page.locator("[data-testid='stException']").first.inner_text()
        raise RuntimeError(f"exception on the page: {text[:200]}")


async def open_page(page: Page, url: str, texts: tuple[str, ...], selector: str = "",
                    count: int = 0) -> None:  # fmt: skip
    await page.goto(url, wait_until="commit", timeout=STEP_TIMEOUT_MS)
    await ready(page, texts, selector, count)


async def open_floor(page: Page, base: str, i: int) -> None:
    await open_page(page, base, ("Floor",), "[data-testid='stSidebar'] a", 4)


async def open_floor_chart(page: Page, base: str, i: int) -> None:
    await open_page(page, f"{base}/?chart=1", ("Floor",), "[data-testid='stMain'] .js-plotly-plot",
                    1)  # fmt: skip


async def open_explore(page: Page, base: str, i: int) -> None:
    genre = GENRES[i % len(GENRES)]
    await open_page(page, f"{base}/explore?genres={genre}", ("Explore the data", genre),
                    "[data-testid='stMain'] .js-plotly-plot", 2)  # fmt: skip


async def change_filter(page: Page, base: str, i: int) -> None:
    """Add a second genre in Explore's sidebar, as a visitor does."""
    first, second = GENRES[i % len(GENRES)], GENRES[(i + 1) % len(GENRES)]
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
    await box.click()
    await page.keyboard.type(second)
    await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")
    await page.wait_for_function(
        "([a, b]) => location.search.includes(a) && location.search.includes(b)",
        arg=[first, second], polling=200, timeout=STEP_TIMEOUT_MS,
    )  # fmt: skip
    await ready(page, ("Explore the data",), "[data-testid='stMain'] .js-plotly-plot", 2)


async def open_recommend(page: Page, base: str, i: int) -> None:
    await open_page(page, f"{base}/recommend", ("Your top 5", "Your ratings (0)"),
                    "[data-testid='stMain'] strong", 5)  # fmt: skip


async def rate_five(page: Page, base: str, i: int) -> None:
    """Find and rate the five movies of RATED, then wait for the personal top-5."""
    search = page.locator("input[aria-label='Search titles']").first
    for count, (query, title) in enumerate(RATED.items(), start=1):
        await search.fill(query)
        await search.press("Enter")
        picked = page.get_by_role("combobox", name=re.compile(r"^\d+ match"))
        await expect(picked).to_have_value(title, timeout=STEP_TIMEOUT_MS)
        await ready(page)
        await page.get_by_role("button", name="Rate it").click()
        await ready(page, (f"Your ratings ({count})",))
    await ready(page, ("Personalised from your 5 rating(s).",), "[data-testid='stMain'] strong", 5)


async def open_user(page: Page, base: str, i: int) -> None:
    user = 1 + (7 * i) % 600
    await open_page(page, f"{base}/recommend?mode=user&user={user}",
                    (f"Top 5 for user {user}",), "[data-testid='stDataFrame']", 1)  # fmt: skip


Step = Callable[[Page, str, int], Awaitable[None]]
APP_PHASES: tuple[tuple[str, str, Step], ...] = (
    ("explore", "explore: open+genre", open_explore),
    ("explore", "explore: filter", change_filter),
    ("recommend", "recommend: open", open_recommend),
    ("recommend", "recommend: rate 5", rate_five),
    ("user", "recommend: user", open_user),
)
PAGE_VIEWS = ("explore: open+genre", "recommend: open", "recommend: user")  # the app's "visits"


# --------------------------------------------------------------------------------- phases


@dataclass
class Phase:
    """One phase: N sessions doing the same step at once, and what the server spent on it."""

    label: str
    sessions: int
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_s: float = 0.0
    peak_rss: int = 0
    peak_tree_rss: int = 0

    def quantile(self, q: float) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        return self.quantile(0.95)

    @property
    def max(self) -> float:
        return max(self.times, default=float("nan"))

    @property
    def cpu_per_visit(self) -> float:
        return self.cpu_s / self.sessions


async def timed(step: Step, page: Page, base: str, i: int, gate: asyncio.Semaphore):
    """(seconds, None) or (None, error) of one session's step."""
    async with gate:
        start = time.perf_counter()
        try:
            await step(page, base, i)
        except Exception as error:  # a timeout or a page exception: counted, never fatal
            return None, f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
        return time.perf_counter() - start, None


async def run_phase(label: str, server: Server, step: Step, pages: list[Page],
                    alive: list[bool]) -> Phase:  # fmt: skip
    """All sessions still alive do ``step`` at once (bounded by len(pages))."""
    phase = Phase(label, len(pages))
    gate = asyncio.Semaphore(len(pages))
    before = cpu_seconds(server.pid)
    with RssSampler(server.pid) as rss:
        outcomes = await asyncio.gather(*(
            timed(step, page, server.url, i, gate) if alive[i] else _skipped()
            for i, page in enumerate(pages)
        ))  # fmt: skip
    phase.cpu_s = cpu_seconds(server.pid) - before
    phase.peak_rss, phase.peak_tree_rss = rss.peak, rss.peak_tree
    for i, (seconds, error) in enumerate(outcomes):
        if error is None:
            phase.times.append(seconds)
        else:
            phase.errors.append(error)
            alive[i] = False  # a session that failed a step does not go on to the next
    return phase


async def _skipped() -> tuple[None, str]:
    return None, "skipped: an earlier step of this session failed"


async def new_pages(context: BrowserContext, n: int) -> list[Page]:
    pages = [await context.new_page() for _ in range(n)]
    for page in pages:
        page.set_default_timeout(STEP_TIMEOUT_MS)
    return pages


async def run_scenario(context: BrowserContext, server: Server, steps: list[tuple[str, Step]],
                       n: int) -> list[Phase]:  # fmt: skip
    """N fresh sessions go through ``steps``, each step a phase all of them do at once."""
    pages = await new_pages(context, n)
    alive = [True] * n
    try:
        return [await run_phase(label, server, step, pages, alive) for label, step in steps]
    finally:
        for page in pages:
            await page.close()


async def measure_n(context: BrowserContext, floor: Server, app: Server, n: int) -> list[Phase]:
    phases = await run_scenario(context, floor, [("floor: open", open_floor)], n)
    phases += await run_scenario(context, floor, [(CHART_FLOOR, open_floor_chart)], n)
    for scenario in ("explore", "recommend", "user"):
        steps = [(label, step) for s, label, step in APP_PHASES if s == scenario]
        phases += await run_scenario(context, app, steps, n)
    return phases


async def warm_up(context: BrowserContext, floor: Server, app: Server) -> None:
    """One visit of each scenario, sequentially (every genre pair of Explore once)."""
    await run_scenario(context, floor, [("floor", open_floor)], 1)
    await run_scenario(context, floor, [("floor", open_floor_chart)], 1)
    for i in range(len(GENRES)):
        (page,) = await new_pages(context, 1)
        await open_explore(page, app.url, i)
        await change_filter(page, app.url, i)
        await page.close()
    for scenario in ("recommend", "user"):
        steps = [(label, step) for s, label, step in APP_PHASES if s == scenario]
        phases = await run_scenario(context, app, steps, 1)
        for phase in phases:
            if phase.errors:
                raise RuntimeError(f"warm-up {phase.label} failed: {phase.errors[0]}")


# --------------------------------------------------------------------------------- grid job


@dataclass
class JobComparison:
    """One visitor's step times alone and while a grid job runs."""

    without: dict[str, list[float]]
    during: dict[str, list[float]]
    worker_cpu_s: float  # CPU the job's workers got while the visitor was measured
    window_s: float
    job_running_at_end: bool

    def ratio(self, label: str) -> float:
        return statistics.median(self.during[label]) / statistics.median(self.without[label])

    @property
    def total_ratio(self) -> float:
        return sum(statistics.median(v) for v in self.during.values()) / sum(
            statistics.median(v) for v in self.without.values()
        )


async def visitor_times(
    context: BrowserContext, app: Server, repeats: int
) -> dict[str, list[float]]:
    """One visitor, alone: every app phase ``repeats`` times, in order."""
    times: dict[str, list[float]] = collections.defaultdict(list)
    for r in range(repeats):
        for scenario in ("explore", "recommend", "user"):
            steps = [(label, step) for s, label, step in APP_PHASES if s == scenario]
            (page,) = await new_pages(context, 1)
            try:
                for label, step in steps:
                    start = time.perf_counter()
                    await step(page, app.url, r + 1)
                    times[label].append(time.perf_counter() - start)
            finally:
                await page.close()
    return times


async def start_grid_job(context: BrowserContext, app: Server) -> Page:
    """Open Compare models, pick 4 folds (no shipped reference) and press Run."""
    page = (await new_pages(context, 1))[0]
    await page.goto(f"{app.url}/compare_models")
    await ready(page, ("configurations × 5 folds",))  # the shipped reference results
    await page.get_by_role("slider", name="Folds").focus()
    await page.keyboard.press("ArrowLeft")  # 5 -> 4 folds
    await expect(page.get_by_test_id("stMain")).to_contain_text("× 4 folds")
    await expect(page.get_by_test_id("stMain")).to_contain_text("No results yet", timeout=60_000)
    await page.get_by_role("button", name=re.compile(r"^Run \d+ of \d+$")).click()
    await expect(page.get_by_role("button", name="Cancel")).to_be_visible(timeout=60_000)
    return page


async def job_running(page: Page) -> bool:
    return await page.get_by_role("button", name="Cancel").count() > 0


async def compare_with_job(context: BrowserContext, app: Server, repeats: int) -> JobComparison:
    without = await visitor_times(context, app, repeats)
    job_page = await start_grid_job(context, app)
    try:
        await asyncio.sleep(5)  # the workers have read the data and built their folds
        children_before = cpu_seconds(app.pid) - _own_cpu(app.pid)
        start = time.perf_counter()
        during = await visitor_times(context, app, repeats)
        window = time.perf_counter() - start
        worker_cpu = cpu_seconds(app.pid) - _own_cpu(app.pid) - children_before
        still = await job_running(job_page)
        if still:
            await job_page.get_by_role("button", name="Cancel").click()
    finally:
        await job_page.close()
    return JobComparison(without, during, worker_cpu, window, still)


def _own_cpu(pid: int) -> float:
    return sum(int(x) for x in _stat_fields(pid)[11:13]) / CLOCK_TICKS


# --------------------------------------------------------------------------------- profile


class Profiler:
    """py-spy sampling the app server (raw collapsed stacks) while the app phases run."""

    def __init__(self, pid: int, output: Path, rate: int = 50):
        self.output, self.rate = output, rate
        command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate),
                   "--nonblocking", "--output", str(output)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)  # fmt: skip

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _frame_name(frame: str) -> str:
    """'function (path:line)' -> 'function (short/path)'."""
    match = re.match(r"(.*?) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame
    function, path = match.groups()
    for marker in ("site-packages/", "lib/python3", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{function} ({path})"


def _area(frame: str) -> str:
    """A coarse owner of a frame: our code, or the library it belongs to."""
    name = _frame_name(frame)
    path = name[name.rfind("(") + 1 : -1]
    if path.startswith(("recommender/", "pages/", "streamlit_app.py")):
        return path.split("/")[0] if "/" in path else path
    return path.split("/")[0].split(".")[0]


def summarize_profile(path: Path, rate: int, top: int = 25) -> str:
    """Where the sampled server time went: by area (innermost frame), then top functions."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    areas: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        n = int(count)
        total += n
        own[_frame_name(frames[-1])] += n
        areas[_area(frames[-1])] += n
        for name in {_frame_name(f) for f in frames}:
            inclusive[name] += n
    if not total:
        return "no samples"
    lines = [f"{total} samples at {rate} Hz ≈ {total / rate:.1f} s of busy server threads",
             "", "Self time by area (innermost frame's package):"]  # fmt: skip
    lines += [f"  {n / total:6.1%}  {area}" for area, n in areas.most_common(12)]
    lines += ["", f"Top {top} functions, inclusive:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "Top 15 functions, self:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(15)]
    return "\n".join(lines)


# --------------------------------------------------------------------------------- report


def print_table(n: int, phases: list[Phase]) -> None:
    floor = phases[0]
    print(f"\nN = {n}: {n} sessions at once (one headless Chromium, {n} pages, one HTTP cache)")
    head = (f"{'phase':<22} {'ok':>6} {'err':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
            f"{'CPU-s/visit':>11} {'RSS MB':>7} {'tree MB':>7} │ {'p95/floor':>9} {'CPU/floor':>9}")  # fmt: skip
    print(head)
    print("─" * len(head))
    for phase in phases:
        ratios = (f"{phase.p95 / floor.p95:>9.2f} {phase.cpu_per_visit / floor.cpu_per_visit:>9.2f}"
                  if phase is not floor else f"{'1':>9} {'1':>9}")  # fmt: skip
        print(f"{phase.label:<22} {len(phase.times):>3}/{phase.sessions:<2} {len(phase.errors):>4} "
              f"{phase.p50:>7.1f} {phase.p95:>7.1f} {phase.max:>7.1f} {phase.cpu_per_visit:>11.2f} "
              f"{phase.peak_rss / 1e6:>7.0f} {phase.peak_tree_rss / 1e6:>7.0f} │ {ratios}")  # fmt: skip
    for phase in phases:
        for error in sorted(set(phase.errors)):
            print(f"  ! {phase.label}: {phase.errors.count(error)}× {error}")


def print_job(job: JobComparison) -> None:
    print("\nOne visitor alone, without and while a grid job runs (median s of each step):")
    for label in job.without:
        print(f"  {label:<22} {statistics.median(job.without[label]):6.1f} → "
              f"{statistics.median(job.during[label]):6.1f}   ×{job.ratio(label):.2f}")  # fmt: skip
    print(f"  {'all steps':<22} ×{job.total_ratio:.2f}; the job's workers used "
          f"{job.worker_cpu_s:.0f} CPU-s in those {job.window_s:.0f} s"
          f"{'' if job.job_running_at_end else ' (the job ENDED before the visitor did)'}")  # fmt: skip


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def print_targets(n: int, phases: list[Phase], peak_rss: int, job: JobComparison | None) -> None:
    floor = phases[0]
    views = [p for p in phases if p.label in PAGE_VIEWS]
    errors = sum(len(p.errors) for p in phases)
    cpu = max(p.cpu_per_visit / floor.cpu_per_visit for p in views)
    p95 = max(p.p95 / floor.p95 for p in views)
    print(f"\nTargets at N = {n} (the app's page views {', '.join(PAGE_VIEWS)} vs the floor):")
    print(f"  no errors:                         {errors} error(s)  {verdict(errors == 0)}")
    print(f"  server CPU/visit ≤ {TARGETS['cpu']}× floor:     worst ×{cpu:.2f}  "
          f"{verdict(cpu <= TARGETS['cpu'])}")  # fmt: skip
    print(f"  p95 ≤ {TARGETS['p95']}× floor:                  worst ×{p95:.2f}  "
          f"{verdict(p95 <= TARGETS['p95'])}")  # fmt: skip
    chart = next(p for p in phases if p.label == CHART_FLOOR)
    print(f"  (the floor with one plotly chart, no data: CPU ×{chart.cpu_per_visit / floor.cpu_per_visit:.2f},"
          f" p95 ×{chart.p95 / floor.p95:.2f}: the same targets for any page showing a chart)")  # fmt: skip
    print(f"  server RSS ≤ {TARGETS['rss_gb']} GB (whole run):     peak {peak_rss / 1e9:.2f} GB  "
          f"{verdict(peak_rss <= TARGETS['rss_gb'] * 1e9)}")  # fmt: skip
    if job is not None:
        print(f"  page time with a grid job ≤ {TARGETS['job']}×:   ×{job.total_ratio:.2f}  "
              f"{verdict(job.total_ratio <= TARGETS['job'] and job.job_running_at_end)}")  # fmt: skip


# --------------------------------------------------------------------------------- main


def parse_sessions(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or any(not 1 <= v <= MAX_SESSIONS for v in values):
        raise argparse.ArgumentTypeError(f"session counts must be 1..{MAX_SESSIONS}")
    return values


async def launch(playwright) -> Browser:
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage"],
    )  # fmt: skip


async def benchmark(args: argparse.Namespace, workdir: Path) -> None:
    floor = start_server("floor", FLOOR_SCRIPT, args.data, workdir)
    app = start_server("app", APP_SCRIPT, args.data, workdir)
    profiler = None
    try:
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            await warm_up(context, floor, app)
            print(f"warm-up done in {time.perf_counter() - start:.0f} s; "
                  f"app server RSS {rss_bytes(app.pid) / 1e6:.0f} MB, "
                  f"floor {rss_bytes(floor.pid) / 1e6:.0f} MB", flush=True)  # fmt: skip
            if args.profile:
                profiler = Profiler(app.pid, args.profile)
            results: dict[int, list[Phase]] = {}
            for n in args.sessions:
                results[n] = await measure_n(context, floor, app, n)
                print_table(n, results[n])
                sys.stdout.flush()
            if profiler:
                profiler.stop()
            job = None
            if not args.no_job:
                job = await compare_with_job(context, app, args.job_visits)
                print_job(job)
            await browser.close()
        last = args.sessions[-1]
        peak = max(p.peak_rss for phases in results.values() for p in phases)
        print_targets(last, results[last], peak, job)
        print(f"\nTotal {time.perf_counter() - start:.0f} s (after the servers started).")
        if profiler:
            print(f"\nProfile of the app server during the app phases ({args.profile}):")
            print(summarize_profile(args.profile, profiler.rate))
    finally:
        if profiler and profiler.process.poll() is None:
            profiler.process.kill()
        for server in (floor, app):
            stop_server(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("MOVIELENS_DIR") or
                                     ROOT.parent / "shared/movielens/ml-latest-small"),
                        help="MovieLens folder for both servers (default: $MOVIELENS_DIR)")  # fmt: skip
    parser.add_argument("--sessions", type=parse_sessions, default=[5, 10, 20],
                        help="comma-separated N (default 5,10,20)")  # fmt: skip
    parser.add_argument("--job-visits", type=int, default=2,
                        help="visits of each step by the lone visitor, without and with a job")  # fmt: skip
    parser.add_argument("--no-job", action="store_true", help="skip the grid-job comparison")
    parser.add_argument("--profile", type=Path, help="py-spy raw output; prints a summary")
    args = parser.parse_args(argv)
    if not (args.data / "ratings.csv").is_file():
        parser.error(f"no ratings.csv in {args.data}: pass --data or set MOVIELENS_DIR")
    with tempfile.TemporaryDirectory(prefix="load-bench-") as workdir:
        asyncio.run(benchmark(args, Path(workdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
