"""The story list and the "new since your last visit" marks, in headless Chromium.

Skipped where Debian's chromium or Playwright's Python package is missing,
as tests/e2e/test_page.py is.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from storyline.pipeline import ingest
from storyline.store import Store

from tests.conftest import DATA
from tests.e2e.test_page import CHROMIUM, LAUNCH_ARGS, sync_api  # noqa: F401 - skips with it
from tests.live import live_server

expect = sync_api.expect
pytestmark = pytest.mark.slow
FEED = DATA / "feed"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A server on a store of Monday's feed (two stories of two articles each), and a copy
    of Monday's first strike report run days later by another outlet."""
    scratch = tmp_path_factory.mktemp("stories-page")
    db = scratch / "feed.db"
    original = json.loads((FEED / "monday.jsonl").read_text().splitlines()[0])
    copy = original | {"id": "copy-1", "source": "Gulf Courier", "published": "2024-03-09",
                       "url": None, "text": original["text"] + "\nMore to follow."}
    (scratch / "copy.jsonl").write_text(json.dumps(copy) + "\n")
    with Store(db) as store:
        ingest([FEED / "monday.jsonl"], store)
        ingest([scratch / "copy.jsonl"], store)
    with live_server(db, build_workers=0) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


def open_page(context, base):
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(base)
    expect(page.locator("#story-list .story").first).to_be_visible()
    expect(page.locator("#timeline .entry").first).to_be_visible()
    return page, problems


def story_card(page, title_word: str):
    return page.locator("#story-list .story").filter(has_text=title_word)


def test_the_story_list_opens_each_story_and_marks_what_is_new(browser, base):
    stories = httpx.get(f"{base}/api/stories").json()["stories"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page, problems = open_page(context, base)

    # the list: every story with its title, a bar per active stretch, its sources
    cards = page.locator("#story-list .story")
    expect(cards).to_have_count(len(stories))
    assert page.locator("#story-list .story-title").all_inner_texts() == [
        s["title"] for s in stories]
    for story, card in zip(stories, cards.all(), strict=True):
        assert card.locator(".sparkline rect").count() >= 1
        meta = card.locator(".story-meta").inner_text()
        assert all(source in meta for source in story["sources"])
        assert f"{story['articles']} articles" in meta
    # a first visit marks nothing as new
    assert page.locator(".new-mark").count() == 0

    # a story opens its timeline: only its own articles are quoted
    strike = next(s for s in httpx.get(f"{base}/api/stories", params={"articles": "true"})
                  .json()["stories"] if s["members"][0]["id"].startswith("strike"))
    card = page.locator(f'#story-list .story[data-story="{strike["id"]}"]')
    card.locator("button").click()
    expect(card).to_have_attribute("aria-current", "true")
    expect(page.locator("#status")).to_contain_text(strike["title"])
    titles = set(page.locator("#timeline .chip-title").all_inner_texts())
    member_titles = {"Dockworkers walk out at Bayfront port",
                     "Port strike leaves containers stranded"}
    assert titles and titles <= member_titles
    assert page.locator(".new-mark").count() == 0
    page.close()

    # an article joins the story after this visit (a second later: times are to the second)
    time.sleep(1.1)
    record = json.loads((FEED / "wednesday.jsonl").read_text().splitlines()[0])
    added = httpx.post(f"{base}/api/articles", json=record, timeout=120)
    assert added.status_code == 200, added.text

    page, more_problems = open_page(context, base)
    problems += more_problems
    card = page.locator(f'#story-list .story[data-story="{strike["id"]}"]')
    expect(card.locator(".new-mark")).to_have_text("New")
    assert page.locator("#story-list .new-mark").count() == 1  # the fire story did not change
    card.locator("button").click()
    expect(page.locator("#timeline .entry.new").first).to_be_visible()
    for entry in page.locator("#timeline .entry").all():
        quotes_new = "Bayfront port talks resume" in entry.locator(".chip-title").all_inner_texts()
        assert ("new" in (entry.get_attribute("class") or "").split()) == quotes_new
    page.close()

    # seen now: the next visit marks nothing
    page, more_problems = open_page(context, base)
    problems += more_problems
    page.locator(f'#story-list .story[data-story="{strike["id"]}"] button').click()
    title = httpx.get(f"{base}/api/stories/{strike['id']}").json()["title"]  # may have changed
    expect(page.locator("#status")).to_contain_text(title)
    assert page.locator(".new-mark").count() == 0
    context.close()
    assert problems == []


def test_a_story_says_who_ran_it_first_and_opens_each_article(browser, base):
    strike = next(s for s in httpx.get(f"{base}/api/stories", params={"articles": "true"})
                  .json()["stories"] if "copy-1" in {m["id"] for m in s["members"]})
    fire = next(s for s in httpx.get(f"{base}/api/stories").json()["stories"]
                if s["id"] != strike["id"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page, problems = open_page(context, base)
    expect(page.locator("#provenance")).to_be_hidden()  # all articles: no one story

    page.locator(f'#story-list .story[data-story="{strike["id"]}"] button').click()
    panel = page.locator("#provenance")
    expect(panel).to_be_visible()
    (item,) = panel.locator(".provenance-item").all()
    original, copy = item.locator(".provenance-article").all()
    assert "Bayfront Times" in original.inner_text() and "4 Mar 2024" in original.inner_text()
    assert "Gulf Courier" in copy.inner_text() and "9 Mar 2024" in copy.inner_text()
    assert "sentences" in copy.inner_text()
    assert "ran it first; also ran in" in item.inner_text()

    copy.click()  # the copy opens in the reader, whole
    expect(page.locator("#reader-meta")).to_contain_text("Gulf Courier")
    expect(page.locator("#reader-body")).to_contain_text("More to follow.")
    assert page.locator("#reader-note").is_hidden()
    page.locator("#reader-close").click()

    # a story nobody copied shows no panel; neither do all articles
    page.locator(f'#story-list .story[data-story="{fire["id"]}"] button').click()
    expect(page.locator("#status")).to_contain_text(fire["title"])
    expect(panel).to_be_hidden()
    page.locator("#all-articles").click()
    expect(panel).to_be_hidden()
    context.close()
    assert problems == []
