"""Run the per-article stages in order: read, clean, annotate, store.

This is the Python API behind ``storyline ingest``. Articles already in the
store with the same content are neither cleaned nor annotated again, which
makes a repeated ingest cheap and a no-op.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.resources import files
from itertools import islice
from pathlib import Path

from storyline import clean
from storyline.annotate import pipeline as annotate_pipeline
from storyline.annotate import sentences, temporal
from storyline.annotate.pipeline import Annotator
from storyline.clean import clean_article, sentence_fingerprints, word_jaccard
from storyline.ingest import Skipped, find_files, read_file
from storyline.model import Article, Timeline
from storyline.errors import StoreError
from storyline.store import Store, content_hash
from storyline.stories import story_article_ids, update_stories
from storyline.timeline import DEFAULT_METHOD, TimelineRequest, get_method

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What one ingest did; ``to_dict`` is the CLI's ``--format json`` contract."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    copies: int = 0
    total_articles: int = 0
    #: Every usable article's id, in input order (not part of the JSON report).
    article_ids: list[str] = field(default_factory=list)

    @property
    def usable(self) -> int:
        return self.added + self.updated + self.unchanged

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [s.to_dict() for s in self.skipped],
            "undated": list(self.undated),
            "copies": self.copies,
            "total_articles": self.total_articles,
        }


def count_files(paths: Iterable[str | Path]) -> int:
    """How many files an ingest of ``paths`` will read (for a progress bar)."""
    return sum(1 for item in find_files(paths) if not isinstance(item, Skipped))


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    published: date | None = None,
    annotator: Annotator | None = None,
    batch_size: int = 64,
    on_file: Callable[[], None] | None = None,
) -> IngestReport:
    """Read, clean, annotate and store every article under ``paths``.

    Each batch of ``batch_size`` articles is written in one transaction, so
    an interruption loses at most the batch in flight and never leaves an
    article half-written. Bad inputs are collected in the report.
    """
    report = IngestReport()
    stream = _read_all(paths, published, report, on_file)
    return ingest_articles(stream, store, annotator=annotator, batch_size=batch_size,
                           report=report)


def ingest_articles(
    articles: Iterable[Article | Skipped],
    store: Store,
    *,
    annotator: Annotator | None = None,
    batch_size: int = 64,
    report: IngestReport | None = None,
    stories: bool = True,
) -> IngestReport:
    """Clean, annotate and store articles that were read elsewhere (a benchmark loader).

    An article that fails in any stage is skipped and named in the report;
    only a failure of the store itself (disk full, a damaged file) stops
    the ingest, with a StoreError that says what was already committed.
    Once everything is stored, the new and changed articles are placed in
    stories (``stories=False`` leaves that to a later ingest, for stores
    that are only an annotation cache, as the evaluation's).
    """
    if store.read_only:
        # Said before any reading and annotating, not at the first write,
        # where "run the same ingest again" would be the wrong advice.
        raise StoreError(f"{store.path}: cannot write: the file or its folder is read-only")
    annotator = annotator or Annotator()
    report = report or IngestReport()
    signature = processing_signature(annotator)

    def failed(article: Article, stage: str, exc: Exception) -> None:
        reason = f"could not be {stage} ({type(exc).__name__}: {exc})"
        log.warning("%s: %s", article.origin, reason)
        report.skipped.append(Skipped(article.origin, reason))

    fresh = _fresh_articles(_collect_skipped(articles, report), store, report, signature)
    annotated = annotator.annotate_with(
        _cleaned(fresh, lambda article, exc: failed(article, "cleaned", exc)),
        on_error=lambda article, exc: failed(article, "annotated", exc))
    while batch := list(islice(annotated, batch_size)):
        added = updated = copies = 0
        try:
            with store.atomic():
                for done, digest in batch:
                    article_id = done.article.id
                    existed = store.status(article_id, digest) != "new"
                    try:
                        with store.atomic():
                            store.put(done, digest,
                                      sentence_fingerprints(s.text for s in done.sentences))
                            copies += len(store.link_copies(article_id, word_jaccard))
                    except (UnicodeError, ValueError, OverflowError) as exc:
                        failed(done.article, "stored", exc)
                        continue
                    added += not existed
                    updated += existed
        except StoreError as exc:
            raise StoreError(f"{exc.args[0]}; {_committed(report)}, and the {len(batch)} "
                             f"article(s) being written when it happened were not. Run the "
                             f"same ingest again to finish: what is stored is skipped") from None
        report.added += added
        report.updated += updated
        report.copies += copies
    if stories:
        update_stories(store)
    report.total_articles = store.count_articles()
    return report


def _committed(report: IngestReport) -> str:
    stored = report.added + report.updated
    if not stored:
        return "nothing of this ingest was stored before"
    return (f"{stored} article(s) of this ingest were stored before ({report.added} added, "
            f"{report.updated} updated)")


def _cleaned(pairs: Iterable[tuple[Article, str]],
             on_error: Callable[[Article, Exception], None]) -> Iterator[tuple[Article, str]]:
    for article, digest in pairs:
        try:
            yield clean_article(article), digest
        except Exception as exc:  # noqa: BLE001 - the boundary of one article
            on_error(article, exc)


def _collect_skipped(items: Iterable[Article | Skipped], report: IngestReport
                     ) -> Iterator[Article]:
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            yield item


def _read_all(paths: Iterable[str | Path], published: date | None, report: IngestReport,
              on_file: Callable[[], None] | None) -> Iterator[Article]:
    for item in find_files(paths):
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        for found in read_file(item, published):
            if isinstance(found, Skipped):
                log.info("skipped %s: %s", found.path, found.reason)
                report.skipped.append(found)
            else:
                if found.published is None:
                    report.undated.append(found.origin)
                yield found
        if on_file:
            on_file()


def processing_signature(annotator: Annotator) -> str:
    """What decides an article's stored annotations besides its content.

    The annotator's settings and the code and rules of the clean and
    annotate stages: after an upgrade that changes any of them, the same
    article is annotated again instead of keeping what older code found.
    """
    digest = hashlib.sha256(annotator.signature.encode())
    for module in (clean, sentences, annotate_pipeline):
        digest.update(Path(module.__file__).read_bytes())
    for path in sorted(Path(temporal.__file__).parent.glob("*.py")):  # the temporal package
        digest.update(path.read_bytes())
    for data in ("data/boilerplate.tsv", "data/holidays.tsv"):
        digest.update(files("storyline").joinpath(data).read_bytes())
    return digest.hexdigest()[:16]


def _fresh_articles(articles: Iterable[Article], store: Store, report: IngestReport,
                    signature: str = "") -> Iterator[tuple[Article, str]]:
    """Articles the store does not already hold as they are, each once."""
    seen: set[tuple[str, str]] = set()
    for article in articles:
        digest = content_hash(article, signature)
        report.article_ids.append(article.id)
        if (article.id, digest) in seen or store.status(article.id, digest) == "unchanged":
            report.unchanged += 1
            continue
        seen.add((article.id, digest))
        yield article, digest


def timeline_article_ids(store: Store, request: TimelineRequest, *, entity: str | None = None,
                         story: str | None = None) -> list[str]:
    """The stored articles a timeline is built from: matching the query, the entity, the story."""
    ids = store.article_ids(query=request.query, entity=entity)
    if story is not None:
        members = set(story_article_ids(store, story))  # NotFoundError for an unknown story
        ids = [article_id for article_id in ids if article_id in members]
    return ids


def build_timeline(store: Store, request: TimelineRequest | None = None,
                   method: str = DEFAULT_METHOD, *, entity: str | None = None,
                   story: str | None = None, since: date | None = None) -> Timeline:
    """The timeline of the stored articles that match ``request.query``.

    ``entity`` narrows them to the articles that mention that entity,
    ``story`` to one story's. ``since`` keeps only the entries that cite an
    article stored on or after that day (UTC): what changed since then.
    The timeline is built from all the articles either way, so that an
    entry keeps its place unless new evidence moves it.
    """
    request = request or TimelineRequest()
    ids = timeline_article_ids(store, request, entity=entity, story=story)
    if request.query and not ids:
        log.warning("no article matches %r", request.query)
    built = get_method(method).build(store.load_annotated(ids, entities=False), request)
    if since is None:
        return built
    recent = set(store.articles_added_since(since, ids))
    return replace(built, entries=tuple(entry for entry in built.entries
                                        if any(s.source.article_id in recent
                                               for s in entry.sentences)))
