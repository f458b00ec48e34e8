import json
from datetime import date

import pytest

from storyline.errors import ConfigError
from storyline.model import Granularity, SourceRef, Timeline, TimelineEntry, TimelineSentence
from storyline.render import render

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'
REF = SourceRef("a1", f"Plant fire {EVIL}", "https://news.example/a", "Valley [Wire]",
                date(2024, 3, 5))
TIMELINE = Timeline("plant fire", "datewise", {}, (
    TimelineEntry(date(2024, 2, 1), Granularity.MONTH,
                  (TimelineSentence("Workers complained in February.", REF),)),
    TimelineEntry(date(2024, 3, 3), Granularity.DAY,
                  (TimelineSentence(f"The tank exploded on Sunday. {EVIL}", REF),)),
))


def test_json_is_the_contract():
    data = json.loads(render(TIMELINE, "json"))
    assert data["schema_version"] == 1 and data["query"] == "plant fire"
    assert [e["date"] for e in data["entries"]] == ["2024-02", "2024-03-03"]
    assert data["entries"][1]["sentences"][0]["published"] == "2024-03-05"


def test_markdown_has_date_headings_bullets_and_links():
    text = render(TIMELINE, "md")
    assert "## 2024-02 · February 2024" in text
    assert "## 2024-03-03 · Sunday 3 March 2024" in text
    assert "(https://news.example/a), 2024-03-05" in text
    assert "Valley \\[Wire\\]" in text
    assert "<script>" not in text


def test_html_escapes_article_text_and_forbids_scripts():
    page = render(TIMELINE, "html")
    assert "<script>" not in page and "onerror=\"alert" not in page
    assert "&lt;script&gt;" in page
    assert "default-src 'none'" in page


def test_timelinejs_dates_follow_granularity():
    data = json.loads(render(TIMELINE, "timelinejs"))
    assert data["events"][0]["start_date"] == {"year": 2024, "month": 2}
    assert data["events"][1]["start_date"] == {"year": 2024, "month": 3, "day": 3}
    assert "<script>" not in json.dumps(data)


def test_unknown_format():
    with pytest.raises(ConfigError):
        render(TIMELINE, "pdf")


def test_markdown_links_only_web_urls():
    ref = SourceRef("a1", "T", "javascript:alert(1)", "X", None)
    timeline = Timeline(None, "storyline", {}, (
        TimelineEntry(date(2024, 3, 3), Granularity.DAY, (TimelineSentence("Text here.", ref),)),))
    assert "javascript:" not in render(timeline, "md")


@pytest.mark.parametrize("title, url, text", [
    ("Plant fire\n\n<script>alert(18)</script>", "https://news.example/a", "The tank exploded."),
    ("Plant fire", "https://news.example/a\n\n<script>alert(18)</script>", "It exploded."),
    ("Plant fire", "https://news.example/a)\n\n# Owned\n<script>alert(18)</script>", "Boom."),
    ("Plant\r\n# Owned", "https://news.example/<a>", "Text\u2028<script>alert(18)</script>"),
    ("A `code` *star* _u_ ~~s~~ | pipe &lt;script&gt; &#60;b&#62;", "https://x.example/a b",
     "<b onmouseover=alert(1)>hover</b> ![img](https://evil.example/x.png)"),
])
def test_markdown_carries_no_live_markup_from_article_fields(title, url, text):
    from markdown_it import MarkdownIt

    ref = SourceRef("a1", title, url, "Wire\n\n<script>alert(19)</script>", date(2024, 3, 5))
    timeline = Timeline("fire\n\n# query", "storyline", {}, (
        TimelineEntry(date(2024, 3, 3), Granularity.DAY, (TimelineSentence(text, ref),)),))
    markdown = render(timeline, "md")
    page = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    assert "<script" not in page and "<b " not in page and "<img" not in page
    assert "<b>" not in page and "<code>" not in page and "<em>" not in page
    assert page.count("<h1>") == 1 and page.count("<h2>") == 1
    assert page.count("<li>") == 1 and page.count("<a href") == 1
    assert "\n\n" not in markdown.split("## ", 1)[1].split("\n", 2)[2].rstrip("\n")
