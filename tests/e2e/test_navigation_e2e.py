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
        nav = tab.locator(".st-key-app_nav")
        expect(nav).to_contain_text("Overview")
        expect(nav).not_to_contain_text("streamlit app")
        expect(tab.get_by_test_id("stMetric").filter(has_text="Ratings").first).to_contain_text(
            "39,053"
        )
        context.close()


def test_sidebar_switches_pages(page):
    page.goto(page.app_url)
    wait_for_app(page)
    nav = page.locator(".st-key-app_nav")
    nav.get_by_text("Explore").click()
    expect(page.get_by_role("heading", name="Explore the data")).to_be_visible()
    nav.get_by_text("Overview").click()
    expect(page.get_by_test_id("stMetric").filter(has_text="Users")).to_contain_text("610")


# Records, from the first DOM mutation on, whether Streamlit's automatic page list ever appeared and
# when the app's own navigation and the page's title first did.
WATCH_FIRST_PAINT = """
window.__seen = {autoNav: false, navAt: null, titleAt: null, filterAt: null};
new MutationObserver(() => {
  const s = window.__seen;
  if (document.querySelector("[data-testid='stSidebarNav']")) s.autoNav = true;
  const nav = document.querySelector(".st-key-app_nav");
  if (nav && s.navAt === null && nav.innerText.includes("Compare models")) s.navAt = performance.now();
  const h1 = [...document.querySelectorAll("h1")].find(h => h.innerText.includes("Explore the data"));
  if (h1 && s.titleAt === null) s.titleAt = performance.now();
  const chips = document.querySelector("[data-testid='stSidebar'] [data-testid='stMultiSelect']");
  if (chips && s.filterAt === null && chips.innerText.includes("Drama")) s.filterAt = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_fresh_server_deep_link_with_filter_shows_page_frame_and_navigation_at_once(
    browser, movielens_dir, tmp_path
):
    """A shared link with a filter, opened as a fresh server's very first request: its page, its
    filter, the shared frame and the app's navigation labels, never Streamlit's page list."""
    with running_app(movielens_dir, tmp_path / "server.log") as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.add_init_script(WATCH_FIRST_PAINT)
        tab.goto(f"{url}/explore?genres=Drama&min_ratings=10")
        wait_for_app(tab)
        expect(tab.get_by_role("heading", name="Explore the data")).to_be_visible()
        nav = tab.locator(".st-key-app_nav")
        for label in ("Overview", "Explore", "Compare models", "Recommend"):
            expect(nav).to_contain_text(label)
        expect(tab.get_by_test_id("stSidebar")).to_contain_text("Dataset: ml-latest-small")
        expect(tab.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect")).to_contain_text(
            "Drama"
        )
        assert "genres=Drama" in tab.url and "min_ratings=10" in tab.url
        seen = tab.evaluate("window.__seen")
        assert seen["autoNav"] is False  # Streamlit's own page list never painted
        assert seen["navAt"] is not None and seen["titleAt"] is not None
        assert seen["filterAt"] is not None
        context.close()
