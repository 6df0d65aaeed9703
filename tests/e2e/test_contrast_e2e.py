"""Real browser: text is readable (WCAG AA, contrast ≥ 4.5:1) in the light and the dark theme.

Measured on the colours the browser actually renders: each text element's computed colour against
the first opaque ancestor background whose box lies behind the text.
"""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.e2e

SELECTORS = (
    "[data-testid='stCaptionContainer']",
    "[data-testid='stMarkdownContainer'] p",
    "[data-testid='stSliderThumbValue']",
    "[data-testid='stMetricLabel']",
    "[data-testid='stMetricValue']",
    "[data-testid='stPageLink-NavLink'] span",
    "[data-testid='stWidgetLabel'] p",
    "h1, h2, h3",
)
CONTRAST = """
(selectors) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  // An ancestor is behind the text only if its box covers the text's centre: a slider's value is
  // drawn above its thumb, a coloured dot that is its parent in the DOM but not its background.
  const covers = (box, r) => { const x = r.left + r.width / 2, y = r.top + r.height / 2;
                               return box.left <= x && x <= box.right && box.top <= y && y <= box.bottom; };
  const background = (el) => { const r = el.getBoundingClientRect();
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0.5 && covers(e.getBoundingClientRect(), r)) return c; }
    // below the fold no scrolling container covers the text: the app's own background is behind it
    return parse(getComputedStyle(document.querySelector("[data-testid='stApp']")).backgroundColor); };
  const out = [];
  for (const sel of selectors) for (const el of document.querySelectorAll(sel)) {
    if (!el.innerText || !el.innerText.trim() || el.offsetParent === null) continue;
    // WCAG 1.4.3 exempts inactive controls (a disabled button is meant to look faded)
    if (el.closest('button:disabled, [aria-disabled="true"]')) continue;
    const fg = parse(getComputedStyle(el).color), bg = background(el);
    const mixed = {r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a)};
    const [hi, lo] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
    out.push({sel, text: el.innerText.slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05)});
  }
  return out;
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", "explore", "recommend"])
def test_text_contrast_is_at_least_aa(browser, app_server, scheme, path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{app_server}/{path}")
        wait_for_app(page)
        page.get_by_role("heading", level=1).first.wait_for()
        wait_for_app(page)
        page.wait_for_timeout(1500)  # the theme and late elements (charts, expanders) settle
        wait_for_app(page)
        measured = page.evaluate(CONTRAST, list(SELECTORS))
        assert len(measured) > 10
        poor = [m for m in measured if m["ratio"] < 4.5]
        assert not poor, poor[:5]
    finally:
        context.close()
