"""What a temporal expression means before it is anchored: the normalizer's output.

The grammar turns each span into one of four forms, as TimeML's TIMEX3
values do with their ``XXXX`` placeholders:

- :class:`Absolute` carries its own year: "March 1, 2024", "March 2009",
  "2008", "Q3 2018", "Christmas 2007", "the 1990s".
- :class:`Cyclic` recurs and the text does not say which time: "June 23",
  "May", "Sunday", "the third quarter", "this summer", "Christmas Day", "the
  12th", "year-end", "the '80s". Anchoring picks one occurrence.
- :class:`Shift` lies at a distance from a reference: "yesterday", "two
  weeks ago", "next year", "in three days" (from the publication date),
  "the following day", "a year earlier", "that day" (from the last date
  the text gave).
- :class:`Range` joins two of them: "from March 3 to 5", "2004 to 2008".

Each knows which reference time it takes (:class:`Reference`) and how to
list its candidate dates; :mod:`anchoring` chooses among them.
"""

from __future__ import annotations

import enum
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from storyline.annotate.temporal.vocabulary import WEEKDAYS, Holiday
from storyline.model import SEASON_MONTHS, Granularity, format_date


class Reference(enum.Enum):
    """Which reference time an expression is anchored on."""

    ABSOLUTE = "absolute"  # none: it carries its year
    DEICTIC = "deictic"  # the publication date: "yesterday", "last week", "on Sunday"
    ANAPHORIC = "anaphoric"  # the last date the text resolved: "the next day", "that year"
    #: Borrows what it lacks from the last date when there is one, else from
    #: the publication date: "the 12th" is of the month last spoken of.
    ELLIPTIC = "elliptic"


