"""Real browser: the app starts with `streamlit run` and the Overview shows the dataset."""

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_app

pytestmark = pytest.mark.e2e


def test_overview_shows_dataset_summary_and_credit(page):
    page.goto(page.app_url)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.filter(has_text="Users")).to_contain_text("610")
    expect(metrics.filter(has_text="Movies")).to_contain_text("9,742")
    expect(metrics.filter(has_text="Ratings").first).to_contain_text("100,836")
    expect(main).to_contain_text("GroupLens Research")
    expect(main).to_contain_text("Harper")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("ml-latest-small")
