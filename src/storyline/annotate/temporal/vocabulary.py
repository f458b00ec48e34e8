"""The words of English the temporal grammar is built from.

Only lists the language itself is a list of: month and weekday names,
number words, ordinals, seasons, the irregular past tense, quantifiers,
units of measure, named days (``data/holidays.tsv``). Every rule that uses
them is in :mod:`grammar`, :mod:`uses` or :mod:`tense`, stated there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from dateutil.easter import easter
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

MONTHS = (
    "january february march april may june july "
    "august september october november december"
).split()
MONTH_NUMBER = {name: i for i, name in enumerate(MONTHS, 1)}
MONTH_ABBR = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
WEEKDAY_NUMBER = {name: i for i, name in enumerate(WEEKDAYS)}
WEEKDAY_NUMBER.update({name[:3]: i for i, name in enumerate(WEEKDAYS)})

#: Month names that are also words or first names ("may", "march", "April
#: Smith"): alone, without a day or a year, they count as months only after
#: a temporal word (``uses.AMBIGUOUS_MONTH``).
AMBIGUOUS_MONTHS = frozenset({"march", "may", "april", "june", "august"})

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "a hundred": 100,
}  # fmt: skip
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6,
    "seventies": 7, "eighties": 8, "nineties": 9,
}  # fmt: skip
#: Seasons as TimeML names them (model.SEASON_MONTHS gives their months).
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}

#: The irregular simple past of English verbs news is written with (the
#: regular one is any word in -ed, see :mod:`tense`). Forms that are also
#: the present ("hit", "set", "put", "read") are left out: they say nothing.
IRREGULAR_PAST = frozenset(
    """
    was were had did said told went came became began took made gave found left met
    won lost held fell rose saw got brought thought bought sought fought caught taught
    ran sat stood spoke broke wrote drove rode chose froze stole woke wore tore swore
    shook knew grew threw flew drew blew overcame forgave ate hid bit lit led fed fled
    bled sped spent sent lent bent built felt kept slept swept wept crept dealt meant
    knelt paid laid struck stuck swung sprang sang rang drank sank shrank swam spun
    dug hung clung flung stung sold heard understood withdrew undertook forbade arose
    awoke beheld forgot foresaw mistook overtook oversaw shone slid strode strove
    thrust underwent upheld withheld
    """.split()
)
#: Words in -ed that are not past-tense verbs.
NOT_PAST_IN_ED = frozenset(
    """
    need feed seed speed bed red shed hundred sacred naked wicked indeed
    proceed exceed succeed bleed breed greed deed weed reed steed embed bred wed
    """.split()
)

#: Words before a number that make it a count or an amount ("nearly 2000",
#: "some 1500 troops", "up to 2010 jobs"), quantifiers of English.
QUANTIFIERS = frozenset(
    """
    nearly almost approximately some over than least only just roughly estimated
    total another additional extra further about around
    """.split()
)
#: Nouns that put a number after them in a series of labels ("Flight 1549",
#: "No. 2008", "Resolution 1973"): a label, never a year.
LABEL_NOUNS = frozenset(
    """
    no number page flight route room code model version article section resolution
    item line chapter rule bill box platform gate exit highway interstate channel
    """.split()
)
#: Units of measure and clock time: a number before one is an amount or a time.
MEASURE_UNITS = frozenset(
    """
    km kilometres kilometers miles metres meters feet ft yards mph kph kg kilos kilograms
    tonnes tons pounds lb lbs mg ml litres liters gallons barrels acres hectares sq square
    degrees dollars euros yen yuan rupees francs pesos dollar euro pound usd eur gbp
    hours hrs hr h gmt utc bst cet est edt pst pdt local percent pc points units times
    """.split()
)
#: Plural nouns not in -s: "2000 people" is a count.
IRREGULAR_PLURALS = frozenset("people children men women police staff personnel cattle".split())
#: Words that make a month, a weekday or a named day habitual: "every
#: Sunday", "each August", "the annual May Day march", "usual Friday prayers".
HABITUAL = frozenset("every each annual annually usual traditional yearly weekly".split())


@dataclass(frozen=True, slots=True)
class Holiday:
    """A named day: its names and the rule that gives its date in a year."""

    names: tuple[str, ...]
    rule: str

    def day(self, year: int) -> date:
        """The holiday's date in ``year``."""
        if self.rule.startswith("easter"):
            return easter(year) + relativedelta(days=int(self.rule[6:]))
        if ":" in self.rule:
            month, weekday, nth = self.rule.split(":")
            n = int(nth)
            first = date(year, int(month), 1)
            if n < 0:
                first += relativedelta(day=31)  # the month's last day
            return first + relativedelta(weekday=_WEEKDAY_RULES[weekday](n))
        month, day = self.rule.split("-")
        return date(year, int(month), int(day))


_WEEKDAY_RULES = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}
_HOLIDAY_RULE = re.compile(r"\d\d-\d\d|easter[+-]\d+|\d\d:(?:MO|TU|WE|TH|FR|SA|SU):-?[1-5]")


@cache
def holidays() -> dict[str, Holiday]:
    """Each holiday name (lower case, ASCII apostrophe) and its holiday, from the data file."""
    text = files("storyline").joinpath("data/holidays.tsv").read_text("utf-8")
    found: dict[str, Holiday] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not _HOLIDAY_RULE.fullmatch(fields[1]):
            raise ValueError(f"data/holidays.tsv:{number}: want 'names<TAB>rule<TAB>where'"
                             f" with a rule like 12-25, easter-2 or 11:TH:4, got {line!r}")
        holiday = Holiday(tuple(fields[0].split("|")), fields[1])
        for name in holiday.names:
            found[name.lower()] = holiday
    return found
