"""CLUST (news-tls's clustering baseline) on hand-built annotated articles (no model needed)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from storyline.model import Granularity
from storyline.timeline import TimelineRequest
from storyline.timeline.clust import Clust, centroid_opt, markov_clusters, temporal_graph

from tests.conftest import make_annotated as annotated

NEWSTLS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "t17-newstls"
DAY, MONTH = Granularity.DAY, Granularity.MONTH
START = date(2010, 1, 1)


def day(n: int) -> date:
    return START + timedelta(days=n)


STORIES = {
    "quake": "The earthquake flattened houses and rescuers searched the rubble for survivors",
    "flood": "The river flood swept through farms and villagers climbed onto rooftops",
    "strike": "Dockworkers walked out on strike and container ships waited outside the harbour",
    "vote": "Parliament passed the budget vote after a long night of tense negotiations",
    "fire": "The forest fire spread across the hills and firefighters evacuated the valley",
}


def story(article_id, published, topic, mentions=(), extra=""):
    """An article about one of STORIES; ``mentions`` are (value, granularity) for its sentences."""
    lead = STORIES[topic]
    sentences = [(f"{lead} {extra}".strip() + ".", [])]
    for n, (value, granularity) in enumerate(mentions):
        phrase = f"on day {n}"
        sentences.append((f"{lead} {phrase}.", [(phrase, value, granularity)]))
    return annotated(article_id, published, sentences)


def opening():
    """An unrelated first article: it alone fills news-tls's oddly linked first window."""
    return story("opening", day(0), "vote")


def build(articles, method=Clust(), **request):
    return method.build(articles, TimelineRequest(**request))


def test_empty_input_gives_an_empty_timeline():
    timeline = build([], dates=3)
    assert timeline.entries == ()
    assert timeline.method == "clust"


def test_articles_without_content_or_publication_day_give_an_empty_timeline():
    stop_words_only = annotated("a", day(3), [("It was there and then it was not.", [])])
    undated = story("b", None, "quake")
    assert build([stop_words_only], dates=3).entries == ()
    assert build([undated], dates=3).entries == ()


def test_clusters_never_join_articles_more_than_a_day_apart():
    articles = [opening(), story("a", day(10), "quake"), story("b", day(11), "quake"),
                story("c", day(13), "quake")]
    timeline = build(articles, dates=5, sentences=1)
    # a and b (a day apart) make one story dated by its first publication;
    # c, two days after b, is a story of its own despite the same words.
    assert [e.date for e in timeline.entries] == [day(0), day(10), day(13)]
    assert [s.source.article_id for e in timeline.entries for s in e.sentences] == [
        "opening", "a", "c"]


def test_the_graph_only_links_articles_within_the_window():
    vectors = sparse.csr_matrix(np.ones((4, 3)))
    days = [day(0), day(5), day(6), day(8)]
    graph = temporal_graph(vectors, days, max_days=1).toarray()
    linked = {(int(i), int(j)) for i, j in zip(*np.nonzero(graph))}
    # Earlier to later only; same-day blocks after the first window include the diagonal.
    assert linked == {(1, 1), (1, 2), (2, 2), (3, 3)}


def test_the_first_window_is_linked_as_news_tls_links_it():
    vectors = sparse.csr_matrix(np.array([[1.0, 0, 0], [1, 1, 0], [0, 1, 1]]))
    days = [day(0), day(0), day(1)]
    shifted = temporal_graph(vectors, days, max_days=1).toarray()
    plain = temporal_graph(vectors, days, max_days=1, shift_first_window=False).toarray()
    cos = (vectors @ vectors.T).toarray()
    norms = np.sqrt(np.diag(cos))
    cos = cos / np.outer(norms, norms)
    # news-tls stores cos(i, j) at column j - i - 1 in its first window.
    assert shifted[0, 0] == cos[0, 1] and shifted[1, 0] == cos[1, 2]
    assert shifted[0, 1] == 0  # cos(0, 2) is 0: nothing stored
    assert plain[0, 1] == cos[0, 1] and plain[1, 2] == cos[1, 2] and plain[0, 0] == 0


