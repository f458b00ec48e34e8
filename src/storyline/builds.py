"""Timelines for a server: built in worker processes, once per question, kept until a write.

Building a timeline from thousands of articles is seconds of pure Python.
Done in the threads that answer requests, a few builds at once hold the
interpreter's lock and every other request (an article, the entity list)
waits behind them. So builds run in worker processes, and the serving
process only waits for their answers:

- a timeline asked for again is answered from the cache, until anyone (this
  server or a ``storyline ingest`` beside it) writes to the store;
- the same timeline asked for by many clients at once is built once, and
  each of them gets that one build's answer;
- ``workers=0`` builds in one thread of this process instead (for embedding
  the app where starting processes is not wanted).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from storyline.model import Timeline
from storyline.pipeline import build_timeline, timeline_article_ids
from storyline.store import Store
from storyline.timeline import TimelineRequest

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

#: Timelines kept, so that exporting or going back to an earlier filter is instant.
CACHE_SIZE = 32


def default_workers() -> int:
    """One core stays with the serving process; the rest build (at least one)."""
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True, slots=True)
class TimelineQuestion:
    """Everything that decides a timeline: the cache key, and what a worker is sent."""

    request: TimelineRequest
    method: str
    entity: str | None = None
    story: str | None = None


@dataclass(frozen=True, slots=True)
class BuiltTimeline:
    """A timeline, and per entry how many distinct articles stand behind it.

    ``rendered`` keeps what the server made of it (the JSON document, an
    export) for as long as the timeline itself is kept: a timeline asked
    for again is then bytes already made, not a new serialization each time.
    """

    timeline: Timeline
    support: tuple[int, ...]
    #: Per entry, when the newest article it quotes was stored (UTC, ISO 8601):
    #: what the page compares with a reader's last visit.
    added: tuple[str | None, ...] = ()
    rendered: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def render(self, kind: str, make: Callable[[BuiltTimeline], bytes]) -> bytes:
        """``make(self)``, made once per kind (a race makes it twice, harmlessly)."""
        made = self.rendered.get(kind)
        if made is None:
            made = self.rendered[kind] = make(self)
        return made


def build_with_support(store: Store, question: TimelineQuestion) -> BuiltTimeline:
    """The timeline, and for each entry the articles pointing at its date or quoted in it."""
    wanted = question.request
    built = build_timeline(store, wanted, question.method, entity=question.entity,
                           story=question.story)
    behind = store.articles_by_date(timeline_article_ids(store, wanted, entity=question.entity,
                                                         story=question.story))
    support = tuple(
        len(behind.get((entry.date, entry.granularity), set())
            | {s.source.article_id for s in entry.sentences})
        for entry in built.entries
    )
    stored = store.added_at([s.source.article_id for e in built.entries for s in e.sentences])
    added = tuple(max((stored[s.source.article_id] for s in entry.sentences
                       if s.source.article_id in stored), default=None)
                  for entry in built.entries)
    return BuiltTimeline(built, support, added)


# -- in a worker process -------------------------------------------------------------

_worker_stores: dict[str, Store] = {}
#: Seconds between a worker's looks at whether the serving process is still there.
PARENT_CHECK_S = 1.0


def _start_worker(parent: int) -> None:
    """Runs as each worker starts: it yields the CPU to requests, and ends with the server.

    A build is background work that takes seconds; an article or the entity
    list is a reader waiting. On a machine with few cores the workers would
    otherwise take their share of the CPU from the serving process, and
    every quick answer would wait behind a build: so workers run at a lower
    priority (nice 10), and use what the server leaves.

    A worker waits for work on a pipe that only the serving process writes
    to. When that process is killed, or ends on a signal before it has told
    its workers to stop (uvicorn re-raises SIGTERM once it has shut down),
    nobody ever writes again and the worker would wait forever, holding
    the store and its memory.
    """
    try:
        os.nice(10)
    except OSError:  # pragma: no cover - not allowed here: builds run at the same priority
        log.debug("could not lower the priority of a timeline worker")

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _build_in_worker(db: str, question: TimelineQuestion) -> BuiltTimeline:
    """Runs in a worker; its store stays open between builds (each build reads afresh)."""
    store = _worker_stores.get(db)
    if store is None:
        store = _worker_stores[db] = Store(db, create=False)
    return build_with_support(store, question)


# -- in the serving process ------------------------------------------------------------

class _UntilWrite(Generic[V]):
    """The last ``size`` answers by key, all dropped as soon as anyone writes to the store.

    A write by any connection (this server's, an ingest beside it) changes
    the store's ``PRAGMA data_version``, read on a connection kept open for
    nothing else. Not thread-safe: its owner calls it under its own lock.
    """

    def __init__(self, db: str, size: int) -> None:
        self.size = size
        self._watcher = Store(db, create=False)
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._version = -1

    def version(self) -> int:
        """The store's version now; what was kept under an older one is dropped."""
        version = self._watcher.data_version()
        if version != self._version:
            self._kept.clear()
            self._version = version
        return version

    def find(self, key: Hashable) -> V | None:
        if key not in self._kept:
            return None
        self._kept.move_to_end(key)
        return self._kept[key]

    def keep(self, version: int, key: Hashable, answer: V) -> None:
        """Keep ``answer``, unless the store was written to since ``version``."""
        if version == self._version:
            self._kept[key] = answer
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def close(self) -> None:
        self._watcher.close()


class KeptUntilWrite:
    """Answers that change only when the store does (the entity list), kept until any write.

    The same idea as the timeline cache below, for answers cheap enough to
    compute in the request's own thread but asked for again and again: a
    GROUP BY over every entity of a big store takes a noticeable fraction
    of a second each time, and nothing in it moves until someone writes.
    """

    def __init__(self, db: str, *, size: int = CACHE_SIZE) -> None:
        self._kept: _UntilWrite[object] = _UntilWrite(db, size)
        self._computing: dict[tuple[int, Hashable], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for ``key`` since the last write, or ``compute()``'s, kept."""
        with self._lock:
            version = self._kept.version()
            if (kept := self._kept.find(key)) is not None:
                return kept  # type: ignore[return-value]
            computing = self._computing.setdefault((version, key), threading.Lock())
        # Outside the store-wide lock, so other keys need not wait for this
        # one; clients asking for the same key at once wait for the first
        # one's answer instead of all computing it.
        with computing:
            with self._lock:
                if (kept := self._kept.find(key)) is not None:
                    return kept  # type: ignore[return-value]
            answer = compute()
            with self._lock:
                self._computing.pop((version, key), None)
                self._kept.keep(version, key, answer)
        return answer

    def close(self) -> None:
        self._kept.close()


class TimelineBuilds:
    """The last few timelines built for one store, and the builds under way."""

    def __init__(self, db: str, *, workers: int | None = None, size: int = CACHE_SIZE) -> None:
        self.db = db
        self.workers = default_workers() if workers is None else workers
        #: Builds started since the server started (each identical question counts once).
        self.started = 0
        self._executor: Executor | None = None
        self._done: _UntilWrite[BuiltTimeline] = _UntilWrite(db, size)
        self._flights: dict[tuple[int, Hashable], Future[BuiltTimeline]] = {}
        self._lock = threading.Lock()

    async def get(self, question: TimelineQuestion) -> BuiltTimeline:
        """The timeline for ``question``: cached, joined to a build under way, or built."""
        return await asyncio.wrap_future(self.future(question))

    def future(self, question: TimelineQuestion) -> Future[BuiltTimeline]:
        with self._lock:
            version = self._done.version()
            if (built := self._done.find(question)) is not None:
                finished: Future[BuiltTimeline] = Future()
                finished.set_result(built)
                return finished
            flight = self._flights.get((version, question))
            if flight is not None:
                return flight
            flight = self._start(question)
            self._flights[(version, question)] = flight
            self.started += 1
        # Outside the lock: a build that is already over calls back at once, here.
        flight.add_done_callback(lambda done: self._landed(version, question, done))
        return flight

    def _start(self, question: TimelineQuestion) -> Future[BuiltTimeline]:
        if self._executor is None:
            if self.workers:
                # spawn, not fork: the server has threads, and a forked copy
                # of a threaded process can start with a lock held forever.
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker, initargs=(os.getpid(),))
            else:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="timeline")
        return self._executor.submit(_build_in_worker, self.db, question)

    def _landed(self, version: int, question: TimelineQuestion,
                flight: Future[BuiltTimeline]) -> None:
        with self._lock:
            self._flights.pop((version, question), None)
            if flight.cancelled() or flight.exception() is not None:
                return
            self._done.keep(version, question, flight.result())

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        for store in _worker_stores.values():
            store.close()
        _worker_stores.clear()
        self._done.close()
