"""Anchoring: which reference time an expression takes, and which date it then is.

The rules, in the order :func:`anchor` applies them:

1. An expression with its own year needs no reference ("March 1, 2024").
2. A deictic one is anchored on the publication date ("yesterday", "two
   weeks ago", "next year", "on Sunday"); an anaphoric one on the last date
   the text resolved ("the following day", "a year earlier", "that day",
   "three days later"), when it was given in the same sentence or in one of
   the two before, and only when that date is precise enough for it (a day
   for "the next day", a month or a day for "two months later"); an
   elliptic one ("the 12th") on the last date when there is one, else on the
   publication date. Without its reference an expression stays unresolved:
   it never falls back to the publication date.
3. A recurring one goes to one of its occurrences around the reference:
   "last" asks for the latest that ended before it, "next" and "the
   following" for the earliest that starts after it; otherwise the clause's
   tense decides: past, the latest that started by the reference; future,
   the earliest that has not ended before it; either ("until 6 May",
   "the deadline is June 30", "was expected on Friday"), the nearest; no
   cue, the nearest, where one ahead counts as twice as far (news looks
   back more often than ahead). Around the last date the text gave ("that
   Sunday", "the 12th" after "June 9"), the nearest to it.
4. A weekday written beside a date picks the year in which they agree
   ("Wednesday May 6" is 2009 around 2009), the nearest such year.
5. A range keeps its start and end: the end is the first of its kind at or
   after the start ("March 30 to April 2"; "Dec. 28 to Jan. 3").
6. A shift counts its units from the reference and keeps the granularity of
   its unit: "two weeks ago" is a day, "a decade ago" a year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta

from storyline.annotate.temporal.expressions import (
    UNITS,
    Absolute,
    Cyclic,
    DayOfYear,
    Expression,
    Occurrence,
    Range,
    Reference,
    Relation,
    Shift,
    Weekday,
)
from storyline.annotate.temporal.tense import Tense
from storyline.model import Granularity

#: Without a tense, news speaks of what has happened more often than of
#: what is to come: an occurrence ahead counts as this many times as far as
#: one behind ("Tuesday's talks" on a Monday are tomorrow's; "its April 20
#: blowout" in December is April's past one). A boundary ("until", "by",
#: "deadline") takes the nearest as it is.
AHEAD_WEIGHT = 2
#: Weekday agreement looks this many years either way: every date falls on
#: every weekday within eleven years (29 February within 28).
AGREEMENT_YEARS = 14


@dataclass(frozen=True, slots=True)
class Resolved:
    """A resolved date: its value, granularity, last day, and a range's end value."""

    value: date
    granularity: Granularity
    last: date
    end_value: date | None = None

    @classmethod
    def of(cls, value: date, granularity: Granularity, end_value: date | None = None
           ) -> Resolved:
        end = end_value or value
        return cls(value, granularity, _last_day(end, granularity), end_value)


_LENGTH = {
    Granularity.DAY: relativedelta(days=1),
    Granularity.MONTH: relativedelta(months=1),
    Granularity.QUARTER: relativedelta(months=3),
    Granularity.HALF: relativedelta(months=6),
    Granularity.SEASON: relativedelta(months=3),
    Granularity.YEAR: relativedelta(years=1),
    Granularity.DECADE: relativedelta(years=10),
}
#: How fine an anchor an anaphoric shift by each unit needs.
_NEEDS = {
    Granularity.DAY: {Granularity.DAY},
    Granularity.MONTH: {Granularity.DAY, Granularity.MONTH},
    Granularity.QUARTER: {Granularity.DAY, Granularity.MONTH, Granularity.QUARTER},
    Granularity.YEAR: {Granularity.DAY, Granularity.MONTH, Granularity.YEAR},
}


def _last_day(value: date, granularity: Granularity) -> date:
    return value + _LENGTH[granularity] - timedelta(days=1)


