"""Real browser: rate five movies on the Recommend page and get five recommendations, none rated."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_app

pytestmark = pytest.mark.e2e

RATED = {
    "alien 1979": "Alien (1979)",
    "heat": "Heat (1995)",
    "amélie": "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    "Matrix, The": "Matrix, The (1999)",
    "the godfather": "Godfather, The (1972)",
}
CARD = re.compile(r"^([1-5])\. (.+)$")


FIFTH_CARD = """() => [...document.querySelectorAll("[data-testid='stMain'] strong")]
    .some(e => /^5\\. /.test(e.textContent.trim()))"""


def card_titles(page) -> list[str]:
    """The five cards' titles, once the list is drawn (cards appear one by one as a run goes)."""
    page.wait_for_function(FIFTH_CARD, timeout=120_000)
    wait_for_app(page)
    texts = page.locator("[data-testid='stMain'] strong").all_inner_texts()
    return [m.group(2) for t in texts if (m := CARD.match(t.strip()))]


FAN = {
    "star wars 1977": "Star Wars: Episode IV - A New Hope (1977)",
    "empire strikes back": "Star Wars: Episode V - The Empire Strikes Back (1980)",
    "return of the jedi": "Star Wars: Episode VI - Return of the Jedi (1983)",
    "raiders of the lost ark": "Raiders of the Lost Ark (Indiana Jones and the Raiders of the Lost Ark) (1981)",
    "last crusade": "Indiana Jones and the Last Crusade (1989)",
}


def open_recommend(page) -> list[str]:
    page.goto(page.app_url)
    wait_for_app(page)
    page.locator(".st-key-app_nav").get_by_text("Recommend").click()
    page.get_by_role("heading", name="Your top 5").wait_for(timeout=180_000)
    # the shared models are fitted once per server: until then the page redraws itself as
    # they become ready, and a click could land while it does
    expect(page.get_by_text("fitted once on all")).to_be_visible(timeout=180_000)
    wait_for_app(page)
    return card_titles(page)


def card(page, rank: int, title: str):
    """The card ranked ``rank`` (its own bordered container, the innermost holding its title)."""
    heading = page.locator("strong", has_text=re.compile(rf"^{rank}\. {re.escape(title)}$"))
    return (
        page.locator("[data-testid='stMain'] [data-testid='stVerticalBlock']")
        .filter(has=heading)
        .last
    )


def rate(page, movies: dict[str, str], stars: str | None = None) -> None:
    """Find each movie with the search box and rate it (at the default or ``stars``)."""
    search = page.locator("input[aria-label='Search titles']").first
    for count, (query, title) in enumerate(movies.items(), start=1):
        search.fill(query)
        search.press("Enter")
        wait_for_app(page)
        picked = page.get_by_role("combobox", name=re.compile(r"^\d+ match"))
        expect(picked).to_have_value(title, timeout=30_000)
        page.get_by_role("button", name="Rate it").click()
        expect(page.get_by_role("heading", name=f"Your ratings ({count})")).to_be_visible()
        wait_for_app(page)


def test_a_star_wars_and_indiana_jones_fan_gets_their_own_top5(page):
    nobody = open_recommend(page)
    rate(page, FAN)
    expect(page.get_by_text("Personalised from your 5 rating(s).")).to_be_visible()
    fan = card_titles(page)
    assert len(fan) == 5 and len(set(fan) & set(nobody)) <= 1
    assert not set(fan) & set(FAN.values())
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "match" in main.lower() and "Predicted rating" not in main


def test_rate_five_movies_and_get_five_unrated_recommendations(page):
    before = open_recommend(page)
    assert len(before) == 5
    rate(page, RATED)
    expect(page.get_by_text("Personalised from your 5 rating(s).")).to_be_visible()
    ratings_text = page.locator("[data-testid='stMain']").inner_text()
    for title in RATED.values():
        assert title in ratings_text
    after = card_titles(page)
    assert len(after) == 5
    assert not set(after) & set(RATED.values())
    assert after != before  # the list responded to the ratings
    links = page.locator("[data-testid='stMain'] a[href^='https://movielens.org/movies/']")
    assert links.count() >= 5
