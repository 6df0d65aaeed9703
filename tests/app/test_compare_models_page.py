"""AppTest of the Compare models page: the quick preset runs, caches, reopens and hands over."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recommender.evaluation import preset
from recommender.models import ModelConfig
from recommender.settings import ENV_RESULTS_DIR
from tests.conftest import APP_FILE

TIMEOUT = 240
PAGE = "pages/compare_models.py"
BROKEN = ModelConfig("KNNBasic", "cosine", user_based=True)


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


def test_quick_preset_runs_reports_a_failure_and_reopens_from_cache(results, monkeypatch):
    real_build = ModelConfig.build

    def build(self, engine="fast"):
        if self == BROKEN:
            raise RuntimeError("simulated failure")
        return real_build(self, engine)

    monkeypatch.setattr(ModelConfig, "build", build)
    at = quick_two_folds(open_page())
    assert "press **Run**" in at.info[0].value
    assert at.button(key="cmp_run").label == "Run 5 of 5"

    at.button(key="cmp_run").click().run()
    assert not at.exception
    assert "Finished 5 configurations" in at.success[0].value
    assert "1 failed" in at.success[0].value
    table = at.dataframe[0].value
    assert len(table) == 5
    status = dict(zip(table["Model"], table["Status"], strict=True))
    assert status[BROKEN.label].startswith("❌ RuntimeError: simulated failure")
    assert status["BaselineOnly"] == "✅"
    rmse = dict(zip(table["Model"], table["RMSE"], strict=True))
    assert rmse[BROKEN.label] == "–"
    assert float(rmse["BaselineOnly"].split(" ± ")[0]) < float(
        rmse["NormalPredictor"].split(" ± ")[0]
    )
    ranking = at.dataframe[1].value
    assert list(ranking["Model"]) == list(table["Model"])
    assert ranking["Precision@5"].str.contains("±").sum() == 4
    assert len(at.get("plotly_chart")) == 2
    assert len(list(results.rglob("*.json"))) == 4  # the failure is not cached

    # A new visit shows the cached results at once, without running anything.
    monkeypatch.setattr(ModelConfig, "build", lambda self, engine="fast": 1 / 0)
    again = quick_two_folds(open_page())
    assert again.button(key="cmp_run").label == "Run 1 of 5"
    shown = again.dataframe[0].value
    assert set(shown["Model"]) == {c.label for c in preset("quick")} - {BROKEN.label}
    assert not again.success  # nothing was run


def test_use_in_recommend_hands_over_the_chosen_configuration(results):
    at = quick_two_folds(open_page())
    at.radio(key="cmp_preset").set_value("custom").run()
    at.multiselect(key="cmp_algorithms").set_value(["KNNWithMeans"])
    at.multiselect(key="cmp_sims").set_value(["msd"])
    at.multiselect(key="cmp_baselines").set_value([]).run()
    assert at.button(key="cmp_run").label == "Run 1 of 1"
    at.button(key="cmp_run").click().run()
    assert not at.exception
    chosen = ModelConfig("KNNWithMeans", "msd", user_based=True)
    pick = next(s for s in at.selectbox if s.label == "Configuration (best RMSE first)")
    assert pick.value == chosen.key
    at.button(key="cmp_use").click().run()
    assert not at.exception
    assert at.session_state["recommend_model_key"] == chosen.key
    assert any("Recommend" in t.value for t in at.title)  # the Recommend page took over


def test_empty_custom_choice_and_surprise_warning_are_explained(results):
    at = open_page()
    at.radio(key="cmp_preset").set_value("custom").run()
    at.multiselect(key="cmp_algorithms").set_value([])
    at.multiselect(key="cmp_baselines").set_value([]).run()
    assert not at.exception
    assert "No configuration selected" in at.info[0].value
    at.multiselect(key="cmp_algorithms").set_value(["KNNBaseline"])
    at.multiselect(key="cmp_based").set_value(["item"])
    at.radio(key="cmp_engine").set_value("surprise").run()
    assert "dense movie × movie similarity matrix" in at.warning[0].value
    assert not at.dataframe  # nothing run, nothing cached
