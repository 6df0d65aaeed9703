"""Real browser: the app starts with `streamlit run` and the Overview shows the dataset."""

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.e2e


def test_overview_shows_dataset_summary_and_credit(page):
    page.goto(page.app_url)
    wait_for_app(page)
    page.get_by_text("Users").first.wait_for()
    text = page.locator("[data-testid='stMain']").inner_text()
    for number in ("610", "9,742", "100,836"):
        assert number in text
    assert "GroupLens" in text
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "ml-latest-small" in sidebar
