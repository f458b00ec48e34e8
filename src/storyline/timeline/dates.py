"""How strongly a collection of articles points at each date, and the order that follows.

A date that matters to a story is not only mentioned often: it is mentioned
by many articles, and it keeps being mentioned on many different days after
it happened (an anniversary of sorts, "since the spill on April 20"), while
a date that was news for one afternoon is mentioned by a burst of copies on
one day and then forgotten. :class:`DateSupport` gathers those counts per
date; :func:`support_score` turns them into a rank.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from storyline.model import Granularity

DateKey = tuple[date, Granularity]


@dataclass(slots=True)
class DateSupport:
    """The evidence for one date, filled mention by mention with :meth:`add`.

    ``fresh`` are the articles that report the date as news (published that
    day or the next); ``days`` the distinct publication days of the articles
    that mention it.
    """

    mentions: int = 0
    articles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    fresh: set[str] = field(default_factory=set)
    days: set[date] = field(default_factory=set)

    def add(self, value: date, article_id: str, source: str | None,
            published: date | None) -> None:
        self.mentions += 1
        self.articles.add(article_id)
        if source:
            self.sources.add(source)
        if published:
            self.days.add(published)
            if timedelta(0) <= published - value <= timedelta(days=1):
                self.fresh.add(article_id)


@dataclass(frozen=True, slots=True)
class SupportWeights:
    """How each count adds to a date's score; the granularity weight scales the sum.

    Month- and year-only dates get ``month``/``year`` times the score of a
    day: news repeats them as background far more than it reports
    month- or year-long events. The score is divided by the number of
    publication days since the date to the power ``opportunity`` (0: raw
    counts; see :func:`rank_dates`).
    """

    articles: float = 0.1
    fresh: float = 0.1
    days: float = 1.0
    month: float = 0.5
    year: float = 0.25
    opportunity: float = 0.5

    def granularity(self, granularity: Granularity) -> float:
        return {Granularity.DAY: 1.0, Granularity.MONTH: self.month,
                Granularity.YEAR: self.year}[granularity]


def support_score(key: DateKey, found: DateSupport, weights: SupportWeights,
                  opportunity: int = 1) -> tuple[float, float]:
    """The rank key of a date: weighted support first, raw mentions to break ties.

    ``opportunity`` is the number of publication days on which the date could
    have been mentioned after it happened; the support is divided by its
    ``weights.opportunity``-th power (see :func:`rank_dates`).
    """
    scale = weights.granularity(key[1]) / max(1, opportunity) ** weights.opportunity
    support = (weights.articles * len(found.articles) + weights.fresh * len(found.fresh)
               + weights.days * len(found.days))
    return (scale * support, scale * found.mentions)


def rank_dates(support: dict[DateKey, DateSupport], weights: SupportWeights,
               published: Iterable[date] = ()) -> list[DateKey]:
    """Dates by descending score; equal scores keep the earlier date first.

    A date early in a collection has had every later day to be mentioned
    on, a date near its end only a few: raw counts rank a story's first
    week above everything after it, while its editors spread a timeline
    over the whole story. So the support is divided by a power of the
    number of days on or after the date on which ``published`` articles
    appeared: days with articles, not calendar days, so that a gap in a
    collection costs no date anything. The square root (the default) is
    the count's size against its own noise, as in a Poisson z-score; the
    whole count would let one mention on the last day beat a hundred on
    the first. A date after the last article has not happened yet: every
    mention of it is an announcement, and it gets no such credit.
    """
    days = sorted(set(published))
    return sorted(sorted(support), key=lambda key: support_score(
        key, support[key], weights, days_since(key[0], days)), reverse=True)


def days_since(value: date, days: Sequence[date]) -> int:
    """Of the sorted publication ``days``, how many are on or after ``value``; all for a later date."""
    return len(days) - bisect.bisect_left(days, value) or len(days)
