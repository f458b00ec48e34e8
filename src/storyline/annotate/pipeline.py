"""Sentences, named entities and resolved time mentions for cleaned articles.

Sentences come from :mod:`storyline.annotate.sentences` (every line break,
then Bling Fire), temporal expressions from the resolver, so annotating
without entities (what ``storyline eval`` does) runs no spaCy at all. With
entities, spaCy's small English pipeline runs only its tokenizer and entity
recognizer (which has its own embedding layer in en_core_web_sm, so the
shared tok2vec, tagger, parser, attribute ruler, lemmatizer and senter are
not needed), on the sentences that can enter a timeline; see
:mod:`storyline.annotate.entities`. The recognizer reads several articles'
sentences in one batch, but what is found in an article never depends on
which articles were annotated with it (or on which machine).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from storyline.annotate.entities import (  # noqa: F401 - load_nlp, ENTITY_LABELS: public here
    ENTITY_LABELS,
    EntityFinder,
    EntityInput,
    key_sentences,
    load_nlp,
)
from storyline.annotate.sentences import SPACY_MODEL, sentence_spans, splitter_name
from storyline.annotate.temporal import TemporalResolver
from storyline.model import AnnotatedArticle, Article, Entity, Sentence, TimeMention

log = logging.getLogger(__name__)

T = TypeVar("T")
#: Called with an article whose annotation failed, and the exception.
ErrorHandler = Callable[[Article, Exception], None]

#: spaCy's length guard; longer texts are cut at a line break before it.
MAX_CHARS = 200_000


class Annotator:
    """Turns cleaned Articles into AnnotatedArticles, one article at a time."""

    def __init__(self, *, model: str = SPACY_MODEL, entities: bool = True,
                 entity_scope: str = "key", resolver: TemporalResolver | None = None) -> None:
        self.model = model
        self.entities = entities
        self.entity_scope = entity_scope
        self.resolver = resolver or TemporalResolver()
        self.finder = EntityFinder(model=model, scope=entity_scope)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as its settings: a worker process builds its own (caches are not sent)."""
        return (_rebuilt, (self.model, self.entities, self.entity_scope, type(self.resolver)))

    @property
    def signature(self) -> str:
        """The settings that change what is found."""
        scope = f"|scope={self.entity_scope}" if self.entities else ""
        return f"{self.model}|entities={self.entities}{scope}|sentences={splitter_name()}"

    def annotate(self, articles: Iterable[Article], *,
                 on_error: ErrorHandler | None = None) -> Iterator[AnnotatedArticle]:
        """Annotate in input order."""
        pairs = ((article, None) for article in articles)
        for annotated, _ in self.annotate_with(pairs, on_error=on_error):
            yield annotated

    def annotate_with(self, pairs: Iterable[tuple[Article, T]], *,
                      on_error: ErrorHandler | None = None
                      ) -> Iterator[tuple[AnnotatedArticle, T]]:
        """Annotate a stream of (article, context) pairs, passing each context along.

        The stream is read lazily, so millions of articles never sit in
        memory (to spread the work over processes or machines, see
        :mod:`storyline.scale`). An article whose annotation fails is left
        out and handed to ``on_error`` with the exception (logged when
        there is no handler): one strange text never stops a batch.
        """
        for article, context in pairs:
            try:
                annotated = self.annotate_article(article)
            except Exception as exc:  # noqa: BLE001 - the boundary of one article
                _report(on_error, article, exc)
                continue
            yield annotated, context

    def annotate_article(self, article: Article) -> AnnotatedArticle:
        """One article's sentences, time mentions and (with ``entities``) named entities."""
        done = self.annotate_many([article])[0]
        if isinstance(done, Exception):
            raise done
        return done

    def annotate_many(self, articles: Sequence[Article]) -> list[AnnotatedArticle | Exception]:
        """``annotate_article`` for each article, in order, the recognizer reading them together.

        Reading several articles' sentences in one batch is what makes the
        recognizer faster (see ``EntityFinder.find_many``); what is found
        in an article is the same as when it is annotated alone. An article
        whose annotation fails gets its exception in its place, and the
        others are still annotated.
        """
        texts = [_limit(article.text) for article in articles]
        done: list[AnnotatedArticle | Exception] = []
        for article, text in zip(articles, texts, strict=True):
            try:
                done.append(self._annotate_text(text, article))
            except Exception as exc:  # noqa: BLE001 - the boundary of one article
                done.append(exc)
        if not self.entities:
            return done
        positions = [i for i, item in enumerate(done) if isinstance(item, AnnotatedArticle)]
        inputs = [_entity_input(done[i], texts[i]) for i in positions]  # type: ignore[arg-type]
        found: list[tuple[Entity, ...] | Exception]
        try:
            found = list(self.finder.find_many(inputs))
        except Exception:  # noqa: BLE001 - one article broke the batch: find which, alone
            found = [self._find_alone(item) for item in inputs]
        for i, entities in zip(positions, found, strict=True):
            annotated = done[i]
            assert isinstance(annotated, AnnotatedArticle)
            done[i] = entities if isinstance(entities, Exception) else AnnotatedArticle(
                annotated.article, annotated.sentences, entities, annotated.time_mentions)
        return done

    def _find_alone(self, item: EntityInput) -> tuple[Entity, ...] | Exception:
        try:
            return self.finder.find_many([item])[0]
        except Exception as exc:  # noqa: BLE001 - the boundary of one article
            return exc

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


def _entity_input(annotated: AnnotatedArticle, text: str) -> EntityInput:
    """What the recognizer reads of an article annotated from ``text`` (its cut text)."""
    article = annotated.article
    key = key_sentences(len(annotated.sentences),
                        (m.sentence_index for m in annotated.time_mentions))
    return EntityInput(article.id, article.title, text, annotated.sentences, key)


def _rebuilt(model: str, entities: bool, entity_scope: str,
             resolver: type[TemporalResolver]) -> Annotator:
    return Annotator(model=model, entities=entities, entity_scope=entity_scope,
                     resolver=resolver())


def _report(on_error: ErrorHandler | None, article: Article, exc: Exception) -> None:
    if on_error is None:
        log.error("%s: could not be annotated (%s: %s)", article.origin, type(exc).__name__, exc)
    else:
        on_error(article, exc)


def _limit(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_CHARS)
    log.warning("text longer than %d characters cut at a line break", MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]
