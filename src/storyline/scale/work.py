"""The per-article work: what a worker does, wherever it runs.

Plain functions of their arguments, so that the same code runs in the
ingesting process (a serial ingest) and on the workers of a Dask cluster,
and an article comes out the same either way. Nothing here touches the
store: every result goes back to the one process that writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from storyline.clean import clean_article, sentence_fingerprints
from storyline.ingest import InputFile, Skipped, read_file
from storyline.model import AnnotatedArticle, Article
from storyline.store import content_hash

if TYPE_CHECKING:  # an annotator is passed in: its stage is imported by whoever made it
    from storyline.annotate.pipeline import Annotator

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article ready to store: annotated, its content hash and sentence fingerprints.

    ``story_terms`` are what story detection compares it by
    (:func:`storyline.stories.features.article_terms`), made here, next to
    the text, rather than by the one process that writes the store: None
    when the annotation found no entities (an evaluation's annotation
    cache), whose terms would lack who the article is about.
    """

    annotated: AnnotatedArticle
    digest: str
    fingerprints: tuple[tuple[int, ...], ...]
    story_terms: dict[str, float] | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """An article that could not be ``stage`` (cleaned, annotated), and why."""

    origin: str
    stage: str
    error: str

    def skipped(self) -> Skipped:
        return Skipped(self.origin, f"could not be {self.stage} ({self.error})")


@dataclass(frozen=True, slots=True)
class ArticleKey:
    """What the writing process needs to know of a read article before it is annotated."""

    id: str
    digest: str
    origin: str
    undated: bool


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def prepare(article: Article, digest: str, annotator: Annotator) -> Prepared | Failed:
    """Clean and annotate one article, and fingerprint its sentences.

    A failure stays with its article: it comes back as Failed, never
    raised, so one strange text never stops the others.
    """
    return prepare_pairs([(article, digest)], annotator)[0]


def prepare_pairs(pairs: Iterable[tuple[Article, str]], annotator: Annotator
                  ) -> list[Prepared | Failed]:
    """``prepare`` for each (article, digest), annotated together: one task's work.

    Annotating several articles in one call lets the entity recognizer read
    their sentences in larger batches (see ``Annotator.annotate_many``);
    each article comes out as it would alone.
    """
    pairs = list(pairs)
    done: list[Prepared | Failed | None] = []
    cleaned: list[Article] = []
    for article, _ in pairs:
        try:
            cleaned.append(clean_article(article))
            done.append(None)
        except Exception as exc:  # noqa: BLE001 - the boundary of one article
            done.append(Failed(article.origin, "cleaned", _error(exc)))
    annotated = iter(annotator.annotate_many(cleaned))
    for position, (article, digest) in enumerate(pairs):
        if done[position] is not None:
            continue
        result = next(annotated)
        try:
            if isinstance(result, Exception):
                raise result
            fingerprints = sentence_fingerprints(s.text for s in result.sentences)
            terms = _story_terms(result) if annotator.entities else None
        except Exception as exc:  # noqa: BLE001 - the boundary of one article
            done[position] = Failed(article.origin, "annotated", _error(exc))
            continue
        done[position] = Prepared(result, digest, tuple(fingerprints), terms)
    return done  # type: ignore[return-value] - every position is filled


def _story_terms(annotated: AnnotatedArticle) -> dict[str, float]:
    # Imported here: the stories package brings NumPy and SciPy, which
    # commands that only read the store should not wait for.
    from storyline.stories.features import article_terms

    article = annotated.article
    return article_terms(article.title, article.text,
                         [(entity.text, entity.label) for entity in annotated.entities])


def read_files(items: Iterable[InputFile | Skipped], published: date | None
               ) -> list[Article | Skipped]:
    """Every article of these files, in order; a Skipped for each input that gave none."""
    read: list[Article | Skipped] = []
    for item in items:
        if isinstance(item, Skipped):
            read.append(item)
            continue
        for found in read_file(item, published):
            if isinstance(found, Skipped):
                log.info("skipped %s: %s", found.path, found.reason)
            read.append(found)
    return read


def article_keys(read: list[Article | Skipped], signature: str) -> list[ArticleKey | Skipped]:
    """The small part of ``read_files``' result that goes back before annotation."""
    return [item if isinstance(item, Skipped)
            else ArticleKey(item.id, content_hash(item, signature), item.origin,
                            item.published is None)
            for item in read]


def prepare_read(read: list[Article | Skipped], wanted: list[int], digests: list[str],
                 annotator: Annotator) -> list[Prepared | Failed]:
    """``prepare`` the articles at positions ``wanted`` of a ``read_files`` result."""
    return prepare_pairs([(read[index], digest)  # type: ignore[misc]
                          for index, digest in zip(wanted, digests, strict=True)], annotator)
