"""Real browser: switching between catalogue datasets with the sidebar picker. The server has no
MOVIELENS_DIR; its data home holds ml-latest-small and small ml-1m / ml-100k copies in their
GroupLens layouts (tests/fixtures), and nothing can be downloaded (MOVIELENS_URL points nowhere).
The choice is in the URL, so it survives a page change, a reload and a shared link."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recommender.settings import ENV_DATA_HOME, ENV_DIR, ENV_URL
from tests.conftest import PROJECT_ROOT, running_app, wait_for_app

pytestmark = pytest.mark.e2e
LAYOUTS = PROJECT_ROOT / "tests/fixtures/datasets/layouts"


@pytest.fixture(scope="module")
def catalogue_server(movielens_dir, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("catalogue")
    home = folder / "home"
    shutil.copytree(movielens_dir, home / "ml-latest-small")
    for name in ("ml-1m", "ml-100k"):
        shutil.copytree(LAYOUTS / name, home / name)
    env = {ENV_DIR: "", ENV_DATA_HOME: str(home), ENV_URL: "http://127.0.0.1:9/"}
    with running_app(movielens_dir, folder / "server.log", env) as url:
        yield url


def _ratings(tab):
    return tab.get_by_test_id("stMetric").filter(has_text="Ratings").first


def test_switching_datasets_changes_every_page_and_is_kept_in_the_url(browser, catalogue_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        tab.goto(catalogue_server)
        wait_for_app(tab)
        sidebar = tab.get_by_test_id("stSidebar")
        expect(_ratings(tab)).to_contain_text("100,836")
        expect(sidebar).to_contain_text("Dataset: ml-latest-small")

        sidebar.get_by_test_id("stSelectbox").click()
        tab.get_by_role("option", name="ml-1m", exact=False).first.click()
        expect(sidebar).to_contain_text("Dataset: ml-1m")
        expect(_ratings(tab)).to_contain_text("16")
        expect(tab).to_have_url(f"{catalogue_server}/?dataset=ml-1m")

        sidebar.get_by_role("link", name="Explore").click()  # the choice follows the visitor
        wait_for_app(tab)
        expect(tab.get_by_test_id("stMain").locator("h1")).to_contain_text("Explore")
        expect(sidebar).to_contain_text("Dataset: ml-1m")
        assert "dataset=ml-1m" in tab.url

        tab.reload()  # and survives a reload, from the URL
        wait_for_app(tab)
        expect(sidebar).to_contain_text("Dataset: ml-1m")

        other = context.new_page()  # a shared link opens on its dataset
        other.goto(f"{catalogue_server}/recommend?dataset=ml-100k")
        wait_for_app(other)
        expect(other.get_by_test_id("stSidebar")).to_contain_text("Dataset: ml-100k")
        expect(other.get_by_test_id("stMain").locator("h1")).to_contain_text("Recommend")
        expect(other.locator("[data-testid='stException']")).to_have_count(0)
    finally:
        context.close()