def test_markov_clustering_splits_loosely_linked_groups():
    graph = np.zeros((6, 6))
    for group in ((0, 1, 2), (3, 4, 5)):
        for i in group:
            for j in group:
                graph[i, j] = 1.0
    graph[2, 3] = graph[3, 2] = 0.05
    assert markov_clusters(sparse.csr_matrix(graph)) == [(0, 1, 2), (3, 4, 5)]
    assert markov_clusters(sparse.csr_matrix((0, 0))) == []


def test_a_cluster_is_dated_by_its_most_mentioned_day():
    article = annotated("a", day(20), [
        ("The earthquake struck on Tuesday and flattened houses.", [("Tuesday", day(12), DAY)]),
        ("Rescuers reached the town on Wednesday.", [("Wednesday", day(13), DAY)]),
        ("By Tuesday night the rubble search had begun.", [("Tuesday", day(12), DAY)]),
        # A sentence's day is its first expression's, and only a day counts:
        # a month first leaves these sentences undated.
        ("In January, on Friday 15, aid arrived.", [("January", day(0), MONTH),
                                                     ("Friday 15", day(14), DAY)]),
        ("In January, on Friday 15, more aid arrived.", [("January", day(0), MONTH),
                                                          ("Friday 15", day(14), DAY)]),
        ("In January, on Friday 15, even more aid came.", [("January", day(0), MONTH),
                                                           ("Friday 15", day(14), DAY)]),
    ])
    timeline = build([article], dates=1, sentences=1)
    assert [e.date for e in timeline.entries] == [day(12)]
    assert timeline.entries[0].granularity is DAY


def test_a_cluster_naming_no_day_is_dated_by_its_earliest_article():
    articles = [opening(), story("a", day(10), "fire"), story("b", day(11), "fire")]
    timeline = build(articles, dates=5, sentences=1)
    assert day(10) in [e.date for e in timeline.entries]
    assert day(11) not in [e.date for e in timeline.entries]


def test_bigger_clusters_come_first_and_each_date_gets_one_entry():
    articles = [
        opening(),
        # Three articles on the flood, each naming day 30 once: one cluster.
        story("f1", day(30), "flood", [(day(30), DAY)]),
        story("f2", day(31), "flood", [(day(30), DAY)]),
        story("f3", day(31), "flood", [(day(30), DAY)]),
        # Day 45 is named more often, but by a cluster of one article:
        # news-tls's ranking ends with a sort by size.
        story("x", day(40), "fire", [(day(45), DAY)] * 6),
        story("s", day(50), "strike", [(day(50), DAY)]),
        # Another story dated day 30 finds the date taken.
        story("y", day(60), "strike", [(day(30), DAY)]),
    ]
    one = build(articles, dates=1, sentences=1)
    assert [e.date for e in one.entries] == [day(30)]
    assert one.entries[0].sentences[0].source.article_id == "f1"
    many = build(articles, dates=10, sentences=1)
    assert [e.date for e in many.entries] == [day(0), day(30), day(45), day(50)]
    assert [s.source.article_id for s in many.entries[1].sentences] == ["f1"]
    # Among clusters of one size, the date the collection names more comes first.
    two = build(articles, dates=2, sentences=1)
    assert [e.date for e in two.entries] == [day(30), day(45)]


def test_summaries_keep_only_sentences_with_a_keyword():
    articles = [opening(), story("q", day(10), "quake"), story("f", day(20), "flood"),
                story("s", day(30), "strike")]
    timeline = build(articles, dates=5, sentences=2, keywords=("QUAKE", "river"))
    texts = [s.text for e in timeline.entries for s in e.sentences]
    assert [e.date for e in timeline.entries] == [day(10), day(20)]
    # A substring test, as news-tls's: "quake" matches "earthquake".
    assert all("quake" in t.lower() or "river" in t.lower() for t in texts)
    unfiltered = build(articles, dates=5, sentences=2)
    assert [e.date for e in unfiltered.entries] == [day(0), day(10), day(20), day(30)]


def test_dates_and_sentences_per_date_are_respected():
    articles = [
        annotated(topic, day(10 * (i + 1)), [
            (f"{STORIES[topic]} in the first report.", []),
            (f"{STORIES[topic]} as officials spoke.", []),
            (f"Later the {topic} response widened.", []),
        ])
        for i, topic in enumerate(STORIES)
    ]
    two_by_two = build(articles, dates=2, sentences=2)
    assert [len(e.sentences) for e in two_by_two.entries] == [2, 2]
    four_by_one = build(articles, dates=4, sentences=1)
    assert [len(e.sentences) for e in four_by_one.entries] == [1, 1, 1, 1]


