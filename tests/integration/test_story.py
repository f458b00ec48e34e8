"""End to end on articles unlike the bundled examples: does the timeline tell the story?

The strike fixtures are a wire roundup full of relative dates, player labels,
credits and a Telegram plug; a news page; and an undated content-farm page
with a tripled headline that copies the roundup.
"""

import json

import pytest
from click.testing import CliRunner

from storyline.cli import main
from storyline.clean import matching_rule
from storyline.ingest import read_inputs

from tests.conftest import DATA, EXAMPLES

pytestmark = pytest.mark.slow


def timeline_of(*paths, extra=()):
    result = CliRunner().invoke(main, ["timeline", *map(str, paths), "--format", "json",
                                       "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def articles_by_id(*paths):
    from storyline.clean import clean_article
    from storyline.model import Article

    return {a.id: clean_article(a) for a in read_inputs(paths) if isinstance(a, Article)}


def entry(timeline, label):
    return next((e for e in timeline["entries"] if e["date"] == label), None)


def test_each_event_lands_on_its_day_or_month():
    timeline = timeline_of(DATA / "strike")
    strike = entry(timeline, "2023-10-19")
    talks = entry(timeline, "2023-10-18")
    mediator = entry(timeline, "2023-10-21")
    contract = entry(timeline, "2023-02")
    meeting = entry(timeline, "2023-10-24")
    assert strike and any("walked" in s["text"] for s in strike["sentences"])
    assert talks and any("talks" in s["text"] for s in talks["sentences"])
    assert mediator and any("mediator" in s["text"] for s in mediator["sentences"])
    assert contract and contract["granularity"] == "month"
    assert meeting and "meet again on Tuesday" in meeting["sentences"][0]["text"]


def test_every_sentence_links_to_the_article_that_says_it_and_none_is_boilerplate():
    timeline = timeline_of(DATA / "strike")
    articles = articles_by_id(DATA / "strike")
    sentences = [s for e in timeline["entries"] for s in e["sentences"]]
    assert sentences
    for sentence in sentences:
        article = articles[sentence["article_id"]]
        assert sentence["text"] in article.text
        assert sentence["title"] == article.title and sentence["url"] == article.url
        assert matching_rule(sentence["text"]) is None
        for junk in ("PHOTO", "Video player", "Play Video", "Telegram", "Share", "Related"):
            assert junk not in sentence["text"]


def test_copied_sentences_are_credited_to_the_original_not_the_content_farm():
    timeline = timeline_of(DATA / "strike")
    sources = {s["article_id"]: s for e in timeline["entries"] for s in e["sentences"]}
    assert all(s["published"] is not None for s in sources.values())


def test_bundled_examples_tell_their_story():
    timeline = timeline_of(EXAMPLES)
    labels = {e["date"] for e in timeline["entries"]}
    # The core dates of examples/FACTS.md.
    for day in ("2024-03-03", "2024-03-06", "2024-03-11", "2024-03-21", "2024-04-05"):
        assert day in labels, (day, sorted(labels))
    fire = " ".join(s["text"] for s in entry(timeline, "2024-03-03")["sentences"]).lower()
    assert "fire" in fire or "explosion" in fire or "exploded" in fire
    articles = articles_by_id(EXAMPLES)
    for e in timeline["entries"]:
        for s in e["sentences"]:
            assert s["text"] in articles[s["article_id"]].text
