"""Take the README's screenshot of the page (docs/screenshot.png).

It shows Timeline17's H1N1 topic; build that store first (a few minutes)::

    storyline ingest ../shared/data/t17-raw/H1N1_bbc ../shared/data/t17-raw/H1N1_guardian \\
        ../shared/data/t17-raw/H1N1_reuters --db /tmp/h1n1.db
    .venv/bin/python -m tests.e2e.screenshot --db /tmp/h1n1.db --out docs/screenshot.png

Needs Debian's chromium and Playwright's Python package, as the e2e tests do.
"""

from __future__ import annotations

import argparse

from playwright.sync_api import expect, sync_playwright

from tests.live import live_server

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def take(db: str, out: str, *, view: str, width: int, height: int, open_chip: int | None) -> None:
    with live_server(db) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{url}/{view}")
        expect(page.locator("#timeline .entry").first).to_be_visible(timeout=60_000)
        expect(page.locator("select[name=entity] option").nth(1)).to_be_attached()
        if open_chip is not None:
            page.locator("#timeline .chip").nth(open_chip).click()
            expect(page.locator("mark.quoted")).to_be_in_viewport()
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default="docs/screenshot.png")
    parser.add_argument("--view", default="?start=2009-04-24&end=2009-06-30&dates=12",
                        help="the page's query string: what the screenshot shows")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=860)
    parser.add_argument("--open", type=int, default=None, help="open this source chip")
    options = parser.parse_args()
    take(options.db, options.out, view=options.view, width=options.width,
         height=options.height, open_chip=options.open)
