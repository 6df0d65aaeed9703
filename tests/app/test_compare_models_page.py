"""AppTest of the Compare models page: the quick preset runs, caches, reopens and hands over;
top-N models rank first, with paired comparisons to the best."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recommender.app.cache import job_runner
from recommender.evaluation import GridSettings, preset
from recommender.evaluation.jobs import JobRequest
from recommender.evaluation.store import load_folds, load_result
from recommender.models import ModelConfig
from recommender.settings import ENV_RESULTS_DIR, ENV_SAMPLE_ABOVE
from tests.conftest import APP_FILE

TIMEOUT = 240
PAGE = "pages/compare_models.py"


@pytest.fixture()
def results(app_env, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "results"
    monkeypatch.setenv(ENV_RESULTS_DIR, str(folder))
    return folder


def open_page() -> AppTest:
    at = AppTest.from_file(APP_FILE, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def quick_two_folds(at: AppTest) -> AppTest:
    at.radio(key="cmp_preset").set_value("quick")
    at.slider(key="cmp_folds").set_value(2)
    at.select_slider(key="cmp_ranking_users").set_value(25)
    return at.run()


def wait_for_job(at: AppTest, timeout: float = 240) -> AppTest:
    """Rerun the page (as its polling fragment would) until the server's job has finished."""
    deadline = time.monotonic() + timeout
    while "cmp_job_id" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert "cmp_job_id" not in at.session_state, "the job did not finish in time"
    return at


def tab_table(at: AppTest, tab: str) -> pd.DataFrame:
    """Open the results' ``tab`` (only the open tab is drawn) and return its table."""
    at.session_state["cmp_tab"] = tab
    at.run()
    assert not at.exception and len(at.dataframe) == 1
    return at.dataframe[0].value


def test_quick_preset_runs_as_a_server_job_and_reopens_from_cache(results):
    at = quick_two_folds(open_page())
    n = len(preset("quick"))
    assert "press **Run**" in at.info[0].value
    assert at.button(key="cmp_run").label == f"Run {n} of {n}"

    at.button(key="cmp_run").click().run()
    assert not at.exception
    job_id = at.session_state["cmp_job_id"]
    assert job_runner().jobs[job_id].request.configs == tuple(preset("quick"))
    wait_for_job(at)
    assert not at.exception
    assert f"Finished {n} configurations" in at.success[0].value
    ranking = at.dataframe[0].value
    assert len(at.dataframe) == 1 and len(at.get("plotly_chart")) == 2  # only the open tab's
    table = tab_table(at, "Rating prediction")
    assert len(table) == n and set(ranking["Model"]) == set(table["Model"])
    rmse = dict(zip(table["Model"], table["RMSE"], strict=True))
    assert rmse["EASE · lam=100 · input=liked · min_count=3"] == "—"  # rankers predict no stars
    assert float(rmse["BaselineOnly"].split(" ± ")[0]) < float(
        rmse["NormalPredictor"].split(" ± ")[0]
    )
    # the top-N view leads with the best ranker; every other model is compared with it
    assert ranking["Model"].iloc[0].startswith(("EASE", "ALS", "UserKNN", "RP3beta", "ItemKNN"))
    verdicts = ranking["vs best (NDCG@5, paired)"].tolist()
    assert verdicts[0] == "best" and all(v.startswith(("worse", "tied")) for v in verdicts[1:])
    assert ranking["Precision@5"].str.contains("±").sum() == n
    assert len(at.get("plotly_chart")) == 2  # metric dots, accuracy vs cost
    tab_table(at, "Beyond accuracy")
    assert len(at.get("plotly_chart")) == 3  # and novelty against accuracy in its tab
    assert len(list(results.rglob("*.json"))) == n  # one file per configuration, no fold leftovers

    # A new visit shows the cached results at once, without running anything; recomputing asks.
    again = quick_two_folds(open_page())
    assert again.button(key="cmp_run").label == "All cached: recompute…"
    assert set(tab_table(again, "Rating prediction")["Model"]) == {c.label for c in preset("quick")}
    again.button(key="cmp_run").click().run()
    assert "Recompute all" in again.warning[0].value
    assert "cmp_job_id" not in again.session_state  # nothing starts before the visitor confirms


def test_a_failing_configuration_is_reported_and_never_cached(results):
    at = open_page()
    at.radio(key="cmp_preset").set_value("custom").run()
    at.slider(key="cmp_folds").set_value(2)
    at.select_slider(key="cmp_ranking_users").set_value(25)
    at.multiselect(key="cmp_algorithms").set_value([])
    at.multiselect(key="cmp_baselines").set_value(["BaselineOnly"])
    at.multiselect(key="cmp_rankers").set_value(["EASE"]).run()
    at.number_input(key="cmp_hyper_EASE_lam").set_value(0.0).run()  # XᵀX is singular
    assert at.button(key="cmp_run").label == "Run 2 of 2"
    at.button(key="cmp_run").click().run()
    wait_for_job(at)
    assert "1 failed" in at.success[0].value
    table = tab_table(at, "Rating prediction")
    status = dict(zip(table["Model"], table["Status"], strict=True))
    broken = next(m for m in status if m.startswith("EASE"))
    assert status[broken].startswith("❌ LinAlgError") and status["BaselineOnly"] == "✅"
    assert [p.name for p in results.rglob("*.json")] == ["baselineonly.json"]


