"""Regenerate the README screenshots: start the app, open each page in headless Chromium at 1400 px
(desktop) and 390 px (phone), save full-page PNGs under docs/screenshots/.

    MOVIELENS_DIR=../shared/movielens/ml-latest-small python docs/take_screenshots.py [page ...]

Pages are given by URL path, query string allowed ("" for Overview, "explore",
"explore?tab=Genres", "compare_models", "recommend"); the file is named after the path
(``explore-genres.png``), with ``-390`` for the phone width.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import subprocess  # noqa: E402

from tests.conftest import CHROMIUM, free_port, wait_healthy  # noqa: E402

PAGES = {
    "": "overview",
    "explore": "explore",
    "compare_models": "compare_models",
    "recommend": "recommend",
}
WIDTHS = {1400: "", 390: "-390"}


def file_name(path: str) -> str:
    """ "explore?tab=Top movies" -> "explore-top-movies"."""
    if path in PAGES:
        return PAGES[path]
    page, _, query = path.partition("?")
    words = [page] + [v for part in query.split("&") for v in part.split("=")[1:]]
    return "-".join(w.lower().replace(" ", "-").replace("%20", "-") for w in words if w)


MAX_HEIGHT = 9000  # px: long pages are cut here


def settle(tab) -> None:
    """Wait until the page has run: a title, no running-script widget, no loading skeleton, and
    a moment for plotly to draw."""
    tab.wait_for_selector("[data-testid='stMain'] h1", timeout=120_000)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=180_000,
    )
    tab.wait_for_timeout(2500)


def main(paths: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                ],
            )
            for width, suffix in WIDTHS.items():
                for path in paths or list(PAGES):
                    tab = browser.new_page(viewport={"width": width, "height": 1000})
                    tab.goto(f"{url}/{path}")
                    settle(tab)
                    # Streamlit scrolls inside its main container, so a "full page" shot is the
                    # viewport: grow the viewport to the content instead.
                    height = tab.evaluate(
                        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
                    )
                    tab.set_viewport_size({"width": width, "height": min(int(height), MAX_HEIGHT)})
                    settle(tab)
                    out = ROOT / "docs" / "screenshots" / f"{file_name(path)}{suffix}.png"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    tab.screenshot(path=str(out))
                    print(f"saved {out.relative_to(ROOT)} ({width}x{min(int(height), MAX_HEIGHT)})")
                    tab.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main(sys.argv[1:])