def test_without_a_number_of_dates_the_default_is_used():
    articles = [
        annotated(f"a{n}", day(5 * n), [(f"Unique headline word{n} gadget{n} widget{n}.", [])])
        for n in range(14)
    ]
    assert len(build(articles).entries) == Clust().default_dates == 10
    assert len(build(articles, method=Clust(default_dates=3)).entries) == 3


def test_a_summary_does_not_repeat_a_sentence():
    copied = STORIES["strike"] + "."
    articles = [opening(),
                annotated("a", day(10), [(copied, []), ("Union leaders met the port owners.", [])]),
                annotated("b", day(10), [(copied, []), ("Ships queued outside the harbour.", [])])]
    timeline = build(articles, dates=5, sentences=3)
    texts = [s.text for e in timeline.entries for s in e.sentences]
    assert texts.count(copied) == 1


def test_the_requested_range_bounds_articles_and_dates():
    articles = [
        opening(),
        story("early", day(5), "fire"),
        story("a", day(20), "quake", [(day(2), DAY), (day(2), DAY)]),  # names a day before start
        story("b", day(25), "strike"),
        story("late", day(40), "flood"),
    ]
    bounded = build(articles, method=Clust(clip_dates=True), dates=5, sentences=1,
                    start=day(10), end=day(30))
    assert [e.date for e in bounded.entries] == [day(25)]
    news_tls = build(articles, dates=5, sentences=1, start=day(10), end=day(30))
    assert [e.date for e in news_tls.entries] == [day(2), day(25)]  # the default, as published


def test_centroid_opt_prefers_the_central_sentence_and_breaks_ties_by_position():
    rows = sparse.csr_matrix(np.array([[1.0, 0, 0], [0.6, 0.8, 0], [0, 0.8, 0.6], [0.6, 0.8, 0]]))
    assert centroid_opt(rows, [True] * 4, 1, 0.9999) == [1]
    assert centroid_opt(rows, [True, False, True, True], 1, 0.9999) == [3]
    assert centroid_opt(rows, [True] * 4, 3, 0.9999)[:1] == [1]
    assert 3 not in centroid_opt(rows, [True] * 4, 4, 0.9999)  # a copy of row 1
    two = sparse.csr_matrix(np.array([[1.0, 0], [0, 1.0]]))
    assert centroid_opt(two, [True, True], 1, 0.9999) == [0]
    assert centroid_opt(sparse.csr_matrix((0, 2)), [], 1, 0.9999) == []


def test_the_same_input_gives_the_same_timeline():
    articles = [opening(), story("a", day(10), "quake", [(day(9), DAY)]),
                story("b", day(11), "quake", [(day(9), DAY)]), story("c", day(20), "flood"),
                story("d", day(21), "strike", [(day(21), DAY)])]
    first = build(articles, dates=3, sentences=2)
    second = build(list(articles), dates=3, sentences=2)
    assert first.to_dict() == second.to_dict()
    assert first.entries


@pytest.mark.slow
def test_a_benchmark_topic_gives_a_timeline_within_the_protocol(annotator):
    if not (NEWSTLS / "mj").is_dir():
        pytest.skip("benchmark data ../shared/data/t17-newstls is not present")
    from storyline.evaluate.datasets import load_dataset, newstls_articles

    topic = next(t for t in load_dataset(NEWSTLS) if t.name == "mj")
    gold = topic.gold_timelines[0]
    start, end = gold.span()
    articles = list(annotator.annotate(newstls_articles(topic, start, end)))
    request = TimelineRequest(dates=gold.num_dates, sentences=gold.sentences_per_date,
                              keywords=topic.keywords, start=start, end=end)
    timeline = Clust(clip_dates=True).build(articles, request)
    assert 0 < len(timeline.entries) <= gold.num_dates
    for entry in timeline.entries:
        assert start <= entry.date <= end
        assert 0 < len(entry.sentences) <= gold.sentences_per_date
        assert all(any(k in s.text.lower() for k in topic.keywords) for s in entry.sentences)