def test_a_cancelled_job_keeps_what_finished_and_a_new_run_resumes(results, ml):
    settings = GridSettings(ml.name, ml.n_ratings, 2, 0, "fast", 25)
    configs = (ModelConfig("MostPopular"), ModelConfig("BaselineOnly"))
    runner = job_runner()
    first = runner.submit(JobRequest(settings, configs), ml.ratings, ml.movies)
    same = runner.submit(JobRequest(settings, configs), ml.ratings, ml.movies)
    assert same is first  # an identical request joins the job
    deadline = time.monotonic() + 120
    while runner.status(first.job_id).done < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    first.cancel()
    started = time.monotonic()
    while not runner.status(first.job_id).finished:
        time.sleep(0.05)
    assert time.monotonic() - started < 2.5  # workers stopped within ~2 s
    assert runner.status(first.job_id).state == "cancelled"
    kept = sum(len(load_folds(settings, c, results)) for c in configs)
    kept += sum(2 for c in configs if load_result(settings, c, results))
    assert kept >= 1  # every finished step was saved at once
    second = runner.submit(JobRequest(settings, configs), ml.ratings, ml.movies)
    while not runner.status(second.job_id).finished:
        time.sleep(0.1)
    assert runner.status(second.job_id).state == "done"
    assert all(load_result(settings, c, results) for c in configs)


def test_use_in_recommend_hands_over_the_chosen_configuration(results):
    at = quick_two_folds(open_page())
    at.radio(key="cmp_preset").set_value("custom").run()
    at.multiselect(key="cmp_algorithms").set_value(["KNNWithMeans"])
    at.multiselect(key="cmp_sims").set_value(["msd"])
    at.multiselect(key="cmp_baselines").set_value([])
    at.multiselect(key="cmp_rankers").set_value(["MostPopular"]).run()
    assert at.button(key="cmp_run").label == "Run 2 of 2"
    at.button(key="cmp_run").click().run()
    wait_for_job(at)
    assert not at.exception
    chosen = ModelConfig("KNNWithMeans", "msd", user_based=True)
    pick = next(s for s in at.selectbox if s.label == "Model (best top-5 first)")
    assert pick.options == [ModelConfig("MostPopular").label, chosen.label]
    pick.set_value(chosen.key).run()
    at.button(key="cmp_use").click().run()
    assert not at.exception
    assert at.session_state["recommend_model_key"] == chosen.key
    assert any("Recommend" in t.value for t in at.title)  # the Recommend page took over


def test_empty_custom_choice_and_surprise_warning_are_explained(results):
    at = open_page()
    at.radio(key="cmp_preset").set_value("custom").run()
    at.multiselect(key="cmp_algorithms").set_value([])
    at.multiselect(key="cmp_rankers").set_value([])
    at.multiselect(key="cmp_baselines").set_value([]).run()
    assert not at.exception
    assert "No configuration selected" in at.info[0].value
    at.multiselect(key="cmp_algorithms").set_value(["KNNBaseline"])
    at.multiselect(key="cmp_based").set_value(["item"])
    at.radio(key="cmp_engine").set_value("surprise").run()
    assert "dense movie × movie similarity matrix" in at.warning[0].value
    assert not at.dataframe  # nothing run, nothing cached


def test_the_sample_names_the_results_and_runs_on_the_sampled_ratings(results, monkeypatch):
    monkeypatch.setenv(ENV_SAMPLE_ABOVE, "50000")
    monkeypatch.setattr("recommender.evaluation.sampling.SAMPLE_SIZES", (100, 200))
    # ml-latest-small stands in for a large dataset: the threshold and sizes are lowered
    at = quick_two_folds(open_page())
    assert at.select_slider(key="cmp_sample_users").value == 200  # the largest offered
    at.select_slider(key="cmp_sample_users").set_value(100).run()
    note = next(i.value for i in at.info if "seeded random sample" in i.value)
    assert "every rating of 100 of 610 users" in note
    assert "ml-latest-small~users100~seed0" in note
    captions = " ".join(c.value for c in at.caption)
    assert "ml-latest-small~users100~seed0" in captions  # what the results are saved as
    assert "rough estimate" in captions
    at.button(key="cmp_run").click().run()
    wait_for_job(at)
    saved = list(results.glob("ml-latest-small~users100~seed0-*/*/*.json"))
    assert saved, "no result saved under the sample's name"
    n_ratings = int(saved[0].parent.parent.name.rpartition("-")[2])
    assert 0 < n_ratings < 100_836  # the sampled ratings, not all of them
    assert not at.exception


def test_small_datasets_are_evaluated_whole_with_a_time_estimate(results):
    at = open_page()
    assert not at.get("select_slider") or all(s.key != "cmp_sample_users" for s in at.select_slider)
    assert "rough estimate" in " ".join(c.value for c in at.caption)
