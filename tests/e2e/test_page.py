"""The timeline page in headless Chromium, served by the real `storyline serve`.

Skipped where Debian's chromium or Playwright's Python package is missing;
CI installs both (.ci/run), so there they run.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from storyline.ingest.jsonl import parse_record
from storyline.model import TimelineEntry
from storyline.pipeline import ingest, ingest_articles
from storyline.render import heading
from storyline.store import Store

from tests.conftest import DATA

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
expect = sync_api.expect

pytestmark = pytest.mark.slow
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: Markup in every field a stranger controls; any of it running sets window.__pwned.
HOSTILE = {
    "id": "hostile-1",
    "url": "javascript:window.__pwned='url'",
    "source": "<b onmouseover=\"window.__pwned='source'\">Evil Outlet</b>",
    "title": "<img src=x onerror=\"window.__pwned='title-img'\">"
             "<script>window.__pwned='title-script'</script> Sabotage claim",
    "published": "2023-10-25",
    "text": "Sabotage at the Marrow Bay terminal was alleged on Tuesday "
            "<img src=x onerror=\"window.__pwned='text'\"> by the port authority.\n"
            "The union called the sabotage claim <script>window.__pwned='text-script'</script> "
            "a smear on Wednesday.",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """`storyline serve` on a store of the strike articles and one hostile article."""
    db = tmp_path_factory.mktemp("page") / "page.db"
    with Store(db) as store:
        ingest([DATA / "strike"], store)
        report = ingest_articles([parse_record(HOSTILE, origin="hostile")], store)
        assert report.added == 1
    port = _free_port()
    command = [sys.executable, "-c", "from storyline.cli import main; main()",
               "serve", "--db", str(db), "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/api/entities", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stderr.read()
        assert time.monotonic() < deadline, "storyline serve did not answer"
        time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, base):
    """A fresh page on the timeline; it must log no error (a CSP violation is one)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("console", lambda message: message.type == "error" and problems.append(message.text))
    opened.goto(base)
    expect(opened.locator("#timeline .entry").first).to_be_visible()
    yield opened
    context.close()
    assert problems == []


def api(base: str, path: str, **params: object) -> dict:
    return httpx.get(f"{base}{path}", params=params, timeout=60).json()


def shown_sentences(page) -> list[str]:
    return page.locator("#timeline .sentence-text").all_inner_texts()


def api_sentences(timeline: dict) -> list[str]:
    return [s["text"] for e in timeline["entries"] for s in e["sentences"]]


def test_the_page_shows_the_timeline_with_dates_sources_and_counts(page, base):
    timeline = api(base, "/api/timeline")
    assert shown_sentences(page) == api_sentences(timeline)
    days = page.locator("#timeline time")
    assert days.evaluate_all("nodes => nodes.map(n => n.dateTime)") == \
        [e["date"] for e in timeline["entries"]]
    assert days.all_text_contents() == [heading(TimelineEntry.from_dict(e))
                                        for e in timeline["entries"]]
    supports = page.locator("#timeline .support").all_inner_texts()
    assert supports == [f"{e['articles']} article{'' if e['articles'] == 1 else 's'}"
                        for e in timeline["entries"]]
    chip = page.locator("#timeline .chip").first
    source = timeline["entries"][0]["sentences"][0]
    expect(chip.locator(".chip-title")).to_have_text(source["title"])
    for fmt in ("json", "md", "timelinejs"):
        href = page.locator(f"#export-{fmt}").get_attribute("href")
        assert href == f"/api/timeline?format={fmt}"
        response = page.request.get(base + href)
        assert response.ok and "attachment" in response.headers["content-disposition"]


