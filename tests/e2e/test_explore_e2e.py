"""Real browser: open Explore, change a filter, see the numbers, the charts and the URL follow."""

from __future__ import annotations

import re

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.e2e

# Sum of the bars of the first Plotly chart on the page (typed arrays included).
FIRST_CHART_TOTAL = """() => {
    const plot = document.querySelector('[data-testid="stMain"] .js-plotly-plot');
    if (!plot || !plot.data) return null;
    const bars = plot.data.find(t => t.type === 'bar');
    if (!bars) return null;
    const y = bars.y && bars.y._inputArray ? bars.y._inputArray : bars.y;  // decoded typed array
    return Array.from(y).reduce((a, b) => a + Number(b), 0);
}"""


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid='stMain'] [data-testid='stMetric']").filter(
        has=page.get_by_text(label, exact=True)
    )
    return metric.first.locator("[data-testid='stMetricValue']").inner_text().strip()


def open_explore(page) -> None:
    page.goto(page.app_url)
    wait_for_app(page)
    page.locator(".st-key-app_nav").get_by_text("Explore").click()
    page.get_by_role("heading", name=re.compile("Explore the data")).wait_for()
    wait_for_app(page)


def test_genre_filter_updates_numbers_chart_and_url(page):
    open_explore(page)
    assert metric_value(page, "Ratings") == "100,836"

    page.get_by_role("tab", name="Ratings").click()
    page.wait_for_function(f"() => ({FIRST_CHART_TOTAL})() === 100836")

    genres = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']")
    genres.locator("input").click()
    page.keyboard.type("Comedy")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => ({FIRST_CHART_TOTAL})() === 39053", timeout=60_000)
    wait_for_app(page)

    assert metric_value(page, "Ratings") == "39,053"
    assert "genres=Comedy" in page.url
    assert "tab=" not in page.url  # Ratings is the first tab: the default is left out of the URL
    assert page.locator("[data-testid='stException']").count() == 0

    # another tab is kept in the URL, beside the filter, and a reload reopens it
    page.get_by_role("tab", name="Genres").click()
    page.wait_for_url(re.compile(r"tab=Genres"))
    assert "genres=Comedy" in page.url
    page.reload()
    wait_for_app(page)
    selected = page.locator("[role='tab'][aria-selected='true']")
    selected.first.wait_for()
    assert selected.first.inner_text().strip() == "Genres"


def test_shared_url_with_bad_values_warns_and_shows_everything(page):
    open_explore(page)  # the app's own navigation first, then a pasted link
    page.goto(f"{page.app_url}/explore?genres=Nope&years=abc")
    wait_for_app(page)
    page.get_by_text("Ignored unknown genre(s) in the URL: 'Nope'").wait_for()
    page.get_by_text("Ignored years='abc' in the URL").wait_for()
    assert metric_value(page, "Ratings") == "100,836"
    assert page.locator("[data-testid='stException']").count() == 0


def test_numbers_behind_a_chart_open_on_demand_and_download_as_csv(page):
    open_explore(page)
    page.get_by_role("tab", name="Ratings").click()
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    assert main.get_by_role("button", name="Download CSV").count() == 0  # closed: not drawn
    main.get_by_text("Numbers behind this chart").first.click()
    button = main.get_by_role("button", name="Download CSV")
    button.first.wait_for()
    # the file is written on click by a callable that Streamlit registers anew in each run and
    # drops when a later run ends: a click while runs are still going can name a dropped one
    wait_for_app(page)
    with page.expect_download() as download:
        button.first.click()
    csv = download.value.path().read_text(encoding="utf-8").splitlines()
    assert download.value.suggested_filename == "ml-latest-small_rating_distribution.csv"
    assert len(csv) == 11  # a header and the ten half-star steps 0.5 … 5
    assert "Rating" in csv[0]
