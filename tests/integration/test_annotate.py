"""The Annotator end to end: sentences, entities and time mentions together."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.annotate.pipeline import Annotator
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
