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


def card_titles(page) -> list[str]:
    texts = page.locator("[data-testid='stMain'] strong").all_inner_texts()
    return [m.group(2) for t in texts if (m := CARD.match(t.strip()))]


def test_rate_five_movies_and_get_five_unrated_recommendations(page):
    page.goto(page.app_url)
    wait_for_app(page)
    page.locator(".st-key-app_nav").get_by_text("Recommend").click()
    page.get_by_role("heading", name="Your top 5").wait_for(timeout=180_000)
    wait_for_app(page)
    before = card_titles(page)
    assert len(before) == 5

    search = page.locator("input[aria-label='Search titles']").first
    for count, (query, title) in enumerate(RATED.items(), start=1):
        search.fill(query)
        search.press("Enter")
        wait_for_app(page)
        picked = page.get_by_role("combobox", name=re.compile(r"^\d+ match"))
        expect(picked).to_have_value(title, timeout=30_000)
        page.get_by_role("button", name="Rate it").click()
        expect(page.get_by_role("heading", name=f"Your ratings ({count})")).to_be_visible()
        wait_for_app(page)

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
