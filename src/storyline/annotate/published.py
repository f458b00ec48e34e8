"""Publication-date inference: one date from everything a page says, by rule.

A news page states its date in several places that disagree more often than
one would hope: the publisher's date markup (``article:published_time``,
JSON-LD ``datePublished``) is often a UTC timestamp or a later edit, the
date in the URL is when the slug was made, the date printed beside the
headline is in the newsroom's own time zone, and a search of the whole page
(htmldate's) can be caught by a "today is ..." widget or a sidebar. The page
reader (``storyline.ingest.pagedates``) gathers each of these as
:class:`PageDates`; this module decides, so the rules live in one place and
are tested one by one, and the winner is recorded in ``Article.published_from``.

The rules, in order:

1. **Bounds.** A page cannot be published after it was captured (a WARC
   record's date, else today; a day of slack for time zones), nor before the
   latest day its own text reports as past ("the council voted on June 3,
   2020"): a candidate outside the bounds is wrong and is dropped.
2. **The publisher's markup** wins, unless the URL carries a day and the
   markup date is not within the week after it (or the day before, a time
   zone apart): a URL's date is fixed when the story is filed, so a markup
   date well before it or long after it is an update stamp or a template's
   date, and the URL's day is kept.
3. Otherwise the **URL's day**, then **htmldate's search** of the page, then
   the **dateline**, then a URL's month (``/2019/01/``).
4. A **dateline** that differs from the markup's date, when the markup is a
   timestamp with a zone (``2020-12-05T23:15:00Z``) and the printed day is
   that same moment's day in some real time zone (UTC-12 to UTC+14), is the
   same moment seen in the newsroom's own zone: the printed day is the one
   the article's "yesterday" counts from, so it wins. A date-only or
   zone-less markup date, or one no zone can turn into the printed day,
   keeps its day (the printed date is then another date, such as a
   masthead's "today").
5. With nothing from the page, the ``fallback`` (``--published``, then a
   date in the path), and last the latest reported day itself: a lower
   bound, but a close one for news, and better than no anchor at all.

The reported-events bound reads English only (it uses the temporal resolver)
and counts only full dates with a year, in sentences that neither look
ahead ("will", "is expected to", "next") nor lack a past-tense verb.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storyline.annotate.sentences import sentence_spans
from storyline.annotate.temporal import TemporalResolver
from storyline.model import Granularity, PublishedDate

log = logging.getLogger(__name__)

#: A markup date this many days after the URL's date still agrees with it
#: (an article filed one day and published a few days later).
URL_AGREEMENT_DAYS = 7
#: The time zones in use: a moment's local day is its UTC day shifted by these.
EARLIEST_ZONE = timedelta(hours=-12)
LATEST_ZONE = timedelta(hours=14)
#: Slack on the capture-day bound: a page stamped in a time zone ahead of
#: the crawler's can carry the crawler's tomorrow.
CAPTURE_SLACK_DAYS = 1

_HAS_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# Written by hand: no library tells tense from a bare sentence without a
# tagger, and loading spaCy's tagger at read time for this one test would
# cost more than the whole read. These are the English markers of a
# statement about the future or a possibility; a sentence with one of them
# does not report its dates as past.
_LOOKS_AHEAD = re.compile(
    r"\b(?:will|won't|would|shall|'ll|going to|plans?|planned|planning|scheduled|"
    r"expected|expects?|due|set to|upcoming|next|until|deadline|could|may|might|"
    r"should|must|intends?|aims?|proposed|forecasts?|predicts?|hopes?|wants?)\b",
    re.IGNORECASE,
)
_PAST_VERB = re.compile(
    r"\b(?:was|were|had|did|said|told|made|took|came|went|gave|found|left|began|won|lost|"
    r"met|held|rose|fell|saw|became|got|wrote|spoke|paid|sold|led|struck|died|ran|"
    r"[a-z]{2,}ed)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PageDates:
    """What a page says about its own date, each piece as found (or None)."""

    metadata: PublishedDate | None = None
    url: PublishedDate | None = None
    dateline: PublishedDate | None = None
    search: PublishedDate | None = None
    #: The markup's timestamp, when it has a time and a zone.
    metadata_moment: datetime | None = None


def reports_as_past(sentence: str) -> bool:
    """Whether an English sentence states something as done, not planned."""
    return not _LOOKS_AHEAD.search(sentence) and bool(_PAST_VERB.search(sentence))


def latest_reported_day(text: str, resolver: TemporalResolver | None = None) -> date | None:
    """The latest full date (day, month and year written out) that the text
    reports as past; None if it reports none."""
    resolver = resolver or TemporalResolver()
    latest: date | None = None
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if not _HAS_YEAR.search(sentence) or not reports_as_past(sentence):
            continue
        for found in resolver.resolve(sentence, None):
            if found.granularity is Granularity.DAY and (latest is None or found.value > latest):
                latest = found.value
    return latest


def _month_end(value: date) -> date:
    following = (value.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _within(candidate: PublishedDate | None, floor: date | None,
            ceiling: date | None) -> PublishedDate | None:
    """The candidate if it lies between the bounds (a month overlapping them counts)."""
    if candidate is None:
        return None
    last = _month_end(candidate.value) if candidate.precision is Granularity.MONTH else candidate.value
    if floor is not None and last < floor:
        log.debug("dropping %s %s: the text reports %s as past", candidate.source,
                  candidate.value, floor)
        return None
    if ceiling is not None and candidate.value > ceiling:
        log.debug("dropping %s %s: after the page was captured", candidate.source,
                  candidate.value)
        return None
    return candidate


def _a_local_day_of(moment: datetime, day: date) -> bool:
    """Whether ``day`` is the calendar day of ``moment`` in some time zone in use."""
    if moment.tzinfo is None:
        return False
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return (utc + EARLIEST_ZONE).date() <= day <= (utc + LATEST_ZONE).date()


def infer_published(page: PageDates, *, text: str = "", captured: date | None = None,
                    fallback: PublishedDate | None = None,
                    resolver: TemporalResolver | None = None) -> PublishedDate | None:
    """The publication date of a page by the rules in the module docstring.

    ``text`` is the article body (for the reported-events bound),
    ``captured`` the day the page was fetched (None: today), ``fallback``
    the date from outside the page.
    """
    floor = latest_reported_day(text, resolver) if text else None
    ceiling = (captured or date.today()) + timedelta(days=CAPTURE_SLACK_DAYS)
    metadata = _within(page.metadata, floor, ceiling)
    url = _within(page.url, floor, ceiling)
    url_day = url if url and url.precision is Granularity.DAY else None
    dateline = _within(page.dateline, floor, ceiling)
    search = _within(page.search, floor, ceiling)

    chosen: PublishedDate | None
    if metadata and url_day and not (
        url_day.value - timedelta(days=1) <= metadata.value
        <= url_day.value + timedelta(days=URL_AGREEMENT_DAYS)
    ):
        chosen = url_day
    else:
        chosen = metadata or url_day or search or dateline or url
    if (chosen is metadata and dateline and page.metadata_moment
            and dateline.value != metadata.value
            and _a_local_day_of(page.metadata_moment, dateline.value)):
        chosen = dateline
    if chosen:
        return chosen
    if fallback:
        return fallback
    if floor:
        return PublishedDate(floor, Granularity.DAY, "reported-events")
    return None
