"""Grid jobs on the server: work lost to an interruption, joining, cancelling, memory and time.

What the Compare models page's server-side jobs (:mod:`recommender.evaluation.jobs`) promise,
measured on ml-latest-small with the default grid (``preset("all")``: 47 configurations × 5 folds,
seed 0, fast engine, every user ranked). Results go to a temporary folder and the shipped reference
results are not used, so every step is computed:

a. **interrupt**: an app process (a stand-in for the server: this script with ``--app-process``,
   owning a :class:`~recommender.evaluation.jobs.JobRunner`) runs the grid and is SIGKILLed at a
   fraction of it (``--kill-at``), as a crashed or redeployed server would be; how long its orphaned
   workers outlive it; then a new app process takes the same request ("reconnect") and resumes.
   Reported: steps saved before the kill, steps finished but lost, steps in flight at the kill,
   steps the resume recomputed (must be exactly the unsaved ones) and reused.
b. **join**: while a job runs, an identical request gets the same job and no second set of
   workers (worker processes counted in /proc); a different request queues behind it.
c. **cancel**: time from ``cancel()`` to every worker process gone (target ≤ 2 s), at three moments
   (workers starting, first step, mid-grid); and that nothing half-written is left (no temporary
   file, every fold file readable, the job's data file removed).
d. **memory and time**: peak PSS and RSS of the whole app, the server process plus every
   descendant (its workers), sampled from /proc every 0.1 s, while the full default grid runs,
   against the 1.2 GB budget (1228.8 MiB); and the grid's wall time through the job runner. With
   ``--memory server`` (default) the app is the real ``streamlit run streamlit_app.py``, driven by
   headless chromium through Playwright (dataset, warmed-up recommender and Streamlit included);
   with ``--memory standin`` it is an app process that loads the dataset and fits the default
   recommender, without Streamlit's server.

Usage (heavy: about ten minutes on the 2-core machine)::

    flock /tmp/heavy.lock python benchmarks/grid_jobs.py [--data PATH] [--workers N]
        [--kill-at 0.4] [--memory server|standin|skip] [--skip-interrupt] [--skip-cancel]

``--data`` defaults to ``$MOVIELENS_DIR``; ``--workers`` to ``$RECOMMENDER_WORKERS`` (2).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommender import settings as app_settings  # noqa: E402
from recommender.data import MovieLens, read_dataset  # noqa: E402
from recommender.evaluation import GridSettings, preset  # noqa: E402
from recommender.evaluation import jobs as jobs_module  # noqa: E402
from recommender.evaluation.jobs import GridJob, JobRequest, JobRunner  # noqa: E402
from recommender.evaluation.store import load_folds  # noqa: E402

WORKER_MODULE = "recommender.evaluation.worker"
CANCEL_TARGET_S = 2.0
MEMORY_TARGET_MB = 1.2 * 1024  # 1.2 GB, in MiB as the other benchmarks count
SAMPLE_S = 0.1
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# ------------------------------------------------------------------------------ /proc


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def _kb(pid: int, file: str, key: str) -> int:
    for line in _read(f"/proc/{pid}/{file}").splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def rss_kb(pid: int) -> int:
    return _kb(pid, "status", "VmRSS:")


def pss_kb(pid: int) -> int:
    """Proportional set size: pages shared between processes are split between them."""
    return _kb(pid, "smaps_rollup", "Pss:")


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            found += [int(c) for c in _read(f"/proc/{pid}/task/{task}/children").split()]
    return found + [d for c in found for d in descendants(c)]


def is_worker(pid: int) -> bool:
    return WORKER_MODULE in _read(f"/proc/{pid}/cmdline").replace("\0", " ")


def workers_of(pid: int) -> list[int]:
    """Grid worker processes below ``pid``."""
    return [p for p in descendants(pid) if is_worker(p)]


def alive_workers(pids: set[int]) -> list[int]:
    """Those of ``pids`` still running as grid workers (a zombie counts as gone)."""
    alive = []
    for pid in pids:
        state = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()[:1]
        if state and state[0] not in ("Z", "X") and is_worker(pid):
            alive.append(pid)
    return alive


@dataclass
class Peaks:
    pss_kb: int = 0
    rss_kb: int = 0
    app_rss_kb: int = 0
    max_workers: int = 0
    workers_seen: set[int] = field(default_factory=set)


class TreeSampler:
    """Peak PSS / RSS of ``pid`` plus all its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = SAMPLE_S) -> None:
        self.pid, self.interval, self.peaks = pid, interval, Peaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        tree = [self.pid, *descendants(self.pid)]
        workers = [p for p in tree[1:] if is_worker(p)]
        p = self.peaks
        p.workers_seen.update(workers)
        p.max_workers = max(p.max_workers, len(workers))
        p.app_rss_kb = max(p.app_rss_kb, rss_kb(self.pid))
        p.rss_kb = max(p.rss_kb, sum(rss_kb(q) for q in tree))
        p.pss_kb = max(p.pss_kb, sum(pss_kb(q) for q in tree))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.01) -> float | None:
    """Seconds until ``check()`` holds, or None after ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(step)
    return None


# ------------------------------------------------------------------------------ the grid


def default_request(n_ratings: int, name: str, recompute: bool = False) -> JobRequest:
    settings = GridSettings(name, n_ratings)  # 5 folds, seed 0, fast engine, every user ranked
    return JobRequest(settings, tuple(preset("all")), recompute)


def without_reference() -> None:
    """Compute everything: the shipped reference results of the default grid are not reused."""
    jobs_module.reference_results = lambda settings: {}


def results_on_disk(folder: Path, request: JobRequest) -> tuple[int, int, list[Path]]:
    """(readable saved steps, fold files, leftover temporary files) under ``folder``."""
    s = request.settings
    readable = sum(len(load_folds(s, c, folder)) for c in request.configs)
    files = len(list(folder.rglob("*.fold*.json")))
    return readable, files, sorted(folder.rglob("*.tmp"))


# ------------------------------------------------------------------------------ app process


def app_process(args: argparse.Namespace) -> int:
    """The stand-in server: one JobRunner, one request, a JSON status line every 50 ms."""
    import streamlit  # noqa: F401  (the server has it loaded: its memory counts)

    without_reference()
    ml = read_dataset(args.data)
    if args.recommender:
        from recommender.app.cache import _fit_default

        _fit_default(ml)  # what the server's warm-up holds: the default recommender, kernels
    runner = JobRunner(Path(args.results), args.workers)
    request = default_request(ml.n_ratings, ml.name)
    job = runner.submit(request, ml.ratings, ml.movies)
    while True:
        status = runner.status(job.job_id)
        line = {"state": status.state, "done": status.done, "total": status.total,
                "computed": job.computed, "in_flight": job.in_flight,
                "elapsed": status.elapsed, "failures": len(status.failures)}  # fmt: skip
        print(json.dumps(line), flush=True)
        if args.die_at and status.done >= args.die_at and status.state == "running":
            os.kill(os.getpid(), signal.SIGKILL)  # the server dies: no cleanup of any kind
        if status.finished:
            return 0
        time.sleep(0.05)


def start_app(args: argparse.Namespace, results: Path, die_at: int = 0,
              recommender: bool = False) -> subprocess.Popen:  # fmt: skip
    command = [sys.executable, __file__, "--app-process", "--data", args.data,
               "--results", str(results), "--workers", str(args.workers),
               "--die-at", str(die_at)] + (["--recommender"] if recommender else [])  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def follow(app: subprocess.Popen) -> list[dict]:
    """Every status line of an app process until it ends."""
    lines = [json.loads(line) for line in app.stdout if line.startswith("{")]
    app.wait()
    return lines


# ------------------------------------------------------------------------------ a. interrupt


@dataclass
class Interrupt:
    total: int
    saved_at_kill: int
    done_at_kill: int
    in_flight_at_kill: int
    orphans: int
    orphans_gone_s: float | None
    reused: int
    recomputed: int
    resume_s: float
    resume_state: str

    @property
    def lost_finished(self) -> int:
        """Steps the dead server had finished that the resume had to compute again."""
        return max(0, self.done_at_kill - self.saved_at_kill)

    @property
    def saved_recomputed(self) -> int:
        """Saved steps the resume computed again (should be 0)."""
        return max(0, self.recomputed - (self.total - self.saved_at_kill))


def measure_interrupt(args: argparse.Namespace, scratch: Path, ml: MovieLens) -> Interrupt:
    results = scratch / "interrupt"
    total = len(preset("all")) * 5
    die_at = max(1, int(total * args.kill_at))
    print(f"a. interrupt: app process SIGKILLed once {die_at} of {total} steps are done…",
          flush=True)  # fmt: skip
    app = start_app(args, results, die_at=die_at)
    sampler = TreeSampler(app.pid)
    with sampler:
        lines = follow(app)
    if app.returncode != -signal.SIGKILL:
        raise RuntimeError(f"the app process was not killed (exit code {app.returncode})")
    request = default_request(ml.n_ratings, ml.name)
    last = lines[-1]
    orphans = set(alive_workers(sampler.peaks.workers_seen))
    gone = wait_until(lambda: not alive_workers(orphans), timeout=120, step=0.05)
    saved, _, _ = results_on_disk(results, request)
    print(f"   killed at {last['done']} done ({last['in_flight']} in flight); {saved} saved; "
          f"resuming…", flush=True)  # fmt: skip
    started = time.perf_counter()
    resume = follow(start_app(args, results))
    seconds = time.perf_counter() - started
    end = resume[-1]
    return Interrupt(total, saved, last["done"], last["in_flight"], len(orphans), gone,
                     end["done"] - end["computed"], end["computed"], seconds, end["state"])  # fmt: skip


# ------------------------------------------------------------------------------ b + c. in process


@dataclass
class CancelTrial:
    moment: str
    steps_done: int
    workers_before: int
    to_workers_gone_s: float | None
    to_status_cancelled_s: float | None
    leftovers: list[Path]
    unreadable: int
    data_folder_left: bool


@dataclass
class Join:
    same_job: bool
    workers_alone: int
    workers_after_join: int
    queued_position: int
    queued_joins: bool


def wait_for(runner: JobRunner, job: GridJob, moment: str, timeout: float = 300) -> None:
    """Until the job reaches ``moment``: workers started, first step saved, ten steps saved."""
    me = os.getpid()
    checks = {
        "workers starting": lambda: len(workers_of(me)) > 0,
        "first step": lambda: runner.status(job.job_id).done >= 1,
        "mid-grid": lambda: runner.status(job.job_id).done >= 10,
    }
    if wait_until(checks[moment], timeout, step=0.02) is None:
        raise TimeoutError(f"the job did not reach '{moment}' in {timeout} s")


def cancel_trial(runner: JobRunner, job: GridJob, moment: str, folder: Path,
                 job_tmp: Path) -> CancelTrial:  # fmt: skip
    me = os.getpid()
    before = set(workers_of(me))
    done = runner.status(job.job_id).done
    gone = finished = None
    start = time.perf_counter()
    job.cancel()
    while time.perf_counter() - start < 30 and (gone is None or finished is None):
        now = time.perf_counter() - start
        if gone is None and not alive_workers(before) and not workers_of(me):
            gone = now
        if finished is None and runner.status(job.job_id).finished:
            finished = now
        time.sleep(0.005)
    state = runner.status(job.job_id).state
    if state != "cancelled":
        raise RuntimeError(f"a cancelled job ended as {state!r}")
    wait_until(lambda: not any(job_tmp.iterdir()), 10)  # the runner removes its data folder
    readable, files, leftovers = results_on_disk(folder, job.request)
    return CancelTrial(moment, done, len(before), gone, finished, leftovers, files - readable,
                       any(job_tmp.iterdir()))  # fmt: skip


def measure_join_and_cancel(args: argparse.Namespace, scratch: Path,
                            ml: MovieLens) -> tuple[Join, list[CancelTrial]]:  # fmt: skip
    print("b/c. join and cancel (job runner in this process)…", flush=True)
    without_reference()
    job_tmp = scratch / "tmp"
    job_tmp.mkdir()
    tempfile.tempdir = str(job_tmp)  # the runner's data folder lands here: checked after cancel
    folder = scratch / "cancel"
    runner = JobRunner(folder, args.workers)
    request = default_request(ml.n_ratings, ml.name)
    trials, join = [], None
    for moment in ("workers starting", "first step", "mid-grid"):
        job = runner.submit(request, ml.ratings, ml.movies)
        wait_for(runner, job, moment)
        if moment == "mid-grid":
            join = check_join(runner, job, request, ml)
        trials.append(cancel_trial(runner, job, moment, folder, job_tmp))
        print(f"   cancel at {moment}: {trials[-1].to_workers_gone_s or float('nan'):.3f} s",
              flush=True)  # fmt: skip
    wait_until(lambda: runner._thread is None, 30)
    tempfile.tempdir = None
    assert join is not None
    return join, trials


def check_join(runner: JobRunner, job: GridJob, request: JobRequest, ml: MovieLens) -> Join:
    me = os.getpid()
    alone = len(workers_of(me))
    again = runner.submit(JobRequest(request.settings, request.configs), ml.ratings, ml.movies)
    after = 0
    for _ in range(50):  # a second pool of workers, if any, would show within a second
        after = max(after, len(workers_of(me)))
        time.sleep(0.02)
    other = JobRequest(request.settings, request.configs[:2], recompute=True)
    queued = runner.submit(other, ml.ratings, ml.movies)
    queued_again = runner.submit(other, ml.ratings, ml.movies)
    position = runner.status(queued.job_id).queue_position
    queued.cancel()
    return Join(again.job_id == job.job_id, alone, after, position, queued_again is queued)


# ------------------------------------------------------------------------------ d. memory


@dataclass
class Memory:
    where: str
    pss_mb: float
    rss_mb: float
    app_rss_mb: float
    max_workers: int
    grid_s: float
    state: str


def measure_memory_standin(args: argparse.Namespace, scratch: Path) -> Memory:
    print("d. memory: stand-in app (dataset + default recommender) runs the full grid…",
          flush=True)  # fmt: skip
    app = start_app(args, scratch / "memory", recommender=True)
    with TreeSampler(app.pid) as sampler:
        lines = follow(app)
    p = sampler.peaks
    return Memory("stand-in app", p.pss_kb / 1024, p.rss_kb / 1024, p.app_rss_kb / 1024,
                  p.max_workers, lines[-1]["elapsed"], lines[-1]["state"])  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(args: argparse.Namespace, results: Path, log: Path) -> Iterator[tuple]:
    port = _free_port()
    env = {**os.environ, app_settings.ENV_DIR: args.data, app_settings.ENV_RESULTS_DIR: str(results),
           app_settings.ENV_WORKERS: str(args.workers), "PYTHONUNBUFFERED": "1"}  # fmt: skip
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            if wait_until(lambda: _healthy(url), 90, step=0.3) is None:
                raise TimeoutError(f"streamlit did not start; see {log}")
            yield server, url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def measure_memory_server(args: argparse.Namespace, scratch: Path) -> Memory:
    from playwright.sync_api import expect, sync_playwright

    print("d. memory: real Streamlit server + headless chromium run the full grid…", flush=True)
    n = len(preset("all"))
    server_log = scratch / "server.log"
    with streamlit_server(args, scratch / "server-results", server_log) as (server, url):
        with TreeSampler(server.pid) as sampler, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )  # fmt: skip
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"{url}/compare_models")
            main = page.get_by_test_id("stMain")
            page.get_by_text("Everything (32 KNN, 3 baselines, top-N models)").click()
            expect(main).to_contain_text(f"{n} configurations × 5 folds")
            # the shipped reference results show at once: recompute them all
            page.get_by_role("button", name="All cached: recompute…").click()
            page.get_by_role("button", name="Yes, recompute").click()
            started = time.perf_counter()
            expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=60_000)
            expect(main).to_contain_text(f"Finished {n} configurations", timeout=1_800_000)
            seen = time.perf_counter() - started
            text = main.inner_text()
            browser.close()
        found = re.search(rf"Finished {n} configurations in ([\d.]+) s", text)
        grid_s = float(found.group(1)) if found else seen
        failed = re.search(r"\((\d+) failed", text)
    p = sampler.peaks
    return Memory("streamlit server", p.pss_kb / 1024, p.rss_kb / 1024, p.app_rss_kb / 1024,
                  p.max_workers, grid_s, "failed" if failed else "done")  # fmt: skip


# ------------------------------------------------------------------------------ report


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(interrupt: Interrupt | None, join: Join | None, trials: list[CancelTrial],
           memory: Memory | None, workers: int) -> None:  # fmt: skip
    rows: list[tuple[str, str, str]] = []
    if interrupt:
        i = interrupt
        rows += [
            ("a. steps saved before the kill", f"{i.saved_at_kill} of {i.total}", ""),
            ("a. steps in flight at the kill", f"{i.in_flight_at_kill}", "lost, by design"),
            ("a. finished steps lost", f"{i.lost_finished}", verdict(i.lost_finished == 0)),
            ("a. resume: reused / recomputed", f"{i.reused} / {i.recomputed}",
             verdict(i.reused == i.saved_at_kill and i.saved_recomputed == 0)),
            ("a. saved steps recomputed", f"{i.saved_recomputed}", verdict(i.saved_recomputed == 0)),
            ("a. orphaned workers after the kill", f"{i.orphans}, gone after "
             f"{_seconds(i.orphans_gone_s)}", ""),
            ("a. resume wall time", f"{i.resume_s:.1f} s ({i.resume_state})", ""),
        ]  # fmt: skip
    if join:
        j = join
        rows += [
            ("b. identical request: same job", "yes" if j.same_job else "no", verdict(j.same_job)),
            ("b. worker processes alone / joined", f"{j.workers_alone} / {j.workers_after_join}",
             verdict(j.workers_after_join <= workers)),
            ("b. other request: queue position", f"{j.queued_position}",
             verdict(j.queued_position == 1)),
            ("b. identical queued request joins", "yes" if j.queued_joins else "no",
             verdict(j.queued_joins)),
        ]  # fmt: skip
    for t in trials:
        ok = t.to_workers_gone_s is not None and t.to_workers_gone_s <= CANCEL_TARGET_S
        clean = not t.leftovers and not t.unreadable and not t.data_folder_left
        rows += [
            (f"c. cancel at {t.moment} ({t.steps_done} done, {t.workers_before} workers)",
             f"workers gone {_seconds(t.to_workers_gone_s)}, job cancelled "
             f"{_seconds(t.to_status_cancelled_s)}", verdict(ok)),
            (f"c.   half-written after cancel at {t.moment}",
             f"{len(t.leftovers)} tmp, {t.unreadable} unreadable, data folder "
             f"{'left' if t.data_folder_left else 'removed'}", verdict(clean)),
        ]  # fmt: skip
    if memory:
        m = memory
        rows += [
            (f"d. peak PSS, {m.where} + workers", f"{m.pss_mb:.0f} MB",
             f"{verdict(m.pss_mb <= MEMORY_TARGET_MB)} (≤ {MEMORY_TARGET_MB:.0f} MB)"),
            (f"d. peak RSS summed, {m.where} + workers", f"{m.rss_mb:.0f} MB",
             f"{verdict(m.rss_mb <= MEMORY_TARGET_MB)} (≤ {MEMORY_TARGET_MB:.0f} MB)"),
            (f"d. peak RSS, {m.where} alone", f"{m.app_rss_mb:.0f} MB", ""),
            ("d. worker processes at most", f"{m.max_workers}", ""),
            ("d. full default grid via the job runner", f"{m.grid_s:.1f} s ({m.state})", ""),
        ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    value = max(len(r[1]) for r in rows)
    print("\n== Grid jobs: figures")
    for name, figure, target in rows:
        print(f"{name:<{width}}  {figure:<{value}}  {target}")


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.3f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.environ.get(app_settings.ENV_DIR, ""))
    parser.add_argument("--workers", type=int, default=app_settings.grid_workers())
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--memory", choices=("server", "standin", "skip"), default="server")
    parser.add_argument("--skip-interrupt", action="store_true")
    parser.add_argument("--skip-cancel", action="store_true")
    # the stand-in app process (internal)
    parser.add_argument("--app-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    parser.add_argument("--die-at", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--recommender", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data:
        parser.error("no data: pass --data or set MOVIELENS_DIR")
    if args.app_process:
        return app_process(args)
    print(f"grid jobs on {args.data}: default grid ({len(preset('all'))} configurations × 5 "
          f"folds), {args.workers} worker(s), {os.cpu_count()} CPUs", flush=True)  # fmt: skip
    interrupt = join = memory = None
    trials: list[CancelTrial] = []
    ml = read_dataset(args.data)
    with tempfile.TemporaryDirectory(prefix="grid-jobs-bench-") as folder:
        scratch = Path(folder)
        if not args.skip_cancel:
            join, trials = measure_join_and_cancel(args, scratch, ml)
        if not args.skip_interrupt:
            interrupt = measure_interrupt(args, scratch, ml)
        if args.memory == "server":
            memory = measure_memory_server(args, scratch)
        elif args.memory == "standin":
            memory = measure_memory_standin(args, scratch)
    report(interrupt, join, trials, memory, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
