"""Real browser: navigation and shared deep links on a freshly started server."""

import pytest
from playwright.sync_api import expect

from tests.conftest import running_app, wait_for_app

pytestmark = pytest.mark.e2e


def test_deep_link_as_first_request_gets_the_full_app(browser, movielens_dir, tmp_path):
    # Streamlit's pages/ emulation would run the page alone on a fresh server; the app must not.
    with running_app(movielens_dir, tmp_path / "server.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(f"{url}/explore?genres=Comedy")
        wait_for_app(tab)
        sidebar = tab.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Dataset: ml-latest-small")
        nav = tab.get_by_test_id("stSidebarNav")
        expect(nav).to_contain_text("Overview")
        expect(nav).not_to_contain_text("streamlit app")
        expect(tab.get_by_test_id("stMetric").filter(has_text="Ratings").first).to_contain_text("39,053")
        context.close()


def test_sidebar_switches_pages(page):
    page.goto(page.app_url)
    wait_for_app(page)
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_text("Explore").click()
    expect(page.get_by_role("heading", name="Explore the data")).to_be_visible()
    nav.get_by_text("Overview").click()
    expect(page.get_by_test_id("stMetric").filter(has_text="Users")).to_contain_text("610")