def _truncate(value: date, granularity: Granularity) -> date:
    if granularity is Granularity.DAY:
        return value
    if granularity is Granularity.MONTH:
        return value.replace(day=1)
    if granularity is Granularity.QUARTER:
        return date(value.year, 3 * ((value.month - 1) // 3) + 1, 1)
    return date(value.year, 1, 1)


def pick(occurrences: Iterable[Occurrence], first: date, last: date, relation: Relation,
         tense: Tense) -> Occurrence | None:
    """The occurrence ``relation`` and ``tense`` ask for, around the reference [first, last]."""
    found = list(occurrences)
    if relation is Relation.LAST:
        before = [o for o in found if o.last < first]
        return max(before, key=lambda o: o.first, default=None)
    if relation is Relation.NEXT:
        after = [o for o in found if o.first > last]
        return min(after, key=lambda o: o.first, default=None)
    if tense is Tense.PAST:
        return max((o for o in found if o.first <= last), key=lambda o: o.first, default=None)
    if tense is Tense.FUTURE:
        return min((o for o in found if o.last >= first), key=lambda o: o.first, default=None)
    weight = 1 if tense is Tense.EITHER else AHEAD_WEIGHT
    return min(found, key=lambda o: (_distance(o, first, last) * (weight if o.first > last else 1),
                                     o.first), default=None)


def _distance(occurrence: Occurrence, first: date, last: date) -> int:
    if occurrence.last < first:
        return (first - occurrence.last).days
    if occurrence.first > last:
        return (occurrence.first - last).days
    return 0


def anchor(expression: Expression, published: date | None, last: Resolved | None,
           tense: Callable[[], Tense]) -> Resolved | None:
    """The date ``expression`` denotes, or ``None`` when its reference is missing.

    ``last`` is the last date the text resolved; ``tense`` gives the
    clause's tense, asked only when an occurrence must be chosen by it.
    """
    if isinstance(expression, Absolute):
        return Resolved.of(expression.value, expression.granularity)
    if isinstance(expression, Range):
        return _range(expression, published, last, tense)
    reference = _reference(expression, published, last)
    if reference is None:
        return None
    if isinstance(expression, Shift):
        return _shift(expression, reference)
    return _cyclic(expression, reference, tense if reference is not last else _no_tense)


def _no_tense() -> Tense:
    """Around the last date the text gave, the clause's tense says nothing: the nearest."""
    return Tense.EITHER


def _reference(expression: Cyclic | Shift, published: date | None, last: Resolved | None
               ) -> Resolved | None:
    """The publication day, or ``last`` itself (so ``is last`` tells which was taken)."""
    kind = expression.reference
    if kind is Reference.ELLIPTIC:
        if last is not None and last.granularity in (Granularity.DAY, Granularity.MONTH):
            return last
        kind = Reference.DEICTIC
    if kind is Reference.DEICTIC:
        return Resolved.of(published, Granularity.DAY) if published else None
    if last is None:
        return None
    if isinstance(expression, Shift):
        needs = _NEEDS.get(expression.granularity, {Granularity.DAY})
    elif isinstance(expression.cycle, Weekday | DayOfYear):
        needs = {Granularity.DAY}
    else:
        needs = {Granularity.DAY, Granularity.MONTH, Granularity.YEAR}
    return last if last.granularity in needs else None


def _shift(shift: Shift, reference: Resolved) -> Resolved:
    step, granularity = UNITS[shift.unit]
    value = _truncate(reference.value + step * shift.amount, granularity)
    return Resolved.of(value, granularity)


def _cyclic(cyclic: Cyclic, reference: Resolved, tense: Callable[[], Tense]
            ) -> Resolved | None:
    first, last = reference.value, reference.last
    cycle = cyclic.cycle
    if cyclic.year is not None:
        year = first.year + cyclic.year
        inside = [o for o in cycle.around(date(year, 7, 1), 1) if o.first.year == year]
        found = inside[0] if inside else None
    elif cyclic.weekday is not None and isinstance(cycle, DayOfYear):
        agreeing = [o for o in cycle.around(first, AGREEMENT_YEARS)
                    if o.first.weekday() == cyclic.weekday]
        found = pick(agreeing or cycle.around(first), first, last, Relation.NEAREST,
                     Tense.EITHER if agreeing else _tense_of(cyclic, tense))
    else:
        found = pick(cycle.around(first), first, last, cyclic.relation,
                     _tense_of(cyclic, tense))
    return Resolved.of(found.value, found.granularity) if found else None


def _tense_of(cyclic: Cyclic, tense: Callable[[], Tense]) -> Tense:
    if cyclic.relation is not Relation.NEAREST:
        return Tense.NONE  # "last", "next": the words say which; tense is not asked
    return tense()


def _range(expression: Range, published: date | None, last: Resolved | None,
           tense: Callable[[], Tense]) -> Resolved | None:
    start = anchor(expression.start, published, last, tense)
    if start is None:
        return None
    end_expression = expression.end
    if isinstance(end_expression, Absolute):
        end: date | None = end_expression.value
    else:
        after = [o for o in end_expression.cycle.around(start.value)
                 if o.first >= start.value]
        end = min(after, key=lambda o: o.first).value if after else None
    if end is None or end <= start.value:
        return Resolved.of(start.value, start.granularity)
    if (isinstance(end_expression, Absolute)
            and end_expression.granularity is not start.granularity):
        return Resolved.of(start.value, start.granularity)
    return Resolved.of(start.value, start.granularity, end)


# --------------------------------------------------------------------------
# How the page writes numeric dates
# --------------------------------------------------------------------------

#: Countries whose domains write numeric dates month first (or both ways):
#: a page on any other country's domain writes them day first.
MONTH_FIRST_COUNTRIES = frozenset({"us", "ph", "ca", "fm", "pw", "mh"})
#: Country domains sold as generic ones ("news.co", "app.io"): they say nothing.
GENERIC_COUNTRY_DOMAINS = frozenset({"co", "io", "tv", "me", "ai", "ly", "to", "cc", "ws",
                                     "gg", "am", "im"})
_SLASH_DATE = re.compile(r"(?<![\d/.-])([12]\d|3[01]|0?[1-9])/([12]\d|3[01]|0?[1-9])"
                         r"/(?:\d\d){1,2}(?![\d/])")


def day_first(text: str, url: str | None) -> bool:
    """Whether the page writes numeric dates day first.

    Another date in the same text that can only be read one way says so
    ("15/01/2024" is day first, "01/15/2024" month first); failing that,
    the page's country domain (``.co.uk``, ``.de``, ``.au``: day first);
    failing that, month first.
    """
    day_first_seen = month_first_seen = False
    if "/" in text:
        for first, second in _SLASH_DATE.findall(text):
            day_first_seen |= int(first) > 12
            month_first_seen |= int(second) > 12
    if day_first_seen != month_first_seen:
        return day_first_seen
    if url:
        try:
            host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
        except ValueError:  # not a URL at all ("http://[::1"): no domain to go by
            host = ""
        tld = host.rsplit(".", 1)[-1].lower()
        return (len(tld) == 2 and tld not in MONTH_FIRST_COUNTRIES
                and tld not in GENERIC_COUNTRY_DOMAINS)
    return False
