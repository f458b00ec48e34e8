"""A reprint's sentences dated from its own day are marked "date uncertain" on the page.

Skipped where Debian's chromium or Playwright's Python package is missing,
as tests/e2e/test_page.py is.
"""

from __future__ import annotations

import pytest

from storyline.pipeline import ingest_articles
from storyline.store import Store

from tests.e2e.test_page import CHROMIUM, LAUNCH_ARGS, sync_api  # noqa: F401 - skips with it
from tests.integration.test_reprints import REPRINT
from tests.live import live_server

expect = sync_api.expect
pytestmark = pytest.mark.slow


def test_uncertain_dates_are_marked_beside_their_source(tmp_path):
    db = tmp_path / "reprint.db"
    with Store(db) as store:
        ingest_articles([REPRINT], store)
    with live_server(db, build_workers=0) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{url}/?dates=10")
        expect(page.locator("#timeline .entry").first).to_be_visible(timeout=15_000)
        entries = {entry.locator("time").get_attribute("datetime"): entry
                   for entry in page.locator("#timeline .entry").all()}
        monday = entries["2024-03-18"].locator(".uncertain-mark")
        expect(monday).to_have_text("date uncertain")
        assert "reprint" in (monday.get_attribute("title") or "")
        assert entries["2024-02-12"].locator(".uncertain-mark").count() == 0  # year written
        browser.close()
    assert problems == []
