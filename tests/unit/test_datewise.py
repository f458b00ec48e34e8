"""The faithful DATEWISE reimplementation, on hand-built articles."""

from datetime import date

from storyline.model import Granularity
from storyline.timeline import TimelineRequest, get_method
from storyline.timeline.datewise import _knee_point

from tests.conftest import make_annotated

DAY, MONTH = Granularity.DAY, Granularity.MONTH
D1, D2, D3 = date(2011, 2, 1), date(2011, 2, 2), date(2011, 2, 3)


def build(articles, **request):
    return get_method("datewise").build(articles, TimelineRequest(**request))


def test_dates_are_ranked_by_dated_sentence_counts():
    articles = [
        make_annotated("a", D3, [
            ("Protesters filled Tahrir Square in Cairo on Tuesday.", [("Tuesday", D1, DAY)]),
            ("The army deployed tanks in Cairo on Tuesday.", [("Tuesday", D1, DAY)]),
            ("Mubarak spoke on television on Wednesday night.", [("Wednesday", D2, DAY)]),
        ]),
    ]
    timeline = build(articles, dates=1, sentences=1)
    assert [e.date for e in timeline.entries] == [D1]
    assert timeline.method == "datewise"


def test_only_a_sentences_first_expression_dates_it_and_only_at_day_level():
    articles = [
        make_annotated("a", date(2011, 3, 10), [
            ("In February the protests began and on March 1 the army moved in.",
             [("February", date(2011, 2, 1), MONTH), ("March 1", date(2011, 3, 1), DAY)]),
            ("Tanks rolled through Cairo on March 1 as protests continued.",
             [("March 1", date(2011, 3, 1), DAY)]),
        ]),
    ]
    timeline = build(articles, dates=5, sentences=2)
    (entry,) = [e for e in timeline.entries if e.date == date(2011, 3, 1)]
    assert [s.text for s in entry.sentences] == [
        "Tanks rolled through Cairo on March 1 as protests continued."]


def test_undated_leads_count_for_their_publication_day_and_the_day_before():
    articles = [
        make_annotated("a", D2, [("Egypt's protesters vowed to march again.", []),
                                 ("Egypt cut internet access on Wednesday.", [("Wednesday", D2, DAY)])]),
        make_annotated("b", D3, [("Egypt's army said it would not fire on crowds.", []),
                                 ("Egyptian banks closed on Tuesday.", [("Tuesday", D1, DAY)])]),
    ]
    timeline = build(articles, dates=3, sentences=3)
    by_day = {e.date: [s.text for s in e.sentences] for e in timeline.entries}
    assert "Egypt's army said it would not fire on crowds." not in by_day.get(D1, [])
    assert any("army" in t for t in by_day.get(D2, []))


def test_keywords_are_substrings_and_dates_without_one_are_skipped():
    articles = [
        make_annotated("a", D3, [
            ("Rain fell on Tuesday in the capital.", [("Tuesday", D1, DAY)]),
            ("Rain fell on Tuesday in the north.", [("Tuesday", D1, DAY)]),
            ("Egyptians marched on Wednesday.", [("Wednesday", D2, DAY)]),
        ]),
    ]
    timeline = build(articles, dates=1, sentences=1, keywords=("egypt",))
    assert [(e.date, e.sentences[0].text) for e in timeline.entries] == [
        (D2, "Egyptians marched on Wednesday.")]


def test_identical_sentences_are_not_repeated_in_a_summary():
    text = "Egypt's president resigned on Friday after weeks of protest."
    articles = [make_annotated(n, D3, [(text, [("Friday", D1, DAY)])]) for n in "abc"]
    (entry,) = build(articles, dates=1, sentences=3).entries
    assert len(entry.sentences) == 1


def test_empty_input():
    assert build([], dates=3).entries == ()


def test_knee_point_is_the_value_farthest_from_the_chord():
    assert _knee_point([1.0, 0.9, 0.2, 0.1, 0.0]) == 2
    assert _knee_point([0.5]) == 0
    assert _knee_point([0.3, 0.3, 0.3]) == 0
