"""The temporal resolver's parts, one table of examples each: grammar rules, tense,
anchoring, named days, the page's numeric convention, and whole articles."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.annotate.temporal import TemporalResolver, grammar
from storyline.annotate.temporal.anchoring import day_first, pick
from storyline.annotate.temporal.expressions import Occurrence, Relation
from storyline.annotate.temporal.tense import Tense, clause_tense
from storyline.annotate.temporal.vocabulary import Holiday, holidays
from storyline.model import Granularity

PUBLISHED = date(2019, 6, 23)


# --------------------------------------------------------------------------
# Every rule's own examples (kept beside the rule in grammar.RULES)
# --------------------------------------------------------------------------

EXAMPLES = [(rule.name, *example) for rule in grammar.RULES for example in rule.examples]


def readings(sentence: str, span: str) -> list[tuple[str, str]]:
    """(rule, normalized form) of every scanner match overlapping ``span``."""
    begin = sentence.index(span)
    finish = begin + len(span)
    found = []
    for match in grammar.SCANNER.finditer(sentence):
        if match.start() < finish and match.end() > begin:
            name = match.lastgroup
            reading = grammar.BY_NAME[name].read(
                grammar.Found(name, match, sentence, grammar.Page(), PUBLISHED))
            if isinstance(reading, list):
                reading = " + ".join(str(expression) for _, _, expression in reading)
            found.append((name, None if reading is None else str(reading)))
    return found


def test_every_rule_has_examples():
    assert all(rule.examples for rule in grammar.RULES)
    assert len(grammar.BY_NAME) == len(grammar.RULES)


@pytest.mark.parametrize(("rule", "sentence", "span", "expected"), EXAMPLES)
def test_rule_examples(rule, sentence, span, expected):
    found = readings(sentence, span)
    if expected is None:
        assert all(reading is None for _, reading in found), found
    else:
        assert (rule, expected) in found, found


# --------------------------------------------------------------------------
# Tense of the clause
# --------------------------------------------------------------------------

TENSES = [
    ("The vote took place on June 23.", "June 23", Tense.PAST),
    ("The vote will take place on June 23.", "June 23", Tense.FUTURE),
    ("The deadline is June 30.", "June 30", Tense.EITHER),
    ("Officials ordered schools closed until 6 May.", "6 May", Tense.EITHER),
    ("On Monday, the minister resigned.", "Monday", Tense.PAST),
    ("In January, a week after the vote, a bomb killed a guard.", "January", Tense.PAST),
    ("The United States Tuesday condemned the shelling.", "Tuesday", Tense.PAST),
    ("Sunday's vote will decide the matter.", "Sunday", Tense.NONE),
    ("He said on Sunday that talks will resume on Tuesday.", "Tuesday", Tense.FUTURE),
    ("The Justice Department will release the redacted report on Thursday.", "Thursday",
     Tense.FUTURE),
    ("Elections will be held in June.", "June", Tense.FUTURE),
    ("The hearing was expected on Friday.", "Friday", Tense.EITHER),
    ("He said he would step down by October.", "October", Tense.EITHER),
    ("The court ordered them to testify on Feb. 10.", "Feb. 10", Tense.EITHER),
    ("Few were willing to predict Tuesday that it would spread.", "Tuesday", Tense.PAST),
    ("The case is heard in May, when the court is in session.", "session", Tense.FUTURE),
    ("Trading closed on Friday – down from a record set in February.", "February", Tense.PAST),
    ("Ahead of hearings on Tuesday, lawmakers released a letter.", "Tuesday", Tense.FUTURE),
    ("He is due to be posthumously inducted on 14 June.", "14 June", Tense.FUTURE),
    ("Protesters planned a march on Saturday.", "Saturday", Tense.EITHER),
    ("The judge has set the hearing for April 20.", "April 20", Tense.FUTURE),
    ("Rain could fall through Wednesday.", "Wednesday", Tense.FUTURE),
    ("LONDON, March 30 – Leaders met on Monday.", "March 30", Tense.PAST),
    ("10 April: Troops must withdraw from the towns.", "10 April", Tense.EITHER),
    ("8 May: Dome fails to cap leak 2 June: Inquiry begins", "2 June", Tense.PAST),
    ("Scotland May 18: No one can doubt he has guts.", "May 18", Tense.PAST),
    ("Neither man could be located Wednesday.", "Wednesday", Tense.EITHER),
    ("Schools are closed on Monday.", "Monday", Tense.NONE),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "span", "expected"), TENSES)
def test_clause_tense(sentence, span, expected):
    start = sentence.index(span)
    possessive = sentence.startswith("'s", start + len(span))
    assert clause_tense(sentence, start, start + len(span), possessive=possessive) is expected


# --------------------------------------------------------------------------
# Choosing an occurrence
# --------------------------------------------------------------------------


def days(*values: str) -> list[Occurrence]:
    return [Occurrence(date.fromisoformat(v), date.fromisoformat(v), date.fromisoformat(v),
                       Granularity.DAY) for v in values]


SUNDAYS = days("2009-04-26", "2009-05-03", "2009-05-10", "2009-05-17")
WED = date(2009, 5, 6)
PICKS = [
    (Relation.NEAREST, Tense.PAST, "2009-05-03"),
    (Relation.NEAREST, Tense.FUTURE, "2009-05-10"),
    (Relation.NEAREST, Tense.NONE, "2009-05-03"),  # 3 days back, 4 ahead
    (Relation.LAST, Tense.FUTURE, "2009-05-03"),  # "last" does not ask the tense
    (Relation.NEXT, Tense.PAST, "2009-05-10"),
]


@pytest.mark.parametrize(("relation", "tense", "expected"), PICKS)
def test_pick(relation, tense, expected):
    assert pick(SUNDAYS, WED, WED, relation, tense).value.isoformat() == expected


def test_pick_the_reference_day_itself():
    wednesdays = days("2009-04-29", "2009-05-06", "2009-05-13")
    assert pick(wednesdays, WED, WED, Relation.NEAREST, Tense.PAST).value == WED
    assert pick(wednesdays, WED, WED, Relation.NEAREST, Tense.FUTURE).value == WED
    assert pick(wednesdays, WED, WED, Relation.LAST, Tense.NONE).value == date(2009, 4, 29)
    assert pick(wednesdays, WED, WED, Relation.NEXT, Tense.NONE).value == date(2009, 5, 13)
    assert pick([], WED, WED, Relation.NEAREST, Tense.NONE) is None


# --------------------------------------------------------------------------
# Named days
# --------------------------------------------------------------------------

HOLIDAYS = [
    ("christmas day", 2009, "2009-12-25"),
    ("easter", 2009, "2009-04-12"),
    ("good friday", 2009, "2009-04-10"),
    ("easter monday", 2016, "2016-03-28"),
    ("thanksgiving", 2012, "2012-11-22"),
    ("memorial day", 2009, "2009-05-25"),
    ("labor day", 2015, "2015-09-07"),
    ("martin luther king day", 2019, "2019-01-21"),
    ("new year's eve", 2010, "2010-12-31"),
]


@pytest.mark.parametrize(("name", "year", "expected"), HOLIDAYS)
def test_holidays(name, year, expected):
    assert holidays()[name].day(year).isoformat() == expected


def test_holiday_rules_compute_for_every_year():
    for holiday in set(holidays().values()):
        for year in range(1990, 2031):
            assert holiday.day(year).year == year


def test_a_holiday_rule_of_each_kind():
    assert Holiday(("X",), "05:MO:-1").day(2021) == date(2021, 5, 31)
    assert Holiday(("X",), "easter-46").day(2021) == date(2021, 2, 17)


# --------------------------------------------------------------------------
# How the page writes numeric dates
# --------------------------------------------------------------------------

DAY_FIRST = [
    ("Paid on 03/01/2024.", None, False),
    ("Paid on 03/01/2024.", "https://www.example.co.uk/a", True),
    ("Paid on 03/01/2024.", "https://www.example.de/a", True),
    ("Paid on 03/01/2024.", "https://www.example.com/a", False),
    ("Paid on 03/01/2024.", "https://www.example.us/a", False),
    ("Paid on 03/01/2024.", "https://news.example.co/a", False),
    ("Paid on 03/01/2024. Filed 15/01/2024.", "https://www.example.com/a", True),
    ("Paid on 03/01/2024. Filed 01/15/2024.", "https://www.example.co.uk/a", False),
    ("Paid on 13/01/2024 and 01/15/2024.", "https://www.example.co.uk/a", True),
    ("Paid on 03/01/2024.", "http://[::1/a", False),  # a URL that does not parse: no domain
]


@pytest.mark.parametrize(("text", "url", "expected"), DAY_FIRST)
def test_day_first(text, url, expected):
    assert day_first(text, url) is expected


# --------------------------------------------------------------------------
# Whole articles: anaphora and the page's convention
# --------------------------------------------------------------------------

ARTICLES = [
    # the anaphoric anchor is the last date resolved, and must be precise enough
    (["The quake struck on Jan. 12.", "Three days later, aid landed."], "Three days later",
     "2010-01-15"),
    (["The quake struck in January.", "Three days later, aid landed."], "Three days later",
     None),
    (["The firm collapsed in March 2008.", "Two months later, its chief quit."],
     "Two months later", "2008-05"),
    (["Talks began on Monday.", "They ended the following Thursday."],
     "the following Thursday", "2010-01-21"),
    (["Talks began on Monday.", "On the 22nd they ended."], "the 22nd", "2010-01-22"),
    # "the 12th" without an earlier date: of the publication month, by the tense
    (["The parliament will vote on the 25th."], "the 25th", "2010-01-25"),
    (["The parliament voted on the 25th."], "the 25th", "2009-12-25"),
    # a quarter dates no anchor for "the next day"
    (["Profit fell in the third quarter.", "The next day, shares fell."], "The next day", None),
    # the anchor is found two sentences back, not three
    (["The quake struck on Jan. 12.", "Aid was slow.", "Three days later, aid landed."],
     "Three days later", "2010-01-15"),
    (["The quake struck on Jan. 12.", "Aid was slow.", "Roads were cut.",
      "Three days later, aid landed."], "Three days later", None),
]  # fmt: skip


@pytest.mark.parametrize(("sentences", "span", "expected"), ARTICLES)
def test_articles(sentences, span, expected):
    published = date(2010, 1, 20)
    resolved = TemporalResolver().resolve_article(sentences, published)[-1]
    last = sentences[-1]
    begin = last.index(span)
    labels = [m.label for m in resolved if m.start < begin + len(span) and m.end > begin]
    assert labels == ([] if expected is None else [expected])


def test_ranges_keep_their_end():
    (mention,) = TemporalResolver().resolve("Talks ran from Dec. 28 to Jan. 3.", date(2010, 1, 20))
    assert (mention.label, mention.end_label) == ("2009-12-28", "2010-01-03")
    assert mention.text == "Dec. 28 to Jan. 3"


def test_weekday_beside_a_date_picks_the_year_they_agree_in():
    (mention,) = TemporalResolver().resolve("Shops shut until Wednesday May 6.",
                                            date(2009, 4, 29))
    assert mention.label == "2009-05-06"
    (mention,) = TemporalResolver().resolve("It began on Tuesday, May 6.", date(2009, 4, 29))
    assert mention.label == "2008-05-06"


# --------------------------------------------------------------------------
# The fast path loses nothing
# --------------------------------------------------------------------------


def _corpus() -> list[str]:
    import json
    from pathlib import Path

    gold = Path(__file__).resolve().parents[1] / "data" / "temporal_gold.jsonl"
    rows = [json.loads(line) for line in gold.read_text().splitlines() if line.strip()]
    sentences = [row["sentence"] for row in rows]
    sentences += [c for row in rows for c in row.get("context") or []]
    return sentences + [example[0] for _, example in
                        ((r, e) for r in grammar.RULES for e in r.examples)]


def test_the_starter_look_ahead_loses_no_match():
    everywhere = grammar.scanner(start=r"(?=[\w'])")
    for sentence in _corpus():
        assert ([m.span() for m in grammar.SCANNER.finditer(sentence)]
                == [m.span() for m in everywhere.finditer(sentence)]), sentence


def test_every_sentence_with_a_match_passes_the_trigger():
    for sentence in _corpus():
        if grammar.SCANNER.search(sentence):
            assert grammar.has_candidate(sentence), sentence
