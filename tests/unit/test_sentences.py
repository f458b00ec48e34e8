"""Sentence boundaries: line breaks always, Bling Fire inside a line."""

from __future__ import annotations

import pytest

from storyline.annotate import sentences
from storyline.annotate.sentences import sentence_spans
from storyline.errors import ModelError


def texts(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_every_line_break_ends_a_sentence():
    # Timeline17 keeps one tokenized sentence per line, without a full stop.
    text = "Protests spread across Egypt\nMubarak appoints a vice president\n"
    assert texts(text) == ["Protests spread across Egypt", "Mubarak appoints a vice president"]


def test_abbreviations_do_not_end_a_sentence():
    text = ("Gov. Elaine Whitcomb flew to Washington, D.C. on Friday. Fire crews left at 7 a.m. "
            "on Monday.")
    assert texts(text) == ["Gov. Elaine Whitcomb flew to Washington, D.C. on Friday.",
                           "Fire crews left at 7 a.m. on Monday."]


def test_a_quote_stays_with_its_sentence():
    # spaCy's rule-based sentencizer gives the opening quote to the sentence before.
    text = 'She said it smelled like paint. "I\'ve got 120 head of cattle," she said.'
    assert texts(text) == ["She said it smelled like paint.", '"I\'ve got 120 head of cattle," she said.']


@pytest.mark.parametrize(("text", "expected"), [
    # A caption run into the story, as scraped pages often have it.
    ("Propofol is a sedative used before anaesthetics The trial of Dr Murray began.",
     ["Propofol is a sedative used before anaesthetics", "The trial of Dr Murray began."]),
    ("Photograph: Pete Souza/Reuters It may have taken 57 days to act.",
     ["Photograph: Pete Souza/Reuters", "It may have taken 57 days to act."]),
    ("Clashes went on in recent days In his first comment, Assad spoke of monsters.",
     ["Clashes went on in recent days", "In his first comment, Assad spoke of monsters."]),
    ("By the CNN Wire Staff (AP) A picture taken on a tour shows the damage.",
     ["By the CNN Wire Staff (AP)", "A picture taken on a tour shows the damage."]),
])
def test_a_headline_or_caption_glued_to_the_story_is_its_own_sentence(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize("text", [
    "Delegates met in The Hague on Monday.",        # a name: capital after the article
    'He told reporters: " It is over," and left.',  # a quote mark, not a word, before it
    "Talks resumed. The union agreed on Friday.",   # already two sentences, no empty piece
])
def test_capitalised_words_inside_a_sentence_do_not_split_it(text):
    assert " ".join(texts(text)) == text
    assert len(texts(text)) == text.count(". ") + 1


def test_offsets_are_characters_and_trimmed():
    text = "  \u201cCaf\u00e9 owners left\u201d \U0001F600 on Sunday.   Others stayed.\n\n \t\nLast one "
    spans = sentence_spans(text)
    assert [text[start:end] for start, end in spans] == [
        "\u201cCaf\u00e9 owners left\u201d \U0001F600 on Sunday.", "Others stayed.", "Last one"]
    assert all(text[start:end] == text[start:end].strip() for start, end in spans)


def test_a_run_without_full_stops_is_cut_into_bounded_sentences():
    # A hostile line: 40 KB without a full stop took 80 s to annotate as one sentence.
    text = "Strike report\n" + "on Monday " * 4000 + "x" * 7000
    spans = sentence_spans(text)
    assert spans[0] == (0, 13)
    assert all(0 < end - start <= sentences.MAX_SENTENCE for start, end in spans)
    assert all(text[start:end] == text[start:end].strip() for start, end in spans)
    assert all(text[end] == " " for start, end in spans[1:-3])  # cut at spaces
    assert "".join(text[s:e] for s, e in spans[1:]).replace(" ", "") == \
        text[14:].replace(" ", "")  # nothing lost


def test_a_short_line_after_a_long_one_is_split_as_bling_fire_splits_it():
    """The splitter's buffers are reused from line to line: what a longer line
    left in them must not leak into the next one's sentences."""
    blingfire = pytest.importorskip("blingfire")
    long_line = " ".join(f"Sentence number {n} ends here." for n in range(200))
    for line in (long_line, "One short sentence. And another.", "No full stop", long_line[:90]):
        _, expected = blingfire.text_to_sentences_and_offsets(line)
        assert sentences._ascii_offsets(line) == expected


def test_empty_and_blank_text_has_no_sentence():
    assert sentence_spans("") == []
    assert sentence_spans(" \n\t\n  ") == []


def test_a_line_the_splitter_cannot_encode_is_one_sentence():
    text = "Broken \ud800 byte. Still here.\nNext line."
    assert texts(text) == ["Broken \ud800 byte. Still here.", "Next line."]


def test_without_blingfire_spacy_splits_the_same_way(monkeypatch):
    text = 'The rig sank on Thursday. Oil spread.\n"We will pay," he said. Shares fell.'
    expected = texts(text)
    monkeypatch.setattr(sentences, "blingfire", None)
    monkeypatch.setattr(sentences, "_IMPORT_ERROR", OSError("cannot open shared object"))
    assert sentences.splitter_name().startswith("spacy-senter")
    assert texts(text) == expected


def test_without_blingfire_or_spacy_model_the_error_names_both(monkeypatch):
    monkeypatch.setattr(sentences, "blingfire", None)
    monkeypatch.setattr(sentences, "_IMPORT_ERROR", OSError("cannot open shared object"))
    monkeypatch.setattr(sentences, "FALLBACK_MODEL", "no_such_model_xyz")
    sentences._fallback_splitter.cache_clear()
    try:
        with pytest.raises(ModelError, match="neither blingfire .* nor the spaCy model"):
            sentence_spans("One sentence.")
    finally:
        sentences._fallback_splitter.cache_clear()
