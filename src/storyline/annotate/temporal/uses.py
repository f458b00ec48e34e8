"""Whether a span the grammar found is a date in this use, or something else.

The same words are dates in one sentence and not in the next: "May" the
month and "may" the modal, "Sunday" and "the Sunday Times", "2008" the year
and "2008 people", "the 2019 election" and "a 2025 bond". Each rule here
says what makes a candidate something other than the date of an event:

- **a name** (:func:`part_of_name`): a capitalised word other than a
  temporal or function word touches it ("April Smith", "Theresa May", "Sunday
  Times", "Christmas Island", "Good Friday Agreement"), or a title noun
  introduces it ("the series Wednesday");
- **a habit** (:func:`habitual`): "every", "each", "annual", "usual"... before
  it ("every August", "the usual May Day rallies"); plurals ("Mondays")
  the grammar never takes;
- **a count, an amount or a label** (:func:`is_year`): a number after a
  quantifier, a currency sign or a label noun ("nearly 2000", "$2008",
  "Flight 1549"), before a unit ("2000 km", "1900 GMT") or a plural noun
  without a preposition of time ("2008 people", but "in 1918 children
  died"), in a fraction or a range of numbers ("2008-09", "2008.5");
- **a year used as a name or label** (:func:`year_is_label`): part of a
  capitalised name ("Euro 2008", "Vision 2030", "the 2019 American Music
  Awards"), after "a" or "an" as a class of things ("a 2019 model"), or a
  year still to come that qualifies a noun in a clause that does not look
  forward ("WeWork's 2025 bond has weakened": a maturity, not an event).

Durations ("five years", "for two weeks") are not rules here: the grammar
only takes a length of time with what anchors it ("ago", "later", "from
now"), and "in two weeks" only where the clause looks forward.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from storyline.annotate.temporal.vocabulary import (
    HABITUAL,
    IRREGULAR_PLURALS,
    LABEL_NOUNS,
    MEASURE_UNITS,
    MONTH_ABBR,
    MONTH_NUMBER,
    QUANTIFIERS,
    WEEKDAYS,
)

#: A word right before a bare month or weekday that makes it a date.
TEMPORAL_PREV = frozenset(
    "on in since by until till through throughout during from to of before after "
    "early late mid last next this around between as and or except".split()
)
#: Determiners: before a month or weekday they make it something else than
#: the nearest such day ("a Sunday in May", "the Sunday Times", "one Friday").
DETERMINERS = frozenset(
    "the a an that every each following previous preceding same one another "
    "any some first second third final whole".split()
)
#: Words before a number that make it a year whatever follows ("in 1918 children died").
YEAR_PREPOSITIONS = frozenset("in since during until till circa by from before after".split())
#: A weekday or month right after these is the title of a work.
TITLE_NOUNS = frozenset(
    "series film movie novel book album song sitcom drama musical opera documentary".split()
)
#: Before a weekday, these make it the name of an event ("Super Tuesday",
#: "Black Friday"); named days that are dates are in data/holidays.tsv.
WEEKDAY_NAME_MODIFIERS = frozenset(
    "black super ash holy maundy easter palm bloody cyber fat shrove whit "
    "plough low giving business man girl blue manic spy".split()
)
#: After these a weekday is a date even when a capitalised word follows.
REPORTING_VERBS = frozenset("said says told announced reported added confirmed".split())
#: Capitalised words that are not names ("The 1918 pandemic", "In May").
FUNCTION_WORDS = TEMPORAL_PREV | DETERMINERS | frozenset(
    "its his her their our my your these those about around what which when "
    "where while because although though if but so yet".split()
)

_PREV_WORD = re.compile(r"([A-Za-z][\w'.$]*|[$£€¥#])\s*$")
_NEXT_WORD = re.compile(r"\s*([A-Za-z][\w-]*)")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z]")
_SUNDAY_PAPER = re.compile(r"\b(?:Mail|Independent|Scotland|Wales)\s+on\s+$")
_NOT_A_YEAR_AFTER = re.compile(
    r"(?:%|-[A-Za-z]|[-/]\d|\s*–\s*\d|\s*-\s*(?:19|20)\d\d(?!\d)|[.,]\d|\s*per\s*cent\b)"
)
_UP_TO = re.compile(r"(?i)\bup\s+to\s*$")
_PLURAL_NOUN = re.compile(r"[a-z]{3,}s$")
_NOT_PLURAL_NOUNS = frozenset("was has is as this its his us yes thus plus less crisis".split())


def _plural_noun(word: str) -> bool:
    return word in IRREGULAR_PLURALS or (
        bool(_PLURAL_NOUN.match(word)) and word not in _NOT_PLURAL_NOUNS)


def prev_word(text: str, start: int) -> str:
    match = _PREV_WORD.search(text, max(0, start - 40), start)
    return match.group(1) if match else ""


def next_word(text: str, end: int) -> str:
    match = _NEXT_WORD.match(text, end, min(len(text), end + 40))
    return match.group(1) if match else ""


def at_sentence_start(text: str, start: int) -> bool:
    """True when only quotes, brackets or spaces come before ``start``."""
    return not any(c.isalnum() for c in text[:start])


def is_temporal_word(word: str) -> bool:
    low = word.lower().rstrip(".")
    return low in MONTH_NUMBER or low in MONTH_ABBR or low in WEEKDAYS


def capitalised(word: str) -> bool:
    return bool(_CAPITALISED.match(word))


def habitual(text: str, start: int) -> bool:
    """"every August", "each Sunday", "the annual May Day march": a habit, not a date."""
    before = text[max(0, start - 30):start].lower().split()
    return any(word in HABITUAL for word in before[-2:])


def part_of_name(text: str, start: int, end: int, prev: str) -> bool:
    """Whether a lone month or named day is (part of) a name or a title.

    It is when a capitalised word other than a temporal or function word
    touches it ("April Smith", "Theresa May", "Christmas Island"), or a noun
    such as "series" introduces it, unless a temporal word such as "on" or
    "in" right before it marks it as a date.
    """
    low = prev.lower()
    if low in TEMPORAL_PREV:
        return False
    if low in TITLE_NOUNS:
        return True
    if capitalised(prev) and low not in FUNCTION_WORDS and not low.endswith("'s") and (
        not is_temporal_word(prev)
    ):
        return True
    if low in REPORTING_VERBS:
        return False
    following = next_word(text, end)
    return capitalised(following) and not is_temporal_word(following)


def weekday_is_name(text: str, start: int, end: int, prev: str) -> bool:
    """Whether a lone weekday is (part of) a name: "Super Tuesday", "Sunday Times".

    Unlike a month, a weekday after a capitalised word is a date unless that
    word makes an event of it: wire copy writes "told CNN Thursday" and "the
    United States Wednesday condemned". A capitalised word after it still
    makes a name ("Sunday Times", "Tuesday Morning"), and so does "The Mail
    on Sunday".
    """
    low = prev.lower()
    if _SUNDAY_PAPER.search(text, max(0, start - 20), start):
        return True
    if low in TEMPORAL_PREV or low in REPORTING_VERBS:
        return False
    if low in TITLE_NOUNS or (low in WEEKDAY_NAME_MODIFIERS and capitalised(prev)):
        return True
    following = next_word(text, end)
    return capitalised(following) and not is_temporal_word(following)


def is_year(text: str, start: int, end: int) -> bool:
    """Whether the four digits at ``text[start:end]`` are a year, not a count or an amount."""
    if _NOT_A_YEAR_AFTER.match(text, end, end + 12):
        return False  # 2008%, 2008-strong, 2008-09, 2008 - 2010, 2008/09, 2008.5
    prev = prev_word(text, start)
    low = prev.lower().rstrip(".")
    after = next_word(text, end).lower()
    if int(text[start:end]) < 1900 and low not in YEAR_PREPOSITIONS:
        return False  # "1500 troops": only "in 1896", "since 1897" are old years
    if low not in YEAR_PREPOSITIONS and (
        after in MEASURE_UNITS
        or (_plural_noun(after) and text[end:end + 1] == " " and not _determined(low))
    ):
        return False  # "2008 people", "1900 GMT", but "in 1918 children died", "the 2008 elections"
    if low in QUANTIFIERS or low in LABEL_NOUNS or (prev and prev[-1] in "$£€¥#"):
        return False  # "about 2000", "$2008", "No. 2008", "Flight 1549"
    if low == "to" and _UP_TO.search(text, max(0, start - 10), start):
        return False
    return low not in ("us", "usd", "rs", "eur", "gbp")


def _determined(low: str) -> bool:
    return low in DETERMINERS or low.endswith("'s") or low in ("its", "his", "her", "their")


def year_is_label(text: str, start: int, end: int, published: date | None,
                  looks_forward: Callable[[], bool]) -> bool:
    """Whether a year names or labels something rather than dating an event.

    "Euro 2008", "Vision 2030", "Windows 2000": a capitalised name before
    it. "the 2019 American Music Awards", "the 1994 Freedom of Access to
    Clinic Entrances Act": the first words of a name after it (the
    capitalised words end the noun phrase; in "the 1996 Olympic bombing"
    they qualify a noun, an event of 1996). "WeWork's 2025 bond has
    weakened", "a 2025 bond": a year still to come before a noun, in a
    clause that does not look forward (the bond's maturity; "the 2020
    election will be close" is an event to come).
    """
    prev = prev_word(text, start)
    low = prev.lower()
    if capitalised(prev) and low not in FUNCTION_WORDS and not low.endswith("'s") and (
        not is_temporal_word(prev)
    ):
        return True
    following = next_word(text, end)
    if not following or text[end:end + 1] != " ":
        return False
    if _determined(low) and capitalised(following) and not is_temporal_word(following):
        return _name_after(text, end)
    return bool(
        published and int(text[start:end]) > published.year and following.islower()
        and _determined(low) and not looks_forward()
    )


_CAPITALISED_RUN = re.compile(r"(?:\s+(?:[A-Z][\w.'-]*|of|to|for|and|the|on|in))+")
#: Words that end a noun phrase: a name ends before them.
_AFTER_A_NAME = frozenset(
    """
    is are was were has have had will would can could may might must should said says
    and or but in on at of to for with by from as that which who whose when where
    """.split()
)


def _name_after(text: str, end: int) -> bool:
    """Whether the capitalised words after ``end`` end a noun phrase (a name), rather
    than qualify the lower-case noun that follows them."""
    run = _CAPITALISED_RUN.match(text, end)
    if not run:
        return False
    following = next_word(text, run.end())
    return not following or not following.islower() or following in _AFTER_A_NAME or (
        not text[run.end():run.end() + 1].isspace())


def amount_follows(text: str, end: int) -> bool:
    """Whether the year that ends a full date is a count: "On March 4, 2000 people marched".

    It is before a unit, or a round number (as counts are written) before a
    plural noun: "March 4, 2009 officials said" keeps its year.
    """
    after = next_word(text, end).lower()
    number = text[end - 4:end]
    return after in MEASURE_UNITS or (
        number.isdigit() and int(number) % 50 == 0
        and _plural_noun(after) and text[end:end + 1] == " "
    )
