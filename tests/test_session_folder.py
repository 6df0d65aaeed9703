"""A visitor's own results folder (recommender/app/datasets.py): it lives exactly as long as the
object the session keeps, and its grid jobs are cancelled when it goes."""

from __future__ import annotations

import gc
from pathlib import Path

from recommender.app.cache import job_runner
from recommender.app.datasets import _SessionFolder
from recommender.evaluation import GridSettings
from recommender.evaluation.jobs import GridJob, JobRequest
from recommender.models import ModelConfig


def test_the_folder_and_its_jobs_go_when_the_session_drops_it(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_RESULTS_DIR", str(tmp_path / "shared"))
    folder = _SessionFolder()
    path = Path(folder.path)
    (path / "result.json").write_text("{}")
    runner = job_runner()
    request = JobRequest(
        GridSettings("upload", 10), (ModelConfig("BaselineOnly"),), False, str(path)
    )
    mine = GridJob(request)
    other = GridJob(JobRequest(GridSettings("upload", 10), (ModelConfig("BaselineOnly"),)))
    runner.jobs[mine.job_id], runner.jobs[other.job_id] = mine, other
    try:
        assert path.is_dir()
        del folder
        gc.collect()
        assert not path.exists()  # nothing of the visitor's results is left behind
        assert mine.cancelled.is_set()
        assert not other.cancelled.is_set()  # another visitor's job goes on
    finally:
        runner.jobs.pop(mine.job_id, None)
        runner.jobs.pop(other.job_id, None)


def test_a_job_of_a_gone_session_never_recreates_its_folder(tmp_path):
    from recommender.evaluation.jobs import JobRunner, _GridRun

    gone = tmp_path / "gone"
    runner = JobRunner(tmp_path / "shared", workers=1)
    job = GridJob(JobRequest(GridSettings("upload", 10), (ModelConfig("BaselineOnly"),), False,
                             str(gone)))  # fmt: skip
    run = _GridRun(runner, job)
    assert run.directory == gone
    assert not run._folder_alive()
    gone.mkdir()
    assert run._folder_alive()
