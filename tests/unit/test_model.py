from datetime import date

import pytest

from storyline.model import (
    AnnotatedArticle,
    Article,
    Entity,
    Granularity,
    Sentence,
    SourceRef,
    TimeMention,
    Timeline,
    TimelineEntry,
    TimelineSentence,
    format_date,
    parse_date,
)


def _article(**changes):
    fields = dict(id="a1", url="https://example.org/a", source="Example", title="T",
                  published=date(2019, 6, 23), text="Hello.", origin="a.txt")
    fields.update(changes)
    return Article(**fields)


@pytest.mark.parametrize(
    ("value", "granularity", "text"),
    [
        (date(2019, 6, 23), Granularity.DAY, "2019-06-23"),
        (date(2019, 2, 1), Granularity.MONTH, "2019-02"),
        (date(2019, 1, 1), Granularity.YEAR, "2019"),
        (date(2018, 7, 1), Granularity.QUARTER, "2018-Q3"),
        (date(2019, 7, 1), Granularity.HALF, "2019-H2"),
        (date(2009, 12, 1), Granularity.SEASON, "2009-WI"),
        (date(2010, 3, 1), Granularity.SEASON, "2010-SP"),
        (date(1990, 1, 1), Granularity.DECADE, "199"),
    ],
)
def test_dates_render_at_their_granularity_and_read_back(value, granularity, text):
    assert format_date(value, granularity) == text
    assert parse_date(text) == (value, granularity)


@pytest.mark.parametrize("text", ["June 2019", "2019-Q5", "2019-H3", "2019-XX", "19"])
def test_parse_date_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_a_range_mention_round_trips_with_its_end():
    mention = TimeMention("a1", 0, 4, 16, "March 3 to 5", Granularity.DAY, date(2019, 3, 3),
                          date(2019, 3, 5))
    data = mention.to_dict()
    assert (data["value"], data["end_value"]) == ("2019-03-03", "2019-03-05")
    assert TimeMention.from_dict(data, "a1") == mention
    single = TimeMention("a1", 0, 0, 7, "Q3 2018", Granularity.QUARTER, date(2018, 7, 1))
    assert single.to_dict()["end_value"] is None
    assert TimeMention.from_dict(single.to_dict(), "a1") == single


def test_article_round_trips_including_month_precision():
    article = _article(published=date(2019, 1, 1), published_precision=Granularity.MONTH)
    data = article.to_dict()
    assert data["published"] == "2019-01"
    assert Article.from_dict(data) == article
    assert article.published_day is None
    assert _article().published_day == date(2019, 6, 23)


def test_annotated_article_round_trips():
    annotated = AnnotatedArticle(
        _article(),
        (Sentence("a1", 0, 0, 6, "Hello."),),
        (Entity("a1", 0, 0, 5, "Hello", "ORG"),),
        (TimeMention("a1", 0, 0, 5, "Hello", Granularity.MONTH, date(2019, 2, 1)),),
    )
    data = annotated.to_dict()
    assert data["time_mentions"][0]["value"] == "2019-02"
    assert AnnotatedArticle.from_dict(data) == annotated


def test_timeline_json_follows_the_contract():
    ref = SourceRef("a1", "T", "https://example.org/a", "Example", date(2019, 6, 23))
    timeline = Timeline("fire", "datewise", {}, (
        TimelineEntry(date(2019, 2, 1), Granularity.MONTH, (TimelineSentence("x", ref),)),
    ))
    data = timeline.to_dict()
    assert set(data) == {"schema_version", "query", "method", "entries"}
    assert data["schema_version"] == 1
    entry = data["entries"][0]
    assert entry["date"] == "2019-02" and entry["granularity"] == "month"
    assert set(entry["sentences"][0]) == {"text", "article_id", "title", "url", "source",
                                          "published"}
    assert Timeline.from_dict(data).entries == timeline.entries


def test_an_entry_holds_the_days_of_its_day_month_or_year():
    day = date(2019, 6, 20)
    assert TimelineEntry(day, Granularity.DAY, ()).holds(day)
    assert not TimelineEntry(day, Granularity.DAY, ()).holds(date(2019, 6, 21))
    assert TimelineEntry(date(2019, 6, 1), Granularity.MONTH, ()).holds(day)
    assert not TimelineEntry(date(2019, 7, 1), Granularity.MONTH, ()).holds(day)
    assert TimelineEntry(date(2019, 1, 1), Granularity.YEAR, ()).holds(day)
    assert not TimelineEntry(date(2018, 1, 1), Granularity.YEAR, ()).holds(day)
