"""Real browser: bring a rating history (an IMDb export), accept the preview, reload the page and
still see the ratings (the profile lives in the address); hide a movie and see it replaced."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_app
from tests.e2e.test_recommend_e2e import card, card_titles, open_recommend

pytestmark = pytest.mark.e2e

IMDB_EXPORT = Path(__file__).resolve().parent.parent / "fixtures" / "history" / "imdb_ratings.csv"
IMPORTED = ("Matrix, The (1999)", "Star Wars: Episode IV - A New Hope (1977)", "Heat (1995)")


def test_import_a_history_reload_and_still_see_the_ratings(page):
    open_recommend(page)
    page.locator(".st-key-rec_import input[type='file']").set_input_files(IMDB_EXPORT)
    expect(page.get_by_text("Preview — nothing has changed yet.")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Your ratings (0)")).to_be_visible()
    page.get_by_role("button", name="Add these 7 ratings").click()
    expect(page.get_by_role("heading", name="Your ratings (7)")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/recommend\?(.*&)?profile=[A-Za-z0-9_-]+"))
    profile = parse_qs(urlsplit(page.url).query)["profile"][0]
    link = page.locator("[data-testid='stCode']").filter(has_text="profile=").inner_text()
    assert link.strip() == f"{page.app_url}/recommend?profile={profile}"
    before = card_titles(page)

    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Your ratings (7)")).to_be_visible(timeout=180_000)
    main = page.locator("[data-testid='stMain']")
    for title in IMPORTED:
        expect(main).to_contain_text(title)
    assert card_titles(page) == before
    assert not set(before) & set(IMPORTED)


def test_not_interested_replaces_the_card(page):
    before = open_recommend(page)
    card(page, 1, before[0]).get_by_role("button", name="Not interested").click()
    expect(page.get_by_text("Not interested (1)")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    after = card_titles(page)
    assert len(after) == 5 and before[0] not in after and after[:4] == before[1:]
