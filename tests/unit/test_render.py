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
