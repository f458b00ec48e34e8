"""The default storyline method on hand-built annotated articles (no model needed)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from storyline.errors import ConfigError
from storyline.model import Granularity
from storyline.timeline import TimelineRequest, get_method

from tests.conftest import make_annotated as annotated


DAY, MONTH = Granularity.DAY, Granularity.MONTH
STRIKE = date(2023, 10, 19)
TALKS = date(2023, 10, 18)
ARTICLES = [
    annotated("a", date(2023, 10, 20), [
        ("Dockworkers at the port walked off the job on Thursday, halting container traffic.",
         [("Thursday", STRIKE, DAY)]),
        ("The walkout followed the collapse of talks on Wednesday night at the ministry.",
         [("Wednesday", TALKS, DAY)]),
    ]),
    annotated("b", date(2023, 10, 22), [
        ("More than 3,000 dockworkers stayed off the job for a fourth day at the harbour.", []),
        ("The strike began last Thursday when union members walked out at the morning shift.",
         [("Thursday", STRIKE, DAY)]),
        ("The union's previous contract expired in February and was never renewed.",
         [("February", date(2023, 2, 1), MONTH)]),
    ], source="Coastline"),
    annotated("c", None, [
        ("The strike began last Thursday when union members walked out at the morning shift.",
         []),
    ], source="Farm"),
]


def build(articles=ARTICLES, **request):
    return get_method("storyline").build(articles, TimelineRequest(**request))


def test_dates_are_ranked_by_support_and_entries_sorted_by_date():
    timeline = build(dates=2, sentences=1)
    assert [e.date for e in timeline.entries] == [TALKS, STRIKE]
    assert timeline.method == "storyline"


def test_every_sentence_keeps_its_source():
    timeline = build(dates=3, sentences=2)
    by_id = {a.article.id: a.article for a in ARTICLES}
    for entry in timeline.entries:
        for sentence in entry.sentences:
            article = by_id[sentence.source.article_id]
            assert sentence.text in article.text
            assert sentence.source.url == article.url
            assert sentence.source.published == article.published


def test_month_mentions_make_month_entries():
    timeline = build(dates=5, sentences=1)
    months = [e for e in timeline.entries if e.granularity is MONTH]
    assert [e.label for e in months] == ["2023-02"]


def test_quarters_seasons_and_decades_date_no_entry():
    coarse = [annotated("q", date(2023, 10, 20), [
        ("Profit at the port operator fell in the third quarter as the strike dragged on.",
         [("the third quarter", date(2023, 7, 1), Granularity.QUARTER)]),
        ("Dockworkers have not struck like this since the 1990s, the union said on Friday.",
         [("the 1990s", date(1990, 1, 1), Granularity.DECADE), ("Friday", STRIKE, DAY)]),
    ])]
    timeline = build(ARTICLES + coarse, dates=10, sentences=1)
    assert {e.granularity for e in timeline.entries} <= {DAY, MONTH, Granularity.YEAR}
    assert STRIKE in [e.date for e in timeline.entries]


def test_redundant_sentences_are_not_repeated():
    timeline = build(dates=5, sentences=3)
    texts = [s.text for e in timeline.entries for s in e.sentences]
    assert len(texts) == len(set(texts))
    assert sum("strike began last Thursday" in t for t in texts) == 1


def test_keywords_constrain_the_sentences():
    timeline = build(dates=5, sentences=2, keywords=("walkout",))
    texts = [s.text for e in timeline.entries for s in e.sentences]
    assert texts and all("walkout" in t.lower() for t in texts)


def test_date_range_bounds_the_entries():
    timeline = build(dates=5, start=date(2023, 10, 19), end=date(2023, 10, 31))
    assert timeline.entries and all(e.date >= date(2023, 10, 19) for e in timeline.entries)


def test_without_articles_the_timeline_is_empty():
    assert build([]).entries == ()


def test_bad_requests_fail_fast():
    with pytest.raises(ConfigError):
        TimelineRequest(dates=0)
    with pytest.raises(ConfigError):
        TimelineRequest(start=date(2020, 1, 2), end=date(2020, 1, 1))
    with pytest.raises(ConfigError, match="unknown timeline method"):
        get_method("magic")


def test_dates_mentioned_on_more_publication_days_rank_first():
    from storyline.timeline.dates import DateSupport, SupportWeights, rank_dates

    once, often = date(2023, 10, 1), date(2023, 10, 2)
    support = {(once, DAY): DateSupport(), (often, DAY): DateSupport()}
    for n in range(3):  # three copies of one report, all on one day
        support[(once, DAY)].add(once, f"copy{n}", "Wire", once)
    for n in range(2):  # two reports, days apart
        support[(often, DAY)].add(often, f"report{n}", "Wire", date(2023, 10, 3 + 5 * n))
    assert rank_dates(support, SupportWeights())[0] == (often, DAY)
    assert rank_dates(support, SupportWeights(articles=1, fresh=1, days=0))[0] == (once, DAY)


def _support_over(days_mentioned: dict[date, list[date]]):
    """DateSupport per date, one article per (date, publication day) mention."""
    from storyline.timeline.dates import DateSupport

    support = {}
    for value, published in days_mentioned.items():
        found = support[(value, DAY)] = DateSupport()
        for n, day in enumerate(published):
            found.add(value, f"{value}-{n}", "Wire", day)
    return support


def test_a_date_is_judged_by_the_days_it_has_had_to_be_mentioned():
    from storyline.timeline.dates import SupportWeights, rank_dates

    start = date(2023, 1, 1)
    published = [start + timedelta(days=n) for n in range(30)]
    early, late = start, start + timedelta(days=27)
    # the first day of the story was named on 6 of its 30 days; the day
    # three days before the newest article on all 3 days since
    support = _support_over({early: published[:30:5], late: published[27:]})
    assert rank_dates(support, SupportWeights(), published)[0] == (late, DAY)
    # counted raw, the old date's head start wins
    assert rank_dates(support, SupportWeights(opportunity=0), published)[0] == (early, DAY)
    assert rank_dates(support, SupportWeights())[0] == (early, DAY)  # no collection given


def test_a_date_after_the_last_article_gets_no_credit_for_being_recent():
    from storyline.timeline.dates import SupportWeights, rank_dates

    start = date(2023, 1, 1)
    published = [start + timedelta(days=n) for n in range(10)]
    happened, announced = start + timedelta(days=4), start + timedelta(days=20)
    support = _support_over({happened: published[4:8], announced: published[6:10]})
    assert rank_dates(support, SupportWeights(), published)[0] == (happened, DAY)


def test_left_to_choose_the_dates_the_timeline_keeps_well_supported_ones():
    strike, protest = date(2023, 10, 19), date(2023, 11, 11)
    articles = [
        annotated(f"s{n}", strike + timedelta(days=n % 2), [
            (f"Dockworkers walked off the job at the port on October 19, report {n} said.",
             [("October 19", strike, DAY)]),
        ]) for n in range(8)
    ] + [
        annotated(f"f{n}", date(2023, 10, 21) + timedelta(days=n), [
            (f"Talks between the port and the union went on for a {n + 3}th day.", []),
        ]) for n in range(21)
    ] + [
        annotated("p", protest, [
            ("A handful of residents protested outside the port gates on Saturday.",
             [("Saturday", protest, DAY)]),
        ]),
    ]
    method = replace(get_method("storyline"), min_auto_dates=1)
    # one fresh mention on the newest day outranks old news...
    assert [e.date for e in method.build(articles, TimelineRequest(dates=1)).entries] == [
        protest]
    # ...but left to itself the timeline keeps the date 8 articles agree on
    assert [e.date for e in method.build(articles, TimelineRequest()).entries] == [strike]


def test_undated_leads_are_candidates_for_the_day_before_publication():
    day = date(2023, 10, 19)
    articles = [
        annotated("x", date(2023, 10, 19), [
            ("Dockworkers at the port walked off the job on Thursday, halting traffic.",
             [("Thursday", day, DAY)]),
        ]),
        annotated("y", date(2023, 10, 20), [
            ("Ships queued outside the harbour as the dockworkers stayed off the job.", []),
        ]),
    ]
    method = get_method("storyline")
    timeline = method.build(articles, TimelineRequest(dates=1, sentences=2))
    texts = [s.text for e in timeline.entries for s in e.sentences]
    assert timeline.entries[0].date == day and len(texts) == 2
    only_same_day = replace(method, lead_days=1).build(articles, TimelineRequest(dates=1,
                                                                                 sentences=2))
    assert len(only_same_day.entries[0].sentences) == 1


def test_both_summarizers_fill_every_entry_and_unknown_ones_fail():
    from storyline.timeline.storyline_method import StorylineMethod

    for summarizer in ("centroid_opt", "closest"):
        timeline = StorylineMethod(summarizer=summarizer).build(
            ARTICLES, TimelineRequest(dates=3, sentences=2))
        assert timeline.entries and all(e.sentences for e in timeline.entries)
    with pytest.raises(ConfigError, match="unknown summarizer"):
        StorylineMethod(summarizer="magic")


def test_a_dates_sentence_about_the_story_beats_an_aside():
    """Two sentences name Friday, sharing no word: equally central to Friday
    alone (so the first would win), but only one is about the story."""
    from storyline.timeline.storyline_method import StorylineMethod

    friday, earlier = date(2011, 3, 4), [date(2011, 2, d) for d in range(20, 24)]
    articles = [
        annotated("eu", date(2011, 3, 5), [
            ("European Union leaders met in Brussels on Friday to discuss trade.",
             [("Friday", friday, DAY)])]),
        annotated("fight", date(2011, 3, 5), [
            ("Rebels seized the oil port of Brega on Friday after heavy fighting.",
             [("Friday", friday, DAY)])]),
        *[annotated(f"story{n}", day, [
            (f"Rebels fought government forces near the oil port of Brega on day {n}.",
             [(f"day {n}", day, DAY)])]) for n, day in enumerate(earlier)],
    ]
    request = TimelineRequest(dates=5, sentences=1)

    def friday_sentence(method):
        timeline = method.build(articles, request)
        return next(e.sentences[0].text for e in timeline.entries if e.date == friday)

    assert friday_sentence(StorylineMethod()).startswith("Rebels seized")
    assert friday_sentence(StorylineMethod(story_weight=0.0)).startswith("European Union")


def test_a_sentence_several_outlets_ran_outweighs_an_aside():
    """Copies collapse to one candidate but keep their votes in the date's centroid.

    Counted once, the wire sentence weighs no more than either aside, and the
    sentence nearest the middle of the three (the traders') would win.
    """
    port = date(2024, 3, 3)
    wire = "Rebels seized the oil port of Brega on Sunday after a day of heavy fighting."
    articles = [
        annotated(name, date(2024, 3, 4), [(wire, [("Sunday", port, DAY)])], source=name)
        for name in ("wire", "copy1", "copy2")
    ] + [
        annotated("traders", date(2024, 3, 4), [
            ("Oil traders said prices rose on Sunday as the fighting for the port went on.",
             [("Sunday", port, DAY)])]),
        annotated("market", date(2024, 3, 4), [
            ("Traders in London said oil prices rose sharply on Sunday after the news.",
             [("Sunday", port, DAY)])]),
    ]
    (entry,) = build(articles, dates=1, sentences=1).entries
    assert [s.text for s in entry.sentences] == [wire]
    assert entry.sentences[0].source.article_id == "wire"


def test_copied_share_counts_the_sentences_another_article_also_carries():
    from storyline.timeline.storyline_method import _copied_share

    wire = "Dockworkers at the port walked off the job on Thursday, halting traffic."
    aside = "The harbour master said the cranes would stay idle until further notice."
    articles = [
        annotated("orig", STRIKE, [(wire, []), ("Talks collapsed at the ministry.", [])]),
        annotated("copy", STRIKE, [(wire, []), (aside, [])]),
        # A sentence an article repeats itself is not carried by another article.
        annotated("self", STRIKE, [(aside + " Again.", []), (aside + " Again.", [])]),
        annotated("empty", STRIKE, []),
    ]
    assert _copied_share(articles) == {"orig": 0.5, "copy": 0.5, "self": 0.0, "empty": 0.0}
