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
    """An article ready to store: annotated, its content hash and sentence fingerprints."""

    annotated: AnnotatedArticle
    digest: str
    fingerprints: tuple[tuple[int, ...], ...]


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
    try:
        cleaned = clean_article(article)
    except Exception as exc:  # noqa: BLE001 - the boundary of one article
        return Failed(article.origin, "cleaned", _error(exc))
    try:
        annotated = annotator.annotate_article(cleaned)
        fingerprints = sentence_fingerprints(s.text for s in annotated.sentences)
    except Exception as exc:  # noqa: BLE001 - the boundary of one article
        return Failed(article.origin, "annotated", _error(exc))
    return Prepared(annotated, digest, tuple(fingerprints))


def prepare_pairs(pairs: Iterable[tuple[Article, str]], annotator: Annotator
                  ) -> list[Prepared | Failed]:
    """``prepare`` for each (article, digest): one task's work."""
    return [prepare(article, digest, annotator) for article, digest in pairs]


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
    return [prepare(read[index], digest, annotator)  # type: ignore[arg-type]
            for index, digest in zip(wanted, digests, strict=True)]