def test_search_and_date_controls_rebuild_the_timeline(page, base):
    page.fill("input[name=query]", "mediator")
    page.press("input[name=query]", "Enter")
    expect(page.locator("#status")).to_contain_text("matching “mediator”")
    assert shown_sentences(page) == api_sentences(api(base, "/api/timeline", query="mediator"))
    assert "query=mediator" in page.url
    assert "query=mediator" in page.locator("#export-md").get_attribute("href")

    page.click("button[type=reset]")
    expect(page.locator("#status")).not_to_contain_text("matching")
    page.fill("input[name=start]", "2023-10-19")
    page.fill("input[name=end]", "2023-10-21")
    page.fill("input[name=dates]", "2")
    page.locator("input[name=dates]").dispatch_event("change")
    expect(page.locator("#status")).to_have_text("2 dates")
    shown = page.locator("#timeline time").evaluate_all("nodes => nodes.map(n => n.dateTime)")
    assert len(shown) == 2 and all("2023-10-19" <= day <= "2023-10-21" for day in shown)


def test_the_entity_filter_keeps_articles_that_mention_it(page, base):
    select = page.locator("select[name=entity]")
    expect(select.locator('option[value="Ines Falk"]')).to_have_count(1)
    select.select_option("Ines Falk")
    expect(page.locator("#status")).to_contain_text("mentioning Ines Falk")
    expected = api(base, "/api/timeline", entity="Ines Falk")
    assert shown_sentences(page) == api_sentences(expected)
    assert len({s["article_id"] for e in expected["entries"] for s in e["sentences"]}) == 1
    assert "entity=Ines+Falk" in page.url


def test_a_source_chip_opens_the_article_with_the_sentence_highlighted(page):
    sentence = page.locator("#timeline .sentence").nth(1)
    text = sentence.locator(".sentence-text").inner_text()
    title = sentence.locator(".chip-title").inner_text()
    sentence.locator(".chip").click()
    reader = page.locator("#reader")
    expect(reader).to_be_visible()
    expect(reader.locator("#reader-title")).to_have_text(title)
    mark = reader.locator("mark.quoted")
    expect(mark).to_have_text(text)
    expect(mark).to_be_in_viewport()
    assert reader.locator("#reader-body").inner_text().count(text) >= 1
    page.click("#reader-close")
    expect(reader).to_be_hidden()


def test_markup_in_an_article_stays_text_and_never_runs(page):
    page.fill("input[name=query]", "sabotage")
    page.press("input[name=query]", "Enter")
    expect(page.locator("#status")).to_contain_text("matching “sabotage”")
    chip = page.locator("#timeline .chip").first
    expect(chip.locator(".chip-title")).to_have_text(HOSTILE["title"])
    expect(chip.locator(".chip-outlet")).to_have_text(HOSTILE["source"])
    assert any("<img src=x onerror=" in text or "<script>" in text
               for text in shown_sentences(page))
    chip.click()
    reader = page.locator("#reader")
    expect(reader.locator("#reader-title")).to_have_text(HOSTILE["title"])
    expect(reader.locator("mark.quoted")).to_be_visible()
    assert "<script>window.__pwned='text-script'</script>" in \
        reader.locator("#reader-body").inner_text()
    expect(reader.locator("#reader-original")).to_be_hidden()  # a javascript: URL is no link
    page.click("#reader-close")
    page.hover("#timeline .chip-outlet")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img, b, script:not([src])").count() == 0


def test_on_a_phone_the_page_fits_and_dates_sit_above_their_sentences(browser, base):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    phone = context.new_page()
    phone.goto(base)
    expect(phone.locator("#timeline .entry").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    entry = phone.locator("#timeline .entry").first
    when = entry.locator(".when").bounding_box()
    text = entry.locator(".sentence").first.bounding_box()
    assert when["y"] + when["height"] <= text["y"] + 1
    entry.locator(".chip").first.tap()
    box = phone.locator("#reader").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    context.close()


def test_the_page_has_no_inline_script_or_style_and_loads_only_its_own_files(page, base):
    html = httpx.get(base).text
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    urls = page.evaluate("""() => [...document.querySelectorAll('script, link')]
        .map(node => node.src || node.href)""")
    assert urls and all(url.startswith(base + "/static/") for url in urls)