class Relation(enum.Enum):
    """Which occurrence of a cyclic expression its own words ask for."""

    NEAREST = "nearest"  # bare, or "this": the one the clause's tense and cues pick
    LAST = "last"  # "last May": the latest that ended before the reference day
    NEXT = "next"  # "next Friday", "the following Sunday": the earliest that starts after it


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a cyclic expression: its first and last day, and its value."""

    first: date
    last: date
    value: date
    granularity: Granularity


@dataclass(frozen=True, slots=True)
class Absolute:
    value: date
    granularity: Granularity
    reference: Reference = Reference.ABSOLUTE

    def __str__(self) -> str:
        return format_date(self.value, self.granularity)


# --------------------------------------------------------------------------
# What recurs: one class per cycle, each listing its occurrences near a day
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayOfYear:
    """"June 23", "Dec. 28": a day that comes back every year (Feb 29 every fourth)."""

    month: int
    day: int
    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        for year in range(day.year - reach, day.year + reach + 1):
            if self.day <= monthrange(year, self.month)[1]:
                found = date(year, self.month, self.day)
                yield Occurrence(found, found, found, Granularity.DAY)

    def __str__(self) -> str:
        return f"XXXX-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class MonthOfYear:
    """"May", "last February", "mid-March"."""

    month: int

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        for year in range(day.year - reach, day.year + reach + 1):
            first = date(year, self.month, 1)
            last = date(year, self.month, monthrange(year, self.month)[1])
            yield Occurrence(first, last, first, Granularity.MONTH)

    def __str__(self) -> str:
        return f"XXXX-{self.month:02d}"


_PART_GRANULARITY = {"Q": Granularity.QUARTER, "H": Granularity.HALF}


@dataclass(frozen=True, slots=True)
class PartOfYear:
    """A quarter (``Q3``), a half (``H2``) or a season (``SU``, TimeML's codes)."""

    code: str

    def span(self, year: int) -> tuple[date, date, Granularity]:
        if self.code[0] in _PART_GRANULARITY:
            length = 3 if self.code[0] == "Q" else 6
            month = length * (int(self.code[1]) - 1) + 1
            granularity = _PART_GRANULARITY[self.code[0]]
        else:
            length, month, granularity = 3, SEASON_MONTHS[self.code], Granularity.SEASON
        first = date(year, month, 1)
        return first, first + relativedelta(months=length, days=-1), granularity

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        for year in range(day.year - reach - 1, day.year + reach + 1):
            first, last, granularity = self.span(year)
            yield Occurrence(first, last, first, granularity)

    def __str__(self) -> str:
        return f"XXXX-{self.code}"


@dataclass(frozen=True, slots=True)
class HolidayOfYear:
    """"Christmas Day", "Good Friday", "Thanksgiving": a named day (``data/holidays.tsv``)."""

    name: str
    holiday: Holiday

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        for year in range(day.year - reach, day.year + reach + 1):
            found = self.holiday.day(year)
            yield Occurrence(found, found, found, Granularity.DAY)

    def __str__(self) -> str:
        return f"XXXX ({self.name})"


@dataclass(frozen=True, slots=True)
class YearEnd:
    """"year-end", "the end of the year": the last day of a year, told as its year."""

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        for year in range(day.year - reach, day.year + reach + 1):
            yield Occurrence(date(year, 12, 31), date(year, 12, 31), date(year, 1, 1),
                             Granularity.YEAR)

    def __str__(self) -> str:
        return "XXXX-12-31 (as its year)"


@dataclass(frozen=True, slots=True)
class Weekday:
    """"Sunday", "last Thursday", "Thursday night": 0 is Monday."""

    weekday: int

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        start = day + timedelta(days=(self.weekday - day.weekday()) % 7 - 7 * (reach + 1))
        for week in range(2 * reach + 2):
            found = start + timedelta(days=7 * week)
            yield Occurrence(found, found, found, Granularity.DAY)

    def __str__(self) -> str:
        return WEEKDAYS[self.weekday].capitalize()


@dataclass(frozen=True, slots=True)
class DayOfMonth:
    """"the 12th": a day that comes back every month."""

    day: int

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        first = day.replace(day=1)
        for months in range(-reach, reach + 1):
            month = first + relativedelta(months=months)
            if self.day <= monthrange(month.year, month.month)[1]:
                found = month.replace(day=self.day)
                yield Occurrence(found, found, found, Granularity.DAY)

    def __str__(self) -> str:
        return f"XXXX-XX-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class DecadeOfCentury:
    """"the '80s", "the eighties": a decade without its century."""

    decade: int

    def around(self, day: date, reach: int = 1) -> Iterator[Occurrence]:
        for century in range(day.year // 100 - reach, day.year // 100 + reach + 1):
            year = 100 * century + 10 * self.decade
            if year >= 1:
                first = date(year, 1, 1)
                yield Occurrence(first, date(year + 9, 12, 31), first, Granularity.DECADE)

    def __str__(self) -> str:
        return f"XX{self.decade}"


Cycle = (DayOfYear | MonthOfYear | PartOfYear | HolidayOfYear | YearEnd | Weekday | DayOfMonth
         | DecadeOfCentury)


@dataclass(frozen=True, slots=True)
class Cyclic:
    """A date that recurs.

    ``weekday`` is a weekday written beside a yearly day ("Monday, June
    24"); ``year`` a year given relative to the reference ("the first
    quarter of next year": +1), which leaves only that year's occurrence.
    """

    cycle: Cycle
    relation: Relation = Relation.NEAREST
    reference: Reference = Reference.DEICTIC
    weekday: int | None = None
    year: int | None = None

    def __str__(self) -> str:
        words = [] if self.reference is Reference.DEICTIC else [self.reference.value]
        if self.relation is not Relation.NEAREST:
            words.append(self.relation.value)
        if self.weekday is not None:
            words.append(WEEKDAYS[self.weekday][:3].capitalize())
        text = " ".join([*words, str(self.cycle)])
        return text if self.year is None else f"{text} of year {self.year:+d}"


# --------------------------------------------------------------------------
# Distances and ranges
# --------------------------------------------------------------------------

#: What a shift by one unit comes to, and the granularity of the date it gives.
UNITS = {
    "day": (relativedelta(days=1), Granularity.DAY),
    "week": (relativedelta(weeks=1), Granularity.DAY),
    "month": (relativedelta(months=1), Granularity.MONTH),
    "quarter": (relativedelta(months=3), Granularity.QUARTER),
    "year": (relativedelta(years=1), Granularity.YEAR),
    "decade": (relativedelta(years=10), Granularity.YEAR),
}


@dataclass(frozen=True, slots=True)
class Shift:
    """``amount`` ``unit``s after (or, negative, before) the reference time."""

    unit: str
    amount: int
    reference: Reference

    @property
    def granularity(self) -> Granularity:
        return UNITS[self.unit][1]

    def __str__(self) -> str:
        base = "publication" if self.reference is Reference.DEICTIC else "last date"
        return f"{base} {self.amount:+d} {self.unit}"


@dataclass(frozen=True, slots=True)
class Range:
    """From ``start`` to ``end``; a cyclic end is the first one at or after the start."""

    start: Absolute | Cyclic
    end: Absolute | Cyclic

    @property
    def reference(self) -> Reference:
        return self.start.reference

    def __str__(self) -> str:
        return f"{self.start}/{self.end}"


Expression = Absolute | Cyclic | Shift | Range
