"""Sentences, named entities and resolved time mentions for cleaned articles.

Sentences come from :mod:`storyline.annotate.sentences` (every line break,
then Bling Fire), temporal expressions from the resolver, so annotating
without entities (what ``storyline eval`` does) runs no spaCy at all. With
entities, spaCy's small English pipeline runs only its tokenizer and entity
recognizer (which has its own embedding layer in en_core_web_sm, so the
shared tok2vec, tagger, parser, attribute ruler, lemmatizer and senter are
not needed); each entity goes to the sentence that holds it.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TypeVar

from storyline.annotate.sentences import SPACY_MODEL, sentence_spans, splitter_name
from storyline.annotate.temporal import TemporalResolver
from storyline.errors import ModelError
from storyline.model import AnnotatedArticle, Article, Entity, Sentence, TimeMention

log = logging.getLogger(__name__)

T = TypeVar("T")
#: Called with an article whose annotation failed, and the exception.
ErrorHandler = Callable[[Article, Exception], None]

#: Entity labels kept: names of things. Dates, numbers and amounts are left
#: to the temporal resolver or are not entities a reader filters by.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
_UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
#: spaCy's length guard; longer texts are cut at a line break before it.
MAX_CHARS = 200_000


@cache
def load_nlp(model: str = SPACY_MODEL):  # -> spacy.Language
    """The entity recognizer's spaCy pipeline, loaded once per process.

    spaCy is imported here, lazily: it is slow to import and annotating
    without entities does not need it.
    """
    import spacy

    try:
        return spacy.load(model, exclude=list(_UNUSED_COMPONENTS))
    except OSError as exc:
        raise ModelError(
            f"the spaCy model {model!r} is not installed ({exc}); run `make install`, "
            f"which installs it from requirements-model.txt"
        ) from None


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
        return f"{self.model}|entities={self.entities}|sentences={splitter_name()}"

    def annotate(self, articles: Iterable[Article], *,
                 on_error: ErrorHandler | None = None) -> Iterator[AnnotatedArticle]:
        """Annotate in input order; spaCy batches the work with ``nlp.pipe``."""
        pairs = ((article, None) for article in articles)
        for annotated, _ in self.annotate_with(pairs, on_error=on_error):
            yield annotated

    def annotate_with(self, pairs: Iterable[tuple[Article, T]], *,
                      on_error: ErrorHandler | None = None
                      ) -> Iterator[tuple[AnnotatedArticle, T]]:
        """Annotate a stream of (article, context) pairs, passing each context along.

        With ``workers`` > 1 the entity recognizer runs in that many
        processes; the stream is read lazily either way, so millions of
        articles never sit in memory. An article whose annotation fails is
        left out and handed to ``on_error`` with the exception (logged when
        there is no handler): one strange text never stops a batch.
        """
        if not self.entities:
            for article, context in pairs:
                try:
                    annotated = self._annotate_text(_limit(article.text), article)
                except Exception as exc:  # noqa: BLE001 - the boundary of one article
                    _report(on_error, article, exc)
                    continue
                yield annotated, context
            return
        nlp = load_nlp(self.model)
        texts = ((_limit(article.text), (article, context)) for article, context in pairs)
        for doc, (article, context) in nlp.pipe(
            texts, as_tuples=True, batch_size=self.batch_size, n_process=self.workers
        ):
            try:
                annotated = self._annotate_text(doc.text, article)
                entities = _entities(doc, annotated.sentences, article.id)
            except Exception as exc:  # noqa: BLE001 - the boundary of one article
                _report(on_error, article, exc)
                continue
            yield AnnotatedArticle(article, annotated.sentences, entities,
                                   annotated.time_mentions), context

    def annotate_one(self, article: Article) -> AnnotatedArticle:
        return next(self.annotate([article]))

    def _annotate_text(self, text: str, article: Article) -> AnnotatedArticle:
        """Sentences and time mentions (no entities) of an article's cleaned text."""
        sentences: list[Sentence] = []
        mentions: list[TimeMention] = []
        # One discourse per article: "the next day" is anchored on the last
        # date before it, and numeric dates follow the page's convention.
        discourse = self.resolver.article(article.published_day, text=text, url=article.url)
        for index, (start, end) in enumerate(sentence_spans(text)):
            sentence = Sentence(article.id, index, start, end, text[start:end])
            sentences.append(sentence)
            for found in discourse.resolve(sentence.text):
                mentions.append(
                    TimeMention(article.id, index, start + found.start, start + found.end,
                                found.text, found.granularity, found.value, found.end_value)
                )
        return AnnotatedArticle(article, tuple(sentences), (), tuple(mentions))


def _report(on_error: ErrorHandler | None, article: Article, exc: Exception) -> None:
    if on_error is None:
        log.error("%s: could not be annotated (%s: %s)", article.origin, type(exc).__name__, exc)
    else:
        on_error(article, exc)


def _entities(doc, sentences: tuple[Sentence, ...],  # type: ignore[no-untyped-def]
              article_id: str) -> tuple[Entity, ...]:
    """The named entities of ``doc``, each in the sentence that holds all of it.

    The recognizer does not see our sentence boundaries, so an entity that
    runs across one (rare: line breaks already stop it) is dropped rather
    than given to either sentence.
    """
    starts = [sentence.start for sentence in sentences]
    found: list[Entity] = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        index = bisect_right(starts, ent.start_char) - 1
        if index >= 0 and ent.end_char <= sentences[index].end:
            found.append(Entity(article_id, index, ent.start_char, ent.end_char, ent.text,
                                ent.label_))
    return tuple(found)


def _limit(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS)
    log.warning("text longer than %d characters cut at a line break", MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]
