"""How ``storyline eval --length auto`` counts what the method chose to show."""

from datetime import date

import pytest

from storyline.evaluate.datasets import GoldTimeline
from storyline.evaluate.runner import EvalReport, LengthStats, TimelineResult
from storyline.evaluate.metrics import evaluate_timeline
from storyline.model import Granularity, SourceRef, Timeline, TimelineEntry, TimelineSentence

GOLD = GoldTimeline("t/0", "t", {date(2019, 6, 23): ["A."], date(2019, 6, 30): ["B."],
                                 date(2020, 2, 1): ["C."]})
SOURCE = SourceRef("a", None, None, None, None)


def entry(day: date, granularity: Granularity) -> TimelineEntry:
    return TimelineEntry(day, granularity, (TimelineSentence("Something happened.", SOURCE),))


def test_entries_are_counted_by_granularity_and_periods_checked_against_gold():
    predicted = Timeline(None, "storyline", {}, (
        entry(date(2019, 6, 23), Granularity.DAY),
        entry(date(2019, 6, 1), Granularity.MONTH),   # June 2019 holds two gold dates
        entry(date(2019, 7, 1), Granularity.MONTH),   # July 2019 holds none
        entry(date(2020, 1, 1), Granularity.YEAR),    # 2020 holds one
    ))
    stats = LengthStats.of(predicted, GOLD)
    assert stats.gold_dates == 3
    assert stats.entries == {"day": 1, "month": 2, "year": 1}
    assert stats.periods_with_gold == 2


def test_the_summary_averages_over_timelines():
    scores = evaluate_timeline({date(2019, 6, 23): ["A."]}, GOLD.entries)
    report = EvalReport("d", "storyline", 0, length="auto")
    for stats in (LengthStats(3, {"day": 4, "month": 2}, 1), LengthStats(5, {"day": 2}, 0)):
        report.results.append(TimelineResult("t", scores, 0.0, Timeline(None, "x"), stats))
    summary = report.length_summary()
    assert summary == {"gold_dates": 4.0, "entries": 4.0,
                       "by_granularity": {"day": 3.0, "month": 1.0},
                       "periods_with_gold": pytest.approx(0.5)}
    assert report.to_dict()["length"] == summary
