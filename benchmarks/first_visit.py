"""The first visitor after a (re)start: each page's first render and the first recommendation.

For every page, a freshly started server (``streamlit run streamlit_app.py`` on a free loopback
port, an empty results folder, as after a reboot on Streamlit Community Cloud) gets that page as
its very first request from headless Chromium. Printed side by side with a second, warm visit of
the same page on the same server:

- **first render**: from ``goto`` to the page's title and its main content (Overview: the metrics;
  Explore: the first chart; Compare models: the results table, from the shipped reference results;
  Recommend: the five cards) with no script run in progress. Target ≤ 3 s.
- **second visit**: the same page on the same, now warm, server from a new browser profile (an
  empty HTTP cache: Streamlit's scripts and its chart and table bundles are fetched and compiled
  again); **same browser**: a later visit from that profile, as a returning visitor.
- **floor**: the same visits to ``benchmarks/floor_app.py`` (a title and a sidebar of links), what
  Streamlit and the browser cost here before the app does anything; **floor: one chart**: the
  same page with one small plotly chart (``?chart=1``), the floor of any page that draws a chart.
- **first recommendation** (Recommend opened first): search a title, rate it, and time from the
  click on "Rate it" to the personalised five cards. Target ≤ 1 s.

``--cold-numba`` gives the server an empty numba cache folder (``NUMBA_CACHE_DIR``), so every
compiled kernel is compiled again, as on a host whose disk did not survive a reboot; by default the
project's own cache (``__pycache__``) is used, as on a machine that ran the app before.

Usage::

    flock /tmp/heavy.lock python benchmarks/first_visit.py [--data PATH] [--cold-numba]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, running_app, wait_for_app  # noqa: E402

FLOOR_SCRIPT = "benchmarks/floor_app.py"
FIRST_RENDER_TARGET = 3.0
FIRST_RECOMMENDATION_TARGET = 1.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
FIVE_CARDS = """() => [...document.querySelectorAll("[data-testid='stMain'] strong")]
    .some(e => /^5\\. /.test(e.textContent.trim()))"""
# What "rendered" means per page: its title and its main content.
PAGES = {
    "floor": ("", ""),  # benchmarks/floor_app.py: what Streamlit and the browser cost alone
    "floor: one chart": ("?chart=1", ".js-plotly-plot"),  # the same with one small plotly chart
    "overview": ("", "[data-testid='stMetric']"),
    "explore": ("explore", "[data-testid='stPlotlyChart'], .js-plotly-plot"),
    "compare_models": ("compare_models", "[data-testid='stDataFrame']"),
    "recommend": ("recommend", None),
}


def settled(tab, content: str | None, timeout: float = 120_000) -> None:
    """The page's title, its main content and no script run in progress."""
    tab.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout)
    if content == "":
        pass
    elif content is None:
        tab.wait_for_function(FIVE_CARDS, timeout=timeout)
    else:
        tab.wait_for_selector(content, timeout=timeout)
    wait_for_app(tab, timeout=timeout)


def timed_visit(browser, url: str, content: str | None, revisits: int = 0) -> list[float]:
    """Times of a visit in a new browser profile (empty HTTP cache), then of ``revisits`` more
    visits in new tabs of the same profile (Streamlit's scripts and chart bundles cached)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    times = []
    try:
        for _ in range(1 + revisits):
            tab = context.new_page()
            start = time.perf_counter()
            tab.goto(url)
            settled(tab, content)
            times.append(time.perf_counter() - start)
            tab.close()
        return times
    finally:
        context.close()


def first_recommendation(browser, base: str) -> tuple[float, float]:
    """(first render of Recommend, from "Rate it" to the personalised five cards)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    try:
        start = time.perf_counter()
        tab.goto(f"{base}/recommend")
        settled(tab, None)
        render = time.perf_counter() - start
        search = tab.locator("input[aria-label='Search titles']").first
        search.fill("toy story")
        search.press("Enter")
        wait_for_app(tab)
        tab.get_by_role("button", name="Rate it").wait_for()
        start = time.perf_counter()
        tab.get_by_role("button", name="Rate it").click()
        tab.get_by_text("Personalised from your 1 rating(s).").wait_for(timeout=120_000)
        tab.wait_for_function(FIVE_CARDS, timeout=120_000)
        wait_for_app(tab, timeout=120_000)
        return render, time.perf_counter() - start
    finally:
        context.close()


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MOVIELENS_DIR"))
    parser.add_argument("--cold-numba", action="store_true")
    args = parser.parse_args()
    if not args.data:
        sys.exit("Pass --data PATH or set MOVIELENS_DIR (a MovieLens folder).")
    from playwright.sync_api import sync_playwright

    print(
        f"{Path(args.data).name}; numba cache: {'empty (compile)' if args.cold_numba else 'project'}"
    )
    print(f"{'page opened first':<18} {'first visit':>12} {'second visit':>13} "
          f"{'same browser':>13}   target (first visit)")  # fmt: skip
    rows = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)  # fmt: skip
        for name, (path, content) in PAGES.items():
            folder = Path(tmp) / name.replace(":", "").replace(" ", "_")
            folder.mkdir()
            extra = {"NUMBA_CACHE_DIR": str(folder / "numba")} if args.cold_numba else {}
            floor = name.startswith("floor")
            script = FLOOR_SCRIPT if floor else "streamlit_app.py"
            with running_app(Path(args.data), folder / "server.log", extra, script) as base:
                if name == "recommend":
                    first, rate = first_recommendation(browser, base)
                else:
                    first, rate = timed_visit(browser, f"{base}/{path}", content)[0], None
                second, again = timed_visit(browser, f"{base}/{path}", content, revisits=2)[::2]
            if not floor:
                rows.append((name, first, rate))
            print(f"{name:<18} {first:>10.2f} s {second:>11.2f} s {again:>11.2f} s   "
                  f"≤ {FIRST_RENDER_TARGET:.0f} s "
                  f"{verdict(first, FIRST_RENDER_TARGET)}", flush=True)  # fmt: skip
            if rate is not None:
                print(f"{'  first Rate it':<18} {rate:>10.2f} s {'':>13}   ≤ "
                      f"{FIRST_RECOMMENDATION_TARGET:.0f} s "
                      f"{verdict(rate, FIRST_RECOMMENDATION_TARGET)}", flush=True)  # fmt: skip
        browser.close()
    worst = max(first for _, first, _ in rows)
    rate = next(r for _, _, r in rows if r is not None)
    print(f"\nslowest first render {worst:.2f} s ({verdict(worst, FIRST_RENDER_TARGET)}); "
          f"first recommendation {rate:.2f} s ({verdict(rate, FIRST_RECOMMENDATION_TARGET)})")  # fmt: skip


if __name__ == "__main__":
    main()
