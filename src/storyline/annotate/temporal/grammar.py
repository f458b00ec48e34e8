"""The expression grammar: named pieces, and rules built from them.

As HeidelTime and SUTime keep them, each rule says side by side what it
matches (a pattern built from named pieces such as ``MONTH`` and ``DAY``),
what it yields (a function from the match to an :mod:`expression
<storyline.annotate.temporal.expressions>`), when the words are not a date
in this use (:mod:`uses`), and examples, which the tests check one by one.
All rules are compiled into one scanner, tried left to right; at one place
the first rule in :data:`RULES` that matches wins, so a range comes before
the date it starts with.

A rule's reader sees the span and its sentence (:class:`Found`) and
returns nothing (not a date here), one expression for the whole span, or
several expressions with their own spans ("April 24 and 25").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from dateparser.date import DateDataParser

from storyline.annotate.temporal.expressions import (
    Absolute,
    Cyclic,
    DayOfMonth,
    DayOfYear,
    DecadeOfCentury,
    Expression,
    HolidayOfYear,
    MonthOfYear,
    PartOfYear,
    Range,
    Reference,
    Relation,
    Shift,
    Weekday,
    YearEnd,
)
from storyline.annotate.temporal.tense import Tense, clause_tense
from storyline.annotate.temporal.uses import (
    DETERMINERS,
    TEMPORAL_PREV,
    amount_follows,
    at_sentence_start,
    capitalised,
    habitual,
    is_temporal_word,
    is_year,
    next_word,
    part_of_name,
    prev_word,
    weekday_is_name,
    year_is_label,
)
from storyline.annotate.temporal.vocabulary import (
    AMBIGUOUS_MONTHS,
    DECADE_WORDS,
    MONTH_ABBR,
    MONTH_NUMBER,
    MONTHS,
    NUMBER_WORDS,
    ORDINAL_WORDS,
    SEASONS,
    WEEKDAY_NUMBER,
    WEEKDAYS,
    holidays,
)
from storyline.model import Granularity

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Named pieces
# --------------------------------------------------------------------------


def _cased(words: Iterable[str]) -> str:
    """``Word|WORD`` for each word: month and weekday names are capitalised,
    which alone rules out the modal "may" and the verb "march"."""
    return "|".join(f"{w.capitalize()}|{w.upper()}" for w in sorted(words, key=len, reverse=True))


def _words(words: Iterable[str]) -> str:
    """An alternation of the words, longest first; a space matches any spacing."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len,
                                                                        reverse=True))


MONTH_FULL = rf"(?:{_cased(MONTHS)})(?![A-Za-z])"
MONTH = rf"(?:{_cased(MONTHS)}|(?:{_cased(MONTH_ABBR)})(?:\.|(?![A-Za-z])))"
WEEKDAY = rf"(?:{_cased(WEEKDAYS)})(?![A-Za-z])"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\w:.]\d|\d|[A-Za-z])"
ORDINAL_DAY = r"(?:[12]\d|3[01]|[1-9])(?:st|nd|rd|th)(?![\w])"
YEAR = r"(?:1\d|20)\d\d(?![\w])"
SEP = r"\s*,?\s*"
#: Lower case only: "Tuesday Morning" is a retailer, "Tuesday morning" a time.
PART_OF_DAY = r"(?:night|morning|afternoon|evening|NIGHT|MORNING|AFTERNOON|EVENING)"
NUMBER = rf"(?:\d{{1,3}}|(?i:{_words(NUMBER_WORDS)}))"
UNIT = r"(?i:(?:day|week|month|year|decade)s?)(?![\w])"
#: Where in a period: kept in the span, not in the value ("late June" is June).
MOD = (r"(?i:early|late|mid|the\s+end\s+of|end\s+of|the\s+beginning\s+of|beginning\s+of"
       r"|the\s+start\s+of|start\s+of|the\s+middle\s+of|middle\s+of)")
TO = r"\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b)\s*"
AND = r"\s+(?:and|or|&)\s+"
#: The named days of data/holidays.tsv, capitalised as written there.
HOLIDAY = rf"(?:{_words({n for h in holidays().values() for n in h.names})})(?![\w'])"

# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """What the resolver knows of the page: how it writes numeric dates."""

    day_first: bool = False


@dataclass(frozen=True, slots=True)
class Found:
    """A match of one rule: its groups, its sentence, the page and publication date."""

    rule: str
    match: re.Match[str]
    text: str
    page: Page
    published: date | None

    def group(self, name: str) -> str | None:
        """The group's text; ``None`` when it did not match or this rule has none
        (rules that share a reader need not have the same groups)."""
        try:
            return self.match.group(f"{self.rule}__{name}")
        except IndexError:
            return None

    def start(self, name: str | None = None) -> int:
        return self.match.start(f"{self.rule}__{name}" if name else self.rule)

    def end(self, name: str | None = None) -> int:
        return self.match.end(f"{self.rule}__{name}" if name else self.rule)

    def tense(self, *, possessive: bool = False) -> Tense:
        return clause_tense(self.text, self.start(), self.end(), possessive=possessive)


Reading = Expression | list[tuple[int, int, Expression]] | None


@dataclass(frozen=True)
class Rule:
    """A named rule: pattern, reader and examples (sentence, span, normalized form or None)."""

    name: str
    pattern: str
    read: Callable[[Found], Reading]
    examples: tuple[tuple[str, str, str | None], ...] = field(default=())


# -- readers of absolute dates: dateparser reads what the grammar found --------


