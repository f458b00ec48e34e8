from datetime import date

import pytest

from storyline.annotate.published import (
    PageDates,
    infer_published,
    latest_reported_day,
    reports_as_past,
)
from storyline.model import Granularity, PublishedDate

CAPTURED = date(2020, 12, 31)


def _d(text: str, source: str, precision: Granularity = Granularity.DAY) -> PublishedDate:
    return PublishedDate(date.fromisoformat(text), precision, source)


def _infer(text: str = "", fallback: PublishedDate | None = None, **evidence: str):
    page = PageDates(**{key: _d(value, {"search": "page-text"}.get(key, key))
                        for key, value in evidence.items()})
    found = infer_published(page, text=text, captured=CAPTURED, fallback=fallback)
    return found and (found.value.isoformat(), found.source)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        # the publisher's markup beats a search of the page (a "today is" widget)
        ({"metadata": "2020-10-13", "search": "2020-12-08"}, ("2020-10-13", "metadata")),
        # and a URL day it agrees with (filed one day, published the next)
        ({"metadata": "2020-07-09", "url": "2020-07-08"}, ("2020-07-09", "metadata")),
        ({"metadata": "2020-07-07", "url": "2020-07-08"}, ("2020-07-07", "metadata")),
        # but not a URL day it is far from: the markup is an update stamp
        ({"metadata": "2020-09-30", "url": "2020-07-08"}, ("2020-07-08", "url")),
        ({"metadata": "2016-01-01", "url": "2020-07-08"}, ("2020-07-08", "url")),
        # without markup: the URL's day, then the search, then the dateline
        ({"url": "2020-07-08", "search": "2020-07-01"}, ("2020-07-08", "url")),
        ({"search": "2020-05-20", "dateline": "2020-05-03"}, ("2020-05-20", "page-text")),
        ({"dateline": "2020-05-03"}, ("2020-05-03", "dateline")),
        # a printed date beside a date-only markup or a search is another date
        ({"metadata": "2020-12-05", "dateline": "2020-12-06"}, ("2020-12-05", "metadata")),
        ({"search": "2020-12-05", "dateline": "2020-12-04"}, ("2020-12-05", "page-text")),
        # nothing can be published after it was captured (a day of slack)
        ({"metadata": "2021-01-01", "search": "2020-12-20"}, ("2021-01-01", "metadata")),
        ({"metadata": "2021-03-01", "search": "2020-12-20"}, ("2020-12-20", "page-text")),
        ({}, None),
    ],
)
def test_evidence_is_weighed_by_rule(evidence, expected):
    assert _infer(**evidence) == expected


@pytest.mark.parametrize(
    ("moment", "printed", "expected"),
    [
        # 23:15 UTC is already the next day east of UTC+0:45: the printed day wins
        ("2020-12-05T23:15:00+00:00", "2020-12-06", "2020-12-06"),
        ("2020-06-29T00:16:15+03:00", "2020-06-28", "2020-06-28"),
        # no time zone turns 10:04 UTC into two days later, or a week earlier
        ("2020-07-09T10:04:00+00:00", "2020-07-11", "2020-07-09"),
        ("2020-07-09T10:04:00+00:00", "2020-07-02", "2020-07-09"),
        # a zone-less time says nothing about a shift
        ("2020-08-18T13:14:26", "2020-08-19", "2020-08-18"),
    ],
)
def test_a_timestamp_yields_to_the_day_printed_in_the_newsrooms_zone(moment, printed, expected):
    from datetime import datetime

    moment = datetime.fromisoformat(moment)
    page = PageDates(metadata=_d(moment.date().isoformat(), "metadata"),
                     dateline=_d(printed, "dateline"),
                     metadata_moment=moment if moment.tzinfo else None)
    assert infer_published(page, captured=CAPTURED).value.isoformat() == expected


def test_a_url_month_is_the_last_resort_of_the_page():
    page = PageDates(url=_d("2019-01-01", "url", Granularity.MONTH))
    found = infer_published(page, captured=CAPTURED)
    assert (found.value, found.precision, found.source) == (date(2019, 1, 1), Granularity.MONTH,
                                                            "url")


REPORTED = ("The board voted on June 3, 2020 to close the pier.\n"
            "The pier will reopen on November 3, 2020, the mayor said.")


def test_a_date_before_the_reported_events_is_dropped():
    assert _infer(REPORTED, metadata="2016-01-01", search="2020-06-04") == ("2020-06-04",
                                                                             "page-text")


def test_the_fallback_comes_before_the_reported_day_which_comes_last():
    fallback = _d("2020-06-10", "--published")
    assert _infer(REPORTED, fallback=fallback) == ("2020-06-10", "--published")
    assert _infer(REPORTED) == ("2020-06-03", "reported-events")
    assert _infer("No dates here at all, the mayor said.") is None


def test_the_latest_reported_day_ignores_plans_and_undated_days():
    assert latest_reported_day(REPORTED) == date(2020, 6, 3)
    assert latest_reported_day("On June 3 the board voted.") is None
    assert latest_reported_day("The vote of 2019 was close.") is None


@pytest.mark.parametrize(
    ("sentence", "past"),
    [
        ("The board voted on June 3, 2020 to close the pier.", True),
        ("He was born on March 3, 1950.", True),
        ("The council said on Monday that it had signed the lease.", True),
        ("The pier will reopen on November 3, 2020.", False),
        ("The hearing is scheduled for November 3, 2020.", False),
        ("Talks are expected to resume on 3 November 2020.", False),
        ("The deadline is November 3, 2020.", False),
    ],
)
def test_reports_as_past(sentence, past):
    assert reports_as_past(sentence) is past
