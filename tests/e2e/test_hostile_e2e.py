"""Real browser on a hostile dataset: every page and tab shows the data as plain text.

The fixture ``tests/fixtures/datasets/hostile/ml-hostile`` has titles and tags made of HTML
(``<script>``, ``<b>``, ``<a href="javascript:…">``), markdown (links, images, headings, emphasis),
``$…$`` math, RTL text, emoji, a 2,000-character title and a spreadsheet formula. Streamlit markdown,
KaTeX and plotly's HTML subset would each turn some of them into elements; the app must show them
as typed. Each view is checked for any element the data could have created.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import running_app, wait_for_app

pytestmark = pytest.mark.e2e

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "datasets" / "hostile" / "ml-hostile"
EXPLORE_TABS = ("Ratings", "Popularity", "Genres", "Time", "Top movies", "Tags", "One user",
                "Data quality")  # fmt: skip
VIEWS = (
    "",
    *(f"explore?tab={quote(tab)}" for tab in EXPLORE_TABS),
    "compare_models",
    "recommend",
    "recommend?mode=title&movie=2",
    "recommend?mode=title&movie=3",
    "recommend?mode=title&movie=5",
    "recommend?mode=user&user=1",
    "explore?genres="
    + quote("[Session expired - log in again](https://evil.example/login)")
    + "&genres="
    + quote("![](http://127.0.0.1:9/pixel.png)"),
)

# Every element the fixture's text could become if anything rendered it as markup.
INJECTED = r"""() => {
    const found = [];
    for (const s of document.querySelectorAll('script'))
        if ((s.textContent || '').includes("alert('xss')")) found.push('script element');
    for (const a of document.querySelectorAll('a')) {
        const href = (a.getAttribute('href')
            || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '').trim().toLowerCase();
        if (href.startsWith('javascript:') || href.includes('evil.example')) found.push('link ' + href);
    }
    for (const img of document.querySelectorAll('img, image')) {
        const src = img.getAttribute('src') || img.getAttribute('href') || '';
        if (src === 'x' || src.includes('x.png') || src.includes('pixel.png')) found.push('image ' + src);
    }
    for (const m of document.querySelectorAll('.katex, mjx-container')) {  // the app's own formulas
        const tex = m.querySelector('annotation') ? m.querySelector('annotation').textContent : '';
        if (/mc\^2|\\int|math|7\*7/.test(tex + m.textContent)) found.push('typeset math ' + tex);
    }
    const words = ['Bold', 'Italic', 'italic', 'Heading', 'list item', 'click', 'link', 'code'];
    for (const el of document.querySelectorAll('strong, b, em, i, h1, h2, h3, h4, h5, h6, li, code'))
        if (words.includes(el.textContent.trim())) found.push(el.tagName + ': ' + el.textContent.trim());
    for (const t of document.querySelectorAll('svg text, svg tspan')) {
        const style = (t.getAttribute('style') || '') + (t.getAttribute('font-weight') || '');
        if (/bold|italic/.test(style) && ['Bold', 'Italic'].includes(t.textContent.trim()))
            found.push('plotly ' + t.textContent.trim());
    }
    if (document.querySelector('[data-testid="stException"]')) found.push('exception');
    return found;
}"""


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(HOSTILE, tmp_path_factory.mktemp("hostile") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def hostile_page(browser, hostile_app: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(90_000)
    yield tab
    context.close()


def settle(tab) -> None:
    """The page has run: its title is there, no script run is in progress, plotly has drawn."""
    tab.wait_for_selector("[data-testid='stMain'] h1")
    wait_for_app(tab, timeout=120_000)
    tab.wait_for_timeout(1500)
    wait_for_app(tab, timeout=120_000)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v or "overview")
def test_no_view_turns_data_into_markup(hostile_page, hostile_app: str, view: str):
    hostile_page.goto(f"{hostile_app}/{view}")
    settle(hostile_page)
    assert hostile_page.evaluate(INJECTED) == []


def test_hostile_text_is_shown_as_typed(hostile_page, hostile_app: str):
    hostile_page.goto(f"{hostile_app}/recommend?mode=title&movie=2")
    settle(hostile_page)
    text = hostile_page.locator("[data-testid='stMain']").inner_text()
    assert '<b>Bold</b> & <i>Italic</i> &amp; <a href="javascript:alert(1)">link</a>' in text
    hostile_page.goto(f"{hostile_app}/explore?tab=Data%20quality")
    settle(hostile_page)
    text = hostile_page.locator("[data-testid='stMain']").inner_text()
    assert "off the 0.5–5 half-star scale" in text or "off-scale" in text.lower()
