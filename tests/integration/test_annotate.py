"""The Annotator end to end: sentences, entities and time mentions together."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.annotate.pipeline import ENTITY_LABELS, Annotator
from storyline.model import Article

pytestmark = pytest.mark.slow

TEXT = (
    "ALDER BEND — Gov. Elaine Whitcomb visited the Calvert Polymers plant on Friday. "
    "She met workers in Alder Bend.\n"
    "Residents of Pell's Ferry said the river smelled of paint thinner\n"
    '"We will pay for what we broke," Margaret Voss said in March 2024.'
)


def article() -> Article:
    return Article("a1", None, "Wire", "Plant fire", date(2024, 3, 8), TEXT, "a1.txt")


def test_entities_go_to_the_sentence_that_holds_them(annotator):
    done = annotator.annotate_one(article())
    assert [s.text for s in done.sentences] == [
        "ALDER BEND — Gov. Elaine Whitcomb visited the Calvert Polymers plant on Friday.",
        "She met workers in Alder Bend.",
        "Residents of Pell's Ferry said the river smelled of paint thinner",
        '"We will pay for what we broke," Margaret Voss said in March 2024.',
    ]
    for entity in done.entities:
        sentence = done.sentences[entity.sentence_index]
        assert sentence.start <= entity.start < entity.end <= sentence.end
        assert TEXT[entity.start:entity.end] == entity.text
    found = {(e.text, e.sentence_index) for e in done.entities}
    assert ("Elaine Whitcomb", 0) in found and ("Margaret Voss", 3) in found


def test_without_entities_the_sentences_and_dates_are_the_same(annotator):
    full = annotator.annotate_one(article())
    bare = Annotator(entities=False).annotate_one(article())
    assert bare.entities == ()
    assert bare.sentences == full.sentences
    assert bare.time_mentions == full.time_mentions
    assert [(m.sentence_index, m.text, m.value) for m in bare.time_mentions] == [
        (0, "Friday", date(2024, 3, 8)), (3, "March 2024", date(2024, 3, 1))]


LONG = (
    "Dockworkers walked out at Marrow Bay on Monday.\n"
    "The port handles most of the country's fruit.\n"
    "Cranes stood idle along the quay.\n"
    "Ships queued outside the harbour for miles.\n"
    "Ines Falk of the Harbour Workers' Union spoke to reporters outside the gates.\n"
    "Falk said the members were ready to stay out.\n"
    "The union met Ines Falk again after Marrow Bay officials left."
)


def test_names_recognized_where_they_matter_are_found_everywhere_else(annotator):
    """The recognizer reads the title, the lead and dated sentences; their names are matched
    in the other sentences, as whole tokens, with the label they were given."""
    done = annotator.annotate_one(Article("long", None, "Wire", "Ines Falk leads Marrow Bay strike",
                                          date(2024, 3, 8), LONG, "long.txt"))
    found = {(e.sentence_index, e.text) for e in done.entities}
    assert (0, "Marrow Bay") in found  # the lead: the recognizer itself
    assert {(4, "Ines Falk"), (6, "Ines Falk"), (6, "Marrow Bay")} <= found  # matched
    labels = {e.text: e.label for e in done.entities if e.sentence_index >= 3}
    assert labels["Ines Falk"] in ENTITY_LABELS
    assert (5, "Falk") not in found  # only names recognized whole are matched
    for entity in done.entities:
        assert LONG[entity.start:entity.end] == entity.text


def test_the_whole_text_scope_reads_every_sentence(annotator):
    article = Article("long", None, "Wire", "Strike", date(2024, 3, 8), LONG, "long.txt")
    full = Annotator(entity_scope="all").annotate_one(article)
    assert "the Harbour Workers' Union" in {e.text for e in full.entities}
    assert "the Harbour Workers' Union" not in {e.text for e in annotator.annotate_one(
        article).entities}
    assert Annotator(entity_scope="all").signature != annotator.signature


def test_entities_do_not_depend_on_the_articles_read_with_them(annotator):
    """The recognizer reads several articles' sentences in one batch; each article's entities
    are still those it gets alone (a serial ingest and a cluster's store the same)."""
    articles = [article(),
                Article("long", None, "Wire", "Ines Falk leads Marrow Bay strike",
                        date(2024, 3, 8), LONG, "long.txt"),
                Article("empty", None, "Wire", "Notice", date(2024, 3, 8), "No names here.",
                        "empty.txt")]
    together = annotator.annotate_many(articles)
    # Each alone by an annotator of its own: the session's keeps what it recognized.
    assert together == [Annotator().annotate_one(a) for a in articles]
    assert together[1].entities and together[2].entities == ()


def test_matched_names_are_whole_words(annotator):
    text = ("Ines Falk spoke to strikers at Marrow Bay on Monday.\n"
            "The port handles most of the country's fruit.\n"
            "Cranes stood idle along the quay.\n"
            "Falkland exporters and Marrow Bayside traders were not told.\n"
            "The union said that Ines Falk's members had voted to stay out.")
    done = annotator.annotate_one(Article("w", None, "Wire", "Strike", date(2024, 3, 8), text,
                                          "w.txt"))
    assert {(e.sentence_index, e.text) for e in done.entities if e.sentence_index >= 3} == {
        (4, "Ines Falk")}


def test_a_sentence_rerun_by_another_outlet_is_recognized_once(monkeypatch):
    """Names found in a text are kept by the process: a copy's sentences are not read
    by the recognizer again, and they get the same names as when they were."""
    from storyline.annotate.entities import EntityFinder, load_nlp

    finder = EntityFinder()
    nlp = load_nlp(finder.model)  # as the finder loads it (the cache keys by the call)
    read: list[str] = []
    pipe = nlp.pipe

    def counting_pipe(texts, **kwargs):  # type: ignore[no-untyped-def]
        texts = list(texts)
        read.extend(texts)
        return pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", counting_pipe)
    wire = Annotator(entities=False).annotate_one(
        Article("wire", None, "Wire", "Ines Falk leads Marrow Bay strike", date(2024, 3, 8),
                LONG, "wire.txt"))
    first = finder.find("wire", wire.article.title, wire.article.text, wire.sentences,
                        frozenset(range(len(wire.sentences))))
    before = len(read)
    again = finder.find("farm", "Strike at Marrow Bay", wire.article.text, wire.sentences,
                        frozenset(range(len(wire.sentences))))
    assert before and read[before:] == ["Strike at Marrow Bay"]  # only the new headline
    assert [(e.start, e.end, e.text, e.label) for e in again] == [
        (e.start, e.end, e.text, e.label) for e in first]
    fresh = EntityFinder().find("farm", "Strike at Marrow Bay", wire.article.text,
                                wire.sentences, frozenset(range(len(wire.sentences))))
    assert again == fresh
