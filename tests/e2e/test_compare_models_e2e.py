"""Real browser: Compare models shows the shipped results at once; run the quick preset on other
settings and see the results table.

The app gets its own server so its result cache lives in a temporary folder, never in data/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recommender.evaluation import preset
from recommender.settings import ENV_RESULTS_DIR
from tests.conftest import running_app, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def compare_server(movielens_dir, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("compare")
    with running_app(
        movielens_dir, folder / "server.log", {ENV_RESULTS_DIR: str(folder / "results")}
    ) as url:
        yield url


def test_quick_preset_runs_and_shows_the_results_table(browser, compare_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(180_000)
    try:
        page.goto(f"{compare_server}/compare_models")
        wait_for_app(page)
        main = page.get_by_test_id("stMain")
        n = len(preset("quick"))
        # a fresh server with an empty results folder shows the shipped reference results at once
        expect(main).to_contain_text(f"{n} configurations × 5 folds")
        expect(main).to_contain_text(f"({n} cached, 0 to compute)")
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        # fewer folds and users keep the browser run short; the preset is the quick one
        for slider in ("Folds", "Users ranked per fold for the top-5 metrics"):
            page.get_by_role("slider", name=slider).focus()
            page.keyboard.press("Home")  # 2 folds; "off" for the users
        page.keyboard.press("ArrowRight")  # 25 users
        expect(page.get_by_test_id("stSliderThumbValue")).to_have_text(["2", "25"])
        expect(main).to_contain_text(f"{n} configurations × 2 folds")
        expect(main).to_contain_text("No results yet for this choice", timeout=60_000)
        run = page.get_by_role("button", name=f"Run {n} of {n}")
        run.click()
        # the server's job reports its progress while the page polls it
        expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Cancel")).to_be_visible()
        expect(main).to_contain_text(f"Finished {n} configurations", timeout=240_000)
        table = page.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible()
        expect(main).to_contain_text("Results: mean ± standard deviation over folds")
        expect(page.get_by_role("button", name="All cached: recompute…")).to_be_visible()
        expect(page.locator("[data-testid='stPlotlyChart']:visible").first).to_be_visible()
        expect(page.get_by_role("button", name="Download results (CSV)")).to_be_visible()
    finally:
        context.close()