@lru_cache(maxsize=65536)
def read_calendar(core: str, order: str = "MDY") -> tuple[date, Granularity] | None:
    """A date written out in full ("March 1 2024", "10 February 2009", "03/01/2024").

    dateparser knows the forms (abbreviations, ordinals, day-first or
    month-first numbers in ``order``) and which days exist ("February 30"
    does not); cached, as news repeats the same dates.
    """
    data = _parser(order).get_date_data(core)
    if data.date_obj is None or data.period not in ("day", "month", "year"):
        logger.debug("dateparser cannot read %r as a %s date", core, order)
        return None  # "February 30"
    value = data.date_obj.date()
    granularity = Granularity(data.period)
    if granularity is Granularity.MONTH:
        value = value.replace(day=1)
    elif granularity is Granularity.YEAR:
        value = value.replace(month=1, day=1)
    return value, granularity


@lru_cache(maxsize=4)
def _parser(order: str) -> DateDataParser:
    return DateDataParser(languages=["en"], settings={
        "DATE_ORDER": order, "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})


def _absolute(core: str, order: str = "MDY") -> Absolute | None:
    found = read_calendar(core, order)
    return Absolute(*found) if found else None


def _month(token: str) -> int:
    word = token.lower().rstrip(".")
    return MONTH_NUMBER.get(word) or MONTH_ABBR[word]


def _day(token: str) -> int:
    return int(token.rstrip("stndrh"))


def _number(token: str) -> int:
    token = " ".join(token.lower().split())
    return int(token) if token.isdigit() else NUMBER_WORDS[token]


def _weekday(token: str | None) -> int | None:
    return WEEKDAY_NUMBER[token.lower()[:3]] if token else None




# -- numeric dates ---------------------------------------------------------------


def read_iso(f: Found) -> Reading:
    """"2024-03-01"."""
    return _absolute(f"{f.group('y')}-{f.group('m')}-{f.group('d')}", "YMD")


def read_ymd(f: Found) -> Reading:
    """"2019/06/20": year first, then month."""
    return _absolute(f"{f.group('y')}-{int(f.group('m')):02d}-{int(f.group('d')):02d}", "YMD")


def read_dotted(f: Found) -> Reading:
    """"14.01.2025": day first, as everywhere dots are written."""
    return _absolute(f"{f.group('d')}.{f.group('m')}.{f.group('y')}", "DMY")


def read_slash(f: Found) -> Reading:
    """Day first when the first number cannot be a month, or the page writes day first."""
    first, second = int(f.group("a")), int(f.group("b"))
    day_first = first > 12 or (second <= 12 and f.page.day_first)
    return _absolute(f"{first}/{second}/{f.group('y')}", "DMY" if day_first else "MDY")


# -- month and day ---------------------------------------------------------------


def _yearly_day(f: Found, month: str, day: str, year: str | None,
                weekday: str | None = None) -> Absolute | Cyclic | None:
    if year and amount_follows(f.text, f.end()):
        year = None  # "On March 4, 2000 people marched": the number is a count
    if year:
        return _absolute(f"{_month(month)}/{_day(day)}/{year}")
    cycle = DayOfYear(_month(month), _day(day))
    if not any(True for _ in cycle.around(date(2000, 1, 1), 0)):
        return None  # "February 30" (2000 is a leap year)
    return Cyclic(cycle, weekday=_weekday(weekday))


def read_month_day(f: Found) -> Reading:
    """"Feb. 10", "10 February", "Monday, June 24", "March 1, 2024"."""
    return _yearly_day(f, f.group("m"), f.group("d"), f.group("y"), f.group("wd"))


def read_day_range(f: Found) -> Reading:
    """"March 3 to 5", "January 5-7", "3-5 March 2009" (a range); "April 24 and 25" (two days)."""
    month, year = f.group("m"), f.group("y")
    month2 = f.group("m2") or month
    if amount_follows(f.text, f.end()):
        return None  # "May 5 to 10 percent"
    first = _yearly_day(f, month, f.group("d1"), year, f.group("wd"))
    second = _yearly_day(f, month2, f.group("d2"), year)
    if first is None or second is None:
        return None
    if f.group("list") and not prev_word(f.text, f.start()).lower() == "between":
        second_start = f.start("m2") if f.group("m2") else f.start("d2")
        return [(f.start(), f.end("d1"), first), (second_start, f.end(), second)]
    return Range(first, second)


# -- months and years ------------------------------------------------------------


def read_month_year(f: Found) -> Reading:
    """"March 2009", "late June of 2008"."""
    if amount_follows(f.text, f.end()):
        # "In March 2000 people marched": the number is a count.
        return _bare_month(f, f.group("m"), f.group("mod"), f.start("m"))
    return _absolute(f"{MONTHS[_month(f.group('m')) - 1]} {f.group('y')}")


def read_month_range(f: Found) -> Reading:
    """"from March to May", "March-May 2009": a range of months."""
    year = f.group("y")
    first, last = _month(f.group("m1")), _month(f.group("m2"))
    if year:  # "November-February 2009": the year is the end's
        start = _absolute(f"{MONTHS[first - 1]} {int(year) - (last < first)}")
        end = _absolute(f"{MONTHS[last - 1]} {year}")
        return Range(start, end) if start and end else None
    if not _month_is_date(f, f.group("m1"), f.start("m1"), f.end("m1"), None):
        return None
    return Range(Cyclic(MonthOfYear(first)), Cyclic(MonthOfYear(last)))


def _month_is_date(f: Found, name: str, start: int, end: int, mod: str | None) -> bool:
    low = name.lower()
    prev = prev_word(f.text, start).lower()
    if mod:
        return True
    if habitual(f.text, start):
        return False  # "every August"
    if prev in DETERMINERS and not (prev == "the" and (
            low not in AMBIGUOUS_MONTHS or _ATTRIBUTIVE.match(f.text, end))):
        return False  # "a March", "one May", but "the February report", "the March accession"
    if part_of_name(f.text, start, end, prev_word(f.text, start)):
        return False  # "April Smith", "Theresa May"
    if low in AMBIGUOUS_MONTHS and prev not in TEMPORAL_PREV and prev != "the" and (
        low == "may" or not f.text.startswith("'s", end)
    ):
        return False  # "June said", "a March", but "June's elections"
    if low in AMBIGUOUS_MONTHS and prev in ("and", "or") and not _LIST_OF_MONTHS.search(
        f.text, max(0, start - 40), start
    ):
        return False  # "Smith and May", but "January and May"
    return True


_LIST_OF_MONTHS = re.compile(
    rf"(?:{_cased(MONTHS)})\W+(?:\w+\W+)?(?:and|or|to|through|until|till)\W+$"
)
_RELATIONS = {"last": Relation.LAST, "next": Relation.NEXT, "this": Relation.NEAREST}


def _bare_month(f: Found, name: str, mod: str | None, start: int) -> Reading:
    mod = " ".join((mod or "").lower().split())
    if not _month_is_date(f, name, start, f.end(), mod):
        return None
    return Cyclic(MonthOfYear(_month(name)), _RELATIONS.get(mod, Relation.NEAREST))


def read_month(f: Found) -> Reading:
    """"in February", "last May", "mid-March", "the March accession"."""
    return _bare_month(f, f.group("m"), f.group("mod"), f.start("m"))


def read_year(f: Found) -> Reading:
    """"2008", "mid-2008": a year, unless a count, an amount, a name or a label (:mod:`uses`)."""
    start, end = f.start("y"), f.end("y")
    if not f.group("mod"):
        if not is_year(f.text, start, end):
            return None
        if year_is_label(f.text, start, end, f.published,
                         lambda: f.tense() is Tense.FUTURE):
            return None
    return _absolute(f.group("y"))


def read_year_range(f: Found) -> Reading:
    """"from 2004 to 2008", "between 2004 and 2008"."""
    first, last = int(f.group("y1")), int(f.group("y2"))
    if last <= first:
        return None
    return Range(Absolute(date(first, 1, 1), Granularity.YEAR),
                 Absolute(date(last, 1, 1), Granularity.YEAR))


# -- weekdays, named days, the Nth -----------------------------------------------


#: What follows a weekday or month that qualifies a noun ("the Friday
#: explosions", "a Sunday night vigil", "the March accession"): a lower-case
#: word that is not a preposition, a conjunction or a verb.
_ATTRIBUTIVE = re.compile(
    r"\s+(?:" + PART_OF_DAY + r"\s+)?(?!(?:and|or|but|of|to|through|until|when|as|at|in|on"
    r"|for|by|from|with|across|into|over|along|around|is|was|were|are|will|would|has|had"
    r"|have)\b)[a-z]")


def read_weekday(f: Found) -> Reading:
    """"on Sunday", "last Thursday", "Thursday night", "Sunday's vote", "the Friday explosions".

    After a determiner a weekday is a date only when it qualifies a noun
    ("the Friday explosions", "a Sunday night vigil"): "the following
    Sunday" is of another time, "every Sunday" a habit, "the Sunday Times"
    a name.
    """
    start = f.start("d")
    mod = " ".join((f.group("mod") or "").lower().split())
    prev = prev_word(f.text, start)
    if not mod:
        low = prev.lower()
        if habitual(f.text, start):
            return None
        if low in DETERMINERS and not (
            low in ("the", "a", "an") and _ATTRIBUTIVE.match(f.text, f.end("d"))
        ):
            return None  # "the following Sunday" (its own rule), "one Friday"
        if weekday_is_name(f.text, start, f.end("d"), prev):
            return None  # "Sunday Times", "Super Tuesday", "The Mail on Sunday"
    relation = {"last": Relation.LAST, "next": Relation.NEXT, "coming": Relation.NEXT,
                "this coming": Relation.NEXT}.get(mod, Relation.NEAREST)
    return Cyclic(Weekday(_weekday(f.group("d"))), relation)


_FOLLOWING = {"the following": Relation.NEXT, "the next": Relation.NEXT,
              "the previous": Relation.LAST, "the preceding": Relation.LAST,
              "that": Relation.NEAREST, "the same": Relation.NEAREST}


def read_anaphoric_named(f: Found) -> Reading:
    """"the following Tuesday", "the previous March", "that Sunday": from the last date."""
    det = " ".join(f.group("det").lower().split())
    name = f.group("n")
    if name.lower() in AMBIGUOUS_MONTHS and det == "that":
        return None  # "said that May ..." is a name
    if name.lower() in WEEKDAY_NUMBER:
        cycle: Weekday | MonthOfYear = Weekday(_weekday(name))
    else:
        cycle = MonthOfYear(_month(name))
    if det == "that" and f.text.startswith("'s", f.end()):
        return Cyclic(cycle)  # "insisted that Friday's debate go ahead": "that" joins a clause
    return Cyclic(cycle, _FOLLOWING[det], Reference.ANAPHORIC)


def read_holiday(f: Found) -> Reading:
    """"Christmas Day", "Good Friday", "Thanksgiving", "Christmas 2007"."""
    name = " ".join(f.group("h").split())
    start = f.start()
    prev = prev_word(f.text, start)
    if habitual(f.text, start) or prev.lower() in ("a", "an"):
        return None  # "every Christmas", "a Christmas tree"
    following = next_word(f.text, f.end("h"))
    if not f.group("y") and (part_of_name(f.text, start, f.end("h"), prev) or (
            capitalised(following) and not is_temporal_word(following))):
        return None  # "Christmas Island", "Good Friday Agreement", "Merry Christmas"
    if following.lower() in ("week", "weekend"):
        return None  # "Easter week", "Thanksgiving weekend": a week, which is not resolved
    holiday = holidays()[name.lower()]
    if f.group("y"):
        return Absolute(holiday.day(int(f.group("y"))), Granularity.DAY)
    return Cyclic(HolidayOfYear(name, holiday))


#: What may follow "the 12th" as a date: the end of the phrase, or a word
#: that starts another ("on the 12th they met"), not a noun ("the 12th floor").
_AFTER_NTH = re.compile(r"\s*(?:[^\w\s]|$)|\s+(?:and|or|but|of|to|through|until|when|as|at|in|on"
                        r"|for|by|from|with|they|he|she|it|we|i|you|the|a|an|his|her|their"
                        r"|its|our)\b|\s+[A-Z]")
_NTH_PREPOSITIONS = frozenset("on by until till since from before after through".split())


def read_nth(f: Found) -> Reading:
    """"on the 12th", "by the 3rd": a day of the month last spoken of (or of publication)."""
    if prev_word(f.text, f.start()).lower() not in _NTH_PREPOSITIONS:
        return None  # "the 12th century", "finished 10th"
    if not _AFTER_NTH.match(f.text, f.end()):
        return None  # "on the 12th floor"
    return Cyclic(DayOfMonth(_day(f.group("d"))), reference=Reference.ELLIPTIC)


# -- quarters, halves, seasons, decades ------------------------------------------


def _part(f: Found, code: str) -> Reading:
    year = f.group("y")
    if year:
        first, _, granularity = PartOfYear(code).span(int(year))
        return Absolute(first, granularity)
    which = (f.group("rel") or "").lower()
    if which in ("this", "last", "next"):
        return Cyclic(PartOfYear(code), year={"this": 0, "last": -1, "next": 1}[which])
    return Cyclic(PartOfYear(code))


def _ordinal(token: str) -> int:
    token = token.lower()
    return int(token[0]) if token[0].isdigit() else ORDINAL_WORDS[token]


def read_quarter(f: Found) -> Reading:
    """"Q3 2018", "the third quarter", "third-quarter profit", "the first quarter of 2019"."""
    if f.group("n"):
        prev = prev_word(f.text, f.start())
        if capitalised(prev) and prev.lower() not in TEMPORAL_PREV | DETERMINERS:
            return None  # "Audi Q3"
        return _part(f, f"Q{f.group('n')}")
    return _part(f, f"Q{_ordinal(f.group('ord'))}")


def read_half(f: Found) -> Reading:
    """"H1 2019", "the second half of 2019", "the first half of the year"."""
    return _part(f, f"H{f.group('n') or _ordinal(f.group('ord'))}")


def read_season(f: Found) -> Reading:
    """"this summer", "last winter", "autumn 2008", "in the spring of 2010"."""
    season, rel, year = f.group("s").lower(), (f.group("rel") or "").lower(), f.group("y")
    code = SEASONS[season]
    prev = prev_word(f.text, f.start())
    if f.group("s")[0].isupper() and part_of_name(f.text, f.start("s"), f.end("s"), prev):
        return None  # "Arab Spring", "Prague Spring"
    if year:
        return _part(f, code)
    if not rel and prev.lower() not in ("in", "during", "by", "until", "since", "through"):
        return None  # "summer camp", "Winter is coming": no date without a determiner or year
    if season == "fall" and rel in ("", "the") and (
        prev.lower() not in ("in", "during", "by", "until", "since", "through")
        or re.match(r"\s+(?:of|in)\b", f.text[f.end():])
    ):
        return None  # "the fall in prices", "the fall of Rome"
    return Cyclic(PartOfYear(code), _RELATIONS.get(rel, Relation.NEAREST))


def read_decade(f: Found) -> Reading:
    """"the 1990s", "the '80s", "the eighties": a decade, at its own granularity."""
    if f.group("full"):
        return Absolute(date(int(f.group("full")), 1, 1), Granularity.DECADE)
    if (f.group("word") or not f.group("apostrophe")) and not f.group("the"):
        return None  # "in her 80s", "in his sixties": an age
    digit = int(f.group("short")) if f.group("short") else DECADE_WORDS[f.group("word").lower()]
    return Cyclic(DecadeOfCentury(digit))


def read_year_end(f: Found) -> Reading:
    """"year-end", "the end of the year": the year whose end the clause speaks of."""
    return Cyclic(YearEnd())


# -- relative: to the publication date, to the last date ---------------------------


_ONE_DAY_WORDS = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}


def read_relative_day(f: Found) -> Reading:
    """"today", "tonight", "this morning", "yesterday", "tomorrow", "last night"."""
    if f.match.group()[0].isupper() and not at_sentence_start(f.text, f.start()):
        prev = prev_word(f.text, f.start())
        if (prev.lower() in DETERMINERS or part_of_name(f.text, f.start(), f.end(), prev)
                or next_word(f.text, f.end()).lower() in ("programme", "program", "show")):
            return None  # "BBC Radio 4's Today programme", "USA Today"
    if f.group("dby"):
        amount = -2 if f.group("dby").lower().startswith("before") else 2
    elif f.group("lastnight"):
        amount = -1
    elif f.group("word"):
        amount = _ONE_DAY_WORDS[f.group("word").lower()]
    else:
        amount = 0  # this morning, earlier today
    return Shift("day", amount, Reference.DEICTIC)


def read_relative_unit(f: Found) -> Reading:
    """"last year", "next month", "this year", "late last year", "last quarter"."""
    if prev_word(f.text, f.start()).lower() in DETERMINERS:
        return None  # "over the last year" is the past twelve months: a duration
    amount = {"this": 0, "last": -1, "next": 1}[f.group("which").lower()]
    return Shift(f.group("u").lower(), amount, Reference.DEICTIC)


def _unit(token: str) -> str:
    return token.lower().rstrip("s")


def read_ago(f: Found) -> Reading:
    """"two weeks ago", "a decade ago", "3 days ago", "two years from now"."""
    amount = _number(f.group("n"))
    direction = -1 if f.group("dir").lower() == "ago" else 1
    return Shift(_unit(f.group("u")), direction * amount, Reference.DEICTIC)


def read_in_units(f: Found) -> Reading:
    """"in two weeks": a date where the clause looks forward, else a duration."""
    if f.tense() is not Tense.FUTURE:
        return None  # "prices doubled in two weeks" is how long, not when
    return Shift(_unit(f.group("u")), _number(f.group("n")), Reference.DEICTIC)


_CLAUSE_END = re.compile(r"\s*(?:[,.;:!?)\]\"']|--|—|$)")


def read_later(f: Found) -> Reading:
    """"three days later", "a year earlier", "two days before,": from the last date."""
    direction = f.group("dir").lower()
    if direction in ("before", "after") and not _CLAUSE_END.match(f.text, f.end()):
        return None  # "three days after the attack" counts from the attack
    if next_word(f.text, f.end()).lower() == "than":
        return None  # "two years earlier than planned"
    sign = -1 if direction in ("earlier", "before", "previously") else 1
    return Shift(_unit(f.group("u")), sign * _number(f.group("n")), Reference.ANAPHORIC)


_PART_UNITS = {"night": "day", "morning": "day", "afternoon": "day", "evening": "day"}


def read_anaphoric_unit(f: Found) -> Reading:
    """"the next day", "that year", "later that year", "the day before", "the same day"."""
    if f.group("dir"):
        if not _CLAUSE_END.match(f.text, f.end()):
            return None  # "the day after the vote" counts from the vote
        return Shift("day", -1 if f.group("dir").lower() == "before" else 1,
                     Reference.ANAPHORIC)
    det = " ".join(f.group("det").lower().split())
    unit = f.group("u").lower()
    amount = {"that": 0, "the same": 0, "the next": 1, "the following": 1,
              "the previous": -1, "the preceding": -1}[det]
    return Shift(_PART_UNITS.get(unit, unit), amount, Reference.ANAPHORIC)


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------

_CUE_WORDS = r"(?i:early|late|mid|this\s+coming|last|next|this|coming)"

RULES: tuple[Rule, ...] = (
    Rule("iso", r"(?<![\d/.-])(?P<y>(?:1\d|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])"
                r"(?![\d-])", read_iso,
         (("It was signed on 2024-03-01.", "2024-03-01", "2024-03-01"),)),
    Rule("ymd", r"(?<![\d/.-])(?P<y>(?:1\d|20)\d\d)/(?P<m>0?[1-9]|1[0-2])/(?P<d>[12]\d|3[01]|0?[1-9])"
                r"(?![\d/])", read_ymd,
         (("The filing is dated 2019/06/20.", "2019/06/20", "2019-06-20"),)),
    Rule("dotted", r"(?<![\d.])(?P<d>[12]\d|3[01]|0?[1-9])\.(?P<m>0?[1-9]|1[0-2])"
                   r"\.(?P<y>(?:1\d|20)\d\d)(?![\d]|\.\d)", read_dotted,
         (("Signed on 14.01.2025.", "14.01.2025", "2025-01-14"),
          ("Version 1.2.2008 shipped.", "1.2.2008", "2008-02-01"))),
    Rule("slash", r"(?<![\d/.-])(?P<a>[12]\d|3[01]|0?[1-9])/(?P<b>[12]\d|3[01]|0?[1-9])"
                  r"/(?P<y>(?:1\d|20)\d\d|\d\d)(?![\d/])", read_slash,
         (("Paid on 03/01/2024.", "03/01/2024", "2024-03-01"),
          ("Paid on 15/01/2024.", "15/01/2024", "2024-01-15"),
          ("Paid on 3/1/24.", "3/1/24", "2024-03-01"))),
    Rule("day_range",
         rf"(?:(?P<wd>{WEEKDAY}){SEP})?(?P<m>{MONTH})\s*(?P<d1>{DAY})"
         rf"(?:{TO}|(?P<list>{AND}))(?:(?P<m2>{MONTH})\s*)?(?P<d2>{DAY})(?:{SEP}(?P<y>{YEAR}))?",
         read_day_range,
         (("The festival runs from March 3 to 5.", "March 3 to 5", "XXXX-03-03/XXXX-03-05"),
          ("Talks were held January 5-7 in Geneva.", "January 5-7", "XXXX-01-05/XXXX-01-07"),
          ("It ran March 3-5, 2009.", "March 3-5, 2009", "2009-03-03/2009-03-05"),
          ("It ran from March 30 to April 2.", "March 30 to April 2", "XXXX-03-30/XXXX-04-02"),
          ("They met on April 24 and 25.", "April 24 and 25", "XXXX-04-24 + XXXX-04-25"),
          ("It peaked between April 23 and 28.", "April 23 and 28", "XXXX-04-23/XXXX-04-28"),
          ("Rates rose May 5 to 10 percent.", "May 5 to 10", None))),
    Rule("day_range_dmy",
         rf"(?<![\w.,])(?P<d1>{DAY})(?:{TO}|(?P<list>{AND}))(?P<d2>{DAY})\s+(?:of\s+)?(?P<m>{MONTH})"
         rf"(?:{SEP}(?P<y>{YEAR}))?", read_day_range,
         (("It ran from 3 to 5 March 2009.", "3 to 5 March 2009", "2009-03-03/2009-03-05"),
          ("They met on 24 and 25 April.", "24 and 25 April", "XXXX-04-24 + XXXX-04-25"),
          ("It peaked between 23 and 28 April.", "23 and 28 April", "XXXX-04-23/XXXX-04-28"))),
    Rule("month_day", rf"(?:(?P<wd>{WEEKDAY}){SEP})?(?P<m>{MONTH})\s*(?P<d>{DAY})"
                      rf"(?:{SEP}(?P<y>{YEAR}))?", read_month_day,
         (("The meeting on Feb. 10 was tense.", "Feb. 10", "XXXX-02-10"),
          ("It was signed on March 1, 2024.", "March 1, 2024", "2024-03-01"),
          ("Monday, June 24 is the deadline.", "Monday, June 24", "Mon XXXX-06-24"),
          ("She was born on March 4th.", "March 4th", "XXXX-03-04"),
          ("On March 4, 2000 people marched.", "March 4, 2000", "XXXX-03-04"),
          ("It happened on February 30.", "February 30", None))),
    Rule("day_month", rf"(?:(?P<wd>{WEEKDAY}){SEP})?(?:\b(?i:the)\s+)?(?<![\w.,])(?P<d>{DAY})"
                      rf"\s+(?:of\s+)?(?P<m>{MONTH})(?:{SEP}(?P<y>{YEAR}))?", read_month_day,
         (("On 10 February the war began.", "10 February", "XXXX-02-10"),
          ("On the 10th of February the war began.", "the 10th of February", "XXXX-02-10"),
          ("It was signed on 1 March 2024.", "1 March 2024", "2024-03-01"),
          ("Schools close until Wednesday 6 May.", "Wednesday 6 May", "Wed XXXX-05-06"))),
    Rule("holiday", rf"(?P<h>{HOLIDAY})(?:\s+(?P<y>{YEAR}))?", read_holiday,
         (("Most shops will close on Christmas Day.", "Christmas Day", "XXXX (Christmas Day)"),
          ("Christmas 2007 was a record.", "Christmas 2007", "2007-12-25"),
          ("Churches were full on Good Friday.", "Good Friday", "XXXX (Good Friday)"),
          ("Asylum seekers were taken to Christmas Island.", "Christmas", None),
          ("They gather at the farm every Christmas.", "Christmas", None),
          ("The Good Friday Agreement ended the violence.", "Good Friday", None))),
    Rule("month_range",
         rf"(?:(?P<mod>{MOD})[\s-]+)?(?P<m1>{MONTH_FULL}){TO}(?P<m2>{MONTH_FULL})"
         rf"(?:{SEP}(?:of\s+)?(?P<y>{YEAR}))?", read_month_range,
         (("Exports fell from March to May.", "March to May", "XXXX-03/XXXX-05"),
          ("It ran November-February 2009.", "November-February 2009", "2008-11/2009-02"))),
    Rule("year_range", rf"(?:(?<=[Ff]rom\s)|(?<=[Bb]etween\s))(?P<y1>{YEAR})"
                       rf"(?:{TO}|\s+and\s+)(?P<y2>{YEAR})", read_year_range,
         (("He served from 2004 to 2008.", "2004 to 2008", "2004/2008"),
          ("Prices rose between 2004 and 2008.", "2004 and 2008", "2004/2008"))),
    Rule("month_year", rf"(?:(?P<mod>{MOD})[\s-]+)?(?P<m>{MONTH}){SEP}(?:of\s+)?(?P<y>{YEAR})",
         read_month_year,
         (("The law was passed in March 2009.", "March 2009", "2009-03"),
          ("It began in late June of 2008.", "late June of 2008", "2008-06"))),
    Rule("quarter_code", rf"Q(?P<n>[1-4])(?![\w])(?:\s*(?P<y>{YEAR}))?", read_quarter,
         (("Revenue rose 12% in Q3 2018.", "Q3 2018", "2018-Q3"),
          ("Sales fell in Q4.", "Q4", "XXXX-Q4"),
          ("He drives an Audi Q3.", "Q3", None))),
    Rule("quarter",
         rf"(?:\b(?i:the)\s+)?(?P<ord>(?i:first|second|third|fourth|1st|2nd|3rd|4th))[\s-]+"
         rf"(?i:quarter)(?![\w])(?:\s+of\s+(?:(?P<y>{YEAR})|(?P<rel>(?i:this|last|next))\s+year"
         rf"|(?i:the)\s+year))?", read_quarter,
         (("Profit fell in the third quarter.", "the third quarter", "XXXX-Q3"),
          ("Fourth-quarter earnings beat forecasts.", "Fourth-quarter", "XXXX-Q4"),
          ("Growth slowed in the first quarter of 2019.", "the first quarter of 2019",
           "2019-Q1"))),
    Rule("half_code", rf"H(?P<n>[12])\s*(?P<y>{YEAR})", read_half,
         (("Output rose 3% in H1 2019.", "H1 2019", "2019-H1"),)),
    Rule("half",
         rf"(?:\b(?i:the)\s+)?(?P<ord>(?i:first|second|1st|2nd))[\s-]+(?i:half)\s+of\s+"
         rf"(?:(?P<y>{YEAR})|(?P<rel>(?i:this|last|next))\s+year|(?i:the)\s+year)", read_half,
         (("A recovery is due in the second half of 2019.", "the second half of 2019",
           "2019-H2"),
          ("Sales fell in the first half of the year.", "the first half of the year", "XXXX-H1"),
          ("He scored in the second half.", "second half", None))),
    Rule("season",
         rf"(?:(?P<rel>(?i:this|last|next|early|late|mid|the))[\s-]+)?"
         rf"(?P<s>(?i:spring|summer|autumn|winter|fall))(?![\w])(?:\s+(?:of\s+)?(?P<y>{YEAR}))?",
         read_season,
         (("The bridge will reopen this summer.", "this summer", "XXXX-SU"),
          ("Snow closed the pass last winter.", "last winter", "last XXXX-WI"),
          ("The album came out in autumn 2008.", "autumn 2008", "2008-FA"),
          ("It happened in the fall of 2008.", "the fall of 2008", "2008-FA"),
          ("They watched the fall of Rome.", "the fall of", None),
          ("The Arab Spring began in Tunisia.", "Spring", None))),
    Rule("decade",
         r"(?:(?P<the>\b(?i:the))\s+)?(?:(?i:early|late|mid)[\s-]+)?"
         rf"(?:(?P<full>(?:1\d|20)\d0)s|(?P<apostrophe>')?(?<![\w.])(?P<short>\d)0s"
         rf"|(?P<word>(?i:{_words(DECADE_WORDS)})))(?![\w])", read_decade,
         (("Crime fell to its lowest level since the 1960s.", "the 1960s", "196"),
          ("The band was popular in the '80s.", "'80s", "XX8"),
          ("She is in her 80s.", "80s", None))),
    Rule("ago", rf"(?<![\d,.])(?P<n>{NUMBER})\s+(?P<u>{UNIT})\s+(?P<dir>(?i:ago|from\s+now|hence))(?![\w])",
         read_ago,
         (("The plant closed two weeks ago.", "two weeks ago", "publication -2 week"),
          ("The firm was founded a decade ago.", "a decade ago", "publication -1 decade"),
          ("He was arrested 3 days ago.", "3 days ago", "publication -3 day"))),
    Rule("in_units", rf"(?<![\w-])(?i:in)\s+(?P<n>{NUMBER})\s+(?P<u>{UNIT})(?!-)", read_in_units,
         (("The results will be published in two weeks.", "in two weeks", "publication +2 week"),
          ("Prices doubled in two weeks.", "in two weeks", None))),
    Rule("later", rf"(?<![\d,.])(?P<n>{NUMBER})\s+(?P<u>{UNIT})\s+(?P<dir>(?i:later|earlier|before|after"
                  r"|afterwards))(?![\w])", read_later,
         (("Three days later, aid arrived.", "Three days later", "last date +3 day"),
          ("A year earlier, they had marched.", "A year earlier", "last date -1 year"),
          ("Two days after the attack, police left.", "Two days after", None))),
    Rule("relative_day",
         r"(?i:(?:earlier\s+|later\s+)?today|tonight|this\s+(?:morning|afternoon|evening)"
         r"|the\s+day\s+(?P<dby>before\s+yesterday|after\s+tomorrow)|last\s+(?P<lastnight>night)"
         r"|(?P<word>yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?)(?![\w])",
         read_relative_day,
         (("The WHO warned today of a pandemic.", "today", "publication +0 day"),
          ("Looters struck last night.", "last night", "publication -1 day"),
          ("He writes for USA Today.", "Today", None))),
    Rule("anaphoric_unit",
         r"(?:(?i:earlier|later)\s+)?(?P<det>(?i:that|the\s+same|the\s+next|the\s+following"
         r"|the\s+previous|the\s+preceding))\s+(?P<u>(?i:day|night|morning|afternoon|evening"
         r"|month|year))(?![\w-])"
         r"|(?i:the)\s+day\s+(?P<dir>(?i:before|after))(?![\w])",
         read_anaphoric_unit,
         (("Rescuers found her the following day.", "the following day", "last date +1 day"),
          ("He returned later that year.", "later that year", "last date +0 year"),
          ("The day before, shares fell.", "The day before", "last date -1 day"),
          ("The day after the vote, he left.", "The day after", None))),
    Rule("anaphoric_named",
         rf"(?P<det>(?i:the\s+following|the\s+previous|the\s+preceding|the\s+next|that))\s+"
         rf"(?P<n>{WEEKDAY}|{MONTH_FULL})", read_anaphoric_named,
         (("They withdrew the following Tuesday.", "the following Tuesday",
           "anaphoric next Tuesday"),
          ("He insisted that Friday's debate go ahead.", "that Friday", "Friday"),
          ("He said that May was wrong.", "that May", None))),
    Rule("relative_unit",
         r"(?:(?P<mod>(?i:early|earlier|late|later|mid|the\s+end\s+of|end\s+of|the\s+start\s+of"
         r"|start\s+of|the\s+beginning\s+of|beginning\s+of))[\s-]+)?"
         r"(?P<which>(?i:this|last|next))\s+(?P<u>(?i:month|year|quarter))(?![\w])",
         read_relative_unit,
         (("Profits fell late last year.", "late last year", "publication -1 year"),
          ("Sales rose earlier this month.", "earlier this month", "publication +0 month"),
          ("Over the last year prices rose.", "last year", None))),
    Rule("year_end", r"(?i:year[-\s]end|(?:the\s+)?end\s+of\s+the\s+year)(?![\w])",
         read_year_end,
         (("The merger should close by year-end.", "year-end", "XXXX-12-31 (as its year)"),)),
    Rule("nth", rf"(?i:the)\s+(?P<d>{ORDINAL_DAY})", read_nth,
         (("The parliament will vote on the 12th.", "the 12th", "elliptic XXXX-XX-12"),
          ("The church dates from the 12th century.", "the 12th", None),
          ("He lives on the 3rd floor.", "the 3rd", None))),
    Rule("month", rf"(?:(?P<mod>{MOD}|(?i:last|next|this|earlier\s+in|later\s+in))[\s-]+)?"
                  rf"(?P<m>{MONTH_FULL})(?!\s*\d)", read_month,
         (("Prices rose in February.", "February", "XXXX-02"),
          ("Prices rose last May.", "last May", "last XXXX-05"),
          ("Officials May close the schools.", "May", None),
          ("April Smith, a nurse, spoke.", "April", None))),
    Rule("weekday", rf"(?:(?P<mod>{_CUE_WORDS})\s+)?(?P<d>{WEEKDAY})(?:\s+{PART_OF_DAY})?",
         read_weekday,
         (("The rebels attacked on Sunday.", "Sunday", "Sunday"),
          ("It happened last Wednesday.", "last Wednesday", "last Wednesday"),
          ("The Friday explosions damaged two buildings.", "Friday", "Friday"),
          ("He goes to church every Sunday.", "Sunday", None),
          ("The minister told the Sunday Times.", "Sunday", None))),
    Rule("year", rf"(?:(?P<mod>{MOD})[\s-]+|(?<![\w$£€¥#/.,:'-]))(?P<y>{YEAR})", read_year,
         (("The firm was founded in 2008.", "2008", "2008"),
          ("Growth slowed in mid-2008.", "mid-2008", "2008"),
          ("The outbreak infected 2008 people.", "2008", None),
          ("WeWork's 2025 bond has weakened.", "2025", None),
          ("They played Euro 2008 qualifiers.", "2008", None))),
)


def _scoped(rule: Rule) -> str:
    pattern = re.sub(r"\(\?P<(\w+)>", rf"(?P<{rule.name}__\1>", rule.pattern)
    return f"(?P<{rule.name}>{pattern})"


#: Every candidate holds one of these, a month's abbreviation as written
#: (``MONTH_TRIGGER``) or another piece in lower case (``TRIGGER``): a
#: sentence without one costs these two searches and nothing else (most
#: news sentences hold none). Each starts with a look-ahead for its first
#: characters, which lets the search skip most positions.
MONTH_TRIGGER = re.compile(
    r"(?=[JFMASOND])(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    r"|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"
)
_TRIGGER_WORDS = (
    "day night morning afternoon evening tomorrow month year week decade quarter spring summer "
    "autumn winter christmas easter thanksgiving halloween pentecost whitsunday".split()
    + list(DECADE_WORDS) + [r"ago\b", r"half\b", r"fall\b", "q[1-4]", r"h[12]\s"])
TRIGGER = re.compile(
    rf"(?=[\d{''.join(sorted({w[0] for w in _TRIGGER_WORDS}))}])"
    r"(?:\d\d\d\d|\d/\d|\d0s|\d(?:st|nd|rd|th)\b|" + "|".join(_TRIGGER_WORDS) + ")"
)


def has_candidate(sentence: str) -> bool:
    """Whether any rule could match in ``sentence`` (the fast path's one test)."""
    return bool(MONTH_TRIGGER.search(sentence) or TRIGGER.search(sentence.lower()))


#: The words in lower case a rule can start with; any other candidate starts
#: with a capital, a digit or an apostrophe. Testing this first lets the
#: scanner skip most words of a sentence without trying the rules
#: (tests/unit/test_temporal_grammar.py checks that it loses no match).
STARTERS = sorted(
    {*"the that last next this coming early earlier late later mid end start beginning middle "
      "in a an from between year".split(),
     *(w for w in NUMBER_WORDS if " " not in w), *ORDINAL_WORDS, *DECADE_WORDS, *SEASONS,
     *"today tonight yesterday tomorrow".split()},
    key=len, reverse=True)
_START = rf"(?=[A-Z0-9']|(?:{'|'.join(STARTERS)})\b)"


def scanner(start: str = _START) -> re.Pattern[str]:
    """All rules as one alternation, tried at the start of each candidate word."""
    return re.compile(r"(?:(?<=\W)|^)" + start + "(?:"
                      + "|".join(_scoped(rule) for rule in RULES) + ")")


SCANNER = scanner()
BY_NAME = {rule.name: rule for rule in RULES}


def scan(text: str, page: Page, published: date | None
         ) -> Iterator[tuple[int, int, Expression]]:
    """Every expression in ``text`` (ASCII apostrophes), in text order, not overlapping."""
    for match in SCANNER.finditer(text):
        name = match.lastgroup
        assert name is not None
        rule = BY_NAME[name]
        reading = rule.read(Found(name, match, text, page, published))
        if reading is None:
            continue
        if isinstance(reading, list):
            yield from reading
        else:
            yield match.start(), match.end(), reading
