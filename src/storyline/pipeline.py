"""Run the per-article stages in order: read, clean, annotate, store.

This is the Python API behind ``storyline ingest``. Articles already in the
store with the same content are neither cleaned nor annotated again, which
makes a repeated ingest cheap and a no-op.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from storyline import clean
from storyline.clean import word_jaccard
from storyline.ingest import Skipped, find_files
from storyline.ingest.notices import reprint_notice
from storyline.model import AnnotatedArticle, Article, Timeline, TimelineEntry
from storyline.errors import StoreError
from storyline.scale.work import Failed, Prepared, prepare_pairs, read_files
from storyline.store import Store, content_hash
from storyline.timeline import DEFAULT_METHOD, TimelineRequest, get_method

if TYPE_CHECKING:
    from storyline.annotate.pipeline import Annotator
    from storyline.scale.dask import DaskEngine

log = logging.getLogger(__name__)

#: Articles prepared together in a serial ingest (as many as a cluster's task
#: holds): enough for the entity recognizer's batches, few enough to stream.
ARTICLES_PER_CALL = 16
#: Pages of the store the writer keeps in memory (see ``Store.reserve_cache``).
WRITER_CACHE_MIB = 64


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
    on_progress: Progress | None = None,
    engine: DaskEngine | None = None,
) -> IngestReport:
    """Read, clean, annotate and store every article under ``paths``.

    Each batch of ``batch_size`` articles is written in one transaction, so
    an interruption loses at most the batch in flight and never leaves an
    article half-written. Bad inputs are collected in the report. With an
    ``engine`` the reading, cleaning and annotating run on its cluster and
    only the writing here; the store ends up the same.
    """
    _require_writable(store)
    annotator = annotator or _default_annotator()
    report = IngestReport()
    progress = on_progress or _no_progress
    signature = processing_signature(annotator)
    wanted = _Wanted(store, report)
    if engine is None:
        stream = _collect_skipped(_read_all(paths, published, report, progress), report)
        fresh = ((article, digest) for article in stream
                 if wanted(article.id, digest := content_hash(article, signature)))
        prepared: Iterable[Prepared | Failed] = _prepared(fresh, annotator)
    else:
        prepared = engine.prepare_files(
            find_files(paths), published=published, annotator=annotator, signature=signature,
            wanted=wanted, on_skipped=report.skipped.append, on_undated=report.undated.append,
            on_files=lambda files: progress(files, 0))
    return _write(prepared, store, report, batch_size, progress)


def ingest_articles(
    articles: Iterable[Article | Skipped],
    store: Store,
    *,
    annotator: Annotator | None = None,
    batch_size: int = 64,
    report: IngestReport | None = None,
    engine: DaskEngine | None = None,
    stories: bool = True,
) -> IngestReport:
    """Clean, annotate and store articles that were read elsewhere (a benchmark loader).

    An article that fails in any stage is skipped and named in the report;
    only a failure of the store itself (disk full, a damaged file) stops
    the ingest, with a StoreError that says what was already committed.
    With an ``engine`` the cleaning and annotating run on its cluster.
    Once everything is stored, the new and changed articles are placed in
    stories (``stories=False`` leaves that to a later ingest, for stores
    that are only an annotation cache, as the evaluation's).
    """
    _require_writable(store)
    annotator = annotator or _default_annotator()
    report = report or IngestReport()
    signature = processing_signature(annotator)
    wanted = _Wanted(store, report)
    fresh = ((article, digest) for article in _collect_skipped(articles, report)
             if wanted(article.id, digest := content_hash(article, signature)))
    if engine is None:
        prepared: Iterable[Prepared | Failed] = _prepared(fresh, annotator)
    else:
        prepared = engine.prepare_articles(fresh, annotator=annotator)
    return _write(prepared, store, report, batch_size, _no_progress, stories=stories)


def _prepared(pairs: Iterable[tuple[Article, str]], annotator: Annotator
              ) -> Iterator[Prepared | Failed]:
    """Prepare (article, digest) pairs in this process, ARTICLES_PER_CALL at a time.

    As a cluster's task does: the entity recognizer is faster on several
    articles' sentences at once, and the stream is still read lazily.
    """
    iterator = iter(pairs)
    while chunk := list(islice(iterator, ARTICLES_PER_CALL)):
        yield from prepare_pairs(chunk, annotator)


def _default_annotator() -> Annotator:
    # The annotate stage (blingfire and NumPy, the temporal grammar) is imported by
    # the commands that annotate, not by every ``import storyline``.
    from storyline.annotate.pipeline import Annotator

    return Annotator()


def _require_writable(store: Store) -> None:
    """Refuse a read-only store before any reading and annotating.

    At the first write, after all the work, "run the same ingest again"
    would be the wrong advice.
    """
    if store.read_only:
        raise StoreError(f"{store.path}: cannot write: the file or its folder is read-only")


#: Told how many more files were read and articles stored.
Progress = Callable[[int, int], None]


def _no_progress(files: int, articles: int) -> None:
    return None


class _Wanted:
    """Whether an article should be annotated and stored: not if the store holds it as it is.

    Asked once per article, in input order; an article seen before in the
    same run counts as unchanged too.
    """

    def __init__(self, store: Store, report: IngestReport) -> None:
        self.store = store
        self.report = report
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, article_id: str, digest: str) -> bool:
        self.report.article_ids.append(article_id)
        if (article_id, digest) in self.seen or (
                self.store.status(article_id, digest) == "unchanged"):
            self.report.unchanged += 1
            return False
        self.seen.add((article_id, digest))
        return True


def _succeeded(prepared: Iterable[Prepared | Failed], report: IngestReport
               ) -> Iterator[Prepared]:
    for item in prepared:
        if isinstance(item, Failed):
            skipped = item.skipped()
            log.warning("%s: %s", skipped.path, skipped.reason)
            report.skipped.append(skipped)
        else:
            yield item


def _write(prepared: Iterable[Prepared | Failed], store: Store, report: IngestReport,
           batch_size: int, progress: Progress, *, stories: bool = True) -> IngestReport:
    """Store prepared articles in input order, ``batch_size`` per transaction.

    Then, with ``stories``, place the articles that have no story yet
    (these, and any an interrupted ingest left) in one update.
    """
    store.reserve_cache(WRITER_CACHE_MIB)
    stream = _succeeded(prepared, report)
    while batch := list(islice(stream, batch_size)):
        added = updated = copies = 0
        terms: list[tuple[str, dict[str, float]]] = []
        try:
            with store.atomic():
                for done in batch:
                    article = done.annotated.article
                    existed = store.status(article.id, done.digest) != "new"
                    try:
                        with store.atomic():
                            store.put(done.annotated, done.digest, done.fingerprints)
                            copies += len(store.link_copies(article.id, word_jaccard))
                    except (UnicodeError, ValueError, OverflowError) as exc:
                        skipped = Failed(article.origin, "stored",
                                         f"{type(exc).__name__}: {exc}").skipped()
                        log.warning("%s: %s", skipped.path, skipped.reason)
                        report.skipped.append(skipped)
                        continue
                    added += not existed
                    updated += existed
                    if done.story_terms is not None:
                        terms.append((article.id, done.story_terms))
                if terms:
                    # With the articles, so that placing them in stories
                    # reads what the workers made instead of making it here.
                    from storyline.stories.storage import save_terms

                    save_terms(store, terms)
        except StoreError as exc:
            raise StoreError(f"{exc.args[0]}; {_committed(report)}, and the {len(batch)} "
                             f"article(s) being written when it happened were not. Run the "
                             f"same ingest again to finish: what is stored is skipped") from None
        report.added += added
        report.updated += updated
        report.copies += copies
        progress(0, added + updated)
    if stories:
        # Imported here (NumPy and the tracker): only the commands that write need it.
        from storyline.stories import update_stories

        update_stories(store)
    report.total_articles = store.count_articles()
    return report


def _committed(report: IngestReport) -> str:
    stored = report.added + report.updated
    if not stored:
        return "nothing of this ingest was stored before"
    return (f"{stored} article(s) of this ingest were stored before ({report.added} added, "
            f"{report.updated} updated)")


def _collect_skipped(items: Iterable[Article | Skipped], report: IngestReport
                     ) -> Iterator[Article]:
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            yield item


def _read_all(paths: Iterable[str | Path], published: date | None, report: IngestReport,
              progress: Progress) -> Iterator[Article | Skipped]:
    for item in find_files(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        for found in read_files([item], published):
            if isinstance(found, Article) and found.published is None:
                report.undated.append(found.origin)
            yield found
        progress(1, 0)


def processing_signature(annotator: Annotator) -> str:
    """What decides an article's stored annotations besides its content.

    The annotator's settings and the code and rules of the clean and
    annotate stages: after an upgrade that changes any of them, the same
    article is annotated again instead of keeping what older code found.
    """
    from storyline.annotate import entities, sentences, temporal  # loaded with the annotator
    from storyline.annotate import pipeline as annotate_pipeline

    digest = hashlib.sha256(annotator.signature.encode())
    for module in (clean, sentences, entities, annotate_pipeline):
        digest.update(Path(module.__file__).read_bytes())
    for path in sorted(Path(temporal.__file__).parent.glob("*.py")):  # the temporal package
        digest.update(path.read_bytes())
    for data in ("data/boilerplate.tsv", "data/holidays.tsv"):
        digest.update(files("storyline").joinpath(data).read_bytes())
    return digest.hexdigest()[:16]


def timeline_article_ids(store: Store, request: TimelineRequest, *, entity: str | None = None,
                         story: str | None = None) -> list[str]:
    """The stored articles a timeline is built from: matching the query, the entity, the story."""
    ids = store.article_ids(query=request.query, entity=entity)
    if story is not None:
        from storyline.stories import story_article_ids  # NumPy and the tracker: only for a story

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
    articles = store.load_annotated(ids, entities=False)
    built = flag_reprint_dates(store, get_method(method).build(articles, request),
                               {a.article.id: a for a in articles})
    if since is None:
        return built
    recent = set(store.articles_added_since(since, ids))
    return replace(built, entries=tuple(entry for entry in built.entries
                                        if any(s.source.article_id in recent
                                               for s in entry.sentences)))


#: A year written out ("2019", "May 3, 2024", "14.01.2025"): such a date does
#: not depend on the publication day it was read against.
_WRITTEN_YEAR = re.compile(r"\d{4}")


def flag_reprint_dates(store: Store, timeline: Timeline,
                       articles: Mapping[str, AnnotatedArticle]) -> Timeline:
    """Mark the sentences dated against a reprint's own day when its original is not stored.

    A page that says it ran elsewhere first ("This story first appeared in
    ...", the reprint notices of data/notices.tsv) was dated by when this
    copy ran, and its relative expressions ("on Sunday", "last year", "May
    3") were resolved from that day, not the original's, which may be weeks
    earlier. When the store holds the original (the reprint was linked to
    it as a copy), the original's own sentences carry the right dates; when
    it does not, a sentence of the reprint is marked ``date_uncertain``
    unless a mention dating its entry writes out its year. Only the
    articles a timeline quotes are looked at.
    """
    quoted = {s.source.article_id for entry in timeline.entries for s in entry.sentences}
    reprints = {article_id for article_id in quoted if article_id in articles
                and reprint_notice(s.text for s in articles[article_id].sentences)}
    unlinked = reprints - store.copiers(reprints)
    if not unlinked:
        return timeline
    entries = []
    for entry in timeline.entries:
        sentences = tuple(
            replace(s, date_uncertain=True)
            if s.source.article_id in unlinked
            and not _year_written(articles[s.source.article_id], s.text, entry)
            else s
            for s in entry.sentences)
        entries.append(replace(entry, sentences=sentences))
    return replace(timeline, entries=tuple(entries))


def _year_written(article: AnnotatedArticle, text: str, entry: TimelineEntry) -> bool:
    """Whether a mention in the article's sentence ``text`` that falls in the entry's
    period writes out its year (a sentence dated by its article's day has none)."""
    indexes = {s.index for s in article.sentences if text in s.text}
    return any(_WRITTEN_YEAR.search(m.text) for m in article.time_mentions
               if m.sentence_index in indexes and entry.holds(m.value))
