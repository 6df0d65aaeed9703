"""Grid runs as jobs owned by the server process, not by one script run of one visitor.

A :class:`JobRunner` (one per server) computes one grid at a time in worker processes
(:mod:`~.worker`, low CPU priority, never importing Streamlit); other requests queue behind it and
an identical request joins the job already queued or running. Every finished
(configuration × fold) is saved at once (:func:`~.store.save_fold`), so an interrupted job loses at
most the steps in flight and a later request resumes from what was kept. A page that reruns, a
visitor who leaves or closes the tab do not stop a job; :meth:`GridJob.cancel` does, workers
included, within a couple of seconds.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recommender.evaluation.fold_step import share_groups
from recommender.evaluation.reference import reference_results
from recommender.evaluation.results import ConfigResult, FoldResult, GridSettings
from recommender.evaluation.store import load_folds, load_result, save_fold, save_result
from recommender.evaluation.worker import decode, write_data
from recommender.models import ModelConfig

__all__ = ["GridJob", "JobRequest", "JobRunner", "JobStatus"]

STOP_WAIT = 1.0  # seconds a cancelled worker gets before it is killed


@dataclass(frozen=True)
class JobRequest:
    """What to compute: these configurations on the folds of ``settings``; ``recompute`` redoes
    what is already cached."""

    settings: GridSettings
    configs: tuple[ModelConfig, ...]
    recompute: bool = False
    directory: str | None = (
        None  # results folder of this request (a visitor's own); None: the runner's
    )


@dataclass(frozen=True)
class JobStatus:
    """A job as a page shows it (a snapshot: nothing here changes under the caller)."""

    job_id: str
    state: str  # queued, running, done, cancelled, failed
    done: int
    total: int
    elapsed: float
    remaining: float | None
    current: str
    queue_position: int  # 0: running (or over), k: k jobs ahead
    failures: dict[str, str]
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("done", "cancelled", "failed")


@dataclass
class GridJob:
    """One requested grid and its progress (mutated only by the runner's thread)."""

    request: JobRequest
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    state: str = "queued"
    done: int = 0
    total: int = 0
    computed: int = 0
    in_flight: int = 0  # steps handed to workers and not answered yet
    current: str = "waiting for an earlier job"
    started: float = 0.0
    finished_at: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)
    error: str = ""
    cancelled: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Stop the job (queued: it never starts; running: its workers are stopped)."""
        self.cancelled.set()


class JobRunner:
    """The server's queue of grid jobs (see the module docstring)."""

    def __init__(self, directory: Path, workers: int = 2):
        self.directory = Path(directory)
        self.workers = max(1, workers)
        self._lock = threading.Lock()
        self._queue: deque[GridJob] = deque()
        self._data: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]] = {}
        self._thread: threading.Thread | None = None
        self.jobs: dict[str, GridJob] = {}

    # -- requests -------------------------------------------------------------------------------

    def submit(self, request: JobRequest, ratings: pd.DataFrame,
               movies: pd.DataFrame | None = None) -> GridJob:  # fmt: skip
        """Queue ``request`` (or join the identical job already queued or running)."""
        with self._lock:
            for job in self._queue:
                if job.request == request and not job.cancelled.is_set():
                    return job
            job = GridJob(request)
            job.total = len(request.configs) * request.settings.n_folds
            self.jobs[job.job_id] = job
            self._data[job.job_id] = (ratings, movies)
            self._queue.append(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="grid-jobs", daemon=True)
                self._thread.start()
            return job

    def cancel_in(self, directory: str) -> None:
        """Cancel every job that writes to ``directory`` (its owner is gone)."""
        with self._lock:
            for job in self.jobs.values():
                if job.request.directory == directory:
                    job.cancel()

    def status(self, job_id: str) -> JobStatus | None:
        """A snapshot of the job, or None if this server never had it (e.g. after a restart)."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            position = next((n for n, j in enumerate(self._queue) if j is job), 0)
            now = job.finished_at or time.perf_counter()
            elapsed = now - job.started if job.started else 0.0
            remaining = None
            if job.computed and job.state == "running":
                remaining = elapsed / job.computed * max(0, job.total - job.done)
            return JobStatus(job.job_id, job.state, job.done, job.total, elapsed, remaining,
                             job.current, position, dict(job.failures), job.error)  # fmt: skip

    # -- the runner's thread --------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._thread = None
                    return
                job = self._queue[0]
            try:
                if job.cancelled.is_set():
                    job.state = "cancelled"
                else:
                    _GridRun(self, job).run()
            except Exception as exc:  # a broken job must not stop the queue
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            finally:
                job.finished_at = time.perf_counter()
                with self._lock:
                    self._queue.popleft()
                    self._data.pop(job.job_id, None)


class _GridRun:
    """One job being computed: the plan, the workers, the bookkeeping."""

    def __init__(self, runner: JobRunner, job: GridJob):
        self.runner, self.job = runner, job
        self.settings = job.request.settings
        self.directory = Path(job.request.directory) if job.request.directory else runner.directory
        self.kept: dict[ModelConfig, dict[int, FoldResult]] = {}
        self.failed: dict[ModelConfig, str] = {}

    def _folder_alive(self) -> bool:
        """False once a visitor's own results folder is gone with its session: never recreate it."""
        return self.job.request.directory is None or self.directory.is_dir()

    def plan(self) -> list[tuple[list[ModelConfig], int]]:
        """(share group, fold) tasks still to compute, fold by fold (a worker keeps one fold)."""
        todo = []
        reference = {} if self.job.request.recompute else reference_results(self.settings)
        for config in self.job.request.configs:
            done = {} if self.job.request.recompute else load_folds(
                self.settings, config, self.directory)  # fmt: skip
            cached = not self.job.request.recompute and load_result(
                self.settings, config, self.directory, reference)  # fmt: skip
            self.kept[config] = dict(cached and {f.fold: f for f in cached.folds} or done)
            self.job.done += len(self.kept[config])
            if len(self.kept[config]) < self.settings.n_folds:
                todo.append(config)
        tasks = []
        for fold in range(self.settings.n_folds):
            for group in share_groups(todo):
                missing = [c for c in group if fold not in self.kept[c]]
                if missing:
                    tasks.append((missing, fold))
        return tasks

    def run(self) -> None:
        job = self.job
        job.state, job.started = "running", time.perf_counter()
        tasks = self.plan()
        if tasks:
            ratings, movies = self.runner._data[job.job_id]
            with tempfile.TemporaryDirectory(prefix="grid-job-") as folder:
                path = str(Path(folder) / "data.parquet")
                write_data(path, ratings, movies)
                self._compute(tasks, path)
        if job.cancelled.is_set():
            job.state, job.current = "cancelled", "cancelled"
            return
        for config, folds in self.kept.items():
            if config not in self.failed and len(folds) == self.settings.n_folds:
                result = ConfigResult(config, self.settings.engine,
                                      tuple(folds[f] for f in sorted(folds)))  # fmt: skip
                if self._folder_alive():
                    save_result(self.settings, result, self.directory)
        job.state, job.current = "done", "done"

    def _start_worker(self, path: str) -> subprocess.Popen:
        low, high = self.settings.rating_scale
        command = [sys.executable, "-m", "recommender.evaluation.worker", path,
                   str(self.settings.n_folds), str(self.settings.seed), str(low), str(high)]  # fmt: skip
        return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, bufsize=1)  # fmt: skip

    def _send(self, worker: subprocess.Popen, task: tuple[list[ModelConfig], int]) -> None:
        configs, fold = task
        s = self.settings
        message = {"configs": [c.key for c in configs], "fold": fold, "engine": s.engine,
                   "ranking": s.ranking_users != 0, "ranking_users": s.ranking_users}  # fmt: skip
        worker.stdin.write(json.dumps(message) + "\n")
        worker.stdin.flush()
        self.job.in_flight += len(configs)
        self.job.current = f"{', '.join(c.label for c in configs)} · fold {fold + 1}"

    def _compute(self, tasks: list, path: str) -> None:
        """Deal the tasks to the workers, one at a time each, until done or cancelled."""
        pending = deque(tasks)
        workers = [self._start_worker(path) for _ in range(min(self.runner.workers, len(tasks)))]
        busy: dict[subprocess.Popen, tuple] = {}
        selector = selectors.DefaultSelector()
        try:
            for worker in workers:
                selector.register(worker.stdout, selectors.EVENT_READ, worker)
                if pending:
                    busy[worker] = pending.popleft()
                    self._send(worker, busy[worker])
            while busy and not self.job.cancelled.is_set():
                for key, _ in selector.select(timeout=0.2):
                    worker = key.data
                    line = worker.stdout.readline()
                    if not line:  # the worker died: its task fails, the others go on
                        self._record(busy.pop(worker), None, "the worker process stopped")
                        selector.unregister(worker.stdout)
                        continue
                    self._record(busy.pop(worker), json.loads(line), "")
                    if pending:
                        busy[worker] = pending.popleft()
                        self._send(worker, busy[worker])
        finally:
            selector.close()
            _stop(workers)

    def _record(self, task: tuple, answer: dict | None, crash: str) -> None:
        configs, fold = task
        outcomes = [crash] * len(configs) if answer is None else answer["outcomes"]
        for config, outcome in zip(configs, outcomes, strict=True):
            result = decode(outcome)
            if isinstance(result, str):
                self.failed.setdefault(config, result)
                self.job.failures[config.key] = result
            else:
                self.kept[config][fold] = result
                if self._folder_alive():
                    save_fold(self.settings, config, result, self.directory)
            # counted once kept: ``done`` never includes a step an interruption would lose
            self.job.in_flight -= 1
            self.job.computed += 1
            self.job.done += 1


def _stop(workers: list[subprocess.Popen]) -> None:
    """Close the workers' input (they exit) and stop any that lingers."""
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    deadline = time.monotonic() + STOP_WAIT
    for worker in workers:
        try:
            worker.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
