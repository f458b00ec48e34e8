"""Temporal expressions in a sentence, resolved to calendar dates.

News writes dates relative to the day it is published ("on Sunday", "last
month", "Feb. 10") and only sometimes in full ("March 1, 2024"). This module
finds such expressions and resolves each to a day, a month or a year:

1. A compiled regular expression (``_SCANNER``) finds candidate spans: month
   names and abbreviations, weekdays, relative words, years, numeric dates,
   with their modifiers (last/next/this/early/late/mid-/end of/earlier).
   A sentence without a candidate costs one regex search and nothing else.
2. Small context rules drop candidates that are not dates in this use: the
   modal "may", "march" the verb, names and titles ("April Smith", "Theresa
   May", "Sunday Times", "the series Wednesday"), numbers that are not years
   (money, counts, units, "Flight 1549"; a year before 1900 needs "in" or
   "since" or a month), "the following Sunday" (relative to another event,
   not to publication).
3. The tense of the clause (``_is_future``) sets the direction for
   expressions without a year: backwards by default, forwards after a future
   cue ("will", "is due to", "plans to", "could", "Britain votes on"...).
4. dateparser parses a canonical "core" of the span ("February 10",
   "Sunday", "last month", "2008") against the publication date, in that
   direction. Its answers are cached. Our rules around it only fix what it
   gets wrong for news (each fix says why where it is made).

What is deliberately dropped, never guessed and never replaced by the
publication date: weeks and weekends, "recently", decades, seasons, times
alone, dates relative to another event ("the next day", "that Sunday"), and
everything relative when the publication date is unknown (then only
expressions that carry their own year resolve).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser

from storyline.model import Granularity, format_date

logger = logging.getLogger(__name__)

__all__ = ["ResolvedExpression", "TemporalResolver", "score_gold"]

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

_MONTHS = (
    "january february march april may june july "
    "august september october november december"
).split()
_MONTH_NUMBER = {name: i for i, name in enumerate(_MONTHS, 1)}
_MONTH_ABBR = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

# Month names that are also common words or first names: alone (without a
# day or year) they count only after a temporal word ("in May", "since
# March"), never as "the modal may", "a March" or "June said".
_AMBIGUOUS_MONTHS = frozenset({"march", "may", "april", "june", "august"})

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12,
}  # fmt: skip

# A word right before a bare month or weekday that makes it a date.
_TEMPORAL_PREV = frozenset(
    "on in since by until till through throughout during from to of before after "
    "early late mid last next this around between as and or except".split()
)
# A word right before a weekday or month that makes it something else than
# the most recent / next such day: "the following Sunday" is relative to an
# event, "every Sunday" is a habit, "the Sunday Times" a name.
_DETERMINERS = frozenset(
    "the a an that every each following previous preceding same one another "
    "any some first second third final whole".split()
)
# Before a number, a count, an amount or a label: "nearly 2000", "No. 2008",
# "Flight 2010" ("about 1918" stays a year: "what happened about 1918").
_QUANTITY_PREV = frozenset(
    "nearly almost approximately some over than least only just "
    "roughly estimated total another additional extra further no number "
    "page flight route room code model version article section resolution "
    "item line chapter rule bill box".split()
)
# Words after a number that make it a count, an amount or a time, not a year.
_UNITS = frozenset(
    """
    people persons person cases case deaths dead patients patient victims residents
    children adults students workers troops soldiers police officers members
    voters votes seats jobs homes houses households families pigs birds animals
    tests doses vaccines samples infections hospitals schools flights passengers
    km kilometres kilometers miles metres meters feet ft yards mph kph kg kilos
    kilograms tonnes tons pounds lb lbs mg ml litres liters gallons barrels acres
    hectares sq square degrees dollars euros yen yuan rupees francs pesos
    dollar euro pound usd eur gbp
    hours hrs hr h gmt utc bst cet est edt pst pdt local
    percent pc points units times men women staff employees
    """.split()
)
# Before a number, these make it a year whatever follows ("in 1918 children
# died", "since 1897"); a bare year before 1900 needs one of them.
_YEAR_PREPOSITIONS = frozenset("in since during until till circa".split())
# A weekday or month right after these is the title of a work ("the Netflix
# series Wednesday"), and these British Sunday papers are names.
_TITLE_NOUNS = frozenset(
    "series film movie novel book album song sitcom drama musical opera documentary".split()
)
_SUNDAY_PAPER = re.compile(r"\b(?:Mail|Independent|Scotland|Wales)\s+on\s+$")
# Capitalised words that are not names ("The 1918 pandemic", "In May").
_FUNCTION_WORDS = _TEMPORAL_PREV | _DETERMINERS | frozenset(
    "its his her their our my your these those about around what which when "
    "where while because although though if but so yet".split()
)
# Before a weekday, these make it the name of a day of the year or an
# event ("Good Friday", "Super Tuesday"). Any other capitalised word before
# a weekday is a name or object the weekday follows, as AP style writes
# dates without "on": "told CNN Thursday", "sent an envoy to Libya Monday".
_WEEKDAY_NAME_MODIFIERS = frozenset(
    "good black super ash holy maundy easter palm bloody cyber fat shrove whit "
    "plough low giving business man girl blue manic spy".split()
)
# After these a weekday is a date even when a capitalised word follows
# ("officials said Friday France24 reported").
_REPORTING_VERBS = frozenset("said says told announced reported added confirmed".split())
# Between a future cue and the expression, these put the clause back in the
# past ("the minister, who will retire, said on Sunday", "the first since May").
# A relative clause in the past does too ("it must clean the outfall that
# carried the chemicals in March"), unless its verb is itself a cue of plans.
_FUTURE_RESETS = (
    r"said|says|told|announced|added|reported|confirmed|was|were|had|did"
    r"|died|killed|happened|occurred|began|went|came|since"
    r"|(?:that|which|who)\s+(?!(?:expected|planned|intended|aimed|hoped|promised|pledged"
    r"|vowed|threatened|scheduled|slated|set|fixed|needed|wanted)\b)\w+ed"
)

# --------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------


def _cased(words: Iterable[str]) -> str:
    """Alternation of ``Word|WORD``: month and weekday names must be capitalised,
    which alone rules out the modal "may" and the verb "march"."""
    return "|".join(f"{w.capitalize()}|{w.upper()}" for w in sorted(words, key=len, reverse=True))


_MONTH_FULL_RE = _cased(_MONTHS)
_MONTH_RE = rf"(?:{_MONTH_FULL_RE}|(?:{_cased(_MONTH_ABBR)})(?:\.|(?![A-Za-z])))"
_WEEKDAY_RE = rf"(?:{_cased(_WEEKDAYS)})(?![A-Za-z])"
_DAY_RE = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\w:.]\d|\d|[A-Za-z])"
# Years 1000-2099. A bare one before 1900 counts only after "in", "since"...
# (see _is_year); with a month ("July 4, 1776") it is always a year.
_YEAR_RE = r"(?:1\d|20)\d\d(?![\w])"
_SEP = r"\s*,?\s*"
# Lower case only: "Tuesday Morning" is a retailer, "Tuesday morning" a time.
_PART_OF_DAY = r"(?:night|morning|afternoon|evening|NIGHT|MORNING|AFTERNOON|EVENING)"
_NUM_WORDS_RE = "|".join(_NUMBER_WORDS)
_MOD = (
    r"(?i:early|late|mid|the\s+end\s+of|end\s+of|the\s+beginning\s+of|beginning\s+of"
    r"|the\s+start\s+of|start\s+of|the\s+middle\s+of|middle\s+of)"
)

# Every candidate holds one of these substrings. Searching for them first is
# several times cheaper than running the scanner, and most news sentences
# hold none: they then cost this one search and nothing else.
_TRIGGER = re.compile(
    r"\d\d\d\d|\d/\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    r"|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|[dD]ay|DAY|[nN]ight|NIGHT"
    r"|[mM]orning|MORNING|[aA]fternoon|AFTERNOON|[eE]vening|EVENING|[tT]omorrow|TOMORROW"
    r"|ago|AGO|[mM]onth|MONTH|[yY]ear|YEAR"
)

# Candidates start at a word boundary; testing that first makes the scanner
# skip most positions of a sentence without trying its alternatives.
_SCANNER = re.compile(
    rf"""
    \b(?=\w)(?:
    (?P<iso>(?<![\d/.-])(?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>0?[1-9]|1[0-2])
        -(?P<iso_d>[12]\d|3[01]|0?[1-9])(?![\d-]))
  | (?P<us>(?<![\d/.-])(?:0?[1-9]|1[0-2])/(?:[12]\d|3[01]|0?[1-9])/(?:(?:19|20)\d\d|\d\d)(?![\d/]))
  | (?P<md>(?:(?P<md_wd>{_WEEKDAY_RE}){_SEP})?(?P<md_m>{_MONTH_RE})\s*(?P<md_d>{_DAY_RE})
        (?:{_SEP}(?P<md_y>{_YEAR_RE}))?)
  | (?P<dm>(?:(?P<dm_wd>{_WEEKDAY_RE}){_SEP})?(?:\b(?i:the)\s+)?(?<![\w.,])(?P<dm_d>{_DAY_RE})
        \s+(?:of\s+)?(?P<dm_m>{_MONTH_RE})(?:{_SEP}(?P<dm_y>{_YEAR_RE}))?)
  | (?P<my>(?:\b(?P<my_mod>{_MOD})[\s-]+)?(?P<my_m>{_MONTH_RE}){_SEP}(?:of\s+)?(?P<my_y>{_YEAR_RE}))
  | (?P<mo>(?:\b(?P<mo_mod>{_MOD}|(?i:last|next|this|earlier\s+in|later\s+in))[\s-]+)?
        (?P<mo_m>{_MONTH_FULL_RE})(?![A-Za-z])(?!\s*\d))
  | (?P<wd>(?:\b(?P<wd_mod>(?i:this\s+coming|last|next|this|coming|early|late))\s+)?
        (?P<wd_d>{_WEEKDAY_RE})(?:\s+{_PART_OF_DAY})?)
  | (?P<rd>\b(?i:(?:earlier\s+|later\s+)?(?P<rd_today>today)|(?P<rd_tonight>tonight)
        |this\s+(?P<rd_this>morning|afternoon|evening)
        |the\s+day\s+(?P<rd_dby>before\s+yesterday|after\s+tomorrow)
        |last\s+(?P<rd_lastnight>night)
        |(?P<rd_word>yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?)\b)
  | (?P<ago>\b(?i:(?P<ago_n>\d{{1,3}}|{_NUM_WORDS_RE})\s+(?P<ago_u>days?|months?|years?)\s+ago)\b)
  | (?P<ry>\b(?i:(?:(?P<ry_mod>early|earlier|late|later|mid|the\s+end\s+of|end\s+of
        |the\s+start\s+of|start\s+of|the\s+beginning\s+of|beginning\s+of)[\s-]+)?
        (?P<ry_which>this|last|next)\s+(?P<ry_unit>month|year))\b)
  | (?P<yr>(?:\b(?P<yr_mod>{_MOD})[\s-]+|(?<![\w$£€¥#/.,:-]))(?P<yr_y>{_YEAR_RE}))
    )
    """,
    re.VERBOSE,
)

_NOT_A_YEAR_AFTER = re.compile(
    r"(?:%|-[A-Za-z]|[-/]\d|\s*–\s*\d|\s*-\s*(?:19|20)\d\d(?!\d)|[.,]\d|\s*per\s*cent\b)"
)
_POSSESSIVE = re.compile(r"\s?'s\b")
_PREV_WORD = re.compile(r"([A-Za-z][\w'.$]*|[$£€¥#])\s*$")
_NEXT_WORD = re.compile(r"\s*([A-Za-z][\w-]*)")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z]")
_LIST_OF_MONTHS = re.compile(
    rf"(?:{_MONTH_FULL_RE})\W+(?:\w+\W+)?(?:and|or|to|through|until|till)\W+$"
)

# Where a clause starts: the tense of one clause does not carry past these.
_CLAUSE_BREAK = re.compile(r"[,;:!?()\[\]]|--|—|–|\s-\s")
_FUTURE_CUE = re.compile(
    rf"""(?ix)
      (?<!\bthe\s)(?<!\bfree\s)(?<!\bgood\s)(?<!\bpolitical\s)(?<!\bpopular\s)
      \bwill\b
    | 'll\b | \bshall\b | \bwon't\b | \bwo\s+n't\b
    | (?:\bis|\bare|\bam|'s|'re)\s+(?:(?:\w+ly|still|now|also|not|already)\s+)?
      (?:due|expected|scheduled|set|slated|poised|planned|likely)\b
    | \bdue\s+(?:on|by|in|at|out|back|for)\b | \bdue\s*$
    | \b(?:expects?|expected|expecting|plans?|planned|planning|intends?|intended|aims?|aimed
        |hopes?|hoped|promises?|promised|pledges?|pledged|vows?|vowed|threatens?|threatened)
      \s+to\b
    | \bgoing\s+to\b
    # Scheduling: "has set the first hearing in the case for May 20", "a
    # vote scheduled for Friday" (whatever the tense of "set").
    | \b(?:set|scheduled|slated|fixed)\s+(?:[\w'-]+\s+){{0,6}}?for\b
    | \bto\s+be\s+(?:held|played|published|released|announced)\b
    | \bupcoming\b | \bthe\s+coming\b
    # Modals look forward unless negated ("could not be reached"), perfect
    # ("could have died") or of perception ("shots could be heard").
    | \b(?:could|would|can)\b(?!'t|\s*n't|\s+not\b)(?!\s+have\b)
      (?!\s+(?:be\s+)?(?:heard|seen|hear|see|felt|feel)\b)
    | \b(?:might|must|should|(?-i:may))\b(?!\s+(?:not\s+)?have\b)
    # The scheduled present: "Britain votes in an election on May 6", "the
    # summit opens on Dec. 7", "the World Cup kicks off on Thursday".
    | \bholds\s+(?:its\s+|an?\s+|the\s+|their\s+|his\s+|her\s+)?(?:[\w-]+\s+){{0,2}}?
      (?:elections?|vote|poll|referendum|talks|meeting|summit|hearings?|primar(?:y|ies)
        |congress|conference|ceremony|rally|session)\b
    | \b(?:opens|begins|convenes|reconvenes|resumes|reopens|expires
        |kicks?\s+off|takes?\s+(?:place|effect)|goes\s+to\s+the\s+polls|go\s+to\s+the\s+polls
        |votes\s+(?:in|on)|comes?\s+into\s+force|runs\s+out)\b
    | \b(?P<reset>{_FUTURE_RESETS})\b
    """
)

_PERIOD_GRANULARITY = {
    "day": Granularity.DAY,
    "time": Granularity.DAY,
    "part_of_day": Granularity.DAY,
    "month": Granularity.MONTH,
    "year": Granularity.YEAR,
}

_WEEKDAY_INDEX = {name: index for index, name in enumerate(
    ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}

# dateparser needs a base even for spans that carry their own year; any fixed
# day does, and a fixed one keeps such spans in one cache entry.
_NO_BASE = date(2000, 1, 1)
_MAX_PARSERS = 256


@dataclass(frozen=True, slots=True)
class ResolvedExpression:
    """A temporal expression found in a sentence and the date it denotes.

    ``start``/``end`` are offsets into the sentence given to
    :meth:`TemporalResolver.resolve`; ``value`` is the first day of the month
    or year for coarser granularities.
    """

    start: int
    end: int
    text: str
    granularity: Granularity
    value: date

    @property
    def label(self) -> str:
        return format_date(self.value, self.granularity)


# --------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------


def _month_number(token: str) -> int:
    word = token.lower().rstrip(".")
    return _MONTH_NUMBER.get(word) or _MONTH_ABBR[word]


def _prev_word(sentence: str, start: int) -> str:
    match = _PREV_WORD.search(sentence, max(0, start - 40), start)
    return match.group(1) if match else ""


def _next_word(sentence: str, end: int) -> str:
    match = _NEXT_WORD.match(sentence, end, min(len(sentence), end + 40))
    return match.group(1) if match else ""


def _at_sentence_start(sentence: str, start: int) -> bool:
    """True when only quotes, brackets or spaces come before ``start``."""
    return not any(c.isalnum() for c in sentence[:start])


def _is_temporal_name(word: str) -> bool:
    low = word.lower().rstrip(".")
    return low in _MONTH_NUMBER or low in _MONTH_ABBR or low in _WEEKDAYS


def _looks_like_name(sentence: str, start: int, end: int, prev: str) -> bool:
    """Whether a lone month or weekday is (part of) a name or a title.

    It is when a capitalised word other than a temporal one touches it
    ("April Smith", "Sunday Times", "Theresa May", "Good Friday") or a noun
    such as "series" introduces it, unless a temporal word such as "on" or
    "in" right before it marks it as a date.
    """
    low = prev.lower()
    if low in _TEMPORAL_PREV:
        return False
    if low in _TITLE_NOUNS:
        return True  # "the Netflix series Wednesday"
    if (
        _CAPITALISED.match(prev)
        and low not in _FUNCTION_WORDS
        and not low.endswith("'s")  # a possessive is a determiner: "Iran's 1979 revolution"
        and not _is_temporal_name(prev)
    ):
        return True
    if low in _REPORTING_VERBS:
        return False
    following = _next_word(sentence, end)
    return bool(_CAPITALISED.match(following)) and not _is_temporal_name(following)


def _weekday_is_name(sentence: str, start: int, end: int, prev: str) -> bool:
    """Whether a lone weekday is (part of) a name: "Good Friday", "Sunday Times".

    Unlike a month ("Theresa May", "April Smith"), a weekday after a
    capitalised word is a date unless that word makes a holiday or event of
    it: wire copy writes "told CNN Thursday" and "the United States
    Wednesday condemned". A capitalised word after it still makes a name
    ("Sunday Times", "Tuesday Morning").
    """
    low = prev.lower()
    if low in _TEMPORAL_PREV or low in _REPORTING_VERBS:
        return False
    if low in _TITLE_NOUNS or (low in _WEEKDAY_NAME_MODIFIERS and _CAPITALISED.match(prev)):
        return True  # "the Netflix series Wednesday", "Good Friday" (but "hit a low Monday")
    following = _next_word(sentence, end)
    return bool(_CAPITALISED.match(following)) and not _is_temporal_name(following)


def _is_future(sentence: str, start: int) -> bool:
    """Whether the expression at ``start`` sits in a future-tense clause.

    The rule: within the clause that holds the expression (bounded by
    ``, ; : ( ) —`` and the like), a future cue comes before the expression,
    and no past marker comes between that cue and the expression. Cues
    (``_FUTURE_CUE``): "will", "'ll", "shall", "is (still) due / expected /
    scheduled / set", "due on", "plans / expects / promised ... to", "going
    to", "to be held", "upcoming", modals that are not negated or perfect
    ("could vote as early as", "must pass by"; "could not be reached" and
    "could have died" are not cues) and the scheduled present of a few
    event verbs ("Britain votes on May 6", "the summit opens on Dec. 7").
    Past markers (``_FUTURE_RESETS``): reporting verbs and past forms such as
    "said", "was", "had", "died", and "since". So "The minister, who will
    retire, said on Sunday" and "officials who will attend said on Monday"
    are past, "He said on Sunday that talks will resume on Tuesday" puts
    Sunday in the past and Tuesday in the future.
    """
    clause_start = 0
    for match in _CLAUSE_BREAK.finditer(sentence, 0, start):
        clause_start = match.end()
    future = False
    for match in _FUTURE_CUE.finditer(sentence, clause_start, start):
        future = match.group("reset") is None
    return future


def _is_year(sentence: str, match: re.Match[str]) -> bool:
    """Whether a bare four-digit number is a year, not a count or an amount."""
    start, end = match.span("yr_y")
    if _NOT_A_YEAR_AFTER.match(sentence, end, end + 12):
        return False  # 2008%, 2008-strong, 2008-09, 2008 - 2010, 2008/09, 2008.5
    prev = _prev_word(sentence, start)
    low = prev.lower().rstrip(".")
    if int(match.group("yr_y")) < 1900 and low not in _YEAR_PREPOSITIONS:
        return False  # "1500 troops": only "in 1896", "since 1897" are old years
    if _next_word(sentence, end).lower() in _UNITS and low not in _YEAR_PREPOSITIONS:
        return False  # "2008 people", "1900 GMT", but "in 1918 children died"
    if low in _QUANTITY_PREV or (prev and prev[-1] in "$£€¥#"):
        return False  # "about 2000", "$2008", "No. 2008"
    if low == "to" and re.search(r"(?i)\bup\s+to\s*$", sentence[max(0, start - 10) : start]):
        return False
    if low in ("us", "usd", "rs", "eur", "gbp"):
        return False
    if (
        _CAPITALISED.match(prev)
        and low not in _FUNCTION_WORDS
        and not low.endswith("'s")
        and not _is_temporal_name(low)
    ):
        return False  # "Euro 2008", "Windows 2000", "Vision 2020", not "Iran's 1979 revolution"
    return True


def _last_day_of_previous_month(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


# --------------------------------------------------------------------------
# The resolver
# --------------------------------------------------------------------------


class TemporalResolver:
    """Finds temporal expressions in sentences and resolves them to dates.

    Example::

        >>> resolver = TemporalResolver()
        >>> [m.label for m in resolver.resolve("He left on Sunday.", date(2009, 5, 6))]
        ['2009-05-03']

    ``cache_size`` bounds the cache of dateparser results, keyed by
    (normalised span, base date, direction). One resolver is meant to be
    shared by all the sentences of a run; it is safe to use from threads.
    """

    def __init__(self, *, cache_size: int = 65536) -> None:
        if cache_size < 0:
            raise ValueError(f"cache_size must be >= 0, got {cache_size}")
        self.cache_size = cache_size
        self._parsers: dict[tuple[date, str], DateDataParser] = {}
        self._parse = lru_cache(maxsize=cache_size)(self._parse_uncached)

    # -- public -----------------------------------------------------------

    def resolve(self, sentence: str, published: date | None) -> list[ResolvedExpression]:
        """All temporal expressions in one sentence, resolved against the
        publication date, in text order, non-overlapping."""
        if isinstance(published, datetime):
            published = published.date()
        if not _TRIGGER.search(sentence):
            return []
        # The rules are written with the ASCII apostrophe; the typographic one
        # is replaced one for one, so offsets stay those of ``sentence``.
        text = sentence.replace("\u2019", "'")
        found: list[ResolvedExpression] = []
        for match in _SCANNER.finditer(text):
            resolved = self._resolve_match(text, match, published)
            if resolved is not None:
                value, granularity = resolved
                start, end = match.span()
                found.append(
                    ResolvedExpression(start, end, sentence[start:end], granularity, value)
                )
        return found

    # -- one candidate ------------------------------------------------------

    def _resolve_match(
        self, sentence: str, match: re.Match[str], published: date | None
    ) -> tuple[date, Granularity] | None:
        kind = match.lastgroup
        group = match.group
        start, end = match.span()

        if kind == "iso":
            return self._parse(
                f"{group('iso_y')}-{int(group('iso_m')):02d}-{int(group('iso_d')):02d}",
                _NO_BASE,
                "past",
            )
        if kind == "us":
            return self._parse(group("us"), _NO_BASE, "past")

        if kind in ("md", "dm"):
            month = _MONTHS[_month_number(group(f"{kind}_m")) - 1]
            day = int(group(f"{kind}_d").rstrip("stndrh"))  # "4th" -> 4
            year = group(f"{kind}_y")
            if year and _next_word(sentence, end).lower() in _UNITS:
                year = None  # "on March 4, 2000 people marched"
            if year:
                return self._parse(f"{month} {day} {year}", _NO_BASE, "past")
            if published is None:
                return None
            # dateparser's "future" means strictly after its base day, news's
            # "on June 23" in a future clause may be the publication day
            # itself: so the future is asked from the day before.
            if _is_future(sentence, start):
                result = self._parse(f"{month} {day}", published - timedelta(days=1), "future")
                return result if result and result[0] >= published else None
            result = self._parse(f"{month} {day}", published, "past")
            return result if result and result[0] <= published else None

        if kind == "my":
            month = _MONTHS[_month_number(group("my_m")) - 1]
            if _next_word(sentence, end).lower() in _UNITS:
                # "In March 2000 people marched": the number is a count.
                return self._resolve_month(sentence, start, end, month, group("my_mod"), published)
            return self._parse(f"{month} {group('my_y')}", _NO_BASE, "past")

        if kind == "mo":
            return self._resolve_month(
                sentence, start, end, group("mo_m").lower(), group("mo_mod"), published
            )

        if kind == "wd":
            return self._resolve_weekday(sentence, match, published)

        if kind == "yr":
            if not group("yr_mod") and not _is_year(sentence, match):
                return None
            return self._parse(group("yr_y"), _NO_BASE, "past")

        if published is None:
            return None  # everything below is relative to the publication date

        if kind == "rd":
            if group()[0].isupper() and not _at_sentence_start(sentence, start):
                prev = _prev_word(sentence, start)
                if (
                    prev.lower() in _DETERMINERS
                    or _looks_like_name(sentence, start, end, prev)
                    or _next_word(sentence, end).lower() in ("programme", "program", "show")
                ):
                    return None  # "BBC Radio 4's Today programme", "USA Today"
            if group("rd_today") or group("rd_tonight") or group("rd_this"):
                core = "today"  # tonight, this morning, earlier today: the same day
            elif group("rd_lastnight"):
                core = "yesterday"
            elif group("rd_dby"):
                core = f"the day {group('rd_dby').lower()}"
            else:
                core = group("rd_word").lower()
            return self._parse(core, published, "past")

        if kind == "ago":
            n = group("ago_n").lower()
            count = int(n) if n.isdigit() else _NUMBER_WORDS[n]
            unit = group("ago_u").lower().rstrip("s")
            return self._parse(f"{count} {unit}s ago", published, "past")

        if kind == "ry":
            if _prev_word(sentence, start).lower() in _DETERMINERS:
                return None  # "over the last year" is the past twelve months
            core = f"{group('ry_which').lower()} {group('ry_unit').lower()}"
            return self._parse(core, published, "past")

        return None  # pragma: no cover - every scanner branch is handled above

    def _resolve_month(
        self,
        sentence: str,
        start: int,
        end: int,
        name: str,
        mod: str | None,
        published: date | None,
    ) -> tuple[date, Granularity] | None:
        """A month name without day or year: "in February", "last May", "mid-March".

        dateparser reads the month itself; what it cannot know is which
        February: "last"/"next" mean strictly before/after the publication
        month, otherwise the clause's tense picks the most recent month at or
        before (past) or the next at or after (future) the publication month.
        """
        if published is None:
            return None
        mod = " ".join((mod or "").lower().split())
        prev = _prev_word(sentence, start)
        if not mod:
            if prev.lower() in _DETERMINERS and (
                name in _AMBIGUOUS_MONTHS or prev.lower() != "the"
            ):
                return None  # "the following March", "a March", but "the February report"
            if _looks_like_name(sentence, start, end, prev):
                return None
            if (
                name in _AMBIGUOUS_MONTHS
                and prev.lower() not in _TEMPORAL_PREV
                and (name == "may" or not _POSSESSIVE.match(sentence, end))
            ):
                return None  # "a March", "June said", but "June's elections"
            if (
                name in _AMBIGUOUS_MONTHS
                and prev.lower() in ("and", "or")
                and not _LIST_OF_MONTHS.search(sentence, max(0, start - 40), start)
            ):
                return None  # "Smith and May" but "January and May"
        if mod == "last":
            # "last May" said in May is a year ago: strictly before this month.
            base, direction = _last_day_of_previous_month(published), "past"
        elif mod == "next":
            base, direction = published, "future"  # dateparser: strictly after this month
        elif _is_future(sentence, start):
            # dateparser's future month is strictly after its base month; ours
            # may be the publication month itself ("will be held in May").
            base, direction = _last_day_of_previous_month(published), "future"
        else:
            base, direction = published, "past"  # at or before the publication month
        return self._parse(name, base, direction)

    def _resolve_weekday(
        self, sentence: str, match: re.Match[str], published: date | None
    ) -> tuple[date, Granularity] | None:
        """A weekday: "on Sunday", "last Thursday", "Thursday night", "Sunday's vote".

        dateparser resolves a weekday to the nearest one strictly before
        ("past") or after ("future") its base, which is the news convention;
        our rules choose the direction and drop weekdays that are names or
        relative to something else than the publication date.
        """
        if published is None:
            return None
        start, end = match.span()
        mod = " ".join((match.group("wd_mod") or "").lower().split())
        prev = _prev_word(sentence, start)
        if not mod:
            if prev.lower() in _DETERMINERS:
                return None  # "the following Sunday", "every Sunday", "the Sunday Times"
            if _weekday_is_name(sentence, start, end, prev):
                return None  # "Sunday Times", "Good Friday", "Super Tuesday"
            if _SUNDAY_PAPER.search(sentence, max(0, start - 20), start):
                return None  # "The Mail on Sunday said"
        weekday = match.group("wd_d").lower()
        if mod in ("", "this", "early", "late", "earlier", "later") and (
            _WEEKDAY_INDEX.get(weekday[:3]) == published.weekday()
        ):
            # Wire and newspaper copy name the publication day itself by its
            # weekday ("said on Monday" in Monday's paper), as AP style asks;
            # a week-old event on the same weekday is "last Monday".
            return published, Granularity.DAY
        if mod == "last":
            direction = "past"
        elif mod in ("next", "coming", "this coming"):
            direction = "future"
        else:
            direction = "future" if _is_future(sentence, start) else "past"
        result = self._parse(weekday, published, direction)
        if result is None:
            return None
        value = result[0]
        if (direction == "past" and value >= published) or (
            direction == "future" and value <= published
        ):
            return None
        return result

    # -- dateparser -----------------------------------------------------------

    def _parser(self, base: date, direction: str) -> DateDataParser:
        """One DateDataParser per (base day, direction), built once and reused.

        The base and direction are settings fixed when a parser is built, so
        one parser cannot serve several publication dates; building one is
        cheap once dateparser has loaded its English data.
        """
        key = (base, direction)
        parser = self._parsers.get(key)
        if parser is None:
            if len(self._parsers) >= _MAX_PARSERS:
                self._parsers.clear()
            parser = DateDataParser(
                languages=["en"],
                settings={
                    "RELATIVE_BASE": datetime.combine(base, time(12)),
                    "PREFER_DATES_FROM": direction,
                    "PREFER_DAY_OF_MONTH": "first",
                    "RETURN_AS_TIMEZONE_AWARE": False,
                    "DATE_ORDER": "MDY",  # "03/01/2024" is March 1 (US usage)
                },
            )
            self._parsers[key] = parser
        return parser

    def _parse_uncached(
        self, core: str, base: date, direction: str
    ) -> tuple[date, Granularity] | None:
        data = self._parser(base, direction).get_date_data(core)
        if data.date_obj is None:
            logger.debug("dateparser cannot read %r (base %s, %s)", core, base, direction)
            return None  # "February 30"
        granularity = _PERIOD_GRANULARITY.get(data.period)
        if granularity is None:
            return None  # a week or a quarter: not a day, month or year
        value = data.date_obj.date()
        if granularity is Granularity.MONTH:
            value = value.replace(day=1)
        elif granularity is Granularity.YEAR:
            value = value.replace(month=1, day=1)
        return value, granularity


# --------------------------------------------------------------------------
# Gold-set scoring (shared by the tests and bench/)
# --------------------------------------------------------------------------


def score_gold(
    resolver: TemporalResolver, items: Iterable[Mapping[str, Any]]
) -> tuple[int, int, list[dict[str, Any]]]:
    """Exact-match accuracy of ``resolver`` on gold items.

    Each item has ``published`` ("YYYY-MM-DD" or null), ``sentence``,
    ``expression`` (found with ``sentence.find``) and ``value``
    ("YYYY-MM-DD", "YYYY-MM", "YYYY" or null). An item is correct when a
    resolved mention overlapping the expression has that value, or, for a
    null value, when no mention overlaps it.

    Returns ``(correct, total, failures)``; each failure is the item with
    ``got`` (the labels of the overlapping mentions) added.
    """
    correct = total = 0
    failures: list[dict[str, Any]] = []
    for item in items:
        total += 1
        sentence = item["sentence"]
        published = date.fromisoformat(item["published"]) if item.get("published") else None
        begin = sentence.find(item["expression"])
        if begin < 0:
            failures.append({**item, "got": None, "error": "expression not in sentence"})
            continue
        finish = begin + len(item["expression"])
        overlapping = [
            m for m in resolver.resolve(sentence, published) if m.start < finish and m.end > begin
        ]
        labels = [m.label for m in overlapping]
        expected = item.get("value")
        if (expected is None and not labels) or (expected is not None and expected in labels):
            correct += 1
        else:
            failures.append({**item, "got": labels})
    return correct, total, failures
