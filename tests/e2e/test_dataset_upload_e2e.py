"""Real browser: a visitor's uploaded dataset belongs to that visitor's session only. Two browser
contexts (two visitors) on one server: the first uploads a dataset and works on it, the second
never sees it, not even after the first has used it on several pages."""

import pytest
from playwright.sync_api import expect

from tests.app.test_dataset_picker import synthetic_upload
from tests.conftest import wait_for_app

pytestmark = pytest.mark.e2e


def _visitor(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(url)
    wait_for_app(tab)
    return context, tab


def test_an_uploaded_dataset_is_invisible_to_another_visitor(browser, app_server):
    ratings, movies = synthetic_upload()
    n_ratings = f"{len(ratings.splitlines()) - 1:,}"
    first, alice = _visitor(browser, app_server)
    second, bob = _visitor(browser, app_server)
    try:
        ratings_metric = alice.get_by_test_id("stMetric").filter(has_text="Ratings").first
        expect(ratings_metric).to_contain_text("100,836")
        alice.get_by_test_id("stSidebar").get_by_text("Your own dataset").click()
        alice.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            [
                {"name": "ratings.csv", "mimeType": "text/csv", "buffer": ratings},
                {"name": "movies.csv", "mimeType": "text/csv", "buffer": movies},
            ]
        )
        alice_sidebar = alice.get_by_test_id("stSidebar")
        expect(alice_sidebar).to_contain_text("your dataset #", timeout=60_000)
        expect(ratings_metric).to_contain_text(n_ratings)
        # Alice keeps it on another page
        alice_sidebar.get_by_role("link", name="Explore").click()
        wait_for_app(alice)
        expect(alice_sidebar).to_contain_text("your dataset #")

        # Bob, on the same server, sees the server's dataset and no upload anywhere
        bob.reload()
        wait_for_app(bob)
        bob_sidebar = bob.get_by_test_id("stSidebar")
        expect(bob.get_by_test_id("stMetric").filter(has_text="Ratings").first).to_contain_text(
            "100,836"
        )
        expect(bob_sidebar).to_contain_text("ml-latest-small")
        expect(bob.locator("body")).not_to_contain_text("your dataset #")
        expect(bob_sidebar).not_to_contain_text("Your own dataset (this session only)")
        expect(bob_sidebar.get_by_test_id("stSelectbox")).to_have_count(0)  # nothing to choose
        for link in ("Explore", "Recommend"):
            bob_sidebar.get_by_role("link", name=link).click()
            wait_for_app(bob)
            expect(bob_sidebar).to_contain_text("ml-latest-small")
            expect(bob.locator("body")).not_to_contain_text("your dataset #")
        # nor by asking for an upload in the link
        bob.goto(f"{app_server}/?dataset=%28upload%29")
        wait_for_app(bob)
        expect(bob.get_by_test_id("stAlert").first).to_contain_text("Unknown dataset")
        expect(bob_sidebar).to_contain_text("ml-latest-small")
        expect(bob.locator("body")).not_to_contain_text("your dataset #")
    finally:
        first.close()
        second.close()
