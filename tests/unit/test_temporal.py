"""Tests for storyline.annotate.temporal: finding and resolving temporal expressions."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from storyline.annotate.temporal import ResolvedExpression, TemporalResolver, grammar, score_gold
from storyline.model import Granularity

GOLD = Path(__file__).resolve().parents[1] / "data" / "temporal_gold.jsonl"

WED = date(2009, 5, 6)  # a Wednesday; most cases are published on it
SUN = date(2009, 5, 3)


@pytest.fixture(scope="module")
def resolver() -> TemporalResolver:
    return TemporalResolver()


def overlapping(resolver: TemporalResolver, sentence: str, expression: str, published):
    begin = sentence.index(expression)
    finish = begin + len(expression)
    return [
        m.label for m in resolver.resolve(sentence, published) if m.start < finish and m.end > begin
    ]


def check(resolver, sentence, expression, published, expected):
    got = overlapping(resolver, sentence, expression, published)
    if expected is None:
        assert got == [], f"{expression!r} in {sentence!r} should not resolve, got {got}"
    else:
        assert got == [expected], f"{expression!r} in {sentence!r}: got {got}, want {expected}"


# --------------------------------------------------------------------------
# Weekdays and relative days
# --------------------------------------------------------------------------

WEEKDAYS = [
    ("The rebels attacked on Sunday.", "Sunday", WED, "2009-05-03"),
    ("Police said last Thursday that two men were held.", "last Thursday", WED, "2009-04-30"),
    ("The fire broke out Thursday night.", "Thursday night", WED, "2009-04-30"),
    ("Sunday's vote was close.", "Sunday", WED, "2009-05-03"),
    ("Sunday 's vote was close .", "Sunday", WED, "2009-05-03"),
    ("The storm hit early Tuesday, officials said.", "early Tuesday", WED, "2009-05-05"),
    ("On Monday, the minister resigned.", "Monday", WED, "2009-05-04"),
    # same weekday as publication, past: a week earlier
    # the publication day's own weekday is that day, as in wire copy
    ("It happened on Wednesday.", "Wednesday", WED, "2009-05-06"),
    ("Voters went to the polls on Sunday.", "Sunday", SUN, "2009-05-03"),
    ("It happened last Wednesday.", "last Wednesday", WED, "2009-04-29"),
    # future cues
    ("The vote will be held on Sunday.", "Sunday", WED, "2009-05-10"),
    ("We'll know more on Friday.", "Friday", WED, "2009-05-08"),
    ("We 'll know more on Friday .", "Friday", WED, "2009-05-08"),
    ("The board shall meet on Thursday.", "Thursday", WED, "2009-05-07"),
    ("Talks are due to resume on Friday.", "Friday", WED, "2009-05-08"),
    ("The report is due to be published on Monday.", "Monday", WED, "2009-05-11"),
    ("The minister is expected to arrive on Monday.", "Monday", WED, "2009-05-11"),
    ("The hearing is scheduled for Tuesday.", "Tuesday", WED, "2009-05-12"),
    ("The judge has set the first hearing in the case for May 20.", "May 20", WED, "2009-05-20"),
    ("The judge has set the first hearing in the case for April 20.", "April 20", WED,
     "2010-04-20"),
    ("A vote, scheduled for Friday, was postponed.", "Friday", WED, "2009-05-08"),
    ("He plans to visit the site on Saturday.", "Saturday", WED, "2009-05-09"),
    ("The firm is set to sign the deal on Friday.", "Friday", WED, "2009-05-08"),
    ("They are going to vote on Thursday.", "Thursday", WED, "2009-05-07"),
    ("A summit to be held on Monday will discuss it.", "Monday", WED, "2009-05-11"),
    ("She will travel to Paris next Friday.", "next Friday", WED, "2009-05-08"),
    ("The minister will meet them on Wednesday.", "Wednesday", WED, "2009-05-06"),
    ("The minister will meet them next Wednesday.", "next Wednesday", WED, "2009-05-13"),
    ("Next Sunday the polls open.", "Next Sunday", SUN, "2009-05-10"),
    # the future cue must be in the expression's clause, before it
    ("The minister, who will retire next year, said on Sunday he was tired.", "Sunday", WED,
     "2009-05-03"),
    ("Officials who will attend said on Monday they were ready.", "Monday", WED, "2009-05-04"),
    ("He said on Sunday that talks will resume on Tuesday.", "Sunday", WED, "2009-05-03"),
    ("He said on Sunday that talks will resume on Tuesday.", "Tuesday", WED, "2009-05-12"),
    ("Sunday's vote will decide the matter.", "Sunday", WED, "2009-05-03"),
    # a past relative clause after the cue is past; a planning verb in it is not
    ("It must clean the drain that carried the spill on Monday.", "Monday", WED,
     "2009-05-04"),
    ("Aid will reach the towns which flooded on Sunday.", "Sunday", WED, "2009-05-03"),
    ("He will join the rally that organisers planned for Saturday.", "Saturday", WED,
     "2009-05-09"),
    ("They will meet the envoy who is expected on Friday.", "Friday", WED, "2009-05-08"),
    # modals look forward, unless negated, perfect or of perception
    ("The Senate could vote on it as early as Thursday.", "Thursday", WED, "2009-05-07"),
    ("Counting could continue until Friday.", "Friday", WED, "2009-05-08"),
    ("Congress must act by Monday.", "Monday", WED, "2009-05-11"),
    ("He could not be reached on Monday.", "Monday", WED, "2009-05-04"),
    ("She could have died on Monday.", "Monday", WED, "2009-05-04"),
    ("Gunfire could be heard on Monday.", "Monday", WED, "2009-05-04"),
    ("Officials in Canada said on Monday the border was shut.", "Monday", WED, "2009-05-04"),
    # AP style drops "on": a weekday after a name or object is still a date.
    ("The prosecutor told CNN Monday that the court would investigate.", "Monday", WED,
     "2009-05-04"),
    ("The United States Tuesday condemned the shelling.", "Tuesday", WED, "2009-05-05"),
    ("Russia sent an envoy to Libya Monday to meet rebels.", "Monday", WED, "2009-05-04"),
    ("Also Tuesday, NATO said its jets hit a depot.", "Tuesday", WED, "2009-05-05"),
    ("Earlier Saturday, the leader issued defiant messages.", "Saturday", WED, "2009-05-02"),
    ("Shares hit a low Monday before recovering.", "Monday", WED, "2009-05-04"),
    ("The club has canceled Monday's match.", "Monday", WED, "2009-05-04"),
    # intentions and the scheduled present
    ("The airline said it expects to resume flights by Friday.", "Friday", WED, "2009-05-08"),
    ("Putin is widely expected to win Sunday's vote.", "Sunday", WED, "2009-05-10"),
    ("The jobs report due this Friday should show gains.", "this Friday", WED, "2009-05-08"),
    ("Russia holds its presidential election on Sunday.", "Sunday", WED, "2009-05-10"),
    ("The World Cup kicks off in Sao Paulo on Thursday.", "Thursday", WED, "2009-05-07"),
    # the typographic apostrophe
    ("Sunday\u2019s vote was close.", "Sunday", WED, "2009-05-03"),
    ("We\u2019ll know more on Friday.", "Friday", WED, "2009-05-08"),
]  # fmt: skip

RELATIVE_DAYS = [
    ("The WHO warned today of a pandemic.", "today", "2009-05-06"),
    ("Today, the ministry confirmed three cases.", "Today", "2009-05-06"),
    ("Doctors met this morning.", "this morning", "2009-05-06"),
    ("The result is expected tonight.", "tonight", "2009-05-06"),
    ("Earlier today the plane landed.", "Earlier today", "2009-05-06"),
    ("Five people died yesterday.", "yesterday", "2009-05-05"),
    ("Schools reopen tomorrow.", "tomorrow", "2009-05-07"),
    ("He was arrested three days ago.", "three days ago", "2009-05-03"),
    ("He was arrested 3 days ago.", "3 days ago", "2009-05-03"),
    ("Looters struck last night.", "last night", "2009-05-05"),
    ("The first case was found two years ago.", "two years ago", "2007"),
]


@pytest.mark.parametrize(("sentence", "expression", "published", "expected"), WEEKDAYS)
def test_weekdays(resolver, sentence, expression, published, expected):
    check(resolver, sentence, expression, published, expected)


@pytest.mark.parametrize(("sentence", "expression", "expected"), RELATIVE_DAYS)
def test_relative_days(resolver, sentence, expression, expected):
    check(resolver, sentence, expression, WED, expected)


# --------------------------------------------------------------------------
# Months and days without a year
# --------------------------------------------------------------------------

MONTH_DAYS = [
    ("The meeting on Feb. 10 was tense.", "Feb. 10", "2009-02-10"),
    ("The meeting on Feb. 10 , officials said , was tense .", "Feb. 10", "2009-02-10"),
    ("The first case was reported on April 24.", "April 24", "2009-04-24"),
    ("The election took place on June 23.", "June 23", "2008-06-23"),
    ("The election is scheduled for June 23.", "June 23", "2009-06-23"),
    ("The court will rule on Dec. 1.", "Dec. 1", "2009-12-01"),
    ("She was born on March 4th.", "March 4th", "2009-03-04"),
    ("On 10 February the war began.", "10 February", "2009-02-10"),
    ("On the 10th of February the war began.", "10th of February", "2009-02-10"),
    # the publication day itself, in either direction
    ("On May 6 the markets fell.", "May 6", "2009-05-06"),
    ("The markets will open on May 6.", "May 6", "2009-05-06"),
    # a day after publication in a past clause is last year's
    ("The strike began on May 7.", "May 7", "2008-05-07"),
    ("The markets will open on May 5.", "May 5", "2010-05-05"),
    # with a weekday: one expression, resolved by its date
    ("Polls open on Sunday, May 3.", "Sunday, May 3", "2009-05-03"),
    ("Britain votes in a general election on June 4.", "June 4", "2009-06-04"),
    ("The climate summit opens in Copenhagen on Dec. 7.", "Dec. 7", "2009-12-07"),
    ("Congress must pass a funding bill by Nov. 17.", "Nov. 17", "2009-11-17"),
    ("Britain is now due to leave on Oct. 31.", "Oct. 31", "2009-10-31"),
    ("The plant could run out of fuel as early as June 1.", "June 1", "2009-06-01"),
    # a count after the day is not a year
    ("On March 4, 2000 people marched.", "March 4", "2009-03-04"),
]

MONTHS = [
    ("Prices rose in February.", "February", WED, "2009-02"),
    ("February was the coldest month.", "February", WED, "2009-02"),
    ("Prices rose last February.", "last February", WED, "2009-02"),
    ("Prices rose last May.", "last May", WED, "2008-05"),
    ("Prices rose in mid-February.", "mid-February", WED, "2009-02"),
    ("The plan runs until the end of March.", "end of March", WED, "2009-03"),
    ("The talks collapsed in early March.", "early March", WED, "2009-03"),
    ("The talks collapsed in late June.", "late June", WED, "2008-06"),
    ("The elections were held in June.", "June", WED, "2008-06"),
    ("Elections will be held in June.", "June", WED, "2009-06"),
    ("Elections will be held in May.", "May", WED, "2009-05"),
    ("Elections were held in May.", "May", WED, "2009-05"),
    ("A vaccine is expected by September.", "September", WED, "2009-09"),
    ("The firm must seal the outfall that carried the chemicals in March.", "March", WED,
     "2009-03"),
    ("The company expanded in January and March.", "March", WED, "2009-03"),
    ("Sales have risen since April.", "April", WED, "2009-04"),
    # a possessive names an event whose time the main verb does not tell: the nearest
    ("June's elections were postponed.", "June", WED, "2009-06"),
    ("The law is to be revised next February.", "next February", WED, "2010-02"),
    ("Sales fell last month.", "last month", WED, "2009-04"),
    ("Sales fell late last month.", "late last month", WED, "2009-04"),
    ("Sales will rise next month.", "next month", WED, "2009-06"),
    ("Sales rose this month.", "this month", WED, "2009-05"),
    ("Sales rose earlier this month.", "earlier this month", WED, "2009-05"),
    ("Sales rose three months ago.", "three months ago", WED, "2009-02"),
    ("The prime minister said he would step down by October.", "October", WED, "2009-10"),
    ("She has promised to act by the end of March.", "end of March", WED, "2010-03"),
    ("The bank is still expected to raise rates in March.", "March", WED, "2010-03"),
    ("Investment halted in February, the year the firm was sold.", "February", WED, "2009-02"),
]


@pytest.mark.parametrize(("sentence", "expression", "expected"), MONTH_DAYS)
def test_month_and_day_without_year(resolver, sentence, expression, expected):
    check(resolver, sentence, expression, WED, expected)


@pytest.mark.parametrize(("sentence", "expression", "published", "expected"), MONTHS)
def test_months(resolver, sentence, expression, published, expected):
    check(resolver, sentence, expression, published, expected)


# --------------------------------------------------------------------------
# Years and explicit dates
# --------------------------------------------------------------------------

YEARS_AND_DATES = [
    ("Profits fell last year.", "last year", "2008"),
    ("Profits fell late last year.", "late last year", "2008"),
    ("Profits rose this year.", "this year", "2009"),
    ("Profits rose earlier this year.", "earlier this year", "2009"),
    ("Profits will rise next year.", "next year", "2010"),
    ("A vaccine is due early next year.", "early next year", "2010"),
    ("The firm was founded in 2008.", "2008", "2008"),
    ("The 1918 pandemic killed millions.", "1918", "1918"),
    ("Growth slowed in mid-2008.", "mid-2008", "2008"),
    ("The virus was first seen in 1918 , experts said .", "1918", "1918"),
    ("In 1918 children died in large numbers.", "1918", "1918"),
    ("The law was passed in March 2009.", "March 2009", "2009-03"),
    ("The law was passed in March, 2009.", "March, 2009", "2009-03"),
    ("It was signed on March 1, 2024.", "March 1, 2024", "2024-03-01"),
    ("It was signed on March 1 , 2024 .", "March 1 , 2024", "2024-03-01"),
    ("It was signed on 1 March 2024.", "1 March 2024", "2024-03-01"),
    ("It was signed on 2024-03-01.", "2024-03-01", "2024-03-01"),
    ("It was signed on 03/01/2024.", "03/01/2024", "2024-03-01"),
    ("It was signed on Friday, March 1, 2024.", "March 1, 2024", "2024-03-01"),
    ("It was signed on Sept. 10, 2008.", "Sept. 10, 2008", "2008-09-10"),
    ("Iran's 1979 revolution cut its output.", "1979", "1979"),
    ("Iran\u2019s 1979 revolution cut its output.", "1979", "1979"),
    # years before 1900: with a month, or after "in", "since"...
    ("A tsunami in 1896 killed 22,000 people.", "1896", "1896"),
    ("The race has been run every year since 1897.", "1897", "1897"),
    ("The previous eruption began in December 1821.", "December 1821", "1821-12"),
    ("The Declaration was adopted on July 4, 1776.", "July 4, 1776", "1776-07-04"),
]


@pytest.mark.parametrize(("sentence", "expression", "expected"), YEARS_AND_DATES)
def test_years_and_explicit_dates(resolver, sentence, expression, expected):
    check(resolver, sentence, expression, WED, expected)


@pytest.mark.parametrize(
    ("sentence", "expression", "expected"),
    [
        ("It was signed on March 1, 2024.", "March 1, 2024", "2024-03-01"),
        ("It was signed on 03/01/2024.", "03/01/2024", "2024-03-01"),
        ("The law was passed in March 2009.", "March 2009", "2009-03"),
        ("The firm was founded in 2008.", "2008", "2008"),
        ("The rebels attacked on Sunday.", "Sunday", None),
        ("The meeting on Feb. 10 was tense.", "Feb. 10", None),
        ("Prices rose in February.", "February", None),
        ("Profits fell last year.", "last year", None),
        ("Five people died yesterday.", "yesterday", None),
        ("He was arrested three days ago.", "three days ago", None),
        ("Sales fell last month.", "last month", None),
    ],
)
def test_without_publication_date_only_dates_with_a_year_resolve(
    resolver, sentence, expression, expected
):
    check(resolver, sentence, expression, None, expected)


# --------------------------------------------------------------------------
# What is dropped, and what is not a date at all
# --------------------------------------------------------------------------

NOT_RESOLVED = [
    ("Sales fell last week.", "last week"),
    ("Sales fell this week.", "this week"),
    ("Sales will fall next week.", "next week"),
    ("He spent the weekend at home.", "weekend"),
    ("He spent last weekend at home.", "last weekend"),
    ("Prices have recently risen.", "recently"),
    ("The meeting starts at 3 p.m.", "3 p.m."),
    ("The meeting starts at 10:30.", "10:30"),
    ("The plant closed a few days ago.", "a few days ago"),
    ("Over the last year prices rose.", "the last year"),
    ("He died the following Sunday.", "Sunday"),
    ("He goes to church every Sunday.", "Sunday"),
    ("Officials may close the schools.", "may"),
    ("Officials May close the schools.", "May"),
    ("Protesters march on the capital.", "march"),
    ("Thousands joined a march through the city.", "march"),
    ("Thousands joined the March through the city.", "March"),
    ("April Smith, a nurse, said the ward was full.", "April"),
    ("June Carter sang at the festival.", "June"),
    ("The minister told the Sunday Times.", "Sunday"),
    ("Sunday Times reporters were there.", "Sunday"),
    ("Theresa May said the plan was sound.", "May"),
    ("Mexico's usual May Day rallies were cancelled.", "May"),
    ("He finished 10th in the race.", "10th"),
    ("The church dates from the 12th century.", "12th"),
    ("He lives on the 3rd floor.", "3rd"),
    ("He finished fourth.", "fourth"),
    ("The index stood at 1,2008 points.", "2008"),
    ("A 2008-strong crowd gathered.", "2008"),
    ("The bill came to $2008.", "2008"),
    ("The bill came to US$2008.", "2008"),
    ("The outbreak infected 2008 people.", "2008"),
    ("The road is 2000 km long.", "2000"),
    ("Prices rose 2000 percent.", "2000"),
    ("Turnout reached 2000%.", "2000"),
    ("Nearly 2000 were evacuated.", "2000"),
    ("The troops left at 1900 GMT.", "1900"),
    ("They played Euro 2008 qualifiers.", "2008"),
    ("He joined the 1918-19 commission.", "1918"),
    ("It rose by 2008.5 points.", "2008"),
    ("Listen to BBC Radio 4's Today programme.", "Today"),
    ("He writes for USA Today.", "Today"),
    ("The Netflix series Wednesday became a hit.", "Wednesday"),
    ("Shops opened early for Black Friday.", "Friday"),
    ("Candidates campaigned before Super Tuesday.", "Tuesday"),
    ("Crowds marked Bloody Sunday in Derry.", "Sunday"),
    ("Shops promoted Small Business Saturday.", "Saturday"),
    ("The Mail on Sunday said the minister had been warned.", "Sunday"),
    ("Discount retailer Tuesday Morning said it would close its stores.", "Tuesday Morning"),
    ("Some 1500 troops were deployed.", "1500"),
    ("The regiment lost 1500 men.", "1500"),
    ("The plane landed as Flight 1549 on the river.", "1549"),
]


@pytest.mark.parametrize(("sentence", "expression"), NOT_RESOLVED)
def test_not_resolved(resolver, sentence, expression):
    check(resolver, sentence, expression, WED, None)


# --------------------------------------------------------------------------
# The resolver's contract
# --------------------------------------------------------------------------


def test_mentions_are_in_text_order_without_overlap_and_located_by_offsets(resolver):
    sentence = "On Sunday, May 3, 2009, he said yesterday that in 2008 and last month sales fell."
    mentions = resolver.resolve(sentence, WED)
    assert [m.text for m in mentions] == [
        "Sunday, May 3, 2009",
        "yesterday",
        "2008",
        "last month",
    ]
    assert [m.granularity for m in mentions] == [
        Granularity.DAY,
        Granularity.DAY,
        Granularity.YEAR,
        Granularity.MONTH,
    ]
    assert [m.value for m in mentions] == [
        date(2009, 5, 3),
        date(2009, 5, 5),
        date(2008, 1, 1),
        date(2009, 4, 1),
    ]
    for before, after in zip(mentions, mentions[1:]):
        assert before.end <= after.start
    for m in mentions:
        assert sentence[m.start : m.end] == m.text


def test_resolved_expression_is_frozen(resolver):
    (mention,) = resolver.resolve("It rained on Sunday.", WED)
    assert isinstance(mention, ResolvedExpression)
    with pytest.raises(dataclasses.FrozenInstanceError):
        mention.start = 0  # type: ignore[misc]


def test_sentence_without_candidate_costs_only_the_trigger_search(resolver, monkeypatch):
    class NoScan:
        def finditer(self, *args, **kwargs):  # pragma: no cover - must not be called
            raise AssertionError("the scanner ran on a sentence without a candidate")

    monkeypatch.setattr(grammar, "SCANNER", NoScan())
    assert resolver.resolve("The virus has killed at least 60 people in Mexico.", WED) == []
    assert resolver.resolve("", WED) == []


def test_articles_share_no_state(resolver):
    first = resolver.resolve_article(["The quake struck on Jan. 12.", "The next day, aid came."],
                                     date(2010, 1, 20))
    assert [m.label for m in first[1]] == ["2010-01-13"]
    second = resolver.resolve_article(["The next day, aid came."], date(2010, 1, 20))
    assert second == [[]]


# --------------------------------------------------------------------------
# Gold set
# --------------------------------------------------------------------------


def test_score_gold_counts_matches_nulls_and_missing_expressions(resolver):
    items = [
        {"published": "2009-05-06", "sentence": "It rained on Sunday.", "expression": "Sunday",
         "value": "2009-05-03"},
        {"published": "2009-05-06", "sentence": "It rained on Sunday.", "expression": "Sunday",
         "value": "2009-05-10"},
        {"published": "2009-05-06", "sentence": "Sales fell last week.",
         "expression": "last week", "value": None},
        {"published": None, "sentence": "It rained on Sunday.", "expression": "Sunday",
         "value": None},
        {"published": "2009-05-06", "sentence": "It rained.", "expression": "Sunday",
         "value": "2009-05-03"},
    ]  # fmt: skip
    correct, total, failures = score_gold(resolver, items)
    assert (correct, total) == (3, 5)
    assert [f["got"] for f in failures] == [["2009-05-03"], None]


def _load_gold() -> list[dict]:
    with GOLD.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.skipif(not GOLD.exists(), reason=f"gold set {GOLD.name} not present")
def test_gold_accuracy(resolver):
    items = _load_gold()
    correct, total, failures = score_gold(resolver, items)
    assert total > 0
    report = "\n".join(
        f"  {f.get('id')}: {f['expression']!r} want {f.get('value')} got {f['got']}"
        for f in failures
    )
    assert correct / total >= 0.95, f"gold accuracy {correct}/{total}:\n{report}"
